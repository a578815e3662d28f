import type { Compressor } from '../compressor.js'
import { CorruptDataError } from '../errors.js'
import { SPECIFICATION_VERSION } from '../specification.js'

/**
 * A tiny, dependency-free run-length Compressor for tests: pairs of
 * (run length 1..255, byte). Zero and same-filled pages shrink to a few
 * bytes; random pages do not fit (-1). Any malformed input is CorruptDataError.
 */
export function rleCompressor(name = 'rle'): Compressor {
  return {
    specificationVersion: SPECIFICATION_VERSION,
    name,
    capabilities: { format: 'test-rle' },
    compress(src, dst) {
      let o = 0
      for (let i = 0; i < src.length; ) {
        const b = src[i]
        let run = 1
        while (run < 255 && i + run < src.length && src[i + run] === b) run++
        if (o + 2 > dst.length) return -1
        dst[o++] = run
        dst[o++] = b
        i += run
      }
      return o
    },
    decompress(src, dst) {
      if (src.length % 2 !== 0)
        throw new CorruptDataError(`[@zswap/core] ${name}: odd input length ${src.length}`)
      let o = 0
      for (let i = 0; i < src.length; i += 2) {
        const run = src[i]
        if (run === 0 || o + run > dst.length)
          throw new CorruptDataError(`[@zswap/core] ${name}: corrupt run at ${i}`)
        dst.fill(src[i + 1], o, o + run)
        o += run
      }
      return o
    },
  }
}
