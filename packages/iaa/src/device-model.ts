/**
 * A timing model of an IAA device: what the hardware would take for a batch,
 * by an event simulation of its engines. Pure: no clock, no threads.
 *
 * - The submitting CPU writes one descriptor per job, one after another, at
 *   `submitNs` each (IAA has no batch descriptor: one MOVDIR64B/ENQCMD per job).
 * - A job waits in the WQ until an engine is free; engines take jobs in
 *   arrival order, each the earliest free engine, and run it for
 *   `engineNs + bytes / bytesPerNs` (bytes: input compressing, output decompressing).
 * - With verify, each compress job's completion makes the CPU submit one
 *   dependent decompress job of the page (iaa_crypto's verify_compress).
 * - The batch completes at `batchNs +` the last job's finish; `irq` adds the
 *   interrupt's cost (async_irq mode).
 */

/** What an engine takes for a job of one direction. */
export interface EngineTiming {
  /** ns per job on the engine beyond moving its bytes (descriptor fetch, setup, completion record). */
  readonly engineNs: number
  /** Bytes per ns (= GB/s) an engine moves: input bytes compressing, output bytes decompressing. */
  readonly bytesPerNs: number
}

/** What the calling path costs around the engines, for one direction. */
export interface PathOverhead {
  /** ns once per batch: driver entry, completion polling, return (the fit's `a0`). */
  readonly batchNs: number
  /** ns the submitting CPU spends per descriptor (the fit's `c`). */
  readonly submitNs: number
}

/**
 * The calling paths a model is calibrated for:
 * `'zswap'`: iaa_crypto's sync path as zswap calls it, one batch of pages per call
 * (calibrated to iaa_crypto v11's Table 1); `'byN'`: the by_n driver's path, one
 * folio in n chunks per call (calibrated to the by_n RFC's table).
 */
export type DevicePath = 'zswap' | 'byN'

/** One direction of a device. */
export type Direction = 'compress' | 'decompress'

/** A device's timing parameters, as data (see README "The timing model"). */
export interface DeviceModel {
  /** Preset name, shown next to every modeled figure (e.g. `'spr'`). */
  readonly name: string
  /** Engines of the device (8 on Sapphire Rapids). */
  readonly engines: number
  readonly compress: EngineTiming
  readonly decompress: EngineTiming
  /** Overheads of each calling path, per direction. */
  readonly paths: Readonly<Record<DevicePath, Readonly<Record<Direction, PathOverhead>>>>
  /** ns async_irq mode adds to a batch (the interrupt and the wake-up), per direction. */
  readonly irqNs: Readonly<Record<Direction, number>>
}

/** How a batch is called. */
export interface BatchCall {
  /** Default `'zswap'`. */
  path?: DevicePath
  /** async_irq mode: add the interrupt cost. Default false. */
  irq?: boolean
  /** Compress only: one dependent decompress job per compress job (verify_compress). Default false. */
  verify?: boolean
}

const MAX_JOBS = 64

/**
 * Runs batches through a {@link DeviceModel} and keeps each engine's modeled
 * busy time. Allocates nothing per batch; batches are independent (each
 * starts on an idle device), as zswap's synchronous calls are.
 */
export class DeviceTimeline {
  readonly model: DeviceModel
  /** Modeled ns each engine has been busy, over all batches. */
  readonly engineBusyNs: Float64Array
  readonly #free: Float64Array
  readonly #arrive = new Float64Array(2 * MAX_JOBS)
  readonly #dur = new Float64Array(2 * MAX_JOBS)
  readonly #parent = new Int32Array(2 * MAX_JOBS)
  readonly #done = new Uint8Array(2 * MAX_JOBS)
  readonly #finish = new Float64Array(2 * MAX_JOBS)

  constructor(model: DeviceModel) {
    checkModel(model)
    this.model = model
    this.engineBusyNs = new Float64Array(model.engines)
    this.#free = new Float64Array(model.engines)
  }

