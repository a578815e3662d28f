import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { isZeroFilled } from '@zswap/cache'
import { type Compressor, CorruptDataError, type Folio, isAccelerator, PAGE_SIZE } from '@zswap/core'
import Table from 'cli-table3'
import type { Corpus } from '../corpus.js'
import { compressorBackend, createStack, type Stack } from '../stacks.js'
import { CHUNK, newCache, runScaleBench, type ScaleReport, WINDOW } from './cache-scale.js'
import { parseNative } from './compressors.js'
import { fixed, loadCorpora, median } from './util.js'

/**
 * `bench cache`: the cost of the cache around the compressor. On each corpus,
 * store and load throughput through the cache (lz4 with its default options,
 * so liblz4 when its addon is built, + zsmalloc, order-0 folios, one
 * store/load call per page) is divided by the throughput of the same
 * Compressor alone (the driver the cache runs, compressing into page buffers
 * and decompressing the pages the cache stored: `storeVsRaw`/`loadVsRaw`),
 * and by native `lz4 -b1 -B4096 -i1` (the reference C code with no Node
 * around it: `storeVsNative`/`loadVsNative`), all three measured in each run.
 *
 * Timing discipline, the same on every side: the native CLI reports the best
 * speed it saw over about one second of passes; the driver and the cache are
 * timed the same way — one pass over all pages, then passes for about one
 * second timed as a block, the faster of the two (per page: the pass's
 * time ÷ pages; a cache pass is a fresh cache storing every page, then
 * loading every stored page). Under load from other processes each side then
 * sees the same kind of window. The three take turns in alternating order
 * from run to run; figures are medians of the per-run ratios. Loads cover the
 * pages the cache stored (incompressible pages are rejected at store).
 *
 * Ratios are of wall-clock time. The same driver ÷ cache ratios of process
 * CPU time are reported too (`cpu`): on a shared machine they are steadier,
 * because time the process spends preempted does not count.
 *
 * The cache's zero check (an all-zero page takes no compression, Linux ≥
 * 6.12) is timed in each run too: `isZeroFilled` over every non-zero page
 * of the corpus, per page, ÷ the cache's store time per page of the same run
 * (`zeroCheckCost`), and the same for its worst case, a page whose only
 * non-zero byte is the last (`zeroCheckWorst`). The driver's load baseline
 * does what the cache does for pages that take no decompression: a zero
 * fill for an all-zero page, a copy for one stored as-is.
 *
 * With `--pages N` it measures scale instead (see cache-scale.ts).
 */

const GOALS = {
  storeVsRaw: 0.85,
  loadVsRaw: 0.8,
  bytesPerEntry: 32,
  storeVsNative: 0.75,
  loadVsNative: 0.6,
  zeroCheckCost: 0.03,
}

/** Milliseconds of one timed loop: wall clock and process CPU (user + system). */
interface Time {
  wall: number
  cpu: number
}

const NO_TIME: Time = { wall: Number.NaN, cpu: Number.NaN }

function stopwatch() {
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  return (): Time => {
    const wall = performance.now() - t0
    const cpu = process.cpuUsage(cpu0)
    return { wall, cpu: (cpu.user + cpu.system) / 1e3 }
  }
}

/** Store and load time of one pass. */
interface PassTime {
  store: Time
  load: Time
}

/**
 * Times `pass` the way `lz4 -b -i1` times itself: one pass, then passes for
 * about `ms` milliseconds timed as a block; per side the faster of the two.
 */
async function bestOf(pass: () => PassTime | Promise<PassTime>, ms: number): Promise<PassTime> {
  const single = await pass()
  const loops = Math.max(1, Math.round(ms / Math.max(single.store.wall + single.load.wall, 0.001)))
  const sum = { store: { wall: 0, cpu: 0 }, load: { wall: 0, cpu: 0 } }
  for (let k = 0; k < loops; k++) {
    const t = await pass()
    sum.store.wall += t.store.wall
    sum.store.cpu += t.store.cpu
    sum.load.wall += t.load.wall
    sum.load.cpu += t.load.cpu
  }
  const pick = (a: Time, total: Time): Time => ({
    wall: Math.min(a.wall, total.wall / loops),
    cpu: Math.min(a.cpu, total.cpu / loops),
  })
  return { store: pick(single.store, sum.store), load: pick(single.load, sum.load) }
}

