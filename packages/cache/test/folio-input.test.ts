import { ErrorCode, InvalidArgumentError } from '@zswap/core'
import { referenceZpool, rleCompressor } from '@zswap/core/testing'
import { describe, expect, it } from 'vitest'
import { createZswap } from '../src/index.js'
import { emptyFolio, folioAt, rejection } from './fixtures.js'

// storeBatch/loadBatch input checks, pinned to the error and its message:
// survivors of the second full Stryker run (RELIABILITY.md).

const open = () =>
  createZswap({ compressor: rleCompressor(), zpool: referenceZpool(), mthpEnabled: true, ramBytes: 1 << 30 })

describe('storeBatch and loadBatch input', () => {
  it('the folios must be an array', async () => {
    const cache = open()
    for (const bad of [null, undefined, {}, { length: 2 }, 'ab', 3]) {
      for (const [what, call] of [
        ['storeBatch', () => cache.storeBatch(bad as never)],
        ['loadBatch', () => cache.loadBatch(bad as never)],
      ] as const) {
        const error = await rejection(call())
        expect(error).toBeInstanceOf(InvalidArgumentError)
        expect(error.code).toBe(ErrorCode.INVALID_ARGUMENT)
        expect(error.message).toBe(`[@zswap/cache] ${what}: folios must be an array`)
      }
    }
    expect(await cache.storeBatch([])).toEqual([])
    expect(await cache.loadBatch([])).toEqual([])
  })

  it('overlapping folios of one swap type are rejected in any order, naming both offsets', async () => {
    const cache = open()
    const folios = [
      folioAt(8, 1, 1, undefined, 1),
      folioAt(0, 2, 2),
      folioAt(9, 0, 3, undefined, 1),
      folioAt(16),
    ]
    for (const order of [
      [0, 1, 2, 3],
      [2, 0, 3, 1],
      [3, 2, 1, 0],
      [1, 3, 0, 2],
    ]) {
      const error = await rejection(cache.storeBatch(order.map((i) => folios[i])))
      expect(error).toBeInstanceOf(InvalidArgumentError)
      expect(error.message).toBe('[@zswap/cache] storeBatch: folios at offsets 8 and 9 overlap')
    }
    const load = await rejection(cache.loadBatch([emptyFolio(4, 2), emptyFolio(7)]))
    expect(load.message).toBe('[@zswap/cache] loadBatch: folios at offsets 4 and 7 overlap')
    expect(cache.storedPages).toBe(0)
  })

  it('the same offsets in different swap types, and adjacent folios, do not overlap', async () => {
    const cache = open()
    const folios = [
      folioAt(0, 1, 1, undefined, 1),
      folioAt(1, 0, 2),
      folioAt(0, 0, 3),
      folioAt(2, 1, 4, undefined, 1),
    ]
    expect(await cache.storeBatch(folios)).toEqual([true, true, true, true])
    expect(cache.storedPages).toBe(6)
    const out = [emptyFolio(0, 1, 1), emptyFolio(1), emptyFolio(0), emptyFolio(2, 1, 1)]
    expect(await cache.loadBatch(out)).toEqual([true, true, true, true])
    for (let i = 0; i < 4; i++) expect(out[i].data).toEqual(folios[i].data)
  })
})
