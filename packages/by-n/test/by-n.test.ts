import { ClosedError, ErrorCode, PAGE_SIZE, ZswapError } from '@zswap/core'
import { faultPlan, faultyCompressor } from '@zswap/core/testing'
import { lz4 } from '@zswap/lz4'
import { describe, expect, it } from 'vitest'
import { byN } from '../src/index.js'
import {
  batched,
  compressJob,
  compressOne,
  counting,
  decompressJob,
  decompressOne,
  object,
} from './helpers.js'

const K64 = 16 * PAGE_SIZE

describe('byN options', () => {
  it('checks every option once, with ERR_INVALID_OPTION', () => {
    const bad: [object, typeof TypeError | typeof RangeError][] = [
      [{ n: 3 }, RangeError],
      [{ n: 0 }, RangeError],
      [{ n: 128 }, RangeError],
      [{ n: '8' }, TypeError],
      [{ maxInputSize: 0 }, RangeError],
      [{ maxInputSize: 2 ** 25 }, RangeError],
      [{ maxBatch: 65 }, RangeError],
      [{ concurrentBatches: 0 }, RangeError],
      [{ checksum: 1 }, TypeError],
    ]
    for (const [options, kind] of bad) {
      let error: unknown
      try {
        byN(lz4(), options as never)
      } catch (e) {
        error = e
      }
      expect(error, JSON.stringify(options)).toBeInstanceOf(kind)
      expect((error as { code: string }).code).toBe(ErrorCode.INVALID_OPTION)
      expect((error as Error).message).toMatch(/^\[@zswap\/by-n\] options\./)
    }
    expect(() => byN(lz4(), null as never)).toThrow(TypeError)
  })

  it('declares partial decompression, its object size and a versioned format', () => {
    const a = byN(lz4(), { n: 16 })
    expect(a.name).toBe('by16-lz4')
    expect(a.n).toBe(16)
    expect(a.capabilities).toEqual({
      maxBatch: 1,
      format: 'by_n-v1+crc32(lz4-block+size+crc32)',
      maxInputSize: 65536,
      supportsPartialDecompress: true,
    })
    expect(byN(batched(lz4(), 4), { checksum: false }).capabilities.format).toBe(
      'by_n-v1(lz4-block+size+crc32)',
    )
    expect(byN(batched(lz4(), 4)).capabilities.maxBatch).toBe(4)
  })
})

