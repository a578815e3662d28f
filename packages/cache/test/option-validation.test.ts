import {
  type Accelerator,
  type Compressor,
  compressorAccelerator,
  ErrorCode,
  InvalidArgumentError,
  MAX_SWAP_OFFSET,
  PAGE_SIZE,
  SPECIFICATION_VERSION,
  UnknownCgroupError,
  UnsupportedSpecificationError,
  type Zpool,
} from '@zswap/core'
import { referenceZpool, rleCompressor, thrown } from '@zswap/core/testing'
import { describe, expect, it } from 'vitest'
import { createZswap, memorySwapDevice, type ZswapOptions } from '../src/index.js'
import { destroyCounting, folioAt } from './fixtures.js'

// Every check of createZswap, setParams, setCompressor, the cgroup options and
// the nrPages arguments, pinned to its error class, code and exact message, with
// the values at each boundary accepted: the option-validation mutants Stryker
// left alive (RELIABILITY.md, "Mutation testing").

const P = '[@zswap/cache] options.'

/** Expects an ERR_INVALID_OPTION of `kind` with exactly `message`. */
function expectOptionError(call: () => unknown, kind: typeof TypeError | typeof RangeError, message: string) {
  const error = thrown(call)
  expect(error).toBeInstanceOf(kind)
  // a TypeError is not a RangeError and the other way round
  expect(error).not.toBeInstanceOf(kind === TypeError ? RangeError : TypeError)
  expect(error.code).toBe(ErrorCode.INVALID_OPTION)
  expect(error.message).toBe(message)
}

const ALL_OPTION_KEYS =
  'compressor, accelerator, zpool, swapDevice, ramBytes, objectPages, zeroPages, incompressible, enabled, mthpEnabled, ' +
  'maxPoolPercent, acceptThresholdPercent, shrinkerEnabled'
const PARAM_KEYS = 'enabled, mthpEnabled, maxPoolPercent, acceptThresholdPercent, shrinkerEnabled'

/** A reference zpool that declares `maxObjectSize` (or nothing). */
function zpoolOf(maxObjectSize?: number): Zpool {
  const inner = referenceZpool()
  return {
    ...inner,
    name: 'declared',
    capabilities: (maxObjectSize === undefined ? {} : { maxObjectSize }) as Zpool['capabilities'],
  }
}

/** An accelerator over RLE that declares `maxBatch` and, if given, `maxInputSize`. */
function accelOf(maxBatch: number, maxInputSize?: number, name = 'accel'): Accelerator {
  const inner = compressorAccelerator(rleCompressor())
  return {
    ...inner,
    name,
    compressBatch: (jobs, count) => inner.compressBatch(jobs, count),
    decompressBatch: (jobs, count) => inner.decompressBatch(jobs, count),
    capabilities: {
      maxBatch,
      format: 'test-rle',
      ...(maxInputSize === undefined ? {} : { maxInputSize }),
    },
  }
}

const base = (): ZswapOptions => ({ compressor: rleCompressor(), zpool: referenceZpool(), ramBytes: 1 << 30 })

