import type { BatchSlots } from './batch-slots.js'
import type { DeviceCounters, FallbackReason } from './iaa-stats.js'
import { clearJobBit, type Layout, STATE } from './layout.js'
import type { SoftwareFallback } from './software-fallback.js'
import type { WorkQueues } from './work-queues.js'

/**
 * Jobs the engines will not finish: past their deadline, held by an engine
 * that died, or queued on a WQ no engine serves. Each is taken back from its
 * descriptor with a compare-and-swap (so an engine and the submitter never
 * both own it), run in software, and counted off its batch's record exactly once.
 */
export class JobRecovery {
  readonly #ctl: Int32Array
  readonly #lay: Layout
  readonly #queues: WorkQueues
  readonly #batches: BatchSlots
  readonly #software: SoftwareFallback
  readonly #counters: DeviceCounters
  /** Descriptors taken over while an engine ran them: freed once the engine lets go. */
  readonly #orphans: Int32Array
  #orphanCount = 0

  constructor(
    ctl: Int32Array,
    lay: Layout,
    queues: WorkQueues,
    batches: BatchSlots,
    software: SoftwareFallback,
    counters: DeviceCounters,
  ) {
    this.#ctl = ctl
    this.#lay = lay
    this.#queues = queues
    this.#batches = batches
    this.#software = software
    this.#counters = counters
    this.#orphans = new Int32Array(lay.descs)
  }

  /** Runs job `code` in software and counts it off its batch's completion record. */
  takeover(code: number, reason: FallbackReason): void {
    const bs = this.#batches
    const b = (code / bs.maxBatch) | 0
    const job = bs.job(code)
    bs.desc[code] = -1
    this.#software.run(job, bs.op[b], reason)
    clearJobBit(this.#ctl, this.#lay.batchBase + b, bs.gen[b], code - b * bs.maxBatch)
  }

  /** Takes over every submitted job past its deadline (`now`, on the device's clock). */
  expire(now: number): void {
    const ctl = this.#ctl
    const q = this.#queues
    let next = Number.POSITIVE_INFINITY
    for (let d = 0; d < this.#lay.descs; d++) {
      const code = q.descJob[d]
      if (code < 0) continue
      const stateAt = q.stateAt(d)
      const state = Atomics.load(ctl, stateAt)
      if (state !== STATE.SUBMITTED && (state & ~0xff) !== STATE.RUNNING) continue
      const deadline = q.deadline(d)
      if (deadline > now) {
        if (deadline < next) next = deadline
        continue
      }
      if (state === STATE.SUBMITTED) {
        if (Atomics.compareExchange(ctl, stateAt, state, STATE.CANCELLED) !== state) continue
        this.#counters.errors.timeout++
        this.takeover(code, 'timeout')
        q.free(d)
      } else {
        const abandoned = STATE.ABANDONED + (state & 0xff)
        if (Atomics.compareExchange(ctl, stateAt, state, abandoned) !== state) continue
        // The engine still writes its staging slot: keep the descriptor until it lets go.
        this.#counters.errors.timeout++
        this.takeover(code, 'timeout')
        q.descJob[d] = -1
        this.#orphans[this.#orphanCount++] = d
      }
    }
    q.nextDeadline = next
  }

  /** Whether abandoned descriptors wait for their engine to let go. */
  get hasOrphans(): boolean {
    return this.#orphanCount > 0
  }

  /** Frees abandoned descriptors their engine has released. */
  reapOrphans(): void {
    const q = this.#queues
    for (let k = 0; k < this.#orphanCount; ) {
      const d = this.#orphans[k]
      if (Atomics.load(this.#ctl, q.stateAt(d)) === STATE.RELEASED) {
        this.#orphans[k] = this.#orphans[--this.#orphanCount]
        q.free(d)
      } else k++
    }
  }

  /** Engine `e` died: its running jobs go to software, jobs it completed are counted, its orphans freed. */
  engineDied(e: number): void {
    const ctl = this.#ctl
    const q = this.#queues
    const bs = this.#batches
    const running = STATE.RUNNING + e
    const abandoned = STATE.ABANDONED + e
    for (let d = 0; d < this.#lay.descs; d++) {
      const stateAt = q.stateAt(d)
      const state = Atomics.load(ctl, stateAt)
      if (state === running && Atomics.compareExchange(ctl, stateAt, running, STATE.CANCELLED) === running) {
        this.#counters.errors.engineDeath++
        this.takeover(q.descJob[d], 'engineDeath')
        q.free(d)
      } else if (state === STATE.DONE_BY + e && q.descJob[d] >= 0) {
        // Completed, but the engine may have died before clearing the job's bit.
        const code = q.descJob[d]
        const b = (code / bs.maxBatch) | 0
        clearJobBit(ctl, this.#lay.batchBase + b, bs.gen[b], code - b * bs.maxBatch)
      } else if (state === abandoned) {
        for (let k = 0; k < this.#orphanCount; k++) {
          if (this.#orphans[k] !== d) continue
          this.#orphans[k] = this.#orphans[--this.#orphanCount]
          q.free(d)
          break
        }
      }
    }
  }

  /** No engine serves WQ `w` any more: its queued descriptors run in software. */
  abandonWq(w: number): void {
    const ctl = this.#ctl
    const q = this.#queues
    for (let d = q.first[w]; d < q.first[w] + q.size[w]; d++) {
      if (Atomics.compareExchange(ctl, q.stateAt(d), STATE.SUBMITTED, STATE.CANCELLED) === STATE.SUBMITTED) {
        this.takeover(q.descJob[d], 'noEngine')
        q.free(d)
      }
    }
  }
}
