import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { type Compressor, InvalidArgumentError, PAGE_SIZE, ZswapError } from '@zswap/core'
import { type DeflateCompressor, deflate } from '@zswap/deflate'
import { lz4 } from '@zswap/lz4'
import { liblzo2Status, lzo } from '@zswap/lzo'
import { zstd } from '@zswap/zstd'
import { cac } from 'cac'
import Table from 'cli-table3'
import { deflateSync, inflateSync } from 'fflate'
import { compressSync, uncompressSync } from 'lz4-napi'
import binding from 'zstd-napi/binding.js'
import { type Corpus, isCorpusFile, readCorpus, samplePath } from '../corpus.js'
import { compressorBackend } from '../stacks.js'
import { lzoRaw, lzoVsLzop } from './lzo-baseline.js'
import { cliLikePass, mbps, native, type Slots, slots } from './native-cli.js'
import { defaultCorpusDir, fixed, median } from './util.js'

export { parseNative } from './native-cli.js'

/**
 * `bench compressors`: every compressor driver on 4 KiB pages of each corpus
 * (../shared/corpus when present, and the harness's bundled sample), each
 * page compressed on its own as zswap does.
 *
 * For each driver and level: compression ratio (input ÷ output, incompressible
 * pages counted at their real compressed size as the CLIs do), compress and
 * decompress MB/s (10^6 bytes of page data per second), each the median of
 * `--runs` passes over the corpus. Beside it, in the same run and on the same
 * pages, the binding the driver wraps called directly ("raw"), taking turns
 * with the driver every 16 pages so machine noise hits both alike:
 * `driverVsRaw` = driver compress speed ÷ raw compress speed, the median
 * over all slices of all runs of (raw time ÷ driver time) on the same 16
 * pages — robust to bursts of load from other processes (goal ≥ 0.9).
 * The raw calls do the same work as the driver: zstd with the same
 * parameters (level, checksum, content size) through reused contexts; lz4
 * through lz4-napi's compressSync (the lz4 driver adds its CRC-32 trailer on
 * top). Deflate: the default driver (`deflate-<level>`, libdeflate when its
 * addon is built, else Node's zlib, with its CRC-32 trailer; `backend` says
 * which) is paired with fflate at the same level (deflateSync, and
 * inflateSync allocating its own output), the pure-JS engine it replaces: its
 * `driverVsRaw` (also `driverVsFflate`) is that speed-up (goal ≥ 2.5 at the
 * same ratio ±2 %). When the default is libdeflate, a second row runs the
 * zlib engine (`backend: 'zlib'`, also with `driverVsFflate`); the fflate
 * engine (`deflate-<level>-fflate`) is paired with fflate too.
 * When the `lz4` and `zstd` CLIs are installed, `lz4 -b1 -B4096` and
 * `zstd -b<level> -B4096` give native figures on the same pages; lz4 and
 * zstd rows then carry `driverVsNative` (compress MB/s ÷ the CLI's) and
 * `driverLoadVsNative` (decompress): in every run the CLI (`-i1`) and the
 * driver take turns, the driver timed the CLI's way (one pass, then about
 * 1 s of passes timed as a block; the faster), and the figure is the median
 * of the per-run ratios. Each CLI run reports its fastest iteration and
 * writes no checksum; the drivers keep theirs on (lz4's CRC-32, zstd's
 * content checksum).
 * lzo (when @zswap/lzo's addon is built): raw is that addon called
 * directly with the driver's default work (CRC-32 on). `lzop` cannot
 * compress 4 KiB blocks (its blocks are 256 KiB) nor benchmark itself, so
 * when it is installed `lzop -1 -F` (LZO1X-1(15), liblzo2's
 * lzo1x_1_15_compress, the driver's function; no checksums) runs on the
 * whole corpus file,
 * its CPU time taken from outside minus that of a run on an empty file, and
 * the driver's CPU time is taken on the same 256 KiB blocks: the lzo row's
 * `driverVsNative` / `driverLoadVsNative` compare the two at lzop's block
 * size, and the `lzop CLI (native)` row holds lzop's medians (its ratio is
 * at 256 KiB blocks, so it is higher than any per-page ratio).
 *
 * JSON: `{ rows: [{ driver, level, corpus, ratio, compressMBps,
 * decompressMBps, driverVsRaw, driverVsNative, driverLoadVsNative,
 * driverVsFflate }] }`; baseline rows (`driver` like `zstd-napi (raw)` or
 * `zstd CLI (native)`) have null in the last four.
 * lz4 rows also carry `backend` (`'liblz4'`, and a second row on
 * `'lz4-napi'` when the default is liblz4). The `zstd CLI (native)` row
 * holds the medians of the CLI's runs.
 */

