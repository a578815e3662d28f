import {
  assertAllocSize,
  assertReadInPlace,
  ClosedError,
  InvalidArgumentError,
  InvalidHandleError,
  invalidOption,
  PAGE_SIZE,
  PageArena,
  SPECIFICATION_VERSION,
  type Zpool,
  type ZpoolCapabilities,
  ZpoolFullError,
} from '@zswap/core'

const PKG = '@zswap/zbud'

/** log2 of the allocation unit, as the kernel's CHUNK_SHIFT (PAGE_SHIFT - NCHUNKS_ORDER). */
export const CHUNK_SHIFT = 6
/** Allocation unit in bytes: sizes are rounded up to whole chunks. */
export const CHUNK_SIZE = 1 << CHUNK_SHIFT
/**
 * Bytes reserved at the start of every page, the kernel's ZHDR_SIZE_ALIGNED.
 * Our header lives in typed arrays, but the chunk stays reserved so that a
 * page holds exactly what a kernel zbud page holds and memory figures compare.
 */
export const ZHDR_SIZE = CHUNK_SIZE
/** Usable chunks per page: 63. */
export const NCHUNKS = (PAGE_SIZE - ZHDR_SIZE) >> CHUNK_SHIFT
/** Largest object: one page minus the header, 4032 bytes. */
export const MAX_OBJECT_SIZE = NCHUNKS << CHUNK_SHIFT

// Handle = gen × 2^24 + pageId × 2 + bud. gen cycles 1..255, so a handle is
// never 0 and a stale handle is caught unless its slot was reused 255 times.
const INDEX_BITS = 24
const INDEX_MASK = (1 << INDEX_BITS) - 1
const GEN_UNIT = 2 ** INDEX_BITS
/** Page ids above this cannot be encoded in a handle (2^23 pages = 32 GiB). */
const MAX_PAGE_ID = (1 << (INDEX_BITS - 1)) - 1
const FIRST = 0
const LAST = 1
const NONE = -1

/** Options of {@link zbud}. */
export interface ZbudOptions {
  /** Page source to share with other pools. Default: a private arena. */
  arena?: PageArena
  /** Page limit of the private arena (not with `arena`). Default: unlimited. */
  maxPages?: number
}

/**
 * The kernel's zbud (mm/zbud.c): at most two objects ("buddies") per 4 KiB
 * page, the first packed after the header from the left end, the last from
 * the right end, both rounded up to 64-byte chunks. Pages with one free buddy
 * sit on `unbuddied[freeChunks]` lists and allocation is first fit from the
 * smallest list that can hold the request; a page is returned to the arena
 * the moment it becomes empty.
 *
 * Metadata is struct-of-arrays indexed by arena page id: per buddy a size
 * (Uint16) and a generation (Uint8), per page two list links (Int32) — 14
 * bytes per page, none per object, no JS object per allocation.
 *
 * One deliberate difference: the kernel's `num_free_chunks` subtracts a chunk
 * for the header that NCHUNKS already excludes, so kernel zbud caps objects at
 * 3968 bytes and two buddies at 62 chunks; here the full 63 chunks are usable.
 */
export class Zbud implements Zpool {
  readonly specificationVersion = SPECIFICATION_VERSION
  readonly name = 'zbud'
  readonly capabilities: ZpoolCapabilities = Object.freeze({
    maxObjectSize: MAX_OBJECT_SIZE,
    supportsCompaction: false,
  })

  readonly #arena: PageArena
  readonly #ownsArena: boolean
  /** Bytes per buddy, index pageId × 2 + bud; 0 = free. */
  #size = new Uint16Array(0)
  /** Generation per buddy, 1..255. */
  #gen = new Uint8Array(0)
  #next = new Int32Array(0)
  #prev = new Int32Array(0)
  /** Head page id of unbuddied[i]: pages with one free buddy and i free chunks. */
  readonly #unbuddied = new Int32Array(NCHUNKS + 1).fill(NONE)
  #pages = 0
  #objects = 0
  #closed = false

