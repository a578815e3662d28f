import { crc32 } from 'node:zlib'
import { randomPage, structPage, textPage } from '@zswap/conformance'
import {
  type Accelerator,
  type CompressJob,
  type Compressor,
  compressorAccelerator,
  type DecompressJob,
  InvalidArgumentError,
  PAGE_SIZE,
  SPECIFICATION_VERSION,
  type ZswapError,
} from '@zswap/core'

/** `pages` pages: text and struct pages, with random pages where `random(p)` says so. */
export function object(pages: number, seed = 1, random: (p: number) => boolean = () => false): Uint8Array {
  const out = new Uint8Array(pages * PAGE_SIZE)
  for (let p = 0; p < pages; p++) {
    const page = random(p) ? randomPage(seed + p) : p % 2 === 0 ? textPage(seed + p) : structPage(seed + p)
    out.set(page, p * PAGE_SIZE)
  }
  return out
}

export function compressJob(src: Uint8Array, dstSize = src.length): CompressJob {
  return { src, dst: new Uint8Array(dstSize), length: 0, error: undefined }
}

export function decompressJob(src: Uint8Array, dstSize: number, start?: number): DecompressJob {
  return { src, dst: new Uint8Array(dstSize), start, length: 0, error: undefined }
}

/** Compresses `data` in one job; the object, or undefined for -1. Throws the job's error. */
export async function compressOne(a: Accelerator, data: Uint8Array): Promise<Uint8Array | undefined> {
  const job = compressJob(data)
  await a.compressBatch([job])
  if (job.error) throw job.error
  return job.length === -1 ? undefined : job.dst.slice(0, job.length)
}

/** Decompresses `block` (a range when `start` is given) in one job. */
export async function decompressOne(
  a: Accelerator,
  block: Uint8Array,
  dstSize: number,
  start?: number,
): Promise<{ data: Uint8Array; error: ZswapError | undefined }> {
  const job = decompressJob(block, dstSize, start)
  await a.decompressBatch([job])
  return { data: job.dst.subarray(0, job.length), error: job.error }
}

/** Rewrites the CRC-32 trailer of a checksummed object after its bytes were changed. */
export function reseal(block: Uint8Array): Uint8Array {
  const end = block.length - 4
  const c = crc32(block.subarray(0, end)) >>> 0
  block[end] = c
  block[end + 1] = c >>> 8
  block[end + 2] = c >>> 16
  block[end + 3] = c >>> 24
  return block
}

/** What a {@link counting} accelerator saw. */
export interface Counts {
  compressJobs: number
  decompressJobs: number
  batches: number
  inFlight: number
  maxInFlight: number
}

/**
 * Wraps an accelerator: counts jobs and batches, and the most batches in
 * flight at once; with `delay`, each batch completes on a later macrotask.
 */
export function counting(inner: Accelerator, delay = false): Accelerator & { counts: Counts } {
  const counts: Counts = { compressJobs: 0, decompressJobs: 0, batches: 0, inFlight: 0, maxInFlight: 0 }
  const track = async (work: () => Promise<void>) => {
    counts.batches++
    counts.inFlight++
    counts.maxInFlight = Math.max(counts.maxInFlight, counts.inFlight)
    try {
      if (delay) await new Promise((resolve) => setImmediate(resolve))
      await work()
    } finally {
      counts.inFlight--
    }
  }
  return {
    specificationVersion: inner.specificationVersion,
    name: inner.name,
    capabilities: inner.capabilities,
    counts,
    compressBatch(jobs, count = jobs.length) {
      counts.compressJobs += count
      return track(() => inner.compressBatch(jobs, count))
    },
    decompressBatch(jobs, count = jobs.length) {
      counts.decompressJobs += count
      return track(() => inner.decompressBatch(jobs, count))
    },
    close: () => inner.close(),
  }
}

/** A Compressor as an accelerator of `maxBatch` jobs that completes on a later macrotask. */
export function batched(c: Compressor, maxBatch: number): Accelerator {
  const one = compressorAccelerator(c)
  const run = async <J>(jobs: readonly J[], count: number, fn: (batch: J[]) => Promise<void>) => {
    if (!Number.isInteger(count) || count < 0 || count > Math.min(maxBatch, jobs.length)) {
      throw new InvalidArgumentError('[test] bad count')
    }
    await new Promise((resolve) => setImmediate(resolve))
    for (let i = 0; i < count; i++) await fn([jobs[i]])
  }
  return {
    specificationVersion: SPECIFICATION_VERSION,
    name: `batched-${c.name}`,
    capabilities: { maxBatch, format: c.capabilities.format, maxInputSize: Number.POSITIVE_INFINITY },
    compressBatch: (jobs, count = jobs.length) => run(jobs, count, (b) => one.compressBatch(b)),
    decompressBatch: (jobs, count = jobs.length) => run(jobs, count, (b) => one.decompressBatch(b)),
    close: () => one.close(),
  }
}

/** Byte-wise equality, fast on 64 KiB arrays (vitest's toEqual walks them element by element). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length))
}