const GOAL_DRIVER_VS_RAW = 0.9
/** Issue 11: the zstd driver at least as fast as the native CLI, both ways. */
const GOAL_ZSTD_VS_NATIVE = 1.0
/** Issue 11: deflate (libdeflate, by default) at least 2.5× fflate's compression, same ratio ±2 %. */
const GOAL_DEFLATE_VS_FFLATE = 2.5
/** lz4 driver on liblz4, checksum on, against `lz4 -b1 -B4096` (issue 11). */
const GOAL_LZ4_VS_NATIVE = { compress: 0.9, decompress: 0.8 }

/** One row of the JSON report. */
export interface CompressorBenchRow {
  /** Driver name (`'zstd-1'`), or a baseline: `'<binding> (raw)'`, `'<tool> CLI (native)'`. */
  driver: string
  /** Compression level; null for drivers without levels (lz4). */
  level: number | null
  corpus: string
  /** Input bytes ÷ compressed bytes, every page compressed on its own. */
  ratio: number
  /** Page bytes compressed per second, 10^6 bytes. */
  compressMBps: number
  /** Page bytes decompressed per second, 10^6 bytes. */
  decompressMBps: number
  /** Driver compress MB/s ÷ raw binding compress MB/s, same pages, same run; null on baseline rows. */
  driverVsRaw: number | null
  /**
   * The library the driver runs on, when it has several (lz4: `'liblz4'` or `'lz4-napi'`;
   * deflate: `'libdeflate'`, `'zlib'` or `'fflate'`).
   */
  backend?: string
  /**
   * zstd and lz4 driver rows: driver compress MB/s ÷ the native CLI's on the same pages, same run
   * (both timed the CLI's way, taking turns, median of per-run ratios). Null elsewhere or without
   * the CLI.
   */
  driverVsNative?: number | null
  /** The same for decompression (driver load ÷ native decompress). */
  driverLoadVsNative?: number | null
  /**
   * Deflate rows on a native engine (libdeflate, zlib): compress speed ÷ fflate's at the same
   * level, interleaved; null elsewhere.
   */
  driverVsFflate?: number | null
}

/** The JSON document `bench compressors --json` prints. */
export interface CompressorBenchReport {
  rows: CompressorBenchRow[]
}

/** The same work as a driver, done by calling its binding directly. */
interface Raw {
  name: string
  compress(src: Uint8Array, dst: Uint8Array): number
  decompress(src: Uint8Array, dst: Uint8Array): number
}

interface Subject {
  family: 'lz4' | 'zstd' | 'deflate' | 'lzo'
  level: number | null
  driver: Compressor
  raw: Raw
}

function lz4Raw(): Raw {
  return {
    name: 'lz4-napi (raw)',
    compress(src, dst) {
      const out = compressSync(src as Buffer)
      if (out.length > dst.length) return -1
      dst.set(out)
      return out.length
    },
    decompress(src, dst) {
      const out = uncompressSync(src as Buffer)
      dst.set(out)
      return out.length
    },
  }
}

function zstdRaw(level: number): Raw {
  const cctx = new binding.CCtx()
  cctx.setParameter(binding.CParameter.compressionLevel, level)
  cctx.setParameter(binding.CParameter.checksumFlag, 1)
  cctx.setParameter(binding.CParameter.contentSizeFlag, 1)
  const dctx = new binding.DCtx()
  return {
    name: 'zstd-napi (raw)',
    compress: (src, dst) => cctx.compress2(dst, src),
    decompress: (src, dst) => dctx.decompress(dst, src),
  }
}

