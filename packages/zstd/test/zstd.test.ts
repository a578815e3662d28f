import { randomPage, textPage } from '@zswap/conformance'
import { ErrorCode, ZswapError } from '@zswap/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { trainDictionary, zstd } from '../src/index.js'

const PAGE = 4096

function corruptCode(fn: () => unknown): string | undefined {
  try {
    fn()
    return undefined
  } catch (error) {
    return ZswapError.isInstance(error) ? error.code : `foreign: ${String(error)}`
  }
}

describe('zstd options', () => {
  it('names the driver after the level, with 0 meaning the default level', () => {
    expect(zstd().name).toBe('zstd-3')
    expect(zstd({ level: 1 }).name).toBe('zstd-1')
    expect(zstd({ level: -5 }).name).toBe('zstd--5')
    expect(zstd({ level: 0 }).level).toBe(3)
    expect(zstd({ level: 19 }).capabilities).toEqual({ format: 'zstd', checksum: true })
  })

  it.each([
    [{ level: 23 }, RangeError, 'options.level'],
    [{ level: -200000 }, RangeError, 'options.level'],
    [{ level: 1.5 }, RangeError, 'options.level'],
    [{ level: '3' }, TypeError, 'options.level'],
    [{ dictionary: [1, 2, 3] }, TypeError, 'options.dictionary'],
    [{ dictionary: new Uint8Array(0) }, RangeError, 'options.dictionary'],
    [{ checksum: 1 }, TypeError, 'options.checksum'],
  ])('rejects %o', (options, kind, name) => {
    const fn = () => zstd(options as never)
    expect(fn).toThrow(kind)
    expect(fn).toThrow(`[@zswap/zstd] ${name} must be`)
    try {
      fn()
    } catch (error) {
      expect((error as { code: string }).code).toBe(ErrorCode.INVALID_OPTION)
    }
  })
})

describe('zstd compress/decompress', () => {
  it('round-trips at fast, default and high levels', () => {
    for (const level of [-7, 1, 3, 19]) {
      const c = zstd({ level })
      const src = textPage(level + 100)
      const dst = new Uint8Array(PAGE)
      const n = c.compress(src, dst)
      expect(n).toBeGreaterThan(0)
      expect(n).toBeLessThan(PAGE / 2)
      const out = new Uint8Array(PAGE)
      expect(c.decompress(dst.subarray(0, n), out)).toBe(PAGE)
      expect(out).toEqual(src)
    }
  })

  it('higher levels do not compress text worse than fast levels', () => {
    const src = textPage(7)
    const dst = new Uint8Array(PAGE)
    const fast = zstd({ level: -50 }).compress(src, dst)
    const high = zstd({ level: 19 }).compress(src, dst)
    expect(high).toBeLessThan(fast)
  })

  it('returns -1 for incompressible input that does not fit dst, and fits a larger dst', () => {
    const c = zstd({ level: 1 })
    const src = randomPage(3)
    expect(c.compress(src, new Uint8Array(PAGE))).toBe(-1)
    const big = new Uint8Array(PAGE + 64)
    const n = c.compress(src, big)
    expect(n).toBeGreaterThan(PAGE)
    const out = new Uint8Array(PAGE)
    expect(c.decompress(big.subarray(0, n), out)).toBe(PAGE)
    expect(out).toEqual(src)
  })

  it('detects truncation, bit flips, garbage, empty input, a small dst and two frames', () => {
    const c = zstd({ level: 3 })
    const src = textPage(9)
    const buf = new Uint8Array(PAGE)
    const n = c.compress(src, buf)
    const frame = buf.slice(0, n)
    const out = new Uint8Array(PAGE)
    for (let cut = 0; cut < n; cut++) {
      expect(corruptCode(() => c.decompress(frame.subarray(0, cut), out))).toBe(ErrorCode.CORRUPT_DATA)
    }
    let detected = 0
    for (let bit = 0; bit < n * 8; bit++) {
      const bad = frame.slice()
      bad[bit >> 3] ^= 1 << (bit & 7)
      out.fill(0)
      const code = corruptCode(() => c.decompress(bad, out))
      // a flip in a bit zstd ignores (e.g. the window descriptor) may still give the right page
      if (code === undefined) expect(out).toEqual(src)
      else expect(code).toBe(ErrorCode.CORRUPT_DATA)
      if (code !== undefined) detected++
    }
    expect(detected).toBeGreaterThan(n * 8 * 0.95)
    expect(corruptCode(() => c.decompress(textPage(1), out))).toBe(ErrorCode.CORRUPT_DATA)
    expect(corruptCode(() => c.decompress(new Uint8Array(PAGE - 1), out))).toBe(ErrorCode.CORRUPT_DATA)
    const two = new Uint8Array(2 * n)
    two.set(frame)
    two.set(frame, n)
    expect(corruptCode(() => c.decompress(two, new Uint8Array(2 * PAGE)))).toBe(ErrorCode.CORRUPT_DATA)
  })

  it('without checksum, truncation and a small dst are still detected', () => {
    const c = zstd({ level: 1, checksum: false })
    expect(c.capabilities.checksum).toBe(false)
    const src = textPage(11)
    const buf = new Uint8Array(PAGE)
    const n = c.compress(src, buf)
    const out = new Uint8Array(PAGE)
    expect(corruptCode(() => c.decompress(buf.subarray(0, n - 1), out))).toBe(ErrorCode.CORRUPT_DATA)
    expect(corruptCode(() => c.decompress(buf.subarray(0, n), out.subarray(1)))).toBe(ErrorCode.CORRUPT_DATA)
    expect(c.decompress(buf.subarray(0, n), out)).toBe(PAGE)
    expect(out).toEqual(src)
  })

  it('round-trips arbitrary data of any length (property)', () => {
    const c = zstd({ level: 1 })
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 9000, size: 'max' }), (src) => {
        const dst = new Uint8Array(src.length + 64)
        const n = c.compress(src, dst)
        expect(n).toBeGreaterThan(0)
        const out = new Uint8Array(src.length)
        expect(c.decompress(dst.subarray(0, n), out)).toBe(src.length)
        expect(out).toEqual(src)
      }),
      { numRuns: 200 },
    )
  })
})

