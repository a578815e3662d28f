import {
  ClosedError,
  ErrorCode,
  InvalidArgumentError,
  InvalidHandleError,
  ObjectTooLargeError,
  PAGE_SIZE,
  PageArena,
  SPECIFICATION_VERSION,
  ZpoolFullError,
  ZswapError,
} from '@zswap/core'
import { describe, expect, it } from 'vitest'
import { CHUNK_SIZE, MAX_OBJECT_SIZE, NCHUNKS, Zbud, ZHDR_SIZE, zbud } from '../src/index.js'

function fill(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n)
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed * 17 + 1) & 0xff
  return b
}

/** A pool on an arena the test can inspect. */
function inspectable(maxPages?: number) {
  const arena = new PageArena({ maxPages })
  return { arena, pool: zbud({ arena }) }
}

/** Arena pages (ids 0..n) whose bytes [start, start+len) equal data. */
function pagesHolding(arena: PageArena, data: Uint8Array, start: number): number[] {
  const ids: number[] = []
  for (let id = 0; id < 64; id++) {
    try {
      const page = arena.page(id)
      if (Buffer.from(page.subarray(start, start + data.length)).equals(Buffer.from(data))) ids.push(id)
    } catch {
      break
    }
  }
  return ids
}

function expectCode(fn: () => unknown, type: new (...args: never[]) => ZswapError, code: string): void {
  expect(fn).toThrow(type)
  try {
    fn()
  } catch (error) {
    expect(ZswapError.hasCode(error, code as ZswapError['code'])).toBe(true)
    expect((error as Error).message).toMatch(/^\[@zswap\/zbud\] /)
  }
}

describe('zbud()', () => {
  it('declares the v1 contract, name and capabilities', () => {
    const pool = zbud()
    expect(pool).toBeInstanceOf(Zbud)
    expect(pool.specificationVersion).toBe(SPECIFICATION_VERSION)
    expect(pool.name).toBe('zbud')
    expect(pool.capabilities).toEqual({ maxObjectSize: 4032, supportsCompaction: false })
    expect(Object.isFrozen(pool.capabilities)).toBe(true)
    expect(pool.totalPages).toBe(0)
    expect([CHUNK_SIZE, ZHDR_SIZE, NCHUNKS, MAX_OBJECT_SIZE]).toEqual([64, 64, 63, PAGE_SIZE - 64])
  })

  it('rejects bad options with ERR_INVALID_OPTION', () => {
    const bad: [unknown, RegExp][] = [
      [{ maxPages: -1 }, /options\.maxPages must be/],
      [{ maxPages: 1.5 }, /options\.maxPages must be/],
      [{ maxPages: '4' }, /options\.maxPages must be/],
      [{ arena: {} }, /options\.arena must be a PageArena/],
      [{ arena: new PageArena(), maxPages: 4 }, /options\.maxPages must be omitted/],
    ]
    for (const [options, message] of bad) {
      let caught: unknown
      try {
        zbud(options as never)
      } catch (error) {
        caught = error
      }
      expect(caught).toBeInstanceOf(Error)
      expect((caught as Error).message).toMatch(message)
      expect((caught as { code: string }).code).toBe(ErrorCode.INVALID_OPTION)
    }
    expect(() => zbud({ maxPages: Number.POSITIVE_INFINITY })).not.toThrow()
  })
})

