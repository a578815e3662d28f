import { PAGE_SIZE } from '@zswap/core'
import type { CacheState } from './cache-state.js'
import type { Cgroup } from './cgroups.js'
import { lruPush, lruRemove, REFERENCED } from './entry-table.js'
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

/** obj_cgroup_may_zswap() + shrink_memcg(): only the cgroup over its limit writes back, until it is under. */
export async function cgroupMayZswap(s: CacheState, cgroup: Cgroup): Promise<boolean> {
  if (cgroup.zswap < cgroup.zswapMax) return true
  if (cgroup.zswapMax === 0 || !cgroup.writeback || !s.hasDevice) return false
  while (cgroup.zswap >= cgroup.zswapMax) {
    if (!(await shrinkOne(s, cgroup))) return false
  }
  return true
}

/** Round-robin over cgroups, one entry each, until `nrPages` are written or the pool is at `targetPages`. */
export async function shrinkGlobal(s: CacheState, nrPages: number, targetPages: number): Promise<number> {
  if (!s.hasDevice) return 0
  const list = s.cgroups.list
  let written = 0
  let idle = 0
  while (written < nrPages && s.zpool.totalPages > targetPages && idle < list.length) {
    const cgroup = list[s.shrinkCursor]
    s.shrinkCursor = (s.shrinkCursor + 1) % list.length
    if (await shrinkOne(s, cgroup)) {
      written++
      idle = 0
    } else {
      idle++
    }
  }
  return written
}

/**
 * Writes back the coldest unreferenced entry of `cgroup`. Referenced
 * entries get a second chance: the bit is cleared and they move to the head.
 * Stale entries at the offsets of a folio being stored are skipped (moved to
 * the head), so a cgroup whose coldest entries are being replaced still
 * finds a victim behind them.
 */
export async function shrinkOne(s: CacheState, cgroup: Cgroup): Promise<boolean> {
  if (!cgroup.writeback) return false
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
    if (batchCovers(s.storing, t.type[id], t.offset[id])) {
      s.counters.reject_reclaim_fail++
      lruPush(t, cgroup, id)
      continue
    }
    if (await writeback(s, id, cgroup)) return true
    s.counters.reject_reclaim_fail++
    if (s.index.get(t.type[id], t.offset[id]) === id) lruPush(t, cgroup, id)
    return false
  }
  return false
}

/**
 * zswap_writeback_entry(): decompresses with the accelerator that made the
 * entry, writes the page at its offset, frees the entry. A failed or short
 * decompression, or a failing device, keeps the entry (false).
 */
async function writeback(s: CacheState, id: number, cgroup: Cgroup): Promise<boolean> {
  const t = s.entries
  const type = t.type[id]
  const offset = t.offset[id]
  const device = s.devices[type]
  if (device === undefined || offset >= device.pages) return false
  const job = s.wbJobs[0]
  job.src = s.wbSrc.subarray(0, t.length[id])
  job.length = 0
  job.error = undefined
  try {
    s.zpool.read(t.handle[id], job.src)
    await s.accels[t.compressor[id]].decompressBatch(s.wbJobs, 1)
  } catch {
    s.counters.decompress_fail++
    return false
  }
  if (job.error !== undefined || job.length !== PAGE_SIZE) {
    s.counters.decompress_fail++
    return false
  }
  // invalidate() may have freed the entry during the await: its slot is free, nothing to write
  if (s.index.get(type, offset) !== id) return false
  try {
    await device.write(offset, s.wbPage)
  } catch {
    return false
  }
  // Only invalidate() can run during the awaits (ids are reused only under
  // the lock): if it freed the entry, the page written is stale but its
  // slot is free, as in the kernel.
  if (s.index.get(type, offset) === id) {
    s.index.erase(type, offset)
    s.freeEntry(id)
  }
  s.counters.written_back_pages++
  cgroup.zswpwb++
  return true
}
