import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib'
import {
  CompressionFailedError,
  type Compressor,
  type CompressorCapabilities,
  CorruptDataError,
  invalidOption,
  SPECIFICATION_VERSION,
} from '@zswap/core'

const PKG = 'zswap-driver-brotli'

/** Options of {@link brotli}. */
export interface BrotliOptions {
  /** Brotli quality 0..11: higher is smaller and slower. Default: 1. */
  quality?: number
}

/**
 * A Compressor on node:zlib's brotli. node:zlib cannot write into a given
 * buffer, so each call allocates its output and copies it once into `dst`:
 * fine for an example, a cost a production driver would avoid.
 */
export class BrotliCompressor implements Compressor {
  readonly specificationVersion = SPECIFICATION_VERSION
  readonly name: string
  readonly capabilities: CompressorCapabilities = { format: 'brotli' }
  readonly #compressOptions: { params: Record<number, number> }
  // reused for every call; only maxOutputLength changes
  readonly #decompressOptions = { maxOutputLength: 4096 }

  constructor(options: BrotliOptions = {}) {
    const { quality = 1 } = options
    // option mistakes are TypeError/RangeError with code ERR_INVALID_OPTION, thrown once, here
    if (typeof quality !== 'number') throw invalidOption(PKG, 'quality', 'a number', 'type')
    if (!Number.isInteger(quality) || quality < 0 || quality > 11) {
      throw invalidOption(PKG, 'quality', 'an integer in [0, 11]')
    }
    this.name = `brotli-${quality}`
    this.#compressOptions = {
      params: { [constants.BROTLI_PARAM_QUALITY]: quality, [constants.BROTLI_PARAM_SIZE_HINT]: 4096 },
    }
  }

  compress(src: Uint8Array, dst: Uint8Array): number {
    let out: Buffer
    try {
      out = brotliCompressSync(src, this.#compressOptions)
    } catch (cause) {
      throw new CompressionFailedError(`[${PKG}] compress failed`, { cause })
    }
    // "does not fit" is a result, not an error: the cache stores the page uncompressed or rejects it
    if (out.length > dst.length) return -1
    dst.set(out)
    return out.length
  }

  decompress(src: Uint8Array, dst: Uint8Array): number {
    // an empty block is not "no data": brotli's empty stream is one byte
    if (src.length === 0) throw new CorruptDataError(`[${PKG}] empty input is not a brotli stream`)
    // one byte more than dst, so output that does not fit is caught instead of cut short
    this.#decompressOptions.maxOutputLength = dst.length + 1
    let out: Buffer
    try {
      out = brotliDecompressSync(src, this.#decompressOptions)
    } catch (cause) {
      throw new CorruptDataError(`[${PKG}] corrupt, truncated or too long brotli stream`, { cause })
    }
    if (out.length > dst.length)
      throw new CorruptDataError(`[${PKG}] output does not fit in ${dst.length} bytes`)
    dst.set(out)
    return out.length
  }
}
