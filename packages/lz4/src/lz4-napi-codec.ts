import { CompressionFailedError, CorruptDataError, crc32 } from '@zswap/core'
import { compressSync, uncompressSync } from 'lz4-napi'
import { CHECKSUM_BYTES, type Lz4Codec, PKG, SIZE_BYTES } from './codec.js'

/**
 * The wire format through lz4-napi (Rust lz4_flex): `compressSync` returns a
 * fresh `u32le size ‖ block` Buffer that is copied into dst, with the CRC-32
 * from Node's zlib.crc32. Runs everywhere; the fallback when the liblz4 addon
 * is not built.
 */
export class Lz4NapiCodec implements Lz4Codec {
  readonly backend = 'lz4-napi'
  readonly #checksum: boolean
  readonly #trailer: number

  constructor(checksum: boolean) {
    this.#checksum = checksum
    this.#trailer = checksum ? CHECKSUM_BYTES : 0
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
    // The smallest block is the size prefix plus one token.
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
