import {
  assertAllocSize,
  assertCopyFits,
  assertReadInPlace,
  ClosedError,
  ErrorCode,
  growTypedArray as grow,
  InvalidHandleError,
  invalidOption,
  PAGE_SHIFT,
  PAGE_SIZE,
  type PageArena,
  SPECIFICATION_VERSION,
  type Zpool,
  type ZpoolCapabilities,
  ZpoolFullError,
  zpoolArena,
} from '@zswap/core'
import {
  buildClassTable,
  type ClassTable,
  MAX_CHAIN_SIZE,
  MIN_CHAIN_SIZE,
  sizeClassIndex,
  ZS_HANDLE_SIZE,
} from './size-classes.js'
import type { ZsmallocClassStats, ZsmallocOptions } from './zsmalloc-options.js'

const PKG = '@zswap/zsmalloc'
const PAGE_MASK = PAGE_SIZE - 1

/** Fullness groups: 0 = empty, 1..10 = 0–9 % … 90–99 % in use ("10" … "99"), 11 = full. */
const GROUP_EMPTY = 0
const GROUP_FIRST_PARTIAL = 1
const GROUP_LAST_PARTIAL = 10
const GROUP_FULL = 11
const NR_GROUPS = 12
/** Bits of the partial groups 1..10 in a class's non-empty-list mask. */
const PARTIAL_MASK = ((1 << (GROUP_LAST_PARTIAL + 1)) - 1) & ~((1 << GROUP_FIRST_PARTIAL) - 1)
/** Labels of the debugfs buckets (groups 1..11). */
export const FULLNESS_LABELS = ['10%', '20%', '30%', '40%', '50%', '60%', '70%', '80%', '90%', '99%', '100%']

/** Handle = generation (8 bits) · 2^24 + slot index; the generation catches stale and foreign handles. */
const INDEX_BITS = 24
const INDEX_MASK = (1 << INDEX_BITS) - 1
const MAX_HANDLES = 1 << INDEX_BITS
const FREE_SLOT = 0xffff
/** Header word 0 of a free object: link to the next free object; tag bit 0 clear. */
const LINK_END = 0xfffffffe
const NONE = -1

/** Room for more metadata rows: 1/8 more (at least 256), so growth leaves at most 12.5 % unused. */
function moreRoom(n: number): number {
  return n + Math.max(256, n >>> 3)
}

/**
 * Bytes of out-of-line metadata: per live object (handle slot: location 4,
 * object index or huge size 2, generation 1), per zspage (first page 4,
 * class 2, in-use 2, free head 2, list links 8 — which also chain free
 * zspage ids —, group 1) and per
 * pool page (next-page link 4). The object header (8 bytes) lives in pool
 * pages, as in the kernel, and is counted in `totalPages`.
 */
export const META_BYTES_PER_OBJECT = 7
export const META_BYTES_PER_ZSPAGE = 19
export const META_BYTES_PER_PAGE = 4

let poolCount = 0

function read32(buf: Uint8Array, at: number): number {
  return (buf[at] | (buf[at + 1] << 8) | (buf[at + 2] << 16) | (buf[at + 3] << 24)) >>> 0
}

function write32(buf: Uint8Array, at: number, value: number): void {
  buf[at] = value
  buf[at + 1] = value >>> 8
  buf[at + 2] = value >>> 16
  buf[at + 3] = value >>> 24
}

/**
 * zsmalloc (mm/zsmalloc.c) in typed arrays. Objects live in size classes of
 * 32..4096 bytes (16-byte steps); a class packs its objects end to end over
 * a zspage of 1..chainSize pages, so objects may straddle two pages. Objects
 * of `hugeClassSize` bytes or more take a page each. Handles go through an
 * indirection table, so compaction can move objects.
 */
export class Zsmalloc implements Zpool {
  readonly specificationVersion = SPECIFICATION_VERSION
  readonly name = 'zsmalloc'
  readonly capabilities: ZpoolCapabilities
  /** The class table (sizes, pages and objects per zspage, merges, huge threshold). */
  readonly classTable: ClassTable
  /** The page source. */
  readonly arena: PageArena

