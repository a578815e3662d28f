import {
  AcceleratorError,
  type CompressJob,
  crc32,
  ErrorCode,
  PAGE_SHIFT,
  PAGE_SIZE,
  ZswapError,
} from '@zswap/core'
import type { CacheState } from './cache-state.js'
import type { Cgroup } from './cgroups.js'
import { IN_OBJECT, lruPush, RAW, REFERENCED } from './entry-table.js'
import { DONE, FAILED, type FolioBatch, PENDING } from './folio-batch.js'
import { cgroupMayZswap, checkLimits, reclaimForStore } from './shrinker.js'
import type { Staging } from './staging.js'
import { isZeroFilled } from './zero-map.js'

/** The error a job of a batch whose promise rejected carries into storeObject (made once). */
const BATCH_FAILED = new AcceleratorError('[@zswap/cache] the compress batch failed')

/**
 * The store path: zswap_store() for a batch of folios. Each object — one
 * page, or `min(objectPages, folio pages)` pages compressed together — is
 * one accelerator job; objects of consecutive folios are compressed in
 * batches of the accelerator's maxBatch (one await per batch), then each
 * object is checked against the limits, written to the zpool, and each of
 * its pages put in the index with its own entry. A folio joins its cgroup's LRU
 * and is counted only when its last page is in; any failure on the way
 * (a limit, a poor or failed compression, an accelerator fault, a zpool
 * fault) rejects it: every offset of the folio is freed, stale entries
 * included, and the failure is counted.
 *
 * Before zswap, as the swap layer's swap_writepage(): an all-zero folio
 * (zeroPages 'map') is only marked in the zero map; any other folio clears
 * the zero-map bits of its offsets.
 */
export async function storeFolios(
  s: CacheState,
  b: FolioBatch,
  wait: Promise<void> | undefined,
  single: boolean,
): Promise<boolean | boolean[]> {
  // One async function per call: the caller validated `b` and queued for
  // the lock; the only awaits are the lock when contended, one per compress
  // batch, and write-back when a limit needs it.
  if (wait) await wait
  try {
    s.checkOpen()
    s.storing = b
    try {
      const n = b.length
      const { state, order, data } = b
      // the swap layer first: all-zero folios go to the zero map, the others clear their bits
      // then folio checks that need no compression: disabled, large folio with mthp off
      const zero = s.zero
      for (let f = 0; f < n; f++) {
        if (s.mapZero && isZeroFilled(data[f])) {
          mapZero(s, b, f)
          continue
        }
        if (zero.pages > 0) zero.clearRange(b.type[f], b.offset[f], b.pages(f))
        if (!s.params.enabled || (order[f] > 0 && !s.params.mthpEnabled)) reject(s, b, f)
      }
      // read once: setCompressor() may run during an await, and staging be replaced
      const cid = s.current
      const accel = s.accels[cid]
      const maxBatch = s.maxBatch[cid]
      const staging = s.staging
      const { cjobs: jobs, views, jobFolio, jobPage } = staging
      // pages per object: objectPages, or the whole folio when it is smaller
      const maxObjectOrder = Math.log2(s.objectPages)
      let f = 0
      let page = 0
      for (;;) {
        let count = 0
        while (count < maxBatch && f < n) {
          if (state[f] !== PENDING) {
            f++
            page = 0
            continue
          }
          const k = Math.min(order[f], maxObjectOrder)
          const job = jobs[count]
          job.src =
            k === order[f] && page === 0
              ? data[f]
              : data[f].subarray(page << PAGE_SHIFT, (page + (1 << k)) << PAGE_SHIFT)
          job.dst = views[k][count]
          job.length = 0
          job.error = undefined
          jobFolio[count] = f
          jobPage[count] = page
          count++
          page += 1 << k
          if (page === 1 << order[f]) {
            f++
            page = 0
          }
        }
        if (count === 0) break
        let batchFailed = false
        const t0 = s.modeled[cid] ? performance.now() : 0
        try {
          await accel.compressBatch(jobs, count)
          if (s.modeled[cid]) s.acceleratorTime.add(true, t0, jobs, count, accel.timingModel!.name)
        } catch {
          // closed, or a device fault: a compression failure of every folio in the batch
          batchFailed = true
        }
        for (let j = 0; j < count; j++) {
          const more = settleJob(s, b, staging, j, batchFailed, maxObjectOrder, cid)
          if (more !== undefined) await more
        }
      }
    } catch (error) {
      // Only a bug can get here (driver faults are counted); still, no
      // folio of the batch may stay half-stored.
      for (let f = 0; f < b.length; f++) if (b.state[f] === PENDING) reject(s, b, f)
      throw error
    } finally {
      s.storing = undefined
    }
    return single ? b.state[0] === DONE : Array.from(b.state.subarray(0, b.length), (x) => x === DONE)
  } finally {
    s.unlock(b)
  }
}