describe('byN round trips', () => {
  it.each([1, 2, 4, 8, 16, 32, 64])('n = %i: a 64 KiB object, whole and page by page', async (n) => {
    const a = byN(lz4(), { n })
    const data = object(16, n)
    const block = await compressOne(a, data)
    expect(block).toBeDefined()
    if (!block) return
    expect(block[0]).toBe(n)
    const whole = await decompressOne(a, block, K64)
    expect(whole.error).toBeUndefined()
    expect(whole.data).toEqual(data)
    for (let p = 0; p < 16; p++) {
      const page = await decompressOne(a, block, PAGE_SIZE, p * PAGE_SIZE)
      expect(page.error).toBeUndefined()
      expect(page.data).toEqual(data.subarray(p * PAGE_SIZE, (p + 1) * PAGE_SIZE))
    }
    await a.close()
  })

  it('handles sizes that n does not divide: the last chunks are shorter or empty', async () => {
    const a = byN(lz4(), { n: 8 })
    const b = byN(lz4(), { n: 64 })
    const data = object(16)
    for (const size of [4097, 4100, 8191, 6000, 65535, 40_001]) {
      if (size > 20_000) {
        const wide = await compressOne(b, data.subarray(0, size))
        expect((await decompressOne(b, wide as Uint8Array, size)).data).toEqual(data.subarray(0, size))
      }
      const block = await compressOne(a, data.subarray(0, size))
      expect(block, `size ${size}`).toBeDefined()
      if (!block) continue
      const back = await decompressOne(a, block, size)
      expect(back.data).toEqual(data.subarray(0, size))
      const tail = await decompressOne(a, block, 100, size - 50)
      expect(tail.data).toEqual(data.subarray(size - 50, size))
    }
    await a.close()
  })

  it('reads objects written with another n and without a checksum', async () => {
    const data = object(16, 5)
    const writer = byN(lz4(), { n: 64, checksum: false })
    const block = await compressOne(writer, data)
    const reader = byN(lz4(), { n: 2 })
    expect(block).toBeDefined()
    expect((await decompressOne(reader, block as Uint8Array, K64)).data).toEqual(data)
    expect((await decompressOne(reader, block as Uint8Array, 10, 40_000)).data).toEqual(
      data.subarray(40_000, 40_010),
    )
  })

  it('stores an incompressible chunk raw instead of failing the object (the RFC fails it)', async () => {
    const a = byN(lz4(), { n: 16 })
    // pages 3 and 9 are random: chunks 3 and 9 do not shrink
    const data = object(16, 2, (p) => p === 3 || p === 9)
    const block = await compressOne(a, data)
    expect(block).toBeDefined()
    if (!block) return
    const raw = Array.from({ length: 16 }, (_, i) => block[8 + 4 * i + 3] >> 7)
    expect(raw).toEqual(Array.from({ length: 16 }, (_, i) => (i === 3 || i === 9 ? 1 : 0)))
    expect((await decompressOne(a, block, K64)).data).toEqual(data)
    expect((await decompressOne(a, block, PAGE_SIZE, 3 * PAGE_SIZE)).data).toEqual(
      data.subarray(3 * PAGE_SIZE, 4 * PAGE_SIZE),
    )
  })

  it('returns -1 when the object would not be smaller than its input, or would not fit dst', async () => {
    const a = byN(lz4(), { n: 8 })
    const random = object(16, 1, () => true)
    const jobs = [compressJob(random), compressJob(object(16), 100), compressJob(new Uint8Array(10))]
    const b = byN(batched(lz4(), 2), { n: 8, maxBatch: 3 })
    await b.compressBatch(jobs)
    for (const j of jobs) {
      expect(j.error).toBeUndefined()
      expect(j.length).toBe(-1)
    }
    expect(await compressOne(a, random)).toBeUndefined()
  })

  it('fails a job larger than maxInputSize with InvalidArgumentError, beside good jobs', async () => {
    const a = byN(batched(lz4(), 4), { n: 4, maxInputSize: 8192, maxBatch: 2 })
    const jobs = [compressJob(object(3)), compressJob(object(2))]
    await a.compressBatch(jobs)
    expect(ZswapError.hasCode(jobs[0].error, ErrorCode.INVALID_ARGUMENT)).toBe(true)
    expect(jobs[1].error).toBeUndefined()
    expect(jobs[1].length).toBeGreaterThan(0)
  })
})

