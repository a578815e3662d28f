import { createZswap, memorySwapDevice } from '@zswap/cache'
import { samplePages } from '@zswap/conformance'
import { type Compressor, type Folio, PAGE_SIZE, toAccelerator } from '@zswap/core'
import { lz4 } from '@zswap/lz4'
import { zbud } from '@zswap/zbud'
import { zsmalloc } from '@zswap/zsmalloc'
import { describe, expect, it } from 'vitest'
import { FaultSwitch, faultyAccelerator, faultyZpool } from '../src/fuzz/faults.js'
import { Prng } from '../src/prng.js'

/**
 * Minimal repros of issue 10's broken promises, distilled from fuzz
 * divergences. Each failed on the cache as of issue 10 (checked then with
 * `it.fails`) and passes since the item's fix: they guard those fixes now.
 */

const TEXT = samplePages().filter((p) => p.kind === 'text' || p.kind === 'binary')

function folioOf(offset: number, order: number, salt: number, cgroup?: string): Folio {
  const data = new Uint8Array(PAGE_SIZE << order)
  for (let i = 0; i < 1 << order; i++) {
    data.set(TEXT[(i + salt) % TEXT.length].data, i * PAGE_SIZE)
    data[i * PAGE_SIZE] ^= salt + i + 1
  }
  return cgroup === undefined
    ? { swap: { type: 0, offset }, order, data }
    : { swap: { type: 0, offset }, order, data, cgroup }
}

function rig() {
  const sw = new FaultSwitch(new Prng(1))
  const zpool = faultyZpool(zsmalloc(), sw)
  const cache = createZswap({
    accelerator: faultyAccelerator(toAccelerator(lz4()), sw),
    zpool,
    ramBytes: 2 ** 30,
    mthpEnabled: true,
  })
  return { sw, zpool, cache }
}

describe('issue 10 repros', () => {
  // item 1: load of a 16-page folio while invalidate() frees page 3 during its decompress batch
  it('a load racing invalidate resolves false (changing nothing else) or completes (guards issue 10 item 1)', async () => {
    const { sw, cache } = rig()
    const stored = folioOf(0, 4, 1)
    expect(await cache.store(stored)).toBe(true)
    sw.race = () => cache.invalidate({ type: 0, offset: 3 })
    sw.arm('race-load', 2)
    const dst = folioOf(0, 4, 0)
    const ok = await cache.load({ ...dst, data: new Uint8Array(16 * PAGE_SIZE) }) // before the fix: InvalidHandleError
    if (!ok) for (let i = 0; i < 16; i++) expect(cache.has({ type: 0, offset: i })).toBe(i !== 3)
    await cache.close()
  })

  // item 3: zpool.write throws on the third page of a 4-page store over an existing folio
  it('zpool.write throwing mid-folio unwinds the whole folio, stale pages too, and leaks nothing (guards issue 10 item 3)', async () => {
    const { sw, zpool, cache } = rig()
    expect(await cache.store(folioOf(0, 2, 1))).toBe(true)
    sw.arm('zpool-write-throw', 3)
    // the documented rule (docs/DESIGN.md): a driver fault is a counted rejection, not an exception
    expect(await cache.store(folioOf(0, 2, 9))).toBe(false)
    for (let i = 0; i < 4; i++) expect(cache.has({ type: 0, offset: i }), `page ${i}`).toBe(false)
    expect(zpool.live).toBe(cache.stats().stored_pages)
    expect(cache.stats().reject_alloc_fail).toBe(1)
    await cache.close()
  })

  // item 3: the accelerator rejects in the middle of a large-folio store
  it('compressBatch rejecting mid-folio leaves no page of the folio (guards issue 10 item 3)', async () => {
    const sw = new FaultSwitch(new Prng(2))
    const cache = createZswap({
      accelerator: faultyAccelerator(toAccelerator(lz4()), sw),
      zpool: zbud(),
      ramBytes: 2 ** 30,
      mthpEnabled: true,
    })
    sw.arm('accel-partial', 9)
    expect(await cache.store(folioOf(16, 4, 3))).toBe(false)
    expect(sw.counts['accel-partial']).toBe(1)
    for (let i = 16; i < 32; i++) expect(cache.has({ type: 0, offset: i }), `page ${i}`).toBe(false)
    expect(cache.stats().stored_pages).toBe(0)
    expect(cache.stats().reject_compress_fail).toBe(1)
    await cache.close()
  })

  // item 5: a compressor returning NaN is a compression failure, not an allocation failure
  it('a compressor returning NaN counts reject_compress_fail (guards issue 10 item 5)', async () => {
    const inner = lz4()
    const nan: Compressor = {
      specificationVersion: inner.specificationVersion,
      name: 'nan',
      capabilities: inner.capabilities,
      compress: () => Number.NaN,
      decompress: (s, d) => inner.decompress(s, d),
    }
    const cache = createZswap({ compressor: nan, zpool: zbud(), ramBytes: 2 ** 30 })
    expect(await cache.store(folioOf(0, 0, 1))).toBe(false)
    const st = cache.stats()
    expect(st.reject_alloc_fail).toBe(0)
    expect(st.reject_compress_fail).toBe(1)
    await cache.close()
  })

  // item 6: shrink() with no swap device
  it('shrink() without a swap device writes nothing back and counts no reclaim failure (guards issue 10 item 6)', async () => {
    const cache = createZswap({ compressor: lz4(), zpool: zbud(), ramBytes: 2 ** 30 })
    for (let i = 0; i < 4; i++) expect(await cache.store(folioOf(i, 0, i))).toBe(true)
    expect(await cache.shrink(4)).toBe(0)
    expect(cache.stats().reject_reclaim_fail).toBe(0)
    await cache.close()
  })

  // item 8: eight 4 KiB folios into a cgroup with zswapMax 100 and writeback off
  it('eight store() calls stop at the cgroup limit (control for issue 10 item 8)', async () => {
    const cache = createZswap({
      compressor: lz4(),
      zpool: zbud(),
      ramBytes: 2 ** 30,
      swapDevice: memorySwapDevice({ pages: 64 }),
    })
    cache.createCgroup('small', { zswapMax: 100, writeback: false })
    let stored = 0
    for (let i = 0; i < 8; i++) if (await cache.store(folioOf(i, 0, i, 'small'))) stored++
    expect(stored).toBe(1)
    await cache.close()
  })
  it('storeBatch of the same eight folios stops at the cgroup limit too (guards issue 10 item 8)', async () => {
    const cache = createZswap({
      compressor: lz4(),
      zpool: zbud(),
      ramBytes: 2 ** 30,
      swapDevice: memorySwapDevice({ pages: 64 }),
    })
    cache.createCgroup('small', { zswapMax: 100, writeback: false })
    const results = await cache.storeBatch(Array.from({ length: 8 }, (_, i) => folioOf(i, 0, i, 'small')))
    expect(results.filter(Boolean).length).toBe(1)
    await cache.close()
  })
})
