import { growTypedArray, MAX_SWAP_TYPES } from '@zswap/core'

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
/** The slot holds an entry (its other fields are meaningful). */
const LIVE = 8
/**
 * The page did not compress and is held as-is, always IN_OBJECT: its
 * object (one page, or `objectPages` pages) holds the raw bytes, `pages ×
 * 4096` of them, and their CRC-32. Loads and write-back copy it, no
 * decompression.
 */
export const RAW = 16

/** Swap offsets per index chunk: one chunk per 64 MiB of swap, like the kernel's per-64M xarrays. */
export const INDEX_CHUNK_SLOTS = 16384
const CHUNK_SHIFT = 14
/** Entry slots per node: the offsets `base .. base + 31` of one swap type. */
export const NODE_SLOTS = 32
const NODE_SHIFT = 5
const NODES_PER_CHUNK = INDEX_CHUNK_SLOTS / NODE_SLOTS
const MIN_NODES = 16
const NONE = -1

/** Bytes per entry slot: handle 4, length 2, cgroup 2, compressor 1, flags 1, prev 4, next 4. */
export const ENTRY_SLOT_BYTES = 18
/** Bytes per node: type 1, base offset 4, live count 1, free-node stack 4. */
const NODE_BYTES = 10

/**
 * The zswap entries and the swap-offset index in one structure,
 * struct-of-arrays: no JS object per stored page.
 *
 * Entries live in nodes of {@link NODE_SLOTS} slots, one node per 32
 * consecutive swap offsets of one swap type, allocated when the first of its
 * offsets is stored and returned when the last is freed. An entry's id is
 * its slot (`node · 32 + offset mod 32`), so the entry for (type, offset)
 * is found through the node directory alone, and an entry needs no field
 * for its own offset or type: they are its node's. Each 16384-offset chunk
 * (64 MiB of swap) has a directory of its 512 nodes, made when the chunk is
 * first used — the shape of the kernel's xarray, where a node holds the
 * entries themselves rather than pointers to them. Memory follows the
 * stored pages: 18 bytes per slot of a live node (the kernel: 56 B per
 * zswap_entry plus 8 B per xarray slot).
 *
 * The id of an offset's entry is the same for every entry ever stored
 * there: code that holds an id across an await re-checks it with
 * {@link EntryTable.has} (stores, which are the only allocators, run under
 * the cache's lock).
 *
 * LRU links are per cgroup: `prev`/`next` chain the entries of one cgroup,
 * head = most recently stored, tail = coldest.
 */
export class EntryTable {
  /** zpool handle; with IN_OBJECT, the object id. */
  handle = new Uint32Array(0)
  /** Compressed length in bytes (< PAGE_SIZE); with IN_OBJECT, the page's index in its object. */
  length = new Uint16Array(0)
  cgroup = new Uint16Array(0)
  /** Index into the cache's list of accelerators: the one that compressed it. */
  compressor = new Uint8Array(0)
  flags = new Uint8Array(0)
  prev = new Int32Array(0)
  next = new Int32Array(0)

  /** Per type, per chunk: node number + 1 for each of the chunk's nodes (0: none). */
  #dirs: (Int32Array | undefined)[][] = Array.from({ length: MAX_SWAP_TYPES }, () => [])
  #dirCount = 0
  /** Per node: its swap type, the offset of its slot 0, and its live entries. */
  #nodeType = new Uint8Array(0)
  #nodeBase = new Uint32Array(0)
  #nodeLive = new Uint8Array(0)
  #freeNodes = new Int32Array(0)
  #freeTop = 0
  #nodesUsed = 0
  #nodes = 0 // capacity
  #live = 0

  /** Entries held. */
  get live(): number {
    return this.#live
  }

  /** Bytes held: the slot and node arrays (capacity, not just live entries) and the chunk directories. */
  get bytes(): number {
    return this.#nodes * (NODE_SLOTS * ENTRY_SLOT_BYTES + NODE_BYTES) + this.#dirCount * NODES_PER_CHUNK * 4
  }

  /** The id of the entry at (type, offset), or -1. */
  get(type: number, offset: number): number {
    const dir = this.#dirs[type][offset >>> CHUNK_SHIFT]
    if (dir === undefined) return NONE
    const node = dir[(offset >>> NODE_SHIFT) & (NODES_PER_CHUNK - 1)]
    if (node === 0) return NONE
    const id = ((node - 1) << NODE_SHIFT) | (offset & (NODE_SLOTS - 1))
    return this.flags[id] & LIVE ? id : NONE
  }

