import type { ZswapError } from './errors.js'
import type { SpecificationVersion } from './specification.js'

/**
 * One compression job. The caller owns the object and may reuse it for the
 * next batch once the batch's promise has settled.
 */
export interface CompressJob {
  /** Input bytes (normally one 4 KiB page). */
  src: Uint8Array
  /** Output buffer; the compressed block is written from index 0. */
  dst: Uint8Array
  /** Out: bytes written to `dst`, or `-1` when the output did not fit. */
  length: number
  /** Out: why the job failed, `undefined` on success (including `-1`). */
  error: ZswapError | undefined
  /**
   * Out, only from accelerators with `capabilities.timing: 'modeled'`: the
   * modeled ns from the batch call until this job's result is seen, on the
   * hardware the accelerator stands for. The batch's modeled time is the
   * largest of its jobs'. Other accelerators leave it as it was.
   */
  modeledNs?: number
}

/**
 * One decompression job; `length` is the decompressed size on success.
 *
 * Whole job (`start` undefined): `dst` receives the whole object and must be
 * at least as large as it, else the job fails with `CorruptDataError`.
 * Partial job (`start` defined, only on accelerators whose capabilities say
 * `supportsPartialDecompress: true` — the caller checks): `dst` receives the
 * uncompressed bytes `[start, start + dst.length)`, cut short at the end of
 * the object, and `length` is the number written.
 */
export interface DecompressJob {
  /** Exactly one compressed block. */
  src: Uint8Array
  /** Output buffer (normally one 4 KiB page); with `start`, the range to fill. */
  dst: Uint8Array
  /**
   * In, optional: byte offset in the uncompressed object at which `dst`
   * begins. Only for accelerators with `supportsPartialDecompress: true`;
   * there it must be an integer in `[0, object size)`, else the job fails
   * with `InvalidArgumentError`. Other accelerators ignore `undefined` and `0`
   * (a whole job, as before); never give them another value. A reused job
   * object keeps its `start`: set it back to `undefined` for a whole job.
   * Default: undefined (the whole object).
   */
  start?: number
  /** Out: bytes written to `dst` (the object's size, or the range's length). */
  length: number
  /** Out: `CorruptDataError` or a device error; `undefined` on success. */
  error: ZswapError | undefined
  /** Out: modeled ns of this job, as {@link CompressJob.modeledNs}. */
  modeledNs?: number
}

/** What an accelerator can do, as data. */
export interface AcceleratorCapabilities {
  /** Most jobs accepted by one `compressBatch`/`decompressBatch` call (≥ 1). */
  readonly maxBatch: number
  /** Wire format of its output, as in {@link CompressorCapabilities.format}. */
  readonly format: string
  /**
   * Largest `src` of a compress job, in bytes: the largest object the
   * accelerator takes in one job (a 64 KiB multi-page object needs 65536).
   * Callers send no larger job; a driver may fail one with an
   * `InvalidArgumentError` in the job. Default: `PAGE_SIZE` (4096) — a
   * driver that does not declare it is only known to take single pages.
   */
  readonly maxInputSize?: number
  /**
   * True when part of an object (one page of a multi-page object) can be
   * decompressed without the rest, through {@link DecompressJob.start}
   * (by_n). Default: false: only whole jobs.
   */
  readonly supportsPartialDecompress?: boolean
  /**
   * Where the accelerator's time comes from. `'measured'`: it runs on this
   * machine, and its time is what the caller measures. `'modeled'`: it stands
   * for hardware that is not here (an emulation with a timing model): every
   * job's `modeledNs` is set, {@link Accelerator.timingModel} is present, and
   * callers report modeled time beside what they measured, labelled as
   * modeled, never mixed. Default: `'measured'`.
   */
  readonly timing?: 'measured' | 'modeled'
}

/** How a caller submits the jobs it asks a {@link TimingModel} about. */
export type TimingPath =
  /** A batch of independent jobs (pages), as zswap hands a batch to the driver. Default. */
  | 'batch'
  /** The parts of one object submitted together (by_n's chunks of a folio). */
  | 'chunks'

/**
 * The timing model of an accelerator with `capabilities.timing: 'modeled'`,
 * for wrappers that submit jobs in a shape of their own (by_n: one object's
 * chunks together) and report their modeled time. Pure: it runs nothing and
 * changes no stats.
 */
export interface TimingModel {
  /** Model name, shown beside every modeled figure (e.g. `'spr'`). */
  readonly name: string
  /**
   * Modeled ns of one call of `count` jobs on an idle device, job `i` moving
   * `bytes[i]` bytes (input compressing, output decompressing).
   * @param jobNs out, optional: each job's modeled ns from the call until its result is seen
   * @throws RangeError when `count` exceeds what the model takes in one call (64)
   */
  callNs(
    direction: 'compress' | 'decompress',
    bytes: ArrayLike<number>,
    count: number,
    path?: TimingPath,
    jobNs?: Float64Array,
  ): number
}

/**
 * An asynchronous, batched (de)compressor (kernel: crypto_acomp with the
 * batching API). Per-job outcomes go into the job objects; the returned
 * promise rejects only for misuse (closed, batch too large).
 */
export interface Accelerator {
  /** Contract version implemented: `'v1'`. */
  readonly specificationVersion: SpecificationVersion
  /** Short name: `'lz4'`, `'iaa-deflate'`. */
  readonly name: string
  /** Capabilities; read once by callers. */
  readonly capabilities: AcceleratorCapabilities

  /**
   * Compresses `jobs[0 .. count-1]` and fills each job's `length`/`error`.
   * @param count jobs to run, 1..maxBatch; default `jobs.length`.
   * @throws InvalidArgumentError when count exceeds maxBatch; ClosedError after close().
   */
  compressBatch(jobs: readonly CompressJob[], count?: number): Promise<void>

  /** Decompresses `jobs[0 .. count-1]`, same rules as {@link compressBatch}. */
  decompressBatch(jobs: readonly DecompressJob[], count?: number): Promise<void>

  /** Completes or fails in-flight jobs, then releases workers and memory. */
  close(): Promise<void>

  /** Present exactly when `capabilities.timing` is `'modeled'`: the model behind `modeledNs`. */
  readonly timingModel?: TimingModel
}
