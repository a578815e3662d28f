import { CompressionFailedError, CorruptDataError } from '@zswap/core'
import { CompressStatus, DecodeStatus, type LibdeflateAddon } from './addon.js'
import { type DeflateCodec, PKG } from './deflate-codec.js'

/**
 * libdeflate's compression level for each driver level 0..9: the same number.
 * libdeflate's scale is zlib-like (1 fastest, 6 default, 9 slow; 10..12, its
 * near-optimal parser, are not reachable from the driver's 0..9). Measured on
 * 4 KiB pages of the three shared corpora and the bundled sample, stream
 * bytes only: libdeflate-1 compresses to −0.6 % .. +2.0 % of fflate-1's ratio
 * (the CRC-32 trailer takes 0.3 % back), libdeflate-6 to +1.0 % .. +1.7 % of
 * fflate-6's; libdeflate-0 writes stored blocks, as zlib-0 and fflate-0 do.
 */
export const LIBDEFLATE_LEVELS: readonly number[] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]

/**
 * The block format through libdeflate in this package's addon: one native
 * call per block, straight into the caller's buffers, with the CRC-32
 * (libdeflate_crc32) computed in the same call. The addon keeps one
 * compressor per level and one decompressor per thread, reused by every
 * call; its negative results become typed errors here.
 */
export class LibdeflateCodec implements DeflateCodec {
  readonly engine = 'libdeflate'
  readonly #level: number
  readonly #compress: (src: Uint8Array, dst: Uint8Array, level: number) => number
  readonly #decompress: (src: Uint8Array, dst: Uint8Array) => number

  /**
   * @param level driver level 0..9
   */
  constructor(addon: LibdeflateAddon, level: number, checksum: boolean) {
    this.#level = LIBDEFLATE_LEVELS[level]
    this.#compress = checksum ? addon.compressChecksum : addon.compress
    this.#decompress = checksum ? addon.decompressChecksum : addon.decompress
  }

  compress(src: Uint8Array, dst: Uint8Array): number {
    let n: number
    try {
      n = this.#compress(src, dst, this.#level)
    } catch (cause) {
      throw new CompressionFailedError(
        `[${PKG}] libdeflate compression failed: ${(cause as Error).message}`,
        {
          cause,
        },
      )
    }
    if (n < CompressStatus.DOES_NOT_FIT) {
      throw new CompressionFailedError(
        `[${PKG}] libdeflate compression of ${src.length} bytes failed: out of memory`,
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

  /** The compressors and the decompressor belong to the thread, freed with it. */
  close(): void {}
}

function describe(status: number, src: Uint8Array, dst: Uint8Array): string {
  switch (status) {
    case DecodeStatus.TOO_LONG:
      return `deflate stream inflates to more than ${dst.length} bytes`
    case DecodeStatus.CHECKSUM:
      return 'CRC-32 mismatch: the block is corrupt'
    case DecodeStatus.TRAILING:
      return 'bytes follow the end of the deflate stream'
    case DecodeStatus.EMPTY:
      return `a block of ${src.length} bytes holds no deflate stream`
    case DecodeStatus.NO_MEMORY:
      return 'out of memory allocating the libdeflate decompressor'
    default:
      return 'corrupt or truncated deflate stream (libdeflate: bad data)'
  }
}
