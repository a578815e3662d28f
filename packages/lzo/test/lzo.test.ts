import { crc32 as zlibCrc32 } from 'node:zlib'
import { CompressionFailedError, ErrorCode, SPECIFICATION_VERSION } from '@zswap/core'
import { describe, expect, it } from 'vitest'
import { LzoCompressor, lzo, lzoRle } from '../src/index.js'
import { liblzo2 } from './backends.js'
import { PAGE, randomPage, samples, textPage, zeroPage } from './pages.js'

describe.runIf(liblzo2.available)('lzo()', () => {
  it('declares the v1 contract, its name, format and backend', () => {
    const c = lzo()
    expect(c).toBeInstanceOf(LzoCompressor)
    expect(c.specificationVersion).toBe(SPECIFICATION_VERSION)
    expect(c.name).toBe('lzo')
    expect(c.capabilities).toEqual({
      format: 'lzo1x+crc32',
      checksum: true,
      backend: 'liblzo2',
      algorithm: 'lzo',
    })
    expect(lzo({ checksum: false }).capabilities).toEqual({
      format: 'lzo1x',
      checksum: false,
      backend: 'liblzo2',
      algorithm: 'lzo',
    })
    expect(Object.isFrozen(c.capabilities)).toBe(true)
    const rle = lzoRle()
    expect(rle).toBeInstanceOf(LzoCompressor)
    expect(rle.name).toBe('lzo-rle')
    expect(rle.capabilities).toEqual({
      format: 'lzo-rle+crc32',
      checksum: true,
      backend: 'builtin',
      algorithm: 'lzo-rle',
    })
    expect(lzo({ algorithm: 'lzo-rle', checksum: false }).capabilities.format).toBe('lzo-rle')
  })

  it('rejects an unknown algorithm with ERR_INVALID_OPTION', () => {
    const make = () => lzo({ algorithm: 'lzo1z' as 'lzo' })
    expect(make).toThrow(RangeError)
    expect(make).toThrow("[@zswap/lzo] options.algorithm must be 'lzo' or 'lzo-rle'")
    try {
      make()
    } catch (error) {
      expect((error as { code: string }).code).toBe(ErrorCode.INVALID_OPTION)
    }
  })

  it('rejects a non-boolean checksum option with ERR_INVALID_OPTION', () => {
    const make = () => lzo({ checksum: 'yes' as unknown as boolean })
    expect(make).toThrow(TypeError)
    expect(make).toThrow('[@zswap/lzo] options.checksum must be a boolean')
    try {
      make()
    } catch (error) {
      expect((error as { code: string }).code).toBe(ErrorCode.INVALID_OPTION)
    }
  })

  it('the checksum is a CRC-32 trailer over the plain stream, which is the same with or without it', () => {
    const page = textPage(8)
    const plain = new Uint8Array(PAGE)
    const n = lzo({ checksum: false }).compress(page, plain)
    const sealed = new Uint8Array(PAGE)
    const m = lzo().compress(page, sealed)
    expect(m).toBe(n + 4)
    expect(sealed.subarray(0, n)).toEqual(plain.subarray(0, n))
    expect(new DataView(sealed.buffer).getUint32(n, true)).toBe(zlibCrc32(plain.subarray(0, n)) >>> 0)
    // every stream ends with the end-of-stream marker M4(distance 16384): 0x11 0x00 0x00
    expect([...plain.subarray(n - 3, n)]).toEqual([0x11, 0, 0])
  })
})

const configs = liblzo2.available
  ? (['lzo', 'lzo-rle'] as const).flatMap((algorithm) =>
      [true, false].map((checksum) => ({ algorithm, checksum })),
    )
  : []

