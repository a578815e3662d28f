import { performance } from 'node:perf_hooks'
import { createZswap, type ZswapStats } from '@zswap/cache'
import {
  type Folio,
  InvalidArgumentError,
  invalidOption,
  isAccelerator,
  MAX_FOLIO_ORDER,
  PAGE_SIZE,
} from '@zswap/core'
import { build } from 'hdr-histogram-js'
import type { Corpus } from './corpus.js'
import { compressorBackend, createStack, type Stack, type StackSpec } from './stacks.js'

const PKG = 'zswap-harness'
/** Byte the load buffer is filled with first, so a load that writes nothing cannot pass. */
const POISON = 0x5a

/** Throughput and per-folio latency of one phase. */
export interface PhaseResult {
  /** Uncompressed megabytes (10^6 bytes) per second. */
  MBps: number
  /** Median latency of one store/load call (one folio), microseconds. */
  p50Us: number
  /** 99th percentile latency of one call, microseconds. */
  p99Us: number
}

/** The outcome of storing then loading a corpus through one stack. */
export interface RunResult {
  /** Stack name, e.g. `'lz4+zbud'`. */
  stack: string
  /** The compressor's library when it has several (lz4: `'liblz4'` or `'lz4-napi'`). */
  backend?: string
  corpus: string
  folioOrder: number
  /** Pages offered to the cache (the corpus, cut to whole folios). */
  pages: number
  folios: number
  /** Pages the cache accepted. */
  storedPages: number
  /** Folios the cache rejected (counted in stats). */
  rejectedFolios: number
  /** Uncompressed ÷ compressed bytes of the accepted pages. */
  ratio: number
  /** Uncompressed bytes accepted ÷ bytes of pool pages (allocator overhead included). */
  poolRatio: number
  /** Zpool pages held once everything was stored. */
  poolPages: number
  /** Zpool pages still held after every page was loaded (exclusive loads free them). */
  poolPagesAfterLoad: number
  /** `'ok'` only when every stored page loaded back equal and no rejected folio loaded. */
  integrity: 'ok' | 'failed'
  /** Pages loaded with different bytes than were stored. */
  mismatchedPages: number
  /** Stored folios whose load returned false or threw. */
  failedLoads: number
  /** Rejected folios that still loaded (all-or-nothing broken). */
  unexpectedLoads: number
  /** First load error message, when one threw. */
  firstError?: string
  store: PhaseResult
  load: PhaseResult
  /** Cache stats after the store phase (gauges: stored_pages, pool_total_size, ...). */
  statsAfterStore: ZswapStats
  /** Cache stats at the end (cumulative counters complete). */
  stats: ZswapStats
}

/** Options of {@link runWorkload}. */
export interface RunOptions {
  corpus: Corpus
  /** A fresh stack; the run closes the cache, which destroys the zpool. */
  stack: Stack
  /** Folios of 2^folioOrder neighbouring pages (0..9, default 0); > 0 turns on mthpEnabled. */
  folioOrder?: number
  /** RAM size the pool limit applies to. Default: 100 × the corpus, so the limit is never hit. */
  ramBytes?: number
}

function assertOrder(order: number): void {
  if (!Number.isInteger(order) || order < 0 || order > MAX_FOLIO_ORDER) {
    throw invalidOption(PKG, 'folioOrder', `an integer in 0..${MAX_FOLIO_ORDER}, got ${order}`)
  }
}

function histogram() {
  // Nanoseconds, 3 significant digits; auto-resize so a GC pause never overflows it.
  return build({ lowestDiscernibleValue: 1, highestTrackableValue: 1e9, numberOfSignificantValueDigits: 3 })
}

function phase(bytes: number, ms: number, h: ReturnType<typeof histogram>): PhaseResult {
  return {
    MBps: ms > 0 ? bytes / 1e3 / ms : 0,
    p50Us: h.getValueAtPercentile(50) / 1e3,
    p99Us: h.getValueAtPercentile(99) / 1e3,
  }
}

/**
 * Stores every folio of the corpus through a fresh cache on `stack`, then
 * loads every stored folio back, timing each call, and compares every
 * loaded page with the page stored.
 */