function fflateRaw(level: number): Raw {
  const options = { level: level as 1 }
  return {
    name: 'fflate (raw)',
    compress(src, dst) {
      const out = deflateSync(src, options)
      if (out.length > dst.length) return -1
      dst.set(out)
      return out.length
    },
    decompress(src, dst) {
      const out = inflateSync(src)
      dst.set(out)
      return out.length
    },
  }
}

const FAMILIES = ['lz4', 'zstd', 'deflate', 'lzo'] as const

function subjects(families: readonly string[], zstdLevels: number[], deflateLevels: number[]): Subject[] {
  const out: Subject[] = []
  if (families.includes('lz4')) {
    const auto = lz4()
    out.push({ family: 'lz4', level: null, driver: auto, raw: lz4Raw() })
    // the fallback beside it, so both backends show in one run
    if (auto.capabilities.backend !== 'lz4-napi') {
      out.push({ family: 'lz4', level: null, driver: lz4({ backend: 'lz4-napi' }), raw: lz4Raw() })
    }
  }
  if (families.includes('lzo')) out.push({ family: 'lzo', level: null, driver: lzo(), raw: lzoRaw() })
  if (families.includes('zstd')) {
    for (const level of zstdLevels)
      out.push({ family: 'zstd', level, driver: zstd({ level }), raw: zstdRaw(level) })
  }
  if (families.includes('deflate')) {
    for (const level of deflateLevels) {
      const auto = deflate({ level })
      out.push({ family: 'deflate', level, driver: auto, raw: fflateRaw(level) })
      // Node's zlib beside libdeflate, so both native engines show in one run
      if (auto.engine !== 'zlib') {
        out.push({
          family: 'deflate',
          level,
          driver: deflate({ level, engine: 'zlib' }),
          raw: fflateRaw(level),
        })
      }
      out.push({
        family: 'deflate',
        level,
        driver: deflate({ level, engine: 'fflate' }),
        raw: fflateRaw(level),
      })
    }
  }
  return out
}

/** Page views of a corpus, at most `limit` pages. */
function pagesOf(corpus: Corpus, limit: number): Uint8Array[] {
  const n = Math.min(corpus.pages, limit)
  return Array.from({ length: n }, (_, i) => corpus.data.subarray(i * PAGE_SIZE, (i + 1) * PAGE_SIZE))
}

/** Pages per slice: the driver and the raw binding take turns slice by slice. */
const SLICE = 16

/** Milliseconds of one pass over all pages, for two subjects timed in alternating slices. */
interface PairTimes {
  compressMs: [number, number]
  decompressMs: [number, number]
  /** Per slice: the second subject's compress time ÷ the first's (raw ÷ driver = driver's relative speed). */
  sliceRatios: number[]
}

/**
 * One pass over the corpus for both subjects, alternating every {@link SLICE}
 * pages (and which one goes first), so that bursts of load from other
 * processes on a shared machine hit both alike. Blocks go into a dst of two
 * pages, so incompressible pages are measured, not rejected. With `check`,
 * every decompressed page is compared with its original.
 */
