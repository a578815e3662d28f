import type { Compressor } from '@zswap/core'
import { deflateSync, inflateSync } from 'fflate'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type IaaDevice, iaa } from '../src/index.js'
import { compressiblePage, compressJob, decompressJob, equal, PAGE } from './helpers.js'

/**
 * @zswap/deflate when it is built (a sibling package, not a dependency of this one);
 * otherwise an equivalent raw-deflate codec on fflate, so the test always decodes both ways.
 */
async function rawDeflate(): Promise<{ name: string; codec: Pick<Compressor, 'compress' | 'decompress'> }> {
  const spec = '../../deflate/dist/index.js'
  const mod = (await import(/* @vite-ignore */ spec).catch(() => undefined)) as
    | { deflate: (o: { level: number }) => Compressor }
    | undefined
  if (mod) return { name: '@zswap/deflate', codec: mod.deflate({ level: 6 }) }
  return {
    name: 'fflate',
    codec: {
      compress: (src, dst) => {
        const out = deflateSync(src, { level: 6 })
        if (out.length > dst.length) return -1
        dst.set(out)
        return out.length
      },
      decompress: (src, dst) => inflateSync(src, { out: dst }).length,
    },
  }
}

describe('cross-decoding with another raw-deflate codec', () => {
  let device: IaaDevice
  beforeAll(() => {
    device = iaa({ engines: 2 })
  })
  afterAll(() => device.close())

  it('the other codec decodes what the device made, and the device decodes what it made', async () => {
    const { codec } = await rawDeflate()
    expect(device.capabilities.format).toBe('deflate-raw')
    const pages = Array.from({ length: 8 }, (_, i) => compressiblePage(300 + i))
    const jobs = pages.map((p) => compressJob(p))
    await device.compressBatch(jobs)
    for (let i = 0; i < 8; i++) {
      const out = new Uint8Array(PAGE)
      expect(codec.decompress(jobs[i].dst.subarray(0, jobs[i].length), out)).toBe(PAGE)
      expect(equal(out, pages[i])).toBe(true)
    }
    const blocks = pages.map((p) => {
      const dst = new Uint8Array(2 * PAGE)
      return dst.subarray(0, codec.compress(p, dst))
    })
    const back = blocks.map((b) => decompressJob(b))
    await device.decompressBatch(back)
    for (let i = 0; i < 8; i++) {
      expect(back[i].error).toBeUndefined()
      expect(equal(back[i].dst, pages[i])).toBe(true)
    }
  })
})
