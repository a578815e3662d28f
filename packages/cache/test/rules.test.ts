import { ObjectTooLargeError, PAGE_SIZE, type Zpool } from '@zswap/core'
import { referenceZpool, rleCompressor } from '@zswap/core/testing'
import { describe, expect, it } from 'vitest'
import { createZswap, memorySwapDevice } from '../src/index.js'
import {
  emptyFolio,
  folioAt,
  shortDecompressor,
  swappedRleCompressor,
  testStack,
  trackingZpool,
} from './fixtures.js'

// One rule per block; each test here was checked by hand to fail when its rule is broken.

const zero = new Uint8Array(PAGE_SIZE)
// 200 pages of "RAM" at 10 % = a 20-page pool; the reference zpool uses one page per entry.
const small = { ramBytes: 200 * PAGE_SIZE, maxPoolPercent: 10 }

describe('the shrinker', () => {
  it('respects the referenced bit: a referenced tail gets a second chance over an older-scanned entry', async () => {
    const { cache, plan } = testStack()
    await cache.store(folioAt(1))
    await cache.store(folioAt(2))
    expect(await cache.shrink(1)).toBe(1) // clears both bits, writes 1 back
    await cache.store(folioAt(3)) // referenced: LRU head 3, tail 2 (unreferenced)
    plan.alwaysFailWrite = true
    expect(await cache.shrink(1)).toBe(0) // 2 fails and moves to the head: tail 3 is referenced
    plan.alwaysFailWrite = false
    expect(await cache.shrink(1)).toBe(1)
    expect(cache.has({ type: 0, offset: 2 })).toBe(false) // second chance: 3 stays
    expect(cache.has({ type: 0, offset: 3 })).toBe(true)
  })

  it('goes round-robin over cgroups instead of draining one', async () => {
    const { cache } = testStack()
    cache.createCgroup('a')
    cache.createCgroup('b')
    for (let i = 0; i < 4; i++) await cache.store(folioAt(i, 0, i, 'a'))
    for (let i = 0; i < 4; i++) await cache.store(folioAt(10 + i, 0, 10 + i, 'b'))
    expect(await cache.shrink(4)).toBe(4)
    expect(cache.stats().cgroups.a.zswpwb).toBe(2)
    expect(cache.stats().cgroups.b.zswpwb).toBe(2)
    // the cursor carries over between calls
    expect(await cache.shrink(1)).toBe(1)
    expect(await cache.shrink(1)).toBe(1)
    expect(cache.stats().cgroups.a.zswpwb).toBe(3)
    expect(cache.stats().cgroups.b.zswpwb).toBe(3)
  })

  it('skips cgroups with writeback off and writes the others', async () => {
    const { cache } = testStack()
    cache.createCgroup('nowb', { writeback: false })
    for (let i = 0; i < 4; i++) await cache.store(folioAt(i, 0, i, 'nowb'))
    for (let i = 0; i < 2; i++) await cache.store(folioAt(10 + i))
    expect(await cache.shrink(10)).toBe(2)
    expect(cache.stats().cgroups.nowb).toMatchObject({ zswpwb: 0, zswapped: 4 })
    expect(cache.stats().reject_reclaim_fail).toBe(0)
  })

  it('a full pool of writeback-off entries cannot make room: the store is rejected', async () => {
    const { cache } = testStack(small)
    cache.createCgroup('nowb', { writeback: false })
    for (let i = 0; i < 20; i++) expect(await cache.store(folioAt(i, 0, i, 'nowb'))).toBe(true)
    expect(await cache.store(folioAt(20))).toBe(false)
    expect(cache.stats().written_back_pages).toBe(0)
    expect(cache.stats().stored_pages).toBe(20)
  })
})

