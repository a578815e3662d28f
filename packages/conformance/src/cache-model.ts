import { type Compressor, isAccelerator, PAGE_SIZE } from '@zswap/core'
import { faultPlan, faultySwapDevice, faultyZpool } from '@zswap/core/testing'
import fc from 'fast-check'
import { expect, it } from 'vitest'
import {
  CgroupCommand,
  InvalidateCommand,
  LoadCommand,
  LoadRaceCommand,
  ParamsCommand,
  ShrinkCommand,
  StoreCommand,
} from './cache-model-commands.js'
import {
  type CacheModelOptions,
  CGROUPS,
  type CgroupName,
  DEVICE_PAGES,
  type Kind,
  type Model,
  OFFSETS,
  RAM_PAGES,
  type Real,
  type Tally,
} from './cache-model-state.js'

export type { CacheModelOptions } from './cache-model-state.js'

/**
 * A model-based property test of the cache: long random sequences (30–150
 * commands) over a few offsets of store (4K and large folios, incompressible
 * pages, all-zero folios and folios with a zero page, injected compression
 * and allocation failures; `zeroPages` and `incompressible` drawn per run
 * unless pinned), load (drawn from the
 * pages the model holds, whole folios or single pages), loads racing an
 * invalidate, invalidate, parameter and cgroup changes (limits, writeback
 * on/off), and shrink (with a failing swap device) are run against a Map.
 * It checks that folios are all-or-nothing, that a load returns exactly the
 * last stored data or nothing, that written-back pages reach the device
 * intact and come only from cgroups with writeback on, that nothing else
 * reaches the device, that the pool limit and its hysteresis hold as the
 * model computes them, that shrink picks the victims the LRU (with its
 * referenced bits and round-robin over cgroups) must pick, that stats agree
 * with the model, that all-zero folios go to the zero map (held, never in
 * the pool, the LRU or on the device, loaded as zeros) and pages that do not
 * compress are stored as-is only where the cgroup may write back, and that
 * pool pages return to zero at the end. With
 * `objectPages` 4 or 16 it groups pages into objects as the cache does and
 * also checks `stored_objects` and that write-back takes whole objects. It counts
 * successful loads, racing loads and victim checks to prove they happen.
 */
export function cacheModelTest(name: string, options: CacheModelOptions): void {
  const { numRuns = 25, maxCommands = 150 } = options
  const minCommands = Math.min(options.minCommands ?? 30, maxCommands)
  // some run used a synchronous Compressor (its order-0 loads are done inside load())
  let synchronous = false
  // some run's zpool takes a raw page (zbud's largest object is smaller)
  let rawPossible = false
  const tally: Tally = {
    loads: 0,
    victimChecks: 0,
    raceLoads: 0,
    syncLoads: 0,
    cgroupLimitChecks: 0,
    zeroStores: 0,
    rawStores: 0,
  }
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
            // 64K folios too when they can be split into objects
            { weight: 2, arbitrary: fc.integer({ min: 1, max: (options.objectPages ?? 1) > 1 ? 4 : 3 }) },
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
            'zero',
            'zeroPage',
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
        fc.record({
          zeroPages:
            options.zeroPages === undefined
              ? fc.constantFrom('map', 'store')
              : fc.constant(options.zeroPages),
          incompressible:
            options.incompressible === undefined
              ? fc.constantFrom('store', 'reject')
              : fc.constant(options.incompressible),
        }),
        fc.array(command, { minLength: minCommands, maxLength: maxCommands }),
        async (params, swapPath, cmds) => {
          const plan = faultPlan()
          const device = faultySwapDevice(options.memorySwapDevice({ pages: DEVICE_PAGES }), plan)
          const zpool = faultyZpool(options.zpool(), plan)
          const driver = options.compressor(plan)
          if (!isAccelerator(driver)) synchronous = true
          const cache = options.createZswap({
            compressor: driver as Compressor,
            zpool,
            swapDevice: device,
            ramBytes: RAM_PAGES * PAGE_SIZE,
            mthpEnabled: true,
            objectPages: options.objectPages ?? 1,
            ...params,
            ...swapPath,
          })
          const maxObjectSize = zpool.capabilities?.maxObjectSize ?? PAGE_SIZE
          if (maxObjectSize >= PAGE_SIZE) rawPossible = true
          try {
            cache.createCgroup('a')
            cache.createCgroup('limited', { zswapMax: 200 })
            cache.createCgroup('nowb', { writeback: false })
            const model: Model = {
              pages: new Map(),
              cgroupOf: new Map(),
              folioOf: new Map(),
              objectOf: new Map(),
              nextObject: 0,
              device: new Map(),
              zero: new Set(),
              raw: new Set(),
              swpoutZero: 0,
              swpinZero: 0,
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
            const real: Real = {
              cache,
              plan,
              device,
              opts: options,
              ...swapPath,
              rawFits: (pages) => maxObjectSize >= pages * PAGE_SIZE,
            }
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
      { ...options.fcOptions, numRuns },
    )
    // the model must have exercised what it checks (over enough runs to be sure it did; a replay runs one)
    if (numRuns >= 10 && options.fcOptions?.path === undefined) {
      expect(tally.loads, 'successful loads').toBeGreaterThan(numRuns)
      expect(tally.victimChecks, 'shrinks checked against the LRU').toBeGreaterThan(0)
      expect(tally.raceLoads, 'loads raced by an invalidate').toBeGreaterThan(0)
      if (synchronous && (options.objectPages ?? 1) === 1) {
        expect(tally.syncLoads, 'racing order-0 loads done before load() returned').toBeGreaterThan(0)
      }
      expect(tally.cgroupLimitChecks, 'stores over a cgroup limit').toBeGreaterThan(0)
      if (options.zeroPages !== 'store') expect(tally.zeroStores, 'all-zero folios mapped').toBeGreaterThan(0)
      if (options.incompressible !== 'reject' && rawPossible)
        expect(tally.rawStores, 'pages stored as-is').toBeGreaterThan(0)
    }
  })
}
