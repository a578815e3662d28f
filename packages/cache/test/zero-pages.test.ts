import { createFolio, type Folio, PAGE_SIZE } from '@zswap/core'
import { rleCompressor } from '@zswap/core/testing'
import { describe, expect, it } from 'vitest'
import { createZswap } from '../src/index.js'
import { isZeroFilled, ZeroMap } from '../src/zero-map.js'
import { emptyFolio, folioAt, randomPage, testStack, trackingZpool } from './fixtures.js'

// Linux ≥ 6.12: swap_writepage() marks an all-zero folio in the swap type's
// zeromap (swpout_zero) and never calls zswap_store(); swap_read_folio()
// fills zeros for it (swpin_zero). zeroPages 'store' keeps the older rule.

const at = (offset: number) => ({ type: 0, offset })
const zeroFolio = (offset: number, order = 0, cgroup?: string): Folio =>
  createFolio(at(offset), order, new Uint8Array(PAGE_SIZE << order), cgroup)
/** A folio to load into, filled with 0xff so that a load that writes nothing shows. */
const dirtyFolio = (offset: number, order = 0): Folio =>
  createFolio(at(offset), order, new Uint8Array(PAGE_SIZE << order).fill(0xff))

describe('all-zero folios (zeroPages "map", the default)', () => {
  it('an order-0 zero folio takes no pool object, no cgroup charge, and loads as zeros', async () => {
    const { cache } = testStack()
    cache.createCgroup('a')
    expect(await cache.store(zeroFolio(3, 0, 'a'))).toBe(true)
    expect(cache.has(at(3))).toBe(true)
    let stats = cache.stats()
    expect(stats).toMatchObject({ stored_pages: 0, stored_objects: 0, pool_total_size: 0, swpout_zero: 1 })
    expect(stats.swpout_zero_folios['4K']).toBe(1)
    expect(stats.zswpout['4K']).toBe(0)
    expect(stats.cgroups.a).toMatchObject({ zswap: 0, zswapped: 0, zswpout: 0 })
    expect(cache.storedPages).toBe(0)
    const out = dirtyFolio(3)
    expect(await cache.load(out)).toBe(true)
    expect(isZeroFilled(out.data)).toBe(true)
    stats = cache.stats()
    expect(stats.swpin_zero).toBe(1)
    expect(stats.cgroups.a.zswpin).toBe(0)
    // loads are exclusive: the bit is cleared
    expect(cache.has(at(3))).toBe(false)
    expect(await cache.load(dirtyFolio(3))).toBe(false)
  })

  it('a large zero folio is mapped whole and counted by order; it loads whole or page by page', async () => {
    const { cache } = testStack({ mthpEnabled: true })
    expect(await cache.store(zeroFolio(8, 3))).toBe(true)
    const stats = cache.stats()
    expect(stats).toMatchObject({ stored_pages: 0, pool_total_size: 0, swpout_zero: 8 })
    expect(stats.swpout_zero_folios['32K']).toBe(1)
    expect(stats.zswpout['32K']).toBe(0)
    const one = dirtyFolio(10)
    expect(await cache.load(one)).toBe(true)
    expect(isZeroFilled(one.data)).toBe(true)
    // page 10 is gone now: the whole folio no longer loads, the others stay
    expect(await cache.load(dirtyFolio(8, 3))).toBe(false)
    expect(cache.has(at(9))).toBe(true)
    const rest = dirtyFolio(12, 2)
    expect(await cache.load(rest)).toBe(true)
    expect(isZeroFilled(rest.data)).toBe(true)
    expect(cache.stats().swpin_zero).toBe(5)
  })

  it('the zero map comes before zswap: disabled, mthp off, a cgroup at its limit and faults do not reject it', async () => {
    const { cache, plan } = testStack({ enabled: false })
    cache.createCgroup('full', { zswapMax: 0, writeback: false })
    plan.alwaysFailCompress = true
    plan.alwaysFailMalloc = true
    expect(await cache.store(zeroFolio(0))).toBe(true)
    expect(await cache.store(zeroFolio(16, 2))).toBe(true) // order 2 with mthpEnabled off
    expect(await cache.store(zeroFolio(32, 0, 'full'))).toBe(true)
    expect(cache.stats()).toMatchObject({
      swpout_zero: 6,
      reject_compress_fail: 0,
      reject_alloc_fail: 0,
      stored_pages: 0,
    })
    plan.alwaysFailCompress = false
    plan.alwaysFailMalloc = false
    plan.failDecompressAt = 1
    expect(await cache.load(dirtyFolio(16, 2))).toBe(true) // nothing to decompress
    expect(cache.stats().decompress_fail).toBe(0)
  })

  it('a folio with any non-zero byte is stored normally, its zero pages included', async () => {
    const { cache } = testStack({ mthpEnabled: true })
    const data = new Uint8Array(8 * PAGE_SIZE)
    data[5 * PAGE_SIZE + 4095] = 7 // the last byte of page 5
    const folio = createFolio(at(0), 3, data)
    expect(await cache.store(folio)).toBe(true)
    expect(cache.stats()).toMatchObject({ stored_pages: 8, swpout_zero: 0 })
    expect(cache.stats().zswpout['32K']).toBe(1)
    const out = dirtyFolio(0, 3)
    expect(await cache.load(out)).toBe(true)
    expect(out.data).toEqual(data)
    expect(cache.stats().swpin_zero).toBe(0)
    // order 0: one non-zero byte anywhere, first or last
    for (const index of [0, 17, 4093, 4095]) {
      const page = new Uint8Array(PAGE_SIZE)
      page[index] = 1
      expect(await cache.store(createFolio(at(100 + index), 0, page))).toBe(true)
    }
    expect(cache.stats()).toMatchObject({ stored_pages: 4, swpout_zero: 0 })
  })

  it('a zero folio over stored entries frees them, stale pages included (all or nothing)', async () => {
    const { cache, zpool } = testStack({ mthpEnabled: true })
    expect(await cache.store(folioAt(0, 2))).toBe(true)
    expect(await cache.store(folioAt(4))).toBe(true)
    expect(await cache.store(zeroFolio(0, 2))).toBe(true)
    expect(cache.stats()).toMatchObject({ stored_pages: 1, swpout_zero: 4 })
    expect(cache.stats().cgroups['/']).toMatchObject({ zswapped: 1 })
    const out = dirtyFolio(0, 2)
    expect(await cache.load(out)).toBe(true)
    expect(isZeroFilled(out.data)).toBe(true)
    cache.invalidate(at(4))
    expect(zpool.totalPages).toBe(0)
  })

  it('a new store at zero-mapped offsets clears their bits; a rejected one leaves them empty', async () => {
    const { cache } = testStack({ mthpEnabled: true, incompressible: 'reject' })
    expect(await cache.store(zeroFolio(0, 2))).toBe(true)
    const folio = folioAt(0, 1, 9)
    expect(await cache.store(folio)).toBe(true)
    const out = emptyFolio(0, 1)
    expect(await cache.load(out)).toBe(true)
    expect(out.data).toEqual(folio.data) // the new data, not zeros
    expect(cache.has(at(2))).toBe(true)
    // a store rejected as poor at offsets 2..3: nothing left there, not even the zeros
    const poorData = new Uint8Array(2 * PAGE_SIZE)
    poorData.set(randomPage(1))
    poorData.set(randomPage(2), PAGE_SIZE)
    const poor = createFolio(at(2), 1, poorData)
    expect(await cache.store(poor)).toBe(false)
    expect(cache.has(at(2))).toBe(false)
    expect(cache.has(at(3))).toBe(false)
    expect(cache.stats().swpin_zero).toBe(0)
  })

  it('invalidate and invalidateRange clear zero-map bits and count them', async () => {
    const { cache } = testStack({ mthpEnabled: true })
    expect(await cache.store(zeroFolio(0, 3))).toBe(true)
    expect(await cache.store(folioAt(8))).toBe(true)
    expect(cache.invalidate(at(1))).toBe(true)
    expect(cache.invalidate(at(1))).toBe(false)
    expect(cache.invalidateRange(at(4), 8)).toBe(5) // 4..7 zero-mapped, 8 stored
    expect(cache.has(at(0))).toBe(true)
    expect(cache.invalidateRange(at(0), 4)).toBe(3)
    expect(cache.has(at(0))).toBe(false)
  })

  it('a load may mix zero-mapped and stored pages', async () => {
    const { cache } = testStack({ mthpEnabled: true })
    expect(await cache.store(zeroFolio(0))).toBe(true)
    const second = folioAt(1)
    expect(await cache.store(second)).toBe(true)
    const out = dirtyFolio(0, 1)
    expect(await cache.loadBatch([out, dirtyFolio(40)])).toEqual([true, false])
    expect(isZeroFilled(out.data.subarray(0, PAGE_SIZE))).toBe(true)
    expect(out.data.subarray(PAGE_SIZE)).toEqual(second.data)
    expect(cache.stats()).toMatchObject({ swpin_zero: 1, stored_pages: 0 })
    expect(cache.stats().cgroups['/'].zswpin).toBe(1)
  })

  it('write-back never takes a zero-mapped page: nothing to write, the device slot stays as it was', async () => {
    const { cache, device } = testStack()
    expect(await cache.store(zeroFolio(5))).toBe(true)
    expect(await cache.store(folioAt(6))).toBe(true)
    expect(await cache.shrink(10)).toBe(1)
    expect(cache.stats().written_back_pages).toBe(1)
    expect(cache.has(at(5))).toBe(true)
    const page = new Uint8Array(PAGE_SIZE).fill(1)
    await device.read(5, page)
    expect(isZeroFilled(page)).toBe(true)
  })

  it('a zero folio whose load races an invalidate of one of its pages', async () => {
    const { cache } = testStack({ mthpEnabled: true })
    expect(await cache.store(zeroFolio(0, 1))).toBe(true)
    expect(await cache.store(folioAt(2))).toBe(true)
    // a folio of a zero page and a compressed one: the load awaits its decompression
    const out = dirtyFolio(1, 1)
    const loading = cache.load(out)
    expect(cache.invalidate(at(1))).toBe(true)
    expect(await loading).toBe(false)
    expect(cache.has(at(2))).toBe(true)
    expect(cache.stats().swpin_zero).toBe(0)
  })

  it('close() drops the zero map with the rest', async () => {
    const { cache } = testStack()
    expect(await cache.store(zeroFolio(0))).toBe(true)
    await cache.close()
    expect(() => cache.has(at(0))).toThrow()
  })
})

