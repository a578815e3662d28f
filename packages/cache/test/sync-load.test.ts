import { CorruptDataError, compressorAccelerator, isAccelerator, PAGE_SIZE } from '@zswap/core'
import { faultPlan, faultyCompressor, referenceZpool, rleCompressor } from '@zswap/core/testing'
import { describe, expect, it } from 'vitest'
import { zsmalloc } from '../../zsmalloc/src/index.js'
import { createZswap } from '../src/index.js'
import { emptyFolio, folioAt, gatedAccelerator, shortDecompressor, trackingZpool } from './fixtures.js'

const has = (cache: { has(s: { type: number; offset: number }): boolean }, offset: number) =>
  cache.has({ type: 0, offset })

// An order-0 load of a page a synchronous Compressor made is done inside load(), as the
// kernel's zswap_load() is: the promise load() returns is already settled.
describe('order-0 loads of a synchronous compressor’s pages', () => {
  it.each([
    ['reference zpool (copies)', () => referenceZpool()],
    ['zsmalloc (reads in place)', () => zsmalloc()],
  ])('are done before load() returns: %s', async (_, zpool) => {
    const cache = createZswap({ compressor: rleCompressor(), zpool: zpool() })
    for (let i = 0; i < 3; i++) expect(await cache.store(folioAt(i))).toBe(true)
    const out = emptyFolio(1)
    const loading = cache.load(out)
    // already loaded and freed: an invalidate now finds nothing
    expect(has(cache, 1)).toBe(false)
    expect(out.data).toEqual(folioAt(1).data)
    expect(cache.invalidate({ type: 0, offset: 1 })).toBe(false)
    expect(await loading).toBe(true)
    const stats = cache.stats()
    expect(stats.stored_pages).toBe(2)
    expect(stats.cgroups['/'].zswpin).toBe(1)
    expect(stats.decompress_fail).toBe(0)
    // an absent page resolves false at once, counting nothing
    expect(await cache.load(emptyFolio(1))).toBe(false)
    expect(cache.stats().decompress_fail).toBe(0)
    await cache.close()
  })

  it.each([
    [
      'throws',
      'inside load()',
      () => faultyCompressor(rleCompressor(), { ...faultPlan(), failDecompressAt: 1 }),
    ],
    ['returns a short length', 'inside load()', () => shortDecompressor()],
    [
      'throws',
      'in a batch',
      () => compressorAccelerator(faultyCompressor(rleCompressor(), { ...faultPlan(), failDecompressAt: 1 })),
    ],
    ['returns a short length', 'in a batch', () => compressorAccelerator(shortDecompressor())],
  ])('a decompress that %s (%s) resolves false, counted, with the entry kept', async (_, __, driver) => {
    const c = driver()
    const cache = isAccelerator(c)
      ? createZswap({ accelerator: c, zpool: referenceZpool() })
      : createZswap({ compressor: c, zpool: referenceZpool() })
    expect(await cache.store(folioAt(4))).toBe(true)
    expect(await cache.load(emptyFolio(4))).toBe(false)
    expect(cache.stats().decompress_fail).toBe(1)
    expect(has(cache, 4)).toBe(true)
    expect(cache.stats().cgroups['/'].zswpin).toBe(0)
    if (c.name !== 'rle-short') {
      const out = emptyFolio(4)
      expect(await cache.load(out)).toBe(true)
      expect(out.data).toEqual(folioAt(4).data)
    }
  })

  it('a corrupt object is a counted failure, not a throw', async () => {
    const pool = trackingZpool()
    const cache = createZswap({ compressor: rleCompressor(), zpool: pool.zpool })
    expect(await cache.store(folioAt(2))).toBe(true)
    const handle = [...pool.live][0]
    pool.zpool.write(handle, new Uint8Array([0xff, 0xff, 0xff]))
    const out = emptyFolio(2)
    expect(await cache.load(out)).toBe(false)
    expect(cache.stats().decompress_fail).toBe(1)
    expect(has(cache, 2)).toBe(true)
    expect(() => rleCompressor().decompress(new Uint8Array([0xff, 0xff, 0xff]), out.data)).toThrow(
      CorruptDataError,
    )
  })

  it('wait their turn while a store holds the lock, then load', async () => {
    const gated = gatedAccelerator(1)
    const cache = createZswap({ accelerator: gated.accel, zpool: referenceZpool() })
    cache.setCompressor(rleCompressor())
    expect(await cache.store(folioAt(0))).toBe(true)
    cache.setCompressor(gated.accel)
    const hold = gated.holdCompress(1)
    const storing = cache.store(folioAt(1))
    await hold.reached
    const out = emptyFolio(0)
    const loading = cache.load(out)
    // the store holds the lock: this load is queued, not done
    expect(has(cache, 0)).toBe(true)
    hold.release()
    expect(await storing).toBe(true)
    expect(await loading).toBe(true)
    expect(out.data).toEqual(folioAt(0).data)
    expect(has(cache, 0)).toBe(false)
  })

  it('an accelerator’s pages, and large folios, still load in batches (in flight after load() returns)', async () => {
    const cache = createZswap({
      accelerator: compressorAccelerator(rleCompressor()),
      zpool: referenceZpool(),
      mthpEnabled: true,
    })
    expect(await cache.store(folioAt(0))).toBe(true)
    const loading = cache.load(emptyFolio(0))
    expect(has(cache, 0)).toBe(true)
    expect(await loading).toBe(true)
    cache.setCompressor(rleCompressor())
    expect(await cache.store(folioAt(4, 2))).toBe(true)
    const large = emptyFolio(4, 2)
    const loadingLarge = cache.load(large)
    for (let i = 4; i < 8; i++) expect(has(cache, i)).toBe(true)
    expect(await loadingLarge).toBe(true)
    expect(large.data).toEqual(folioAt(4, 2).data)
    expect(cache.stats().stored_pages).toBe(0)
  })

  it('loadBatch flushes a full batch before the page at offset 0 (entry id 0)', async () => {
    const cache = createZswap({
      accelerator: compressorAccelerator(rleCompressor()),
      zpool: referenceZpool(),
    })
    for (const offset of [0, 5, 9]) expect(await cache.store(folioAt(offset))).toBe(true)
    const window = [5, 0, 9].map((offset) => emptyFolio(offset))
    expect(await cache.loadBatch(window)).toEqual([true, true, true])
    for (const [i, offset] of [5, 0, 9].entries()) expect(window[i].data).toEqual(folioAt(offset).data)
    expect(cache.stats().stored_pages).toBe(0)
  })

  it('a page of a multi-page object loads through the batch path', async () => {
    const cache = createZswap({
      compressor: rleCompressor(),
      zpool: referenceZpool({ maxObjectSize: 4 * PAGE_SIZE }),
      objectPages: 4,
      mthpEnabled: true,
    })
    expect(await cache.store(folioAt(0, 2))).toBe(true)
    const out = emptyFolio(1)
    const loading = cache.load(out)
    expect(has(cache, 1)).toBe(true)
    expect(await loading).toBe(true)
    expect(out.data).toEqual(folioAt(0, 2).data.subarray(PAGE_SIZE, 2 * PAGE_SIZE))
  })
})
