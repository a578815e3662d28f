import { describe, expect, it } from 'vitest'
import {
  type CompressJob,
  compressorAccelerator,
  type DecompressJob,
  ErrorCode,
  PAGE_SIZE,
  toAccelerator,
} from '../src/index.js'
import { faultPlan, faultyCompressor, rleCompressor } from '../src/testing/index.js'

describe('compressorAccelerator', () => {
  it('runs jobs inline with maxBatch 1 and puts failures in the job', async () => {
    const plan = faultPlan()
    const accel = compressorAccelerator(faultyCompressor(rleCompressor(), plan))
    // a compressor without maxInputSize takes any size, so the adapter says so
    expect(accel.capabilities).toEqual({
      maxBatch: 1,
      format: 'test-rle',
      maxInputSize: Number.POSITIVE_INFINITY,
    })
    const limited = { ...rleCompressor(), capabilities: { format: 'test-rle', maxInputSize: 65536 } }
    expect(compressorAccelerator(limited).capabilities.maxInputSize).toBe(65536)
    const src = new Uint8Array(PAGE_SIZE).fill(3)
    const job: CompressJob = { src, dst: new Uint8Array(PAGE_SIZE), length: 0, error: undefined }
    await accel.compressBatch([job])
    expect(job.length).toBeGreaterThan(0)
    const out: DecompressJob = {
      src: job.dst.subarray(0, job.length),
      dst: new Uint8Array(PAGE_SIZE),
      length: 0,
      error: undefined,
    }
    await accel.decompressBatch([out])
    expect(out.dst).toEqual(src)
    plan.failCompressAt = 1
    await accel.compressBatch([job])
    expect(job.error?.code).toBe(ErrorCode.COMPRESSION_FAILED)
    const corrupt: DecompressJob = {
      src: new Uint8Array([0, 1, 2]),
      dst: new Uint8Array(PAGE_SIZE),
      length: 0,
      error: undefined,
    }
    await accel.decompressBatch([corrupt])
    expect(corrupt.error?.code).toBe(ErrorCode.CORRUPT_DATA)
    await accel.close()
    await expect(accel.compressBatch([job])).rejects.toMatchObject({ code: ErrorCode.CLOSED })
  })

  it('wraps foreign exceptions in typed errors', async () => {
    const inner = rleCompressor()
    const accel = toAccelerator({
      ...inner,
      compress() {
        throw new Error('boom')
      },
    })
    const job: CompressJob = { src: new Uint8Array(1), dst: new Uint8Array(8), length: 0, error: undefined }
    await accel.compressBatch([job])
    expect(job.error?.code).toBe(ErrorCode.COMPRESSION_FAILED)
    expect(job.error?.cause).toBeInstanceOf(Error)
  })

  it('rejects drivers of another specification version', () => {
    expect(() => toAccelerator({ ...rleCompressor(), specificationVersion: 'v2' as never })).toThrow(
      expect.objectContaining({ code: ErrorCode.UNSUPPORTED_SPECIFICATION }),
    )
  })
})

describe('compressorAccelerator batch size', () => {
  it('rejects more jobs than its maxBatch of 1', async () => {
    const accel = compressorAccelerator(rleCompressor())
    const job = (): CompressJob => ({
      src: new Uint8Array(8),
      dst: new Uint8Array(32),
      length: 0,
      error: undefined,
    })
    await expect(accel.compressBatch([job(), job()])).rejects.toMatchObject({
      code: ErrorCode.INVALID_ARGUMENT,
    })
    await expect(accel.compressBatch([job(), job()], 1)).resolves.toBeUndefined()
  })
})

/** One page through an adapter whose compressor returns `result`. */
async function compressReturning(result: number): Promise<CompressJob> {
  const accel = compressorAccelerator({ ...rleCompressor(), compress: () => result })
  const job: CompressJob = {
    src: new Uint8Array(PAGE_SIZE),
    dst: new Uint8Array(PAGE_SIZE),
    length: 0,
    error: undefined,
  }
  await accel.compressBatch([job])
  return job
}

describe('driver shape and results', () => {
  it('a compressor without capabilities or methods is an option error with a code, not a TypeError', () => {
    const rle = rleCompressor()
    const broken = [
      { ...rle, capabilities: undefined },
      { ...rle, capabilities: null },
      { ...rle, capabilities: { format: 3 } },
      { ...rle, compress: undefined },
      { ...rle, decompress: 'no' },
    ]
    for (const compressor of broken) {
      expect(() => toAccelerator(compressor as never)).toThrow(
        expect.objectContaining({ code: ErrorCode.INVALID_OPTION }),
      )
    }
  })

  it('an accelerator without capabilities, a bad maxBatch or a missing method is an option error', () => {
    const base = compressorAccelerator(rleCompressor())
    const broken = [
      { ...base, capabilities: undefined },
      { ...base, capabilities: { maxBatch: 0, format: 'x' } },
      { ...base, capabilities: { maxBatch: 1.5, format: 'x' } },
      { ...base, capabilities: { maxBatch: 1 } },
      { ...base, decompressBatch: undefined },
      { ...base, close: undefined },
    ]
    for (const accel of broken) {
      expect(() => toAccelerator(accel as never)).toThrow(
        expect.objectContaining({ code: ErrorCode.INVALID_OPTION }),
      )
    }
  })

  it('a compress result of 0, NaN, a fraction or more than dst holds is a compression failure', async () => {
    for (const bad of [0, Number.NaN, 12.5, -2, PAGE_SIZE + 1, '7' as unknown as number]) {
      const job = await compressReturning(bad)
      expect(job.error?.code).toBe(ErrorCode.COMPRESSION_FAILED)
    }
    for (const good of [-1, 1, PAGE_SIZE]) {
      const job = await compressReturning(good)
      expect(job.error).toBeUndefined()
      expect(job.length).toBe(good)
    }
  })
})