describe('createZswap options', () => {
  it('the options must be a plain object', () => {
    for (const bad of [null, undefined, 5, 'x', [base()]]) {
      expectOptionError(
        () => createZswap(bad as never),
        TypeError,
        `${P} must be an object (the options of createZswap)`,
      )
    }
  })

  it('an unknown key is named, with the list of valid keys', () => {
    expectOptionError(
      () => createZswap({ ...base(), zPool: 1 } as never),
      RangeError,
      `${P}zPool must be a known option of createZswap (valid keys: ${ALL_OPTION_KEYS})`,
    )
    // every valid key is accepted
    const cache = createZswap({
      ...base(),
      accelerator: undefined,
      swapDevice: undefined,
      objectPages: 1,
      enabled: true,
      mthpEnabled: true,
      maxPoolPercent: 10,
      acceptThresholdPercent: 80,
      shrinkerEnabled: false,
    })
    expect(cache.params).toEqual({
      enabled: true,
      mthpEnabled: true,
      maxPoolPercent: 10,
      acceptThresholdPercent: 80,
      shrinkerEnabled: false,
    })
  })

  it('exactly one of compressor and accelerator', () => {
    const message = `${P}compressor must be given, or options.accelerator, but not both`
    expectOptionError(() => createZswap({ zpool: referenceZpool() }), TypeError, message)
    expectOptionError(
      () => createZswap({ ...base(), accelerator: compressorAccelerator(rleCompressor()) }),
      TypeError,
      message,
    )
    const accelerated = createZswap({ zpool: referenceZpool(), accelerator: accelOf(4) })
    expect(accelerated.params.enabled).toBe(true)
  })

  it('the zpool must be an object of this specification', () => {
    for (const bad of [undefined, null, 5, 'zsmalloc']) {
      expectOptionError(
        () => createZswap({ ...base(), zpool: bad as never }),
        TypeError,
        `${P}zpool must be a Zpool`,
      )
    }
    const error = thrown(() =>
      createZswap({ ...base(), zpool: { ...referenceZpool(), specificationVersion: 'v0' as never } }),
    )
    expect(error).toBeInstanceOf(UnsupportedSpecificationError)
    expect(error.code).toBe(ErrorCode.UNSUPPORTED_SPECIFICATION)
  })

  it('ramBytes: a finite number of at least one page', () => {
    const message = `${P}ramBytes must be a number of bytes ≥ ${PAGE_SIZE}`
    for (const bad of ['4096', Number.NaN, Number.POSITIVE_INFINITY, PAGE_SIZE - 1, -PAGE_SIZE, null]) {
      expectOptionError(() => createZswap({ ...base(), ramBytes: bad as never }), RangeError, message)
    }
    // one page of "RAM" is enough; 20 % of it rounds down to 0 pool pages
    const small = createZswap({ ...base(), ramBytes: PAGE_SIZE })
    expect(small.maxPoolPages).toBe(0)
    expect(createZswap({ ...base(), ramBytes: 100 * PAGE_SIZE }).maxPoolPages).toBe(20)
  })

  it('the defaults are those of Linux zswap', () => {
    expect(createZswap(base()).params).toEqual({
      enabled: true,
      mthpEnabled: false,
      maxPoolPercent: 20,
      acceptThresholdPercent: 90,
      shrinkerEnabled: true,
    })
  })

  it('each parameter given to createZswap is applied and checked like setParams', () => {
    const given = [
      ['enabled', false],
      ['mthpEnabled', true],
      ['maxPoolPercent', 7],
      ['acceptThresholdPercent', 33],
      ['shrinkerEnabled', false],
    ] as const
    for (const [key, value] of given) {
      const cache = createZswap({ ...base(), [key]: value })
      expect(cache.params[key]).toBe(value)
    }
    expectOptionError(
      () => createZswap({ ...base(), acceptThresholdPercent: 101 }),
      RangeError,
      `${P}acceptThresholdPercent must be a number in [0, 100]`,
    )
    expectOptionError(
      () => createZswap({ ...base(), shrinkerEnabled: 1 as never }),
      TypeError,
      `${P}shrinkerEnabled must be a boolean`,
    )
  })

  it('swap devices: one, an array with holes, or none; each of this specification', async () => {
    const device = memorySwapDevice({ pages: 16 })
    const bad = { ...memorySwapDevice({ pages: 16 }), specificationVersion: 'v0' as never }
    expect(thrown(() => createZswap({ ...base(), swapDevice: bad }))).toBeInstanceOf(
      UnsupportedSpecificationError,
    )
    expect(thrown(() => createZswap({ ...base(), swapDevice: [device, bad] }))).toBeInstanceOf(
      UnsupportedSpecificationError,
    )
    // a hole in the array is a swap type without a device; type 1 has one
    const cache = createZswap({
      ...base(),
      swapDevice: [undefined as never, device],
      maxPoolPercent: 0,
      ramBytes: 1 << 30,
    })
    expect(cache.maxPoolPages).toBe(0)
    cache.setParams({ maxPoolPercent: 100 })
    expect(await cache.store(folioAt(3, 0, 3, undefined, 1))).toBe(true)
    expect(await cache.shrink(1)).toBe(1)
    const out = new Uint8Array(PAGE_SIZE)
    await device.read(3, out)
    expect(out).toEqual(folioAt(3, 0, 3).data)
  })

  it('objectPages: 1, 4 or 16, and objects the zpool can hold', () => {
    for (const bad of [0, 2, 8, 32, '4', 4.5]) {
      expectOptionError(
        () => createZswap({ ...base(), objectPages: bad as never }),
        RangeError,
        `${P}objectPages must be 1, 4 or 16`,
      )
    }
    const tail = ' (zsmalloc takes multi-page objects with { multiPage: true })'
    // a zpool that declares nothing holds one page per object
    expectOptionError(
      () => createZswap({ ...base(), zpool: zpoolOf(), objectPages: 4 }),
      RangeError,
      `${P}objectPages must be 1 or less with zpool declared: a 4-page object needs capabilities.maxObjectSize ≥ 16384, it declares 4096${tail}`,
    )
    expectOptionError(
      () => createZswap({ ...base(), zpool: zpoolOf(4 * PAGE_SIZE - 1), objectPages: 4 }),
      RangeError,
      `${P}objectPages must be 1 or less with zpool declared: a 4-page object needs capabilities.maxObjectSize ≥ 16384, it declares 16383${tail}`,
    )
    expectOptionError(
      () => createZswap({ ...base(), zpool: zpoolOf(4 * PAGE_SIZE), objectPages: 16 }),
      RangeError,
      `${P}objectPages must be 4 or less with zpool declared: a 16-page object needs capabilities.maxObjectSize ≥ 65536, it declares 16384${tail}`,
    )
    expectOptionError(
      () => createZswap({ ...base(), zpool: zpoolOf(16 * PAGE_SIZE - 1), objectPages: 16 }),
      RangeError,
      `${P}objectPages must be 4 or less with zpool declared: a 16-page object needs capabilities.maxObjectSize ≥ 65536, it declares 65535${tail}`,
    )
    // exactly large enough is enough (the accelerator must take the input size too)
    const accelerator = accelOf(8, 16 * PAGE_SIZE)
    expect(() => createZswap({ zpool: zpoolOf(4 * PAGE_SIZE), accelerator, objectPages: 4 })).not.toThrow()
    expect(() => createZswap({ zpool: zpoolOf(16 * PAGE_SIZE), accelerator, objectPages: 16 })).not.toThrow()
    // objectPages 1 ignores a small maxObjectSize
    expect(() => createZswap({ ...base(), zpool: zpoolOf(100), objectPages: 1 })).not.toThrow()
  })
})

