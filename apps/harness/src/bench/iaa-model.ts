import { availableParallelism, loadavg } from 'node:os'
import { performance } from 'node:perf_hooks'
import { byN } from '@zswap/by-n'
import { type CompressJob, type DecompressJob, PAGE_SIZE } from '@zswap/core'
import { BY_N_RFC_TABLE, IAA_CRYPTO_V11_TABLE1, iaa } from '@zswap/iaa'
import Table from 'cli-table3'
import type { Corpus } from '../corpus.js'
import { fixed, loadCorpora, median } from './util.js'

/**
 * The modeled IAA benches (`bench by-n --model <preset>`, `bench iaa --model
 * <preset>`): latencies come from the device's timing model (job.modeledNs),
 * bytes and ratios from really compressing the corpora with the emulation.
 * What the emulation itself took on this machine is reported beside them.
 */

const OBJECT = 16 * PAGE_SIZE
const NS = BY_N_RFC_TABLE.map((r) => r.n)

/** What the engines run for the ratio columns: the RFC's canned-by_n, and mainline's fixed mode. */
const RATIO_CODEC =
  "IAA deflate, compressionMode 'canned' (ratio; the RFC's deflate-iaa-canned-by_n) and 'fixed' (ratioFixed)"

/** One row of `bench by-n --model`. */
export interface ByNModelRow {
  n: number
  /** Modeled ns of one 64 KiB object through by_n (median over the objects). */
  modeledCompressNs: number
  modeledDecompressNs: number
  /** The by_n RFC's median, ns. */
  publishedCompressNs: number
  publishedDecompressNs: number
  /** (modeled − published) ÷ published. */
  compressError: number
  decompressError: number
  /** Input ÷ stored bytes of the corpora's objects through by_n over canned mode (really compressed). */
  ratio: number
  /** The same over fixed mode (mainline iaa_crypto's only mode). */
  ratioFixed: number
  publishedRatio: number
  /** What the emulation took on this machine per object (median µs, wall). */
  emulationCompressUs: number
  emulationDecompressUs: number
}

/** The JSON document `bench by-n --model <preset> --json` prints. */
export interface ByNModelReport {
  model: string
  timing: 'modeled'
  ratioCodec: string
  cores: number
  loadAverage: [number, number]
  source: string
  corpora: string[]
  objects: number
  rows: ByNModelRow[]
  shape: {
    /** n of the smallest modeled compress latency (goal 8). */
    minimumAtN: number
    /** compress n=1 ÷ n=8 (goal ≥ 3.5) and n=64 ÷ n=8 (goal ≥ 2). */
    n1VsN8: number
    n64VsN8: number
    /** Largest |error| over both directions (goal ≤ 0.10). */
    maxError: number
    ok: boolean
  }
}

function objectsOf(corpus: Corpus, count: number): Uint8Array[] {
  const total = Math.floor(corpus.pages / 16)
  const step = Math.max(1, Math.floor(total / count))
  const out: Uint8Array[] = []
  for (let i = 0; i < total && out.length < count; i += step) {
    out.push(corpus.data.subarray(i * OBJECT, (i + 1) * OBJECT))
  }
  return out
}