describe('zeroPages "store": the rule before 6.12', () => {
  it('a zero folio is compressed and stored like any other', async () => {
    const pool = trackingZpool()
    const cache = createZswap({ compressor: rleCompressor(), zpool: pool.zpool, zeroPages: 'store' })
    expect(await cache.store(zeroFolio(0))).toBe(true)
    expect(cache.stats()).toMatchObject({ stored_pages: 1, swpout_zero: 0 })
    expect(pool.live.size).toBe(1)
    const out = dirtyFolio(0)
    expect(await cache.load(out)).toBe(true)
    expect(isZeroFilled(out.data)).toBe(true)
    expect(cache.stats().swpin_zero).toBe(0)
  })

  it('rejects an option value that is not map or store', () => {
    expect(() =>
      createZswap({ compressor: rleCompressor(), zpool: trackingZpool().zpool, zeroPages: 'skip' as never }),
    ).toThrow(/zeroPages must be 'map' or 'store'/)
  })
})

describe('isZeroFilled', () => {
  it('finds a non-zero byte anywhere, in aligned and unaligned views, of any length', () => {
    const buffer = new ArrayBuffer(3 * PAGE_SIZE + 8)
    for (const offset of [0, 1, 2, 3, 4, 7, 8]) {
      for (const length of [0, 1, 15, 16, 63, 64, 65, 100, PAGE_SIZE, 2 * PAGE_SIZE + 3]) {
        const view = new Uint8Array(buffer, offset, length)
        view.fill(0)
        expect(isZeroFilled(view), `offset ${offset} length ${length}`).toBe(true)
        for (const at of new Set([0, 15, 16, length >>> 1, length - 4, length - 1])) {
          if (at < 0 || at >= length) continue
          view[at] = 0x80
          expect(isZeroFilled(view), `offset ${offset} length ${length} byte ${at}`).toBe(false)
          view[at] = 0
        }
      }
    }
  })

  it('reads only its view: non-zero bytes around it do not count', () => {
    const bytes = new Uint8Array(PAGE_SIZE + 16).fill(9)
    bytes.fill(0, 4, 4 + PAGE_SIZE)
    expect(isZeroFilled(bytes.subarray(4, 4 + PAGE_SIZE))).toBe(true)
    expect(isZeroFilled(bytes.subarray(3, 3 + PAGE_SIZE))).toBe(false)
    expect(isZeroFilled(bytes.subarray(5, 5 + PAGE_SIZE))).toBe(false)
  })

  it('works on a SharedArrayBuffer and on a buffer that grew', () => {
    const shared = new Uint8Array(new SharedArrayBuffer(PAGE_SIZE))
    expect(isZeroFilled(shared)).toBe(true)
    shared[PAGE_SIZE - 1] = 1
    expect(isZeroFilled(shared)).toBe(false)
    // resizable buffers (ES2024): typed here by hand, the lib is ES2022
    const Resizable = ArrayBuffer as unknown as new (
      length: number,
      options: { maxByteLength: number },
    ) => ArrayBuffer & { resize(length: number): void }
    const growable = new Resizable(PAGE_SIZE, { maxByteLength: 4 * PAGE_SIZE })
    expect(isZeroFilled(new Uint8Array(growable))).toBe(true)
    growable.resize(3 * PAGE_SIZE)
    const tail = new Uint8Array(growable, 2 * PAGE_SIZE, PAGE_SIZE)
    expect(isZeroFilled(tail)).toBe(true)
    tail[100] = 3
    expect(isZeroFilled(tail)).toBe(false)
  })
})

