import { closeSync, createWriteStream, openSync, readFileSync, readSync } from 'node:fs'
import { join } from 'node:path'
import type { Writable } from 'node:stream'
import { PAGE_SIZE } from '@zswap/core'
import { CompressStream } from 'zstd-napi'

/** One line of /proc/N/maps. */
export interface Mapping {
  readonly start: number
  readonly end: number
  /** e.g. `'rw-p'`. */
  readonly perms: string
  readonly inode: number
  /** File path, `[heap]`, `[stack]`…, or '' for anonymous memory. */
  readonly path: string
}

/** Parses /proc/N/maps. */
export function parseMaps(text: string): Mapping[] {
  const out: Mapping[] = []
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) (\S{4}) \S+ \S+ (\d+)\s*(.*)$/.exec(line)
    if (m === null) continue
    out.push({
      start: Number.parseInt(m[1], 16),
      end: Number.parseInt(m[2], 16),
      perms: m[3],
      inode: Number(m[4]),
      path: m[5],
    })
  }
  return out
}

/**
 * The mappings a swap-out would touch and the corpora hold: private,
 * readable and writable, anonymous (no file) or the `[heap]`; not the stack,
 * `[vvar]`, `[vdso]` and other special ones.
 */
export function isAnonymousPrivate(m: Mapping): boolean {
  return (
    m.perms[0] === 'r' &&
    m.perms[1] === 'w' &&
    m.perms[3] === 'p' &&
    m.inode === 0 &&
    (m.path === '' || m.path === '[heap]')
  )
}

/** What a capture read. */
export interface CaptureSummary {
  readonly mappings: number
  /** Pages written. */
  readonly pages: number
  /** Written pages that are all zeros. */
  readonly zeroPages: number
  /** Pages not present (never touched) or mapped to the kernel's shared zero page: left out. */
  readonly skippedPages: number
  /** Ranges /proc/N/mem would not read (left out). */
  readonly unreadableRanges: number
}

/** Options of {@link capture}. */
export interface CaptureOptions {
  readonly pid: number
  /** Output file: `.pages.zst` (zstd) or `.pages` (raw). */
  readonly out: string
  /** Stop after this many pages. Default: no limit. */
  readonly maxPages?: number
  /** Where /proc is (tests). Default '/proc'. */
  readonly proc?: string
  /** Called as pages are read: done and total pages of the selected mappings. */
  readonly onProgress?: (done: number, total: number) => void
}

const PRESENT = 1n << 63n
const SWAPPED = 1n << 62n
const PFN_MASK = (1n << 55n) - 1n
const KPF_ZERO_PAGE = 1n << 24n

function isZero(page: Uint8Array): boolean {
  const w = new BigUint64Array(page.buffer, page.byteOffset, PAGE_SIZE / 8)
  for (let i = 0; i < w.length; i++) if (w[i] !== 0n) return false
  return true
}

function tryOpen(path: string): number | undefined {
  try {
    return openSync(path, 'r')
  } catch {
    return undefined
  }
}

async function write(stream: Writable, chunk: Uint8Array): Promise<void> {
  if (!stream.write(chunk)) await new Promise<void>((resolve) => stream.once('drain', resolve))
}

/**
 * Writes the resident anonymous private pages of process `pid` to a corpus
 * file, in address order. A page is taken when /proc/N/pagemap says it is
 * present or swapped (it reads everything when pagemap cannot be read); pages
 * mapped to the kernel's shared zero page are left out when /proc/kpageflags
 * can be read (root), as the shared corpora were made: those are never swapped.
 * Ranges that /proc/N/mem refuses are skipped and counted.
 * @throws Error when /proc/N/maps or /proc/N/mem cannot be opened (no such
 * process, or no ptrace permission: run as root or as the process's user).
 */
export async function capture(o: CaptureOptions): Promise<CaptureSummary> {
  const proc = o.proc ?? '/proc'
  const dir = join(proc, String(o.pid))
  const maps = parseMaps(readFileSync(join(dir, 'maps'), 'utf8')).filter(isAnonymousPrivate)
  const mem = openSync(join(dir, 'mem'), 'r')
  const pagemap = tryOpen(join(dir, 'pagemap'))
  const kpageflags = tryOpen(join(proc, 'kpageflags'))
  const file = createWriteStream(o.out, { mode: 0o600 })
  const sink: Writable = o.out.endsWith('.zst') ? new CompressStream() : file
  if (sink !== file) sink.pipe(file)
  const closed = new Promise<void>((resolve, reject) => {
    file.on('close', resolve)
    file.on('error', reject)
    sink.on('error', reject)
  })
  const total = maps.reduce((n, m) => n + (m.end - m.start) / PAGE_SIZE, 0)
  const max = o.maxPages ?? Number.POSITIVE_INFINITY
  let done = 0
  let pages = 0
  let zeroPages = 0
  let skippedPages = 0
  let unreadableRanges = 0
  const entry = new BigUint64Array(1)
  const entryBytes = new Uint8Array(entry.buffer)
  const run = Buffer.alloc(256 * PAGE_SIZE)
  try {
    for (const m of maps) {
      const count = (m.end - m.start) / PAGE_SIZE
      for (let i = 0; i < count && pages < max; ) {
        // a run of up to 256 wanted pages
        let n = 0
        while (i + n < count && n < 256 && pages + n < max && wanted(m.start + (i + n) * PAGE_SIZE)) n++
        if (n === 0) {
          skippedPages++
          i++
          done++
          continue
        }
        let got = 0
        try {
          got = readSync(mem, run, 0, n * PAGE_SIZE, m.start + i * PAGE_SIZE)
        } catch {
          got = 0
        }
        const whole = Math.floor(got / PAGE_SIZE)
        if (whole < n) unreadableRanges++
        for (let p = 0; p < whole; p++)
          if (isZero(run.subarray(p * PAGE_SIZE, (p + 1) * PAGE_SIZE))) zeroPages++
        if (whole > 0) await write(sink, Buffer.from(run.subarray(0, whole * PAGE_SIZE)))
        pages += whole
        skippedPages += n - whole
        i += n
        done += n
        o.onProgress?.(done, total)
      }
    }
  } finally {
    closeSync(mem)
    if (pagemap !== undefined) closeSync(pagemap)
    if (kpageflags !== undefined) closeSync(kpageflags)
    sink.end()
    await closed
  }
  o.onProgress?.(total, total)
  return { mappings: maps.length, pages, zeroPages, skippedPages, unreadableRanges }

  function wanted(address: number): boolean {
    if (pagemap === undefined) return true
    if (readSync(pagemap, entryBytes, 0, 8, (address / PAGE_SIZE) * 8) !== 8) return true
    const e = entry[0]
    if ((e & (PRESENT | SWAPPED)) === 0n) return false
    if ((e & PRESENT) === 0n || kpageflags === undefined) return true
    const pfn = e & PFN_MASK
    if (pfn === 0n) return true // PFNs hidden (no CAP_SYS_ADMIN)
    if (readSync(kpageflags, entryBytes, 0, 8, Number(pfn) * 8) !== 8) return true
    return (entry[0] & KPF_ZERO_PAGE) === 0n
  }
}
