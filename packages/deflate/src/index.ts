import { DeflateCompressor } from './deflate-compressor.js'
import type { DeflateOptions } from './deflate-options.js'

export { DeflateCompressor } from './deflate-compressor.js'
export type { DeflateOptions } from './deflate-options.js'

/**
 * Creates a raw-deflate Compressor (format `'deflate-raw'`, the format Intel
 * IAA speaks), named `deflate-<level>`.
 * @throws TypeError/RangeError (code ERR_INVALID_OPTION) for a bad option.
 */
export function deflate(options?: DeflateOptions): DeflateCompressor {
  return new DeflateCompressor(options)
}
