import { createFolio, type Folio, PAGE_SIZE } from '@zswap/core'
import type fc from 'fast-check'
import { expect } from 'vitest'
import {
  CGROUPS,
  type CgroupName,
  cloneLru,
  has,
  type Kind,
  type Model,
  modelShrink,
  OFFSETS,
  poolMax,
  type Real,
  randomBytes,
  reconcile,
  removePage,
  runsPage,
  same,
  type Tally,
  ZERO,
  type Zswap,
} from './cache-model-state.js'

/** The cache's ORDER_LABELS (not imported: the suite takes the cache's functions as options, never a copy). */
const ORDER_LABELS = ['4K', '8K', '16K', '32K', '64K', '128K', '256K', '512K', '1M', '2M'] as const

// The commands of cacheModelTest: each runs on the cache and the model and checks they agree.

export class StoreCommand implements fc.AsyncCommand<Model, Real> {
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
    // pages per object; the fault hits object `at / k`: it does not compress, or its compress or malloc fails
    const perObject = Math.min(r.opts.objectPages ?? 1, pages)
    const object = Math.floor(at / perObject)
    if (this.kind === 'poor') {
      for (let i = object * perObject; i < (object + 1) * perObject; i++) {
        data.set(randomBytes(seed * 64 + i), i * PAGE_SIZE)
      }
    }
    if (this.kind === 'zero') data.fill(0)
    if (this.kind === 'zeroPage') {
      data.fill(0, at * PAGE_SIZE, (at + 1) * PAGE_SIZE)
      // an order-0 folio of one zero page would be a zero folio: all zeros but its last byte instead
      if (pages === 1) data[PAGE_SIZE - 1] = 1
    }
    if (this.kind === 'failCompress')
      r.plan.failCompressAt = object * (r.opts.compressCallsPerObject ?? 1) + 1
    if (this.kind === 'failMalloc') r.plan.failMallocAt = object + 1
    const params = r.cache.params
    const before = r.cache.stats()
    if (this.kind === 'zero' && r.zeroPages === 'map') {
      // the swap layer's zero map: always taken (disabled, limits, faults play no part), no pool, no LRU
      const folio: Folio = createFolio({ type: 0, offset }, this.order, data, this.cgroup)
      expect(await r.cache.store(folio)).toBe(true)
      r.plan.failCompressAt = 0
      r.plan.failMallocAt = 0
      const after = r.cache.stats()
      expect(after.written_back_pages).toBe(before.written_back_pages)
      expect(after.zswpout).toEqual(before.zswpout)
      expect(after.swpout_zero_folios[ORDER_LABELS[this.order]]).toBe(
        before.swpout_zero_folios[ORDER_LABELS[this.order]] + 1,
      )
      for (let i = 0; i < pages; i++) {
        removePage(m, offset + i)
        m.zero.add(offset + i)
        m.folioOf.set(offset + i, { start: offset, order: this.order })
        expect(has(r.cache, offset + i)).toBe(true)
      }
      m.swpoutZero += pages
      this.tally.zeroStores++
      await reconcile(m, r, true)
      return
    }
    // a page that does not compress, or whose compression fails, is stored as-is where the cgroup may write back
    const raw =
      (this.kind === 'poor' || this.kind === 'failCompress') &&
      r.incompressible === 'store' &&
      m.writeback[this.cgroup] &&
      r.rawFits(perObject)
    const good = this.kind === 'ok' || this.kind === 'zero' || this.kind === 'zeroPage' || raw
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
      poolPages + (pages / perObject) * perAlloc < max

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
      expect(good || !params.enabled).toBe(true)
      for (let i = 0; i < pages; i++) {
        const k = offset + i
        if (raw && Math.floor(i / perObject) === object) m.raw.add(k)
        m.pages.set(k, data.slice(i * PAGE_SIZE, (i + 1) * PAGE_SIZE))
        m.cgroupOf.set(k, this.cgroup)
        m.folioOf.set(k, { start: offset, order: this.order })
        if (i % perObject === 0) m.nextObject++
        m.objectOf.set(k, m.nextObject)
        m.lru[this.cgroup].unshift(k)
        m.referenced.add(k)
      }
      m.zswpout[this.order]++
      if (raw) this.tally.rawStores++
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
      expect(stored).toBe(good)
      const counter = {
        ok: undefined,
        zero: undefined,
        zeroPage: undefined,
        poor: raw ? undefined : 'reject_compress_poor',
        failCompress: raw ? undefined : 'reject_compress_fail',
        failMalloc: 'reject_alloc_fail',
      } as const
      const name = counter[this.kind]
      if (name !== undefined) expect(after[name]).toBe(before[name] + 1)
      if (raw) {
        expect(after.stored_incompressible_pages - before.stored_incompressible_pages).toBeLessThanOrEqual(
          perObject,
        )
      }
    }
    // what the model now knows of the hysteresis state and the LRU
    if (stored) m.full = false
    else if (admitted && good && underCgroupLimit) m.full = true
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

