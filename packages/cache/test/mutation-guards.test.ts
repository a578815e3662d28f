import {
  type Accelerator,
  type Compressor,
  CorruptDataError,
  compressorAccelerator,
  PAGE_SIZE,
  SPECIFICATION_VERSION,
  type SwapDevice,
  type Zpool,
} from '@zswap/core'
import { referenceZpool, rleCompressor } from '@zswap/core/testing'
import { describe, expect, it } from 'vitest'
import { createZswap, memorySwapDevice, type Zswap } from '../src/index.js'
import {
  deferred,
  emptyFolio,
  folioAt,
  gatedAccelerator,
  swappedRleCompressor,
  trackingZpool,
} from './fixtures.js'

// Tests written for the mutants Stryker left alive in the store, load,
// invalidate and limit code (RELIABILITY.md, "Mutation testing"): each
// pins a behaviour no other test checked closely enough.

const has = (cache: Zswap, offset: number) => cache.has({ type: 0, offset })

/** A reference zpool whose `free` throws once, on the n-th call from when `arm(n)` is called. */
function freeFaultZpool() {
  const inner = referenceZpool()
  let frees = 0
  let failAt = 0
  const zpool: Zpool = {
    specificationVersion: inner.specificationVersion,
    name: 'free-fault',
    capabilities: inner.capabilities,
    malloc: (size) => inner.malloc(size),
    free(handle) {
      if (++frees === failAt) throw new Error('[test] injected free fault')
      inner.free(handle)
    },
    write: (handle, src) => inner.write(handle, src),
    read: (handle, dst) => inner.read(handle, dst),
    get totalPages() {
      return inner.totalPages
    },
    destroy: () => inner.destroy(),
  }
  return {
    zpool,
    arm(nth: number) {
      failAt = frees + nth
    },
  }
}

describe('store: a bug-level fault leaves no folio half-stored', () => {
  it('zpool.free throwing while a stale entry is replaced: store throws, no page of the folio stays', async () => {
    const pool = freeFaultZpool()
    const cache = createZswap({ compressor: rleCompressor(), zpool: pool.zpool, mthpEnabled: true })
    expect(await cache.store(folioAt(0, 2, 1))).toBe(true) // offsets 0..3
    expect(await cache.store(folioAt(8))).toBe(true) // elsewhere: must stay
    pool.arm(1) // the first free: the stale entry at offset 0, replaced by the new folio's page 0
    await expect(cache.store(folioAt(0, 2, 2))).rejects.toThrow('injected free fault')
    for (let i = 0; i < 4; i++) expect(has(cache, i)).toBe(false)
    expect(has(cache, 8)).toBe(true)
    expect(cache.stats().stored_pages).toBe(1)
    // a storeBatch: the folio stored before the fault stays stored
    expect(await cache.store(folioAt(0, 2, 4))).toBe(true)
    pool.arm(1)
    await expect(cache.storeBatch([folioAt(20), folioAt(0, 2, 5)])).rejects.toThrow('injected free fault')
    expect(has(cache, 20)).toBe(true)
    for (let i = 0; i < 4; i++) expect(has(cache, i)).toBe(false)
    // the cache still works after it
    expect(await cache.store(folioAt(0, 2, 3))).toBe(true)
    const out = emptyFolio(0, 2)
    expect(await cache.load(out)).toBe(true)
    expect(out.data).toEqual(folioAt(0, 2, 3).data)
  })
})

/** A memory swap device whose next write can be held: `reached` when it arrives, `release()` lets it finish. */
function heldWriteDevice(pages = 1024) {
  const inner = memorySwapDevice({ pages })
  let hold: { reached: () => void; gate: Promise<void> } | undefined
  let writes = 0
  const device: SwapDevice = {
    ...inner,
    pages,
    async write(offset, src) {
      writes++
      const h = hold
      hold = undefined
      if (h) {
        h.reached()
        await h.gate
      }
      return inner.write(offset, src)
    },
    read: (offset, dst) => inner.read(offset, dst),
    close: () => inner.close(),
  }
  return {
    device,
    get writes() {
      return writes
    },
    holdNextWrite() {
      const reached = deferred()
      const gate = deferred()
      hold = { reached: reached.resolve, gate: gate.promise }
      return { reached: reached.promise, release: gate.resolve }
    },
  }
}