  constructor(options: ZbudOptions = {}) {
    const { arena, maxPages } = options
    if (arena !== undefined) {
      if (!isPageArena(arena)) throw invalidOption(PKG, 'arena', 'a PageArena from @zswap/core', 'type')
      if (maxPages !== undefined) {
        throw invalidOption(PKG, 'maxPages', 'omitted when options.arena is given (set it on the arena)')
      }
      this.#arena = arena
      this.#ownsArena = false
    } else {
      if (
        maxPages !== undefined &&
        !(maxPages === Number.POSITIVE_INFINITY || (Number.isInteger(maxPages) && maxPages >= 0))
      ) {
        throw invalidOption(PKG, 'maxPages', 'a non-negative integer or Infinity')
      }
      this.#arena = new PageArena({ maxPages })
      this.#ownsArena = true
    }
  }

  /** 4 KiB pages held now. Exact. */
  get totalPages(): number {
    return this.#pages
  }

  /** Objects allocated and not yet freed. */
  get objectCount(): number {
    return this.#objects
  }

  /** Bytes of typed-array metadata this pool holds (excluding the arena's). */
  get metadataBytes(): number {
    return (
      this.#size.byteLength +
      this.#gen.byteLength +
      this.#next.byteLength +
      this.#prev.byteLength +
      this.#unbuddied.byteLength
    )
  }

