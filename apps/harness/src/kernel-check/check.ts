import type { ChildProcess } from 'node:child_process'
import { PAGE_SIZE } from '@zswap/core'
import type { Corpus } from '../corpus.js'
import { type CompareRow, compareFigures } from './compare.js'
import { type CheckFigures, compressedSizes, driverCompressor } from './emulate.js'
import { emulateWithCache } from './emulate-cache.js'
import { type HelperResult, helperBuilt, runHelper } from './helper.js'
import type { KernelFs } from './kernel-fs.js'
import { HELPER_SIZE_COMPRESSORS, HELPER_SIZE_SOURCES, helperSizes } from './kernel-sizes.js'
import { KernelSession, type SetupStep } from './session.js'
import type { SystemOps } from './system-ops.js'

/** Options of {@link kernelCheck}. */
export interface KernelCheckOptions {
  readonly corpora: readonly Corpus[]
  /** Kernel compressor name (/proc/crypto), e.g. `'lzo'`. */
  readonly compressor: string
  /**
   * Where the emulation's object sizes come from: `'helper'` (the native
   * helper's library: system zlib for deflate, liblzo2 lzo1x_1_15 for lzo),
   * `'driver'` (the project's driver package), `'auto'` (default: the driver
   * for lzo, lz4, zstd; the helper for deflate, whose driver is libdeflate).
   */
  readonly sizes?: 'auto' | 'helper' | 'driver'
  /** Largest relative pool difference that passes, a fraction (0.02 = 2 %). */
  readonly tolerance: number
  /** mTHP sizes in KiB to swap out as large folios; empty: order 0. */
  readonly mthpKiB: readonly number[]
  /** Directory for the temporary swap file. */
  readonly swapDir: string
  /** What to swap to when no swap is on (see SetupPlan.swapDevice). Default 'file'. */
  readonly swapDevice?: 'file' | 'zram'
  readonly fs: KernelFs
  readonly ops: SystemOps
  /** The native helper binary. */
  readonly helper: string
  /** Where progress lines go. */
  readonly log: (line: string) => void
  /** Fault injection: called after each setup step (tests throw from it). */
  readonly inject?: (step: SetupStep) => void
  /** The memory side (default: the helper); tests replace it. */
  readonly pageout?: (
    data: Uint8Array,
    thp: boolean,
    between: () => void | Promise<void>,
    onChild: (c: ChildProcess | undefined) => void,
  ) => Promise<HelperResult>
  /** Registers a handler for SIGINT/SIGTERM; returns its removal (default: process signals). */
  readonly onSignal?: (handler: (signal: NodeJS.Signals) => void) => () => void
  /** Ends the process after a signal (default process.exit). */
  readonly exit?: (code: number) => void
}

/** One corpus's outcome. */
export interface CorpusCheck {
  readonly corpus: string
  readonly kernel: CheckFigures
  readonly emulated: CheckFigures
  readonly rows: CompareRow[]
  readonly helper: HelperResult
  /** Swap events of other processes during the last attempt (0 when the counters are ours alone). */
  readonly noise: number
  /** Large folios the kernel split before swap-out (hugepages-<N>kB/stats/swpout_fallback). */
  readonly splitFolios: number
}

/** What kernel-check found: it could not run (`missing`), or one check per corpus. */
export type KernelCheckResult =
  | { readonly status: 'cannot-run'; readonly missing: string[] }
  | {
      readonly status: 'done'
      /** Where the emulation's object sizes came from. */
      readonly sizeSource: string
      readonly checks: CorpusCheck[]
      readonly changes: string[]
      readonly recovered: number
      readonly ok: boolean
    }

/** Page-outs of one corpus at most, when other processes' swapping blurs the counters. */
export const MAX_ATTEMPTS = 3

/** The lock kernel-check runs under (one check at a time on a machine). */
export const LOCK_FILE = 'run/zswap-kernel-check.lock'

/**
 * What is missing for the check to run: root, zswap, the compressor, the
 * helper, mTHP sizes. Reads only.
 */
