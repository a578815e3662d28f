import { ZstdCompressor } from './zstd-compressor.js'
import type { ZstdOptions } from './zstd-options.js'

export { type TrainDictionaryOptions, trainDictionary } from './train-dictionary.js'
export { type ZstdCapabilities, ZstdCompressor } from './zstd-compressor.js'
export type { ZstdOptions } from './zstd-options.js'

/**
 * Creates a zstd Compressor (format `'zstd'`), named `zstd-<level>`.
 * @throws TypeError/RangeError (code ERR_INVALID_OPTION) for a bad option.
 * @example
 * const c = zstd({ level: 1 })
 * const n = c.compress(page, dst) // -1 when it does not fit
 */
export function zstd(options?: ZstdOptions): ZstdCompressor {
  return new ZstdCompressor(options)
}
