import { crc32, ErrorCode, ZswapError } from '@zswap/core'
import fc from 'fast-check'
import { deflateSync } from 'fflate'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type IaaDevice, iaa } from '../src/index.js'
import {
  compressiblePage,
  compressJob,
  countingJob,
  decompressJob,
  equal,
  inflateRaw,
  PAGE,
  randomBytes,
  STILL,
} from './helpers.js'

// Tests that count software fallbacks use a clock that stands still: a loaded machine must not
// turn a slow job into a timeout.

describe('options', () => {
  it.each([
    [{ engines: 0 }, RangeError],
    [{ engines: 1.5 }, RangeError],
    [{ engines: '2' }, TypeError],
    [{ engines: 2, wqs: 3 }, RangeError],
    [{ wqSize: 0 }, RangeError],
    [{ algorithm: 'brotli' }, RangeError],
    [{ mode: 'poll' }, RangeError],
    [{ wqMode: 1 }, TypeError],
    [{ onFull: 'drop' }, RangeError],
    [{ jobTimeoutMs: 0 }, RangeError],
    [{ verifyCompress: 'yes' }, TypeError],
    [{ maxBatch: 0 }, RangeError],
    [{ level: 12 }, RangeError],
    [{ faults: 3 }, TypeError],
  ])('rejects %j', (options, kind) => {
    const error = (() => {
      try {
        iaa(options as never)
      } catch (e) {
        return e
      }
    })()
    expect(error).toBeInstanceOf(kind)
    expect((error as { code: string }).code).toBe(ErrorCode.INVALID_OPTION)
    expect((error as Error).message).toMatch(/^\[@zswap\/iaa\] options\./)
  })
})