  malloc(size: number): number {
    if (this.#closed) throw closed()
    assertAllocSize(PKG, size, MAX_OBJECT_SIZE)
    const chunks = (size + CHUNK_SIZE - 1) >> CHUNK_SHIFT
    let id = NONE
    let bud = FIRST
    // First fit: the fullest unbuddied page whose free space still holds the object.
    for (let i = chunks; i <= NCHUNKS; i++) {
      id = this.#unbuddied[i]
      if (id !== NONE) {
        this.#unlink(id, i)
        bud = this.#size[id << 1] === 0 ? FIRST : LAST
        break
      }
    }
    if (id === NONE) {
      id = this.#arena.alloc()
      if (id < 0) throw new ZpoolFullError(`[${PKG}] page arena exhausted at ${this.#pages} pages`)
      if (id > MAX_PAGE_ID) {
        this.#arena.free(id)
        throw new ZpoolFullError(`[${PKG}] page id ${id} exceeds the handle encoding (${MAX_PAGE_ID})`)
      }
      if (id >= this.#next.length) this.#grow(id)
      this.#pages++
    }
    const idx = (id << 1) | bud
    this.#size[idx] = size
    this.#objects++
    const other = this.#size[idx ^ 1]
    if (other === 0) this.#link(id, NCHUNKS - chunks)
    return this.#gen[idx] * GEN_UNIT + idx
  }

  free(handle: number): void {
    const idx = this.#index(handle)
    const id = idx >>> 1
    const other = this.#size[idx ^ 1]
    const chunks = (this.#size[idx] + CHUNK_SIZE - 1) >> CHUNK_SHIFT
    const otherChunks = (other + CHUNK_SIZE - 1) >> CHUNK_SHIFT
    // A page with both buddies is on no list; one with a single buddy is on unbuddied[free].
    if (other === 0) this.#unlink(id, NCHUNKS - chunks)
    this.#size[idx] = 0
    this.#gen[idx] = this.#gen[idx] === 255 ? 1 : this.#gen[idx] + 1
    this.#objects--
    if (other === 0) {
      this.#arena.free(id)
      this.#pages--
    } else {
      this.#link(id, NCHUNKS - otherChunks)
    }
  }

  write(handle: number, src: Uint8Array): void {
    const idx = this.#index(handle)
    const size = this.#size[idx]
    if (src.length > size) {
      throw new InvalidArgumentError(`[${PKG}] write of ${src.length} bytes into an object of ${size}`)
    }
    const id = idx >>> 1
    this.#arena.chunk(id).set(src, this.#arena.offset(id) + objectOffset(idx, size))
  }

  read(handle: number, dst: Uint8Array): void {
    const idx = this.#index(handle)
    const size = this.#size[idx]
    if (dst.length > size) {
      throw new InvalidArgumentError(`[${PKG}] read of ${dst.length} bytes from an object of ${size}`)
    }
    const id = idx >>> 1
    const start = this.#arena.offset(id) + objectOffset(idx, size)
    dst.set(this.#arena.chunk(id).subarray(start, start + dst.length))
  }

  /**
   * A view of the object's first `length` bytes (default: all of them) in the
   * pool's memory, without a copy — like zsmalloc's `zs_obj_read_begin`. Not
   * part of the Zpool contract. The view stays valid until the object is
   * freed or the pool destroyed; writing through it changes the object.
   * @throws InvalidHandleError; InvalidArgumentError when `length` exceeds the object.
   */
  view(handle: number, length?: number): Uint8Array {
    const idx = this.#index(handle)
    const size = this.#size[idx]
    const n = length ?? size
    if (!(Number.isInteger(n) && n >= 0 && n <= size)) {
      throw new InvalidArgumentError(`[${PKG}] view of ${String(n)} bytes of an object of ${size}`)
    }
    const id = idx >>> 1
    const start = this.#arena.offset(id) + objectOffset(idx, size)
    return this.#arena.chunk(id).subarray(start, start + n)
  }

  /** The object's first `length` bytes in place: a zbud buddy never straddles a page (see Zpool.readInPlace). */
  readInPlace(handle: number, length: number, scratch: Uint8Array): Uint8Array {
    const idx = this.#index(handle)
    const size = this.#size[idx]
    assertReadInPlace(PKG, length, scratch, size)
    const id = idx >>> 1
    const start = this.#arena.offset(id) + objectOffset(idx, size)
    return this.#arena.chunk(id).subarray(start, start + length)
  }

  destroy(): void {
    if (this.#closed) return
    this.#closed = true
    if (this.#ownsArena) {
      this.#arena.destroy()
    } else {
      const pages = this.#next.length
      for (let id = 0; id < pages; id++) {
        if (this.#size[id << 1] !== 0 || this.#size[(id << 1) | 1] !== 0) this.#arena.free(id)
      }
    }
    this.#pages = 0
    this.#objects = 0
    this.#size = new Uint16Array(0)
    this.#gen = new Uint8Array(0)
    this.#next = new Int32Array(0)
    this.#prev = new Int32Array(0)
  }

  /** Validates a handle; returns its buddy index (pageId × 2 + bud). */
  #index(handle: number): number {
    if (this.#closed) throw closed()
    const idx = handle & INDEX_MASK
    if (
      handle >>> 0 !== handle ||
      idx >= this.#size.length ||
      this.#size[idx] === 0 ||
      this.#gen[idx] !== handle >>> INDEX_BITS
    ) {
      throw new InvalidHandleError(`[${PKG}] handle ${String(handle)} is not allocated in this pool`)
    }
    return idx
  }

  // list_add at the head, as the kernel: the most recently touched page is found first.
  #link(id: number, list: number): void {
    const head = this.#unbuddied[list]
    this.#next[id] = head
    this.#prev[id] = NONE
    if (head !== NONE) this.#prev[head] = id
    this.#unbuddied[list] = id
  }

  #unlink(id: number, list: number): void {
    const next = this.#next[id]
    const prev = this.#prev[id]
    if (prev === NONE) this.#unbuddied[list] = next
    else this.#next[prev] = next
    if (next !== NONE) this.#prev[next] = prev
  }

  #grow(id: number): void {
    let cap = Math.max(64, this.#next.length)
    while (cap <= id) cap *= 2
    const size = new Uint16Array(cap << 1)
    size.set(this.#size)
    this.#size = size
    const gen = new Uint8Array(cap << 1).fill(1)
    gen.set(this.#gen)
    this.#gen = gen
    const next = new Int32Array(cap)
    next.set(this.#next)
    this.#next = next
    const prev = new Int32Array(cap)
    prev.set(this.#prev)
    this.#prev = prev
  }
}

/** Byte offset of a buddy within its page: after the header, or flush with the page end. */
function objectOffset(idx: number, size: number): number {
  return (idx & 1) === FIRST
    ? ZHDR_SIZE
    : PAGE_SIZE - (((size + CHUNK_SIZE - 1) >> CHUNK_SHIFT) << CHUNK_SHIFT)
}

function closed(): ClosedError {
  return new ClosedError(`[${PKG}] pool was destroyed`)
}

// Duck-typed so that an arena from another copy of @zswap/core is accepted.
function isPageArena(value: unknown): value is PageArena {
  const a = value as PageArena
  return (
    typeof a === 'object' &&
    a !== null &&
    typeof a.alloc === 'function' &&
    typeof a.free === 'function' &&
    typeof a.chunk === 'function' &&
    typeof a.offset === 'function'
  )
}
