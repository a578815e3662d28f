import { DeflateCompressor } from './deflate-compressor.js'
import type { DeflateOptions } from './deflate-options.js'

export { type DeflateCapabilities, DeflateCompressor } from './deflate-compressor.js'
export type { DeflateEngineName, DeflateOptions } from './deflate-options.js'

/**
 * Creates a raw-deflate Compressor (the format Intel IAA speaks), named
 * `deflate-<level>` (`deflate-<level>-fflate` on the fflate engine). Blocks
 * carry a CRC-32 of the page by default (format `'deflate-raw+crc32'`);
 * `checksum: false` gives bare raw deflate (`'deflate-raw'`).
 * @throws TypeError/RangeError (code ERR_INVALID_OPTION) for a bad option.
 * @example
 * const c = deflate({ level: 1 })
 * const n = c.compress(page, dst) // -1 when it does not fit
 */
export function deflate(options?: DeflateOptions): DeflateCompressor {
  return new DeflateCompressor(options)
}
