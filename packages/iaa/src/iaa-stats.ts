import type { CompressJob, DecompressJob } from '@zswap/core'
import type { IaaAlgorithm } from './codec.js'
import type { IaaModeledStats } from './modeled-time.js'
import type { CompressionMode } from './modes/mode-encoder.js'

/** Why a job ran in software on the submitter's thread instead of an engine. */
export interface IaaFallbacks {
  total: number
  /** Not completed within jobTimeoutMs. */
  timeout: number
  /** Its engine died while holding it. */
  engineDeath: number
  /** The engine's output failed verify_compress. */
  verify: number
  /** The engine's library call failed. */
  failed: number
  /** The engine could not decompress it; software retried (and decides corrupt or not). */
  corrupt: number
  /** src or dst larger than maxJobBytes, or a dynamic-mode compress job above 4096 bytes. */
  oversize: number
  /** WQs full with onFull 'software'. */
  wqFull: number
  /** No live engine serves any WQ (restart limit reached). */
  noEngine: number
}

/** A reason a job ran in software (a key of {@link IaaFallbacks} other than `total`). */
export type FallbackReason = Exclude<keyof IaaFallbacks, 'total'>

/** A plain-JSON snapshot, like iaa_crypto's global_stats and wq_stats. */
export interface IaaStats {
  name: string
  algorithm: IaaAlgorithm
  /** Deflate's compression mode (`'fixed'` for the other algorithms). */
  compressionMode: CompressionMode
  mode: 'sync' | 'async' | 'irq'
  /** compressBatch calls, jobs, and bytes. */
  compressCalls: number
  compressJobs: number
  compressBytesIn: number
  compressBytesOut: number
  /** decompressBatch calls, jobs, and bytes (in: compressed). */
  decompressCalls: number
  decompressJobs: number
  decompressBytesIn: number
  decompressBytesOut: number
  /** Jobs completed in software, by reason. */
  softwareFallbacks: IaaFallbacks
  /** Outcomes and faults, by kind. `doesNotFit` is a result (-1), counted like comp_buf_overflow. */
  errors: IaaErrors
  engineRestarts: number
  /** Message of the last uncaught error in an engine thread, if any. */
  lastEngineError: string | null
  engines: { id: number; wq: number; jobs: number; restarts: number; alive: boolean }[]
  wqs: {
    id: number
    size: number
    /** Descriptors in use: queued, running, or held by an engine after a timeout. */
    depth: number
    maxDepth: number
    /** Descriptors an engine is running now (abandoned ones included). */
    running: number
    /** Descriptors whose job timed out while an engine ran it: reused only once the engine lets go. */
    abandoned: number
    compressJobs: number
    compressBytes: number
    decompressJobs: number
    decompressBytes: number
  }[]
  /** Modeled device time, with `timing: 'model'` (absent otherwise). */
  model?: IaaModeledStats
}

/** Outcomes and faults by kind (see {@link IaaStats.errors}). */
export interface IaaErrors {
  doesNotFit: number
  verify: number
  failed: number
  corrupt: number
  timeout: number
  engineDeath: number
  busy: number
}

/** The device's running counters, shared by its modules; {@link IaaStats} is their snapshot. */
export class DeviceCounters {
  compressCalls = 0
  compressJobs = 0
  compressBytesIn = 0
  compressBytesOut = 0
  decompressCalls = 0
  decompressJobs = 0
  decompressBytesIn = 0
  decompressBytesOut = 0
  readonly fallbacks: IaaFallbacks = {
    total: 0,
    timeout: 0,
    engineDeath: 0,
    verify: 0,
    failed: 0,
    corrupt: 0,
    oversize: 0,
    wqFull: 0,
    noEngine: 0,
  }
  readonly errors: IaaErrors = {
    doesNotFit: 0,
    verify: 0,
    failed: 0,
    corrupt: 0,
    timeout: 0,
    engineDeath: 0,
    busy: 0,
  }

  /** Counts a finished batch's jobs, and the bytes of those without an error. */
  countBatch(jobs: readonly (CompressJob | DecompressJob)[], count: number, compress: boolean): void {
    if (compress) this.compressJobs += count
    else this.decompressJobs += count
    for (let i = 0; i < count; i++) {
      const job = jobs[i]
      if (job.error !== undefined) continue
      if (compress) {
        this.compressBytesIn += job.src.length
        if (job.length > 0) this.compressBytesOut += job.length
      } else {
        this.decompressBytesIn += job.src.length
        this.decompressBytesOut += job.length
      }
    }
  }

  /** Calls, jobs and bytes, as plain JSON. */
  traffic() {
    return {
      compressCalls: this.compressCalls,
      compressJobs: this.compressJobs,
      compressBytesIn: this.compressBytesIn,
      compressBytesOut: this.compressBytesOut,
      decompressCalls: this.decompressCalls,
      decompressJobs: this.decompressJobs,
      decompressBytesIn: this.decompressBytesIn,
      decompressBytesOut: this.decompressBytesOut,
    }
  }
}
