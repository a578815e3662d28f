import {
  type Accelerator,
  type Compressor,
  compressorAccelerator,
  ErrorCode,
  PAGE_SIZE,
  SPECIFICATION_VERSION,
  type Zpool,
} from '@zswap/core'
import { referenceZpool, rleCompressor } from '@zswap/core/testing'
import { describe, expect, it } from 'vitest'
// Drivers are imported from their sources, as the model test imports the
// conformance suite: they depend on the cache for their own tests.
import { byN } from '../../by-n/src/index.js'
import { lz4 } from '../../lz4/src/index.js'
import { zbud } from '../../zbud/src/index.js'
import { zsmalloc } from '../../zsmalloc/src/index.js'
import { createZswap, memorySwapDevice, type Zswap, type ZswapOptions } from '../src/index.js'
import { emptyFolio, folioAt, randomPage, trackingZpool } from './fixtures.js'

const has = (cache: Zswap, offset: number) => cache.has({ type: 0, offset })
const pageOf = (data: Uint8Array, i: number) => data.subarray(i * PAGE_SIZE, (i + 1) * PAGE_SIZE)

/** Wraps an accelerator and counts the decompress jobs it runs and the bytes they produce. */
function spy(inner: Accelerator) {
  const seen = { jobs: 0, bytes: 0 }
  const accel: Accelerator = {
    specificationVersion: SPECIFICATION_VERSION,
    name: `spy-${inner.name}`,
    capabilities: inner.capabilities,
    compressBatch: (jobs, count) => inner.compressBatch(jobs, count),
    async decompressBatch(jobs, count = jobs.length) {
      await inner.decompressBatch(jobs, count)
      for (let i = 0; i < count; i++) {
        seen.jobs++
        seen.bytes += jobs[i].length
      }
    },
    close: () => inner.close(),
  }
  return { accel, seen }
}

/** The same accelerator, saying it cannot decompress part of an object. */
function wholeOnly(inner: Accelerator): Accelerator {
  return {
    specificationVersion: SPECIFICATION_VERSION,
    name: `whole-${inner.name}`,
    capabilities: { ...inner.capabilities, supportsPartialDecompress: false },
    compressBatch: (jobs, count) => inner.compressBatch(jobs, count),
    decompressBatch: (jobs, count) => inner.decompressBatch(jobs, count),
    close: () => inner.close(),
  }
}

interface Stack {
  name: string
  zpool: () => Zpool
  compressor: () => Compressor | Accelerator
}

const STACKS: Stack[] = [
  {
    name: 'reference zpool + rle',
    zpool: () => referenceZpool({ maxObjectSize: 16 * PAGE_SIZE }),
    compressor: () => rleCompressor(),
  },
  { name: 'zsmalloc + lz4', zpool: () => zsmalloc({ multiPage: true }), compressor: () => lz4() },
  {
    name: 'zsmalloc + by_n(lz4, 16)',
    zpool: () => zsmalloc({ multiPage: true }),
    compressor: () => byN(lz4(), { n: 16 }),
  },
  {
    name: 'reference zpool + by_n(lz4, 16), whole decompression only',
    zpool: () => referenceZpool({ maxObjectSize: 16 * PAGE_SIZE }),
    compressor: () => wholeOnly(byN(lz4(), { n: 16 })),
  },
]

function open(stack: Stack, objectPages: 4 | 16, extra: Partial<ZswapOptions> = {}) {
  const pool = trackingZpool(stack.zpool())
  const device = memorySwapDevice({ pages: 4096 })
  const c = stack.compressor()
  const cache = createZswap({
    ...(typeof (c as Accelerator).compressBatch === 'function'
      ? { accelerator: c as Accelerator }
      : { compressor: c as Compressor }),
    zpool: pool.zpool,
    swapDevice: device,
    mthpEnabled: true,
    ramBytes: 1 << 30,
    objectPages,
    ...extra,
  })
  return { cache, pool, device }
}

