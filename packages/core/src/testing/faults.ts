import type { Compressor } from '../compressor.js'
import { CompressionFailedError, CorruptDataError, SwapIoError, ZpoolFullError } from '../errors.js'
import type { SwapDevice } from '../swap-device.js'
import type { Zpool } from '../zpool.js'

/**
 * A switchboard of faults shared by the wrappers below. Each field counts
 * down: `failCompressAt = 3` fails the third compress call from now (then
 * resets to 0 = off). `always*` flags fail every call while set.
 */
export interface FaultPlan {
  failCompressAt: number
  failDecompressAt: number
  failMallocAt: number
  failWriteAt: number
  alwaysFailCompress: boolean
  alwaysFailMalloc: boolean
  alwaysFailWrite: boolean
}

/** A fresh plan with every fault off. */
export function faultPlan(): FaultPlan {
  return {
    failCompressAt: 0,
    failDecompressAt: 0,
    failMallocAt: 0,
    failWriteAt: 0,
    alwaysFailCompress: false,
    alwaysFailMalloc: false,
    alwaysFailWrite: false,
  }
}

function fire(
  plan: FaultPlan,
  key: 'failCompressAt' | 'failDecompressAt' | 'failMallocAt' | 'failWriteAt',
): boolean {
  if (plan[key] <= 0) return false
  return --plan[key] === 0
}

/** Wraps a Compressor so that the plan can fail compress (CompressionFailedError) or decompress (CorruptDataError). */
export function faultyCompressor(inner: Compressor, plan: FaultPlan): Compressor {
  return {
    specificationVersion: inner.specificationVersion,
    name: `faulty-${inner.name}`,
    capabilities: inner.capabilities,
    compress(src, dst) {
      if (plan.alwaysFailCompress || fire(plan, 'failCompressAt')) {
        throw new CompressionFailedError('[@zswap/core] injected compression failure')
      }
      return inner.compress(src, dst)
    },
    decompress(src, dst) {
      if (fire(plan, 'failDecompressAt'))
        throw new CorruptDataError('[@zswap/core] injected decompression failure')
      return inner.decompress(src, dst)
    },
    close: inner.close && (() => inner.close?.()),
  }
}

/** Wraps a Zpool so that the plan can make malloc throw ZpoolFullError. It reads in place when `inner` does. */
export function faultyZpool(inner: Zpool, plan: FaultPlan): Zpool {
  const pool: Zpool = {
    specificationVersion: inner.specificationVersion,
    name: `faulty-${inner.name}`,
    capabilities: inner.capabilities,
    malloc(size) {
      if (plan.alwaysFailMalloc || fire(plan, 'failMallocAt')) {
        throw new ZpoolFullError('[@zswap/core] injected allocation failure')
      }
      return inner.malloc(size)
    },
    free: (handle) => inner.free(handle),
    write: (handle, src) => inner.write(handle, src),
    read: (handle, dst) => inner.read(handle, dst),
    get totalPages() {
      return inner.totalPages
    },
    destroy: () => inner.destroy(),
  }
  const readInPlace = inner.readInPlace?.bind(inner)
  if (readInPlace) pool.readInPlace = readInPlace
  return pool
}

/** Wraps a SwapDevice so that the plan can make writes fail with SwapIoError. */
export function faultySwapDevice(inner: SwapDevice, plan: FaultPlan): SwapDevice {
  return {
    specificationVersion: inner.specificationVersion,
    name: `faulty-${inner.name}`,
    capabilities: inner.capabilities,
    pages: inner.pages,
    async write(offset, src) {
      if (plan.alwaysFailWrite || fire(plan, 'failWriteAt'))
        throw new SwapIoError('[@zswap/core] injected write error')
      return inner.write(offset, src)
    },
    read: (offset, dst) => inner.read(offset, dst),
    close: () => inner.close(),
  }
}
