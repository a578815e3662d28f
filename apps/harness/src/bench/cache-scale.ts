import { performance } from 'node:perf_hooks'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { createZswap, type Zswap } from '@zswap/cache'
import { CorruptDataError, type Folio, isAccelerator, PAGE_SIZE } from '@zswap/core'
import type { Corpus } from '../corpus.js'
import type { Stack } from '../stacks.js'
import { median } from './util.js'

/**
 * `bench cache --pages N`: how the cache's store cost and memory grow with
 * the pages it holds. N pages (the corpora's pages in turn, each copy
 * varied by writing its page number into its first and middle 4 bytes, so
 * no two pages are the same) are stored one call per 4 KiB page into one
 * cache whose pool is large enough to hold them all (no write-back).
 *
 * - `storeCostScaling`: the store cost per page over the last
 *   {@link WINDOW} pages ÷ that over the first {@link WINDOW}, in process CPU
 *   time (user + system): on a shared machine the wall clock of a window
 *   mostly says how much of a core the process got (the wall-clock figure
 *   is reported too). Each window is timed in chunks of {@link CHUNK} pages
 *   and the figure is the ratio of the chunks' medians (the ratio of the
 *   windows' means is reported too). The JIT is warmed up on another cache
 *   first.
 * - `metadataBytesPerEntry`: measured from the process: V8 heap used plus
 *   ArrayBuffer bytes after the N stores, minus the same before the cache
 *   was made (both after a full GC), minus the zpool's pages (its arena's
 *   reserved bytes), per stored page. It includes the zpool's own handle
 *   tables (`zpoolMetadataBytesPerEntry` says how much) and everything the
 *   cache allocated. `tableBytesPerEntry` is the cache's own count
 *   (`Zswap.metadataBytes`) for comparison.
 */

/** Pages per timed chunk. */
export const CHUNK = 1000
/** Pages per window compared (first and last). */
export const WINDOW = 10_000

/** A cache on a fresh stack (the cache owns and closes it). */
export async function newCache(makeStack: () => Promise<Stack>, ramBytes: number): Promise<Zswap> {
  const stack = await makeStack()
  return createZswap({
    ...(isAccelerator(stack.compressor)
      ? { accelerator: stack.compressor }
      : { compressor: stack.compressor }),
    zpool: stack.zpool,
    ramBytes,
  })
}

let gcFn: (() => void) | undefined
/** A full garbage collection (turns on --expose-gc for a fresh context when needed). */
export function forceGc(): void {
  if (gcFn === undefined) {
    setFlagsFromString('--expose-gc')
    gcFn = runInNewContext('gc') as () => void
  }
  gcFn()
  gcFn()
}

/** Process CPU time (user + system, all threads), ms. */
function cpuMs(): number {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1e3
}

/** Heap used plus ArrayBuffer bytes, after a full GC. */
function liveBytes(): number {
  forceGc()
  const m = process.memoryUsage()
  return m.heapUsed + m.arrayBuffers
}

/** What `bench cache --pages N --json` prints. */
export interface ScaleReport {
  /** Store cost per page, last WINDOW pages ÷ first WINDOW (medians of CHUNK-page chunks). */
  storeCostScaling: number
  /** The same from the windows' mean cost. */
  storeCostScalingMean: number
  /** CPU µs per page stored, first and last window (median chunk). */
  firstWindowUsPerPage: number
  lastWindowUsPerPage: number
  /** The same from wall-clock time (noisy on a shared machine: preemption counts). */
  wallStoreCostScaling: number
  wallFirstWindowUsPerPage: number
  wallLastWindowUsPerPage: number
  pages: number
  storedPages: number
  /** Process bytes held per stored page, zpool pages excluded (see above). */
  metadataBytesPerEntry: number
  /** The zpool's own metadata per stored page (included above), when the zpool reports it. */
  zpoolMetadataBytesPerEntry: number | null
  /** Zswap.metadataBytes per stored page: the cache's own arrays and index. */
  tableBytesPerEntry: number
  /** Bytes of zpool pages subtracted (the arena's reserved bytes). */
  zpoolPageBytes: number
  goals: { storeCostScaling: number; metadataBytesPerEntry: number }
  stack: string
  backend?: string
  source: string
}

interface PoolLike {
  readonly totalPages: number
  readonly metadataBytes?: number
  readonly arena?: { readonly reservedBytes: number }
}

/** Copies page `i` of the cycled corpora into `page`, varied by its number. */
function fillPage(corpora: readonly Corpus[], total: number, i: number, page: Uint8Array): void {
  let k = i % total
  let c = 0
  while (k >= corpora[c].pages) {
    k -= corpora[c].pages
    c++
  }
  const data = corpora[c].data
  page.set(data.subarray(k * PAGE_SIZE, (k + 1) * PAGE_SIZE))
  const view = new DataView(page.buffer, page.byteOffset, PAGE_SIZE)
  view.setUint32(0, i, true)
  view.setUint32(PAGE_SIZE / 2, i, true)
}

