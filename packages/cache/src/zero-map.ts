import { MAX_SWAP_TYPES } from '@zswap/core'

/** Swap offsets per zero-map chunk: 4096 bits, 512 bytes. */
const CHUNK_SHIFT = 12
/** 32-bit words per chunk: 4096 / 32. */
const CHUNK_WORDS = 128

/**
 * The swap layer's zeromap (Linux ≥ 6.12, `swap_info_struct.zeromap`): one
 * bit per swap offset whose page is all zeros and stored nowhere. Per swap
 * type, a sparse array of 4096-bit chunks, made with their first bit and
 * dropped with their last: one bit per slot where zero pages are dense,
 * 512 bytes for a lone one (the kernel's is one bitmap of the whole swap
 * area).
 */
export class ZeroMap {
  /** Per type, per chunk: the chunk's bits, or undefined. */
  readonly #chunks: (Uint32Array | undefined)[][] = Array.from({ length: MAX_SWAP_TYPES }, () => [])
  /** Per type, per chunk: bits set. */
  readonly #counts: (number | undefined)[][] = Array.from({ length: MAX_SWAP_TYPES }, () => [])
  #pages = 0
  #chunkCount = 0

  /** Offsets marked, over every type. */
  get pages(): number {
    return this.#pages
  }

  /** Bytes held by the bitmaps. */
  get bytes(): number {
    return this.#chunkCount * CHUNK_WORDS * 4
  }

  /** True when (type, offset) is marked. */
  has(type: number, offset: number): boolean {
    if (this.#pages === 0) return false
    const chunk = this.#chunks[type][offset >>> CHUNK_SHIFT]
    return chunk !== undefined && (chunk[(offset >>> 5) & (CHUNK_WORDS - 1)] & (1 << (offset & 31))) !== 0
  }

  /** Marks `offset .. offset + nrPages - 1` (swap_zeromap_folio_set). */
  setRange(type: number, offset: number, nrPages: number): void {
    const chunks = this.#chunks[type]
    const counts = this.#counts[type]
    for (let o = offset, end = offset + nrPages; o < end; o++) {
      const c = o >>> CHUNK_SHIFT
      let chunk = chunks[c]
      if (chunk === undefined) {
        chunk = chunks[c] = new Uint32Array(CHUNK_WORDS)
        counts[c] = 0
        this.#chunkCount++
      }
      const w = (o >>> 5) & (CHUNK_WORDS - 1)
      const bit = 1 << (o & 31)
      if ((chunk[w] & bit) === 0) {
        chunk[w] |= bit
        counts[c] = (counts[c] as number) + 1
        this.#pages++
      }
    }
  }

  /** Clears (type, offset); true when it was marked. */
  clear(type: number, offset: number): boolean {
    if (this.#pages === 0) return false
    const c = offset >>> CHUNK_SHIFT
    const chunk = this.#chunks[type][c]
    if (chunk === undefined) return false
    const w = (offset >>> 5) & (CHUNK_WORDS - 1)
    const bit = 1 << (offset & 31)
    if ((chunk[w] & bit) === 0) return false
    chunk[w] &= ~bit
    this.#pages--
    const counts = this.#counts[type]
    const left = (counts[c] as number) - 1
    if (left > 0) {
      counts[c] = left
    } else {
      this.#chunks[type][c] = undefined
      counts[c] = undefined
      this.#chunkCount--
    }
    return true
  }

  /** Clears `offset .. offset + nrPages - 1` (swap_zeromap_folio_clear); returns how many were marked. */
  clearRange(type: number, offset: number, nrPages: number): number {
    let cleared = 0
    const end = offset + nrPages
    for (let o = offset; o < end && this.#pages > 0; ) {
      if (this.#chunks[type][o >>> CHUNK_SHIFT] === undefined) {
        o = ((o >>> CHUNK_SHIFT) + 1) << CHUNK_SHIFT
        continue
      }
      if (this.clear(type, o)) cleared++
      o++
    }
    return cleared
  }
}

let lastBuffer: ArrayBufferLike | undefined
let lastWords: Uint32Array = new Uint32Array(0)
const wordViews = new WeakMap<ArrayBufferLike, Uint32Array>()

/** A Uint32Array over all of `buffer`, made once per buffer (none per page). */
function wordsOf(buffer: ArrayBufferLike, end: number): Uint32Array {
  if (buffer === lastBuffer && lastWords.length >= end) return lastWords
  let words = wordViews.get(buffer)
  if (words === undefined || words.length < end) {
    // a growable buffer may have grown since the view was made
    words = new Uint32Array(buffer, 0, buffer.byteLength >>> 2)
    wordViews.set(buffer, words)
  }
  lastBuffer = buffer
  lastWords = words
  return words
}

/**
 * True when every byte of `data` is 0 (is_folio_zero_filled). Stops at the
 * first non-zero byte: most pages show one in their first bytes, the rest
 * are scanned a 32-bit word at a time through a view of their buffer made
 * once per buffer, so the check allocates nothing per page.
 */
export function isZeroFilled(data: Uint8Array): boolean {
  const n = data.length
  const head = n < 16 ? n : 16
  for (let i = 0; i < head; i++) if (data[i] !== 0) return false
  const byteOffset = data.byteOffset
  if ((byteOffset & 3) !== 0 || n < 64) {
    for (let i = head; i < n; i++) if (data[i] !== 0) return false
    return true
  }
  const start = (byteOffset + head) >>> 2
  const end = (byteOffset + n) >>> 2
  const words = wordsOf(data.buffer, end)
  for (let w = start; w < end; w++) if (words[w] !== 0) return false
  for (let i = (end << 2) - byteOffset; i < n; i++) if (data[i] !== 0) return false
  return true
}
