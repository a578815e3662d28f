import { PAGE_SIZE, type SwapDevice, type Zpool } from '@zswap/core'
import { referenceZpool, rleCompressor } from '@zswap/core/testing'
import { describe, expect, it } from 'vitest'
import { createZswap, memorySwapDevice, type ZswapOptions } from '../src/index.js'
import { destroyCounting, emptyFolio, folioAt, gatedAccelerator } from './fixtures.js'

// Store, load and limit behaviours that the second full Stryker run of the
// cache found unpinned (RELIABILITY.md, "Mutation testing"): the cgroup and
// pool limits checked one after the other, the shrinker's step bound, the
// operations' queue, and which pages a load job may cover.

const has = (cache: { has(s: { type: number; offset: number }): boolean }, offset: number, type = 0) =>
  cache.has({ type, offset })

/** A memory swap device whose writes can be made to fail. */
function failingDevice(pages = 1024) {
  const inner = memorySwapDevice({ pages })
  let fail = false
  const device: SwapDevice = {
    ...inner,
    write: (offset, src) =>
      fail ? Promise.reject(new Error('[test] device write fault')) : inner.write(offset, src),
    read: (offset, dst) => inner.read(offset, dst),
    close: () => inner.close(),
  }
  return { device, setFail: (on: boolean) => (fail = on) }
}

/** 100 pages of "RAM" at 20 %: a 20-page pool (the reference zpool uses a page per small object). */
const pool20 = (extra: Partial<ZswapOptions> = {}): ZswapOptions => ({
  compressor: rleCompressor(),
  zpool: referenceZpool(),
  swapDevice: memorySwapDevice({ pages: 1024 }),
  ramBytes: 100 * PAGE_SIZE,
  maxPoolPercent: 20,
  ...extra,
})

describe('a cgroup over its limit and the pool limit', () => {
  it('after the cgroup wrote back, a full pool still rejects the folio (shrinker off)', async () => {
    const cache = createZswap(pool20({ shrinkerEnabled: false }))
    cache.createCgroup('a')
    // 19 pages of the root cgroup, then one of `a` at its limit: the pool is full (20)
    for (let i = 0; i < 19; i++) expect(await cache.store(folioAt(i))).toBe(true)
    expect(await cache.store(folioAt(100, 0, 100, 'a'))).toBe(true)
    cache.setCgroup('a', { zswapMax: cache.stats().cgroups.a.zswap })
    expect(await cache.store(folioAt(50))).toBe(false) // the pool is full: reachedFull
    const before = cache.stats()
    // `a` writes its page back (19 pages), but 19 is over the 90 % threshold (18): still full
    expect(await cache.store(folioAt(101, 0, 101, 'a'))).toBe(false)
    const after = cache.stats()
    expect(after.cgroups.a.zswpwb).toBe(1)
    expect(after.written_back_pages).toBe(before.written_back_pages + 1)
    expect(after.pool_limit_hit).toBe(before.pool_limit_hit) // 19 < 20: not hit again, still full
    expect(has(cache, 101)).toBe(false)
    expect(after.stored_pages).toBe(19)
  })

  it('after the cgroup wrote back, a full pool reclaims and then stores the folio (shrinker on)', async () => {
    const cache = createZswap(pool20())
    cache.createCgroup('a')
    for (let i = 0; i < 19; i++) expect(await cache.store(folioAt(i))).toBe(true)
    expect(await cache.store(folioAt(100, 0, 100, 'a'))).toBe(true)
    cache.setCgroup('a', { zswapMax: cache.stats().cgroups.a.zswap })
    cache.setParams({ shrinkerEnabled: false })
    expect(await cache.store(folioAt(50))).toBe(false) // reachedFull
    cache.setParams({ shrinkerEnabled: true })
    expect(await cache.store(folioAt(101, 0, 101, 'a'))).toBe(true)
    const stats = cache.stats()
    // `a` wrote back its page (19), the shrinker the root's coldest down to 18
    expect(stats.cgroups.a.zswpwb).toBe(1)
    expect(stats.cgroups['/'].zswpwb).toBe(1)
    expect(has(cache, 0)).toBe(false)
    expect(has(cache, 1)).toBe(true)
    expect(has(cache, 101)).toBe(true)
  })

  it('a cgroup over its limit under a pool that is not full writes back only its own pages', async () => {
    // threshold 50 %: a pool of 19 of 20 pages that never reached 20 is not full
    const cache = createZswap(pool20({ acceptThresholdPercent: 50 }))
    cache.createCgroup('a')
    for (let i = 0; i < 18; i++) expect(await cache.store(folioAt(i))).toBe(true)
    expect(await cache.store(folioAt(100, 0, 100, 'a'))).toBe(true)
    cache.setCgroup('a', { zswapMax: cache.stats().cgroups.a.zswap })
    expect(cache.stats().pool_limit_hit).toBe(0)
    expect(await cache.store(folioAt(101, 0, 101, 'a'))).toBe(true)
    const stats = cache.stats()
    expect(stats.written_back_pages).toBe(1) // `a`'s page, nothing of the root cgroup
    expect(stats.cgroups['/'].zswpwb).toBe(0)
    expect(stats.pool_limit_hit).toBe(0)
    expect(stats.stored_pages).toBe(19)
  })

  it('a cgroup whose write-back fails rejects the store (reject_reclaim_fail) and keeps its pages', async () => {
    const { device, setFail } = failingDevice()
    const cache = createZswap({
      compressor: rleCompressor(),
      zpool: referenceZpool(),
      swapDevice: device,
      ramBytes: 1 << 30,
    })
    cache.createCgroup('a')
    expect(await cache.store(folioAt(1, 0, 1, 'a'))).toBe(true)
    cache.setCgroup('a', { zswapMax: cache.stats().cgroups.a.zswap })
    setFail(true)
    expect(await cache.store(folioAt(2, 0, 2, 'a'))).toBe(false)
    expect(cache.stats().reject_reclaim_fail).toBeGreaterThan(0)
    expect(cache.stats().cgroups.a).toMatchObject({ zswpwb: 0, zswapped: 1 })
    expect(has(cache, 1)).toBe(true)
    expect(has(cache, 2)).toBe(false)
    setFail(false)
    expect(await cache.store(folioAt(2, 0, 2, 'a'))).toBe(true)
    expect(cache.stats().cgroups.a).toMatchObject({ zswpwb: 1, zswapped: 1 })
  })
})

