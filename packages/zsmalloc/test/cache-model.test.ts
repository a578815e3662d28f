import { createZswap, memorySwapDevice } from '@zswap/cache'
import { cacheModelTest } from '@zswap/conformance'
import { faultyCompressor, rleCompressor } from '@zswap/core/testing'
import { zsmalloc } from '../src/index.js'

cacheModelTest('zsmalloc', {
  createZswap,
  memorySwapDevice,
  zpool: () => zsmalloc(),
  compressor: (plan) => faultyCompressor(rleCompressor(), plan),
  maxPagesPerAlloc: 8,
})
