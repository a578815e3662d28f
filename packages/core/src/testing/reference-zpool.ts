import {
  ClosedError,
  InvalidArgumentError,
  InvalidHandleError,
  ObjectTooLargeError,
  ZpoolFullError,
} from '../errors.js'
import { PAGE_SIZE } from '../page.js'
import { SPECIFICATION_VERSION } from '../specification.js'
import type { Zpool } from '../zpool.js'

/** Options of {@link referenceZpool}. */
export interface ReferenceZpoolOptions {
  /** Most objects (= pages) held at once; malloc throws ZpoolFullError beyond. Default unlimited. */
  maxPages?: number
  /**
   * Largest object `malloc` accepts (`capabilities.maxObjectSize`), at least
   * PAGE_SIZE: larger values let a cache store multi-page objects. An object
   * counts `ceil(size / PAGE_SIZE)` pages in `totalPages` and `maxPages`.
   * Default PAGE_SIZE.
   */
  maxObjectSize?: number
  /** Implement the optional `readInPlace` (a view of the object's own array). Default false. */
  readInPlace?: boolean
}

/**
 * The simplest correct Zpool, for tests and as a model: one Uint8Array and
 * one page per object (more for an object larger than a page, when
 * `maxObjectSize` allows). Not for production (an object per allocation).
 */
export function referenceZpool(options: ReferenceZpoolOptions = {}): Zpool {
  const maxPages = options.maxPages ?? Number.POSITIVE_INFINITY
  const maxObjectSize = options.maxObjectSize ?? PAGE_SIZE
  if (!Number.isInteger(maxObjectSize) || maxObjectSize < PAGE_SIZE) {
    throw new InvalidArgumentError(`[@zswap/core] maxObjectSize must be an integer ≥ ${PAGE_SIZE}`)
  }
  const objects = new Map<number, Uint8Array>()
  const pagesOf = (size: number) => Math.ceil(size / PAGE_SIZE)
  let pages = 0
  let next = 1
  let destroyed = false
  const get = (handle: number) => {
    if (destroyed) throw new ClosedError('[@zswap/core] reference zpool destroyed')
    const object = objects.get(handle)
    if (object === undefined) throw new InvalidHandleError(`[@zswap/core] unknown handle ${handle}`)
    return object
  }
  const pool: Zpool = {
    specificationVersion: SPECIFICATION_VERSION,
    name: 'reference',
    capabilities: { maxObjectSize },
    malloc(size) {
      if (destroyed) throw new ClosedError('[@zswap/core] reference zpool destroyed')
      if (!Number.isInteger(size) || size < 1)
        throw new InvalidArgumentError(`[@zswap/core] bad size ${size}`)
      if (size > maxObjectSize)
        throw new ObjectTooLargeError(`[@zswap/core] object of ${size} bytes exceeds ${maxObjectSize}`)
      if (pages + pagesOf(size) > maxPages) throw new ZpoolFullError('[@zswap/core] reference zpool is full')
      const handle = next++
      objects.set(handle, new Uint8Array(size))
      pages += pagesOf(size)
      return handle
    },
    free(handle) {
      pages -= pagesOf(get(handle).length)
      objects.delete(handle)
    },
    write(handle, src) {
      const object = get(handle)
      if (src.length > object.length) throw new InvalidArgumentError('[@zswap/core] write past the object')
      object.set(src)
    },
    read(handle, dst) {
      const object = get(handle)
      if (dst.length > object.length) throw new InvalidArgumentError('[@zswap/core] read past the object')
      dst.set(object.subarray(0, dst.length))
    },
    get totalPages() {
      return pages
    },
    destroy() {
      destroyed = true
      objects.clear()
      pages = 0
    },
  }
  if (options.readInPlace) {
    pool.readInPlace = (handle, length, scratch) => {
      const object = get(handle)
      if (!(Number.isInteger(length) && length >= 0 && length <= object.length)) {
        throw new InvalidArgumentError(`[@zswap/core] bad length ${length}`)
      }
      if (!(scratch instanceof Uint8Array) || scratch.length < length) {
        throw new InvalidArgumentError('[@zswap/core] scratch must be a Uint8Array of at least length bytes')
      }
      return object.subarray(0, length)
    }
  }
  return pool
}
