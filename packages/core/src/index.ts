export type {
  Accelerator,
  AcceleratorCapabilities,
  CompressJob,
  DecompressJob,
  TimingModel,
  TimingPath,
} from './accelerator.js'
export type { Compressor, CompressorCapabilities } from './compressor.js'
export { compressorAccelerator, isAccelerator, toAccelerator } from './compressor-accelerator.js'
export { crc32, crc32Table } from './crc32.js'
export {
  AcceleratorError,
  BusyError,
  ClosedError,
  CompressionFailedError,
  CorruptDataError,
  ErrorCode,
  InsecureSwapFileError,
  InvalidArgumentError,
  InvalidHandleError,
  invalidOption,
  ObjectTooLargeError,
  OutOfRangeError,
  SwapIoError,
  TimeoutError,
  UnknownCgroupError,
  UnsupportedSpecificationError,
  ZpoolFullError,
  ZswapError,
} from './errors.js'
export {
  assertFolio,
  assertFolioFields,
  assertSwapEntry,
  createFolio,
  type Folio,
  type FolioFields,
  folioPages,
  MAX_FOLIO_ORDER,
  MAX_SWAP_OFFSET,
  MAX_SWAP_TYPES,
  PAGE_SHIFT,
  PAGE_SIZE,
  readFolio,
  type SwapEntry,
  swapEntry,
} from './page.js'
export { PageArena, type PageArenaOptions, zpoolArena } from './page-arena.js'
export { assertSpecification, SPECIFICATION_VERSION, type SpecificationVersion } from './specification.js'
export type { SwapDevice, SwapDeviceCapabilities } from './swap-device.js'
export type { Zpool, ZpoolCapabilities } from './zpool.js'
export { assertAllocSize, assertCopyFits, assertReadInPlace, growTypedArray } from './zpool-guards.js'
