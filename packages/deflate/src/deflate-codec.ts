import type { DeflateEngineName } from './deflate-options.js'

/** Package tag at the head of every error message. */
export const PKG = '@zswap/deflate'
/** Bytes of the CRC-32 trailer when `checksum` is on. */
export const CHECKSUM_BYTES = 4

/**
 * One engine's encoder and decoder of a whole block for a fixed `checksum`
 * setting. Every engine writes and reads the same bytes:
 * `raw deflate stream ‖ [u32le CRC-32(uncompressed bytes)]`.
 */
export interface DeflateCodec {
  readonly engine: DeflateEngineName
  /**
   * @returns bytes written to dst, or -1 when the block does not fit.
   * @throws CompressionFailedError when the library fails.
   */
  compress(src: Uint8Array, dst: Uint8Array): number
  /**
   * @returns bytes written to dst.
   * @throws CorruptDataError on any bad input: malformed or truncated stream,
   * bytes after it, output longer than dst, CRC-32 mismatch.
   */
  decompress(src: Uint8Array, dst: Uint8Array): number
  /** Frees state the codec owns; calls after it are undefined. */
  close(): void
}
