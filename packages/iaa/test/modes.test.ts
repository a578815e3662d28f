import { inflateRawSync } from 'node:zlib'
import { samplePages } from '@zswap/conformance'
import { CorruptDataError } from '@zswap/core'
import { deflate } from '@zswap/deflate'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createCodec, DEFLATE_FORMATS, DEFLATE_READS } from '../src/codec.js'
import { RESULT } from '../src/layout.js'
import { CANNED_HEADER } from '../src/modes/canned-header.js'
import { CANNED_D_LENGTHS, CANNED_LL_LENGTHS } from '../src/modes/canned-tables.js'
import { HuffmanBuilder, kraftSum } from '../src/modes/huffman.js'
import { ModeCodec } from '../src/modes/mode-codec.js'
import { COMPRESSION_MODES, type CompressionMode, ModeEncoder } from '../src/modes/mode-encoder.js'
import { walkDeflate } from './deflate-walker.js'
import { compressiblePage, equal, PAGE, randomBytes } from './helpers.js'

const CANNED = { ll: CANNED_LL_LENGTHS, d: CANNED_D_LENGTHS }

/** Real pages (the conformance sample, random ones included) and synthetic ones. */
const pages = [
  ...samplePages().map((p) => p.data),
  compressiblePage(7),
  new Uint8Array(PAGE),
  randomBytes(3),
  new Uint8Array(0),
  Uint8Array.of(42),
]

/** 64 KiB whose repeats lie 5000 and 20000 bytes back, plus one exactly 4096 back. */
function farRepeats(): Uint8Array {
  const out = new Uint8Array(65536)
  const chunk = randomBytes(11, 5000)
  for (let i = 0; i < 40000; i++) out[i] = chunk[i % 5000]
  out.set(out.subarray(0, 20000), 40000)
  const near = randomBytes(12, 4096)
  out.set(near, 60000 - 4096)
  out.set(near.subarray(0, 1440), 60000)
  return out.subarray(0, 61440)
}

function encode(mode: CompressionMode, src: Uint8Array): Uint8Array {
  const dst = new Uint8Array(2 * src.length + 1024)
  const n = new ModeEncoder(mode).compress(src, dst)
  expect(n).toBeGreaterThan(0)
  return dst.slice(0, n)
}

function walk(mode: CompressionMode, stream: Uint8Array) {
  return mode === 'canned' ? walkDeflate(stream, CANNED) : walkDeflate(stream)
}

function block(codec: { compress(s: Uint8Array, d: Uint8Array): number }, src: Uint8Array): Uint8Array {
  const dst = new Uint8Array(2 * src.length + 1024)
  const n = codec.compress(src, dst)
  expect(n).toBeGreaterThan(0)
  return dst.slice(0, n)
}

describe.each(COMPRESSION_MODES)('%s mode', (mode) => {
  it('writes one final block of its kind, which decodes to the input', () => {
    for (const page of [...pages, farRepeats()]) {
      const stream = encode(mode, page)
      const w = walk(mode, stream)
      expect(w.blockTypes).toEqual([{ fixed: 1, canned: -1, dynamic: 2 }[mode]])
      expect(equal(w.output, page)).toBe(true)
      if (mode !== 'canned') expect(equal(inflateRawSync(stream), page)).toBe(true)
    }
  })

  it('never reaches back more than 4096 bytes, and does reach back 4096', () => {
    const w = walk(mode, encode(mode, farRepeats()))
    expect(w.maxDistance).toBe(4096)
    for (const page of pages) expect(walk(mode, encode(mode, page)).maxDistance).toBeLessThanOrEqual(4096)
  })

  it('round-trips through its codec, with and without the CRC-32 trailer', () => {
    for (const checksum of [true, false]) {
      const codec = new ModeCodec(mode, checksum)
      for (const page of [...pages, farRepeats()]) {
        const b = block(codec, page)
        const out = new Uint8Array(page.length)
        expect(codec.decompress(b, out)).toBe(page.length)
        expect(equal(out, page)).toBe(true)
      }
    }
  })

  it('round-trips any bytes (property)', () => {
    const codec = new ModeCodec(mode)
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 9000 }), fc.integer({ min: 1, max: 40 }), (bytes, period) => {
        // periodic bytes make matches of every length; the raw ones literals
        const src = bytes.map((b, i) => (i % 3 === 0 ? b : (bytes[i % period] ?? 0)))
        const out = new Uint8Array(src.length)
        expect(codec.decompress(block(codec, src), out)).toBe(src.length)
        expect(equal(out, src)).toBe(true)
        expect(walk(mode, encode(mode, src)).maxDistance).toBeLessThanOrEqual(4096)
      }),
      { numRuns: 60 },
    )
  })

  it('reports a block that does not fit, corrupt blocks and a wrong CRC as result codes', () => {
    const codec = new ModeCodec(mode)
    const page = samplePages()[0].data
    const b = block(codec, page)
    expect(codec.compress(page, new Uint8Array(b.length - 1))).toBe(RESULT.DOES_NOT_FIT)
    expect(codec.compress(page, new Uint8Array(4))).toBe(RESULT.DOES_NOT_FIT)
    expect(codec.compress(randomBytes(5), new Uint8Array(PAGE))).toBe(RESULT.DOES_NOT_FIT)
    const out = new Uint8Array(PAGE)
    expect(codec.decompress(b.subarray(0, b.length >> 1), out)).toBe(RESULT.CORRUPT)
    expect(codec.decompress(b.subarray(0, 4), out)).toBe(RESULT.CORRUPT)
    const badCrc = b.slice()
    badCrc[badCrc.length - 1] ^= 1
    expect(codec.decompress(badCrc, out)).toBe(RESULT.CORRUPT)
    expect(codec.decompress(b, new Uint8Array(PAGE - 1))).toBe(RESULT.CORRUPT)
  })
})

