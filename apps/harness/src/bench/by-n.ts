import { availableParallelism, loadavg } from 'node:os'
import { performance } from 'node:perf_hooks'
import { type ByNAccelerator, byN } from '@zswap/by-n'
import { type CompressJob, type Compressor, type DecompressJob, PAGE_SIZE } from '@zswap/core'
import { type IaaDevice, iaa } from '@zswap/iaa'
import { lz4 } from '@zswap/lz4'
import { zstd } from '@zswap/zstd'
import { cac } from 'cac'
import Table from 'cli-table3'
import type { Corpus } from '../corpus.js'
import { formatByNModel, runByNModelBench } from './iaa-model.js'
import { fixed, loadCorpora, median } from './util.js'

/**
 * `bench by-n`: @zswap/by-n over the IAA emulation (raw deflate level 1,
 * 2 engines, verify on, jobs of up to 64 KiB staged on the device), on
 * 64 KiB buffers cut from each corpus (16 neighbouring pages, as a 64 KiB
 * folio would be).
 * - rows: for n = 1..64, per-object compress and decompress latency (one
 *   object per call, as the cache stores one folio; p50 and p99 over every
 *   object of every run) and the ratio (input ÷ stored bytes, an object
 *   that does not shrink counted at its input size). The runs take the n
 *   values in a rotating order, so machine noise spreads over all of them.
 * - partialVsWhole: loading one 4 KiB page of an object stored with n = 16
 *   (DecompressJob.start) ÷ decompressing the whole object, medians of the
 *   two taken in turns on the same objects. Goal ≤ 0.25.
 * - objectSize: 4 KiB vs 16 KiB vs 64 KiB objects with zstd-1 and lz4
 *   (software, no by_n): total stored bytes and compress/decompress time of
 *   the whole corpus, medians over runs taken in turns;
 *   objectBytes64kVs4k = stored bytes with 64 KiB objects ÷ with 4 KiB
 *   objects, over all corpora, per compressor.
 *
 * JSON: `{ cores, loadAverage, engines, pairVsTwoSingles, source, corpora,
 * rows: [{ n, compressUsP50, compressUsP99, decompressUsP50,
 * decompressUsP99, ratio, compressCpuUs }], partialVsWhole,
 * partialUsP50, wholeUsP50, goals, objectSize: [{ compressor, corpus,
 * objectBytes, storedBytes, compressMs, decompressMs }], objectBytes64kVs4k }`.
 */

const NS = [1, 2, 4, 8, 16, 32, 64] as const
const OBJECT = 16 * PAGE_SIZE
const ENGINES = 2

/** One row of the by_n curve. */
export interface ByNRow {
  n: number
  compressUsP50: number
  compressUsP99: number
  decompressUsP50: number
  decompressUsP99: number
  /** Input bytes ÷ stored bytes. */
  ratio: number
  /** Mean process CPU µs per compressed object, all threads (steadier than latency on a busy machine). */
  compressCpuUs: number
}

/** One compressor, corpus and object size. */
export interface ObjectSizeRow {
  compressor: string
  corpus: string
  /** Uncompressed bytes per object: 4096, 16384 or 65536. */
  objectBytes: number
  /** Bytes of every object of the corpus, compressed (an object that does not shrink at its own size). */
  storedBytes: number
  /** Median ms to compress the whole corpus, and to decompress it. */
  compressMs: number
  decompressMs: number
}

