import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { createZswap } from '@zswap/cache'
import { type Compressor, CorruptDataError, type Folio, isAccelerator, PAGE_SIZE } from '@zswap/core'
import Table from 'cli-table3'
import { compressSync, uncompressSync } from 'lz4-napi'
import type { Corpus } from '../corpus.js'
import { compressorBackend, createStack, type Stack } from '../stacks.js'
import { parseNative } from './compressors.js'
import { fixed, loadCorpora, median } from './util.js'

/**
 * `bench cache`: the cost of the cache around the compressor. On each corpus,
 * store and load throughput through the cache (lz4 with its default options,
 * so liblz4 when its addon is built, + zsmalloc, order-0 folios, one
 * store/load call per page) is divided by a raw lz4-napi
 * compressSync/uncompressSync loop over the same pages in the same run, and
 * by native `lz4 -b1 -B4096 -i1` (the reference C code with no Node around
 * it; `storeVsNative`/`loadVsNative`), the CLI run within each run. The
 * stack's Compressor alone (into page buffers, no cache) is measured too, so
 * the gap splits into what the driver costs and what the cache adds. The
 * baselines and the cache alternate order from run to run to cancel drift;
 * figures are medians of the per-run ratios. Loads cover the pages the cache
 * stored (incompressible pages are rejected at store), in every tier.
 *
 * Ratios are of wall-clock time. The same ratios of process CPU time are
 * reported too (`cpu`): on a shared machine they are steadier, because time
 * the process spends preempted does not count.
 */

const GOALS = { storeVsRaw: 0.85, loadVsRaw: 0.8, bytesPerEntry: 32, storeVsNative: 0.75, loadVsNative: 0.6 }

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

interface Sample {
  rawStore: Time
  driverStore: Time
  cacheStore: Time
  rawLoad: Time
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
  storeVsRaw: number
  loadVsRaw: number
  bytesPerEntry: number
  /** The Compressor alone (no cache) against raw lz4-napi: what the driver itself costs. */
  driverStoreVsRaw: number
  driverLoadVsRaw: number
  rawStoreMBps: number
  driverStoreMBps: number
  cacheStoreMBps: number
  rawLoadMBps: number
  driverLoadMBps: number
  cacheLoadMBps: number
  /** Cache store MB/s ÷ native `lz4 -b1 -B4096` compress MB/s, same run; null without the CLI. */
  storeVsNative: number | null
  /** Cache load MB/s ÷ native lz4 decompress MB/s, same run; null without the CLI. */
  loadVsNative: number | null
  nativeStoreMBps: number | null
  nativeLoadMBps: number | null
  /** The same ratios computed from process CPU time. */
  cpu: CpuRatios
}

/** Ratios of process CPU time instead of wall-clock time. */
export interface CpuRatios {
  storeVsRaw: number
  loadVsRaw: number
  driverStoreVsRaw: number
  driverLoadVsRaw: number
}

/** The JSON document `bench cache --json` prints. */
export interface CacheBenchReport {
  storeVsRaw: number
  loadVsRaw: number
  bytesPerEntry: number
  driverStoreVsRaw: number
  driverLoadVsRaw: number
  /** Overall cache store MB/s ÷ native lz4 compress MB/s (per run over all corpora, median); null without the CLI. */
  storeVsNative: number | null
  /** Overall cache load MB/s ÷ native lz4 decompress MB/s; null without the CLI. */
  loadVsNative: number | null
  cpu: CpuRatios
  /** The stack measured, e.g. `'lz4+zsmalloc'`. */
  stack: string
  /** The compressor's library (lz4: `'liblz4'` or `'lz4-napi'`), when it says. */
  backend?: string
  goals: typeof GOALS
  runs: number
  source: string
  machine: { cpus: number; cpuModel: string; node: string; loadAverage: number[] }
  corpora: CacheBenchCorpus[]
}

