import { ORDER_LABELS } from '@zswap/cache'

/** What the model knows about one swap offset. */
export interface PageState {
  /** The 4096 bytes last stored there (a view into the stored folio's data, never written). */
  readonly data: Uint8Array
  /** True while the cache holds it; false once it was written back to the swap device. */
  cached: boolean
  readonly cgroup: string
  /**
   * Compressed bytes charged: the length the cache saw, PAGE_SIZE for a page
   * stored as-is (incompressible), 0 for a zero-mapped page, or -1 when unknown.
   */
  readonly clen: number
  /** All zeros and held by the zero map: in no pool, no cgroup, never written back. */
  readonly zero?: boolean
  /** First offset and order of the folio that stored it. */
  readonly start: number
  readonly order: number
}

/** Per-cgroup settings and counters as the model expects them. */
export interface CgroupModel {
  zswapMax: number
  writeback: boolean
  zswpout: number
  zswpin: number
  zswpwb: number
}

/**
 * The reference model: a Map of offset → page bytes, where each page is
 * (cached or written back), plus the counters the cache must report.
 */
export class Model {
  readonly pages = new Map<number, PageState>()
  readonly zswpout: number[] = ORDER_LABELS.map(() => 0)
  readonly cgroups = new Map<string, CgroupModel>()
  writtenBack = 0
  /** Pages the cache holds: pooled and zero-mapped. */
  cachedCount = 0
  /** Of those, zero-mapped. */
  zeroCount = 0
  swpoutZero = 0
  swpinZero = 0

  constructor(cgroupNames: readonly string[]) {
    for (const name of cgroupNames) {
      this.cgroups.set(name, {
        zswapMax: Number.POSITIVE_INFINITY,
        writeback: true,
        zswpout: 0,
        zswpin: 0,
        zswpwb: 0,
      })
    }
  }

  cg(name: string): CgroupModel {
    const c = this.cgroups.get(name)
    if (c === undefined) throw new Error(`model: unknown cgroup ${name}`)
    return c
  }

  isCached(offset: number): boolean {
    return this.pages.get(offset)?.cached === true
  }

  set(offset: number, state: PageState): void {
    this.delete(offset)
    this.pages.set(offset, state)
    if (state.cached) this.cachedCount++
    if (state.cached && state.zero) this.zeroCount++
  }

  delete(offset: number): void {
    const old = this.pages.get(offset)
    if (old === undefined) return
    if (old.cached) this.cachedCount--
    if (old.cached && old.zero) this.zeroCount--
    this.pages.delete(offset)
  }

  /** Pages in the pool (stats.stored_pages): cached and not zero-mapped. */
  get pooledCount(): number {
    return this.cachedCount - this.zeroCount
  }

  /** Pooled pages stored as-is, or -1 when a length is unknown. */
  rawCount(): number {
    let n = 0
    for (const p of this.pages.values()) {
      if (!p.cached || p.zero) continue
      if (p.clen < 0) return -1
      if (p.clen === 4096) n++
    }
    return n
  }

  /** The page was written back: it leaves the cache and lives on the device. */
  writeBack(offset: number): void {
    const p = this.pages.get(offset)
    if (p === undefined || !p.cached) return
    p.cached = false
    this.cachedCount--
    this.writtenBack++
    this.cg(p.cgroup).zswpwb++
  }

  /** Compressed bytes charged to `cgroup` (cached pages only), or -1 when a length is unknown. */
  usage(cgroup: string, exclude?: (offset: number) => boolean): number {
    let bytes = 0
    for (const [offset, p] of this.pages) {
      if (!p.cached || p.cgroup !== cgroup || exclude?.(offset)) continue
      if (p.clen < 0) return -1
      bytes += p.clen
    }
    return bytes
  }

  cachedIn(cgroup: string): number {
    let n = 0
    for (const p of this.pages.values()) if (p.cached && !p.zero && p.cgroup === cgroup) n++
    return n
  }

  clear(): void {
    this.pages.clear()
    this.cachedCount = 0
    this.zeroCount = 0
  }
}
