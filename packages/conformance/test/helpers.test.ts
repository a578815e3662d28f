import { ErrorCode, InvalidHandleError } from '@zswap/core'
import { describe, expect, it } from 'vitest'
import { expectCode, expectCodeSync, retainedGrowth } from '../src/helpers.js'
import { randomPage, samplePages, structPage, textPage } from '../src/index.js'

describe('samplePages', () => {
  it('holds every kind of page, 4096 bytes each, with unique names', () => {
    const pages = samplePages()
    expect(pages.length).toBe(28)
    for (const p of pages) expect(p.data.length).toBe(4096)
    expect(new Set(pages.map((p) => p.name)).size).toBe(pages.length)
    expect(new Set(pages.map((p) => p.kind))).toEqual(
      new Set(['zero', 'same-filled', 'text', 'binary', 'random', 'corpus']),
    )
    expect(pages.find((p) => p.kind === 'zero')?.data.every((b) => b === 0)).toBe(true)
    for (const p of pages.filter((q) => q.kind === 'corpus'))
      expect(p.data.some((b) => b !== p.data[0])).toBe(true)
  })

  it('is deterministic', () => {
    expect(textPage(3)).toEqual(textPage(3))
    expect(structPage(3)).toEqual(structPage(3))
    expect(randomPage(3)).toEqual(randomPage(3))
    expect(randomPage(3)).not.toEqual(randomPage(4))
    expect(samplePages()).toBe(samplePages())
  })
})

describe('retainedGrowth', () => {
  it('sees memory a function keeps, and none when it keeps nothing', () => {
    const kept: Uint8Array[] = []
    expect(retainedGrowth(() => kept.push(new Uint8Array(1024)), 1000)).toBeGreaterThan(512 * 1024)
    expect(retainedGrowth(() => new Uint8Array(1024).fill(1), 1000)).toBeLessThan(256 * 1024)
  })
})

describe('expectCode', () => {
  it('passes on the right code and fails on a wrong code, a foreign error or no error', async () => {
    const bad = () => {
      throw new InvalidHandleError('x')
    }
    expectCodeSync(bad, ErrorCode.INVALID_HANDLE)
    expect(() => expectCodeSync(bad, ErrorCode.CLOSED)).toThrow()
    expect(() => expectCodeSync(() => 1, ErrorCode.CLOSED)).toThrow()
    expect(() =>
      expectCodeSync(() => {
        throw new RangeError('x')
      }, ErrorCode.CLOSED),
    ).toThrow()
    await expectCode(async () => bad(), ErrorCode.INVALID_HANDLE)
    await expect(expectCode(async () => 1, ErrorCode.CLOSED)).rejects.toThrow()
  })
})
