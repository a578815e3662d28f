import { CompressionFailedError, CorruptDataError } from '@zswap/core'
import { DecodeStatus, type Liblz4Addon } from './addon.js'
import { type Lz4Codec, PKG } from './codec.js'

/**
 * The wire format through the reference C library (liblz4) in this package's
 * addon: one native call per page, straight into the caller's buffers, with
 * the CRC-32 computed in the same call. The addon's negative results become
 * typed errors here.
 */
export class Liblz4Codec implements Lz4Codec {
  readonly backend = 'liblz4'
  readonly #compress: (src: Uint8Array, dst: Uint8Array) => number
  readonly #decompress: (src: Uint8Array, dst: Uint8Array) => number

  constructor(addon: Liblz4Addon, checksum: boolean) {
    this.#compress = checksum ? addon.compressChecksum : addon.compress
    this.#decompress = checksum ? addon.decompressChecksum : addon.decompress
  }

  compress(src: Uint8Array, dst: Uint8Array): number {
    let n: number
    try {
      n = this.#compress(src, dst)
    } catch (cause) {
      throw new CompressionFailedError(`[${PKG}] lz4 compression failed: ${(cause as Error).message}`, {
        cause,
      })
    }
    if (n < -1) {
      throw new CompressionFailedError(
        `[${PKG}] lz4 compression of ${src.length} bytes failed: more than LZ4's input limit`,
      )
    }
    return n
  }

  decompress(src: Uint8Array, dst: Uint8Array): number {
    let n: number
    try {
      n = this.#decompress(src, dst)
    } catch (cause) {
      throw new CorruptDataError(`[${PKG}] compressed data is unreadable: ${(cause as Error).message}`, {
        cause,
      })
    }
    if (n >= 0) return n
    throw new CorruptDataError(`[${PKG}] ${describe(n, src, dst)}`)
  }
}

function describe(status: number, src: Uint8Array, dst: Uint8Array): string {
  switch (status) {
    case DecodeStatus.TRUNCATED:
      return `compressed input of ${src.length} bytes is truncated`
    case DecodeStatus.CHECKSUM:
      return 'checksum mismatch: compressed data is corrupt'
    case DecodeStatus.TOO_LARGE: {
      const size = (src[0] | (src[1] << 8) | (src[2] << 16) | (src[3] << 24)) >>> 0
      return `compressed block declares ${size} bytes, more than the ${dst.length}-byte destination`
    }
    case DecodeStatus.NO_MEMORY:
      return 'out of memory decoding a block larger than the scratch buffer'
    default:
      return 'compressed data is corrupt: the block does not decode to its declared size'
  }
}