/** The JSON document `bench by-n --json` prints. */
export interface ByNBenchReport {
  cores: number
  /** 1-minute load average before and after the run (other processes on the machine). */
  loadAverage: [number, number]
  engines: number
  /**
   * Baseline of the run: two 64 KiB objects in one batch with n = 1 ÷ twice
   * one object: 0.5 when the engines ran fully in parallel, 1 when not at all.
   */
  pairVsTwoSingles: number
  source: string
  corpora: string[]
  objectsPerCorpus: number
  runs: number
  rows: ByNRow[]
  partialVsWhole: number
  partialUsP50: number
  wholeUsP50: number
  goals: {
    /** n = 2 compress p50 ÷ n = 1 (goal ≤ 0.6). */
    n2VsN1Compress: number
    /** n = 8 ratio ÷ n = 1 ratio (goal ≥ 0.9). */
    n8RatioVsN1: number
    /** Best compress p50 past n = engines ÷ the p50 at n = engines (≈ 1 or more: no gain past the engines). */
    pastEnginesVsAtEngines: number
  }
  objectSize: ObjectSizeRow[]
  objectBytes64kVs4k: Record<string, number>
}

export interface ByNBenchOptions {
  corpusDir?: string
  /** 64 KiB objects per corpus in each run. */
  objects: number
  runs: number
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}

/** `count` 64 KiB objects spread over the corpus (each 16 neighbouring pages). */
function objectsOf(corpus: Corpus, count: number): Uint8Array[] {
  const total = Math.floor(corpus.pages / 16)
  const step = Math.max(1, Math.floor(total / count))
  const out: Uint8Array[] = []
  for (let i = 0; i < total && out.length < count; i += step) {
    out.push(corpus.data.subarray(i * OBJECT, (i + 1) * OBJECT))
  }
  return out
}

function compressJob(dstBytes: number): CompressJob {
  return { src: new Uint8Array(0), dst: new Uint8Array(dstBytes), length: 0, error: undefined }
}

function decompressJob(dstBytes: number): DecompressJob {
  return { src: new Uint8Array(0), dst: new Uint8Array(dstBytes), length: 0, error: undefined }
}

interface Samples {
  c: number[]
  d: number[]
  in: number
  out: number
  /** Process CPU µs (every thread: the engines too) spent in compress calls. */
  cpu: number
}

/**
 * The by_n curve. Interleaved per object: each object goes through every n
 * in turn (the order rotates), so a burst of load from other processes hits
 * all n alike. Beside it, the baseline for "parallel": two objects in one
 * batch with n = 1 ÷ two single objects, which says how much the engines
 * really ran at once during this run (1 = not at all, 0.5 = fully).
 */
async function curve(
  devices: Map<number, ByNAccelerator>,
  objects: Uint8Array[],
  runs: number,
): Promise<{ rows: ByNRow[]; pairVsTwoSingles: number }> {
  const samples = new Map<number, Samples>(NS.map((n) => [n, { c: [], d: [], in: 0, out: 0, cpu: 0 }]))
  const cj = compressJob(OBJECT)
  const cj2 = compressJob(OBJECT)
  const dj = decompressJob(OBJECT)
  const one = devices.get(1) as ByNAccelerator
  const pair: number[] = []
  const single: number[] = []
  // warm-up, untimed: engines started, code compiled, staging allocated
  for (const n of NS) {
    const device = devices.get(n) as ByNAccelerator
    for (const object of objects.slice(0, 4)) {
      cj.src = object
      await device.compressBatch([cj])
      if (cj.length > 0) {
        dj.src = cj.dst.subarray(0, cj.length)
        await device.decompressBatch([dj])
      }
    }
  }
  for (let run = 0; run < runs; run++) {
    for (const [i, object] of objects.entries()) {
      for (let k = 0; k < NS.length; k++) {
        const n = NS[(k + i + run) % NS.length]
        const device = devices.get(n) as ByNAccelerator
        const s = samples.get(n) as Samples
        cj.src = object
        const cpu0 = process.cpuUsage()
        let t0 = performance.now()
        await device.compressBatch([cj])
        const us = (performance.now() - t0) * 1000
        const cpu = process.cpuUsage(cpu0)
        s.cpu += cpu.user + cpu.system
        s.c.push(us)
        if (n === 1) single.push(us)
        if (cj.error) throw cj.error
        s.in += object.length
        if (cj.length === -1) {
          s.out += object.length
          continue
        }
        s.out += cj.length
        dj.src = cj.dst.subarray(0, cj.length)
        t0 = performance.now()
        await device.decompressBatch([dj])
        s.d.push((performance.now() - t0) * 1000)
        if (dj.error) throw dj.error
        if (!Buffer.from(dj.dst).equals(Buffer.from(object))) {
          throw new Error(`bench by-n: n ${n} returned a wrong object`)
        }
      }
      cj.src = object
      cj2.src = objects[(i + 1) % objects.length]
      const t0 = performance.now()
      await one.compressBatch([cj, cj2])
      pair.push((performance.now() - t0) * 1000)
    }
  }
  const rows = NS.map((n) => {
    const s = samples.get(n) as Samples
    const c = s.c.sort((a, b) => a - b)
    const d = s.d.sort((a, b) => a - b)
    return {
      n,
      compressUsP50: median(c),
      compressUsP99: percentile(c, 99),
      decompressUsP50: d.length > 0 ? median(d) : Number.NaN,
      decompressUsP99: d.length > 0 ? percentile(d, 99) : Number.NaN,
      ratio: s.in / s.out,
      compressCpuUs: s.cpu / s.c.length,
    }
  })
  return { rows, pairVsTwoSingles: median(pair) / (2 * median(single)) }
}

