import { createZswap } from '@zswap/cache'
import { samplePages } from '@zswap/conformance'
import { type Folio, PAGE_SIZE } from '@zswap/core'
import { lz4 } from '@zswap/lz4'
import { zsmalloc } from '@zswap/zsmalloc'
import { describe, expect, it } from 'vitest'
import { FaultSwitch, faultyCompressor, faultyZpool } from '../src/fuzz/faults.js'
import { Prng } from '../src/prng.js'

// The fuzzer hands a synchronous compressor to every other cache as a Compressor (faultyCompressor),
// so that the cache's Compressor paths run under faults: an order-0 load is done inside load().

const TEXT = samplePages().filter((p) => p.kind === 'text' || p.kind === 'binary')

function folioOf(offset: number, salt = offset): Folio {
  const data = TEXT[salt % TEXT.length].data.slice()
  data[0] ^= salt + 1
  return { swap: { type: 0, offset }, order: 0, data }
}

const empty = (offset: number): Folio => ({
  swap: { type: 0, offset },
  order: 0,
  data: new Uint8Array(PAGE_SIZE),
})

function rig(incompressible: 'store' | 'reject' = 'store') {
  const sw = new FaultSwitch(new Prng(3))
  const cache = createZswap({
    compressor: faultyCompressor(lz4(), sw),
    zpool: faultyZpool(zsmalloc(), sw),
    ramBytes: 2 ** 30,
    incompressible,
  })
  return { sw, cache }
}

describe('faultyCompressor behind the cache', () => {
  it("compress-fail and compress-bad-length are counted rejections (incompressible 'reject')", async () => {
    const { sw, cache } = rig('reject')
    sw.arm('compress-fail', 1)
    expect(await cache.store(folioOf(1))).toBe(false)
    sw.arm('compress-bad-length', 1)
    expect(await cache.store(folioOf(2))).toBe(false)
    expect(sw.counts['compress-fail']).toBe(1)
    expect(sw.counts['compress-bad-length']).toBe(1)
    expect(cache.stats().reject_compress_fail).toBe(2)
    expect(cache.stats().stored_pages).toBe(0)
  })

  it('compress-fail and compress-bad-length store the page as-is (6.18) and it loads back exactly', async () => {
    const { sw, cache } = rig()
    sw.arm('compress-fail', 1)
    expect(await cache.store(folioOf(1))).toBe(true)
    sw.arm('compress-bad-length', 1)
    expect(await cache.store(folioOf(2))).toBe(true)
    expect(sw.counts['compress-fail']).toBe(1)
    expect(sw.counts['compress-bad-length']).toBe(1)
    expect(cache.stats()).toMatchObject({ reject_compress_fail: 0, stored_incompressible_pages: 2 })
    for (const offset of [1, 2]) {
      const out = empty(offset)
      expect(await cache.load(out)).toBe(true)
      expect(out.data).toEqual(folioOf(offset).data)
    }
  })

  it.each([
    'decompress-fail',
    'decompress-short',
    'zpool-read-throw',
  ] as const)('%s: the load is done inside load(), resolves false, counted, the entry kept', async (kind) => {
    const { sw, cache } = rig()
    expect(await cache.store(folioOf(4))).toBe(true)
    sw.arm(kind, 1)
    const out = empty(4)
    const loading = cache.load(out)
    expect(sw.firedNow.has(kind)).toBe(true) // it already ran
    expect(await loading).toBe(false)
    expect(cache.stats().decompress_fail).toBe(1)
    expect(cache.has({ type: 0, offset: 4 })).toBe(true)
    sw.reset()
    expect(await cache.load(out)).toBe(true)
    expect(out.data).toEqual(folioOf(4).data)
  })

  it('corrupt-read flips a bit of a copy, never of the pool: the checksum catches it, the page stays good', async () => {
    const { sw, cache } = rig()
    expect(await cache.store(folioOf(5))).toBe(true)
    sw.arm('corrupt-read', 1)
    expect(await cache.load(empty(5))).toBe(false)
    expect(sw.counts['corrupt-read']).toBe(1)
    const out = empty(5)
    expect(await cache.load(out)).toBe(true)
    expect(out.data).toEqual(folioOf(5).data)
  })
})
