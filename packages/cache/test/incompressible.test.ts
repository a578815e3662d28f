import { type Compressor, compressorAccelerator, createFolio, PAGE_SIZE, type Zpool } from '@zswap/core'
import { faultPlan, faultyZpool, referenceZpool, rleCompressor } from '@zswap/core/testing'
import { describe, expect, it } from 'vitest'
import { byN } from '../../by-n/src/index.js'
import { zsmalloc } from '../../zsmalloc/src/index.js'
import { createZswap, memorySwapDevice } from '../src/index.js'
import { emptyFolio, folioAt, gatedAccelerator, randomPage, testStack, trackingZpool } from './fixtures.js'

// Linux 6.18 (zswap_compress): a page whose compressed size would be
// dlen >= PAGE_SIZE, or whose compression fails, is stored as-is when its
// memory cgroup may write back (mem_cgroup_zswap_writeback_enabled), counted
// in stored_incompressible_pages; zswap_load() memcpy's it. Without write-back
// it is rejected (reject_compress_poor / reject_compress_fail) as before.

const at = (offset: number) => ({ type: 0, offset })
const randomFolio = (offset: number, order = 0, seed = offset, cgroup?: string) => {
  const data = new Uint8Array(PAGE_SIZE << order)
  for (let i = 0; i < 1 << order; i++) data.set(randomPage(seed * 64 + i), i * PAGE_SIZE)
  return createFolio(at(offset), order, data, cgroup)
}

/** A zpool whose reads flip one bit of what they return while `flip.on`. */
function flippingZpool(inner: Zpool = referenceZpool()) {
  const flip = { on: false }
  const zpool: Zpool = {
    specificationVersion: inner.specificationVersion,
    name: `flipping-${inner.name}`,
    capabilities: inner.capabilities,
    malloc: (size) => inner.malloc(size),
    free: (handle) => inner.free(handle),
    write: (handle, src) => inner.write(handle, src),
    read(handle, dst) {
      inner.read(handle, dst)
      if (flip.on) dst[dst.length >>> 1] ^= 0x10
    },
    get totalPages() {
      return inner.totalPages
    },
    destroy: () => inner.destroy(),
  }
  return { zpool, flip }
}

