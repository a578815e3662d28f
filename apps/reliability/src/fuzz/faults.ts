import {
  type Accelerator,
  AcceleratorError,
  BusyError,
  ClosedError,
  CompressionFailedError,
  type CompressJob,
  type Compressor,
  CorruptDataError,
  type DecompressJob,
  InvalidHandleError,
  type SwapDevice,
  SwapIoError,
  TimeoutError,
  type Zpool,
  ZpoolFullError,
} from '@zswap/core'
import type { Prng } from '../prng.js'

/**
 * Every fault the fuzzer injects. Each fires at one call site (see
 * {@link FAULT_SITES}); the `iaa-*` kinds use the emulated device's own
 * fault injection and apply only to IAA combinations.
 */
export const FAULT_KINDS = [
  'compress-fail',
  'compress-bad-length',
  'decompress-fail',
  'decompress-short',
  'accel-closed',
  'accel-throw',
  'accel-partial',
  'wq-full',
  'timeout',
  'alloc-fail',
  'zpool-write-throw',
  'zpool-read-throw',
  'corrupt-read',
  'swap-write-error',
  'race-store',
  'race-load',
  'race-writeback',
  'iaa-engine-death',
  'iaa-timeout',
] as const
export type FaultKind = (typeof FAULT_KINDS)[number]

/** Where each kind fires: the call whose countdown reaches zero. */
export const FAULT_SITES: Record<FaultKind, string> = {
  'compress-fail': 'compressBatch: one job fails with CompressionFailedError',
  'compress-bad-length': 'compressBatch: one job reports a length of 0, NaN, a fraction or > 4096',
  'decompress-fail': 'decompressBatch: one job fails with CorruptDataError',
  'decompress-short':
    'decompressBatch: one job reports fewer than 4096 bytes (the tail of its page left wrong)',
  'accel-closed': 'compress/decompressBatch rejects with ClosedError (the accelerator was closed)',
  'accel-throw': 'compress/decompressBatch throws synchronously (AcceleratorError)',
  'accel-partial': 'compress/decompressBatch runs the first jobs, then rejects (AcceleratorError)',
  'wq-full': 'compress/decompressBatch: every job fails with BusyError (work queue full)',
  timeout: 'compress/decompressBatch: every job fails with TimeoutError',
  'alloc-fail': 'zpool.malloc throws ZpoolFullError',
  'zpool-write-throw': 'zpool.write throws InvalidHandleError',
  'zpool-read-throw': 'zpool.read (or readInPlace) throws InvalidHandleError',
  'corrupt-read': 'zpool.read (or readInPlace) returns the object with one bit flipped',
  'swap-write-error': 'swapDevice.write rejects with SwapIoError',
  'race-store': 'invalidate() of a page of the folio while its compress batch is held',
  'race-load': 'invalidate() of a page of the folio while its decompress batch is held',
  'race-writeback': 'invalidate() of the page being written back while the device write is held',
  'iaa-engine-death': 'an IAA engine thread exits holding a job (the device restarts it)',
  'iaa-timeout': 'an IAA job sleeps past jobTimeoutMs (the device takes it over in software)',
}

/** Relative frequency of each kind when armed (the IAA ones cost milliseconds each). */
export const FAULT_WEIGHTS: Record<FaultKind, number> = {
  'compress-fail': 1,
  'compress-bad-length': 0.5,
  'decompress-fail': 1,
  'decompress-short': 0.5,
  'accel-closed': 0.5,
  'accel-throw': 0.5,
  'accel-partial': 0.5,
  'wq-full': 0.5,
  timeout: 0.5,
  'alloc-fail': 1,
  'zpool-write-throw': 0.5,
  'zpool-read-throw': 0.5,
  'corrupt-read': 1,
  'swap-write-error': 1,
  'race-store': 1,
  'race-load': 1,
  'race-writeback': 1,
  'iaa-engine-death': 0.03,
  'iaa-timeout': 0.02,
}

/** Which accelerator call a fault fired in (the zpool and swap-device kinds ignore it). */
export type FaultSite = 'compress' | 'decompress'

/** The counters a fault may be required to raise. */
export type FaultCounter =
  | 'reject_compress_fail'
  | 'decompress_fail'
  | 'reject_alloc_fail'
  | 'reject_reclaim_fail'

