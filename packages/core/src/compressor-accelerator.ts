import type { Accelerator, CompressJob, DecompressJob } from './accelerator.js'
import type { Compressor } from './compressor.js'
import {
  ClosedError,
  CompressionFailedError,
  CorruptDataError,
  InvalidArgumentError,
  invalidOption,
  ZswapError,
} from './errors.js'
import { assertSpecification, SPECIFICATION_VERSION } from './specification.js'

const DONE = Promise.resolve()

/**
 * Turns a synchronous Compressor into an Accelerator with `maxBatch` 1, so
 * the cache has one code path. Jobs run inline; a thrown error becomes the
 * job's `error` (wrapped in a ZswapError when the compressor threw
 * something else).
 */
export function compressorAccelerator(compressor: Compressor): Accelerator {
  assertSpecification(compressor, 'compressor')
  const format = compressor.capabilities?.format
  if (typeof format !== 'string') {
    throw invalidOption('@zswap/core', 'compressor.capabilities', 'an object { format: string }', 'type')
  }
  for (const method of ['compress', 'decompress'] as const) {
    if (typeof compressor[method] !== 'function') {
      throw invalidOption('@zswap/core', `compressor.${method}`, 'a function', 'type')
    }
  }
  let closed = false
  // misuse rejects the returned promise, as the contract says; it never throws synchronously
  const check = (jobs: readonly unknown[], count: number): ZswapError | undefined => {
    if (closed) return new ClosedError(`[@zswap/core] accelerator ${compressor.name} is closed`)
    if (!Number.isInteger(count) || count < 0 || count > Math.min(1, jobs.length)) {
      return new InvalidArgumentError(`[@zswap/core] count must be 0 or 1 (maxBatch 1), got ${count}`)
    }
    return undefined
  }
  return {
    specificationVersion: SPECIFICATION_VERSION,
    name: compressor.name,
    capabilities: {
      maxBatch: 1,
      format,
      // a compressor takes any size unless it says otherwise
      maxInputSize: compressor.capabilities.maxInputSize ?? Number.POSITIVE_INFINITY,
    },
    compressBatch(jobs: readonly CompressJob[], count = jobs.length) {
      const misuse = check(jobs, count)
      if (misuse) return Promise.reject(misuse)
      for (let i = 0; i < count; i++) {
        const job = jobs[i]
        try {
          const length = compressor.compress(job.src, job.dst)
          // -1 (does not fit) or 1..dst.length bytes; anything else is a broken compressor
          if (length !== -1 && !(Number.isInteger(length) && length >= 1 && length <= job.dst.length)) {
            throw new CompressionFailedError(
              `[@zswap/core] ${compressor.name} compress returned ${String(length)}, not -1 or 1..${job.dst.length}`,
            )
          }
          job.length = length
          job.error = undefined
        } catch (error) {
          job.length = 0
          job.error = ZswapError.isInstance(error)
            ? error
            : new CompressionFailedError(`[@zswap/core] ${compressor.name} compress failed`, { cause: error })
        }
      }
      return DONE
    },
    decompressBatch(jobs: readonly DecompressJob[], count = jobs.length) {
      const misuse = check(jobs, count)
      if (misuse) return Promise.reject(misuse)
      for (let i = 0; i < count; i++) {
        const job = jobs[i]
        try {
          job.length = compressor.decompress(job.src, job.dst)
          job.error = undefined
        } catch (error) {
          job.length = 0
          job.error = ZswapError.isInstance(error)
            ? error
            : new CorruptDataError(`[@zswap/core] ${compressor.name} decompress failed`, { cause: error })
        }
      }
      return DONE
    },
    close() {
      closed = true
      compressor.close?.()
      return DONE
    },
  }
}

/** True when `x` looks like an Accelerator (has compressBatch), not a Compressor. */
export function isAccelerator(x: Compressor | Accelerator): x is Accelerator {
  return typeof (x as Accelerator).compressBatch === 'function'
}

/** Returns `x` if it is an Accelerator, else wraps the Compressor. */
export function toAccelerator(x: Compressor | Accelerator): Accelerator {
  if (isAccelerator(x)) {
    assertSpecification(x, 'accelerator')
    const capabilities = x.capabilities
    if (
      typeof capabilities !== 'object' ||
      capabilities === null ||
      typeof capabilities.format !== 'string'
    ) {
      throw invalidOption(
        '@zswap/core',
        'accelerator.capabilities',
        'an object { maxBatch, format: string }',
        'type',
      )
    }
    if (!Number.isInteger(capabilities.maxBatch) || capabilities.maxBatch < 1) {
      throw invalidOption('@zswap/core', 'accelerator.capabilities.maxBatch', 'an integer ≥ 1')
    }
    for (const method of ['decompressBatch', 'close'] as const) {
      if (typeof x[method] !== 'function') {
        throw invalidOption('@zswap/core', `accelerator.${method}`, 'a function', 'type')
      }
    }
    return x
  }
  return compressorAccelerator(x)
}
