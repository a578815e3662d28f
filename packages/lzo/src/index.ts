import { loadAddon } from './addon.js'
import { LzoCompressor, type LzoOptions } from './lzo-compressor.js'

export type { LzoBackend } from './codec.js'
export { type LzoCapabilities, LzoCompressor, type LzoOptions } from './lzo-compressor.js'

/**
 * Creates an LZO1X-1 Compressor (`@zswap/core` contract v1) on liblzo2, the
 * format of the kernel's `lzo` compressor.
 * @throws CompressionFailedError (`ERR_COMPRESSION_FAILED`) when this
 * package's addon is not built; its message says how to build it.
 * @example
 * const compressor = lzo() // { checksum: true }
 * const kernelBytes = lzo({ checksum: false }) // the kernel's object sizes
 * const n = compressor.compress(page, scratch) // -1 when it does not fit
 */
export function lzo(options?: LzoOptions): LzoCompressor {
  return new LzoCompressor(options)
}

/**
 * Whether the liblzo2 addon loaded in this thread, and if not, why.
 * @example
 * const { available, reason } = liblzo2Status()
 */
export function liblzo2Status(): {
  available: boolean
  reason?: string
  lzoVersion?: string
  crc32Implementation?: string
} {
  const { addon, error } = loadAddon()
  return addon
    ? { available: true, lzoVersion: addon.lzoVersion, crc32Implementation: addon.crc32Implementation }
    : { available: false, reason: error.message.split('\n')[0] }
}
