import { PAGE_SHIFT, PAGE_SIZE } from '@zswap/core'
import type { CacheState } from './cache-state.js'
import { DONE, FAILED, type FolioBatch, PENDING } from './folio-batch.js'
import type { Staging } from './staging.js'

/**
 * The load path: zswap_load() for a batch of folios. Each page is read from
 * the zpool and decompressed straight into the folio by the accelerator that
 * made its entry, in batches of that accelerator's maxBatch (one await per
 * batch). A folio loads only when every page is present and decompresses to
 * exactly PAGE_SIZE bytes; then its entries are freed (exclusive load).
 *
 * `invalidate()` may run during each await: a page found gone afterwards
 * fails its folio, and nothing of that folio is freed (the load resolves
 * false, the entries left stay loadable). `folio.data` of a failed folio may
 * hold some decompressed pages.
 */
export async function loadFolios(s: CacheState, b: FolioBatch): Promise<void> {
  const n = b.length
  const { state, type, offset, order, data } = b
  const t = s.entries
  const index = s.index
  for (let f = 0; f < n; f++) {
    for (let i = 0, pages = b.pages(f); i < pages; i++) {
      if (index.get(type[f], offset[f] + i) < 0) {
        state[f] = FAILED
        break
      }
    }
  }
  const staging = s.staging
  const { djobs: jobs, slots, jobFolio } = staging
  let count = 0
  let batchCid = -1
  for (let f = 0; f < n; f++) {
    for (let i = 0, pages = b.pages(f); i < pages && state[f] === PENDING; i++) {
      let id = index.get(type[f], offset[f] + i)
      if (id >= 0 && count > 0 && (t.compressor[id] !== batchCid || count === s.maxBatch[batchCid])) {
        let rejected = false
        try {
          await s.accels[batchCid].decompressBatch(jobs, count)
        } catch {
          rejected = true
        }
        checkDecompressed(s, staging, count, b, rejected)
        count = 0
        if (state[f] !== PENDING) break
        id = index.get(type[f], offset[f] + i)
      }
      if (id < 0) {
        // an invalidate() ran during an await
        state[f] = FAILED
        break
      }
      batchCid = t.compressor[id]
      const src = slots[count].subarray(0, t.length[id])
      try {
        s.zpool.read(t.handle[id], src)
      } catch {
        s.counters.decompress_fail++
        state[f] = FAILED
        break
      }
      const job = jobs[count]
      job.src = src
      job.dst = order[f] === 0 ? data[f] : data[f].subarray(i << PAGE_SHIFT, (i + 1) << PAGE_SHIFT)
      job.length = 0
      job.error = undefined
      jobFolio[count++] = f
    }
  }
  if (count > 0) {
    let rejected = false
    try {
      await s.accels[batchCid].decompressBatch(jobs, count)
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
    for (let i = 0; i < pages && all; i++) all = index.get(type[f], offset[f] + i) >= 0
    if (!all) {
      state[f] = FAILED
      continue
    }
    state[f] = DONE
    for (let i = 0; i < pages; i++) {
      const id = index.erase(type[f], offset[f] + i)
      s.cgroups.list[t.cgroup[id]].zswpin++
      s.freeEntry(id)
    }
  }
}

/**
 * After a decompress batch: a failed or short job, or every job of a batch
 * whose promise rejected, fails its folio (counted in decompress_fail).
 */
function checkDecompressed(
  s: CacheState,
  staging: Staging,
  count: number,
  b: FolioBatch,
  rejected: boolean,
): void {
  const { djobs, jobFolio } = staging
  for (let j = 0; j < count; j++) {
    if (rejected || djobs[j].error !== undefined || djobs[j].length !== PAGE_SIZE) {
      s.counters.decompress_fail++
      b.state[jobFolio[j]] = FAILED
    }
  }
}