interface Sample {
  /** isZeroFilled over the corpus's non-zero pages, and over as many worst-case pages (only the last byte set). */
  zeroCheck: Time
  zeroCheckWorst: Time
  driverStore: Time
  cacheStore: Time
  driverLoad: Time
  cacheLoad: Time
  storedPages: number
  metadataBytes: number
  /** Native `lz4 -b1 -B4096` MB/s in this run; NaN when the CLI is missing or skipped. */
  nativeStoreMBps: number
  nativeLoadMBps: number
}

/** Per-corpus figures (medians over runs). */
export interface CacheBenchCorpus {
  name: string
  pages: number
  /** Pages the cache accepted (the rest are incompressible: reject_compress_poor). */
  storedPages: number
  /** Cache store throughput ÷ the driver's alone (the Compressor the cache runs), same run. */
  storeVsRaw: number
  /** Cache load throughput ÷ the driver's decompress over the same pages, same run. */
  loadVsRaw: number
  bytesPerEntry: number
  driverStoreMBps: number
  cacheStoreMBps: number
  driverLoadMBps: number
  cacheLoadMBps: number
  /** Cache store MB/s ÷ native `lz4 -b1 -B4096` compress MB/s, same run; null without the CLI. */
  storeVsNative: number | null
  /** Cache load MB/s ÷ native lz4 decompress MB/s, same run; null without the CLI. */
  loadVsNative: number | null
  /** The driver alone ÷ native, same run (what the binding costs before the cache adds its part). */
  driverStoreVsNative: number | null
  driverLoadVsNative: number | null
  nativeStoreMBps: number | null
  nativeLoadMBps: number | null
  /** The same ratios computed from process CPU time. */
  cpu: CpuRatios
  /** The zero check's time per non-zero page ÷ the cache's store time per page, same run. */
  zeroCheckCost: number
  /** The same for a page whose only non-zero byte is its last (a full scan). */
  zeroCheckWorst: number
}

/** Ratios of process CPU time instead of wall-clock time. */
export interface CpuRatios {
  storeVsRaw: number
  loadVsRaw: number
}

/** The JSON document `bench cache --json` prints. */
export interface CacheBenchReport {
  storeVsRaw: number
  loadVsRaw: number
  bytesPerEntry: number
  /** Overall cache store MB/s ÷ native lz4 compress MB/s (per run over all corpora, median); null without the CLI. */
  storeVsNative: number | null
  /** Overall cache load MB/s ÷ native lz4 decompress MB/s; null without the CLI. */
  loadVsNative: number | null
  driverStoreVsNative: number | null
  driverLoadVsNative: number | null
  cpu: CpuRatios
  /** Over all corpora: the zero check's time per non-zero page ÷ the cache's store time per page (goal < 0.03). */
  zeroCheckCost: number
  zeroCheckWorst: number
  /** The stack measured, e.g. `'lz4+zsmalloc'`. */
  stack: string
  /** The compressor's library (lz4: `'liblz4'` or `'lz4-napi'`), when it says. */
  backend?: string
  /** How each side was timed. */
  timing: string
  goals: typeof GOALS
  runs: number
  source: string
  machine: { cpus: number; cpuModel: string; node: string; loadAverage: number[] }
  corpora: CacheBenchCorpus[]
}

const TIMING = 'best of one pass and a ~1 s block of passes on every side (the way `lz4 -b -i1` times itself)'

class Workload {
  readonly pages: number
  readonly storeFolios: Folio[] = []
  readonly loadFolios: Folio[] = []
  readonly out: Uint8Array
  /** Driver output: one page-size slot per page, the length written, and the exact-length blocks. */
  readonly slots: Uint8Array[] = []
  readonly lengths: Int32Array
  blocks: Uint8Array[] = []
  /** Indices of pages the cache stored in the last cache run. */
  readonly stored: Int32Array
  storedCount = 0
  /** Per page: all zeros (the cache maps it, no compression). */
  readonly zero: Uint8Array
  /** Indices of the pages with a non-zero byte. */
  readonly nonZero: Int32Array
  /** A page whose only non-zero byte is the last: the zero check's full scan. */
  readonly worst = new Uint8Array(PAGE_SIZE)

