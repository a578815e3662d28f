import { compressorSuite } from '@zswap/conformance'
import { deflate } from '../src/index.js'
import { libdeflate } from './engines.js'

compressorSuite(`deflate (default engine: ${deflate().engine})`, () => deflate())
compressorSuite('deflate on zlib', () => deflate({ engine: 'zlib' }))
compressorSuite('deflate on fflate', () => deflate({ engine: 'fflate', level: 1 }))
if (libdeflate.available) {
  compressorSuite('deflate on libdeflate, level 1', () => deflate({ engine: 'libdeflate', level: 1 }))
  compressorSuite('deflate on libdeflate, checksum: false', () =>
    deflate({ engine: 'libdeflate', checksum: false }),
  )
}
