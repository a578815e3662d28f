import { growTypedArray } from '@zswap/core'

/** Entry flag bits. */
export const REFERENCED = 1
/** The entry is linked on its cgroup's LRU (stores link entries when the folio commits). */
export const ON_LRU = 2
/**
 * The entry is one page of a multi-page object: `handle` holds the object's
 * id in the ObjectTable (not a zpool handle) and `length` the page's index
 * in the object (0 = its first page); the object holds handle and bytes.
 */
export const IN_OBJECT = 4

const MIN_CAPACITY = 1024
const NONE = -1

/**
 * The zswap entries, struct-of-arrays: no JS object per stored page. An entry
 * id indexes every array. 23 bytes per entry (kernel: 56 B per zswap_entry).
 *
 * LRU links are per cgroup: `prev`/`next` chain the entries of one cgroup,
 * head = most recently stored, tail = coldest.
 */
export class EntryTable {
  /** zpool handle; with IN_OBJECT, the object id. */
  handle = new Uint32Array(0)
  /** Compressed length in bytes (< PAGE_SIZE); with IN_OBJECT, the page's index in its object. */
  length = new Uint16Array(0)
  offset = new Uint32Array(0)
  type = new Uint8Array(0)
  cgroup = new Uint16Array(0)
  /** Index into the cache's list of accelerators: the one that compressed it. */
  compressor = new Uint8Array(0)
  flags = new Uint8Array(0)
  prev = new Int32Array(0)
  next = new Int32Array(0)

  #capacity = 0
  #freeHead = NONE
  #used = 0 // high-water mark of ids handed out
  #live = 0

  get live(): number {
    return this.#live
  }

  /** Bytes held by the arrays (capacity, not just live entries). */
  get bytes(): number {
    return this.#capacity * 23
  }

  /** A fresh entry id; its fields are to be set by the caller. */
  alloc(): number {
    let id: number
    if (this.#freeHead !== NONE) {
      id = this.#freeHead
      this.#freeHead = this.next[id]
    } else {
      if (this.#used === this.#capacity) this.#grow()
      id = this.#used++
    }
    this.flags[id] = 0
    this.prev[id] = NONE
    this.next[id] = NONE
    this.#live++
    return id
  }

  /** Returns an id to the free list (the caller unlinked it from its LRU). */
  free(id: number): void {
    this.flags[id] = 0
    this.next[id] = this.#freeHead
    this.#freeHead = id
    this.#live--
  }

  #grow(): void {
    const capacity = Math.max(MIN_CAPACITY, Math.ceil((this.#capacity * 1.25) / MIN_CAPACITY) * MIN_CAPACITY)
    this.handle = growTypedArray(this.handle, capacity)
    this.length = growTypedArray(this.length, capacity)
    this.offset = growTypedArray(this.offset, capacity)
    this.type = growTypedArray(this.type, capacity)
    this.cgroup = growTypedArray(this.cgroup, capacity)
    this.compressor = growTypedArray(this.compressor, capacity)
    this.flags = growTypedArray(this.flags, capacity)
    this.prev = growTypedArray(this.prev, capacity)
    this.next = growTypedArray(this.next, capacity)
    this.#capacity = capacity
  }
}

/** Head and tail of one LRU list (entry ids, -1 when empty). */
export interface LruList {
  head: number
  tail: number
}

/** Links `id` at the head (most recent) of `list`. */
export function lruPush(t: EntryTable, list: LruList, id: number): void {
  t.prev[id] = NONE
  t.next[id] = list.head
  if (list.head !== NONE) t.prev[list.head] = id
  else list.tail = id
  list.head = id
  t.flags[id] |= ON_LRU
}

/** Unlinks `id` from `list` when it is on it. */
export function lruRemove(t: EntryTable, list: LruList, id: number): void {
  if ((t.flags[id] & ON_LRU) === 0) return
  const p = t.prev[id]
  const n = t.next[id]
  if (p !== NONE) t.next[p] = n
  else list.head = n
  if (n !== NONE) t.prev[n] = p
  else list.tail = p
  t.prev[id] = NONE
  t.next[id] = NONE
  t.flags[id] &= ~ON_LRU
}
