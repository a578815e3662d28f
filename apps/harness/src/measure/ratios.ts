import { PAGE_SIZE } from '@zswap/core'

/** Where the pages of a workload ended up, with the cache full (at the end of the store phase). */
export interface PageFates {
  /** Pages the workload offered. */
  pages: number
  /** Zero-filled pages kept out of zswap by the swap layer's zero map (`swpout_zero`): 0 bytes each. */
  zeroPages: number
  /** Pages zswap held (`stored_pages`), pages stored as-is (incompressible, 4096 bytes each) among them. */
  heldPages: number
  /** Bytes charged for the held pages: compressed sizes, 4096 for a page stored as-is. */
  compressedBytes: number
  /** Pages the zpool held. */
  poolPages: number
}

/** The ratios of a whole workload: every page offered ÷ the bytes it took. */
export interface WorkloadRatios {
  /**
   * Pages neither held nor zero-mapped: rejected, or written back under
   * pressure. The kernel writes them to the swap device: 4096 bytes each.
   */
  diskPages: number
  /** Bytes offered ÷ (compressed bytes + 4096 per disk page). */
  ratio: number
  /** Bytes offered ÷ (pool pages + disk pages) × 4096: the allocator's overhead included. */
  effectiveRatio: number
}

/**
 * Compression ratio and effective ratio over every page of a workload, as the
 * kernel's memory sees them: a zero-mapped page takes 0 bytes, a page stored
 * as-is 4096, and a page zswap did not keep (rejected, written back) the
 * 4096 bytes the kernel writes to disk for it. A stack that rejects what it
 * cannot compress well does not look better than one that stores it.
 * A ratio is `Infinity` when nothing took any space (every page zero-mapped)
 * and 0 for an empty workload.
 */
export function workloadRatios(f: PageFates): WorkloadRatios {
  const diskPages = Math.max(0, f.pages - f.zeroPages - f.heldPages)
  const offered = f.pages * PAGE_SIZE
  const of = (bytes: number) => (f.pages === 0 ? 0 : offered / bytes)
  return {
    diskPages,
    ratio: of(f.compressedBytes + diskPages * PAGE_SIZE),
    effectiveRatio: of((f.poolPages + diskPages) * PAGE_SIZE),
  }
}