/**
 * The stats counter a fault that fired must raise, by the cache's documented
 * rule (docs/DESIGN.md: a driver fault is a counted rejection — a store's
 * batch that rejects or throws is `reject_compress_fail`, a zpool allocation
 * or write fault `reject_alloc_fail`, a load's or write-back's decompress or
 * read fault `decompress_fail`, a failed device write a reclaim failure).
 * Undefined where the count is not certain: a per-job error of a store's
 * batch (compress-fail, compress-bad-length, wq-full, timeout) is not counted
 * when the folio's limit check rejects it first — limits come before the
 * compression result, as zswap_store_page() checks them before it compresses;
 * decompress-short may hit a job that failed anyway; a corrupt-read may flip
 * a bit that changes nothing (deflate's padding after the final block), and
 * "never a wrong page" is what matters there; races are no driver fault.
 */
export function counterOf(
  kind: FaultKind,
  site: FaultSite | undefined,
  /** The cache stores incompressible pages as-is (6.18): a failed compress batch stores its pages raw where the cgroup may write back, uncounted. */
  rawStore = false,
): FaultCounter | undefined {
  switch (kind) {
    case 'accel-closed':
    case 'accel-throw':
    case 'accel-partial':
      if (site === 'compress') return rawStore ? undefined : 'reject_compress_fail'
      return 'decompress_fail'
    case 'wq-full':
    case 'timeout':
      return site === 'decompress' ? 'decompress_fail' : undefined
    case 'alloc-fail':
    case 'zpool-write-throw':
      return 'reject_alloc_fail'
    case 'zpool-read-throw':
    case 'decompress-fail':
      return 'decompress_fail'
    case 'swap-write-error':
      return 'reject_reclaim_fail'
    default:
      return undefined
  }
}

/** Called when a race fault fires: invalidates something; `offset` is the page being written back. */
export type RaceHook = (kind: 'race-store' | 'race-load' | 'race-writeback', offset: number) => void

/** Observes every compress job the cache runs (the model learns compressed lengths from it). */
export type CompressObserver = (job: CompressJob) => void

/**
 * The switchboard shared by the wrappers: at most one fault armed at a time,
 * firing at the `countdown`-th call of its site. Counts what fired.
 */
export class FaultSwitch {
  armed: FaultKind | undefined
  countdown = 0
  /** Kinds that fired during the current operation. */
  readonly firedNow = new Set<FaultKind>()
  /** The accelerator call running now (set by the accelerator wrapper). */
  site: FaultSite = 'compress'
  /** Where each kind of {@link firedNow} fired. */
  readonly firedSite = new Map<FaultKind, FaultSite>()
  /** Fired (or, for iaa-*, injected) per kind over the whole run. */
  readonly counts: Record<FaultKind, number>
  race: RaceHook | undefined
  observeCompress: CompressObserver | undefined

  constructor(readonly prng: Prng) {
    this.counts = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>
  }

  arm(kind: FaultKind, countdown: number): void {
    this.armed = kind
    this.countdown = countdown
  }

  /** Ends an operation: disarms what did not fire and forgets what did. */
  reset(): void {
    this.armed = undefined
    this.countdown = 0
    this.firedNow.clear()
    this.firedSite.clear()
  }

  /** True when `kind` is armed and this call is the one it fires at. */
  hit(kind: FaultKind): boolean {
    if (this.armed !== kind || --this.countdown > 0) return false
    this.fired(kind)
    return true
  }

  /** Records a fault as injected. */
  fired(kind: FaultKind): void {
    this.armed = undefined
    this.counts[kind]++
    this.firedNow.add(kind)
    this.firedSite.set(kind, this.site)
  }
}

const BAD_LENGTHS = [0, Number.NaN, 1.5, 4097, -7] as const

function anyHit(
  sw: FaultSwitch,
): 'accel-closed' | 'accel-throw' | 'accel-partial' | 'wq-full' | 'timeout' | undefined {
  if (sw.hit('accel-closed')) return 'accel-closed'
  if (sw.hit('accel-throw')) return 'accel-throw'
  if (sw.hit('accel-partial')) return 'accel-partial'
  if (sw.hit('wq-full')) return 'wq-full'
  if (sw.hit('timeout')) return 'timeout'
  return undefined
}

type Job = CompressJob | DecompressJob