describe('faults in the codec', () => {
  it('a writer that throws is RESULT.FAILED, an inflater that throws anything is RESULT.CORRUPT', () => {
    const page = samplePages()[0].data
    const broken = {
      compress(): number {
        throw new RangeError('writer bug')
      },
    }
    expect(new ModeCodec('fixed', true, undefined, broken).compress(page, new Uint8Array(PAGE))).toBe(
      RESULT.FAILED,
    )
    const good = block(new ModeCodec('dynamic'), page)
    const inflater = {
      decompress(): number {
        throw new TypeError('not a ZswapError')
      },
    }
    expect(new ModeCodec('dynamic', true, inflater).decompress(good, new Uint8Array(PAGE))).toBe(
      RESULT.CORRUPT,
    )
  })
})

describe('cross-decoding between the modes', () => {
  const real = samplePages()
    .filter((p) => p.kind !== 'random')
    .map((p) => p.data)

  it('lists distinct formats, and which ones each mode reads', () => {
    expect(new Set(Object.values(DEFLATE_FORMATS)).size).toBe(3)
    expect(DEFLATE_READS.canned).toEqual([DEFLATE_FORMATS.canned])
  })

  it('fixed and dynamic read each other, @zswap/deflate reads both, and both read @zswap/deflate', () => {
    const fixed = new ModeCodec('fixed')
    const dynamic = new ModeCodec('dynamic')
    const driver = deflate({ level: 6 })
    for (const page of real) {
      for (const [writer, readers] of [
        [fixed, [dynamic, driver]],
        [dynamic, [fixed, driver]],
        [driver, [fixed, dynamic]],
      ] as const) {
        const b = block(writer, page)
        for (const reader of readers) {
          const out = new Uint8Array(PAGE)
          expect(reader.decompress(b, out)).toBe(PAGE)
          expect(equal(out, page)).toBe(true)
        }
      }
    }
  })

  it('canned blocks decode only with the table: a plain inflater rejects or mis-decodes them', () => {
    const canned = new ModeCodec('canned')
    const bare = new ModeCodec('canned', false)
    const driver = deflate({ level: 1 })
    let rejected = 0
    for (const page of real) {
      const b = block(canned, page)
      expect(() => driver.decompress(b, new Uint8Array(PAGE))).toThrow(CorruptDataError)
      // the bare stream through zlib: an error, or bytes that are not the page
      const stream = block(bare, page)
      try {
        const out = inflateRawSync(stream, { maxOutputLength: 4 * PAGE })
        expect(equal(out, page)).toBe(false)
      } catch {
        rejected++
      }
      for (const other of [new ModeCodec('fixed'), new ModeCodec('dynamic')]) {
        expect(other.decompress(b, new Uint8Array(PAGE))).toBe(RESULT.CORRUPT)
      }
    }
    expect(rejected).toBeGreaterThan(0)
  })

  it('the canned decoder rejects fixed, dynamic and @zswap/deflate blocks', () => {
    const canned = new ModeCodec('canned')
    for (const page of real) {
      for (const writer of [new ModeCodec('fixed'), new ModeCodec('dynamic'), deflate({ level: 1 })]) {
        expect(canned.decompress(block(writer, page), new Uint8Array(PAGE))).toBe(RESULT.CORRUPT)
      }
    }
  })

  it('createCodec gives the mode codec for deflate and refuses nothing else', () => {
    const page = real[0]
    for (const mode of COMPRESSION_MODES) {
      const b = block(createCodec('deflate', 1, true, mode), page)
      const out = new Uint8Array(PAGE)
      expect(new ModeCodec(mode).decompress(b, out)).toBe(PAGE)
    }
  })
})

