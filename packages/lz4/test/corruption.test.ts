import { CorruptDataError, crc32, ErrorCode, ZswapError } from '@zswap/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { lz4 } from '../src/index.js'
import { backends } from './backends.js'
import { heapPage, PAGE, samples, textPage } from './pages.js'

function compressed(c: ReturnType<typeof lz4>, page: Uint8Array): Uint8Array {
  const dst = new Uint8Array(2 * PAGE)
  return dst.slice(0, c.compress(page, dst))
}

/**
 * Decompresses into a fresh page; returns the page, or the CorruptDataError thrown.
 * `forged`: a block tampered with and resealed with a matching CRC-32, which
 * the checksummed decoder decodes straight into dst (so a failure may leave it
 * partly written).
 */
function attempt(
  c: ReturnType<typeof lz4>,
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
    expect((error as Error).message).toMatch(/^\[@zswap\/lz4\] /)
    // A failed decompress leaves dst alone, unless the block passed its checksum.
    if (!forged) expect(dst.every((b) => b === 0x5a)).toBe(true)
    return error as CorruptDataError
  }
}

/** Recomputes the trailer so that a tampered block reaches the decoder. */
function reseal(buf: Uint8Array): Uint8Array {
  const n = buf.length - 4
  new DataView(buf.buffer, buf.byteOffset).setUint32(n, crc32(buf.subarray(0, n)), true)
  return buf
}

describe.each(backends)('%s', (backend) => {
  describe('with checksum (default)', () => {
    const c = lz4({ backend })

    // The random page is left out only to keep the run short: its 33k flips add nothing new.
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

    it('yields the right page or CorruptDataError for random bit flips and byte overwrites', () => {
      const sources = [textPage(11), heapPage(12)].map((p) => [p, compressed(c, p)] as const)
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: sources.length - 1 }),
          fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 8 }),
          (which, edits) => {
            const [page, src] = sources[which]
            const bad = src.slice()
            for (const [pos, x] of edits) bad[pos % bad.length] ^= x
            const result = attempt(c, bad)
            if (!(result instanceof CorruptDataError)) expect(result).toEqual(page)
          },
        ),
        { numRuns: 300 },
      )
    })

    it('throws CorruptDataError on arbitrary garbage', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 600 }), (garbage) => {
          expect(attempt(c, garbage)).toBeInstanceOf(CorruptDataError)
        }),
        { numRuns: 300 },
      )
    })

    it('rejects a block that declares more bytes than dst holds, before decoding it', () => {
      const src = compressed(c, textPage())
      expect(attempt(c, src, PAGE - 1)).toBeInstanceOf(CorruptDataError)
      const huge = src.slice()
      new DataView(huge.buffer).setUint32(0, 0xffffffff, true)
      expect(attempt(c, reseal(huge))).toBeInstanceOf(CorruptDataError)
    })

    it('rejects a block whose declared size differs from what it decodes to', () => {
      const src = compressed(c, textPage())
      const wrong = src.slice()
      new DataView(wrong.buffer).setUint32(0, PAGE + 100, true)
      expect(attempt(c, reseal(wrong), 2 * PAGE, true)).toBeInstanceOf(CorruptDataError)
      new DataView(wrong.buffer).setUint32(0, PAGE - 100, true)
      expect(attempt(c, reseal(wrong), PAGE, true)).toBeInstanceOf(CorruptDataError)
    })
  })

  describe('without checksum', () => {
    const c = lz4({ backend, checksum: false })

    it('never crashes and never throws anything but CorruptDataError on flips, truncation or garbage', () => {
      const src = compressed(c, textPage(13))
      fc.assert(
        fc.property(
          fc.oneof(
            fc
              .array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 8 })
              .map((edits) => {
                const bad = src.slice()
                for (const [pos, x] of edits) bad[pos % bad.length] ^= x
                return bad
              }),
            fc.nat({ max: src.length - 1 }).map((n) => src.subarray(0, n)),
            fc.uint8Array({ maxLength: 600 }),
          ),
          (bad) => {
            attempt(c, bad)
          },
        ),
        { numRuns: 400 },
      )
    })

    it('still checks the declared size against dst and the decoded length', () => {
      const src = compressed(c, textPage())
      expect(attempt(c, src, PAGE - 1)).toBeInstanceOf(CorruptDataError)
      const huge = src.slice()
      new DataView(huge.buffer).setUint32(0, 0x7fffffff, true)
      expect(attempt(c, huge)).toBeInstanceOf(CorruptDataError)
      const wrong = src.slice()
      new DataView(wrong.buffer).setUint32(0, PAGE + 8, true)
      expect(attempt(c, wrong, 2 * PAGE)).toBeInstanceOf(CorruptDataError)
    })

    it('shows why the checksum exists: some single-bit flips decode to a wrong page of the right size', () => {
      const page = textPage(14)
      const src = compressed(c, page)
      let wrong = 0
      for (let bit = 32; bit < src.length * 8; bit++) {
        const bad = src.slice()
        bad[bit >> 3] ^= 1 << (bit & 7)
        const result = attempt(c, bad)
        if (!(result instanceof CorruptDataError) && !Buffer.from(result).equals(Buffer.from(page))) wrong++
      }
      expect(wrong).toBeGreaterThan(0)
    })
  })
})
