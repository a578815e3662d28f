import { loadAddon } from './addon.js'
import { LzoCompressor, type LzoOptions } from './lzo-compressor.js'

export type { LzoAlgorithm, LzoBackend } from './codec.js'
export { type LzoCapabilities, LzoCompressor, type LzoOptions } from './lzo-compressor.js'

/**
 * Creates an LZO1X-1 Compressor (`@zswap/core` contract v1) on liblzo2, the
 * format of the kernel's `lzo` compressor.
 * @throws CompressionFailedError (`ERR_COMPRESSION_FAILED`) when this
 * package's addon does not load (no prebuilt binary for this platform and
 * none built from source); its message says how to build it.
 * @example
 * const compressor = lzo() // { checksum: true }
 * const kernelBytes = lzo({ checksum: false }) // the kernel's object sizes
 * const n = compressor.compress(page, scratch) // -1 when it does not fit
 */
export function lzo(options?: LzoOptions): LzoCompressor {
  return new LzoCompressor(options)
}

/**
 * Creates an lzo-rle Compressor: the kernel's `lzo-rle` (zram's default),
 * LZO1X-1 with runs of zero bytes coded in one instruction. Same as
 * `lzo({ ...options, algorithm: 'lzo-rle' })`.
 * @throws CompressionFailedError (`ERR_COMPRESSION_FAILED`) when this
 * package's addon is not built.
 * @example
 * const compressor = lzoRle({ checksum: false }) // the kernel's lzo-rle bytes
 */
export function lzoRle(options?: Omit<LzoOptions, 'algorithm'>): LzoCompressor {
  return new LzoCompressor({ ...options, algorithm: 'lzo-rle' })
}

/**
 * Whether the liblzo2 addon loaded in this thread, and if not, why. `addonPath`
 * is the binary that loaded: under `prebuilds/` the one shipped in the package,
 * under `build/Release` one built from source.
 * @example
 * const { available, reason } = liblzo2Status()
 */
export function liblzo2Status(): {
  available: boolean
  reason?: string
  lzoVersion?: string
  crc32Implementation?: string
  addonPath?: string
} {
  const { addon, error, path } = loadAddon()
  return addon
    ? {
        available: true,
        lzoVersion: addon.lzoVersion,
        crc32Implementation: addon.crc32Implementation,
        addonPath: path,
      }
    : { available: false, reason: error.message.split('\n')[0] }
}
