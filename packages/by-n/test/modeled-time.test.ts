import { PAGE_SIZE } from '@zswap/core'
import { iaa, modelBatch, SPR } from '@zswap/iaa'
import { lz4 } from '@zswap/lz4'
import { describe, expect, it } from 'vitest'
import { byN } from '../src/index.js'
import { compressJob, decompressJob, object } from './helpers.js'

const K64 = 16 * PAGE_SIZE

describe('byN over an accelerator that models time', () => {
  it("models each object's chunks as one call on the by_n path, objects one after another", async () => {
    const a = byN(iaa({ engines: 2, mode: 'sync', model: 'spr' }), { n: 8 })
    try {
      expect(a.capabilities.timing).toBe('modeled')
      expect(a.timingModel?.name).toBe('spr')
      const jobs = [compressJob(object(16, 1), K64), compressJob(object(16, 2), K64)]
      await a.compressBatch(jobs)
      const one = modelBatch(SPR, 'compress', new Array(8).fill(8192), { path: 'byN' }).batchNs
      expect(jobs[0].error).toBeUndefined()
      expect(jobs[0].modeledNs).toBeCloseTo(one, 6)
      expect(jobs[1].modeledNs).toBeCloseTo(2 * one, 6)
      // a partial load of one page runs one chunk of 8 KiB
      const page = decompressJob(jobs[0].dst.subarray(0, jobs[0].length), PAGE_SIZE)
      page.start = 3 * PAGE_SIZE
      const whole = decompressJob(jobs[1].dst.subarray(0, jobs[1].length), K64)
      await a.decompressBatch([page, whole])
      expect(page.error).toBeUndefined()
      const chunk = modelBatch(SPR, 'decompress', [8192], { path: 'byN' }).batchNs
      expect(page.modeledNs).toBeCloseTo(chunk, 6)
      const all = modelBatch(SPR, 'decompress', new Array(8).fill(8192), { path: 'byN' }).batchNs
      expect(whole.modeledNs).toBeCloseTo(chunk + all, 6)
    } finally {
      await a.close()
    }
  })

  it('an object that runs no chunk (too large) gets 0; over a measured accelerator nothing is modeled', async () => {
    const a = byN(iaa({ engines: 1, mode: 'sync', model: 'spr' }), { n: 4, maxInputSize: K64 })
    const m = byN(lz4(), { n: 4 })
    try {
      const big = compressJob(object(17, 3), K64)
      big.modeledNs = 7
      await a.compressBatch([big])
      expect(big.error?.code).toBe('ERR_INVALID_ARGUMENT')
      expect(big.modeledNs).toBe(0)
      expect(m.capabilities.timing).toBeUndefined()
      expect(m.timingModel).toBeUndefined()
      const j = compressJob(object(16, 4), K64)
      await m.compressBatch([j])
      expect(j.modeledNs).toBeUndefined()
    } finally {
      await a.close()
      await m.close()
    }
  })
})