  constructor(readonly corpus: Corpus) {
    const { data } = corpus
    this.pages = corpus.pages
    this.out = new Uint8Array(data.length)
    this.stored = new Int32Array(this.pages)
    this.lengths = new Int32Array(this.pages)
    const slab = new Uint8Array(data.length)
    this.zero = new Uint8Array(this.pages)
    const nonZero: number[] = []
    this.worst[PAGE_SIZE - 1] = 1
    for (let i = 0; i < this.pages; i++) {
      const page = data.subarray(i * PAGE_SIZE, (i + 1) * PAGE_SIZE)
      if (page.every((b) => b === 0)) this.zero[i] = 1
      else nonZero.push(i)
    }
    this.nonZero = Int32Array.from(nonZero)
    for (let i = 0; i < this.pages; i++) {
      const at = i * PAGE_SIZE
      this.slots.push(slab.subarray(at, at + PAGE_SIZE))
      const swap = { type: 0, offset: i }
      this.storeFolios.push({ swap, order: 0, data: data.subarray(at, at + PAGE_SIZE) })
      this.loadFolios.push({ swap, order: 0, data: this.out.subarray(at, at + PAGE_SIZE) })
    }
  }

  /**
   * The zero check alone: isZeroFilled over every non-zero page (what each
   * store of such a page pays first), then over as many worst-case pages.
   */
  zeroCheckPass(): PassTime {
    const { storeFolios, nonZero, worst } = this
    let found = 0
    let stop = stopwatch()
    for (let k = 0; k < nonZero.length; k++) if (isZeroFilled(storeFolios[nonZero[k]].data)) found++
    const store = stop()
    stop = stopwatch()
    for (let k = 0; k < nonZero.length; k++) if (isZeroFilled(worst)) found++
    const load = stop()
    if (found !== 0)
      throw new CorruptDataError('[zswap-harness] the zero check found zeros in a non-zero page')
    return { store, load }
  }

  /**
   * The Compressor alone, into caller-owned buffers, over every page; then
   * decompressing the pages the cache stored: what the cache pays before its
   * own work. Views are made once, so the timed loops hold only the driver's calls.
   * A stored page that takes no decompression in the cache (all zeros: a
   * fill; did not compress: stored as-is, a copy) gets the same here.
   */
  driverPass(c: Compressor): PassTime {
    const { storeFolios, slots, lengths, pages, stored, storedCount, loadFolios, zero } = this
    let stop = stopwatch()
    for (let i = 0; i < pages; i++) lengths[i] = c.compress(storeFolios[i].data, slots[i])
    const store = stop()
    if (this.blocks.length === 0) this.blocks = slots.map((s, i) => s.subarray(0, Math.max(0, lengths[i])))
    const blocks = this.blocks
    let check = 0
    stop = stopwatch()
    for (let k = 0; k < storedCount; k++) {
      const i = stored[k]
      const length = lengths[i]
      if (zero[i] === 1) {
        loadFolios[i].data.fill(0)
        check += PAGE_SIZE
      } else if (length < 1 || length >= PAGE_SIZE) {
        loadFolios[i].data.set(storeFolios[i].data)
        check += PAGE_SIZE
      } else {
        check += c.decompress(blocks[i], loadFolios[i].data)
      }
    }
    const load = stop()
    if (check !== storedCount * PAGE_SIZE) {
      throw new CorruptDataError('[zswap-harness] driver round trip lost bytes')
    }
    return { store, load }
  }

  /** A fresh cache stores every page, one call per page, then loads every stored page. */
  async cachePass(
    makeStack: () => Promise<Stack>,
  ): Promise<PassTime & { storedPages: number; metadataBytes: number }> {
    const zswap = await newCache(makeStack, 1000 * this.corpus.data.length)
    try {
      const { storeFolios, loadFolios, stored, pages } = this
      let n = 0
      let stop = stopwatch()
      for (let i = 0; i < pages; i++) if (await zswap.store(storeFolios[i])) stored[n++] = i
      const store = stop()
      this.storedCount = n
      const storedPages = zswap.storedPages
      const metadataBytes = zswap.metadataBytes
      this.out.fill(0x5a)
      let failed = 0
      stop = stopwatch()
      for (let k = 0; k < n; k++) if (!(await zswap.load(loadFolios[stored[k]]))) failed++
      const load = stop()
      this.verify(failed)
      return { store, load, storedPages, metadataBytes }
    } finally {
      await zswap.close()
    }
  }

  private verify(failed: number): void {
    const a = Buffer.from(this.corpus.data.buffer, this.corpus.data.byteOffset, this.corpus.data.length)
    const b = Buffer.from(this.out.buffer, this.out.byteOffset, this.out.length)
    let bad = 0
    for (let k = 0; k < this.storedCount; k++) {
      const at = this.stored[k] * PAGE_SIZE
      if (a.compare(b, at, at + PAGE_SIZE, at, at + PAGE_SIZE) !== 0) bad++
    }
    if (failed > 0 || bad > 0) {
      throw new CorruptDataError(
        `[zswap-harness] bench cache: integrity check failed on ${this.corpus.name}: ` +
          `${failed} failed loads, ${bad} pages differ`,
      )
    }
  }
}

