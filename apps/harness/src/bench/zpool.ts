import { cpus } from 'node:os'
import { performance } from 'node:perf_hooks'
import { InvalidArgumentError, PAGE_SIZE, type Zpool } from '@zswap/core'
import { z3fold } from '@zswap/z3fold'
import { zbud } from '@zswap/zbud'
import { zsmalloc } from '@zswap/zsmalloc'
import { cac } from 'cac'
import Table from 'cli-table3'
import { compressSync } from 'lz4-napi'
import binding from 'zstd-napi/binding.js'
import type { Corpus } from '../corpus.js'
import { interleavedRounds } from '../measure/rounds.js'
import { fixed, loadCorpora, median } from './util.js'

/**
 * `bench zpool`: the allocators on real compressed pages. Each corpus page is
 * compressed once with lz4 and with zstd level 1 (the raw bindings, so the
 * figures do not depend on the compressor drivers); at least 200,000 objects
 * (the corpus cycled) are stored in zsmalloc, zbud and z3fold, and:
 * - memory: pool pages × 4096 ÷ payload bytes;
 * - fragmentation: a seeded random half is freed, then `compact()` runs;
 *   zsmalloc's `freeable` (zs_can_compact) is compared with what it freed;
 *   every live object is read back and checked;
 * - speed: malloc+write+read+free churn over a live window, against a
 *   Map<number, Uint8Array> doing the same in the same run (median of runs,
 *   order alternating); `opsVsMap` > 1 means the pool is faster;
 * - metadata bytes per object, as each pool reports it.
 * Pages that do not compress below 4096 bytes are stored raw (4096 bytes);
 * objects above a pool's maxObjectSize are rejected and counted, as zswap
 * counts reject_compress_poor.
 */

const GOALS = { zsmallocBytesPerPayload: 1.08, compactionFreedVsFreeable: 0.9, opsVsMap: 1 }
const POOLS = ['zsmalloc', 'zbud', 'z3fold'] as const
type PoolName = (typeof POOLS)[number]

/** One row of the JSON report. */
export interface ZpoolBenchRow {
  zpool: PoolName
  corpus: string
  compressor: 'lz4' | 'zstd-1'
  /** Pool pages × 4096 ÷ payload bytes, all objects stored. */
  poolBytesPerPayload: number
  /** Pages compaction freed ÷ pages zs_can_compact predicted; null for pools without compaction. */
  compactionFreedVsFreeable: number | null
  /** Map baseline time ÷ pool time for malloc+write+read+free (> 1: pool faster). */
  opsVsMap: number
  /** pool.metadataBytes ÷ live objects, all objects stored. */
  metaBytesPerObject: number
}

/** The JSON document `bench zpool --json` prints. */
export interface ZpoolBenchReport {
  rows: ZpoolBenchRow[]
  zsmallocClasses: Record<'4' | '8' | '16', { distinct: number; hugeClassSize: number }>
}

/** Compressed pages of one corpus: object i holds `data[off[i] .. off[i] + len[i]]`. */
interface Objects {
  corpus: string
  compressor: 'lz4' | 'zstd-1'
  views: Uint8Array[]
}

interface Detail {
  objects: number
  rejected: number
  payloadBytes: number
  pages: number
  halfBytesPerPayload: number
  compactedBytesPerPayload: number
  freeable: number | null
  freed: number
  metaCapacityPerObject: number | null
}

function compressCorpus(corpus: Corpus): Objects[] {
  const cctx = new binding.CCtx()
  cctx.setParameter(binding.CParameter.compressionLevel, 1)
  const zdst = new Uint8Array(binding.compressBound(PAGE_SIZE))
  const lz4Views: Uint8Array[] = []
  const zstdViews: Uint8Array[] = []
  for (let p = 0; p < corpus.pages; p++) {
    const page = corpus.data.subarray(p * PAGE_SIZE, (p + 1) * PAGE_SIZE)
    // lz4-napi prefixes the block with its 4-byte uncompressed size
    const block = compressSync(Buffer.from(page.buffer, page.byteOffset, PAGE_SIZE)).subarray(4)
    lz4Views.push(block.length < PAGE_SIZE ? Uint8Array.from(block) : page)
    const n = cctx.compress2(zdst, page)
    zstdViews.push(n < PAGE_SIZE ? zdst.slice(0, n) : page)
  }
  return [
    { corpus: corpus.name, compressor: 'lz4', views: lz4Views },
    { corpus: corpus.name, compressor: 'zstd-1', views: zstdViews },
  ]
}

