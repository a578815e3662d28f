import { deflateRawSync } from 'node:zlib'
import { randomPage, samplePages, textPage } from '@zswap/conformance'
import { CompressionFailedError, ErrorCode, ZswapError } from '@zswap/core'
import { deflateSync } from 'fflate'
import { describe, expect, it } from 'vitest'
import { CompressStatus, DecodeStatus, type LibdeflateAddon } from '../src/addon.js'
import { deflate } from '../src/index.js'
import { LIBDEFLATE_LEVELS, LibdeflateCodec } from '../src/libdeflate-codec.js'
import { libdeflate } from './engines.js'

const PAGE = 4096

function corruptMessage(fn: () => unknown): string {
  try {
    fn()
  } catch (error) {
    expect(ZswapError.hasCode(error, ErrorCode.CORRUPT_DATA), String(error)).toBe(true)
    return (error as Error).message
  }
  throw new Error('expected CorruptDataError')
}

/** An addon whose every function returns `result` (or throws it), for the codec's error paths. */
function stubAddon(result: number | Error): LibdeflateAddon {
  const fn = () => {
    if (result instanceof Error) throw result
    return result
  }
  return {
    compress: fn,
    compressChecksum: fn,
    decompress: fn,
    decompressChecksum: fn,
    crc32: () => 0,
    libdeflateVersion: 'stub',
    linkage: 'static',
  }
}

describe('libdeflate codec results (stub addon)', () => {
  const page = new Uint8Array(PAGE)

  it.each([
    [DecodeStatus.BAD_DATA, /corrupt or truncated deflate stream/],
    [DecodeStatus.TOO_LONG, /inflates to more than 4096 bytes/],
    [DecodeStatus.SHORT_OUTPUT, /corrupt or truncated deflate stream/],
    [DecodeStatus.CHECKSUM, /CRC-32 mismatch/],
    [DecodeStatus.TRAILING, /bytes follow the end of the deflate stream/],
    [DecodeStatus.EMPTY, /holds no deflate stream/],
    [DecodeStatus.NO_MEMORY, /out of memory/],
  ])('decode status %i is a CorruptDataError: %s', (status, message) => {
    for (const checksum of [true, false]) {
      const codec = new LibdeflateCodec(stubAddon(status), 1, checksum)
      expect(corruptMessage(() => codec.decompress(page, page))).toMatch(message)
    }
  })

  it('an addon exception becomes CorruptDataError on decompress, CompressionFailedError on compress', () => {
    const codec = new LibdeflateCodec(stubAddon(new TypeError('src and dst must be Uint8Arrays')), 1, true)
    expect(corruptMessage(() => codec.decompress(page, page))).toMatch(/unreadable: src and dst/)
    expect(() => codec.compress(page, page)).toThrow(CompressionFailedError)
  })

  it('-1 is "does not fit"; out of memory is CompressionFailedError', () => {
    expect(new LibdeflateCodec(stubAddon(CompressStatus.DOES_NOT_FIT), 1, true).compress(page, page)).toBe(-1)
    const oom = new LibdeflateCodec(stubAddon(CompressStatus.NO_MEMORY), 1, true)
    expect(() => oom.compress(page, page)).toThrow(/out of memory/)
    expect(() => oom.compress(page, page)).toThrow(CompressionFailedError)
  })
})

