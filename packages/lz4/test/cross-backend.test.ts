import { crc32 } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { lz4 } from '../src/index.js'
import { liblz4 } from './backends.js'
import { heapPage, PAGE, samples, textPage } from './pages.js'

// Data written by either backend loads with the other: same wire format both ways.
describe.runIf(liblz4.available).each([true, false])('liblz4 ⇄ lz4-napi (checksum: %s)', (checksum) => {
  const pairs = [
    ['liblz4', 'lz4-napi'],
    ['lz4-napi', 'liblz4'],
  ] as const
  const pages: [string, Uint8Array][] = [
    ...samples.map(([name, make]) => [name, make()] as [string, Uint8Array]),
    ...Array.from({ length: 8 }, (_, i) => [`text ${i}`, textPage(40 + i)] as [string, Uint8Array]),
    ...Array.from({ length: 8 }, (_, i) => [`heap ${i}`, heapPage(60 + i)] as [string, Uint8Array]),
  ]

  it.each(pairs)('what %s writes, %s reads', (writer, reader) => {
    const w = lz4({ backend: writer, checksum })
    const r = lz4({ backend: reader, checksum })
    for (const [name, page] of pages) {
      const block = new Uint8Array(2 * PAGE)
      const n = w.compress(page, block)
      expect(n, name).toBeGreaterThan(0)
      const out = new Uint8Array(PAGE)
      expect(r.decompress(block.subarray(0, n), out), name).toBe(PAGE)
      expect(out, name).toEqual(page)
    }
  })

  it.each(
    pairs,
  )('a flipped bit in what %s writes is caught by %s when the checksum is on', (writer, reader) => {
    const w = lz4({ backend: writer, checksum })
    const r = lz4({ backend: reader, checksum })
    const page = textPage(3)
    const block = new Uint8Array(2 * PAGE)
    const n = w.compress(page, block)
    let caught = 0
    let wrong = 0
    for (let bit = 0; bit < n * 8; bit += 7) {
      const bad = block.slice(0, n)
      bad[bit >> 3] ^= 1 << (bit & 7)
      try {
        r.decompress(bad, new Uint8Array(PAGE))
        wrong++
      } catch {
        caught++
      }
    }
    if (checksum) expect(wrong).toBe(0)
    expect(caught).toBeGreaterThan(0)
  })

  it('both backends write the same size prefix and trailer layout', () => {
    const page = textPage(9)
    for (const backend of ['liblz4', 'lz4-napi'] as const) {
      const block = new Uint8Array(2 * PAGE)
      const n = lz4({ backend, checksum }).compress(page, block)
      const view = new DataView(block.buffer)
      expect(view.getUint32(0, true)).toBe(PAGE)
      if (checksum) {
        expect(view.getUint32(n - 4, true)).toBe(crc32(block.subarray(0, n - 4)) >>> 0)
      }
    }
  })
})