function pairedPass(
  subjects: readonly [Raw | Compressor, Raw | Compressor],
  pages: Uint8Array[],
  out: readonly [Slots, Slots],
  check: boolean,
): PairTimes {
  const times: PairTimes = { compressMs: [0, 0], decompressMs: [0, 0], sliceRatios: [] }
  const slice = [0, 0]
  const page = new Uint8Array(PAGE_SIZE)
  for (let start = 0; start < pages.length; start += SLICE) {
    const end = Math.min(pages.length, start + SLICE)
    for (let turn = 0; turn < 2; turn++) {
      const k = (turn + start / SLICE) & 1
      const c = subjects[k]
      const { arena, lengths } = out[k]
      const t0 = performance.now()
      for (let i = start; i < end; i++) {
        lengths[i] = c.compress(pages[i], arena.subarray(i * 2 * PAGE_SIZE, (i + 1) * 2 * PAGE_SIZE))
      }
      slice[k] = performance.now() - t0
      times.compressMs[k] += slice[k]
    }
    if (slice[0] > 0) times.sliceRatios.push(slice[1] / slice[0])
  }
  for (let start = 0; start < pages.length; start += SLICE) {
    const end = Math.min(pages.length, start + SLICE)
    for (let turn = 0; turn < 2; turn++) {
      const k = (turn + start / SLICE) & 1
      const c = subjects[k]
      const { arena, lengths } = out[k]
      const t0 = performance.now()
      for (let i = start; i < end; i++) {
        c.decompress(arena.subarray(i * 2 * PAGE_SIZE, i * 2 * PAGE_SIZE + lengths[i]), page)
        if (check && Buffer.compare(page, pages[i]) !== 0) {
          throw new InvalidArgumentError(`[zswap-harness] ${c.name}: page ${i} did not round-trip`)
        }
      }
      times.decompressMs[k] += performance.now() - t0
    }
  }
  return times
}

function positiveInt(value: unknown, name: string, min = 1): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < min) {
    throw new InvalidArgumentError(
      `[zswap-harness] --${name} must be an integer ≥ ${min}, got ${String(value)}`,
    )
  }
  return n
}

function levels(value: unknown, name: string): number[] {
  const list = String(value)
    .split(',')
    .map((s) => Number(s.trim()))
  if (list.some((n) => !Number.isInteger(n))) {
    throw new InvalidArgumentError(`[zswap-harness] --${name} must be a comma-separated list of integers`)
  }
  return list
}

function sum(a: Int32Array): number {
  let n = 0
  for (let i = 0; i < a.length; i++) n += a[i]
  return n
}

/** The corpora: every file of the corpus directory when it exists, then the bundled sample when present. */
function corpora(dir: string | undefined): Corpus[] {
  const out: Corpus[] = []
  if (dir !== undefined && existsSync(dir)) {
    for (const f of readdirSync(dir).filter(isCorpusFile).sort()) out.push(readCorpus(join(dir, f)))
  }
  let sample: string | undefined
  try {
    sample = samplePath()
  } catch {}
  if (sample !== undefined && existsSync(sample)) out.push({ ...readCorpus(sample), name: 'sample' })
  return out
}

/** Entry point of `bench compressors [--json] [--corpus-dir dir] [--runs n] [--pages n] [--drivers list]`. */
export default async function main(argv: string[]): Promise<void> {
  try {
    await run(argv)
  } catch (error) {
    // a bad flag or corpus is the user's mistake: one line, not a stack trace
    if (!ZswapError.isInstance(error)) throw error
    process.stderr.write(`${error.message}\n`)
    process.exitCode = 1
  }
}

