import {
  type Accelerator,
  type AcceleratorCapabilities,
  BusyError,
  type CompressJob,
  type DecompressJob,
  InvalidArgumentError,
  SPECIFICATION_VERSION,
  ZswapError,
} from '@zswap/core'
import { BatchSlots } from './batch-slots.js'
import { validateBatch } from './batch-validation.js'
import { formatOf } from './codec.js'
import { CompletionWait } from './completion-wait.js'
import { EnginePool } from './engine-pool.js'
import { writeFaults } from './fault-injection.js'
import type { IaaFaults, NormalizedIaaOptions } from './iaa-options.js'
import { DeviceCounters, type IaaStats } from './iaa-stats.js'
import { JobRecovery } from './job-recovery.js'
import { clearJobBit, type Layout, layout, OP, REG, RESULT } from './layout.js'
import { ModeledTime } from './modeled-time.js'
import { DYNAMIC_MAX_JOB } from './modes/mode-encoder.js'
import { PendingJobs } from './pending-jobs.js'
import { SoftwareFallback } from './software-fallback.js'
import { type Job, WorkQueues } from './work-queues.js'

export type { IaaFallbacks, IaaStats } from './iaa-stats.js'

const PKG = '[@zswap/iaa]'
const DONE = Promise.resolve()

/**
 * An emulated Intel IAA device: engines are worker threads fed from work
 * queues of descriptors in a SharedArrayBuffer. A batch is one doorbell per
 * WQ and one completion signal; page data moves through shared staging
 * slots. See {@link IaaOptions}.
 *
 * This class is the submit path and the completion loop; the parts live in
 * modules of their own: work-queues (descriptors, staging, doorbells),
 * pending-jobs (back-pressure), batch-slots (batches in flight),
 * job-recovery (timeouts, engine deaths), engine-pool (worker lifecycle),
 * completion-wait (how each mode waits), fault-injection, software-fallback.
 */
export class IaaDevice implements Accelerator {
  readonly specificationVersion = SPECIFICATION_VERSION
  readonly name: string
  readonly capabilities: AcceleratorCapabilities
  /** The timing model, with `timing: 'model'` (see {@link TimingModel}). */
  readonly timingModel: ModeledTime | undefined

  readonly #o: NormalizedIaaOptions
  readonly #lay: Layout
  readonly #ctl: Int32Array
  readonly #mb: number
  readonly #counters = new DeviceCounters()
  readonly #queues: WorkQueues
  readonly #pending: PendingJobs
  readonly #batches: BatchSlots
  readonly #software: SoftwareFallback
  /** Largest compress job the engines take (dynamic mode: 4 KiB). */
  readonly #hwCompressMax: number
  readonly #recovery: JobRecovery
  readonly #engines: EnginePool
  readonly #wait: CompletionWait
  #slotWaiters: { jobs: readonly Job[]; count: number; op: number; resolve: () => void }[] = []
  #wantSlots = 0
  #starting = 0
  #closing = false
  #closePromise: Promise<void> | undefined
  #drained: (() => void) | undefined