async function partial(device: ByNAccelerator, objects: Uint8Array[], runs: number) {
  const stored: Uint8Array[] = []
  const cj = compressJob(OBJECT)
  for (const object of objects) {
    cj.src = object
    await device.compressBatch([cj])
    if (cj.length > 0) stored.push(cj.dst.slice(0, cj.length))
  }
  const whole = decompressJob(OBJECT)
  const page = decompressJob(PAGE_SIZE)
  const partialUs: number[] = []
  const wholeUs: number[] = []
  for (let run = 0; run < runs; run++) {
    for (const [i, src] of stored.entries()) {
      whole.src = src
      page.src = src
      page.start = ((i + run) % 16) * PAGE_SIZE
      // alternate which goes first
      for (const job of run % 2 === 0 ? [page, whole] : [whole, page]) {
        const t0 = performance.now()
        await device.decompressBatch([job])
        ;(job === page ? partialUs : wholeUs).push((performance.now() - t0) * 1000)
        if (job.error) throw job.error
      }
    }
  }
  const p = median(partialUs)
  const w = median(wholeUs)
  return { partialVsWhole: p / w, partialUsP50: p, wholeUsP50: w }
}

function objectSizes(compressors: Compressor[], corpora: Corpus[], runs: number): ObjectSizeRow[] {
  const rows: ObjectSizeRow[] = []
  const sizes = [PAGE_SIZE, 4 * PAGE_SIZE, OBJECT]
  const dst = new Uint8Array(OBJECT)
  const back = new Uint8Array(OBJECT)
  for (const c of compressors) {
    for (const corpus of corpora) {
      const times = new Map(sizes.map((s) => [s, { c: [] as number[], d: [] as number[], stored: 0 }]))
      for (let run = 0; run < runs; run++) {
        for (let k = 0; k < sizes.length; k++) {
          const size = sizes[(k + run) % sizes.length]
          const t = times.get(size) as { c: number[]; d: number[]; stored: number }
          const count = Math.floor(corpus.data.length / size)
          const blocks: Uint8Array[] = []
          let stored = 0
          let t0 = performance.now()
          for (let i = 0; i < count; i++) {
            const n = c.compress(corpus.data.subarray(i * size, (i + 1) * size), dst.subarray(0, size))
            if (n === -1) {
              stored += size
              blocks.push(new Uint8Array(0))
            } else {
              stored += n
              blocks.push(dst.slice(0, n))
            }
          }
          t.c.push(performance.now() - t0)
          t.stored = stored
          t0 = performance.now()
          for (const block of blocks) if (block.length > 0) c.decompress(block, back.subarray(0, size))
          t.d.push(performance.now() - t0)
        }
      }
      for (const size of sizes) {
        const t = times.get(size) as { c: number[]; d: number[]; stored: number }
        rows.push({
          compressor: c.name,
          corpus: corpus.name,
          objectBytes: size,
          storedBytes: t.stored,
          compressMs: median(t.c),
          decompressMs: median(t.d),
        })
      }
    }
  }
  return rows
}

