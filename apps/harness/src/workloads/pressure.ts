import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileSwapDevice } from '@zswap/cache'
import { type Folio, PAGE_SIZE } from '@zswap/core'
import type { Corpus } from '../corpus.js'
import { counterRecord } from '../measure/counters.js'
import { LatencyRecorder } from '../measure/latency.js'
import { workloadRatios } from '../measure/ratios.js'
import { ResourceMeter } from '../measure/resources.js'
import type { ComposedStack } from '../spec/stack-spec.js'
import { comparePages } from './compare-pages.js'
import type { FolioPlan } from './folios.js'
import type { Integrity, Measurement } from './measurement.js'
import { POISON } from './replay.js'
import { zswapTarget } from './targets.js'

/** Options of {@link runPressure}. */
export interface PressureOptions {
  /** Concurrent streams; the plan's folios are split into this many contiguous runs. */
  streams: number
  /** Pool limit as a share of the bytes offered (e.g. 0.25: a pool of a quarter of the original size). */
  limit: number
  /** Folios per loadBatch call on swap-in. */
  readahead: number
}

const TIMELINE_POINTS = 200

/**
 * Several streams store concurrently into a cache whose pool limit is smaller
 * than what they store, so the shrinker writes cold pages back to a real swap
 * file (a temporary file). A rejected folio is written to the swap file, as
 * swap-out does. Then every stream swaps its pages in, `readahead` folios per
 * loadBatch; a page the cache no longer holds is read from the swap file.
 * Every page is compared with the page stored.
 */
export async function runPressure(
  stack: ComposedStack,
  corpus: Corpus,
  plan: FolioPlan,
  o: PressureOptions,
): Promise<Measurement> {
  return (await pressureDetailed(stack, corpus, plan, o)).measurement
}