describe('write-back', () => {
  it('decompresses with the compressor that made the entry (two formats)', async () => {
    const { cache, device } = testStack()
    await cache.store(folioAt(1))
    cache.setCompressor(swappedRleCompressor())
    await cache.store(folioAt(2))
    expect(await cache.shrink(2)).toBe(2)
    const page = new Uint8Array(PAGE_SIZE)
    for (const offset of [1, 2]) {
      await device.read(offset, page)
      expect(page).toEqual(folioAt(offset).data)
    }
    expect(cache.stats().decompress_fail).toBe(0)
  })

  it('a short decompression is not written back; the entry stays', async () => {
    const device = memorySwapDevice({ pages: 64 })
    const cache = createZswap({
      compressor: shortDecompressor(),
      zpool: referenceZpool(),
      swapDevice: device,
    })
    await cache.store(folioAt(5))
    expect(await cache.shrink(1)).toBe(0)
    expect(cache.stats()).toMatchObject({ decompress_fail: 1, reject_reclaim_fail: 1, written_back_pages: 0 })
    expect(cache.has({ type: 0, offset: 5 })).toBe(true)
    const page = new Uint8Array(PAGE_SIZE)
    await device.read(5, page)
    expect(page).toEqual(zero)
  })

  it('a failed decompression writes nothing and frees nothing', async () => {
    const { cache, plan, device } = testStack()
    await cache.store(folioAt(5))
    plan.failDecompressAt = 1
    expect(await cache.shrink(1)).toBe(0)
    expect(cache.has({ type: 0, offset: 5 })).toBe(true)
    const page = new Uint8Array(PAGE_SIZE)
    await device.read(5, page)
    expect(page).toEqual(zero)
    const out = emptyFolio(5)
    expect(await cache.load(out)).toBe(true)
    expect(out.data).toEqual(folioAt(5).data)
  })

  it('skips the stale entries of every folio of a storeBatch still being stored', async () => {
    const { cache, device } = testStack({ ...small, mthpEnabled: true })
    for (let i = 0; i < 18; i++) await cache.store(folioAt(100 + i)) // cold
    await cache.store(folioAt(0, 1, 5)) // offsets 0, 1: about to be replaced by the batch's second folio
    // 20 pages: the first folio of the batch hits the limit and writes back
    const results = await cache.storeBatch([folioAt(50, 0, 50), folioAt(0, 1, 6)])
    expect(results).toEqual([true, true])
    const page = new Uint8Array(PAGE_SIZE)
    for (const offset of [0, 1]) {
      await device.read(offset, page)
      expect(page).toEqual(zero) // never written back
    }
    const out = emptyFolio(0, 1)
    expect(await cache.load(out)).toBe(true)
    expect(out.data).toEqual(folioAt(0, 1, 6).data)
  })

  it('a cgroup over its limit skips the stale entries at the offsets it is storing', async () => {
    const { cache, device } = testStack({ mthpEnabled: true })
    cache.createCgroup('a')
    await cache.store(folioAt(0, 2, 1, 'a')) // offsets 0..3, the coldest
    for (let i = 0; i < 4; i++) await cache.store(folioAt(10 + i, 0, 10 + i, 'a'))
    cache.setCgroup('a', { zswapMax: cache.stats().cgroups.a.zswap })
    expect(await cache.store(folioAt(0, 2, 2, 'a'))).toBe(true)
    const page = new Uint8Array(PAGE_SIZE)
    for (let offset = 0; offset < 4; offset++) {
      await device.read(offset, page)
      expect(page).toEqual(zero)
    }
    expect(cache.stats().cgroups.a.zswpwb).toBeGreaterThan(0)
    expect(cache.stats().reject_reclaim_fail).toBeGreaterThan(0)
  })
})

describe('loads', () => {
  it('decompress with the compressor that made each entry (two formats, one batch)', async () => {
    const { cache } = testStack()
    await cache.store(folioAt(1))
    cache.setCompressor(swappedRleCompressor())
    await cache.store(folioAt(2))
    cache.setCompressor(rleCompressor('rle-3'))
    await cache.store(folioAt(3))
    const out = [emptyFolio(1), emptyFolio(2), emptyFolio(3)]
    expect(await cache.loadBatch(out)).toEqual([true, true, true])
    for (const [i, f] of out.entries()) expect(f.data).toEqual(folioAt(i + 1).data)
    expect(cache.stats().decompress_fail).toBe(0)
  })

  it('a short decompression (4095 bytes) fails the load, counted, and the entry stays', async () => {
    const cache = createZswap({ compressor: shortDecompressor(), zpool: referenceZpool() })
    await cache.store(folioAt(5))
    expect(await cache.load(emptyFolio(5))).toBe(false)
    expect(cache.stats().decompress_fail).toBe(1)
    expect(cache.has({ type: 0, offset: 5 })).toBe(true)
  })

  it('count zswpin per page, not per folio', async () => {
    const { cache } = testStack({ mthpEnabled: true })
    cache.createCgroup('a')
    await cache.store(folioAt(0, 3, 0, 'a'))
    expect(await cache.load(emptyFolio(0, 3))).toBe(true)
    expect(cache.stats().cgroups.a.zswpin).toBe(8)
  })
})

