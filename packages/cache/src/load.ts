import { crc32, type DecompressJob, PAGE_SHIFT, PAGE_SIZE, type Zpool } from '@zswap/core'
import type { CacheState } from './cache-state.js'
import { IN_OBJECT, RAW } from './entry-table.js'
import { DONE, FAILED, type FolioBatch, PENDING } from './folio-batch.js'
import type { Staging } from './staging.js'

/**
 * The load path: zswap_load() for a batch of folios. Each zpool object the
 * folio needs is read and decompressed by the accelerator that made it, in
 * batches of that accelerator's maxBatch (one await per batch):
 *
 * - a single-page object, or a multi-page object whose pages all lie in the
 *   folio, decompresses straight into the folio;
 * - a multi-page object the folio holds only some pages of decompresses just
 *   those pages (`DecompressJob.start`) when the accelerator supports
 *   partial decompression, else whole into a scratch slot, from which the
 *   pages are copied.
 *
 * A zero-mapped page is filled with zeros; a raw (incompressible) page or
 * object is copied out of the zpool, no decompression, after its CRC-32 is
 * checked. A folio loads only when every page is present and decompresses
 * (or checks) to exactly its size; then its entries are freed and its
 * zero-map bits cleared (exclusive load; an object goes with its last page).
 *
 * `invalidate()` may run during each await: a page found gone afterwards
 * fails its folio, and nothing of that folio is freed (the load resolves
 * false, the entries left stay loadable). `folio.data` of a failed folio may
 * hold some decompressed pages.
 */
