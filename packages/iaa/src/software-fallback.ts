import { CompressionFailedError, CorruptDataError } from '@zswap/core'
import { type Codec, createCodec, type IaaAlgorithm } from './codec.js'
import type { DeviceCounters, FallbackReason } from './iaa-stats.js'
import { OP, RESULT } from './layout.js'
import type { CompressionMode } from './modes/mode-encoder.js'
import type { Job } from './work-queues.js'

const PKG = '[@zswap/iaa]'

/**
 * The submitter's software path, as iaa_crypto falls back to deflate-generic:
 * the engines' codec run inline, counted by reason.
 */
export class SoftwareFallback {
  readonly #name: string
  readonly #algorithm: IaaAlgorithm
  readonly #level: number
  readonly #counters: DeviceCounters
  readonly #compressionMode: CompressionMode
  #codec: Codec | undefined

  constructor(
    name: string,
    algorithm: IaaAlgorithm,
    level: number,
    counters: DeviceCounters,
    compressionMode: CompressionMode = 'fixed',
  ) {
    this.#compressionMode = compressionMode
    this.#name = name
    this.#algorithm = algorithm
    this.#level = level
    this.#counters = counters
  }

  /** Runs `job` in software and sets its `length` and `error`. */
  run(job: Job, op: number, reason: FallbackReason): void {
    const fb = this.#counters.fallbacks
    fb.total++
    fb[reason]++
    const codec = (this.#codec ??= createCodec(this.#algorithm, this.#level, true, this.#compressionMode))
    if (op === OP.COMPRESS) {
      const n = codec.compress(job.src, job.dst)
      if (n === RESULT.FAILED) {
        job.length = 0
        job.error = new CompressionFailedError(`${PKG} ${this.#name}: software compress failed`)
      } else {
        job.length = n
        job.error = undefined
      }
      return
    }
    const n = codec.decompress(job.src, job.dst)
    if (n < 0) {
      job.length = 0
      job.error = new CorruptDataError(`${PKG} ${this.#name}: corrupt or oversized compressed block`)
    } else {
      job.length = n
      job.error = undefined
    }
  }
}