describe('malloc', () => {
  it('rejects sizes that are not integers ≥ 1 with InvalidArgumentError', () => {
    const pool = zbud()
    for (const size of [0, -1, 1.5, Number.NaN, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, '8']) {
      expectCode(() => pool.malloc(size as number), InvalidArgumentError, ErrorCode.INVALID_ARGUMENT)
    }
    expect(pool.totalPages).toBe(0)
  })

  it('accepts maxObjectSize and rejects one byte more with ObjectTooLargeError', () => {
    const pool = zbud()
    expectCode(() => pool.malloc(MAX_OBJECT_SIZE + 1), ObjectTooLargeError, ErrorCode.OBJECT_TOO_LARGE)
    expect(pool.totalPages).toBe(0)
    const h = pool.malloc(MAX_OBJECT_SIZE)
    pool.write(h, fill(MAX_OBJECT_SIZE, 1))
    const out = new Uint8Array(MAX_OBJECT_SIZE)
    pool.read(h, out)
    expect(out).toEqual(fill(MAX_OBJECT_SIZE, 1))
    expect(pool.totalPages).toBe(1)
    // a full page is never offered to a second buddy
    pool.malloc(1)
    expect(pool.totalPages).toBe(2)
  })

  it('returns integer handles in [1, 2^32), distinct for live objects', () => {
    const pool = zbud()
    const handles = new Set<number>()
    for (let i = 0; i < 500; i++) {
      const h = pool.malloc(1 + ((i * 37) % 3000))
      expect(Number.isInteger(h) && h > 0 && h < 2 ** 32).toBe(true)
      handles.add(h)
    }
    expect(handles.size).toBe(500)
  })

  it('puts the first buddy after the header and the last flush with the page end', () => {
    const { arena, pool } = inspectable()
    const a = fill(100, 2)
    const b = fill(130, 3)
    const ha = pool.malloc(100)
    const hb = pool.malloc(130)
    pool.write(ha, a)
    pool.write(hb, b)
    expect(pool.totalPages).toBe(1)
    expect(pagesHolding(arena, a, ZHDR_SIZE)).toEqual([0])
    // 130 bytes round up to 3 chunks: the last buddy starts 192 bytes before the end
    expect(pagesHolding(arena, b, PAGE_SIZE - 3 * CHUNK_SIZE)).toEqual([0])
    // the header chunk is never written
    expect(
      arena
        .page(0)
        .subarray(0, ZHDR_SIZE)
        .every((x) => x === 0),
    ).toBe(true)
  })

  it('holds at most two objects per page', () => {
    const pool = zbud()
    for (let i = 0; i < 6; i++) pool.malloc(10)
    expect(pool.totalPages).toBe(3)
    expect(pool.objectCount).toBe(6)
  })

  it('pairs two objects only when their chunks fit in 63', () => {
    const pool = zbud()
    pool.malloc(32 * CHUNK_SIZE)
    pool.malloc(31 * CHUNK_SIZE + 1) // 32 chunks: 64 > 63
    expect(pool.totalPages).toBe(2)
    pool.malloc(31 * CHUNK_SIZE) // 31 chunks: fits next to 32
    expect(pool.totalPages).toBe(2)
  })

  it('is first fit from the smallest unbuddied list that holds the object', () => {
    const { arena, pool } = inspectable()
    pool.malloc(1000) // page 0: 16 chunks used, 47 free
    pool.malloc(3000) // 47 chunks: fills page 0 exactly
    expect(pool.totalPages).toBe(1)
    pool.malloc(3000) // page 1: 47 used, 16 free
    pool.malloc(1100) // 18 chunks > 16: page 2, 45 free
    expect(pool.totalPages).toBe(3)
    // 15 chunks fit both page 1 (16 free) and page 2 (45 free): the tighter page 1 wins
    const h = pool.malloc(900)
    const data = fill(900, 4)
    pool.write(h, data)
    expect(pagesHolding(arena, data, PAGE_SIZE - 15 * CHUNK_SIZE)).toEqual([1])
    expect(pool.totalPages).toBe(3)
  })

  it('takes the most recently listed page among pages with equal free space', () => {
    const { arena, pool } = inspectable()
    const a = pool.malloc(640) // page 0, first buddy: 10 chunks
    pool.malloc(3500) // 55 chunks > 53 free: page 1
    pool.malloc(640) // pairs on page 0
    pool.malloc(640) // page 2, on unbuddied[53]
    pool.free(a) // page 0 goes back on unbuddied[53], in front of page 2
    const h = pool.malloc(640)
    const data = fill(640, 5)
    pool.write(h, data)
    expect(pagesHolding(arena, data, ZHDR_SIZE)).toEqual([0])
    expect(pool.totalPages).toBe(3)
  })

  it('walks a list of several pages in order without losing or repeating one', () => {
    const pool = zbud()
    const handles: number[] = []
    const put = (size: number, seed: number) => {
      const h = pool.malloc(size)
      pool.write(h, fill(size, seed))
      handles.push(h)
    }
    for (let i = 0; i < 4; i++) put(2000, i) // 32 chunks each: four pages on unbuddied[31]
    expect(pool.totalPages).toBe(4)
    for (let i = 0; i < 4; i++) put(1000, 10 + i) // 16 chunks: one into each page, no new page
    expect(pool.totalPages).toBe(4)
    put(1000, 20) // every page is now buddied
    expect(pool.totalPages).toBe(5)
    handles.forEach((h, i) => {
      const size = i < 4 ? 2000 : 1000
      const out = new Uint8Array(size)
      pool.read(h, out)
      expect(out).toEqual(fill(size, i < 4 ? i : i === 8 ? 20 : 6 + i))
    })
  })

  it('leaves the pool unchanged when the arena is exhausted, and recovers after a free', () => {
    const pool = zbud({ maxPages: 2 })
    const handles = [1500, 1500, 1500, 1500].map((s, i) => {
      const h = pool.malloc(s)
      pool.write(h, fill(s, i))
      return h
    })
    expect(pool.totalPages).toBe(2)
    expectCode(() => pool.malloc(1500), ZpoolFullError, ErrorCode.ZPOOL_FULL)
    expect(pool.totalPages).toBe(2)
    expect(pool.objectCount).toBe(4)
    handles.forEach((h, i) => {
      const out = new Uint8Array(1500)
      pool.read(h, out)
      expect(out).toEqual(fill(1500, i))
    })
    pool.free(handles[1])
    const again = pool.malloc(1500)
    expect(pool.totalPages).toBe(2)
    pool.write(again, fill(1500, 9))
    const out = new Uint8Array(1500)
    pool.read(handles[0], out)
    expect(out).toEqual(fill(1500, 0))
  })

  it('still fills a half-used page when the arena is exhausted', () => {
    const pool = zbud({ maxPages: 1 })
    pool.malloc(2000) // 32 chunks, 31 free
    expect(() => pool.malloc(1985)).toThrow(ZpoolFullError) // 32 chunks
    expect(() => pool.malloc(1984)).not.toThrow() // 31 chunks
    expect(pool.totalPages).toBe(1)
  })
})