/** A cache of 4-page objects over a tracking zpool and a device whose writes can be held. */
function objectStack(devicePages = 1024) {
  const dev = heldWriteDevice(devicePages)
  const pool = trackingZpool(referenceZpool({ maxObjectSize: 4 * PAGE_SIZE }))
  const cache = createZswap({
    compressor: rleCompressor(),
    zpool: pool.zpool,
    swapDevice: dev.device,
    mthpEnabled: true,
    objectPages: 4,
  })
  return { dev, pool, cache }
}

describe('invalidate racing the write-back of a single-page entry', () => {
  const setup = async () => {
    const gated = gatedAccelerator(1)
    const pool = trackingZpool()
    const dev = heldWriteDevice()
    const cache = createZswap({ accelerator: gated.accel, zpool: pool.zpool, swapDevice: dev.device })
    expect(await cache.store(folioAt(1))).toBe(true)
    expect(await cache.store(folioAt(2))).toBe(true)
    return { gated, pool, dev, cache }
  }

  /** After the race: offset 2 still stored and loadable, the LRU intact (new pages write back exactly). */
  const expectIntact = async (cache: Zswap, live: Set<number>) => {
    expect(has(cache, 1)).toBe(false)
    expect(has(cache, 2)).toBe(true)
    expect(cache.stats().stored_pages).toBe(1)
    expect(cache.stats().cgroups['/'].zswapped).toBe(1)
    expect(live.size).toBe(1)
    for (let i = 0; i < 3; i++) expect(await cache.store(folioAt(10 + i))).toBe(true)
    const before = cache.stats().written_back_pages
    expect(await cache.shrink(100)).toBe(4)
    expect(cache.stats().written_back_pages - before).toBe(4)
    expect(cache.stats().stored_pages).toBe(0)
    expect(live.size).toBe(0)
  }

  it('during its decompression: nothing is written or counted as written', async () => {
    const { gated, pool, dev, cache } = await setup()
    const hold = gated.holdDecompress(1)
    const shrinking = cache.shrink(1)
    await hold.reached // the tail, offset 1, is being written back
    expect(cache.invalidate({ type: 0, offset: 1 })).toBe(true)
    hold.release()
    expect(await shrinking).toBe(0)
    expect(dev.writes).toBe(0)
    expect(cache.stats()).toMatchObject({ written_back_pages: 0, reject_reclaim_fail: 1 })
    expect(cache.stats().cgroups['/'].zswpwb).toBe(0)
    await expectIntact(cache, pool.live)
  })

  it('during the device write: the page counts as written, the entry is freed once', async () => {
    const { pool, dev, cache } = await setup()
    const hold = dev.holdNextWrite()
    const shrinking = cache.shrink(1)
    await hold.reached
    expect(cache.invalidate({ type: 0, offset: 1 })).toBe(true)
    hold.release()
    expect(await shrinking).toBe(1)
    expect(cache.stats()).toMatchObject({ written_back_pages: 1, reject_reclaim_fail: 0 })
    expect(cache.stats().cgroups['/'].zswpwb).toBe(1)
    const page = new Uint8Array(PAGE_SIZE)
    await dev.device.read(1, page)
    expect(page).toEqual(folioAt(1).data)
    await expectIntact(cache, pool.live)
  })
})

describe('cgroup limits and write-back', () => {
  it('zswapMax 0 rejects without writing back the pages the cgroup already has', async () => {
    const dev = heldWriteDevice()
    const cache = createZswap({
      compressor: rleCompressor(),
      zpool: referenceZpool(),
      swapDevice: dev.device,
    })
    cache.createCgroup('a')
    expect(await cache.store(folioAt(1, 0, 1, 'a'))).toBe(true)
    expect(await cache.store(folioAt(2, 0, 2, 'a'))).toBe(true)
    cache.setCgroup('a', { zswapMax: 0 })
    expect(await cache.store(folioAt(3, 0, 3, 'a'))).toBe(false)
    expect(dev.writes).toBe(0)
    expect(cache.stats()).toMatchObject({ written_back_pages: 0, reject_reclaim_fail: 0, stored_pages: 2 })
    expect(has(cache, 1) && has(cache, 2)).toBe(true)
  })

  it('a cgroup over its limit without a swap device rejects without a write-back attempt', async () => {
    const cache = createZswap({ compressor: rleCompressor(), zpool: referenceZpool() })
    cache.createCgroup('a', { zswapMax: 1 })
    expect(await cache.store(folioAt(1, 0, 1, 'a'))).toBe(true)
    expect(await cache.store(folioAt(2, 0, 2, 'a'))).toBe(false)
    expect(cache.stats()).toMatchObject({ written_back_pages: 0, reject_reclaim_fail: 0, stored_pages: 1 })
  })
})

