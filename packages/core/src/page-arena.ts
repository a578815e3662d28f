import { ClosedError, CorruptDataError, InvalidArgumentError, invalidOption } from './errors.js'
import { PAGE_SHIFT, PAGE_SIZE } from './page.js'

/** Options of {@link PageArena}. */
export interface PageArenaOptions {
  /** Most pages handed out at once; `alloc` returns -1 beyond it. Default: unlimited. */
  maxPages?: number
  /** Pages per backing ArrayBuffer. Default: 256 (1 MiB chunks). */
  chunkPages?: number
}

/**
 * The page source of the zpools: 4 KiB pages carved from ArrayBuffer chunks,
 * named by integer ids. No object per page: a page is `(chunk, offset)`,
 * found with `chunk(id)` and `offset(id)`. The arena's own bookkeeping is
 * one bit per page: free pages are chained through their own first four
 * bytes (a LIFO list, as a page allocator's free lists run through struct
 * page), and fresh chunks are handed out from the lowest id up without
 * being touched first. Several pools may share one arena (and its
 * `maxPages` budget).
 */
export class PageArena {
  readonly maxPages: number
  readonly chunkPages: number
  #chunks: Uint8Array[] = []
  /** Head of the list of freed pages (-1: empty); each links the next in its first 4 bytes. */
  #freeHead = -1
  /** Next never-used id of the newest chunk, and the end of that chunk. */
  #fresh = 0
  #freshEnd = 0
  /** One bit per page: 1 = allocated. */
  #state = new Int32Array(0)
  #inUse = 0
  #destroyed = false
  readonly #chunkShift: number

  constructor(options: PageArenaOptions = {}) {
    const { maxPages = Number.POSITIVE_INFINITY, chunkPages = 256 } = options
    if (!(maxPages === Number.POSITIVE_INFINITY || (Number.isInteger(maxPages) && maxPages >= 0))) {
      throw invalidOption('@zswap/core', 'maxPages', 'a non-negative integer or Infinity')
    }
    if (!Number.isInteger(chunkPages) || chunkPages < 1 || (chunkPages & (chunkPages - 1)) !== 0) {
      throw invalidOption('@zswap/core', 'chunkPages', 'a power of two ≥ 1')
    }
    this.maxPages = maxPages
    this.chunkPages = chunkPages
    this.#chunkShift = Math.log2(chunkPages)
  }

  /** Pages handed out and not yet freed. */
  get pagesInUse(): number {
    return this.#inUse
  }

  /** Bytes of ArrayBuffer held (in use or cached for reuse). */
  get reservedBytes(): number {
    return this.#chunks.length * this.chunkPages * PAGE_SIZE
  }

  /**
   * Allocates one page; returns its id, or -1 when `maxPages` is reached.
   * Like alloc_page() without __GFP_ZERO, a reused page keeps its old bytes
   * (but for its first four, the free-list link): pools write before they read.
   */
  alloc(): number {
    if (this.#destroyed) throw new ClosedError('[@zswap/core] page arena was destroyed')
    if (this.#inUse >= this.maxPages) return -1
    let id = this.#freeHead
    if (id >= 0) {
      const c = this.#chunks[id >>> this.#chunkShift]
      const at = this.offset(id)
      const next = c[at] | (c[at + 1] << 8) | (c[at + 2] << 16) | (c[at + 3] << 24)
      // a pool that wrote to a page after freeing it broke the list: fail loudly, never hand a page out twice
      if (
        next < -1 ||
        next >= this.#fresh ||
        (next >= 0 && (this.#state[next >>> 5] & (1 << (next & 31))) !== 0)
      ) {
        throw new CorruptDataError(
          `[@zswap/core] page arena: free page ${id} was written to after it was freed`,
        )
      }
      this.#freeHead = next
    } else {
      if (this.#fresh === this.#freshEnd) this.#grow()
      id = this.#fresh++
    }
    this.#state[id >>> 5] |= 1 << (id & 31)
    this.#inUse++
    return id
  }

  /** Returns a page to the arena. @throws InvalidArgumentError for an id not in use. */
  free(id: number): void {
    if (
      !Number.isInteger(id) ||
      id < 0 ||
      id >= this.#fresh ||
      (this.#state[id >>> 5] & (1 << (id & 31))) === 0
    ) {
      throw new InvalidArgumentError(`[@zswap/core] page ${id} is not allocated from this arena`)
    }
    this.#state[id >>> 5] &= ~(1 << (id & 31))
    this.#inUse--
    const c = this.#chunks[id >>> this.#chunkShift]
    const at = this.offset(id)
    const next = this.#freeHead
    c[at] = next
    c[at + 1] = next >> 8
    c[at + 2] = next >> 16
    c[at + 3] = next >> 24
    this.#freeHead = id
  }

  /** The chunk that holds page `id` (shared by `chunkPages` pages). */
  chunk(id: number): Uint8Array {
    return this.#chunks[id >>> this.#chunkShift]
  }

  /** Byte offset of page `id` within its chunk. */
  offset(id: number): number {
    return (id & (this.chunkPages - 1)) << PAGE_SHIFT
  }

  /** A view of page `id` (allocates a view; use chunk/offset on hot paths). */
  page(id: number): Uint8Array {
    const off = this.offset(id)
    return this.chunk(id).subarray(off, off + PAGE_SIZE)
  }

  /** Drops every chunk; the arena is unusable afterwards. */
  destroy(): void {
    this.#destroyed = true
    this.#chunks = []
    this.#inUse = 0
    this.#freeHead = -1
    this.#fresh = this.#freshEnd = 0
  }

  /** A new chunk: its pages are handed out from the lowest id up. */
  #grow(): void {
    const base = this.#chunks.length * this.chunkPages
    this.#chunks.push(new Uint8Array(this.chunkPages * PAGE_SIZE))
    const total = base + this.chunkPages
    const words = (total + 31) >>> 5
    if (this.#state.length < words) {
      const state = new Int32Array(Math.max(words, this.#state.length * 2))
      state.set(this.#state)
      this.#state = state
    }
    this.#fresh = base
    this.#freshEnd = total
  }
}

/**
 * The page arena a zpool runs on, from its `arena` and `maxPages` options:
 * the arena given (shared with other pools; `maxPages` must then be left
 * out) or a private one limited to `maxPages` (default: unlimited). `owned`
 * says the pool made it, and drops it whole on destroy.
 * @throws TypeError/RangeError (code ERR_INVALID_OPTION) naming the option
 */
export function zpoolArena(
  pkg: string,
  arena: unknown,
  maxPages: unknown,
): { arena: PageArena; owned: boolean } {
  if (arena !== undefined) {
    if (typeof arena !== 'object' || arena === null || typeof (arena as PageArena).alloc !== 'function') {
      throw invalidOption(pkg, 'arena', 'a PageArena from @zswap/core', 'type')
    }
    if (maxPages !== undefined) throw invalidOption(pkg, 'maxPages', 'left out when options.arena is given')
    return { arena: arena as PageArena, owned: false }
  }
  if (
    maxPages !== undefined &&
    !(maxPages === Number.POSITIVE_INFINITY || (Number.isInteger(maxPages) && (maxPages as number) >= 0))
  ) {
    throw invalidOption(pkg, 'maxPages', 'a non-negative integer or Infinity')
  }
  return { arena: new PageArena(maxPages === undefined ? {} : { maxPages: maxPages as number }), owned: true }
}