function makePool(name: PoolName, chainSize: number): Zpool {
  if (name === 'zsmalloc') return zsmalloc({ chainSize })
  if (name === 'zbud') return zbud()
  return z3fold()
}

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1
  return () => {
    // xorshift32
    s ^= s << 13
    s >>>= 0
    s ^= s >>> 17
    s ^= s << 5
    s >>>= 0
    return s / 0x100000000
  }
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** Memory, fragmentation and compaction on `count` objects. */
function measureMemory(name: PoolName, objs: Objects, count: number, seed: number, chainSize: number) {
  const pool = makePool(name, chainSize)
  const max = pool.capabilities.maxObjectSize
  const { views } = objs
  const handles = new Float64Array(count).fill(-1)
  let payload = 0
  let rejected = 0
  for (let i = 0; i < count; i++) {
    const src = views[i % views.length]
    if (src.length > max) {
      rejected++
      continue
    }
    const h = pool.malloc(src.length)
    pool.write(h, src)
    handles[i] = h
    payload += src.length
  }
  const pages = pool.totalPages
  const stats = pool as Zpool & {
    metadataBytes?: number
    metadataCapacityBytes?: number
    objectCount?: number
  }
  const live = count - rejected
  const meta = (stats.metadataBytes ?? Number.NaN) / live
  const metaCapacity = stats.metadataCapacityBytes === undefined ? null : stats.metadataCapacityBytes / live
  const rnd = rng(seed)
  let halfPayload = payload
  for (let i = 0; i < count; i++) {
    if (handles[i] >= 0 && rnd() < 0.5) {
      halfPayload -= views[i % views.length].length
      pool.free(handles[i])
      handles[i] = -1
    }
  }
  const halfPages = pool.totalPages
  const freeable = name === 'zsmalloc' ? (pool as ReturnType<typeof zsmalloc>).freeable : null
  const freed = pool.compact?.() ?? 0
  if (pool.totalPages !== halfPages - freed) {
    throw new Error(`[zswap-harness] ${name}: compact() reported ${freed} pages, totalPages disagrees`)
  }
  const dst = new Uint8Array(PAGE_SIZE)
  let bad = 0
  for (let i = 0; i < count; i++) {
    if (handles[i] < 0) continue
    const src = views[i % views.length]
    const out = dst.subarray(0, src.length)
    pool.read(handles[i], out)
    if (!same(out, src)) bad++
    pool.free(handles[i])
  }
  if (bad > 0) throw new Error(`[zswap-harness] ${name}: ${bad} objects read back wrong after compaction`)
  if (pool.totalPages !== 0)
    throw new Error(`[zswap-harness] ${name}: ${pool.totalPages} pages left after freeing all`)
  pool.destroy()
  const detail: Detail = {
    objects: live,
    rejected,
    payloadBytes: payload,
    pages,
    halfBytesPerPayload: (halfPages * PAGE_SIZE) / halfPayload,
    compactedBytesPerPayload: ((halfPages - freed) * PAGE_SIZE) / halfPayload,
    freeable,
    freed,
    metaCapacityPerObject: metaCapacity,
  }
  return { ratio: (pages * PAGE_SIZE) / payload, meta, detail }
}

/** Churn: keep `window` objects live; each op frees the oldest, then malloc+write+read of a new one. */
function churnPool(
  pool: Zpool,
  views: Uint8Array[],
  window: number,
  ops: number,
  dsts: Uint8Array[],
): number {
  const max = pool.capabilities.maxObjectSize
  const ring = new Float64Array(window).fill(-1)
  let v = 0
  const next = () => {
    let src = views[v++ % views.length]
    while (src.length > max) src = views[v++ % views.length]
    return src
  }
  for (let i = 0; i < window; i++) {
    const src = next()
    const h = pool.malloc(src.length)
    pool.write(h, src)
    ring[i] = h
  }
  const t0 = performance.now()
  for (let k = 0; k < ops; k++) {
    const slot = k % window
    pool.free(ring[slot])
    const src = next()
    const h = pool.malloc(src.length)
    pool.write(h, src)
    pool.read(h, dsts[src.length])
    ring[slot] = h
  }
  const ms = performance.now() - t0
  for (let i = 0; i < window; i++) pool.free(ring[i])
  pool.destroy()
  return ms
}

function churnMap(views: Uint8Array[], max: number, window: number, ops: number, dsts: Uint8Array[]): number {
  const map = new Map<number, Uint8Array>()
  let v = 0
  let key = 0
  const next = () => {
    let src = views[v++ % views.length]
    while (src.length > max) src = views[v++ % views.length]
    return src
  }
  const ring = new Float64Array(window)
  for (let i = 0; i < window; i++) {
    const src = next()
    const obj = new Uint8Array(src.length)
    obj.set(src)
    map.set(key, obj)
    ring[i] = key++
  }
  const t0 = performance.now()
  for (let k = 0; k < ops; k++) {
    const slot = k % window
    map.delete(ring[slot])
    const src = next()
    const obj = new Uint8Array(src.length)
    obj.set(src)
    map.set(key, obj)
    dsts[src.length].set(map.get(key) as Uint8Array)
    ring[slot] = key++
  }
  return performance.now() - t0
}

