import { PAGE_SIZE } from '@zswap/core'
import { describe, expect, it } from 'vitest'
import { emptyFolio, folioAt, testStack } from './fixtures.js'

// 200 pages of "RAM" at 10 % = a 20-page pool; the reference zpool uses one page per entry.
const small = { ramBytes: 200 * PAGE_SIZE, maxPoolPercent: 10 }

describe('pool limit', () => {
  it('rejects at maxPoolPercent without a swap device and counts pool_limit_hit', async () => {
    const { cache } = testStack({ ...small, swapDevice: [] })
    for (let i = 0; i < 20; i++) expect(await cache.store(folioAt(i))).toBe(true)
    expect(await cache.store(folioAt(20))).toBe(false)
    expect(cache.stats().pool_limit_hit).toBe(1)
    expect(cache.stats().stored_pages).toBe(20)
  })

  it('accepts again only below acceptThresholdPercent (hysteresis)', async () => {
    const { cache } = testStack({ ...small, acceptThresholdPercent: 50, swapDevice: [] })
    for (let i = 0; i < 20; i++) await cache.store(folioAt(i))
    expect(await cache.store(folioAt(100))).toBe(false)
    cache.invalidateRange({ type: 0, offset: 0 }, 5) // 15 pages: under the limit, over the threshold
    expect(await cache.store(folioAt(101))).toBe(false)
    expect(cache.stats().pool_limit_hit).toBe(1) // not hit again: 15 < 20
    cache.invalidateRange({ type: 0, offset: 5 }, 5) // 10 pages = the threshold
    expect(await cache.store(folioAt(102))).toBe(true)
  })

  it('raising maxPoolPercent at run time lets stores in again', async () => {
    const { cache } = testStack({ ...small, swapDevice: [] })
    for (let i = 0; i < 20; i++) await cache.store(folioAt(i))
    expect(await cache.store(folioAt(20))).toBe(false)
    cache.setParams({ maxPoolPercent: 20 })
    expect(await cache.store(folioAt(20))).toBe(true)
  })

  it('the shrinker writes back the coldest entries to the accept threshold before rejecting', async () => {
    const { cache, device } = testStack(small)
    for (let i = 0; i < 20; i++) await cache.store(folioAt(i))
    expect(await cache.store(folioAt(20))).toBe(true)
    const stats = cache.stats()
    expect(stats.pool_limit_hit).toBeGreaterThanOrEqual(1)
    expect(stats.written_back_pages).toBe(2) // down to 18 = 90 % of 20
    expect(stats.cgroups['/'].zswpwb).toBe(2)
    expect(cache.has({ type: 0, offset: 0 })).toBe(false)
    expect(cache.has({ type: 0, offset: 1 })).toBe(false)
    expect(cache.has({ type: 0, offset: 2 })).toBe(true)
    const page = new Uint8Array(PAGE_SIZE)
    await device.read(0, page)
    expect(page).toEqual(folioAt(0).data)
  })

  it('shrinkerEnabled off: a full pool rejects without writing back', async () => {
    const { cache } = testStack({ ...small, shrinkerEnabled: false })
    for (let i = 0; i < 20; i++) await cache.store(folioAt(i))
    expect(await cache.store(folioAt(20))).toBe(false)
    expect(cache.stats().written_back_pages).toBe(0)
  })

  it('a failing swap device counts reject_reclaim_fail and keeps the entries', async () => {
    const { cache, plan } = testStack(small)
    for (let i = 0; i < 20; i++) await cache.store(folioAt(i))
    plan.alwaysFailWrite = true
    expect(await cache.store(folioAt(20))).toBe(false)
    expect(cache.stats().reject_reclaim_fail).toBeGreaterThanOrEqual(1)
    expect(cache.stats().written_back_pages).toBe(0)
    expect(cache.stats().stored_pages).toBe(20)
    const out = emptyFolio(0)
    expect(await cache.load(out)).toBe(true)
    expect(out.data).toEqual(folioAt(0).data)
  })

  it('a large folio hitting the limit midway is stored not at all', async () => {
    const { cache } = testStack({ ...small, mthpEnabled: true, swapDevice: [] })
    for (let i = 0; i < 16; i++) await cache.store(folioAt(1000 + i))
    expect(await cache.store(folioAt(0, 3))).toBe(false)
    expect(cache.stats().stored_pages).toBe(16)
    expect(cache.stats().pool_limit_hit).toBe(1)
  })
})

