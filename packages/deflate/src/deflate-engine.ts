import { CorruptDataError } from '@zswap/core'
import { PKG } from './deflate-codec.js'

/**
 * What a JavaScript-driven engine (zlib, fflate) provides: raw deflate into a caller's
 * buffer, and raw inflate of part of a caller's buffer. Engines add no
 * framing; EngineCodec (engine-codec.ts) adds the checksum trailer around them.
 */
export interface DeflateEngine {
  /**
   * Compresses all of `src` into `dst[0 .. limit)`.
   * @returns bytes written, or -1 when the stream does not fit in `limit` bytes.
   * @throws CompressionFailedError when the library fails.
   */
  deflate(src: Uint8Array, dst: Uint8Array, limit: number): number
  /**
   * Inflates `src[0 .. length)`, exactly one raw-deflate stream, into `dst`.
   * @returns bytes written to `dst`.
   * @throws CorruptDataError when the stream is malformed, truncated, or
   * inflates to more than `dst.length` bytes.
   */
  inflate(src: Uint8Array, length: number, dst: Uint8Array): number
  /** Frees native state; calls after it are undefined. */
  close(): void
}

/** A library error while inflating, as the CorruptDataError {@link DeflateEngine.inflate} promises. */
export function corruptStream(cause: unknown): CorruptDataError {
  return new CorruptDataError(`[${PKG}] corrupt or truncated deflate stream: ${(cause as Error)?.message}`, {
    cause,
  })
}

/**
 * Copies an inflate's own output buffer (fflate, or `zlib.inflateRawSync`
 * given room for one byte more than `dst`) into `dst`.
 * @throws CorruptDataError when the output is longer than `dst`.
 */
export function copyInflated(out: Uint8Array, dst: Uint8Array): number {
  if (out.length > dst.length) {
    throw new CorruptDataError(`[${PKG}] deflate stream inflates to more than ${dst.length} bytes`)
  }
  dst.set(out)
  return out.length
}
