import type { SpecificationVersion } from './specification.js'

/** What a zpool can do, as data. */
export interface ZpoolCapabilities {
  /** Largest object `malloc` accepts, in bytes. Default: PAGE_SIZE. */
  readonly maxObjectSize: number
  /** True when `compact()` is implemented. Default: false. */
  readonly supportsCompaction?: boolean
}

/**
 * A compressed-object allocator (kernel: zpool_driver). Handles are plain
 * numbers; memory is reached through `write`/`read` copies (and the
 * short-lived views of `readInPlace`), so a pool may move objects
 * (compaction) without invalidating handles.
 */
export interface Zpool {
  /** Contract version implemented: `'v1'`. */
  readonly specificationVersion: SpecificationVersion
  /** Short name: `'zbud'`, `'zsmalloc'`. */
  readonly name: string
  /** Capabilities; read once by callers. */
  readonly capabilities: ZpoolCapabilities

  /**
   * Allocates an object of `size` bytes (1..maxObjectSize).
   * @returns a handle: an integer in [0, 2^32).
   * @throws ZpoolFullError when no page can be had; ObjectTooLargeError above
   * maxObjectSize; InvalidArgumentError for a non-integer or size < 1.
   * A failed malloc changes nothing.
   */
  malloc(size: number): number

  /**
   * Frees an object.
   * @throws InvalidHandleError for a handle not allocated here or already freed.
   */
  free(handle: number): void

  /**
   * Copies `src` into the object from its first byte; `src.length` must not
   * exceed the size given to malloc.
   * @throws InvalidHandleError; InvalidArgumentError when src is too long.
   */
  write(handle: number, src: Uint8Array): void

  /**
   * Copies the object's first `dst.length` bytes into `dst`.
   * @throws InvalidHandleError; InvalidArgumentError when dst is longer than the object.
   */
  read(handle: number, dst: Uint8Array): void

  /**
   * Optional (the kernel's zs_obj_read_begin): the object's first `length`
   * bytes, read in place where the pool can. Returns a view of pool memory
   * when those bytes lie contiguous there, else `scratch.subarray(0, length)`
   * holding a copy (an object across pages that are not adjacent). A view of pool
   * memory shows the object only until the pool next changes (malloc, free,
   * write, compact, destroy); callers read it and never write through it.
   * @throws InvalidHandleError; InvalidArgumentError when `length` is not an
   * integer in [0, the object's size] or `scratch` is shorter than `length`.
   */
  readInPlace?(handle: number, length: number, scratch: Uint8Array): Uint8Array

  /** 4 KiB pages the pool holds now, including partly used ones. Exact. */
  readonly totalPages: number

  /** Moves objects to free whole pages; returns pages given back. Present when supportsCompaction. */
  compact?(): number

  /** Frees every page; the pool is unusable afterwards (ClosedError). */
  destroy(): void
}
