import { availableParallelism } from 'node:os'
import { invalidOption } from '@zswap/core'
import type { IaaAlgorithm } from './codec.js'
import { type DeviceModel, DeviceTimeline } from './device-model.js'
import { MAX_BATCH } from './layout.js'
import { COMPRESSION_MODES, type CompressionMode } from './modes/mode-encoder.js'
import { DEVICE_PRESETS } from './presets.js'

const PKG = '@zswap/iaa'

/**
 * Faults to inject, for tests and the harness. Each applies once (counts
 * are consumed) and can also be set later with `device.injectFault()`.
 */
export interface IaaFaults {
  /**
   * Engine `engine` exits at its job number `afterJobs` (counted from now): right after claiming
   * it, holding it (`phase: 'claim'`, the default), or after completing it but before counting it
   * in its batch's completion record (`'complete'`).
   */
  killEngine?: { engine: number; afterJobs: number; phase?: 'claim' | 'complete' }
  /**
   * The next `count` jobs (of `engine`, or of any engine) sleep `ms` before running, e.g. past
   * the timeout; they hold their descriptor (state running) meanwhile. `ms: Infinity` stalls them
   * until delays are lifted. Setting `delayJobs` again replaces the count and cuts short every
   * delay in progress: `{ count: 0, ms: 0 }` lifts them all.
   */
  delayJobs?: { engine?: number; count: number; ms: number }
  /**
   * The next `count` compress jobs produce bad output, caught by verifyCompress. `kind`
   * `'garbled'` (default) flips a byte of the compressed block; `'plausible'` makes a
   * well-formed block of the page's length with one byte of the page changed (only a
   * byte-for-byte verify catches it).
   */
  badOutput?: { count: number; kind?: 'garbled' | 'plausible' }
  /** Engines stop claiming descriptors while true, so work queues fill up. */
  paused?: boolean
}

