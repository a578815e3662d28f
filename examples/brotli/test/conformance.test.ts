import { compressorSuite } from '@zswap/conformance'
import { brotli } from '../src/index.js'

compressorSuite('brotli', () => brotli())
