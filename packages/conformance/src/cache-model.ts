import type { memorySwapDevice, Zswap as ZswapClass, ZswapOptions } from '@zswap/cache'
import {
  type Accelerator,
  type Compressor,
  createFolio,
  type Folio,
  PAGE_SIZE,
  type SwapDevice,
  type Zpool,
} from '@zswap/core'
import { type FaultPlan, faultPlan, faultySwapDevice, faultyZpool } from '@zswap/core/testing'
import fc from 'fast-check'
import { expect, it } from 'vitest'

/** The cache's public members (structural, so a source and a built copy both fit). */
type Zswap = Pick<ZswapClass, keyof ZswapClass>

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
  /** Fast-check runs. Default 60. */
  numRuns?: number
  /** Commands per run, at most. Default 40. */
  maxCommands?: number
  /** Most pages one allocation may add to the pool (zsmalloc: its chain size). Default 16. */
  maxPagesPerAlloc?: number
  /**
   * The cache's `objectPages` (1, 4 or 16; the zpool and compressor must
   * take objects that large). The model then also checks `stored_objects`
   * and that write-back takes whole objects. Default 1.
   */
  objectPages?: 1 | 4 | 16
}

const OFFSETS = 96
const DEVICE_PAGES = 128
const RAM_PAGES = 20_000

type Kind = 'ok' | 'poor' | 'failCompress' | 'failMalloc'

interface Model {
  /** "type:offset" → the page last stored there and not loaded, invalidated or written back. */
  pages: Map<number, Uint8Array>
  /** The object each stored page belongs to (a number unique per object). */
  objectOf: Map<number, number>
  nextObject: number
  cgroupOf: Map<number, string>
  zswpout: number[]
  zswpin: Map<string, number>
  writtenBack: number
  seed: number
  /** zswapMax of the 'limited' cgroup. */
  cgroupLimit: number
}

interface Real {
  cache: Zswap
  plan: FaultPlan
  device: SwapDevice
  opts: CacheModelOptions
}

const key = (offset: number) => offset

/** A page of byte runs: every compressor of the suite shrinks it; `seed` makes it unique. */
function runsPage(seed: number): Uint8Array {
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

function randomBytes(seed: number): Uint8Array {
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

function has(cache: Zswap, offset: number): boolean {
  return cache.has({ type: 0, offset })
}

/**
 * After every command: pages that left the cache without the model removing
 * them were written back — the device must hold exactly the model's data.
 * Then stats must agree with the model.
 */
async function reconcile(m: Model, r: Real): Promise<void> {
  const page = new Uint8Array(PAGE_SIZE)
  const writtenObjects = new Set<number>()
  for (const [k, data] of [...m.pages]) {
    if (has(r.cache, k)) continue
    await r.device.read(k, page)
    expect(page).toEqual(data)
    m.pages.delete(k)
    m.cgroupOf.delete(k)
    writtenObjects.add(m.objectOf.get(k) as number)
    m.objectOf.delete(k)
    m.writtenBack++
  }
  // write-back takes whole objects: no page of an object written back stays
  for (const o of m.objectOf.values()) expect(writtenObjects.has(o)).toBe(false)
  const stats = r.cache.stats()
  expect(stats.stored_pages).toBe(m.pages.size)
  expect(stats.stored_objects).toBe(new Set(m.objectOf.values()).size)
  expect(r.cache.storedPages).toBe(m.pages.size)
  expect(stats.written_back_pages).toBe(m.writtenBack)
  expect(Object.values(stats.zswpout)).toEqual(m.zswpout)
  for (const [name, c] of Object.entries(stats.cgroups)) {
    let zswapped = 0
    for (const cg of m.cgroupOf.values()) if (cg === name) zswapped++
    expect(c.zswapped).toBe(zswapped)
    expect(c.zswpin).toBe(m.zswpin.get(name) ?? 0)
  }
}

class StoreCommand implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly offset: number,
    readonly order: number,
    readonly kind: Kind,
    readonly at: number,
    readonly cgroup: string,
  ) {}
  check = () => true
  async run(m: Model, r: Real): Promise<void> {
    const pages = 1 << this.order
    const offset = Math.min(this.offset, OFFSETS - pages)
    const data = new Uint8Array(PAGE_SIZE * pages)
    const seed = ++m.seed
    for (let i = 0; i < pages; i++) data.set(runsPage(seed * 64 + i), i * PAGE_SIZE)
    const at = this.at % pages
    // pages per object: an incompressible object, a fault on the compress or malloc of object `at / k`
    const k = Math.min(r.opts.objectPages ?? 1, pages)
    const object = Math.floor(at / k)
    if (this.kind === 'poor') {
      for (let i = object * k; i < (object + 1) * k; i++) data.set(randomBytes(seed * 64 + i), i * PAGE_SIZE)
    }
    if (this.kind === 'failCompress') r.plan.failCompressAt = object + 1
    if (this.kind === 'failMalloc') r.plan.failMallocAt = object + 1
    const params = r.cache.params
    const before = r.cache.stats()
    const poolPages = before.pool_total_size / PAGE_SIZE
    const max = r.cache.maxPoolPages
    const accept = Math.floor((max * params.acceptThresholdPercent) / 100)
    const cg = before.cgroups[this.cgroup]
    const cgroupMax = this.cgroup === 'limited' ? m.cgroupLimit : Number.POSITIVE_INFINITY
    const clean =
      params.enabled &&
      (this.order === 0 || params.mthpEnabled) &&
      cg.zswap < cgroupMax &&
      poolPages <= accept &&
      poolPages + (pages / k) * (r.opts.maxPagesPerAlloc ?? 16) < max

    const folio: Folio = createFolio({ type: 0, offset }, this.order, data, this.cgroup)
    const stored = await r.cache.store(folio)
    r.plan.failCompressAt = 0
    r.plan.failMallocAt = 0

    // all or nothing, stale entries included
    for (let i = 0; i < pages; i++) expect(has(r.cache, offset + i)).toBe(stored)
    for (let i = 0; i < pages; i++) {
      m.pages.delete(key(offset + i))
      m.cgroupOf.delete(key(offset + i))
      m.objectOf.delete(key(offset + i))
    }
    if (stored) {
      expect(this.kind === 'ok' || !params.enabled).toBe(true)
      for (let i = 0; i < pages; i++) {
        m.pages.set(key(offset + i), data.slice(i * PAGE_SIZE, (i + 1) * PAGE_SIZE))
        m.cgroupOf.set(key(offset + i), this.cgroup)
        if (i % k === 0) m.nextObject++
        m.objectOf.set(key(offset + i), m.nextObject)
      }
      m.zswpout[this.order]++
    }
    const after = r.cache.stats()
    if (clean) {
      // nothing but the injected fault can make this store fail, and it is counted
      expect(stored).toBe(this.kind === 'ok')
      const counter = {
        ok: undefined,
        poor: 'reject_compress_poor',
        failCompress: 'reject_compress_fail',
        failMalloc: 'reject_alloc_fail',
      } as const
      const name = counter[this.kind]
      if (name !== undefined) expect(after[name]).toBe(before[name] + 1)
    }
    await reconcile(m, r)
  }
  toString = () => `store(${this.offset}, order ${this.order}, ${this.kind}@${this.at}, ${this.cgroup})`
}

