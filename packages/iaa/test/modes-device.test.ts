import { samplePages } from '@zswap/conformance'
import { CorruptDataError, ErrorCode } from '@zswap/core'
import { deflate } from '@zswap/deflate'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFLATE_FORMATS, DEFLATE_READS } from '../src/codec.js'
import { type IaaDevice, iaa } from '../src/index.js'
import { CANNED_D_LENGTHS, CANNED_LL_LENGTHS } from '../src/modes/canned-tables.js'
import { COMPRESSION_MODES, type CompressionMode } from '../src/modes/mode-encoder.js'
import { walkDeflate } from './deflate-walker.js'
import { compressiblePage, compressJob, decompressJob, equal, PAGE, STILL } from './helpers.js'

const pages = [
  ...samplePages()
    .filter((p) => p.kind !== 'random')
    .slice(0, 6)
    .map((p) => p.data),
  compressiblePage(41),
  compressiblePage(42),
]

/** The stream of a device block (the CRC-32 trailer cut off), walked. */
function walkBlock(mode: CompressionMode, b: Uint8Array) {
  const stream = b.subarray(0, b.length - 4)
  return mode === 'canned'
    ? walkDeflate(stream, { ll: CANNED_LL_LENGTHS, d: CANNED_D_LENGTHS })
    : walkDeflate(stream)
}

describe('compressionMode option', () => {
  it.each([
    [{ compressionMode: 'huffman-only' }, RangeError],
    [{ compressionMode: 2 }, TypeError],
    [{ algorithm: 'lz4', compressionMode: 'canned' }, RangeError],
  ])('rejects %j', (options, kind) => {
    let error: unknown
    try {
      iaa(options as never)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(kind)
    expect((error as { code: string }).code).toBe(ErrorCode.INVALID_OPTION)
    expect((error as Error).message).toMatch(/^\[@zswap\/iaa\] options\.compressionMode/)
  })

  it("defaults to 'fixed'", async () => {
    const device = iaa({ engines: 1, ...STILL })
    try {
      expect(device.stats().compressionMode).toBe('fixed')
      expect(device.capabilities.format).toBe(DEFLATE_FORMATS.fixed)
    } finally {
      await device.close()
    }
  })
})

describe.each(COMPRESSION_MODES)('a %s-mode device', (mode) => {
  let device: IaaDevice
  beforeAll(async () => {
    device = iaa({ engines: 2, compressionMode: mode, ...STILL })
    await device.ready()
  })
  afterAll(() => device.close())

  it('names its mode and format', () => {
    expect(device.name).toBe(mode === 'fixed' ? 'iaa-deflate' : `iaa-deflate-${mode}`)
    expect(device.capabilities.format).toBe(DEFLATE_FORMATS[mode])
    expect(device.stats().compressionMode).toBe(mode)
  })

  it('compresses on the engines into blocks of its mode, and decompresses them', async () => {
    const before = device.stats().softwareFallbacks.total
    const jobs = pages.map((p) => compressJob(p))
    await device.compressBatch(jobs)
    for (const [i, job] of jobs.entries()) {
      expect(job.error).toBeUndefined()
      const w = walkBlock(mode, job.dst.subarray(0, job.length))
      expect(w.blockTypes).toEqual([{ fixed: 1, canned: -1, dynamic: 2 }[mode]])
      expect(w.maxDistance).toBeLessThanOrEqual(4096)
      expect(equal(w.output, pages[i])).toBe(true)
    }
    const back = jobs.map((j) => decompressJob(j.dst.subarray(0, j.length)))
    await device.decompressBatch(back)
    for (const [i, job] of back.entries()) {
      expect(job.error).toBeUndefined()
      expect(equal(job.dst, pages[i])).toBe(true)
    }
    expect(device.stats().softwareFallbacks.total).toBe(before)
  })

  it('keeps a 4 KiB history on a 12 KiB job; dynamic runs it in software (counted as oversize)', async () => {
    const big = new Uint8Array(3 * PAGE)
    for (let i = 0; i < 3; i++) big.set(pages[i], i * PAGE)
    big.set(pages[0].subarray(0, 2048), 2 * PAGE) // a repeat 8 KiB back: out of reach
    const before = device.stats().softwareFallbacks.oversize
    const job = compressJob(big, big.length + 1024) // within maxJobBytes (16 KiB)
    await device.compressBatch([job])
    expect(job.error).toBeUndefined()
    expect(device.stats().softwareFallbacks.oversize - before).toBe(mode === 'dynamic' ? 1 : 0)
    const w = walkBlock(mode, job.dst.subarray(0, job.length))
    expect(w.blockTypes.length).toBe(1)
    expect(w.maxDistance).toBeLessThanOrEqual(4096)
    const back = decompressJob(job.dst.subarray(0, job.length), big.length)
    await device.decompressBatch([back])
    expect(back.error).toBeUndefined()
    expect(equal(back.dst, big)).toBe(true)
    // decompressing a large block runs on the engines in every mode
    expect(device.stats().softwareFallbacks.oversize - before).toBe(mode === 'dynamic' ? 1 : 0)
  })

  it('reads the formats it lists, and refuses the others with CorruptDataError', async () => {
    const page = pages[0]
    const writers: Record<string, (p: Uint8Array) => Promise<Uint8Array>> = {}
    for (const other of COMPRESSION_MODES) {
      writers[DEFLATE_FORMATS[other]] = async (p) => {
        const d = iaa({ engines: 1, compressionMode: other, ...STILL })
        try {
          const job = compressJob(p)
          await d.compressBatch([job])
          return job.dst.slice(0, job.length)
        } finally {
          await d.close()
        }
      }
    }
    writers['deflate-raw+crc32'] = async (p) => {
      const dst = new Uint8Array(2 * PAGE)
      return dst.slice(0, deflate({ level: 6 }).compress(p, dst))
    }
    for (const [format, write] of Object.entries(writers)) {
      const job = decompressJob(await write(page))
      await device.decompressBatch([job])
      if (DEFLATE_READS[mode].includes(format)) {
        expect(job.error, format).toBeUndefined()
        expect(equal(job.dst, page)).toBe(true)
      } else {
        expect(job.error, format).toBeInstanceOf(CorruptDataError)
      }
    }
  })
})
