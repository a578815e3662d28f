import { createRequire } from 'node:module'
import { deflateSync, inflateSync } from 'fflate'
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

/** Wire format of each algorithm, as in CompressorCapabilities.format. */
export const FORMATS: Record<IaaAlgorithm, string> = {
  deflate: 'deflate-raw',
  lz4: 'lz4-napi',
  zstd: 'zstd',
  noop: 'raw',
}

const require = createRequire(import.meta.url)

export function createCodec(algorithm: IaaAlgorithm, level: number): Codec {
  const codec = pick(algorithm, level)
  return {
    compress: codec.compress,
    // An empty block is never valid output of compress (some decoders return 0 bytes for it).
    decompress: (src, dst) => (src.length === 0 ? RESULT.CORRUPT : codec.decompress(src, dst)),
  }
}

function pick(algorithm: IaaAlgorithm, level: number): Codec {
  switch (algorithm) {
    case 'deflate':
      return deflateCodec(level)
    case 'lz4':
      return lz4Codec()
    case 'zstd':
      return zstdCodec(level)
    case 'noop':
      return noopCodec
  }
}

const noopCodec: Codec = {
  compress(src, dst) {
    if (src.length > dst.length) return RESULT.DOES_NOT_FIT
    dst.set(src)
    return src.length
  },
  decompress(src, dst) {
    if (src.length > dst.length) return RESULT.CORRUPT
    dst.set(src)
    return src.length
  },
}

function deflateCodec(level: number): Codec {
  // fflate truncates silently when `out` is too small, so inflate into one
  // byte more than dst holds: filling it means the page does not fit.
  let scratch = new Uint8Array(4097)
  const lvl = level as 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9
  return {
    compress(src, dst) {
      let out: Uint8Array
      try {
        out = deflateSync(src, { level: lvl, mem: 0 })
      } catch {
        return RESULT.FAILED
      }
      if (out.length > dst.length) return RESULT.DOES_NOT_FIT
      dst.set(out)
      return out.length
    },
    decompress(src, dst) {
      if (scratch.length < dst.length + 1) scratch = new Uint8Array(dst.length + 1)
      let out: Uint8Array
      try {
        out = inflateSync(src, { out: scratch.subarray(0, dst.length + 1) })
      } catch {
        return RESULT.CORRUPT
      }
      if (out.length > dst.length) return RESULT.CORRUPT
      dst.set(out)
      return out.length
    },
  }
}

function lz4Codec(): Codec {
  const lz4 = require('lz4-napi') as typeof import('lz4-napi')
  return {
    compress(src, dst) {
      let out: Uint8Array
      try {
        out = lz4.compressSync(Buffer.from(src.buffer, src.byteOffset, src.length))
      } catch {
        return RESULT.FAILED
      }
      if (out.length > dst.length) return RESULT.DOES_NOT_FIT
      dst.set(out)
      return out.length
    },
    decompress(src, dst) {
      // lz4_flex prepends the decompressed size: refuse before allocating.
      if (src.length < 4) return RESULT.CORRUPT
      const size = (src[0] | (src[1] << 8) | (src[2] << 16) | (src[3] << 24)) >>> 0
      if (size > dst.length) return RESULT.CORRUPT
      let out: Uint8Array
      try {
        out = lz4.uncompressSync(src)
      } catch {
        return RESULT.CORRUPT
      }
      if (out.length > dst.length) return RESULT.CORRUPT
      dst.set(out)
      return out.length
    },
  }
}

interface ZstdBinding {
  CCtx: new () => { compress(dst: Uint8Array, src: Uint8Array, level: number): number }
  DCtx: new () => { decompress(dst: Uint8Array, src: Uint8Array): number }
}

function zstdCodec(level: number): Codec {
  const binding = require('zstd-napi/binding') as ZstdBinding
  const cctx = new binding.CCtx()
  const dctx = new binding.DCtx()
  return {
    compress(src, dst) {
      try {
        return cctx.compress(dst, src, level)
      } catch (error) {
        return /too small/i.test(String((error as Error)?.message)) ? RESULT.DOES_NOT_FIT : RESULT.FAILED
      }
    },
    decompress(src, dst) {
      try {
        return dctx.decompress(dst, src)
      } catch {
        return RESULT.CORRUPT
      }
    },
  }
}
