import type { CompressJob, DecompressJob } from '@zswap/core'
import { DESC, DESC_FIELDS, type Layout, STATE } from './layout.js'

/** A job of either direction, as the device holds it. */
export type Job = CompressJob | DecompressJob

/**
 * The device's work queues on the submitter's side: each WQ's range of
 * descriptors and its free stack, the staging slots, the doorbells, and the
 * deadline of every submitted descriptor. A job code is `batch * maxBatch + index`.
 */
export class WorkQueues {
  /** Number of WQs. */
  readonly count: number
  /** First descriptor and descriptor count of each WQ. */
  readonly first: Int32Array
  readonly size: Int32Array
  /** Free descriptors left in each WQ (the top of its free stack). */
  readonly freeTop: Int32Array
  /** Live engines serving each WQ (0: nothing will run its descriptors). */
  readonly live: Int32Array
  /** Job code each descriptor holds, -1 when none. */
  readonly descJob: Int32Array
  /** Earliest deadline of any submitted descriptor (ms on the device's clock). */
  nextDeadline = Number.POSITIVE_INFINITY
  /** The WQ the next batch's first job goes to (dedicated mode: round robin). */
  cursor = 0

  readonly #ctl: Int32Array
  readonly #lay: Layout
  readonly #staging: Uint8Array
  readonly #freeStack: Int32Array
  readonly #maxDepth: Int32Array
  /** Per WQ: compress jobs, compress bytes, decompress jobs, decompress bytes. */
  readonly #traffic: Float64Array
  readonly #bells: Int32Array
  readonly #need: Int32Array
  readonly #deadline: Float64Array

  constructor(ctl: Int32Array, lay: Layout, staging: Uint8Array, wqs: number, descs: number) {
    this.#ctl = ctl
    this.#lay = lay
    this.#staging = staging
    this.count = wqs
    this.first = new Int32Array(wqs)
    this.size = new Int32Array(wqs)
    this.#freeStack = new Int32Array(descs)
    this.freeTop = new Int32Array(wqs)
    this.#maxDepth = new Int32Array(wqs)
    this.#traffic = new Float64Array(wqs * 4)
    this.#bells = new Int32Array(wqs)
    this.#need = new Int32Array(wqs)
    this.live = new Int32Array(wqs)
    let first = 0
    for (let w = 0; w < wqs; w++) {
      const size = Math.floor(descs / wqs) + (w < descs % wqs ? 1 : 0)
      this.first[w] = first
      this.size[w] = size
      // Stack top = lowest index, so slots are reused in order.
      for (let k = 0; k < size; k++) this.#freeStack[first + k] = first + size - 1 - k
      this.freeTop[w] = size
      first += size
    }
    this.descJob = new Int32Array(descs).fill(-1)
    this.#deadline = new Float64Array(descs)
  }

  /** Whether `count` jobs placed from the cursor find free descriptors now. */
  hasRoom(count: number, shared: boolean): boolean {
    const wqs = this.count
    if (shared) {
      let room = 0
      for (let w = 0; w < wqs; w++) room += this.freeTop[w]
      return room >= count
    }
    const need = this.#need
    need.fill(0)
    for (let i = 0; i < count; i++) need[(this.cursor + i) % wqs]++
    for (let w = 0; w < wqs; w++) if (need[w] > this.freeTop[w]) return false
    return true
  }

  /** The next WQ after `from` that a live engine serves, -1 when none. */
  liveWq(from: number): number {
    const wqs = this.count
    for (let k = 1; k <= wqs; k++) {
      const w = (from + k) % wqs
      if (this.live[w] > 0) return w
    }
    return -1
  }

