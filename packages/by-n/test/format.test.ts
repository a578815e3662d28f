import { referenceCompressor } from '@zswap/conformance'
import { type Accelerator, ErrorCode, PAGE_SIZE, ZswapError } from '@zswap/core'
import { lz4 } from '@zswap/lz4'
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { byN } from '../src/index.js'
import { compressOne, decompressJob, decompressOne, object, reseal, sameBytes } from './helpers.js'

const K16 = 4 * PAGE_SIZE
const K64 = 16 * PAGE_SIZE

function u32(b: Uint8Array, o: number): number {
  return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0
}

function setU32(b: Uint8Array, o: number, v: number): void {
  b[o] = v
  b[o + 1] = v >>> 8
  b[o + 2] = v >>> 16
  b[o + 3] = v >>> 24
}

function isCode(error: unknown, ...codes: ErrorCode[]): boolean {
  return ZswapError.isInstance(error) && codes.includes(error.code)
}

describe('the v1 format, byte by byte', () => {
  it('writes word 0 = n | version << 8 | flags << 16 | magic << 24, the size, offsets with a raw bit, a CRC-32 trailer', async () => {
    const data = object(4, 1, (p) => p === 2)
    const block = (await compressOne(byN(lz4(), { n: 4 }), data)) as Uint8Array
    expect([...block.subarray(0, 4)]).toEqual([4, 1, 1, 0xb7])
    expect(u32(block, 4)).toBe(K16)
    const words = [0, 1, 2, 3].map((i) => u32(block, 8 + 4 * i))
    expect(words[0]).toBe(8 + 4 * 4) // chunk 0 right after the header, as in the RFC
    expect(words.map((w) => w >>> 31)).toEqual([0, 0, 1, 0])
    const offsets = words.map((w) => w & 0x7fffffff)
    expect(offsets[3] - offsets[2]).toBe(PAGE_SIZE) // the raw chunk
    expect(block.subarray(offsets[2], offsets[3])).toEqual(data.subarray(2 * PAGE_SIZE, 3 * PAGE_SIZE))
    const copy = block.slice()
    expect(reseal(copy)).toEqual(block) // the trailer is the CRC-32 of everything before it
  })
})