/** Runs the accelerator-level faults common to both directions; undefined = run the batch. */
function batchFault(
  sw: FaultSwitch,
  jobs: readonly Job[],
  count: number,
  run: (n: number) => Promise<void>,
): Promise<void> | undefined {
  const kind = anyHit(sw)
  if (kind === undefined) return undefined
  switch (kind) {
    case 'accel-closed':
      return Promise.reject(new ClosedError('[zswap-reliability] injected: accelerator closed'))
    case 'accel-throw':
      throw new AcceleratorError('[zswap-reliability] injected: accelerator threw synchronously')
    case 'accel-partial': {
      const done = count > 1 ? 1 + sw.prng.int(count - 1) : 0
      const ran = done > 0 ? run(done) : Promise.resolve()
      return ran.then(() => {
        throw new AcceleratorError(
          `[zswap-reliability] injected: accelerator failed after ${done} of ${count} jobs`,
        )
      })
    }
    case 'wq-full':
    case 'timeout':
      for (let i = 0; i < count; i++) {
        jobs[i].length = 0
        jobs[i].error =
          kind === 'wq-full'
            ? new BusyError('[zswap-reliability] injected: work queue full')
            : new TimeoutError('[zswap-reliability] injected: job timed out')
      }
      return Promise.resolve()
  }
}

/**
 * Wraps an accelerator (or a compressor already turned into one) with the
 * switch's accelerator faults and race hooks.
 */
export function faultyAccelerator(inner: Accelerator, sw: FaultSwitch): Accelerator {
  return {
    specificationVersion: inner.specificationVersion,
    name: `faulty-${inner.name}`,
    capabilities: inner.capabilities,
    compressBatch(jobs: readonly CompressJob[], count = jobs.length): Promise<void> {
      sw.site = 'compress'
      if (sw.race && sw.hit('race-store')) sw.race('race-store', -1)
      const faulted = batchFault(sw, jobs, count, (n) => inner.compressBatch(jobs, n))
      if (faulted) return faulted
      return inner.compressBatch(jobs, count).then(() => {
        if (count > 0 && sw.hit('compress-fail')) {
          const job = jobs[sw.prng.int(count)]
          job.length = 0
          job.error = new CompressionFailedError('[zswap-reliability] injected: compression failed')
        }
        if (count > 0 && sw.hit('compress-bad-length')) {
          jobs[sw.prng.int(count)].length = sw.prng.pick(BAD_LENGTHS)
        }
        if (sw.observeCompress) for (let i = 0; i < count; i++) sw.observeCompress(jobs[i])
      })
    },
    decompressBatch(jobs: readonly DecompressJob[], count = jobs.length): Promise<void> {
      sw.site = 'decompress'
      if (sw.race && sw.hit('race-load')) sw.race('race-load', -1)
      const faulted = batchFault(sw, jobs, count, (n) => inner.decompressBatch(jobs, n))
      if (faulted) return faulted
      return inner.decompressBatch(jobs, count).then(() => {
        if (count > 0 && sw.hit('decompress-fail')) {
          const job = jobs[sw.prng.int(count)]
          job.length = 0
          job.error = new CorruptDataError('[zswap-reliability] injected: decompression failed')
        }
        if (count > 0 && sw.hit('decompress-short')) {
          // as if the block held fewer bytes: the tail of the page is not what was stored
          const job = jobs[sw.prng.int(count)]
          if (job.error === undefined && job.length > 1) {
            const short = job.length - 1 - sw.prng.int(Math.min(64, job.length - 1))
            for (let i = short; i < job.length; i++) job.dst[i] ^= 0xff
            job.length = short
          }
        }
      })
    },
    close: () => inner.close(),
  }
}

/**
 * Wraps a synchronous Compressor with the switch's compressor-level faults
 * (compress-fail, compress-bad-length, decompress-fail, decompress-short), so
 * that a cache given it takes its Compressor paths — an order-0 load is done
 * inside `load()`. The accelerator faults and the held-batch races have no
 * batch to act on here and never fire.
 */