export async function runByNBench(options: ByNBenchOptions): Promise<ByNBenchReport> {
  const { corpora, source } = loadCorpora(options.corpusDir === undefined ? {} : { dir: options.corpusDir })
  const objects = corpora.flatMap((c) => objectsOf(c, options.objects))
  // 64 KiB jobs stay on the engines (the device runs larger ones in software)
  const device: IaaDevice = iaa({ engines: ENGINES, maxJobBytes: OBJECT + 64 })
  const devices = new Map(NS.map((n) => [n, byN(device, { n })]))
  const loadBefore = loadavg()[0]
  let rows: ByNRow[]
  let pairVsTwoSingles: number
  let part: Awaited<ReturnType<typeof partial>>
  try {
    ;({ rows, pairVsTwoSingles } = await curve(devices, objects, options.runs))
    part = await partial(devices.get(16) as ByNAccelerator, objects, options.runs)
  } finally {
    await device.close()
  }
  const compressors = [zstd({ level: 1 }), lz4()]
  const objectSize = objectSizes(compressors, corpora, options.runs)
  for (const c of compressors as Compressor[]) c.close?.()
  const objectBytes64kVs4k: Record<string, number> = {}
  for (const c of compressors) {
    const total = (size: number) =>
      objectSize
        .filter((r) => r.compressor === c.name && r.objectBytes === size)
        .reduce((a, r) => a + r.storedBytes, 0)
    objectBytes64kVs4k[c.name] = total(OBJECT) / total(PAGE_SIZE)
  }
  const at = (n: number) => rows.find((r) => r.n === n) as ByNRow
  const past = rows.filter((r) => r.n > ENGINES).map((r) => r.compressUsP50)
  return {
    cores: availableParallelism(),
    loadAverage: [loadBefore, loadavg()[0]],
    engines: ENGINES,
    pairVsTwoSingles,
    source,
    corpora: corpora.map((c) => c.name),
    objectsPerCorpus: options.objects,
    runs: options.runs,
    rows,
    ...part,
    goals: {
      n2VsN1Compress: at(2).compressUsP50 / at(1).compressUsP50,
      n8RatioVsN1: at(8).ratio / at(1).ratio,
      pastEnginesVsAtEngines: Math.min(...past) / at(ENGINES).compressUsP50,
    },
    objectSize,
    objectBytes64kVs4k,
  }
}

/** Hardware figures of the by_n RFC (IAA, 64 KiB folio, median µs), for the table. */
const RFC: Record<number, [number, number, number]> = {
  1: [34.5, 20.0, 2.93],
  8: [8.3, 6.3, 2.77],
  64: [18.3, 16.7, 1.96],
}