describe.each(['irq', 'async', 'sync'] as const)('deflate device, %s mode', (mode) => {
  let device: IaaDevice
  beforeAll(async () => {
    device = iaa({ engines: 2, mode, ...STILL })
    await device.ready()
  })
  afterAll(() => device.close())

  it('declares the accelerator contract', () => {
    expect(device.specificationVersion).toBe('v1')
    expect(device.name).toBe('iaa-deflate')
    expect(device.capabilities).toEqual({
      maxBatch: 8,
      format: 'deflate-iaa+crc32',
      maxInputSize: Number.POSITIVE_INFINITY,
    })
  })

  it('compresses a batch into raw deflate any decoder reads, and back', async () => {
    const pages = Array.from({ length: 8 }, (_, i) => compressiblePage(i + 1))
    const jobs = pages.map((p) => compressJob(p))
    await device.compressBatch(jobs)
    for (let i = 0; i < 8; i++) {
      expect(jobs[i].error).toBeUndefined()
      expect(jobs[i].length).toBeGreaterThan(0)
      expect(jobs[i].length).toBeLessThan(PAGE)
      expect(equal(inflateRaw(jobs[i].dst.subarray(0, jobs[i].length)), pages[i])).toBe(true)
    }
    const back = jobs.map((j) => decompressJob(j.dst.subarray(0, j.length)))
    await device.decompressBatch(back)
    for (let i = 0; i < 8; i++) {
      expect(back[i].error).toBeUndefined()
      expect(back[i].length).toBe(PAGE)
      expect(equal(back[i].dst, pages[i])).toBe(true)
    }
  })

  it('decompresses what another raw-deflate encoder made', async () => {
    const page = compressiblePage(99)
    // the device's format: raw deflate ‖ u32le CRC-32 of the page
    const stream = deflateSync(page, { level: 9 })
    const block = new Uint8Array(stream.length + 4)
    block.set(stream)
    new DataView(block.buffer).setUint32(stream.length, crc32(page), true)
    const jobs = [decompressJob(block)]
    await device.decompressBatch(jobs)
    expect(jobs[0].error).toBeUndefined()
    expect(equal(jobs[0].dst, page)).toBe(true)
  })

  it('honours count and leaves the other jobs alone', async () => {
    const jobs = [compressJob(compressiblePage(1)), compressJob(compressiblePage(2))]
    jobs[1].length = 12345
    await device.compressBatch(jobs, 1)
    expect(jobs[0].length).toBeGreaterThan(0)
    expect(jobs[1].length).toBe(12345)
    await device.compressBatch(jobs, 0)
  })

  it('reports "does not fit" as length -1 without an error', async () => {
    const jobs = [compressJob(randomBytes(7)), compressJob(compressiblePage(3), 16)]
    await device.compressBatch(jobs)
    for (const job of jobs) {
      expect(job.length).toBe(-1)
      expect(job.error).toBeUndefined()
    }
    expect(device.stats().errors.doesNotFit).toBeGreaterThanOrEqual(2)
  })

  it('fails corrupt input with CorruptDataError, per job', async () => {
    const good = compressJob(compressiblePage(4))
    await device.compressBatch([good])
    const jobs = [
      decompressJob(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x13])),
      decompressJob(good.dst.subarray(0, good.length)),
      decompressJob(good.dst.subarray(0, good.length), 100),
    ]
    await device.decompressBatch(jobs)
    expect(ZswapError.hasCode(jobs[0].error, ErrorCode.CORRUPT_DATA)).toBe(true)
    expect(jobs[1].error).toBeUndefined()
    expect(equal(jobs[1].dst, compressiblePage(4))).toBe(true)
    // Output larger than dst is corrupt for a decompressor, never a truncated page.
    expect(ZswapError.hasCode(jobs[2].error, ErrorCode.CORRUPT_DATA)).toBe(true)
  })

  it('rejects misuse with typed errors: a rejected promise, never a synchronous throw', async () => {
    const jobs = Array.from({ length: 9 }, (_, i) => compressJob(compressiblePage(i)))
    const dst = new Uint8Array(PAGE)
    const throwing = {
      get src(): Uint8Array {
        throw new Error('getter failed')
      },
      dst,
      length: 0,
      error: undefined,
    }
    const misuse: [string, () => Promise<void>][] = [
      ['more jobs than maxBatch', () => device.compressBatch(jobs)],
      ['count above maxBatch', () => device.decompressBatch(jobs, 9)],
      ['count above jobs.length', () => device.compressBatch(jobs.slice(0, 1), 2)],
      ['count -1', () => device.compressBatch(jobs, -1)],
      ['count 1.5', () => device.decompressBatch(jobs, 1.5)],
      ['count NaN', () => device.compressBatch(jobs, Number.NaN)],
      ['count a string', () => device.compressBatch(jobs, '2' as never)],
      ['jobs null', () => device.compressBatch(null as never)],
      ['jobs undefined', () => device.decompressBatch(undefined as never)],
      ['jobs an array-like object', () => device.compressBatch({ length: 1, 0: jobs[0] } as never)],
      ['a job null', () => device.compressBatch([null] as never)],
      ['src a string', () => device.compressBatch([{ src: 'x' } as never])],
      ['dst missing', () => device.decompressBatch([{ src: new Uint8Array(8) } as never])],
      ['a job whose src getter throws', () => device.compressBatch([throwing])],
    ]
    for (const [what, call] of misuse) {
      let result: unknown
      expect(() => {
        result = call()
      }, `${what}: threw synchronously`).not.toThrow()
      expect(result, what).toBeInstanceOf(Promise)
      const error = await (result as Promise<void>).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(ZswapError.hasCode(error, ErrorCode.INVALID_ARGUMENT), `${what}: ${String(error)}`).toBe(true)
    }
    // Nothing was submitted, and the device still works.
    for (const job of jobs) expect(job.length).toBe(0)
    await device.compressBatch(jobs, 8)
    for (const job of jobs.slice(0, 8)) expect(job.length).toBeGreaterThan(0)
  })

  it('keeps order and slots straight under many concurrent batches of random sizes', async () => {
    const before = device.stats()
    const engineJobs = (st: typeof before) => st.engines.reduce((n, e) => n + e.jobs, 0)
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            size: fc.integer({ min: 1, max: 8 }),
            seed: fc.integer({ min: 1, max: 1 << 30 }),
            length: fc.integer({ min: 1, max: 3 * PAGE }),
            random: fc.boolean(),
          }),
          { minLength: 1, maxLength: 24 },
        ),
        async (batches) => {
          const all = batches.map(({ size, seed, length, random }) =>
            Array.from({ length: size }, (_, i) => {
              const src =
                random && i % 2 === 0 ? randomBytes(seed + i, length) : compressiblePage(seed + i, length)
              // fixed Huffman codes spend up to 9 bits on a literal: room for random bytes
              return countingJob(src, length + (length >> 3) + 64)
            }),
          )
          await Promise.all(all.map((jobs) => device.compressBatch(jobs)))
          const back = all.map((jobs) =>
            jobs.map((j) => decompressJob(j.dst.subarray(0, j.length), j.src.length)),
          )
          await Promise.all(back.map((jobs) => device.decompressBatch(jobs)))
          for (let b = 0; b < all.length; b++) {
            for (let i = 0; i < all[b].length; i++) {
              const job = all[b][i]
              expect(job.sets).toBe(1)
              expect(job.error).toBeUndefined()
              expect(job.length).toBeGreaterThan(0)
              expect(back[b][i].error).toBeUndefined()
              expect(back[b][i].length).toBe(job.src.length)
              expect(equal(back[b][i].dst, job.src)).toBe(true)
            }
          }
        },
      ),
      { numRuns: mode === 'irq' ? 25 : 8 },
    )
    const stats = device.stats()
    expect(stats.softwareFallbacks.total).toBe(before.softwareFallbacks.total)
    for (const wq of stats.wqs) expect(wq.depth).toBe(0)
    const jobs = stats.compressJobs + stats.decompressJobs - before.compressJobs - before.decompressJobs
    expect(engineJobs(stats) - engineJobs(before)).toBe(jobs)
  })
})