/** by_n over the emulated device with a timing model, on 64 KiB objects of each corpus. */
export async function runByNModelBench(options: {
  model: string
  objects: number
  corpusDir?: string
}): Promise<ByNModelReport> {
  const { corpora, source } = loadCorpora(options.corpusDir === undefined ? {} : { dir: options.corpusDir })
  const objects = corpora.flatMap((c) => objectsOf(c, options.objects))
  const loadBefore = loadavg()[0]
  const device = iaa({
    engines: 2,
    mode: 'sync',
    model: options.model,
    compressionMode: 'canned',
    maxJobBytes: OBJECT + 64,
  })
  const fixedDevice = iaa({ engines: 2, mode: 'sync', compressionMode: 'fixed', maxJobBytes: OBJECT + 64 })
  const rows: ByNModelRow[] = []
  const cj: CompressJob = { src: new Uint8Array(0), dst: new Uint8Array(OBJECT), length: 0, error: undefined }
  const dj: DecompressJob = {
    src: new Uint8Array(0),
    dst: new Uint8Array(OBJECT),
    length: 0,
    error: undefined,
  }
  try {
    for (const n of NS) {
      const a = byN(device, { n })
      const mc: number[] = []
      const md: number[] = []
      const ec: number[] = []
      const ed: number[] = []
      let bytesIn = 0
      let bytesOut = 0
      for (const object of objects) {
        cj.src = object
        let t0 = performance.now()
        await a.compressBatch([cj])
        ec.push((performance.now() - t0) * 1000)
        if (cj.error) throw cj.error
        mc.push(cj.modeledNs ?? Number.NaN)
        bytesIn += object.length
        if (cj.length === -1) {
          bytesOut += object.length
          continue
        }
        bytesOut += cj.length
        dj.src = cj.dst.subarray(0, cj.length)
        t0 = performance.now()
        await a.decompressBatch([dj])
        ed.push((performance.now() - t0) * 1000)
        if (dj.error) throw dj.error
        if (!Buffer.from(dj.dst).equals(Buffer.from(object)))
          throw new Error(`bench by-n: n ${n}: wrong object`)
        md.push(dj.modeledNs ?? Number.NaN)
      }
      // fixed mode: the ratio only
      const f = byN(fixedDevice, { n })
      let fixedOut = 0
      for (const object of objects) {
        cj.src = object
        await f.compressBatch([cj])
        if (cj.error) throw cj.error
        fixedOut += cj.length === -1 ? object.length : cj.length
      }
      const pub = BY_N_RFC_TABLE.find((r) => r.n === n)!
      const c = median(mc)
      const d = median(md)
      rows.push({
        n,
        modeledCompressNs: c,
        modeledDecompressNs: d,
        publishedCompressNs: pub.compressNs,
        publishedDecompressNs: pub.decompressNs,
        compressError: (c - pub.compressNs) / pub.compressNs,
        decompressError: (d - pub.decompressNs) / pub.decompressNs,
        ratio: bytesIn / bytesOut,
        ratioFixed: bytesIn / fixedOut,
        publishedRatio: pub.ratio,
        emulationCompressUs: median(ec),
        emulationDecompressUs: median(ed),
      })
    }
  } finally {
    await device.close()
    await fixedDevice.close()
  }
  const at = (n: number) => rows.find((r) => r.n === n)!.modeledCompressNs
  const minimumAtN = rows.reduce((best, r) => (r.modeledCompressNs < best.modeledCompressNs ? r : best)).n
  const maxError = Math.max(...rows.flatMap((r) => [Math.abs(r.compressError), Math.abs(r.decompressError)]))
  const shape = { minimumAtN, n1VsN8: at(1) / at(8), n64VsN8: at(64) / at(8), maxError, ok: false }
  shape.ok = minimumAtN === 8 && shape.n1VsN8 >= 3.5 && shape.n64VsN8 >= 2 && maxError <= 0.1
  return {
    model: options.model,
    timing: 'modeled',
    ratioCodec: RATIO_CODEC,
    cores: availableParallelism(),
    loadAverage: [loadBefore, loadavg()[0]],
    source,
    corpora: corpora.map((c) => c.name),
    objects: objects.length,
    rows,
    shape,
  }
}

const pct = (x: number) => `${x >= 0 ? '+' : ''}${fixed(100 * x, 1)} %`