async function run(argv: string[]): Promise<void> {
  const cli = cac('bench compressors')
  cli
    .option('--json', 'print the JSON report only')
    .option(
      '--corpus-dir <dir>',
      'directory of *.pages[.zst] corpora (default: ../shared/corpus from the repo root)',
    )
    .option('--runs <n>', 'timed passes per driver and corpus (median)', { default: 5 })
    .option('--pages <n>', 'most pages used from each corpus', { default: 4096 })
    .option(
      '--drivers <list>',
      'driver families, comma-separated (default: all; lzo when its addon is built)',
      {
        default: FAMILIES.filter((f) => f !== 'lzo' || liblzo2Status().available).join(','),
      },
    )
    .option('--zstd-levels <list>', 'zstd levels', { default: '1,3' })
    .option('--deflate-levels <list>', 'deflate levels', { default: '1,6' })
    .option('--no-native', 'skip the lz4/zstd CLI figures')
  cli.help()
  const { options } = cli.parse(['node', 'bench compressors', ...argv], { run: false })
  if (options.help) return
  const json = options.json === true
  const runs = positiveInt(options.runs, 'runs')
  const limit = positiveInt(options.pages, 'pages')
  const families = String(options.drivers)
    .split(',')
    .map((s) => s.trim())
  for (const f of families) {
    if (!(FAMILIES as readonly string[]).includes(f)) {
      throw new InvalidArgumentError(
        `[zswap-harness] --drivers: unknown driver ${f} (known: ${FAMILIES.join(', ')})`,
      )
    }
  }
  const list = subjects(
    families,
    levels(options.zstdLevels, 'zstd-levels'),
    levels(options.deflateLevels, 'deflate-levels'),
  )
  const log = (line: string) => {
    if (!json) process.stderr.write(`${line}\n`)
  }

  const dir = options.corpusDir === undefined ? defaultCorpusDir() : String(options.corpusDir)
  const all = corpora(dir)
  if (all.length === 0)
    throw new InvalidArgumentError('[zswap-harness] no corpus found and no bundled sample')
  log(
    `bench compressors: ${all.map((c) => c.name).join(', ')}; ${runs} runs (median); ${cpus().length} cpus; node ${process.version}`,
  )

  const rows: CompressorBenchRow[] = []
  const tmp = mkdtempSync(join(tmpdir(), 'zswap-bench-'))
  try {
    for (const corpus of all) {
      const pages = pagesOf(corpus, limit)
      const bytesIn = pages.length * PAGE_SIZE
      const out = [slots(pages.length), slots(pages.length)] as const
      // the native CLIs take turns with the driver's passes (interleaved)
      const file = join(tmp, `${corpus.name}.pages`)
      if (options.native !== false) writeFileSync(file, corpus.data.subarray(0, bytesIn))
      for (const s of list) {
        const d = { c: [] as number[], d: [] as number[] }
        const r = { c: [] as number[], d: [] as number[] }
        const ratios: number[] = []
        const vsNative = { c: [] as number[], d: [] as number[] }
        pairedPass([s.driver, s.raw], pages, out, true) // warm-up and correctness check
        const cli = { c: [] as number[], d: [] as number[], ratio: 0 }
        for (let k = 0; k < runs; k++) {
          const t = pairedPass([s.driver, s.raw], pages, out, false)
          d.c.push(mbps(bytesIn, t.compressMs[0]))
          d.d.push(mbps(bytesIn, t.decompressMs[0]))
          r.c.push(mbps(bytesIn, t.compressMs[1]))
          r.d.push(mbps(bytesIn, t.decompressMs[1]))
          ratios.push(...t.sliceRatios)
          if ((s.family === 'lz4' || s.family === 'zstd') && options.native !== false) {
            // timed the way `lz4 -b -i1` / `zstd -b -i1` time themselves, the two taking turns
            const tool = s.family
            const level = tool === 'lz4' ? 1 : (s.level as number)
            const first = k % 2 === 0 ? native(tool, level, file, ['-i1']) : undefined
            const best = cliLikePass(s.driver, pages, out[0], 1000)
            const n = first ?? native(tool, level, file, ['-i1'])
            if (n) {
              vsNative.c.push(best.c / n.c)
              vsNative.d.push(best.d / n.d)
              if (tool === 'zstd') {
                cli.c.push(n.c)
                cli.d.push(n.d)
                cli.ratio = n.ratio
              }
            }
          } else if (s.family === 'lzo' && options.native !== false) {
            // lzop has no benchmark mode and no 4 KiB blocks: both on its 256 KiB blocks, in CPU time
            const n = lzoVsLzop(s.driver, corpus.data.subarray(0, bytesIn), file, tmp)
            if (n) {
              vsNative.c.push(n.driver.c / n.lzop.c)
              vsNative.d.push(n.driver.d / n.lzop.d)
              cli.c.push(n.lzop.c)
              cli.d.push(n.lzop.d)
              cli.ratio = n.lzop.ratio
            }
          }
        }
        const backend = compressorBackend(s.driver)
        const row: CompressorBenchRow = {
          driver: s.driver.name,
          level: s.level,
          corpus: corpus.name,
          ratio: bytesIn / sum(out[0].lengths),
          compressMBps: median(d.c),
          decompressMBps: median(d.d),
          driverVsRaw: median(ratios),
          ...(backend === undefined ? {} : { backend }),
          ...(s.family === 'lz4' || s.family === 'zstd' || s.family === 'lzo'
            ? {
                driverVsNative: vsNative.c.length > 0 ? median(vsNative.c) : null,
                driverLoadVsNative: vsNative.d.length > 0 ? median(vsNative.d) : null,
              }
            : {}),
        }
        if (s.family === 'deflate') {
          row.driverVsFflate = (s.driver as DeflateCompressor).engine !== 'fflate' ? row.driverVsRaw : null
        }
        rows.push(row, {
          driver: s.raw.name,
          level: s.level,
          corpus: corpus.name,
          ratio: bytesIn / sum(out[1].lengths),
          compressMBps: median(r.c),
          decompressMBps: median(r.d),
          driverVsRaw: null,
        })
        if (cli.c.length > 0) {
          const nat: CompressorBenchRow = {
            driver: s.family === 'lzo' ? 'lzop CLI (native)' : 'zstd CLI (native)',
            level: s.level,
            corpus: corpus.name,
            ratio: cli.ratio,
            compressMBps: median(cli.c),
            decompressMBps: median(cli.d),
            driverVsRaw: null,
          }
          rows.push(nat)
        }
        log(
          `  ${corpus.name} ${row.driver}${backend ? ` (${backend})` : ''}: ratio ${fixed(row.ratio, 3)}, ${fixed(row.compressMBps, 1)} / ${fixed(row.decompressMBps, 1)} MB/s, ×raw ${fixed(row.driverVsRaw as number)}` +
            (typeof row.driverVsNative === 'number'
              ? `, ×native ${fixed(row.driverVsNative)} / ${fixed(row.driverLoadVsNative as number)}`
              : ''),
        )
      }
      if (options.native !== false) {
        const natives: [tool: 'lz4' | 'zstd', level: number][] = []
        if (families.includes('lz4')) natives.push(['lz4', 1])
        for (const [tool, level] of natives) {
          const n = native(tool, level, file)
          if (!n) continue
          rows.push({
            driver: `${tool} CLI (native)`,
            level: tool === 'lz4' ? null : level,
            corpus: corpus.name,
            ratio: n.ratio,
            compressMBps: n.c,
            decompressMBps: n.d,
            driverVsRaw: null,
          })
          log(`  ${corpus.name} ${tool} -b${level} -B4096: ratio ${fixed(n.ratio, 3)}, ${n.c} / ${n.d} MB/s`)
        }
        rmSync(file, { force: true })
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }

  if (json) {
    process.stdout.write(`${JSON.stringify({ rows } satisfies CompressorBenchReport, null, 2)}\n`)
    return
  }
  process.stdout.write(`${table(rows)}\n`)
  const below = rows.filter((r) => r.driverVsRaw !== null && r.driverVsRaw < GOAL_DRIVER_VS_RAW)
  process.stdout.write(
    below.length === 0
      ? `driver ÷ raw compress throughput ≥ ${GOAL_DRIVER_VS_RAW} on every row\n`
      : `below the ${GOAL_DRIVER_VS_RAW} driver ÷ raw goal: ${below.map((r) => `${r.driver}@${r.corpus} ${fixed(r.driverVsRaw as number)}`).join(', ')}\n`,
  )
  process.stdout.write(`${zstdDeflateGoals(rows)}\n`)
  const liblz4 = rows.filter((r) => r.backend === 'liblz4' && typeof r.driverVsNative === 'number')
  if (liblz4.length > 0) {
    const missed = liblz4.filter(
      (r) =>
        (r.driverVsNative as number) < GOAL_LZ4_VS_NATIVE.compress ||
        (r.driverLoadVsNative as number) < GOAL_LZ4_VS_NATIVE.decompress,
    )
    process.stdout.write(
      missed.length === 0
        ? `lz4 (liblz4) ÷ native lz4: compress ≥ ${GOAL_LZ4_VS_NATIVE.compress} and decompress ≥ ${GOAL_LZ4_VS_NATIVE.decompress} on every corpus\n`
        : `below the lz4 ÷ native goal (${GOAL_LZ4_VS_NATIVE.compress} / ${GOAL_LZ4_VS_NATIVE.decompress}): ${missed.map((r) => `${r.corpus} ${fixed(r.driverVsNative as number)} / ${fixed(r.driverLoadVsNative as number)}`).join(', ')}\n`,
    )
  }
  const lzoRows = rows.filter((r) => r.driver === 'lzo' && typeof r.driverVsNative === 'number')
  if (lzoRows.length > 0) {
    process.stdout.write(
      `lzo ÷ lzop -1 (both on lzop's 256 KiB blocks, CPU time) c / d: ${lzoRows.map((r) => `${r.corpus} ${fixed(r.driverVsNative as number)} / ${fixed(r.driverLoadVsNative as number)}`).join(', ')}\n`,
    )
  }
}

/** The issue-11 goals of the zstd and deflate rows, one line each. */
function zstdDeflateGoals(rows: readonly CompressorBenchRow[]): string {
  const lines: string[] = []
  const zstdRows = rows.filter(
    (r) => r.driver.startsWith('zstd') && r.driverVsNative != null && r.driverLoadVsNative != null,
  )
  if (zstdRows.length > 0) {
    lines.push(
      `zstd driver ÷ native CLI (goal ≥ ${GOAL_ZSTD_VS_NATIVE} both ways): ${zstdRows
        .map(
          (r) =>
            `${r.driver}@${r.corpus} ${fixed(r.driverVsNative as number)}/${fixed(r.driverLoadVsNative as number)}`,
        )
        .join(', ')}`,
    )
  }
  const deflateRows = rows.filter((r) => r.driverVsFflate != null)
  if (deflateRows.length > 0) {
    lines.push(
      `deflate ÷ fflate compress (goal ≥ ${GOAL_DEFLATE_VS_FFLATE}, ratio ±2 %): ${deflateRows
        .map((r) => {
          const ff = rows[rows.indexOf(r) + 1]
          return `${r.driver} (${r.backend})@${r.corpus} ${fixed(r.driverVsFflate as number)} (ratio ${fixed((100 * (r.ratio - ff.ratio)) / ff.ratio, 1)} %)`
        })
        .join(', ')}`,
    )
  }
  return lines.join('\n')
}

/** One line per driver and corpus, with its raw binding and native CLI beside it. */
function table(rows: readonly CompressorBenchRow[]): string {
  const t = new Table({
    style: { head: [], border: [] },
    head: [
      'corpus',
      'driver',
      'ratio',
      'compress MB/s',
      'decompress MB/s',
      'raw compress',
      'raw decompress',
      'driver ÷ raw',
      'native compress',
      'native decompress',
      'driver ÷ native c / d',
    ],
  })
  const drivers = rows.filter((r) => r.driverVsRaw !== null)
  for (const r of drivers) {
    const i = rows.indexOf(r)
    const raw = rows[i + 1]
    const family = r.driver.split('-')[0]
    const nat = rows.find(
      (n) =>
        n.corpus === r.corpus &&
        n.driver === `${family === 'lzo' ? 'lzop' : family} CLI (native)` &&
        (family === 'lz4' || n.level === r.level),
    )
    t.push([
      r.corpus,
      r.backend === undefined ? r.driver : `${r.driver} (${r.backend})`,
      fixed(r.ratio, 3),
      fixed(r.compressMBps, 1),
      fixed(r.decompressMBps, 1),
      fixed(raw.compressMBps, 1),
      fixed(raw.decompressMBps, 1),
      fixed(r.driverVsRaw as number),
      nat ? fixed(nat.compressMBps, 1) : '-',
      nat ? fixed(nat.decompressMBps, 1) : '-',
      typeof r.driverVsNative === 'number'
        ? `${fixed(r.driverVsNative)} / ${fixed(r.driverLoadVsNative as number)}`
        : '-',
    ])
  }
  return t.toString()
}
