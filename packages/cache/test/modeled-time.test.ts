import {
  type Accelerator,
  type CompressJob,
  compressorAccelerator,
  type DecompressJob,
  PAGE_SIZE,
  SPECIFICATION_VERSION,
} from '@zswap/core'
import { referenceZpool, rleCompressor } from '@zswap/core/testing'
import { describe, expect, it } from 'vitest'
import { createZswap } from '../src/index.js'
import { emptyFolio, folioAt } from './fixtures.js'

/** An accelerator whose time is "modeled": job i of a batch takes 1000·(i+1) ns (compress) or 500·(i+1) ns. */
function modeledAccelerator(maxBatch: number): Accelerator {
  const inner = compressorAccelerator(rleCompressor())
  const callNs = (direction: 'compress' | 'decompress', _bytes: ArrayLike<number>, count: number) =>
    (direction === 'compress' ? 1000 : 500) * count
  return {
    specificationVersion: SPECIFICATION_VERSION,
    name: 'modeled',
    capabilities: { maxBatch, format: rleCompressor().capabilities.format, timing: 'modeled' },
    timingModel: { name: 'toy', callNs },
    async compressBatch(jobs: readonly CompressJob[], count = jobs.length) {
      for (let i = 0; i < count; i++) {
        await inner.compressBatch([jobs[i]])
        jobs[i].modeledNs = 1000 * (i + 1)
      }
    },
    async decompressBatch(jobs: readonly DecompressJob[], count = jobs.length) {
      for (let i = 0; i < count; i++) {
        await inner.decompressBatch([jobs[i]])
        jobs[i].modeledNs = 500 * (i + 1)
      }
    },
    close: () => inner.close(),
  }
}

describe('an accelerator whose time is modeled', () => {
  it('the cache sums each batch’s slowest job as modeled time, beside the measured wait', async () => {
    const z = createZswap({
      accelerator: modeledAccelerator(4),
      zpool: referenceZpool(),
      ramBytes: 1 << 30,
      mthpEnabled: true,
    })
    try {
      expect(z.stats().accelerator_time).toBeUndefined()
      // one folio of 8 pages: two compress batches of 4
      expect(await z.store(folioAt(0, 3))).toBe(true)
      const t = z.acceleratorTime
      expect(t.model).toBe('toy')
      expect(t.compressBatches).toBe(2)
      expect(t.compressModeledNs).toBe(2 * 4000)
      expect(t.compressWaitNs).toBeGreaterThan(0)
      const out = emptyFolio(0, 3)
      expect(await z.load(out)).toBe(true)
      expect(t.decompressBatches).toBe(2)
      expect(t.decompressModeledNs).toBe(2 * 2000)
      expect(z.stats().accelerator_time).toMatchObject({
        model: 'toy',
        compress_batches: 2,
        compress_modeled_ns: 8000,
        decompress_batches: 2,
        decompress_modeled_ns: 4000,
      })
      expect(out.data.length).toBe(8 * PAGE_SIZE)
    } finally {
      await z.close()
    }
  })

  it('a measured accelerator leaves the accelerator time at zero', async () => {
    const z = createZswap({
      compressor: rleCompressor(),
      zpool: referenceZpool(),
      ramBytes: 1 << 30,
      mthpEnabled: true,
    })
    try {
      await z.store(folioAt(0, 2))
      await z.load(emptyFolio(0, 2))
      expect(z.acceleratorTime.compressBatches + z.acceleratorTime.decompressBatches).toBe(0)
      expect(z.stats().accelerator_time).toBeUndefined()
    } finally {
      await z.close()
    }
  })
})