async function measureOps(
  name: PoolName,
  objs: Objects,
  ops: number,
  runs: number,
  chainSize: number,
): Promise<number> {
  const window = 20_000
  const scratch = new Uint8Array(PAGE_SIZE)
  const dsts = Array.from({ length: PAGE_SIZE + 1 }, (_, n) => scratch.subarray(0, n))
  const max = makePool(name, chainSize).capabilities.maxObjectSize
  // The measuring core's rounds: one shorter warm-up round, then pool and Map alternating (A B, B A, ...).
  const [poolMs, mapMs] = await interleavedRounds(
    ['pool', 'map'] as const,
    { runs, warmup: 1, alternate: true },
    async (what, round) => {
      const n = round < 0 ? Math.min(ops, 20_000) : ops
      return what === 'pool'
        ? churnPool(makePool(name, chainSize), objs.views, window, n, dsts)
        : churnMap(objs.views, max, window, n, dsts)
    },
  )
  return median(poolMs.map((ms, r) => mapMs[r] / ms))
}

/** Multi-page zsmalloc objects: runs of `chunkPages` pages compressed with lz4 as one object (+16 B header). */
function measureMultiPage(
  corpus: Corpus,
  chunkPages: number,
  pagesStored: number,
  seed: number,
  chainSize: number,
) {
  const header = 16
  const views: Uint8Array[] = []
  const bytes = chunkPages * PAGE_SIZE
  for (let p = 0; p + chunkPages <= corpus.pages; p += chunkPages) {
    const chunk = corpus.data.subarray(p * PAGE_SIZE, p * PAGE_SIZE + bytes)
    const block = compressSync(Buffer.from(chunk.buffer, chunk.byteOffset, bytes)).subarray(4)
    const obj = new Uint8Array(header + Math.min(block.length, bytes))
    obj.set(block.length < bytes ? block : chunk, header)
    views.push(obj)
  }
  const pool = zsmalloc({ chainSize, multiPage: true })
  const count = Math.ceil(pagesStored / chunkPages)
  const handles = new Float64Array(count)
  let payload = 0
  for (let i = 0; i < count; i++) {
    const src = views[i % views.length]
    handles[i] = pool.malloc(src.length)
    pool.write(handles[i], src)
    payload += src.length
  }
  const ratio = (pool.totalPages * PAGE_SIZE) / payload
  const meta = pool.metadataBytes / count
  const rnd = rng(seed)
  for (let i = 0; i < count; i++) {
    if (rnd() < 0.5) {
      pool.free(handles[i])
      handles[i] = -1
    }
  }
  const freeable = pool.freeable
  const freed = pool.compact()
  const dst = new Uint8Array(header + bytes)
  for (let i = 0; i < count; i++) {
    if (handles[i] < 0) continue
    const src = views[i % views.length]
    const out = dst.subarray(0, src.length)
    pool.read(handles[i], out)
    if (!same(out, src)) throw new Error(`[zswap-harness] zsmalloc multi-page: object ${i} read back wrong`)
  }
  pool.destroy()
  return { count, ratio, meta, freeable, freed }
}

function positiveInt(value: unknown, flag: string, min = 1): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < min) {
    throw new InvalidArgumentError(
      `[zswap-harness] --${flag} must be an integer ≥ ${min}, got ${String(value)}`,
    )
  }
  return n
}