describe('incompressible pages stored as-is (incompressible "store", the default)', () => {
  it('a page that does not compress is one 4096-byte object, loaded by copy without decompression', async () => {
    const { cache, plan } = testStack()
    cache.createCgroup('a')
    const folio = randomFolio(7, 0, 7, 'a')
    expect(await cache.store(folio)).toBe(true)
    const stats = cache.stats()
    expect(stats).toMatchObject({
      stored_pages: 1,
      stored_incompressible_pages: 1,
      pool_total_size: PAGE_SIZE,
      reject_compress_poor: 0,
    })
    expect(stats.cgroups.a).toMatchObject({ zswap: PAGE_SIZE, zswapped: 1, zswpout: 1 })
    expect(stats.zswpout['4K']).toBe(1)
    // a decompression would fail now: the raw page is copied
    plan.failDecompressAt = 1
    const out = emptyFolio(7)
    expect(await cache.load(out)).toBe(true)
    expect(out.data).toEqual(folio.data)
    expect(cache.stats()).toMatchObject({
      stored_pages: 0,
      stored_incompressible_pages: 0,
      decompress_fail: 0,
    })
    expect(cache.stats().cgroups.a.zswpin).toBe(1)
  })

  it('an order-0 raw page loads before load() returns', async () => {
    const { cache } = testStack()
    expect(await cache.store(randomFolio(1))).toBe(true)
    const loading = cache.load(emptyFolio(1))
    expect(cache.has(at(1))).toBe(false)
    expect(await loading).toBe(true)
  })

  it('a large folio with one incompressible page is stored whole; the gauge counts that page', async () => {
    const { cache } = testStack({ mthpEnabled: true })
    const folio = folioAt(0, 3)
    folio.data.set(randomPage(3), 5 * PAGE_SIZE)
    expect(await cache.store(folio)).toBe(true)
    expect(cache.stats()).toMatchObject({ stored_pages: 8, stored_incompressible_pages: 1 })
    const out = emptyFolio(0, 3)
    expect(await cache.load(out)).toBe(true)
    expect(out.data).toEqual(folio.data)
    expect(cache.stats().stored_incompressible_pages).toBe(0)
  })

  it('a cgroup without write-back rejects it (reject_compress_poor), as before 6.18', async () => {
    const { cache } = testStack({ mthpEnabled: true })
    cache.createCgroup('nowb', { writeback: false })
    expect(await cache.store(folioAt(0, 0, 0, 'nowb'))).toBe(true)
    expect(await cache.store(randomFolio(0, 0, 1, 'nowb'))).toBe(false)
    expect(cache.has(at(0))).toBe(false) // the stale entry went too
    expect(cache.stats()).toMatchObject({
      reject_compress_poor: 1,
      stored_incompressible_pages: 0,
      stored_pages: 0,
    })
    // writeback turned on: stored as-is
    cache.setCgroup('nowb', { writeback: true })
    expect(await cache.store(randomFolio(0, 0, 1, 'nowb'))).toBe(true)
    expect(cache.stats().stored_incompressible_pages).toBe(1)
  })

  it('a compression error stores the page as-is; without write-back it is reject_compress_fail', async () => {
    const { cache, plan } = testStack({ mthpEnabled: true })
    cache.createCgroup('nowb', { writeback: false })
    plan.failCompressAt = 2
    const folio = folioAt(0, 1)
    expect(await cache.store(folio)).toBe(true)
    expect(cache.stats()).toMatchObject({ stored_incompressible_pages: 1, reject_compress_fail: 0 })
    const out = emptyFolio(0, 1)
    expect(await cache.load(out)).toBe(true)
    expect(out.data).toEqual(folio.data)
    plan.failCompressAt = 1
    expect(await cache.store(folioAt(4, 0, 4, 'nowb'))).toBe(false)
    expect(cache.stats().reject_compress_fail).toBe(1)
  })

  it('results that are not a size (0, NaN, a fraction, past the page) and PAGE_SIZE itself store the page as-is', async () => {
    for (const bad of [0, Number.NaN, 12.5, PAGE_SIZE, -5]) {
      const { cache } = testStack()
      const inner = compressorAccelerator(rleCompressor())
      cache.setCompressor({
        ...inner,
        async compressBatch(jobs, count) {
          await inner.compressBatch(jobs, count)
          jobs[0].length = bad
        },
      })
      const folio = folioAt(1)
      expect(await cache.store(folio), String(bad)).toBe(true)
      expect(cache.stats()).toMatchObject({ stored_incompressible_pages: 1, reject_compress_fail: 0 })
      const out = emptyFolio(1)
      expect(await cache.load(out)).toBe(true)
      expect(out.data).toEqual(folio.data)
    }
  })

  it('an accelerator batch that rejects or throws: every page of it stored as-is', async () => {
    for (const how of ['reject', 'throw'] as const) {
      const gated = gatedAccelerator(4)
      const pool = trackingZpool()
      const cache = createZswap({ accelerator: gated.accel, zpool: pool.zpool, mthpEnabled: true })
      gated.failCompress(2, how)
      const folio = folioAt(0, 3)
      expect(await cache.store(folio)).toBe(true)
      expect(cache.stats()).toMatchObject({ stored_pages: 8, stored_incompressible_pages: 4 })
      const out = emptyFolio(0, 3)
      expect(await cache.load(out)).toBe(true)
      expect(out.data).toEqual(folio.data)
      expect(pool.live.size).toBe(0)
    }
  })

  it('write-back writes the raw page itself', async () => {
    const { cache, device } = testStack()
    const folio = randomFolio(9)
    expect(await cache.store(folio)).toBe(true)
    expect(await cache.shrink(1)).toBe(1)
    const page = new Uint8Array(PAGE_SIZE)
    await device.read(9, page)
    expect(page).toEqual(folio.data)
    expect(cache.stats()).toMatchObject({
      written_back_pages: 1,
      stored_incompressible_pages: 0,
      pool_total_size: 0,
    })
  })

  it('invalidate and a store over it drop the gauge', async () => {
    const { cache } = testStack()
    expect(await cache.store(randomFolio(1))).toBe(true)
    expect(await cache.store(randomFolio(2))).toBe(true)
    expect(cache.invalidate(at(1))).toBe(true)
    expect(await cache.store(folioAt(2))).toBe(true)
    expect(cache.stats()).toMatchObject({ stored_incompressible_pages: 0, stored_pages: 1 })
  })

  it('a zpool that cannot hold a page (zbud: objects below 4096 bytes) rejects as before', async () => {
    const small = referenceZpool()
    const zpool: Zpool = {
      ...small,
      capabilities: { maxObjectSize: PAGE_SIZE - 64 },
      malloc: (size) => small.malloc(size),
      get totalPages() {
        return small.totalPages
      },
    }
    const cache = createZswap({ compressor: rleCompressor(), zpool })
    expect(await cache.store(randomFolio(0))).toBe(false)
    expect(cache.stats()).toMatchObject({ reject_compress_poor: 1, stored_incompressible_pages: 0 })
  })

  it('a zpool fault on the raw object unwinds the folio like any other', async () => {
    const plan = faultPlan()
    const pool = trackingZpool(faultyZpool(referenceZpool(), plan))
    const cache = createZswap({ compressor: rleCompressor(), zpool: pool.zpool, mthpEnabled: true })
    expect(await cache.store(folioAt(0, 1))).toBe(true)
    plan.failMallocAt = 2
    expect(await cache.store(randomFolio(0, 1))).toBe(false)
    expect(cache.stats()).toMatchObject({
      reject_alloc_fail: 1,
      stored_incompressible_pages: 0,
      stored_pages: 0,
    })
    expect(pool.live.size).toBe(0)
  })
})

