import { totalmem } from 'node:os'
import {
  type Accelerator,
  assertFolio,
  assertSpecification,
  assertSwapEntry,
  ClosedError,
  type CompressJob,
  type Compressor,
  type DecompressJob,
  ErrorCode,
  type Folio,
  InvalidArgumentError,
  invalidOption,
  MAX_SWAP_OFFSET,
  PAGE_SHIFT,
  PAGE_SIZE,
  type SwapDevice,
  type SwapEntry,
  toAccelerator,
  type Zpool,
  ZswapError,
} from '@zswap/core'
import { type Cgroup, Cgroups } from './cgroups.js'
import { Counters } from './counters.js'
import { EntryTable, lruPush, lruRemove, ON_LRU, REFERENCED } from './entry-table.js'
import { Lock } from './lock.js'
import type { CgroupOptions, ZswapOptions, ZswapParams, ZswapStats } from './options.js'
import { SwapIndex } from './swap-index.js'

const PKG = '@zswap/cache'
const MAX_COMPRESSORS = 256
// folio states during a batch
const PENDING = 0
const FAILED = 1
const DONE = 2 // stored, or loaded
const NO_FOLIOS: readonly Folio[] = []

/** Creates a compressed page cache with the semantics of Linux zswap (see {@link Zswap}). */
export function createZswap(options: ZswapOptions): Zswap {
  return new Zswap(options)
}

/**
 * A compressed cache for 4 KiB pages and large folios, after mm/zswap.c with
 * the large-folio store of the mTHP series:
 *
 * - `store` compresses every page of a folio into its own entry at
 *   `offset + i`; a folio is stored entirely or not at all. Rejections are
 *   counted in {@link stats} and resolve `false`; they never throw.
 * - `load` is exclusive: loaded entries are freed.
 * - A pool limit (`maxPoolPercent` of `ramBytes` with the
 *   `acceptThresholdPercent` hysteresis) and per-cgroup `zswapMax` bound the
 *   memory; the shrinker writes the coldest entries back to the swap device
 *   (second chance through a `referenced` bit) before it rejects.
 *
 * Entries live in typed arrays; store and load await once per accelerator
 * batch. `store`, `load` and `shrink` are serialised; `invalidate` is
 * synchronous and may run at any time.
 *
 * The cache owns the drivers passed in: `close()` closes the accelerators
 * and compressors and destroys the zpool. Swap devices stay the caller's.
 */
export class Zswap {
  readonly #entries = new EntryTable()
  readonly #index = new SwapIndex()
  readonly #cgroups = new Cgroups()
  readonly #counters = new Counters()
  readonly #lock = new Lock()
  readonly #zpool: Zpool
  readonly #devices: readonly (SwapDevice | undefined)[]
  readonly #ramBytes: number
  readonly #params: ZswapParams
  #accels: Accelerator[] = []
  #current = 0
  #reachedFull = false
  /** The folios of the store in progress: write-back skips their offsets. */
  #storing: readonly Folio[] = NO_FOLIOS
  #closed = false
  #shrinkCursor = 0

  // One-folio store/load reuse these instead of allocating arrays per call.
  readonly #one: Folio[] = [undefined as never]
  readonly #oneCgroup: Cgroup[] = [undefined as never]
  readonly #oneState = new Uint8Array(1)
  // Staging for one batch: compressed data lives here between compress and zpool write.
  // Replaced (never resized) when an accelerator with a larger maxBatch
  // arrives; an operation in flight keeps the one it started with.
  #staging: Staging = newStaging(0)
  // Separate staging for write-back, which may run in the middle of a store batch.
  readonly #wbSrc = new Uint8Array(PAGE_SIZE)
  readonly #wbPage = new Uint8Array(PAGE_SIZE)
  readonly #wbJobs: DecompressJob[] = [{ src: this.#wbSrc, dst: this.#wbPage, length: 0, error: undefined }]

