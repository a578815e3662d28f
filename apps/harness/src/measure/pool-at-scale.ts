import { PAGE_SIZE, type Zpool } from '@zswap/core'

/**
 * Objects the default comparison allocates to see a pool at scale: 200,000
 * (an object larger than a page, from `@16k`/`@64k`, counts as the pages it
 * spans, which bounds the memory the pass takes). Below some thousands of objects the partly filled last
 * zspage of each of zsmalloc's ~119 merged size classes dominates the pool
 * (docs/DESIGN.md, "Measuring pool efficiency").
 */
export const DEFAULT_SCALE_OBJECTS = 200_000

/**
 * A zpool that notes the size of every object it allocates and every handle
 * it frees, so the objects it holds at some moment can be allocated again at
 * scale ({@link poolAtScale}). The log is two typed arrays that grow by
 * doubling: no object per allocation; the live set is worked out only when
 * asked for, outside the timed paths.
 */
export class SizeRecordingZpool implements Zpool {
  readonly specificationVersion: Zpool['specificationVersion']
  readonly name: string
  readonly capabilities: Zpool['capabilities']
  readInPlace?: (handle: number, length: number, scratch: Uint8Array) => Uint8Array
  compact?: () => number
  readonly #inner: Zpool
  /** Handle of each logged event; its size in #sizes, -1 for a free. */
  #handles = new Float64Array(1024)
  #sizes = new Int32Array(1024)
  #events = 0

  constructor(inner: Zpool) {
    this.#inner = inner
    this.specificationVersion = inner.specificationVersion
    this.name = inner.name
    this.capabilities = inner.capabilities
    if (typeof inner.readInPlace === 'function') {
      this.readInPlace = (handle, length, scratch) => inner.readInPlace!(handle, length, scratch)
    }
    if (typeof inner.compact === 'function') this.compact = () => inner.compact!()
  }

  malloc(size: number): number {
    const handle = this.#inner.malloc(size)
    this.#log(handle, size)
    return handle
  }

  free(handle: number): void {
    this.#inner.free(handle)
    this.#log(handle, -1)
  }

  write(handle: number, src: Uint8Array): void {
    this.#inner.write(handle, src)
  }

  read(handle: number, dst: Uint8Array): void {
    this.#inner.read(handle, dst)
  }

  get totalPages(): number {
    return this.#inner.totalPages
  }

  destroy(): void {
    this.#inner.destroy()
  }

  /** Sizes of the objects allocated and not freed, in the order they were allocated. */
  liveSizes(): Int32Array {
    const live = new Map<number, number>()
    for (let i = 0; i < this.#events; i++) {
      if (this.#sizes[i] >= 0) live.set(this.#handles[i], i)
      else live.delete(this.#handles[i])
    }
    const events = [...live.values()].sort((a, b) => a - b)
    return Int32Array.from(events, (i) => this.#sizes[i])
  }

  #log(handle: number, size: number): void {
    if (this.#events === this.#sizes.length) {
      const handles = new Float64Array(this.#events * 2)
      handles.set(this.#handles)
      this.#handles = handles
      const sizes = new Int32Array(this.#events * 2)
      sizes.set(this.#sizes)
      this.#sizes = sizes
    }
    this.#handles[this.#events] = handle
    this.#sizes[this.#events++] = size
  }
}

/** A pool at scale: the run's objects allocated again, round after round, in a fresh zpool. */
export interface PoolAtScale {
  /** Objects allocated (whole rounds of the run's objects). */
  objects: number
  /** Pages the fresh zpool held then. */
  pages: number
  /** Pool pages the run's objects take at that scale: `pages × runObjects ÷ objects`. */
  pagesForRun: number
}

/**
 * Allocates `sizes` (the objects of a run, in their order) again and again in
 * a fresh zpool from `makeZpool` until the objects stand for at least
 * `minObjects` objects (an object of n bytes > 4096 counts as ⌈n / 4096⌉,
 * so multi-page objects take no more memory than page-sized ones), reads the pool's pages and destroys it. Nothing is
 * written into the objects: only the allocator's packing is measured. An
 * allocator's pages per object fall with scale while its partly filled
 * zspages or buddies are a large share of a small pool; at scale they are
 * the steady state a long-running system sees.
 * Returns undefined when there are no objects.
 */
export function poolAtScale(
  makeZpool: () => Zpool,
  sizes: Int32Array,
  minObjects = DEFAULT_SCALE_OBJECTS,
): PoolAtScale | undefined {
  if (sizes.length === 0) return undefined
  let perRound = 0
  for (let i = 0; i < sizes.length; i++) perRound += Math.max(1, Math.ceil(sizes[i] / PAGE_SIZE))
  const rounds = Math.max(1, Math.ceil(minObjects / perRound))
  const zpool = makeZpool()
  try {
    for (let r = 0; r < rounds; r++) for (let i = 0; i < sizes.length; i++) zpool.malloc(sizes[i])
    const objects = rounds * sizes.length
    const pages = zpool.totalPages
    return { objects, pages, pagesForRun: (pages * sizes.length) / objects }
  } finally {
    zpool.destroy()
  }
}
