import {
  type Accelerator,
  type AcceleratorCapabilities,
  ClosedError,
  type CompressJob,
  CorruptDataError,
  type DecompressJob,
  ErrorCode,
  InvalidArgumentError,
  SPECIFICATION_VERSION,
  type TimingModel,
  ZswapError,
} from '@zswap/core'
import type { NormalizedByNOptions } from './by-n-options.js'
import {
  checksumOf,
  chunkLength,
  FLAG_CHECKSUM,
  headerBytes,
  MAGIC,
  MAX_N,
  ObjectHeader,
  RAW_BIT,
  TRAILER_BYTES,
  VERSION,
  writeU32,
} from './format.js'

const PKG = '@zswap/by-n'
const NONE = -1

/** Capabilities of {@link ByNAccelerator}: always partial decompression, objects up to maxInputSize. */
export interface ByNCapabilities extends AcceleratorCapabilities {
  readonly maxInputSize: number
  readonly supportsPartialDecompress: true
}

/**
 * Everything one batch in flight needs, allocated once and reused: chunk
 * jobs grouped in the wrapped accelerator's batches, staging for compressed
 * chunks (and the end chunks of a partial load), parsed headers.
 */
class Context {
  readonly staging: Uint8Array
  readonly cjobs: CompressJob[][]
  readonly djobs: DecompressJob[][]
  /** Submission index of chunk i of job j at `j * MAX_N + i`, or NONE. */
  readonly sub: Int32Array
  /** Chunk decompressed straight into the caller's dst (1) or into staging (0). */
  readonly direct: Uint8Array
  /** 1 when job j has chunk jobs to wait for. */
  readonly running: Uint8Array
  /** Uncompressed range [from, to) of a decompress job. */
  readonly from: Int32Array
  readonly to: Int32Array
  readonly headers: ObjectHeader[]
  failure: unknown = undefined

  constructor(maxBatch: number, n: number, stride: number, innerBatch: number) {
    this.staging = new Uint8Array(maxBatch * stride)
    this.cjobs = groups(maxBatch * n, innerBatch, () => ({
      src: EMPTY,
      dst: EMPTY,
      length: 0,
      error: undefined,
    }))
    this.djobs = groups(maxBatch * MAX_N, innerBatch, () => ({
      src: EMPTY,
      dst: EMPTY,
      length: 0,
      error: undefined,
    }))
    this.sub = new Int32Array(maxBatch * MAX_N)
    this.direct = new Uint8Array(maxBatch * MAX_N)
    this.running = new Uint8Array(maxBatch)
    this.from = new Int32Array(maxBatch)
    this.to = new Int32Array(maxBatch)
    this.headers = Array.from({ length: maxBatch }, () => new ObjectHeader())
  }
}

const EMPTY = new Uint8Array(0)

function groups<T>(total: number, size: number, make: () => T): T[][] {
  const out: T[][] = []
  for (let i = 0; i < total; i += size) out.push(Array.from({ length: Math.min(size, total - i) }, make))
  return out
}

/**
 * by_n over any Accelerator: an object of up to `maxInputSize` bytes is cut
 * into n chunks that go to the wrapped accelerator together (in batches of
 * its maxBatch, several batches at once), so they run on several engines;
 * the chunks are packed behind a header (README.md, "Format"). A chunk that
 * does not shrink is stored raw. Decompression runs only the chunks that
 * cover the requested range.
 *
 * Owns the wrapped accelerator: `close()` closes it.
 */
export class ByNAccelerator implements Accelerator {
  readonly specificationVersion = SPECIFICATION_VERSION
  readonly name: string
  readonly capabilities: ByNCapabilities
  /** Chunks per object written. Objects written with any other n are read too. */
  readonly n: number
  readonly #inner: Accelerator
  readonly #innerBatch: number
  readonly #o: NormalizedByNOptions
  /** Staging bytes per job slot: n slots of ceil(maxInputSize / n), plus slack for objects of another n. */
  readonly #stride: number
  readonly #slot: number
  readonly #free: Context[] = []
  /** The wrapped accelerator's timing model, when it models time. */
  readonly timingModel: TimingModel | undefined
  /** Bytes of one object's chunk jobs, for the timing model. */
  readonly #chunkBytes = new Float64Array(MAX_N)
  #closed = false
  #closing: Promise<void> | undefined
  #inflight = 0
  #drained: (() => void) | undefined

