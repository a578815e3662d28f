import type { memorySwapDevice, Zswap as ZswapClass, ZswapOptions } from '@zswap/cache'
import { type Accelerator, type Compressor, PAGE_SIZE, type SwapDevice, type Zpool } from '@zswap/core'
import type { FaultPlan } from '@zswap/core/testing'
import type fc from 'fast-check'
import { expect } from 'vitest'

// The state of cacheModelTest: the model, the real stack, the page generators,
// the model's LRU and shrinker, and the reconciliation of the two after each command.

/** The cache's public members (structural, so a source and a built copy both fit). */
export type Zswap = Pick<ZswapClass, keyof ZswapClass>

/** Options of {@link cacheModelTest}. */
export interface CacheModelOptions {
  /** `createZswap` from @zswap/cache (passed in so the suite never imports a second copy). */
  createZswap: (options: ZswapOptions) => Zswap
  /** `memorySwapDevice` from @zswap/cache. */
  memorySwapDevice: typeof memorySwapDevice
  /** A fresh zpool per run. */
  zpool: () => Zpool
  /**
   * A fresh compressor or accelerator per run, built around the plan so that
   * compress failures can be injected (wrap with `faultyCompressor`). It must
   * shrink the model's pages (runs of bytes) and reject random ones.
   */
  compressor: (plan: FaultPlan) => Compressor | Accelerator
  /** Fast-check runs. Default 25. */
  numRuns?: number
  /** Commands per run, at least. Default 30 (capped at maxCommands). */
  minCommands?: number
  /** Commands per run, at most. Default 150. */
  maxCommands?: number
  /**
   * Calls of the plan's compressor per object (by_n(…, { n }) makes n), so
   * that an injected compress failure hits the object the model means.
   * Default 1.
   */
  compressCallsPerObject?: number
  /** Most pages one allocation may add to the pool (zsmalloc: its chain size). Default 16. */
  maxPagesPerAlloc?: number
  /**
   * The cache's `objectPages` (1, 4 or 16; the zpool and compressor must
   * take objects that large). The model then groups a folio's pages into
   * objects as the cache does, checks `stored_objects`, and expects
   * write-back to take whole objects. Default 1.
   */
  objectPages?: 1 | 4 | 16
  /**
   * The cache's `zeroPages` for every run; default: drawn per run, so both
   * the zero map and the old rule are checked.
   */
  zeroPages?: 'map' | 'store'
  /**
   * The cache's `incompressible` for every run; default: drawn per run, so
   * both raw storage and the old rejection are checked.
   */
  incompressible?: 'store' | 'reject'
  /**
   * More fast-check parameters, e.g. `{ seed, path, endOnFailure: true }` to
   * replay a failure that a run printed (a replay with a `path` runs one
   * case, so the counts of what the runs exercised are not checked then).
   */
  fcOptions?: Omit<fc.Parameters<unknown>, 'numRuns'>
}

/** Few offsets, so that loads, invalidates and stores keep meeting each other. */
export const OFFSETS = 24
export const DEVICE_PAGES = 64
export const RAM_PAGES = 20_000
/** Cgroups in creation order: the order the shrinker's round-robin visits them. */
export const CGROUPS = ['/', 'a', 'limited', 'nowb'] as const
export type CgroupName = (typeof CGROUPS)[number]

/**
 * What a store command's folio is: all runs of bytes ('ok'), one object of
 * random bytes ('poor'), one compress or malloc failure, all zeros ('zero'),
 * or one zero page inside ('zeroPage': stored normally).
 */
export type Kind = 'ok' | 'poor' | 'failCompress' | 'failMalloc' | 'zero' | 'zeroPage'

export interface Model {
  /** offset → the page last stored there and not loaded, invalidated or written back. */
  pages: Map<number, Uint8Array>
  cgroupOf: Map<number, CgroupName>
  /** offset → first offset and order of the folio that stored it. */
  folioOf: Map<number, { start: number; order: number }>
  /** offset → the object holding it (a number unique per object; one per page with objectPages 1). */
  objectOf: Map<number, number>
  nextObject: number
  /** Offsets marked in the zero map (zeroPages 'map'): held, loaded as zeros, in no pool or LRU. */
  zero: Set<number>
  /** Offsets of `pages` stored as-is (stored_incompressible_pages). */
  raw: Set<number>
  swpoutZero: number
  swpinZero: number
  /** What the swap device must hold at each offset (zero pages elsewhere). */
  device: Map<number, Uint8Array>
  zswpout: number[]
  zswpin: Map<string, number>
  writtenBack: number
  seed: number
  /** zswapMax of the 'limited' cgroup. */
  cgroupLimit: number
  writeback: Record<CgroupName, boolean>
  /**
   * Per cgroup, the LRU from head (newest) to tail, and the referenced bits —
   * exact while `lruKnown`; a store that may have written back or rotated
   * entries makes it unknown until the cache is empty again.
   */
  lru: Record<CgroupName, number[]>
  referenced: Set<number>
  lruKnown: boolean
  /** The round-robin cursor of the shrinker (index into CGROUPS), when known. */
  cursor: number | undefined
  /** The pool's "reached full" hysteresis state, when known. */
  full: boolean | undefined
}

