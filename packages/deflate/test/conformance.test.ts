import { compressorSuite } from '@zswap/conformance'
import { deflate } from '../src/index.js'

compressorSuite('deflate', () => deflate())
