import { ClosedError, InvalidArgumentError, invalidOption } from './errors.js'
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
 * found with `chunk(id)` and `offset(id)`; free ids sit on an Int32Array
 * stack. Several pools may share one arena (and its `maxPages` budget).
 */
export class PageArena {
  readonly maxPages: number
  readonly chunkPages: number
  #chunks: Uint8Array[] = []
  #free = new Int32Array(64)
  #freeTop = 0
  #state = new Uint8Array(0) // 1 = allocated
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
   * Like alloc_page() without __GFP_ZERO, a reused page keeps its old bytes:
   * pools write before they read.
   */
  alloc(): number {
    if (this.#destroyed) throw new ClosedError('[@zswap/core] page arena was destroyed')
    if (this.#inUse >= this.maxPages) return -1
    if (this.#freeTop === 0) this.#grow()
    const id = this.#free[--this.#freeTop]
    this.#state[id] = 1
    this.#inUse++
    return id
  }

  /** Returns a page to the arena. @throws InvalidArgumentError for an id not in use. */
  free(id: number): void {
    if (
      !Number.isInteger(id) ||
      id < 0 ||
      id >= this.#chunks.length * this.chunkPages ||
      this.#state[id] !== 1
    ) {
      throw new InvalidArgumentError(`[@zswap/core] page ${id} is not allocated from this arena`)
    }
    this.#state[id] = 0
    this.#inUse--
    this.#free[this.#freeTop++] = id
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
    this.#freeTop = 0
  }

  #grow(): void {
    const base = this.#chunks.length * this.chunkPages
    this.#chunks.push(new Uint8Array(this.chunkPages * PAGE_SIZE))
    const total = base + this.chunkPages
    if (this.#free.length < total) {
      const next = new Int32Array(Math.max(total, this.#free.length * 2))
      next.set(this.#free.subarray(0, this.#freeTop))
      this.#free = next
    }
    if (this.#state.length < total) {
      const state = new Uint8Array(Math.max(total, this.#state.length * 2))
      state.set(this.#state)
      this.#state = state
    }
    // push in reverse so the lowest id is handed out first
    for (let id = total - 1; id >= base; id--) this.#free[this.#freeTop++] = id
  }
}
