import { PAGE_SIZE } from '@zswap/core'
import { referenceZpool, rleCompressor } from '@zswap/core/testing'
import { describe, expect, it } from 'vitest'
import { createZswap, memorySwapDevice, type Zswap } from '../src/index.js'
import { emptyFolio, folioAt, gatedAccelerator, trackingZpool } from './fixtures.js'

const has = (cache: Zswap, offset: number) => cache.has({ type: 0, offset })

/** Every offset of the folio empty, no object left in the zpool, counters back to zero. */
function expectUnwound(cache: Zswap, live: Set<number>, offset: number, pages: number): void {
  for (let i = 0; i < pages; i++) expect(has(cache, offset + i)).toBe(false)
  expect(live.size).toBe(0)
  const stats = cache.stats()
  expect(stats.stored_pages).toBe(0)
  expect(stats.pool_total_size).toBe(0)
  expect(stats.cgroups['/']).toMatchObject({ zswap: 0, zswapped: 0 })
}

/** The LRU still works: new pages store, and shrink writes back exactly the pages stored. */
async function expectLruConsistent(cache: Zswap): Promise<void> {
  for (let i = 0; i < 4; i++) expect(await cache.store(folioAt(1000 + i))).toBe(true)
  // two passes: the first clears referenced bits
  expect(await cache.shrink(100)).toBe(4)
  expect(cache.stats().stored_pages).toBe(0)
}

// The decision (docs/DESIGN.md, README): a driver fault inside a store is a
// counted rejection — the store resolves false after unwinding the folio.
describe('faults inside a store unwind like a rejection', () => {
  for (const fault of ['closed', 'reject', 'throw'] as const) {
    it(`the accelerator ${fault === 'closed' ? 'closed' : `batch that ${fault}s`} midway through a large folio over an existing one (incompressible 'reject')`, async () => {
      const gated = gatedAccelerator(4)
      const pool = trackingZpool()
      const device = memorySwapDevice({ pages: 4096 })
      const cache = createZswap({
        accelerator: gated.accel,
        zpool: pool.zpool,
        swapDevice: device,
        mthpEnabled: true,
        incompressible: 'reject',
      })
      expect(await cache.store(folioAt(0, 4, 1))).toBe(true) // the old folio
      let storing: Promise<boolean>
      if (fault === 'closed') {
        const hold = gated.holdCompress(3) // pages 8-11: pages 0-7 are in the index
        storing = cache.store(folioAt(0, 4, 2))
        await hold.reached
        await gated.closeInner()
        hold.release()
      } else {
        gated.failCompress(3, fault)
        storing = cache.store(folioAt(0, 4, 2))
      }
      expect(await storing).toBe(false)
      expectUnwound(cache, pool.live, 0, 16)
      const stats = cache.stats()
      expect(stats.reject_compress_fail).toBe(1)
      expect(stats.reject_alloc_fail).toBe(0)
      expect(stats.zswpout['64K']).toBe(1) // the old folio only
      expect(stats.cgroups['/'].zswpout).toBe(16)
      if (fault === 'closed') cache.setCompressor(rleCompressor())
      await expectLruConsistent(cache)
    })
  }

  it('zpool.write throwing on page 3 over an existing folio: nothing of either folio stays, no object leaks', async () => {
    const pool = trackingZpool()
    const device = memorySwapDevice({ pages: 4096 })
    const cache = createZswap({
      compressor: rleCompressor(),
      zpool: pool.zpool,
      swapDevice: device,
      mthpEnabled: true,
    })
    expect(await cache.store(folioAt(0, 2, 1))).toBe(true)
    pool.failWrite(3)
    expect(await cache.store(folioAt(0, 2, 2))).toBe(false)
    expectUnwound(cache, pool.live, 0, 4)
    expect(cache.stats().reject_alloc_fail).toBe(1)
    expect(await cache.load(emptyFolio(0, 2))).toBe(false)
    await expectLruConsistent(cache)
  })

  it('storeBatch: a failed batch rejects its folios, the folios of other batches are stored (incompressible reject)', async () => {
    const gated = gatedAccelerator(4)
    const pool = trackingZpool()
    const cache = createZswap({
      accelerator: gated.accel,
      zpool: pool.zpool,
      mthpEnabled: true,
      incompressible: 'reject',
    })
    gated.failCompress(2, 'reject') // pages 4..7: folio 1 (order 2, pages 2..5) and folio 2 (pages 6..7)
    const folios = [folioAt(0, 1), folioAt(8, 2), folioAt(16, 1), folioAt(24, 2)]
    expect(await cache.storeBatch(folios)).toEqual([true, false, false, true])
    expect(cache.stats().reject_compress_fail).toBe(2)
    expect(cache.stats().stored_pages).toBe(6)
    expect(pool.live.size).toBe(6)
  })

  it('a decompress batch that rejects or throws fails the load, counted, with every entry kept', async () => {
    for (const how of ['reject', 'throw'] as const) {
      const gated = gatedAccelerator(4)
      const cache = createZswap({ accelerator: gated.accel, zpool: referenceZpool(), mthpEnabled: true })
      expect(await cache.store(folioAt(0, 3))).toBe(true)
      gated.failDecompress(2, how)
      expect(await cache.load(emptyFolio(0, 3))).toBe(false)
      expect(cache.stats().decompress_fail).toBeGreaterThan(0)
      expect(cache.stats().stored_pages).toBe(8)
      const out = emptyFolio(0, 3)
      expect(await cache.load(out)).toBe(true)
      expect(out.data).toEqual(folioAt(0, 3).data)
    }
  })

  it.each([
    ['read', false],
    ['readInPlace', true],
  ] as const)('zpool.%s throwing fails the load, counted, with every entry kept', async (method, inPlace) => {
    const pool = trackingZpool(referenceZpool({ readInPlace: inPlace }))
    const cache = createZswap({ compressor: rleCompressor(), zpool: pool.zpool })
    expect(await cache.store(folioAt(3))).toBe(true)
    pool.setFailReads(true)
    expect(await cache.load(emptyFolio(3))).toBe(false)
    expect(cache.stats().decompress_fail).toBe(1)
    pool.setFailReads(false)
    const out = emptyFolio(3)
    expect(await cache.load(out)).toBe(true)
    expect(out.data).toEqual(folioAt(3).data)
    expect(pool.counts[method]).toBe(1)
    expect(pool.counts[inPlace ? 'read' : 'readInPlace']).toBe(0)
  })

  it('write-back whose decompress batch rejects keeps the entry and counts reject_reclaim_fail', async () => {
    const gated = gatedAccelerator(1)
    const device = memorySwapDevice({ pages: 64 })
    const cache = createZswap({ accelerator: gated.accel, zpool: referenceZpool(), swapDevice: device })
    expect(await cache.store(folioAt(3))).toBe(true)
    gated.failDecompress(1, 'reject')
    expect(await cache.shrink(1)).toBe(0)
    expect(cache.stats().reject_reclaim_fail).toBe(1)
    expect(has(cache, 3)).toBe(true)
    const page = new Uint8Array(PAGE_SIZE)
    await device.read(3, page)
    expect(page).toEqual(new Uint8Array(PAGE_SIZE))
    expect(await cache.shrink(1)).toBe(1)
    await device.read(3, page)
    expect(page).toEqual(folioAt(3).data)
  })
})