describe('setParams', () => {
  it('booleans: a boolean or nothing, each key checked', () => {
    const cache = createZswap(base())
    for (const key of ['enabled', 'mthpEnabled', 'shrinkerEnabled'] as const) {
      for (const bad of [1, 'true', null]) {
        expectOptionError(() => cache.setParams({ [key]: bad }), TypeError, `${P}${key} must be a boolean`)
      }
      const value = !cache.params[key]
      cache.setParams({ [key]: value })
      expect(cache.params[key]).toBe(value)
    }
  })

  it('percentages: a number in [0, 100], both ends included', () => {
    const cache = createZswap({ ...base(), ramBytes: 1000 * PAGE_SIZE })
    for (const key of ['maxPoolPercent', 'acceptThresholdPercent'] as const) {
      for (const bad of [-1, -0.001, 100.001, 1000, Number.NaN, '50', null]) {
        expectOptionError(
          () => cache.setParams({ [key]: bad }),
          RangeError,
          `${P}${key} must be a number in [0, 100]`,
        )
      }
      for (const good of [0, 100, 12.5]) {
        cache.setParams({ [key]: good })
        expect(cache.params[key]).toBe(good)
      }
    }
    cache.setParams({ maxPoolPercent: 100 })
    expect(cache.maxPoolPages).toBe(1000)
    cache.setParams({ maxPoolPercent: 0 })
    expect(cache.maxPoolPages).toBe(0)
  })

  it('changes nothing when any value is bad, and leaves the keys not given alone', () => {
    const cache = createZswap(base())
    const before = cache.params
    expect(() => cache.setParams({ enabled: false, mthpEnabled: true, maxPoolPercent: 101 })).toThrow()
    expect(() => cache.setParams({ maxPoolPercent: 5, shrinkerEnabled: 'no' as never })).toThrow()
    expect(cache.params).toEqual(before)
    cache.setParams({ acceptThresholdPercent: 50 })
    expect(cache.params).toEqual({ ...before, acceptThresholdPercent: 50 })
    cache.setParams({})
    expect(cache.params).toEqual({ ...before, acceptThresholdPercent: 50 })
  })

  it('rejects non-objects and unknown keys with the list of parameters', () => {
    const cache = createZswap(base())
    expectOptionError(
      () => cache.setParams(null as never),
      TypeError,
      `${P} must be an object (the options of setParams)`,
    )
    expectOptionError(
      () => cache.setParams({ ramBytes: 1 } as never),
      RangeError,
      `${P}ramBytes must be a known option of setParams (valid keys: ${PARAM_KEYS})`,
    )
  })

  it('params is a copy', () => {
    const cache = createZswap(base())
    const params = cache.params as { enabled: boolean }
    params.enabled = false
    expect(cache.params.enabled).toBe(true)
  })
})

