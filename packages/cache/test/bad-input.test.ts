import { compressorAccelerator, ErrorCode, PAGE_SIZE, ZswapError } from '@zswap/core'
import { referenceZpool, rleCompressor } from '@zswap/core/testing'
import { describe, expect, it } from 'vitest'
import { createZswap } from '../src/index.js'
import { folioAt, testStack } from './fixtures.js'

async function code(promise: Promise<unknown> | (() => unknown)): Promise<string | undefined> {
  try {
    await (typeof promise === 'function' ? promise() : promise)
  } catch (error) {
    expect(ZswapError.isInstance(error) || (error as { code?: string }).code).toBeTruthy()
    return (error as { code: string }).code
  }
  return undefined
}

describe('bad input', () => {
  it('gives typed errors and leaves every stored page intact', async () => {
    const { cache } = testStack({ mthpEnabled: true })
    await cache.store(folioAt(0))
    await cache.store(folioAt(1, 1))
    const before = JSON.stringify(cache.stats())
    const swap = { type: 0, offset: 0 }
    const bad: unknown[] = [
      { swap, order: 0, data: new Uint8Array(100) },
      { swap, order: 1, data: new Uint8Array(PAGE_SIZE) },
      { swap, order: 10, data: new Uint8Array(PAGE_SIZE << 10) },
      { swap, order: -1, data: new Uint8Array(PAGE_SIZE) },
      { swap, order: 0.5, data: new Uint8Array(PAGE_SIZE) },
      { swap: { type: 0, offset: -1 }, order: 0, data: new Uint8Array(PAGE_SIZE) },
      { swap: { type: 0, offset: 1.5 }, order: 0, data: new Uint8Array(PAGE_SIZE) },
      { swap: { type: 99, offset: 0 }, order: 0, data: new Uint8Array(PAGE_SIZE) },
      { swap, order: 0, data: new Array(PAGE_SIZE).fill(0) },
      null,
    ]
    for (const folio of bad) {
      expect(await code(cache.store(folio as never))).toBe(ErrorCode.INVALID_ARGUMENT)
      expect(await code(cache.load(folio as never))).toBe(ErrorCode.INVALID_ARGUMENT)
    }
    expect(await code(cache.store({ ...folioAt(0), cgroup: 'nope' }))).toBe(ErrorCode.UNKNOWN_CGROUP)
    expect(await code(cache.storeBatch([folioAt(0, 1), folioAt(1)]))).toBe(ErrorCode.INVALID_ARGUMENT)
    expect(await code(() => cache.invalidate({ type: 0, offset: -3 }))).toBe(ErrorCode.INVALID_ARGUMENT)
    expect(await code(() => cache.invalidateRange({ type: 0, offset: 0 }, -1))).toBe(
      ErrorCode.INVALID_ARGUMENT,
    )
    expect(await code(cache.shrink(1.5))).toBe(ErrorCode.INVALID_ARGUMENT)
    expect(await code(() => cache.setParams({ maxPoolPercent: 101 }))).toBe(ErrorCode.INVALID_OPTION)
    expect(await code(() => cache.setParams({ enabled: 'yes' as never }))).toBe(ErrorCode.INVALID_OPTION)
    expect(await code(() => cache.createCgroup('/'))).toBe(ErrorCode.INVALID_OPTION)
    expect(await code(() => cache.setCgroup('nope', {}))).toBe(ErrorCode.UNKNOWN_CGROUP)
    expect(JSON.stringify(cache.stats())).toBe(before)
    expect(cache.params.maxPoolPercent).toBe(20)
  })

  it('rejects use after close', async () => {
    const { cache } = testStack()
    await cache.store(folioAt(0))
    await cache.close()
    await cache.close()
    expect(await code(cache.store(folioAt(1)))).toBe(ErrorCode.CLOSED)
    expect(await code(cache.load(folioAt(0)))).toBe(ErrorCode.CLOSED)
    expect(await code(() => cache.invalidate({ type: 0, offset: 0 }))).toBe(ErrorCode.CLOSED)
    expect(await code(cache.shrink(1))).toBe(ErrorCode.CLOSED)
  })

  it('checks options', async () => {
    const { zpool, compressor } = testStack()
    expect(await code(() => createZswap({ zpool } as never))).toBe(ErrorCode.INVALID_OPTION)
    expect(await code(() => createZswap({ zpool, compressor, ramBytes: -1 }))).toBe(ErrorCode.INVALID_OPTION)
    expect(await code(() => createZswap({ zpool, compressor, maxPoolPercent: Number.NaN }))).toBe(
      ErrorCode.INVALID_OPTION,
    )
    expect(
      await code(() =>
        createZswap({ zpool, compressor: { ...compressor, specificationVersion: 'v9' as never } }),
      ),
    ).toBe(ErrorCode.UNSUPPORTED_SPECIFICATION)
  })
})

