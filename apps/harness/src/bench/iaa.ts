import { availableParallelism, cpus } from 'node:os'
import { performance } from 'node:perf_hooks'
import { Worker } from 'node:worker_threads'
import { createZswap } from '@zswap/cache'
import { type CompressJob, createFolio, type Folio, PAGE_SIZE, swapEntry } from '@zswap/core'
import { type IaaDevice, type IaaOptions, iaa, ModeCodec } from '@zswap/iaa'
import { zbud } from '@zswap/zbud'
import { cac } from 'cac'
import Table from 'cli-table3'
import { compressSync } from 'lz4-napi'
import { Piscina } from 'piscina'
import type { Corpus } from '../corpus.js'
import { interleavedRounds } from '../measure/rounds.js'
import { formatIaaModel, runIaaModelBench } from './iaa-model.js'
import { type ModeRatios, measureModeRatios } from './iaa-modes.js'
import { fixed, loadCorpora, median } from './util.js'

/**
 * `bench iaa`: the IAA emulation (@zswap/iaa) against the same compressor
 * inline and against piscina, and batching through the cache. All figures
 * are medians over `--runs` runs, measured in one process on the same pages:
 * - dispatchUs: µs per job through the device with the no-op algorithm;
 * - twoEnginesVsInline: pages/s with 2 engines ÷ pages/s of the same compressor inline;
 * - vsPiscina: pages/s with 2 engines ÷ pages/s through piscina (2 threads, one task per page);
 * - folio64kBatch8VsBatch1: 64 KiB folio store latency through the cache, maxBatch 8 ÷ maxBatch 1;
 * - readaheadBatchVsSingle: time to load 4 KiB folios with loadBatch (windows of 8) ÷ one load per folio.
 * The two ratios of the cache are lower-is-better.
 * - modeRatios: each IAA compression mode's ratio on every corpus page, deflate level 1's, the
 *   issue-18 shape checks and the mode encoders' cost (see iaa-modes.ts); `--modes-only` runs
 *   just this part (the other figures are then null).
 */

const GOALS = {
  dispatchUs: 2,
  twoEnginesVsInline: 1.6,
  vsPiscina: 5,
  folio64kBatch8VsBatch1: 1.4 / 3.6,
}

type Algorithm = 'deflate' | 'lz4'

/** The JSON document `bench iaa --json` prints. */
export interface IaaBenchReport {
  cores: number
  dispatchUs: number
  twoEnginesVsInline: number
  vsPiscina: number
  folio64kBatch8VsBatch1: number
  readaheadBatchVsSingle: number
  modeRatios: ModeRatios
}

/** Per-algorithm throughput, for the table. */
interface ThroughputRow {
  algorithm: Algorithm
  inlinePagesPerSec: number
  enginesPagesPerSec: number
  enginesVerifyPagesPerSec: number
  piscinaPagesPerSec: number
  twoEnginesVsInline: number
  vsPiscina: number
}

/** Per-algorithm batching through the cache, for the table. */
interface CacheRow {
  algorithm: Algorithm
  folioBatch1Us: number
  folioBatch8Us: number
  folio64kBatch8VsBatch1: number
  readaheadSingleMs: number
  readaheadBatchMs: number
  readaheadBatchVsSingle: number
}

interface Details {
  cpu: string
  /** The same pure-JS loop on 2 threads vs 1 (work split in two): ~2 on an idle 2-core machine, ~1 when the cores are taken. */
  threadScaling: number
  corpusSource: string
  pages: number
  runs: number
  dispatchUsSync: number
  throughput: ThroughputRow[]
  cache: CacheRow[]
}

export interface IaaBenchOptions {
  corpusDir?: string
  runs: number
  pages: number
  folios: number
  algorithms: Algorithm[]
  window: number
  /** Only the mode ratios (no device, piscina or cache pass). */
  modesOnly?: boolean
}

const LEVEL = 1
const ENGINES = 2
/** Batches in flight per pass: 8 × 8 jobs = half the device's 128 WQ entries. */
let window = 8