describe.runIf(libdeflate.available)('libdeflate engine', () => {
  function block(c: ReturnType<typeof deflate>, page: Uint8Array, size = 2 * PAGE): Uint8Array {
    const dst = new Uint8Array(size)
    const n = c.compress(page, dst)
    expect(n).toBeGreaterThan(0)
    return dst.slice(0, n)
  }

  // libdeflate 1.14 wants 8-9 bytes of room past its output: a dst of exactly the block's
  // size made it return "does not fit" (the addon then goes through its scratch buffer)
  it('fits a block into a dst of exactly its size, at every level, with and without the checksum', () => {
    const pages = [textPage(7), ...samplePages().map((p) => p.data)]
    for (const checksum of [true, false]) {
      for (let level = 0; level <= 9; level++) {
        const c = deflate({ engine: 'libdeflate', level, checksum })
        for (const page of pages) {
          const b = block(c, page)
          expect(block(c, page, b.length)).toEqual(b) // scratch path: same bytes as straight into dst
          expect(c.compress(page, new Uint8Array(b.length - 1))).toBe(-1)
        }
      }
    }
  })

  it('round-trips inputs larger than its 64 KiB scratch buffer through a dst below the bound', () => {
    const big = new Uint8Array(75 * PAGE)
    for (let i = 0; i < big.length; i += PAGE) big.set(i % (3 * PAGE) === 0 ? randomPage(i) : textPage(i), i)
    const c = deflate({ engine: 'libdeflate', level: 1 })
    const wide = block(c, big, big.length + 1024)
    const tight = block(c, big, wide.length)
    expect(tight).toEqual(wide)
    const out = new Uint8Array(big.length)
    expect(c.decompress(tight, out)).toBe(big.length)
    expect(out).toEqual(big)
  })

  it('reports every kind of malformed input as CorruptDataError', () => {
    const plain = deflate({ engine: 'libdeflate', checksum: false })
    const crc = deflate({ engine: 'libdeflate' })
    const out = new Uint8Array(PAGE)
    // BTYPE 11 is reserved: LIBDEFLATE_BAD_DATA
    expect(corruptMessage(() => plain.decompress(new Uint8Array([0x07, 0, 0, 0]), out))).toMatch(
      /corrupt or truncated/,
    )
    // a stored block whose LEN is not the complement of NLEN
    expect(
      corruptMessage(() => plain.decompress(new Uint8Array([1, 5, 0, 0xfb, 0xff, 1, 2, 3, 4, 5]), out)),
    ).toMatch(/corrupt or truncated/)
    // a stream cut short: LIBDEFLATE_BAD_DATA
    const b = block(plain, textPage(3))
    expect(corruptMessage(() => plain.decompress(b.subarray(0, b.length >> 1), out))).toMatch(
      /corrupt or truncated/,
    )
    // more output than dst: LIBDEFLATE_INSUFFICIENT_SPACE
    expect(corruptMessage(() => plain.decompress(b, new Uint8Array(PAGE - 1)))).toMatch(
      /more than 4095 bytes/,
    )
    // a stream shorter than its block
    const longer = new Uint8Array(b.length + 2)
    longer.set(b)
    expect(corruptMessage(() => plain.decompress(longer, out))).toMatch(/bytes follow the end/)
    // nothing before the trailer
    expect(corruptMessage(() => crc.decompress(new Uint8Array(4), out))).toMatch(/holds no deflate stream/)
    expect(corruptMessage(() => plain.decompress(new Uint8Array(0), out))).toMatch(/holds no deflate stream/)
    // a trailer that is not the page's CRC-32
    const c = block(crc, textPage(3))
    c[c.length - 1] ^= 0x10
    expect(corruptMessage(() => crc.decompress(c, out))).toMatch(/CRC-32 mismatch/)
  })

  it('decodes zlib streams at every level, and level 0 writes stored blocks', () => {
    const c = deflate({ engine: 'libdeflate', checksum: false })
    const src = textPage(11)
    for (let level = 0; level <= 9; level++) {
      const out = new Uint8Array(PAGE)
      expect(c.decompress(deflateRawSync(src, { level }), out)).toBe(PAGE)
      expect(out).toEqual(src)
    }
    const stored = block(deflate({ engine: 'libdeflate', level: 0, checksum: false }), src)
    expect(stored.length).toBeGreaterThan(PAGE)
    expect(stored[0] & 6).toBe(0) // BTYPE 00
  })

  it('maps driver levels 0..9 to libdeflate levels 0..9; level 1 compresses within 2 % of fflate-1', () => {
    expect(LIBDEFLATE_LEVELS).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    const c = deflate({ engine: 'libdeflate', level: 1, checksum: false })
    let ours = 0
    let theirs = 0
    for (const { data } of samplePages()) {
      ours += block(c, data).length
      theirs += deflateSync(data, { level: 1 }).length
    }
    expect(Math.abs(ours / theirs - 1)).toBeLessThan(0.02)
  })

  it('keeps its compressors per thread: many drivers, any order of levels, same bytes', () => {
    const page = textPage(5)
    const first = [1, 6, 9].map((level) => block(deflate({ engine: 'libdeflate', level }), page))
    const again = [9, 6, 1].map((level) => block(deflate({ engine: 'libdeflate', level }), page)).reverse()
    expect(again).toEqual(first)
    const closed = deflate({ engine: 'libdeflate', level: 6 })
    closed.close() // the thread's compressors stay: other drivers go on
    expect(block(deflate({ engine: 'libdeflate', level: 6 }), page)).toEqual(first[1])
  })
})
