import type { ZswapStats } from '@zswap/cache'
import { InvalidArgumentError, invalidOption, MAX_FOLIO_ORDER, PAGE_SIZE } from '@zswap/core'
import type { Corpus } from './corpus.js'
import type { LatencySummary } from './measure/latency.js'
import { compressorBackend, createStack, type Stack, type StackSpec } from './stacks.js'
import { planFolios } from './workloads/folios.js'
import { replayDetailed } from './workloads/replay.js'
import { zswapTarget } from './workloads/targets.js'

const PKG = 'zswap-harness'

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
  /**
   * Bytes offered ÷ what they took, over every page (`workloadRatios`): compressed bytes,
   * 0 for a zero-mapped page, 4096 for a page stored as-is or rejected.
   */
  ratio: number
  /** The same with the pool's pages instead of compressed bytes (allocator overhead included). */
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

/**
 * Stores every folio of the corpus through a fresh cache on `stack`, then
 * loads every stored folio back, timing each call, and compares every
 * loaded page with the page stored (the replay workload of the measuring core).
 */
export async function runWorkload(options: RunOptions): Promise<RunResult> {
  const { corpus, stack } = options
  const order = options.folioOrder ?? 0
  assertOrder(order)
  const plan = planFolios(corpus.pages, [{ order, share: 1 }])
  if (plan.count === 0) {
    throw new InvalidArgumentError(
      `[${PKG}] corpus ${corpus.name} has ${corpus.pages} pages, fewer than one folio of order ${order}`,
    )
  }
  const target = zswapTarget(
    { ...stack, objectPages: 1, cache: {} },
    { ramBytes: options.ramBytes ?? Math.max(100 * plan.pages * PAGE_SIZE, 1 << 30), mthpEnabled: order > 0 },
  )
  const { measurement: m, afterStore, end, poolPagesAfterLoad } = await replayDetailed(target, corpus, plan)
  const phase = (MBps: number, l: LatencySummary): PhaseResult => ({ MBps, p50Us: l.p50Us, p99Us: l.p99Us })
  const i = m.integrity
  const result: RunResult = {
    stack: stack.name,
    ...(compressorBackend(stack.compressor) === undefined
      ? {}
      : { backend: compressorBackend(stack.compressor) }),
    corpus: corpus.name,
    folioOrder: order,
    pages: m.pages,
    folios: m.folios,
    storedPages: m.storedPages,
    rejectedFolios: m.rejectedFolios,
    ratio: m.ratio,
    poolRatio: m.effectiveRatio,
    poolPages: m.poolPages,
    poolPagesAfterLoad,
    integrity: i.ok ? 'ok' : 'failed',
    mismatchedPages: i.mismatchedPages,
    failedLoads: i.failedLoads,
    unexpectedLoads: i.unexpectedLoads,
    store: phase(m.storeMBps, m.store),
    load: phase(m.loadMBps, m.load),
    statsAfterStore: afterStore!,
    stats: end!,
  }
  if (i.firstError !== undefined) result.firstError = i.firstError
  return result
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
