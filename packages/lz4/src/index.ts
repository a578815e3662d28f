import { loadAddon } from './addon.js'
import { Lz4Compressor, type Lz4Options } from './lz4-compressor.js'

export type { Lz4Backend } from './codec.js'
export { type Lz4Capabilities, Lz4Compressor, type Lz4Options } from './lz4-compressor.js'

/**
 * Creates an LZ4 Compressor (`@zswap/core` contract v1), on the reference C
 * library (liblz4) when this package's addon is built, else on lz4-napi.
 * @example
 * const compressor = lz4() // { backend: 'auto', checksum: true }
 * compressor.capabilities.backend // 'liblz4' or 'lz4-napi'
 * const n = compressor.compress(page, scratch) // -1 when it does not fit
 */
export function lz4(options?: Lz4Options): Lz4Compressor {
  return new Lz4Compressor(options)
}

/**
 * Whether the liblz4 addon loaded in this thread, and if not, why. `addonPath`
 * is the binary that loaded: under `prebuilds/` the one shipped in the package,
 * under `build/Release` one built from source.
 * @example
 * const { available, reason } = liblz4Status()
 */
export function liblz4Status(): {
  available: boolean
  reason?: string
  lz4Version?: string
  crc32Implementation?: string
  addonPath?: string
} {
  const { addon, error, path } = loadAddon()
  return addon
    ? {
        available: true,
        lz4Version: addon.lz4Version,
        crc32Implementation: addon.crc32Implementation,
        addonPath: path,
      }
    : { available: false, reason: error.message.split('\n')[0] }
}
