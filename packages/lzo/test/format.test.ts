import { CorruptDataError } from '@zswap/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { loadAddon } from '../src/addon.js'
import { lzo, lzoRle } from '../src/index.js'
import { liblzo2 } from './backends.js'
import { halfRandomPage, heapPage, PAGE, randomPage, textPage, zeroPage } from './pages.js'

// Streams built by hand from the LZO1X format description (the kernel's
// Documentation/staging/lzo.rst), as the kernel's `lzo` writes and reads them.
const ascii = (s: string) => [...new TextEncoder().encode(s)]
const END = [0x11, 0x00, 0x00] // M4 copy of distance 16384: end of stream

const streams: [name: string, stream: number[], text: string][] = [
  ['a first literal run (first byte 17 + length)', [17 + 5, ...ascii('hello'), ...END], 'hello'],
  [
    'an M2 copy (3 bytes, distance 3: 0b010 ddd 00, then distance >> 3)',
    [17 + 3, ...ascii('abc'), 0x40 | (2 << 2), 0x00, ...END],
    'abcabc',
  ],
  [
    'an M3 copy (9 bytes, distance 3: 32 | length - 2, then u16le (distance - 1) << 2)',
    [17 + 3, ...ascii('abc'), 32 | 7, (2 << 2) & 0xff, 0x00, ...END],
    'abcabcabcabc',
  ],
  [
    'an M3 copy (6 bytes) with 2 trailing literals in the low bits of its distance',
    [17 + 3, ...ascii('abc'), 32 | 4, (2 << 2) | 2, 0x00, ...ascii('xy'), ...END],
    'abcabcabcxy',
  ],
  [
    'a run of 20 literals after the first byte (0, then length - 18)',
    [17 + 1, ...ascii('q'), 32 | 1, 0x00, 0x00, 0x00, 20 - 18, ...ascii('ABCDEFGHIJKLMNOPQRST'), ...END],
    'qqqqABCDEFGHIJKLMNOPQRST',
  ],
]

describe.runIf(liblzo2.available)('kernel-format LZO1X streams', () => {
  const c = lzo({ checksum: false })

  it.each(streams)('decodes %s', (_, stream, text) => {
    const out = new Uint8Array(64)
    const n = c.decompress(new Uint8Array(stream), out)
    expect(new TextDecoder().decode(out.subarray(0, n))).toBe(text)
  })

  it('writes a short input as one literal run and the end marker, as the kernel does', () => {
    // inputs of up to 20 bytes are never searched for matches (lzo1x_1_compress: `while (l > 20)`)
    const dst = new Uint8Array(64)
    const n = c.compress(new Uint8Array(ascii('hello')), dst)
    expect([...dst.subarray(0, n)]).toEqual([17 + 5, ...ascii('hello'), ...END])
  })
})

const rle = (code: number, state = 0) => [0x18 | (code & 7), 0xfc | state, 0xff, code >> 3]
const V1 = [17, 1] // lzo-rle's bitstream version

const rleStreams: [name: string, stream: number[], text: Uint8Array][] = [
  [
    'a zero run (10 bytes: code 6)',
    [...V1, 17 + 3, ...ascii('abc'), ...rle(10 - 4), ...END],
    bytes('abc', 10),
  ],
  [
    'a zero run followed by 2 literals counted in its state bits',
    [...V1, 17 + 3, ...ascii('abc'), ...rle(0, 2), ...ascii('xy'), ...END],
    bytes('abc', 4, 'xy'),
  ],
  [
    'the longest zero run (2051 bytes: code 2047)',
    [...V1, 17 + 1, ...ascii('q'), ...rle(2047), ...END],
    bytes('q', 2051),
  ],
  [
    'an M2 copy, as in plain LZO1X',
    [...V1, 17 + 3, ...ascii('abc'), 0x40 | (2 << 2), 0x00, ...END],
    bytes('abcabc'),
  ],
  ['a plain (version 0) stream', [17 + 5, ...ascii('hello'), ...END], bytes('hello')],
]

/** Text and zero runs: `bytes('ab', 3, 'c')` is "ab\0\0\0c". */
function bytes(...parts: (string | number)[]): Uint8Array {
  return new Uint8Array(
    parts.flatMap((p) => (typeof p === 'number' ? new Array<number>(p).fill(0) : ascii(p))),
  )
}

describe.runIf(liblzo2.available)('kernel-format lzo-rle streams', () => {
  const c = lzoRle({ checksum: false })

  it.each(rleStreams)('decodes %s', (_, stream, expected) => {
    const out = new Uint8Array(4096)
    const n = c.decompress(new Uint8Array(stream), out)
    expect(out.subarray(0, n)).toEqual(expected)
  })

  it('rejects a zero run longer than dst, and any bitstream version but 1', () => {
    const run = new Uint8Array([...V1, 17 + 1, ...ascii('q'), ...rle(2047), ...END])
    expect(() => c.decompress(run, new Uint8Array(2051))).toThrow(CorruptDataError)
    const v2 = run.slice()
    v2[1] = 2
    expect(() => c.decompress(v2, new Uint8Array(4096))).toThrow(CorruptDataError)
  })

  it("writes a zero page as the kernel's lzorle1x_1_compress does: 5 literals, two runs, 20 literals", () => {
    const dst = new Uint8Array(64)
    const n = c.compress(new Uint8Array(PAGE), dst)
    // the first 5 bytes are skipped before the search starts (4, then 1 + 4 >> 5), the last 20 never searched
    expect([...dst.subarray(0, n)]).toEqual([
      ...V1,
      5 - 3,
      ...new Array(5).fill(0),
      ...rle(2051 - 4),
      ...rle(2020 - 4),
      0,
      20 - 18,
      ...new Array(20).fill(0),
      ...END,
    ])
  })

  it('plain lzo cannot read an lzo-rle stream (a different format)', () => {
    const src = new Uint8Array(rleStreams[0][1])
    expect(() => lzo({ checksum: false }).decompress(src, new Uint8Array(4096))).toThrow(CorruptDataError)
  })
})