export function preflight(o: KernelCheckOptions): string[] {
  const missing: string[] = []
  const uid = o.ops.uid()
  if (uid !== 0) missing.push(`root (running as uid ${uid}; the check changes zswap parameters and swap)`)
  if (!o.fs.exists(o.fs.zswapParams)) {
    missing.push(`zswap in the kernel (no ${o.fs.zswapParams}: a kernel built with CONFIG_ZSWAP)`)
  } else if (!o.fs.exists(o.fs.path('proc/crypto'))) {
    missing.push('/proc/crypto')
  } else {
    const names = o.fs.cryptoNames()
    if (!names.has(o.compressor)) {
      const offered = [...names].filter((n) => /lz|zstd|deflate|842/.test(n)).join(', ') || 'none'
      missing.push(
        `the compressor ${o.compressor} in /proc/crypto (modprobe it; compressors offered: ${offered})`,
      )
    }
  }
  if (!helperBuilt(o.helper)) {
    missing.push(
      `the helper binary ${o.helper} (the harness build makes it with cc: install a C compiler and run pnpm --filter zswap-harness build)`,
    )
  }
  const sizes = o.fs.mthpSizes()
  for (const kb of o.mthpKiB) {
    if (!sizes.includes(kb)) missing.push(`mTHP size ${kb} KiB (no ${o.fs.thp}/hugepages-${kb}kB)`)
  }
  return missing
}

type Sizes = { sizes: Int32Array; source: string } | { missing: string }

/** Object sizes the emulation uses for a compressor, and where they come from; or what is missing. */
async function emulationSizes(o: KernelCheckOptions, data: Uint8Array): Promise<Sizes> {
  const native = (HELPER_SIZE_COMPRESSORS as readonly string[]).includes(o.compressor)
    ? (o.compressor as (typeof HELPER_SIZE_COMPRESSORS)[number])
    : undefined
  const mode = o.sizes ?? 'auto'
  const useHelper = mode === 'helper' || (mode === 'auto' && o.compressor === 'deflate')
  if (useHelper) {
    if (native === undefined)
      return { missing: `helper sizes for ${o.compressor} (it knows ${HELPER_SIZE_COMPRESSORS.join(', ')})` }
    try {
      return { sizes: await helperSizes(o.helper, native, data), source: HELPER_SIZE_SOURCES[native] }
    } catch (error) {
      return { missing: `${o.compressor} sizes from the helper: ${(error as Error).message}` }
    }
  }
  let compressor: Awaited<ReturnType<typeof driverCompressor>>
  try {
    compressor = await driverCompressor(o.compressor)
  } catch (error) {
    if (mode === 'auto' && native !== undefined) return emulationSizes({ ...o, sizes: 'helper' }, data)
    return { missing: `an emulation of ${o.compressor}: ${(error as Error).message}` }
  }
  if (compressor === undefined) {
    if (mode === 'auto' && native !== undefined) return emulationSizes({ ...o, sizes: 'helper' }, data)
    return { missing: `an emulation of ${o.compressor} (the harness has no driver for it)` }
  }
  try {
    return { sizes: compressedSizes(data, compressor), source: `${compressor.name} (project driver)` }
  } finally {
    ;(compressor as { close?: () => void }).close?.()
  }
}

interface Snapshot {
  debug: Map<string, number>
  vmstat: Map<string, number>
  mthp: Map<number, number>
  fallback: number
}

function snapshot(fs: KernelFs): Snapshot {
  let fallback = 0
  for (const n of fs.mthpStat('swpout_fallback').values()) fallback += n
  return { debug: fs.zswapDebug(), vmstat: fs.vmstat(), mthp: fs.mthpStat('zswpout'), fallback }
}

/**
 * The kernel's figures for one page-out, from counter deltas, and the swap
 * events that were not ours: each of our pages is counted once in zswpout,
 * swpout_zero or pswpout, and none is swapped in before `b` is read.
 */
function kernelFigures(pages: number, a: Snapshot, b: Snapshot): { figures: CheckFigures; noise: number } {
  const d = (m: 'debug' | 'vmstat', k: string) => (b[m].get(k) ?? 0) - (a[m].get(k) ?? 0)
  let rejects = 0
  for (const k of b.debug.keys()) if (k.startsWith('reject_')) rejects += d('debug', k)
  const byKiB = new Map<number, number>()
  for (const [kb, n] of b.mthp) {
    const delta = n - (a.mthp.get(kb) ?? 0)
    if (delta > 0) byKiB.set(kb, delta)
  }
  return {
    figures: {
      pages,
      stored: d('debug', 'stored_pages'),
      zero: d('vmstat', 'swpout_zero'),
      incompressible: d('debug', 'stored_incompressible_pages'),
      poolBytes: d('debug', 'pool_total_size'),
      rejects,
      zswpoutByKiB: byKiB,
    },
    noise:
      Math.abs(d('vmstat', 'zswpout') + d('vmstat', 'swpout_zero') + d('vmstat', 'pswpout') - pages) +
      d('vmstat', 'zswpin') +
      d('vmstat', 'swpin_zero') +
      d('vmstat', 'pswpin'),
  }
}

function defaultOnSignal(handler: (signal: NodeJS.Signals) => void): () => void {
  process.on('SIGINT', handler)
  process.on('SIGTERM', handler)
  return () => {
    process.off('SIGINT', handler)
    process.off('SIGTERM', handler)
  }
}

