import { deflateRawSync, inflateRawSync } from 'node:zlib'
import { randomPage, textPage } from '@zswap/conformance'
import { ErrorCode, ZswapError } from '@zswap/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { deflate } from '../src/index.js'

const PAGE = 4096

function errorCode(fn: () => unknown): string | undefined {
  try {
    fn()
    return undefined
  } catch (error) {
    return ZswapError.isInstance(error) ? error.code : `foreign: ${String(error)}`
  }
}

describe('deflate options', () => {
  it('names the driver after the level and declares raw deflate', () => {
    expect(deflate().name).toBe('deflate-6')
    expect(deflate({ level: 1 }).name).toBe('deflate-1')
    expect(deflate().capabilities.format).toBe('deflate-raw')
  })

  it.each([
    [{ level: 10 }, RangeError, 'options.level'],
    [{ level: -1 }, RangeError, 'options.level'],
    [{ level: '6' }, TypeError, 'options.level'],
    [{ mem: 13 }, RangeError, 'options.mem'],
    [{ mem: 0.5 }, RangeError, 'options.mem'],
  ])('rejects %o', (options, kind, name) => {
    const fn = () => deflate(options as never)
    expect(fn).toThrow(kind)
    expect(fn).toThrow(`[@zswap/deflate] ${name} must be`)
  })
})

describe('deflate compress/decompress', () => {
  it('round-trips at every level', () => {
    for (let level = 0; level <= 9; level++) {
      const c = deflate({ level })
      const src = textPage(level + 1)
      const dst = new Uint8Array(PAGE + 64)
      const n = c.compress(src, dst)
      expect(n).toBeGreaterThan(0)
      if (level > 0) expect(n).toBeLessThan(PAGE / 2)
      const out = new Uint8Array(PAGE)
      expect(c.decompress(dst.subarray(0, n), out)).toBe(PAGE)
      expect(out).toEqual(src)
    }
  })

  it('round-trips with every hash table size (mem)', () => {
    for (let mem = 0; mem <= 12; mem += 3) {
      const c = deflate({ level: 6, mem })
      const src = textPage(mem + 30)
      const dst = new Uint8Array(PAGE)
      const n = c.compress(src, dst)
      expect(n).toBeGreaterThan(0)
      const out = new Uint8Array(PAGE)
      expect(c.decompress(dst.subarray(0, n), out)).toBe(PAGE)
      expect(out).toEqual(src)
    }
  })

  it('writes raw deflate that zlib reads, and reads what zlib writes (the IAA format)', () => {
    const c = deflate({ level: 6 })
    const src = textPage(42)
    const dst = new Uint8Array(PAGE)
    const n = c.compress(src, dst)
    expect(new Uint8Array(inflateRawSync(dst.subarray(0, n)))).toEqual(src)
    for (const level of [1, 9]) {
      const z = deflateRawSync(src, { level })
      const out = new Uint8Array(PAGE)
      expect(c.decompress(z, out)).toBe(PAGE)
      expect(out).toEqual(src)
    }
  })

  it('returns -1 when the output does not fit', () => {
    const c = deflate({ level: 1 })
    expect(c.compress(randomPage(5), new Uint8Array(PAGE))).toBe(-1)
    expect(c.compress(textPage(5), new Uint8Array(10))).toBe(-1)
  })

  it('rejects output longer than dst instead of truncating the page', () => {
    const c = deflate()
    const dst = new Uint8Array(PAGE)
    const n = c.compress(textPage(3), dst)
    expect(errorCode(() => c.decompress(dst.subarray(0, n), new Uint8Array(PAGE - 1)))).toBe(
      ErrorCode.CORRUPT_DATA,
    )
    const stored = deflateRawSync(randomPage(3), { level: 0 })
    expect(errorCode(() => c.decompress(stored, new Uint8Array(100)))).toBe(ErrorCode.CORRUPT_DATA)
  })

  it('detects every truncation of a page, empty input and bad stored-block lengths', () => {
    const c = deflate({ level: 6 })
    for (const src of [textPage(8), randomPage(8)]) {
      const dst = new Uint8Array(PAGE + 64)
      const n = c.compress(src, dst)
      const out = new Uint8Array(PAGE)
      for (let cut = 0; cut < n; cut++) {
        expect(errorCode(() => c.decompress(dst.subarray(0, cut), out))).toBe(ErrorCode.CORRUPT_DATA)
      }
    }
    const bad = new Uint8Array([1, 5, 0, 0xfb, 0xff, 1, 2, 3, 4, 5])
    expect(errorCode(() => c.decompress(bad, new Uint8Array(10)))).toBe(ErrorCode.CORRUPT_DATA)
    bad[3] = 0xfa
    expect(c.decompress(bad, new Uint8Array(10))).toBe(5)
  })

  it('bit flips give CorruptDataError or a page of some length, never another error', () => {
    const c = deflate({ level: 6 })
    const src = textPage(13)
    const dst = new Uint8Array(PAGE)
    const n = c.compress(src, dst)
    const frame = dst.slice(0, n)
    const out = new Uint8Array(PAGE)
    let detected = 0
    for (let bit = 0; bit < n * 8; bit += 3) {
      const bad = frame.slice()
      bad[bit >> 3] ^= 1 << (bit & 7)
      const code = errorCode(() => c.decompress(bad, out))
      if (code !== undefined) {
        expect(code).toBe(ErrorCode.CORRUPT_DATA)
        detected++
      }
    }
    expect(detected).toBeGreaterThan(0)
  })

  it('round-trips arbitrary data (property)', () => {
    const c = deflate({ level: 1 })
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 9000, size: 'max' }),
        fc.integer({ min: 0, max: 9 }),
        (src, level) => {
          const d = level === 1 ? c : deflate({ level })
          const dst = new Uint8Array(src.length + 64)
          const n = d.compress(src, dst)
          expect(n).toBeGreaterThan(0)
          const out = new Uint8Array(src.length)
          expect(c.decompress(dst.subarray(0, n), out)).toBe(src.length)
          expect(out).toEqual(src)
        },
      ),
      { numRuns: 150 },
    )
  })
})