describe('validation cannot be bypassed', () => {
  it('a folio whose order or data getter changes after validation stores only what was checked', async () => {
    for (const field of ['order', 'data', 'swap'] as const) {
      const { cache } = testStack({ mthpEnabled: true })
      const small = folioAt(0)
      const big = folioAt(0, 9)
      let reads = 0
      const folio = {
        get swap() {
          if (field === 'swap' && reads++ > 0) return { type: 0, offset: 2 ** 31 - 1 }
          return small.swap
        },
        get order() {
          if (field === 'order' && reads++ > 0) return 9
          return 0
        },
        get data() {
          if (field === 'data' && reads++ > 0) return big.data
          return small.data
        },
      }
      expect(await cache.store(folio as never)).toBe(true)
      expect(cache.stats().stored_pages).toBe(1)
      expect(cache.has({ type: 0, offset: 0 })).toBe(true)
      const out = folioAt(0, 0, 99)
      expect(await cache.load(out)).toBe(true)
      expect(out.data).toEqual(small.data)
    }
  })
})

describe('errors with a code', () => {
  it('setParams and cgroup options: null, non-objects and unknown keys (listing the valid ones)', async () => {
    const { cache } = testStack()
    await cache.store(folioAt(0))
    const before = JSON.stringify(cache.stats())
    for (const bad of [null, 5, 'x', [1]]) {
      expect(await code(() => cache.setParams(bad as never))).toBe(ErrorCode.INVALID_OPTION)
    }
    let message = ''
    try {
      cache.setParams({ maxpoolPercent: 10 } as never)
    } catch (error) {
      message = (error as Error).message
    }
    expect(message).toContain('maxpoolPercent')
    expect(message).toContain('maxPoolPercent')
    expect(await code(() => cache.setParams({ enabled: false, bogus: 1 } as never))).toBe(
      ErrorCode.INVALID_OPTION,
    )
    expect(cache.params.enabled).toBe(true) // changed nothing
    expect(await code(() => cache.createCgroup('a', { zswapmax: 1 } as never))).toBe(ErrorCode.INVALID_OPTION)
    expect(await code(() => cache.createCgroup('a', null as never))).toBe(ErrorCode.INVALID_OPTION)
    cache.createCgroup('b')
    expect(await code(() => cache.setCgroup('b', { writeBack: false } as never))).toBe(
      ErrorCode.INVALID_OPTION,
    )
    expect(await code(() => cache.setCgroup('b', null as never))).toBe(ErrorCode.INVALID_OPTION)
    const after = cache.stats()
    delete after.cgroups.b
    expect(JSON.stringify(after)).toBe(before)
  })

  it('createZswap rejects unknown option keys with the list of valid keys', async () => {
    const { zpool, compressor } = testStack()
    let error: unknown
    try {
      createZswap({ zpool, compressor, maxpoolPercent: 5 } as never)
    } catch (e) {
      error = e
    }
    expect((error as { code?: string }).code).toBe(ErrorCode.INVALID_OPTION)
    expect((error as Error).message).toContain('maxpoolPercent')
    expect((error as Error).message).toContain('maxPoolPercent')
    expect(await code(() => createZswap(null as never))).toBe(ErrorCode.INVALID_OPTION)
  })

  it('a compressor without capabilities is an option error, not a TypeError', async () => {
    const { zpool, compressor } = testStack()
    const broken = { ...compressor, capabilities: undefined }
    expect(await code(() => createZswap({ zpool, compressor: broken as never }))).toBe(
      ErrorCode.INVALID_OPTION,
    )
    const cache = createZswap({ zpool, compressor })
    expect(await code(() => cache.setCompressor(broken as never))).toBe(ErrorCode.INVALID_OPTION)
  })

  it('an accelerator with maxBatch 1e9 is an option error and is not left registered', async () => {
    const { cache } = testStack()
    const huge = {
      ...compressorAccelerator(rleCompressor()),
      capabilities: { maxBatch: 1e9, format: 'test-rle' },
    }
    expect(await code(() => cache.setCompressor(huge))).toBe(ErrorCode.INVALID_OPTION)
    // not registered: a second attempt is checked again, and stores still use the old compressor
    expect(await code(() => cache.setCompressor(huge))).toBe(ErrorCode.INVALID_OPTION)
    expect(await cache.store(folioAt(1))).toBe(true)
    expect(await cache.load(folioAt(1, 0, 5))).toBe(true)
  })

  it('a compressor returning 0, NaN or a fraction is a compression failure, not an allocation failure (incompressible reject)', async () => {
    for (const bad of [0, Number.NaN, 12.5]) {
      const { cache } = testStack({ incompressible: 'reject' })
      cache.setCompressor({ ...rleCompressor('bad'), compress: () => bad })
      expect(await cache.store(folioAt(1))).toBe(false)
      expect(cache.stats()).toMatchObject({ reject_compress_fail: 1, reject_alloc_fail: 0, stored_pages: 0 })
    }
  })

  it('an accelerator reporting a length of 0, NaN, a fraction or past the page is a compression failure (incompressible reject)', async () => {
    for (const bad of [0, Number.NaN, 12.5, PAGE_SIZE + 1, -5]) {
      const { cache } = testStack({ incompressible: 'reject' })
      const inner = compressorAccelerator(rleCompressor())
      cache.setCompressor({
        ...inner,
        async compressBatch(jobs, count) {
          await inner.compressBatch(jobs, count)
          jobs[0].length = bad
        },
      })
      expect(await cache.store(folioAt(1))).toBe(false)
      expect(cache.stats()).toMatchObject({ reject_compress_fail: 1, reject_alloc_fail: 0, stored_pages: 0 })
    }
  })
})

