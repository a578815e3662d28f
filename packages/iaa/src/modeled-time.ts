import type { TimingModel, TimingPath } from '@zswap/core'
import { type DeviceModel, DeviceTimeline, type Direction } from './device-model.js'
import type { Job } from './work-queues.js'

/** Modeled time in {@link IaaStats}.model (all ns). */
export interface IaaModeledStats {
  /** The model's name (e.g. `'spr'`). */
  name: string
  /** Whether async_irq's interrupt cost and verify_compress's decompress job are modeled. */
  irq: boolean
  verify: boolean
  compressBatches: number
  /** Σ of each compress batch's modeled time (from the call until it returns). */
  compressBatchNs: number
  /** Σ of each compress job's modeled time (from its batch's call until its result is seen). */
  compressJobNs: number
  decompressBatches: number
  decompressBatchNs: number
  decompressJobNs: number
  /** The last batch's modeled time. */
  lastBatchNs: number
  /** Modeled ns each engine of the modeled device has been busy. */
  engineBusyNs: number[]
}

/**
 * The device's modeled time: each finished batch goes through a
 * {@link DeviceTimeline} on the zswap path; jobs get `modeledNs`, the totals
 * go to stats. Also the device's {@link TimingModel} for wrappers (by_n).
 */
export class ModeledTime implements TimingModel {
  readonly name: string
  readonly #timeline: DeviceTimeline
  /** A second timeline for callNs(), so asking never changes the stats. */
  readonly #pure: DeviceTimeline
  readonly #irq: boolean
  readonly #verify: boolean
  readonly #bytes: Float64Array
  readonly #jobNs: Float64Array
  readonly #s = {
    compressBatches: 0,
    compressBatchNs: 0,
    compressJobNs: 0,
    decompressBatches: 0,
    decompressBatchNs: 0,
    decompressJobNs: 0,
    lastBatchNs: 0,
  }

  constructor(model: DeviceModel, maxBatch: number, irq: boolean, verify: boolean) {
    this.name = model.name
    this.#timeline = new DeviceTimeline(model)
    this.#pure = new DeviceTimeline(model)
    this.#irq = irq
    this.#verify = verify
    this.#bytes = new Float64Array(maxBatch)
    this.#jobNs = new Float64Array(maxBatch)
  }

  /**
   * Models a finished batch and sets each job's `modeledNs`. Bytes moved: a
   * compress job's input; a decompress job's output (its `length`, or its
   * `dst` when it failed).
   */
  batch(jobs: readonly Job[], count: number, compress: boolean): void {
    const bytes = this.#bytes
    for (let i = 0; i < count; i++) {
      const job = jobs[i]
      bytes[i] = compress ? job.src.length : job.error === undefined ? job.length : job.dst.length
    }
    const jobNs = this.#jobNs
    const ns = this.#timeline.batch(
      compress ? 'compress' : 'decompress',
      bytes,
      count,
      {
        path: 'zswap',
        irq: this.#irq,
        verify: this.#verify,
      },
      jobNs,
    )
    const s = this.#s
    let sum = 0
    for (let i = 0; i < count; i++) {
      jobs[i].modeledNs = jobNs[i]
      sum += jobNs[i]
    }
    if (compress) {
      s.compressBatches++
      s.compressBatchNs += ns
      s.compressJobNs += sum
    } else {
      s.decompressBatches++
      s.decompressBatchNs += ns
      s.decompressJobNs += sum
    }
    s.lastBatchNs = ns
  }

  callNs(
    direction: Direction,
    bytes: ArrayLike<number>,
    count: number,
    path: TimingPath = 'batch',
    jobNs?: Float64Array,
  ): number {
    return this.#pure.batch(
      direction,
      bytes,
      count,
      { path: path === 'chunks' ? 'byN' : 'zswap', irq: this.#irq },
      jobNs,
    )
  }

  snapshot(): IaaModeledStats {
    return {
      name: this.name,
      irq: this.#irq,
      verify: this.#verify,
      ...this.#s,
      engineBusyNs: Array.from(this.#timeline.engineBusyNs),
    }
  }
}