  constructor(inner: Accelerator, options: NormalizedByNOptions) {
    this.#inner = inner
    this.#innerBatch = inner.capabilities.maxBatch
    this.#o = options
    this.n = options.n
    this.#slot = Math.ceil(options.maxInputSize / options.n)
    this.#stride = this.#slot * options.n + 2 * MAX_N
    this.name = `by${options.n}-${inner.name}`
    this.capabilities = Object.freeze({
      maxBatch: options.maxBatch,
      format: `by_n-v1${options.checksum ? '+crc32' : ''}(${inner.capabilities.format})`,
      maxInputSize: options.maxInputSize,
      supportsPartialDecompress: true as const,
      ...(inner.capabilities.timing === 'modeled' && inner.timingModel !== undefined
        ? { timing: 'modeled' as const }
        : {}),
    })
    this.timingModel = this.capabilities.timing === 'modeled' ? inner.timingModel : undefined
  }

  compressBatch(jobs: readonly CompressJob[], count = jobs.length): Promise<void> {
    const misuse = this.#check(jobs, count)
    if (misuse) return Promise.reject(misuse)
    return this.#withContext((ctx) => this.#compress(ctx, jobs, count))
  }

  decompressBatch(jobs: readonly DecompressJob[], count = jobs.length): Promise<void> {
    const misuse = this.#check(jobs, count)
    if (misuse) return Promise.reject(misuse)
    return this.#withContext((ctx) => this.#decompress(ctx, jobs, count))
  }

  /** Waits for batches in flight, then closes the wrapped accelerator. */
  close(): Promise<void> {
    if (this.#closing) return this.#closing
    this.#closed = true
    this.#closing = (async () => {
      if (this.#inflight > 0) await new Promise<void>((resolve) => (this.#drained = resolve))
      await this.#inner.close()
    })()
    return this.#closing
  }

  #check(jobs: readonly unknown[], count: number): ZswapError | undefined {
    if (this.#closed) return new ClosedError(`[${PKG}] accelerator ${this.name} is closed`)
    const max = Math.min(this.#o.maxBatch, jobs.length)
    if (!Number.isInteger(count) || count < 0 || count > max) {
      return new InvalidArgumentError(
        `[${PKG}] count must be an integer in [0, min(jobs.length, maxBatch ${this.#o.maxBatch})], got ${count}`,
      )
    }
    return undefined
  }

  async #withContext(fn: (ctx: Context) => Promise<void>): Promise<void> {
    // one context per batch in flight: concurrent callers never share staging
    const ctx = this.#free.pop() ?? new Context(this.#o.maxBatch, this.#o.n, this.#stride, this.#innerBatch)
    this.#inflight++
    try {
      await fn(ctx)
    } finally {
      this.#free.push(ctx)
      if (--this.#inflight === 0 && this.#drained) this.#drained()
    }
  }

  async #compress(ctx: Context, jobs: readonly CompressJob[], count: number): Promise<void> {
    const { n, maxInputSize, checksum } = this.#o
    const overhead = headerBytes(n) + (checksum ? TRAILER_BYTES : 0)
    const mb = this.#innerBatch
    let k = 0
    for (let j = 0; j < count; j++) {
      const job = jobs[j]
      const size = job.src.length
      job.error = undefined
      ctx.running[j] = 0
      if (size > maxInputSize) {
        job.length = 0
        job.error = new InvalidArgumentError(
          `[${PKG}] a job of ${size} bytes is larger than maxInputSize (${maxInputSize})`,
        )
        continue
      }
      if (overhead >= size || overhead > job.dst.length) {
        job.length = -1
        continue
      }
      ctx.running[j] = 1
      const cs = Math.ceil(size / n)
      const base = j * this.#stride
      for (let i = 0; i < n; i++) {
        const len = chunkLength(size, cs, i)
        // a chunk of 0 or 1 byte cannot shrink: raw without asking
        if (len < 2) {
          ctx.sub[j * MAX_N + i] = NONE
          continue
        }
        const cj = ctx.cjobs[(k / mb) | 0][k % mb]
        cj.src = job.src.subarray(i * cs, i * cs + len)
        // one byte less than the chunk: a chunk is kept compressed only when it shrinks
        cj.dst = ctx.staging.subarray(base + i * this.#slot, base + i * this.#slot + len - 1)
        cj.length = 0
        cj.error = undefined
        ctx.sub[j * MAX_N + i] = k++
      }
    }
    await this.#run(ctx, true, k)
    for (let j = 0; j < count; j++) if (ctx.running[j] === 1) this.#pack(ctx, jobs[j], j)
    if (this.timingModel !== undefined) this.#model(ctx, jobs, count, true)
  }

  /**
   * Modeled time (an inner accelerator that models time): each object's chunk jobs as one
   * call on the 'chunks' path, as the by_n driver submits a folio's chunks together; the
   * objects of a batch one after another. A job that ran no chunk gets 0.
   */
  #model(
    ctx: Context,
    jobs: readonly (CompressJob | DecompressJob)[],
    count: number,
    compress: boolean,
  ): void {
    const model = this.timingModel as TimingModel
    const mb = this.#innerBatch
    const bytes = this.#chunkBytes
    let t = 0
    for (let j = 0; j < count; j++) {
      let chunks = 0
      // the chunks this batch set for job j: all n compressing, those of the range decompressing
      let first = 0
      let last = this.#o.n - 1
      if (!compress) {
        const cs = ctx.headers[j].chunkSize
        first = (ctx.from[j] / cs) | 0
        last = ctx.to[j] > ctx.from[j] ? ((ctx.to[j] - 1) / cs) | 0 : -1
      }
      if (ctx.running[j] === 1) {
        for (let i = first; i <= last; i++) {
          const k = ctx.sub[j * MAX_N + i]
          if (k === NONE) continue
          const cj = compress ? ctx.cjobs[(k / mb) | 0][k % mb] : ctx.djobs[(k / mb) | 0][k % mb]
          bytes[chunks++] = compress ? cj.src.length : cj.dst.length
        }
      }
      if (chunks > 0) t += model.callNs(compress ? 'compress' : 'decompress', bytes, chunks, 'chunks')
      jobs[j].modeledNs = chunks > 0 ? t : 0
    }
  }

