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
  /** Fast-check runs. Default 25. */
  numRuns?: number
  /** Commands per run, at least. Default 30 (capped at maxCommands). */
  minCommands?: number
  /** Commands per run, at most. Default 150. */
  maxCommands?: number
  /** Most pages one allocation may add to the pool (zsmalloc: its chain size). Default 16. */
  maxPagesPerAlloc?: number
}

/** Few offsets, so that loads, invalidates and stores keep meeting each other. */
const OFFSETS = 24
const DEVICE_PAGES = 64
const RAM_PAGES = 20_000
/** Cgroups in creation order: the order the shrinker's round-robin visits them. */
const CGROUPS = ['/', 'a', 'limited', 'nowb'] as const
type CgroupName = (typeof CGROUPS)[number]

type Kind = 'ok' | 'poor' | 'failCompress' | 'failMalloc'

interface Model {
  /** offset → the page last stored there and not loaded, invalidated or written back. */
  pages: Map<number, Uint8Array>
  cgroupOf: Map<number, CgroupName>
  /** offset → first offset and order of the folio that stored it. */
  folioOf: Map<number, { start: number; order: number }>
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

interface Real {
  cache: Zswap
  plan: FaultPlan
  device: SwapDevice
  opts: CacheModelOptions
}

/** Counted over all runs of one test: proof that the interesting paths ran. */
interface Tally {
  loads: number
  victimChecks: number
  raceLoads: number
  /** Stores into a cgroup over its zswapMax. */
  cgroupLimitChecks: number
}

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

const ZERO = new Uint8Array(PAGE_SIZE)

/** Byte equality without vitest's element-wise deep equal (4 KiB pages, thousands of times per run). */
function same(a: Uint8Array, b: Uint8Array | undefined): boolean {
  return (
    b !== undefined &&
    Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
      Buffer.from(b.buffer, b.byteOffset, b.byteLength),
    )
  )
}

function has(cache: Zswap, offset: number): boolean {
  return cache.has({ type: 0, offset })
}

/** The model's own pool limit (never the cache's), rounded down as mm/zswap.c does. */
function poolMax(params: Zswap['params']): number {
  return Math.floor((RAM_PAGES * params.maxPoolPercent) / 100)
}

function removePage(m: Model, offset: number): void {
  const cg = m.cgroupOf.get(offset)
  if (cg !== undefined) {
    const list = m.lru[cg]
    const at = list.indexOf(offset)
    if (at >= 0) list.splice(at, 1)
  }
  m.pages.delete(offset)
  m.cgroupOf.delete(offset)
  m.folioOf.delete(offset)
  m.referenced.delete(offset)
  if (m.pages.size === 0) m.lruKnown = true // nothing left whose order or bits could be unknown
}

/**
 * shrinkOne() on the model's LRU: rotate referenced entries (clearing the
 * bit), write back the first unreferenced one. Returns the victim offset,
 * 'fail' when its write failed (it moves to the head), or undefined.
 */