/** The 2024 patch's deflate_iaa_canned test vectors (crypto/testmgr.h): canned streams and their text. */
const VECTORS = [
  {
    text: 'Join us now and share the software Join us now and share the software ',
    stream: ['6d234323a47131d288c861527584561a', '13a28ed649634374d298c8e0d8615869', 'cb7101e53f'].join(''),
  },
  {
    text:
      'This document describes a compression method based on the DEFLATE' +
      'compression algorithm.  This document defines the application of ' +
      'the DEFLATE algorithm to the IP Payload Compression Protocol.',
    stream: [
      'dd424263a4da484d5cb82e2256aad5c5',
      '68a24383743152b55413191e15ad8b89',
      '098d8c9086eb624322b5d220758c4e2b',
      '053d364427f569e5dbdebb5b2b7d3775',
      'd8c0c8e8d0d890707ba9541c38383402',
      'c2e28eeaa8a8b0508d3a16f7880cd68f',
      '951f401a1b2934b4f197faab878745aa',
      'b5d2967a03f94747c6466a22c3ecff03',
    ].join(''),
  },
]

describe('canned mode and the patch', () => {
  it('decodes the four deflate_iaa_canned test vectors (two compress, two decompress: the same pairs)', () => {
    const canned = new ModeCodec('canned', false)
    for (const v of VECTORS) {
      const stream = Buffer.from(v.stream, 'hex')
      const out = new Uint8Array(v.text.length)
      expect(canned.decompress(stream, out)).toBe(v.text.length)
      expect(Buffer.from(out).toString('latin1')).toBe(v.text)
      expect(Buffer.from(walkDeflate(stream, CANNED).output).toString('latin1')).toBe(v.text)
    }
    expect(VECTORS.map((v) => v.stream.length / 2)).toEqual([37, 128])
  })

  it('the canned header is a standard dynamic header of exactly the canned code lengths', () => {
    const stream = new Uint8Array(CANNED_HEADER.length + VECTORS[0].stream.length / 2)
    stream.set(CANNED_HEADER)
    stream.set(Buffer.from(VECTORS[0].stream, 'hex'), CANNED_HEADER.length)
    const w = walkDeflate(stream)
    expect(w.blockTypes).toEqual([2])
    expect(w.lastLengths?.ll).toEqual([...CANNED_LL_LENGTHS])
    expect(w.lastLengths?.d).toEqual([...CANNED_D_LENGTHS])
    expect(Buffer.from(w.output).toString('latin1')).toBe(VECTORS[0].text)
    expect(inflateRawSync(stream).toString('latin1')).toBe(VECTORS[0].text)
  })

  it('codes literals with the patch table: the first 31 bytes of the first vector come out the same', () => {
    const ours = encode('canned', Buffer.from(VECTORS[0].text, 'latin1'))
    expect(Buffer.from(ours.subarray(0, 31)).toString('hex')).toBe(VECTORS[0].stream.slice(0, 62))
  })

  it('the tables are complete prefix codes with distance codes 24..29 unused', () => {
    expect(kraftSum(CANNED_LL_LENGTHS)).toBe(1 << 15)
    expect(kraftSum(CANNED_D_LENGTHS)).toBe(1 << 15)
    expect([...CANNED_D_LENGTHS.subarray(24)]).toEqual([0, 0, 0, 0, 0, 0])
  })
})

describe('dynamic tables', () => {
  it('are complete, within the length limit, and give every used symbol a code (property)', () => {
    const builder = new HuffmanBuilder()
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 70000 })), {
          minLength: 2,
          maxLength: 286,
        }),
        fc.integer({ min: 7, max: 15 }),
        (weights, limit) => {
          const freq = Uint32Array.from(weights)
          const lengths = new Uint8Array(weights.length)
          builder.build(freq, weights.length, limit, lengths)
          for (let s = 0; s < weights.length; s++) {
            expect(lengths[s]).toBeLessThanOrEqual(limit)
            if (freq[s] > 0) expect(lengths[s]).toBeGreaterThan(0)
          }
          expect(kraftSum(lengths)).toBe(1 << 15)
        },
      ),
      { numRuns: 300 },
    )
  })

  it('stay within 15 bits on skewed (Fibonacci) counts, and such a block decodes', () => {
    // 20 symbols with Fibonacci frequencies want codes up to 19 bits
    const src: number[] = []
    let [a, b] = [1, 1]
    for (let s = 0; s < 20; s++) {
      for (let k = 0; k < a; k++) src.push(s * 11)
      ;[a, b] = [b, a + b]
    }
    // shuffle deterministically so runs do not turn into matches
    const bytes = Uint8Array.from(src)
    const noise = randomBytes(9, bytes.length)
    for (let i = bytes.length - 1; i > 0; i--) {
      const j = (noise[i] * 257 + noise[i - 1]) % (i + 1)
      ;[bytes[i], bytes[j]] = [bytes[j], bytes[i]]
    }
    const stream = encode('dynamic', bytes)
    const w = walkDeflate(stream)
    expect(Math.max(...(w.lastLengths?.ll ?? []))).toBeLessThanOrEqual(15)
    expect(equal(w.output, bytes)).toBe(true)
  })
})