export async function runWorkload(options: RunOptions): Promise<RunResult> {
  const { corpus, stack } = options
  const order = options.folioOrder ?? 0
  assertOrder(order)
  const perFolio = 1 << order
  const folioBytes = perFolio * PAGE_SIZE
  const folios = Math.floor(corpus.pages / perFolio)
  if (folios === 0) {
    throw new InvalidArgumentError(
      `[${PKG}] corpus ${corpus.name} has ${corpus.pages} pages, fewer than one folio of order ${order}`,
    )
  }
  const pages = folios * perFolio
  const src = corpus.data
  const out = new Uint8Array(pages * PAGE_SIZE)
  // Folio objects are made before timing: the harness must not charge its own allocations to the cache.
  const storeFolios: Folio[] = []
  const loadFolios: Folio[] = []
  for (let i = 0; i < folios; i++) {
    const swap = { type: 0, offset: i * perFolio }
    storeFolios.push({ swap, order, data: src.subarray(i * folioBytes, (i + 1) * folioBytes) })
    loadFolios.push({ swap, order, data: out.subarray(i * folioBytes, (i + 1) * folioBytes) })
  }

  const zswap = createZswap({
    ...(isAccelerator(stack.compressor)
      ? { accelerator: stack.compressor }
      : { compressor: stack.compressor }),
    zpool: stack.zpool,
    ramBytes: options.ramBytes ?? Math.max(100 * pages * PAGE_SIZE, 1 << 30),
    mthpEnabled: order > 0,
  })
  try {
    const stored = new Uint8Array(folios)
    const storeHist = histogram()
    let storeMs = 0
    for (let i = 0; i < folios; i++) {
      const t0 = performance.now()
      const ok = await zswap.store(storeFolios[i])
      const dt = performance.now() - t0
      storeMs += dt
      storeHist.recordValue(Math.max(1, Math.round(dt * 1e6)))
      stored[i] = ok ? 1 : 0
    }
    let storedFolios = 0
    for (let i = 0; i < folios; i++) storedFolios += stored[i]
    const statsAfterStore = zswap.stats()
    const poolPages = stack.zpool.totalPages

    out.fill(POISON)
    const loadHist = histogram()
    let loadMs = 0
    let failedLoads = 0
    let firstError: string | undefined
    const loaded = new Uint8Array(folios)
    for (let i = 0; i < folios; i++) {
      if (stored[i] === 0) continue
      const t0 = performance.now()
      let ok = false
      try {
        ok = await zswap.load(loadFolios[i])
      } catch (error) {
        firstError ??= `folio at offset ${i * perFolio}: ${(error as Error).message}`
      }
      const dt = performance.now() - t0
      loadMs += dt
      loadHist.recordValue(Math.max(1, Math.round(dt * 1e6)))
      if (ok) loaded[i] = 1
      else failedLoads++
    }
    // A rejected folio must have left nothing behind (all or nothing).
    let unexpectedLoads = 0
    for (let i = 0; i < folios; i++) {
      if (stored[i] === 1) continue
      try {
        if (await zswap.load(loadFolios[i])) unexpectedLoads++
      } catch (error) {
        firstError ??= `rejected folio at offset ${i * perFolio}: ${(error as Error).message}`
      }
    }
    const poolPagesAfterLoad = stack.zpool.totalPages
    const stats = zswap.stats()

    const a = Buffer.from(src.buffer, src.byteOffset, pages * PAGE_SIZE)
    const b = Buffer.from(out.buffer, out.byteOffset, out.byteLength)
    let mismatchedPages = 0
    for (let i = 0; i < folios; i++) {
      if (loaded[i] === 0) continue
      for (let p = i * perFolio; p < (i + 1) * perFolio; p++) {
        const start = p * PAGE_SIZE
        if (a.compare(b, start, start + PAGE_SIZE, start, start + PAGE_SIZE) !== 0) mismatchedPages++
      }
    }

    const storedPages = storedFolios * perFolio
    const storedBytes = storedPages * PAGE_SIZE
    const compressed = statsAfterStore.cgroups?.['/']?.zswap ?? statsAfterStore.pool_total_size
    const result: RunResult = {
      stack: stack.name,
      ...(compressorBackend(stack.compressor) === undefined
        ? {}
        : { backend: compressorBackend(stack.compressor) }),
      corpus: corpus.name,
      folioOrder: order,
      pages,
      folios,
      storedPages,
      rejectedFolios: folios - storedFolios,
      ratio: compressed > 0 ? storedBytes / compressed : 0,
      poolRatio: statsAfterStore.pool_total_size > 0 ? storedBytes / statsAfterStore.pool_total_size : 0,
      poolPages,
      poolPagesAfterLoad,
      integrity: mismatchedPages === 0 && failedLoads === 0 && unexpectedLoads === 0 ? 'ok' : 'failed',
      mismatchedPages,
      failedLoads,
      unexpectedLoads,
      store: phase(pages * PAGE_SIZE, storeMs, storeHist),
      load: phase(storedBytes, loadMs, loadHist),
      statsAfterStore,
      stats,
    }
    if (firstError !== undefined) result.firstError = firstError
    return result
  } finally {
    await zswap.close()
  }
}

/** Options of {@link runHarness}. */
export interface HarnessOptions {
  corpus: Corpus
  /** Stack by names; default lz4+zbud. */
  spec?: Partial<StackSpec>
  /** Or a factory of fresh stacks (one per run), e.g. with injected faults. */
  createStack?: () => Stack | Promise<Stack>
  folioOrder?: number
  /** Repetitions, each on a fresh stack (default 1). */
  runs?: number
  /** Unreported runs first, so the JIT has compiled the hot paths (default 0). */
  warmup?: number
  ramBytes?: number
}

/** The JSON document `zswap-harness --json` prints. */
export interface HarnessReport {
  runs: RunResult[]
}

/** Runs the workload `warmup + runs` times, each on a fresh stack, and reports the last `runs`. */
export async function runHarness(options: HarnessOptions): Promise<HarnessReport> {
  const runs = options.runs ?? 1
  const warmup = options.warmup ?? 0
  if (!Number.isInteger(runs) || runs < 1) throw invalidOption(PKG, 'runs', `a positive integer, got ${runs}`)
  if (!Number.isInteger(warmup) || warmup < 0) {
    throw invalidOption(PKG, 'warmup', `a non-negative integer, got ${warmup}`)
  }
  assertOrder(options.folioOrder ?? 0)
  const spec: StackSpec = { compressor: 'lz4', zpool: 'zbud', ...options.spec }
  const make = options.createStack ?? (() => createStack(spec))
  const results: RunResult[] = []
  for (let r = 0; r < warmup + runs; r++) {
    const stack = await make()
    const result = await runWorkload({
      corpus: options.corpus,
      stack,
      folioOrder: options.folioOrder ?? 0,
      ...(options.ramBytes === undefined ? {} : { ramBytes: options.ramBytes }),
    })
    if (r >= warmup) results.push(result)
  }
  return { runs: results }
}
