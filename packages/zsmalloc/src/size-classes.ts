import { PAGE_SIZE } from '@zswap/core'

/** Smallest class (ZS_MIN_ALLOC_SIZE: max(32, chain << PAGE_SHIFT >> OBJ_INDEX_BITS) is 32 on 64-bit). */
export const ZS_MIN_ALLOC_SIZE = 32
/** Step between page-sized classes: PAGE_SIZE >> CLASS_BITS (8). */
export const ZS_SIZE_CLASS_DELTA = 16
/** Largest single-page class. */
export const ZS_MAX_ALLOC_SIZE = PAGE_SIZE
/** Classes from 32 to 4096 in steps of 16: 255 on 4 KiB pages. */
export const ZS_SIZE_CLASSES = Math.ceil((ZS_MAX_ALLOC_SIZE - ZS_MIN_ALLOC_SIZE) / ZS_SIZE_CLASS_DELTA) + 1
/**
 * Bytes in front of every object of a non-huge class. The kernel keeps the
 * handle there (ZS_HANDLE_SIZE, 8 bytes on 64-bit) so compaction can find
 * which handle owns an object; we keep the handle index and the object's
 * length (4 + 4 bytes).
 */
export const ZS_HANDLE_SIZE = 8
/** Step between multi-page classes (a 64 KiB chunk wastes at most 0.4 %). */
export const ZS_MULTI_PAGE_DELTA = 256
/** Largest multi-page object: a 64 KiB chunk of a large folio plus a header of up to 256 bytes. */
export const ZS_MULTI_PAGE_MAX_OBJECT = 64 * 1024 + 256
/** Chain sizes accepted (CONFIG_ZSMALLOC_CHAIN_SIZE range). */
export const MIN_CHAIN_SIZE = 4
export const MAX_CHAIN_SIZE = 16

/**
 * The size-class table of a pool, as zs_create_pool builds it. Arrays are
 * indexed by class index (0 = 32 bytes; page-sized classes first, then
 * multi-page classes when enabled).
 */
export interface ClassTable {
  /** CONFIG_ZSMALLOC_CHAIN_SIZE: most pages per zspage of a page-sized class. */
  readonly chainSize: number
  /** True when classes above PAGE_SIZE exist. */
  readonly multiPage: boolean
  /** Number of classes before merging (255, plus multi-page classes). */
  readonly count: number
  /** Object slot size of each class, bytes (header included). */
  readonly size: Int32Array
  /** Pages per zspage of each class. */
  readonly pagesPerZspage: Int32Array
  /** Objects per zspage of each class. */
  readonly objsPerZspage: Int32Array
  /** Class each class is merged into (itself when it is distinct). */
  readonly mergedInto: Int32Array
  /** Classes left after merging. */
  readonly distinct: number
  /**
   * zs_huge_class_size(): payloads of this many bytes or more end in a huge
   * class (one object per page, no header).
   */
  readonly hugeClassSize: number
  /** Index of the huge class (size PAGE_SIZE, one object per one-page zspage). */
  readonly hugeClass: number
  /** Largest payload `malloc` accepts. */
  readonly maxObjectSize: number
}

/**
 * calculate_zspage_chain_size(): the number of pages (1..maxPages, starting
 * at minPages) whose total wastes the fewest bytes at the tail of a zspage;
 * the smallest such count wins ties. Powers of two fit any page count.
 */
export function zspageChainSize(classSize: number, maxPages: number, minPages = 1): number {
  if ((classSize & (classSize - 1)) === 0) return Math.max(minPages, Math.ceil(classSize / PAGE_SIZE))
  let best = minPages
  let minWaste = Number.POSITIVE_INFINITY
  for (let pages = minPages; pages <= maxPages; pages++) {
    const waste = (pages * PAGE_SIZE) % classSize
    if (waste < minWaste) {
      minWaste = waste
      best = pages
    }
  }
  return best
}

/** Number of classes above PAGE_SIZE when multi-page objects are on. */
function multiPageClassCount(): number {
  return Math.ceil((ZS_MULTI_PAGE_MAX_OBJECT + ZS_HANDLE_SIZE - ZS_MAX_ALLOC_SIZE) / ZS_MULTI_PAGE_DELTA)
}

/**
 * Builds the class table as zs_create_pool does: from the largest class down,
 * each class gets its chain size and object count, and a class merges into
 * the previous (larger) one when both have the same pages and objects per
 * zspage (can_merge). Multi-page classes step by 256 bytes and may use up to
 * `chainSize - 1` pages beyond the object's own page count.
 */
export function buildClassTable(chainSize: number, multiPage = false): ClassTable {
  const count = ZS_SIZE_CLASSES + (multiPage ? multiPageClassCount() : 0)
  const size = new Int32Array(count)
  const pagesPerZspage = new Int32Array(count)
  const objsPerZspage = new Int32Array(count)
  const mergedInto = new Int32Array(count)
  let hugeClassSize = 0
  let distinct = 0
  let prev = -1
  for (let i = count - 1; i >= 0; i--) {
    let s: number
    let pages: number
    if (i < ZS_SIZE_CLASSES) {
      s = Math.min(ZS_MIN_ALLOC_SIZE + i * ZS_SIZE_CLASS_DELTA, ZS_MAX_ALLOC_SIZE)
      pages = zspageChainSize(s, chainSize)
    } else {
      s = ZS_MAX_ALLOC_SIZE + (i - ZS_SIZE_CLASSES + 1) * ZS_MULTI_PAGE_DELTA
      const minPages = Math.ceil(s / PAGE_SIZE)
      pages = zspageChainSize(s, minPages + chainSize - 1, minPages)
    }
    const objs = Math.floor((pages * PAGE_SIZE) / s)
    size[i] = s
    pagesPerZspage[i] = pages
    objsPerZspage[i] = objs
    // the largest page-sized class that is not huge sets the threshold, less
    // the header that malloc adds before looking up a class
    if (i < ZS_SIZE_CLASSES && hugeClassSize === 0 && pages !== 1 && objs !== 1) {
      hugeClassSize = s - (ZS_HANDLE_SIZE - 1)
    }
    if (prev >= 0 && pagesPerZspage[prev] === pages && objsPerZspage[prev] === objs) {
      mergedInto[i] = prev
      continue
    }
    mergedInto[i] = i
    prev = i
    distinct++
  }
  return {
    chainSize,
    multiPage,
    count,
    size,
    pagesPerZspage,
    objsPerZspage,
    mergedInto,
    distinct,
    hugeClassSize,
    hugeClass: mergedInto[ZS_SIZE_CLASSES - 1],
    maxObjectSize: multiPage ? ZS_MULTI_PAGE_MAX_OBJECT : ZS_MAX_ALLOC_SIZE,
  }
}

/**
 * get_size_class_index() for a slot size (payload + header): the unmerged
 * class whose size is the smallest one ≥ `slotSize`.
 */
export function sizeClassIndex(slotSize: number): number {
  if (slotSize <= ZS_MIN_ALLOC_SIZE) return 0
  if (slotSize <= ZS_MAX_ALLOC_SIZE) return Math.ceil((slotSize - ZS_MIN_ALLOC_SIZE) / ZS_SIZE_CLASS_DELTA)
  return ZS_SIZE_CLASSES - 1 + Math.ceil((slotSize - ZS_MAX_ALLOC_SIZE) / ZS_MULTI_PAGE_DELTA)
}
