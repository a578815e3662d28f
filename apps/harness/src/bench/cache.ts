import { cpus } from 'node:os'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { createZswap } from '@zswap/cache'
import { CorruptDataError, type Folio, isAccelerator, PAGE_SIZE } from '@zswap/core'
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
 * two measurements alternate order from run to run to cancel drift; figures
 * are medians of the per-run ratios.
 */

const GOALS = { storeVsRaw: 0.85, loadVsRaw: 0.8, bytesPerEntry: 32 }

interface Sample {
  rawStoreMs: number
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
  rawStoreMBps: number
  cacheStoreMBps: number
  rawLoadMBps: number
  cacheLoadMBps: number
}

/** The JSON document `bench cache --json` prints. */
export interface CacheBenchReport {
  storeVsRaw: number
  loadVsRaw: number
  bytesPerEntry: number
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
  /** Indices of pages the cache stored in the last cache run. */
  stored: Int32Array
  storedCount = 0

  constructor(readonly corpus: Corpus) {
    const { data } = corpus
    this.pages = corpus.pages
    this.out = new Uint8Array(data.length)
    this.stored = new Int32Array(this.pages)
    for (let i = 0; i < this.pages; i++) {
      const at = i * PAGE_SIZE
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
    if (check !== storedCount * PAGE_SIZE)
      throw new CorruptDataError(`[zswap-harness] raw lz4 round trip lost bytes`)
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

async function measure(w: Workload, rawFirst: boolean, makeStack: () => Promise<Stack>): Promise<Sample> {
  // Compression is deterministic, so the set of stored pages the raw load needs is the same
  // in every run; the warm-up (rawFirst = false) establishes it.
  let rawStoreMs = 0
  let rawLoadMs = 0
  if (rawFirst) {
    rawStoreMs = w.rawStore()
    rawLoadMs = w.rawLoad()
  }
  const c = await w.cache(makeStack)
  if (!rawFirst) {
    rawStoreMs = w.rawStore()
    rawLoadMs = w.rawLoad()
  }
  return {
    rawStoreMs,
    cacheStoreMs: c.storeMs,
    rawLoadMs,
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
  const { corpora, source } = loadCorpora(options.corpusDir === undefined ? {} : { dir: options.corpusDir })
  const workloads = corpora.map((c) => new Workload(c))
  const samples: Sample[][] = workloads.map(() => [])
  for (const w of workloads) await measure(w, false, makeStack) // warm-up, not recorded
  for (let r = 0; r < options.runs; r++) {
    for (let i = 0; i < workloads.length; i++)
      samples[i].push(await measure(workloads[i], r % 2 === 0, makeStack))
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
      rawStoreMBps: median(s.map((x) => mbps(bytes, x.rawStoreMs))),
      cacheStoreMBps: median(s.map((x) => mbps(bytes, x.cacheStoreMs))),
      rawLoadMBps: median(s.map((x) => mbps(storedBytes, x.rawLoadMs))),
      cacheLoadMBps: median(s.map((x) => mbps(storedBytes, x.cacheLoadMs))),
    }
  })
  // Overall: per run, total raw time over total cache time across corpora; then the median.
  const sum = (r: number, f: (x: Sample) => number) => samples.reduce((acc, s) => acc + f(s[r]), 0)
  const runIdx = Array.from({ length: options.runs }, (_, r) => r)
  const last = options.runs - 1
  return {
    storeVsRaw: median(runIdx.map((r) => sum(r, (x) => x.rawStoreMs) / sum(r, (x) => x.cacheStoreMs))),
    loadVsRaw: median(runIdx.map((r) => sum(r, (x) => x.rawLoadMs) / sum(r, (x) => x.cacheLoadMs))),
    bytesPerEntry: sum(last, (x) => x.metadataBytes) / sum(last, (x) => x.storedPages),
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
      'raw store MB/s',
      'cache store MB/s',
      'storeVsRaw',
      'raw load MB/s',
      'cache load MB/s',
      'loadVsRaw',
      'B/entry',
    ],
    style: { head: [], border: [] },
  })
  for (const c of report.corpora) {
    table.push([
      c.name,
      `${c.pages} (${c.storedPages})`,
      fixed(c.rawStoreMBps, 0),
      fixed(c.cacheStoreMBps, 0),
      fixed(c.storeVsRaw),
      fixed(c.rawLoadMBps, 0),
      fixed(c.cacheLoadMBps, 0),
      fixed(c.loadVsRaw),
      fixed(c.bytesPerEntry, 1),
    ])
  }
  table.push([
    'overall',
    '',
    '',
    '',
    fixed(report.storeVsRaw),
    '',
    '',
    fixed(report.loadVsRaw),
    fixed(report.bytesPerEntry, 1),
  ])
  const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED')
  const { goals } = report
  return [
    `bench cache: lz4+zbud, order-0 folios, one call per page, vs raw lz4-napi in the same run`,
    `corpora: ${report.source}; median of ${report.runs} interleaved runs; ${report.machine.cpus} CPUs (${report.machine.cpuModel}), node ${report.machine.node}`,
    table.toString(),
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