/**
 * After its compress batch, job `j`: the folio checks, in order (a folio
 * sees the usage of the folios stored before it), then the zpool object
 * and entries. Synchronous unless a limit needs write-back: then it
 * returns the promise of the rest.
 */
function settleJob(
  s: CacheState,
  b: FolioBatch,
  staging: Staging,
  j: number,
  batchFailed: boolean,
  maxObjectOrder: number,
  cid: number,
): Promise<void> | undefined {
  const fi = staging.jobFolio[j]
  if (b.state[fi] !== PENDING) return undefined
  if (batchFailed) {
    // every job failed to compress: stored as-is below when the folio may, else rejected now
    if (!s.storeRaw || !b.cgroup[fi].writeback || s.objectPages * PAGE_SIZE > s.maxObjectSize) {
      s.counters.reject_compress_fail++
      reject(s, b, fi)
      return undefined
    }
    staging.cjobs[j].error = BATCH_FAILED
  }
  if (staging.jobPage[j] === 0) {
    // the cgroup limit (once per folio): a promise only when it must write back
    const may = cgroupMayZswap(s, b.cgroup[fi])
    if (may === false) {
      reject(s, b, fi)
      return undefined
    }
    if (may !== true) return settleAfter(s, b, staging, j, may, true, maxObjectOrder, cid)
  }
  // zswap_store_page() checks the pool limit before every page; here before every object
  if (checkLimits(s)) return settleAfter(s, b, staging, j, reclaimForStore(s), false, maxObjectOrder, cid)
  place(s, b, staging, j, maxObjectOrder, cid)
  return undefined
}

/** The rest of {@link settleJob} once the write-back it started (`may`) has settled. */
async function settleAfter(
  s: CacheState,
  b: FolioBatch,
  staging: Staging,
  j: number,
  may: Promise<boolean>,
  checkPool: boolean,
  maxObjectOrder: number,
  cid: number,
): Promise<void> {
  const fi = staging.jobFolio[j]
  if (!(await may) || (checkPool && checkLimits(s) && !(await reclaimForStore(s)))) {
    reject(s, b, fi)
    return
  }
  place(s, b, staging, j, maxObjectOrder, cid)
}

/** Job `j` passed the checks: its object into the zpool, then commit the folio after its last object. */
function place(
  s: CacheState,
  b: FolioBatch,
  staging: Staging,
  j: number,
  maxObjectOrder: number,
  cid: number,
): void {
  const fi = staging.jobFolio[j]
  const page = staging.jobPage[j]
  const k = Math.min(b.order[fi], maxObjectOrder)
  if (!storeObject(s, b, fi, page, 1 << k, staging.cjobs[j], b.cgroup[fi], cid)) {
    reject(s, b, fi)
  } else if (page + (1 << k) === 1 << b.order[fi]) {
    commit(s, b, fi)
  }
}

/**
 * Compression result → zpool object → an entry per page at its offset
 * (pages `page .. page + pages - 1` of folio `f`). Counts and returns false
 * on a failure; leaves nothing allocated then. Pending entries stay off the
 * LRU.
 *
 * A result that does not shrink the object (-1, or all of its bytes), or a
 * failed compression (an error, a length outside 1..bytes), stores the
 * object as-is when the cache stores incompressible pages, the folio's
 * cgroup may write back (zswap_compress() since 6.18: `dlen >= PAGE_SIZE`
 * or an error, and mem_cgroup_zswap_writeback_enabled()) and the zpool
 * takes objects that large (zbud does not); else it rejects the folio with
 * reject_compress_poor or reject_compress_fail.
 */