describe('write-back never asks a device to write past its end', () => {
  it('a page at offset == device.pages is kept, and the device sees no write', async () => {
    const dev = heldWriteDevice(4)
    const cache = createZswap({
      compressor: rleCompressor(),
      zpool: referenceZpool(),
      swapDevice: dev.device,
    })
    expect(await cache.store(folioAt(4))).toBe(true)
    expect(await cache.shrink(1)).toBe(0)
    expect(dev.writes).toBe(0)
    expect(cache.stats()).toMatchObject({ reject_reclaim_fail: 1, decompress_fail: 0, stored_pages: 1 })
  })

  it('an object whose last page is at offset == device.pages is kept whole, nothing written', async () => {
    const { dev, pool, cache } = objectStack(7)
    // entry ids are reused last-freed first: free 0..3 in order, so that the
    // object's last page (offset 7, the one past the end) gets entry id 0
    for (let i = 0; i < 4; i++) expect(await cache.store(folioAt(100 + i))).toBe(true)
    expect(cache.invalidateRange({ type: 0, offset: 100 }, 4)).toBe(4)
    expect(await cache.store(folioAt(4, 2))).toBe(true) // offsets 4..7, one object
    expect(await cache.shrink(1)).toBe(0)
    expect(dev.writes).toBe(0)
    expect(cache.stats()).toMatchObject({ reject_reclaim_fail: 1, stored_pages: 4 })
    expect(pool.live.size).toBe(1)
  })

  it("… but once that page is gone, the object's other pages are written back", async () => {
    const { dev, pool, cache } = objectStack(7)
    const folio = folioAt(4, 2)
    expect(await cache.store(folio)).toBe(true)
    expect(cache.invalidate({ type: 0, offset: 7 })).toBe(true)
    expect(await cache.shrink(1)).toBe(3)
    expect(dev.writes).toBe(3)
    expect(pool.live.size).toBe(0)
    const page = new Uint8Array(PAGE_SIZE)
    await dev.device.read(6, page)
    expect(page).toEqual(folio.data.subarray(2 * PAGE_SIZE, 3 * PAGE_SIZE))
  })
})

describe('loads reuse their job slots cleanly', () => {
  it('a whole-object load after a partial one copies nothing stale out of scratch', async () => {
    // the RLE accelerator decompresses whole objects only: a one-page load goes through scratch
    const cache = createZswap({
      accelerator: compressorAccelerator(rleCompressor()),
      zpool: referenceZpool({ maxObjectSize: 4 * PAGE_SIZE }),
      mthpEnabled: true,
      objectPages: 4,
    })
    const a = folioAt(0, 2, 1)
    const b = folioAt(8, 2, 2)
    expect(await cache.store(a)).toBe(true)
    expect(await cache.store(b)).toBe(true)
    const one = emptyFolio(1)
    expect(await cache.load(one)).toBe(true)
    expect(one.data).toEqual(a.data.subarray(PAGE_SIZE, 2 * PAGE_SIZE))
    const whole = emptyFolio(8, 2)
    expect(await cache.load(whole)).toBe(true)
    expect(whole.data).toEqual(b.data)
  })
})

describe('invalidate racing the write-back of a multi-page object', () => {
  it('during the device writes: every page counts as written, each entry and the object are freed once', async () => {
    const { dev, pool, cache } = objectStack()
    const folio = folioAt(0, 2)
    expect(await cache.store(folio)).toBe(true)
    expect(await cache.store(folioAt(8))).toBe(true)
    const hold = dev.holdNextWrite()
    const shrinking = cache.shrink(1)
    await hold.reached
    expect(cache.invalidate({ type: 0, offset: 2 })).toBe(true)
    hold.release()
    expect(await shrinking).toBe(4)
    expect(cache.stats()).toMatchObject({ written_back_pages: 4, stored_pages: 1, stored_objects: 1 })
    expect(cache.stats().cgroups['/'].zswapped).toBe(1)
    expect(pool.live.size).toBe(1)
    for (let i = 0; i < 4; i++) expect(has(cache, i)).toBe(false)
    const out = emptyFolio(8)
    expect(await cache.load(out)).toBe(true)
    expect(out.data).toEqual(folioAt(8).data)
    expect(pool.live.size).toBe(0)
    expect(cache.stats().cgroups['/']).toMatchObject({ zswap: 0, zswapped: 0 })
  })
})