/** The model holds `offset`: stored in the pool, or zero-mapped. */
function held(m: Model, offset: number): boolean {
  return m.pages.has(offset) || m.zero.has(offset)
}

/** Picks an offset the model holds (or any offset when it holds none). */
function pickHeld(m: Model, pick: number): number {
  const held = [...m.pages.keys(), ...m.zero].sort((a, b) => a - b)
  return held.length === 0 ? pick % OFFSETS : held[pick % held.length]
}

/**
 * A load of `pages` pages from `start` succeeded: each holds its last stored bytes, counted in zswpin
 * (zeros, counted in swpin_zero, for a zero-mapped page), and is freed.
 */
function tookPages(m: Model, r: Real, folio: Folio, start: number, pages: number): void {
  for (let i = 0; i < pages; i++) {
    const offset = start + i
    if (m.zero.has(offset)) {
      expect(same(folio.data.subarray(i * PAGE_SIZE, (i + 1) * PAGE_SIZE), ZERO)).toBe(true)
      m.swpinZero++
      removePage(m, offset)
      expect(has(r.cache, offset)).toBe(false)
      continue
    }
    expect(same(folio.data.subarray(i * PAGE_SIZE, (i + 1) * PAGE_SIZE), m.pages.get(offset))).toBe(true)
    const cg = m.cgroupOf.get(offset) as string
    m.zswpin.set(cg, (m.zswpin.get(cg) ?? 0) + 1)
    removePage(m, offset)
    expect(has(r.cache, offset)).toBe(false)
  }
}

export class LoadCommand implements fc.AsyncCommand<Model, Real> {
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
    for (let i = 0; i < pages; i++) all &&= held(m, start + i)
    const loaded = await r.cache.load(folio)
    expect(loaded).toBe(all)
    if (loaded) {
      this.tally.loads++
      tookPages(m, r, folio, start, pages)
    }
    await reconcile(m, r, false)
  }
  toString = () => `load(#${this.pick}, ${this.whole ? 'its folio' : '4K'})`
}

/**
 * A load of a held folio with `invalidate()` of one of its pages while the
 * load awaits its first batch — or right after it, when the load was done
 * before load() returned.
 */
export class LoadRaceCommand implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly pick: number,
    readonly victim: number,
    readonly tally: Tally,
  ) {}
  check = (m: Readonly<Model>) => m.pages.size + m.zero.size > 0
  async run(m: Model, r: Real): Promise<void> {
    const k = pickHeld(m, this.pick)
    const { start, order } = m.folioOf.get(k) as { start: number; order: number }
    const pages = 1 << order
    let all = true
    for (let i = 0; i < pages; i++) all &&= held(m, start + i)
    const victim = start + (this.victim % pages)
    const folio = createFolio({ type: 0, offset: start }, order)
    const loading = r.cache.load(folio)
    if (all && !has(r.cache, victim)) {
      // the load finished inside load() (a cache may load an order-0 page from a synchronous
      // compressor at once): it won the race, took every page, and invalidate finds nothing
      expect(r.cache.invalidate({ type: 0, offset: victim })).toBe(false)
      expect(await loading).toBe(true)
      this.tally.syncLoads++
      tookPages(m, r, folio, start, pages)
      await reconcile(m, r, false)
      return
    }
    expect(r.cache.invalidate({ type: 0, offset: victim })).toBe(held(m, victim))
    // the page went while the load was in flight: the load fails and frees nothing else
    expect(await loading).toBe(false)
    if (all) this.tally.raceLoads++
    removePage(m, victim)
    for (let i = 0; i < pages; i++) expect(has(r.cache, start + i)).toBe(held(m, start + i))
    await reconcile(m, r, false)
  }
  toString = () => `load(#${this.pick}) racing invalidate(page ${this.victim})`
}

export class InvalidateCommand implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly pick: number,
    readonly count: number,
  ) {}
  check = () => true
  async run(m: Model, r: Real): Promise<void> {
    const offset = pickHeld(m, this.pick)
    let expected = 0
    for (let i = 0; i < this.count; i++) {
      if (held(m, offset + i)) expected++
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

export class ParamsCommand implements fc.AsyncCommand<Model, Real> {
  constructor(readonly params: Partial<Zswap['params']>) {}
  check = () => true
  async run(m: Model, r: Real): Promise<void> {
    r.cache.setParams(this.params)
    await reconcile(m, r, false)
  }
  toString = () => `setParams(${JSON.stringify(this.params)})`
}

export class CgroupCommand implements fc.AsyncCommand<Model, Real> {
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

export class ShrinkCommand implements fc.AsyncCommand<Model, Real> {
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
    // objects are written whole: up to objectPages - 1 pages more than asked
    expect(written).toBeLessThanOrEqual(this.pages === 0 ? 0 : this.pages + (r.opts.objectPages ?? 1) - 1)
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
