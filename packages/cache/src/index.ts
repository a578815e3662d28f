export { ROOT_CGROUP } from './cgroups.js'
export type { AcceleratorTime } from './counters.js'
export { INDEX_CHUNK_SLOTS } from './entry-table.js'
export { type FileSwapDeviceOptions, fileSwapDevice } from './file-swap-device.js'
export { type MemorySwapDeviceOptions, memorySwapDevice } from './memory-swap-device.js'
export {
  type CgroupOptions,
  type CgroupStats,
  ORDER_LABELS,
  type ZswapOptions,
  type ZswapParams,
  type ZswapStats,
} from './options.js'
export { isZeroFilled } from './zero-map.js'
export { createZswap, Zswap } from './zswap.js'