class LoadCommand implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly offset: number,
    readonly order: number,
  ) {}
  check = () => true
  async run(m: Model, r: Real): Promise<void> {
    const pages = 1 << this.order
    const offset = Math.min(this.offset, OFFSETS - pages)
    const folio = createFolio({ type: 0, offset }, this.order)
    let all = true
    for (let i = 0; i < pages; i++) all &&= m.pages.has(key(offset + i))
    const loaded = await r.cache.load(folio)
    expect(loaded).toBe(all)
    if (loaded) {
      for (let i = 0; i < pages; i++) {
        const k = key(offset + i)
        expect(folio.data.subarray(i * PAGE_SIZE, (i + 1) * PAGE_SIZE)).toEqual(m.pages.get(k))
        const cg = m.cgroupOf.get(k) as string
        m.zswpin.set(cg, (m.zswpin.get(cg) ?? 0) + 1)
        m.pages.delete(k)
        m.cgroupOf.delete(k)
        m.objectOf.delete(k)
        expect(has(r.cache, k)).toBe(false)
      }
    }
    await reconcile(m, r)
  }
  toString = () => `load(${this.offset}, order ${this.order})`
}

class InvalidateCommand implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly offset: number,
    readonly count: number,
  ) {}
  check = () => true
  async run(m: Model, r: Real): Promise<void> {
    let expected = 0
    for (let i = 0; i < this.count; i++) {
      if (m.pages.delete(key(this.offset + i))) expected++
      m.cgroupOf.delete(key(this.offset + i))
      m.objectOf.delete(key(this.offset + i))
    }
    const freed =
      this.count === 1
        ? Number(r.cache.invalidate({ type: 0, offset: this.offset }))
        : r.cache.invalidateRange({ type: 0, offset: this.offset }, this.count)
    expect(freed).toBe(expected)
    await reconcile(m, r)
  }
  toString = () => `invalidate(${this.offset}, ${this.count})`
}

class ParamsCommand implements fc.AsyncCommand<Model, Real> {
  constructor(readonly params: Partial<Zswap['params']>) {}
  check = () => true
  async run(m: Model, r: Real): Promise<void> {
    r.cache.setParams(this.params)
    await reconcile(m, r)
  }
  toString = () => `setParams(${JSON.stringify(this.params)})`
}

class CgroupLimitCommand implements fc.AsyncCommand<Model, Real> {
  constructor(readonly zswapMax: number) {}
  check = () => true
  async run(m: Model, r: Real): Promise<void> {
    r.cache.setCgroup('limited', { zswapMax: this.zswapMax })
    m.cgroupLimit = this.zswapMax
    await reconcile(m, r)
  }
  toString = () => `setCgroup(limited, ${this.zswapMax})`
}

