import {
  type Accelerator,
  assertSpecification,
  type CompressJob,
  createFolio,
  type DecompressJob,
  ErrorCode,
  PAGE_SIZE,
  ZswapError,
} from '@zswap/core'
import { referenceZpool } from '@zswap/core/testing'
import { afterAll, describe, expect, it } from 'vitest'
import { CACHE_RAM_BYTES, loadCache } from './cache-round-trip.js'
import { caught, expectBytes, expectRejects, type Factory } from './helpers.js'
import { randomPage, samplePages, structPage, textPage } from './sample-pages.js'

/** Options of {@link acceleratorSuite}. */
export interface AcceleratorSuiteOptions {
  /** Most batch sizes tried in the 1..maxBatch sweep (evenly spread). Default 16. */
  batchSizes?: number
  /**
   * Run the tests that leave their accelerator open on one accelerator, made on first use and
   * closed after the suite, instead of a fresh one each: cheaper when an accelerator starts
   * threads, and each test then also checks that the ones before left it usable. Tests that
   * close their accelerator (close(), the cache round trip) still get their own. Leave it off
   * for a factory that injects a fault into each accelerator it makes. Default false.
   */
  share?: boolean
}

const UNTOUCHED = -12345

function compressJobs(pages: readonly Uint8Array[], dstSize = PAGE_SIZE): CompressJob[] {
  return pages.map((src) => ({ src, dst: new Uint8Array(dstSize), length: UNTOUCHED, error: undefined }))
}

function decompressJobs(blocks: readonly Uint8Array[]): DecompressJob[] {
  return blocks.map((src) => ({ src, dst: new Uint8Array(PAGE_SIZE), length: UNTOUCHED, error: undefined }))
}

/** Distinct, compressible pages: job i can be told apart from job j. */
function distinctPages(count: number): Uint8Array[] {
  return Array.from({ length: count }, (_, i) => (i % 2 === 0 ? textPage(100 + i) : structPage(100 + i)))
}

/** An object of `pages` distinct, compressible pages (a multi-page folio). */
function multiPage(pages: number, seed: number): Uint8Array {
  const out = new Uint8Array(pages * PAGE_SIZE)
  for (let p = 0; p < pages; p++) {
    out.set(p % 2 === 0 ? textPage(seed + p) : structPage(seed + p), p * PAGE_SIZE)
  }
  return out
}

/** Object sizes a driver declaring `maxInputSize` is tried with: 16 KiB and 64 KiB (or less). */
function objectSizes(maxInputSize: number | undefined): number[] {
  const max = Math.min(maxInputSize ?? PAGE_SIZE, 16 * PAGE_SIZE)
  return [4 * PAGE_SIZE, 16 * PAGE_SIZE].filter((size) => size <= max)
}

function sizes(max: number, most: number): number[] {
  if (max <= most) return Array.from({ length: max }, (_, i) => i + 1)
  const out = new Set<number>([1, 2, max - 1, max])
  for (let i = 0; i < most; i++) out.add(1 + Math.floor((i * (max - 1)) / (most - 1)))
  return [...out].sort((a, b) => a - b)
}

/**
 * The conformance suite of the Accelerator contract, as a vitest `describe`
 * block: batches of every size up to `maxBatch`, per-job results in the
 * right slots, mixed success and failure, misuse, close() with work in
 * flight, and a round trip through the cache. `factory` returns a fresh,
 * open accelerator; the suite closes each one it makes.
 */
