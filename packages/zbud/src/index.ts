import { Zbud, type ZbudOptions } from './zbud.js'

export {
  CHUNK_SHIFT,
  CHUNK_SIZE,
  MAX_OBJECT_SIZE,
  NCHUNKS,
  Zbud,
  type ZbudOptions,
  ZHDR_SIZE,
} from './zbud.js'

/**
 * Creates a zbud Zpool (`@zswap/core` contract v1): two objects per 4 KiB
 * page, objects up to 4032 bytes.
 * @example
 * const pool = zbud({ maxPages: 1024 })
 * const handle = pool.malloc(compressedLength)
 * pool.write(handle, compressed.subarray(0, compressedLength))
 */
export function zbud(options?: ZbudOptions): Zbud {
  return new Zbud(options)
}
