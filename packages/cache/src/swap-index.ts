import { MAX_SWAP_TYPES } from '@zswap/core'

/** Slots per index chunk: one chunk per 64 MiB of swap, like the kernel's per-64M xarrays. */
export const INDEX_CHUNK_SLOTS = 16384
const CHUNK_SHIFT = 14

/**
 * Swap offset → entry id, per swap type, in chunks of 16384 Int32 slots
 * allocated on first use. A slot holds `id + 1`; 0 means empty.
 */
export class SwapIndex {
  #types: (Int32Array | undefined)[][] = Array.from({ length: MAX_SWAP_TYPES }, () => [])
  #chunks = 0

  /** Entry id at (type, offset), or -1. */
  get(type: number, offset: number): number {
    const chunk = this.#types[type][offset >>> CHUNK_SHIFT]
    return chunk === undefined ? -1 : chunk[offset & (INDEX_CHUNK_SLOTS - 1)] - 1
  }

  /** Stores `id` at (type, offset); returns the id it replaced, or -1. */
  set(type: number, offset: number, id: number): number {
    const chunks = this.#types[type]
    const c = offset >>> CHUNK_SHIFT
    let chunk = chunks[c]
    if (chunk === undefined) {
      chunk = chunks[c] = new Int32Array(INDEX_CHUNK_SLOTS)
      this.#chunks++
    }
    const slot = offset & (INDEX_CHUNK_SLOTS - 1)
    const old = chunk[slot] - 1
    chunk[slot] = id + 1
    return old
  }

  /** Clears (type, offset); returns the id it held, or -1. */
  erase(type: number, offset: number): number {
    const chunk = this.#types[type][offset >>> CHUNK_SHIFT]
    if (chunk === undefined) return -1
    const slot = offset & (INDEX_CHUNK_SLOTS - 1)
    const old = chunk[slot] - 1
    chunk[slot] = 0
    return old
  }

  /** True when the chunk holding (type, offset) exists. */
  hasChunk(type: number, offset: number): boolean {
    return this.#types[type][offset >>> CHUNK_SHIFT] !== undefined
  }

  /** Bytes held by allocated chunks. */
  get bytes(): number {
    return this.#chunks * INDEX_CHUNK_SLOTS * 4
  }
}
