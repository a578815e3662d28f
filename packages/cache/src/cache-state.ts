import {
  type Accelerator,
  ClosedError,
  type Compressor,
  type DecompressJob,
  PAGE_SIZE,
  type SwapDevice,
  type Zpool,
} from '@zswap/core'
import { Cgroups } from './cgroups.js'
import { AcceleratorTime, Counters } from './counters.js'
import { EntryTable, IN_OBJECT, lruRemove, ON_LRU, RAW } from './entry-table.js'
import { FolioBatch } from './folio-batch.js'
import { Lock } from './lock.js'
import { ObjectTable } from './object-table.js'
import type { ZswapParams } from './options.js'
import { newStaging, type Staging } from './staging.js'
import { ZeroMap } from './zero-map.js'

/**
 * Everything a cache holds, shared by its store, load and shrinker modules:
 * the entry table (which is the offset index too), cgroups and counters, the drivers and the
 * batch staging. The public {@link Zswap} class validates input and
 * serialises operations; the functions in store.ts, load.ts and shrinker.ts
 * work on this state under its lock (only `erase` runs outside it, from
 * `invalidate`).
 */
export class CacheState {
  /** The entries, keyed by swap type and offset. */
  readonly entries = new EntryTable()
  /** Multi-page objects (objectPages > 1); single-page ones live in their entry. */
  readonly objects = new ObjectTable()
  /** Offsets whose page is all zeros and held nowhere (zeroPages 'map'). */
  readonly zero = new ZeroMap()
  readonly cgroups = new Cgroups()
  readonly counters = new Counters()
  /** Serialises store, load, shrink and close (they share the staging). */
  readonly lock = new Lock()
  /** Set by close(), under the lock. */
  closed = false
  /** One-folio store/load reuse this batch while they hold the lock, instead of allocating per call. */
  readonly one = new FolioBatch(1)
  readonly zpool: Zpool
  /** The zpool implements readInPlace: loads decompress from pool memory without a copy. */
  readonly readInPlace: boolean
  /** Write-back targets by swap type. */
  readonly devices: readonly (SwapDevice | undefined)[]
  /** At least one swap device: write-back is possible at all. */
  readonly hasDevice: boolean
  readonly ramBytes: number
  readonly params: ZswapParams
  /** Accelerators by compressor id (an entry's `compressor` field). */
  readonly accels: Accelerator[] = []
  /**
   * Jobs per batch for each accelerator: its maxBatch, read once when it was
   * registered, capped so that a batch stages at most MAX_BATCH pages.
   */
  readonly maxBatch: number[] = []
  /** Per accelerator: the synchronous Compressor it wraps (the cache made the accelerator), else undefined. */
  readonly sync: (Compressor | undefined)[] = []
  /** Per accelerator: supportsPartialDecompress, read once. */
  readonly partial: boolean[] = []
  /** Per accelerator: capabilities.timing is 'modeled' (its jobs carry modeledNs), read once. */
  readonly modeled: boolean[] = []
  /** Accelerator time of store and load batches (see {@link AcceleratorTime}). */
  readonly acceleratorTime = new AcceleratorTime()
  /** Pages compressed together into one zpool object (1, 4 or 16). */
  readonly objectPages: number
  /** All-zero folios go to the zero map (zeroPages 'map'). */
  readonly mapZero: boolean
  /** Incompressible pages are stored as-is when their cgroup may write back (incompressible 'store'). */
  readonly storeRaw: boolean
  /** The zpool's capabilities.maxObjectSize: a raw object larger than this is never tried (zbud). */
  readonly maxObjectSize: number
  /** Compressor id new stores use. */
  current = 0
  /** The pool hit its limit and has not yet fallen below the accept threshold. */
  reachedFull = false
  /** The folios of the store in progress: write-back skips their offsets. */
  storing: FolioBatch | undefined = undefined
  /** Next cgroup the global shrinker visits (round-robin). */
  shrinkCursor = 0
  /** Staging of store and load batches. */
  staging: Staging
  /**
   * Separate one-job staging for write-back, which may run in the middle of
   * a store batch: one object's compressed bytes, and its pages.
   */
  readonly wbSrc: Uint8Array
  readonly wbPage: Uint8Array
  readonly wbJobs: DecompressJob[]
  /** Write-back of a multi-page object: the entry id of each of its pages (-1: gone). */
  readonly wbIds: Int32Array