describe('after close', () => {
  it('every member but close() throws ClosedError', async () => {
    const { cache } = testStack()
    await cache.store(folioAt(0))
    await cache.close()
    const calls: (() => unknown)[] = [
      () => cache.has({ type: 0, offset: 0 }),
      () => cache.stats(),
      () => cache.setParams({ enabled: false }),
      () => cache.setCgroup('/', { zswapMax: 0 }),
      () => cache.createCgroup('x'),
      () => cache.setCompressor(rleCompressor()),
      () => cache.invalidateRange({ type: 0, offset: 0 }, 4),
      () => cache.storeBatch([folioAt(1)]),
      () => cache.loadBatch([folioAt(1)]),
      () => cache.params,
      () => cache.storedPages,
      () => cache.maxPoolPages,
      () => cache.metadataBytes,
    ]
    for (const call of calls) expect(await code(call)).toBe(ErrorCode.CLOSED)
  })

  it('close() destroys the zpool', async () => {
    const { cache, zpool } = testStack()
    await cache.store(folioAt(0))
    await cache.close()
    expect(() => zpool.malloc(10)).toThrow(expect.objectContaining({ code: ErrorCode.CLOSED }))
  })
})

describe('shrink() without a swap device', () => {
  it('returns 0 and counts nothing', async () => {
    const cache = createZswap({ compressor: rleCompressor(), zpool: referenceZpool() })
    for (let i = 0; i < 4; i++) await cache.store(folioAt(i))
    const before = cache.stats()
    expect(await cache.shrink(10)).toBe(0)
    expect(await cache.shrink(10)).toBe(0)
    expect(cache.stats()).toEqual(before)
  })
})
