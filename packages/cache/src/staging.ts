import { type CompressJob, type DecompressJob, PAGE_SIZE } from '@zswap/core'

/**
 * Buffers and job objects for one accelerator batch, allocated once.
 * Replaced (never resized) when an accelerator with a larger maxBatch
 * arrives; an operation in flight keeps the one it started with.
 */
export interface Staging {
  /**
   * One slot of `objectPages` pages per job: compressed data between
   * compress and zpool write, or before decompress.
   */
  readonly slots: Uint8Array[]
  /**
   * `views[k][j]`: the first `2^k` pages of slot j, for the compress job of
   * a `2^k`-page object (its output may not reach past the object's size).
   */
  readonly views: Uint8Array[][]
  /**
   * Per job, `objectPages` pages where a whole multi-page object is
   * decompressed before the pages a load wants are copied out (accelerators
   * without partial decompression); `scratchViews[k][j]` as `views`. Empty
   * when objectPages is 1.
   */
  readonly scratchViews: Uint8Array[][]
  readonly cjobs: CompressJob[]
  readonly djobs: DecompressJob[]
  /** Per job: which folio of the batch, and which page of it (the first of the job's pages). */
  readonly jobFolio: Int32Array
  readonly jobPage: Int32Array
  /** Per load job: bytes the job must decompress to. */
  readonly jobExpect: Int32Array
  /** Per load job into scratch: first page of the object to copy out, and how many (0: no copy). */
  readonly jobCopyFrom: Int32Array
  readonly jobCopyPages: Int32Array
}

/** Page counts 1, 2, 4, ... objectPages: the sizes an object can have. */
function pageViews(bytes: Uint8Array, jobs: number, objectPages: number): Uint8Array[][] {
  const views: Uint8Array[][] = []
  const slot = objectPages * PAGE_SIZE
  for (let pages = 1; pages <= objectPages; pages *= 2) {
    views.push(Array.from({ length: jobs }, (_, j) => bytes.subarray(j * slot, j * slot + pages * PAGE_SIZE)))
  }
  return views
}

export function newStaging(jobs: number, objectPages: number): Staging {
  const bytes = new Uint8Array(jobs * objectPages * PAGE_SIZE)
  const views = pageViews(bytes, jobs, objectPages)
  const slots = views[views.length - 1]
  const scratchViews =
    objectPages > 1 ? pageViews(new Uint8Array(jobs * objectPages * PAGE_SIZE), jobs, objectPages) : []
  return {
    slots,
    views,
    scratchViews,
    cjobs: slots.map((dst) => ({ src: dst, dst, length: 0, error: undefined })),
    djobs: slots.map((src) => ({ src, dst: src, start: undefined, length: 0, error: undefined })),
    jobFolio: new Int32Array(jobs),
    jobPage: new Int32Array(jobs),
    jobExpect: new Int32Array(jobs),
    jobCopyFrom: new Int32Array(jobs),
    jobCopyPages: new Int32Array(jobs),
  }
}