function modelShrinkOne(m: Model, cg: CgroupName, failWrites: boolean): number | 'fail' | undefined {
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
function modelShrink(m: Model, n: number, failWrites: boolean, cursor: number) {
  const victims: number[] = []
  let fails = 0
  let idle = 0
  let c = cursor
  while (victims.length < n && idle < CGROUPS.length) {
    const cg = CGROUPS[c]
    c = (c + 1) % CGROUPS.length
    const r = modelShrinkOne(m, cg, failWrites)
    if (typeof r === 'number') {
      victims.push(r)
      // the page leaves the LRU now (the list already lost it)
      idle = 0
    } else {
      if (r === 'fail') fails++
      idle++
    }
  }
  return { victims, fails, cursor: c }
}

function cloneLru(m: Model): Pick<Model, 'lru' | 'referenced'> {
  return {
    lru: Object.fromEntries(CGROUPS.map((c) => [c, [...m.lru[c]]])) as Model['lru'],
    referenced: new Set(m.referenced),
  }
}

/**
 * After every command: pages that left the cache without the model removing
 * them were written back — from a cgroup with writeback on, and the device
 * must hold exactly the model's data. Then stats must agree with the model.
 */
async function reconcile(m: Model, r: Real, checkDevice: boolean): Promise<number[]> {
  const page = new Uint8Array(PAGE_SIZE)
  const gone: number[] = []
  for (const [k, data] of [...m.pages]) {
    if (has(r.cache, k)) continue
    const cg = m.cgroupOf.get(k) as CgroupName
    expect(m.writeback[cg], `offset ${k} written back from cgroup ${cg} with writeback off`).toBe(true)
    await r.device.read(k, page)
    expect(same(page, data), `written-back page ${k} on the device`).toBe(true)
    m.device.set(k, data)
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
  const stats = r.cache.stats()
  expect(stats.stored_pages).toBe(m.pages.size)
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

class StoreCommand implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly offset: number,
    readonly order: number,
    readonly kind: Kind,
    readonly at: number,
    readonly cgroup: CgroupName,
    readonly tally: Tally,
  ) {}
  check = () => true
  async run(m: Model, r: Real): Promise<void> {
    const pages = 1 << this.order
    const offset = Math.min(this.offset, OFFSETS - pages)
    const data = new Uint8Array(PAGE_SIZE * pages)
    const seed = ++m.seed
    for (let i = 0; i < pages; i++) data.set(runsPage(seed * 64 + i), i * PAGE_SIZE)
    const at = this.at % pages
    if (this.kind === 'poor') data.set(randomBytes(seed), at * PAGE_SIZE)
    if (this.kind === 'failCompress') r.plan.failCompressAt = at + 1
    if (this.kind === 'failMalloc') r.plan.failMallocAt = at + 1
    const params = r.cache.params
    const before = r.cache.stats()
    const poolPages = before.pool_total_size / PAGE_SIZE
    const max = poolMax(params)
    const accept = Math.floor((max * params.acceptThresholdPercent) / 100)
    const perAlloc = r.opts.maxPagesPerAlloc ?? 16
    const cg = before.cgroups[this.cgroup]
    const cgroupMax = this.cgroup === 'limited' ? m.cgroupLimit : Number.POSITIVE_INFINITY
    const admitted = params.enabled && (this.order === 0 || params.mthpEnabled)
    const underCgroupLimit = cg.zswap < cgroupMax
    const clean =
      admitted &&
      underCgroupLimit &&
      (m.full === false || poolPages <= accept) &&
      poolPages + pages * perAlloc < max

    const folio: Folio = createFolio({ type: 0, offset }, this.order, data, this.cgroup)
    const stored = await r.cache.store(folio)
    r.plan.failCompressAt = 0
    r.plan.failMallocAt = 0

    // all or nothing, stale entries included
    for (let i = 0; i < pages; i++) expect(has(r.cache, offset + i)).toBe(stored)
    for (let i = 0; i < pages; i++) removePage(m, offset + i)
    const after = r.cache.stats()
    const wrote = after.written_back_pages - before.written_back_pages
    if (stored) {
      expect(this.kind === 'ok' || !params.enabled).toBe(true)
      for (let i = 0; i < pages; i++) {
        const k = offset + i
        m.pages.set(k, data.slice(i * PAGE_SIZE, (i + 1) * PAGE_SIZE))
        m.cgroupOf.set(k, this.cgroup)
        m.folioOf.set(k, { start: offset, order: this.order })
        m.lru[this.cgroup].unshift(k)
        m.referenced.add(k)
      }
      m.zswpout[this.order]++
      // the last page passed a limit check, then one allocation
      expect(after.pool_total_size / PAGE_SIZE).toBeLessThanOrEqual(max - 1 + perAlloc)
    }
    // the cgroup limit: over it, only the cgroup's own write-back lets the folio in
    if (admitted && !underCgroupLimit) {
      this.tally.cgroupLimitChecks++
      const wroteOwn = after.cgroups[this.cgroup].zswpwb - cg.zswpwb
      if (cgroupMax === 0 || !m.writeback[this.cgroup]) expect(stored, 'over the cgroup limit').toBe(false)
      if (stored) expect(wroteOwn, 'the cgroup wrote back before storing over its limit').toBeGreaterThan(0)
    }
    // the pool limit with its hysteresis, as the model computes it
    if (admitted && wrote === 0) {
      if (poolPages >= max) expect(stored, `pool at ${poolPages} of ${max}`).toBe(false)
      if (m.full === true && poolPages > accept) {
        expect(stored, `full, pool at ${poolPages} above accept ${accept}`).toBe(false)
      }
    }
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
    // what the model now knows of the hysteresis state and the LRU
    if (stored) m.full = false
    else if (admitted && this.kind === 'ok' && underCgroupLimit) m.full = true
    else if (admitted) m.full = undefined
    const mayHaveReclaimed =
      admitted &&
      (wrote > 0 ||
        after.reject_reclaim_fail !== before.reject_reclaim_fail ||
        after.pool_limit_hit !== before.pool_limit_hit ||
        !underCgroupLimit ||
        poolPages > accept)
    if (mayHaveReclaimed) {
      m.lruKnown = false
      m.cursor = undefined
    }
    await reconcile(m, r, true)
  }
  toString = () => `store(${this.offset}, order ${this.order}, ${this.kind}@${this.at}, ${this.cgroup})`
}

/** Picks an offset the model holds (or any offset when it holds none). */
function pickHeld(m: Model, pick: number): number {
  const held = [...m.pages.keys()].sort((a, b) => a - b)
  return held.length === 0 ? pick % OFFSETS : held[pick % held.length]
}

class LoadCommand implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly pick: number,
    readonly whole: boolean,
    readonly tally: Tally,
  ) {}
  check = () => true
  async run(m: Model, r: Real): Promise<void> {
    const k = pickHeld(m, this.pick)
    const of = m.folioOf.get(k)
    const { start, order } = this.whole && of !== undefined ? of : { start: k, order: 0 }
    const pages = 1 << order
    const folio = createFolio({ type: 0, offset: start }, order)
    let all = true
    for (let i = 0; i < pages; i++) all &&= m.pages.has(start + i)
    const loaded = await r.cache.load(folio)
    expect(loaded).toBe(all)
    if (loaded) {
      this.tally.loads++
      for (let i = 0; i < pages; i++) {
        const offset = start + i
        expect(same(folio.data.subarray(i * PAGE_SIZE, (i + 1) * PAGE_SIZE), m.pages.get(offset))).toBe(true)
        const cg = m.cgroupOf.get(offset) as string
        m.zswpin.set(cg, (m.zswpin.get(cg) ?? 0) + 1)
        removePage(m, offset)
        expect(has(r.cache, offset)).toBe(false)
      }
    }
    await reconcile(m, r, false)
  }
  toString = () => `load(#${this.pick}, ${this.whole ? 'its folio' : '4K'})`
}

