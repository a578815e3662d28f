import {
  CompressionFailedError,
  type Compressor,
  type CompressorCapabilities,
  CorruptDataError,
  invalidOption,
  SPECIFICATION_VERSION,
} from '@zswap/core'
import { compressSync, uncompressSync } from 'lz4-napi'
import { crc32 } from './crc32.js'

const PKG = '@zswap/lz4'
/** Bytes of the little-endian uncompressed-size prefix lz4-napi writes. */
const SIZE_BYTES = 4
/** Bytes of the CRC-32 trailer when `checksum` is on. */
const CHECKSUM_BYTES = 4
/** LZ4_MAX_INPUT_SIZE of the reference implementation. */
const MAX_INPUT_SIZE = 0x7e000000

/** Capabilities of {@link Lz4Compressor}: the contract's plus `checksum`. */
export interface Lz4Capabilities extends CompressorCapabilities {
  /** True when every stored block carries a checksum, so any corruption is detected. */
  readonly checksum: boolean
}

/** Options of {@link lz4}. */
export interface Lz4Options {
  /**
   * Append a CRC-32 of the compressed bytes (4 bytes) and verify it before
   * decompressing. An LZ4 block has no checksum: without it, a bit flip in a
   * literal decompresses to a wrong page that nothing detects (measured: about
   * a third of single-bit flips in a text page). `false` drops the trailer and
   * the hash (a few per cent of compress time) but no longer meets the
   * contract's "never a wrong page" rule for corrupted stored data; truncated
   * or garbage input is still caught in most cases, never crashes.
   * Default: true.
   */
  checksum?: boolean
}

/**
 * LZ4 block compression through lz4-napi (Rust lz4_flex).
 *
 * Wire format: `u32le uncompressedSize ‖ LZ4 block` (lz4_flex's
 * `compress_prepend_size`, what lz4-napi's `compressSync` returns), followed
 * by `u32le CRC-32(everything before it)` when `checksum` is on.
 */
export class Lz4Compressor implements Compressor {
  readonly specificationVersion = SPECIFICATION_VERSION
  readonly name = 'lz4'
  readonly capabilities: Lz4Capabilities
  readonly #checksum: boolean
  readonly #trailer: number

  constructor(options: Lz4Options = {}) {
    const { checksum = true } = options
    if (typeof checksum !== 'boolean') throw invalidOption(PKG, 'checksum', 'a boolean', 'type')
    this.#checksum = checksum
    this.#trailer = checksum ? CHECKSUM_BYTES : 0
    this.capabilities = Object.freeze({
      format: checksum ? 'lz4-block+size+crc32' : 'lz4-block+size',
      maxInputSize: MAX_INPUT_SIZE,
      checksum,
    })
  }

  compress(src: Uint8Array, dst: Uint8Array): number {
    let out: Uint8Array
    try {
      // lz4-napi accepts any Uint8Array view although its typings say Buffer.
      out = compressSync(src as Buffer)
    } catch (cause) {
      throw new CompressionFailedError(`[${PKG}] lz4 compression of ${src.length} bytes failed`, { cause })
    }
    const n = out.length
    const total = n + this.#trailer
    if (total > dst.length) return -1
    dst.set(out)
    if (this.#checksum) {
      const h = crc32(out)
      dst[n] = h
      dst[n + 1] = h >>> 8
      dst[n + 2] = h >>> 16
      dst[n + 3] = h >>> 24
    }
    return total
  }

  decompress(src: Uint8Array, dst: Uint8Array): number {
    const n = src.length - this.#trailer
    // The smallest block lz4_flex emits is the size prefix plus one token.
    if (n < SIZE_BYTES + 1) {
      throw new CorruptDataError(`[${PKG}] compressed input of ${src.length} bytes is truncated`)
    }
    // one view of the block serves both the checksum and the binding
    const block = this.#checksum ? src.subarray(0, n) : src
    if (this.#checksum) {
      const stored = (src[n] | (src[n + 1] << 8) | (src[n + 2] << 16) | (src[n + 3] << 24)) >>> 0
      if (stored !== crc32(block)) {
        throw new CorruptDataError(`[${PKG}] checksum mismatch: compressed data is corrupt`)
      }
    }
    const size = (src[0] | (src[1] << 8) | (src[2] << 16) | (src[3] << 24)) >>> 0
    // Checked before the binding runs: lz4_flex reserves the declared size up front.
    if (size > dst.length) {
      throw new CorruptDataError(
        `[${PKG}] compressed block declares ${size} bytes, more than the ${dst.length}-byte destination`,
      )
    }
    let out: Uint8Array
    try {
      out = uncompressSync(block)
    } catch (cause) {
      throw new CorruptDataError(`[${PKG}] compressed data is corrupt: ${(cause as Error).message}`, {
        cause,
      })
    }
    if (out.length !== size) {
      throw new CorruptDataError(
        `[${PKG}] compressed block declares ${size} bytes but decompressed to ${out.length}`,
      )
    }
    dst.set(out)
    return size
  }
}