describe('objectPages: options', () => {
  it('takes 1, 4 or 16; anything else is ERR_INVALID_OPTION', () => {
    for (const objectPages of [0, 2, 8, 32, 4.5, '4', null]) {
      expect(() =>
        createZswap({
          compressor: rleCompressor(),
          zpool: referenceZpool({ maxObjectSize: 16 * PAGE_SIZE }),
          objectPages: objectPages as never,
        }),
      ).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_OPTION }))
    }
    for (const objectPages of [1, 4, 16] as const) {
      const cache = createZswap({
        compressor: rleCompressor(),
        zpool: referenceZpool({ maxObjectSize: 16 * PAGE_SIZE }),
        objectPages,
      })
      expect(cache.stats().stored_objects).toBe(0)
    }
  })

  it('a zpool whose maxObjectSize is too small: ERR_INVALID_OPTION naming it', () => {
    for (const [zpool, objectPages] of [
      [zbud(), 16],
      [zbud(), 4],
      [zsmalloc(), 4],
      [referenceZpool(), 4],
      [referenceZpool({ maxObjectSize: 4 * PAGE_SIZE }), 16],
    ] as const) {
      let error: unknown
      try {
        createZswap({ compressor: rleCompressor(), zpool, objectPages })
      } catch (e) {
        error = e
      }
      expect(error).toMatchObject({ code: ErrorCode.INVALID_OPTION })
      expect((error as Error).message).toMatch(/objectPages.*maxObjectSize/)
      expect((error as Error).message).toContain(zpool.name)
    }
    // objectPages 1 keeps every zpool usable
    expect(() => createZswap({ compressor: rleCompressor(), zpool: zbud() })).not.toThrow()
  })

  it('an accelerator whose maxInputSize is too small: ERR_INVALID_OPTION at createZswap and setCompressor', () => {
    const small = (maxInputSize?: number): Accelerator => {
      const inner = compressorAccelerator(rleCompressor())
      return {
        ...inner,
        name: `small-${maxInputSize}`,
        capabilities: { maxBatch: 4, format: 'test-rle', maxInputSize },
      }
    }
    const zpool = () => referenceZpool({ maxObjectSize: 16 * PAGE_SIZE })
    // undeclared: one page
    expect(() => createZswap({ accelerator: small(), zpool: zpool(), objectPages: 4 })).toThrow(
      /objectPages.*maxInputSize ≥ 16384, it declares 4096/,
    )
    expect(() => createZswap({ accelerator: small(4 * PAGE_SIZE), zpool: zpool(), objectPages: 16 })).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_OPTION }),
    )
    const cache = createZswap({ accelerator: small(4 * PAGE_SIZE), zpool: zpool(), objectPages: 4 })
    expect(() => cache.setCompressor(small(PAGE_SIZE))).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_OPTION }),
    )
    // a plain Compressor takes any size unless it says otherwise
    expect(() => cache.setCompressor(rleCompressor())).not.toThrow()
  })
})