describe('setCompressor', () => {
  it('must be an object', () => {
    const cache = createZswap(base())
    for (const bad of [null, undefined, 'lz4', 4]) {
      expectOptionError(
        () => cache.setCompressor(bad as never),
        TypeError,
        `${P}compressor must be a Compressor or an Accelerator`,
      )
    }
  })

  it('maxBatch: an integer in [1, 512]', async () => {
    const cache = createZswap(base())
    const message = `${P}accelerator.capabilities.maxBatch must be an integer in [1, 512]`
    expectOptionError(() => cache.setCompressor(accelOf(513)), RangeError, message)
    // @zswap/core rejects the others first; an accelerator whose capabilities getter
    // changes after that check is caught by the cache's own check of the value it keeps
    for (const bad of [0, -1, 1.5, Number.NaN, '8', 513]) {
      const accel = accelOf(8)
      const good = accel.capabilities
      let reads = 0
      Object.defineProperty(accel, 'capabilities', {
        get: () => (reads++ === 0 ? good : { ...good, maxBatch: bad }),
      })
      expectOptionError(() => cache.setCompressor(accel), RangeError, message)
      expect(reads).toBeGreaterThan(1)
    }
    for (const good of [1, 512]) {
      cache.setCompressor(accelOf(good))
      expect(await cache.store(folioAt(good))).toBe(true)
    }
    // none of the rejected ones was registered: stores use the last good one
    expect(await cache.load(folioAt(512, 0, 0))).toBe(true)
  })

  it('a multi-page object needs an accelerator that takes its input size', () => {
    const tail = ' (wrap it with @zswap/by-n for multi-page objects)'
    const cache4 = createZswap({
      zpool: zpoolOf(16 * PAGE_SIZE),
      accelerator: accelOf(8, 4 * PAGE_SIZE),
      objectPages: 4,
    })
    expectOptionError(
      () => cache4.setCompressor(accelOf(8, undefined, 'plain')),
      RangeError,
      `${P}objectPages must be 1 or less with accelerator plain: a 4-page object needs capabilities.maxInputSize ≥ 16384, it declares 4096${tail}`,
    )
    // a plain compressor takes any input size unless it declares one
    expect(() => cache4.setCompressor(rleCompressor())).not.toThrow()
    expectOptionError(
      () =>
        cache4.setCompressor({
          ...rleCompressor('small'),
          capabilities: { format: 'test-rle', maxInputSize: 8192 },
        }),
      RangeError,
      `${P}objectPages must be 1 or less with accelerator small: a 4-page object needs capabilities.maxInputSize ≥ 16384, it declares 8192${tail}`,
    )
    expectOptionError(
      () => cache4.setCompressor(accelOf(8, 4 * PAGE_SIZE - 1, 'short')),
      RangeError,
      `${P}objectPages must be 1 or less with accelerator short: a 4-page object needs capabilities.maxInputSize ≥ 16384, it declares 16383${tail}`,
    )
    expect(() =>
      createZswap({
        zpool: zpoolOf(16 * PAGE_SIZE),
        accelerator: accelOf(8, 4 * PAGE_SIZE),
        objectPages: 16,
      }),
    ).toThrow(`${P}objectPages must be 4 or less with accelerator accel: a 16-page object`)
    expect(() =>
      createZswap({
        zpool: zpoolOf(16 * PAGE_SIZE),
        accelerator: accelOf(8, 16 * PAGE_SIZE - 1),
        objectPages: 16,
      }),
    ).toThrow(
      `${P}objectPages must be 4 or less with accelerator accel: a 16-page object needs capabilities.maxInputSize ≥ 65536, it declares 65535`,
    )
  })

  it('at most 256 compressors; one used before is made current again without a new slot', async () => {
    const options = base()
    const cache = createZswap(options) // the first, in slot 0
    for (let i = 0; i < 300; i++) cache.setCompressor(options.compressor as Compressor)
    const first = rleCompressor('first')
    for (let i = 0; i < 300; i++) cache.setCompressor(first) // the same plain compressor: one slot
    const accel = accelOf(4)
    for (let i = 0; i < 300; i++) cache.setCompressor(accel) // the same accelerator: one slot
    for (let i = 3; i < 256; i++) cache.setCompressor(rleCompressor(`c${i}`))
    expectOptionError(
      () => cache.setCompressor(rleCompressor('one too many')),
      RangeError,
      `${P}compressor must be one of at most 256`,
    )
    // the ones registered are still accepted, and stores use them
    cache.setCompressor(first)
    expect(await cache.store(folioAt(1))).toBe(true)
    cache.setCompressor(accel)
    expect(await cache.store(folioAt(2))).toBe(true)
    expect(await cache.load(folioAt(1, 0, 9))).toBe(true)
    expect(await cache.load(folioAt(2, 0, 9))).toBe(true)
  })
})

