import { compressorSuite } from '@zswap/conformance'
import { deflate } from '../src/index.js'

compressorSuite('deflate', () => deflate())
compressorSuite('deflate on fflate', () => deflate({ engine: 'fflate', level: 1 }))
