import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  assertFolio,
  createFolio,
  ErrorCode,
  folioPages,
  MAX_FOLIO_ORDER,
  PAGE_SIZE,
  swapEntry,
} from '../src/index.js'

describe('pages and folios', () => {
  it('folios of order 0..9 hold 2^order pages', () => {
    for (let order = 0; order <= MAX_FOLIO_ORDER; order++) {
      const folio = createFolio({ type: 0, offset: 0 }, order)
      expect(folio.data.length).toBe(folioPages(order) * PAGE_SIZE)
    }
  })

  it('rejects malformed folios with ERR_INVALID_ARGUMENT', () => {
    const cases = [
      { swap: { type: 0, offset: 0 }, order: 0, data: new Uint8Array(10) },
      { swap: { type: 0, offset: 0 }, order: 10, data: new Uint8Array(PAGE_SIZE << 10) },
      { swap: { type: 32, offset: 0 }, order: 0, data: new Uint8Array(PAGE_SIZE) },
      { swap: { type: 0, offset: 2 ** 31 - 1 }, order: 1, data: new Uint8Array(2 * PAGE_SIZE) },
      { swap: { type: 0, offset: 0 }, order: 0, data: new Uint8Array(PAGE_SIZE), cgroup: 7 },
      { swap: 5, order: 0, data: new Uint8Array(PAGE_SIZE) },
      'folio',
    ]
    for (const c of cases) {
      expect(() => assertFolio(c)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }))
    }
  })

  it('accepts exactly the valid swap entries', () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), (type, offset) => {
        const valid =
          Number.isInteger(type) &&
          (type as number) >= 0 &&
          (type as number) < 32 &&
          Number.isInteger(offset) &&
          (offset as number) >= 0 &&
          (offset as number) < 2 ** 31
        let ok = true
        try {
          swapEntry(type as number, offset as number)
        } catch {
          ok = false
        }
        expect(ok).toBe(valid)
      }),
    )
  })
})