export interface Real {
  cache: Zswap
  plan: FaultPlan
  device: SwapDevice
  opts: CacheModelOptions
  /** The run's cache options. */
  zeroPages: 'map' | 'store'
  incompressible: 'store' | 'reject'
  /** The zpool takes a raw object of `min(objectPages, folio pages)` pages, by that page count. */
  rawFits: (pages: number) => boolean
}

/** Counted over all runs of one test: proof that the interesting paths ran. */
export interface Tally {
  loads: number
  victimChecks: number
  raceLoads: number
  /** Racing loads that were done before load() returned, so the invalidate came after them. */
  syncLoads: number
  /** Stores into a cgroup over its zswapMax. */
  cgroupLimitChecks: number
  /** All-zero folios taken by the zero map. */
  zeroStores: number
  /** Folios stored with a page (or object) held as-is. */
  rawStores: number
}

/** A page of byte runs: every compressor of the suite shrinks it; `seed` makes it unique. */
export function runsPage(seed: number): Uint8Array {
  const page = new Uint8Array(PAGE_SIZE)
  let x = (seed * 2654435761) >>> 0
  for (let i = 0; i < PAGE_SIZE; ) {
    x = (x * 1103515245 + 12345) >>> 0
    const run = 128 + (x % 256)
    page.fill((x >>> 16) & 0xff, i, Math.min(PAGE_SIZE, i + run))
    i += run
  }
  page[0] = seed & 0xff
  page[1] = (seed >>> 8) & 0xff
  page[2] = (seed >>> 16) & 0xff
  return page
}

export function randomBytes(seed: number): Uint8Array {
  const page = new Uint8Array(PAGE_SIZE)
  let x = (seed | 1) >>> 0
  for (let i = 0; i < PAGE_SIZE; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    page[i] = x & 0xff
  }
  return page
}

export const ZERO = new Uint8Array(PAGE_SIZE)

/** Byte equality without vitest's element-wise deep equal (4 KiB pages, thousands of times per run). */
export function same(a: Uint8Array, b: Uint8Array | undefined): boolean {
  return (
    b !== undefined &&
    Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
      Buffer.from(b.buffer, b.byteOffset, b.byteLength),
    )
  )
}

export function has(cache: Zswap, offset: number): boolean {
  return cache.has({ type: 0, offset })
}

/** The model's own pool limit (never the cache's), rounded down as mm/zswap.c does. */
export function poolMax(params: Zswap['params']): number {
  return Math.floor((RAM_PAGES * params.maxPoolPercent) / 100)
}

export function removePage(m: Model, offset: number): void {
  const cg = m.cgroupOf.get(offset)
  if (cg !== undefined) {
    const list = m.lru[cg]
    const at = list.indexOf(offset)
    if (at >= 0) list.splice(at, 1)
  }
  m.pages.delete(offset)
  m.zero.delete(offset)
  m.raw.delete(offset)
  m.cgroupOf.delete(offset)
  m.folioOf.delete(offset)
  m.objectOf.delete(offset)
  m.referenced.delete(offset)
  if (m.pages.size === 0) m.lruKnown = true // nothing left whose order or bits could be unknown
}

/** The offsets the model holds in the object of `offset` (just `offset` for a single-page object). */
export function objectPagesOf(m: Model, offset: number): number[] {
  const o = m.objectOf.get(offset)
  const out: number[] = []
  for (const [k, of] of m.objectOf) if (of === o) out.push(k)
  return out
}

/**
 * shrinkOne() on the model's LRU: rotate referenced entries (clearing the
 * bit), write back the first unreferenced one — with every page of its
 * object, which leave the list too. Returns the victim offset, 'fail' when
 * its write failed (it moves to the head), or undefined.
 */
