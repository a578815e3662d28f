import { compressorSuite } from '@zswap/conformance'
import { zstd } from '../src/index.js'

compressorSuite('zstd', () => zstd())
