import { PAGE_SIZE } from '@zswap/core'
import { faultPlan, faultySwapDevice, faultyZpool, referenceZpool, rleCompressor } from '@zswap/core/testing'
import { describe, expect, it } from 'vitest'
import { createZswap, memorySwapDevice, type Zswap, type ZswapOptions } from '../src/index.js'
import { emptyFolio, folioAt, gatedAccelerator, trackingZpool } from './fixtures.js'

const has = (cache: Zswap, offset: number) => cache.has({ type: 0, offset })
const pageOf = (data: Uint8Array, i: number) => data.subarray(i * PAGE_SIZE, (i + 1) * PAGE_SIZE)
const OBJECT_BYTES = 16 * PAGE_SIZE

/** Every offset of the range empty, no object left in the zpool, counters back to zero. */
function expectUnwound(cache: Zswap, live: Set<number>, offset: number, pages: number): void {
  for (let i = 0; i < pages; i++) expect(has(cache, offset + i)).toBe(false)
  expect(live.size).toBe(0)
  const stats = cache.stats()
  expect(stats.stored_pages).toBe(0)
  expect(stats.stored_objects).toBe(0)
  expect(stats.pool_total_size).toBe(0)
  expect(stats.cgroups['/']).toMatchObject({ zswap: 0, zswapped: 0 })
}

/** A gated accelerator (maxBatch 2) over rle that takes 64 KiB objects, a tracked reference zpool, a memory device. */
function gatedStack(objectPages: 4 | 16, plan = faultPlan(), extra: Partial<ZswapOptions> = {}) {
  const gated = gatedAccelerator(2, rleCompressor(), { maxInputSize: OBJECT_BYTES })
  const pool = trackingZpool(faultyZpool(referenceZpool({ maxObjectSize: OBJECT_BYTES }), plan))
  const device = faultySwapDevice(memorySwapDevice({ pages: 4096 }), plan)
  const cache = createZswap({
    accelerator: gated.accel,
    zpool: pool.zpool,
    swapDevice: device,
    mthpEnabled: true,
    ramBytes: 1 << 30,
    objectPages,
    ...extra,
  })
  return { gated, pool, device, cache, plan }
}