/** Options of {@link iaa}. */
export interface IaaOptions {
  /** Engines (worker threads). Default: `os.availableParallelism()`, at most 8. Range 1..64. */
  engines?: number
  /**
   * Work queues; engine `e` serves WQ `e % wqs`. Default 1: one WQ served by every engine, the
   * setup of the iaa_crypto documentation (one 128-entry WQ, all engines in its group), which
   * also costs one wake-up per batch. Range 1..engines.
   */
  wqs?: number
  /**
   * `'dedicated'` (default): each job goes to the next WQ in turn and waits for room there
   * (a DWQ: the submitter owns its credits). `'shared'`: a job takes any WQ with room
   * (an SWQ: a full queue answers "retry" and the next one is tried).
   */
  wqMode?: 'dedicated' | 'shared'
  /** Descriptor entries of the device, split evenly over the WQs. Default 128 (Sapphire Rapids). */
  wqSize?: number
  /** Algorithm of the device. Default `'deflate'` (raw deflate with a CRC-32 of the page, format `'deflate-raw+crc32'`). */
  algorithm?: IaaAlgorithm
  /**
   * How deflate codes its symbols, as IAA's compression modes (every mode keeps at most 4096
   * bytes of history: no match reaches farther). Default `'fixed'`, mainline iaa_crypto's only mode.
   * - `'fixed'`: one final block with the fixed Huffman codes of RFC 1951 (format
   *   `'deflate-iaa+crc32'`, iaa_crypto's `deflate-iaa`).
   * - `'canned'`: the canned Huffman table of the 2024 `deflate-iaa-canned` patch, no block
   *   header stored (format `'deflate-iaa-canned+crc32'`); only a canned device reads it.
   * - `'dynamic'`: one dynamic-Huffman block with a table built per job, Granite Rapids' header
   *   generation (format `'deflate-iaa-dynamic+crc32'`). Compress jobs above 4096 bytes run in
   *   software (the same format, counted in `softwareFallbacks.oversize`), as iaa_crypto does.
   * Other algorithms have no modes: anything but `'fixed'` is an option error for them.
   */
  compressionMode?: CompressionMode
  /**
   * Compression level: zstd 1..19 (default 1). Deflate accepts 0..9 and ignores it: the
   * device has one matcher, the mode decides the coding. Ignored otherwise.
   */
  level?: number
  /** Decompress each compressed page on the engine and compare, like iaa_crypto's verify_compress. Default true. */
  verifyCompress?: boolean
  /**
   * How the submitter learns about completions. `'irq'` (default): sleeps on the completion
   * counter with Atomics.waitAsync. `'async'`: polls the completion records from the event
   * loop (setImmediate) or when `poll()` is called. `'sync'`: blocks the thread in Atomics.wait
   * until the batch completes.
   */
  mode?: 'sync' | 'async' | 'irq'
  /**
   * irq mode: after each submission, poll the completion records from the event loop
   * (setImmediate) for up to this many µs before relying on the waitAsync wake-up alone,
   * which costs tens of µs per batch. Helps lone batches of fast jobs; with jobs in flight
   * continuously it keeps the event loop busy and, on 2 cores, slows the engines down (measured:
   * deflate 7–12% slower). Default 0 (off).
   */
  pollUs?: number
  /** A submitted job not completed after this many ms is taken over by software. Default 1000. */
  jobTimeoutMs?: number
  /**
   * The clock job deadlines are measured on, in ms. Default `performance.now`. Tests inject
   * one: a clock that stands still never times a job out, and moving it (then `poll()`)
   * expires jobs exactly when the test says.
   */
  now?: () => number
  /**
   * When the WQs are full: `'wait'` (default) queues the jobs until descriptors free up;
   * `'busy'` fails the whole batch with BusyError per job (nothing submitted, nothing
   * dropped); `'software'` runs the batch inline in software.
   */
  onFull?: 'wait' | 'busy' | 'software'
  /** Largest src and dst a job can stage on the device; larger jobs run in software. Default 16384. */
  maxJobBytes?: number
  /** Jobs per batch (capabilities.maxBatch). Default 8 (IAA_CRYPTO_MAX_BATCH_SIZE). Range 1..16. */
  maxBatch?: number
  /** Restarts of one engine before it is given up and its WQ is served in software. Default 8. */
  restartLimit?: number
  /** Faults to inject from the start. */
  faults?: IaaFaults
  /**
   * µs an idle engine keeps polling its doorbell before it sleeps (Atomics.wait). Spinning saves
   * the wake-up of the next batch but burns a core; 0 sleeps at once. Default 0.
   */
  engineSpinUs?: number
  /** Where the engine script lives. Default: `engine.js` next to this module (dist). */
  engineUrl?: URL | string
  /**
   * `'measured'` (default): the device's time is what the emulation takes on this machine.
   * `'model'`: besides running the jobs, each batch's time on the hardware is modeled with
   * `device` (README "The timing model"): jobs get `modeledNs`, `capabilities.timing` is
   * `'modeled'`, `stats().model` has the totals. The modeled path is iaa_crypto's zswap path;
   * `mode: 'irq'` adds the async_irq interrupt cost, `'sync'` and `'async'` do not.
   */
  timing?: 'measured' | 'model'
  /** The device model: a preset name (`'spr'`, the default) or a {@link DeviceModel}. Implies `timing: 'model'`. */
  device?: string | DeviceModel
  /** Shorthand for `{ timing: 'model', device: model }` (the harness's `iaa(model=spr)`). */
  model?: string | DeviceModel
  /**
   * Model iaa_crypto's verify_compress: one dependent decompress job per compress job. Default
   * false: the published figures the presets are fitted to are end-to-end driver figures, so
   * adding verify on top would count it twice if they included it. Independent of `verifyCompress`
   * (which runs the check in the emulation).
   */
  modelVerify?: boolean
}

export interface NormalizedIaaOptions {
  engines: number
  wqs: number
  wqMode: 'dedicated' | 'shared'
  wqSize: number
  algorithm: IaaAlgorithm
  compressionMode: CompressionMode
  level: number
  verifyCompress: boolean
  mode: 'sync' | 'async' | 'irq'
  jobTimeoutMs: number
  onFull: 'wait' | 'busy' | 'software'
  maxJobBytes: number
  maxBatch: number
  restartLimit: number
  faults: IaaFaults | undefined
  engineUrl: URL | string | undefined
  engineSpinUs: number
  pollUs: number
  now: () => number
  /** The timing model, when `timing` is `'model'`. */
  model: DeviceModel | undefined
  modelVerify: boolean
}

function int(value: unknown, name: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number') throw invalidOption(PKG, name, `an integer in [${min}, ${max}]`, 'type')
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalidOption(PKG, name, `an integer in [${min}, ${max}], got ${value}`)
  }
  return value
}

function oneOf<T extends string>(value: unknown, name: string, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback
  if (!allowed.includes(value as T)) {
    throw invalidOption(
      PKG,
      name,
      `one of ${allowed.map((a) => `'${a}'`).join(', ')}`,
      typeof value === 'string' ? 'range' : 'type',
    )
  }
  return value as T
}