  readonly #ownsArena: boolean
  readonly #size: Int32Array
  readonly #ppz: Int32Array
  readonly #opz: Int32Array
  readonly #merged: Int32Array
  readonly #hugeClassSize: number
  readonly #hugeClass: number
  readonly #maxObject: number
  #closed = false
  #pages = 0
  #pagesCompacted = 0

  // per class (only representatives are used)
  readonly #listHead: Int32Array // class * NR_GROUPS + group → first zspage
  readonly #groupCount: Int32Array
  readonly #partial: Int32Array // per class: bit g set when list g is non-empty
  readonly #objAllocated: Float64Array
  readonly #objUsed: Float64Array

  // per zspage, by zspage id
  #zsFirst = new Int32Array(256)
  #zsClass = new Uint16Array(256).fill(FREE_SLOT)
  #zsInuse = new Uint16Array(256)
  #zsFree = new Int16Array(256)
  #zsPrev = new Int32Array(256)
  #zsNext = new Int32Array(256)
  #zsGroup = new Uint8Array(256)
  #zsFreeHead = NONE // first free zspage id; free ones chain through #zsNext
  #zsHigh = 0
  #zsLive = 0

  // per arena page id: next page of the same zspage
  #pageNext = new Int32Array(1024)

  // handle table
  #hLoc = new Int32Array(1024) // zspage id; -(page + 1) for a huge object; next free slot when free
  #hObj = new Uint16Array(1024).fill(FREE_SLOT) // object index; size - 1 for a huge object
  #hGen: Uint8Array
  readonly #gen0: number
  #hFree = NONE
  #hHigh = 0
  #live = 0

  readonly #scratch: Uint8Array

  constructor(options: ZsmallocOptions = {}) {
    if (typeof options !== 'object' || options === null) {
      const error = new TypeError(`[${PKG}] options must be an object`)
      throw Object.defineProperty(error, 'code', { value: ErrorCode.INVALID_OPTION, enumerable: true })
    }
    const { arena, maxPages, chainSize = 8, multiPage = false } = options
    if (!Number.isInteger(chainSize) || chainSize < MIN_CHAIN_SIZE || chainSize > MAX_CHAIN_SIZE) {
      throw invalidOption(PKG, 'chainSize', `an integer in [${MIN_CHAIN_SIZE}, ${MAX_CHAIN_SIZE}]`)
    }
    if (typeof multiPage !== 'boolean') throw invalidOption(PKG, 'multiPage', 'a boolean', 'type')
    const pages = zpoolArena(PKG, arena, maxPages)
    this.arena = pages.arena
    this.#ownsArena = pages.owned
    const table = buildClassTable(chainSize, multiPage)
    this.classTable = table
    this.#size = table.size
    this.#ppz = table.pagesPerZspage
    this.#opz = table.objsPerZspage
    this.#merged = table.mergedInto
    this.#hugeClassSize = table.hugeClassSize
    this.#hugeClass = table.hugeClass
    this.#maxObject = table.maxObjectSize
    this.capabilities = Object.freeze({ maxObjectSize: table.maxObjectSize, supportsCompaction: true })
    this.#listHead = new Int32Array(table.count * NR_GROUPS).fill(NONE)
    this.#groupCount = new Int32Array(table.count * NR_GROUPS)
    this.#partial = new Int32Array(table.count)
    this.#objAllocated = new Float64Array(table.count)
    this.#objUsed = new Float64Array(table.count)
    this.#gen0 = ((poolCount++ * 97) % 255) + 1
    this.#hGen = new Uint8Array(1024).fill(this.#gen0)
    this.#scratch = new Uint8Array(table.size[table.count - 1])
  }

  /** 4 KiB pages held now. */
  get totalPages(): number {
    return this.#pages
  }

  /** Objects allocated now. */
  get objectCount(): number {
    return this.#live
  }

  /** zs_huge_class_size(): payloads this large or larger take a page each. */
  get hugeClassSize(): number {
    return this.#hugeClassSize
  }

  /** Pages given back by compaction so far (zs_pool_stats.pages_compacted). */
  get pagesCompacted(): number {
    return this.#pagesCompacted
  }

