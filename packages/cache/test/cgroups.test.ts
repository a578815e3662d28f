import { createFolio, PAGE_SIZE } from '@zswap/core'
import { describe, expect, it } from 'vitest'
import { emptyFolio, folioAt, randomPage, testStack } from './fixtures.js'

// The scenarios of tools/testing/selftests/cgroup/test_zswap.c, on this API.
describe('cgroup scenarios (test_zswap.c)', () => {
  it('test_zswap_usage: stores raise the cgroup zswpout and zswap usage', async () => {
    const { cache } = testStack()
    cache.createCgroup('a')
    for (let i = 0; i < 10; i++) await cache.store(folioAt(i, 0, i, 'a'))
    const a = cache.stats().cgroups.a
    expect(a.zswpout).toBe(10)
    expect(a.zswapped).toBe(10)
    expect(a.zswap).toBeGreaterThan(0)
    expect(cache.stats().cgroups['/'].zswpout).toBe(0)
  })

  it('test_swapin_nozswap: zswapMax 0 sends nothing to the cache', async () => {
    const { cache } = testStack()
    cache.createCgroup('nozswap', { zswapMax: 0 })
    for (let i = 0; i < 10; i++) expect(await cache.store(folioAt(i, 0, i, 'nozswap'))).toBe(false)
    expect(cache.stats().cgroups.nozswap.zswpout).toBe(0)
    expect(cache.stats().stored_pages).toBe(0)
  })

  it('test_zswapin: loads raise zswpin', async () => {
    const { cache } = testStack()
    cache.createCgroup('a')
    for (let i = 0; i < 4; i++) await cache.store(folioAt(i, 0, i, 'a'))
    for (let i = 0; i < 4; i++) expect(await cache.load(emptyFolio(i))).toBe(true)
    expect(cache.stats().cgroups.a.zswpin).toBe(4)
    expect(cache.stats().cgroups.a.zswap).toBe(0)
  })

  for (const writeback of [true, false]) {
    it(`test_zswap_writeback_${writeback ? 'enabled' : 'disabled'}: zswpwb ${writeback ? '> 0' : '= 0'}`, async () => {
      const { cache } = testStack()
      cache.createCgroup('wb', { writeback })
      for (let i = 0; i < 8; i++) await cache.store(folioAt(i, 0, i, 'wb'))
      // lower the limit under the usage, then store more
      cache.setCgroup('wb', { zswapMax: cache.stats().cgroups.wb.zswap / 2 })
      const stored = await cache.store(folioAt(100, 0, 100, 'wb'))
      const stats = cache.stats().cgroups.wb
      if (writeback) {
        expect(stored).toBe(true)
        expect(stats.zswpwb).toBeGreaterThan(0)
      } else {
        expect(stored).toBe(false)
        expect(stats.zswpwb).toBe(0)
      }
      expect(await cache.shrink(100)).toBe(writeback ? stats.zswapped : 0)
    })
  }

  it('test_no_invasive_cgroup_shrink: only the cgroup over its limit writes back', async () => {
    const { cache } = testStack()
    cache.createCgroup('big')
    cache.createCgroup('small', { zswapMax: 4 * 64 }) // about four RLE pages
    for (let i = 0; i < 16; i++) await cache.store(folioAt(i, 0, i, 'big'))
    for (let i = 0; i < 16; i++) await cache.store(folioAt(100 + i, 0, 100 + i, 'small'))
    const stats = cache.stats().cgroups
    expect(stats.small.zswpwb).toBeGreaterThan(0)
    expect(stats.big.zswpwb).toBe(0)
    expect(stats.big.zswapped).toBe(16)
  })

  it('test_zswap_incompressible: incompressible pages are counted as reject_compress_poor (incompressible reject)', async () => {
    const { cache } = testStack({ incompressible: 'reject' })
    cache.createCgroup('a')
    for (let i = 0; i < 5; i++) {
      expect(await cache.store(createFolio({ type: 0, offset: i }, 0, randomPage(i), 'a'))).toBe(false)
    }
    expect(cache.stats().reject_compress_poor).toBe(5)
    expect(cache.stats().cgroups.a.zswpout).toBe(0)
  })

  it('the cgroup limit is checked once per folio: a large folio may overshoot', async () => {
    const { cache } = testStack({ mthpEnabled: true })
    cache.createCgroup('a', { zswapMax: 1 })
    expect(await cache.store(folioAt(0, 3, 0, 'a'))).toBe(true)
    expect(cache.stats().cgroups.a.zswap).toBeGreaterThan(1)
    expect(cache.stats().cgroups.a.zswapped).toBe(8)
  })

  it('write-back charges the page size it frees back to the cgroup', async () => {
    const { cache } = testStack()
    cache.createCgroup('a')
    await cache.store(folioAt(0, 0, 0, 'a'))
    await cache.shrink(1)
    expect(cache.stats().cgroups.a).toMatchObject({ zswap: 0, zswapped: 0, zswpwb: 1 })
    expect(cache.stats().pool_total_size).toBe(0)
    expect(PAGE_SIZE).toBe(4096)
  })

  describe('storeBatch sees the usage of the folios before it, like consecutive store calls', () => {
    for (const writeback of [false, true]) {
      for (const [zswapMax, n] of [
        [100, 8],
        [300, 12],
      ] as const) {
        it(`${n} 4K folios into zswapMax ${zswapMax}, writeback ${writeback ? 'on' : 'off'}`, async () => {
          const run = async (batch: boolean) => {
            const { cache } = testStack()
            cache.createCgroup('a', { zswapMax, writeback })
            const folios = Array.from({ length: n }, (_, i) => folioAt(i, 0, i, 'a'))
            const results = batch ? await cache.storeBatch(folios) : []
            if (!batch) for (const f of folios) results.push(await cache.store(f))
            return { results, stats: cache.stats() }
          }
          const batched = await run(true)
          const single = await run(false)
          expect(batched).toEqual(single)
          if (!writeback) {
            expect(batched.results.filter(Boolean).length).toBeLessThan(n)
            // stops at the limit: the usage before the last stored folio was under it
            expect(batched.stats.cgroups.a.zswap).toBeGreaterThanOrEqual(zswapMax)
            expect(batched.results.indexOf(false)).toBe(batched.results.filter(Boolean).length)
          } else {
            expect(batched.stats.cgroups.a.zswpwb).toBeGreaterThan(0)
          }
        })
      }
    }
  })
})