class Workload {
  readonly pages: number
  readonly views: Buffer[] = []
  readonly compressed: Buffer[] = []
  readonly storeFolios: Folio[] = []
  readonly loadFolios: Folio[] = []
  readonly out: Uint8Array
  /** Driver output: one page-size slot per page, and the length written. */
  readonly slots: Uint8Array[] = []
  readonly lengths: Int32Array
  /** Indices of pages the cache stored in the last cache run. */
  readonly stored: Int32Array
  storedCount = 0

  constructor(readonly corpus: Corpus) {
    const { data } = corpus
    this.pages = corpus.pages
    this.out = new Uint8Array(data.length)
    this.stored = new Int32Array(this.pages)
    this.lengths = new Int32Array(this.pages)
    const slab = new Uint8Array(data.length)
    for (let i = 0; i < this.pages; i++) {
      const at = i * PAGE_SIZE
      this.slots.push(slab.subarray(at, at + PAGE_SIZE))
      this.views.push(Buffer.from(data.buffer, data.byteOffset + at, PAGE_SIZE))
      const swap = { type: 0, offset: i }
      this.storeFolios.push({ swap, order: 0, data: data.subarray(at, at + PAGE_SIZE) })
      this.loadFolios.push({ swap, order: 0, data: this.out.subarray(at, at + PAGE_SIZE) })
    }
  }

  rawStore(): Time {
    const { views, compressed, pages } = this
    const stop = stopwatch()
    for (let i = 0; i < pages; i++) compressed[i] = compressSync(views[i])
    return stop()
  }

  /** Decompresses the pages the cache stored, so every tier loads the same pages. */
  rawLoad(): Time {
    const { compressed, stored, storedCount } = this
    let check = 0
    const stop = stopwatch()
    for (let k = 0; k < storedCount; k++) check += uncompressSync(compressed[stored[k]]).length
    const time = stop()
    if (check !== storedCount * PAGE_SIZE) {
      throw new CorruptDataError('[zswap-harness] raw lz4 round trip lost bytes')
    }
    return time
  }

  /** The Compressor alone, into caller-owned buffers: what the cache pays before its own work. */
  driverStore(c: Compressor): Time {
    const { storeFolios, slots, lengths, pages } = this
    const stop = stopwatch()
    for (let i = 0; i < pages; i++) lengths[i] = c.compress(storeFolios[i].data, slots[i])
    return stop()
  }

  driverLoad(c: Compressor): Time {
    const { slots, lengths, stored, storedCount, loadFolios } = this
    let check = 0
    const stop = stopwatch()
    for (let k = 0; k < storedCount; k++) {
      const i = stored[k]
      check += c.decompress(slots[i].subarray(0, lengths[i]), loadFolios[i].data)
    }
    const time = stop()
    if (check !== storedCount * PAGE_SIZE) {
      throw new CorruptDataError('[zswap-harness] driver round trip lost bytes')
    }
    return time
  }