describe('malformed objects are CorruptDataError, whole or partial', () => {
  let a: Accelerator
  let data: Uint8Array
  let block: Uint8Array

  beforeAll(async () => {
    a = byN(lz4(), { n: 4, maxInputSize: K16 })
    data = object(4, 1, (p) => p === 2) // chunk 2 is raw
    block = (await compressOne(a, data)) as Uint8Array
  })

  /** Applies `edit` to a copy of the object, reseals it unless told not to, and loads it whole and one page. */
  async function expectCorrupt(
    // biome-ignore lint/suspicious/noConfusingVoidType: an edit changes b in place or returns a new array
    edit: (b: Uint8Array) => Uint8Array | void,
    message: RegExp,
    sealed = true,
    page = 2,
  ) {
    let b: Uint8Array = block.slice()
    b = edit(b) ?? b
    if (sealed && b.length >= 4) reseal(b)
    const whole = await decompressOne(a, b, K16)
    expect(isCode(whole.error, ErrorCode.CORRUPT_DATA), String(whole.error)).toBe(true)
    expect(whole.error?.message).toMatch(message)
    const part = await decompressOne(a, b, PAGE_SIZE, page * PAGE_SIZE)
    expect(isCode(part.error, ErrorCode.CORRUPT_DATA), String(part.error)).toBe(true)
  }

  it('the unedited object loads (the cases below each change one thing)', async () => {
    expect((await decompressOne(a, block, K16)).data).toEqual(data)
  })
  it('a truncated object', () => expectCorrupt((b) => b.subarray(0, 7), /truncated/, false))
  it('a CRC-32 mismatch', () => expectCorrupt((b) => void (b[40] ^= 1), /checksum/, false))
  it('no magic byte', () => expectCorrupt((b) => void (b[3] = 0), /not a by_n object/))
  it('an unknown version (2)', () => expectCorrupt((b) => void (b[1] = 2), /unknown format version 2/))
  it("version 0: the RFC's own layout is not read", () =>
    expectCorrupt((b) => void (b[1] = 0), /unknown format version 0/))
  it('unknown flags', () => expectCorrupt((b) => void (b[2] |= 0x10), /unknown flags/))
  it('n not a power of two', () => expectCorrupt((b) => void (b[0] = 3), /n = 3/))
  it('n = 0', () => expectCorrupt((b) => void (b[0] = 0), /n = 0/))
  it('n above 64', () => expectCorrupt((b) => void (b[0] = 128), /n = 128/))
  it('a size of 0', () => expectCorrupt((b) => setU32(b, 4, 0), /size 0/))
  it('a size above maxInputSize', () => expectCorrupt((b) => setU32(b, 4, K16 + 1), /size 16385/))
  it('chunk 0 not right after the header', () =>
    expectCorrupt((b) => setU32(b, 8, u32(b, 8) + 1), /chunk 0 starts at 25/))
  it('offsets out of order', () =>
    expectCorrupt((b) => setU32(b, 16, (u32(b, 12) - 1) | 0x80000000), /chunk 1 ends at .* before it starts/))
  it('an offset past the end', () =>
    expectCorrupt((b) => setU32(b, 20, b.length + 10), /chunk 3 starts at \d+, past the end/))
  it('a raw chunk of the wrong size', () =>
    expectCorrupt(
      (b) => setU32(b, 12, u32(b, 12) | 0x80000000),
      /raw chunk 1 holds \d+ bytes, expected 4096/,
    ))
  it('a "compressed" chunk as large as its input', () =>
    expectCorrupt((b) => setU32(b, 16, u32(b, 16) & 0x7fffffff), /compressed chunk 2 holds 4096 bytes/))
  it('a chunk that decompresses to the wrong size', async () => {
    // chunk 1 replaced by the lz4 block of a 2000-byte input, offsets fixed up
    const short = new Uint8Array(PAGE_SIZE)
    const n = lz4().compress(data.subarray(PAGE_SIZE, PAGE_SIZE + 2000), short)
    await expectCorrupt(
      (b) => {
        const s1 = u32(b, 12)
        const s2 = u32(b, 16) & 0x7fffffff
        const out = new Uint8Array(b.length - (s2 - s1) + n)
        out.set(b.subarray(0, s1))
        out.set(short.subarray(0, n), s1)
        out.set(b.subarray(s2), s1 + n)
        const delta = n - (s2 - s1)
        for (const o of [16, 20]) setU32(out, o, (u32(out, o) + delta) >>> 0)
        return out
      },
      /chunk 1: .*|chunk 1 decompressed to 2000 bytes/,
      true,
      1,
    )
  })

  it('a bad start is InvalidArgumentError; a dst too small for a whole job is CorruptDataError', async () => {
    for (const start of [-1, 0.5, K16, K16 + 1, Number.NaN]) {
      const r = await decompressOne(a, block, 16, start)
      expect(isCode(r.error, ErrorCode.INVALID_ARGUMENT), `start ${start}`).toBe(true)
    }
    const r = await decompressOne(a, block, K16 - 1)
    expect(isCode(r.error, ErrorCode.CORRUPT_DATA)).toBe(true)
    const empty = await decompressOne(a, block, 0, 5)
    expect(empty.error).toBeUndefined()
    expect(empty.data.length).toBe(0)
  })
})