/** Native `lz4 -b1 -B4096 -i1` on a raw pages file, MB/s; NaN when the CLI is missing or fails. */
function lz4Native(file: string | undefined): { c: number; d: number } {
  if (file === undefined) return { c: Number.NaN, d: Number.NaN }
  const result = spawnSync('lz4', ['-b1', '-B4096', '-i1', file], { encoding: 'utf8', timeout: 120_000 })
  const n =
    result.error === undefined ? parseNative(`${result.stdout ?? ''}${result.stderr ?? ''}`) : undefined
  return n === undefined ? { c: Number.NaN, d: Number.NaN } : { c: n.c, d: n.d }
}

async function measure(
  w: Workload,
  cacheFirst: boolean,
  makeStack: () => Promise<Stack>,
  driver: Compressor | undefined,
  blockMs: number,
  nativeFile?: string,
): Promise<Sample> {
  // The stored pages the driver's loads cover are the cache's: the warm-up establishes them
  // (compression is deterministic, so they are the same in every run).
  let d: PassTime = { store: NO_TIME, load: NO_TIME }
  let z: PassTime = { store: NO_TIME, load: NO_TIME }
  let nativeMBps = { c: Number.NaN, d: Number.NaN }
  const baselines = async () => {
    nativeMBps = lz4Native(nativeFile)
    if (driver !== undefined) d = await bestOf(() => w.driverPass(driver), blockMs)
    z = await bestOf(() => w.zeroCheckPass(), blockMs / 4)
  }
  let info = { storedPages: 0, metadataBytes: 0 }
  const cache = () =>
    bestOf(async () => {
      const r = await w.cachePass(makeStack)
      info = r
      return r
    }, blockMs)
  if (!cacheFirst) await baselines()
  const c = await cache()
  if (cacheFirst) await baselines()
  return {
    zeroCheck: z.store,
    zeroCheckWorst: z.load,
    driverStore: d.store,
    cacheStore: c.store,
    driverLoad: d.load,
    cacheLoad: c.load,
    storedPages: info.storedPages,
    metadataBytes: info.metadataBytes,
    nativeStoreMBps: nativeMBps.c,
    nativeLoadMBps: nativeMBps.d,
  }
}

const mbps = (bytes: number, ms: number) => bytes / 1e3 / ms
const mbpsToMs = (bytes: number, rate: number) => bytes / 1e3 / rate

type Clock = keyof Time

/** Median over runs of baseline time ÷ measured time (a throughput ratio: same bytes both sides). */
function ratio(samples: Sample[], base: (s: Sample) => Time, measured: (s: Sample) => Time, clock: Clock) {
  return median(samples.map((s) => base(s)[clock] / measured(s)[clock]))
}

/** Median of the finite values, or null when there are none (the CLI was missing or skipped). */
function finiteMedian(values: number[]): number | null {
  const ok = values.filter((v) => Number.isFinite(v))
  return ok.length === 0 ? null : median(ok)
}

/** Cache (or driver) MB/s ÷ native lz4 MB/s of the same run, median over runs. */
function vsNative(samples: Sample[], store: (s: Sample) => number, load: (s: Sample) => number) {
  return {
    store: finiteMedian(samples.map((s) => store(s) / s.nativeStoreMBps)),
    load: finiteMedian(samples.map((s) => load(s) / s.nativeLoadMBps)),
  }
}

const cpuRatios = (s: Sample[]): CpuRatios => ({
  storeVsRaw: ratio(
    s,
    (x) => x.driverStore,
    (x) => x.cacheStore,
    'cpu',
  ),
  loadVsRaw: ratio(
    s,
    (x) => x.driverLoad,
    (x) => x.cacheLoad,
    'cpu',
  ),
})

