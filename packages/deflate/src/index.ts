import { loadAddon } from './addon.js'
import { DeflateCompressor } from './deflate-compressor.js'
import type { DeflateOptions } from './deflate-options.js'

export { type DeflateCapabilities, DeflateCompressor } from './deflate-compressor.js'
export type { DeflateEngineName, DeflateOptions } from './deflate-options.js'

/**
 * Creates a raw-deflate Compressor (the format Intel IAA speaks), named
 * `deflate-<level>` (`deflate-<level>-fflate` on the fflate engine), on
 * libdeflate when this package's addon is built, else on Node's zlib
 * (`capabilities.engine` says which). Blocks carry a CRC-32 of the page by
 * default (format `'deflate-raw+crc32'`); `checksum: false` gives bare raw
 * deflate (`'deflate-raw'`).
 * @throws TypeError/RangeError (code ERR_INVALID_OPTION) for a bad option.
 * @example
 * const c = deflate({ level: 1 })
 * c.capabilities.engine // 'libdeflate' or 'zlib'
 * const n = c.compress(page, dst) // -1 when it does not fit
 */
export function deflate(options?: DeflateOptions): DeflateCompressor {
  return new DeflateCompressor(options)
}

/**
 * Whether the libdeflate addon loaded in this thread, and if not, why.
 * `addonPath` is the binary that loaded: under `prebuilds/` the one shipped in
 * the package, under `build/Release` one built from source.
 * @example
 * const { available, reason } = libdeflateStatus()
 */
export function libdeflateStatus(): {
  available: boolean
  reason?: string
  libdeflateVersion?: string
  addonPath?: string
} {
  const { addon, error, path } = loadAddon()
  return addon
    ? { available: true, libdeflateVersion: addon.libdeflateVersion, addonPath: path }
    : { available: false, reason: error.message.split('\n')[0] }
}
