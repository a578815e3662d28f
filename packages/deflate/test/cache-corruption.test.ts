import { createZswap } from '@zswap/cache'
import { samplePages } from '@zswap/conformance'
import { createFolio, type Zpool } from '@zswap/core'
import { referenceZpool } from '@zswap/core/testing'
import { describe, expect, it } from 'vitest'
import { deflate } from '../src/index.js'

/** A zpool whose reads flip one bit of the object (bit `flip.at` modulo its size) while `flip.on`. */
function bitFlippingZpool(flip: { on: boolean; at: number }): Zpool {
  const inner = referenceZpool()
  return {
    ...inner,
    get totalPages() {
      return inner.totalPages
    },
    read(handle, dst) {
      inner.read(handle, dst)
      if (!flip.on) return
      const bit = flip.at % (dst.length * 8)
      dst[bit >> 3] ^= 1 << (bit & 7)
    },
  }
}

// Issue 10: with deflate, a bit changed in a stored object loaded back as a wrong page
describe('deflate behind the cache, with a zpool that corrupts what it reads', () => {
  it('a load gives the page or false (decompress_fail), never a wrong page', async () => {
    const flip = { on: false, at: 0 }
    const zswap = createZswap({
      compressor: deflate({ level: 1 }),
      zpool: bitFlippingZpool(flip),
      ramBytes: 1 << 30,
    })
    const pages = samplePages()
      .filter((p) => p.kind !== 'random')
      .map((p) => p.data)
    let failed = 0
    let loads = 0
    try {
      for (let round = 0; round < 24; round++) {
        flip.on = false
        for (let i = 0; i < pages.length; i++) {
          expect(await zswap.store(createFolio({ type: 0, offset: i }, 0, pages[i].slice()))).toBe(true)
        }
        flip.on = true
        for (let i = 0; i < pages.length; i++) {
          flip.at = round * 97 + i * 31
          const into = createFolio({ type: 0, offset: i }, 0)
          loads++
          if (await zswap.load(into)) expect(into.data, `page ${i}, bit ${flip.at}`).toEqual(pages[i])
          else {
            failed++
            await zswap.invalidate({ type: 0, offset: i })
          }
        }
      }
      expect(zswap.stats().decompress_fail).toBe(failed)
      expect(failed / loads).toBeGreaterThan(0.8)
    } finally {
      await zswap.close()
    }
  })
})
