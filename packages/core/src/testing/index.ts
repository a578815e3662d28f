/**
 * Test helpers for driver and cache authors: a reference Zpool, a tiny RLE
 * Compressor, fault-injecting wrappers and `thrown`. Import from `@zswap/core/testing`.
 */
export { arenaOptionErrors } from './arena-option-errors.js'
export { type FaultPlan, faultPlan, faultyCompressor, faultySwapDevice, faultyZpool } from './faults.js'
export { type ReferenceZpoolOptions, referenceZpool } from './reference-zpool.js'
export { rleCompressor } from './rle-compressor.js'
export { thrown } from './thrown.js'
