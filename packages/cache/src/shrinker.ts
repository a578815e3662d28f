import { crc32, PAGE_SHIFT } from '@zswap/core'
import type { CacheState } from './cache-state.js'
import type { Cgroup } from './cgroups.js'
import { IN_OBJECT, lruPush, lruRemove, RAW, REFERENCED } from './entry-table.js'
import { batchCovers } from './folio-batch.js'

/**
 * Pool limits and write-back: zswap_check_limits(), the shrinker's
 * round-robin over cgroups, shrink_memcg() and zswap_writeback_entry().
 * Every function runs under the cache's lock; `invalidate()` may run during
 * each await, so write-back re-checks the index after it.
 */

/** zswap_check_limits(): true while the pool is full (with the accept-threshold hysteresis). */
export function checkLimits(s: CacheState): boolean {
  const cur = s.zpool.totalPages
  const max = s.maxPoolPages
  if (cur >= max) {
    s.counters.pool_limit_hit++
    s.reachedFull = true
  } else if (s.reachedFull && cur <= Math.floor((max * s.params.acceptThresholdPercent) / 100)) {
    s.reachedFull = false
  }
  return s.reachedFull
}

/** The pool is full: write back down to the accept threshold, then check again. */
export async function reclaimForStore(s: CacheState): Promise<boolean> {
  if (!s.params.shrinkerEnabled || !s.hasDevice) return false
  const accept = Math.floor((s.maxPoolPages * s.params.acceptThresholdPercent) / 100)
  await shrinkGlobal(s, Number.POSITIVE_INFINITY, accept)
  return !checkLimits(s)
}

/**
 * obj_cgroup_may_zswap() + shrink_memcg(): true under the cgroup's limit;
 * at or over it, false at once when the cgroup cannot write back, else the
 * promise of its write-back (only that cgroup writes back, until it is under).
 */
export function cgroupMayZswap(s: CacheState, cgroup: Cgroup): boolean | Promise<boolean> {
  if (cgroup.zswap < cgroup.zswapMax) return true
  if (cgroup.zswapMax === 0 || !cgroup.writeback || !s.hasDevice) return false
  return shrinkCgroup(s, cgroup)
}

async function shrinkCgroup(s: CacheState, cgroup: Cgroup): Promise<boolean> {
  while (cgroup.zswap >= cgroup.zswapMax) {
    if (!(await shrinkOne(s, cgroup))) return false
  }
  return true
}

/**
 * Round-robin over cgroups, one object each, until `nrPages` are written or
 * the pool is at `targetPages`. Returns the pages written: up to
 * objectPages - 1 more than `nrPages`, as objects are written whole.
 */
export async function shrinkGlobal(s: CacheState, nrPages: number, targetPages: number): Promise<number> {
  if (!s.hasDevice) return 0
  const list = s.cgroups.list
  let written = 0
  let idle = 0
  while (written < nrPages && s.zpool.totalPages > targetPages && idle < list.length) {
    const cgroup = list[s.shrinkCursor]
    s.shrinkCursor = (s.shrinkCursor + 1) % list.length
    const pages = await shrinkOne(s, cgroup)
    if (pages > 0) {
      written += pages
      idle = 0
    } else {
      idle++
    }
  }
  return written
}

/**
 * Writes back the coldest unreferenced entry of `cgroup` — with every live
 * page of its object, when it is a page of a multi-page object — and returns
 * the pages written (0: none). Referenced entries get a second chance: the
 * bit is cleared and they move to the head. Stale entries at the offsets of
 * a folio being stored (or entries whose object holds one) are skipped
 * (moved to the head), so a cgroup whose coldest entries are being replaced
 * still finds a victim behind them.
 */
export async function shrinkOne(s: CacheState, cgroup: Cgroup): Promise<number> {
  if (!cgroup.writeback) return 0
  const t = s.entries
  // at most two laps: one to clear referenced bits, one to visit every entry unreferenced
  for (let steps = 2 * cgroup.zswapped; steps > 0 && cgroup.tail >= 0; steps--) {
    const id = cgroup.tail
    lruRemove(t, cgroup, id)
    if (t.flags[id] & REFERENCED) {
      t.flags[id] &= ~REFERENCED
      lruPush(t, cgroup, id)
      continue
    }
    // An offset of a folio being stored holds a stale entry about to be
    // replaced: the kernel finds that folio in the swap cache (-EEXIST),
    // counts a reclaim failure and moves on.
    if (storingCovers(s, id)) {
      s.counters.reject_reclaim_fail++
      lruPush(t, cgroup, id)
      continue
    }
    const written =
      t.flags[id] & IN_OBJECT ? await writebackObject(s, id, cgroup) : await writeback(s, id, cgroup)
    if (written > 0) return written
    s.counters.reject_reclaim_fail++
    if (t.has(id)) lruPush(t, cgroup, id)
    return 0
  }
  return 0
}

/**
 * True when the entry — or, for a page of a multi-page object, any live page
 * of its object — sits at an offset of a folio being stored: a stale page
 * about to be replaced, which write-back must not write.
 */
