import { Worker } from 'node:worker_threads'
import {
  type Accelerator,
  type AcceleratorCapabilities,
  BusyError,
  ClosedError,
  CompressionFailedError,
  type CompressJob,
  CorruptDataError,
  type DecompressJob,
  InvalidArgumentError,
  SPECIFICATION_VERSION,
  ZswapError,
} from '@zswap/core'
import { type Codec, createCodec, formatOf, type IaaAlgorithm } from './codec.js'
import type { IaaFaults, NormalizedIaaOptions } from './iaa-options.js'
import {
  batchWord,
  clearJobBit,
  DESC,
  DESC_FIELDS,
  type EngineData,
  type Layout,
  layout,
  OP,
  REG,
  RESULT,
  STATE,
} from './layout.js'
import { type CompressionMode, DYNAMIC_MAX_JOB } from './modes/mode-encoder.js'

const PKG = '[@zswap/iaa]'
const DONE = Promise.resolve()

type Job = CompressJob | DecompressJob

/** dist/engine.js next to this module; from source (tests), the built engine in ../dist. */
function defaultEngineUrl(): URL {
  const here = import.meta.url
  return here.endsWith('.ts') ? new URL('../dist/engine.js', here) : new URL('./engine.js', here)
}

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
  errors: {
    doesNotFit: number
    verify: number
    failed: number
    corrupt: number
    timeout: number
    engineDeath: number
    busy: number
  }
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
}

/**
 * An emulated Intel IAA device: engines are worker threads fed from work
 * queues of descriptors in a SharedArrayBuffer. A batch is one doorbell per
 * WQ and one completion signal; page data moves through shared staging
 * slots. See {@link IaaOptions}.
 */
export class IaaDevice implements Accelerator {
  readonly specificationVersion = SPECIFICATION_VERSION
  readonly name: string
  readonly capabilities: AcceleratorCapabilities

  readonly #o: NormalizedIaaOptions
  readonly #lay: Layout
  readonly #ctl: Int32Array
  readonly #staging: Uint8Array
  readonly #ctlBuffer: SharedArrayBuffer
  readonly #stagingBuffer: SharedArrayBuffer
  readonly #url: URL | string
  readonly #mb: number
  /** Largest compress job the engines take: dynamic mode's header generation handles 4 KiB. */
  readonly #hwCompressMax: number
  #software: Codec | undefined

  // Engines.
  readonly #workers: (Worker | undefined)[]
  readonly #engineWq: Int32Array
  readonly #restarts: Int32Array
  readonly #alive: Uint8Array
  readonly #online: Uint8Array
  readonly #wqLive: Int32Array
  #readyWaiters: (() => void)[] = []

  // Work queues: descriptor range, free stack, depth.
  readonly #wqFirst: Int32Array
  readonly #wqSize: Int32Array
  readonly #freeStack: Int32Array
  readonly #freeTop: Int32Array
  readonly #maxDepth: Int32Array
  readonly #wqStats: Float64Array
  readonly #bells: Int32Array
  #wqCursor = 0

  // Descriptors: which job (batch * mb + index), deadline.
  readonly #descJob: Int32Array
  readonly #deadline: Float64Array
  readonly #orphans: Int32Array
  #orphanCount = 0
  #nextDeadline = Number.POSITIVE_INFINITY

  // Batches: slot arrays; the completion records (open-job bits) live in shared memory.
  readonly #batchJobs: (readonly Job[] | undefined)[]
  readonly #batchCount: Int32Array
  readonly #batchOp: Int8Array
  readonly #batchDesc: Int32Array
  readonly #batchGen: Int32Array
  readonly #batchResolve: ((() => void) | undefined)[]
  readonly #batchFree: Int32Array
  #batchFreeTop: number
  readonly #inflight: Int32Array
  #inflightCount = 0
  #slotWaiters: { jobs: readonly Job[]; count: number; op: number; resolve: () => void }[] = []

  // Pending jobs (back-pressure): one FIFO ring per WQ of job codes.
  readonly #pending: Int32Array
  readonly #pendHead: Int32Array
  readonly #pendLen: Int32Array
  readonly #pendCap: number
  #pendingTotal = 0

  #armed = false
  #wantSlots = 0
  #starting = 0
  #lastEngineError: string | undefined
  #armedUntil = Number.POSITIVE_INFINITY
  #referenced = false
  #closing = false
  #closePromise: Promise<void> | undefined
  #drained: (() => void) | undefined
  readonly #need: Int32Array
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