/** A load of a held folio with `invalidate()` of one of its pages while the load awaits its first batch. */
class LoadRaceCommand implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly pick: number,
    readonly victim: number,
    readonly tally: Tally,
  ) {}
  check = (m: Readonly<Model>) => m.pages.size > 0
  async run(m: Model, r: Real): Promise<void> {
    const k = pickHeld(m, this.pick)
    const { start, order } = m.folioOf.get(k) as { start: number; order: number }
    const pages = 1 << order
    let all = true
    for (let i = 0; i < pages; i++) all &&= m.pages.has(start + i)
    const victim = start + (this.victim % pages)
    const loading = r.cache.load(createFolio({ type: 0, offset: start }, order))
    expect(r.cache.invalidate({ type: 0, offset: victim })).toBe(m.pages.has(victim))
    // the page went while the load was in flight: the load fails and frees nothing else
    expect(await loading).toBe(false)
    if (all) this.tally.raceLoads++
    removePage(m, victim)
    for (let i = 0; i < pages; i++) expect(has(r.cache, start + i)).toBe(m.pages.has(start + i))
    await reconcile(m, r, false)
  }
  toString = () => `load(#${this.pick}) racing invalidate(page ${this.victim})`
}

class InvalidateCommand implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly pick: number,
    readonly count: number,
  ) {}
  check = () => true
  async run(m: Model, r: Real): Promise<void> {
    const offset = pickHeld(m, this.pick)
    let expected = 0
    for (let i = 0; i < this.count; i++) {
      if (m.pages.has(offset + i)) expected++
      removePage(m, offset + i)
    }
    const freed =
      this.count === 1
        ? Number(r.cache.invalidate({ type: 0, offset }))
        : r.cache.invalidateRange({ type: 0, offset }, this.count)
    expect(freed).toBe(expected)
    await reconcile(m, r, false)
  }
  toString = () => `invalidate(#${this.pick}, ${this.count})`
}

class ParamsCommand implements fc.AsyncCommand<Model, Real> {
  constructor(readonly params: Partial<Zswap['params']>) {}
  check = () => true
  async run(m: Model, r: Real): Promise<void> {
    r.cache.setParams(this.params)
    await reconcile(m, r, false)
  }
  toString = () => `setParams(${JSON.stringify(this.params)})`
}

class CgroupCommand implements fc.AsyncCommand<Model, Real> {
  constructor(readonly options: { zswapMax?: number; writeback?: boolean }) {}
  check = () => true
  async run(m: Model, r: Real): Promise<void> {
    r.cache.setCgroup('limited', this.options)
    if (this.options.zswapMax !== undefined) m.cgroupLimit = this.options.zswapMax
    if (this.options.writeback !== undefined) m.writeback.limited = this.options.writeback
    await reconcile(m, r, false)
  }
  toString = () => `setCgroup(limited, ${JSON.stringify(this.options)})`
}