/** Same-filled pages compress to one byte (the fill byte); any other page does not fit (-1). */
function sameFilledCompressor(): Compressor {
  return {
    specificationVersion: SPECIFICATION_VERSION,
    name: 'same-filled',
    capabilities: { format: 'test-same-filled' },
    compress(src, dst) {
      for (let i = 1; i < src.length; i++) if (src[i] !== src[0]) return -1
      dst[0] = src[0]
      return 1
    },
    decompress(src, dst) {
      dst.fill(src[0])
      return dst.length
    },
  }
}

describe('store: the smallest valid compressed length', () => {
  it('a page compressed to 1 byte is stored and loads back', async () => {
    const cache = createZswap({ compressor: sameFilledCompressor(), zpool: referenceZpool() })
    const folio = emptyFolio(3)
    folio.data.fill(0x5a)
    expect(await cache.store(folio)).toBe(true)
    expect(cache.stats()).toMatchObject({ reject_compress_fail: 0, stored_pages: 1 })
    expect(cache.stats().cgroups['/'].zswap).toBe(1)
    const out = emptyFolio(3)
    expect(await cache.load(out)).toBe(true)
    expect(out.data.every((b) => b === 0x5a)).toBe(true)
  })
})

/**
 * An RLE accelerator that runs every job, then breaks its contract one way:
 * `reject` — the batch promise rejects anyway; `error` — each job also gets
 * an error while keeping the length it produced.
 */
function lyingAccelerator(lie: { compress?: 'reject' | 'error'; decompress?: 'reject' | 'error' }) {
  const inner = compressorAccelerator(rleCompressor())
  let compressJobs = 0
  let decompressJobs = 0
  let emptyCalls = 0 // batches of 0 jobs: the contract says 1..maxBatch
  const after = async (
    how: 'reject' | 'error' | undefined,
    jobs: readonly { error: unknown }[],
    count: number,
  ) => {
    if (how === 'reject') throw new CorruptDataError('[test] batch rejected after its jobs ran')
    if (how === 'error')
      for (let i = 0; i < count; i++) jobs[i].error = new CorruptDataError('[test] job error')
  }
  const accel: Accelerator = {
    specificationVersion: inner.specificationVersion,
    name: 'lying-rle',
    capabilities: inner.capabilities,
    async compressBatch(jobs, count = jobs.length) {
      compressJobs += count
      if (count < 1) emptyCalls++
      await inner.compressBatch(jobs, count)
      await after(lie.compress, jobs, count)
    },
    async decompressBatch(jobs, count = jobs.length) {
      decompressJobs += count
      if (count < 1) emptyCalls++
      await inner.decompressBatch(jobs, count)
      await after(lie.decompress, jobs, count)
    },
    close: () => inner.close(),
  }
  return {
    accel,
    get compressJobs() {
      return compressJobs
    },
    get decompressJobs() {
      return decompressJobs
    },
    get emptyCalls() {
      return emptyCalls
    },
  }
}

