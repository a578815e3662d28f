import { Z3fold } from './z3fold.js'
import type { Z3foldOptions } from './z3fold-options.js'

export {
  BIG_CHUNK_GAP,
  CHUNK_SHIFT,
  CHUNK_SIZE,
  MAX_BUDDY_SIZE,
  META_BYTES_PER_OBJECT,
  META_BYTES_PER_PAGE,
  NCHUNKS,
  TOTAL_CHUNKS,
  Z3fold,
  ZHDR_CHUNKS,
} from './z3fold.js'
export type { Z3foldOptions } from './z3fold-options.js'

/**
 * Creates a z3fold pool (`@zswap/core` Zpool contract v1): up to three
 * objects per 4 KiB page, objects up to 4096 bytes (above 3968 on a page of
 * their own).
 * @example
 * const pool = z3fold({ maxPages: 65536 })
 * const handle = pool.malloc(compressed.length)
 * pool.write(handle, compressed)
 * @throws RangeError/TypeError (code ERR_INVALID_OPTION) for a bad option.
 */
export function z3fold(options?: Z3foldOptions): Z3fold {
  return new Z3fold(options)
}
