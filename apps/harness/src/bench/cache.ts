import { cpus } from 'node:os'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { createZswap } from '@zswap/cache'
import { type Compressor, CorruptDataError, type Folio, isAccelerator, PAGE_SIZE } from '@zswap/core'
import Table from 'cli-table3'
import { compressSync, uncompressSync } from 'lz4-napi'
import type { Corpus } from '../corpus.js'
import { createStack, type Stack } from '../stacks.js'
import { fixed, loadCorpora, median } from './util.js'

/**
 * `bench cache`: the cost of the cache around the compressor. On each corpus,
 * store and load throughput through the cache (lz4 + zbud, order-0 folios,
 * one store/load call per page) is divided by a raw lz4-napi
 * compressSync/uncompressSync loop over the same pages in the same run. The
 * stack's Compressor alone (into page buffers, no cache) is measured too, so
 * the gap splits into what the driver costs and what the cache adds. The
 * baselines and the cache alternate order from run to run to cancel drift;
 * figures are medians of the per-run ratios. Loads cover the pages the cache
 * stored (incompressible pages are rejected at store), in every tier.
 */

const GOALS = { storeVsRaw: 0.85, loadVsRaw: 0.8, bytesPerEntry: 32 }

interface Sample {
  rawStoreMs: number
  driverStoreMs: number
  driverLoadMs: number
  cacheStoreMs: number
  rawLoadMs: number
  cacheLoadMs: number
  storedPages: number
  metadataBytes: number
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
}

/** The JSON document `bench cache --json` prints. */
export interface CacheBenchReport {
  storeVsRaw: number
  loadVsRaw: number
  bytesPerEntry: number
  driverStoreVsRaw: number
  driverLoadVsRaw: number
  /** The stack measured, e.g. `'lz4+zbud'`. */
  stack: string
  goals: typeof GOALS
  runs: number
  source: string
  machine: { cpus: number; cpuModel: string; node: string }
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
  stored: Int32Array
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

  rawStore(): number {
    const { views, compressed, pages } = this
    const t0 = performance.now()
    for (let i = 0; i < pages; i++) compressed[i] = compressSync(views[i])
    return performance.now() - t0
  }

  /** Decompresses the pages the cache stored, so both loops load the same pages. */
  rawLoad(): number {
    const { compressed, stored, storedCount } = this
    let check = 0
    const t0 = performance.now()
    for (let k = 0; k < storedCount; k++) check += uncompressSync(compressed[stored[k]]).length
    const ms = performance.now() - t0
    if (check !== storedCount * PAGE_SIZE) {
      throw new CorruptDataError('[zswap-harness] raw lz4 round trip lost bytes')
    }
    return ms
  }

  /** The Compressor alone, into caller-owned buffers: what the cache pays before its own work. */
  driverStore(c: Compressor): number {
    const { storeFolios, slots, lengths, pages } = this
    const t0 = performance.now()
    for (let i = 0; i < pages; i++) lengths[i] = c.compress(storeFolios[i].data, slots[i])
    return performance.now() - t0
  }

  driverLoad(c: Compressor): number {
    const { slots, lengths, stored, storedCount, loadFolios } = this
    let check = 0
    const t0 = performance.now()
    for (let k = 0; k < storedCount; k++) {
      const i = stored[k]
      check += c.decompress(slots[i].subarray(0, lengths[i]), loadFolios[i].data)
    }
    const ms = performance.now() - t0
    if (check !== storedCount * PAGE_SIZE) {
      throw new CorruptDataError('[zswap-harness] driver round trip lost bytes')
    }
    return ms
  }