describe('cgroup options', () => {
  it('names: a new non-empty string', () => {
    const cache = createZswap(base())
    for (const bad of ['', 5, undefined, null]) {
      expectOptionError(
        () => cache.createCgroup(bad as never),
        TypeError,
        `${P}name must be a non-empty string`,
      )
    }
    cache.createCgroup('a')
    expectOptionError(() => cache.createCgroup('a'), RangeError, `${P}name must be new; cgroup a exists`)
    expectOptionError(() => cache.createCgroup('/'), RangeError, `${P}name must be new; cgroup / exists`)
  })

  it('an unknown name is an UnknownCgroupError naming it', () => {
    const cache = createZswap(base())
    const error = thrown(() => cache.setCgroup('nope', {}))
    expect(error).toBeInstanceOf(UnknownCgroupError)
    expect(error.code).toBe(ErrorCode.UNKNOWN_CGROUP)
    expect(error.message).toBe('[@zswap/cache] unknown cgroup "nope"')
  })

  it('zswapMax: a number ≥ 0 or Infinity; writeback: a boolean; a bad value changes nothing', async () => {
    const cache = createZswap(base())
    cache.createCgroup('a')
    for (const bad of [-1, -0.5, Number.NaN, '100', null]) {
      expectOptionError(
        () => cache.setCgroup('a', { zswapMax: bad as never }),
        RangeError,
        `${P}zswapMax must be a number of bytes ≥ 0 (Infinity for no limit)`,
      )
      expectOptionError(
        () => cache.createCgroup('b', { zswapMax: bad as never }),
        RangeError,
        `${P}zswapMax must be a number of bytes ≥ 0 (Infinity for no limit)`,
      )
    }
    for (const bad of [0, 'false', null]) {
      expectOptionError(
        () => cache.setCgroup('a', { writeback: bad as never }),
        TypeError,
        `${P}writeback must be a boolean`,
      )
    }
    expectOptionError(
      () => cache.setCgroup('a', { zswapMaxx: 1 } as never),
      RangeError,
      `${P}zswapMaxx must be a known option of a cgroup (valid keys: zswapMax, writeback)`,
    )
    // a zswapMax of 0 is valid and rejects every store; a bad writeback beside it changes nothing
    expect(() => cache.setCgroup('a', { zswapMax: 0, writeback: 'x' as never })).toThrow()
    expect(await cache.store(folioAt(1, 0, 1, 'a'))).toBe(true)
    cache.setCgroup('a', { zswapMax: 0 })
    expect(await cache.store(folioAt(2, 0, 2, 'a'))).toBe(false)
    cache.setCgroup('a', { writeback: false }) // zswapMax stays 0
    expect(await cache.store(folioAt(3, 0, 3, 'a'))).toBe(false)
    cache.setCgroup('a', { zswapMax: Number.POSITIVE_INFINITY })
    expect(await cache.store(folioAt(4, 0, 4, 'a'))).toBe(true)
    // the failed createCgroup('b') calls left no cgroup behind
    expect(Object.keys(cache.stats().cgroups)).toEqual(['/', 'a'])
  })

  it('at most 65535 cgroups, the root included', () => {
    const cache = createZswap(base())
    for (let i = 1; i < 65535; i++) cache.createCgroup(`g${i}`)
    expectOptionError(
      () => cache.createCgroup('one more'),
      RangeError,
      `${P}name must be one of at most 65535 cgroups`,
    )
    expect(Object.keys(cache.stats().cgroups)).toHaveLength(65535)
  })
})