  async cache(makeStack: () => Promise<Stack>) {
    const stack = await makeStack()
    const zswap = createZswap({
      ...(isAccelerator(stack.compressor)
        ? { accelerator: stack.compressor }
        : { compressor: stack.compressor }),
      zpool: stack.zpool,
      ramBytes: 1000 * this.corpus.data.length,
    })
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
  baselinesFirst: boolean,
  makeStack: () => Promise<Stack>,
  driver: Compressor | undefined,
  nativeFile?: string,
): Promise<Sample> {
  // Compression is deterministic, so the set of stored pages the raw and driver loads need is the
  // same in every run; the warm-up (baselinesFirst = false) establishes it before anything is recorded.
  let rawStore = NO_TIME
  let rawLoad = NO_TIME
  let driverStore = NO_TIME
  let driverLoad = NO_TIME
  let nativeMBps = { c: Number.NaN, d: Number.NaN }
  const baselines = () => {
    nativeMBps = lz4Native(nativeFile)
    rawStore = w.rawStore()
    rawLoad = w.rawLoad()
    if (driver !== undefined) {
      driverStore = w.driverStore(driver)
      driverLoad = w.driverLoad(driver)
    }
  }
  if (baselinesFirst) baselines()
  const c = await w.cache(makeStack)
  if (!baselinesFirst) baselines()
  return {
    rawStore,
    driverStore,
    cacheStore: c.store,
    rawLoad,
    driverLoad,
    cacheLoad: c.load,
    storedPages: c.storedPages,
    metadataBytes: c.metadataBytes,
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

/** Cache MB/s ÷ native lz4 MB/s of the same run, median over runs. */
function vsNative(
  samples: Sample[],
  store: (s: Sample) => number,
  load: (s: Sample) => number,
): { storeVsNative: number | null; loadVsNative: number | null } {
  return {
    storeVsNative: finiteMedian(samples.map((s) => store(s) / s.nativeStoreMBps)),
    loadVsNative: finiteMedian(samples.map((s) => load(s) / s.nativeLoadMBps)),
  }
}

/** Runs the bench and returns its figures. */
export async function runCacheBench(options: {
  corpusDir?: string
  runs: number
  /** The stack under test; default lz4+zbud. */
  createStack?: () => Promise<Stack>
  /** lz4's checksum in the default stack (default true). */
  checksum?: boolean
  /** Run native `lz4 -b1 -B4096` in every run for storeVsNative/loadVsNative (default true). */
  native?: boolean
}): Promise<CacheBenchReport> {
  const makeStack =
    options.createStack ??
    (() => createStack({ compressor: 'lz4', zpool: 'zsmalloc', lz4Checksum: options.checksum ?? true }))
  // A compressor of the same kind, measured on its own (the middle tier between raw lz4 and the cache).
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
    for (const w of workloads) await measure(w, false, makeStack, driver) // warm-up, not recorded
    for (let r = 0; r < options.runs; r++) {
      for (let i = 0; i < workloads.length; i++) {
        samples[i].push(await measure(workloads[i], r % 2 === 0, makeStack, driver, files[i]))
      }
    }
  } finally {
    if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true })
    if (isAccelerator(probe.compressor)) await probe.compressor.close()
    else probe.compressor.close?.()
  }

