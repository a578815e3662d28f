import { Worker } from 'node:worker_threads'
import type { NormalizedIaaOptions } from './iaa-options.js'
import { type EngineData, type Layout, REG } from './layout.js'
import type { WorkQueues } from './work-queues.js'

/** What the device does when an engine exits unexpectedly (not at shutdown). */
export interface EngineHooks {
  /** Take back what engine `e` held (before it restarts or is given up). */
  died(e: number): void
  /** No live engine serves WQ `w` any more. */
  wqLost(w: number): void
  /** After an exit has been handled: service completions. */
  changed(): void
}

/** dist/engine.js next to this module; from source (tests), the built engine in ../dist. */
function defaultEngineUrl(): URL {
  const here = import.meta.url
  return here.endsWith('.ts') ? new URL('../dist/engine.js', here) : new URL('./engine.js', here)
}

/**
 * The engines' lifecycle: one worker thread each, serving WQ `e % wqs`;
 * started, restarted after a death up to `restartLimit` times, then given up;
 * referenced (keeping the process alive) only while the device is busy.
 */
export class EnginePool {
  /** WQ each engine serves. */
  readonly wqOf: Int32Array
  readonly restarts: Int32Array
  /** Restarts of all engines. */
  restartsTotal = 0
  lastError: string | undefined

  readonly #o: NormalizedIaaOptions
  readonly #name: string
  readonly #data: Omit<EngineData, 'id' | 'wq' | 'wqFirst' | 'wqSize'>
  readonly #ctl: Int32Array
  readonly #lay: Layout
  readonly #queues: WorkQueues
  readonly #hooks: EngineHooks
  readonly #url: URL | string
  readonly #workers: (Worker | undefined)[]
  readonly #alive: Uint8Array
  readonly #online: Uint8Array
  #readyWaiters: (() => void)[] = []
  #referenced = false

  constructor(
    o: NormalizedIaaOptions,
    name: string,
    shared: { ctl: SharedArrayBuffer; staging: SharedArrayBuffer; layout: Layout },
    queues: WorkQueues,
    hooks: EngineHooks,
  ) {
    this.#o = o
    this.#name = name
    this.#ctl = new Int32Array(shared.ctl)
    this.#lay = shared.layout
    this.#queues = queues
    this.#hooks = hooks
    this.#url = o.engineUrl ?? defaultEngineUrl()
    this.#data = {
      layout: shared.layout,
      ctl: shared.ctl,
      staging: shared.staging,
      algorithm: o.algorithm,
      compressionMode: o.compressionMode,
      level: o.level,
      verify: o.verifyCompress,
      spinUs: o.engineSpinUs,
    }
    this.#workers = new Array(o.engines).fill(undefined)
    this.wqOf = new Int32Array(o.engines)
    this.restarts = new Int32Array(o.engines)
    this.#alive = new Uint8Array(o.engines)
    this.#online = new Uint8Array(o.engines)
  }

  /** Starts every engine. */
  start(): void {
    for (let e = 0; e < this.#o.engines; e++) {
      this.wqOf[e] = e % this.#o.wqs
      this.#queues.live[e % this.#o.wqs]++
      this.#spawn(e)
    }
  }

  /** Whether every engine not given up has started. */
  allOnline(): boolean {
    for (let e = 0; e < this.#o.engines; e++)
      if (this.#online[e] === 0 && this.restarts[e] <= this.#o.restartLimit) return false
    return true
  }

  /** Resolves once {@link allOnline} (or the pool stops). */
  whenOnline(): Promise<void> {
    return new Promise<void>((resolve) => this.#readyWaiters.push(resolve))
  }

  /** Keeps the process alive (busy) or not (idle). */
  setRef(on: boolean): void {
    if (this.#referenced === on) return
    this.#referenced = on
    for (const w of this.#workers) {
      if (on) w?.ref()
      else w?.unref()
    }
  }

  /** Stops every engine (after SHUTDOWN is set and the doorbells rung). */
  async terminate(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w?.terminate()))
    for (const resolve of this.#readyWaiters.splice(0)) resolve()
    this.setRef(false)
  }

  /** Engine `e` as in {@link IaaStats}.engines. */
  snapshot(e: number) {
    return {
      id: e,
      wq: this.wqOf[e],
      jobs: Atomics.load(this.#ctl, this.#lay.engineJobsBase + e),
      restarts: this.restarts[e],
      alive: this.#alive[e] === 1,
    }
  }

  #spawn(e: number): void {
    const w = this.wqOf[e]
    const q = this.#queues
    const data: EngineData = { ...this.#data, id: e, wq: w, wqFirst: q.first[w], wqSize: q.size[w] }
    const worker = new Worker(this.#url, {
      workerData: data,
      name: `${this.#name}-engine-${e}`,
      // --input-type (node -e) is refused for a file entry; other flags (loaders, inspect) carry over.
      execArgv: process.execArgv.filter((arg) => !arg.startsWith('--input-type')),
    })
    this.#workers[e] = worker
    this.#alive[e] = 1
    if (!this.#referenced) worker.unref()
    worker.on('message', () => {
      this.#online[e] = 1
      this.#resolveIfOnline()
    })
    // An engine's uncaught error ends in 'exit'; keep it from crashing the process.
    worker.on('error', (error) => {
      this.lastError = String(error?.message ?? error)
    })
    worker.on('exit', () => this.#onExit(e, worker))
  }

  #resolveIfOnline(): void {
    if (this.allOnline()) for (const resolve of this.#readyWaiters.splice(0)) resolve()
  }

  /** An engine died: the device takes back its jobs, then it restarts or is given up. */
  #onExit(e: number, worker: Worker): void {
    if (this.#workers[e] !== worker) return
    this.#workers[e] = undefined
    this.#alive[e] = 0
    this.#online[e] = 0
    if (Atomics.load(this.#ctl, REG.SHUTDOWN) !== 0) return
    this.#hooks.died(e)
    this.restarts[e]++
    if (this.restarts[e] <= this.#o.restartLimit) {
      this.restartsTotal++
      this.#spawn(e)
    } else {
      const w = this.wqOf[e]
      this.#queues.live[w]--
      this.#resolveIfOnline()
      if (this.#queues.live[w] === 0) this.#hooks.wqLost(w)
    }
    this.#hooks.changed()
  }
}
