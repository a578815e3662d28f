import { compressorAccelerator, createFolio } from '@zswap/core'
import { referenceZpool, rleCompressor } from '@zswap/core/testing'
import { describe, expect, it } from 'vitest'
import { zsmalloc } from '../../zsmalloc/src/index.js'
import { createZswap } from '../src/index.js'
import { emptyFolio, folioAt, gatedAccelerator, trackingZpool } from './fixtures.js'

const has = (cache: { has(s: { type: number; offset: number }): boolean }, offset: number) =>
  cache.has({ type: 0, offset })

// invalidate() "may run at any time": here it runs while a load or store awaits a held batch.
describe.each([1, 4, 8])('invalidate racing a load (accelerator maxBatch %i)', (maxBatch) => {
  const setup = async () => {
    const gated = gatedAccelerator(maxBatch)
    const pool = trackingZpool(referenceZpool())
    const cache = createZswap({ accelerator: gated.accel, zpool: pool.zpool, mthpEnabled: true })
    const folio = folioAt(0, 4)
    expect(await cache.store(folio)).toBe(true)
    return { gated, pool, cache, folio }
  }

  it.each([
    ['a page not yet read', 15],
    ['a page already decompressed', 0],
  ])('invalidating %s of a large folio: the load resolves false, the other entries stay', async (_, page) => {
    const { gated, pool, cache, folio } = await setup()
    // 16 pages: hold the second decompress batch (or the first with maxBatch 16+)
    const hold = gated.holdDecompress(maxBatch >= 16 ? 1 : 2)
    const out = emptyFolio(0, 4)
    const loading = cache.load(out)
    await hold.reached
    expect(cache.invalidate({ type: 0, offset: page })).toBe(true)
    hold.release()
    expect(await loading).toBe(false)
    for (let i = 0; i < 16; i++) expect(has(cache, i)).toBe(i !== page)
    expect(cache.stats().stored_pages).toBe(15)
    expect(pool.live.size).toBe(15)
    expect(cache.stats().cgroups['/'].zswpin).toBe(0)
    // the rest is intact: a load of a 4K page still in place works
    const other = page === 0 ? 1 : 0
    const one = emptyFolio(other)
    expect(await cache.load(one)).toBe(true)
    expect(one.data).toEqual(folio.data.subarray(other * 4096, (other + 1) * 4096))
    expect(cache.invalidateRange({ type: 0, offset: 0 }, 16)).toBe(14)
    expect(pool.live.size).toBe(0)
  })

  it.each([
    ['reference, copies', () => referenceZpool()],
    ['reference, in place', () => referenceZpool({ readInPlace: true })],
    ['zsmalloc, in place', () => zsmalloc()],
  ])('loadBatch (%s): only the folio whose page was invalidated fails', async (_, zpool) => {
    const gated = gatedAccelerator(maxBatch)
    // with in-place reads the held jobs read pool memory that the invalidations free around them
    const cache = createZswap({ accelerator: gated.accel, zpool: zpool() })
    for (let i = 0; i < 12; i++) expect(await cache.store(folioAt(i))).toBe(true)
    const hold = gated.holdDecompress(1)
    const window = Array.from({ length: 12 }, (_, i) => emptyFolio(i))
    const loading = cache.loadBatch(window)
    await hold.reached
    cache.invalidate({ type: 0, offset: 0 }) // in the held batch
    cache.invalidate({ type: 0, offset: 11 }) // in a later batch (or the same)
    hold.release()
    const results = await loading
    expect(results).toEqual(Array.from({ length: 12 }, (_, i) => i !== 0 && i !== 11))
    for (let i = 1; i < 11; i++) expect(window[i].data).toEqual(folioAt(i).data)
    expect(cache.stats().stored_pages).toBe(0)
  })
})

describe('invalidate racing a load without a gate', () => {
  it('a software compressor: invalidate right after load() starts (during its first await)', async () => {
    const cache = createZswap({ compressor: rleCompressor(), zpool: referenceZpool(), mthpEnabled: true })
    expect(await cache.store(folioAt(0, 2))).toBe(true)
    const loading = cache.load(emptyFolio(0, 2))
    expect(cache.invalidate({ type: 0, offset: 3 })).toBe(true)
    expect(await loading).toBe(false)
    for (let i = 0; i < 3; i++) expect(has(cache, i)).toBe(true)
  })

  it('an order-0 load whose page is invalidated during its batch resolves false', async () => {
    const cache = createZswap({
      accelerator: compressorAccelerator(rleCompressor()),
      zpool: referenceZpool(),
    })
    expect(await cache.store(folioAt(5))).toBe(true)
    const loading = cache.load(emptyFolio(5))
    expect(cache.invalidate({ type: 0, offset: 5 })).toBe(true)
    expect(await loading).toBe(false)
    expect(cache.stats().stored_pages).toBe(0)
    expect(cache.stats().cgroups['/'].zswpin).toBe(0)
  })
})

describe('invalidate racing a store', () => {
  it('invalidating a page already stored while a later batch is in flight rejects the folio', async () => {
    const gated = gatedAccelerator(2)
    const pool = trackingZpool()
    const cache = createZswap({ accelerator: gated.accel, zpool: pool.zpool, mthpEnabled: true })
    const hold = gated.holdCompress(3) // pages 4-5 of 8; pages 0-3 are in the index
    const storing = cache.store(folioAt(0, 3))
    await hold.reached
    expect(cache.invalidate({ type: 0, offset: 1 })).toBe(true)
    hold.release()
    expect(await storing).toBe(false)
    for (let i = 0; i < 8; i++) expect(has(cache, i)).toBe(false)
    expect(cache.stats().zswpout['32K']).toBe(0)
    expect(cache.stats().cgroups['/']).toMatchObject({ zswap: 0, zswapped: 0, zswpout: 0 })
    expect(pool.live.size).toBe(0)
  })

  it('invalidating an offset whose page is still compressing drops only the stale entry', async () => {
    const gated = gatedAccelerator(4)
    const cache = createZswap({ accelerator: gated.accel, zpool: referenceZpool(), mthpEnabled: true })
    expect(await cache.store(folioAt(0, 2, 7))).toBe(true)
    const hold = gated.holdCompress(1)
    const newer = folioAt(0, 2, 8)
    const storing = cache.store(newer)
    await hold.reached
    expect(cache.invalidate({ type: 0, offset: 2 })).toBe(true) // the stale page
    hold.release()
    // the invalidate came before the store's page: the store wins, whole
    expect(await storing).toBe(true)
    const out = createFolio({ type: 0, offset: 0 }, 2)
    expect(await cache.load(out)).toBe(true)
    expect(out.data).toEqual(newer.data)
  })
})
