import {
  assertAllocSize,
  assertCopyFits,
  assertReadInPlace,
  ClosedError,
  ErrorCode,
  growTypedArray as grow,
  InvalidHandleError,
  PAGE_SIZE,
  type PageArena,
  SPECIFICATION_VERSION,
  type Zpool,
  type ZpoolCapabilities,
  ZpoolFullError,
  zpoolArena,
} from '@zswap/core'
import type { Z3foldOptions } from './z3fold-options.js'

const PKG = '@zswap/z3fold'

/** log2 of the allocation unit (PAGE_SHIFT - NCHUNKS_ORDER 6). */
export const CHUNK_SHIFT = 6
/** Allocation unit: sizes round up to 64-byte chunks. */
export const CHUNK_SIZE = 1 << CHUNK_SHIFT
/**
 * Chunks at the start of a buddied page reserved for the kernel's in-page
 * z3fold_header (ZHDR_CHUNKS). Our header lives in typed arrays; the chunk
 * stays reserved so a page holds what a kernel z3fold page holds and memory
 * figures compare.
 */
export const ZHDR_CHUNKS = 1
/** Chunks in a page. */
export const TOTAL_CHUNKS = PAGE_SIZE >> CHUNK_SHIFT
/** Usable chunks of a buddied page: 63. */
export const NCHUNKS = TOTAL_CHUNKS - ZHDR_CHUNKS
/** Largest object of a buddied page (PAGE_SIZE - ZHDR_SIZE_ALIGNED - CHUNK_SIZE); larger ones get a headless page. */
export const MAX_BUDDY_SIZE = PAGE_SIZE - (ZHDR_CHUNKS << CHUNK_SHIFT) - CHUNK_SIZE
/** Smallest gap (chunks) worth moving a middle object for (BIG_CHUNK_GAP). */
export const BIG_CHUNK_GAP = 3

const FIRST = 0
const MIDDLE = 1
const LAST = 2
const HEADLESS = 3
const FREE_SLOT = 255
const NONE = -1
const INDEX_BITS = 24
const INDEX_MASK = (1 << INDEX_BITS) - 1
const MAX_HANDLES = 1 << INDEX_BITS

/** Out-of-line metadata: per object (page 4, buddy 1, size 2, generation 1), per page (see arrays). */
export const META_BYTES_PER_OBJECT = 8
export const META_BYTES_PER_PAGE = 25

let poolCount = 0

/**
 * The kernel's z3fold (mm/z3fold.c, removed in 6.15): up to three objects
 * per page — the first packed after the header, the last against the page
 * end, a middle one in between — in 64-byte chunks. Pages with room sit on
 * `unbuddied[freeChunks]` lists; allocation takes the first page of the
 * smallest list that fits. On free, a page left with a single object tries to
 * move it into another page (compact_single_buddy), otherwise the middle
 * object slides next to its neighbour (z3fold_compact_page). Objects above
 * 3968 bytes take a headless page of their own.
 */
export class Z3fold implements Zpool {
  readonly specificationVersion = SPECIFICATION_VERSION
  readonly name = 'z3fold'
  readonly capabilities: ZpoolCapabilities = Object.freeze({
    maxObjectSize: PAGE_SIZE,
    supportsCompaction: false,
  })
  /** The page source. */
  readonly arena: PageArena

  readonly #ownsArena: boolean
  #closed = false
  #pages = 0
  #live = 0

  // per arena page id
  #chunks = new Uint8Array(0) // page * 3 + bud → chunks of first/middle/last; 0 = free
  #startMiddle = new Uint8Array(0)
  #owner = new Int32Array(0) // page * 3 + bud → handle index
  #prev = new Int32Array(0)
  #next = new Int32Array(0)
  #list = new Int8Array(0) // unbuddied list the page is on, -1 none
  readonly #heads = new Int32Array(NCHUNKS).fill(NONE)

  // handle table
  #hPage = new Int32Array(1024) // next free slot when free
  #hBud = new Uint8Array(1024).fill(FREE_SLOT)
  #hSize = new Uint16Array(1024)
  #hGen: Uint8Array
  readonly #gen0: number
  #hFree = NONE
  #hHigh = 0

