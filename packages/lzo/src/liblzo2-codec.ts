import { CompressionFailedError, CorruptDataError } from '@zswap/core'
import { DecodeStatus, EncodeStatus, type LzoAddon } from './addon.js'
import { type LzoAlgorithm, type LzoBackend, type LzoCodec, PKG } from './codec.js'

/**
 * The wire format through this package's addon: liblzo2's LZO1X-1 for `lzo`,
 * the addon's own kernel-format coder for `lzo-rle`. One native call per page,
 * straight into the caller's buffers, with the CRC-32 computed in the same
 * call. The addon's negative results become typed errors here.
 */
export class Liblzo2Codec implements LzoCodec {
  readonly backend: LzoBackend
  readonly #algorithm: LzoAlgorithm
  readonly #compress: (src: Uint8Array, dst: Uint8Array) => number
  readonly #decompress: (src: Uint8Array, dst: Uint8Array) => number

  constructor(addon: LzoAddon, checksum: boolean, algorithm: LzoAlgorithm = 'lzo') {
    this.#algorithm = algorithm
    if (algorithm === 'lzo') {
      this.backend = 'liblzo2'
      this.#compress = checksum ? addon.compressChecksum : addon.compress
      this.#decompress = checksum ? addon.decompressChecksum : addon.decompress
    } else {
      this.backend = 'builtin'
      this.#compress = checksum ? addon.compressRleChecksum : addon.compressRle
      this.#decompress = checksum ? addon.decompressRleChecksum : addon.decompressRle
    }
  }

  compress(src: Uint8Array, dst: Uint8Array): number {
    let n: number
    try {
      n = this.#compress(src, dst)
    } catch (cause) {
      throw new CompressionFailedError(
        `[${PKG}] ${this.#algorithm} compression failed: ${(cause as Error).message}`,
        {
          cause,
        },
      )
    }
    if (n < EncodeStatus.NO_ROOM) {
      throw new CompressionFailedError(
        `[${PKG}] ${this.#algorithm} compression of ${src.length} bytes failed: ${
          n === EncodeStatus.NO_MEMORY
            ? 'out of memory for the output buffer'
            : `${this.backend} returned an error`
        }`,
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
    case DecodeStatus.TOO_LARGE:
      return `compressed stream decodes to more than the ${dst.length}-byte destination`
    case DecodeStatus.NO_MEMORY:
      return 'out of memory decoding into a destination larger than the scratch buffer'
    case DecodeStatus.TRAILING:
      return 'compressed data is corrupt: bytes follow the end-of-stream marker'
    default:
      return 'compressed data is corrupt: not a valid LZO1X stream of this algorithm'
  }
}