describe('batches spread over engines', () => {
  it('gives every engine work and records per-WQ depth', async () => {
    const device = iaa({ engines: 2, wqs: 2, algorithm: 'noop', ...STILL })
    try {
      await device.ready()
      const jobs = Array.from({ length: 8 }, (_, i) => compressJob(compressiblePage(i + 1)))
      for (let r = 0; r < 50; r++) await device.compressBatch(jobs)
      const stats = device.stats()
      expect(stats.compressCalls).toBe(50)
      expect(stats.compressJobs).toBe(400)
      expect(stats.compressBytesIn).toBe(400 * PAGE)
      expect(stats.compressBytesOut).toBe(400 * PAGE)
      for (const wq of stats.wqs) {
        expect(wq.size).toBe(64)
        expect(wq.compressJobs).toBe(200)
        expect(wq.maxDepth).toBe(4)
        expect(wq.depth).toBe(0)
      }
      for (const engine of stats.engines) expect(engine.jobs).toBe(200)
      expect(JSON.parse(JSON.stringify(stats))).toEqual(stats)
    } finally {
      await device.close()
    }
  })

  it('shares one WQ among engines', async () => {
    const device = iaa({ engines: 2, wqs: 1, wqMode: 'shared', wqSize: 16, ...STILL })
    try {
      const pages = Array.from({ length: 8 }, (_, i) => compressiblePage(i + 11))
      const batches = Array.from({ length: 6 }, () => pages.map((p) => compressJob(p)))
      await Promise.all(batches.map((jobs) => device.compressBatch(jobs)))
      for (const jobs of batches) {
        for (let i = 0; i < 8; i++)
          expect(equal(inflateRaw(jobs[i].dst.subarray(0, jobs[i].length)), pages[i])).toBe(true)
      }
      const stats = device.stats()
      expect(stats.wqs).toHaveLength(1)
      expect(stats.wqs[0].maxDepth).toBeLessThanOrEqual(16)
      expect(stats.wqs[0].compressJobs).toBe(48)
    } finally {
      await device.close()
    }
  })
})

describe.each([
  ['lz4', 'lz4-block+size+crc32'],
  ['zstd', 'zstd'],
  ['noop', 'raw'],
] as const)('%s algorithm', (algorithm, format) => {
  it('round-trips on the engines (native module loads in a worker)', async () => {
    const device = iaa({ engines: 2, algorithm, ...STILL })
    try {
      expect(device.capabilities.format).toBe(format)
      const pages = Array.from({ length: 8 }, (_, i) => (i === 7 ? randomBytes(5) : compressiblePage(i + 21)))
      const jobs = pages.map((p) => compressJob(p, 2 * PAGE))
      await device.compressBatch(jobs)
      const back = jobs.map((j) => decompressJob(j.dst.subarray(0, j.length)))
      await device.decompressBatch(back)
      for (let i = 0; i < 8; i++) {
        expect(jobs[i].error).toBeUndefined()
        if (algorithm !== 'noop' && i < 7) expect(jobs[i].length).toBeLessThan(PAGE)
        expect(back[i].error).toBeUndefined()
        expect(equal(back[i].dst, pages[i])).toBe(true)
      }
      const garbage = [decompressJob(randomBytes(77, 64))]
      await device.decompressBatch(garbage)
      if (algorithm !== 'noop')
        expect(ZswapError.hasCode(garbage[0].error, ErrorCode.CORRUPT_DATA)).toBe(true)
      expect(device.stats().engines.every((e) => e.restarts === 0)).toBe(true)
    } finally {
      await device.close()
    }
  })
})

describe('software paths', () => {
  it('runs jobs larger than maxJobBytes in software', async () => {
    const device = iaa({ engines: 1, maxJobBytes: 4096, ...STILL })
    try {
      const big = compressiblePage(5, 3 * PAGE)
      const jobs = [compressJob(big, 3 * PAGE), compressJob(compressiblePage(6))]
      await device.compressBatch(jobs)
      expect(equal(inflateRaw(jobs[0].dst.subarray(0, jobs[0].length), 3 * PAGE), big)).toBe(true)
      expect(equal(inflateRaw(jobs[1].dst.subarray(0, jobs[1].length)), compressiblePage(6))).toBe(true)
      const stats = device.stats()
      expect(stats.softwareFallbacks.oversize).toBe(1)
      expect(stats.softwareFallbacks.total).toBe(1)
      expect(stats.engines[0].jobs).toBe(1)
    } finally {
      await device.close()
    }
  })

  it('rejects with ClosedError after close(), and close() is idempotent', async () => {
    const device = iaa({ engines: 1 })
    await device.close()
    await device.close()
    const job = compressJob(compressiblePage(1))
    for (const call of [() => device.compressBatch([job]), () => device.decompressBatch([job], 1)]) {
      let result: unknown
      expect(() => {
        result = call()
      }).not.toThrow()
      const error = await (result as Promise<void>).catch((e: unknown) => e)
      expect(ZswapError.hasCode(error, ErrorCode.CLOSED)).toBe(true)
    }
    // Closed comes first: even a malformed batch gets ClosedError.
    const error = await device.compressBatch(null as never).catch((e: unknown) => e)
    expect(ZswapError.hasCode(error, ErrorCode.CLOSED)).toBe(true)
    expect(job.length).toBe(0)
  })
})
