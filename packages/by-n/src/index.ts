import { type Accelerator, type Compressor, toAccelerator } from '@zswap/core'
import { ByNAccelerator } from './by-n-accelerator.js'
import { type ByNOptions, normalizeOptions } from './by-n-options.js'

export { ByNAccelerator, type ByNCapabilities } from './by-n-accelerator.js'
export type { ByNOptions } from './by-n-options.js'
export { MAGIC, MAX_N, VERSION } from './format.js'

/**
 * Wraps an Accelerator (or a Compressor, through `@zswap/core`'s adapter) as
 * a by_n Accelerator: objects of up to `maxInputSize` bytes (default 64 KiB)
 * are cut into `n` chunks compressed in parallel, and one page of an object
 * can be decompressed on its own (`DecompressJob.start`). Takes ownership:
 * `close()` closes `inner`.
 * @example
 * const device = byN(iaa({ engines: 2 }), { n: 8 })
 * const job = { src: folio64k, dst: new Uint8Array(65536), length: 0, error: undefined }
 * await device.compressBatch([job]) // job.length: bytes of the object, or -1
 * const page = { src: job.dst.subarray(0, job.length), dst: new Uint8Array(4096), start: 3 * 4096, length: 0, error: undefined }
 * await device.decompressBatch([page]) // only the chunk holding page 3 runs
 * @throws TypeError | RangeError (code ERR_INVALID_OPTION) for a bad option.
 */
export function byN(inner: Accelerator | Compressor, options?: ByNOptions): ByNAccelerator {
  const accelerator = toAccelerator(inner)
  return new ByNAccelerator(accelerator, normalizeOptions(options, accelerator.capabilities.maxBatch))
}
