import { Zsmalloc } from './zsmalloc.js'
import type { ZsmallocOptions } from './zsmalloc-options.js'

export {
  buildClassTable,
  type ClassTable,
  MAX_CHAIN_SIZE,
  MIN_CHAIN_SIZE,
  sizeClassIndex,
  ZS_HANDLE_SIZE,
  ZS_MAX_ALLOC_SIZE,
  ZS_MIN_ALLOC_SIZE,
  ZS_MULTI_PAGE_DELTA,
  ZS_MULTI_PAGE_MAX_OBJECT,
  ZS_SIZE_CLASS_DELTA,
  ZS_SIZE_CLASSES,
  zspageChainSize,
} from './size-classes.js'
export {
  FULLNESS_LABELS,
  META_BYTES_PER_OBJECT,
  META_BYTES_PER_PAGE,
  META_BYTES_PER_ZSPAGE,
  Zsmalloc,
} from './zsmalloc.js'
export type { ZsmallocClassStats, ZsmallocOptions } from './zsmalloc-options.js'

/**
 * Creates a zsmalloc pool (`@zswap/core` Zpool contract v1).
 * @example
 * const pool = zsmalloc({ chainSize: 8, maxPages: 65536 })
 * const handle = pool.malloc(compressed.length)
 * pool.write(handle, compressed)
 * @throws RangeError/TypeError (code ERR_INVALID_OPTION) for a bad option.
 */
export function zsmalloc(options?: ZsmallocOptions): Zsmalloc {
  return new Zsmalloc(options)
}
