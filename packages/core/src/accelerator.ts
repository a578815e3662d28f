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
}

/** One decompression job; `length` is the decompressed size on success. */
export interface DecompressJob {
  /** Exactly one compressed block. */
  src: Uint8Array
  /** Output buffer (normally one 4 KiB page). */
  dst: Uint8Array
  /** Out: bytes written to `dst`. */
  length: number
  /** Out: `CorruptDataError` or a device error; `undefined` on success. */
  error: ZswapError | undefined
}

/** What an accelerator can do, as data. */
export interface AcceleratorCapabilities {
  /** Most jobs accepted by one `compressBatch`/`decompressBatch` call (≥ 1). */
  readonly maxBatch: number
  /** Wire format of its output, as in {@link CompressorCapabilities.format}. */
  readonly format: string
  /**
   * True when one page of a multi-page object can be decompressed without
   * the others (by_n). Default: false.
   */
  readonly supportsPartialDecompress?: boolean
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
}