export function formatByNModel(r: ByNModelReport): string {
  const t = new Table({
    head: [
      'n',
      'compress ns (modeled)',
      'published',
      'error',
      'decompress ns (modeled)',
      'published',
      'error',
      'ratio canned',
      'published',
      'fixed',
      'emulation here c / d µs (measured)',
    ],
  })
  for (const row of r.rows) {
    t.push([
      row.n,
      fixed(row.modeledCompressNs, 0),
      row.publishedCompressNs,
      pct(row.compressError),
      fixed(row.modeledDecompressNs, 0),
      row.publishedDecompressNs,
      pct(row.decompressError),
      fixed(row.ratio, 2),
      row.publishedRatio,
      fixed(row.ratioFixed, 2),
      `${fixed(row.emulationCompressUs, 0)} / ${fixed(row.emulationDecompressUs, 0)}`,
    ])
  }
  const s = r.shape
  return [
    `by_n on IAA, MODELED with preset '${r.model}' (latency: the device timing model; ratio: really compressed, ${r.ratioCodec}); ${r.objects} objects of 64 KiB from ${r.corpora.length} corpora (${r.source}); published: the by_n RFC (64 KiB folios, canned-by_n, 2.5 GHz)`,
    t.toString(),
    `shape: minimum at n=${s.minimumAtN} (goal 8); compress n=1 ÷ n=8 ${fixed(s.n1VsN8, 2)} (goal ≥ 3.5), n=64 ÷ n=8 ${fixed(s.n64VsN8, 2)} (goal ≥ 2); largest error ${pct(s.maxError)} (goal ≤ 10 %): ${s.ok ? 'ok' : 'NOT MET'}; load average ${fixed(r.loadAverage[0], 1)} → ${fixed(r.loadAverage[1], 1)}, ${r.cores} cores`,
  ].join('\n')
}

/** One batch size of `bench iaa --model`. */
export interface IaaModelRow {
  /** Pages asked for; the driver sends them in calls of at most maxBatch (8). */
  pages: number
  calls: number
  /** Modeled ns per page: Σ of the calls' modeled time ÷ pages (median over repetitions). */
  compressNsPerPage: number
  decompressNsPerPage: number
  /** What the emulation took here per page (median µs, wall). */
  emulationCompressUsPerPage: number
  emulationDecompressUsPerPage: number
}

/** The JSON document `bench iaa --model <preset> --json` prints. */
export interface IaaModelReport {
  model: string
  timing: 'modeled'
  path: 'zswap (sync)'
  maxBatch: number
  cores: number
  loadAverage: [number, number]
  source: string
  rows: IaaModelRow[]
  /** iaa_crypto v11 Table 1, one page sync, for the 1-page row. */
  published: { compressNs: number; decompressNs: number }
  shape: {
    /** Per-page compress and decompress fall at every step from 1 to 8 pages. */
    fallsTo8: boolean
    /** 16 pages ÷ 8 pages, per page (goal: within 2 %: flat past the batch cap). */
    compress16Vs8: number
    decompress16Vs8: number
    ok: boolean
  }
}

