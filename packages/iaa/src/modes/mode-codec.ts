import { crc32 } from '@zswap/core'
import { deflate } from '@zswap/deflate'
import { RESULT } from '../layout.js'
import { CANNED_HEADER } from './canned-header.js'
import { type CompressionMode, ModeEncoder } from './mode-encoder.js'

const TRAILER = 4

/** What a device codec needs from an inflater: a raw-deflate stream in, bytes out, throws on bad input. */
export interface Inflater {
  decompress(src: Uint8Array, dst: Uint8Array): number
}

/** What it needs from a writer ({@link ModeEncoder}): bytes written into dst[0..limit), or -1. */
export interface BlockWriter {
  compress(src: Uint8Array, dst: Uint8Array, limit: number): number
}

/**
 * The codec of one IAA compression mode (see {@link CompressionMode}): the block of
 * {@link ModeEncoder} followed by the CRC-32 of the page (u32 little-endian), IAA's completion
 * record CRC. Decompression inflates with `@zswap/deflate`'s raw inflater (libdeflate or
 * zlib), which reads any raw deflate stream, as the device with iaa_crypto's software fallback
 * does; a canned stream first gets the canned header in front ({@link CANNED_HEADER}), the
 * table the device keeps in its AECS. So fixed and dynamic read each other's blocks and any
 * `deflate-raw+crc32` block; canned reads canned blocks only, and they are read by nothing else.
 * Results are codes, as the engines want them: bytes, RESULT.DOES_NOT_FIT, RESULT.FAILED (the
 * writer threw) or RESULT.CORRUPT; nothing is thrown across a job.
 */
export class ModeCodec {
  readonly mode: CompressionMode
  readonly #encoder: BlockWriter
  readonly #inflater: Inflater
  readonly #checksum: boolean
  #scratch = new Uint8Array(0)

  /** `inflater` and `encoder` are for tests (fault injection); the defaults are the real ones. */
  constructor(
    mode: CompressionMode,
    checksum = true,
    inflater: Inflater = deflate({ checksum: false }),
    encoder: BlockWriter = new ModeEncoder(mode),
  ) {
    this.mode = mode
    this.#encoder = encoder
    this.#checksum = checksum
    this.#inflater = inflater
  }

  compress(src: Uint8Array, dst: Uint8Array): number {
    const trailer = this.#checksum ? TRAILER : 0
    if (dst.length <= trailer) return RESULT.DOES_NOT_FIT
    let n: number
    try {
      n = this.#encoder.compress(src, dst, dst.length - trailer)
    } catch {
      return RESULT.FAILED
    }
    if (n < 0) return RESULT.DOES_NOT_FIT
    if (!this.#checksum) return n
    const h = crc32(src)
    dst[n] = h
    dst[n + 1] = h >>> 8
    dst[n + 2] = h >>> 16
    dst[n + 3] = h >>> 24
    return n + TRAILER
  }

  decompress(src: Uint8Array, dst: Uint8Array): number {
    const length = src.length - (this.#checksum ? TRAILER : 0)
    if (length <= 0) return RESULT.CORRUPT
    let stream = src.subarray(0, length)
    if (this.mode === 'canned') {
      const h = CANNED_HEADER.length
      if (this.#scratch.length < h + length) {
        this.#scratch = new Uint8Array(Math.max(h + length, 2 * this.#scratch.length))
        this.#scratch.set(CANNED_HEADER)
      }
      this.#scratch.set(stream, h)
      stream = this.#scratch.subarray(0, h + length)
    }
    let n: number
    try {
      n = this.#inflater.decompress(stream, dst)
    } catch {
      return RESULT.CORRUPT
    }
    if (this.#checksum) {
      const stored =
        (src[length] | (src[length + 1] << 8) | (src[length + 2] << 16) | (src[length + 3] << 24)) >>> 0
      if (stored !== crc32(n === dst.length ? dst : dst.subarray(0, n))) return RESULT.CORRUPT
    }
    return n
  }
}
