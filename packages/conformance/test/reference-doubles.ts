import {
  type Accelerator,
  ClosedError,
  type Compressor,
  CorruptDataError,
  InvalidArgumentError,
  OutOfRangeError,
  PAGE_SIZE,
  SPECIFICATION_VERSION,
  type SwapDevice,
  ZswapError,
} from '@zswap/core'
import { referenceCompressor } from '../src/index.js'

/** A batched accelerator over a compressor that completes on a later macrotask, to have real work in flight. */
export function referenceAccelerator(c: Compressor, maxBatch: number): Accelerator {
  let closed = false
  const inFlight = new Set<Promise<void>>()
  const run = (
    jobs: readonly { length: number; error: ZswapError | undefined }[],
    count: number,
    fn: (i: number) => number,
  ) => {
    if (closed) return Promise.reject(new ClosedError('[test] closed'))
    if (!Number.isInteger(count) || count < 0 || count > maxBatch || count > jobs.length) {
      return Promise.reject(new InvalidArgumentError('[test] bad count'))
    }
    const p = new Promise<void>((resolve) =>
      setImmediate(() => {
        for (let i = 0; i < count; i++) {
          try {
            jobs[i].length = fn(i)
            jobs[i].error = undefined
          } catch (error) {
            jobs[i].length = 0
            jobs[i].error = ZswapError.isInstance(error)
              ? error
              : new CorruptDataError('[test] failed', { cause: error })
          }
        }
        resolve()
      }),
    )
    inFlight.add(p)
    p.finally(() => inFlight.delete(p))
    return p
  }
  return {
    specificationVersion: SPECIFICATION_VERSION,
    name: 'reference-batched',
    capabilities: { maxBatch, format: c.capabilities.format },
    compressBatch: (jobs, count = jobs.length) =>
      run(jobs, count, (i) => c.compress(jobs[i].src, jobs[i].dst)),
    decompressBatch: (jobs, count = jobs.length) =>
      run(jobs, count, (i) => c.decompress(jobs[i].src, jobs[i].dst)),
    async close() {
      closed = true
      await Promise.all(inFlight)
    },
  }
}

/** A Map-backed swap device; `persistent` keeps its pages in `store` across reopen. */
export function referenceSwapDevice(
  pages: number,
  store = new Map<number, Uint8Array>(),
  persistent = false,
): SwapDevice & { store: Map<number, Uint8Array> } {
  let closed = false
  const check = (offset: number, buf: Uint8Array) => {
    if (closed) throw new ClosedError('[test] closed')
    if (!Number.isInteger(offset) || offset < 0 || offset >= pages) throw new OutOfRangeError('[test] offset')
    if (buf.length !== PAGE_SIZE) throw new InvalidArgumentError('[test] not a page')
  }
  return {
    specificationVersion: SPECIFICATION_VERSION,
    name: persistent ? 'reference-persistent' : 'reference-memory',
    capabilities: { persistent },
    pages,
    store,
    async write(offset, src) {
      check(offset, src)
      store.set(offset, src.slice())
    },
    async read(offset, dst) {
      check(offset, dst)
      const page = store.get(offset)
      if (page) dst.set(page)
      else dst.fill(0)
    },
    async close() {
      closed = true
    },
  }
}

/**
 * A reference accelerator for objects of up to 64 KiB with partial
 * decompression: it decompresses the whole object into scratch and copies
 * the range out. `ignoreStart` breaks it on purpose (every range starts at 0).
 */
export function referencePartialAccelerator(maxBatch: number, ignoreStart = false): Accelerator {
  const MAX = 16 * PAGE_SIZE
  const inner = referenceAccelerator(referenceCompressor(), maxBatch)
  return {
    ...inner,
    name: ignoreStart ? 'start-ignorer' : 'reference-partial',
    capabilities: { maxBatch, format: 'deflate-raw', maxInputSize: MAX, supportsPartialDecompress: true },
    async decompressBatch(jobs, count = jobs.length) {
      const whole = jobs.map((j) => ({ src: j.src, dst: new Uint8Array(MAX), length: 0, error: j.error }))
      await inner.decompressBatch(whole, count)
      for (let i = 0; i < count; i++) {
        const job = jobs[i]
        const w = whole[i]
        job.error = w.error
        job.length = 0
        if (w.error) continue
        const start = job.start
        if (start === undefined) {
          if (job.dst.length < w.length) job.error = new CorruptDataError('[test] dst too small')
          else job.dst.set(w.dst.subarray(0, w.length))
          job.length = job.error ? 0 : w.length
        } else if (!Number.isInteger(start) || start < 0 || start >= w.length) {
          job.error = new InvalidArgumentError('[test] bad start')
        } else {
          const from = ignoreStart ? 0 : start
          const end = Math.min(w.length, from + job.dst.length)
          job.dst.set(w.dst.subarray(from, end))
          job.length = end - from
        }
      }
    },
  }
}