describe('fuzzing the decoder', () => {
  const n = [1, 4, 16, 64]
  let lz: Accelerator
  let ref: Accelerator
  let objects: { data: Uint8Array; block: Uint8Array; a: Accelerator }[]

  beforeAll(async () => {
    lz = byN(lz4(), { n: 16 })
    ref = byN(referenceCompressor(), { n: 8 })
    objects = []
    for (const [i, k] of n.entries()) {
      const data = object(16, 7 * i, (p) => p % 5 === i)
      const a = byN(lz4(), { n: k })
      objects.push({ data, block: (await compressOne(a, data)) as Uint8Array, a })
    }
    // raw deflate has no checksum of its own: by_n's trailer is what catches damage here
    const data = object(16, 99, (p) => p === 7)
    objects.push({ data, block: (await compressOne(ref, data)) as Uint8Array, a: ref })
  })

  const range = fc.record({
    start: fc.integer({ min: 0, max: K64 - 1 }),
    length: fc.integer({ min: 0, max: 3 * PAGE_SIZE }),
  })

  async function load(a: Accelerator, src: Uint8Array, r?: { start: number; length: number }) {
    const job = r ? decompressJob(src, r.length, r.start) : decompressJob(src, K64)
    await a.decompressBatch([job])
    return job
  }

  it('random bytes: a typed error (or a valid object of the right length), never a throw', async () => {
    const header = fc.record({
      n: fc.constantFrom(0, 1, 2, 3, 8, 64, 65, 128),
      flags: fc.constantFrom(0, 1, 2),
      size: fc.integer({ min: 0, max: K64 + 2 }),
    })
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 700 }),
        fc.option(header),
        fc.option(range),
        async (bytes, h, r) => {
          const src = bytes.slice()
          if (h && src.length >= 8) {
            src[0] = h.n
            src[1] = 1
            src[2] = h.flags
            src[3] = 0xb7
            setU32(src, 4, h.size)
          }
          for (const a of [lz, ref]) {
            const job = await load(a, src, r ?? undefined)
            if (job.error)
              expect(isCode(job.error, ErrorCode.CORRUPT_DATA, ErrorCode.INVALID_ARGUMENT)).toBe(true)
            else expect(job.length).toBeLessThanOrEqual(job.dst.length)
          }
        },
      ),
      { numRuns: 400 },
    )
  })

  it('random damage to valid objects: the exact original, or CorruptDataError', async () => {
    const damage = fc.oneof(
      fc.array(fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), {
        minLength: 1,
        maxLength: 4,
      }),
      fc.record({ cut: fc.nat() }),
      fc.record({ extra: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
    )
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: objects.length - 1 }), damage, fc.option(range), async (which, d, r) => {
        const { data, block, a } = objects[which]
        let src = block.slice()
        if (Array.isArray(d)) for (const { at, value } of d) src[at % src.length] = value
        else if ('cut' in d) src = src.subarray(0, d.cut % src.length)
        else src = Uint8Array.from([...src, ...d.extra])
        const job = await load(a, src, r ?? undefined)
        const start = r?.start ?? 0
        const end = r ? Math.min(K64, start + r.length) : K64
        if (job.error) expect(isCode(job.error, ErrorCode.CORRUPT_DATA), String(job.error)).toBe(true)
        else expect(sameBytes(job.dst.subarray(0, job.length), data.subarray(start, end))).toBe(true)
      }),
      { numRuns: 400 },
    )
  })

  it('damage to the header with the CRC rewritten: the exact original, or a typed error', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: 3 }),
        fc.array(fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), {
          minLength: 1,
          maxLength: 3,
        }),
        fc.option(range),
        async (which, edits, r) => {
          const { data, block, a } = objects[which]
          const src = block.slice()
          const h = 8 + 4 * src[0]
          for (const { at, value } of edits) src[at % h] = value
          reseal(src)
          const job = await load(a, src, r ?? undefined)
          const start = r?.start ?? 0
          const end = r ? Math.min(K64, start + r.length) : K64
          if (job.error) {
            expect(
              isCode(job.error, ErrorCode.CORRUPT_DATA, ErrorCode.INVALID_ARGUMENT),
              String(job.error),
            ).toBe(true)
          } else {
            expect(sameBytes(job.dst.subarray(0, job.length), data.subarray(start, end))).toBe(true)
          }
        },
      ),
      { numRuns: 400 },
    )
  })

  it('round-trips any size and n, whole and any range (property)', async () => {
    const sources = [0, 1, 2].map((seed) => object(16, seed, (p) => p % 3 === seed))
    const byn = new Map([1, 2, 4, 8, 16, 32, 64].map((k) => [k, byN(lz4(), { n: k })]))
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(1, 2, 4, 8, 16, 32, 64),
        fc.integer({ min: 1, max: K64 }),
        fc.nat({ max: 2 }),
        range,
        async (k, size, seed, r) => {
          const a = byn.get(k) as Accelerator
          const data = sources[seed].subarray(0, size)
          const block = await compressOne(a, data)
          if (!block) return
          expect(sameBytes((await decompressOne(a, block, size)).data, data)).toBe(true)
          const start = r.start % size
          const part = await decompressOne(a, block, r.length, start)
          expect(part.error).toBeUndefined()
          expect(sameBytes(part.data, data.subarray(start, Math.min(size, start + r.length)))).toBe(true)
        },
      ),
      { numRuns: 100 },
    )
  })
})