/** Runs the scale measurement (one cache, `pages` stores). */
export async function runScaleBench(options: {
  pages: number
  corpora: readonly Corpus[]
  source: string
  makeStack: () => Promise<Stack>
  stackName: string
  backend: string | undefined
}): Promise<ScaleReport> {
  const { pages, corpora, makeStack } = options
  if (!(Number.isInteger(pages) && pages >= 2 * WINDOW && pages % CHUNK === 0)) {
    throw new RangeError(`--pages must be a multiple of ${CHUNK}, at least ${2 * WINDOW}`)
  }
  const total = corpora.reduce((n, c) => n + c.pages, 0)
  const page = new Uint8Array(PAGE_SIZE)
  const folio: Folio = { swap: { type: 0, offset: 0 }, order: 0, data: page }
  const swap = folio.swap as { type: number; offset: number }
  const ramBytes = 1000 * pages * PAGE_SIZE
  // warm-up: JIT on another cache
  {
    const warm = await newCache(makeStack, ramBytes)
    for (let i = 0; i < 3 * WINDOW; i++) {
      fillPage(corpora, total, i, page)
      swap.offset = i
      await warm.store(folio)
    }
    await warm.close()
  }
  const chunks = new Float64Array(pages / CHUNK)
  const wallChunks = new Float64Array(pages / CHUNK)
  const before = liveBytes()
  const stack = await makeStack()
  const pool = stack.zpool as unknown as PoolLike
  const zswap = createZswap({
    ...(isAccelerator(stack.compressor)
      ? { accelerator: stack.compressor }
      : { compressor: stack.compressor }),
    zpool: stack.zpool,
    ramBytes,
  })
  try {
    let c0 = cpuMs()
    let t0 = performance.now()
    for (let i = 0; i < pages; i++) {
      fillPage(corpora, total, i, page)
      swap.offset = i
      await zswap.store(folio)
      if ((i + 1) % CHUNK === 0) {
        const c1 = cpuMs()
        const t1 = performance.now()
        chunks[Math.floor(i / CHUNK)] = c1 - c0
        wallChunks[Math.floor(i / CHUNK)] = t1 - t0
        c0 = c1
        t0 = t1
      }
    }
    const storedPages = zswap.storedPages
    const tableBytes = zswap.metadataBytes
    const after = liveBytes()
    const zpoolPageBytes = pool.arena?.reservedBytes ?? pool.totalPages * PAGE_SIZE
    // spot check: a few pages load back intact
    const check = new Uint8Array(PAGE_SIZE)
    for (const i of [0, Math.floor(pages / 2), pages - 1]) {
      if (!zswap.has({ type: 0, offset: i })) continue
      fillPage(corpora, total, i, page)
      if (!(await zswap.load({ swap: { type: 0, offset: i }, order: 0, data: check }))) {
        throw new CorruptDataError(`[zswap-harness] bench cache --pages: page ${i} did not load`)
      }
      if (Buffer.compare(check, page) !== 0) {
        throw new CorruptDataError(`[zswap-harness] bench cache --pages: page ${i} differs`)
      }
    }
    const perChunk = WINDOW / CHUNK
    const first = Array.from(chunks.subarray(0, perChunk))
    const last = Array.from(chunks.subarray(chunks.length - perChunk))
    const wallFirst = Array.from(wallChunks.subarray(0, perChunk))
    const wallLast = Array.from(wallChunks.subarray(wallChunks.length - perChunk))
    const sum = (a: number[]) => a.reduce((x, y) => x + y, 0)
    const us = (ms: number) => (ms * 1000) / CHUNK
    return {
      storeCostScaling: median(last) / median(first),
      storeCostScalingMean: sum(last) / sum(first),
      firstWindowUsPerPage: us(median(first)),
      lastWindowUsPerPage: us(median(last)),
      wallStoreCostScaling: median(wallLast) / median(wallFirst),
      wallFirstWindowUsPerPage: us(median(wallFirst)),
      wallLastWindowUsPerPage: us(median(wallLast)),
      pages,
      storedPages,
      metadataBytesPerEntry: (after - before - zpoolPageBytes) / storedPages,
      zpoolMetadataBytesPerEntry: pool.metadataBytes === undefined ? null : pool.metadataBytes / storedPages,
      tableBytesPerEntry: tableBytes / storedPages,
      zpoolPageBytes,
      goals: { storeCostScaling: 1.2, metadataBytesPerEntry: 32 },
      stack: options.stackName,
      ...(options.backend === undefined ? {} : { backend: options.backend }),
      source: options.source,
    }
  } finally {
    await zswap.close()
  }
}
