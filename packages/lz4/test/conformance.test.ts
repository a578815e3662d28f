import { compressorSuite } from '@zswap/conformance'
import { lz4 } from '../src/index.js'

compressorSuite('lz4', () => lz4())
compressorSuite('lz4 (checksum: false)', () => lz4({ checksum: false }))