/** Inputs with the structure of memory: runs of zeros and repeats of earlier bytes between random ones. */
const memoryLike = fc
  .array(
    fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 64 }),
      fc.integer({ min: 1, max: 3000 }).map((n) => new Uint8Array(n)),
      fc.tuple(fc.nat(255), fc.integer({ min: 1, max: 300 })).map(([b, n]) => new Uint8Array(n).fill(b)),
    ),
    { maxLength: 40 },
  )
  .map((parts) => {
    const out = new Uint8Array(
      Math.min(
        3 * PAGE,
        parts.reduce((n, p) => n + p.length, 0),
      ),
    )
    let at = 0
    for (const p of parts) {
      if (at >= out.length) break
      out.set(p.subarray(0, out.length - at), at)
      at += p.length
    }
    // repeat some earlier stretches (matches at every distance class)
    for (let k = 0; k + 64 < out.length; k += 997) out.copyWithin(k + 40, k, k + 24)
    return out
  })

describe.runIf(liblzo2.available)("this package's kernel-format coder", () => {
  const addon = loadAddon().addon as NonNullable<ReturnType<typeof loadAddon>['addon']>
  const plain = lzo({ checksum: false })

  it("writes, with the kernel's 2^13-slot dictionary, the bytes liblzo2's lzo1x_1_15 writes (the lzo driver)", () => {
    const pages = [zeroPage(), textPage(1), heapPage(2), halfRandomPage(3), randomPage(4)]
    fc.assert(
      fc.property(fc.oneof(fc.constantFrom(...pages), memoryLike), (input) => {
        // liblzo2 writes inputs of 26..31 bytes as one literal run, where the kernel's coder
        // may find a match (see the README); from 32 bytes on they agree (and below 26)
        if (input.length >= 26 && input.length < 32) return
        const a = new Uint8Array(2 * input.length + 80)
        const b = new Uint8Array(2 * input.length + 80)
        const n = plain.compress(input, a)
        const m = addon.kernelCompress(input, b, 0, 13)
        expect(m).toBe(n)
        expect(Buffer.from(b.subarray(0, m)).equals(Buffer.from(a.subarray(0, n)))).toBe(true)
      }),
      { numRuns: 300 },
    )
  })

  it('differs from liblzo2 only on inputs of 26..31 bytes, where liblzo2 looks for no match', () => {
    const zeros = new Uint8Array(26)
    const a = new Uint8Array(64)
    const b = new Uint8Array(64)
    expect(plain.compress(zeros, a)).toBe(1 + 26 + 3) // one literal run and the end marker
    expect(addon.kernelCompress(zeros, b, 0, 13)).toBe(22) // 5 literals, a match, 17 literals, end
    expect(plain.compress(new Uint8Array(32), a)).toBe(addon.kernelCompress(new Uint8Array(32), b, 0, 13))
  })

  it('round-trips lzo-rle on memory-like inputs, and its decoder reads plain streams', () => {
    const r = lzoRle({ checksum: false })
    fc.assert(
      fc.property(memoryLike, (input) => {
        for (const c of [r, plain]) {
          const block = new Uint8Array(2 * input.length + 80)
          const n = c.compress(input, block)
          const out = new Uint8Array(input.length)
          expect(r.decompress(block.subarray(0, n), out)).toBe(input.length)
          expect(Buffer.from(out).equals(Buffer.from(input))).toBe(true)
        }
      }),
      { numRuns: 200 },
    )
  })

  it("its decoder agrees with liblzo2's lzo1x_decompress_safe on damaged plain streams", () => {
    const sources = [textPage(5), heapPage(6), halfRandomPage(7)].map((p) => {
      const block = new Uint8Array(2 * PAGE)
      return block.slice(0, plain.compress(p, block))
    })
    fc.assert(
      fc.property(
        fc.constantFrom(...sources),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 6 }),
        fc.nat(),
        (src, edits, cut) => {
          const bad = src.slice(0, src.length - (cut % 4))
          for (const [pos, x] of edits) bad[pos % bad.length] ^= x
          if (bad[0] === 17) return // a version prefix for lzo-rle's decoder, a literal count for liblzo2's
          const mine = new Uint8Array(PAGE)
          const theirs = new Uint8Array(PAGE)
          const m = addon.kernelDecompress(bad, mine)
          const t = addon.decompress(bad, theirs)
          expect(m >= 0, `kernel decoder ${m}, liblzo2 ${t}`).toBe(t >= 0)
          if (m >= 0)
            expect(Buffer.from(mine.subarray(0, m)).equals(Buffer.from(theirs.subarray(0, t)))).toBe(true)
        },
      ),
      { numRuns: 2000 },
    )
  })
})
