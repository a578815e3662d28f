/**
 * Test helpers for driver and cache authors: a reference Zpool, a tiny RLE
 * Compressor and fault-injecting wrappers. Import from `@zswap/core/testing`.
 */
export { type FaultPlan, faultPlan, faultyCompressor, faultySwapDevice, faultyZpool } from './faults.js'
export { type ReferenceZpoolOptions, referenceZpool } from './reference-zpool.js'
export { rleCompressor } from './rle-compressor.js'
