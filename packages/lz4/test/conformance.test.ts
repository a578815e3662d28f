import { compressorSuite } from '@zswap/conformance'
import { lz4 } from '../src/index.js'
import { backends } from './backends.js'

for (const backend of backends) {
  compressorSuite(`lz4 (${backend})`, () => lz4({ backend }))
  compressorSuite(`lz4 (${backend}, checksum: false)`, () => lz4({ backend, checksum: false }))
}