export function acceleratorSuite(
  name: string,
  factory: Factory<Accelerator>,
  options: AcceleratorSuiteOptions = {},
): void {
  const batchSizes = options.batchSizes ?? 16
  let shared: Accelerator | undefined

  async function withAccelerator(fn: (a: Accelerator) => Promise<void>): Promise<void> {
    if (options.share) {
      shared ??= await factory()
      await fn(shared)
      return
    }
    const a = await factory()
    try {
      await fn(a)
    } finally {
      await a.close()
    }
  }

  /** Compresses `pages` in batches of maxBatch; every page must fit a page-sized dst. */
  async function compressAll(a: Accelerator, pages: readonly Uint8Array[]): Promise<Uint8Array[]> {
    const jobs = compressJobs(pages)
    for (let i = 0; i < jobs.length; i += a.capabilities.maxBatch) {
      const batch = jobs.slice(i, i + a.capabilities.maxBatch)
      await a.compressBatch(batch)
    }
    return jobs.map((j, i) => {
      expect(j.error, `job ${i}`).toBeUndefined()
      expect(j.length, `job ${i}`).toBeGreaterThan(0)
      return j.dst.slice(0, j.length)
    })
  }

  describe(`accelerator conformance: ${name}`, () => {
    afterAll(async () => {
      const a = shared
      shared = undefined
      await a?.close()
    })

    it('declares the v1 contract: name, maxBatch ≥ 1, format', async () => {
      await withAccelerator(async (a) => {
        expect(() => assertSpecification(a, 'accelerator')).not.toThrow()
        expect(typeof a.name).toBe('string')
        expect(a.name.length).toBeGreaterThan(0)
        expect(Number.isInteger(a.capabilities.maxBatch) && a.capabilities.maxBatch >= 1).toBe(true)
        expect(typeof a.capabilities.format).toBe('string')
        const partial = a.capabilities.supportsPartialDecompress
        expect(partial === undefined || typeof partial === 'boolean').toBe(true)
      })
    })

    it('runs batches of every size from 1 to maxBatch, results in the right slots', async () => {
      await withAccelerator(async (a) => {
        const max = a.capabilities.maxBatch
        for (const count of sizes(max, batchSizes)) {
          const pages = distinctPages(count + 1)
          const jobs = compressJobs(pages)
          await a.compressBatch(jobs, count)
          expect(jobs[count].length, 'a job past count was touched').toBe(UNTOUCHED)
          const blocks = jobs.slice(0, count).map((j, i) => {
            expect(j.error, `compress job ${i} of ${count}`).toBeUndefined()
            expect(j.length).toBeGreaterThan(0)
            expect(j.length).toBeLessThanOrEqual(PAGE_SIZE)
            return j.dst.slice(0, j.length)
          })
          // decompress in reverse order, so a driver that mixes up slots fails
          const djobs = decompressJobs(blocks.slice().reverse())
          djobs.push({ src: blocks[0], dst: new Uint8Array(PAGE_SIZE), length: UNTOUCHED, error: undefined })
          await a.decompressBatch(djobs, count)
          expect(djobs[count].length, 'a job past count was touched').toBe(UNTOUCHED)
          djobs.slice(0, count).forEach((j, k) => {
            expect(j.error, `decompress job ${k} of ${count}`).toBeUndefined()
            expect(j.length).toBe(PAGE_SIZE)
            expectBytes(j.dst, pages[count - 1 - k], `decompress job ${k} of ${count}`)
          })
        }
      })
    })

    it('timing: declares measured or modeled; a modeled one sets modeledNs on every job and has a timingModel', async () => {
      await withAccelerator(async (a) => {
        const timing = a.capabilities.timing
        expect(timing === undefined || timing === 'measured' || timing === 'modeled').toBe(true)
        if (timing !== 'modeled') {
          expect(a.timingModel).toBeUndefined()
          return
        }
        const model = a.timingModel
        expect(typeof model?.name).toBe('string')
        const count = Math.min(a.capabilities.maxBatch, 4)
        const jobs = compressJobs(distinctPages(count))
        await a.compressBatch(jobs)
        for (const j of jobs)
          expect(Number.isFinite(j.modeledNs) && j.modeledNs! > 0, 'compress modeledNs').toBe(true)
        const back = decompressJobs(jobs.map((j) => j.dst.slice(0, j.length)))
        await a.decompressBatch(back)
        for (const j of back)
          expect(Number.isFinite(j.modeledNs) && j.modeledNs! > 0, 'decompress modeledNs').toBe(true)
        const one = model!.callNs('compress', [PAGE_SIZE], 1)
        const many = model!.callNs('compress', [PAGE_SIZE, PAGE_SIZE], 2, 'chunks')
        expect(one > 0 && many > 0).toBe(true)
      })
    })

    it('uses count = jobs.length by default', async () => {
      await withAccelerator(async (a) => {
        const pages = distinctPages(a.capabilities.maxBatch)
        const jobs = compressJobs(pages)
        await a.compressBatch(jobs)
        for (const j of jobs) expect(j.length).toBeGreaterThan(0)
      })
    })

    it('reports "does not fit" as length -1 with no error, beside successful jobs', async () => {
      await withAccelerator(async (a) => {
        const max = a.capabilities.maxBatch
        const pages = Array.from({ length: max }, (_, i) =>
          i % 2 === 0 ? randomPage(i + 1) : textPage(i + 1),
        )
        const jobs = compressJobs(pages, PAGE_SIZE / 2)
        await a.compressBatch(jobs)
        jobs.forEach((j, i) => {
          expect(j.error, `job ${i}`).toBeUndefined()
          if (i % 2 === 0) expect(j.length, `random page in job ${i}`).toBe(-1)
          else expect(j.length, `text page in job ${i}`).toBeGreaterThan(0)
        })
      })
    })

    it('mixes success and failure in one batch: each failed job has its own CorruptDataError', async () => {
      await withAccelerator(async (a) => {
        const max = a.capabilities.maxBatch
        const pages = distinctPages(Math.max(max, 2))
        const blocks = await compressAll(a, pages)
        const count = Math.max(1, max)
        const jobs = decompressJobs(blocks.slice(0, count))
        // every other job fails: an empty block, or a dst too small for the page
        for (let i = 1; i < count; i += 2) {
          if (i % 4 === 1) jobs[i].src = new Uint8Array(0)
          else jobs[i].dst = new Uint8Array(PAGE_SIZE / 4)
        }
        if (count === 1) jobs[0].src = new Uint8Array(0)
        await a.decompressBatch(jobs, count)
        jobs.forEach((j, i) => {
          const bad = count === 1 || i % 2 === 1
          if (bad) {
            expect(ZswapError.hasCode(j.error, ErrorCode.CORRUPT_DATA), `job ${i}: ${String(j.error)}`).toBe(
              true,
            )
          } else {
            expect(j.error, `job ${i}`).toBeUndefined()
            expect(j.length).toBe(PAGE_SIZE)
            expectBytes(j.dst, pages[i], `job ${i}`)
          }
        })
        // the same job objects can be reused for the next batch, and errors are cleared
        const again = decompressJobs(blocks.slice(0, count))
        again.forEach((j, i) => {
          jobs[i].src = j.src
          jobs[i].dst = j.dst
        })
        await a.decompressBatch(jobs, count)
        jobs.forEach((j, i) => {
          expect(j.error, `reused job ${i}`).toBeUndefined()
          expectBytes(j.dst, pages[i], `reused job ${i}`)
        })
      })
    })

    it('rejects a batch larger than maxBatch and a bad count: a promise rejected with InvalidArgumentError', async () => {
      await withAccelerator(async (a) => {
        const max = a.capabilities.maxBatch
        const jobs = compressJobs(distinctPages(max + 1))
        // the contract: the returned promise rejects; a synchronous throw fails
        await expectRejects(() => a.compressBatch(jobs), ErrorCode.INVALID_ARGUMENT)
        await expectRejects(() => a.compressBatch(jobs, max + 1), ErrorCode.INVALID_ARGUMENT)
        await expectRejects(() => a.compressBatch(jobs.slice(0, 1), 2), ErrorCode.INVALID_ARGUMENT)
        await expectRejects(() => a.compressBatch(jobs, 0.5), ErrorCode.INVALID_ARGUMENT)
        await expectRejects(
          () => a.decompressBatch(decompressJobs([new Uint8Array(1)]), -1),
          ErrorCode.INVALID_ARGUMENT,
        )
        for (const j of jobs) expect(j.length, 'a rejected batch touched a job').toBe(UNTOUCHED)
        // a misused call does not break the accelerator
        await a.compressBatch(jobs, 1)
        expect(jobs[0].length).toBeGreaterThan(0)
      })
    })

    it('close() settles work in flight, then rejects new batches with ClosedError', async () => {
      const a = await factory()
      const max = a.capabilities.maxBatch
      const pages = distinctPages(max)
      const jobs = compressJobs(pages)
      const inFlight = a.compressBatch(jobs)
      const closing = a.close()
      const error = await caught(() => inFlight)
      await closing
      if (error === undefined) {
        // completed: every job has a result or its own error
        for (const j of jobs) expect(j.length !== UNTOUCHED || j.error !== undefined).toBe(true)
        for (const j of jobs) if (j.error) expect(ZswapError.isInstance(j.error)).toBe(true)
      } else {
        expect(ZswapError.isInstance(error), `in-flight batch rejected with ${String(error)}`).toBe(true)
      }
      await expectRejects(() => a.compressBatch(jobs), ErrorCode.CLOSED)
      await expectRejects(() => a.decompressBatch(decompressJobs([new Uint8Array(1)])), ErrorCode.CLOSED)
    })

    it('treats a whole job with start 0 as one without start', async () => {
      await withAccelerator(async (a) => {
        const count = Math.min(a.capabilities.maxBatch, 4)
        const pages = distinctPages(count)
        const blocks = await compressAll(a, pages)
        const jobs = decompressJobs(blocks)
        for (const j of jobs) j.start = 0
        await a.decompressBatch(jobs, count)
        jobs.forEach((j, i) => {
          expect(j.error, `job ${i}`).toBeUndefined()
          expect(j.length).toBe(PAGE_SIZE)
          expect(j.dst).toEqual(pages[i])
        })
      })
    })

    it('multi-page: declares maxInputSize as a whole number of bytes ≥ 1 when it declares it', async () => {
      await withAccelerator(async (a) => {
        const max = a.capabilities.maxInputSize
        if (max === undefined) return
        expect(max === Number.POSITIVE_INFINITY || (Number.isInteger(max) && max >= 1)).toBe(true)
      })
    })

    it('multi-page: round-trips 16 KiB and 64 KiB objects in one batch, results in the right slots', async (ctx) => {
      const a = await factory()
      try {
        const objectBytes = objectSizes(a.capabilities.maxInputSize)
        if (objectBytes.length === 0) return ctx.skip('maxInputSize is one page')
        const count = Math.min(a.capabilities.maxBatch, 3)
        for (const size of objectBytes) {
          const objects = Array.from({ length: count }, (_, i) => multiPage(size / PAGE_SIZE, 10 * i))
          const jobs = compressJobs(objects, size)
          await a.compressBatch(jobs, count)
          const blocks = jobs.map((j, i) => {
            expect(j.error, `${size}-byte object ${i}`).toBeUndefined()
            expect(j.length).toBeGreaterThan(0)
            expect(j.length).toBeLessThan(size)
            return j.dst.slice(0, j.length)
          })
          const back = blocks
            .slice()
            .reverse()
            .map((src) => ({ src, dst: new Uint8Array(size), length: UNTOUCHED, error: undefined }))
          await a.decompressBatch(back, count)
          back.forEach((j, k) => {
            expect(j.error, `${size}-byte object ${k}`).toBeUndefined()
            expect(j.length).toBe(size)
            expect(j.dst).toEqual(objects[count - 1 - k])
          })
        }
      } finally {
        await a.close()
      }
    })

    it('multi-page: reports an incompressible object as length -1', async (ctx) => {
      const a = await factory()
      try {
        const objectBytes = objectSizes(a.capabilities.maxInputSize)
        if (objectBytes.length === 0) return ctx.skip('maxInputSize is one page')
        const size = objectBytes[objectBytes.length - 1]
        const jobs = compressJobs([randomPage(7, size), multiPage(size / PAGE_SIZE, 3)], size)
        await a.compressBatch(jobs, Math.min(2, a.capabilities.maxBatch))
        expect(jobs[0].error).toBeUndefined()
        expect(jobs[0].length).toBe(-1)
      } finally {
        await a.close()
      }
    })

    /** Compresses one object as large as the driver allows, up to 64 KiB. */
    async function compressObject(a: Accelerator): Promise<{ data: Uint8Array; block: Uint8Array }> {
      const size = Math.min(a.capabilities.maxInputSize ?? PAGE_SIZE, 16 * PAGE_SIZE)
      const data = size % PAGE_SIZE === 0 ? multiPage(size / PAGE_SIZE, 40) : textPage(40).slice(0, size)
      const [job] = compressJobs([data], size)
      await a.compressBatch([job])
      expect(job.error).toBeUndefined()
      expect(job.length).toBeGreaterThan(0)
      return { data, block: job.dst.slice(0, job.length) }
    }

    function rangeJob(block: Uint8Array, start: number, length: number): DecompressJob {
      return { src: block, dst: new Uint8Array(length), start, length: UNTOUCHED, error: undefined }
    }

    it('partial: loads every page (or quarter page) of an object on its own, in batches', async (ctx) => {
      const a = await factory()
      try {
        if (a.capabilities.supportsPartialDecompress !== true) return ctx.skip('no partial decompression')
        const { data, block } = await compressObject(a)
        const part = data.length >= 2 * PAGE_SIZE ? PAGE_SIZE : data.length / 4
        const jobs: DecompressJob[] = []
        for (let start = 0; start + part <= data.length; start += part)
          jobs.push(rangeJob(block, start, part))
        // last page first, so a driver that mixes up slots or ignores start fails
        jobs.reverse()
        for (let i = 0; i < jobs.length; i += a.capabilities.maxBatch) {
          await a.decompressBatch(jobs.slice(i, i + a.capabilities.maxBatch))
        }
        for (const j of jobs) {
          const start = j.start as number
          expect(j.error, `range at ${start}`).toBeUndefined()
          expect(j.length, `range at ${start}`).toBe(part)
          expect(j.dst, `range at ${start}`).toEqual(data.subarray(start, start + part))
        }
      } finally {
        await a.close()
      }
    })

    it('partial: loads unaligned ranges, ranges cut short at the end, and whole jobs in one batch', async (ctx) => {
      const a = await factory()
      try {
        if (a.capabilities.supportsPartialDecompress !== true) return ctx.skip('no partial decompression')
        const { data, block } = await compressObject(a)
        const size = data.length
        const jobs: DecompressJob[] = [
          rangeJob(block, Math.floor(size / 2) - 100, Math.min(300, size - Math.floor(size / 2) + 100)),
          rangeJob(block, size - 10, PAGE_SIZE),
          { src: block, dst: new Uint8Array(size), length: UNTOUCHED, error: undefined },
          rangeJob(block, 1, size - 2),
          rangeJob(block, 0, 1),
        ]
        for (let i = 0; i < jobs.length; i += a.capabilities.maxBatch) {
          await a.decompressBatch(jobs.slice(i, i + a.capabilities.maxBatch))
        }
        for (const [i, j] of jobs.entries()) {
          const start = j.start ?? 0
          const end = Math.min(size, start + j.dst.length)
          expect(j.error, `job ${i}`).toBeUndefined()
          expect(j.length, `job ${i}`).toBe(end - start)
          expect(j.dst.subarray(0, end - start), `job ${i}`).toEqual(data.subarray(start, end))
        }
      } finally {
        await a.close()
      }
    })

    it('partial: fails a bad start with InvalidArgumentError and a damaged object with CorruptDataError, per job', async (ctx) => {
      const a = await factory()
      try {
        if (a.capabilities.supportsPartialDecompress !== true) return ctx.skip('no partial decompression')
        const { data, block } = await compressObject(a)
        const size = data.length
        const truncated = block.slice(0, Math.max(1, block.length >> 1))
        const cases: [DecompressJob, ErrorCode | undefined][] = [
          [rangeJob(block, size, 16), ErrorCode.INVALID_ARGUMENT],
          [rangeJob(block, -1, 16), ErrorCode.INVALID_ARGUMENT],
          [rangeJob(block, 1.5, 16), ErrorCode.INVALID_ARGUMENT],
          [rangeJob(block, 0, 16), undefined],
          [rangeJob(truncated, 0, 16), ErrorCode.CORRUPT_DATA],
          [rangeJob(new Uint8Array(0), 0, 16), ErrorCode.CORRUPT_DATA],
        ]
        const max = a.capabilities.maxBatch
        for (let i = 0; i < cases.length; i += max) {
          await a.decompressBatch(cases.slice(i, i + max).map(([j]) => j))
        }
        for (const [i, [j, code]] of cases.entries()) {
          if (code === undefined) {
            expect(j.error, `case ${i}`).toBeUndefined()
            expect(j.dst).toEqual(data.subarray(0, 16))
          } else {
            expect(ZswapError.hasCode(j.error, code), `case ${i}: ${String(j.error)}`).toBe(true)
          }
        }
      } finally {
        await a.close()
      }
    })

    it('round-trips through the cache (createZswap storeBatch/loadBatch with large folios)', async (ctx) => {
      const cache = await loadCache()
      if (!cache) return ctx.skip('@zswap/cache is not installed')
      const zswap = cache.createZswap({
        accelerator: await factory(),
        zpool: referenceZpool(),
        ramBytes: CACHE_RAM_BYTES,
        mthpEnabled: true,
      })
      try {
        const sample = samplePages().filter((p) => p.kind !== 'random')
        const small = sample.map((p, i) => createFolio({ type: 0, offset: i }, 0, p.data.slice()))
        // A real page may not shrink under every algorithm: then it is a counted rejection, not an error.
        const stored = await zswap.storeBatch(small)
        const rejected = stored.filter((ok) => !ok).length
        expect(zswap.stats().reject_compress_poor).toBe(rejected)
        expect(rejected).toBeLessThan(small.length / 4)
        const fits = sample.filter((_, i) => stored[i])
        const bigData = new Uint8Array(8 * PAGE_SIZE)
        for (let k = 0; k < 8; k++) bigData.set(fits[k % fits.length].data, k * PAGE_SIZE)
        const big = createFolio({ type: 0, offset: 512 }, 3, bigData.slice())
        expect(await zswap.storeBatch([big])).toEqual([true])
        const into = [...small.map((f) => createFolio(f.swap, 0)), createFolio(big.swap, 3)]
        expect(await zswap.loadBatch(into)).toEqual([...stored, true])
        into.slice(0, -1).forEach((f, i) => {
          if (stored[i]) expectBytes(f.data, sample[i].data, sample[i].name)
        })
        expectBytes(into[into.length - 1].data, bigData, 'the large folio')
      } finally {
        await zswap.close()
      }
    })
  })
}