describe('nrPages arguments', () => {
  function expectArgumentError(call: () => unknown, message: string) {
    const error = thrown(call)
    expect(error).toBeInstanceOf(InvalidArgumentError)
    expect(error.code).toBe(ErrorCode.INVALID_ARGUMENT)
    expect(error.message).toBe(message)
  }

  it('invalidateRange: an integer ≥ 0 that stays within the swap area', async () => {
    const cache = createZswap(base())
    for (const bad of [-1, 1.5, Number.NaN]) {
      expectArgumentError(
        () => cache.invalidateRange({ type: 0, offset: 0 }, bad),
        `[@zswap/cache] nrPages must be an integer ≥ 0 within the swap area, got ${bad}`,
      )
    }
    expectArgumentError(
      () => cache.invalidateRange({ type: 0, offset: MAX_SWAP_OFFSET - 4 }, 5),
      '[@zswap/cache] nrPages must be an integer ≥ 0 within the swap area, got 5',
    )
    // up to the end of the swap area, and 0 pages, are fine
    expect(cache.invalidateRange({ type: 0, offset: MAX_SWAP_OFFSET - 4 }, 4)).toBe(0)
    await cache.store(folioAt(7))
    expect(cache.invalidateRange({ type: 0, offset: 7 }, 0)).toBe(0)
    expect(cache.has({ type: 0, offset: 7 })).toBe(true)
    expect(cache.invalidateRange({ type: 0, offset: 6 }, 2)).toBe(1)
    expect(cache.has({ type: 0, offset: 7 })).toBe(false)
  })

  it('shrink: an integer ≥ 0 (a rejected promise)', async () => {
    const cache = createZswap({ ...base(), swapDevice: memorySwapDevice({ pages: 16 }) })
    for (const bad of [-1, 0.5, Number.NaN]) {
      const error = await cache.shrink(bad).catch((e: Error & { code?: string }) => e)
      expect(error).toBeInstanceOf(InvalidArgumentError)
      expect((error as Error).message).toBe(`[@zswap/cache] nrPages must be an integer ≥ 0, got ${bad}`)
    }
    await cache.store(folioAt(1))
    expect(await cache.shrink(0)).toBe(0)
    expect(cache.has({ type: 0, offset: 1 })).toBe(true)
    expect(await cache.shrink(1)).toBe(1)
    expect(cache.has({ type: 0, offset: 1 })).toBe(false)
  })
})