class ShrinkCommand implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly pages: number,
    readonly failWrites: boolean,
    readonly tally: Tally,
  ) {}
  check = () => true
  async run(m: Model, r: Real): Promise<void> {
    // the victims the LRU must pick, from every cursor position the model cannot rule out
    const predictions = m.lruKnown
      ? (m.cursor === undefined ? [0, 1, 2, 3] : [m.cursor]).map((cursor) => {
          const copy = { ...m, ...cloneLru(m) }
          return { ...modelShrink(copy, this.pages, this.failWrites, cursor), state: copy }
        })
      : []
    r.plan.alwaysFailWrite = this.failWrites
    const before = r.cache.stats()
    const written = await r.cache.shrink(this.pages)
    r.plan.alwaysFailWrite = false
    expect(written).toBeLessThanOrEqual(this.pages)
    if (this.failWrites) expect(written).toBe(0)
    const after = r.cache.stats()
    expect(after.written_back_pages).toBe(before.written_back_pages + written)
    const gone = await reconcile(m, r, true)
    expect(gone.length).toBe(written)
    if (predictions.length > 0) {
      const failed = after.reject_reclaim_fail - before.reject_reclaim_fail
      const key = (v: number[]) => [...v].sort((a, b) => a - b).join(',')
      const matches = predictions.filter((p) => key(p.victims) === key(gone) && p.fails === failed)
      expect(
        matches.length,
        `no LRU order explains victims [${gone}] (predicted ${predictions.map((p) => `[${p.victims}]`).join(' or ')})`,
      ).toBeGreaterThan(0)
      this.tally.victimChecks++
      const states = new Set(
        matches.map((p) => JSON.stringify([p.state.lru, [...p.state.referenced].sort()])),
      )
      if (states.size === 1) {
        // the lists left after the victims (which reconcile already removed)
        m.lru = matches[0].state.lru
        m.referenced = matches[0].state.referenced
        for (const c of CGROUPS) m.lru[c] = m.lru[c].filter((k) => m.pages.has(k))
        const cursors = new Set(matches.map((p) => p.cursor))
        m.cursor = cursors.size === 1 ? matches[0].cursor : undefined
      } else {
        m.lruKnown = m.pages.size === 0
        m.cursor = undefined
      }
    }
  }
  toString = () => `shrink(${this.pages}${this.failWrites ? ', device failing' : ''})`
}

/**
 * A model-based property test of the cache: long random sequences (30–150
 * commands) over a few offsets of store (4K and large folios, incompressible
 * pages, injected compression and allocation failures), load (drawn from the
 * pages the model holds, whole folios or single pages), loads racing an
 * invalidate, invalidate, parameter and cgroup changes (limits, writeback
 * on/off), and shrink (with a failing swap device) are run against a Map.
 * It checks that folios are all-or-nothing, that a load returns exactly the
 * last stored data or nothing, that written-back pages reach the device
 * intact and come only from cgroups with writeback on, that nothing else
 * reaches the device, that the pool limit and its hysteresis hold as the
 * model computes them, that shrink picks the victims the LRU (with its
 * referenced bits and round-robin over cgroups) must pick, that stats agree
 * with the model, and that pool pages return to zero at the end. It counts
 * successful loads, racing loads and victim checks to prove they happen.
 */
