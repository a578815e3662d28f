import { totalmem } from 'node:os'
import {
  type Accelerator,
  assertSpecification,
  assertSwapEntry,
  type Compressor,
  type Folio,
  type FolioFields,
  InvalidArgumentError,
  invalidOption,
  MAX_SWAP_OFFSET,
  PAGE_SIZE,
  readFolio,
  type SwapDevice,
  type SwapEntry,
  toAccelerator,
} from '@zswap/core'
import { CacheState } from './cache-state.js'
import type { AcceleratorTime } from './counters.js'
import { FolioBatch, putFolio, readFolios } from './folio-batch.js'
import { loadFolios, loadPageNow } from './load.js'
import {
  assertOptionKeys,
  type CgroupOptions,
  OPTION_KEYS,
  PARAM_KEYS,
  type ZswapOptions,
  type ZswapParams,
  type ZswapStats,
} from './options.js'
import { shrinkGlobal } from './shrinker.js'
import { newStaging } from './staging.js'
import { storeFolios } from './store.js'

const PKG = '@zswap/cache'
const NO_DATA = new Uint8Array(0)
const MAX_COMPRESSORS = 256
/** Values of the `objectPages` option. */
const OBJECT_PAGES: readonly unknown[] = [1, 4, 16]

/** The largest objectPages value whose objects fit in `bytes` (1 when none of them does). */
function largestObjectPages(bytes: number): number {
  return bytes >= 16 * PAGE_SIZE ? 16 : bytes >= 4 * PAGE_SIZE ? 4 : 1
}
/** Largest accelerator maxBatch the cache stages: one 2 MiB folio (2 MiB of staging). */
export const MAX_BATCH = 512

/** Creates a compressed page cache with the semantics of Linux zswap (see {@link Zswap}). */
export function createZswap(options: ZswapOptions): Zswap {
  return new Zswap(options)
}

/**
 * A compressed cache for 4 KiB pages and large folios, after mm/zswap.c with
 * the large-folio store of the mTHP series:
 *
 * - `store` compresses every page of a folio into its own entry at
 *   `offset + i` — with `objectPages` 4 or 16, groups of pages compressed
 *   together into one zpool object, each page still its own entry; a
 *   folio is stored entirely or not at all. Rejections —
 *   limits, poor or failed compression, an accelerator or zpool fault — are
 *   counted in {@link stats} and resolve `false`; they never throw, and
 *   leave no page of the folio behind.
 * - As Linux 6.18's swap path: a folio whose bytes are all zero takes no
 *   zpool object, only a bit per offset in a zero map (`zeroPages`); a page
 *   that does not compress below 4096 bytes is stored as-is when its cgroup
 *   may write back (`incompressible`), else rejected.
 * - `load` is exclusive: loaded entries are freed (zero-map bits cleared).
 * - A pool limit (`maxPoolPercent` of `ramBytes` with the
 *   `acceptThresholdPercent` hysteresis) and per-cgroup `zswapMax` bound the
 *   memory; the shrinker writes the coldest entries back to the swap device
 *   (second chance through a `referenced` bit) before it rejects.
 *
 * Entries live in typed arrays; store and load await once per accelerator
 * batch, except an order-0 load of a synchronous Compressor's page with
 * nothing else running, which is done before `load` returns. `store`,
 * `load` and `shrink` are serialised; `invalidate` is synchronous and may
 * run at any time.
 *
 * The cache owns the drivers passed in: `close()` closes the accelerators
 * and compressors and destroys the zpool. Swap devices stay the caller's.
 * Every member but `close()` throws ClosedError after it.
 */
export class Zswap {
  readonly #s: CacheState
  // Where store/load read a folio's fields before copying them to locals.
  readonly #fields: FolioFields = { type: 0, offset: 0, order: 0, data: NO_DATA, cgroup: undefined }