  constructor(options: NormalizedIaaOptions) {
    const o = options
    this.#o = o
    this.#mb = o.maxBatch
    this.name =
      o.compressionMode === 'fixed' ? `iaa-${o.algorithm}` : `iaa-${o.algorithm}-${o.compressionMode}`
    this.#hwCompressMax = o.compressionMode === 'dynamic' ? DYNAMIC_MAX_JOB : Number.POSITIVE_INFINITY
    // Jobs up to maxJobBytes run on the engines, larger ones in software: any size is taken.
    this.capabilities = {
      maxBatch: o.maxBatch,
      format: formatOf(o.algorithm, o.compressionMode),
      maxInputSize: Number.POSITIVE_INFINITY,
      ...(o.model === undefined ? {} : { timing: 'modeled' as const }),
    }
    this.timingModel =
      o.model === undefined
        ? undefined
        : new ModeledTime(o.model, o.maxBatch, o.mode === 'irq', o.modelVerify)
    const batchSlots = o.wqSize * 2
    this.#lay = layout(o.wqs, o.engines, o.wqSize, batchSlots, o.maxJobBytes)
    const ctlBuffer = new SharedArrayBuffer(this.#lay.ctlWords * 4)
    const stagingBuffer = new SharedArrayBuffer(o.wqSize * 2 * o.maxJobBytes)
    const ctl = new Int32Array(ctlBuffer)
    this.#ctl = ctl
    this.#queues = new WorkQueues(ctl, this.#lay, new Uint8Array(stagingBuffer), o.wqs, o.wqSize)
    this.#batches = new BatchSlots(ctl, this.#lay, this.#mb)
    this.#software = new SoftwareFallback(this.name, o.algorithm, o.level, this.#counters, o.compressionMode)
    this.#recovery = new JobRecovery(
      ctl,
      this.#lay,
      this.#queues,
      this.#batches,
      this.#software,
      this.#counters,
    )
    this.#pending = new PendingJobs(this.#queues, o.wqMode === 'shared', batchSlots * this.#mb, {
      place: (w, code, now) => this.#place(w, code, now),
      lost: (code) => this.#recovery.takeover(code, 'noEngine'),
    })
    this.#wait = new CompletionWait(ctl, o.mode, o.pollUs, o.now, this.#queues, () => this.#service())

    ctl[REG.KILL_ENGINE] = -1
    ctl[REG.DELAY_ENGINE] = -1
    if (o.faults) this.injectFault(o.faults)

    this.#engines = new EnginePool(
      o,
      this.name,
      { ctl: ctlBuffer, staging: stagingBuffer, layout: this.#lay },
      this.#queues,
      {
        died: (e) => this.#recovery.engineDied(e),
        wqLost: (w) => this.#recovery.abandonWq(w),
        changed: () => this.#service(),
      },
    )
    this.#engines.start()
  }

  /** Resolves once every engine thread is running (jobs submitted earlier simply wait in their WQ). */
  ready(): Promise<void> {
    if (this.#engines.allOnline()) return DONE
    // Keep the process alive while engines start; idle again afterwards.
    this.#engines.setRef(true)
    return this.#engines.whenOnline().then(() => {
      this.#engines.setRef(this.#busy())
    })
  }

  /** Rejects (never throws) with InvalidArgumentError for a bad batch, ClosedError after close(). */
  compressBatch(jobs: readonly CompressJob[], count?: number): Promise<void> {
    return this.#submit(jobs, count, OP.COMPRESS)
  }

  /** Same rules as {@link compressBatch}. */
  decompressBatch(jobs: readonly DecompressJob[], count?: number): Promise<void> {
    return this.#submit(jobs, count, OP.DECOMPRESS)
  }

  /** Async mode: reaps completion records now; returns the number of batches completed. */
  poll(): number {
    return this.#service()
  }

  /** Sets faults at run time (see {@link IaaFaults}); counts replace earlier ones. */
  injectFault(faults: IaaFaults): void {
    writeFaults(this.#ctl, this.#lay, this.#o.engines, faults)
    if (faults.paused === false) this.#queues.ringAll()
  }

  /** Counters as plain JSON. */
  stats(): IaaStats {
    const o = this.#o
    const c = this.#counters
    return {
      name: this.name,
      algorithm: o.algorithm,
      compressionMode: o.compressionMode,
      mode: o.mode,
      ...c.traffic(),
      engineRestarts: this.#engines.restartsTotal,
      softwareFallbacks: { ...c.fallbacks },
      errors: { ...c.errors },
      lastEngineError: this.#engines.lastError ?? null,
      engines: Array.from({ length: o.engines }, (_, e) => this.#engines.snapshot(e)),
      wqs: Array.from({ length: o.wqs }, (_, w) => this.#queues.snapshot(w)),
      ...(this.timingModel === undefined ? {} : { model: this.timingModel.snapshot() }),
    }
  }

  /**
   * Drains: queued and in-flight jobs complete (on an engine, or in software
   * once they time out), then the engines stop. Later batches reject with ClosedError.
   */
  close(): Promise<void> {
    this.#closePromise ??= this.#close()
    return this.#closePromise
  }

  async #close(): Promise<void> {
    this.#closing = true
    // Lift faults that would slow the drain.
    Atomics.store(this.#ctl, REG.KILL_ENGINE, -1)
    this.injectFault({ paused: false })
    while (this.#busy()) {
      await new Promise<void>((resolve) => {
        this.#drained = resolve
        // Sync mode has no waiter of its own: poll until the last orphan is released.
        if (this.#o.mode === 'sync') setTimeout(resolve, 2)
        this.#service()
      })
    }
    Atomics.store(this.#ctl, REG.SHUTDOWN, 1)
    this.#queues.ringAll()
    await this.#engines.terminate()
  }

  // ---- submission ------------------------------------------------------

  #submit(jobs: readonly Job[], count: number | undefined, op: number): Promise<void> {
    let n: number
    try {
      n = validateBatch(jobs, count, this.#mb, this.name, this.#closing)
    } catch (error) {
      // Misuse is a rejected promise, never a synchronous throw (the Accelerator contract).
      return Promise.reject(
        ZswapError.isInstance(error)
          ? error
          : new InvalidArgumentError(`${PKG} jobs could not be read: ${String(error)}`, { cause: error }),
      )
    }
    try {
      return this.#submitValid(jobs, n, op)
    } catch (error) {
      return Promise.reject(error)
    }
  }

  #submitValid(jobs: readonly Job[], count: number, op: number): Promise<void> {
    if (op === OP.COMPRESS) this.#counters.compressCalls++
    else this.#counters.decompressCalls++
    if (count === 0) return DONE
    if (this.#o.mode === 'sync' && !this.#engines.allOnline()) {
      // Engine threads start only while this thread's event loop runs: let them come up first.
      this.#starting++
      return this.ready().then(() => {
        this.#starting--
        return this.#admit(jobs, count, op)
      })
    }
    return this.#admit(jobs, count, op)
  }

  #admit(jobs: readonly Job[], count: number, op: number): Promise<void> {
    if (Atomics.load(this.#ctl, REG.SHUTDOWN) !== 0) {
      for (let i = 0; i < count; i++) this.#software.run(jobs[i], op, 'noEngine')
      this.#notModeled(jobs, count)
      return DONE
    }
    if (
      !this.#batches.hasFree ||
      (this.#o.onFull !== 'wait' &&
        (this.#pending.total > 0 || !this.#queues.hasRoom(count, this.#o.wqMode === 'shared')))
    ) {
      return this.#whenFull(jobs, count, op)
    }
    return this.#start(jobs, count, op)
  }

  #whenFull(jobs: readonly Job[], count: number, op: number): Promise<void> {
    const onFull = this.#o.onFull
    if (onFull === 'busy') {
      for (let i = 0; i < count; i++) {
        const job = jobs[i]
        job.length = 0
        job.error = new BusyError(`${PKG} ${this.name}: work queues are full`)
      }
      this.#counters.errors.busy += count
      this.#notModeled(jobs, count)
      return DONE
    }
    if (onFull === 'software') {
      for (let i = 0; i < count; i++) this.#software.run(jobs[i], op, 'wqFull')
      this.#notModeled(jobs, count)
      return DONE
    }
    // Every batch slot is taken (only with very many concurrent callers): start when one frees.
    return new Promise<void>((resolve) => {
      this.#slotWaiters.push({ jobs, count, op, resolve })
    })
  }

  /** Jobs that never reached the device (rejected or run inline): no modeled device time. */
  #notModeled(jobs: readonly Job[], count: number): void {
    if (this.timingModel !== undefined) for (let i = 0; i < count; i++) jobs[i].modeledNs = 0
  }

  #start(jobs: readonly Job[], count: number, op: number): Promise<void> {
    const mb = this.#mb
    const bs = this.#batches
    const q = this.#queues
    const b = bs.take(jobs, count, op)
    const limit = this.#lay.slotBytes
    const wqs = q.count
    for (let i = 0; i < count; i++) {
      const job = jobs[i]
      const code = b * mb + i
      bs.desc[code] = -1
      // dynamic mode: the device generates headers for jobs up to 4 KiB, larger ones run in software
      if (
        job.src.length > limit ||
        job.dst.length > limit ||
        (op === OP.COMPRESS && job.src.length > this.#hwCompressMax)
      ) {
        this.#recovery.takeover(code, 'oversize')
        continue
      }
      let w = (q.cursor + i) % wqs
      if (q.live[w] === 0) {
        w = q.liveWq(w)
        if (w < 0) {
          this.#recovery.takeover(code, 'noEngine')
          continue
        }
      }
      this.#pending.push(w, code)
    }
    q.cursor = (q.cursor + count) % wqs
    this.#pending.pump(this.#o.now)
    q.ring()
    this.#wait.submitted()
    if (this.#o.mode === 'sync') {
      const gen = bs.gen[b]
      this.#service()
      while (bs.gen[b] === gen) this.#wait.sleep(this.#isBusy)
      return DONE
    }
    const promise = new Promise<void>((resolve) => {
      bs.resolve[b] = resolve
    })
    this.#service()
    return promise
  }

  /** Stages job `code` in a free descriptor of WQ `w` (from {@link PendingJobs.pump}). */
  #place(w: number, code: number, now: number): void {
    const bs = this.#batches
    const b = (code / this.#mb) | 0
    const deadline = now + this.#o.jobTimeoutMs
    bs.desc[code] = this.#queues.place(
      w,
      code,
      bs.job(code),
      bs.op[b],
      b,
      code - b * this.#mb,
      bs.gen[b],
      deadline,
    )
  }

  // ---- completion ------------------------------------------------------

  /** Jobs not yet completed. Orphaned descriptors do not count: they are reaped on the next service. */
  #busy(): boolean {
    return (
      this.#batches.inflightCount > 0 ||
      this.#pending.total > 0 ||
      this.#slotWaiters.length > 0 ||
      this.#starting > 0
    )
  }

  readonly #isBusy = () => this.#busy()

  /** Reaps finished batches, handles timeouts, places pending jobs; returns batches completed. */
  #service(): number {
    const ctl = this.#ctl
    const bs = this.#batches
    // Ask for a signal per completion while jobs wait for descriptors; set before
    // reading the counter so no completion slips between the two.
    if (this.#pending.total > 0 && this.#wantSlots === 0) {
      this.#wantSlots = 1
      Atomics.store(ctl, REG.WANT_SLOTS, 1)
    }
    // Read before reaping: a completion after this read makes the next wait return at once.
    const seen = Atomics.load(ctl, REG.COMPLETIONS)
    if (this.#queues.nextDeadline <= this.#o.now()) this.#recovery.expire(this.#o.now())
    if (this.#pending.total > 0) this.#reapEarly()
    let completed = 0
    for (let k = 0; k < bs.inflightCount; ) {
      const b = bs.inflight[k]
      if (!bs.isComplete(b)) {
        k++
        continue
      }
      bs.inflight[k] = bs.inflight[--bs.inflightCount]
      this.#finish(b)
      completed++
    }
    if (this.#recovery.hasOrphans) this.#recovery.reapOrphans()
    this.#pending.pump(this.#o.now)
    this.#queues.ring()
    if (this.#pending.total === 0 && this.#wantSlots === 1) {
      this.#wantSlots = 0
      Atomics.store(ctl, REG.WANT_SLOTS, 0)
    }
    if (this.#busy()) {
      this.#engines.setRef(true)
      this.#wait.arm(seen)
    } else {
      this.#engines.setRef(false)
      const drained = this.#drained
      this.#drained = undefined
      drained?.()
    }
    return completed
  }

  /** Back-pressure: delivers finished jobs of unfinished batches so their descriptors free up. */
  #reapEarly(): void {
    const bs = this.#batches
    const mb = this.#mb
    for (let k = 0; k < bs.inflightCount; k++) {
      const b = bs.inflight[k]
      const jobs = bs.jobs[b] as readonly Job[]
      for (let i = 0; i < bs.count[b]; i++) {
        const d = bs.desc[b * mb + i]
        if (d < 0 || !this.#queues.isDone(d)) continue
        bs.desc[b * mb + i] = -1
        this.#deliver(jobs[i], bs.op[b], d)
        // Its engine clears the bit too (or already did); clearing twice is harmless.
        clearJobBit(this.#ctl, this.#lay.batchBase + b, bs.gen[b], i)
      }
    }
  }

  #finish(b: number): void {
    const bs = this.#batches
    const jobs = bs.jobs[b] as readonly Job[]
    const count = bs.count[b]
    const op = bs.op[b]
    const mb = this.#mb
    for (let i = 0; i < count; i++) {
      const d = bs.desc[b * mb + i]
      if (d >= 0) this.#deliver(jobs[i], op, d)
    }
    this.#counters.countBatch(jobs, count, op === OP.COMPRESS)
    this.timingModel?.batch(jobs, count, op === OP.COMPRESS)
    bs.release(b)?.()
    const waiter = this.#slotWaiters.shift()
    if (waiter) this.#start(waiter.jobs, waiter.count, waiter.op).then(waiter.resolve)
  }

  /** Copies one engine-completed job's result out and frees its descriptor. */
  #deliver(job: Job, op: number, d: number): void {
    const q = this.#queues
    const result = q.account(d, op === OP.COMPRESS, job.src.length)
    if (result >= 0) {
      q.copyOut(d, job.dst, result)
      job.length = result
      job.error = undefined
    } else if (result === RESULT.DOES_NOT_FIT) {
      this.#counters.errors.doesNotFit++
      job.length = -1
      job.error = undefined
    } else {
      // Verify failures, library failures and failed decompressions are retried in
      // software, as iaa_crypto falls back to deflate-generic.
      const reason = result === RESULT.VERIFY ? 'verify' : result === RESULT.CORRUPT ? 'corrupt' : 'failed'
      this.#counters.errors[reason]++
      this.#software.run(job, op, reason)
    }
    q.free(d)
  }
}