/** {@link runPressure} with the sizes of the zpool objects held at the end of the store phase. */
export async function pressureDetailed(
  stack: ComposedStack,
  corpus: Corpus,
  plan: FolioPlan,
  o: PressureOptions,
): Promise<{ measurement: Measurement; objectSizes: Int32Array | undefined }> {
  const dir = mkdtempSync(join(tmpdir(), 'zswap-harness-swap-'))
  const swap = await fileSwapDevice({ path: join(dir, 'swapfile'), pages: plan.pages, truncate: true })
  const limitPages = Math.max(1, Math.floor((plan.pages * o.limit) | 0))
  const percent = stack.cache.maxPoolPercent ?? 20
  const target = zswapTarget(stack, {
    ramBytes: Math.ceil((limitPages * PAGE_SIZE * 100) / percent),
    mthpEnabled: plan.maxOrder > 0,
    swapDevice: swap,
  })
  const src = corpus.data
  const out = new Uint8Array(plan.pages * PAGE_SIZE)
  const storeFolios: Folio[] = []
  const loadFolios: Folio[] = []
  for (let i = 0; i < plan.count; i++) {
    const from = plan.first[i] * PAGE_SIZE
    const to = from + (PAGE_SIZE << plan.order[i])
    const entry = { type: 0, offset: plan.first[i] }
    storeFolios.push({ swap: entry, order: plan.order[i], data: src.subarray(from, to) })
    loadFolios.push({ swap: entry, order: plan.order[i], data: out.subarray(from, to) })
  }
  const streams = Math.max(1, Math.min(o.streams, plan.count))
  const per = Math.ceil(plan.count / streams)
  const meter = new ResourceMeter()
  const storeLat = new LatencyRecorder()
  const loadLat = new LatencyRecorder()
  const timeline: [number, number][] = []
  const sampleEvery = Math.max(1, Math.floor((2 * plan.count) / TIMELINE_POINTS))
  let ops = 0
  const t0 = performance.now()
  const tick = () => {
    if (++ops % sampleEvery === 0) {
      timeline.push([performance.now() - t0, target.poolPages()])
      meter.sample()
    }
  }
  const integrity: Integrity = {
    ok: true,
    mismatchedPages: 0,
    failedLoads: 0,
    unexpectedLoads: 0,
    storeErrors: 0,
  }
  let rejectedFolios = 0
  let pagesFromSwapFile = 0
  try {
    timeline.push([0, 0])
    const storeStart = performance.now()
    await Promise.all(
      Array.from({ length: streams }, async (_, s) => {
        for (let i = s * per; i < Math.min(plan.count, (s + 1) * per); i++) {
          const a = performance.now()
          let ok = false
          try {
            ok = await target.store(storeFolios[i])
          } catch (error) {
            integrity.storeErrors++
            integrity.firstError ??= `store of the folio at page ${plan.first[i]} threw: ${(error as Error).message}`
          }
          storeLat.record(performance.now() - a)
          if (!ok) {
            rejectedFolios++
            const f = storeFolios[i]
            for (let p = 0; p < 1 << f.order; p++) {
              await swap.write(f.swap.offset + p, f.data.subarray(p * PAGE_SIZE, (p + 1) * PAGE_SIZE))
            }
          }
          tick()
        }
      }),
    )
    const storeMs = performance.now() - storeStart
    const afterStore = target.stats()
    const poolPages = target.poolPages()
    const compressed = target.compressedBytes()
    const objectSizes = target.objectSizes()
    const heldPages = afterStore?.stored_pages ?? 0

    out.fill(POISON)
    const loadStart = performance.now()
    await Promise.all(
      Array.from({ length: streams }, async (_, s) => {
        const end = Math.min(plan.count, (s + 1) * per)
        for (let i = s * per; i < end; i += o.readahead) {
          const window = loadFolios.slice(i, Math.min(end, i + o.readahead))
          const a = performance.now()
          let oks: boolean[]
          try {
            oks = await target.loadBatch(window)
          } catch (error) {
            integrity.firstError ??= `loadBatch at page ${window[0].swap.offset}: ${(error as Error).message}`
            oks = window.map(() => false)
          }
          loadLat.record(performance.now() - a)
          for (let w = 0; w < window.length; w++) {
            if (oks[w]) continue
            // Not (wholly) in the cache: page by page from the cache, else from the swap file.
            const f = window[w]
            for (let p = 0; p < 1 << f.order; p++) {
              const one: Folio = {
                swap: { type: 0, offset: f.swap.offset + p },
                order: 0,
                data: f.data.subarray(p * PAGE_SIZE, (p + 1) * PAGE_SIZE),
              }
              if (await target.load(one)) continue
              await swap.read(one.swap.offset, one.data)
              pagesFromSwapFile++
            }
          }
          tick()
        }
      }),
    )
    const loadMs = performance.now() - loadStart
    const end = target.stats()
    timeline.push([performance.now() - t0, target.poolPages()])
    const c = comparePages(src, out, 0, plan.pages)
    integrity.mismatchedPages = c.bad
    if (c.first !== undefined) integrity.firstMismatch = c.first
    integrity.ok = c.bad === 0 && integrity.firstError === undefined
    const usage = meter.stop()
    const counters = counterRecord(afterStore, end)
    const rejects: Record<string, number> = {}
    for (const [k, v] of Object.entries(counters)) {
      if (k.startsWith('reject_') || k === 'pool_limit_hit') rejects[k] = v
    }
    const zeroPages = counters.swpout_zero ?? 0
    const { diskPages, ratio, effectiveRatio } = workloadRatios({
      pages: plan.pages,
      zeroPages,
      heldPages,
      compressedBytes: compressed,
      poolPages,
    })
    const result: Measurement = {
      pages: plan.pages,
      folios: plan.count,
      storedPages: heldPages + zeroPages,
      rejectedFolios,
      zeroPages,
      incompressiblePages: counters.stored_incompressible_pages ?? 0,
      diskPages,
      compressedBytes: compressed,
      storeMBps: storeMs > 0 ? (plan.pages * PAGE_SIZE) / 1e3 / storeMs : 0,
      loadMBps: loadMs > 0 ? (plan.pages * PAGE_SIZE) / 1e3 / loadMs : 0,
      store: storeLat.summary(),
      load: loadLat.summary(),
      loadCdf: loadLat.cdf(),
      ratio,
      effectiveRatio,
      poolPages,
      ...usage,
      counters,
      integrity,
      pressure: {
        streams,
        readahead: o.readahead,
        limitPages,
        writtenBack: counters.written_back_pages ?? 0,
        rejectedFolios,
        rejects,
        pagesFromSwapFile,
        poolTimeline: timeline,
      },
    }
    const driverStats = target.driverStats()
    if (driverStats !== undefined) result.driverStats = driverStats
    return { measurement: result, objectSizes }
  } finally {
    storeLat.destroy()
    loadLat.destroy()
    await target.close()
    await swap.close?.()
    rmSync(dir, { recursive: true, force: true })
  }
}