describe('a batch that fails after its jobs ran fails every folio of it', () => {
  for (const how of ['reject', 'error'] as const) {
    it(`compression: jobs done, then the batch ${how === 'reject' ? 'rejects' : 'sets errors'}: nothing is stored (incompressible 'reject')`, async () => {
      const lying = lyingAccelerator({ compress: how })
      const pool = trackingZpool()
      const cache = createZswap({
        accelerator: lying.accel,
        zpool: pool.zpool,
        mthpEnabled: true,
        incompressible: 'reject',
      })
      expect(await cache.storeBatch([folioAt(0), folioAt(4, 1)])).toEqual([false, false])
      expect(cache.stats()).toMatchObject({ reject_compress_fail: 2, stored_pages: 0 })
      expect(pool.live.size).toBe(0)
    })

    it(`decompression: jobs done, then the batch ${how === 'reject' ? 'rejects' : 'sets errors'}: the load fails, entries kept`, async () => {
      const pool = trackingZpool()
      const cache = createZswap({ compressor: rleCompressor(), zpool: pool.zpool, mthpEnabled: true })
      expect(await cache.store(folioAt(0, 1))).toBe(true)
      const lying = lyingAccelerator({ decompress: how })
      cache.setCompressor(lying.accel)
      // entries load with the accelerator that made them: store anew with the lying one
      expect(await cache.store(folioAt(8, 1))).toBe(true)
      expect(await cache.store(folioAt(12))).toBe(true)
      expect(await cache.load(emptyFolio(8, 1))).toBe(false)
      // maxBatch 1: the first page's failure ends the folio's load, no more jobs for it
      expect(lying.decompressJobs).toBe(1)
      expect(await cache.load(emptyFolio(12))).toBe(false) // one job, in the last batch
      expect(lying.emptyCalls).toBe(0)
      expect(cache.stats()).toMatchObject({ decompress_fail: 2, stored_pages: 5 })
      expect(has(cache, 8) && has(cache, 9) && has(cache, 12)).toBe(true)
      const out = emptyFolio(0, 1)
      expect(await cache.load(out)).toBe(true)
      expect(out.data).toEqual(folioAt(0, 1).data)
    })
  }
})

describe('a folio rejected before compression costs no compression', () => {
  it('disabled, or a large folio with mthpEnabled off: no compress job runs', async () => {
    const lying = lyingAccelerator({})
    const cache = createZswap({ accelerator: lying.accel, zpool: referenceZpool() })
    expect(await cache.store(folioAt(0, 2))).toBe(false) // mthpEnabled is off by default
    cache.setParams({ enabled: false })
    expect(await cache.storeBatch([folioAt(8), folioAt(9)])).toEqual([false, false])
    expect(lying.compressJobs).toBe(0)
    cache.setParams({ enabled: true })
    expect(await cache.storeBatch([folioAt(8), folioAt(12, 2)])).toEqual([true, false])
    expect(lying.compressJobs).toBe(1)
  })
})

describe('store: a result as large as its input is poor', () => {
  it('a compressor that returns exactly PAGE_SIZE bytes (a copy): reject_compress_poor, nothing stored (incompressible reject)', async () => {
    const copy: Compressor = {
      specificationVersion: SPECIFICATION_VERSION,
      name: 'copy',
      capabilities: { format: 'test-copy' },
      compress(src, dst) {
        dst.set(src)
        return src.length
      },
      decompress(src, dst) {
        dst.set(src)
        return src.length
      },
    }
    const pool = trackingZpool()
    const cache = createZswap({ compressor: copy, zpool: pool.zpool, incompressible: 'reject' })
    expect(await cache.store(folioAt(1))).toBe(false)
    expect(cache.stats()).toMatchObject({ reject_compress_poor: 1, reject_compress_fail: 0, stored_pages: 0 })
    expect(pool.live.size).toBe(0)
  })
})

describe('load batching', () => {
  it('a folio with a page absent decompresses nothing', async () => {
    const lying = lyingAccelerator({})
    const cache = createZswap({ accelerator: lying.accel, zpool: referenceZpool(), mthpEnabled: true })
    expect(await cache.store(folioAt(0, 2))).toBe(true)
    expect(cache.invalidate({ type: 0, offset: 3 })).toBe(true)
    expect(await cache.load(emptyFolio(0, 2))).toBe(false)
    expect(await cache.loadBatch([emptyFolio(0, 2), emptyFolio(100)])).toEqual([false, false])
    expect(lying.decompressJobs).toBe(0)
    expect(lying.emptyCalls).toBe(0)
    expect(cache.stats()).toMatchObject({ decompress_fail: 0, stored_pages: 3 })
  })

  it('entry id 0 arriving when the batch is full still starts a new batch', async () => {
    const cache = createZswap({
      accelerator: compressorAccelerator(rleCompressor()), // maxBatch 1
      zpool: referenceZpool(),
      mthpEnabled: true,
    })
    expect(await cache.store(folioAt(5))).toBe(true) // entry 0
    expect(await cache.store(folioAt(4))).toBe(true) // entry 1
    const out = emptyFolio(4, 1)
    expect(await cache.load(out)).toBe(true)
    expect(out.data.subarray(0, PAGE_SIZE)).toEqual(folioAt(4).data)
    expect(out.data.subarray(PAGE_SIZE)).toEqual(folioAt(5).data)
  })

  it('a readahead window over two formats: each batch holds the entries of one accelerator', async () => {
    const a = gatedAccelerator(4)
    const b = gatedAccelerator(4, swappedRleCompressor())
    const cache = createZswap({ accelerator: a.accel, zpool: referenceZpool() })
    for (let i = 0; i < 2; i++) expect(await cache.store(folioAt(i))).toBe(true)
    cache.setCompressor(b.accel)
    for (let i = 2; i < 4; i++) expect(await cache.store(folioAt(i))).toBe(true)
    const window = [0, 1, 2, 3].map((i) => emptyFolio(i))
    expect(await cache.loadBatch(window)).toEqual([true, true, true, true])
    for (let i = 0; i < 4; i++) expect(window[i].data).toEqual(folioAt(i).data)
    expect(cache.stats().decompress_fail).toBe(0)
  })
})