describe('byN scheduling', () => {
  it('sends the n chunks together, in batches of the inner maxBatch, several batches at once', async () => {
    const inner = counting(batched(lz4(), 4), true)
    const a = byN(inner, { n: 16, maxBatch: 2 })
    const jobs = [compressJob(object(16, 1)), compressJob(object(16, 2))]
    await a.compressBatch(jobs)
    expect(inner.counts.compressJobs).toBe(32)
    expect(inner.counts.batches).toBe(8)
    expect(inner.counts.maxInFlight).toBe(8)
    const serial = counting(batched(lz4(), 4), true)
    await byN(serial, { n: 16, concurrentBatches: 1 }).compressBatch([compressJob(object(16))])
    expect(serial.counts.batches).toBe(4)
    expect(serial.counts.maxInFlight).toBe(1)
  })

  it('decompresses only the chunks that cover the range', async () => {
    const data = object(16, 3)
    for (const [n, start, length, chunks] of [
      [16, 5 * PAGE_SIZE, PAGE_SIZE, 1],
      [8, 5 * PAGE_SIZE, PAGE_SIZE, 1],
      [32, 5 * PAGE_SIZE, PAGE_SIZE, 2],
      [16, 5 * PAGE_SIZE - 1, 2, 2],
      [1, 5 * PAGE_SIZE, PAGE_SIZE, 1],
    ]) {
      const inner = counting(lz4ByN())
      const a = byN(inner, { n })
      const block = (await compressOne(a, data)) as Uint8Array
      inner.counts.decompressJobs = 0
      const back = await decompressOne(a, block, length, start)
      expect(back.data).toEqual(data.subarray(start, start + length))
      expect(inner.counts.decompressJobs, `n ${n}, [${start}, +${length})`).toBe(chunks)
    }
  })

  it('keeps concurrent batches apart (each call has its own staging)', async () => {
    const a = byN(batched(lz4(), 4), { n: 8, maxBatch: 2 })
    const objects = Array.from({ length: 6 }, (_, i) => object(16, 10 * i))
    const jobs = objects.map((o) => compressJob(o))
    await Promise.all([0, 2, 4].map((i) => a.compressBatch(jobs.slice(i, i + 2))))
    const back = jobs.map((j) => decompressJob(j.dst.slice(0, j.length), K64))
    await Promise.all([0, 2, 4].map((i) => a.decompressBatch(back.slice(i, i + 2))))
    for (const [i, j] of back.entries()) expect(j.dst).toEqual(objects[i])
  })

  it('puts an inner compress failure in its own job, and passes inner decompress errors on', async () => {
    const plan = faultPlan()
    const a = byN(batched(faultyCompressor(lz4(), plan), 4), { n: 4, maxBatch: 2 })
    const jobs = [compressJob(object(4, 1)), compressJob(object(4, 2))]
    plan.failCompressAt = 6 // chunk 1 of job 1
    await a.compressBatch(jobs)
    expect(jobs[0].error).toBeUndefined()
    expect(ZswapError.hasCode(jobs[1].error, ErrorCode.COMPRESSION_FAILED)).toBe(true)
    const block = jobs[0].dst.slice(0, jobs[0].length)
    plan.failDecompressAt = 2
    const back = await decompressOne(a, block, 4 * PAGE_SIZE)
    expect(ZswapError.hasCode(back.error, ErrorCode.CORRUPT_DATA)).toBe(true)
    expect(back.error?.message).toMatch(/chunk 1/)
    expect((await decompressOne(a, block, 4 * PAGE_SIZE)).data).toEqual(jobs[0].src)
  })

  it('rejects the call when the inner accelerator rejects a batch, after the other batches settle', async () => {
    const inner = counting(batched(lz4(), 2), true)
    let reject = 3 // the third inner batch
    const compress = inner.compressBatch
    inner.compressBatch = (jobs, count) =>
      --reject === 0 ? Promise.reject(new ClosedError('[test] inner closed')) : compress(jobs, count)
    const a = byN(inner, { n: 16 })
    const jobs = [compressJob(object(16))]
    await expect(a.compressBatch(jobs)).rejects.toMatchObject({ code: ErrorCode.CLOSED })
    expect(inner.counts.inFlight).toBe(0)
    // the staging of the failed call is reused, and works
    await a.compressBatch(jobs)
    const back = await decompressOne(a, jobs[0].dst.slice(0, jobs[0].length), K64)
    expect(back.data).toEqual(jobs[0].src)
  })

  it('works with a maxInputSize that n does not divide', async () => {
    const a = byN(batched(lz4(), 4), { n: 8, maxInputSize: 5000, maxBatch: 3 })
    const data = object(2)
    const jobs = [4999, 5000, 4097].map((size) => compressJob(data.subarray(0, size)))
    await a.compressBatch(jobs)
    const back = jobs.map((j) => decompressJob(j.dst.slice(0, j.length), j.src.length))
    await a.decompressBatch(back)
    for (const [i, j] of back.entries()) expect(j.dst).toEqual(jobs[i].src)
    const part = await decompressOne(a, back[1].src, 700, 4400)
    expect(part.data).toEqual(data.subarray(4400, 5000))
  })

  it('rejects misuse, waits for batches in flight on close, then closes the inner accelerator', async () => {
    const inner = counting(batched(lz4(), 4), true)
    let innerClosed = false
    const close = inner.close
    inner.close = () => {
      innerClosed = true
      return close()
    }
    const a = byN(inner, { n: 8, maxBatch: 2 })
    const jobs = [compressJob(object(16)), compressJob(object(16, 2)), compressJob(object(1))]
    await expect(a.compressBatch(jobs)).rejects.toMatchObject({ code: ErrorCode.INVALID_ARGUMENT })
    await expect(a.decompressBatch(jobs, 1.5 as never)).rejects.toMatchObject({
      code: ErrorCode.INVALID_ARGUMENT,
    })
    const inFlight = a.compressBatch(jobs, 2)
    const closing = a.close()
    expect(innerClosed).toBe(false)
    await inFlight
    await closing
    expect(innerClosed).toBe(true)
    expect(jobs[0].length).toBeGreaterThan(0)
    await expect(a.compressBatch(jobs, 1)).rejects.toMatchObject({ code: ErrorCode.CLOSED })
    expect(a.close()).toBe(closing)
  })
})

/** An lz4 compressor as an accelerator of maxBatch 4. */
function lz4ByN() {
  return batched(lz4(), 4)
}
