import { BrotliCompressor, type BrotliOptions } from './brotli-compressor.js'

export { BrotliCompressor, type BrotliOptions } from './brotli-compressor.js'

/**
 * Creates a brotli Compressor for zswap.ts (contract v1), named `brotli-<quality>`.
 * @throws TypeError/RangeError (code ERR_INVALID_OPTION) for a bad option.
 */
export function brotli(options?: BrotliOptions): BrotliCompressor {
  return new BrotliCompressor(options)
}