/** Runs the bench and returns its figures. */
export async function runCacheBench(options: {
  corpusDir?: string
  runs: number
  /** The stack under test; default lz4+zsmalloc. */
  createStack?: () => Promise<Stack>
  /** lz4's checksum in the default stack (default true). */
  checksum?: boolean
  /** Run native `lz4 -b1 -B4096` in every run for storeVsNative/loadVsNative (default true). */
  native?: boolean
  /** Length of each timed block of passes, ms (default 1000, as `lz4 -i1`). */
  blockMs?: number
}): Promise<CacheBenchReport> {
  const makeStack =
    options.createStack ??
    (() => createStack({ compressor: 'lz4', zpool: 'zsmalloc', lz4Checksum: options.checksum ?? true }))
  const blockMs = options.blockMs ?? 1000
  // A compressor of the same kind, measured on its own (the baseline of storeVsRaw/loadVsRaw).
  const probe = await makeStack()
  probe.zpool.destroy()
  const driver = isAccelerator(probe.compressor) ? undefined : probe.compressor
  const { corpora, source } = loadCorpora(options.corpusDir === undefined ? {} : { dir: options.corpusDir })
  const workloads = corpora.map((c) => new Workload(c))
  const samples: Sample[][] = workloads.map(() => [])
  // the corpora as raw pages files for the native CLI
  const tmp = options.native === false ? undefined : mkdtempSync(join(tmpdir(), 'zswap-bench-cache-'))
  const files = workloads.map((w, i) => {
    if (tmp === undefined) return undefined
    const file = join(tmp, `${i}.pages`)
    writeFileSync(file, w.corpus.data)
    return file
  })
  try {
    // warm-up, not recorded: JIT, and the set of pages the cache stores
    for (const w of workloads) {
      await w.cachePass(makeStack)
      if (driver !== undefined) w.driverPass(driver)
    }
    for (let r = 0; r < options.runs; r++) {
      for (let i = 0; i < workloads.length; i++) {
        samples[i].push(await measure(workloads[i], r % 2 === 0, makeStack, driver, blockMs, files[i]))
      }
    }
  } finally {
    if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true })
    if (isAccelerator(probe.compressor)) await probe.compressor.close()
    else probe.compressor.close?.()
  }

  const perCorpus: CacheBenchCorpus[] = workloads.map((w, i) => {
    const s = samples[i]
    const stored = s[s.length - 1].storedPages
    const storedBytes = stored * PAGE_SIZE
    const bytes = w.pages * PAGE_SIZE
    const rate = (n: number, t: (x: Sample) => Time) => median(s.map((x) => mbps(n, t(x).wall)))
    const cacheVsNative = vsNative(
      s,
      (x) => mbps(bytes, x.cacheStore.wall),
      (x) => mbps(storedBytes, x.cacheLoad.wall),
    )
    const driverVsNative = vsNative(
      s,
      (x) => mbps(bytes, x.driverStore.wall),
      (x) => mbps(storedBytes, x.driverLoad.wall),
    )
    return {
      name: w.corpus.name,
      pages: w.pages,
      storedPages: stored,
      storeVsRaw: ratio(
        s,
        (x) => x.driverStore,
        (x) => x.cacheStore,
        'wall',
      ),
      loadVsRaw: ratio(
        s,
        (x) => x.driverLoad,
        (x) => x.cacheLoad,
        'wall',
      ),
      bytesPerEntry: median(s.map((x) => x.metadataBytes / x.storedPages)),
      driverStoreMBps: rate(bytes, (x) => x.driverStore),
      cacheStoreMBps: rate(bytes, (x) => x.cacheStore),
      driverLoadMBps: rate(storedBytes, (x) => x.driverLoad),
      cacheLoadMBps: rate(storedBytes, (x) => x.cacheLoad),
      storeVsNative: cacheVsNative.store,
      loadVsNative: cacheVsNative.load,
      driverStoreVsNative: driverVsNative.store,
      driverLoadVsNative: driverVsNative.load,
      nativeStoreMBps: finiteMedian(s.map((x) => x.nativeStoreMBps)),
      nativeLoadMBps: finiteMedian(s.map((x) => x.nativeLoadMBps)),
      cpu: cpuRatios(s),
      zeroCheckCost: median(
        s.map((x) => x.zeroCheck.wall / w.nonZero.length / (x.cacheStore.wall / w.pages)),
      ),
      zeroCheckWorst: median(
        s.map((x) => x.zeroCheckWorst.wall / w.nonZero.length / (x.cacheStore.wall / w.pages)),
      ),
    }
  })
  // Overall: one sample per run whose times are the sums over the corpora; then the same medians.
  const add = (a: Time, b: Time): Time => ({ wall: a.wall + b.wall, cpu: a.cpu + b.cpu })
  const zero = (): Time => ({ wall: 0, cpu: 0 })
  const totals: Sample[] = Array.from({ length: options.runs }, (_, r) =>
    samples.reduce(
      (acc, s) => ({
        zeroCheck: add(acc.zeroCheck, s[r].zeroCheck),
        zeroCheckWorst: add(acc.zeroCheckWorst, s[r].zeroCheckWorst),
        driverStore: add(acc.driverStore, s[r].driverStore),
        cacheStore: add(acc.cacheStore, s[r].cacheStore),
        driverLoad: add(acc.driverLoad, s[r].driverLoad),
        cacheLoad: add(acc.cacheLoad, s[r].cacheLoad),
        storedPages: acc.storedPages + s[r].storedPages,
        metadataBytes: acc.metadataBytes + s[r].metadataBytes,
        // native MB/s over all corpora: set below from each corpus's bytes and rate
        nativeStoreMBps: Number.NaN,
        nativeLoadMBps: Number.NaN,
      }),
      {
        zeroCheck: zero(),
        zeroCheckWorst: zero(),
        driverStore: zero(),
        cacheStore: zero(),
        driverLoad: zero(),
        cacheLoad: zero(),
        storedPages: 0,
        metadataBytes: 0,
        nativeStoreMBps: 0,
        nativeLoadMBps: 0,
      },
    ),
  )
  // Overall native MB/s of a run: all corpora's bytes ÷ the time native lz4 takes on each of them.
  const corpusBytes = workloads.map((w) => w.pages * PAGE_SIZE)
  const allBytes = corpusBytes.reduce((a, b) => a + b, 0)
  for (let r = 0; r < totals.length; r++) {
    let storeMs = 0
    let loadMs = 0
    for (let i = 0; i < samples.length; i++) {
      storeMs += mbpsToMs(corpusBytes[i], samples[i][r].nativeStoreMBps)
      loadMs += mbpsToMs(corpusBytes[i], samples[i][r].nativeLoadMBps)
    }
    totals[r].nativeStoreMBps = mbps(allBytes, storeMs)
    totals[r].nativeLoadMBps = mbps(allBytes, loadMs)
  }
  const overall = vsNative(
    totals,
    (x) => mbps(allBytes, x.cacheStore.wall),
    (x) => mbps(x.storedPages * PAGE_SIZE, x.cacheLoad.wall),
  )
  const overallDriver = vsNative(
    totals,
    (x) => mbps(allBytes, x.driverStore.wall),
    (x) => mbps(x.storedPages * PAGE_SIZE, x.driverLoad.wall),
  )
  const backend = compressorBackend(probe.compressor)
  const allPages = workloads.reduce((n, w) => n + w.pages, 0)
  const allNonZero = workloads.reduce((n, w) => n + w.nonZero.length, 0)
  const zeroCost = (t: (x: Sample) => Time) =>
    median(totals.map((x) => t(x).wall / allNonZero / (x.cacheStore.wall / allPages)))
  return {
    storeVsRaw: ratio(
      totals,
      (x) => x.driverStore,
      (x) => x.cacheStore,
      'wall',
    ),
    loadVsRaw: ratio(
      totals,
      (x) => x.driverLoad,
      (x) => x.cacheLoad,
      'wall',
    ),
    bytesPerEntry: median(totals.map((x) => x.metadataBytes / x.storedPages)),
    storeVsNative: overall.store,
    loadVsNative: overall.load,
    driverStoreVsNative: overallDriver.store,
    driverLoadVsNative: overallDriver.load,
    cpu: cpuRatios(totals),
    zeroCheckCost: zeroCost((x) => x.zeroCheck),
    zeroCheckWorst: zeroCost((x) => x.zeroCheckWorst),
    stack: probe.name,
    ...(backend === undefined ? {} : { backend }),
    timing: TIMING,
    goals: GOALS,
    runs: options.runs,
    source,
    machine: machine(),
    corpora: perCorpus,
  }
}

