import {
  CompressionFailedError,
  type Compressor,
  type CompressorCapabilities,
  CorruptDataError,
  invalidOption,
  SPECIFICATION_VERSION,
} from '@zswap/core'
import { deflateSync, type DeflateOptions as FflateDeflateOptions, inflateSync } from 'fflate'
import type { DeflateOptions } from './deflate-options.js'

const PKG = '@zswap/deflate'

/**
 * A raw-deflate (RFC 1951, no zlib or gzip wrapper) Compressor on fflate.
 *
 * Why raw deflate: it is what Intel IAA's compression engine emits and
 * accepts, so the IAA emulation in `@zswap/iaa` and this driver declare the
 * same `format` ('deflate-raw') and read each other's output; a page
 * compressed on the device can be decompressed in software and back.
 *
 * Raw deflate carries no length and no checksum, so corruption is detected
 * structurally: fflate rejects invalid block types, codes and distances and
 * input that ends before the final block; this driver also rejects empty
 * input, a stored first block whose LEN/NLEN disagree (fflate skips that
 * check), and output longer than `dst` (it inflates into a scratch buffer one
 * byte longer than `dst`, because fflate silently drops bytes past the end of
 * a caller's buffer). A bit flip inside literal data still decodes to a wrong
 * page of the right length: callers who need that detected must keep their
 * own checksum (IAA's completion record has a CRC for this).
 */
export class DeflateCompressor implements Compressor {
  readonly specificationVersion = SPECIFICATION_VERSION
  readonly name: string
  readonly capabilities: CompressorCapabilities = { format: 'deflate-raw' }
  readonly level: number
  readonly #options: FflateDeflateOptions
  // one object reused for every inflateSync call, pointing at the scratch buffer
  readonly #inflateOptions = { out: new Uint8Array(4097) }

  constructor(options: DeflateOptions = {}) {
    if (typeof options !== 'object' || options === null) throw invalidOption(PKG, '', 'an object', 'type')
    const { level = 6, mem } = options
    if (typeof level !== 'number' || !Number.isInteger(level) || level < 0 || level > 9) {
      throw invalidOption(PKG, 'level', 'an integer in [0, 9]', typeof level === 'number' ? 'range' : 'type')
    }
    if (mem !== undefined && (typeof mem !== 'number' || !Number.isInteger(mem) || mem < 0 || mem > 12)) {
      throw invalidOption(PKG, 'mem', 'an integer in [0, 12]', typeof mem === 'number' ? 'range' : 'type')
    }
    this.level = level
    this.name = `deflate-${level}`
    this.#options = { level: level as FflateDeflateOptions['level'] }
    if (mem !== undefined) this.#options.mem = mem as FflateDeflateOptions['mem']
  }

  compress(src: Uint8Array, dst: Uint8Array): number {
    let out: Uint8Array
    try {
      // fflate has no "write into this buffer" for compression: one copy
      out = deflateSync(src, this.#options)
    } catch (error) {
      throw new CompressionFailedError(`[${PKG}] compress failed: ${(error as Error)?.message}`, {
        cause: error,
      })
    }
    if (out.length > dst.length) return -1
    dst.set(out)
    return out.length
  }

  decompress(src: Uint8Array, dst: Uint8Array): number {
    if (src.length === 0) throw new CorruptDataError(`[${PKG}] empty input is not a deflate stream`)
    // first block stored (BTYPE 00): LEN must be the one's complement of NLEN
    if (
      (src[0] & 6) === 0 &&
      src.length >= 5 &&
      (src[1] | (src[2] << 8)) !== (~(src[3] | (src[4] << 8)) & 0xffff)
    ) {
      throw new CorruptDataError(`[${PKG}] stored block length check failed`)
    }
    const opts = this.#inflateOptions
    if (opts.out.length !== dst.length + 1) opts.out = new Uint8Array(dst.length + 1)
    let out: Uint8Array
    try {
      out = inflateSync(src, opts)
    } catch (error) {
      throw new CorruptDataError(
        `[${PKG}] corrupt or truncated deflate stream: ${(error as Error)?.message}`,
        {
          cause: error,
        },
      )
    }
    if (out.length > dst.length) {
      throw new CorruptDataError(`[${PKG}] decompressed data does not fit in ${dst.length} bytes`)
    }
    dst.set(out)
    return out.length
  }
}