describe.each(STACKS)('multi-page objects: $name', (stack) => {
  describe.each([4, 16] as const)('objectPages %i', (objectPages) => {
    it('a 64K folio is stored as 64K / objectPages objects and loads back whole', async () => {
      const { cache, pool } = open(stack, objectPages)
      const folio = folioAt(0, 4)
      expect(await cache.store(folio)).toBe(true)
      const stats = cache.stats()
      expect(stats.stored_pages).toBe(16)
      expect(stats.stored_objects).toBe(16 / objectPages)
      expect(pool.live.size).toBe(16 / objectPages)
      expect(stats.zswpout['64K']).toBe(1)
      expect(stats.cgroups['/']).toMatchObject({ zswapped: 16, zswpout: 16 })
      expect(stats.cgroups['/'].zswap).toBeGreaterThan(0)
      const out = emptyFolio(0, 4)
      expect(await cache.load(out)).toBe(true)
      expect(out.data).toEqual(folio.data)
      expect(cache.stats()).toMatchObject({ stored_pages: 0, stored_objects: 0, pool_total_size: 0 })
      expect(cache.stats().cgroups['/']).toMatchObject({ zswap: 0, zswapped: 0, zswpin: 16 })
      expect(pool.live.size).toBe(0)
    })

    it('folios smaller than an object are one object; larger ones several', async () => {
      const { cache, pool } = open(stack, objectPages)
      const folios = [folioAt(0, 0), folioAt(8, 1), folioAt(16, 2), folioAt(32, 5)]
      expect(await cache.storeBatch(folios)).toEqual([true, true, true, true])
      // 1 + 1 + (4 pages: 1 object) + 32 / objectPages
      expect(cache.stats().stored_objects).toBe(3 + 32 / objectPages)
      expect(pool.live.size).toBe(3 + 32 / objectPages)
      expect(cache.stats().zswpout).toMatchObject({ '4K': 1, '8K': 1, '16K': 1, '128K': 1 })
      const outs = [emptyFolio(0, 0), emptyFolio(8, 1), emptyFolio(16, 2), emptyFolio(32, 5)]
      expect(await cache.loadBatch(outs)).toEqual([true, true, true, true])
      for (let f = 0; f < 4; f++) expect(outs[f].data).toEqual(folios[f].data)
      expect(pool.live.size).toBe(0)
    })

    it('loading single pages keeps the object, counted, until its last page is loaded', async () => {
      const { cache, pool } = open(stack, objectPages)
      const folio = folioAt(0, 4)
      expect(await cache.store(folio)).toBe(true)
      const zswap = cache.stats().cgroups['/'].zswap
      const poolSize = cache.stats().pool_total_size
      // last page first, then the others: each object goes with its last page
      const order = [15, ...Array.from({ length: 15 }, (_, i) => i)]
      for (let n = 0; n < 16; n++) {
        const i = order[n]
        const out = emptyFolio(i)
        expect(await cache.load(out)).toBe(true)
        expect(out.data).toEqual(pageOf(folio.data, i))
        expect(has(cache, i)).toBe(false)
        const loaded = new Set(order.slice(0, n + 1))
        let objectsLeft = 0
        for (let o = 0; o < 16 / objectPages; o++) {
          let any = false
          for (let p = 0; p < objectPages; p++) any ||= !loaded.has(o * objectPages + p)
          if (any) objectsLeft++
        }
        expect(cache.stats().stored_pages).toBe(15 - n)
        expect(cache.stats().stored_objects).toBe(objectsLeft)
        expect(pool.live.size).toBe(objectsLeft)
        if (n === 0) {
          // the object still holds its bytes: nothing is uncharged yet
          expect(cache.stats().cgroups['/'].zswap).toBe(zswap)
          expect(cache.stats().pool_total_size).toBe(poolSize)
        }
      }
      expect(cache.stats().cgroups['/'].zswap).toBe(0)
    })

    it('a folio covering part of an object loads that part; the rest stays', async () => {
      const { cache, pool } = open(stack, objectPages)
      const folio = folioAt(0, 4)
      expect(await cache.store(folio)).toBe(true)
      const out = emptyFolio(2, 1) // pages 2..3: inside the first object
      expect(await cache.load(out)).toBe(true)
      expect(out.data).toEqual(folio.data.subarray(2 * PAGE_SIZE, 4 * PAGE_SIZE))
      expect(cache.stats().stored_pages).toBe(14)
      expect(pool.live.size).toBe(16 / objectPages)
      // the rest, as two folios
      const a = emptyFolio(0, 1)
      const b = emptyFolio(4, 2)
      expect(await cache.loadBatch([a, b])).toEqual([true, true])
      expect(a.data).toEqual(folio.data.subarray(0, 2 * PAGE_SIZE))
      expect(b.data).toEqual(folio.data.subarray(4 * PAGE_SIZE, 8 * PAGE_SIZE))
      expect(cache.invalidateRange({ type: 0, offset: 0 }, 16)).toBe(8)
      expect(pool.live.size).toBe(0)
      expect(cache.stats().cgroups['/']).toMatchObject({ zswap: 0, zswapped: 0 })
    })

    it('invalidate frees an object with its last page', async () => {
      const { cache, pool } = open(stack, objectPages)
      expect(await cache.store(folioAt(0, 4))).toBe(true)
      for (let i = 0; i < objectPages - 1; i++) expect(cache.invalidate({ type: 0, offset: i })).toBe(true)
      expect(pool.live.size).toBe(16 / objectPages)
      expect(cache.invalidate({ type: 0, offset: objectPages - 1 })).toBe(true)
      expect(pool.live.size).toBe(16 / objectPages - 1)
      expect(cache.stats().stored_objects).toBe(16 / objectPages - 1)
    })

    it('a store over one page of an object replaces that page; the object goes with its last old page', async () => {
      const { cache, pool } = open(stack, objectPages)
      const old = folioAt(0, 4, 1)
      expect(await cache.store(old)).toBe(true)
      const fresh = folioAt(3, 0, 2)
      expect(await cache.store(fresh)).toBe(true)
      expect(cache.stats().stored_pages).toBe(16)
      expect(cache.stats().stored_objects).toBe(16 / objectPages + 1)
      const out = emptyFolio(3)
      expect(await cache.load(out)).toBe(true)
      expect(out.data).toEqual(fresh.data)
      // loading the whole old range fails now: offset 3 is empty
      expect(await cache.load(emptyFolio(0, 4))).toBe(false)
      // the other old pages are intact
      for (const i of [0, 1, 2, 4, 15]) {
        const page = emptyFolio(i)
        expect(await cache.load(page)).toBe(true)
        expect(page.data).toEqual(pageOf(old.data, i))
      }
      cache.invalidateRange({ type: 0, offset: 0 }, 16)
      expect(pool.live.size).toBe(0)
      expect(cache.stats().cgroups['/']).toMatchObject({ zswap: 0, zswapped: 0 })
    })

    it('a large folio over objects of other sizes and offsets replaces every stale page', async () => {
      const { cache, pool } = open(stack, objectPages)
      expect(await cache.store(folioAt(0, 4, 1))).toBe(true)
      expect(await cache.store(folioAt(16, 4, 2))).toBe(true)
      const fresh = folioAt(8, 4, 3) // straddles both
      expect(await cache.store(fresh)).toBe(true)
      expect(cache.stats().stored_pages).toBe(32)
      const out = emptyFolio(8, 4)
      expect(await cache.load(out)).toBe(true)
      expect(out.data).toEqual(fresh.data)
      expect(cache.invalidateRange({ type: 0, offset: 0 }, 32)).toBe(16)
      expect(pool.live.size).toBe(0)
    })

    it('write-back of one page writes every live page of its object and frees it', async () => {
      const { cache, pool, device } = open(stack, objectPages)
      const folio = folioAt(0, 4)
      expect(await cache.store(folio)).toBe(true)
      // one page of the first object is loaded: the others are written back with the object
      expect(await cache.load(emptyFolio(1))).toBe(true)
      const written = await cache.shrink(1)
      expect(written).toBe(objectPages - 1)
      const stats = cache.stats()
      expect(stats.written_back_pages).toBe(objectPages - 1)
      expect(stats.cgroups['/'].zswpwb).toBe(objectPages - 1)
      expect(stats.stored_pages).toBe(16 - objectPages)
      expect(pool.live.size).toBe(16 / objectPages - 1)
      const page = new Uint8Array(PAGE_SIZE)
      for (let i = 0; i < objectPages; i++) {
        expect(has(cache, i)).toBe(false)
        await device.read(i, page)
        if (i === 1) expect(page.every((b) => b === 0)).toBe(true)
        else expect(page).toEqual(pageOf(folio.data, i))
      }
      // all of it
      expect(await cache.shrink(100)).toBe(16 - objectPages)
      expect(pool.live.size).toBe(0)
      expect(cache.stats().cgroups['/'].zswap).toBe(0)
    })

    it('a folio that does not compress is rejected as poor, leaving nothing (incompressible reject)', async () => {
      const { cache, pool } = open(stack, objectPages, { incompressible: 'reject' })
      expect(await cache.store(folioAt(0, 4, 1))).toBe(true)
      const data = new Uint8Array(16 * PAGE_SIZE)
      for (let i = 0; i < 16; i++) data.set(randomPage(i), i * PAGE_SIZE)
      expect(await cache.store({ swap: { type: 0, offset: 0 }, order: 4, data })).toBe(false)
      expect(cache.stats().reject_compress_poor).toBe(1)
      expect(cache.stats().stored_pages).toBe(0)
      expect(pool.live.size).toBe(0)
    })
  })
})

