import { MAX_SWAP_TYPES } from '@zswap/core'

/** Slots per index chunk: one chunk per 64 MiB of swap, like the kernel's per-64M xarrays. */
export const INDEX_CHUNK_SLOTS = 16384
const CHUNK_SHIFT = 14
/** Slots per node, as an xarray node (XA_CHUNK_SIZE = 64). */
const NODE_SLOTS = 64
const NODE_SHIFT = 6
const NODES_PER_CHUNK = INDEX_CHUNK_SLOTS / NODE_SLOTS

/**
 * Swap offset → entry id, per swap type. Each 16384-offset chunk (64 MiB of
 * swap) has a directory of 256 nodes of 64 slots, allocated when a slot in
 * them is first set and returned when their last slot is cleared — the shape
 * of the kernel's xarray, so memory follows the stored entries rather than
 * the span of offsets. Nodes live in one Int32Array slab; a slot holds
 * `id + 1`, 0 when empty.
 */
export class SwapIndex {
  /** Per type, per chunk: node number + 1 for each of the chunk's 256 nodes. */
  #dirs: (Int32Array | undefined)[][] = Array.from({ length: MAX_SWAP_TYPES }, () => [])
  #dirCount = 0
  #slab = new Int32Array(16 * NODE_SLOTS)
  /** Slots in use per node. */
  #nodeLive = new Uint8Array(16)
  #nodesUsed = 0
  #freeNodes = new Int32Array(16)
  #freeTop = 0

  /** Entry id at (type, offset), or -1. */
  get(type: number, offset: number): number {
    const dir = this.#dirs[type][offset >>> CHUNK_SHIFT]
    if (dir === undefined) return -1
    const node = dir[(offset >>> NODE_SHIFT) & (NODES_PER_CHUNK - 1)]
    return node === 0 ? -1 : this.#slab[((node - 1) << NODE_SHIFT) | (offset & (NODE_SLOTS - 1))] - 1
  }

  /** Stores `id` at (type, offset); returns the id it replaced, or -1. */
  set(type: number, offset: number, id: number): number {
    const dirs = this.#dirs[type]
    const c = offset >>> CHUNK_SHIFT
    let dir = dirs[c]
    if (dir === undefined) {
      dir = dirs[c] = new Int32Array(NODES_PER_CHUNK)
      this.#dirCount++
    }
    const d = (offset >>> NODE_SHIFT) & (NODES_PER_CHUNK - 1)
    if (dir[d] === 0) dir[d] = this.#allocNode() + 1
    const node = dir[d] - 1
    const slot = (node << NODE_SHIFT) | (offset & (NODE_SLOTS - 1))
    const old = this.#slab[slot] - 1
    if (old < 0) this.#nodeLive[node]++
    this.#slab[slot] = id + 1
    return old
  }

  /** Clears (type, offset); returns the id it held, or -1. */
  erase(type: number, offset: number): number {
    const dir = this.#dirs[type][offset >>> CHUNK_SHIFT]
    if (dir === undefined) return -1
    const d = (offset >>> NODE_SHIFT) & (NODES_PER_CHUNK - 1)
    if (dir[d] === 0) return -1
    const node = dir[d] - 1
    const slot = (node << NODE_SHIFT) | (offset & (NODE_SLOTS - 1))
    const old = this.#slab[slot] - 1
    if (old < 0) return -1
    this.#slab[slot] = 0
    if (--this.#nodeLive[node] === 0) {
      dir[d] = 0
      this.#freeNodes[this.#freeTop++] = node
    }
    return old
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

  /** Bytes held: chunk directories, the node slab and its bookkeeping. */
  get bytes(): number {
    return (
      this.#dirCount * NODES_PER_CHUNK * 4 +
      this.#slab.byteLength +
      this.#nodeLive.byteLength +
      this.#freeNodes.byteLength
    )
  }

  #allocNode(): number {
    let node: number
    if (this.#freeTop > 0) {
      node = this.#freeNodes[--this.#freeTop]
    } else {
      if (this.#nodesUsed === this.#nodeLive.length) this.#grow()
      node = this.#nodesUsed++
    }
    return node
  }

  #grow(): void {
    const nodes = this.#nodeLive.length * 2
    const slab = new Int32Array(nodes * NODE_SLOTS)
    slab.set(this.#slab)
    this.#slab = slab
    const live = new Uint8Array(nodes)
    live.set(this.#nodeLive)
    this.#nodeLive = live
    const free = new Int32Array(nodes)
    free.set(this.#freeNodes)
    this.#freeNodes = free
  }
}