export function machine() {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    loadAverage: loadavg().map((x) => Math.round(x * 100) / 100),
  }
}

const orDash = (a: number | null, b: number | null) =>
  a === null || b === null ? '-' : `${fixed(a)} / ${fixed(b)}`

function formatCacheBench(report: CacheBenchReport): string {
  const table = new Table({
    head: [
      'corpus',
      'pages (stored)',
      'store MB/s driver / cache',
      'storeVsRaw (cpu)',
      'load MB/s driver / cache',
      'loadVsRaw (cpu)',
      'native lz4 MB/s c / d',
      'vsNative store / load',
      'driver vsNative',
      'B/entry',
      'zero check % (worst)',
    ],
    colAligns: [
      'left',
      'right',
      'right',
      'right',
      'right',
      'right',
      'right',
      'right',
      'right',
      'right',
      'right',
    ],
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  })
  const tiers = (a: number, b: number) => `${fixed(a, 0)} / ${fixed(b, 0)}`
  const pair = (wall: number, cpu: number) => `${fixed(wall)} (${fixed(cpu)})`
  const percent = (cost: number, worst: number) => `${fixed(cost * 100)} (${fixed(worst * 100)})`
  for (const c of report.corpora) {
    table.push([
      c.name,
      `${c.pages} (${c.storedPages})`,
      tiers(c.driverStoreMBps, c.cacheStoreMBps),
      pair(c.storeVsRaw, c.cpu.storeVsRaw),
      tiers(c.driverLoadMBps, c.cacheLoadMBps),
      pair(c.loadVsRaw, c.cpu.loadVsRaw),
      c.nativeStoreMBps === null
        ? '-'
        : `${fixed(c.nativeStoreMBps, 0)} / ${fixed(c.nativeLoadMBps as number, 0)}`,
      orDash(c.storeVsNative, c.loadVsNative),
      orDash(c.driverStoreVsNative, c.driverLoadVsNative),
      fixed(c.bytesPerEntry, 1),
      percent(c.zeroCheckCost, c.zeroCheckWorst),
    ])
  }
  table.push([
    'overall',
    '',
    '',
    pair(report.storeVsRaw, report.cpu.storeVsRaw),
    '',
    pair(report.loadVsRaw, report.cpu.loadVsRaw),
    '',
    orDash(report.storeVsNative, report.loadVsNative),
    orDash(report.driverStoreVsNative, report.driverLoadVsNative),
    fixed(report.bytesPerEntry, 1),
    percent(report.zeroCheckCost, report.zeroCheckWorst),
  ])
  const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED')
  const { goals, machine } = report
  const nativeGoals =
    report.storeVsNative === null || report.loadVsNative === null
      ? 'vs native: lz4 CLI not found'
      : `storeVsNative ≥ ${goals.storeVsNative} ${verdict(report.storeVsNative >= goals.storeVsNative)}, ` +
        `loadVsNative ≥ ${goals.loadVsNative} ${verdict(report.loadVsNative >= goals.loadVsNative)}`
  return [
    `bench cache: ${report.stack}${report.backend ? ` (${report.backend})` : ''}, order-0 folios, one call per page, ` +
      'vs the same driver alone and native lz4 in the same run',
    `corpora: ${report.source}; medians of ${report.runs} interleaved runs; timing: ${report.timing}; ` +
      `${machine.cpus} CPUs (${machine.cpuModel}), load average ${machine.loadAverage.join(' ')}, node ${machine.node}`,
    table.toString(),
    'driver = the Compressor the cache runs, alone, into page buffers (raw in storeVsRaw/loadVsRaw); ' +
      'cache = store()/load() per page; (cpu) = the ratio of process CPU time',
    `goals (wall clock): storeVsRaw ≥ ${goals.storeVsRaw} ${verdict(report.storeVsRaw >= goals.storeVsRaw)}, ` +
      `loadVsRaw ≥ ${goals.loadVsRaw} ${verdict(report.loadVsRaw >= goals.loadVsRaw)}, ` +
      `bytesPerEntry ≤ ${goals.bytesPerEntry} ${verdict(report.bytesPerEntry <= goals.bytesPerEntry)}, ` +
      `zeroCheckCost < ${goals.zeroCheckCost} ${verdict(report.zeroCheckCost < goals.zeroCheckCost)}, ${nativeGoals}`,
    'zero check % = isZeroFilled per non-zero page ÷ the cache store per page, same run (worst: only the last byte set)',
    'vsNative = MB/s ÷ `lz4 -b1 -B4096 -i1` MB/s in the same run (wall clock: the CLI reports no CPU time)',
  ].join('\n')
}

