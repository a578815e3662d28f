import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ErrorCode, PAGE_SIZE, PageArena, zpoolArena } from '../src/index.js'

describe('PageArena', () => {
  it('hands out pages up to maxPages, then -1, and reuses freed ones', () => {
    const arena = new PageArena({ maxPages: 3, chunkPages: 2 })
    const ids = [arena.alloc(), arena.alloc(), arena.alloc()]
    expect(new Set(ids).size).toBe(3)
    expect(arena.alloc()).toBe(-1)
    arena.chunk(ids[0]).fill(7, arena.offset(ids[0]), arena.offset(ids[0]) + PAGE_SIZE)
    arena.free(ids[0])
    const again = arena.alloc()
    expect(again).toBe(ids[0])
    expect(arena.page(ids[1]).every((b) => b === 0)).toBe(true) // fresh chunks start zeroed
    expect(arena.pagesInUse).toBe(3)
  })

  it('rejects double free and foreign ids', () => {
    const arena = new PageArena()
    const id = arena.alloc()
    arena.free(id)
    expect(() => arena.free(id)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }))
    expect(() => arena.free(12345)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }))
  })

  it('checks options', () => {
    expect(() => new PageArena({ chunkPages: 3 })).toThrow(RangeError)
    expect(() => new PageArena({ maxPages: -1 })).toThrow(RangeError)
  })

  it('never hands out a page twice (random alloc/free against a set)', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { maxLength: 400 }), (ops) => {
        const arena = new PageArena({ chunkPages: 4 })
        const live = new Set<number>()
        for (const alloc of ops) {
          if (alloc || live.size === 0) {
            const id = arena.alloc()
            expect(live.has(id)).toBe(false)
            live.add(id)
            // a pool writes the page: freeing other pages must leave it alone
            arena.chunk(id).fill(id & 0xff, arena.offset(id), arena.offset(id) + PAGE_SIZE)
          } else {
            const id = live.values().next().value as number
            live.delete(id)
            arena.free(id)
          }
          expect(arena.pagesInUse).toBe(live.size)
        }
        // pages do not overlap: each is its own 4 KiB of its chunk
        for (const id of live) expect(arena.page(id).every((b) => b === (id & 0xff))).toBe(true)
      }),
    )
  })

  it('reuses freed pages last-freed first, then the fresh part of a chunk in order', () => {
    const arena = new PageArena({ chunkPages: 8 })
    const ids = Array.from({ length: 5 }, () => arena.alloc())
    expect(ids).toEqual([0, 1, 2, 3, 4])
    expect(() => arena.free(6)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT })) // never handed out
    arena.free(1)
    arena.free(3)
    expect([arena.alloc(), arena.alloc(), arena.alloc(), arena.alloc()]).toEqual([3, 1, 5, 6])
  })

  it('keeps its free list across chunks', () => {
    const arena = new PageArena({ chunkPages: 4 })
    arena.alloc()
    const ids: number[] = []
    for (let i = 0; i < 300; i++) {
      const id = arena.alloc()
      if (i % 3 === 0) ids.push(id)
      else arena.free(id)
    }
    expect(arena.pagesInUse).toBe(1 + ids.length)
    const after = new Set(Array.from({ length: 200 }, () => arena.alloc()))
    for (const id of ids) expect(after.has(id)).toBe(false)
    expect(after.size).toBe(200)
  })

  it('a page written to after it was freed is reported, never handed out twice', () => {
    const arena = new PageArena({ chunkPages: 8 })
    const [a, b] = [arena.alloc(), arena.alloc()]
    arena.free(a)
    arena.free(b) // the list: b → a
    arena.chunk(b).fill(0, arena.offset(b), arena.offset(b) + 4) // use after free: b's link now says page 0… which is a, still free
    expect(arena.alloc()).toBe(b)
    expect(arena.alloc()).toBe(a)
    const c = arena.alloc()
    arena.free(c)
    arena.chunk(c).fill(1, arena.offset(c), arena.offset(c) + 4) // link → page 0x01010101, never handed out
    expect(() => arena.alloc()).toThrow(expect.objectContaining({ code: ErrorCode.CORRUPT_DATA }))
    const d = new PageArena({ chunkPages: 8 })
    const [x, y] = [d.alloc(), d.alloc()]
    d.free(x)
    d.chunk(x).fill(0, d.offset(x), d.offset(x) + 4)
    d.chunk(x)[d.offset(x)] = y // link → y, which is in use
    expect(() => d.alloc()).toThrow(expect.objectContaining({ code: ErrorCode.CORRUPT_DATA }))
  })

  it('zpoolArena: the arena given (shared), or a private one with maxPages', () => {
    const shared = new PageArena()
    expect(zpoolArena('@zswap/x', shared, undefined)).toEqual({ arena: shared, owned: false })
    const own = zpoolArena('@zswap/x', undefined, 5)
    expect(own.owned).toBe(true)
    expect(own.arena.maxPages).toBe(5)
    expect(zpoolArena('@zswap/x', undefined, undefined).arena.maxPages).toBe(Number.POSITIVE_INFINITY)
    expect(() => zpoolArena('@zswap/x', shared, 5)).toThrow(
      '[@zswap/x] options.maxPages must be left out when options.arena is given',
    )
    expect(() => zpoolArena('@zswap/x', {}, undefined)).toThrow(TypeError)
    expect(() => zpoolArena('@zswap/x', undefined, -1)).toThrow(RangeError)
  })
})
