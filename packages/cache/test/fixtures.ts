import {
  type Accelerator,
  AcceleratorError,
  type CompressJob,
  type Compressor,
  compressorAccelerator,
  createFolio,
  type DecompressJob,
  type Folio,
  PAGE_SIZE,
  SPECIFICATION_VERSION,
  type SwapDevice,
  type Zpool,
  ZpoolFullError,
} from '@zswap/core'
import {
  type FaultPlan,
  faultPlan,
  faultyCompressor,
  faultySwapDevice,
  faultyZpool,
  referenceZpool,
  rleCompressor,
} from '@zswap/core/testing'
import { createZswap, memorySwapDevice, type Zswap, type ZswapOptions } from '../src/index.js'

/** A page that RLE compresses to a few dozen bytes; `seed` makes it unique. */
export function compressiblePage(seed: number): Uint8Array {
  const page = new Uint8Array(PAGE_SIZE)
  let x = seed * 2654435761 + 1
  for (let i = 0; i < PAGE_SIZE; ) {
    x = (x * 1103515245 + 12345) >>> 0
    const run = 64 + (x % 192)
    page.fill((x >>> 8) & 0xff, i, Math.min(PAGE_SIZE, i + run))
    i += run
  }
  page[0] = seed & 0xff
  page[1] = (seed >>> 8) & 0xff
  return page
}

/** A page no compressor shrinks. */
export function randomPage(seed: number): Uint8Array {
  const page = new Uint8Array(PAGE_SIZE)
  let x = seed + 0x9e3779b9
  for (let i = 0; i < PAGE_SIZE; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    page[i] = x & 0xff
  }
  return page
}

/** A folio of 2^order compressible pages. */
export function folioAt(offset: number, order = 0, seed = offset, cgroup?: string, type = 0): Folio {
  const data = new Uint8Array(PAGE_SIZE << order)
  for (let i = 0; i < 1 << order; i++) data.set(compressiblePage(seed * 1024 + i), i * PAGE_SIZE)
  return createFolio({ type, offset }, order, data, cgroup)
}

/** An empty folio to load into. */
export function emptyFolio(offset: number, order = 0, type = 0): Folio {
  return createFolio({ type, offset }, order)
}

export interface TestStack {
  cache: Zswap
  plan: FaultPlan
  zpool: Zpool
  compressor: Compressor
  device: SwapDevice
}

/** A cache over the RLE compressor, the reference zpool and a memory swap device, all fault-injectable. */
export function testStack(options: Partial<ZswapOptions> & { maxPages?: number } = {}): TestStack {
  const plan = faultPlan()
  const compressor = faultyCompressor(rleCompressor(), plan)
  const { maxPages, ...rest } = options
  const zpool = faultyZpool(referenceZpool({ maxPages }), plan)
  const device = faultySwapDevice(memorySwapDevice({ pages: 1 << 16 }), plan)
  const cache = createZswap({ compressor, zpool, swapDevice: device, ramBytes: 1 << 30, ...rest })
  return { cache, plan, zpool, compressor, device }
}

/** A promise with its resolve function outside: tests wait for events, not time. */
export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => {}
  const promise = new Promise<void>((r) => {
    resolve = r
  })
  return { promise, resolve }
}

/** A hold on one batch call: `reached` settles when the call arrives, `release()` lets it run. */
export interface BatchHold {
  reached: Promise<void>
  release(): void
}

/**
 * An accelerator of `maxBatch` over a compressor whose n-th compress or
 * decompress batch can be held (a deferred promise) so that a test can act
 * while it is in flight, or made to reject or throw.
 */
