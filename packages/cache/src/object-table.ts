import { growTypedArray } from '@zswap/core'

const MIN_CAPACITY = 256
const NONE = -1

/**
 * The multi-page objects (cache option `objectPages` 4 or 16), struct-of-
 * arrays: no JS object per object. An object holds the compressed bytes of
 * `pages` consecutive pages of one folio (swap offsets `offset ..
 * offset + pages - 1`), in one zpool object; each page still has its own
 * entry (flag IN_OBJECT, see EntryTable), and the object is freed with its
 * last live page. Single-page objects need no row here: their entry holds
 * the zpool handle itself — except a page stored as-is, which has a
 * one-page row for its CRC-32 (incompressible pages are few: the entries
 * of all the others carry no check field). 23 bytes per object.
 */
export class ObjectTable {
  /** zpool handle. */
  handle = new Uint32Array(0)
  /** Compressed bytes (what the object charges its cgroup). */
  length = new Uint32Array(0)
  /** Pages compressed together: 2..16, a power of two (1: a raw page, stored as-is). */
  pages = new Uint8Array(0)
  /** Pages still stored (not loaded, invalidated, replaced or written back). */
  live = new Uint8Array(0)
  type = new Uint8Array(0)
  /** Swap offset of the object's first page. */
  offset = new Uint32Array(0)
  /** CRC-32 of a raw object's bytes (its length is pages × 4096): no compressor checks them. */
  check = new Uint32Array(0)
  /** Next free id (free list only). */
  next = new Int32Array(0)

  #capacity = 0
  #freeHead = NONE
  #used = 0
  #live = 0
  #livePages = 0

  /** Objects held. */
  get count(): number {
    return this.#live
  }

  /** Pages held in multi-page objects. */
  get livePages(): number {
    return this.#livePages
  }

  /** Bytes held by the arrays. */
  get bytes(): number {
    return this.#capacity * 23
  }

  /** A fresh object of `pages` live pages; the caller sets handle, length, type and offset. */
  alloc(pages: number): number {
    let id: number
    if (this.#freeHead !== NONE) {
      id = this.#freeHead
      this.#freeHead = this.next[id]
    } else {
      if (this.#used === this.#capacity) this.#grow()
      id = this.#used++
    }
    this.pages[id] = pages
    this.live[id] = pages
    this.#live++
    this.#livePages += pages
    return id
  }

  /** Drops one page of object `id`; returns the pages left (0: the caller frees the zpool object). */
  dropPage(id: number): number {
    this.#livePages--
    const left = --this.live[id]
    if (left === 0) {
      this.next[id] = this.#freeHead
      this.#freeHead = id
      this.#live--
    }
    return left
  }

  #grow(): void {
    const capacity = Math.max(MIN_CAPACITY, Math.ceil((this.#capacity * 1.25) / MIN_CAPACITY) * MIN_CAPACITY)
    this.handle = growTypedArray(this.handle, capacity)
    this.length = growTypedArray(this.length, capacity)
    this.pages = growTypedArray(this.pages, capacity)
    this.live = growTypedArray(this.live, capacity)
    this.type = growTypedArray(this.type, capacity)
    this.offset = growTypedArray(this.offset, capacity)
    this.check = growTypedArray(this.check, capacity)
    this.next = growTypedArray(this.next, capacity)
    this.#capacity = capacity
  }
}