export function modelShrinkOne(m: Model, cg: CgroupName, failWrites: boolean): number | 'fail' | undefined {
  if (!m.writeback[cg]) return undefined
  const list = m.lru[cg]
  for (let steps = 2 * list.length; steps > 0 && list.length > 0; steps--) {
    const offset = list.pop() as number
    if (m.referenced.delete(offset)) {
      list.unshift(offset)
      continue
    }
    if (failWrites) {
      list.unshift(offset)
      return 'fail'
    }
    return offset
  }
  return undefined
}

/** shrink(n) on the model from cursor `cursor`: the victims in order and the reclaim failures. */
export function modelShrink(m: Model, n: number, failWrites: boolean, cursor: number) {
  const victims: number[] = []
  let fails = 0
  let idle = 0
  let c = cursor
  while (victims.length < n && idle < CGROUPS.length) {
    const cg = CGROUPS[c]
    c = (c + 1) % CGROUPS.length
    const r = modelShrinkOne(m, cg, failWrites)
    if (typeof r === 'number') {
      // the page (already off the list) and the other pages of its object leave the LRU now
      for (const k of objectPagesOf(m, r)) {
        victims.push(k)
        if (k === r) continue
        const list = m.lru[cg]
        const at = list.indexOf(k)
        if (at >= 0) list.splice(at, 1)
        m.objectOf.delete(k)
      }
      m.objectOf.delete(r)
      idle = 0
    } else {
      if (r === 'fail') fails++
      idle++
    }
  }
  return { victims, fails, cursor: c }
}

export function cloneLru(m: Model): Pick<Model, 'lru' | 'referenced' | 'objectOf'> {
  return {
    lru: Object.fromEntries(CGROUPS.map((c) => [c, [...m.lru[c]]])) as Model['lru'],
    referenced: new Set(m.referenced),
    objectOf: new Map(m.objectOf),
  }
}

/**
 * After every command: pages that left the cache without the model removing
 * them were written back — from a cgroup with writeback on, and the device
 * must hold exactly the model's data. Then stats must agree with the model.
 */
export async function reconcile(m: Model, r: Real, checkDevice: boolean): Promise<number[]> {
  const page = new Uint8Array(PAGE_SIZE)
  const gone: number[] = []
  const goneObjects = new Set<number>()
  for (const [k, data] of [...m.pages]) {
    if (has(r.cache, k)) continue
    goneObjects.add(m.objectOf.get(k) as number)
    const cg = m.cgroupOf.get(k) as CgroupName
    expect(m.writeback[cg], `offset ${k} written back from cgroup ${cg} with writeback off`).toBe(true)
    await r.device.read(k, page)
    expect(same(page, data), `written-back page ${k} on the device`).toBe(true)
    m.device.set(k, data)
    m.raw.delete(k)
    removePage(m, k)
    m.writtenBack++
    gone.push(k)
  }
  if (checkDevice) {
    // nothing else reached the device: no stale page, no page of a folio being stored
    for (let k = 0; k < OFFSETS; k++) {
      await r.device.read(k, page)
      expect(same(page, m.device.get(k) ?? ZERO), `device page ${k}`).toBe(true)
    }
  }
  // write-back takes whole objects: no page of an object written back stays
  for (const [k, o] of m.objectOf)
    expect(goneObjects.has(o), `page ${k} of a written-back object`).toBe(false)
  // zero-mapped pages stay until loaded, invalidated or stored over: never written back
  for (const k of m.zero) expect(has(r.cache, k), `zero-mapped page ${k}`).toBe(true)
  const stats = r.cache.stats()
  expect(stats.stored_pages).toBe(m.pages.size)
  expect(stats.stored_incompressible_pages).toBe(m.raw.size)
  expect(stats.swpout_zero).toBe(m.swpoutZero)
  expect(stats.swpin_zero).toBe(m.swpinZero)
  expect(stats.stored_objects).toBe(new Set(m.objectOf.values()).size)
  expect(r.cache.storedPages).toBe(m.pages.size)
  expect(stats.written_back_pages).toBe(m.writtenBack)
  expect(Object.values(stats.zswpout)).toEqual(m.zswpout)
  for (const [name, c] of Object.entries(stats.cgroups)) {
    let zswapped = 0
    for (const cg of m.cgroupOf.values()) if (cg === name) zswapped++
    expect(c.zswapped).toBe(zswapped)
    expect(c.zswpin).toBe(m.zswpin.get(name) ?? 0)
    if (zswapped === 0) expect(c.zswap).toBe(0)
  }
  if (m.pages.size === 0) expect(stats.pool_total_size).toBe(0)
  return gone
}
