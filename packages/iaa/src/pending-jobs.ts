// Back-pressure: jobs waiting for a descriptor, one FIFO of job codes per WQ.
import type { WorkQueues } from './work-queues.js'

/** Where {@link PendingJobs.pump} sends jobs. */
export interface PendingSink {
  /** Place job `code` in a free descriptor of WQ `w`; `now` is the device clock's time of this pump. */
  place(w: number, code: number, now: number): void
  /** No engine will ever serve job `code`: finish it in software. */
  lost(code: number): void
}

/**
 * Back-pressure: jobs waiting for a descriptor, one FIFO ring of job codes
 * per WQ. Dedicated WQs wait for room in their own WQ; shared WQs (and WQs
 * no engine serves any more) take room in any live WQ.
 */
export class PendingJobs {
  /** Jobs waiting, over all WQs. */
  total = 0

  readonly #queues: WorkQueues
  readonly #sink: PendingSink
  readonly #shared: boolean
  readonly #codes: Int32Array
  readonly #head: Int32Array
  readonly #len: Int32Array
  readonly #cap: number

  /** @param capacity jobs one WQ's ring holds (every job of every batch slot) */
  constructor(queues: WorkQueues, shared: boolean, capacity: number, sink: PendingSink) {
    this.#queues = queues
    this.#shared = shared
    this.#sink = sink
    this.#cap = capacity
    this.#codes = new Int32Array(queues.count * capacity)
    this.#head = new Int32Array(queues.count)
    this.#len = new Int32Array(queues.count)
  }

  /** Queues job `code` on WQ `w`. */
  push(w: number, code: number): void {
    const cap = this.#cap
    this.#codes[w * cap + ((this.#head[w] + this.#len[w]) % cap)] = code
    this.#len[w]++
    this.total++
  }

  /** Places pending jobs into free descriptors (FIFO per WQ) at time `now`; the caller rings the doorbells. */
  pump(now: () => number): void {
    if (this.total === 0) return
    const t = now()
    const q = this.#queues
    const wqs = q.count
    for (let w = 0; w < wqs; w++) {
      while (this.#len[w] > 0) {
        let target = w
        if (q.freeTop[w] === 0 || q.live[w] === 0) {
          if (!this.#shared && q.live[w] > 0) break
          target = -1
          for (let k = 1; k < wqs; k++) {
            const v = (w + k) % wqs
            if (q.freeTop[v] > 0 && q.live[v] > 0) {
              target = v
              break
            }
          }
          if (target < 0) {
            if (q.live[w] === 0 && q.liveWq(w) < 0) {
              // Nothing will ever serve these: finish them in software.
              this.#sink.lost(this.#shift(w))
              continue
            }
            break
          }
        }
        this.#sink.place(target, this.#shift(w), t)
      }
    }
  }

  #shift(w: number): number {
    const code = this.#codes[w * this.#cap + this.#head[w]]
    this.#head[w] = (this.#head[w] + 1) % this.#cap
    this.#len[w]--
    this.total--
    return code
  }
}
