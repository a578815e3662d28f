import { createFolio, PAGE_SIZE } from '@zswap/core'
import { describe, expect, it } from 'vitest'
import { compressiblePage, emptyFolio, folioAt, randomPage, testStack } from './fixtures.js'

describe('store and load', () => {
  it('round-trips a 4K page and frees it on load (exclusive load)', async () => {
    const { cache } = testStack()
    const folio = folioAt(7)
    expect(await cache.store(folio)).toBe(true)
    expect(cache.has({ type: 0, offset: 7 })).toBe(true)
    expect(cache.stats().stored_pages).toBe(1)
    expect(cache.stats().zswpout['4K']).toBe(1)
    const out = emptyFolio(7)
    expect(await cache.load(out)).toBe(true)
    expect(out.data).toEqual(folio.data)
    expect(cache.has({ type: 0, offset: 7 })).toBe(false)
    expect(cache.stats().stored_pages).toBe(0)
    expect(cache.stats().pool_total_size).toBe(0)
    expect(cache.stats().cgroups['/'].zswpin).toBe(1)
    expect(await cache.load(emptyFolio(7))).toBe(false)
  })

  it('rejects large folios up front while mthpEnabled is off (the default)', async () => {
    const { cache } = testStack()
    expect(await cache.store(folioAt(0, 2))).toBe(false)
    expect(cache.stats().stored_pages).toBe(0)
    expect(cache.stats().zswpout['16K']).toBe(0)
  })

  it('stores a large folio page by page at offset + i when mthpEnabled', async () => {
    const { cache } = testStack({ mthpEnabled: true })
    const folio = folioAt(16, 4)
    expect(await cache.store(folio)).toBe(true)
    expect(cache.stats().stored_pages).toBe(16)
    expect(cache.stats().zswpout['64K']).toBe(1)
    expect(cache.stats().cgroups['/'].zswpout).toBe(16)
    for (let i = 0; i < 16; i++) expect(cache.has({ type: 0, offset: 16 + i })).toBe(true)
    // pages of a large folio can be loaded one 4K folio at a time
    const page5 = emptyFolio(21)
    expect(await cache.load(page5)).toBe(true)
    expect(page5.data).toEqual(folio.data.subarray(5 * PAGE_SIZE, 6 * PAGE_SIZE))
    // a large load with one page missing is refused and changes nothing
    expect(await cache.load(emptyFolio(16, 4))).toBe(false)
    expect(cache.stats().stored_pages).toBe(15)
  })

  it('a store over an existing entry replaces it and frees the stale one', async () => {
    const { cache } = testStack()
    await cache.store(folioAt(3, 0, 1))
    const newer = folioAt(3, 0, 2)
    expect(await cache.store(newer)).toBe(true)
    expect(cache.stats().stored_pages).toBe(1)
    expect(cache.stats().pool_total_size).toBe(PAGE_SIZE)
    const out = emptyFolio(3)
    await cache.load(out)
    expect(out.data).toEqual(newer.data)
  })

  it('counts an incompressible page as reject_compress_poor and drops the stale entry (incompressible reject)', async () => {
    const { cache } = testStack({ incompressible: 'reject' })
    await cache.store(folioAt(9))
    expect(await cache.store(createFolio({ type: 0, offset: 9 }, 0, randomPage(1)))).toBe(false)
    expect(cache.stats().reject_compress_poor).toBe(1)
    expect(cache.has({ type: 0, offset: 9 })).toBe(false)
    expect(cache.stats().stored_pages).toBe(0)
  })

  it('a page that compresses to PAGE_SIZE or more is poor, not stored (incompressible reject)', async () => {
    const { cache } = testStack({ incompressible: 'reject' })
    // RLE of alternating bytes is exactly 2x: does not fit → -1
    const page = new Uint8Array(PAGE_SIZE).map((_, i) => i & 1)
    expect(await cache.store(createFolio({ type: 0, offset: 1 }, 0, page))).toBe(false)
    expect(cache.stats().reject_compress_poor).toBe(1)
  })

  it('a large folio with one poor page is stored not at all, and stale entries at its offsets go too (incompressible reject)', async () => {
    const { cache } = testStack({ mthpEnabled: true, incompressible: 'reject' })
    for (let i = 0; i < 8; i++) await cache.store(folioAt(100 + i, 0, 500 + i))
    expect(cache.stats().stored_pages).toBe(8)
    const folio = folioAt(100, 3)
    folio.data.set(randomPage(3), 5 * PAGE_SIZE)
    expect(await cache.store(folio)).toBe(false)
    expect(cache.stats().stored_pages).toBe(0)
    expect(cache.stats().pool_total_size).toBe(0)
    expect(cache.stats().zswpout['32K']).toBe(0)
  })

  it('compression failure is counted as reject_compress_fail and unwinds the folio (incompressible reject)', async () => {
    const { cache, plan } = testStack({ mthpEnabled: true, incompressible: 'reject' })
    plan.failCompressAt = 3
    expect(await cache.store(folioAt(0, 2))).toBe(false)
    expect(cache.stats().reject_compress_fail).toBe(1)
    expect(cache.stats().stored_pages).toBe(0)
  })

  it('allocation failure is counted as reject_alloc_fail and unwinds the folio', async () => {
    const { cache, plan } = testStack({ mthpEnabled: true })
    plan.failMallocAt = 2
    expect(await cache.store(folioAt(0, 1))).toBe(false)
    expect(cache.stats().reject_alloc_fail).toBe(1)
    expect(cache.stats().stored_pages).toBe(0)
    expect(cache.stats().pool_total_size).toBe(0)
  })

  it('a zpool that runs out of pages counts reject_alloc_fail', async () => {
    const { cache } = testStack({ maxPages: 2 })
    expect(await cache.store(folioAt(0))).toBe(true)
    expect(await cache.store(folioAt(1))).toBe(true)
    expect(await cache.store(folioAt(2))).toBe(false)
    expect(cache.stats().reject_alloc_fail).toBe(1)
  })

  it('decompression failure is counted, the load fails and the entry stays', async () => {
    const { cache, plan } = testStack()
    await cache.store(folioAt(4))
    plan.failDecompressAt = 1
    expect(await cache.load(emptyFolio(4))).toBe(false)
    expect(cache.stats().decompress_fail).toBe(1)
    expect(cache.has({ type: 0, offset: 4 })).toBe(true)
    expect(await cache.load(emptyFolio(4))).toBe(true)
  })

  it('enabled off rejects stores, drops stale entries, and keeps other entries loadable', async () => {
    const { cache } = testStack()
    await cache.store(folioAt(1))
    await cache.store(folioAt(2))
    cache.setParams({ enabled: false })
    expect(await cache.store(folioAt(2, 0, 99))).toBe(false)
    expect(cache.has({ type: 0, offset: 2 })).toBe(false)
    const out = emptyFolio(1)
    expect(await cache.load(out)).toBe(true)
    expect(out.data).toEqual(folioAt(1).data)
  })

  it('invalidate and invalidateRange free entries', async () => {
    const { cache } = testStack({ mthpEnabled: true })
    await cache.store(folioAt(0, 3))
    expect(cache.invalidate({ type: 0, offset: 2 })).toBe(true)
    expect(cache.invalidate({ type: 0, offset: 2 })).toBe(false)
    expect(cache.invalidateRange({ type: 0, offset: 0 }, 1 << 20)).toBe(7)
    expect(cache.stats().stored_pages).toBe(0)
    expect(cache.stats().pool_total_size).toBe(0)
  })

  it('keeps swap types apart', async () => {
    const { cache } = testStack()
    await cache.store(folioAt(5, 0, 1, undefined, 0))
    await cache.store(folioAt(5, 0, 2, undefined, 3))
    const a = emptyFolio(5, 0, 0)
    const b = emptyFolio(5, 0, 3)
    expect(await cache.load(b)).toBe(true)
    expect(await cache.load(a)).toBe(true)
    expect(a.data).toEqual(folioAt(5, 0, 1).data)
    expect(b.data).toEqual(folioAt(5, 0, 2).data)
  })

  it('switching the compressor: new stores use the new one, old entries load with theirs', async () => {
    const { cache } = testStack()
    await cache.store(folioAt(1))
    const { rleCompressor } = await import('@zswap/core/testing')
    let used = 0
    const inner = rleCompressor('rle2')
    cache.setCompressor({
      ...inner,
      compress(src, dst) {
        used++
        return inner.compress(src, dst)
      },
    })
    await cache.store(folioAt(2))
    expect(used).toBe(1)
    const a = emptyFolio(1)
    const b = emptyFolio(2)
    expect(await cache.loadBatch([a, b])).toEqual([true, true])
    expect(a.data).toEqual(folioAt(1).data)
    expect(b.data).toEqual(folioAt(2).data)
  })

  it('storeBatch stores each folio all-or-nothing on its own (incompressible reject)', async () => {
    const { cache } = testStack({ mthpEnabled: true, incompressible: 'reject' })
    const bad = folioAt(8, 2)
    bad.data.set(randomPage(1), PAGE_SIZE)
    const results = await cache.storeBatch([folioAt(0, 2), bad, folioAt(16), folioAt(32, 3)])
    expect(results).toEqual([true, false, true, true])
    expect(cache.stats().stored_pages).toBe(4 + 1 + 8)
    const outs = [emptyFolio(0, 2), emptyFolio(8, 2), emptyFolio(16), emptyFolio(32, 3)]
    expect(await cache.loadBatch(outs)).toEqual([true, false, true, true])
    expect(outs[3].data).toEqual(folioAt(32, 3).data)
  })

  it('stats are plain JSON', async () => {
    const { cache } = testStack()
    await cache.store(folioAt(1))
    const stats = cache.stats()
    expect(JSON.parse(JSON.stringify(stats))).toEqual(stats)
    expect(Object.keys(stats.zswpout)).toEqual([
      '4K',
      '8K',
      '16K',
      '32K',
      '64K',
      '128K',
      '256K',
      '512K',
      '1M',
      '2M',
    ])
  })

  it('metadata stays small per entry', async () => {
    const { cache } = testStack()
    const folios = Array.from({ length: 16384 }, (_, i) =>
      createFolio({ type: 0, offset: i }, 0, compressiblePage(i)),
    )
    for (const f of folios) await cache.store(f)
    expect(cache.metadataBytes / cache.storedPages).toBeLessThanOrEqual(32)
  })
})