describe('close', () => {
  /** An RLE compressor counting its close() calls. */
  function closing(onClose: () => void | Promise<void>): Compressor {
    return { ...rleCompressor(), close: onClose }
  }

  it('concurrent close() calls close each driver once', async () => {
    let closes = 0
    const { zpool, destroys } = destroyCounting()
    const cache = createZswap({
      zpool,
      compressor: closing(async () => {
        closes++
      }),
    })
    await Promise.all([cache.close(), cache.close(), cache.close()])
    await cache.close()
    expect({ closes, destroys: destroys() }).toEqual({ closes: 1, destroys: 1 })
  })

  it('destroys the zpool even when a compressor fails to close, and is closed after', async () => {
    const { zpool, destroys } = destroyCounting()
    const cache = createZswap({
      zpool,
      compressor: closing(() => {
        throw new Error('[test] close fault')
      }),
    })
    await expect(cache.close()).rejects.toThrow('[test] close fault')
    expect(destroys()).toBe(1)
    expect(thrown(() => cache.stats()).code).toBe(ErrorCode.CLOSED)
    expect(thrown(() => cache.stats()).message).toBe('[@zswap/cache] the cache is closed')
    await cache.close() // released the lock: a second close() returns
    expect(destroys()).toBe(1)
  })
})

describe('stats', () => {
  it('pool_total_size is the zpool pages in bytes', async () => {
    const zpool = referenceZpool()
    const cache = createZswap({ compressor: rleCompressor(), zpool, ramBytes: 1 << 30 })
    for (let i = 0; i < 64; i++) await cache.store(folioAt(i))
    expect(zpool.totalPages).toBeGreaterThan(0)
    expect(cache.stats().pool_total_size).toBe(zpool.totalPages * PAGE_SIZE)
  })

  it('the specification version of a driver is checked by setCompressor', () => {
    const cache = createZswap(base())
    const error = thrown(() =>
      cache.setCompressor({ ...rleCompressor(), specificationVersion: 'v9' as never }),
    )
    expect(error).toBeInstanceOf(UnsupportedSpecificationError)
    expect(SPECIFICATION_VERSION).not.toBe('v9')
  })
})

describe('metadataBytes', () => {
  // The entry table: nodes of 32 entry slots (18 bytes each: handle 4, length 2,
  // cgroup 2, compressor 1, flags 1, prev 4, next 4) plus 10 bytes per node, 16
  // nodes at first and 1/8 more (at least 16) when they run out; a 512-node
  // directory of Int32 per 16384-offset chunk in use. The object arrays: 23
  // bytes each, none until a multi-page object, 256 at first.
  const NODE = 32 * 18 + 10
  const DIR = 512 * 4

  it('counts the entry nodes, the chunk directories and the object arrays', async () => {
    const cache = createZswap(base())
    expect(cache.metadataBytes).toBe(0)
    await cache.store(folioAt(0))
    expect(cache.metadataBytes).toBe(16 * NODE + DIR)
    await cache.store(folioAt(16384 * 3))
    expect(cache.metadataBytes).toBe(16 * NODE + 2 * DIR)
    // 16 nodes in use (offset 0's, chunk 3's and 14 more), then a 17th: 16 more nodes
    for (let node = 1; node < 15; node++) await cache.store(folioAt(node * 32))
    expect(cache.metadataBytes).toBe(16 * NODE + 2 * DIR)
    await cache.store(folioAt(15 * 32))
    expect(cache.metadataBytes).toBe(32 * NODE + 2 * DIR)
    // freeing keeps the capacity
    cache.invalidateRange({ type: 0, offset: 0 }, 16384 * 4)
    expect(cache.storedPages).toBe(0)
    expect(cache.metadataBytes).toBe(32 * NODE + 2 * DIR)
  })

  it('multi-page objects add 23 bytes each, 256 at first', async () => {
    const accelerator = accelOf(8, 4 * PAGE_SIZE)
    const cache = createZswap({
      zpool: referenceZpool({ maxObjectSize: 4 * PAGE_SIZE }),
      accelerator,
      objectPages: 4,
      mthpEnabled: true,
    })
    expect(await cache.store(folioAt(0, 2))).toBe(true)
    expect(cache.stats().stored_objects).toBe(1)
    expect(cache.metadataBytes).toBe(16 * NODE + 256 * 23 + DIR)
  })
})
