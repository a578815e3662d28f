import { faultyCompressor, referenceZpool, rleCompressor } from '@zswap/core/testing'
import { describe } from 'vitest'
// The model lives in @zswap/conformance so that every zpool and accelerator
// runs it too; the cache cannot depend on that package (it depends on the
// cache), so its own test imports the source file directly.
import { cacheModelTest } from '../../conformance/src/cache-model.js'
import { createZswap, memorySwapDevice } from '../src/index.js'

describe('model-based', () => {
  cacheModelTest('reference zpool + rle', {
    createZswap,
    memorySwapDevice,
    zpool: () => referenceZpool(),
    compressor: (plan) => faultyCompressor(rleCompressor(), plan),
    maxPagesPerAlloc: 1,
    numRuns: 60,
  })
})
