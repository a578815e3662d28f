import { invalidOption } from '@zswap/core'
import { MAX_N } from './format.js'

const PKG = '@zswap/by-n'

/** Options of {@link byN}. */
export interface ByNOptions {
  /** Chunks per object: a power of two in 1..64 (the RFC's range). Default 8. */
  n?: number
  /**
   * Largest object, in bytes (an integer in 1..2^24): `capabilities.maxInputSize`.
   * Staging for `maxBatch` objects of this size is allocated once, on the
   * first batch. Objects larger than this, written by another by_n, are
   * refused as corrupt. Default 65536 (a 64 KiB folio).
   */
  maxInputSize?: number
  /** Objects per batch (`capabilities.maxBatch`), 1..64. Default: the wrapped accelerator's maxBatch. */
  maxBatch?: number
  /**
   * Batches of chunks handed to the wrapped accelerator at once (1..1024).
   * The IAA emulation and the Compressor adapter accept concurrent calls;
   * use 1 for an accelerator that does not. Default 1024 (all of them).
   */
  concurrentBatches?: number
  /**
   * End every object with a CRC-32 of the rest and check it before
   * decompressing anything, so a damaged object is always an error, never a
   * wrong page — also over formats without a checksum (raw deflate) and for
   * raw chunks. Costs 4 bytes per object. Default true.
   */
  checksum?: boolean
}

/** Options after validation, defaults applied. */
export interface NormalizedByNOptions {
  n: number
  maxInputSize: number
  maxBatch: number
  concurrentBatches: number
  checksum: boolean
}

function int(value: unknown, name: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number') throw invalidOption(PKG, name, `an integer in [${min}, ${max}]`, 'type')
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalidOption(PKG, name, `an integer in [${min}, ${max}], got ${value}`)
  }
  return value
}

/** Checks `options` once; `innerMaxBatch` is the wrapped accelerator's maxBatch. */
export function normalizeOptions(
  options: ByNOptions | undefined,
  innerMaxBatch: number,
): NormalizedByNOptions {
  if (options === undefined) options = {}
  if (typeof options !== 'object' || options === null)
    throw invalidOption(PKG, 'options', 'an object', 'type')
  const n = int(options.n, 'n', 1, MAX_N, 8)
  if ((n & (n - 1)) !== 0) throw invalidOption(PKG, 'n', `a power of two in [1, ${MAX_N}], got ${n}`)
  if (options.checksum !== undefined && typeof options.checksum !== 'boolean') {
    throw invalidOption(PKG, 'checksum', 'a boolean', 'type')
  }
  return {
    n,
    maxInputSize: int(options.maxInputSize, 'maxInputSize', 1, 1 << 24, 65536),
    maxBatch: int(options.maxBatch, 'maxBatch', 1, 64, Math.min(innerMaxBatch, 64)),
    concurrentBatches: int(options.concurrentBatches, 'concurrentBatches', 1, 1024, 1024),
    checksum: options.checksum ?? true,
  }
}