  constructor(options: ZswapOptions) {
    if (typeof options !== 'object' || options === null) throw invalidOption(PKG, '', 'an object', 'type')
    const { compressor, accelerator, zpool, swapDevice, ramBytes = totalmem() } = options
    if ((compressor === undefined) === (accelerator === undefined)) {
      throw invalidOption(PKG, 'compressor', 'given, or options.accelerator, but not both', 'type')
    }
    if (typeof zpool !== 'object' || zpool === null) throw invalidOption(PKG, 'zpool', 'a Zpool', 'type')
    assertSpecification(zpool, 'zpool')
    if (!Number.isFinite(ramBytes) || ramBytes < PAGE_SIZE) {
      throw invalidOption(PKG, 'ramBytes', `a number of bytes ≥ ${PAGE_SIZE}`)
    }
    const devices =
      swapDevice === undefined ? [] : Array.isArray(swapDevice) ? swapDevice : [swapDevice as SwapDevice]
    for (const device of devices) if (device !== undefined) assertSpecification(device, 'swap device')
    this.#zpool = zpool
    this.#devices = devices
    this.#ramBytes = ramBytes
    this.#params = {
      enabled: true,
      mthpEnabled: false,
      maxPoolPercent: 20,
      acceptThresholdPercent: 90,
      shrinkerEnabled: true,
    }
    this.setParams(options)
    this.setCompressor((compressor ?? accelerator) as Compressor | Accelerator)
  }

  /** Current runtime parameters (a copy; change them with {@link setParams}). */
  get params(): Readonly<ZswapParams> {
    return { ...this.#params }
  }

  /** Pages stored now. */
  get storedPages(): number {
    return this.#entries.live
  }

  /** Bytes of entry metadata held: the entry arrays plus the offset index chunks. */
  get metadataBytes(): number {
    return this.#entries.bytes + this.#index.bytes
  }

  /** Largest pool size in pages before stores are rejected (or written back). */
  get maxPoolPages(): number {
    return Math.floor(((this.#ramBytes / PAGE_SIZE) * this.#params.maxPoolPercent) / 100)
  }

  /**
   * Changes runtime parameters, like writing /sys/module/zswap/parameters/*.
   * @throws RangeError/TypeError (code ERR_INVALID_OPTION) and changes nothing.
   */
  setParams(params: Partial<ZswapParams>): void {
    const next = { ...this.#params }
    for (const key of ['enabled', 'mthpEnabled', 'shrinkerEnabled'] as const) {
      const value = params[key]
      if (value === undefined) continue
      if (typeof value !== 'boolean') throw invalidOption(PKG, key, 'a boolean', 'type')
      next[key] = value
    }
    for (const key of ['maxPoolPercent', 'acceptThresholdPercent'] as const) {
      const value = params[key]
      if (value === undefined) continue
      if (typeof value !== 'number' || !(value >= 0 && value <= 100))
        throw invalidOption(PKG, key, 'a number in [0, 100]')
      next[key] = value
    }
    Object.assign(this.#params, next)
  }

  /**
   * Makes `compressor` the one new stores use. Entries already stored keep
   * the accelerator that made them for their loads. Passing one used before
   * makes it current again.
   */
  setCompressor(compressor: Compressor | Accelerator): void {
    this.#checkOpen()
    if (typeof compressor !== 'object' || compressor === null) {
      throw invalidOption(PKG, 'compressor', 'a Compressor or an Accelerator', 'type')
    }
    let id = this.#accels.findIndex(
      (a) => a === compressor || (a as { source?: unknown }).source === compressor,
    )
    if (id < 0) {
      if (this.#accels.length >= MAX_COMPRESSORS) throw invalidOption(PKG, 'compressor', 'one of at most 256')
      const accel = toAccelerator(compressor)
      const maxBatch = accel.capabilities.maxBatch
      if (!Number.isInteger(maxBatch) || maxBatch < 1) {
        throw invalidOption(PKG, 'accelerator.capabilities.maxBatch', 'an integer ≥ 1')
      }
      if (accel !== compressor) Object.defineProperty(accel, 'source', { value: compressor })
      id = this.#accels.push(accel) - 1
      this.#ensureBatch(maxBatch)
    }
    this.#current = id
  }

  /** Creates a cgroup that folios can name in `folio.cgroup`. */
  createCgroup(name: string, options: CgroupOptions = {}): void {
    this.#checkOpen()
    this.#cgroups.create(name, options)
  }

  /** Changes a cgroup's `zswapMax` / `writeback`. @throws UnknownCgroupError */
  setCgroup(name: string, options: CgroupOptions): void {
    this.#checkOpen()
    this.#cgroups.set(this.#cgroups.get(name), options)
  }

  /** A plain-JSON snapshot of the counters. */
  stats(): ZswapStats {
    return {
      stored_pages: this.#entries.live,
      pool_total_size: this.#zpool.totalPages * PAGE_SIZE,
      ...this.#counters.snapshot(),
      cgroups: this.#cgroups.snapshot(),
    }
  }

  /** True when the page at `swap` is stored. */
  has(swap: SwapEntry): boolean {
    assertSwapEntry(swap)
    return this.#index.get(swap.type, swap.offset) >= 0
  }

  /**
   * Stores a folio: every page or none. Resolves `false` when rejected
   * (disabled, large folio with mthpEnabled off, a limit, an incompressible
   * page, allocation failure); every offset of a rejected folio is then
   * empty, stale entries included.
   * @throws InvalidArgumentError, UnknownCgroupError, ClosedError; nothing changes.
   */
  async store(folio: Folio): Promise<boolean> {
    this.#checkOpen()
    assertFolio(folio)
    const cgroup = this.#cgroups.get(folio.cgroup)
    const wait = this.#lock.acquire()
    if (wait) await wait
    try {
      this.#checkOpen()
      // one folio through the batch path, with preallocated one-slot arrays
      this.#one[0] = folio
      this.#oneCgroup[0] = cgroup
      this.#oneState[0] = PENDING
      await this.#storeFolios(this.#one, this.#oneCgroup, this.#oneState)
      return this.#oneState[0] === DONE
    } finally {
      this.#one[0] = undefined as never
      this.#lock.release()
    }
  }

  /**
   * Stores several folios, compressing pages of consecutive folios together
   * in batches of the accelerator's `maxBatch` (like the swap write plug).
   * Each folio is all-or-nothing on its own. Folios must not overlap.
   */
  async storeBatch(folios: readonly Folio[]): Promise<boolean[]> {
    this.#checkOpen()
    const cgroups = this.#validate(folios, true)
    const wait = this.#lock.acquire()
    if (wait) await wait
    try {
      this.#checkOpen()
      const state = new Uint8Array(folios.length)
      await this.#storeFolios(folios, cgroups, state)
      return Array.from(state, (s) => s === DONE)
    } finally {
      this.#lock.release()
    }
  }

  /**
   * Loads a folio into `folio.data` and frees its entries (exclusive load).
   * Resolves `false`, changing nothing, when any page is absent or fails to
   * decompress (counted in `decompress_fail`).
   */
  async load(folio: Folio): Promise<boolean> {
    this.#checkOpen()
    assertFolio(folio)
    const wait = this.#lock.acquire()
    if (wait) await wait
    try {
      this.#checkOpen()
      this.#one[0] = folio
      this.#oneState[0] = PENDING
      await this.#loadFolios(this.#one, this.#oneState)
      return this.#oneState[0] === DONE
    } finally {
      this.#one[0] = undefined as never
      this.#lock.release()
    }
  }

  /** Loads a readahead window of folios, decompressing in accelerator batches. */
  async loadBatch(folios: readonly Folio[]): Promise<boolean[]> {
    this.#checkOpen()
    this.#validate(folios, false)
    const wait = this.#lock.acquire()
    if (wait) await wait
    try {
      this.#checkOpen()
      const state = new Uint8Array(folios.length)
      await this.#loadFolios(folios, state)
      return Array.from(state, (s) => s === DONE)
    } finally {
      this.#lock.release()
    }
  }

  /** Frees the entry at `swap`; true when there was one. */
  invalidate(swap: SwapEntry): boolean {
    this.#checkOpen()
    assertSwapEntry(swap)
    return this.#erase(swap.type, swap.offset)
  }

  /** Frees the entries at `swap.offset .. swap.offset + nrPages - 1`; returns how many. */
  invalidateRange(swap: SwapEntry, nrPages: number): number {
    this.#checkOpen()
    assertSwapEntry(swap)
    if (!Number.isInteger(nrPages) || nrPages < 0 || swap.offset + nrPages > MAX_SWAP_OFFSET) {
      throw new InvalidArgumentError(
        `[${PKG}] nrPages must be an integer ≥ 0 within the swap area, got ${nrPages}`,
      )
    }
    return this.#eraseRange(swap.type, swap.offset, nrPages)
  }

  /**
   * Writes up to `nrPages` of the coldest entries back to the swap devices
   * (cgroups in turn, skipping those with writeback off) and frees them.
   * @returns pages written back.
   */
  async shrink(nrPages: number): Promise<number> {
    this.#checkOpen()
    if (!Number.isInteger(nrPages) || nrPages < 0) {
      throw new InvalidArgumentError(`[${PKG}] nrPages must be an integer ≥ 0, got ${nrPages}`)
    }
    const wait = this.#lock.acquire()
    if (wait) await wait
    try {
      this.#checkOpen()
      return await this.#shrinkGlobal(nrPages, -1)
    } finally {
      this.#lock.release()
    }
  }

  /** Waits for running operations, closes the accelerators and destroys the zpool. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return
    const wait = this.#lock.acquire()
    if (wait) await wait
    try {
      if (this.#closed) return
      this.#closed = true
      for (const accel of this.#accels) await accel.close()
      this.#zpool.destroy()
    } finally {
      this.#lock.release()
    }
  }

  // ---- store ----------------------------------------------------------------

  /** Stores `folios`; `state[f]` ends DONE or FAILED. */
  async #storeFolios(folios: readonly Folio[], cgroups: readonly Cgroup[], state: Uint8Array): Promise<void> {
    this.#storing = folios
    try {
      await this.#storeFoliosLocked(folios, cgroups, state)
    } finally {
      this.#storing = NO_FOLIOS
    }
  }

  async #storeFoliosLocked(
    folios: readonly Folio[],
    cgroups: readonly Cgroup[],
    state: Uint8Array,
  ): Promise<void> {
    const n = folios.length
    for (let f = 0; f < n; f++) {
      const may = this.#mayStore(folios[f], cgroups[f])
      if (may === false || (may !== true && !(await may))) this.#reject(folios[f], state, f)
    }
    const cid = this.#current
    const accel = this.#accels[cid]
    const maxBatch = accel.capabilities.maxBatch
    const { cjobs: jobs, slots, jobFolio, jobPage } = this.#staging
    let f = 0
    let page = 0
    for (;;) {
      let count = 0
      while (count < maxBatch && f < n) {
        if (state[f] !== PENDING) {
          f++
          page = 0
          continue
        }
        const folio = folios[f]
        const job = jobs[count]
        job.src =
          folio.order === 0 ? folio.data : folio.data.subarray(page << PAGE_SHIFT, (page + 1) << PAGE_SHIFT)
        job.dst = slots[count]
        job.length = 0
        job.error = undefined
        jobFolio[count] = f
        jobPage[count] = page
        count++
        if (++page === 1 << folio.order) {
          f++
          page = 0
        }
      }
      if (count === 0) break
      await accel.compressBatch(jobs, count)
      for (let j = 0; j < count; j++) {
        const fi = jobFolio[j]
        if (state[fi] !== PENDING) continue
        const folio = folios[fi]
        // zswap_store_page() checks the pool limit before every page
        if (this.#checkLimits() && !(await this.#reclaimForStore())) {
          this.#reject(folio, state, fi)
          continue
        }
        if (!this.#storePage(folio, jobPage[j], jobs[j], cgroups[fi], cid)) {
          this.#reject(folio, state, fi)
        } else if (jobPage[j] === (1 << folio.order) - 1) {
          this.#commit(folio, cgroups[fi], state, fi)
        }
      }
    }
  }

  /**
   * The folio-level checks of zswap_store(), before any compression. The
   * cgroup limit is checked once per folio, as in the series; a promise only
   * when write-back is needed.
   */
  #mayStore(folio: Folio, cgroup: Cgroup): boolean | Promise<boolean> {
    if (folio.order > 0 && !this.#params.mthpEnabled) return false
    if (!this.#params.enabled) return false
    if (cgroup.zswap >= cgroup.zswapMax) return this.#mayStoreOverCgroupLimit(cgroup)
    if (this.#checkLimits()) return this.#reclaimForStore()
    return true
  }

  async #mayStoreOverCgroupLimit(cgroup: Cgroup): Promise<boolean> {
    if (!(await this.#cgroupMayZswap(cgroup))) return false
    return !this.#checkLimits() || (await this.#reclaimForStore())
  }

  /** Compression result → zpool object → entry at its offset. Pending entries stay off the LRU. */
  #storePage(folio: Folio, page: number, job: CompressJob, cgroup: Cgroup, cid: number): boolean {
    const counters = this.#counters
    if (job.error !== undefined) {
      counters.reject_compress_fail++
      return false
    }
    const length = job.length
    if (length < 0 || length >= PAGE_SIZE) {
      counters.reject_compress_poor++
      return false
    }
    let handle: number
    try {
      handle = this.#zpool.malloc(length)
    } catch (error) {
      if (ZswapError.hasCode(error, ErrorCode.OBJECT_TOO_LARGE)) counters.reject_compress_poor++
      else counters.reject_alloc_fail++
      return false
    }
    this.#zpool.write(handle, job.dst.subarray(0, length))
    const t = this.#entries
    const id = t.alloc()
    const offset = folio.swap.offset + page
    t.handle[id] = handle
    t.length[id] = length
    t.offset[id] = offset
    t.type[id] = folio.swap.type
    t.cgroup[id] = cgroup.id
    t.compressor[id] = cid
    t.flags[id] = REFERENCED
    cgroup.zswap += length
    cgroup.zswapped++
    // A stale entry from an earlier store of this offset is replaced and freed.
    const old = this.#index.set(folio.swap.type, offset, id)
    if (old >= 0) this.#freeEntry(old)
    return true
  }

  /** Every page stored: link the folio's entries on its cgroup's LRU and count it. */
  #commit(folio: Folio, cgroup: Cgroup, state: Uint8Array, f: number): void {
    const pages = 1 << folio.order
    const { type, offset } = folio.swap
    for (let i = 0; i < pages; i++) {
      // an invalidate() that ran while the batch was in flight wins
      if (this.#index.get(type, offset + i) < 0) {
        this.#reject(folio, state, f)
        return
      }
    }
    for (let i = 0; i < pages; i++) lruPush(this.#entries, cgroup, this.#index.get(type, offset + i))
    state[f] = DONE
    this.#counters.zswpout[folio.order]++
    cgroup.zswpout += pages
  }

  /** A rejected folio leaves no entry behind, stale or new (zswap_delete_stored_offsets). */
  #reject(folio: Folio, state: Uint8Array, f: number): void {
    state[f] = FAILED
    this.#eraseRange(folio.swap.type, folio.swap.offset, 1 << folio.order)
  }

  // ---- load -----------------------------------------------------------------

  /** Loads `folios`; `state[f]` ends DONE (loaded) or FAILED. */
  async #loadFolios(folios: readonly Folio[], state: Uint8Array): Promise<void> {
    const n = folios.length
    const t = this.#entries
    for (let f = 0; f < n; f++) {
      const { type, offset } = folios[f].swap
      for (let i = 0, pages = 1 << folios[f].order; i < pages; i++) {
        if (this.#index.get(type, offset + i) < 0) {
          state[f] = FAILED
          break
        }
      }
    }
    const staging = this.#staging
    const { djobs: jobs, slots, jobFolio } = staging
    let count = 0
    let batchCid = -1
    for (let f = 0; f < n; f++) {
      if (state[f] !== PENDING) continue
      const folio = folios[f]
      const { type, offset } = folio.swap
      for (let i = 0, pages = 1 << folio.order; i < pages; i++) {
        const id = this.#index.get(type, offset + i)
        const cid = t.compressor[id]
        if (count > 0 && (cid !== batchCid || count === this.#accels[batchCid].capabilities.maxBatch)) {
          await this.#accels[batchCid].decompressBatch(jobs, count)
          this.#checkDecompressed(staging, count, state)
          count = 0
        }
        batchCid = cid
        const job = jobs[count]
        const src = slots[count].subarray(0, t.length[id])
        this.#zpool.read(t.handle[id], src)
        job.src = src
        job.dst = folio.order === 0 ? folio.data : folio.data.subarray(i << PAGE_SHIFT, (i + 1) << PAGE_SHIFT)
        job.length = 0
        job.error = undefined
        jobFolio[count++] = f
      }
    }
    if (count > 0) {
      await this.#accels[batchCid].decompressBatch(jobs, count)
      this.#checkDecompressed(staging, count, state)
    }
    for (let f = 0; f < n; f++) {
      if (state[f] !== PENDING) continue
      state[f] = DONE
      const { type, offset } = folios[f].swap
      for (let i = 0, pages = 1 << folios[f].order; i < pages; i++) {
        const id = this.#index.erase(type, offset + i)
        if (id < 0) continue
        this.#cgroups.list[t.cgroup[id]].zswpin++
        this.#freeEntry(id)
      }
    }
  }

  /** A page that failed to decompress, or came out short, fails its folio. */
  #checkDecompressed({ djobs, jobFolio }: Staging, count: number, state: Uint8Array): void {
    for (let j = 0; j < count; j++) {
      if (djobs[j].error !== undefined || djobs[j].length !== PAGE_SIZE) {
        this.#counters.decompress_fail++
        state[jobFolio[j]] = FAILED
      }
    }
  }

  // ---- limits and write-back -------------------------------------------------

  /** zswap_check_limits(): true while the pool is full (with hysteresis). */
  #checkLimits(): boolean {
    const cur = this.#zpool.totalPages
    const max = this.maxPoolPages
    if (cur >= max) {
      this.#counters.pool_limit_hit++
      this.#reachedFull = true
    } else if (this.#reachedFull && cur <= Math.floor((max * this.#params.acceptThresholdPercent) / 100)) {
      this.#reachedFull = false
    }
    return this.#reachedFull
  }

  /** The pool is full: write back down to the accept threshold, then check again. */
  async #reclaimForStore(): Promise<boolean> {
    if (!this.#params.shrinkerEnabled || this.#devices.length === 0) return false
    const accept = Math.floor((this.maxPoolPages * this.#params.acceptThresholdPercent) / 100)
    await this.#shrinkGlobal(Number.POSITIVE_INFINITY, accept)
    return !this.#checkLimits()
  }

  /** obj_cgroup_may_zswap() + shrink_memcg(): only the cgroup over its limit writes back. */
  async #cgroupMayZswap(cgroup: Cgroup): Promise<boolean> {
    if (cgroup.zswap < cgroup.zswapMax) return true
    if (cgroup.zswapMax === 0 || !cgroup.writeback) return false
    while (cgroup.zswap >= cgroup.zswapMax) {
      if (!(await this.#shrinkOne(cgroup))) return false
    }
    return true
  }

  /** Round-robin over cgroups until `nrPages` are written or the pool is at `targetPages`. */
  async #shrinkGlobal(nrPages: number, targetPages: number): Promise<number> {
    const list = this.#cgroups.list
    let written = 0
    let idle = 0
    while (written < nrPages && this.#zpool.totalPages > targetPages && idle < list.length) {
      const cgroup = list[this.#shrinkCursor]
      this.#shrinkCursor = (this.#shrinkCursor + 1) % list.length
      if (await this.#shrinkOne(cgroup)) {
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
   */
  async #shrinkOne(cgroup: Cgroup): Promise<boolean> {
    if (!cgroup.writeback) return false
    const t = this.#entries
    for (let steps = cgroup.zswapped; steps >= 0 && cgroup.tail >= 0; steps--) {
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
      if (this.#isBeingStored(t.type[id], t.offset[id])) {
        this.#counters.reject_reclaim_fail++
        lruPush(t, cgroup, id)
        continue
      }
      if (await this.#writeback(id, cgroup)) return true
      this.#counters.reject_reclaim_fail++
      if (this.#index.get(t.type[id], t.offset[id]) === id) lruPush(t, cgroup, id)
      return false
    }
    return false
  }

  #isBeingStored(type: number, offset: number): boolean {
    for (const folio of this.#storing) {
      const start = folio.swap.offset
      if (folio.swap.type === type && offset >= start && offset < start + (1 << folio.order)) return true
    }
    return false
  }

  /** zswap_writeback_entry(): decompress, write the page at its offset, free the entry. */
  async #writeback(id: number, cgroup: Cgroup): Promise<boolean> {
    const t = this.#entries
    const type = t.type[id]
    const offset = t.offset[id]
    const device = this.#devices[type]
    if (device === undefined || offset >= device.pages) return false
    const job = this.#wbJobs[0]
    job.src = this.#wbSrc.subarray(0, t.length[id])
    this.#zpool.read(t.handle[id], job.src)
    job.length = 0
    job.error = undefined
    await this.#accels[t.compressor[id]].decompressBatch(this.#wbJobs, 1)
    if (job.error !== undefined || job.length !== PAGE_SIZE) {
      this.#counters.decompress_fail++
      return false
    }
    try {
      await device.write(offset, this.#wbPage)
    } catch {
      return false
    }
    // Only invalidate() can run during the awaits (ids are reused only under
    // the lock): if it freed the entry, the page written is stale but its
    // slot is free, as in the kernel.
    if (this.#index.get(type, offset) === id) {
      this.#index.erase(type, offset)
      this.#freeEntry(id)
    }
    this.#counters.written_back_pages++
    cgroup.zswpwb++
    return true
  }

  // ---- entries --------------------------------------------------------------

  #erase(type: number, offset: number): boolean {
    const id = this.#index.erase(type, offset)
    if (id < 0) return false
    this.#freeEntry(id)
    return true
  }

  #eraseRange(type: number, offset: number, nrPages: number): number {
    let freed = 0
    const end = offset + nrPages
    for (let o = this.#index.nextCandidate(type, offset); o < end; o = this.#index.nextCandidate(type, o)) {
      if (this.#erase(type, o)) freed++
      o++
    }
    return freed
  }

  /** Frees an entry already removed from (or replaced in) the index. */
  #freeEntry(id: number): void {
    const t = this.#entries
    const cgroup = this.#cgroups.list[t.cgroup[id]]
    if (t.flags[id] & ON_LRU) lruRemove(t, cgroup, id)
    this.#zpool.free(t.handle[id])
    cgroup.zswap -= t.length[id]
    cgroup.zswapped--
    t.free(id)
  }

  // ---- plumbing -------------------------------------------------------------

  #validate(folios: readonly Folio[], forStore: boolean): Cgroup[] {
    if (!Array.isArray(folios)) throw new InvalidArgumentError(`[${PKG}] folios must be an array`)
    const cgroups = new Array<Cgroup>(folios.length)
    for (let i = 0; i < folios.length; i++) {
      assertFolio(folios[i])
      cgroups[i] = this.#cgroups.get(folios[i].cgroup)
    }
    if (folios.length > 1) assertNoOverlap(folios, forStore ? 'storeBatch' : 'loadBatch')
    return cgroups
  }

  #ensureBatch(maxBatch: number): void {
    if (maxBatch > this.#staging.slots.length) this.#staging = newStaging(maxBatch)
  }

  #checkOpen(): void {
    if (this.#closed) throw new ClosedError(`[${PKG}] the cache is closed`)
  }
}

/** Buffers and job objects for one accelerator batch, allocated once. */
interface Staging {
  /** One PAGE_SIZE slot per job: compressed data between compress and zpool write, or before decompress. */
  readonly slots: Uint8Array[]
  readonly cjobs: CompressJob[]
  readonly djobs: DecompressJob[]
  /** Per job: which folio of the batch, and which page of it. */
  readonly jobFolio: Int32Array
  readonly jobPage: Int32Array
}

function newStaging(maxBatch: number): Staging {
  const bytes = new Uint8Array(maxBatch * PAGE_SIZE)
  const slots = Array.from({ length: maxBatch }, (_, i) => bytes.subarray(i * PAGE_SIZE, (i + 1) * PAGE_SIZE))
  return {
    slots,
    cjobs: slots.map((dst) => ({ src: dst, dst, length: 0, error: undefined })),
    djobs: slots.map((src) => ({ src, dst: src, length: 0, error: undefined })),
    jobFolio: new Int32Array(maxBatch),
    jobPage: new Int32Array(maxBatch),
  }
}

function assertNoOverlap(folios: readonly Folio[], what: string): void {
  const order = folios.map((_, i) => i)
  order.sort(
    (a, b) => folios[a].swap.type - folios[b].swap.type || folios[a].swap.offset - folios[b].swap.offset,
  )
  for (let k = 1; k < order.length; k++) {
    const prev = folios[order[k - 1]]
    const next = folios[order[k]]
    if (prev.swap.type === next.swap.type && prev.swap.offset + (1 << prev.order) > next.swap.offset) {
      throw new InvalidArgumentError(
        `[${PKG}] ${what}: folios at offsets ${prev.swap.offset} and ${next.swap.offset} overlap`,
      )
    }
  }
}