export function cacheModelTest(name: string, options: CacheModelOptions): void {
  const { numRuns = 25, maxCommands = 150 } = options
  const minCommands = Math.min(options.minCommands ?? 30, maxCommands)
  const tally: Tally = { loads: 0, victimChecks: 0, raceLoads: 0, cgroupLimitChecks: 0 }
  const offset = fc.integer({ min: 0, max: OFFSETS - 1 })
  const pick = fc.nat(1000)
  const command = fc.oneof(
    {
      weight: 9,
      arbitrary: fc
        .record({
          offset,
          order: fc.oneof(
            { weight: 3, arbitrary: fc.constant(0) },
            { weight: 2, arbitrary: fc.integer({ min: 1, max: 3 }) },
          ),
          kind: fc.constantFrom<Kind>(
            'ok',
            'ok',
            'ok',
            'ok',
            'ok',
            'ok',
            'ok',
            'poor',
            'failCompress',
            'failMalloc',
          ),
          at: fc.nat(15),
          cgroup: fc.constantFrom<CgroupName>(...CGROUPS),
        })
        .map((c) => new StoreCommand(c.offset, c.order, c.kind, c.at, c.cgroup, tally)),
    },
    {
      weight: 3,
      arbitrary: fc.record({ pick, whole: fc.boolean() }).map((c) => new LoadCommand(c.pick, c.whole, tally)),
    },
    {
      weight: 1,
      arbitrary: fc
        .record({ pick, victim: fc.nat(15) })
        .map((c) => new LoadRaceCommand(c.pick, c.victim, tally)),
    },
    {
      weight: 1,
      arbitrary: fc
        .record({ pick, count: fc.oneof(fc.constant(1), fc.integer({ min: 2, max: 8 })) })
        .map((c) => new InvalidateCommand(c.pick, c.count)),
    },
    {
      weight: 1,
      arbitrary: fc
        .oneof(
          fc.record({ enabled: fc.constantFrom(true, true, false) }),
          fc.record({ mthpEnabled: fc.constantFrom(true, true, false) }),
          fc.record({ shrinkerEnabled: fc.boolean() }),
          // RAM_PAGES * pct / 100 pool pages: from a few pages (some fractional) to plenty
          fc.record({ maxPoolPercent: fc.constantFrom(0.02, 0.0525, 0.1, 0.1075, 20) }),
          fc.record({ acceptThresholdPercent: fc.constantFrom(50, 90, 100) }),
        )
        .map((p) => new ParamsCommand(p)),
    },
    {
      weight: 1,
      arbitrary: fc
        .oneof(
          fc.record({ zswapMax: fc.constantFrom(0, 100, 200, 400, Number.POSITIVE_INFINITY) }),
          fc.record({ writeback: fc.boolean() }),
        )
        .map((o) => new CgroupCommand(o)),
    },
    {
      weight: 2,
      arbitrary: fc
        .record({
          pages: fc.integer({ min: 0, max: 6 }),
          fail: fc.oneof(
            { weight: 2, arbitrary: fc.constant(false) },
            { weight: 1, arbitrary: fc.constant(true) },
          ),
        })
        .map((c) => new ShrinkCommand(c.pages, c.fail, tally)),
    },
  )

  it(`${name}: long random operation sequences agree with a Map model`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          shrinkerEnabled: fc.boolean(),
          // small pools (10.5 and 21.5 pages: the limit rounds down) or plenty
          maxPoolPercent: fc.constantFrom(0.0525, 0.1075, 0.1075, 20),
          acceptThresholdPercent: fc.constantFrom(50, 90, 100),
        }),
        fc.array(command, { minLength: minCommands, maxLength: maxCommands }),
        async (params, cmds) => {
          const plan = faultPlan()
          const device = faultySwapDevice(options.memorySwapDevice({ pages: DEVICE_PAGES }), plan)
          const zpool = faultyZpool(options.zpool(), plan)
          const cache = options.createZswap({
            compressor: options.compressor(plan) as Compressor,
            zpool,
            swapDevice: device,
            ramBytes: RAM_PAGES * PAGE_SIZE,
            mthpEnabled: true,
            ...params,
          })
          try {
            cache.createCgroup('a')
            cache.createCgroup('limited', { zswapMax: 200 })
            cache.createCgroup('nowb', { writeback: false })
            const model: Model = {
              pages: new Map(),
              cgroupOf: new Map(),
              folioOf: new Map(),
              device: new Map(),
              zswpout: new Array(10).fill(0),
              zswpin: new Map(),
              writtenBack: 0,
              seed: 0,
              cgroupLimit: 200,
              writeback: { '/': true, a: true, limited: true, nowb: false },
              lru: { '/': [], a: [], limited: [], nowb: [] },
              referenced: new Set(),
              lruKnown: true,
              cursor: 0,
              full: false,
            }
            const real: Real = { cache, plan, device, opts: options }
            await fc.asyncModelRun(() => ({ model, real }), cmds)
            // everything invalidated: the pool is empty again
            cache.setParams({ enabled: true })
            cache.invalidateRange({ type: 0, offset: 0 }, OFFSETS)
            expect(cache.stats().stored_pages).toBe(0)
            expect(zpool.totalPages).toBe(0)
          } finally {
            await cache.close()
          }
        },
      ),
      { numRuns },
    )
    // the model must have exercised what it checks (over enough runs to be sure it did)
    if (numRuns >= 10) {
      expect(tally.loads, 'successful loads').toBeGreaterThan(numRuns)
      expect(tally.victimChecks, 'shrinks checked against the LRU').toBeGreaterThan(0)
      expect(tally.raceLoads, 'loads raced by an invalidate').toBeGreaterThan(0)
      expect(tally.cgroupLimitChecks, 'stores over a cgroup limit').toBeGreaterThan(0)
    }
  })
}
