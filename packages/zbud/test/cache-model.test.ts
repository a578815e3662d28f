import { createZswap, memorySwapDevice } from '@zswap/cache'
import { cacheModelTest } from '@zswap/conformance'
import { faultyCompressor, rleCompressor } from '@zswap/core/testing'
import { zbud } from '../src/index.js'

cacheModelTest('zbud', {
  createZswap,
  memorySwapDevice,
  zpool: () => zbud(),
  compressor: (plan) => faultyCompressor(rleCompressor(), plan),
  maxPagesPerAlloc: 1,
})