function storingCovers(s: CacheState, id: number): boolean {
  const t = s.entries
  if ((t.flags[id] & IN_OBJECT) === 0) return batchCovers(s.storing, t.typeOf(id), t.offsetOf(id))
  if (s.storing === undefined) return false
  const o = t.handle[id]
  const objects = s.objects
  const type = objects.type[o]
  const first = objects.offset[o]
  for (let i = 0; i < objects.pages[o]; i++) {
    if (s.inObject(s.entries.get(type, first + i), o) && batchCovers(s.storing, type, first + i)) return true
  }
  return false
}

/**
 * zswap_writeback_entry(): decompresses with the accelerator that made the
 * entry, writes the page at its offset, frees the entry. A failed or short
 * decompression, or a failing device, keeps the entry (false).
 */
async function writeback(s: CacheState, id: number, cgroup: Cgroup): Promise<number> {
  const t = s.entries
  const type = t.typeOf(id)
  const offset = t.offsetOf(id)
  const device = s.devices[type]
  if (device === undefined || offset >= device.pages) return 0
  // a raw page is always IN_OBJECT: it never comes here
  if (!(await decompressForWriteback(s, t.handle[id], t.length[id], t.compressor[id], 1, false, 0))) return 0
  // invalidate() may have freed the entry during the await: its slot is free, nothing to write
  if (!t.has(id)) return 0
  try {
    await device.write(offset, s.wbJobs[0].dst)
  } catch {
    return 0
  }
  // Only invalidate() can run during the awaits (ids are reused only under
  // the lock): if it freed the entry, the page written is stale but its
  // slot is free, as in the kernel.
  if (t.has(id)) s.freeEntry(id)
  s.counters.written_back_pages++
  cgroup.zswpwb++
  return 1
}

/**
 * Write-back of a page of a multi-page object: the object is decompressed
 * once and every live page of it is written at its offset, then all of them
 * are freed, and the object with them — the only way write-back frees
 * memory when pages share an object. A failure keeps every page (0).
 */
async function writebackObject(s: CacheState, id: number, cgroup: Cgroup): Promise<number> {
  const t = s.entries
  const objects = s.objects
  const o = t.handle[id]
  const type = objects.type[o]
  const first = objects.offset[o]
  const pages = objects.pages[o]
  const device = s.devices[type]
  if (device === undefined) return 0
  const ids = s.wbIds
  for (let i = 0; i < pages; i++) {
    const e = t.get(type, first + i)
    ids[i] = s.inObject(e, o) ? e : -1
    if (ids[i] >= 0 && first + i >= device.pages) return 0
  }
  const raw = (t.flags[id] & RAW) !== 0
  const check = objects.check[o]
  if (
    !(await decompressForWriteback(
      s,
      objects.handle[o],
      objects.length[o],
      t.compressor[id],
      pages,
      raw,
      check,
    ))
  ) {
    return 0
  }
  // Only invalidate() can run during the awaits, and ids are reused only
  // under the lock: a page whose id left its offset was invalidated (and
  // the object may be gone with it); its slot is free, nothing to write.
  const page = s.wbJobs[0].dst
  const writes: Promise<void>[] = []
  for (let i = 0; i < pages; i++) {
    if (ids[i] >= 0 && t.has(ids[i])) {
      writes.push(device.write(first + i, page.subarray(i << PAGE_SHIFT, (i + 1) << PAGE_SHIFT)))
    }
  }
  if (writes.length === 0) return 0
  try {
    await Promise.all(writes)
  } catch {
    return 0
  }
  for (let i = 0; i < pages; i++) {
    if (ids[i] >= 0 && t.has(ids[i])) s.freeEntry(ids[i])
  }
  s.counters.written_back_pages += writes.length
  cgroup.zswpwb += writes.length
  return writes.length
}

/**
 * Reads a zpool object into the write-back staging and decompresses it
 * whole (`pages` pages) with accelerator `cid` — or, for a raw object, reads
 * it straight into the page staging and checks its CRC-32 against `check`;
 * false (counted in decompress_fail) when that fails or comes out short.
 */
async function decompressForWriteback(
  s: CacheState,
  handle: number,
  length: number,
  cid: number,
  pages: number,
  raw: boolean,
  check: number,
): Promise<boolean> {
  if (raw) {
    const page = s.wbPage.subarray(0, pages << PAGE_SHIFT)
    s.wbJobs[0].dst = page
    try {
      s.zpool.read(handle, page)
    } catch {
      s.counters.decompress_fail++
      return false
    }
    if (crc32(page) !== check) {
      s.counters.decompress_fail++
      return false
    }
    return true
  }
  const job = s.wbJobs[0]
  job.src = s.wbSrc.subarray(0, length)
  job.dst = s.wbPage.subarray(0, pages << PAGE_SHIFT)
  job.start = undefined
  job.length = 0
  job.error = undefined
  try {
    s.zpool.read(handle, job.src)
    await s.accels[cid].decompressBatch(s.wbJobs, 1)
  } catch {
    s.counters.decompress_fail++
    return false
  }
  if (job.error !== undefined || job.length !== pages << PAGE_SHIFT) {
    s.counters.decompress_fail++
    return false
  }
  return true
}