  /**
   * Stages `job` in a free descriptor of WQ `w` and publishes it to the engines
   * (the doorbell rings later, once per WQ, in {@link ring}); returns the descriptor.
   */
  place(
    w: number,
    code: number,
    job: Job,
    op: number,
    batch: number,
    index: number,
    gen: number,
    deadline: number,
  ): number {
    const d = this.#freeStack[this.first[w] + --this.freeTop[w]]
    const depth = this.size[w] - this.freeTop[w]
    if (depth > this.#maxDepth[w]) this.#maxDepth[w] = depth
    this.#staging.set(job.src, d * 2 * this.#lay.slotBytes)
    const base = this.#lay.descBase + d * DESC_FIELDS
    const ctl = this.#ctl
    ctl[base + DESC.OP] = op
    ctl[base + DESC.SRC_LEN] = job.src.length
    ctl[base + DESC.DST_CAP] = job.dst.length
    ctl[base + DESC.BATCH] = batch
    ctl[base + DESC.RESULT] = 0
    ctl[base + DESC.WQ] = w
    ctl[base + DESC.INDEX] = index
    ctl[base + DESC.GEN] = gen
    this.descJob[d] = code
    this.#deadline[d] = deadline
    if (deadline < this.nextDeadline) this.nextDeadline = deadline
    // The store publishes the staged bytes and fields to the engine.
    Atomics.store(ctl, base + DESC.STATE, STATE.SUBMITTED)
    this.#bells[w]++
    return d
  }

  /** Deadline of descriptor `d`. */
  deadline(d: number): number {
    return this.#deadline[d]
  }

  /** Index in ctl of descriptor `d`'s state word. */
  stateAt(d: number): number {
    return this.#lay.descBase + d * DESC_FIELDS + DESC.STATE
  }

  /** Whether descriptor `d` was completed by an engine. */
  isDone(d: number): boolean {
    return (Atomics.load(this.#ctl, this.stateAt(d)) & ~0xff) === STATE.DONE_BY
  }

  /** Copies descriptor `d`'s output (`length` bytes) into `dst`. */
  copyOut(d: number, dst: Uint8Array, length: number): void {
    const off = d * 2 * this.#lay.slotBytes + this.#lay.slotBytes
    dst.set(this.#staging.subarray(off, off + length))
  }

  /** Counts a job of `srcBytes` delivered from descriptor `d` on its WQ; returns the engine's result. */
  account(d: number, compress: boolean, srcBytes: number): number {
    const base = this.#lay.descBase + d * DESC_FIELDS
    const stat = this.#ctl[base + DESC.WQ] * 4 + (compress ? 0 : 2)
    this.#traffic[stat]++
    this.#traffic[stat + 1] += srcBytes
    return this.#ctl[base + DESC.RESULT]
  }

  /** Frees descriptor `d` back to its WQ. */
  free(d: number): void {
    const w = this.#ctl[this.#lay.descBase + d * DESC_FIELDS + DESC.WQ]
    Atomics.store(this.#ctl, this.stateAt(d), STATE.FREE)
    this.descJob[d] = -1
    this.#freeStack[this.first[w] + this.freeTop[w]++] = d
  }

  /**
   * One doorbell per WQ that got descriptors. It wakes one sleeping engine; an engine that
   * claims a descriptor and sees more wakes the next (the wake-ups leave the submitter's thread).
   */
  ring(): void {
    const ctl = this.#ctl
    for (let w = 0; w < this.count; w++) {
      const n = this.#bells[w]
      if (n === 0) continue
      this.#bells[w] = 0
      Atomics.add(ctl, this.#lay.doorbellBase + w, 1)
      // Bump first, then look for sleepers: an engine that announces itself later sees the new bell.
      if (Atomics.load(ctl, this.#lay.sleepersBase + w) > 0)
        Atomics.notify(ctl, this.#lay.doorbellBase + w, 1)
    }
  }

  /** Rings every doorbell and wakes every engine (unpause, shutdown). */
  ringAll(): void {
    for (let w = 0; w < this.count; w++) {
      Atomics.add(this.#ctl, this.#lay.doorbellBase + w, 1)
      Atomics.notify(this.#ctl, this.#lay.doorbellBase + w)
    }
  }

  /** WQ `w` as in {@link IaaStats}.wqs. */
  snapshot(w: number) {
    const t = this.#traffic
    return {
      id: w,
      size: this.size[w],
      depth: this.size[w] - this.freeTop[w],
      maxDepth: this.#maxDepth[w],
      running: this.#countStates(w, STATE.RUNNING) + this.#countStates(w, STATE.ABANDONED),
      abandoned: this.#countStates(w, STATE.ABANDONED),
      compressJobs: t[w * 4],
      compressBytes: t[w * 4 + 1],
      decompressJobs: t[w * 4 + 2],
      decompressBytes: t[w * 4 + 3],
    }
  }

  /** Descriptors of WQ `w` in state `kind` (RUNNING or ABANDONED, any engine). */
  #countStates(w: number, kind: number): number {
    let n = 0
    for (let d = this.first[w]; d < this.first[w] + this.size[w]; d++) {
      if ((Atomics.load(this.#ctl, this.stateAt(d)) & ~0xff) === kind) n++
    }
    return n
  }
}