  /** Pages compaction could give back now: the sum of zs_can_compact over the classes. */
  get freeable(): number {
    let pages = 0
    for (let c = 0; c < this.classTable.count; c++) if (this.#merged[c] === c) pages += this.#canCompact(c)
    return pages
  }

  /**
   * Bytes of metadata held outside pool pages for the live objects, zspages
   * and pages (see META_BYTES_PER_*). Typed arrays grow by 1/8, so the
   * capacity reserved may be up to 12.5 % more (`metadataCapacityBytes`).
   */
  get metadataBytes(): number {
    return (
      this.#live * META_BYTES_PER_OBJECT +
      this.#zsLive * META_BYTES_PER_ZSPAGE +
      this.#pages * META_BYTES_PER_PAGE
    )
  }

  /** Bytes of typed arrays reserved for metadata (handle table, zspages, page links, class lists). */
  get metadataCapacityBytes(): number {
    return (
      this.#hLoc.byteLength +
      this.#hObj.byteLength +
      this.#hGen.byteLength +
      this.#zsFirst.byteLength +
      this.#zsClass.byteLength +
      this.#zsInuse.byteLength +
      this.#zsFree.byteLength +
      this.#zsPrev.byteLength +
      this.#zsNext.byteLength +
      this.#zsGroup.byteLength +
      this.#pageNext.byteLength +
      this.#listHead.byteLength +
      this.#groupCount.byteLength +
      this.#objAllocated.byteLength +
      this.#objUsed.byteLength
    )
  }

  malloc(size: number): number {
    if (this.#closed) throw new ClosedError(`[${PKG}] pool was destroyed`)
    assertAllocSize(PKG, size, this.#maxObject)
    if (this.#hFree === NONE) {
      if (this.#hHigh >= MAX_HANDLES)
        throw new ZpoolFullError(`[${PKG}] handle table is full (${MAX_HANDLES})`)
      if (this.#hHigh === this.#hLoc.length) this.#growHandles()
    }
    let loc: number
    let obj: number
    if (size >= this.#hugeClassSize && size <= PAGE_SIZE) {
      const page = this.arena.alloc()
      if (page < 0) throw new ZpoolFullError(`[${PKG}] page arena is exhausted`)
      this.#notePage(page)
      this.#pageNext[page] = NONE
      this.#pages++
      const c = this.#hugeClass
      this.#objAllocated[c]++
      this.#objUsed[c]++
      this.#groupCount[c * NR_GROUPS + GROUP_FULL]++
      loc = -(page + 1)
      obj = size - 1
    } else {
      const c = this.#merged[sizeClassIndex(size + ZS_HANDLE_SIZE)]
      // find_get_zspage: the fullest non-full zspage first (highest non-empty partial list)
      const lists = this.#partial[c] & PARTIAL_MASK
      const zs = lists === 0 ? this.#allocZspage(c) : this.#listHead[c * NR_GROUPS + (31 - Math.clz32(lists))]
      obj = this.#zsFree[zs]
      const off = obj * this.#size[c]
      const page = this.#pageAt(zs, off >>> PAGE_SHIFT)
      const buf = this.arena.chunk(page)
      const at = this.arena.offset(page) + (off & PAGE_MASK)
      const link = read32(buf, at)
      this.#zsFree[zs] = link === LINK_END ? NONE : link >>> 1
      const index = this.#hFree === NONE ? this.#hHigh : this.#hFree
      write32(buf, at, ((index << 1) | 1) >>> 0)
      write32(buf, at + 4, size)
      this.#zsInuse[zs]++
      this.#objUsed[c]++
      this.#fixGroup(zs, c)
      loc = zs
    }
    let index: number
    if (this.#hFree !== NONE) {
      index = this.#hFree
      this.#hFree = this.#hLoc[index]
    } else {
      index = this.#hHigh++
    }
    this.#hLoc[index] = loc
    this.#hObj[index] = obj
    this.#live++
    return this.#hGen[index] * MAX_HANDLES + index
  }

  free(handle: number): void {
    const index = this.#slot(handle)
    const loc = this.#hLoc[index]
    if (loc < 0) {
      const page = -loc - 1
      this.arena.free(page)
      this.#pages--
      const c = this.#hugeClass
      this.#objAllocated[c]--
      this.#objUsed[c]--
      this.#groupCount[c * NR_GROUPS + GROUP_FULL]--
    } else {
      const zs = loc
      const c = this.#zsClass[zs]
      this.#freeObject(zs, c, this.#hObj[index])
      this.#objUsed[c]--
      if (this.#zsInuse[zs] === 0) this.#freeZspage(zs, c)
      else this.#fixGroup(zs, c)
    }
    this.#hObj[index] = FREE_SLOT
    const gen = this.#hGen[index]
    this.#hGen[index] = gen === 255 ? 1 : gen + 1
    this.#hLoc[index] = this.#hFree
    this.#hFree = index
    this.#live--
  }

  write(handle: number, src: Uint8Array): void {
    const index = this.#slot(handle)
    const loc = this.#hLoc[index]
    if (loc < 0) {
      assertCopyFits(PKG, 'src', src, this.#hObj[index] + 1)
      const page = -loc - 1
      this.arena.chunk(page).set(src, this.arena.offset(page))
      return
    }
    const c = this.#zsClass[loc]
    const off = this.#hObj[index] * this.#size[c]
    const page = this.#pageAt(loc, off >>> PAGE_SHIFT)
    const inPage = off & PAGE_MASK
    const chunk = this.arena.chunk(page)
    const base = this.arena.offset(page) + inPage
    assertCopyFits(PKG, 'src', src, read32(chunk, base + 4))
    if (inPage + ZS_HANDLE_SIZE + src.length <= PAGE_SIZE) chunk.set(src, base + ZS_HANDLE_SIZE)
    else this.#copy(page, inPage + ZS_HANDLE_SIZE, src, 0, src.length, true)
  }

  read(handle: number, dst: Uint8Array): void {
    const index = this.#slot(handle)
    const loc = this.#hLoc[index]
    if (loc < 0) {
      assertCopyFits(PKG, 'dst', dst, this.#hObj[index] + 1)
      const page = -loc - 1
      const at = this.arena.offset(page)
      dst.set(this.arena.chunk(page).subarray(at, at + dst.length))
      return
    }
    const c = this.#zsClass[loc]
    const off = this.#hObj[index] * this.#size[c]
    const page = this.#pageAt(loc, off >>> PAGE_SHIFT)
    const inPage = off & PAGE_MASK
    const chunk = this.arena.chunk(page)
    const base = this.arena.offset(page) + inPage
    assertCopyFits(PKG, 'dst', dst, read32(chunk, base + 4))
    if (inPage + ZS_HANDLE_SIZE + dst.length <= PAGE_SIZE) {
      dst.set(chunk.subarray(base + ZS_HANDLE_SIZE, base + ZS_HANDLE_SIZE + dst.length))
    } else {
      this.#copy(page, inPage + ZS_HANDLE_SIZE, dst, 0, dst.length, false)
    }
  }

  /**
   * zs_obj_read_begin(): the object's first `length` bytes in place — a view
   * of pool memory — unless they straddle pages of the zspage that are not
   * side by side in one arena chunk; then a copy in `scratch` (see
   * Zpool.readInPlace).
   */
  readInPlace(handle: number, length: number, scratch: Uint8Array): Uint8Array {
    const index = this.#slot(handle)
    const loc = this.#hLoc[index]
    if (loc < 0) {
      assertReadInPlace(PKG, length, scratch, this.#hObj[index] + 1)
      const page = -loc - 1
      const at = this.arena.offset(page)
      return this.arena.chunk(page).subarray(at, at + length)
    }
    const c = this.#zsClass[loc]
    const off = this.#hObj[index] * this.#size[c]
    const page = this.#pageAt(loc, off >>> PAGE_SHIFT)
    const inPage = off & PAGE_MASK
    const chunk = this.arena.chunk(page)
    const base = this.arena.offset(page) + inPage + ZS_HANDLE_SIZE
    assertReadInPlace(PKG, length, scratch, read32(chunk, base - ZS_HANDLE_SIZE + 4))
    // in one page, or in pages that sit side by side in one arena chunk (fresh zspages mostly do)
    const end = inPage + ZS_HANDLE_SIZE + length
    if (end <= PAGE_SIZE || this.#adjacent(page, (end - 1) >>> PAGE_SHIFT)) {
      return chunk.subarray(base, base + length)
    }
    const dst = scratch.subarray(0, length)
    this.#copy(page, inPage + ZS_HANDLE_SIZE, dst, 0, length, false)
    return dst
  }

  /** Size in bytes given to malloc for `handle`. @throws InvalidHandleError */
  sizeOf(handle: number): number {
    const index = this.#slot(handle)
    const loc = this.#hLoc[index]
    if (loc < 0) return this.#hObj[index] + 1
    const off = this.#hObj[index] * this.#size[this.#zsClass[loc]]
    const page = this.#pageAt(loc, off >>> PAGE_SHIFT)
    return read32(this.arena.chunk(page), this.arena.offset(page) + (off & PAGE_MASK) + 4)
  }

  /**
   * zs_compact(): in each class, moves objects from the least used zspages
   * into the fullest ones while zs_can_compact says a zspage can be saved,
   * and gives the emptied zspages back to the arena.
   * @returns pages given back.
   */
  compact(): number {
    if (this.#closed) throw new ClosedError(`[${PKG}] pool was destroyed`)
    let freed = 0
    for (let c = this.classTable.count - 1; c >= 0; c--) {
      if (this.#merged[c] === c && c !== this.#hugeClass) freed += this.#compactClass(c)
    }
    this.#pagesCompacted += freed
    return freed
  }

  /** Per-class statistics of the distinct classes, as /sys/kernel/debug/zsmalloc/<pool>/classes. */
  classes(): ZsmallocClassStats[] {
    const rows: ZsmallocClassStats[] = []
    for (let c = 0; c < this.classTable.count; c++) {
      if (this.#merged[c] !== c) continue
      const fullness: number[] = []
      for (let g = GROUP_FIRST_PARTIAL; g <= GROUP_FULL; g++)
        fullness.push(this.#groupCount[c * NR_GROUPS + g])
      const allocated = this.#objAllocated[c]
      rows.push({
        class: c,
        size: this.#size[c],
        fullness,
        obj_allocated: allocated,
        obj_used: this.#objUsed[c],
        pages_used: (allocated / this.#opz[c]) * this.#ppz[c],
        pages_per_zspage: this.#ppz[c],
        freeable: this.#canCompact(c),
      })
    }
    return rows
  }

  /** `classes()` as the debugfs file prints it, with a Total line. */
  classesText(): string {
    const rows = this.classes()
    const head = [
      'class',
      'size',
      ...FULLNESS_LABELS,
      'obj_allocated',
      'obj_used',
      'pages_used',
      'pages_per_zspage',
      'freeable',
    ]
    const lines = [head.map((h, i) => h.padStart(i < 2 ? 5 : Math.max(h.length, 6))).join(' ')]
    const total = new Array<number>(FULLNESS_LABELS.length + 5).fill(0)
    for (const r of rows) {
      const cells = [...r.fullness, r.obj_allocated, r.obj_used, r.pages_used, r.pages_per_zspage, r.freeable]
      cells.forEach((v, i) => {
        total[i] += v
      })
      lines.push(
        [r.class, r.size, ...cells]
          .map((v, i) => String(v).padStart(i < 2 ? 5 : Math.max(head[i].length, 6)))
          .join(' '),
      )
    }
    lines.push(
      // pages_per_zspage has no total
      ['Total', '', ...total.map((v, i) => (i === FULLNESS_LABELS.length + 3 ? '' : v))]
        .map((v, i) => String(v).padStart(i < 2 ? 5 : Math.max(head[i].length, 6)))
        .join(' '),
    )
    return lines.join('\n')
  }

  destroy(): void {
    if (this.#closed) return
    this.#closed = true
    if (this.#ownsArena) {
      this.arena.destroy()
    } else {
      for (let zs = 0; zs < this.#zsHigh; zs++) {
        if (this.#zsClass[zs] === FREE_SLOT) continue
        for (let p = this.#zsFirst[zs]; p !== NONE; ) {
          const next = this.#pageNext[p]
          this.arena.free(p)
          p = next
        }
      }
      for (let i = 0; i < this.#hHigh; i++) {
        if (this.#hObj[i] !== FREE_SLOT && this.#hLoc[i] < 0) this.arena.free(-this.#hLoc[i] - 1)
      }
    }
    this.#pages = 0
    this.#live = 0
    this.#zsLive = 0
    this.#hLoc = new Int32Array(0)
    this.#hObj = new Uint16Array(0)
    this.#hGen = new Uint8Array(0)
    this.#zsFirst = new Int32Array(0)
    this.#pageNext = new Int32Array(0)
  }

  // --- handles ---

  #slot(handle: number): number {
    if (this.#closed) throw new ClosedError(`[${PKG}] pool was destroyed`)
    if (typeof handle !== 'number' || !Number.isInteger(handle) || handle < 0 || handle > 0xffffffff) {
      throw new InvalidHandleError(`[${PKG}] ${String(handle)} is not a handle`)
    }
    const index = handle & INDEX_MASK
    if (
      index >= this.#hHigh ||
      this.#hObj[index] === FREE_SLOT ||
      this.#hGen[index] !== handle >>> INDEX_BITS
    ) {
      throw new InvalidHandleError(`[${PKG}] handle ${handle} is not allocated in this pool`)
    }
    return index
  }

  #growHandles(): void {
    const n = Math.min(moreRoom(this.#hLoc.length), MAX_HANDLES)
    this.#hLoc = grow(this.#hLoc, n)
    this.#hObj = grow(this.#hObj, n, FREE_SLOT)
    this.#hGen = grow(this.#hGen, n, this.#gen0)
  }

  // --- zspages ---

  #notePage(page: number): void {
    if (page >= this.#pageNext.length) {
      let n = moreRoom(this.#pageNext.length)
      while (n <= page) n = moreRoom(n)
      this.#pageNext = grow(this.#pageNext, n)
    }
  }

  /** True when the `more` pages after `page` in its zspage follow it in the same arena chunk. */
  #adjacent(page: number, more: number): boolean {
    const last = this.arena.chunkPages - 1
    for (; more > 0; more--) {
      const next = this.#pageNext[page]
      if (next !== page + 1 || (next & last) === 0) return false
      page = next
    }
    return true
  }

  #pageAt(zs: number, k: number): number {
    let page = this.#zsFirst[zs]
    for (; k > 0; k--) page = this.#pageNext[page]
    return page
  }

  /** alloc_zspage + init_zspage: chain pages, thread every object on the free list. */
  #allocZspage(c: number): number {
    const ppz = this.#ppz[c]
    let first = NONE
    let last = NONE
    for (let i = 0; i < ppz; i++) {
      const page = this.arena.alloc()
      if (page < 0) {
        for (let p = first; p !== NONE; ) {
          const next = this.#pageNext[p]
          this.arena.free(p)
          p = next
        }
        throw new ZpoolFullError(`[${PKG}] page arena is exhausted`)
      }
      this.#notePage(page)
      this.#pageNext[page] = NONE
      if (last === NONE) first = page
      else this.#pageNext[last] = page
      last = page
    }
    let zs: number
    if (this.#zsFreeHead !== NONE) {
      zs = this.#zsFreeHead
      this.#zsFreeHead = this.#zsNext[zs]
    } else {
      if (this.#zsHigh === this.#zsFirst.length) this.#growZspages()
      zs = this.#zsHigh++
    }
    const size = this.#size[c]
    const objs = this.#opz[c]
    let page = first
    let pageStart = 0
    for (let i = 0; i < objs; i++) {
      const off = i * size
      while (off >= pageStart + PAGE_SIZE) {
        page = this.#pageNext[page]
        pageStart += PAGE_SIZE
      }
      write32(
        this.arena.chunk(page),
        this.arena.offset(page) + off - pageStart,
        i + 1 < objs ? (i + 1) << 1 : LINK_END,
      )
    }
    this.#zsFirst[zs] = first
    this.#zsClass[zs] = c
    this.#zsInuse[zs] = 0
    this.#zsFree[zs] = 0
    this.#zsGroup[zs] = GROUP_EMPTY
    this.#zsPrev[zs] = NONE
    this.#zsNext[zs] = NONE
    this.#objAllocated[c] += objs
    this.#pages += ppz
    this.#zsLive++
    this.#insert(zs, c, GROUP_EMPTY)
    return zs
  }

  #growZspages(): void {
    const n = moreRoom(this.#zsFirst.length)
    this.#zsFirst = grow(this.#zsFirst, n)
    this.#zsClass = grow(this.#zsClass, n, FREE_SLOT)
    this.#zsInuse = grow(this.#zsInuse, n)
    this.#zsFree = grow(this.#zsFree, n)
    this.#zsPrev = grow(this.#zsPrev, n)
    this.#zsNext = grow(this.#zsNext, n)
    this.#zsGroup = grow(this.#zsGroup, n)
  }

  /** Empty zspages go back to the arena at once (free_zspage). */
  #freeZspage(zs: number, c: number): void {
    this.#remove(zs, c)
    for (let p = this.#zsFirst[zs]; p !== NONE; ) {
      const next = this.#pageNext[p]
      this.arena.free(p)
      p = next
    }
    this.#objAllocated[c] -= this.#opz[c]
    this.#pages -= this.#ppz[c]
    this.#zsClass[zs] = FREE_SLOT
    this.#zsNext[zs] = this.#zsFreeHead // free zspages are chained through their list link
    this.#zsFreeHead = zs
    this.#zsLive--
  }

  /** obj_free: thread the slot back on the zspage's free list. */
  #freeObject(zs: number, c: number, obj: number): void {
    const off = obj * this.#size[c]
    const page = this.#pageAt(zs, off >>> PAGE_SHIFT)
    const head = this.#zsFree[zs]
    write32(
      this.arena.chunk(page),
      this.arena.offset(page) + (off & PAGE_MASK),
      head === NONE ? LINK_END : head << 1,
    )
    this.#zsFree[zs] = obj
    this.#zsInuse[zs]--
  }

  #groupOf(zs: number, c: number): number {
    const inuse = this.#zsInuse[zs]
    const objs = this.#opz[c]
    if (inuse === 0) return GROUP_EMPTY
    if (inuse === objs) return GROUP_FULL
    // +1: one object in 127 is 0 % by integer division but belongs in the 10 % group
    return Math.floor(Math.floor((100 * inuse) / objs) / 10) + 1
  }

  #fixGroup(zs: number, c: number): void {
    const g = this.#groupOf(zs, c)
    if (g === this.#zsGroup[zs]) return
    this.#remove(zs, c)
    this.#insert(zs, c, g)
  }

  #insert(zs: number, c: number, g: number): void {
    const slot = c * NR_GROUPS + g
    const head = this.#listHead[slot]
    this.#zsPrev[zs] = NONE
    this.#zsNext[zs] = head
    if (head !== NONE) this.#zsPrev[head] = zs
    this.#listHead[slot] = zs
    this.#partial[c] |= 1 << g
    this.#zsGroup[zs] = g
    this.#groupCount[slot]++
  }

  #remove(zs: number, c: number): void {
    const g = this.#zsGroup[zs]
    const slot = c * NR_GROUPS + g
    const prev = this.#zsPrev[zs]
    const next = this.#zsNext[zs]
    if (prev !== NONE) this.#zsNext[prev] = next
    else {
      this.#listHead[slot] = next
      if (next === NONE) this.#partial[c] &= ~(1 << g)
    }
    if (next !== NONE) this.#zsPrev[next] = prev
    this.#groupCount[slot]--
  }

  // --- compaction ---

  /** zs_can_compact(): pages the class's unused slots add up to, whole zspages only. */
  #canCompact(c: number): number {
    const wasted = this.#objAllocated[c] - this.#objUsed[c]
    if (wasted <= 0) return 0
    return Math.floor(wasted / this.#opz[c]) * this.#ppz[c]
  }

  #firstIn(c: number, from: number, to: number): number {
    const step = from <= to ? 1 : -1
    for (let g = from; g !== to + step; g += step) {
      const zs = this.#listHead[c * NR_GROUPS + g]
      if (zs !== NONE) return zs
    }
    return NONE
  }

  #compactClass(c: number): number {
    let freed = 0
    let src = NONE
    let dst = NONE
    while (this.#canCompact(c) > 0) {
      if (src === NONE) {
        src = this.#firstIn(c, GROUP_FIRST_PARTIAL, GROUP_LAST_PARTIAL) // least used
        if (src === NONE) break
        this.#remove(src, c)
      }
      if (dst === NONE) {
        dst = this.#firstIn(c, GROUP_LAST_PARTIAL, GROUP_FIRST_PARTIAL) // fullest
        if (dst === NONE) break
        this.#remove(dst, c)
      }
      this.#migrate(c, src, dst)
      if (this.#zsInuse[src] === 0) {
        this.#insert(src, c, GROUP_EMPTY)
        this.#freeZspage(src, c)
        freed += this.#ppz[c]
      } else {
        this.#insert(src, c, this.#groupOf(src, c))
      }
      src = NONE
      if (this.#zsInuse[dst] === this.#opz[c]) {
        this.#insert(dst, c, GROUP_FULL)
        dst = NONE
      }
    }
    if (src !== NONE) this.#insert(src, c, this.#groupOf(src, c))
    if (dst !== NONE) this.#insert(dst, c, this.#groupOf(dst, c))
    return freed
  }

  /** migrate_zspage(): move allocated objects of `src` into free slots of `dst` until one runs out. */
  #migrate(c: number, src: number, dst: number): void {
    const size = this.#size[c]
    const objs = this.#opz[c]
    const scratch = this.#scratch
    for (let obj = 0; obj < objs && this.#zsInuse[src] > 0; obj++) {
      if (this.#zsFree[dst] === NONE) break
      const off = obj * size
      const page = this.#pageAt(src, off >>> PAGE_SHIFT)
      const at = this.arena.offset(page) + (off & PAGE_MASK)
      const word = read32(this.arena.chunk(page), at)
      if ((word & 1) === 0) continue
      const length = ZS_HANDLE_SIZE + read32(this.arena.chunk(page), at + 4)
      this.#copy(page, off & PAGE_MASK, scratch, 0, length, false)
      // obj_malloc in dst
      const to = this.#zsFree[dst]
      const toOff = to * size
      const toPage = this.#pageAt(dst, toOff >>> PAGE_SHIFT)
      const link = read32(this.arena.chunk(toPage), this.arena.offset(toPage) + (toOff & PAGE_MASK))
      this.#zsFree[dst] = link === LINK_END ? NONE : link >>> 1
      this.#copy(toPage, toOff & PAGE_MASK, scratch, 0, length, true)
      this.#zsInuse[dst]++
      const index = word >>> 1
      this.#hLoc[index] = dst
      this.#hObj[index] = to
      this.#freeObject(src, c, obj)
    }
  }

  /**
   * Copies `length` bytes between `buf[pos..]` and the zspage bytes that start
   * `at` bytes into `page`, following the page chain across boundaries.
   */
  #copy(page: number, at: number, buf: Uint8Array, pos: number, length: number, toPool: boolean): void {
    while (at >= PAGE_SIZE) {
      page = this.#pageNext[page]
      at -= PAGE_SIZE
    }
    while (length > 0) {
      const n = Math.min(length, PAGE_SIZE - at)
      const chunk = this.arena.chunk(page)
      const base = this.arena.offset(page) + at
      if (toPool) chunk.set(pos === 0 && n === buf.length ? buf : buf.subarray(pos, pos + n), base)
      else buf.set(chunk.subarray(base, base + n), pos)
      length -= n
      pos += n
      at = 0
      page = this.#pageNext[page]
    }
  }
}