  constructor(
    zpool: Zpool,
    devices: readonly (SwapDevice | undefined)[],
    ramBytes: number,
    params: ZswapParams,
    objectPages: number,
    mapZero = true,
    storeRaw = true,
  ) {
    this.mapZero = mapZero
    this.storeRaw = storeRaw
    this.maxObjectSize = zpool.capabilities?.maxObjectSize ?? PAGE_SIZE
    this.zpool = zpool
    this.readInPlace = typeof zpool.readInPlace === 'function'
    this.objectPages = objectPages
    this.staging = newStaging(0, objectPages)
    this.wbSrc = new Uint8Array(objectPages * PAGE_SIZE)
    this.wbPage = new Uint8Array(objectPages * PAGE_SIZE)
    this.wbJobs = [{ src: this.wbSrc, dst: this.wbPage, start: undefined, length: 0, error: undefined }]
    this.wbIds = new Int32Array(objectPages)
    this.devices = devices
    this.hasDevice = devices.some((d) => d !== undefined)
    this.ramBytes = ramBytes
    this.params = params
  }

  /** @throws ClosedError after close() */
  checkOpen(): void {
    if (this.closed) throw new ClosedError('[@zswap/cache] the cache is closed')
  }

  /**
   * Ends an operation that held the lock: drops the batch's references to
   * the caller's buffers when it is the reused one-folio batch, then lets
   * the next operation in.
   */
  unlock(b: FolioBatch): void {
    if (b === this.one) b.clear()
    this.lock.release()
  }

  /** Largest pool size in pages (rounded down: the limit is never exceeded by rounding). */
  get maxPoolPages(): number {
    return Math.floor(((this.ramBytes / PAGE_SIZE) * this.params.maxPoolPercent) / 100)
  }

  /** Frees the entry at (type, offset), or clears its zero-map bit; true when there was one. */
  erase(type: number, offset: number): boolean {
    const id = this.entries.get(type, offset)
    if (id < 0) return this.zero.clear(type, offset)
    this.freeEntry(id)
    return true
  }

  /** Frees the entries at `offset .. offset + nrPages - 1` and clears their zero-map bits; returns how many. */
  eraseRange(type: number, offset: number, nrPages: number): number {
    let freed = this.zero.clearRange(type, offset, nrPages)
    const end = offset + nrPages
    for (let o = this.entries.nextCandidate(type, offset); o < end; o = this.entries.nextCandidate(type, o)) {
      const id = this.entries.get(type, o)
      if (id >= 0) {
        this.freeEntry(id)
        freed++
      }
      o++
    }
    return freed
  }

  /** True when (type, offset) holds a page: an entry, or a zero-map bit. */
  holds(type: number, offset: number): boolean {
    return this.entries.get(type, offset) >= 0 || this.zero.has(type, offset)
  }

  /** zpool objects held: single-page entries plus multi-page objects. */
  get storedObjects(): number {
    const o = this.objects
    return this.entries.live - o.livePages + o.count
  }

  /**
   * Frees a stored entry: its offset reads empty from now on. Unlinks it
   * from its LRU and frees its zpool object, uncharging the object's bytes
   * from its cgroup — or, for a page of a multi-page object, drops the page
   * from the object and frees the object with its last page. The one place
   * zpool objects are freed.
   */
  freeEntry(id: number): void {
    const t = this.entries
    const cgroup = this.cgroups.list[t.cgroup[id]]
    if (t.flags[id] & ON_LRU) lruRemove(t, cgroup, id)
    cgroup.zswapped--
    const inObject = (t.flags[id] & IN_OBJECT) !== 0
    if (t.flags[id] & RAW) this.counters.stored_incompressible_pages--
    const ref = t.handle[id]
    const length = t.length[id]
    t.free(id)
    if (!inObject) {
      cgroup.zswap -= length
      this.zpool.free(ref)
      return
    }
    const objects = this.objects
    if (objects.dropPage(ref) > 0) return
    // an object's pages all come from one folio: they share its cgroup
    cgroup.zswap -= objects.length[ref]
    this.zpool.free(objects.handle[ref])
  }

  /** True when the entry `id` is a page of object `o`. */
  inObject(id: number, o: number): boolean {
    const t = this.entries
    return id >= 0 && (t.flags[id] & IN_OBJECT) !== 0 && t.handle[id] === o
  }
}