describe.each([4, 16] as const)('faults with objectPages %i unwind the folio', (objectPages) => {
  // a 128K folio: 32 / objectPages objects, in batches of 2
  const pages = 32
  const objects = pages / objectPages

  for (const fault of ['reject', 'throw'] as const) {
    it(`a compress batch that ${fault}s, over an existing folio of objects (incompressible 'reject')`, async () => {
      const { gated, pool, cache } = gatedStack(objectPages, faultPlan(), { incompressible: 'reject' })
      expect(await cache.store(folioAt(0, 5, 1))).toBe(true)
      gated.failCompress(objects / 2, fault) // the last batch
      expect(await cache.store(folioAt(0, 5, 2))).toBe(false)
      expectUnwound(cache, pool.live, 0, pages)
      expect(cache.stats().reject_compress_fail).toBe(1)
    })
  }

  it('zpool.write throwing on the second object: nothing of either folio stays', async () => {
    const { pool, cache } = gatedStack(objectPages)
    expect(await cache.store(folioAt(0, 5, 1))).toBe(true)
    pool.failWrite(2)
    expect(await cache.store(folioAt(0, 5, 2))).toBe(false)
    expectUnwound(cache, pool.live, 0, pages)
    expect(cache.stats().reject_alloc_fail).toBe(1)
  })

  it('zpool.malloc failing on the last object: nothing of either folio stays', async () => {
    const { pool, cache, plan } = gatedStack(objectPages)
    expect(await cache.store(folioAt(0, 5, 1))).toBe(true)
    plan.failMallocAt = objects
    expect(await cache.store(folioAt(0, 5, 2))).toBe(false)
    expectUnwound(cache, pool.live, 0, pages)
    expect(cache.stats().reject_alloc_fail).toBe(1)
  })

  it('a storeBatch fault rejects only the folios of that batch (incompressible reject)', async () => {
    const { gated, pool, cache } = gatedStack(objectPages, faultPlan(), { incompressible: 'reject' })
    // objects: folio 0 → 1, folio 1 → 16 / objectPages, folio 2 → 1 (order 0)
    gated.failCompress(1, 'reject')
    const folios = [folioAt(0, 2), folioAt(16, 4), folioAt(40)]
    const results = await cache.storeBatch(folios)
    // batch 1 holds folio 0's object and folio 1's first: both fail; folio 2 is in a later batch
    expect(results).toEqual([false, false, true])
    expect(pool.live.size).toBe(1)
    expect(cache.stats().stored_objects).toBe(1)
  })

  for (const how of ['reject', 'throw'] as const) {
    it(`a decompress batch that ${how}s fails the load, entries kept`, async () => {
      const { gated, cache } = gatedStack(objectPages)
      const folio = folioAt(0, 5)
      expect(await cache.store(folio)).toBe(true)
      gated.failDecompress(1, how)
      expect(await cache.load(emptyFolio(0, 5))).toBe(false)
      expect(cache.stats().decompress_fail).toBeGreaterThan(0)
      // a page of an object too
      gated.failDecompress(1, how)
      expect(await cache.load(emptyFolio(3))).toBe(false)
      expect(cache.stats().stored_pages).toBe(pages)
      const out = emptyFolio(0, 5)
      expect(await cache.load(out)).toBe(true)
      expect(out.data).toEqual(folio.data)
    })
  }

  it('zpool.read throwing fails a partial load, entries kept', async () => {
    const { pool, cache } = gatedStack(objectPages)
    const folio = folioAt(0, 5)
    expect(await cache.store(folio)).toBe(true)
    pool.setFailReads(true)
    expect(await cache.load(emptyFolio(1, 1))).toBe(false)
    expect(cache.stats().decompress_fail).toBe(1)
    pool.setFailReads(false)
    const out = emptyFolio(1, 1)
    expect(await cache.load(out)).toBe(true)
    expect(out.data).toEqual(folio.data.subarray(PAGE_SIZE, 3 * PAGE_SIZE))
  })

  it('write-back whose decompression fails keeps every page of the object', async () => {
    const { gated, cache, device } = gatedStack(objectPages)
    const folio = folioAt(0, 5)
    expect(await cache.store(folio)).toBe(true)
    gated.failDecompress(1, 'reject')
    // the coldest object fails (after a second chance for every page)
    expect(await cache.shrink(1)).toBe(0)
    expect(cache.stats().reject_reclaim_fail).toBe(1)
    expect(cache.stats().stored_pages).toBe(pages)
    const page = new Uint8Array(PAGE_SIZE)
    await device.read(0, page)
    expect(page.every((b) => b === 0)).toBe(true)
    expect(await cache.shrink(1)).toBe(objectPages)
    await device.read(0, page)
    expect(page).toEqual(pageOf(folio.data, 0))
  })

  it('a device write failing for one page keeps every page of the object', async () => {
    const { cache, plan, pool } = gatedStack(objectPages)
    const folio = folioAt(0, 5)
    expect(await cache.store(folio)).toBe(true)
    plan.failWriteAt = 2
    expect(await cache.shrink(1)).toBe(0)
    expect(cache.stats().reject_reclaim_fail).toBe(1)
    expect(cache.stats().stored_pages).toBe(pages)
    expect(pool.live.size).toBe(objects)
    const out = emptyFolio(0, 5)
    expect(await cache.load(out)).toBe(true)
    expect(out.data).toEqual(folio.data)
  })
})