describe('ZeroMap', () => {
  it('one bit per offset in 512-byte chunks, made with their first bit and dropped with their last', () => {
    const map = new ZeroMap()
    expect(map.bytes).toBe(0)
    map.setRange(0, 4090, 12) // crosses the chunk at 4096
    expect(map.pages).toBe(12)
    expect(map.bytes).toBe(1024)
    map.setRange(0, 4090, 2) // already set: counted once
    expect(map.pages).toBe(12)
    map.setRange(3, 4090, 1) // another type
    expect(map.has(3, 4090)).toBe(true)
    expect(map.has(0, 4089)).toBe(false)
    expect(map.has(0, 4101)).toBe(true)
    expect(map.clearRange(0, 0, 4096)).toBe(6)
    expect(map.bytes).toBe(1024) // type 3's chunk and type 0's second
    expect(map.clearRange(0, 4096, 1 << 20)).toBe(6)
    expect(map.clear(3, 4090)).toBe(true)
    expect(map.clear(3, 4090)).toBe(false)
    expect(map.pages).toBe(0)
    expect(map.bytes).toBe(0)
  })

  it('dense zero pages cost one bit each', () => {
    const map = new ZeroMap()
    map.setRange(0, 0, 1 << 16)
    expect(map.bytes).toBe((1 << 16) / 8)
  })
})
