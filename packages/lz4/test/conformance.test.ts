import { compressorSuite } from '@zswap/conformance'
import { lz4 } from '../src/index.js'

compressorSuite('lz4', () => lz4())
