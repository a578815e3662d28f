import { referenceZpool } from '@zswap/core/testing'
import {
  acceleratorSuite,
  compressorSuite,
  referenceCompressor,
  swapDeviceSuite,
  zpoolSuite,
} from '../src/index.js'
import {
  referenceAccelerator,
  referencePartialAccelerator,
  referenceSwapDevice,
} from './reference-doubles.js'

// The suites run against the reference drivers (referenceZpool is @zswap/core's): each must pass its suite.
compressorSuite('reference-deflate', () => referenceCompressor())
acceleratorSuite('reference-batched (maxBatch 1)', () => referenceAccelerator(referenceCompressor(), 1))
acceleratorSuite('reference-batched (maxBatch 8)', () => referenceAccelerator(referenceCompressor(), 8))
acceleratorSuite('reference-partial (64 KiB objects, maxBatch 4)', () => referencePartialAccelerator(4))
acceleratorSuite(
  'reference-batched (maxBatch 8, shared)',
  () => referenceAccelerator(referenceCompressor(), 8),
  {
    share: true,
  },
)
zpoolSuite('reference', ({ maxPages }) => referenceZpool({ maxPages }))
zpoolSuite('reference (readInPlace)', ({ maxPages }) => referenceZpool({ maxPages, readInPlace: true }))
zpoolSuite('reference (64 KiB objects)', ({ maxPages }) =>
  referenceZpool({ maxPages, maxObjectSize: 16 * 4096 }),
)
swapDeviceSuite('reference-memory', () => referenceSwapDevice(32))
swapDeviceSuite('reference-persistent', () => referenceSwapDevice(32, new Map(), true), {
  reopen: (previous) =>
    referenceSwapDevice(32, (previous as ReturnType<typeof referenceSwapDevice>).store, true),
})