class ShrinkCommand implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly pages: number,
    readonly failWrites: boolean,
  ) {}
  check = () => true
  async run(m: Model, r: Real): Promise<void> {
    r.plan.alwaysFailWrite = this.failWrites
    const before = r.cache.stats().written_back_pages
    const written = await r.cache.shrink(this.pages)
    r.plan.alwaysFailWrite = false
    // whole objects: up to objectPages - 1 pages more than asked
    expect(written).toBeLessThanOrEqual(this.pages === 0 ? 0 : this.pages + (r.opts.objectPages ?? 1) - 1)
    if (this.failWrites) expect(written).toBe(0)
    expect(r.cache.stats().written_back_pages).toBe(before + written)
    await reconcile(m, r)
  }
  toString = () => `shrink(${this.pages}${this.failWrites ? ', device failing' : ''})`
}

/**
 * A model-based property test of the cache: random sequences of store (4K
 * and large folios, incompressible pages, injected compression and
 * allocation failures), load, invalidate, parameter and limit changes, and
 * shrink (with a failing swap device) are run against a Map. It checks that
 * folios are all-or-nothing, that a load returns exactly the last stored data
 * or nothing, that written-back pages reach the device intact, that stats
 * agree with the model, and that pool pages return to zero at the end.
 */
export function cacheModelTest(name: string, options: CacheModelOptions): void {
  const { numRuns = 60, maxCommands = 40 } = options
  const offset = fc.integer({ min: 0, max: OFFSETS - 1 })
  const commands = [
    fc
      .record({
        offset,
        order: fc.oneof(
          { weight: 3, arbitrary: fc.constant(0) },
          { weight: 2, arbitrary: fc.integer({ min: 1, max: 4 }) },
        ),
        kind: fc.constantFrom<Kind>('ok', 'ok', 'ok', 'ok', 'poor', 'failCompress', 'failMalloc'),
        at: fc.nat(15),
        cgroup: fc.constantFrom('/', 'a', 'limited', 'nowb'),
      })
      .map((c) => new StoreCommand(c.offset, c.order, c.kind, c.at, c.cgroup)),
    fc
      .record({ offset, order: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 4 })) })
      .map((c) => new LoadCommand(c.offset, c.order)),
    fc
      .record({ offset, count: fc.integer({ min: 1, max: 24 }) })
      .map((c) => new InvalidateCommand(c.offset, c.count)),
    fc
      .oneof(
        fc.record({ enabled: fc.boolean() }),
        fc.record({ mthpEnabled: fc.boolean() }),
        fc.record({ shrinkerEnabled: fc.boolean() }),
        // ~RAM_PAGES * pct / 100 pool pages: from a few pages to plenty
        fc.record({ maxPoolPercent: fc.constantFrom(0.02, 0.05, 0.1, 0.2, 20) }),
        fc.record({ acceptThresholdPercent: fc.constantFrom(50, 90, 100) }),
      )
      .map((p) => new ParamsCommand(p)),
    fc.constantFrom(0, 2000, 8000, Number.POSITIVE_INFINITY).map((max) => new CgroupLimitCommand(max)),
    fc
      .record({ pages: fc.integer({ min: 0, max: 12 }), fail: fc.boolean() })
      .map((c) => new ShrinkCommand(c.pages, c.fail)),
  ]

  it(`${name}: random operation sequences agree with a Map model`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands }), async (cmds) => {
        const plan = faultPlan()
        const device = faultySwapDevice(options.memorySwapDevice({ pages: DEVICE_PAGES }), plan)
        const zpool = faultyZpool(options.zpool(), plan)
        const cache = options.createZswap({
          compressor: options.compressor(plan) as Compressor,
          zpool,
          swapDevice: device,
          ramBytes: RAM_PAGES * PAGE_SIZE,
          mthpEnabled: true,
          objectPages: options.objectPages ?? 1,
        })
        cache.createCgroup('a')
        cache.createCgroup('limited', { zswapMax: 4000 })
        cache.createCgroup('nowb', { writeback: false })
        const model: Model = {
          pages: new Map(),
          objectOf: new Map(),
          nextObject: 0,
          cgroupOf: new Map(),
          zswpout: new Array(10).fill(0),
          zswpin: new Map(),
          writtenBack: 0,
          seed: 0,
          cgroupLimit: 4000,
        }
        const real: Real = { cache, plan, device, opts: options }
        await fc.asyncModelRun(() => ({ model, real }), cmds)
        // everything invalidated: the pool is empty again
        cache.setParams({ enabled: true })
        cache.invalidateRange({ type: 0, offset: 0 }, OFFSETS)
        expect(cache.stats().stored_pages).toBe(0)
        expect(zpool.totalPages).toBe(0)
        await cache.close()
      }),
      { numRuns },
    )
  })
}