describe('zstd dictionaries', () => {
  // pages that share structure but differ in detail, like records of one program
  function recordPage(seed: number): Uint8Array {
    const page = new Uint8Array(PAGE)
    const enc = new TextEncoder()
    let x = seed
    let at = 0
    while (at < 900) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0
      const rec = enc.encode(
        `{"customer_identifier":${x % 99991},"subscription_tier":"${['bronze', 'silver', 'gold'][x % 3]}",` +
          `"last_login_timestamp":${1700000000 + (x % 86400)}}`,
      )
      page.set(rec, at)
      at += rec.length + (x % 17)
      for (let k = at - (x % 17); k < at; k++) page[k] = (x >>> (k & 15)) & 255
    }
    return page
  }

  it('trainDictionary builds a dictionary that improves the ratio on similar pages', () => {
    const samples = Array.from({ length: 40 }, (_, i) => recordPage(i + 1))
    const dict = trainDictionary(samples, { size: 4096 })
    expect(dict.length).toBeGreaterThan(0)
    expect(dict.length).toBeLessThanOrEqual(4096)
    const plain = zstd({ level: 3 })
    const withDict = zstd({ level: 3, dictionary: dict })
    const dst = new Uint8Array(PAGE)
    const out = new Uint8Array(PAGE)
    let plainBytes = 0
    let dictBytes = 0
    for (let i = 1000; i < 1020; i++) {
      const page = recordPage(i)
      plainBytes += plain.compress(page, dst)
      const n = withDict.compress(page, dst)
      dictBytes += n
      expect(withDict.decompress(dst.subarray(0, n), out)).toBe(PAGE)
      expect(out).toEqual(page)
    }
    expect(dictBytes).toBeLessThan(plainBytes * 0.9)
  })

  it('a frame made with a dictionary does not decompress without it', () => {
    const samples = Array.from({ length: 20 }, (_, i) => textPage(i + 1))
    const dict = trainDictionary(samples, { size: 2048, segmentSize: 32 })
    const a = zstd({ level: 1, dictionary: dict })
    const b = zstd({ level: 1 })
    const page = textPage(555)
    const dst = new Uint8Array(PAGE)
    const n = a.compress(page, dst)
    expect(corruptCode(() => b.decompress(dst.subarray(0, n), new Uint8Array(PAGE)))).toBe(
      ErrorCode.CORRUPT_DATA,
    )
  })

  it('trainDictionary validates its input and ignores runs of one byte', () => {
    expect(() => trainDictionary([new Uint8Array(10)], { size: 100 })).toThrow(RangeError)
    expect(() => trainDictionary([new Uint8Array(10)], { segmentSize: 8 })).toThrow(RangeError)
    expect(() => trainDictionary(['x' as never])).toThrow(TypeError)
    expect(trainDictionary([new Uint8Array(PAGE), new Uint8Array(PAGE).fill(7)]).length).toBe(0)
  })
})