describe('a raw page is checked: no wrong page ever', () => {
  it('a flipped bit fails the load (decompress_fail) and keeps the entry; the good read then loads', async () => {
    const { zpool, flip } = flippingZpool()
    const cache = createZswap({ compressor: rleCompressor(), zpool, mthpEnabled: true })
    const folio = randomFolio(0)
    expect(await cache.store(folio)).toBe(true)
    flip.on = true
    expect(await cache.load(emptyFolio(0))).toBe(false)
    expect(cache.stats()).toMatchObject({ decompress_fail: 1, stored_incompressible_pages: 1 })
    expect(cache.has(at(0))).toBe(true)
    // the batch path (a large folio) checks too
    const big = randomFolio(8, 1)
    expect(await cache.store(big)).toBe(true)
    expect(await cache.load(emptyFolio(8, 1))).toBe(false)
    flip.on = false
    const out = emptyFolio(0)
    expect(await cache.load(out)).toBe(true)
    expect(out.data).toEqual(folio.data)
  })

  it('a flipped bit fails the write-back and keeps the entry; nothing reaches the device', async () => {
    const { zpool, flip } = flippingZpool()
    const device = memorySwapDevice({ pages: 16 })
    const cache = createZswap({ compressor: rleCompressor(), zpool, swapDevice: device })
    expect(await cache.store(randomFolio(3))).toBe(true)
    flip.on = true
    expect(await cache.shrink(1)).toBe(0)
    expect(cache.stats()).toMatchObject({ decompress_fail: 1, written_back_pages: 0, stored_pages: 1 })
    const page = new Uint8Array(PAGE_SIZE)
    await device.read(3, page)
    expect(page.every((b) => b === 0)).toBe(true)
  })
})

describe('multi-page objects that do not compress', () => {
  for (const objectPages of [4, 16] as const) {
    it(`objectPages ${objectPages}: one raw object of the pages; partial loads and write-back copy them`, async () => {
      const pool = trackingZpool(referenceZpool({ maxObjectSize: objectPages * PAGE_SIZE }))
      const device = memorySwapDevice({ pages: 256 })
      const cache = createZswap({
        compressor: rleCompressor(),
        zpool: pool.zpool,
        swapDevice: device,
        mthpEnabled: true,
        objectPages,
      })
      const folio = randomFolio(0, 4)
      expect(await cache.store(folio)).toBe(true)
      expect(cache.stats()).toMatchObject({
        stored_pages: 16,
        stored_objects: 16 / objectPages,
        stored_incompressible_pages: 16,
        pool_total_size: 16 * PAGE_SIZE,
      })
      // a 4K load out of the first object, then the rest of that object's pages
      const one = emptyFolio(1)
      expect(await cache.load(one)).toBe(true)
      expect(one.data).toEqual(folio.data.subarray(PAGE_SIZE, 2 * PAGE_SIZE))
      expect(cache.stats().stored_incompressible_pages).toBe(15)
      // write-back takes a whole object: the coldest is the first, with its pages left
      const written = await cache.shrink(1)
      expect(written).toBe(objectPages - 1)
      const page = new Uint8Array(PAGE_SIZE)
      await device.read(2, page)
      expect(page).toEqual(folio.data.subarray(2 * PAGE_SIZE, 3 * PAGE_SIZE))
      expect(cache.stats().stored_incompressible_pages).toBe(16 - objectPages)
      cache.invalidateRange(at(0), 16)
      expect(cache.stats().stored_incompressible_pages).toBe(0)
      expect(pool.live.size).toBe(0)
    })
  }

  it('by_n over zsmalloc (multi-page): an object whose chunks do not shrink is stored raw', async () => {
    const cache = createZswap({
      compressor: byN(rleCompressor(), { n: 4 }) as unknown as Compressor,
      zpool: zsmalloc({ multiPage: true }),
      mthpEnabled: true,
      objectPages: 4,
    })
    const folio = randomFolio(0, 2)
    expect(await cache.store(folio)).toBe(true)
    expect(cache.stats()).toMatchObject({ stored_incompressible_pages: 4, stored_objects: 1 })
    const out = emptyFolio(0, 2)
    expect(await cache.load(out)).toBe(true)
    expect(out.data).toEqual(folio.data)
  })
})

describe('incompressible "reject": the rule before 6.18', () => {
  it('an incompressible page, a compression error and a failed batch are rejected and counted', async () => {
    const { cache, plan } = testStack({ incompressible: 'reject' })
    expect(await cache.store(randomFolio(0))).toBe(false)
    plan.failCompressAt = 1
    expect(await cache.store(folioAt(1))).toBe(false)
    expect(cache.stats()).toMatchObject({
      reject_compress_poor: 1,
      reject_compress_fail: 1,
      stored_incompressible_pages: 0,
      stored_pages: 0,
    })
  })

  it('rejects an option value that is not store or reject', () => {
    expect(() =>
      createZswap({ compressor: rleCompressor(), zpool: referenceZpool(), incompressible: 'raw' as never }),
    ).toThrow(/incompressible must be 'store' or 'reject'/)
  })
})
