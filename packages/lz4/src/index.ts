import { Lz4Compressor, type Lz4Options } from './lz4-compressor.js'

export { type Lz4Capabilities, Lz4Compressor, type Lz4Options } from './lz4-compressor.js'

/**
 * Creates an LZ4 Compressor (`@zswap/core` contract v1) backed by lz4-napi.
 * @example
 * const compressor = lz4()
 * const n = compressor.compress(page, scratch) // -1 when it does not fit
 */
export function lz4(options?: Lz4Options): Lz4Compressor {
  return new Lz4Compressor(options)
}