  // (no CPU-time variant of vsNative: the CLI reports wall-clock speed only)
  const cpuRatios = (s: Sample[]): CpuRatios => ({
    storeVsRaw: ratio(
      s,
      (x) => x.rawStore,
      (x) => x.cacheStore,
      'cpu',
    ),
    loadVsRaw: ratio(
      s,
      (x) => x.rawLoad,
      (x) => x.cacheLoad,
      'cpu',
    ),
    driverStoreVsRaw: ratio(
      s,
      (x) => x.rawStore,
      (x) => x.driverStore,
      'cpu',
    ),
    driverLoadVsRaw: ratio(
      s,
      (x) => x.rawLoad,
      (x) => x.driverLoad,
      'cpu',
    ),
  })
  const perCorpus: CacheBenchCorpus[] = workloads.map((w, i) => {
    const s = samples[i]
    const stored = s[s.length - 1].storedPages
    const storedBytes = stored * PAGE_SIZE
    const bytes = w.pages * PAGE_SIZE
    const rate = (n: number, t: (x: Sample) => Time) => median(s.map((x) => mbps(n, t(x).wall)))
    return {
      name: w.corpus.name,
      pages: w.pages,
      storedPages: stored,
      storeVsRaw: ratio(
        s,
        (x) => x.rawStore,
        (x) => x.cacheStore,
        'wall',
      ),
      loadVsRaw: ratio(
        s,
        (x) => x.rawLoad,
        (x) => x.cacheLoad,
        'wall',
      ),
      bytesPerEntry: median(s.map((x) => x.metadataBytes / x.storedPages)),
      driverStoreVsRaw: ratio(
        s,
        (x) => x.rawStore,
        (x) => x.driverStore,
        'wall',
      ),
      driverLoadVsRaw: ratio(
        s,
        (x) => x.rawLoad,
        (x) => x.driverLoad,
        'wall',
      ),
      rawStoreMBps: rate(bytes, (x) => x.rawStore),
      driverStoreMBps: rate(bytes, (x) => x.driverStore),
      cacheStoreMBps: rate(bytes, (x) => x.cacheStore),
      rawLoadMBps: rate(storedBytes, (x) => x.rawLoad),
      driverLoadMBps: rate(storedBytes, (x) => x.driverLoad),
      cacheLoadMBps: rate(storedBytes, (x) => x.cacheLoad),
      ...vsNative(
        s,
        (x) => mbps(bytes, x.cacheStore.wall),
        (x) => mbps(storedBytes, x.cacheLoad.wall),
      ),
      nativeStoreMBps: finiteMedian(s.map((x) => x.nativeStoreMBps)),
      nativeLoadMBps: finiteMedian(s.map((x) => x.nativeLoadMBps)),
      cpu: cpuRatios(s),
    }
  })
  // Overall: one sample per run whose times are the sums over the corpora; then the same medians.
  const add = (a: Time, b: Time): Time => ({ wall: a.wall + b.wall, cpu: a.cpu + b.cpu })
  const totals: Sample[] = Array.from({ length: options.runs }, (_, r) =>
    samples.reduce(
      (acc, s) => ({
        rawStore: add(acc.rawStore, s[r].rawStore),
        driverStore: add(acc.driverStore, s[r].driverStore),
        cacheStore: add(acc.cacheStore, s[r].cacheStore),
        rawLoad: add(acc.rawLoad, s[r].rawLoad),
        driverLoad: add(acc.driverLoad, s[r].driverLoad),
        cacheLoad: add(acc.cacheLoad, s[r].cacheLoad),
        storedPages: acc.storedPages + s[r].storedPages,
        metadataBytes: acc.metadataBytes + s[r].metadataBytes,
        // native MB/s over all corpora: set below from each corpus's bytes and rate
        nativeStoreMBps: Number.NaN,
        nativeLoadMBps: Number.NaN,
      }),
      {
        rawStore: { wall: 0, cpu: 0 },
        driverStore: { wall: 0, cpu: 0 },
        cacheStore: { wall: 0, cpu: 0 },
        rawLoad: { wall: 0, cpu: 0 },
        driverLoad: { wall: 0, cpu: 0 },
        cacheLoad: { wall: 0, cpu: 0 },
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
  const overallNative = vsNative(
    totals,
    (x) => mbps(allBytes, x.cacheStore.wall),
    (x) => mbps(x.storedPages * PAGE_SIZE, x.cacheLoad.wall),
  )
  return {
    storeVsRaw: ratio(
      totals,
      (x) => x.rawStore,
      (x) => x.cacheStore,
      'wall',
    ),
    loadVsRaw: ratio(
      totals,
      (x) => x.rawLoad,
      (x) => x.cacheLoad,
      'wall',
    ),
    bytesPerEntry: median(totals.map((x) => x.metadataBytes / x.storedPages)),
    driverStoreVsRaw: ratio(
      totals,
      (x) => x.rawStore,
      (x) => x.driverStore,
      'wall',
    ),
    driverLoadVsRaw: ratio(
      totals,
      (x) => x.rawLoad,
      (x) => x.driverLoad,
      'wall',
    ),
    storeVsNative: overallNative.storeVsNative,
    loadVsNative: overallNative.loadVsNative,
    cpu: cpuRatios(totals),
    stack: probe.name,
    ...(compressorBackend(probe.compressor) === undefined
      ? {}
      : { backend: compressorBackend(probe.compressor) }),
    goals: GOALS,
    runs: options.runs,
    source,
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      node: process.version,
      loadAverage: loadavg().map((x) => Math.round(x * 100) / 100),
    },
    corpora: perCorpus,
  }
}

const orDash = (a: number | null, b: number | null) =>
  a === null || b === null ? '-' : `${fixed(a)} / ${fixed(b)}`

function formatCacheBench(report: CacheBenchReport): string {
  const table = new Table({
    head: [
      'corpus',
      'pages (stored)',
      'store MB/s raw / driver / cache',
      'storeVsRaw (cpu)',
      'load MB/s raw / driver / cache',
      'loadVsRaw (cpu)',
      'native lz4 MB/s c / d',
      'vsNative store / load',
      'B/entry',
    ],
    colAligns: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  })
  const tiers = (a: number, b: number, c: number) => `${fixed(a, 0)} / ${fixed(b, 0)} / ${fixed(c, 0)}`
  const pair = (wall: number, cpu: number) => `${fixed(wall)} (${fixed(cpu)})`
  for (const c of report.corpora) {
    table.push([
      c.name,
      `${c.pages} (${c.storedPages})`,
      tiers(c.rawStoreMBps, c.driverStoreMBps, c.cacheStoreMBps),
      pair(c.storeVsRaw, c.cpu.storeVsRaw),
      tiers(c.rawLoadMBps, c.driverLoadMBps, c.cacheLoadMBps),
      pair(c.loadVsRaw, c.cpu.loadVsRaw),
      c.nativeStoreMBps === null
        ? '-'
        : `${fixed(c.nativeStoreMBps, 0)} / ${fixed(c.nativeLoadMBps as number, 0)}`,
      orDash(c.storeVsNative, c.loadVsNative),
      fixed(c.bytesPerEntry, 1),
    ])
  }
  table.push([
    'overall',
    '',
    `driver/raw ${pair(report.driverStoreVsRaw, report.cpu.driverStoreVsRaw)}`,
    pair(report.storeVsRaw, report.cpu.storeVsRaw),
    `driver/raw ${pair(report.driverLoadVsRaw, report.cpu.driverLoadVsRaw)}`,
    pair(report.loadVsRaw, report.cpu.loadVsRaw),
    '',
    orDash(report.storeVsNative, report.loadVsNative),
    fixed(report.bytesPerEntry, 1),
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
      'vs raw lz4-napi and native lz4 in the same run',
    `corpora: ${report.source}; medians of ${report.runs} interleaved runs; ` +
      `${machine.cpus} CPUs (${machine.cpuModel}), load average ${machine.loadAverage.join(' ')}, node ${machine.node}`,
    table.toString(),
    'raw = lz4-napi compressSync/uncompressSync; driver = the Compressor alone into page buffers; ' +
      'cache = store()/load() per page; (cpu) = the ratio of process CPU time',
    `goals (wall clock): storeVsRaw ≥ ${goals.storeVsRaw} ${verdict(report.storeVsRaw >= goals.storeVsRaw)}, ` +
      `loadVsRaw ≥ ${goals.loadVsRaw} ${verdict(report.loadVsRaw >= goals.loadVsRaw)}, ` +
      `bytesPerEntry ≤ ${goals.bytesPerEntry} ${verdict(report.bytesPerEntry <= goals.bytesPerEntry)}, ${nativeGoals}`,
    'vsNative = cache MB/s ÷ `lz4 -b1 -B4096 -i1` MB/s in the same run (wall clock: the CLI reports no CPU time)',
  ].join('\n')
}

/** `bench cache [--json] [--corpus-dir D] [--runs N]` */
export default async function cacheBench(argv: string[]): Promise<number> {
  let values: {
    json?: boolean
    'corpus-dir'?: string
    runs?: string
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
      'usage: bench cache [--json] [--corpus-dir DIR] [--runs N (default 9)] [--no-checksum (lz4 as the kernel has it)] [--no-native (skip the lz4 CLI)]\n',
    )
    return 0
  }
  const runs = values.runs === undefined ? 9 : Number(values.runs)
  if (!Number.isInteger(runs) || runs < 1) {
    process.stderr.write(`bench cache: --runs must be a positive integer, got ${values.runs}\n`)
    return 2
  }
  const report = await runCacheBench({
    runs,
    checksum: !values['no-checksum'],
    native: !values['no-native'],
    ...(values['corpus-dir'] === undefined ? {} : { corpusDir: values['corpus-dir'] }),
  })
  process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatCacheBench(report)}\n`)
  return 0
}