  constructor(options: ZswapOptions) {
    assertOptionKeys(options, OPTION_KEYS, 'createZswap')
    const {
      compressor,
      accelerator,
      zpool,
      swapDevice,
      ramBytes = totalmem(),
      objectPages = 1,
      zeroPages = 'map',
      incompressible = 'store',
    } = options
    if ((compressor === undefined) === (accelerator === undefined)) {
      throw invalidOption(PKG, 'compressor', 'given, or options.accelerator, but not both', 'type')
    }
    if (typeof zpool !== 'object' || zpool === null) throw invalidOption(PKG, 'zpool', 'a Zpool', 'type')
    assertSpecification(zpool, 'zpool')
    if (typeof ramBytes !== 'number' || !Number.isFinite(ramBytes) || ramBytes < PAGE_SIZE) {
      throw invalidOption(PKG, 'ramBytes', `a number of bytes ≥ ${PAGE_SIZE}`)
    }
    const devices =
      swapDevice === undefined ? [] : Array.isArray(swapDevice) ? swapDevice : [swapDevice as SwapDevice]
    for (const device of devices) if (device !== undefined) assertSpecification(device, 'swap device')
    if (!OBJECT_PAGES.includes(objectPages)) throw invalidOption(PKG, 'objectPages', '1, 4 or 16')
    if (zeroPages !== 'map' && zeroPages !== 'store')
      throw invalidOption(PKG, 'zeroPages', "'map' or 'store'")
    if (incompressible !== 'store' && incompressible !== 'reject') {
      throw invalidOption(PKG, 'incompressible', "'store' or 'reject'")
    }
    const maxObjectSize = zpool.capabilities?.maxObjectSize ?? PAGE_SIZE
    if (objectPages > 1 && !(maxObjectSize >= objectPages * PAGE_SIZE)) {
      throw invalidOption(
        PKG,
        'objectPages',
        `${largestObjectPages(maxObjectSize)} or less with zpool ${zpool.name}: a ${objectPages}-page object ` +
          `needs capabilities.maxObjectSize ≥ ${objectPages * PAGE_SIZE}, it declares ${maxObjectSize}` +
          ' (zsmalloc takes multi-page objects with { multiPage: true })',
      )
    }
    this.#s = new CacheState(
      zpool,
      devices,
      ramBytes,
      {
        enabled: true,
        mthpEnabled: false,
        maxPoolPercent: 20,
        acceptThresholdPercent: 90,
        shrinkerEnabled: true,
      },
      objectPages,
      zeroPages === 'map',
      incompressible === 'store',
    )
    const params: Partial<ZswapParams> = {}
    for (const key of PARAM_KEYS)
      if (options[key] !== undefined) Object.assign(params, { [key]: options[key] })
    this.setParams(params)
    this.setCompressor((compressor ?? accelerator) as Compressor | Accelerator)
  }

  /** Current runtime parameters (a copy; change them with {@link setParams}). */
  get params(): Readonly<ZswapParams> {
    this.#checkOpen()
    return { ...this.#s.params }
  }

  /** Pages stored now in the pool (stored_pages: zero-mapped pages not included). */
  get storedPages(): number {
    this.#checkOpen()
    return this.#s.entries.live
  }

  /** Bytes of entry metadata held: the entry table (entries and offset index in one), the object table and the zero map. */
  get metadataBytes(): number {
    this.#checkOpen()
    return this.#s.entries.bytes + this.#s.objects.bytes + this.#s.zero.bytes
  }

  /** Largest pool size in pages before stores are rejected (or written back); rounded down. */
  get maxPoolPages(): number {
    this.#checkOpen()
    return this.#s.maxPoolPages
  }

  /**
   * Changes runtime parameters, like writing /sys/module/zswap/parameters/*.
   * @throws TypeError/RangeError (code ERR_INVALID_OPTION) for a value out of
   * range or a key that is not a parameter, and changes nothing; ClosedError.
   */
  setParams(params: Partial<ZswapParams>): void {
    this.#checkOpen()
    assertOptionKeys(params, PARAM_KEYS, 'setParams')
    const next = { ...this.#s.params }
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
    Object.assign(this.#s.params, next)
  }

  /**
   * Makes `compressor` the one new stores use. Entries already stored keep
   * the accelerator that made them for their loads. Passing one used before
   * makes it current again.
   * @throws TypeError/RangeError (code ERR_INVALID_OPTION) for a driver without
   * capabilities or with a maxBatch above 512, registering nothing;
   * UnsupportedSpecificationError; ClosedError.
   */
  setCompressor(compressor: Compressor | Accelerator): void {
    this.#checkOpen()
    if (typeof compressor !== 'object' || compressor === null) {
      throw invalidOption(PKG, 'compressor', 'a Compressor or an Accelerator', 'type')
    }
    const s = this.#s
    let id = s.accels.findIndex((a) => a === compressor || (a as { source?: unknown }).source === compressor)
    if (id < 0) {
      if (s.accels.length >= MAX_COMPRESSORS) throw invalidOption(PKG, 'compressor', 'one of at most 256')
      const accel = toAccelerator(compressor)
      // read once: a getter cannot change the batch size the staging was sized for
      const maxBatch = accel.capabilities.maxBatch
      if (!Number.isInteger(maxBatch) || maxBatch < 1 || maxBatch > MAX_BATCH) {
        throw invalidOption(PKG, 'accelerator.capabilities.maxBatch', `an integer in [1, ${MAX_BATCH}]`)
      }
      const objectPages = s.objectPages
      const maxInputSize = accel.capabilities.maxInputSize ?? PAGE_SIZE
      if (objectPages > 1 && !(maxInputSize >= objectPages * PAGE_SIZE)) {
        throw invalidOption(
          PKG,
          'objectPages',
          `${largestObjectPages(maxInputSize)} or less with accelerator ${accel.name}: a ${objectPages}-page ` +
            `object needs capabilities.maxInputSize ≥ ${objectPages * PAGE_SIZE}, it declares ${maxInputSize}` +
            ' (wrap it with @zswap/by-n for multi-page objects)',
        )
      }
      if (accel !== compressor) Object.defineProperty(accel, 'source', { value: compressor })
      s.sync.push(accel !== compressor ? (compressor as Compressor) : undefined)
      // a batch stages at most MAX_BATCH pages (2 MiB): fewer jobs of larger objects
      const jobs = Math.min(maxBatch, MAX_BATCH / objectPages)
      if (jobs > s.staging.slots.length) s.staging = newStaging(jobs, objectPages)
      s.maxBatch.push(jobs)
      s.partial.push(accel.capabilities.supportsPartialDecompress === true)
      s.modeled.push(accel.capabilities.timing === 'modeled' && accel.timingModel !== undefined)
      id = s.accels.push(accel) - 1
    }
    s.current = id
  }

  /** Creates a cgroup that folios can name in `folio.cgroup`. @throws ERR_INVALID_OPTION, ClosedError */
  createCgroup(name: string, options: CgroupOptions = {}): void {
    this.#checkOpen()
    this.#s.cgroups.create(name, options)
  }

  /** Changes a cgroup's `zswapMax` / `writeback`. @throws UnknownCgroupError, ERR_INVALID_OPTION, ClosedError */
  setCgroup(name: string, options: CgroupOptions): void {
    this.#checkOpen()
    const cgroups = this.#s.cgroups
    cgroups.set(cgroups.get(name), options)
  }

  /** A plain-JSON snapshot of the counters. @throws ClosedError */
  stats(): ZswapStats {
    this.#checkOpen()
    const s = this.#s
    return {
      stored_pages: s.entries.live,
      stored_objects: s.storedObjects,
      pool_total_size: s.zpool.totalPages * PAGE_SIZE,
      ...s.counters.snapshot(),
      cgroups: s.cgroups.snapshot(),
      ...(s.acceleratorTime.model === undefined ? {} : { accelerator_time: timeSnapshot(s.acceleratorTime) }),
    }
  }

  /**
   * Accelerator time of store and load batches, live (updated in place, read
   * without allocating): measured wait and modeled device time, for an
   * accelerator with `capabilities.timing: 'modeled'` (all zero otherwise).
   * @throws ClosedError
   */
  get acceleratorTime(): Readonly<AcceleratorTime> {
    this.#checkOpen()
    return this.#s.acceleratorTime
  }

  /**
   * True when the page at `swap` is held: stored in the pool, or marked in
   * the zero map (a load then fills zeros). @throws InvalidArgumentError, ClosedError
   */
  has(swap: SwapEntry): boolean {
    this.#checkOpen()
    assertSwapEntry(swap)
    return this.#s.holds(swap.type, swap.offset)
  }

  /**
   * Stores a folio: every page or none. An all-zero folio (zeroPages
   * 'map') is only marked in the zero map, before any other check, as the
   * swap layer does before zswap: it resolves `true` even while disabled.
   * Resolves `false` when rejected (disabled, large folio with mthpEnabled
   * off, a limit, an incompressible page whose cgroup cannot write back or
   * with incompressible 'reject', a failed compression or accelerator under
   * the same conditions, a zpool that cannot allocate or write); every
   * offset of a rejected folio is then empty, stale entries and zero-map
   * bits included, and a counter of {@link stats} says why.
   * @throws InvalidArgumentError, UnknownCgroupError, ClosedError; nothing changes.
   */
  store(folio: Folio): Promise<boolean> {
    const s = this.#s
    let batch: FolioBatch
    let wait: Promise<void> | undefined
    try {
      batch = this.#readOne(folio)
      wait = s.lock.acquire()
    } catch (error) {
      return Promise.reject(error)
    }
    return storeFolios(s, batch, wait, true) as Promise<boolean>
  }

  /**
   * Stores several folios, compressing pages of consecutive folios together
   * in batches of the accelerator's `maxBatch` (like the swap write plug).
   * Each folio is all-or-nothing on its own and sees the limits as the
   * folios before it left them, as consecutive `store` calls would. Folios
   * must not overlap.
   */
  storeBatch(folios: readonly Folio[]): Promise<boolean[]> {
    const s = this.#s
    let batch: FolioBatch
    try {
      this.#checkOpen()
      batch = readFolios(folios, s.cgroups, 'storeBatch')
    } catch (error) {
      return Promise.reject(error)
    }
    return storeFolios(s, batch, s.lock.acquire(), false) as Promise<boolean[]>
  }

  /**
   * Loads a folio into `folio.data` and frees its entries (exclusive load).
   * Zero-mapped pages are filled with zeros (`swpin_zero`), raw pages copied
   * and checked against their CRC-32.
   * Resolves `false`, leaving every entry in place, when any page is absent,
   * is invalidated while the load runs, fails to decompress to exactly
   * one page, or a raw page fails its check (counted in `decompress_fail`);
   * `folio.data` is then unspecified.
   * An order-0 page that a synchronous Compressor made, loaded while no other
   * operation runs or waits, is done before `load` returns (the promise is
   * already settled), as the kernel's zswap_load() is; other loads decompress
   * in accelerator batches and are in flight until the promise settles.
   */
  load(folio: Folio): Promise<boolean> {
    const s = this.#s
    let batch: FolioBatch
    let wait: Promise<void> | undefined
    try {
      // a load charges no cgroup; an unknown name is still bad input
      batch = this.#readOne(folio)
      if (!s.lock.held && batch.order[0] === 0) {
        const done = loadPageNow(s, batch.type[0], batch.offset[0], batch.data[0])
        if (done !== undefined) {
          batch.data[0] = NO_DATA
          return done
        }
      }
      wait = s.lock.acquire()
    } catch (error) {
      return Promise.reject(error)
    }
    return loadFolios(s, batch, wait, true) as Promise<boolean>
  }

  /** Loads a readahead window of folios, decompressing in accelerator batches. */
  loadBatch(folios: readonly Folio[]): Promise<boolean[]> {
    const s = this.#s
    let batch: FolioBatch
    try {
      this.#checkOpen()
      batch = readFolios(folios, s.cgroups, 'loadBatch')
    } catch (error) {
      return Promise.reject(error)
    }
    return loadFolios(s, batch, s.lock.acquire(), false) as Promise<boolean[]>
  }

  /** Frees the entry at `swap` (or clears its zero-map bit); true when there was one. */
  invalidate(swap: SwapEntry): boolean {
    this.#checkOpen()
    assertSwapEntry(swap)
    return this.#s.erase(swap.type, swap.offset)
  }

  /** Frees the entries (and zero-map bits) at `swap.offset .. swap.offset + nrPages - 1`; returns how many. */
  invalidateRange(swap: SwapEntry, nrPages: number): number {
    this.#checkOpen()
    assertSwapEntry(swap)
    if (!Number.isInteger(nrPages) || nrPages < 0 || swap.offset + nrPages > MAX_SWAP_OFFSET) {
      throw new InvalidArgumentError(
        `[${PKG}] nrPages must be an integer ≥ 0 within the swap area, got ${nrPages}`,
      )
    }
    return this.#s.eraseRange(swap.type, swap.offset, nrPages)
  }

  /**
   * Writes up to `nrPages` of the coldest entries back to the swap devices
   * (cgroups in turn, skipping those with writeback off) and frees them.
   * Without a swap device it returns 0 and changes nothing.
   * @returns pages written back.
   */
  async shrink(nrPages: number): Promise<number> {
    this.#checkOpen()
    if (!Number.isInteger(nrPages) || nrPages < 0) {
      throw new InvalidArgumentError(`[${PKG}] nrPages must be an integer ≥ 0, got ${nrPages}`)
    }
    const s = this.#s
    const wait = s.lock.acquire()
    if (wait) await wait
    try {
      this.#checkOpen()
      return await shrinkGlobal(s, nrPages, -1)
    } finally {
      s.lock.release()
    }
  }

  /** Waits for running operations, closes the accelerators and destroys the zpool. Idempotent. */
  async close(): Promise<void> {
    const s = this.#s
    if (s.closed) return
    const wait = s.lock.acquire()
    if (wait) await wait
    try {
      if (s.closed) return
      s.closed = true
      try {
        for (const accel of s.accels) await accel.close()
      } finally {
        s.zpool.destroy()
      }
    } finally {
      s.lock.release()
    }
  }

  /**
   * Reads `folio`'s fields once and checks them (no allocation per call):
   * into the reused one-folio batch when the lock is free — the caller takes
   * it before anything else runs — else into a batch of its own.
   * @throws InvalidArgumentError, UnknownCgroupError, ClosedError
   */
  #readOne(folio: Folio): FolioBatch {
    this.#checkOpen()
    const fields = this.#fields
    const s = this.#s
    try {
      readFolio(folio, fields)
      const cgroup = s.cgroups.get(fields.cgroup)
      const batch = s.lock.held ? new FolioBatch(1) : s.one
      putFolio(batch, 0, fields.type, fields.offset, fields.order, fields.data, cgroup)
      batch.length = 1
      return batch
    } finally {
      fields.data = NO_DATA
    }
  }

  #checkOpen(): void {
    this.#s.checkOpen()
  }
}

function timeSnapshot(t: AcceleratorTime): NonNullable<ZswapStats['accelerator_time']> {
  return {
    model: t.model as string,
    compress_batches: t.compressBatches,
    compress_wait_ns: t.compressWaitNs,
    compress_modeled_ns: t.compressModeledNs,
    decompress_batches: t.decompressBatches,
    decompress_wait_ns: t.decompressWaitNs,
    decompress_modeled_ns: t.decompressModeledNs,
  }
}