describe('store accounting', () => {
  it('ERR_OBJECT_TOO_LARGE from the zpool is a poor compression, not an allocation failure', async () => {
    const inner = referenceZpool()
    const zpool: Zpool = {
      ...inner,
      capabilities: { maxObjectSize: 16 },
      malloc(size) {
        if (size > 16) throw new ObjectTooLargeError('[test] larger than 16 bytes')
        return inner.malloc(size)
      },
      get totalPages() {
        return inner.totalPages
      },
    }
    const cache = createZswap({ compressor: rleCompressor(), zpool })
    expect(await cache.store(folioAt(1))).toBe(false)
    expect(cache.stats()).toMatchObject({ reject_compress_poor: 1, reject_alloc_fail: 0 })
  })

  it('maxPoolPages rounds down, and the pool stops there', async () => {
    const { cache } = testStack({ ramBytes: 205 * PAGE_SIZE, maxPoolPercent: 10, swapDevice: [] })
    expect(cache.maxPoolPages).toBe(20) // 20.5 pages
    for (let i = 0; i < 20; i++) expect(await cache.store(folioAt(i))).toBe(true)
    expect(await cache.store(folioAt(20))).toBe(false)
  })

  it('close() destroys the zpool and frees every object', async () => {
    const pool = trackingZpool()
    let destroyed = 0
    const cache = createZswap({
      compressor: rleCompressor(),
      zpool: { ...pool.zpool, destroy: () => destroyed++, totalPages: 0 },
    })
    await cache.store(folioAt(1))
    await cache.close()
    expect(destroyed).toBe(1)
  })
})

describe('the accept threshold (hysteresis)', () => {
  it('at 100 % a store is accepted as soon as the pool is under the limit', async () => {
    const { cache } = testStack({ ...small, acceptThresholdPercent: 100, swapDevice: [] })
    for (let i = 0; i < 20; i++) await cache.store(folioAt(i))
    expect(await cache.store(folioAt(100))).toBe(false)
    cache.invalidate({ type: 0, offset: 0 })
    expect(await cache.store(folioAt(101))).toBe(true)
  })

  it('at 90 % (18 of 20 pages): 19 pages still rejects, 18 accepts', async () => {
    const { cache } = testStack({ ...small, swapDevice: [] })
    for (let i = 0; i < 20; i++) await cache.store(folioAt(i))
    expect(await cache.store(folioAt(100))).toBe(false)
    cache.invalidate({ type: 0, offset: 0 })
    expect(await cache.store(folioAt(101))).toBe(false)
    cache.invalidate({ type: 0, offset: 1 })
    expect(await cache.store(folioAt(102))).toBe(true)
    // below the limit again and not full: accepted up to the limit
    expect(await cache.store(folioAt(103))).toBe(true)
    expect(await cache.store(folioAt(104))).toBe(false)
  })

  it('the shrinker writes back down to the threshold (50 %: 10 pages)', async () => {
    const { cache } = testStack({ ...small, acceptThresholdPercent: 50 })
    for (let i = 0; i < 20; i++) await cache.store(folioAt(i))
    expect(await cache.store(folioAt(20))).toBe(true)
    expect(cache.stats().written_back_pages).toBe(10)
    expect(cache.stats().stored_pages).toBe(11)
  })
})

describe('cgroup zswapMax other than 0', () => {
  it('usage equal to the limit is over it: the cgroup writes back until it is under', async () => {
    const { cache } = testStack()
    cache.createCgroup('a')
    for (let i = 0; i < 4; i++) await cache.store(folioAt(i, 0, i, 'a'))
    const usage = cache.stats().cgroups.a.zswap
    cache.setCgroup('a', { zswapMax: usage }) // exactly at the limit
    expect(await cache.store(folioAt(10, 0, 10, 'a'))).toBe(true)
    expect(cache.stats().cgroups.a.zswpwb).toBe(1)
  })

  it('usage under the limit stores without writing back', async () => {
    const { cache } = testStack()
    cache.createCgroup('a')
    for (let i = 0; i < 4; i++) await cache.store(folioAt(i, 0, i, 'a'))
    cache.setCgroup('a', { zswapMax: cache.stats().cgroups.a.zswap + 1 })
    expect(await cache.store(folioAt(10, 0, 10, 'a'))).toBe(true)
    expect(cache.stats().cgroups.a.zswpwb).toBe(0)
    // now over: the next store writes back
    expect(await cache.store(folioAt(11, 0, 11, 'a'))).toBe(true)
    expect(cache.stats().cgroups.a.zswpwb).toBeGreaterThan(0)
  })

  it('with writeback off, a limit other than 0 rejects once reached and keeps the entries', async () => {
    const { cache } = testStack()
    cache.createCgroup('a', { writeback: false })
    for (let i = 0; i < 4; i++) await cache.store(folioAt(i, 0, i, 'a'))
    cache.setCgroup('a', { zswapMax: cache.stats().cgroups.a.zswap })
    expect(await cache.store(folioAt(10, 0, 10, 'a'))).toBe(false)
    expect(cache.stats().cgroups.a).toMatchObject({ zswpwb: 0, zswapped: 4 })
    expect(await cache.store(folioAt(11))).toBe(true) // other cgroups are not affected
  })
})