describe.each(configs)('LzoCompressor ($algorithm, checksum: $checksum)', ({ algorithm, checksum }) => {
  const c = lzo({ algorithm, checksum })
  const trailer = checksum ? 4 : 0
  /** lzo-rle streams start with the bitstream version: 17, 1. */
  const prefix = algorithm === 'lzo-rle' ? [17, 1] : []

  it.each(samples)('round-trips a %s page', (_, make) => {
    const page = make()
    const dst = new Uint8Array(2 * PAGE)
    const n = c.compress(page, dst)
    expect(n).toBeGreaterThan(0)
    const out = new Uint8Array(PAGE)
    expect(c.decompress(dst.subarray(0, n), out)).toBe(PAGE)
    expect(out).toEqual(page)
  })

  it('shrinks compressible pages', () => {
    const dst = new Uint8Array(PAGE)
    expect(c.compress(zeroPage(), dst)).toBeLessThan(64)
    expect(c.compress(textPage(), dst)).toBeLessThan(PAGE / 2)
  })

  it('returns -1 for an incompressible page that does not fit in a page, dst untouched', () => {
    const dst = new Uint8Array(PAGE).fill(0xaa)
    expect(c.compress(randomPage(), dst)).toBe(-1)
    expect(dst.every((b) => b === 0xaa)).toBe(true)
  })

  it('writes an incompressible page when dst holds its worst case (page + page/16 + 67 [+ 2])', () => {
    const page = randomPage(3)
    const dst = new Uint8Array(PAGE + PAGE / 16 + 67 + prefix.length + trailer)
    const n = c.compress(page, dst)
    expect(n).toBeGreaterThan(PAGE)
    const out = new Uint8Array(PAGE)
    expect(c.decompress(dst.subarray(0, n), out)).toBe(PAGE)
    expect(out).toEqual(page)
  })

  it('returns -1 when dst is one byte short, and fits exactly otherwise', () => {
    const page = textPage(5)
    const n = c.compress(page, new Uint8Array(PAGE))
    const short = new Uint8Array(n - 1).fill(0x5a)
    expect(c.compress(page, short)).toBe(-1)
    expect(short.every((b) => b === 0x5a)).toBe(true)
    const exact = new Uint8Array(n)
    expect(c.compress(page, exact)).toBe(n)
    const out = new Uint8Array(PAGE)
    expect(c.decompress(exact, out)).toBe(PAGE)
    expect(out).toEqual(page)
    expect(c.compress(page, new Uint8Array(0))).toBe(-1)
    expect(c.compress(page, new Uint8Array(2 + trailer))).toBe(-1)
    expect(c.compress(new Uint8Array(0), new Uint8Array(2 + prefix.length + trailer))).toBe(-1)
  })

  it('works on views at non-zero offsets and leaves the bytes around them alone', () => {
    const page = textPage(6)
    const srcBuf = new Uint8Array(PAGE + 100).fill(0x11)
    srcBuf.set(page, 37)
    const src = srcBuf.subarray(37, 37 + PAGE)
    // both paths: a dst that holds the worst case (written directly) and a page-sized one (scratch)
    for (const size of [PAGE, 2 * PAGE]) {
      const dstBuf = new Uint8Array(3 * PAGE).fill(0x22)
      const dst = dstBuf.subarray(13, 13 + size)
      const n = c.compress(src, dst)
      expect(n).toBeGreaterThan(0)
      expect(dstBuf.subarray(0, 13).every((b) => b === 0x22)).toBe(true)
      expect(dstBuf.subarray(13 + n).every((b) => b === 0x22)).toBe(true)

      const outBuf = new Uint8Array(PAGE + 64).fill(0x33)
      const out = outBuf.subarray(29, 29 + PAGE)
      expect(c.decompress(dstBuf.subarray(13, 13 + n), out)).toBe(PAGE)
      expect(out).toEqual(page)
      expect(outBuf.subarray(0, 29).every((b) => b === 0x33)).toBe(true)
      expect(outBuf.subarray(29 + PAGE).every((b) => b === 0x33)).toBe(true)
    }
  })

  it('writes the same stream whether dst holds the worst case or not', () => {
    for (const page of [textPage(9), randomPage(9).fill(0, 3000)]) {
      const big = new Uint8Array(2 * PAGE)
      const n = c.compress(page, big)
      const small = new Uint8Array(n)
      expect(c.compress(page, small)).toBe(n)
      expect(small).toEqual(big.subarray(0, n))
    }
  })

  it('round-trips inputs past the 64 KiB scratch buffer, both ways', () => {
    for (const pages of [17, 64]) {
      const big = new Uint8Array(pages * PAGE)
      for (let i = 0; i < pages; i++) big.set(textPage(100 + i), i * PAGE)
      for (const room of [big.length, 2 * big.length]) {
        const cbuf = new Uint8Array(room)
        const m = c.compress(big, cbuf)
        expect(m).toBeGreaterThan(0)
        const out = new Uint8Array(big.length)
        expect(c.decompress(cbuf.subarray(0, m), out)).toBe(big.length)
        expect(out).toEqual(big)
        // too small a dst: an error, and no byte of dst written
        const short = new Uint8Array(big.length - 1).fill(0x5a)
        expect(() => c.decompress(cbuf.subarray(0, m), short)).toThrow(/more than the/)
        if (!checksum) expect(short.every((b) => b === 0x5a)).toBe(true)
      }
    }
  })

  it('round-trips an empty input (the bare end-of-stream marker) and a 64 KiB multi-page chunk', () => {
    const dst = new Uint8Array(16)
    const n = c.compress(new Uint8Array(0), dst)
    expect(n).toBe(prefix.length + 3 + trailer)
    expect([...dst.subarray(0, prefix.length + 3)]).toEqual([...prefix, 0x11, 0, 0])
    expect(c.decompress(dst.subarray(0, n), new Uint8Array(PAGE))).toBe(0)
    expect(c.decompress(dst.subarray(0, n), new Uint8Array(0))).toBe(0)

    const big = new Uint8Array(16 * PAGE)
    for (let i = 0; i < 16; i++) big.set(i % 2 ? textPage(i) : randomPage(i).subarray(0, 1000), i * PAGE)
    const cbuf = new Uint8Array(big.length)
    const m = c.compress(big, cbuf)
    expect(m).toBeGreaterThan(0)
    const out = new Uint8Array(big.length)
    expect(c.decompress(cbuf.subarray(0, m), out)).toBe(big.length)
    expect(out).toEqual(big)
  })

  it('decompresses into a larger dst and reports the real length', () => {
    const page = textPage(7)
    const dst = new Uint8Array(PAGE)
    const n = c.compress(page, dst)
    const out = new Uint8Array(2 * PAGE)
    expect(c.decompress(dst.subarray(0, n), out)).toBe(PAGE)
    expect(out.subarray(0, PAGE)).toEqual(page)
  })

  it('works on views of SharedArrayBuffers (worker-thread staging buffers)', () => {
    const shared = new Uint8Array(new SharedArrayBuffer(3 * PAGE))
    shared.set(textPage(15), PAGE)
    const block = new Uint8Array(new SharedArrayBuffer(PAGE))
    const n = c.compress(shared.subarray(PAGE, 2 * PAGE), block)
    expect(n).toBeGreaterThan(0)
    expect(c.decompress(block.subarray(0, n), shared.subarray(2 * PAGE))).toBe(PAGE)
    expect(shared.subarray(2 * PAGE)).toEqual(textPage(15))
  })

  it('wraps a binding failure on compress in CompressionFailedError', () => {
    // Not a Uint8Array: the binding throws, the driver must translate it.
    expect(() => c.compress(123 as unknown as Uint8Array, new Uint8Array(PAGE))).toThrow(
      CompressionFailedError,
    )
  })
})