/** Per-page modeled latency for batches of 1, 2, 4, 8, 16 pages of the corpora. */
export async function runIaaModelBench(options: {
  model: string
  runs: number
  corpusDir?: string
}): Promise<IaaModelReport> {
  const { corpora, source } = loadCorpora(options.corpusDir === undefined ? {} : { dir: options.corpusDir })
  const pages: Uint8Array[] = []
  for (const c of corpora) {
    for (let i = 0; i < Math.min(c.pages, 64); i++)
      pages.push(c.data.subarray(i * PAGE_SIZE, (i + 1) * PAGE_SIZE))
  }
  const loadBefore = loadavg()[0]
  const device = iaa({ engines: 2, mode: 'sync', model: options.model })
  const maxBatch = device.capabilities.maxBatch
  const cjobs: CompressJob[] = Array.from({ length: maxBatch }, () => ({
    src: new Uint8Array(0),
    dst: new Uint8Array(PAGE_SIZE),
    length: 0,
    error: undefined,
  }))
  const djobs: DecompressJob[] = Array.from({ length: maxBatch }, () => ({
    src: new Uint8Array(0),
    dst: new Uint8Array(PAGE_SIZE),
    length: 0,
    error: undefined,
  }))
  const rows: IaaModelRow[] = []
  try {
    for (const size of [1, 2, 4, 8, 16]) {
      const mc: number[] = []
      const md: number[] = []
      const ec: number[] = []
      const ed: number[] = []
      let calls = 0
      for (let run = 0; run < options.runs; run++) {
        for (let first = 0; first + size <= pages.length; first += size) {
          let c = 0
          let d = 0
          let wc = 0
          let wd = 0
          calls = 0
          for (let at = 0; at < size; at += maxBatch) {
            const count = Math.min(maxBatch, size - at)
            for (let i = 0; i < count; i++) cjobs[i].src = pages[first + at + i]
            let t0 = performance.now()
            await device.compressBatch(cjobs, count)
            wc += performance.now() - t0
            let m = 0
            let k = 0
            for (let i = 0; i < count; i++) {
              const job = cjobs[i]
              if (job.error) throw job.error
              m = Math.max(m, job.modeledNs ?? Number.NaN)
              // a page that does not compress is stored as is: nothing to decompress
              if (job.length > 0) djobs[k++].src = job.dst.subarray(0, job.length)
            }
            c += m
            calls++
            if (k === 0) continue
            t0 = performance.now()
            await device.decompressBatch(djobs, k)
            wd += performance.now() - t0
            m = 0
            for (let i = 0; i < k; i++) m = Math.max(m, djobs[i].modeledNs ?? Number.NaN)
            d += m
          }
          mc.push(c / size)
          md.push(d / size)
          ec.push((wc * 1000) / size)
          ed.push((wd * 1000) / size)
        }
      }
      rows.push({
        pages: size,
        calls,
        compressNsPerPage: median(mc),
        decompressNsPerPage: median(md),
        emulationCompressUsPerPage: median(ec),
        emulationDecompressUsPerPage: median(ed),
      })
    }
  } finally {
    await device.close()
  }
  const falls = (get: (r: IaaModelRow) => number) => rows.slice(1, 4).every((r, i) => get(r) < get(rows[i]))
  const shape = {
    fallsTo8: falls((r) => r.compressNsPerPage) && falls((r) => r.decompressNsPerPage),
    compress16Vs8: rows[4].compressNsPerPage / rows[3].compressNsPerPage,
    decompress16Vs8: rows[4].decompressNsPerPage / rows[3].decompressNsPerPage,
    ok: false,
  }
  shape.ok =
    shape.fallsTo8 && Math.abs(shape.compress16Vs8 - 1) <= 0.02 && Math.abs(shape.decompress16Vs8 - 1) <= 0.02
  return {
    model: options.model,
    timing: 'modeled',
    path: 'zswap (sync)',
    maxBatch,
    cores: availableParallelism(),
    loadAverage: [loadBefore, loadavg()[0]],
    source,
    rows,
    published: { ...IAA_CRYPTO_V11_TABLE1.sync },
    shape,
  }
}

export function formatIaaModel(r: IaaModelReport): string {
  const t = new Table({
    head: [
      'pages',
      'calls',
      'compress ns/page (modeled)',
      'decompress ns/page (modeled)',
      'emulation here c / d µs/page (measured)',
    ],
  })
  for (const row of r.rows) {
    t.push([
      row.pages,
      row.calls,
      fixed(row.compressNsPerPage, 0),
      fixed(row.decompressNsPerPage, 0),
      `${fixed(row.emulationCompressUsPerPage, 1)} / ${fixed(row.emulationDecompressUsPerPage, 1)}`,
    ])
  }
  const s = r.shape
  return [
    `IAA, MODELED with preset '${r.model}', ${r.path} path, batches capped at ${r.maxBatch} (pages of ${r.source}); published (iaa_crypto v11 Table 1, one page, sync): ${r.published.compressNs} / ${r.published.decompressNs} ns`,
    t.toString(),
    `shape: per page falls from 1 to 8 pages: ${s.fallsTo8 ? 'yes' : 'NO'}; 16 ÷ 8 pages per page: compress ${fixed(s.compress16Vs8, 3)}, decompress ${fixed(s.decompress16Vs8, 3)} (flat past the cap: ${s.ok ? 'ok' : 'NOT MET'}); load average ${fixed(r.loadAverage[0], 1)} → ${fixed(r.loadAverage[1], 1)}, ${r.cores} cores`,
  ].join('\n')
}
