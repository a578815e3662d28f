import { CompressionFailedError, ErrorCode, SPECIFICATION_VERSION } from '@zswap/core'
import { compressSync, uncompressSync } from 'lz4-napi'
import { describe, expect, it } from 'vitest'
import { Lz4Compressor, lz4 } from '../src/index.js'
import { backends } from './backends.js'
import { PAGE, randomPage, samples, textPage, zeroPage } from './pages.js'

describe('lz4()', () => {
  it('declares the v1 contract, its name and format', () => {
    const c = lz4()
    expect(c).toBeInstanceOf(Lz4Compressor)
    expect(c.specificationVersion).toBe(SPECIFICATION_VERSION)
    expect(c.name).toBe('lz4')
    expect(c.capabilities.format).toBe('lz4-block+size+crc32')
    expect(c.capabilities.checksum).toBe(true)
    expect(lz4({ checksum: false }).capabilities.format).toBe('lz4-block+size')
    expect(lz4({ checksum: false }).capabilities.checksum).toBe(false)
    expect(Object.isFrozen(c.capabilities)).toBe(true)
    expect(backends).toContain(c.capabilities.backend)
    expect(c.capabilities.backend).toBe(backends[0]) // 'auto' prefers liblz4
    expect(lz4({ backend: 'lz4-napi' }).capabilities.backend).toBe('lz4-napi')
  })

  it('rejects an unknown backend with ERR_INVALID_OPTION', () => {
    const make = () => lz4({ backend: 'lz4-hc' as 'auto' })
    expect(make).toThrow(RangeError)
    expect(make).toThrow("[@zswap/lz4] options.backend must be one of 'auto', 'liblz4', 'lz4-napi'")
    try {
      make()
    } catch (error) {
      expect((error as { code: string }).code).toBe(ErrorCode.INVALID_OPTION)
    }
  })

  it('rejects a non-boolean checksum option with ERR_INVALID_OPTION', () => {
    const make = () => lz4({ checksum: 'yes' as unknown as boolean })
    expect(make).toThrow(TypeError)
    expect(make).toThrow('[@zswap/lz4] options.checksum must be a boolean')
    try {
      make()
    } catch (error) {
      expect((error as { code: string }).code).toBe(ErrorCode.INVALID_OPTION)
    }
  })
})

const configs = backends.flatMap((backend) => [true, false].map((checksum) => ({ backend, checksum })))

describe.each(configs)('Lz4Compressor ($backend, checksum: $checksum)', ({ backend, checksum }) => {
  const c = lz4({ backend, checksum })
  const trailer = checksum ? 4 : 0

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

  it('returns -1 for an incompressible page that does not fit in a page', () => {
    const dst = new Uint8Array(PAGE).fill(0xaa)
    expect(c.compress(randomPage(), dst)).toBe(-1)
    expect(dst.every((b) => b === 0xaa)).toBe(true)
  })

  it('returns -1 when dst is one byte short, and fits exactly otherwise', () => {
    const page = textPage(5)
    const n = c.compress(page, new Uint8Array(PAGE))
    expect(c.compress(page, new Uint8Array(n - 1))).toBe(-1)
    const exact = new Uint8Array(n)
    expect(c.compress(page, exact)).toBe(n)
    const out = new Uint8Array(PAGE)
    expect(c.decompress(exact, out)).toBe(PAGE)
    expect(out).toEqual(page)
    expect(c.compress(page, new Uint8Array(0))).toBe(-1)
  })

  it('works on views at non-zero offsets and leaves the bytes around them alone', () => {
    const page = textPage(6)
    const srcBuf = new Uint8Array(PAGE + 100).fill(0x11)
    srcBuf.set(page, 37)
    const src = srcBuf.subarray(37, 37 + PAGE)
    const dstBuf = new Uint8Array(3 * PAGE).fill(0x22)
    const dst = dstBuf.subarray(13, 13 + PAGE)
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
  })

  it('round-trips inputs past the 64 KiB decode scratch buffer', () => {
    for (const pages of [17, 64]) {
      const big = new Uint8Array(pages * PAGE)
      for (let i = 0; i < pages; i++) big.set(textPage(100 + i), i * PAGE)
      const cbuf = new Uint8Array(big.length)
      const m = c.compress(big, cbuf)
      expect(m).toBeGreaterThan(0)
      const out = new Uint8Array(big.length)
      expect(c.decompress(cbuf.subarray(0, m), out)).toBe(big.length)
      expect(out).toEqual(big)
      // too small a dst: an error, and no byte of dst written
      const short = new Uint8Array(big.length - 1).fill(0x5a)
      expect(() => c.decompress(cbuf.subarray(0, m), short)).toThrow(/more than the/)
      expect(short.every((b) => b === 0x5a)).toBe(true)
    }
  })

  it('round-trips an empty input and a 64 KiB multi-page chunk', () => {
    const dst = new Uint8Array(16)
    const n = c.compress(new Uint8Array(0), dst)
    expect(n).toBe(5 + trailer)
    expect(c.decompress(dst.subarray(0, n), new Uint8Array(PAGE))).toBe(0)

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

  it.runIf(backend === 'lz4-napi')(
    'speaks lz4-napi’s size-prefixed block format, plus the CRC-32 trailer when on',
    () => {
      const page = textPage(8)
      const dst = new Uint8Array(PAGE)
      const n = c.compress(page, dst)
      const raw = compressSync(Buffer.from(page))
      expect(n).toBe(raw.length + trailer)
      expect(Buffer.from(dst.subarray(0, raw.length)).equals(raw)).toBe(true)
      expect(new Uint8Array(uncompressSync(dst.subarray(0, n - trailer)))).toEqual(page)
      expect(new DataView(dst.buffer).getUint32(0, true)).toBe(PAGE)
    },
  )
})

it.each(backends)('works on views of SharedArrayBuffers (worker-thread staging buffers) on %s', (backend) => {
  const c = lz4({ backend })
  const shared = new Uint8Array(new SharedArrayBuffer(3 * PAGE))
  shared.set(textPage(15), PAGE)
  const block = new Uint8Array(new SharedArrayBuffer(PAGE))
  const n = c.compress(shared.subarray(PAGE, 2 * PAGE), block)
  expect(n).toBeGreaterThan(0)
  expect(c.decompress(block.subarray(0, n), shared.subarray(2 * PAGE))).toBe(PAGE)
  expect(shared.subarray(2 * PAGE)).toEqual(textPage(15))
})

it.each(backends)('wraps a binding failure on compress in CompressionFailedError on %s', (backend) => {
  const c = lz4({ backend })
  // Not a Uint8Array: the binding throws, the driver must translate it.
  expect(() => c.compress(123 as unknown as Uint8Array, new Uint8Array(PAGE))).toThrow(CompressionFailedError)
})