/**
 * Runs each corpus through the running kernel's zswap and through the
 * emulation, side by side. Checks first and changes nothing when something is
 * missing; otherwise takes the machine-wide lock, undoes what a killed run
 * left (journal), sets up, and restores every setting it touched — after the
 * check, on a throw, and on SIGINT/SIGTERM (then exits 128 + signal).
 */
export async function kernelCheck(o: KernelCheckOptions): Promise<KernelCheckResult> {
  const missing = preflight(o)
  if (missing.length > 0) return { status: 'cannot-run', missing }
  const folioPages = o.mthpKiB.length === 0 ? 1 : Math.max(...o.mthpKiB) / 4
  const emulated: CheckFigures[] = []
  let sizeSource = ''
  for (const corpus of o.corpora) {
    const sizes = await emulationSizes(o, corpus.data)
    if ('missing' in sizes) return { status: 'cannot-run', missing: [sizes.missing] }
    sizeSource = sizes.source
    emulated.push(await emulateWithCache(corpus.data, sizes.sizes, { folioPages }))
  }

  const release = await o.ops.lock(o.fs.path(LOCK_FILE))
  const session = new KernelSession(o.fs, o.ops, o.inject === undefined ? {} : { inject: o.inject })
  let child: ChildProcess | undefined
  const removeSignal = (o.onSignal ?? defaultOnSignal)((signal) => {
    o.log(`${signal}: restoring the kernel's settings`)
    child?.kill('SIGKILL')
    let code = signal === 'SIGINT' ? 130 : 143
    try {
      session.restore()
    } catch (error) {
      o.log((error as Error).message)
      code = 2
    }
    release()
    ;(o.exit ?? process.exit)(code)
  })
  try {
    const recovered = session.recover()
    if (recovered.length > 0) o.log(`undid ${recovered.length} settings left by an interrupted run`)
    const largest = Math.max(...o.corpora.map((c) => c.data.length))
    session.setup({
      compressor: o.compressor,
      // the pool must hold the largest corpus uncompressed, twice, without hitting the limit
      minPoolPercent: Math.min(100, Math.ceil(((2 * largest) / Math.max(1, o.fs.memTotal())) * 100) + 1),
      // zram costs nothing until used: room for whole free clusters of every folio order (the kernel
      // splits a large folio when no cluster of its order is free; 8 MiB for 1,536 pages split a third)
      swapBytes:
        (o.swapDevice ?? 'file') === 'zram' ? 2 * largest + (64 << 20) : largest + (largest >> 3) + (1 << 20),
      swapDir: o.swapDir,
      swapDevice: o.swapDevice ?? 'file',
      mthpKiB: o.mthpKiB,
    })
    for (const line of session.changes) o.log(`set: ${line}`)
    const checks: CorpusCheck[] = []
    const pageout =
      o.pageout ?? ((d, thp, between, onChild) => runHelper(o.helper, d, { thp, between }, onChild))
    for (let i = 0; i < o.corpora.length; i++) {
      const corpus = o.corpora[i]
      const pages = corpus.data.length / PAGE_SIZE
      // other processes swapping meanwhile move the same counters: measure again, up to three times
      for (let attempt = 1; ; attempt++) {
        o.log(`${corpus.name}: paging out ${pages} pages${attempt > 1 ? ` (attempt ${attempt})` : ''}`)
        const before = snapshot(o.fs)
        let after: Snapshot | undefined
        const helper = await pageout(
          corpus.data,
          o.mthpKiB.length > 0,
          () => {
            after = snapshot(o.fs)
          },
          (c) => (child = c),
        )
        const { figures, noise } = kernelFigures(pages, before, after ?? before)
        if (noise > 0 && attempt < MAX_ATTEMPTS) {
          o.log(`${corpus.name}: ${noise} swap events of other processes during the check; again`)
          continue
        }
        checks.push({
          corpus: corpus.name,
          kernel: figures,
          emulated: emulated[i],
          rows: compareFigures(figures, emulated[i], o.tolerance),
          helper,
          noise,
          splitFolios: (after ?? before).fallback - before.fallback,
        })
        break
      }
    }
    const ok = checks.every(
      (c) => c.helper.mismatches === 0 && c.helper.resident === 0 && c.rows.every((r) => r.ok),
    )
    return {
      status: 'done',
      sizeSource,
      checks,
      changes: [...session.changes],
      recovered: recovered.length,
      ok,
    }
  } finally {
    removeSignal()
    child?.kill('SIGKILL')
    try {
      session.restore()
    } finally {
      release()
    }
  }
}
