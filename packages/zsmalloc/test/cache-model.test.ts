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

// multi-page objects: classes above a page, zspages of up to 16 + chainSize - 1 pages
for (const objectPages of [4, 16] as const) {
  cacheModelTest(`zsmalloc (multiPage), objectPages ${objectPages}`, {
    createZswap,
    memorySwapDevice,
    zpool: () => zsmalloc({ multiPage: true }),
    compressor: (plan) => faultyCompressor(rleCompressor(), plan),
    maxPagesPerAlloc: objectPages + 8,
    objectPages,
  })
}
