import { ErrorCode } from '@zswap/core'
import { describe, expect, it } from 'vitest'
import { brotli } from '../src/index.js'

describe('brotli options', () => {
  it('names the driver after its quality', () => {
    expect(brotli().name).toBe('brotli-1')
    expect(brotli({ quality: 11 }).name).toBe('brotli-11')
  })

  it.each([
    [{ quality: 12 }, RangeError],
    [{ quality: 0.5 }, RangeError],
    [{ quality: '1' }, TypeError],
  ])('rejects %o', (options, kind) => {
    expect(() => brotli(options as never)).toThrow(kind)
    expect(() => brotli(options as never)).toThrow('[zswap-driver-brotli] options.quality must be')
    try {
      brotli(options as never)
    } catch (error) {
      expect((error as { code?: string }).code).toBe(ErrorCode.INVALID_OPTION)
    }
  })

  it('higher quality gives smaller output on text', () => {
    const text = new TextEncoder().encode(
      'the quick brown fox jumps over the lazy dog; '.repeat(91).slice(0, 4096),
    )
    const dst = new Uint8Array(4096)
    expect(brotli({ quality: 11 }).compress(text, dst)).toBeLessThanOrEqual(
      brotli({ quality: 0 }).compress(text, dst),
    )
  })
})