describe('partial decompression (by_n n=16 over a spied lz4)', () => {
  const setup = async (partial: boolean) => {
    const inner = spy(compressorAccelerator(lz4()))
    const outer = byN(inner.accel, { n: 16 })
    // what the cache asks of by_n: the range, the bytes, and whether it lands in the folio being loaded
    const calls: { start: number | undefined; bytes: number; intoFolio: boolean }[] = []
    let target: Uint8Array | undefined
    const recorded: Accelerator = {
      ...(partial ? outer : wholeOnly(outer)),
      compressBatch: (jobs, count) => outer.compressBatch(jobs, count),
      async decompressBatch(jobs, count = jobs.length) {
        await outer.decompressBatch(jobs, count)
        for (let i = 0; i < count; i++) {
          const { start, length, dst } = jobs[i]
          calls.push({ start, bytes: length, intoFolio: dst.buffer === target?.buffer })
        }
      },
      close: () => outer.close(),
    }
    const cache = createZswap({
      accelerator: recorded,
      zpool: zsmalloc({ multiPage: true }),
      mthpEnabled: true,
      ramBytes: 1 << 30,
      objectPages: 16,
    })
    const folio = folioAt(0, 4)
    expect(await cache.store(folio)).toBe(true)
    const load = cache.load.bind(cache)
    cache.load = (f) => {
      target = f.data
      return load(f)
    }
    return { cache, folio, seen: inner.seen, calls }
  }

  it('a one-page load of a 16-page object decompresses one chunk when partial decompression is supported', async () => {
    const { cache, folio, seen } = await setup(true)
    const out = emptyFolio(5)
    expect(await cache.load(out)).toBe(true)
    expect(out.data).toEqual(pageOf(folio.data, 5))
    expect(seen).toEqual({ jobs: 1, bytes: PAGE_SIZE })
  })

  it('… and the whole object otherwise', async () => {
    const { cache, folio, seen } = await setup(false)
    const out = emptyFolio(5)
    expect(await cache.load(out)).toBe(true)
    expect(out.data).toEqual(pageOf(folio.data, 5))
    expect(seen).toEqual({ jobs: 16, bytes: 16 * PAGE_SIZE })
  })

  it('a 4-page load decompresses four chunks; a whole-object load decompresses straight into the folio', async () => {
    const { cache, folio, seen, calls } = await setup(true)
    const four = emptyFolio(4, 2)
    expect(await cache.load(four)).toBe(true)
    expect(four.data).toEqual(folio.data.subarray(4 * PAGE_SIZE, 8 * PAGE_SIZE))
    expect(seen).toEqual({ jobs: 4, bytes: 4 * PAGE_SIZE })
    expect(calls).toEqual([{ start: 4 * PAGE_SIZE, bytes: 4 * PAGE_SIZE, intoFolio: true }])
    const folio2 = folioAt(64, 4)
    expect(await cache.store(folio2)).toBe(true)
    calls.length = 0
    const whole = emptyFolio(64, 4)
    expect(await cache.load(whole)).toBe(true)
    expect(whole.data).toEqual(folio2.data)
    expect(calls).toEqual([{ start: undefined, bytes: 16 * PAGE_SIZE, intoFolio: true }])
  })

  it('without partial decompression, a part is decompressed whole into scratch and copied', async () => {
    const { cache, folio, calls } = await setup(false)
    const two = emptyFolio(6, 1)
    expect(await cache.load(two)).toBe(true)
    expect(two.data).toEqual(folio.data.subarray(6 * PAGE_SIZE, 8 * PAGE_SIZE))
    expect(calls).toEqual([{ start: undefined, bytes: 16 * PAGE_SIZE, intoFolio: false }])
  })
})