/** Evenly spaced pages across every corpus (views, not copies). */
function pickPages(corpora: readonly Corpus[], count: number): Uint8Array[] {
  const pages: Uint8Array[] = []
  for (let c = 0; c < corpora.length; c++) {
    const corpus = corpora[c]
    const want = Math.floor(count / corpora.length) + (c < count % corpora.length ? 1 : 0)
    for (let i = 0; i < want; i++) {
      const p = Math.floor((i * corpus.pages) / want)
      pages.push(corpus.data.subarray(p * PAGE_SIZE, (p + 1) * PAGE_SIZE))
    }
  }
  return pages
}

/** Evenly spaced 64 KiB runs of neighbouring pages. */
function pickFolios(corpora: readonly Corpus[], count: number): Uint8Array[] {
  const size = 16 * PAGE_SIZE
  const out: Uint8Array[] = []
  for (let c = 0; c < corpora.length; c++) {
    const corpus = corpora[c]
    const slots = Math.floor(corpus.data.length / size)
    const want = Math.floor(count / corpora.length) + (c < count % corpora.length ? 1 : 0)
    for (let i = 0; i < want; i++) {
      const s = Math.floor((i * slots) / want)
      out.push(corpus.data.subarray(s * size, (s + 1) * size))
    }
  }
  return out
}