  /**
   * Models one batch of `count` jobs (≤ 64), job `i` moving `bytes[i]` bytes.
   * @param jobNs out, optional: each job's modeled ns from the call until its result is seen
   * (`batchNs` + its finish, and its verify job's, + irq)
   * @returns the batch's modeled ns, from the call until it returns
   */
  batch(
    direction: Direction,
    bytes: ArrayLike<number>,
    count: number,
    call: BatchCall = {},
    jobNs?: Float64Array,
  ): number {
    if (!Number.isInteger(count) || count < 0 || count > MAX_JOBS)
      throw new RangeError(`[@zswap/iaa] a modeled batch has 0..${MAX_JOBS} jobs, got ${count}`)
    const m = this.model
    const path = m.paths[call.path ?? 'zswap']
    const own = path[direction]
    const timing = m[direction]
    const verify = call.verify === true && direction === 'compress'
    const free = this.#free.fill(0)
    const arrive = this.#arrive
    const dur = this.#dur
    const parent = this.#parent
    const done = this.#done.fill(0)
    const finish = this.#finish
    for (let i = 0; i < count; i++) {
      arrive[i] = (i + 1) * own.submitNs
      dur[i] = timing.engineNs + bytes[i] / timing.bytesPerNs
      parent[i] = -1
    }
    let jobs = count
    let cpu = count * own.submitNs
    // Jobs in arrival order, each to the earliest free engine.
    for (let k = 0; k < jobs; k++) {
      let j = -1
      for (let i = 0; i < jobs; i++) if (done[i] === 0 && (j < 0 || arrive[i] < arrive[j])) j = i
      let e = 0
      for (let x = 1; x < free.length; x++) if (free[x] < free[e]) e = x
      const start = Math.max(arrive[j], free[e])
      finish[j] = start + dur[j]
      free[e] = finish[j]
      this.engineBusyNs[e] += dur[j]
      done[j] = 1
      if (verify && parent[j] < 0) {
        // The CPU sees the completion, then submits the decompress of the page.
        cpu = Math.max(cpu, finish[j]) + path.decompress.submitNs
        arrive[jobs] = cpu
        dur[jobs] = m.decompress.engineNs + bytes[j] / m.decompress.bytesPerNs
        parent[jobs] = j
        jobs++
      }
    }
    const tail = own.batchNs + (call.irq === true ? m.irqNs[direction] : 0)
    let last = 0
    for (let i = 0; i < jobs; i++) {
      if (finish[i] > last) last = finish[i]
      if (jobNs !== undefined) {
        const owner = parent[i] < 0 ? i : parent[i]
        const t = tail + finish[i]
        if (parent[i] < 0 || t > jobNs[owner]) jobNs[owner] = t
      }
    }
    return count === 0 ? 0 : tail + last
  }
}

/**
 * One batch of a model, for tests and tools: the batch's ns and each job's.
 * @example modelBatch(SPR, 'compress', [4096], { path: 'zswap' }).batchNs // ≈ 3177
 */
export function modelBatch(
  model: DeviceModel,
  direction: Direction,
  bytes: readonly number[],
  call: BatchCall = {},
): { batchNs: number; jobNs: number[]; engineBusyNs: number[] } {
  const t = new DeviceTimeline(model)
  const jobNs = new Float64Array(bytes.length)
  const batchNs = t.batch(direction, bytes, bytes.length, call, jobNs)
  return { batchNs, jobNs: Array.from(jobNs), engineBusyNs: Array.from(t.engineBusyNs) }
}

function checkModel(m: DeviceModel): void {
  const ok = (x: unknown) => typeof x === 'number' && Number.isFinite(x) && x >= 0
  const bad = (what: string) => new RangeError(`[@zswap/iaa] device model ${String(m?.name)}: ${what}`)
  if (typeof m !== 'object' || m === null)
    throw new TypeError('[@zswap/iaa] device must be a DeviceModel or a preset name')
  if (!Number.isInteger(m.engines) || m.engines < 1 || m.engines > 64)
    throw bad('engines must be an integer in [1, 64]')
  for (const d of ['compress', 'decompress'] as const) {
    if (!ok(m[d]?.engineNs) || !(m[d]?.bytesPerNs > 0))
      throw bad(`${d} needs engineNs ≥ 0 and bytesPerNs > 0`)
    if (!ok(m.irqNs?.[d])) throw bad(`irqNs.${d} must be ≥ 0`)
    for (const p of ['zswap', 'byN'] as const) {
      const o = m.paths?.[p]?.[d]
      if (!ok(o?.batchNs) || !ok(o?.submitNs)) throw bad(`paths.${p}.${d} needs batchNs and submitNs ≥ 0`)
    }
  }
}
