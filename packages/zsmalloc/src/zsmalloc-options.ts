import type { PageArena } from '@zswap/core'

/** Options of {@link zsmalloc}. */
export interface ZsmallocOptions {
  /**
   * Where pages come from and go back to. Pools may share one arena (and its
   * page budget). Default: a private arena limited to `maxPages`.
   */
  arena?: PageArena
  /** Page budget of the private arena; not allowed together with `arena`. Default: unlimited. */
  maxPages?: number
  /**
   * Most pages in a zspage of a page-sized class (CONFIG_ZSMALLOC_CHAIN_SIZE),
   * an integer 4..16. Longer chains waste less at the tail of each zspage and
   * merge fewer classes. Default 8.
   */
  chainSize?: number
  /**
   * Accept objects larger than a page, up to 64 KiB + 256 bytes (a compressed
   * 64 KiB chunk of a large folio with its header), in classes that step by
   * 256 bytes over zspages of several pages. Default false (objects up to 4096 bytes).
   */
  multiPage?: boolean
}

/** One row of {@link Zsmalloc.classes}, the columns of /sys/kernel/debug/zsmalloc/<pool>/classes. */
export interface ZsmallocClassStats {
  /** Class index (unmerged classes that merged into this one are not listed). */
  class: number
  /** Slot size, bytes, header included. */
  size: number
  /** Zspages per fullness bucket: 10 %, 20 % … 90 %, 99 %, 100 % in use. */
  fullness: number[]
  /** Object slots in the class's zspages. */
  obj_allocated: number
  /** Slots holding an object. */
  obj_used: number
  /** Pages held by the class. */
  pages_used: number
  pages_per_zspage: number
  /** Pages compaction could give back (zs_can_compact). */
  freeable: number
}
