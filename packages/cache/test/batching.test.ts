import {
  type Accelerator,
  type CompressJob,
  type Compressor,
  compressorAccelerator,
  createFolio,
  type DecompressJob,
  PAGE_SIZE,
  SPECIFICATION_VERSION,
} from '@zswap/core'
import { referenceZpool, rleCompressor } from '@zswap/core/testing'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createZswap } from '../src/index.js'
import { emptyFolio, folioAt, randomPage } from './fixtures.js'

/** An accelerator of maxBatch n over a compressor, recording the size of every batch it is given. */
function recordingAccelerator(maxBatch: number, compressor: Compressor = rleCompressor()) {
  const inner = compressorAccelerator(compressor)
  const compressBatches: number[] = []
  const decompressBatches: number[] = []
  const accel: Accelerator = {
    specificationVersion: SPECIFICATION_VERSION,
    name: `batch-${maxBatch}`,
    capabilities: { maxBatch, format: compressor.capabilities.format },
    async compressBatch(jobs: readonly CompressJob[], count = jobs.length) {
      expect(count).toBeLessThanOrEqual(maxBatch)
      compressBatches.push(count)
      for (let i = 0; i < count; i++) await inner.compressBatch([jobs[i]])
    },
    async decompressBatch(jobs: readonly DecompressJob[], count = jobs.length) {
      expect(count).toBeLessThanOrEqual(maxBatch)
      decompressBatches.push(count)
      for (let i = 0; i < count; i++) await inner.decompressBatch([jobs[i]])
    },
    close: () => inner.close(),
  }
  return { accel, compressBatches, decompressBatches }
}

describe('batching onto an accelerator', () => {
  it('compresses the pages of a large folio in batches of maxBatch', async () => {
    const { accel, compressBatches } = recordingAccelerator(8)
    const cache = createZswap({ accelerator: accel, zpool: referenceZpool(), mthpEnabled: true })
    expect(await cache.store(folioAt(0, 4))).toBe(true)
    expect(compressBatches).toEqual([8, 8])
  })

  it('storeBatch batches across folios (the swap write plug), each folio all-or-nothing (incompressible reject)', async () => {
    const { accel, compressBatches } = recordingAccelerator(8)
    const cache = createZswap({
      accelerator: accel,
      zpool: referenceZpool(),
      mthpEnabled: true,
      incompressible: 'reject',
    })
    const bad = folioAt(8, 1)
    bad.data.set(randomPage(1), PAGE_SIZE)
    const folios = [folioAt(0), folioAt(1), folioAt(2, 2), bad, folioAt(16, 3), folioAt(32)]
    expect(await cache.storeBatch(folios)).toEqual([true, true, true, false, true, true])
    expect(compressBatches).toEqual([8, 8, 1]) // 1+1+4+2+8+1 = 17 pages
    expect(cache.stats().stored_pages).toBe(15)
  })

  it('loadBatch decompresses a readahead window in batches', async () => {
    const { accel, decompressBatches } = recordingAccelerator(8)
    const cache = createZswap({ accelerator: accel, zpool: referenceZpool() })
    for (let i = 0; i < 12; i++) await cache.store(folioAt(i))
    const window = Array.from({ length: 12 }, (_, i) => emptyFolio(i))
    expect(await cache.loadBatch(window)).toEqual(new Array(12).fill(true))
    expect(decompressBatches).toEqual([8, 4])
    for (let i = 0; i < 12; i++) expect(window[i].data).toEqual(folioAt(i).data)
  })

  it('gives the same results and stats with maxBatch 1 and maxBatch 8', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({ offset: fc.nat(40), order: fc.nat(3), poor: fc.boolean(), load: fc.boolean() }),
          { maxLength: 20 },
        ),
        async (ops) => {
          const outcomes: unknown[] = []
          for (const maxBatch of [1, 8]) {
            const { accel } = recordingAccelerator(maxBatch)
            const cache = createZswap({ accelerator: accel, zpool: referenceZpool(), mthpEnabled: true })
            const results: boolean[] = []
            for (const op of ops) {
              if (op.load) {
                results.push(await cache.load(emptyFolio(op.offset, op.order)))
                continue
              }
              const folio = folioAt(op.offset, op.order)
              if (op.poor) folio.data.set(randomPage(op.offset), 0)
              results.push(await cache.store(folio))
            }
            outcomes.push({ results, stats: cache.stats() })
          }
          expect(outcomes[1]).toEqual(outcomes[0])
        },
      ),
      { numRuns: 50 },
    )
  })

  it('switching to an accelerator with a larger maxBatch while a store is in flight', async () => {
    const inner = compressorAccelerator(rleCompressor())
    let release: () => void = () => {}
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    let calls = 0
    let blocked: () => void = () => {}
    const reachedSecond = new Promise<void>((resolve) => {
      blocked = resolve
    })
    const slow: Accelerator = {
      ...inner,
      async compressBatch(jobs, count) {
        // hold the batch of page 2 of the folio until the compressor has been switched
        if (++calls === 3) {
          blocked()
          await gate
        }
        return inner.compressBatch(jobs, count)
      },
    }
    const cache = createZswap({ accelerator: slow, zpool: referenceZpool(), mthpEnabled: true })
    const folio = folioAt(0, 2)
    const storing = cache.store(folio)
    await reachedSecond
    cache.setCompressor(recordingAccelerator(8).accel) // new staging for later operations
    release()
    expect(await storing).toBe(true)
    expect(await cache.store(folioAt(8, 3))).toBe(true)
    const out = emptyFolio(0, 2)
    expect(await cache.load(out)).toBe(true)
    expect(out.data).toEqual(folio.data)
    const out8 = emptyFolio(8, 3)
    expect(await cache.load(out8)).toBe(true)
    expect(out8.data).toEqual(folioAt(8, 3).data)
  })

  it('a software compressor (maxBatch 1) gets one batch per page', async () => {
    let batches = 0
    const inner = compressorAccelerator(rleCompressor())
    const accel: Accelerator = {
      ...inner,
      compressBatch(jobs, count) {
        batches++
        return inner.compressBatch(jobs, count)
      },
    }
    const cache = createZswap({ accelerator: accel, zpool: referenceZpool(), mthpEnabled: true })
    await cache.store(createFolio({ type: 0, offset: 0 }, 2, folioAt(0, 2).data))
    expect(batches).toBe(4)
  })
})