/** Entry point of `bench zpool [--json] [--corpus-dir dir] [--objects n] [--ops n] [--runs n] [--seed n]`. */
export default async function main(argv: string[]): Promise<void> {
  const cli = cac('bench zpool')
  cli
    .option('--json', 'print the JSON report only')
    .option(
      '--corpus-dir <dir>',
      'directory of *.pages[.zst] corpora (default: ../shared/corpus from the repo root)',
    )
    .option('--objects <n>', 'objects stored per pool and corpus (the corpus is cycled)', {
      default: 200_000,
    })
    .option('--ops <n>', 'malloc+write+read+free operations per timed run', { default: 200_000 })
    .option('--runs <n>', 'timed runs (median)', { default: 3 })
    .option('--seed <n>', 'seed of the random half freed', { default: 1 })
    .option('--chain-size <n>', 'zsmalloc chain size for the pool figures', { default: 8 })
  cli.help()
  const { options } = cli.parse(['node', 'bench zpool', ...argv], { run: false })
  if (options.help) return
  const objects = positiveInt(options.objects, 'objects')
  const ops = positiveInt(options.ops, 'ops')
  const runs = positiveInt(options.runs, 'runs')
  const seed = positiveInt(options.seed, 'seed', 0)
  const chainSize = positiveInt(options.chainSize, 'chain-size', 4)
  const json = options.json === true
  const log = (line: string) => {
    if (!json) process.stderr.write(`${line}\n`)
  }

  const { corpora, source } = loadCorpora(
    options.corpusDir === undefined ? {} : { dir: String(options.corpusDir) },
  )
  log(
    `bench zpool: ${corpora.length} corpora from ${source}; ${objects} objects per pool; ${cpus().length} cpus`,
  )
  const rows: ZpoolBenchRow[] = []
  const details: Detail[] = []
  for (const corpus of corpora) {
    for (const objs of compressCorpus(corpus)) {
      for (const name of POOLS) {
        const mem = measureMemory(name, objs, objects, seed, chainSize)
        const opsVsMap = await measureOps(name, objs, ops, runs, chainSize)
        rows.push({
          zpool: name,
          corpus: objs.corpus,
          compressor: objs.compressor,
          poolBytesPerPayload: mem.ratio,
          compactionFreedVsFreeable:
            mem.detail.freeable === null
              ? null
              : mem.detail.freeable === 0
                ? 1
                : mem.detail.freed / mem.detail.freeable,
          opsVsMap,
          metaBytesPerObject: mem.meta,
        })
        details.push(mem.detail)
        log(
          `  ${objs.corpus} ${objs.compressor} ${name}: ${fixed(mem.ratio, 3)} bytes/payload, ops×Map ${fixed(opsVsMap)}`,
        )
      }
    }
  }
  const zsmallocClasses = {} as ZpoolBenchReport['zsmallocClasses']
  for (const c of [4, 8, 16] as const) {
    const pool = zsmalloc({ chainSize: c })
    zsmallocClasses[String(c) as '4' | '8' | '16'] = {
      distinct: pool.classTable.distinct,
      hugeClassSize: pool.classTable.hugeClassSize,
    }
    pool.destroy()
  }
  const report: ZpoolBenchReport = { rows, zsmallocClasses }
  if (json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
    return
  }
  const table = new Table({
    head: [
      'corpus',
      'comp',
      'zpool',
      'objects',
      'rejected',
      'pages',
      'bytes/payload',
      'half freed',
      'compacted',
      'freed/freeable',
      'ops×Map',
      'meta B/obj',
    ],
  })
  rows.forEach((r, i) => {
    const d = details[i]
    table.push([
      r.corpus,
      r.compressor,
      r.zpool,
      d.objects,
      d.rejected,
      d.pages,
      fixed(r.poolBytesPerPayload, 3),
      fixed(d.halfBytesPerPayload, 3),
      fixed(d.compactedBytesPerPayload, 3),
      d.freeable === null ? '—' : `${d.freed}/${d.freeable}`,
      fixed(r.opsVsMap),
      d.metaCapacityPerObject === null
        ? fixed(r.metaBytesPerObject, 1)
        : `${fixed(r.metaBytesPerObject, 1)} (cap ${fixed(d.metaCapacityPerObject, 1)})`,
    ])
  })
  process.stdout.write(`${table.toString()}\n`)
  const multi = new Table({
    head: ['corpus', 'chunk', 'objects', 'bytes/payload', 'freed/freeable', 'meta B/obj'],
  })
  for (const corpus of corpora) {
    for (const chunkPages of [4, 16]) {
      const m = measureMultiPage(corpus, chunkPages, objects, seed, chainSize)
      multi.push([
        corpus.name,
        `${chunkPages * 4} KiB`,
        m.count,
        fixed(m.ratio, 3),
        `${m.freed}/${m.freeable}`,
        fixed(m.meta, 1),
      ])
    }
  }
  process.stdout.write(
    `zsmalloc multi-page objects (lz4 per chunk + 16-byte header, one object per chunk):\n`,
  )
  process.stdout.write(`${multi.toString()}\n`)
  const classes = new Table({ head: ['zsmalloc chain size', 'distinct classes', 'huge class size'] })
  for (const [c, v] of Object.entries(zsmallocClasses)) classes.push([c, v.distinct, v.hugeClassSize])
  process.stdout.write(`${classes.toString()}\n`)
  process.stdout.write(
    `goals: zsmalloc bytes/payload ≤ ${GOALS.zsmallocBytesPerPayload}, compaction freed/freeable ≥ ` +
      `${GOALS.compactionFreedVsFreeable}, ops×Map ≥ ${GOALS.opsVsMap}\n`,
  )
}
