import { createZswap, memorySwapDevice } from '@zswap/cache'
import { cacheModelTest } from '@zswap/conformance'
import { faultyCompressor, rleCompressor } from '@zswap/core/testing'
import { z3fold } from '../src/index.js'

cacheModelTest('z3fold', {
  createZswap,
  memorySwapDevice,
  zpool: () => z3fold(),
  compressor: (plan) => faultyCompressor(rleCompressor(), plan),
  maxPagesPerAlloc: 1,
})