export function gatedAccelerator(
  maxBatch: number,
  compressor: Compressor = rleCompressor(),
  /** Extra capabilities to declare (maxInputSize for multi-page objects). */
  extra: { maxInputSize?: number } = {},
) {
  const inner = compressorAccelerator(compressor)
  let compressCalls = 0
  let decompressCalls = 0
  const holds = new Map<string, { reached: () => void; gate: Promise<void> }>()
  const faults = new Map<string, 'reject' | 'throw'>()
  const run = async <J extends CompressJob | DecompressJob>(
    kind: 'c' | 'd',
    call: number,
    jobs: readonly J[],
    count: number,
    each: (job: J) => Promise<void>,
  ) => {
    const hold = holds.get(`${kind}${call}`)
    if (hold) {
      hold.reached()
      await hold.gate
    }
    if (faults.get(`${kind}${call}`) === 'reject') throw new AcceleratorError('[test] injected batch fault')
    for (let i = 0; i < count; i++) await each(jobs[i])
  }
  const accel: Accelerator = {
    specificationVersion: SPECIFICATION_VERSION,
    name: `gated-${maxBatch}`,
    capabilities: { maxBatch, format: compressor.capabilities.format, ...extra },
    compressBatch(jobs, count = jobs.length) {
      const call = ++compressCalls
      if (faults.get(`c${call}`) === 'throw') throw new AcceleratorError('[test] injected synchronous fault')
      return run('c', call, jobs, count, (job) => inner.compressBatch([job]))
    },
    decompressBatch(jobs, count = jobs.length) {
      const call = ++decompressCalls
      if (faults.get(`d${call}`) === 'throw') throw new AcceleratorError('[test] injected synchronous fault')
      return run('d', call, jobs, count, (job) => inner.decompressBatch([job]))
    },
    close: () => inner.close(),
  }
  const hold = (kind: 'c' | 'd', call: number): BatchHold => {
    const reached = deferred()
    const gate = deferred()
    holds.set(`${kind}${call}`, { reached: reached.resolve, gate: gate.promise })
    return { reached: reached.promise, release: gate.resolve }
  }
  return {
    accel,
    /** Holds the `call`-th compressBatch (1-based, counted from now on). */
    holdCompress: (call: number) => hold('c', compressCalls + call),
    holdDecompress: (call: number) => hold('d', decompressCalls + call),
    /** Makes the `call`-th batch from now reject (after a hold, if any) or throw synchronously. */
    failCompress: (call: number, how: 'reject' | 'throw') => faults.set(`c${compressCalls + call}`, how),
    failDecompress: (call: number, how: 'reject' | 'throw') => faults.set(`d${decompressCalls + call}`, how),
    /** Closes the underlying accelerator, as a device going away would. */
    closeInner: () => inner.close(),
  }
}

/**
 * A zpool that tracks its live handles (to prove nothing leaks) and can make
 * its n-th write (from now) or every read throw.
 */
export function trackingZpool(inner: Zpool = referenceZpool()) {
  const live = new Set<number>()
  let writes = 0
  let failWriteAt = 0
  let failReads = false
  const counts = { read: 0, readInPlace: 0 }
  const zpool: Zpool = {
    specificationVersion: inner.specificationVersion,
    name: `tracking-${inner.name}`,
    capabilities: inner.capabilities,
    malloc(size) {
      const handle = inner.malloc(size)
      live.add(handle)
      return handle
    },
    free(handle) {
      inner.free(handle)
      live.delete(handle)
    },
    write(handle, src) {
      if (++writes === failWriteAt) throw new ZpoolFullError('[test] injected write fault')
      inner.write(handle, src)
    },
    read(handle, dst) {
      if (failReads) throw new ZpoolFullError('[test] injected read fault')
      counts.read++
      inner.read(handle, dst)
    },
    get totalPages() {
      return inner.totalPages
    },
    destroy: () => inner.destroy(),
  }
  const readInPlace = inner.readInPlace?.bind(inner)
  if (readInPlace) {
    zpool.readInPlace = (handle, length, scratch) => {
      if (failReads) throw new ZpoolFullError('[test] injected read fault')
      counts.readInPlace++
      return readInPlace(handle, length, scratch)
    }
  }
  return {
    zpool,
    live,
    /** Calls of read and readInPlace that returned. */
    counts,
    failWrite(nth: number) {
      failWriteAt = writes + nth
    },
    setFailReads(on: boolean) {
      failReads = on
    },
  }
}

/**
 * RLE with each (run, byte) pair written as (byte, run): a different wire
 * format (`test-rle-swapped`), so data of one cannot be read by the other —
 * a load or write-back that picks the wrong compressor fails or returns
 * wrong bytes.
 */
export function swappedRleCompressor(): Compressor {
  const rle = rleCompressor('rle-swapped')
  const swap = (bytes: Uint8Array) => {
    for (let i = 0; i + 1 < bytes.length; i += 2) {
      const t = bytes[i]
      bytes[i] = bytes[i + 1]
      bytes[i + 1] = t
    }
  }
  return {
    ...rle,
    capabilities: { format: 'test-rle-swapped' },
    compress(src, dst) {
      const n = rle.compress(src, dst)
      if (n > 0) swap(dst.subarray(0, n))
      return n
    },
    decompress(src, dst) {
      const copy = src.slice()
      swap(copy)
      return rle.decompress(copy, dst)
    },
  }
}

/** A compressor whose decompress reports (and writes) one byte short of what it was given. */
export function shortDecompressor(short = 1): Compressor {
  const rle = rleCompressor('rle-short')
  return {
    ...rle,
    decompress(src, dst) {
      return rle.decompress(src, dst) - short
    },
  }
}

/** The error `promise` rejects with (fails the test when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await promise
  } catch (error) {
    return error as Error & { code?: string }
  }
  throw new Error('expected a rejection')
}

/** A zpool that counts its `destroy()` calls (`destroys()`), around `inner`. */
export function destroyCounting(inner: Zpool = referenceZpool()): { zpool: Zpool; destroys: () => number } {
  let destroys = 0
  const zpool: Zpool = {
    ...inner,
    destroy() {
      destroys++
      inner.destroy()
    },
  }
  return { zpool, destroys: () => destroys }
}
