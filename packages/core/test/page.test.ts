import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  assertFolio,
  assertFolioFields,
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

  it('assertFolio reads each field once (a getter cannot answer differently to the checks)', () => {
    const reads: Record<string, number> = {}
    const counted = <T>(name: string, value: T) => ({
      get() {
        reads[name] = (reads[name] ?? 0) + 1
        return value
      },
      enumerable: true,
    })
    const swap = Object.defineProperties({}, { type: counted('type', 0), offset: counted('offset', 8) })
    const folio = Object.defineProperties(
      {},
      {
        swap: counted('swap', swap),
        order: counted('order', 1),
        data: counted('data', new Uint8Array(2 * PAGE_SIZE)),
        cgroup: counted('cgroup', undefined),
      },
    )
    assertFolio(folio)
    expect(reads).toEqual({ swap: 1, type: 1, offset: 1, order: 1, data: 1, cgroup: 1 })
  })

  it('assertFolioFields checks values already read', () => {
    expect(() => assertFolioFields(0, 0, 0, new Uint8Array(PAGE_SIZE), undefined)).not.toThrow()
    expect(() => assertFolioFields(0, 0, 9, new Uint8Array(PAGE_SIZE), undefined)).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }),
    )
    expect(() => assertFolioFields(0, -1, 0, new Uint8Array(PAGE_SIZE), 'a')).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }),
    )
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
