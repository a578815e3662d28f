import { type Accelerator, type DecompressJob, PAGE_SIZE, type SwapDevice, type Zpool } from '@zswap/core'
import { Cgroups } from './cgroups.js'
import { Counters } from './counters.js'
import { EntryTable, lruRemove, ON_LRU } from './entry-table.js'
import type { FolioBatch } from './folio-batch.js'
import type { ZswapParams } from './options.js'
import { newStaging, type Staging } from './staging.js'
import { SwapIndex } from './swap-index.js'

/**
 * Everything a cache holds, shared by its store, load and shrinker modules:
 * the entry table and offset index, cgroups and counters, the drivers and the
 * batch staging. The public {@link Zswap} class validates input and
 * serialises operations; the functions in store.ts, load.ts and shrinker.ts
 * work on this state under its lock (only `erase` runs outside it, from
 * `invalidate`).
 */
export class CacheState {
  readonly entries = new EntryTable()
  readonly index = new SwapIndex()
  readonly cgroups = new Cgroups()
  readonly counters = new Counters()
  readonly zpool: Zpool
  /** Write-back targets by swap type. */
  readonly devices: readonly (SwapDevice | undefined)[]
  /** At least one swap device: write-back is possible at all. */
  readonly hasDevice: boolean
  readonly ramBytes: number
  readonly params: ZswapParams
  /** Accelerators by compressor id (an entry's `compressor` field). */
  readonly accels: Accelerator[] = []
  /** Each accelerator's maxBatch, read once when it was registered. */
  readonly maxBatch: number[] = []
  /** Compressor id new stores use. */
  current = 0
  /** The pool hit its limit and has not yet fallen below the accept threshold. */
  reachedFull = false
  /** The folios of the store in progress: write-back skips their offsets. */
  storing: FolioBatch | undefined = undefined
  /** Next cgroup the global shrinker visits (round-robin). */
  shrinkCursor = 0
  /** Staging of store and load batches. */
  staging: Staging = newStaging(0)
  /** Separate one-job staging for write-back, which may run in the middle of a store batch. */
  readonly wbSrc = new Uint8Array(PAGE_SIZE)
  readonly wbPage = new Uint8Array(PAGE_SIZE)
  readonly wbJobs: DecompressJob[] = [{ src: this.wbSrc, dst: this.wbPage, length: 0, error: undefined }]

  constructor(
    zpool: Zpool,
    devices: readonly (SwapDevice | undefined)[],
    ramBytes: number,
    params: ZswapParams,
  ) {
    this.zpool = zpool
    this.devices = devices
    this.hasDevice = devices.some((d) => d !== undefined)
    this.ramBytes = ramBytes
    this.params = params
  }

  /** Largest pool size in pages (rounded down: the limit is never exceeded by rounding). */
  get maxPoolPages(): number {
    return Math.floor(((this.ramBytes / PAGE_SIZE) * this.params.maxPoolPercent) / 100)
  }

  /** Frees the entry at (type, offset); true when there was one. */
  erase(type: number, offset: number): boolean {
    const id = this.index.erase(type, offset)
    if (id < 0) return false
    this.freeEntry(id)
    return true
  }

  /** Frees the entries at `offset .. offset + nrPages - 1`; returns how many. */
  eraseRange(type: number, offset: number, nrPages: number): number {
    let freed = 0
    const end = offset + nrPages
    for (let o = this.index.nextCandidate(type, offset); o < end; o = this.index.nextCandidate(type, o)) {
      if (this.erase(type, o)) freed++
      o++
    }
    return freed
  }

  /**
   * Frees an entry already removed from (or replaced in) the index: unlinks
   * it from its LRU, frees its zpool object and uncharges its cgroup. The one
   * place an object is freed (a shared multi-page object would drop a
   * reference here).
   */
  freeEntry(id: number): void {
    const t = this.entries
    const cgroup = this.cgroups.list[t.cgroup[id]]
    if (t.flags[id] & ON_LRU) lruRemove(t, cgroup, id)
    cgroup.zswap -= t.length[id]
    cgroup.zswapped--
    t.free(id)
    this.zpool.free(t.handle[id])
  }
}
