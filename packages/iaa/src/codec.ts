import type { Compressor } from '@zswap/core'
import { deflate } from '@zswap/deflate'
import { lz4 } from '@zswap/lz4'
import { zstd } from '@zswap/zstd'
import { RESULT } from './layout.js'

/** Algorithms an emulated device can run. */
export type IaaAlgorithm = 'deflate' | 'lz4' | 'zstd' | 'noop'

/**
 * The software codec an engine runs, and the submitter's software fallback.
 * Results are codes, not exceptions, so an engine never throws across a job:
 * compress → bytes, RESULT.DOES_NOT_FIT or RESULT.FAILED;
 * decompress → bytes, or RESULT.CORRUPT (also when the output exceeds dst).
 */
export interface Codec {
  compress(src: Uint8Array, dst: Uint8Array): number
  decompress(src: Uint8Array, dst: Uint8Array): number
}

/**
 * Wire format of each algorithm, as in CompressorCapabilities.format: the
 * default formats of `@zswap/deflate`, `@zswap/lz4` and `@zswap/zstd`, whose
 * drivers the engines run, so a block made on the device loads in software
 * and back. Each carries a checksum: deflate the CRC-32 of the page (what IAA
 * hardware reports in its completion record), lz4 a CRC-32 of the block,
 * zstd its content checksum; a corrupted block is never a wrong page.
 */
export const FORMATS: Record<IaaAlgorithm, string> = {
  deflate: 'deflate-raw+crc32',
  lz4: 'lz4-block+size+crc32',
  zstd: 'zstd',
  noop: 'raw',
}

/**
 * The codec of `algorithm`: the driver package of that format with its
 * defaults (deflate on Node's zlib), its exceptions turned into result codes.
 * @param checksum false gives the drivers' formats without a checksum (deflate: bare `'deflate-raw'`)
 */
export function createCodec(algorithm: IaaAlgorithm, level: number, checksum = true): Codec {
  return algorithm === 'noop' ? noopCodec : driverCodec(driver(algorithm, level, checksum))
}

function driver(algorithm: Exclude<IaaAlgorithm, 'noop'>, level: number, checksum: boolean): Compressor {
  switch (algorithm) {
    case 'deflate':
      return deflate({ level, checksum })
    case 'lz4':
      return lz4({ checksum })
    case 'zstd':
      return zstd({ level, checksum })
  }
}

function driverCodec(c: Compressor): Codec {
  return {
    compress(src, dst) {
      try {
        const n = c.compress(src, dst)
        return n < 0 ? RESULT.DOES_NOT_FIT : n
      } catch {
        return RESULT.FAILED
      }
    },
    decompress(src, dst) {
      try {
        return c.decompress(src, dst)
      } catch {
        // every driver throws CorruptDataError for bad input, also an empty block
        return RESULT.CORRUPT
      }
    },
  }
}

const noopCodec: Codec = {
  compress(src, dst) {
    if (src.length > dst.length) return RESULT.DOES_NOT_FIT
    dst.set(src)
    return src.length
  },
  decompress(src, dst) {
    if (src.length === 0 || src.length > dst.length) return RESULT.CORRUPT
    dst.set(src)
    return src.length
  },
}