export function normalizeOptions(options: IaaOptions = {}): NormalizedIaaOptions {
  if (typeof options !== 'object' || options === null)
    throw invalidOption(PKG, 'options', 'an object', 'type')
  const engines = int(options.engines, 'engines', 1, 64, Math.min(availableParallelism(), 8))
  const wqs = int(options.wqs, 'wqs', 1, engines, 1)
  const wqSize = int(options.wqSize, 'wqSize', wqs, 4096, Math.max(128, wqs))
  const algorithm = oneOf(
    options.algorithm,
    'algorithm',
    ['deflate', 'lz4', 'zstd', 'noop'] as const,
    'deflate',
  )
  const compressionMode = oneOf(options.compressionMode, 'compressionMode', COMPRESSION_MODES, 'fixed')
  if (algorithm !== 'deflate' && compressionMode !== 'fixed') {
    throw invalidOption(PKG, 'compressionMode', `'fixed' for algorithm '${algorithm}' (modes are deflate's)`)
  }
  const level =
    algorithm === 'zstd' ? int(options.level, 'level', 1, 19, 1) : int(options.level, 'level', 0, 9, 1)
  if (options.verifyCompress !== undefined && typeof options.verifyCompress !== 'boolean') {
    throw invalidOption(PKG, 'verifyCompress', 'a boolean', 'type')
  }
  const jobTimeoutMs = options.jobTimeoutMs ?? 1000
  if (typeof jobTimeoutMs !== 'number' || !(jobTimeoutMs > 0) || jobTimeoutMs > 2 ** 31 - 1) {
    throw invalidOption(PKG, 'jobTimeoutMs', 'a number of ms in (0, 2^31)')
  }
  if (options.now !== undefined && typeof options.now !== 'function') {
    throw invalidOption(PKG, 'now', 'a function returning ms', 'type')
  }
  if (options.faults !== undefined && (typeof options.faults !== 'object' || options.faults === null)) {
    throw invalidOption(PKG, 'faults', 'an object', 'type')
  }
  if (
    options.engineUrl !== undefined &&
    typeof options.engineUrl !== 'string' &&
    !(options.engineUrl instanceof URL)
  ) {
    throw invalidOption(PKG, 'engineUrl', 'a URL or a path string', 'type')
  }
  const timing = oneOf(
    options.timing,
    'timing',
    ['measured', 'model'] as const,
    options.device !== undefined || options.model !== undefined ? 'model' : 'measured',
  )
  if (options.device !== undefined && options.model !== undefined)
    throw invalidOption(PKG, 'model', 'not given together with options.device (it is its shorthand)', 'range')
  let model: DeviceModel | undefined
  if (timing === 'model') {
    const device = options.device ?? options.model ?? 'spr'
    if (typeof device === 'string') {
      model = DEVICE_PRESETS[device]
      if (model === undefined)
        throw invalidOption(
          PKG,
          'device',
          `a DeviceModel or one of ${Object.keys(DEVICE_PRESETS).join(', ')}`,
          'range',
        )
    } else if (typeof device === 'object' && device !== null) model = device
    else throw invalidOption(PKG, 'device', 'a DeviceModel or a preset name', 'type')
    try {
      new DeviceTimeline(model)
    } catch (error) {
      throw invalidOption(PKG, 'device', `a valid DeviceModel: ${(error as Error).message}`)
    }
  }
  if (options.modelVerify !== undefined && typeof options.modelVerify !== 'boolean')
    throw invalidOption(PKG, 'modelVerify', 'a boolean', 'type')
  return {
    model,
    modelVerify: options.modelVerify ?? false,
    engines,
    wqs,
    wqMode: oneOf(options.wqMode, 'wqMode', ['dedicated', 'shared'] as const, 'dedicated'),
    wqSize,
    algorithm,
    compressionMode,
    level,
    verifyCompress: options.verifyCompress ?? true,
    mode: oneOf(options.mode, 'mode', ['sync', 'async', 'irq'] as const, 'irq'),
    jobTimeoutMs,
    onFull: oneOf(options.onFull, 'onFull', ['wait', 'busy', 'software'] as const, 'wait'),
    maxJobBytes: int(options.maxJobBytes, 'maxJobBytes', 64, 1 << 24, 16384),
    maxBatch: int(options.maxBatch, 'maxBatch', 1, MAX_BATCH, 8),
    restartLimit: int(options.restartLimit, 'restartLimit', 0, 1000, 8),
    faults: options.faults,
    engineUrl: options.engineUrl,
    engineSpinUs: int(options.engineSpinUs, 'engineSpinUs', 0, 10_000, 0),
    pollUs: int(options.pollUs, 'pollUs', 0, 100_000, 0),
    now: options.now ?? (() => performance.now()),
  }
}