describe('free', () => {
  it('returns an emptied page to the arena at once', () => {
    const { arena, pool } = inspectable()
    const a = pool.malloc(100)
    const b = pool.malloc(200)
    const c = pool.malloc(300)
    expect([pool.totalPages, arena.pagesInUse]).toEqual([2, 2])
    pool.free(a)
    expect([pool.totalPages, arena.pagesInUse]).toEqual([2, 2])
    pool.free(b)
    expect([pool.totalPages, arena.pagesInUse]).toEqual([1, 1])
    pool.free(c)
    expect([pool.totalPages, arena.pagesInUse]).toEqual([0, 0])
  })

  it('reuses a freed first buddy for the next object that fits', () => {
    const { arena, pool } = inspectable()
    const a = pool.malloc(100)
    pool.malloc(3000)
    pool.free(a)
    const h = pool.malloc(900) // 15 chunks ≤ 63 - 47 = 16 free
    const data = fill(900, 6)
    pool.write(h, data)
    expect(pool.totalPages).toBe(1)
    expect(pagesHolding(arena, data, ZHDR_SIZE)).toEqual([0])
  })

  it('rejects unknown, malformed, freed and stale handles with InvalidHandleError', () => {
    const pool = zbud()
    const h = pool.malloc(100)
    for (const bad of [0, 1, -1, 1.5, 2 ** 32, h + 2, h ^ 1, Number.NaN, '1' as unknown as number]) {
      expectCode(() => pool.free(bad), InvalidHandleError, ErrorCode.INVALID_HANDLE)
    }
    pool.free(h)
    expectCode(() => pool.free(h), InvalidHandleError, ErrorCode.INVALID_HANDLE)
    expect(() => pool.read(h, new Uint8Array(1))).toThrow(InvalidHandleError)
    expect(() => pool.write(h, new Uint8Array(1))).toThrow(InvalidHandleError)
    // the same slot handed out again gets a new generation: the old handle stays invalid
    const h2 = pool.malloc(100)
    expect(h2 & 0xffffff).toBe(h & 0xffffff)
    expect(h2).not.toBe(h)
    expect(() => pool.free(h)).toThrow(InvalidHandleError)
    pool.free(h2)
    expect(pool.totalPages).toBe(0)
  })

  it('keeps handles valid while generations wrap around', () => {
    const pool = zbud()
    const seen = new Set<number>()
    for (let i = 0; i < 600; i++) {
      const h = pool.malloc(64)
      seen.add(h)
      pool.free(h)
    }
    expect(seen.size).toBe(255)
    expect(pool.totalPages).toBe(0)
  })

  it('rejects a handle of another pool that shares the arena', () => {
    const arena = new PageArena()
    const a = zbud({ arena })
    const b = zbud({ arena })
    const h = a.malloc(100)
    expect(() => b.free(h)).toThrow(InvalidHandleError)
    expect(() => b.read(h, new Uint8Array(1))).toThrow(InvalidHandleError)
    a.free(h)
  })
})

