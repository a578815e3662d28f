import { type CompressJob, type DecompressJob, PAGE_SIZE } from '@zswap/core'

/**
 * Buffers and job objects for one accelerator batch, allocated once.
 * Replaced (never resized) when an accelerator with a larger maxBatch
 * arrives; an operation in flight keeps the one it started with.
 */
export interface Staging {
  /** One PAGE_SIZE slot per job: compressed data between compress and zpool write, or before decompress. */
  readonly slots: Uint8Array[]
  readonly cjobs: CompressJob[]
  readonly djobs: DecompressJob[]
  /** Per job: which folio of the batch, and which page of it. */
  readonly jobFolio: Int32Array
  readonly jobPage: Int32Array
}

export function newStaging(maxBatch: number): Staging {
  const bytes = new Uint8Array(maxBatch * PAGE_SIZE)
  const slots = Array.from({ length: maxBatch }, (_, i) => bytes.subarray(i * PAGE_SIZE, (i + 1) * PAGE_SIZE))
  return {
    slots,
    cjobs: slots.map((dst) => ({ src: dst, dst, length: 0, error: undefined })),
    djobs: slots.map((src) => ({ src, dst: src, length: 0, error: undefined })),
    jobFolio: new Int32Array(maxBatch),
    jobPage: new Int32Array(maxBatch),
  }
}
