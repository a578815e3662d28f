import { CorruptDataError, crc32, ErrorCode, ZswapError } from '@zswap/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { lzo } from '../src/index.js'
import { liblzo2 } from './backends.js'
import { heapPage, PAGE, samples, textPage } from './pages.js'

function compressed(c: ReturnType<typeof lzo>, page: Uint8Array): Uint8Array {
  const dst = new Uint8Array(2 * PAGE)
  return dst.slice(0, c.compress(page, dst))
}

/**
 * Decompresses into a fresh page; returns the page, or the CorruptDataError thrown.
 * `forged`: a stream tampered with and resealed with a matching CRC-32, which
 * the checksummed decoder decodes straight into dst (so a failure may leave it
 * partly written).
 */
function attempt(
  c: ReturnType<typeof lzo>,
  src: Uint8Array,
  dstSize = PAGE,
  forged = false,
): Uint8Array | CorruptDataError {
  const dst = new Uint8Array(dstSize).fill(0x5a)
  try {
    const n = c.decompress(src, dst)
    expect(n).toBeGreaterThanOrEqual(0)
    expect(n).toBeLessThanOrEqual(dstSize)
    return dst.subarray(0, n)
  } catch (error) {
    expect(error).toBeInstanceOf(CorruptDataError)
    expect(ZswapError.hasCode(error, ErrorCode.CORRUPT_DATA)).toBe(true)
    expect((error as Error).message).toMatch(/^\[@zswap\/lzo\] /)
    // A failed decompress leaves dst alone, unless the stream passed its checksum.
    if (!forged) expect(dst.every((b) => b === 0x5a)).toBe(true)
    return error as CorruptDataError
  }
}

/** Recomputes the trailer so that a tampered stream reaches the decoder. */
function reseal(buf: Uint8Array): Uint8Array {
  const n = buf.length - 4
  new DataView(buf.buffer, buf.byteOffset).setUint32(n, crc32(buf.subarray(0, n)), true)
  return buf
}

/** A stream damaged in one of the ways storage damages data: flips, overwrites, cuts, growth, garbage. */
function damaged(src: Uint8Array): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    fc
      .array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 8 })
      .map((edits) => {
        const bad = src.slice()
        for (const [pos, x] of edits) bad[pos % bad.length] ^= x
        return bad
      }),
    fc.nat({ max: src.length - 1 }).map((n) => src.subarray(0, n)),
    fc.uint8Array({ minLength: 1, maxLength: 64 }).map((tail) => {
      const longer = new Uint8Array(src.length + tail.length)
      longer.set(src)
      longer.set(tail, src.length)
      return longer
    }),
    fc.uint8Array({ maxLength: 600 }),
    // garbage behind a plausible first byte, to get past the first instruction
    fc
      .tuple(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 300 }))
      .map(([first, rest]) => {
        const bad = new Uint8Array(rest.length + 1)
        bad[0] = first
        bad.set(rest, 1)
        return bad
      }),
  )
}

const algorithms = liblzo2.available ? (['lzo', 'lzo-rle'] as const) : []

describe.each(algorithms)('%s', (algorithm) => {
  describe('with checksum (default)', () => {
    const c = lzo({ algorithm })

    // The random page is left out only to keep the run short: its 35k flips add nothing new.
    it.each(
      samples.filter(([name]) => name !== 'random'),
    )('detects every single-bit flip of a compressed %s page', (_, make) => {
      const src = compressed(c, make())
      for (let bit = 0; bit < src.length * 8; bit++) {
        const bad = src.slice()
        bad[bit >> 3] ^= 1 << (bit & 7)
        expect(attempt(c, bad)).toBeInstanceOf(CorruptDataError)
      }
    })

    it('detects every truncation and every appended byte', () => {
      const src = compressed(c, heapPage())
      for (let n = 0; n < src.length; n++)
        expect(attempt(c, src.subarray(0, n))).toBeInstanceOf(CorruptDataError)
      const longer = new Uint8Array(src.length + 1)
      longer.set(src)
      expect(attempt(c, longer)).toBeInstanceOf(CorruptDataError)
    })

    it('yields the right page or CorruptDataError for any damage, never a wrong page', () => {
      const sources = [textPage(11), heapPage(12)].map((p) => [p, compressed(c, p)] as const)
      for (const [page, src] of sources) {
        fc.assert(
          fc.property(damaged(src), (bad) => {
            const result = attempt(c, bad)
            if (!(result instanceof CorruptDataError)) expect(result).toEqual(page)
          }),
          { numRuns: 300 },
        )
      }
    })

    it('throws CorruptDataError on arbitrary garbage', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 600 }), (garbage) => {
          expect(attempt(c, garbage)).toBeInstanceOf(CorruptDataError)
        }),
        { numRuns: 300 },
      )
    })

    it('rejects a stream that decodes to more than dst holds', () => {
      const src = compressed(c, textPage())
      expect(attempt(c, src, PAGE - 1, true)).toBeInstanceOf(CorruptDataError)
      expect(attempt(c, src, 0, true)).toBeInstanceOf(CorruptDataError)
    })

    it('forged streams (resealed after damage) still give CorruptDataError or a page, never a crash', () => {
      const src = compressed(c, textPage(16))
      fc.assert(
        fc.property(
          fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 8 }),
          (edits) => {
            const bad = src.slice()
            for (const [pos, x] of edits) bad[pos % (bad.length - 4)] ^= x
            attempt(c, reseal(bad), PAGE, true)
          },
        ),
        { numRuns: 400 },
      )
    })
  })

  describe('without checksum', () => {
    const c = lzo({ algorithm, checksum: false })

    it('never crashes and never throws anything but CorruptDataError on any damage', () => {
      for (const page of [textPage(13), heapPage(13)]) {
        const src = compressed(c, page)
        fc.assert(
          fc.property(damaged(src), (bad) => {
            attempt(c, bad)
          }),
          { numRuns: 400 },
        )
      }
    })

    it('catches every truncation (the end-of-stream marker is missing) and bytes after the marker', () => {
      const src = compressed(c, heapPage(14))
      for (let n = 0; n < src.length; n++)
        expect(attempt(c, src.subarray(0, n))).toBeInstanceOf(CorruptDataError)
      const longer = new Uint8Array(src.length + 1)
      longer.set(src)
      expect(attempt(c, longer)).toBeInstanceOf(CorruptDataError)
    })

    it('rejects a stream that decodes to more than dst holds, leaving dst alone', () => {
      const src = compressed(c, textPage())
      expect(attempt(c, src, PAGE - 1)).toBeInstanceOf(CorruptDataError)
      expect(attempt(c, src, 0)).toBeInstanceOf(CorruptDataError)
    })

    it('shows why the checksum exists: some single-bit flips decode to a wrong page of the right size', () => {
      const page = textPage(14)
      const src = compressed(c, page)
      let wrong = 0
      for (let bit = 0; bit < src.length * 8; bit++) {
        const bad = src.slice()
        bad[bit >> 3] ^= 1 << (bit & 7)
        const result = attempt(c, bad)
        if (!(result instanceof CorruptDataError) && !Buffer.from(result).equals(Buffer.from(page))) wrong++
      }
      expect(wrong).toBeGreaterThan(0)
    })
  })
})