describe('write-back: more contract edges', () => {
  for (const how of ['reject', 'error'] as const) {
    it(`a decompress batch that ${how === 'reject' ? 'rejects' : 'sets errors'} after its jobs ran: nothing written, entry kept`, async () => {
      const dev = heldWriteDevice()
      const lying = lyingAccelerator({ decompress: how })
      const cache = createZswap({ accelerator: lying.accel, zpool: referenceZpool(), swapDevice: dev.device })
      expect(await cache.store(folioAt(1))).toBe(true)
      expect(await cache.shrink(1)).toBe(0)
      expect(dev.writes).toBe(0)
      expect(cache.stats()).toMatchObject({
        decompress_fail: 1,
        reject_reclaim_fail: 1,
        written_back_pages: 0,
      })
      expect(has(cache, 1)).toBe(true)
    })
  }

  for (const objectPages of [1, 4] as const) {
    it(`a swap type without a device keeps its entries; the other type's are written (objectPages ${objectPages})`, async () => {
      const dev = heldWriteDevice()
      const cache = createZswap({
        compressor: rleCompressor(),
        zpool: referenceZpool({ maxObjectSize: 4 * PAGE_SIZE }),
        swapDevice: [dev.device], // type 0 only
        mthpEnabled: true,
        objectPages,
      })
      expect(await cache.store(folioAt(0, 2, 2, undefined, 0))).toBe(true) // type 0, the coldest
      expect(await cache.store(folioAt(0, 2, 1, undefined, 1))).toBe(true)
      expect(await cache.shrink(4)).toBe(4)
      expect(await cache.shrink(4)).toBe(0) // type 1 cannot be written: a reclaim failure, no throw
      expect(dev.writes).toBe(4)
      expect(cache.stats()).toMatchObject({ written_back_pages: 4, reject_reclaim_fail: 1, stored_pages: 4 })
      for (let i = 0; i < 4; i++) {
        expect(cache.has({ type: 1, offset: i })).toBe(true)
        expect(cache.has({ type: 0, offset: i })).toBe(false)
      }
    })
  }

  it('the pool limit hit by the first folio of an empty cgroup: the shrinker passes over its pending pages', async () => {
    const dev = heldWriteDevice()
    const cache = createZswap({
      compressor: rleCompressor(),
      zpool: referenceZpool(),
      swapDevice: dev.device,
      mthpEnabled: true,
      ramBytes: 200 * PAGE_SIZE,
      maxPoolPercent: 10, // 20 pages
    })
    cache.createCgroup('a')
    cache.createCgroup('b')
    expect(await cache.store(folioAt(100, 4, 1, 'a'))).toBe(true) // 16 pages
    // b's folio hits the limit at its 5th page; b's LRU is empty, its pages pending
    expect(await cache.store(folioAt(0, 3, 2, 'b'))).toBe(true)
    const stats = cache.stats()
    expect(stats.cgroups.a.zswpwb).toBeGreaterThanOrEqual(2)
    expect(stats.cgroups.b).toMatchObject({ zswpwb: 0, zswapped: 8 })
    // b's empty LRU gave the shrinker nothing to try, so nothing failed
    expect(stats.reject_reclaim_fail).toBe(0)
    const out = emptyFolio(0, 3)
    expect(await cache.load(out)).toBe(true)
    expect(out.data).toEqual(folioAt(0, 3, 2, 'b').data)
  })
})
