import * as zlib from 'node:zlib'
import { PAGE_SIZE } from '@zswap/core'
import { deflate } from '@zswap/deflate'
import { COMPRESSION_MODES, type CompressionMode, ModeEncoder } from '@zswap/iaa'
import type { Corpus } from '../corpus.js'
import { interleavedRounds } from '../measure/rounds.js'
import { median } from './util.js'

/**
 * `modeRatios` of `bench iaa`: the compression ratio of each IAA compression mode of
 * @zswap/iaa (fixed, canned, dynamic; 4 KiB history) on every page of the corpora, next to
 * software deflate level 1 (`@zswap/deflate`, 32 KiB window, its own block choice), and the
 * cost of the mode encoders (TypeScript) beside zlib doing the fixed-mode work in C.
 *
 * Ratio = input bytes ÷ the sum over pages of min(stream bytes, 4096): each page compressed on
 * its own, without the CRC-32 trailer, a page that does not shrink counted as stored (4096).
 */
export interface ModeRatios {
  /** Ratio of each mode and of deflate level 1 over all pages. */
  fixed: number
  canned: number
  dynamic: number
  deflate1: number
  /** The library behind deflate level 1 (`'libdeflate'` or `'zlib'`). */
  deflate1Engine: string
  /** The same per corpus. */
  corpora: { name: string; pages: number; fixed: number; canned: number; dynamic: number; deflate1: number }[]
  fixedOverDynamic: number
  /** Shape checks of issue 18: fixed ÷ dynamic in [0.80, 0.93]; canned between; every mode ≤ deflate-1. */
  checks: { fixedOverDynamic: boolean; cannedBetween: boolean; modesBelowDeflate1: boolean }
  /**
   * Encoder cost, µs per 4 KiB page (medians of interleaved rounds): the three mode encoders,
   * zlib level 1 with `windowBits: 12, strategy: Z_FIXED` (the fixed mode's work in C), and
   * deflate level 1. `fixedVsZlibFixed`: the TypeScript fixed encoder's time ÷ zlib's.
   */
  encoderUs: Record<CompressionMode | 'zlibFixedWb12' | 'deflate1', number> & { fixedVsZlibFixed: number }
}

const SHAPE = { fixedOverDynamic: [0.8, 0.93] as const }

/** Bytes a page costs: its stream, or the page itself when the stream does not shrink it. */
function cost(n: number): number {
  return n < 0 || n >= PAGE_SIZE ? PAGE_SIZE : n
}

/** zlib deflateRaw on one reused z_stream (the harness's copy of @zswap/deflate's trick), or a one-shot call. */
function zlibFixed(): (src: Uint8Array, dst: Uint8Array) => number {
  const options = { level: 1, windowBits: 12, strategy: zlib.constants.Z_FIXED }
  const stream = zlib.createDeflateRaw(options) as unknown as {
    _handle?: { writeSync: (...a: unknown[]) => void; reset: () => void }
    _writeState?: Uint32Array
  }
  const h = stream._handle
  const state = stream._writeState
  if (h === undefined || state === undefined) {
    return (src, dst) => {
      const out = zlib.deflateRawSync(src, options)
      if (out.length > dst.length) return -1
      dst.set(out)
      return out.length
    }
  }
  return (src, dst) => {
    h.writeSync(zlib.constants.Z_FINISH, src, 0, src.length, dst, 0, dst.length)
    const n = dst.length - state[0]
    h.reset()
    return n
  }
}

export async function measureModeRatios(
  corpora: readonly Corpus[],
  options: { runs: number; costPages: number },
): Promise<ModeRatios> {
  const encoders = COMPRESSION_MODES.map((m) => new ModeEncoder(m))
  const d1 = deflate({ level: 1, checksum: false })
  const dst = new Uint8Array(3 * PAGE_SIZE)
  const total = { fixed: 0, canned: 0, dynamic: 0, deflate1: 0, input: 0 }
  const rows: ModeRatios['corpora'] = []
  for (const c of corpora) {
    const sum = { fixed: 0, canned: 0, dynamic: 0, deflate1: 0 }
    for (let p = 0; p < c.pages; p++) {
      const page = c.data.subarray(p * PAGE_SIZE, (p + 1) * PAGE_SIZE)
      for (const e of encoders) sum[e.mode] += cost(e.compress(page, dst))
      sum.deflate1 += cost(d1.compress(page, dst))
    }
    const input = c.pages * PAGE_SIZE
    rows.push({
      name: c.name,
      pages: c.pages,
      fixed: input / sum.fixed,
      canned: input / sum.canned,
      dynamic: input / sum.dynamic,
      deflate1: input / sum.deflate1,
    })
    total.fixed += sum.fixed
    total.canned += sum.canned
    total.dynamic += sum.dynamic
    total.deflate1 += sum.deflate1
    total.input += input
  }
  const fixedRatio = total.input / total.fixed
  const canned = total.input / total.canned
  const dynamic = total.input / total.dynamic
  const deflate1 = total.input / total.deflate1
  const fixedOverDynamic = fixedRatio / dynamic

  // Encoder cost: the same pages through each encoder, one subject after the other, alternating.
  const pages: Uint8Array[] = []
  for (const c of corpora) {
    const step = Math.max(1, Math.floor(c.pages / Math.ceil(options.costPages / corpora.length)))
    for (let p = 0; p < c.pages && pages.length < options.costPages; p += step) {
      pages.push(c.data.subarray(p * PAGE_SIZE, (p + 1) * PAGE_SIZE))
    }
  }
  const zf = zlibFixed()
  const subjects: ((src: Uint8Array) => number)[] = [
    ...encoders.map((e) => (src: Uint8Array) => e.compress(src, dst)),
    (src) => zf(src, dst),
    (src) => d1.compress(src, dst),
  ]
  const times = await interleavedRounds(
    subjects,
    { runs: options.runs, warmup: 1, alternate: true },
    async (f) => {
      const t0 = performance.now()
      for (const p of pages) f(p)
      return ((performance.now() - t0) * 1000) / pages.length
    },
  )
  const [fixedUs, cannedUs, dynamicUs, zlibUs, d1Us] = times.map(median)
  const ratioRuns = times[0].map((t, r) => t / times[3][r])
  d1.close()
  return {
    fixed: fixedRatio,
    canned,
    dynamic,
    deflate1,
    deflate1Engine: d1.engine,
    corpora: rows,
    fixedOverDynamic,
    checks: {
      fixedOverDynamic:
        fixedOverDynamic >= SHAPE.fixedOverDynamic[0] && fixedOverDynamic <= SHAPE.fixedOverDynamic[1],
      cannedBetween: canned >= fixedRatio && canned <= dynamic,
      modesBelowDeflate1: fixedRatio <= deflate1 && canned <= deflate1 && dynamic <= deflate1,
    },
    encoderUs: {
      fixed: fixedUs,
      canned: cannedUs,
      dynamic: dynamicUs,
      zlibFixedWb12: zlibUs,
      deflate1: d1Us,
      fixedVsZlibFixed: median(ratioRuns),
    },
  }
}