export function formatByNBench(r: ByNBenchReport): string {
  const curveTable = new Table({
    head: [
      'n',
      'compress p50 µs',
      'p99',
      'CPU µs',
      'decompress p50 µs',
      'p99',
      'ratio',
      'RFC on IAA: c / d µs, ratio',
    ],
  })
  for (const row of r.rows) {
    const rfc = RFC[row.n]
    curveTable.push([
      row.n,
      fixed(row.compressUsP50, 0),
      fixed(row.compressUsP99, 0),
      fixed(row.compressCpuUs, 0),
      fixed(row.decompressUsP50, 0),
      fixed(row.decompressUsP99, 0),
      fixed(row.ratio, 3),
      rfc ? `${rfc[0]} / ${rfc[1]}, ${rfc[2]}` : '',
    ])
  }
  const sizeTable = new Table({
    head: ['compressor', 'corpus', 'object', 'stored bytes', 'vs 4 KiB', 'compress ms', 'decompress ms'],
  })
  for (const row of r.objectSize) {
    const base = r.objectSize.find(
      (x) => x.compressor === row.compressor && x.corpus === row.corpus && x.objectBytes === PAGE_SIZE,
    ) as ObjectSizeRow
    sizeTable.push([
      row.compressor,
      row.corpus,
      `${row.objectBytes / 1024} KiB`,
      row.storedBytes,
      fixed(row.storedBytes / base.storedBytes, 3),
      fixed(row.compressMs, 1),
      fixed(row.decompressMs, 1),
    ])
  }
  const g = r.goals
  return [
    `by_n over the IAA emulation (deflate-1, ${r.engines} engines, verify on), 64 KiB objects: ${r.objectsPerCorpus} per corpus × ${r.corpora.length} corpora (${r.source}), ${r.runs} interleaved runs, ${r.cores} cores`,
    curveTable.toString(),
    `baseline: two objects in one batch (n=1) ÷ twice one object: ${fixed(r.pairVsTwoSingles, 3)} (0.5 = the engines ran fully in parallel, 1 = not at all); load average ${fixed(r.loadAverage[0], 1)} → ${fixed(r.loadAverage[1], 1)}`,
    `n=2 compress p50 ÷ n=1: ${fixed(g.n2VsN1Compress, 3)} (goal ≤ 0.6); n=8 ratio ÷ n=1: ${fixed(g.n8RatioVsN1, 3)} (goal ≥ 0.9); best p50 past n=${r.engines} ÷ p50 at n=${r.engines}: ${fixed(g.pastEnginesVsAtEngines, 3)} (no gain past the engines: ≈ 1 or more)`,
    `partialVsWhole (one 4 KiB page of an n=16 object ÷ the whole object): ${fixed(r.partialVsWhole, 3)} (${fixed(r.partialUsP50, 0)} / ${fixed(r.wholeUsP50, 0)} µs; goal ≤ 0.25)`,
    '',
    'Object size (software, no by_n):',
    sizeTable.toString(),
    `objectBytes64kVs4k: ${Object.entries(r.objectBytes64kVs4k)
      .map(([k, v]) => `${k} ${fixed(v, 3)}`)
      .join(', ')}`,
  ].join('\n')
}

export default async function byNBench(argv: string[]): Promise<number> {
  const cli = cac('bench by-n')
  cli
    .option('--json', 'print the JSON report')
    .option(
      '--corpus-dir <dir>',
      'directory of *.pages[.zst] corpora (default ../shared/corpus from the repo root)',
    )
    .option('--objects <n>', '64 KiB objects per corpus per run', { default: 24 })
    .option('--runs <n>', 'interleaved runs', { default: 5 })
    .option(
      '--model <preset>',
      'modeled latency with a device preset (e.g. spr) next to the published by_n table',
    )
    .help()
  let parsed: ReturnType<typeof cli.parse>
  try {
    parsed = cli.parse(['node', 'bench-by-n', ...argv], { run: false })
  } catch (error) {
    process.stderr.write(`bench by-n: ${(error as Error).message}\n`)
    return 2
  }
  const o = parsed.options
  if (o.help) return 0
  const objects = Number(o.objects)
  const runs = Number(o.runs)
  for (const [name, value] of Object.entries({ objects, runs })) {
    if (!Number.isInteger(value) || value < 1) {
      process.stderr.write(`bench by-n: --${name} must be a positive integer, got ${value}\n`)
      return 2
    }
  }
  if (o.model !== undefined) {
    const modeled = await runByNModelBench({
      model: String(o.model),
      objects,
      ...(o.corpusDir === undefined ? {} : { corpusDir: String(o.corpusDir) }),
    })
    process.stdout.write(o.json ? `${JSON.stringify(modeled, null, 2)}\n` : `${formatByNModel(modeled)}\n`)
    return 0
  }
  const report = await runByNBench({
    objects,
    runs,
    ...(o.corpusDir === undefined ? {} : { corpusDir: String(o.corpusDir) }),
  })
  process.stdout.write(o.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatByNBench(report)}\n`)
  return 0
}