describe('write-back during a store', () => {
  it('never writes back the stale entries at the offsets of the folio being stored', async () => {
    const { cache, device } = testStack({ ...small, mthpEnabled: true })
    const a = folioAt(4, 4) // offsets 4..19
    expect(await cache.store(a)).toBe(true)
    // offsets 0..7: the limit is hit at page 4, whose offsets 4..7 still hold a's entries
    expect(await cache.store(folioAt(0, 3, 77))).toBe(true)
    const stats = cache.stats()
    expect(stats.written_back_pages).toBe(2)
    expect(stats.reject_reclaim_fail).toBe(4) // a's entries at 4..7 were skipped (-EEXIST in the kernel)
    const page = new Uint8Array(PAGE_SIZE)
    for (let offset = 4; offset < 8; offset++) {
      await device.read(offset, page)
      expect(page.every((b) => b === 0)).toBe(true)
    }
    await device.read(8, page)
    expect(page).toEqual(a.data.subarray(4 * PAGE_SIZE, 5 * PAGE_SIZE))
    expect(cache.has({ type: 0, offset: 8 })).toBe(false)
    expect(cache.has({ type: 0, offset: 9 })).toBe(false)
    expect(cache.has({ type: 0, offset: 10 })).toBe(true)
  })
})

describe('shrink() and the LRU', () => {
  it('gives referenced entries a second chance', async () => {
    const { cache } = testStack()
    await cache.store(folioAt(1))
    await cache.store(folioAt(2))
    // both referenced: the first pass clears the bits, then the oldest goes
    expect(await cache.shrink(1)).toBe(1)
    expect(cache.has({ type: 0, offset: 1 })).toBe(false)
    await cache.store(folioAt(3)) // referenced, newest
    expect(await cache.shrink(1)).toBe(1)
    expect(cache.has({ type: 0, offset: 2 })).toBe(false)
    expect(cache.has({ type: 0, offset: 3 })).toBe(true)
    expect(cache.stats().written_back_pages).toBe(2)
  })

  it('writes pages back to a file device at their offsets', async () => {
    const { mkdtemp } = await import('node:fs/promises')
    const { tmpdir } = await import('node:os')
    const { join } = await import('node:path')
    const { fileSwapDevice } = await import('../src/index.js')
    const dir = await mkdtemp(join(tmpdir(), 'zswap-'))
    const device = await fileSwapDevice({ path: join(dir, 'swap'), pages: 64 })
    const { cache } = testStack({ swapDevice: device })
    for (let i = 0; i < 8; i++) await cache.store(folioAt(40 + i))
    expect(await cache.shrink(100)).toBe(8)
    expect(cache.stats().stored_pages).toBe(0)
    for (let i = 0; i < 8; i++) {
      const page = new Uint8Array(PAGE_SIZE)
      await device.read(40 + i, page)
      expect(page).toEqual(folioAt(40 + i).data)
    }
    await device.close()
  })

  it('an offset beyond the device cannot be written back and counts reject_reclaim_fail', async () => {
    const { cache } = testStack()
    await cache.store(folioAt(1 << 20))
    expect(await cache.shrink(1)).toBe(0)
    expect(cache.stats().reject_reclaim_fail).toBe(1)
    expect(cache.has({ type: 0, offset: 1 << 20 })).toBe(true)
  })
})