describe('the fresh pool limit', () => {
  it('a new cache is not full until its pool reaches the limit, even above the threshold', async () => {
    // the zpool holds 19 pages of someone else's before the cache starts: 19 of 20, threshold 18
    const zpool = referenceZpool()
    for (let i = 0; i < 19; i++) zpool.malloc(100)
    const cache = createZswap(pool20({ zpool, swapDevice: undefined }))
    expect(await cache.store(folioAt(0))).toBe(true)
    expect(cache.stats().pool_limit_hit).toBe(0)
    expect(await cache.store(folioAt(1))).toBe(false)
    expect(cache.stats().pool_limit_hit).toBe(1)
  })
})

describe('the shrinker visits each entry at most twice', () => {
  it('a pool full of the stale pages of the folio being stored: one lap to clear, one to count', async () => {
    // a 4-page pool full of one 4-page folio, stored again: its 4 stale pages are the only victims
    const cache = createZswap(pool20({ ramBytes: 20 * PAGE_SIZE, mthpEnabled: true }))
    expect(cache.maxPoolPages).toBe(4)
    expect(await cache.store(folioAt(0, 2))).toBe(true)
    expect(await cache.store(folioAt(0, 2, 7))).toBe(false)
    const stats = cache.stats()
    // each stale page skipped once (after its referenced bit was cleared), none written
    expect(stats.reject_reclaim_fail).toBe(4)
    expect(stats.written_back_pages).toBe(0)
    expect(stats.stored_pages).toBe(0)
  })
})

describe('write-back and the folio being stored', () => {
  it('entries of another swap type at the same offsets are not stale: they are written back', async () => {
    const typeOne = memorySwapDevice({ pages: 64 })
    const cache = createZswap(
      pool20({
        ramBytes: 20 * PAGE_SIZE,
        mthpEnabled: true,
        swapDevice: [memorySwapDevice({ pages: 64 }), typeOne],
      }),
    )
    for (let i = 0; i < 4; i++) expect(await cache.store(folioAt(i, 0, 50 + i, undefined, 1))).toBe(true)
    expect(await cache.store(folioAt(0, 2))).toBe(true)
    const stats = cache.stats()
    expect(stats.written_back_pages).toBeGreaterThan(0)
    expect(stats.reject_reclaim_fail).toBe(0)
    const out = new Uint8Array(PAGE_SIZE)
    await typeOne.read(0, out)
    expect(out).toEqual(folioAt(0, 0, 50).data)
  })
})

