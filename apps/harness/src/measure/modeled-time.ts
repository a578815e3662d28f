import type { AcceleratorTime } from '@zswap/cache'
import { LatencyRecorder, type LatencySummary } from './latency.js'

/**
 * Modeled figures of a stack whose accelerator models time (capabilities.timing
 * 'modeled'): per call, the measured time less what the cache waited for the
 * accelerator, plus the modeled device time (the cache's own CPU time + the
 * modeled hardware). Never mixed with measured figures: rows carry them apart.
 */
export interface ModeledFigures {
  /** The device model's name (e.g. `'spr'`). */
  model: string
  storeMBps: number
  loadMBps: number
  store: LatencySummary
  load: LatencySummary
}

/**
 * Per-call bookkeeping of modeled time: read the cache's live accelerator time
 * before and after each call. Allocates nothing per call; calls must not overlap.
 */
export class ModeledClock {
  readonly #t: Readonly<AcceleratorTime>
  readonly #store = new LatencyRecorder()
  readonly #load = new LatencyRecorder()
  #storeMs = 0
  #loadMs = 0
  #wait = 0
  #modeled = 0

  constructor(time: Readonly<AcceleratorTime>) {
    this.#t = time
  }

  /** Before a call. */
  begin(): void {
    const t = this.#t
    this.#wait = t.compressWaitNs + t.decompressWaitNs
    this.#modeled = t.compressModeledNs + t.decompressModeledNs
  }

  /** After a store (or load) call that took `ms` measured. */
  end(load: boolean, ms: number): void {
    const t = this.#t
    const wait = (t.compressWaitNs + t.decompressWaitNs - this.#wait) / 1e6
    const modeled = (t.compressModeledNs + t.decompressModeledNs - this.#modeled) / 1e6
    const call = Math.max(0, ms - wait) + modeled
    if (load) {
      this.#loadMs += call
      this.#load.record(call)
    } else {
      this.#storeMs += call
      this.#store.record(call)
    }
  }

  /** The figures, given the bytes each phase moved; frees the recorders. */
  finish(storeBytes: number, loadBytes: number): ModeledFigures | undefined {
    try {
      const model = this.#t.model
      if (model === undefined) return undefined
      return {
        model,
        storeMBps: this.#storeMs > 0 ? storeBytes / 1e3 / this.#storeMs : 0,
        loadMBps: this.#loadMs > 0 ? loadBytes / 1e3 / this.#loadMs : 0,
        store: this.#store.summary(),
        load: this.#load.summary(),
      }
    } finally {
      this.#store.destroy()
      this.#load.destroy()
    }
  }
}
