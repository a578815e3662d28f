import {
  ClosedError,
  ErrorCode,
  InvalidArgumentError,
  InvalidHandleError,
  ObjectTooLargeError,
  PAGE_SIZE,
  PageArena,
  ZpoolFullError,
} from '@zswap/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MAX_BUDDY_SIZE, type Z3fold, z3fold } from '../src/index.js'

function content(size: number, id: number): Uint8Array {
  const out = new Uint8Array(size)
  for (let i = 0; i < size; i++) out[i] = (id * 131 + i * 7 + (i >>> 8) * 13) & 0xff
  return out
}

function same(pool: Z3fold, h: number, bytes: Uint8Array): boolean {
  const got = new Uint8Array(bytes.length)
  pool.read(h, got)
  return Buffer.from(got).equals(Buffer.from(bytes))
}

function store(pool: Z3fold, size: number, id: number, model: Map<number, Uint8Array>): number {
  const h = pool.malloc(size)
  const bytes = content(size, id)
  pool.write(h, bytes)
  model.set(h, bytes)
  return h
}

describe('z3fold', () => {
  it('packs three objects in one page', () => {
    const pool = z3fold()
    const model = new Map<number, Uint8Array>()
    store(pool, 1300, 1, model) // first: 21 chunks
    store(pool, 1300, 2, model) // last
    store(pool, 1200, 3, model) // middle, between them
    expect(pool.totalPages).toBe(1)
    store(pool, 200, 4, model) // no room left: a new page
    expect(pool.totalPages).toBe(2)
    for (const [h, b] of model) expect(same(pool, h, b)).toBe(true)
  })

  it('puts objects above 3968 bytes on a headless page', () => {
    const pool = z3fold()
    const model = new Map<number, Uint8Array>()
    const a = store(pool, MAX_BUDDY_SIZE, 1, model)
    expect(pool.totalPages).toBe(1)
    store(pool, MAX_BUDDY_SIZE + 1, 2, model)
    store(pool, PAGE_SIZE, 3, model)
    expect(pool.totalPages).toBe(3)
    for (const [h, b] of model) expect(same(pool, h, b)).toBe(true)
    pool.free(a)
    expect(pool.totalPages).toBe(2)
  })

  it('slides the middle object to the first slot when it is left alone', () => {
    const pool = z3fold()
    const model = new Map<number, Uint8Array>()
    const first = store(pool, 1000, 1, model)
    const last = store(pool, 1000, 2, model)
    const middle = store(pool, 1000, 3, model)
    pool.free(first)
    model.delete(first)
    pool.free(last)
    model.delete(last)
    expect(pool.totalPages).toBe(1)
    expect(same(pool, middle, model.get(middle)!)).toBe(true)
    // the whole page minus the moved object is free again: two 1400-byte objects fit
    store(pool, 1400, 4, model)
    store(pool, 1400, 5, model)
    expect(pool.totalPages).toBe(1)
    for (const [h, b] of model) expect(same(pool, h, b)).toBe(true)
  })

  it('moves a lone object into another page and frees its page', () => {
    const pool = z3fold()
    const model = new Map<number, Uint8Array>()
    const a = store(pool, 2000, 1, model)
    const b = store(pool, 1900, 2, model) // same page, last buddy: 32 + 30 of 63 chunks
    const c = store(pool, 3000, 3, model) // second page, 47 chunks
    const d = store(pool, 900, 4, model) // second page, last buddy: 15 chunks
    expect(pool.totalPages).toBe(2)
    pool.free(a)
    model.delete(a)
    // b is alone, but page 2 has 1 free chunk: b stays
    expect(pool.totalPages).toBe(2)
    pool.free(c)
    model.delete(c)
    // page 2 holds d alone and page 1 (33 chunks free) has room for it: d moves, page 2 is freed
    expect(pool.totalPages).toBe(1)
    for (const [h, bytes] of model) expect(same(pool, h, bytes)).toBe(true)
    pool.free(b)
    pool.free(d)
    expect(pool.totalPages).toBe(0)
  })

  // z3fold_compact_page moves the middle object next to its neighbour only for a gap of at
  // least BIG_CHUNK_GAP (3) chunks. Sizes are whole chunks (64 bytes); a page has 63 usable chunks
  // after the 1-chunk header. Whether the middle moved shows in what fits in the page afterwards.
  const chunks = (n: number) => n * 64

  it.each([
    [3, true],
    [2, false],
  ])('slides the middle object towards the last one for a gap of %i chunks: %s', (gap, moves) => {
    const pool = z3fold()
    const model = new Map<number, Uint8Array>()
    const first = store(pool, chunks(20), 1, model) // chunks 1..20
    store(pool, chunks(60 - 20 - 20 - gap + 3), 2, model) // last, against the page end
    store(pool, chunks(20), 3, model) // middle at chunk 21, `gap` free chunks before the last
    expect(pool.totalPages).toBe(1)
    pool.free(first)
    model.delete(first)
    // moved: the middle sits against the last, and chunks 1..20+gap are free; not moved: 1..20
    store(pool, chunks(20 + gap), 4, model)
    expect(pool.totalPages).toBe(moves ? 1 : 2)
    for (const [h, b] of model) expect(same(pool, h, b)).toBe(true)
  })

  it.each([
    [3, true],
    [2, false],
  ])('slides the middle object towards the first one for a gap of %i chunks: %s', (gap, moves) => {
    const pool = z3fold()
    const model = new Map<number, Uint8Array>()
    const a = store(pool, chunks(20), 1, model) // first: chunks 1..20
    const last = store(pool, chunks(22), 2, model) // last: chunks 42..63
    store(pool, chunks(20), 3, model) // middle: chunks 21..40, 1 free chunk before the last
    pool.free(a) // a gap of 1 after the middle: it stays at chunk 21
    model.delete(a)
    store(pool, chunks(20 - gap), 4, model) // a smaller first: `gap` free chunks before the middle
    expect(pool.totalPages).toBe(1)
    pool.free(last)
    model.delete(last)
    // moved: the middle follows the first and the rest of the page is free; not moved: 23 chunks
    store(pool, chunks(23 + gap), 5, model)
    expect(pool.totalPages).toBe(moves ? 1 : 2)
    for (const [h, b] of model) expect(same(pool, h, b)).toBe(true)
  })

  it('throws typed errors', () => {
    const pool = z3fold({ maxPages: 2 })
    for (const bad of [0, -3, 2.5, Number.NaN]) expect(() => pool.malloc(bad)).toThrow(InvalidArgumentError)
    expect(() => pool.malloc(PAGE_SIZE + 1)).toThrow(ObjectTooLargeError)
    const h = pool.malloc(100)
    expect(() => pool.write(h, new Uint8Array(101))).toThrow(InvalidArgumentError)
    expect(() => pool.read(h, new Uint8Array(101))).toThrow(InvalidArgumentError)
    pool.malloc(PAGE_SIZE)
    expect(() => pool.malloc(PAGE_SIZE)).toThrow(ZpoolFullError)
    expect(pool.totalPages).toBe(2)
    expect(pool.objectCount).toBe(2)
    pool.free(h)
    expect(() => pool.free(h)).toThrow(InvalidHandleError)
    const again = pool.malloc(100)
    expect(() => pool.read(h, new Uint8Array(1))).toThrow(InvalidHandleError)
    for (const bad of [-1, 0.5, 2 ** 32, 777, again + 1])
      expect(() => pool.free(bad)).toThrow(InvalidHandleError)
    const other = z3fold()
    expect(() => pool.free(other.malloc(10))).toThrow(InvalidHandleError)
    try {
      pool.malloc(PAGE_SIZE)
    } catch (e) {
      expect((e as ZpoolFullError).code).toBe(ErrorCode.ZPOOL_FULL)
      expect((e as Error).message).toContain('[@zswap/z3fold]')
    }
    expect(() => z3fold({ arena: new PageArena(), maxPages: 1 })).toThrow(/options\.maxPages/)
    expect(() => z3fold({ maxPages: -2 })).toThrow(RangeError)
    const arena = new PageArena()
    const shared = z3fold({ arena })
    shared.malloc(10)
    shared.malloc(4000)
    shared.destroy()
    expect(arena.pagesInUse).toBe(0)
    expect(() => shared.malloc(1)).toThrow(ClosedError)
    expect(() => shared.read(1, new Uint8Array(1))).toThrow(ClosedError)
  })

  it('keeps every live object intact against a Map model', () => {
    const cmd = fc.oneof(
      {
        weight: 5,
        arbitrary: fc.record({
          op: fc.constant('malloc' as const),
          size: fc.integer({ min: 1, max: PAGE_SIZE }),
        }),
      },
      { weight: 3, arbitrary: fc.record({ op: fc.constant('free' as const), pick: fc.nat() }) },
      {
        weight: 2,
        arbitrary: fc.record({ op: fc.constant('small' as const), size: fc.integer({ min: 1, max: 700 }) }),
      },
    )
    fc.assert(
      fc.property(fc.array(cmd, { maxLength: 400 }), (cmds) => {
        const arena = new PageArena()
        const pool = z3fold({ arena })
        const model = new Map<number, Uint8Array>()
        let id = 0
        for (const c of cmds) {
          if (c.op === 'free') {
            const keys = [...model.keys()]
            if (keys.length === 0) continue
            const h = keys[c.pick % keys.length]
            pool.free(h)
            model.delete(h)
          } else {
            const h = pool.malloc(c.size)
            expect(model.has(h)).toBe(false)
            const bytes = content(c.size, id++)
            pool.write(h, bytes)
            model.set(h, bytes)
          }
          expect(pool.objectCount).toBe(model.size)
          // never more pages than objects, and never fewer than a third of them
          expect(pool.totalPages).toBeLessThanOrEqual(model.size)
          expect(pool.totalPages * 3).toBeGreaterThanOrEqual(model.size)
        }
        for (const [h, b] of model) if (!same(pool, h, b)) throw new Error(`object ${h} changed`)
        expect(arena.pagesInUse).toBe(pool.totalPages)
        for (const h of model.keys()) pool.free(h)
        expect(pool.totalPages).toBe(0)
        expect(arena.pagesInUse).toBe(0)
      }),
      { numRuns: 60 },
    )
  })
})
