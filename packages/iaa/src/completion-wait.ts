import { REG } from './layout.js'
import type { WorkQueues } from './work-queues.js'

/**
 * How the submitter waits for the next completion, by mode: `'sync'` blocks
 * in Atomics.wait ({@link sleep}); `'async'` polls from the event loop;
 * `'irq'` sleeps on the completion counter with Atomics.waitAsync (with an
 * optional event-loop poll right after a submission). Each wake-up runs `service`.
 */
export class CompletionWait {
  readonly #ctl: Int32Array
  readonly #mode: 'sync' | 'async' | 'irq'
  readonly #pollMs: number
  readonly #now: () => number
  readonly #queues: WorkQueues
  readonly #service: () => number
  #armed = false
  #armedUntil = Number.POSITIVE_INFINITY
  #polling = false
  #pollUntil = 0
  readonly #onPoll = () => {
    this.#polling = false
    this.#service()
  }
  readonly #onWake = () => {
    this.#armed = false
    this.#armedUntil = Number.POSITIVE_INFINITY
    this.#service()
  }

  constructor(
    ctl: Int32Array,
    mode: 'sync' | 'async' | 'irq',
    pollUs: number,
    now: () => number,
    queues: WorkQueues,
    service: () => number,
  ) {
    this.#ctl = ctl
    this.#mode = mode
    this.#pollMs = pollUs / 1000
    this.#now = now
    this.#queues = queues
    this.#service = service
  }

  /** A batch was just submitted: irq mode may poll for a while (pollUs). */
  submitted(): void {
    if (this.#pollMs > 0) this.#pollUntil = performance.now() + this.#pollMs
  }

  /** Waits (without blocking) for the next completion after `seen`, or the next deadline. */
  arm(seen: number): void {
    const mode = this.#mode
    if (mode === 'sync') return
    if (mode === 'async') {
      if (this.#armed) return
      this.#armed = true
      setImmediate(this.#onWake)
      return
    }
    // irq: poll from the event loop for a short while after a submission (a fast job
    // completes before a waitAsync wake-up would even arrive), with the waitAsync armed behind it.
    if (!this.#polling && performance.now() < this.#pollUntil) {
      this.#polling = true
      setImmediate(this.#onPoll)
    }
    const nextDeadline = this.#queues.nextDeadline
    // One waitAsync outstanding, re-armed earlier only when a sooner deadline appeared.
    if (this.#armed && nextDeadline >= this.#armedUntil) return
    this.#armed = true
    this.#armedUntil = nextDeadline
    const timeout = nextDeadline - this.#now()
    const wait = Atomics.waitAsync(
      this.#ctl,
      REG.COMPLETIONS,
      seen,
      Number.isFinite(timeout) ? Math.max(0, timeout) : undefined,
    )
    if (wait.async) wait.value.then(this.#onWake)
    else queueMicrotask(this.#onWake)
  }

  /** Sync mode: blocks on the completion counter until something changes or a deadline passes. */
  sleep(busy: () => boolean): void {
    const seen = Atomics.load(this.#ctl, REG.COMPLETIONS)
    this.#service()
    if (!busy() || Atomics.load(this.#ctl, REG.COMPLETIONS) !== seen) return
    const timeout = Math.max(0, this.#queues.nextDeadline - this.#now())
    Atomics.wait(this.#ctl, REG.COMPLETIONS, seen, Number.isFinite(timeout) ? timeout : 50)
  }
}