export async function loadFolios(
  s: CacheState,
  b: FolioBatch,
  wait: Promise<void> | undefined,
  single: boolean,
): Promise<boolean | boolean[]> {
  // One async function per call, as storeFolios: the caller validated `b`
  // and queued for the lock; the awaits are one per decompress batch.
  if (wait) await wait
  try {
    s.checkOpen()
    const n = b.length
    const { state, type, offset, order, data } = b
    const t = s.entries
    const objects = s.objects
    for (let f = 0; f < n; f++) {
      for (let i = 0, pages = b.pages(f); i < pages; i++) {
        if (!s.holds(type[f], offset[f] + i)) {
          state[f] = FAILED
          break
        }
      }
    }
    const staging = s.staging
    const {
      djobs: jobs,
      slots,
      scratchViews,
      jobFolio,
      jobPage,
      jobExpect,
      jobCopyFrom,
      jobCopyPages,
    } = staging
    let count = 0
    let batchCid = -1
    for (let f = 0; f < n; f++) {
      const pages = b.pages(f)
      const base = offset[f]
      for (let i = 0; i < pages && state[f] === PENDING; ) {
        let id = t.get(type[f], base + i)
        if (id < 0 && s.zero.has(type[f], base + i)) {
          data[f].fill(0, i << PAGE_SHIFT, (i + 1) << PAGE_SHIFT)
          i++
          continue
        }
        if (id >= 0 && (t.flags[id] & RAW) !== 0) {
          // as-is: copied now, no job
          const run = copyRaw(s, id, data[f], i, pages)
          if (run === 0) {
            s.counters.decompress_fail++
            state[f] = FAILED
            break
          }
          i += run
          continue
        }
        if (id >= 0 && count > 0 && (t.compressor[id] !== batchCid || count === s.maxBatch[batchCid])) {
          let rejected = false
          const t0 = s.modeled[batchCid] ? performance.now() : 0
          try {
            await s.accels[batchCid].decompressBatch(jobs, count)
            if (s.modeled[batchCid]) modeledBatch(s, batchCid, t0, jobs, count)
          } catch {
            rejected = true
          }
          checkDecompressed(s, staging, count, b, rejected)
          count = 0
          if (state[f] !== PENDING) break
          id = t.get(type[f], base + i)
        }
        if (id < 0) {
          // an invalidate() ran during an await
          state[f] = FAILED
          break
        }
        batchCid = t.compressor[id]
        const job = jobs[count]
        let handle: number
        let length: number
        let run = 1 // pages of the folio this job fills
        jobCopyPages[count] = 0
        job.start = undefined
        if ((t.flags[id] & IN_OBJECT) === 0) {
          handle = t.handle[id]
          length = t.length[id]
          job.dst = order[f] === 0 ? data[f] : data[f].subarray(i << PAGE_SHIFT, (i + 1) << PAGE_SHIFT)
          jobExpect[count] = PAGE_SIZE
        } else {
          const o = t.handle[id]
          const slot = t.length[id]
          const k = objects.pages[o]
          // the folio's next pages that are the object's next pages
          while (i + run < pages && slot + run < k && s.inObject(t.get(type[f], base + i + run), o)) run++
          handle = objects.handle[o]
          length = objects.length[o]
          if (slot === 0 && run === k) {
            job.dst = k === pages ? data[f] : data[f].subarray(i << PAGE_SHIFT, (i + k) << PAGE_SHIFT)
            jobExpect[count] = k << PAGE_SHIFT
          } else if (s.partial[batchCid]) {
            job.dst = data[f].subarray(i << PAGE_SHIFT, (i + run) << PAGE_SHIFT)
            job.start = slot << PAGE_SHIFT
            jobExpect[count] = run << PAGE_SHIFT
          } else {
            job.dst = scratchViews[31 - Math.clz32(k)][count]
            jobExpect[count] = k << PAGE_SHIFT
            jobCopyFrom[count] = slot
            jobCopyPages[count] = run
          }
        }
        let src: Uint8Array
        try {
          src = readObject(s, handle, length, slots[count])
        } catch {
          s.counters.decompress_fail++
          state[f] = FAILED
          break
        }
        job.src = src
        job.length = 0
        job.error = undefined
        jobFolio[count] = f
        jobPage[count++] = i
        i += run
      }
    }
    if (count > 0) {
      let rejected = false
      const t0 = s.modeled[batchCid] ? performance.now() : 0
      try {
        await s.accels[batchCid].decompressBatch(jobs, count)
        if (s.modeled[batchCid]) modeledBatch(s, batchCid, t0, jobs, count)
      } catch {
        rejected = true
      }
      checkDecompressed(s, staging, count, b, rejected)
    }
    for (let f = 0; f < n; f++) {
      if (state[f] !== PENDING) continue
      const pages = b.pages(f)
      // a page invalidated after it was decompressed fails the folio too
      let all = true
      for (let i = 0; i < pages && all; i++) all = s.holds(type[f], offset[f] + i)
      if (!all) {
        state[f] = FAILED
        continue
      }
      state[f] = DONE
      for (let i = 0; i < pages; i++) {
        const id = t.get(type[f], offset[f] + i)
        if (id < 0) {
          s.zero.clear(type[f], offset[f] + i)
          s.counters.swpin_zero++
          continue
        }
        s.cgroups.list[t.cgroup[id]].zswpin++
        s.freeEntry(id)
      }
    }
    return single ? b.state[0] === DONE : Array.from(b.state.subarray(0, b.length), (x) => x === DONE)
  } finally {
    s.unlock(b)
  }
}

const LOADED = Promise.resolve(true)
const NOT_LOADED = Promise.resolve(false)

/**
 * zswap_load() of one order-0 page whose entry a synchronous Compressor
 * made, or that is held as-is or in the zero map, done before it returns,
 * as the kernel's is: no batch, no await, no promise made. For an open
 * cache whose lock is free (nothing else runs or waits). Returns undefined
 * when the batch path must run instead (an accelerator's entry, a
 * compressed page of a multi-page object).
 */
export function loadPageNow(
  s: CacheState,
  type: number,
  offset: number,
  data: Uint8Array,
): Promise<boolean> | undefined {
  const t = s.entries
  const id = t.get(type, offset)
  if (id < 0) {
    // swap_read_folio_zeromap()
    if (!s.zero.clear(type, offset)) return NOT_LOADED
    data.fill(0)
    s.counters.swpin_zero++
    return LOADED
  }
  if ((t.flags[id] & RAW) !== 0) {
    if (copyRaw(s, id, data, 0, 1) === 0) {
      s.counters.decompress_fail++
      return NOT_LOADED
    }
    s.cgroups.list[t.cgroup[id]].zswpin++
    s.freeEntry(id)
    return LOADED
  }
  const compressor = s.sync[t.compressor[id]]
  if (compressor === undefined || (t.flags[id] & IN_OBJECT) !== 0) return undefined
  let length: number
  try {
    length = compressor.decompress(readObject(s, t.handle[id], t.length[id], s.staging.slots[0]), data)
  } catch {
    length = -1
  }
  if (length !== PAGE_SIZE) {
    s.counters.decompress_fail++
    return NOT_LOADED
  }
  s.cgroups.list[t.cgroup[id]].zswpin++
  s.freeEntry(id)
  return LOADED
}