const SPIN_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
let x = 0
for (let k = 0; k < workerData; k++) x = (x * 31 + k) | 0
parentPort.postMessage(x)
`

/** ms to run `total` loop steps split over `threads` worker threads. */
async function spinThreads(threads: number, total: number): Promise<number> {
  const t0 = performance.now()
  await Promise.all(
    Array.from(
      { length: threads },
      () =>
        new Promise((resolve, reject) => {
          const w = new Worker(SPIN_SOURCE, { eval: true, workerData: Math.floor(total / threads) })
          w.once('message', resolve)
          w.once('error', reject)
        }),
    ),
  )
  return performance.now() - t0
}

/** How much faster 2 threads finish a fixed amount of CPU work than 1 thread, right now. */
async function threadScaling(runs: number): Promise<number> {
  const ratios: number[] = []
  for (let r = 0; r < runs; r++) ratios.push((await spinThreads(1, 1e8)) / (await spinThreads(2, 1e8)))
  return median(ratios)
}

/** Pages used to warm up each new device's engines (a fresh worker has to JIT its codec). */
let warmPages: readonly Uint8Array[] = []

async function device(options: IaaOptions): Promise<IaaDevice> {
  const dev = iaa({ engines: ENGINES, level: LEVEL, ...options })
  await dev.ready()
  const mb = dev.capabilities.maxBatch
  const jobs = Array.from({ length: mb }, () => ({
    src: warmPages[0],
    dst: new Uint8Array(2 * PAGE_SIZE),
    length: 0,
    error: undefined,
  }))
  const back = jobs.map(() => ({
    src: warmPages[0],
    dst: new Uint8Array(PAGE_SIZE),
    length: 0,
    error: undefined,
  }))
  for (let i = 0; i + mb <= warmPages.length; i += mb) {
    for (let k = 0; k < mb; k++) jobs[k].src = warmPages[i + k]
    await dev.compressBatch(jobs)
    let n = 0
    for (const j of jobs) if (j.length > 0) back[n++].src = j.dst.subarray(0, j.length)
    if (n > 0) await dev.decompressBatch(back, n)
  }
  return dev
}

/** Compresses every page through the device, `window` batches in flight; returns ms. */
async function devicePass(dev: IaaDevice, pages: readonly Uint8Array[]): Promise<number> {
  const mb = dev.capabilities.maxBatch
  const lanes: CompressJob[][] = Array.from({ length: window }, () =>
    Array.from({ length: mb }, () => ({
      src: pages[0],
      dst: new Uint8Array(2 * PAGE_SIZE),
      length: 0,
      error: undefined,
    })),
  )
  let next = 0
  const t0 = performance.now()
  await Promise.all(
    lanes.map(async (jobs) => {
      while (next < pages.length) {
        const first = next
        const count = Math.min(mb, pages.length - first)
        next += count
        for (let i = 0; i < count; i++) jobs[i].src = pages[first + i]
        await dev.compressBatch(jobs, count)
        for (let i = 0; i < count; i++) {
          if (jobs[i].error !== undefined) throw jobs[i].error
        }
      }
    }),
  )
  return performance.now() - t0
}

function inlinePass(algorithm: Algorithm, pages: readonly Uint8Array[]): number {
  const dst = new Uint8Array(2 * PAGE_SIZE)
  const t0 = performance.now()
  if (algorithm === 'deflate') {
    // the engines' codec: the device's fixed-mode writer and CRC-32
    const compressor = new ModeCodec('fixed')
    for (const page of pages) compressor.compress(page, dst)
  } else {
    for (const page of pages) {
      const out = compressSync(Buffer.from(page.buffer, page.byteOffset, page.length))
      if (out.length <= dst.length) dst.set(out)
    }
  }
  return performance.now() - t0
}

/** `pages` must be standalone 4 KiB buffers: a view would structured-clone its whole backing buffer. */
async function piscinaPass(
  pool: Piscina,
  algorithm: Algorithm,
  pages: readonly Uint8Array[],
): Promise<number> {
  const t0 = performance.now()
  await Promise.all(pages.map((page) => pool.run({ page, algorithm, level: LEVEL })))
  return performance.now() - t0
}

async function folioStoreUs(
  algorithm: Algorithm,
  maxBatch: number,
  folios: readonly Uint8Array[],
): Promise<number> {
  const cache = createZswap({
    accelerator: await device({ algorithm, maxBatch }),
    zpool: zbud(),
    mthpEnabled: true,
    ramBytes: 1 << 30,
  })
  try {
    const list = folios.map((data, i) => createFolio(swapEntry(0, i * 16), 4, data))
    const t0 = performance.now()
    // A folio with a page that does not compress is rejected (all or nothing): still timed.
    for (const folio of list) await cache.store(folio)
    return ((performance.now() - t0) * 1000) / list.length
  } finally {
    await cache.close()
  }
}

/** Stores the pages as 4 KiB folios, then times loading them back (single loads or loadBatch). */
async function readaheadMs(
  algorithm: Algorithm,
  batch: boolean,
  pages: readonly Uint8Array[],
): Promise<number> {
  const cache = createZswap({ accelerator: await device({ algorithm }), zpool: zbud(), ramBytes: 1 << 30 })
  try {
    const stored = pages.map((data, i) => createFolio(swapEntry(0, i), 0, data))
    const ok = await cache.storeBatch(stored)
    const targets: Folio[] = []
    for (let i = 0; i < stored.length; i++) if (ok[i]) targets.push(createFolio(swapEntry(0, i), 0))
    const t0 = performance.now()
    if (batch) {
      for (let i = 0; i < targets.length; i += 8) {
        const loaded = await cache.loadBatch(targets.slice(i, i + 8))
        if (loaded.includes(false)) throw new Error('[zswap-harness] bench iaa: loadBatch missed a page')
      }
    } else {
      for (const folio of targets) {
        if (!(await cache.load(folio))) throw new Error('[zswap-harness] bench iaa: load missed a page')
      }
    }
    const ms = performance.now() - t0
    const i = targets.length >> 1
    const src = stored[targets[i].swap.offset].data
    if (!targets[i].data.every((v, k) => v === src[k])) {
      throw new Error('[zswap-harness] bench iaa: a loaded page differs')
    }
    return ms
  } finally {
    await cache.close()
  }
}

export async function runIaaBench(
  options: IaaBenchOptions,
): Promise<{ report: IaaBenchReport; details: Details }> {
  const { corpora, source } = loadCorpora(options.corpusDir === undefined ? {} : { dir: options.corpusDir })
  const pages = pickPages(corpora, options.pages)
  // Copies (corpus data may be a Buffer, whose slice() is a view).
  const ownPages = pages.map((p) => new Uint8Array(p))
  warmPages = pages.slice(0, 256)
  const folios = pickFolios(corpora, options.folios)
  const runs = options.runs
  window = options.window
  const scaling = await threadScaling(3)
  const modeRatios = await measureModeRatios(corpora, { runs, costPages: Math.min(options.pages, 512) })
  const modesOnly = options.modesOnly === true

  // Dispatch: the no-op algorithm, so only the device's own path is measured.
  const dispatch: number[] = []
  const dispatchSync: number[] = []
  for (const [mode, out] of modesOnly
    ? []
    : ([
        ['irq', dispatch],
        ['sync', dispatchSync],
      ] as const)) {
    const noop = await device({ algorithm: 'noop', verifyCompress: false, mode })
    // No-op jobs are fast: cycle the pages to at least 16384 jobs per run so timer noise averages out.
    const jobs = Array.from({ length: Math.max(pages.length, 16384) }, (_, i) => pages[i % pages.length])
    await devicePass(noop, jobs)
    for (let r = 0; r < runs; r++) out.push(((await devicePass(noop, jobs)) * 1000) / jobs.length)
    await noop.close()
  }

  const algorithms = modesOnly ? [] : options.algorithms
  const throughput: ThroughputRow[] = []
  for (const algorithm of algorithms) {
    const engines = await device({ algorithm, verifyCompress: false })
    const verifying = await device({ algorithm })
    const pool = new Piscina({
      filename: new URL('./iaa-piscina-worker.js', import.meta.url).href,
      minThreads: ENGINES,
      maxThreads: ENGINES,
    })
    const ratios = { inline: [] as number[], piscina: [] as number[] }
    const rates = {
      inline: [] as number[],
      engines: [] as number[],
      verify: [] as number[],
      piscina: [] as number[],
    }
    // Warm-up: JIT, worker start, piscina threads.
    inlinePass(algorithm, pages)
    await devicePass(engines, pages)
    await devicePass(verifying, pages)
    await piscinaPass(pool, algorithm, ownPages)
    // The measuring core's rounds, alternating the order run by run to cancel drift on a shared machine.
    const kinds = ['inline', 'engines', 'verify', 'piscina'] as const
    const [inlineMs, enginesMs, verifyMs, piscinaMs] = await interleavedRounds(
      kinds,
      { runs, warmup: 0, alternate: true },
      async (what) => {
        if (what === 'inline') return inlinePass(algorithm, pages)
        if (what === 'engines') return devicePass(engines, pages)
        if (what === 'verify') return devicePass(verifying, pages)
        return piscinaPass(pool, algorithm, ownPages)
      },
    )
    const perSec = (ms: number) => (pages.length * 1000) / ms
    rates.inline.push(...inlineMs.map(perSec))
    rates.engines.push(...enginesMs.map(perSec))
    rates.verify.push(...verifyMs.map(perSec))
    rates.piscina.push(...piscinaMs.map(perSec))
    for (let r = 0; r < runs; r++) {
      ratios.inline.push(inlineMs[r] / enginesMs[r])
      ratios.piscina.push(piscinaMs[r] / enginesMs[r])
    }
    await Promise.all([engines.close(), verifying.close(), pool.destroy()])
    throughput.push({
      algorithm,
      inlinePagesPerSec: median(rates.inline),
      enginesPagesPerSec: median(rates.engines),
      enginesVerifyPagesPerSec: median(rates.verify),
      piscinaPagesPerSec: median(rates.piscina),
      twoEnginesVsInline: median(ratios.inline),
      vsPiscina: median(ratios.piscina),
    })
  }

  const cacheRows: CacheRow[] = []
  const readaheadPages = pages.slice(0, Math.min(pages.length, 1024))
  for (const algorithm of algorithms) {
    const store = { batch1: [] as number[], batch8: [] as number[], ratio: [] as number[] }
    const load = { single: [] as number[], batch: [] as number[], ratio: [] as number[] }
    await folioStoreUs(algorithm, 8, folios.slice(0, 8))
    for (let r = 0; r < runs; r++) {
      // Alternate which variant goes first, to cancel drift.
      const swap = r % 2 === 1
      const b1 = swap ? 0 : await folioStoreUs(algorithm, 1, folios)
      const b8 = await folioStoreUs(algorithm, 8, folios)
      const batch1 = swap ? await folioStoreUs(algorithm, 1, folios) : b1
      store.batch1.push(batch1)
      store.batch8.push(b8)
      store.ratio.push(b8 / batch1)
      const s1 = swap ? 0 : await readaheadMs(algorithm, false, readaheadPages)
      const batched = await readaheadMs(algorithm, true, readaheadPages)
      const single = swap ? await readaheadMs(algorithm, false, readaheadPages) : s1
      load.single.push(single)
      load.batch.push(batched)
      load.ratio.push(batched / single)
    }
    cacheRows.push({
      algorithm,
      folioBatch1Us: median(store.batch1),
      folioBatch8Us: median(store.batch8),
      folio64kBatch8VsBatch1: median(store.ratio),
      readaheadSingleMs: median(load.single),
      readaheadBatchMs: median(load.batch),
      readaheadBatchVsSingle: median(load.ratio),
    })
  }

  const main = throughput[0]
  return {
    report: {
      cores: availableParallelism(),
      dispatchUs: modesOnly ? Number.NaN : median(dispatch),
      twoEnginesVsInline: main?.twoEnginesVsInline ?? Number.NaN,
      vsPiscina: main?.vsPiscina ?? Number.NaN,
      folio64kBatch8VsBatch1: cacheRows[0]?.folio64kBatch8VsBatch1 ?? Number.NaN,
      readaheadBatchVsSingle: cacheRows[0]?.readaheadBatchVsSingle ?? Number.NaN,
      modeRatios,
    },
    details: {
      cpu: cpus()[0]?.model ?? 'unknown',
      threadScaling: scaling,
      corpusSource: source,
      pages: pages.length,
      runs,
      dispatchUsSync: modesOnly ? Number.NaN : median(dispatchSync),
      throughput,
      cache: cacheRows,
    },
  }
}

export function formatIaaBench({ report, details }: { report: IaaBenchReport; details: Details }): string {
  const head =
    `bench iaa: ${report.cores} cores (${details.cpu}), ${ENGINES} engines, ${details.pages} pages from ` +
    `${details.corpusSource}, median of ${details.runs} runs; 2 threads ran ${fixed(details.threadScaling)}× ` +
    'the CPU work of 1 thread during this run (2.00 = both cores free)'
  const summary = new Table({ head: ['figure', 'value', 'goal'] })
  summary.push(
    ['dispatch µs/job (noop, irq)', fixed(report.dispatchUs), `≤ ${GOALS.dispatchUs}`],
    ['dispatch µs/job (noop, sync)', fixed(details.dispatchUsSync), ''],
    [
      `2 engines ÷ inline (${details.throughput[0]?.algorithm})`,
      fixed(report.twoEnginesVsInline),
      `≥ ${GOALS.twoEnginesVsInline}`,
    ],
    [
      `2 engines ÷ piscina (${details.throughput[0]?.algorithm})`,
      fixed(report.vsPiscina),
      `≥ ${GOALS.vsPiscina}`,
    ],
    [
      `64K folio store through the cache, batch 8 ÷ batch 1 (${details.cache[0]?.algorithm})`,
      fixed(report.folio64kBatch8VsBatch1),
      `≤ ${fixed(GOALS.folio64kBatch8VsBatch1)} (seed thread: 1.4 / 3.6 µs per page)`,
    ],
    [
      `readahead, loadBatch ÷ one load per page (${details.cache[0]?.algorithm})`,
      fixed(report.readaheadBatchVsSingle),
      '< 1',
    ],
  )
  const rows = new Table({
    head: [
      'algorithm',
      'inline p/s',
      '2 engines p/s',
      '+verify p/s',
      'piscina p/s',
      'engines÷inline',
      'engines÷piscina',
    ],
  })
  for (const t of details.throughput) {
    rows.push([
      t.algorithm,
      fixed(t.inlinePagesPerSec, 0),
      fixed(t.enginesPagesPerSec, 0),
      fixed(t.enginesVerifyPagesPerSec, 0),
      fixed(t.piscinaPagesPerSec, 0),
      fixed(t.twoEnginesVsInline),
      fixed(t.vsPiscina),
    ])
  }
  const cacheTable = new Table({
    head: [
      'algorithm',
      '64K store µs, batch 1',
      'batch 8',
      'ratio',
      'readahead ms, load',
      'loadBatch',
      'ratio',
    ],
  })
  for (const c of details.cache) {
    cacheTable.push([
      c.algorithm,
      fixed(c.folioBatch1Us, 0),
      fixed(c.folioBatch8Us, 0),
      fixed(c.folio64kBatch8VsBatch1),
      fixed(c.readaheadSingleMs, 1),
      fixed(c.readaheadBatchMs, 1),
      fixed(c.readaheadBatchVsSingle),
    ])
  }
  const m = report.modeRatios
  const modes = new Table({ head: ['corpus', 'fixed', 'canned', 'dynamic', 'deflate-1', 'fixed ÷ dynamic'] })
  for (const c of [...m.corpora, { name: 'all', ...m }]) {
    modes.push([
      c.name,
      fixed(c.fixed),
      fixed(c.canned),
      fixed(c.dynamic),
      fixed(c.deflate1),
      fixed(c.fixed / c.dynamic),
    ])
  }
  const e = m.encoderUs
  const modeHead =
    `IAA compression modes (4 KiB history; deflate-1: ${m.deflate1Engine}). Checks: fixed ÷ dynamic in [0.80, 0.93] ` +
    `${m.checks.fixedOverDynamic ? 'ok' : 'FAILS'}, canned between ${m.checks.cannedBetween ? 'ok' : 'FAILS'}, ` +
    `every mode ≤ deflate-1 ${m.checks.modesBelowDeflate1 ? 'ok' : 'FAILS'}. Encoder µs/page: fixed ${fixed(e.fixed, 1)}, ` +
    `canned ${fixed(e.canned, 1)}, dynamic ${fixed(e.dynamic, 1)}; zlib Z_FIXED wb12 ${fixed(e.zlibFixedWb12, 1)} ` +
    `(fixed ÷ zlib ${fixed(e.fixedVsZlibFixed)}), deflate-1 ${fixed(e.deflate1, 1)}`
  const parts = [head, summary.toString(), rows.toString(), cacheTable.toString(), modeHead, modes.toString()]
  return parts.join('\n')
}

export default async function iaaBench(argv: string[]): Promise<number> {
  const cli = cac('bench iaa')
  cli
    .option('--json', 'print the JSON report')
    .option(
      '--corpus-dir <dir>',
      'directory of *.pages[.zst] corpora (default ../shared/corpus from the repo root)',
    )
    .option('--runs <n>', 'runs per figure (median reported)', { default: 5 })
    .option('--pages <n>', '4 KiB pages per throughput pass', { default: 2048 })
    .option('--folios <n>', '64 KiB folios per store pass', { default: 48 })
    .option('--window <n>', 'batches of 8 in flight per device pass', { default: 8 })
    .option(
      '--model <preset>',
      'modeled per-page latency for batches of 1..16 pages with a device preset (e.g. spr)',
    )
    .option('--modes-only', 'only modeRatios: the compression modes on the corpora (no device passes)')
    .option('--algorithms <list>', 'comma-separated: deflate,lz4 (the first one gives the JSON figures)', {
      default: 'deflate,lz4',
    })
    .help()
  let parsed: ReturnType<typeof cli.parse>
  try {
    parsed = cli.parse(['node', 'bench-iaa', ...argv], { run: false })
  } catch (error) {
    process.stderr.write(`bench iaa: ${(error as Error).message}\n`)
    return 2
  }
  const o = parsed.options
  if (o.help) return 0
  const ints = {
    runs: Number(o.runs),
    pages: Number(o.pages),
    folios: Number(o.folios),
    window: Number(o.window),
  }
  for (const [name, value] of Object.entries(ints)) {
    if (!Number.isInteger(value) || value < 1) {
      process.stderr.write(`bench iaa: --${name} must be a positive integer, got ${value}\n`)
      return 2
    }
  }
  if (o.model !== undefined) {
    const modeled = await runIaaModelBench({
      model: String(o.model),
      runs: ints.runs,
      ...(o.corpusDir === undefined ? {} : { corpusDir: String(o.corpusDir) }),
    })
    process.stdout.write(o.json ? `${JSON.stringify(modeled, null, 2)}\n` : `${formatIaaModel(modeled)}\n`)
    return 0
  }
  const algorithms = String(o.algorithms).split(',') as Algorithm[]
  if (algorithms.some((a) => a !== 'deflate' && a !== 'lz4')) {
    process.stderr.write(`bench iaa: --algorithms takes deflate and/or lz4, got ${o.algorithms}\n`)
    return 2
  }
  const result = await runIaaBench({
    ...ints,
    algorithms,
    modesOnly: o.modesOnly === true,
    ...(o.corpusDir === undefined ? {} : { corpusDir: String(o.corpusDir) }),
  })
  process.stdout.write(o.json ? `${JSON.stringify(result.report, null, 2)}\n` : `${formatIaaBench(result)}\n`)
  return 0
}