describe('swap devices', () => {
  it('an array of no device is no device: shrink() writes nothing and counts nothing', async () => {
    const cache = createZswap({
      compressor: rleCompressor(),
      zpool: referenceZpool(),
      swapDevice: [undefined as never],
    })
    for (let i = 0; i < 3; i++) await cache.store(folioAt(i))
    const before = cache.stats()
    expect(await cache.shrink(2)).toBe(0)
    expect(cache.stats()).toEqual(before)
  })

  it('a zpool without capabilities holds one page per object', async () => {
    const inner = referenceZpool()
    const zpool = { ...inner, capabilities: undefined } as unknown as Zpool
    Object.defineProperty(zpool, 'totalPages', { get: () => inner.totalPages })
    const cache = createZswap({ compressor: rleCompressor(), zpool })
    expect(await cache.store(folioAt(1))).toBe(true)
    expect(() => createZswap({ compressor: rleCompressor(), zpool, objectPages: 4 })).toThrow(
      'it declares 4096',
    )
  })
})

describe('operations queue behind the one in flight', () => {
  it('store, load, shrink and close wait for a held store; each then runs in turn', async () => {
    const gated = gatedAccelerator(4)
    const device = memorySwapDevice({ pages: 64 })
    const cache = createZswap({
      accelerator: gated.accel,
      zpool: referenceZpool(),
      swapDevice: device,
      ramBytes: 1 << 30,
    })
    expect(await cache.store(folioAt(1))).toBe(true)
    expect(await cache.store(folioAt(2))).toBe(true)
    const held = gated.holdCompress(1)
    const first = cache.store(folioAt(3))
    await held.reached
    const order: string[] = []
    const second = cache.store(folioAt(4)).then((ok) => order.push(`store ${ok}`))
    const out = emptyFolio(1)
    const load = cache.load(out).then((ok) => order.push(`load ${ok}`))
    const shrink = cache.shrink(1).then((n) => order.push(`shrink ${n}`))
    // nothing of the queued operations ran: no entry of folio 4, folio 1 still stored, nothing written back
    for (let i = 0; i < 20; i++) await Promise.resolve()
    expect(order).toEqual([])
    expect(has(cache, 4)).toBe(false)
    expect(has(cache, 1)).toBe(true)
    expect(cache.stats().written_back_pages).toBe(0)
    held.release()
    expect(await first).toBe(true)
    await Promise.all([second, load, shrink])
    expect(order).toEqual(['store true', 'load true', 'shrink 1'])
    expect(out.data).toEqual(folioAt(1).data)
    // the held store kept its own folio: offset 3 holds folio 3's bytes, offset 4 folio 4's
    for (const offset of [3, 4]) {
      if (!has(cache, offset)) continue // written back by the shrink
      const page = emptyFolio(offset)
      expect(await cache.load(page)).toBe(true)
      expect(page.data).toEqual(folioAt(offset).data)
    }
    const readBack = new Uint8Array(PAGE_SIZE)
    await device.read(2, readBack)
    expect(readBack).toEqual(folioAt(2).data) // the coldest page was written back after the others
    const held2 = gated.holdCompress(1)
    const last = cache.store(folioAt(9))
    await held2.reached
    const closing = cache.close()
    for (let i = 0; i < 20; i++) await Promise.resolve()
    expect(() => cache.stats()).not.toThrow() // not closed yet
    held2.release()
    expect(await last).toBe(true)
    await closing
    expect(() => cache.storedPages).toThrow()
  })
})

describe('close() queued twice behind a running store', () => {
  it('closes the drivers and destroys the pool once', async () => {
    const gated = gatedAccelerator(1)
    let accelCloses = 0
    const accel = {
      ...gated.accel,
      close: () => {
        accelCloses++
        return gated.accel.close()
      },
    }
    const { zpool, destroys } = destroyCounting()
    const cache = createZswap({ accelerator: accel, zpool })
    const hold = gated.holdCompress(1)
    const storing = cache.store(folioAt(0))
    await hold.reached
    // both wait for the lock; the second finds the cache closed by the first
    const first = cache.close()
    const second = cache.close()
    hold.release()
    expect(await storing).toBe(true)
    await Promise.all([first, second])
    expect(accelCloses).toBe(1)
    expect(destroys()).toBe(1)
  })
})