describe('write and read', () => {
  it('copy prefixes and whole objects through views at any offset', () => {
    const pool = zbud()
    const h = pool.malloc(1000)
    const big = new Uint8Array(3000)
    big.set(fill(1000, 7), 123)
    pool.write(h, big.subarray(123, 1123))
    const out = new Uint8Array(2000).fill(0xee)
    pool.read(h, out.subarray(55, 1055))
    expect(out.subarray(55, 1055)).toEqual(fill(1000, 7))
    expect(out[54]).toBe(0xee)
    expect(out[1055]).toBe(0xee)
    const prefix = new Uint8Array(10)
    pool.read(h, prefix)
    expect(prefix).toEqual(fill(10, 7))
    pool.write(h, new Uint8Array(0))
    pool.read(h, new Uint8Array(0))
  })

  it('rejects a write or read longer than the object with InvalidArgumentError', () => {
    const pool = zbud()
    const h = pool.malloc(65) // 2 chunks, but only 65 bytes are the object's
    expectCode(() => pool.write(h, new Uint8Array(66)), InvalidArgumentError, ErrorCode.INVALID_ARGUMENT)
    expectCode(() => pool.read(h, new Uint8Array(66)), InvalidArgumentError, ErrorCode.INVALID_ARGUMENT)
    pool.write(h, fill(65, 8))
    const out = new Uint8Array(65)
    pool.read(h, out)
    expect(out).toEqual(fill(65, 8))
  })

  it('never lets neighbouring buddies overlap', () => {
    const pool = zbud()
    const a = pool.malloc(2016) // 31.5 → 32 chunks
    const b = pool.malloc(1984) // 31 chunks: 32 + 31 = 63, the page is exactly full
    expect(pool.totalPages).toBe(1)
    pool.write(a, new Uint8Array(2016).fill(0xaa))
    pool.write(b, new Uint8Array(1984).fill(0xbb))
    const outA = new Uint8Array(2016)
    const outB = new Uint8Array(1984)
    pool.read(a, outA)
    pool.read(b, outB)
    expect(outA.every((x) => x === 0xaa)).toBe(true)
    expect(outB.every((x) => x === 0xbb)).toBe(true)
  })
})

describe('view', () => {
  it('exposes the object in place, without a copy', () => {
    const pool = zbud()
    const a = pool.malloc(300)
    const b = pool.malloc(200)
    pool.write(a, fill(300, 1))
    pool.write(b, fill(200, 2))
    expect(pool.view(a)).toEqual(fill(300, 1))
    expect(pool.view(b, 50)).toEqual(fill(50, 2))
    expect(pool.view(b, 0).length).toBe(0)
    pool.view(b)[0] = 0x99 // writes go to the object
    const out = new Uint8Array(1)
    pool.read(b, out)
    expect(out[0]).toBe(0x99)
  })

  it('checks the handle and the length', () => {
    const pool = zbud()
    const h = pool.malloc(100)
    for (const length of [101, -1, 1.5]) {
      expectCode(() => pool.view(h, length), InvalidArgumentError, ErrorCode.INVALID_ARGUMENT)
    }
    pool.free(h)
    expectCode(() => pool.view(h), InvalidHandleError, ErrorCode.INVALID_HANDLE)
    pool.destroy()
    expectCode(() => pool.view(h), ClosedError, ErrorCode.CLOSED)
  })
})

describe('destroy', () => {
  it('makes every call throw ClosedError and drops the pages', () => {
    const pool = zbud()
    const h = pool.malloc(100)
    pool.destroy()
    expect(pool.totalPages).toBe(0)
    expectCode(() => pool.malloc(1), ClosedError, ErrorCode.CLOSED)
    expectCode(() => pool.free(h), ClosedError, ErrorCode.CLOSED)
    expectCode(() => pool.read(h, new Uint8Array(1)), ClosedError, ErrorCode.CLOSED)
    expectCode(() => pool.write(h, new Uint8Array(1)), ClosedError, ErrorCode.CLOSED)
    expect(() => pool.destroy()).not.toThrow()
  })

  it('gives a shared arena its pages back and leaves it usable', () => {
    const arena = new PageArena({ maxPages: 4 })
    const a = zbud({ arena })
    const b = zbud({ arena })
    for (let i = 0; i < 3; i++) a.malloc(3000)
    const hb = b.malloc(10)
    expect(() => a.malloc(3000)).toThrow(ZpoolFullError) // the arena is shared: 4 pages in all
    expect(() => b.malloc(3000)).not.toThrow() // pairs with b's 10-byte object
    expect([a.totalPages, b.totalPages, arena.pagesInUse]).toEqual([3, 1, 4])
    a.destroy()
    expect(arena.pagesInUse).toBe(1)
    b.write(hb, fill(10, 1))
    const out = new Uint8Array(10)
    b.read(hb, out)
    expect(out).toEqual(fill(10, 1))
  })
})

it('keeps metadata to a few bytes per page and none per object', () => {
  const pool = zbud()
  for (let i = 0; i < 10_000; i++) pool.malloc(1500)
  expect(pool.totalPages).toBe(5000)
  // typed arrays double, so allow 2× the 14 bytes per page plus the list heads
  expect(pool.metadataBytes).toBeLessThanOrEqual(2 * 14 * 5000 + 256 + 14 * 64)
})