function storeObject(
  s: CacheState,
  b: FolioBatch,
  f: number,
  page: number,
  pages: number,
  job: CompressJob,
  cgroup: Cgroup,
  cid: number,
): boolean {
  const counters = s.counters
  let length = job.length
  const bytes = pages << PAGE_SHIFT
  const failed =
    job.error !== undefined || (length !== -1 && (!Number.isInteger(length) || length < 1 || length > bytes))
  // A result that is not -1 or 1..bytes is a broken compressor, not a full pool.
  let src = job.dst
  let raw = false
  if (failed || length === -1 || length === bytes) {
    if (!s.storeRaw || !cgroup.writeback || bytes > s.maxObjectSize) {
      // does not shrink: the whole folio is rejected, as for a page
      if (failed) counters.reject_compress_fail++
      else counters.reject_compress_poor++
      return false
    }
    raw = true
    length = bytes
    src = b.order[f] === 0 ? b.data[f] : b.data[f].subarray(page << PAGE_SHIFT, (page + pages) << PAGE_SHIFT)
  }
  const zpool = s.zpool
  let handle: number
  try {
    handle = zpool.malloc(length)
  } catch (error) {
    if (ZswapError.hasCode(error, ErrorCode.OBJECT_TOO_LARGE)) counters.reject_compress_poor++
    else counters.reject_alloc_fail++
    return false
  }
  try {
    zpool.write(handle, raw ? src : src.subarray(0, length))
  } catch {
    counters.reject_alloc_fail++
    try {
      zpool.free(handle)
    } catch {
      // the pool already lost the object; nothing more to give back
    }
    return false
  }
  // no compressor checks a raw page: its CRC-32 does, on every load and write-back
  const check = raw ? crc32(src) : 0
  const flags = raw ? REFERENCED | RAW : REFERENCED
  if (raw) counters.stored_incompressible_pages += pages
  const type = b.type[f]
  const first = b.offset[f] + page
  cgroup.zswap += length
  if (pages === 1 && !raw) {
    putEntry(s, type, first, handle, length, flags, cgroup, cid)
    return true
  }
  // a multi-page object, or a raw page: a row in the object table (a raw page's holds its CRC)
  const objects = s.objects
  const o = objects.alloc(pages)
  objects.handle[o] = handle
  objects.length[o] = length
  objects.type[o] = type
  objects.offset[o] = first
  objects.check[o] = check
  for (let i = 0; i < pages; i++) putEntry(s, type, first + i, o, i, flags | IN_OBJECT, cgroup, cid)
  return true
}

/** A new entry at (type, offset); a stale entry from an earlier store of the offset is replaced and freed. */
function putEntry(
  s: CacheState,
  type: number,
  offset: number,
  ref: number,
  length: number,
  flags: number,
  cgroup: Cgroup,
  cid: number,
): number {
  const t = s.entries
  const old = t.get(type, offset)
  if (old >= 0) s.freeEntry(old)
  const id = t.insert(type, offset)
  t.handle[id] = ref
  t.length[id] = length
  t.cgroup[id] = cgroup.id
  t.compressor[id] = cid
  t.flags[id] |= flags
  cgroup.zswapped++
  return id
}

/** Every page stored: link the folio's entries on its cgroup's LRU and count it. */
function commit(s: CacheState, b: FolioBatch, f: number): void {
  const pages = b.pages(f)
  const type = b.type[f]
  const offset = b.offset[f]
  for (let i = 0; i < pages; i++) {
    // an invalidate() that ran while the batch was in flight wins
    if (s.entries.get(type, offset + i) < 0) {
      reject(s, b, f)
      return
    }
  }
  const cgroup = b.cgroup[f]
  for (let i = 0; i < pages; i++) lruPush(s.entries, cgroup, s.entries.get(type, offset + i))
  b.state[f] = DONE
  s.counters.zswpout[b.order[f]]++
  cgroup.zswpout += pages
}

/**
 * An all-zero folio: no compression, no zpool object, no cgroup charge; its
 * offsets are marked in the zero map (swap_zeromap_folio_set), replacing
 * whatever they held, and it counts in swpout_zero (pages) and by order.
 */
function mapZero(s: CacheState, b: FolioBatch, f: number): void {
  const pages = b.pages(f)
  s.eraseRange(b.type[f], b.offset[f], pages)
  s.zero.setRange(b.type[f], b.offset[f], pages)
  s.counters.swpout_zero += pages
  s.counters.swpoutZero[b.order[f]]++
  b.state[f] = DONE
}

/** A rejected folio leaves no entry behind, stale or new (zswap_delete_stored_offsets). */
function reject(s: CacheState, b: FolioBatch, f: number): void {
  b.state[f] = FAILED
  s.eraseRange(b.type[f], b.offset[f], b.pages(f))
}
