import { ErrorCode, PAGE_SIZE, ZswapError } from '@zswap/core'
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
