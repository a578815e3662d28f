import { deflateRawSync, inflateRawSync } from 'node:zlib'
import {
  ClosedError,
  type Compressor,
  CorruptDataError,
  InvalidArgumentError,
  InvalidHandleError,
  ObjectTooLargeError,
  PAGE_SIZE,
  SPECIFICATION_VERSION,
  type Zpool,
  ZpoolFullError,
} from '@zswap/core'

/**
 * A plain, obviously correct Compressor on node:zlib's raw deflate. The
 * suites put it in front of a zpool or swap device under test when they run
 * that driver behind the cache. It allocates per call: it is a test double,
 * not a driver to ship.
 */
export function referenceCompressor(): Compressor {
  return {
    specificationVersion: SPECIFICATION_VERSION,
    name: 'reference-deflate',
    capabilities: { format: 'deflate-raw' },
    compress(src, dst) {
      const out = deflateRawSync(src, { level: 1 })
      if (out.length > dst.length) return -1
      dst.set(out)
      return out.length
    },
    decompress(src, dst) {
      let out: Buffer
      try {
        if (src.length === 0) throw new Error('empty input')
        out = inflateRawSync(src, { maxOutputLength: Math.max(1, dst.length) })
      } catch (cause) {
        throw new CorruptDataError('[@zswap/conformance] reference-deflate: corrupt input', { cause })
      }
      if (out.length > dst.length)
        throw new CorruptDataError('[@zswap/conformance] reference-deflate: too long')
      dst.set(out)
      return out.length
    },
  }
}

/** Options of {@link referenceZpool}. */
export interface ReferenceZpoolOptions {
  /** Most pages held at once; malloc throws ZpoolFullError beyond. Default: unlimited. */
  maxPages?: number
}

/**
 * A plain, obviously correct Zpool: every object gets whole pages of its
 * own (a Map of handle → bytes). The suites use it in front of a compressor
 * or swap device under test when they run that driver behind the cache,
 * and as the model the zpool suite's random sequences are checked against.
 */
export function referenceZpool(options: ReferenceZpoolOptions = {}): Zpool {
  const maxPages = options.maxPages ?? Number.POSITIVE_INFINITY
  const objects = new Map<number, Uint8Array>()
  let pages = 0
  let next = 1
  let destroyed = false
  const live = () => {
    if (destroyed) throw new ClosedError('[@zswap/conformance] reference zpool was destroyed')
  }
  const get = (handle: number) => {
    live()
    const object = objects.get(handle)
    if (!object) throw new InvalidHandleError(`[@zswap/conformance] handle ${handle} is not allocated`)
    return object
  }
  return {
    specificationVersion: SPECIFICATION_VERSION,
    name: 'reference',
    capabilities: { maxObjectSize: PAGE_SIZE },
    malloc(size) {
      live()
      if (!Number.isInteger(size) || size < 1) {
        throw new InvalidArgumentError(`[@zswap/conformance] size must be a positive integer, got ${size}`)
      }
      if (size > PAGE_SIZE) throw new ObjectTooLargeError(`[@zswap/conformance] object of ${size} bytes`)
      if (pages + 1 > maxPages) throw new ZpoolFullError('[@zswap/conformance] reference zpool is full')
      pages++
      objects.set(next, new Uint8Array(size))
      return next++
    },
    free(handle) {
      get(handle)
      objects.delete(handle)
      pages--
    },
    write(handle, src) {
      const object = get(handle)
      if (src.length > object.length)
        throw new InvalidArgumentError('[@zswap/conformance] src longer than object')
      object.set(src)
    },
    read(handle, dst) {
      const object = get(handle)
      if (dst.length > object.length)
        throw new InvalidArgumentError('[@zswap/conformance] dst longer than object')
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
}
