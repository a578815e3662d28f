import { batchWord, type Layout } from './layout.js'
import type { Job } from './work-queues.js'

/**
 * Batches in flight: a slot per batch with its jobs, direction, the
 * descriptor of each job (-1 once delivered or taken over) and the
 * generation of its completion record (in shared memory, see layout.ts).
 */
export class BatchSlots {
  /** Jobs per batch at most; job code = slot * maxBatch + index. */
  readonly maxBatch: number
  readonly jobs: (readonly Job[] | undefined)[]
  readonly count: Int32Array
  readonly op: Int8Array
  /** Descriptor of each job code, -1 when none. */
  readonly desc: Int32Array
  readonly gen: Int32Array
  readonly resolve: ((() => void) | undefined)[]
  /** Slots in flight, [0, inflightCount). */
  readonly inflight: Int32Array
  inflightCount = 0

  readonly #ctl: Int32Array
  readonly #lay: Layout
  readonly #free: Int32Array
  #freeTop: number

  constructor(ctl: Int32Array, lay: Layout, maxBatch: number) {
    const slots = lay.batchSlots
    this.#ctl = ctl
    this.#lay = lay
    this.maxBatch = maxBatch
    this.jobs = new Array(slots).fill(undefined)
    this.resolve = new Array(slots).fill(undefined)
    this.count = new Int32Array(slots)
    this.op = new Int8Array(slots)
    this.desc = new Int32Array(slots * maxBatch)
    this.gen = new Int32Array(slots)
    this.#free = new Int32Array(slots)
    for (let b = 0; b < slots; b++) this.#free[b] = slots - 1 - b
    this.#freeTop = slots
    this.inflight = new Int32Array(slots)
  }

  /** Whether a slot is free. */
  get hasFree(): boolean {
    return this.#freeTop > 0
  }

  /** Takes a free slot for `jobs[0 .. count-1]` and opens its completion record. */
  take(jobs: readonly Job[], count: number, op: number): number {
    const b = this.#free[--this.#freeTop]
    this.jobs[b] = jobs
    this.count[b] = count
    this.op[b] = op
    Atomics.store(this.#ctl, this.#lay.batchBase + b, batchWord(this.gen[b], count))
    this.inflight[this.inflightCount++] = b
    return b
  }

  /** Whether every job of slot `b` has completed (its record has no open bit). */
  isComplete(b: number): boolean {
    return (Atomics.load(this.#ctl, this.#lay.batchBase + b) & 0xffff) === 0
  }

  /** The job of `code`. */
  job(code: number): Job {
    const b = (code / this.maxBatch) | 0
    return (this.jobs[b] as readonly Job[])[code - b * this.maxBatch]
  }

  /** Frees slot `b` (already out of the in-flight list); returns its waiter. */
  release(b: number): (() => void) | undefined {
    this.jobs[b] = undefined
    this.gen[b]++
    const resolve = this.resolve[b]
    this.resolve[b] = undefined
    this.#free[this.#freeTop++] = b
    return resolve
  }
}