describe('write-back during a store, with objects', () => {
  it('never writes back an object that holds a stale page of the folio being stored', async () => {
    const pool = trackingZpool(referenceZpool({ maxObjectSize: 4 * PAGE_SIZE }))
    const device = memorySwapDevice({ pages: 4096 })
    const cache = createZswap({
      compressor: rleCompressor(),
      zpool: pool.zpool,
      swapDevice: device,
      mthpEnabled: true,
      objectPages: 4,
      // 5 pool pages; accept again at 4
      ramBytes: 50 * PAGE_SIZE,
      maxPoolPercent: 10,
    })
    expect(await cache.store(folioAt(200))).toBe(true)
    const a = folioAt(0, 4, 1) // 4 objects of one pool page each
    expect(await cache.store(a)).toBe(true)
    expect(cache.stats().pool_total_size).toBe(5 * PAGE_SIZE)
    // clears every referenced bit, writes back the page at 200
    expect(await cache.shrink(1)).toBe(1)
    expect(await cache.store(folioAt(300))).toBe(true)
    // the pool is full: write-back must skip a's first object (its page 2 is being replaced)
    const b = folioAt(2, 0, 2)
    expect(await cache.store(b)).toBe(true)
    const stats = cache.stats()
    expect(stats.reject_reclaim_fail).toBe(4)
    expect(stats.written_back_pages).toBe(1 + 4)
    const page = new Uint8Array(PAGE_SIZE)
    for (let i = 0; i < 4; i++) {
      await device.read(i, page)
      expect(page.every((x) => x === 0)).toBe(true)
      expect(has(cache, i)).toBe(true)
    }
    for (let i = 4; i < 8; i++) {
      await device.read(i, page)
      expect(page).toEqual(pageOf(a.data, i))
      expect(has(cache, i)).toBe(false)
    }
    const out = emptyFolio(2)
    expect(await cache.load(out)).toBe(true)
    expect(out.data).toEqual(b.data)
  })
})

describe('objects and setCompressor', () => {
  it('each object loads and writes back with the accelerator that made it', async () => {
    const device = memorySwapDevice({ pages: 4096 })
    const cache = createZswap({
      accelerator: byN(lz4(), { n: 16 }),
      zpool: zsmalloc({ multiPage: true }),
      swapDevice: device,
      mthpEnabled: true,
      ramBytes: 1 << 30,
      objectPages: 16,
    })
    const a = folioAt(0, 4, 1)
    expect(await cache.store(a)).toBe(true)
    cache.setCompressor(rleCompressor())
    const b = folioAt(16, 4, 2)
    expect(await cache.store(b)).toBe(true)
    const pa = emptyFolio(3)
    const pb = emptyFolio(19)
    expect(await cache.loadBatch([pa, pb])).toEqual([true, true])
    expect(pa.data).toEqual(pageOf(a.data, 3))
    expect(pb.data).toEqual(pageOf(b.data, 3))
    expect(await cache.shrink(100)).toBe(30)
    const page = new Uint8Array(PAGE_SIZE)
    await device.read(5, page)
    expect(page).toEqual(pageOf(a.data, 5))
    await device.read(21, page)
    expect(page).toEqual(pageOf(b.data, 5))
  })
})