  constructor(options: Z3foldOptions = {}) {
    if (typeof options !== 'object' || options === null) {
      const error = new TypeError(`[${PKG}] options must be an object`)
      throw Object.defineProperty(error, 'code', { value: ErrorCode.INVALID_OPTION, enumerable: true })
    }
    const { arena, maxPages } = options
    const pages = zpoolArena(PKG, arena, maxPages)
    this.arena = pages.arena
    this.#ownsArena = pages.owned
    this.#gen0 = ((poolCount++ * 97) % 255) + 1
    this.#hGen = new Uint8Array(1024).fill(this.#gen0)
  }

  /** 4 KiB pages held now. */
  get totalPages(): number {
    return this.#pages
  }

  /** Objects allocated now. */
  get objectCount(): number {
    return this.#live
  }

  /** Bytes of out-of-line metadata for the live objects and pages (see META_BYTES_*). */
  get metadataBytes(): number {
    return this.#live * META_BYTES_PER_OBJECT + this.#pages * META_BYTES_PER_PAGE
  }

  malloc(size: number): number {
    if (this.#closed) throw new ClosedError(`[${PKG}] pool was destroyed`)
    assertAllocSize(PKG, size, PAGE_SIZE)
    if (this.#hFree === NONE) {
      if (this.#hHigh >= MAX_HANDLES)
        throw new ZpoolFullError(`[${PKG}] handle table is full (${MAX_HANDLES})`)
      if (this.#hHigh === this.#hPage.length) this.#growHandles()
    }
    let page: number
    let bud: number
    if (size > MAX_BUDDY_SIZE) {
      page = this.#newPage()
      bud = HEADLESS
    } else {
      const chunks = (size + CHUNK_SIZE - 1) >>> CHUNK_SHIFT
      page = this.#findPage(chunks, NONE)
      if (page === NONE) {
        page = this.#newPage()
        bud = FIRST
      } else {
        bud = this.#freeBuddy(page, chunks)
        this.#unlist(page)
      }
      this.#place(page, bud, chunks)
      this.#relist(page)
    }
    let index: number
    if (this.#hFree !== NONE) {
      index = this.#hFree
      this.#hFree = this.#hPage[index]
    } else {
      index = this.#hHigh++
    }
    this.#hPage[index] = page
    this.#hBud[index] = bud
    this.#hSize[index] = size
    if (bud !== HEADLESS) this.#owner[page * 3 + bud] = index
    this.#live++
    return this.#hGen[index] * MAX_HANDLES + index
  }

  free(handle: number): void {
    const index = this.#slot(handle)
    const page = this.#hPage[index]
    const bud = this.#hBud[index]
    this.#hBud[index] = FREE_SLOT
    const gen = this.#hGen[index]
    this.#hGen[index] = gen === 255 ? 1 : gen + 1
    this.#hPage[index] = this.#hFree
    this.#hFree = index
    this.#live--
    if (bud === HEADLESS) {
      this.#releasePage(page)
      return
    }
    this.#unlist(page)
    this.#chunks[page * 3 + bud] = 0
    if (bud === MIDDLE) this.#startMiddle[page] = 0
    if (
      this.#chunks[page * 3] === 0 &&
      this.#chunks[page * 3 + 1] === 0 &&
      this.#chunks[page * 3 + 2] === 0
    ) {
      this.#releasePage(page)
      return
    }
    // do_compact_page
    if (this.#singleBuddy(page) !== NONE && this.#compactSingleBuddy(page)) return
    this.#compactPage(page)
    this.#relist(page)
  }

  write(handle: number, src: Uint8Array): void {
    const index = this.#slot(handle)
    assertCopyFits(PKG, 'src', src, this.#hSize[index])
    const page = this.#hPage[index]
    this.arena.chunk(page).set(src, this.arena.offset(page) + this.#offset(page, this.#hBud[index]))
  }

  read(handle: number, dst: Uint8Array): void {
    const index = this.#slot(handle)
    assertCopyFits(PKG, 'dst', dst, this.#hSize[index])
    const page = this.#hPage[index]
    const at = this.arena.offset(page) + this.#offset(page, this.#hBud[index])
    dst.set(this.arena.chunk(page).subarray(at, at + dst.length))
  }

  /** The object's first `length` bytes in place: a z3fold buddy never straddles a page (see Zpool.readInPlace). */
  readInPlace(handle: number, length: number, scratch: Uint8Array): Uint8Array {
    const index = this.#slot(handle)
    assertReadInPlace(PKG, length, scratch, this.#hSize[index])
    const page = this.#hPage[index]
    const at = this.arena.offset(page) + this.#offset(page, this.#hBud[index])
    return this.arena.chunk(page).subarray(at, at + length)
  }

  destroy(): void {
    if (this.#closed) return
    this.#closed = true
    if (this.#ownsArena) {
      this.arena.destroy()
    } else {
      // every page holds at least one object: free each page once
      const seen = new Set<number>()
      for (let i = 0; i < this.#hHigh; i++) {
        if (this.#hBud[i] === FREE_SLOT) continue
        const page = this.#hPage[i]
        if (!seen.has(page)) {
          seen.add(page)
          this.arena.free(page)
        }
      }
    }
    this.#pages = 0
    this.#live = 0
    this.#hPage = new Int32Array(0)
    this.#hBud = new Uint8Array(0)
  }

  // --- pages ---

  #newPage(): number {
    const page = this.arena.alloc()
    if (page < 0) throw new ZpoolFullError(`[${PKG}] page arena is exhausted`)
    if (page >= this.#list.length) this.#growPages(page)
    this.#chunks[page * 3] = 0
    this.#chunks[page * 3 + 1] = 0
    this.#chunks[page * 3 + 2] = 0
    this.#startMiddle[page] = 0
    this.#list[page] = NONE
    this.#pages++
    return page
  }

  #releasePage(page: number): void {
    this.arena.free(page)
    this.#pages--
  }

  #growPages(page: number): void {
    let n = Math.max(1024, this.#list.length * 2)
    while (n <= page) n *= 2
    this.#chunks = grow(this.#chunks, n * 3)
    this.#startMiddle = grow(this.#startMiddle, n)
    this.#owner = grow(this.#owner, n * 3)
    this.#prev = grow(this.#prev, n)
    this.#next = grow(this.#next, n)
    this.#list = grow(this.#list, n, NONE)
  }

  #offset(page: number, bud: number): number {
    if (bud === FIRST) return ZHDR_CHUNKS << CHUNK_SHIFT
    if (bud === MIDDLE) return this.#startMiddle[page] << CHUNK_SHIFT
    if (bud === LAST) return PAGE_SIZE - (this.#chunks[page * 3 + 2] << CHUNK_SHIFT)
    return 0
  }

  /** __z3fold_alloc: first page of the smallest unbuddied list with room for `chunks`. */
  #findPage(chunks: number, except: number): number {
    for (let i = chunks; i < NCHUNKS; i++) {
      for (let page = this.#heads[i]; page !== NONE; page = this.#next[page]) {
        if (page !== except) return page
      }
    }
    return NONE
  }

  /** get_free_buddy */
  #freeBuddy(page: number, chunks: number): number {
    const b = page * 3
    if (this.#chunks[b + 1] !== 0) {
      if (this.#chunks[b] === 0 && chunks <= this.#startMiddle[page] - ZHDR_CHUNKS) return FIRST
      return LAST
    }
    if (this.#chunks[b] === 0) return FIRST
    if (this.#chunks[b + 2] === 0) return LAST
    return MIDDLE
  }

  #place(page: number, bud: number, chunks: number): void {
    this.#chunks[page * 3 + bud] = chunks
    if (bud === MIDDLE) this.#startMiddle[page] = this.#chunks[page * 3] + ZHDR_CHUNKS
  }

  /** num_free_chunks: with a middle object, the larger gap on either side of it. */
  #freeChunks(page: number): number {
    const b = page * 3
    const first = this.#chunks[b]
    const middle = this.#chunks[b + 1]
    const last = this.#chunks[b + 2]
    if (middle !== 0) {
      const before = first !== 0 ? 0 : this.#startMiddle[page] - ZHDR_CHUNKS
      const after = last !== 0 ? 0 : TOTAL_CHUNKS - (this.#startMiddle[page] + middle)
      return Math.max(before, after)
    }
    return NCHUNKS - first - last
  }

  /** add_to_unbuddied: a page with a free buddy goes on the list of its free chunks. */
  #relist(page: number): void {
    const b = page * 3
    if (this.#chunks[b] !== 0 && this.#chunks[b + 1] !== 0 && this.#chunks[b + 2] !== 0) return
    const free = this.#freeChunks(page)
    if (free === 0) return
    const head = this.#heads[free]
    this.#prev[page] = NONE
    this.#next[page] = head
    if (head !== NONE) this.#prev[head] = page
    this.#heads[free] = page
    this.#list[page] = free
  }

  #unlist(page: number): void {
    const list = this.#list[page]
    if (list === NONE) return
    const prev = this.#prev[page]
    const next = this.#next[page]
    if (prev !== NONE) this.#next[prev] = next
    else this.#heads[list] = next
    if (next !== NONE) this.#prev[next] = prev
    this.#list[page] = NONE
  }

  /** The only buddy in use, or NONE when there are several. */
  #singleBuddy(page: number): number {
    const b = page * 3
    let only = NONE
    for (let bud = FIRST; bud <= LAST; bud++) {
      if (this.#chunks[b + bud] === 0) continue
      if (only !== NONE) return NONE
      only = bud
    }
    return only
  }

  /** compact_single_buddy: move a lone object into another page with room and free this page. */
  #compactSingleBuddy(page: number): boolean {
    const bud = this.#singleBuddy(page)
    const chunks = this.#chunks[page * 3 + bud]
    const target = this.#findPage(chunks, page)
    if (target === NONE) return false
    const index = this.#owner[page * 3 + bud]
    const newBud = this.#freeBuddy(target, chunks)
    this.#unlist(target)
    this.#place(target, newBud, chunks)
    this.#relist(target)
    const size = this.#hSize[index]
    const from = this.arena.offset(page) + this.#offset(page, bud)
    const to = this.arena.offset(target) + this.#offset(target, newBud)
    this.arena.chunk(target).set(this.arena.chunk(page).subarray(from, from + size), to)
    this.#hPage[index] = target
    this.#hBud[index] = newBud
    this.#owner[target * 3 + newBud] = index
    this.#releasePage(page)
    return true
  }

  /** z3fold_compact_page: slide the middle object to the first slot, or next to its neighbour. */
  #compactPage(page: number): void {
    const b = page * 3
    const middle = this.#chunks[b + 1]
    if (middle === 0) return
    const first = this.#chunks[b]
    const last = this.#chunks[b + 2]
    const start = this.#startMiddle[page]
    if (first === 0 && last === 0) {
      this.#moveMiddle(page, ZHDR_CHUNKS)
      const index = this.#owner[b + 1]
      this.#chunks[b] = middle
      this.#chunks[b + 1] = 0
      this.#startMiddle[page] = 0
      this.#owner[b] = index
      this.#hBud[index] = FIRST
      return
    }
    if (first !== 0 && last === 0 && start - (first + ZHDR_CHUNKS) >= BIG_CHUNK_GAP) {
      this.#moveMiddle(page, first + ZHDR_CHUNKS)
    } else if (last !== 0 && first === 0 && TOTAL_CHUNKS - (last + start + middle) >= BIG_CHUNK_GAP) {
      this.#moveMiddle(page, TOTAL_CHUNKS - last - middle)
    }
  }

  #moveMiddle(page: number, newStart: number): void {
    const chunk = this.arena.chunk(page)
    const base = this.arena.offset(page)
    const from = base + (this.#startMiddle[page] << CHUNK_SHIFT)
    const size = this.#hSize[this.#owner[page * 3 + 1]]
    chunk.copyWithin(base + (newStart << CHUNK_SHIFT), from, from + size)
    this.#startMiddle[page] = newStart
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
      this.#hBud[index] === FREE_SLOT ||
      this.#hGen[index] !== handle >>> INDEX_BITS
    ) {
      throw new InvalidHandleError(`[${PKG}] handle ${handle} is not allocated in this pool`)
    }
    return index
  }

  #growHandles(): void {
    const n = Math.min(this.#hPage.length * 2, MAX_HANDLES)
    this.#hPage = grow(this.#hPage, n)
    this.#hBud = grow(this.#hBud, n, FREE_SLOT)
    this.#hSize = grow(this.#hSize, n)
    this.#hGen = grow(this.#hGen, n, this.#gen0)
  }
}
