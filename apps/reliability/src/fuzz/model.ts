import { ORDER_LABELS } from '@zswap/cache'

/** What the model knows about one swap offset. */
export interface PageState {
  /** The 4096 bytes last stored there (a view into the stored folio's data, never written). */
  readonly data: Uint8Array
  /** True while the cache holds it; false once it was written back to the swap device. */
  cached: boolean
  readonly cgroup: string
  /** Compressed length the cache saw, or -1 when unknown. */
  readonly clen: number
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
  cachedCount = 0

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
  }

  delete(offset: number): void {
    const old = this.pages.get(offset)
    if (old === undefined) return
    if (old.cached) this.cachedCount--
    this.pages.delete(offset)
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
    for (const p of this.pages.values()) if (p.cached && p.cgroup === cgroup) n++
    return n
  }

  clear(): void {
    this.pages.clear()
    this.cachedCount = 0
  }
}