function formatScale(r: ScaleReport, m: ReturnType<typeof machine>): string {
  const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED')
  return [
    `bench cache --pages ${r.pages}: ${r.stack}${r.backend ? ` (${r.backend})` : ''}, one store() per 4 KiB page, ` +
      `corpora ${r.source} cycled with a per-page variation; ${r.storedPages} stored`,
    `load average ${m.loadAverage.join(' ')}, node ${m.node}`,
    `store CPU µs/page: first ${WINDOW} ${fixed(r.firstWindowUsPerPage, 2)}, last ${WINDOW} ${fixed(r.lastWindowUsPerPage, 2)} ` +
      `(medians of ${CHUNK}-page chunks); wall clock ${fixed(r.wallFirstWindowUsPerPage, 2)} → ` +
      `${fixed(r.wallLastWindowUsPerPage, 2)} (${fixed(r.wallStoreCostScaling, 3)})`,
    `storeCostScaling ${fixed(r.storeCostScaling, 3)} (means: ${fixed(r.storeCostScalingMean, 3)}), ` +
      `goal ≤ ${r.goals.storeCostScaling} ${verdict(r.storeCostScaling <= r.goals.storeCostScaling)}`,
    `metadata measured from the process: ${fixed(r.metadataBytesPerEntry, 1)} B/entry ` +
      `(zpool pages excluded: ${fixed(r.zpoolPageBytes / 2 ** 20, 0)} MiB; of which zpool metadata ` +
      `${r.zpoolMetadataBytesPerEntry === null ? '?' : fixed(r.zpoolMetadataBytesPerEntry, 1)} B/entry; ` +
      `the cache's own tables ${fixed(r.tableBytesPerEntry, 1)} B/entry), ` +
      `goal ≤ ${r.goals.metadataBytesPerEntry} ${verdict(r.metadataBytesPerEntry <= r.goals.metadataBytesPerEntry)}`,
  ].join('\n')
}

