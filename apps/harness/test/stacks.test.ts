import { PAGE_SIZE } from '@zswap/core'
import { describe, expect, it } from 'vitest'
import { corpusFromBytes, readSample } from '../src/corpus.js'
import { runWorkload } from '../src/run.js'
import { COMPRESSOR_NAMES, compressorBackend, createStack, ZPOOL_NAMES } from '../src/stacks.js'

// The sample's first two windows (node-objgraph): one compressible, one mostly incompressible.
const sample = readSample()
const corpus = corpusFromBytes(sample.data.subarray(0, 512 * PAGE_SIZE), 'head.pages')

describe('every compressor × zpool composes and round-trips', () => {
  for (const compressor of COMPRESSOR_NAMES) {
    for (const zpool of ZPOOL_NAMES) {
      it(`${compressor}+${zpool}, folios of order 0 and 3`, async () => {
        for (const folioOrder of [0, 3]) {
          const stack = await createStack({ compressor, zpool })
          expect(stack.name).toMatch(new RegExp(`^${compressor}(-\\d+)?\\+${zpool}$`))
          const r = await runWorkload({ corpus, stack, folioOrder })
          expect(r.integrity).toBe('ok')
          expect(r.storedPages).toBeGreaterThan(0)
          expect(r.poolPagesAfterLoad).toBe(0)
        }
      })
    }
  }
})

describe('compressorBackend', () => {
  it('names the library from capabilities.backend (lz4) or capabilities.engine (deflate)', () => {
    expect(compressorBackend({ capabilities: { backend: 'liblz4' } })).toBe('liblz4')
    expect(compressorBackend({ capabilities: { engine: 'libdeflate' } })).toBe('libdeflate')
    expect(compressorBackend({ capabilities: { backend: 'a', engine: 'b' } })).toBe('a')
    expect(compressorBackend({ capabilities: { format: 'zstd' } })).toBeUndefined()
  })

  it('a deflate stack says which engine it runs on', async () => {
    const stack = await createStack({ compressor: 'deflate', zpool: 'zsmalloc' })
    expect(['libdeflate', 'zlib']).toContain(compressorBackend(stack.compressor))
    stack.compressor.close?.()
  })
})
