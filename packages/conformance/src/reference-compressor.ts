import { deflateRawSync, inflateRawSync } from 'node:zlib'
import { type Compressor, CorruptDataError, SPECIFICATION_VERSION } from '@zswap/core'

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