  /** Writes job j's object from its compressed chunks, or sets -1 / the first chunk error. */
  #pack(ctx: Context, job: CompressJob, j: number): void {
    const { n, checksum } = this.#o
    const mb = this.#innerBatch
    const { src, dst } = job
    const size = src.length
    const cs = Math.ceil(size / n)
    for (let i = 0; i < n; i++) {
      const k = ctx.sub[j * MAX_N + i]
      const error = k === NONE ? undefined : ctx.cjobs[(k / mb) | 0][k % mb].error
      if (error !== undefined) {
        job.length = 0
        job.error = error
        return
      }
    }
    const trailer = checksum ? TRAILER_BYTES : 0
    // the object must be smaller than its input and fit dst, trailer included
    const limit = Math.min(size - 1, dst.length) - trailer
    let pos = headerBytes(n)
    for (let i = 0; i < n; i++) {
      const len = chunkLength(size, cs, i)
      const k = ctx.sub[j * MAX_N + i]
      const cj = k === NONE ? undefined : ctx.cjobs[(k / mb) | 0][k % mb]
      const packed = cj !== undefined && cj.length > 0 && cj.length < len
      const stored = packed ? cj.length : len
      if (pos + stored > limit) {
        job.length = -1
        return
      }
      writeU32(dst, 8 + 4 * i, packed ? pos : (pos | RAW_BIT) >>> 0)
      if (packed) dst.set(cj.dst.subarray(0, stored), pos)
      else if (len > 0) dst.set(src.subarray(i * cs, i * cs + len), pos)
      pos += stored
    }
    dst[0] = n
    dst[1] = VERSION
    dst[2] = checksum ? FLAG_CHECKSUM : 0
    dst[3] = MAGIC
    writeU32(dst, 4, size)
    if (checksum) {
      writeU32(dst, pos, checksumOf(dst.subarray(0, pos)))
      pos += TRAILER_BYTES
    }
    job.length = pos
  }

  async #decompress(ctx: Context, jobs: readonly DecompressJob[], count: number): Promise<void> {
    const mb = this.#innerBatch
    let k = 0
    for (let j = 0; j < count; j++) {
      const job = jobs[j]
      job.error = undefined
      job.length = 0
      ctx.running[j] = 0
      const h = ctx.headers[j]
      const bad = h.parse(job.src, this.#o.maxInputSize)
      if (bad !== undefined) {
        job.error = new CorruptDataError(bad)
        continue
      }
      const { size, chunkSize: cs } = h
      const start = job.start
      let from = 0
      let to = size
      if (start === undefined) {
        if (job.dst.length < size) {
          job.error = new CorruptDataError(
            `[${PKG}] object of ${size} bytes does not fit the ${job.dst.length}-byte destination`,
          )
          continue
        }
      } else {
        if (typeof start !== 'number' || !Number.isInteger(start) || start < 0 || start >= size) {
          job.error = new InvalidArgumentError(
            `[${PKG}] start must be an integer in [0, ${size}) for this object, got ${start}`,
          )
          continue
        }
        from = start
        to = Math.min(size, start + job.dst.length)
      }
      ctx.from[j] = from
      ctx.to[j] = to
      ctx.running[j] = 1
      if (to === from) continue
      const first = (from / cs) | 0
      const last = ((to - 1) / cs) | 0
      const base = j * this.#stride
      for (let i = first; i <= last; i++) {
        const c0 = i * cs
        const len = chunkLength(size, cs, i)
        const a = from > c0 ? from : c0
        const b = to < c0 + len ? to : c0 + len
        const off = h.offsets[i]
        const slot = j * MAX_N + i
        if (h.raw[i] === 1) {
          job.dst.set(job.src.subarray(off + a - c0, off + b - c0), a - from)
          ctx.sub[slot] = NONE
          continue
        }
        const dj = ctx.djobs[(k / mb) | 0][k % mb]
        dj.src = job.src.subarray(off, h.offsets[i + 1])
        const whole = a === c0 && b === c0 + len
        ctx.direct[slot] = whole ? 1 : 0
        // a chunk cut by the range decompresses into staging: the first at 0, the last at cs
        const at = base + (i === first ? 0 : cs)
        dj.dst = whole ? job.dst.subarray(c0 - from, c0 - from + len) : ctx.staging.subarray(at, at + len)
        dj.length = 0
        dj.error = undefined
        ctx.sub[slot] = k++
      }
    }
    await this.#run(ctx, false, k)
    for (let j = 0; j < count; j++) if (ctx.running[j] === 1) this.#unpack(ctx, jobs[j], j)
    if (this.timingModel !== undefined) this.#model(ctx, jobs, count, false)
  }

  /** Checks job j's chunk results and copies the cut chunks out of staging. */
  #unpack(ctx: Context, job: DecompressJob, j: number): void {
    const mb = this.#innerBatch
    const h = ctx.headers[j]
    const from = ctx.from[j]
    const to = ctx.to[j]
    if (to > from) {
      const cs = h.chunkSize
      const first = (from / cs) | 0
      const last = ((to - 1) / cs) | 0
      for (let i = first; i <= last; i++) {
        const k = ctx.sub[j * MAX_N + i]
        if (k === NONE) continue
        const dj = ctx.djobs[(k / mb) | 0][k % mb]
        const c0 = i * cs
        const len = chunkLength(h.size, cs, i)
        if (dj.error !== undefined) {
          job.error = ZswapError.hasCode(dj.error, ErrorCode.CORRUPT_DATA)
            ? new CorruptDataError(`[${PKG}] chunk ${i}: ${dj.error.message}`, { cause: dj.error })
            : dj.error
          return
        }
        if (dj.length !== len) {
          job.error = new CorruptDataError(
            `[${PKG}] chunk ${i} decompressed to ${dj.length} bytes, expected ${len}`,
          )
          return
        }
        if (ctx.direct[j * MAX_N + i] === 0) {
          const a = from > c0 ? from : c0
          const b = to < c0 + len ? to : c0 + len
          job.dst.set(dj.dst.subarray(a - c0, b - c0), a - from)
        }
      }
    }
    job.length = to - from
  }

  /** Hands chunk jobs 0..total-1 to the wrapped accelerator, up to concurrentBatches batches at once. */
  async #run(ctx: Context, compress: boolean, total: number): Promise<void> {
    const batches = Math.ceil(total / this.#innerBatch)
    const lanes = Math.min(batches, this.#o.concurrentBatches)
    if (lanes <= 1) {
      for (let b = 0; b < batches; b++) await this.#submit(ctx, compress, b, total)
      return
    }
    const running: Promise<void>[] = []
    for (let lane = 0; lane < lanes; lane++) running.push(this.#lane(ctx, compress, lane, lanes, total))
    await Promise.all(running)
    const failure = ctx.failure
    if (failure !== undefined) {
      ctx.failure = undefined
      throw failure
    }
  }

  async #lane(ctx: Context, compress: boolean, first: number, step: number, total: number): Promise<void> {
    const batches = Math.ceil(total / this.#innerBatch)
    try {
      for (let b = first; b < batches; b += step) await this.#submit(ctx, compress, b, total)
    } catch (error) {
      // the other lanes still use this context: report once all have settled
      ctx.failure ??= error
    }
  }

  #submit(ctx: Context, compress: boolean, b: number, total: number): Promise<void> {
    const count = Math.min(this.#innerBatch, total - b * this.#innerBatch)
    return compress
      ? this.#inner.compressBatch(ctx.cjobs[b], count)
      : this.#inner.decompressBatch(ctx.djobs[b], count)
  }
}