  readonly #s = {
    compressCalls: 0,
    compressJobs: 0,
    compressBytesIn: 0,
    compressBytesOut: 0,
    decompressCalls: 0,
    decompressJobs: 0,
    decompressBytesIn: 0,
    decompressBytesOut: 0,
    engineRestarts: 0,
  }
  readonly #fb: IaaFallbacks = {
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
  readonly #err = { doesNotFit: 0, verify: 0, failed: 0, corrupt: 0, timeout: 0, engineDeath: 0, busy: 0 }

  constructor(options: NormalizedIaaOptions) {
    const o = options
    this.#o = o
    this.#mb = o.maxBatch
    this.#hwCompressMax = o.compressionMode === 'dynamic' ? DYNAMIC_MAX_JOB : Number.POSITIVE_INFINITY
    this.name =
      o.compressionMode === 'fixed' ? `iaa-${o.algorithm}` : `iaa-${o.algorithm}-${o.compressionMode}`
    // Jobs up to maxJobBytes run on the engines, larger ones in software: any size is taken.
    this.capabilities = {
      maxBatch: o.maxBatch,
      format: formatOf(o.algorithm, o.compressionMode),
      maxInputSize: Number.POSITIVE_INFINITY,
    }
    const batchSlots = o.wqSize * 2
    this.#lay = layout(o.wqs, o.engines, o.wqSize, batchSlots, o.maxJobBytes)
    this.#ctlBuffer = new SharedArrayBuffer(this.#lay.ctlWords * 4)
    this.#ctl = new Int32Array(this.#ctlBuffer)
    this.#stagingBuffer = new SharedArrayBuffer(o.wqSize * 2 * o.maxJobBytes)
    this.#staging = new Uint8Array(this.#stagingBuffer)
    this.#url = o.engineUrl ?? defaultEngineUrl()

    this.#wqFirst = new Int32Array(o.wqs)
    this.#wqSize = new Int32Array(o.wqs)
    this.#freeStack = new Int32Array(o.wqSize)
    this.#freeTop = new Int32Array(o.wqs)
    this.#maxDepth = new Int32Array(o.wqs)
    this.#wqStats = new Float64Array(o.wqs * 4)
    this.#bells = new Int32Array(o.wqs)
    this.#need = new Int32Array(o.wqs)
    let first = 0
    for (let w = 0; w < o.wqs; w++) {
      const size = Math.floor(o.wqSize / o.wqs) + (w < o.wqSize % o.wqs ? 1 : 0)
      this.#wqFirst[w] = first
      this.#wqSize[w] = size
      // Stack top = lowest index, so slots are reused in order.
      for (let k = 0; k < size; k++) this.#freeStack[first + k] = first + size - 1 - k
      this.#freeTop[w] = size
      first += size
    }
    this.#descJob = new Int32Array(o.wqSize).fill(-1)
    this.#deadline = new Float64Array(o.wqSize)
    this.#orphans = new Int32Array(o.wqSize)

    this.#batchJobs = new Array(batchSlots).fill(undefined)
    this.#batchResolve = new Array(batchSlots).fill(undefined)
    this.#batchCount = new Int32Array(batchSlots)
    this.#batchOp = new Int8Array(batchSlots)
    this.#batchDesc = new Int32Array(batchSlots * this.#mb)
    this.#batchGen = new Int32Array(batchSlots)
    this.#batchFree = new Int32Array(batchSlots)
    for (let b = 0; b < batchSlots; b++) this.#batchFree[b] = batchSlots - 1 - b
    this.#batchFreeTop = batchSlots
    this.#inflight = new Int32Array(batchSlots)
    this.#pendCap = batchSlots * this.#mb
    this.#pending = new Int32Array(o.wqs * this.#pendCap)
    this.#pendHead = new Int32Array(o.wqs)
    this.#pendLen = new Int32Array(o.wqs)

    this.#ctl[REG.KILL_ENGINE] = -1
    this.#ctl[REG.DELAY_ENGINE] = -1
    if (o.faults) this.injectFault(o.faults)

    this.#workers = new Array(o.engines).fill(undefined)
    this.#engineWq = new Int32Array(o.engines)
    this.#restarts = new Int32Array(o.engines)
    this.#alive = new Uint8Array(o.engines)
    this.#online = new Uint8Array(o.engines)
    this.#wqLive = new Int32Array(o.wqs)
    for (let e = 0; e < o.engines; e++) {
      this.#engineWq[e] = e % o.wqs
      this.#wqLive[e % o.wqs]++
      this.#spawn(e)
    }
  }

  /** Resolves once every engine thread is running (jobs submitted earlier simply wait in their WQ). */
  ready(): Promise<void> {
    if (this.#allOnline()) return DONE
    // Keep the process alive while engines start; idle again afterwards.
    this.#setRef(true)
    return new Promise<void>((resolve) => this.#readyWaiters.push(resolve)).then(() => {
      this.#setRef(this.#busy())
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
    const ctl = this.#ctl
    if (faults.killEngine) {
      const { engine, afterJobs, phase = 'claim' } = faults.killEngine
      if (
        !Number.isInteger(engine) ||
        engine < 0 ||
        engine >= this.#o.engines ||
        !Number.isInteger(afterJobs) ||
        afterJobs < 0 ||
        (phase !== 'claim' && phase !== 'complete')
      ) {
        throw new InvalidArgumentError(
          `${PKG} faults.killEngine needs an engine in [0, ${this.#o.engines}), afterJobs ≥ 0 and phase 'claim' or 'complete'`,
        )
      }
      // Counted from the engine's current job count so a running engine is hit too.
      Atomics.store(ctl, REG.KILL_AT, Atomics.load(ctl, this.#lay.engineJobsBase + engine) + afterJobs)
      Atomics.store(ctl, REG.KILL_PHASE, phase === 'complete' ? 1 : 0)
      Atomics.store(ctl, REG.KILL_ENGINE, engine)
    }
    if (faults.delayJobs) {
      const { engine = -1, count, ms } = faults.delayJobs
      if (!Number.isInteger(count) || count < 0 || !(ms >= 0) || !Number.isInteger(engine)) {
        throw new InvalidArgumentError(
          `${PKG} faults.delayJobs needs count ≥ 0, ms ≥ 0 and an integer engine`,
        )
      }
      Atomics.store(ctl, REG.DELAY_ENGINE, engine)
      Atomics.store(ctl, REG.DELAY_MS, ms > 2 ** 31 - 1 ? -1 : Math.ceil(ms))
      Atomics.store(ctl, REG.DELAY_COUNT, count)
      // Count first, then the generation: an engine that took a delay before this wakes up now.
      Atomics.add(ctl, REG.SLEEP, 1)
      Atomics.notify(ctl, REG.SLEEP)
    }
    if (faults.badOutput) {
      const { count, kind = 'garbled' } = faults.badOutput
      if (!Number.isInteger(count) || count < 0 || (kind !== 'garbled' && kind !== 'plausible'))
        throw new InvalidArgumentError(
          `${PKG} faults.badOutput needs count ≥ 0 and kind 'garbled' or 'plausible'`,
        )
      Atomics.store(ctl, REG.BAD_OUTPUT_KIND, kind === 'plausible' ? 1 : 0)
      Atomics.store(ctl, REG.BAD_OUTPUT_COUNT, count)
    }
    if (faults.paused !== undefined) {
      Atomics.store(ctl, REG.PAUSED, faults.paused ? 1 : 0)
      if (!faults.paused) this.#ringAll()
    }
  }

  /** Counters as plain JSON. */
  stats(): IaaStats {
    const o = this.#o
    return {
      name: this.name,
      algorithm: o.algorithm,
      compressionMode: o.compressionMode,
      mode: o.mode,
      ...this.#s,
      softwareFallbacks: { ...this.#fb },
      errors: { ...this.#err },
      lastEngineError: this.#lastEngineError ?? null,
      engines: Array.from({ length: o.engines }, (_, e) => ({
        id: e,
        wq: this.#engineWq[e],
        jobs: Atomics.load(this.#ctl, this.#lay.engineJobsBase + e),
        restarts: this.#restarts[e],
        alive: this.#alive[e] === 1,
      })),
      wqs: Array.from({ length: o.wqs }, (_, w) => ({
        id: w,
        size: this.#wqSize[w],
        depth: this.#wqSize[w] - this.#freeTop[w],
        maxDepth: this.#maxDepth[w],
        running: this.#countStates(w, STATE.RUNNING) + this.#countStates(w, STATE.ABANDONED),
        abandoned: this.#countStates(w, STATE.ABANDONED),
        compressJobs: this.#wqStats[w * 4],
        compressBytes: this.#wqStats[w * 4 + 1],
        decompressJobs: this.#wqStats[w * 4 + 2],
        decompressBytes: this.#wqStats[w * 4 + 3],
      })),
    }
  }

  /** Descriptors of WQ `w` in state `kind` (RUNNING or ABANDONED, any engine). */
  #countStates(w: number, kind: number): number {
    let n = 0
    for (let d = this.#wqFirst[w]; d < this.#wqFirst[w] + this.#wqSize[w]; d++) {
      if ((Atomics.load(this.#ctl, this.#lay.descBase + d * DESC_FIELDS + DESC.STATE) & ~0xff) === kind) n++
    }
    return n
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
    const ctl = this.#ctl
    Atomics.store(ctl, REG.KILL_ENGINE, -1)
    this.injectFault({ paused: false })
    while (this.#busy()) {
      await new Promise<void>((resolve) => {
        this.#drained = resolve
        // Sync mode has no waiter of its own: poll until the last orphan is released.
        if (this.#o.mode === 'sync') setTimeout(resolve, 2)
        this.#service()
      })
    }
    Atomics.store(ctl, REG.SHUTDOWN, 1)
    this.#ringAll()
    await Promise.all(this.#workers.map((w) => w?.terminate()))
    for (const resolve of this.#readyWaiters.splice(0)) resolve()
    this.#setRef(false)
  }

  // ---- submission ------------------------------------------------------

  #submit(jobs: readonly Job[], count: number | undefined, op: number): Promise<void> {
    let n: number
    try {
      n = this.#validate(jobs, count)
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

  /** Checks a batch before anything is touched; returns the job count. */
  #validate(jobs: readonly Job[], count: number | undefined): number {
    if (this.#closing) throw new ClosedError(`${PKG} device ${this.name} is closed`)
    if (!Array.isArray(jobs)) throw new InvalidArgumentError(`${PKG} jobs must be an array of jobs`)
    const n = count === undefined ? jobs.length : count
    if (!Number.isInteger(n) || n < 0 || n > jobs.length || n > this.#mb) {
      throw new InvalidArgumentError(
        `${PKG} count must be an integer in [0, min(jobs.length, maxBatch ${this.#mb})], got ${n}`,
      )
    }
    for (let i = 0; i < n; i++) {
      const job = jobs[i]
      if (!(job?.src instanceof Uint8Array) || !(job.dst instanceof Uint8Array)) {
        throw new InvalidArgumentError(`${PKG} job ${i} needs src and dst Uint8Arrays`)
      }
    }
    return n
  }

  #submitValid(jobs: readonly Job[], count: number, op: number): Promise<void> {
    if (op === OP.COMPRESS) this.#s.compressCalls++
    else this.#s.decompressCalls++
    if (count === 0) return DONE
    if (this.#o.mode === 'sync' && !this.#allOnline()) {
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
      for (let i = 0; i < count; i++) this.#runSoftware(jobs[i], op, 'noEngine')
      return DONE
    }
    if (this.#batchFreeTop === 0 || (this.#o.onFull !== 'wait' && !this.#hasRoom(count))) {
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
      this.#err.busy += count
      return DONE
    }
    if (onFull === 'software') {
      for (let i = 0; i < count; i++) this.#runSoftware(jobs[i], op, 'wqFull')
      return DONE
    }
    // Every batch slot is taken (only with very many concurrent callers): start when one frees.
    return new Promise<void>((resolve) => {
      this.#slotWaiters.push({ jobs, count, op, resolve })
    })
  }

  #hasRoom(count: number): boolean {
    if (this.#pendingTotal > 0) return false
    const wqs = this.#o.wqs
    if (this.#o.wqMode === 'shared') {
      let room = 0
      for (let w = 0; w < wqs; w++) room += this.#freeTop[w]
      return room >= count
    }
    const need = this.#need
    need.fill(0)
    for (let i = 0; i < count; i++) need[(this.#wqCursor + i) % wqs]++
    for (let w = 0; w < wqs; w++) if (need[w] > this.#freeTop[w]) return false
    return true
  }

  #start(jobs: readonly Job[], count: number, op: number): Promise<void> {
    const mb = this.#mb
    const b = this.#batchFree[--this.#batchFreeTop]
    this.#batchJobs[b] = jobs
    this.#batchCount[b] = count
    this.#batchOp[b] = op
    Atomics.store(this.#ctl, this.#lay.batchBase + b, batchWord(this.#batchGen[b], count))
    this.#inflight[this.#inflightCount++] = b
    const limit = this.#lay.slotBytes
    const wqs = this.#o.wqs
    for (let i = 0; i < count; i++) {
      const job = jobs[i]
      const code = b * mb + i
      this.#batchDesc[code] = -1
      if (
        job.src.length > limit ||
        job.dst.length > limit ||
        (op === OP.COMPRESS && job.src.length > this.#hwCompressMax)
      ) {
        this.#softwareTakeover(code, 'oversize')
        continue
      }
      let w = (this.#wqCursor + i) % wqs
      if (this.#wqLive[w] === 0) {
        w = this.#liveWq(w)
        if (w < 0) {
          this.#softwareTakeover(code, 'noEngine')
          continue
        }
      }
      this.#enqueue(w, code)
    }
    this.#wqCursor = (this.#wqCursor + count) % wqs
    this.#pump()
    this.#ring()
    if (this.#o.pollUs > 0) this.#pollUntil = performance.now() + this.#o.pollUs / 1000
    if (this.#o.mode === 'sync') {
      const gen = this.#batchGen[b]
      this.#service()
      while (this.#batchGen[b] === gen) this.#sleep()
      return DONE
    }
    const promise = new Promise<void>((resolve) => {
      this.#batchResolve[b] = resolve
    })
    this.#service()
    return promise
  }

  #liveWq(from: number): number {
    const wqs = this.#o.wqs
    for (let k = 1; k <= wqs; k++) {
      const w = (from + k) % wqs
      if (this.#wqLive[w] > 0) return w
    }
    return -1
  }

  #enqueue(w: number, code: number): void {
    const cap = this.#pendCap
    this.#pending[w * cap + ((this.#pendHead[w] + this.#pendLen[w]) % cap)] = code
    this.#pendLen[w]++
    this.#pendingTotal++
  }

  /** Places pending jobs into free descriptors (FIFO per WQ); returns nothing, rings later. */
  #pump(): void {
    if (this.#pendingTotal === 0) return
    const wqs = this.#o.wqs
    const shared = this.#o.wqMode === 'shared'
    const cap = this.#pendCap
    const now = this.#o.now()
    for (let w = 0; w < wqs; w++) {
      while (this.#pendLen[w] > 0) {
        let target = w
        if (this.#freeTop[w] === 0 || this.#wqLive[w] === 0) {
          if (!shared && this.#wqLive[w] > 0) break
          target = -1
          for (let k = 1; k < wqs; k++) {
            const v = (w + k) % wqs
            if (this.#freeTop[v] > 0 && this.#wqLive[v] > 0) {
              target = v
              break
            }
          }
          if (target < 0) {
            if (this.#wqLive[w] === 0 && this.#liveWq(w) < 0) {
              // Nothing will ever serve these: finish them in software.
              const code = this.#pending[w * cap + this.#pendHead[w]]
              this.#pendHead[w] = (this.#pendHead[w] + 1) % cap
              this.#pendLen[w]--
              this.#pendingTotal--
              this.#softwareTakeover(code, 'noEngine')
              continue
            }
            break
          }
        }
        const code = this.#pending[w * cap + this.#pendHead[w]]
        this.#pendHead[w] = (this.#pendHead[w] + 1) % cap
        this.#pendLen[w]--
        this.#pendingTotal--
        this.#place(target, code, now)
      }
    }
  }

  #place(w: number, code: number, now: number): void {
    const d = this.#freeStack[this.#wqFirst[w] + --this.#freeTop[w]]
    const depth = this.#wqSize[w] - this.#freeTop[w]
    if (depth > this.#maxDepth[w]) this.#maxDepth[w] = depth
    const b = (code / this.#mb) | 0
    const job = (this.#batchJobs[b] as readonly Job[])[code - b * this.#mb]
    const slot = this.#lay.slotBytes
    this.#staging.set(job.src, d * 2 * slot)
    const base = this.#lay.descBase + d * DESC_FIELDS
    const ctl = this.#ctl
    ctl[base + DESC.OP] = this.#batchOp[b]
    ctl[base + DESC.SRC_LEN] = job.src.length
    ctl[base + DESC.DST_CAP] = job.dst.length
    ctl[base + DESC.BATCH] = b
    ctl[base + DESC.RESULT] = 0
    ctl[base + DESC.WQ] = w
    ctl[base + DESC.INDEX] = code - b * this.#mb
    ctl[base + DESC.GEN] = this.#batchGen[b]
    this.#descJob[d] = code
    this.#batchDesc[code] = d
    const deadline = now + this.#o.jobTimeoutMs
    this.#deadline[d] = deadline
    if (deadline < this.#nextDeadline) this.#nextDeadline = deadline
    // The store publishes the staged bytes and fields to the engine.
    Atomics.store(ctl, base + DESC.STATE, STATE.SUBMITTED)
    this.#bells[w]++
  }

  /**
   * One doorbell per WQ that got descriptors. It wakes one sleeping engine; an engine that
   * claims a descriptor and sees more wakes the next (the wake-ups leave the submitter's thread).
   */
  #ring(): void {
    const ctl = this.#ctl
    for (let w = 0; w < this.#o.wqs; w++) {
      const n = this.#bells[w]
      if (n === 0) continue
      this.#bells[w] = 0
      Atomics.add(ctl, this.#lay.doorbellBase + w, 1)
      // Bump first, then look for sleepers: an engine that announces itself later sees the new bell.
      if (Atomics.load(ctl, this.#lay.sleepersBase + w) > 0)
        Atomics.notify(ctl, this.#lay.doorbellBase + w, 1)
    }
  }

  #ringAll(): void {
    for (let w = 0; w < this.#o.wqs; w++) {
      Atomics.add(this.#ctl, this.#lay.doorbellBase + w, 1)
      Atomics.notify(this.#ctl, this.#lay.doorbellBase + w)
    }
  }

  // ---- completion ------------------------------------------------------

  /** Jobs not yet completed. Orphaned descriptors do not count: they are reaped on the next service. */
  #busy(): boolean {
    return (
      this.#inflightCount > 0 || this.#pendingTotal > 0 || this.#slotWaiters.length > 0 || this.#starting > 0
    )
  }

  /** Reaps finished batches, handles timeouts, places pending jobs; returns batches completed. */
  #service(): number {
    const ctl = this.#ctl
    // Ask for a signal per completion while jobs wait for descriptors; set before
    // reading the counter so no completion slips between the two.
    if (this.#pendingTotal > 0 && this.#wantSlots === 0) {
      this.#wantSlots = 1
      Atomics.store(ctl, REG.WANT_SLOTS, 1)
    }
    // Read before reaping: a completion after this read makes the next wait return at once.
    const seen = Atomics.load(ctl, REG.COMPLETIONS)
    if (this.#nextDeadline <= this.#o.now()) this.#expire()
    if (this.#pendingTotal > 0) this.#reapEarly()
    let completed = 0
    const batchBase = this.#lay.batchBase
    for (let k = 0; k < this.#inflightCount; ) {
      const b = this.#inflight[k]
      if ((Atomics.load(ctl, batchBase + b) & 0xffff) !== 0) {
        k++
        continue
      }
      this.#inflight[k] = this.#inflight[--this.#inflightCount]
      this.#finish(b)
      completed++
    }
    if (this.#orphanCount > 0) this.#reapOrphans()
    this.#pump()
    this.#ring()
    if (this.#pendingTotal === 0 && this.#wantSlots === 1) {
      this.#wantSlots = 0
      Atomics.store(ctl, REG.WANT_SLOTS, 0)
    }
    this.#arm(seen)
    return completed
  }

  /** Back-pressure: delivers finished jobs of unfinished batches so their descriptors free up. */
  #reapEarly(): void {
    const ctl = this.#ctl
    const mb = this.#mb
    for (let k = 0; k < this.#inflightCount; k++) {
      const b = this.#inflight[k]
      const jobs = this.#batchJobs[b] as readonly Job[]
      for (let i = 0; i < this.#batchCount[b]; i++) {
        const d = this.#batchDesc[b * mb + i]
        if (d < 0 || !this.#isDone(Atomics.load(ctl, this.#lay.descBase + d * DESC_FIELDS + DESC.STATE)))
          continue
        this.#batchDesc[b * mb + i] = -1
        this.#deliver(jobs[i], this.#batchOp[b], d)
        // Its engine clears the bit too (or already did); clearing twice is harmless.
        clearJobBit(ctl, this.#lay.batchBase + b, this.#batchGen[b], i)
      }
    }
  }

  #finish(b: number): void {
    const jobs = this.#batchJobs[b] as readonly Job[]
    const count = this.#batchCount[b]
    const op = this.#batchOp[b]
    const mb = this.#mb
    for (let i = 0; i < count; i++) {
      const d = this.#batchDesc[b * mb + i]
      if (d >= 0) this.#deliver(jobs[i], op, d)
    }
    if (op === OP.COMPRESS) this.#s.compressJobs += count
    else this.#s.decompressJobs += count
    for (let i = 0; i < count; i++) {
      const job = jobs[i]
      if (job.error !== undefined) continue
      if (op === OP.COMPRESS) {
        this.#s.compressBytesIn += job.src.length
        if (job.length > 0) this.#s.compressBytesOut += job.length
      } else {
        this.#s.decompressBytesIn += job.src.length
        this.#s.decompressBytesOut += job.length
      }
    }
    this.#batchJobs[b] = undefined
    this.#batchGen[b]++
    const resolve = this.#batchResolve[b]
    this.#batchResolve[b] = undefined
    this.#batchFree[this.#batchFreeTop++] = b
    resolve?.()
    const waiter = this.#slotWaiters.shift()
    if (waiter) this.#start(waiter.jobs, waiter.count, waiter.op).then(waiter.resolve)
  }

  /** Copies one engine-completed job's result out and frees its descriptor. */
  #deliver(job: Job, op: number, d: number): void {
    const ctl = this.#ctl
    const base = this.#lay.descBase + d * DESC_FIELDS
    const result = ctl[base + DESC.RESULT]
    const w = ctl[base + DESC.WQ]
    const stat = w * 4 + (op === OP.COMPRESS ? 0 : 2)
    this.#wqStats[stat]++
    this.#wqStats[stat + 1] += job.src.length
    if (result >= 0) {
      const off = d * 2 * this.#lay.slotBytes + this.#lay.slotBytes
      job.dst.set(this.#staging.subarray(off, off + result))
      job.length = result
      job.error = undefined
    } else if (result === RESULT.DOES_NOT_FIT) {
      this.#err.doesNotFit++
      job.length = -1
      job.error = undefined
    } else {
      // Verify failures, library failures and failed decompressions are retried in
      // software, as iaa_crypto falls back to deflate-generic.
      const reason = result === RESULT.VERIFY ? 'verify' : result === RESULT.CORRUPT ? 'corrupt' : 'failed'
      this.#err[reason]++
      this.#runSoftware(job, op, reason)
    }
    this.#freeDesc(d)
  }

  #isDone(state: number): boolean {
    return (state & ~0xff) === STATE.DONE_BY
  }

  #freeDesc(d: number): void {
    const w = this.#ctl[this.#lay.descBase + d * DESC_FIELDS + DESC.WQ]
    Atomics.store(this.#ctl, this.#lay.descBase + d * DESC_FIELDS + DESC.STATE, STATE.FREE)
    this.#descJob[d] = -1
    this.#freeStack[this.#wqFirst[w] + this.#freeTop[w]++] = d
  }

  #runSoftware(job: Job, op: number, reason: Exclude<keyof IaaFallbacks, 'total'>): void {
    this.#fb.total++
    this.#fb[reason]++
    const codec = (this.#software ??= createCodec(
      this.#o.algorithm,
      this.#o.level,
      true,
      this.#o.compressionMode,
    ))
    if (op === OP.COMPRESS) {
      const n = codec.compress(job.src, job.dst)
      if (n === RESULT.FAILED) {
        job.length = 0
        job.error = new CompressionFailedError(`${PKG} ${this.name}: software compress failed`)
      } else {
        job.length = n
        job.error = undefined
      }
      return
    }
    const n = codec.decompress(job.src, job.dst)
    if (n < 0) {
      job.length = 0
      job.error = new CorruptDataError(`${PKG} ${this.name}: corrupt or oversized compressed block`)
    } else {
      job.length = n
      job.error = undefined
    }
  }

  /** Runs job `code` in software and counts it off its batch's completion record. */
  #softwareTakeover(code: number, reason: Exclude<keyof IaaFallbacks, 'total'>): void {
    const b = (code / this.#mb) | 0
    const job = (this.#batchJobs[b] as readonly Job[])[code - b * this.#mb]
    this.#batchDesc[code] = -1
    this.#runSoftware(job, this.#batchOp[b], reason)
    clearJobBit(this.#ctl, this.#lay.batchBase + b, this.#batchGen[b], code - b * this.#mb)
  }

  /** Takes over every submitted job past its deadline. */
  #expire(): void {
    const now = this.#o.now()
    const ctl = this.#ctl
    let next = Number.POSITIVE_INFINITY
    for (let d = 0; d < this.#o.wqSize; d++) {
      const code = this.#descJob[d]
      if (code < 0) continue
      const stateAt = this.#lay.descBase + d * DESC_FIELDS + DESC.STATE
      const state = Atomics.load(ctl, stateAt)
      if (state !== STATE.SUBMITTED && (state & ~0xff) !== STATE.RUNNING) continue
      if (this.#deadline[d] > now) {
        if (this.#deadline[d] < next) next = this.#deadline[d]
        continue
      }
      if (state === STATE.SUBMITTED) {
        if (Atomics.compareExchange(ctl, stateAt, state, STATE.CANCELLED) !== state) continue
        this.#err.timeout++
        this.#softwareTakeover(code, 'timeout')
        this.#freeDesc(d)
      } else {
        const abandoned = STATE.ABANDONED + (state & 0xff)
        if (Atomics.compareExchange(ctl, stateAt, state, abandoned) !== state) continue
        // The engine still writes its staging slot: keep the descriptor until it lets go.
        this.#err.timeout++
        this.#softwareTakeover(code, 'timeout')
        this.#descJob[d] = -1
        this.#orphans[this.#orphanCount++] = d
      }
    }
    this.#nextDeadline = next
  }

  #reapOrphans(): void {
    const ctl = this.#ctl
    for (let k = 0; k < this.#orphanCount; ) {
      const d = this.#orphans[k]
      if (Atomics.load(ctl, this.#lay.descBase + d * DESC_FIELDS + DESC.STATE) === STATE.RELEASED) {
        this.#orphans[k] = this.#orphans[--this.#orphanCount]
        this.#freeDesc(d)
      } else k++
    }
  }

  /** Waits for the next completion, the way the mode says; keeps the process alive only while busy. */
  #arm(seen: number): void {
    if (!this.#busy()) {
      this.#setRef(false)
      const drained = this.#drained
      this.#drained = undefined
      drained?.()
      return
    }
    this.#setRef(true)
    const mode = this.#o.mode
    if (mode === 'sync') return
    if (mode === 'async') {
      if (this.#armed) return
      this.#armed = true
      setImmediate(this.#onWake)
      return
    }
    // irq, hybrid: poll from the event loop for a short while after a submission (a fast job
    // completes before a waitAsync wake-up would even arrive), with the waitAsync armed behind it.
    if (!this.#polling && performance.now() < this.#pollUntil) {
      this.#polling = true
      setImmediate(this.#onPoll)
    }
    // One waitAsync outstanding, re-armed earlier only when a sooner deadline appeared.
    if (this.#armed && this.#nextDeadline >= this.#armedUntil) return
    this.#armed = true
    this.#armedUntil = this.#nextDeadline
    const timeout = this.#nextDeadline - this.#o.now()
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
  #sleep(): void {
    const seen = Atomics.load(this.#ctl, REG.COMPLETIONS)
    this.#service()
    if (!this.#busy() || Atomics.load(this.#ctl, REG.COMPLETIONS) !== seen) return
    const timeout = Math.max(0, this.#nextDeadline - this.#o.now())
    Atomics.wait(this.#ctl, REG.COMPLETIONS, seen, Number.isFinite(timeout) ? timeout : 50)
  }

  #setRef(on: boolean): void {
    if (this.#referenced === on) return
    this.#referenced = on
    for (const w of this.#workers) {
      if (on) w?.ref()
      else w?.unref()
    }
  }

  // ---- engines ---------------------------------------------------------

  #spawn(e: number): void {
    const o = this.#o
    const w = this.#engineWq[e]
    const data: EngineData = {
      id: e,
      wq: w,
      wqFirst: this.#wqFirst[w],
      wqSize: this.#wqSize[w],
      layout: this.#lay,
      ctl: this.#ctlBuffer,
      staging: this.#stagingBuffer,
      algorithm: o.algorithm,
      compressionMode: o.compressionMode,
      level: o.level,
      verify: o.verifyCompress,
      spinUs: o.engineSpinUs,
    }
    const worker = new Worker(this.#url, {
      workerData: data,
      name: `${this.name}-engine-${e}`,
      // --input-type (node -e) is refused for a file entry; other flags (loaders, inspect) carry over.
      execArgv: process.execArgv.filter((arg) => !arg.startsWith('--input-type')),
    })
    this.#workers[e] = worker
    this.#alive[e] = 1
    if (!this.#referenced) worker.unref()
    worker.on('message', () => {
      this.#online[e] = 1
      if (this.#allOnline()) for (const resolve of this.#readyWaiters.splice(0)) resolve()
    })
    // An engine's uncaught error ends in 'exit'; keep it from crashing the process.
    worker.on('error', (error) => {
      this.#lastEngineError = String(error?.message ?? error)
    })
    worker.on('exit', () => this.#onExit(e, worker))
  }

  #allOnline(): boolean {
    for (let e = 0; e < this.#o.engines; e++)
      if (this.#online[e] === 0 && this.#restarts[e] <= this.#o.restartLimit) return false
    return true
  }

  /** An engine died: its running jobs go to software, its orphans are freed, it restarts. */
  #onExit(e: number, worker: Worker): void {
    if (this.#workers[e] !== worker) return
    this.#workers[e] = undefined
    this.#alive[e] = 0
    this.#online[e] = 0
    if (Atomics.load(this.#ctl, REG.SHUTDOWN) !== 0) return
    const ctl = this.#ctl
    const running = STATE.RUNNING + e
    const abandoned = STATE.ABANDONED + e
    for (let d = 0; d < this.#o.wqSize; d++) {
      const stateAt = this.#lay.descBase + d * DESC_FIELDS + DESC.STATE
      const state = Atomics.load(ctl, stateAt)
      if (state === running && Atomics.compareExchange(ctl, stateAt, running, STATE.CANCELLED) === running) {
        this.#err.engineDeath++
        this.#softwareTakeover(this.#descJob[d], 'engineDeath')
        this.#freeDesc(d)
      } else if (state === STATE.DONE_BY + e && this.#descJob[d] >= 0) {
        // Completed, but the engine may have died before clearing the job's bit.
        const code = this.#descJob[d]
        const b = (code / this.#mb) | 0
        clearJobBit(ctl, this.#lay.batchBase + b, this.#batchGen[b], code - b * this.#mb)
      } else if (state === abandoned) {
        for (let k = 0; k < this.#orphanCount; k++) {
          if (this.#orphans[k] !== d) continue
          this.#orphans[k] = this.#orphans[--this.#orphanCount]
          this.#freeDesc(d)
          break
        }
      }
    }
    if (this.#restarts[e] < this.#o.restartLimit) {
      this.#restarts[e]++
      this.#s.engineRestarts++
      this.#spawn(e)
    } else {
      this.#restarts[e]++
      this.#wqLive[this.#engineWq[e]]--
      if (this.#allOnline()) for (const resolve of this.#readyWaiters.splice(0)) resolve()
      if (this.#wqLive[this.#engineWq[e]] === 0) this.#abandonWq(this.#engineWq[e])
    }
    this.#service()
  }

  /** No engine serves WQ `w` any more: its queued descriptors run in software. */
  #abandonWq(w: number): void {
    const ctl = this.#ctl
    for (let d = this.#wqFirst[w]; d < this.#wqFirst[w] + this.#wqSize[w]; d++) {
      const stateAt = this.#lay.descBase + d * DESC_FIELDS + DESC.STATE
      if (Atomics.compareExchange(ctl, stateAt, STATE.SUBMITTED, STATE.CANCELLED) === STATE.SUBMITTED) {
        this.#softwareTakeover(this.#descJob[d], 'noEngine')
        this.#freeDesc(d)
      }
    }
  }
}