describe.each([4, 16] as const)('invalidate racing object operations (objectPages %i)', (objectPages) => {
  it('during a one-page load: another page of the object does not matter; the page itself fails it', async () => {
    const { gated, pool, cache } = gatedStack(objectPages)
    const folio = folioAt(0, 4)
    expect(await cache.store(folio)).toBe(true)
    let hold = gated.holdDecompress(1)
    let out = emptyFolio(2)
    let loading = cache.load(out)
    await hold.reached
    expect(cache.invalidate({ type: 0, offset: 1 })).toBe(true)
    hold.release()
    expect(await loading).toBe(true)
    expect(out.data).toEqual(pageOf(folio.data, 2))
    hold = gated.holdDecompress(1)
    out = emptyFolio(3)
    loading = cache.load(out)
    await hold.reached
    expect(cache.invalidate({ type: 0, offset: 3 })).toBe(true)
    hold.release()
    expect(await loading).toBe(false)
    expect(cache.stats().stored_pages).toBe(13)
    expect(pool.live.size).toBe(16 / objectPages)
    expect(cache.invalidateRange({ type: 0, offset: 0 }, 16)).toBe(13)
    expect(pool.live.size).toBe(0)
  })

  it('during write-back: the invalidated page is neither written nor freed twice; the rest is written', async () => {
    const { gated, pool, cache, device } = gatedStack(objectPages)
    const folio = folioAt(0, 4)
    expect(await cache.store(folio)).toBe(true)
    const hold = gated.holdDecompress(1)
    const shrinking = cache.shrink(1)
    await hold.reached
    expect(cache.invalidate({ type: 0, offset: 2 })).toBe(true)
    hold.release()
    expect(await shrinking).toBe(objectPages - 1)
    const page = new Uint8Array(PAGE_SIZE)
    await device.read(2, page)
    expect(page.every((b) => b === 0)).toBe(true)
    await device.read(1, page)
    expect(page).toEqual(pageOf(folio.data, 1))
    expect(pool.live.size).toBe(16 / objectPages - 1)
    expect(cache.stats().stored_pages).toBe(16 - objectPages)
    expect(cache.stats().cgroups['/'].zswapped).toBe(16 - objectPages)
  })

  it('during write-back: every page of the object invalidated: nothing written, the object is gone', async () => {
    const { gated, pool, cache } = gatedStack(objectPages)
    expect(await cache.store(folioAt(0, 4))).toBe(true)
    const hold = gated.holdDecompress(1)
    const shrinking = cache.shrink(1)
    await hold.reached
    expect(cache.invalidateRange({ type: 0, offset: 0 }, objectPages)).toBe(objectPages)
    hold.release()
    // as for a page invalidated during its write-back: nothing written, a reclaim failure
    expect(await shrinking).toBe(0)
    expect(cache.stats()).toMatchObject({ written_back_pages: 0, reject_reclaim_fail: 1 })
    expect(pool.live.size).toBe(16 / objectPages - 1)
  })

  it('during a store: invalidating a stale page of an old object drops only that page', async () => {
    const { gated, pool, cache } = gatedStack(objectPages)
    expect(await cache.store(folioAt(0, 4, 1))).toBe(true)
    const hold = gated.holdCompress(1)
    const fresh = folioAt(0, 4, 2)
    const storing = cache.store(fresh)
    await hold.reached
    expect(cache.invalidate({ type: 0, offset: 2 })).toBe(true) // still the old page
    hold.release()
    expect(await storing).toBe(true)
    expect(pool.live.size).toBe(16 / objectPages)
    const out = emptyFolio(0, 4)
    expect(await cache.load(out)).toBe(true)
    expect(out.data).toEqual(fresh.data)
    expect(pool.live.size).toBe(0)
  })
})

describe.each([4, 16] as const)('limits with objectPages %i', (objectPages) => {
  it('a large folio hitting the pool limit midway is stored not at all; stored folios stay', async () => {
    const pool = trackingZpool(referenceZpool({ maxObjectSize: OBJECT_BYTES }))
    const cache = createZswap({
      compressor: rleCompressor(),
      zpool: pool.zpool,
      mthpEnabled: true,
      objectPages,
      ramBytes: 100 * PAGE_SIZE,
      maxPoolPercent: 10, // 10 pool pages: one per object here
    })
    for (let i = 0; i < 8; i++) expect(await cache.store(folioAt(1000 + i))).toBe(true)
    // a 256K folio: 64 / objectPages objects, more than the 2 pages left
    expect(await cache.store(folioAt(0, 6))).toBe(false)
    expect(cache.stats().pool_limit_hit).toBe(1)
    expect(cache.stats().stored_pages).toBe(8)
    expect(pool.live.size).toBe(8)
    for (let i = 0; i < 64; i++) expect(has(cache, i)).toBe(false)
  })

  it('zswapMax counts the bytes of every object until it is freed', async () => {
    const { cache } = gatedStack(objectPages)
    cache.createCgroup('c')
    const folio = { ...folioAt(0, 4), cgroup: 'c' }
    expect(await cache.store(folio)).toBe(true)
    const bytes = cache.stats().cgroups.c.zswap
    cache.setCgroup('c', { zswapMax: bytes, writeback: false })
    // one page out of every object: the objects are all still held, and so is the charge
    for (let i = 0; i < 16; i += objectPages) expect(await cache.load(emptyFolio(i))).toBe(true)
    expect(cache.stats().cgroups.c).toMatchObject({ zswap: bytes, zswapped: 16 - 16 / objectPages })
    expect(await cache.store({ ...folioAt(100), cgroup: 'c' })).toBe(false)
    cache.invalidateRange({ type: 0, offset: 0 }, objectPages)
    expect(cache.stats().cgroups.c.zswap).toBeLessThan(bytes)
    expect(await cache.store({ ...folioAt(100), cgroup: 'c' })).toBe(true)
  })
})
