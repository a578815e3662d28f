import { compressFrameSync } from 'lz4-napi'
import { describe, expect, it } from 'vitest'
import { xxh32 } from '../src/xxh32.js'
import { randomPage } from './pages.js'

const enc = (s: string) => new TextEncoder().encode(s)

describe('xxh32', () => {
  it('matches the reference test vectors', () => {
    expect(xxh32(enc(''), 0)).toBe(0x02cc5d05)
    expect(xxh32(enc('a'), 1)).toBe(0x550d7456)
    expect(xxh32(enc('abc'), 3)).toBe(0x32d153ff)
  })

  it('matches the content checksum of an LZ4 frame for every tail length', () => {
    const page = randomPage(9)
    for (const n of [0, 1, 3, 4, 5, 15, 16, 17, 31, 33, 100, 4095, 4096]) {
      const data = Buffer.from(page.subarray(0, n))
      const frame = compressFrameSync(data, { contentChecksum: true })
      expect(xxh32(data, n)).toBe(frame.readUInt32LE(frame.length - 4))
    }
  })

  it('hashes a view at a non-zero offset like a copy', () => {
    const page = randomPage(10)
    const view = page.subarray(3, 3 + 1000)
    expect(xxh32(view, view.length)).toBe(xxh32(view.slice(), 1000))
  })
})