export function faultyCompressor(inner: Compressor, sw: FaultSwitch): Compressor {
  return {
    specificationVersion: inner.specificationVersion,
    name: `faulty-${inner.name}`,
    capabilities: inner.capabilities,
    compress(src: Uint8Array, dst: Uint8Array): number {
      sw.site = 'compress'
      const job: CompressJob = { src, dst, length: inner.compress(src, dst), error: undefined }
      if (sw.hit('compress-fail')) {
        job.length = 0
        job.error = new CompressionFailedError('[zswap-reliability] injected: compression failed')
      } else if (sw.hit('compress-bad-length')) {
        job.length = sw.prng.pick(BAD_LENGTHS)
      }
      sw.observeCompress?.(job)
      if (job.error !== undefined) throw job.error
      return job.length
    },
    decompress(src: Uint8Array, dst: Uint8Array): number {
      sw.site = 'decompress'
      const length = inner.decompress(src, dst)
      if (sw.hit('decompress-fail')) {
        throw new CorruptDataError('[zswap-reliability] injected: decompression failed')
      }
      if (sw.hit('decompress-short') && length > 1) {
        // as if the block held fewer bytes: the tail of the page is not what was stored
        const short = length - 1 - sw.prng.int(Math.min(64, length - 1))
        for (let i = short; i < length; i++) dst[i] ^= 0xff
        return short
      }
      return length
    },
    close: () => inner.close?.(),
  }
}

/** A zpool wrapper that injects faults and counts live objects (the leak check). */
export interface CountingZpool extends Zpool {
  /** Objects allocated and not freed. */
  readonly live: number
  /** The wrapped pool (its totalPages is the truth). */
  readonly inner: Zpool
}

/**
 * Wraps a zpool with allocation, write and read faults, bit flips on read, and a live-object count.
 * It reads in place when `inner` does, with the same read faults (a flipped bit goes into a copy in
 * `scratch`, never into the pool).
 */
export function faultyZpool(inner: Zpool, sw: FaultSwitch): CountingZpool {
  let live = 0
  const pool: CountingZpool = {
    specificationVersion: inner.specificationVersion,
    name: `faulty-${inner.name}`,
    capabilities: inner.capabilities,
    inner,
    get live() {
      return live
    },
    malloc(size) {
      if (sw.hit('alloc-fail')) throw new ZpoolFullError('[zswap-reliability] injected: allocation failure')
      const handle = inner.malloc(size)
      live++
      return handle
    },
    free(handle) {
      inner.free(handle)
      live--
    },
    write(handle, src) {
      if (sw.hit('zpool-write-throw'))
        throw new InvalidHandleError('[zswap-reliability] injected: zpool.write threw')
      inner.write(handle, src)
    },
    read(handle, dst) {
      if (sw.hit('zpool-read-throw'))
        throw new InvalidHandleError('[zswap-reliability] injected: zpool.read threw')
      inner.read(handle, dst)
      if (dst.length > 0 && sw.hit('corrupt-read')) {
        const bit = sw.prng.int(dst.length * 8)
        dst[bit >>> 3] ^= 1 << (bit & 7)
      }
    },
    get totalPages() {
      return inner.totalPages
    },
    destroy: () => inner.destroy(),
  }
  const readInPlace = inner.readInPlace?.bind(inner)
  if (readInPlace === undefined) return pool
  return Object.assign(pool, {
    readInPlace(handle: number, length: number, scratch: Uint8Array): Uint8Array {
      if (sw.hit('zpool-read-throw'))
        throw new InvalidHandleError('[zswap-reliability] injected: zpool.readInPlace threw')
      const bytes = readInPlace(handle, length, scratch)
      if (length === 0 || !sw.hit('corrupt-read')) return bytes
      const copy = scratch.subarray(0, length)
      copy.set(bytes)
      const bit = sw.prng.int(length * 8)
      copy[bit >>> 3] ^= 1 << (bit & 7)
      return copy
    },
  })
}

/** Wraps a swap device with write errors and the write-back race hook. */
export function faultySwapDevice(inner: SwapDevice, sw: FaultSwitch): SwapDevice {
  return {
    specificationVersion: inner.specificationVersion,
    name: `faulty-${inner.name}`,
    capabilities: inner.capabilities,
    pages: inner.pages,
    write(offset, src) {
      if (sw.hit('swap-write-error')) {
        return Promise.reject(new SwapIoError('[zswap-reliability] injected: swap device write error'))
      }
      const written = inner.write(offset, src)
      if (sw.race && sw.hit('race-writeback')) sw.race('race-writeback', offset)
      return written
    },
    read: (offset, dst) => inner.read(offset, dst),
    close: () => inner.close(),
  }
}