/** `bench cache [--json] [--corpus-dir D] [--runs N] [--block-ms MS] [--pages N]` */
export default async function cacheBench(argv: string[]): Promise<number> {
  let values: {
    json?: boolean
    'corpus-dir'?: string
    runs?: string
    'block-ms'?: string
    pages?: string
    'no-checksum'?: boolean
    'no-native'?: boolean
    help?: boolean
  }
  try {
    ;({ values } = parseArgs({
      args: argv,
      options: {
        json: { type: 'boolean' },
        'corpus-dir': { type: 'string' },
        runs: { type: 'string' },
        'block-ms': { type: 'string' },
        pages: { type: 'string' },
        'no-checksum': { type: 'boolean' },
        'no-native': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }))
  } catch (error) {
    process.stderr.write(`bench cache: ${(error as Error).message}\n`)
    return 2
  }
  if (values.help) {
    process.stdout.write(
      'usage: bench cache [--json] [--corpus-dir DIR] [--runs N (default 5)] [--block-ms MS (default 1000)] ' +
        '[--no-checksum (lz4 as the kernel has it)] [--no-native (skip the lz4 CLI)]\n' +
        `       bench cache --pages N [--json] [--corpus-dir DIR]   (scale: N a multiple of ${CHUNK}, ≥ ${2 * WINDOW})\n`,
    )
    return 0
  }
  const runs = values.runs === undefined ? 5 : Number(values.runs)
  if (!Number.isInteger(runs) || runs < 1) {
    process.stderr.write(`bench cache: --runs must be a positive integer, got ${values.runs}\n`)
    return 2
  }
  const blockMs = values['block-ms'] === undefined ? 1000 : Number(values['block-ms'])
  if (!Number.isFinite(blockMs) || blockMs < 0) {
    process.stderr.write(`bench cache: --block-ms must be a number ≥ 0, got ${values['block-ms']}\n`)
    return 2
  }
  const checksum = !values['no-checksum']
  const makeStack = () => createStack({ compressor: 'lz4', zpool: 'zsmalloc', lz4Checksum: checksum })
  if (values.pages !== undefined) {
    const pages = Number(values.pages)
    if (!Number.isInteger(pages) || pages < 2 * WINDOW || pages % CHUNK !== 0) {
      process.stderr.write(
        `bench cache: --pages must be a multiple of ${CHUNK}, at least ${2 * WINDOW}, got ${values.pages}\n`,
      )
      return 2
    }
    const { corpora, source } = loadCorpora(
      values['corpus-dir'] === undefined ? {} : { dir: values['corpus-dir'] },
    )
    const probe = await makeStack()
    probe.zpool.destroy()
    probe.compressor.close?.()
    const report = await runScaleBench({
      pages,
      corpora,
      source,
      makeStack,
      stackName: probe.name,
      backend: compressorBackend(probe.compressor),
    })
    const m = machine()
    process.stdout.write(
      values.json ? `${JSON.stringify({ ...report, machine: m }, null, 2)}\n` : `${formatScale(report, m)}\n`,
    )
    return 0
  }
  const report = await runCacheBench({
    runs,
    blockMs,
    checksum,
    native: !values['no-native'],
    ...(values['corpus-dir'] === undefined ? {} : { corpusDir: values['corpus-dir'] }),
  })
  process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatCacheBench(report)}\n`)
  return 0
}
