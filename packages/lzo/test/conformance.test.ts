import { compressorSuite } from '@zswap/conformance'
import { describe } from 'vitest'
import { lzo, lzoRle } from '../src/index.js'
import { liblzo2 } from './backends.js'

describe.runIf(liblzo2.available)('lzo on liblzo2', () => {
  compressorSuite('lzo', () => lzo())
  compressorSuite('lzo (checksum: false)', () => lzo({ checksum: false }))
  compressorSuite('lzo-rle', () => lzoRle())
  compressorSuite('lzo-rle (checksum: false)', () => lzoRle({ checksum: false }))
})