  /** True while entry `id` is stored (it was not freed since the caller read it). */
  has(id: number): boolean {
    return (this.flags[id] & LIVE) !== 0
  }

  /** Swap type of entry `id`. */
  typeOf(id: number): number {
    return this.#nodeType[id >>> NODE_SHIFT]
  }

  /** Swap offset of entry `id`. */
  offsetOf(id: number): number {
    return this.#nodeBase[id >>> NODE_SHIFT] + (id & (NODE_SLOTS - 1))
  }

  /**
   * A new entry at (type, offset), which must be empty (free the entry
   * there first); its other fields are to be set by the caller.
   */
  insert(type: number, offset: number): number {
    const dirs = this.#dirs[type]
    const c = offset >>> CHUNK_SHIFT
    let dir = dirs[c]
    if (dir === undefined) {
      dir = dirs[c] = new Int32Array(NODES_PER_CHUNK)
      this.#dirCount++
    }
    const d = (offset >>> NODE_SHIFT) & (NODES_PER_CHUNK - 1)
    if (dir[d] === 0) {
      const node = this.#allocNode()
      this.#nodeType[node] = type
      this.#nodeBase[node] = offset - (offset & (NODE_SLOTS - 1))
      dir[d] = node + 1
    }
    const node = dir[d] - 1
    const id = (node << NODE_SHIFT) | (offset & (NODE_SLOTS - 1))
    this.#nodeLive[node]++
    this.flags[id] = LIVE
    this.prev[id] = NONE
    this.next[id] = NONE
    this.#live++
    return id
  }

  /**
   * Frees entry `id` (the caller unlinked it from its LRU); its offset reads
   * empty from now on. A node whose last entry goes is unlinked from its
   * directory and reused for other offsets.
   */
  free(id: number): void {
    this.flags[id] = 0
    this.#live--
    const node = id >>> NODE_SHIFT
    if (--this.#nodeLive[node] > 0) return
    const base = this.#nodeBase[node]
    const dir = this.#dirs[this.#nodeType[node]][base >>> CHUNK_SHIFT] as Int32Array
    dir[(base >>> NODE_SHIFT) & (NODES_PER_CHUNK - 1)] = 0
    this.#freeNodes[this.#freeTop++] = node
  }

  /**
   * The first offset ≥ `offset` that may hold an entry: `offset` itself when
   * its node exists, else the start of the next node (skips empty space fast).
   */
  nextCandidate(type: number, offset: number): number {
    const dir = this.#dirs[type][offset >>> CHUNK_SHIFT]
    if (dir === undefined) return (Math.floor(offset / INDEX_CHUNK_SLOTS) + 1) * INDEX_CHUNK_SLOTS
    if (dir[(offset >>> NODE_SHIFT) & (NODES_PER_CHUNK - 1)] === 0) {
      return (Math.floor(offset / NODE_SLOTS) + 1) * NODE_SLOTS
    }
    return offset
  }

  #allocNode(): number {
    if (this.#freeTop > 0) return this.#freeNodes[--this.#freeTop]
    if (this.#nodesUsed === this.#nodes) this.#grow()
    return this.#nodesUsed++
  }

  /** 1/8 more nodes: at most 12.5 % of the slots unused by growth, few copies. */
  #grow(): void {
    const nodes = this.#nodes + Math.max(MIN_NODES, this.#nodes >>> 3)
    const slots = nodes * NODE_SLOTS
    this.handle = growTypedArray(this.handle, slots)
    this.length = growTypedArray(this.length, slots)
    this.cgroup = growTypedArray(this.cgroup, slots)
    this.compressor = growTypedArray(this.compressor, slots)
    this.flags = growTypedArray(this.flags, slots)
    this.prev = growTypedArray(this.prev, slots)
    this.next = growTypedArray(this.next, slots)
    this.#nodeType = growTypedArray(this.#nodeType, nodes)
    this.#nodeBase = growTypedArray(this.#nodeBase, nodes)
    this.#nodeLive = growTypedArray(this.#nodeLive, nodes)
    this.#freeNodes = growTypedArray(this.#freeNodes, nodes)
    this.#nodes = nodes
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
