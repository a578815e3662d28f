import type { ZswapStats } from '@zswap/cache'
import { type Folio, PAGE_SIZE } from '@zswap/core'
import type { Corpus } from '../corpus.js'
import { counterRecord } from '../measure/counters.js'
import { LatencyRecorder } from '../measure/latency.js'
import { ModeledClock } from '../measure/modeled-time.js'
import { workloadRatios } from '../measure/ratios.js'
import { ResourceMeter } from '../measure/resources.js'
import { comparePages } from './compare-pages.js'
import type { FolioPlan } from './folios.js'
import type { Integrity, Measurement } from './measurement.js'
import type { Target } from './targets.js'

/** Byte the load buffer is filled with first, so a load that writes nothing cannot pass. */
export const POISON = 0x5a
/** Folios between two RSS samples. */
const RSS_EVERY = 256

/**
 * Stores every folio of the plan through `target` (one store call per folio,
 * each timed), then loads every stored folio back (one load call each), and
 * compares every loaded page with the page stored. Folio objects are made
 * before timing, so the harness does not charge its own allocations to the stack.
 */
export async function runReplay(target: Target, corpus: Corpus, plan: FolioPlan): Promise<Measurement> {
  return (await replayDetailed(target, corpus, plan)).measurement
}

/** A replay's measurement with the raw cache stats behind it. */
export interface ReplayDetail {
  measurement: Measurement
  /** Cache stats with everything stored, and at the end (undefined for the baseline). */
  afterStore: ZswapStats | undefined
  end: ZswapStats | undefined
  /** Pool pages still held after every page was loaded (exclusive loads free them). */
  poolPagesAfterLoad: number
  /** Sizes of the zpool objects with everything stored (undefined for the baseline). */
  objectSizes: Int32Array | undefined
}

/** {@link runReplay} with the raw stats snapshots. */
export async function replayDetailed(target: Target, corpus: Corpus, plan: FolioPlan): Promise<ReplayDetail> {
  const src = corpus.data
  const out = new Uint8Array(plan.pages * PAGE_SIZE)
  const storeFolios: Folio[] = []
  const loadFolios: Folio[] = []
  for (let i = 0; i < plan.count; i++) {
    const swap = { type: 0, offset: plan.first[i] }
    const from = plan.first[i] * PAGE_SIZE
    const to = from + (PAGE_SIZE << plan.order[i])
    storeFolios.push({ swap, order: plan.order[i], data: src.subarray(from, to) })
    loadFolios.push({ swap, order: plan.order[i], data: out.subarray(from, to) })
  }
  const meter = new ResourceMeter()
  const storeLat = new LatencyRecorder()
  const loadLat = new LatencyRecorder()
  // a stack whose accelerator models time: modeled figures beside the measured ones
  const modeled =
    target.acceleratorTime === undefined ? undefined : new ModeledClock(target.acceleratorTime())
  const stored = new Uint8Array(plan.count)
  const integrity: Integrity = {
    ok: true,
    mismatchedPages: 0,
    failedLoads: 0,
    unexpectedLoads: 0,
    storeErrors: 0,
  }
  try {
    let storeMs = 0
    let storedPages = 0
    for (let i = 0; i < plan.count; i++) {
      modeled?.begin()
      const t0 = performance.now()
      let ok = false
      try {
        ok = await target.store(storeFolios[i])
      } catch (error) {
        integrity.storeErrors++
        integrity.firstError ??= `store of the folio at page ${plan.first[i]} threw: ${(error as Error).message}`
      }
      const dt = performance.now() - t0
      modeled?.end(false, dt)
      storeMs += dt
      storeLat.record(dt)
      if (ok) {
        stored[i] = 1
        storedPages += 1 << plan.order[i]
      }
      if (i % RSS_EVERY === 0) meter.sample()
    }
    const afterStore = target.stats()
    const poolPages = target.poolPages()
    const compressed = target.compressedBytes()
    const objectSizes = target.objectSizes()
    meter.sample()

    out.fill(POISON)
    let loadMs = 0
    let loadedPages = 0
    const loaded = new Uint8Array(plan.count)
    for (let i = 0; i < plan.count; i++) {
      if (stored[i] === 0) continue
      let ok = false
      modeled?.begin()
      const t0 = performance.now()
      try {
        ok = await target.load(loadFolios[i])
      } catch (error) {
        integrity.firstError ??= `folio at page ${plan.first[i]}: ${(error as Error).message}`
      }
      const dt = performance.now() - t0
      modeled?.end(true, dt)
      loadMs += dt
      loadLat.record(dt)
      if (ok) {
        loaded[i] = 1
        loadedPages += 1 << plan.order[i]
      } else integrity.failedLoads++
      if (i % RSS_EVERY === 0) meter.sample()
    }
    // A rejected folio must have left nothing behind (all or nothing).
    for (let i = 0; i < plan.count; i++) {
      if (stored[i] === 1) continue
      try {
        if (await target.load(loadFolios[i])) integrity.unexpectedLoads++
      } catch (error) {
        integrity.firstError ??= `rejected folio at page ${plan.first[i]}: ${(error as Error).message}`
      }
    }
    const end = target.stats()
    const poolPagesAfterLoad = target.poolPages()
    for (let i = 0; i < plan.count; i++) {
      if (loaded[i] === 0) continue
      const c = comparePages(src, out, plan.first[i], 1 << plan.order[i])
      integrity.mismatchedPages += c.bad
      if (c.first !== undefined) integrity.firstMismatch ??= c.first
    }
    integrity.ok =
      integrity.mismatchedPages === 0 &&
      integrity.failedLoads === 0 &&
      integrity.unexpectedLoads === 0 &&
      integrity.storeErrors === 0
    const usage = meter.stop()
    const counters = counterRecord(afterStore, end)
    const zeroPages = counters.swpout_zero ?? 0
    const fates = {
      pages: plan.pages,
      zeroPages,
      heldPages: counters.stored_pages ?? storedPages - zeroPages,
      compressedBytes: compressed,
      poolPages,
    }
    const { diskPages, ratio, effectiveRatio } = workloadRatios(fates)
    const result: Measurement = {
      pages: plan.pages,
      folios: plan.count,
      storedPages,
      rejectedFolios: plan.count - stored.reduce((s, x) => s + x, 0),
      zeroPages,
      incompressiblePages: counters.stored_incompressible_pages ?? 0,
      diskPages,
      compressedBytes: compressed,
      storeMBps: storeMs > 0 ? (plan.pages * PAGE_SIZE) / 1e3 / storeMs : 0,
      loadMBps: loadMs > 0 ? (loadedPages * PAGE_SIZE) / 1e3 / loadMs : 0,
      store: storeLat.summary(),
      load: loadLat.summary(),
      loadCdf: loadLat.cdf(),
      ratio,
      effectiveRatio,
      poolPages,
      ...usage,
      counters,
      integrity,
    }
    const figures = modeled?.finish(plan.pages * PAGE_SIZE, loadedPages * PAGE_SIZE)
    if (figures !== undefined) result.modeled = figures
    const driverStats = target.driverStats()
    if (driverStats !== undefined) result.driverStats = driverStats
    return { measurement: result, afterStore, end, poolPagesAfterLoad, objectSizes }
  } finally {
    storeLat.destroy()
    loadLat.destroy()
    await target.close()
  }
}