  async cache(
    makeStack: () => Promise<Stack>,
  ): Promise<{ storeMs: number; loadMs: number; storedPages: number; metadataBytes: number }> {
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
      let t0 = performance.now()
      for (let i = 0; i < pages; i++) if (await zswap.store(storeFolios[i])) stored[n++] = i
      const storeMs = performance.now() - t0
      this.storedCount = n
      const storedPages = zswap.storedPages
      const metadataBytes = zswap.metadataBytes
      this.out.fill(0x5a)
      let failed = 0
      t0 = performance.now()
      for (let k = 0; k < n; k++) if (!(await zswap.load(loadFolios[stored[k]]))) failed++
      const loadMs = performance.now() - t0
      this.verify(failed)
      return { storeMs, loadMs, storedPages, metadataBytes }
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

async function measure(
  w: Workload,
  rawFirst: boolean,
  makeStack: () => Promise<Stack>,
  driver: Compressor | undefined,
): Promise<Sample> {
  // Compression is deterministic, so the set of stored pages the raw and driver loads need is the
  // same in every run; the warm-up (rawFirst = false) establishes it before anything is recorded.
  const sample = { rawStoreMs: 0, rawLoadMs: 0, driverStoreMs: Number.NaN, driverLoadMs: Number.NaN }
  const baselines = () => {
    sample.rawStoreMs = w.rawStore()
    sample.rawLoadMs = w.rawLoad()
    if (driver !== undefined) {
      sample.driverStoreMs = w.driverStore(driver)
      sample.driverLoadMs = w.driverLoad(driver)
    }
  }
  if (rawFirst) baselines()
  const c = await w.cache(makeStack)
  if (!rawFirst) baselines()
  return {
    ...sample,
    cacheStoreMs: c.storeMs,
    cacheLoadMs: c.loadMs,
    storedPages: c.storedPages,
    metadataBytes: c.metadataBytes,
  }
}

const mbps = (bytes: number, ms: number) => bytes / 1e3 / ms

/** Runs the bench and returns its figures. */
export async function runCacheBench(options: {
  corpusDir?: string
  runs: number
  /** The stack under test; default lz4+zbud. */
  createStack?: () => Promise<Stack>
}): Promise<CacheBenchReport> {
  const makeStack = options.createStack ?? (() => createStack({ compressor: 'lz4', zpool: 'zbud' }))
  // A compressor of the same kind, measured on its own (the middle tier between raw lz4 and the cache).
  const probe = await makeStack()
  probe.zpool.destroy()
  const driver = isAccelerator(probe.compressor) ? undefined : probe.compressor
  const { corpora, source } = loadCorpora(options.corpusDir === undefined ? {} : { dir: options.corpusDir })
  const workloads = corpora.map((c) => new Workload(c))
  const samples: Sample[][] = workloads.map(() => [])
  try {
    for (const w of workloads) await measure(w, false, makeStack, driver) // warm-up, not recorded
    for (let r = 0; r < options.runs; r++) {
      for (let i = 0; i < workloads.length; i++) {
        samples[i].push(await measure(workloads[i], r % 2 === 0, makeStack, driver))
      }
    }
  } finally {
    if (isAccelerator(probe.compressor)) await probe.compressor.close()
    else probe.compressor.close?.()
  }

  const perCorpus: CacheBenchCorpus[] = workloads.map((w, i) => {
    const s = samples[i]
    const stored = s[s.length - 1].storedPages
    const storedBytes = stored * PAGE_SIZE
    const bytes = w.pages * PAGE_SIZE
    return {
      name: w.corpus.name,
      pages: w.pages,
      storedPages: stored,
      storeVsRaw: median(s.map((x) => x.rawStoreMs / x.cacheStoreMs)),
      loadVsRaw: median(s.map((x) => x.rawLoadMs / x.cacheLoadMs)),
      bytesPerEntry: median(s.map((x) => x.metadataBytes / x.storedPages)),
      driverStoreVsRaw: median(s.map((x) => x.rawStoreMs / x.driverStoreMs)),
      driverLoadVsRaw: median(s.map((x) => x.rawLoadMs / x.driverLoadMs)),
      rawStoreMBps: median(s.map((x) => mbps(bytes, x.rawStoreMs))),
      driverStoreMBps: median(s.map((x) => mbps(bytes, x.driverStoreMs))),
      cacheStoreMBps: median(s.map((x) => mbps(bytes, x.cacheStoreMs))),
      rawLoadMBps: median(s.map((x) => mbps(storedBytes, x.rawLoadMs))),
      driverLoadMBps: median(s.map((x) => mbps(storedBytes, x.driverLoadMs))),
      cacheLoadMBps: median(s.map((x) => mbps(storedBytes, x.cacheLoadMs))),
    }
  })
  // Overall: per run, total raw time over total time across corpora; then the median of the runs.
  const sum = (r: number, f: (x: Sample) => number) => samples.reduce((acc, s) => acc + f(s[r]), 0)
  const runIdx = Array.from({ length: options.runs }, (_, r) => r)
  const overall = (num: (x: Sample) => number, den: (x: Sample) => number) =>
    median(runIdx.map((r) => sum(r, num) / sum(r, den)))
  const last = options.runs - 1
  return {
    storeVsRaw: overall(
      (x) => x.rawStoreMs,
      (x) => x.cacheStoreMs,
    ),
    loadVsRaw: overall(
      (x) => x.rawLoadMs,
      (x) => x.cacheLoadMs,
    ),
    bytesPerEntry: sum(last, (x) => x.metadataBytes) / sum(last, (x) => x.storedPages),
    driverStoreVsRaw: overall(
      (x) => x.rawStoreMs,
      (x) => x.driverStoreMs,
    ),
    driverLoadVsRaw: overall(
      (x) => x.rawLoadMs,
      (x) => x.driverLoadMs,
    ),
    stack: probe.name,
    goals: GOALS,
    runs: options.runs,
    source,
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version },
    corpora: perCorpus,
  }
}

function formatCacheBench(report: CacheBenchReport): string {
  const table = new Table({
    head: [
      'corpus',
      'pages (stored)',
      'store MB/s raw / driver / cache',
      'storeVsRaw',
      'load MB/s raw / driver / cache',
      'loadVsRaw',
      'B/entry',
    ],
    colAligns: ['left', 'right', 'right', 'right', 'right', 'right', 'right'],
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  })
  const tiers = (a: number, b: number, c: number) => `${fixed(a, 0)} / ${fixed(b, 0)} / ${fixed(c, 0)}`
  for (const c of report.corpora) {
    table.push([
      c.name,
      `${c.pages} (${c.storedPages})`,
      tiers(c.rawStoreMBps, c.driverStoreMBps, c.cacheStoreMBps),
      fixed(c.storeVsRaw),
      tiers(c.rawLoadMBps, c.driverLoadMBps, c.cacheLoadMBps),
      fixed(c.loadVsRaw),
      fixed(c.bytesPerEntry, 1),
    ])
  }
  table.push([
    'overall',
    '',
    `driver/raw ${fixed(report.driverStoreVsRaw)}`,
    fixed(report.storeVsRaw),
    `driver/raw ${fixed(report.driverLoadVsRaw)}`,
    fixed(report.loadVsRaw),
    fixed(report.bytesPerEntry, 1),
  ])
  const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED')
  const { goals, machine } = report
  return [
    `bench cache: ${report.stack}, order-0 folios, one call per page, vs raw lz4-napi in the same run`,
    `corpora: ${report.source}; medians of ${report.runs} interleaved runs; ` +
      `${machine.cpus} CPUs (${machine.cpuModel}), node ${machine.node}`,
    table.toString(),
    `raw = lz4-napi compressSync/uncompressSync; driver = the stack's Compressor alone into page buffers; ` +
      `cache = store()/load() per page`,
    `goals: storeVsRaw ≥ ${goals.storeVsRaw} ${verdict(report.storeVsRaw >= goals.storeVsRaw)}, ` +
      `loadVsRaw ≥ ${goals.loadVsRaw} ${verdict(report.loadVsRaw >= goals.loadVsRaw)}, ` +
      `bytesPerEntry ≤ ${goals.bytesPerEntry} ${verdict(report.bytesPerEntry <= goals.bytesPerEntry)}`,
  ].join('\n')
}

/** `bench cache [--json] [--corpus-dir D] [--runs N]` */
export default async function cacheBench(argv: string[]): Promise<number> {
  let values: { json?: boolean; 'corpus-dir'?: string; runs?: string; help?: boolean }
  try {
    ;({ values } = parseArgs({
      args: argv,
      options: {
        json: { type: 'boolean' },
        'corpus-dir': { type: 'string' },
        runs: { type: 'string' },
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
    process.stdout.write('usage: bench cache [--json] [--corpus-dir DIR] [--runs N (default 9)]\n')
    return 0
  }
  const runs = values.runs === undefined ? 9 : Number(values.runs)
  if (!Number.isInteger(runs) || runs < 1) {
    process.stderr.write(`bench cache: --runs must be a positive integer, got ${values.runs}\n`)
    return 2
  }
  const report = await runCacheBench({
    runs,
    ...(values['corpus-dir'] === undefined ? {} : { corpusDir: values['corpus-dir'] }),
  })
  process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatCacheBench(report)}\n`)
  return 0
}