/**
 * A raw entry's page (and, for a page of a raw multi-page object, the
 * folio's next pages that are the object's next pages) copied into `dst`
 * from page `i` on, once the object's CRC-32 matches: zswap_load()'s memcpy
 * of an entry of PAGE_SIZE bytes, with the check a compressor's format
 * would give. Returns the pages copied, 0 when the read failed or the
 * check did not match (nothing is freed then). Reads through the
 * write-back staging, which is free during a load (write-back runs only
 * under the lock a load holds, or is not running when a load runs before
 * `load()` returns).
 */
function copyRaw(s: CacheState, id: number, dst: Uint8Array, i: number, pages: number): number {
  const t = s.entries
  const objects = s.objects
  const o = t.handle[id]
  const from = t.length[id]
  const k = objects.pages[o]
  const type = t.typeOf(id)
  const base = t.offsetOf(id) - i
  let run = 1
  while (i + run < pages && from + run < k && s.inObject(t.get(type, base + i + run), o)) run++
  const length = objects.length[o]
  let bytes: Uint8Array
  try {
    bytes = readObject(s, objects.handle[o], length, s.wbSrc)
  } catch {
    return 0
  }
  if (bytes.length !== length || crc32(bytes) !== objects.check[o]) return 0
  dst.set(bytes.subarray(from << PAGE_SHIFT, (from + run) << PAGE_SHIFT), i << PAGE_SHIFT)
  return run
}

/**
 * The object's compressed bytes for a decompress job: read in place when the
 * zpool can (zs_obj_read_begin), else copied into the job's staging slot. An
 * in-place view stays valid through the batch's await for every object still
 * stored: pool memory is reused only by malloc, which only stores call and
 * they wait for the lock, and moved only by compaction, which the cache never
 * runs (the zpool is the cache's). An object that invalidate() frees
 * meanwhile fails its folio, whatever its bytes then read.
 */
function readObject(s: CacheState, handle: number, length: number, slot: Uint8Array): Uint8Array {
  if (s.readInPlace) return (s.zpool.readInPlace as NonNullable<Zpool['readInPlace']>)(handle, length, slot)
  const src = slot.subarray(0, length)
  s.zpool.read(handle, src)
  return src
}

/**
 * After a decompress batch: a failed or short job, or every job of a batch
 * whose promise rejected, fails its folio (counted in decompress_fail).
 * Pages decompressed into scratch are copied to their folio.
 */
function checkDecompressed(
  s: CacheState,
  staging: Staging,
  count: number,
  b: FolioBatch,
  rejected: boolean,
): void {
  const { djobs, jobFolio, jobPage, jobExpect, jobCopyFrom, jobCopyPages } = staging
  for (let j = 0; j < count; j++) {
    const job = djobs[j]
    if (rejected || job.error !== undefined || job.length !== jobExpect[j]) {
      s.counters.decompress_fail++
      b.state[jobFolio[j]] = FAILED
    } else if (jobCopyPages[j] > 0) {
      const from = jobCopyFrom[j] << PAGE_SHIFT
      b.data[jobFolio[j]].set(
        job.dst.subarray(from, from + (jobCopyPages[j] << PAGE_SHIFT)),
        jobPage[j] << PAGE_SHIFT,
      )
    }
  }
}

/** Counts a load batch of an accelerator whose time is modeled. */
function modeledBatch(
  s: CacheState,
  cid: number,
  t0: number,
  jobs: readonly DecompressJob[],
  count: number,
): void {
  s.acceleratorTime.add(false, t0, jobs, count, s.accels[cid].timingModel!.name)
}
