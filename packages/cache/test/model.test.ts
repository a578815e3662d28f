import { PAGE_SIZE } from '@zswap/core'
import { faultyCompressor, referenceZpool, rleCompressor } from '@zswap/core/testing'
import { describe } from 'vitest'
// The model lives in @zswap/conformance so that every zpool and accelerator
// runs it too; the cache cannot depend on that package (it depends on the
// cache), so its own test imports the source file directly — and the
// drivers' sources likewise.
import { byN } from '../../by-n/src/index.js'
import { cacheModelTest } from '../../conformance/src/cache-model.js'
import { zsmalloc } from '../../zsmalloc/src/index.js'
import { createZswap, memorySwapDevice } from '../src/index.js'

describe('model-based', () => {
  for (const objectPages of [1, 4, 16] as const) {
    cacheModelTest(`reference zpool + rle, objectPages ${objectPages}`, {
      createZswap,
      memorySwapDevice,
      zpool: () => referenceZpool({ maxObjectSize: objectPages * PAGE_SIZE }),
      compressor: (plan) => faultyCompressor(rleCompressor(), plan),
      // the reference zpool counts ceil(bytes / PAGE_SIZE) pages per object
      maxPagesPerAlloc: objectPages,
      objectPages,
      numRuns: objectPages === 1 ? 60 : 40,
    })
  }
  cacheModelTest('zsmalloc (multi-page) + by_n(rle, 16), objectPages 16', {
    createZswap,
    memorySwapDevice,
    zpool: () => zsmalloc({ multiPage: true }),
    compressor: (plan) => byN(faultyCompressor(rleCompressor(), plan), { n: 16 }),
    // a multi-page zspage: up to 16 + chainSize - 1 pages
    maxPagesPerAlloc: 24,
    objectPages: 16,
    compressCallsPerObject: 16,
    numRuns: 25,
  })
})
