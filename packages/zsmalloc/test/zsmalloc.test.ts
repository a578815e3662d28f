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
import { describe, expect, it } from 'vitest'
import {
  buildClassTable,
  sizeClassIndex,
  ZS_HANDLE_SIZE,
  ZS_MULTI_PAGE_MAX_OBJECT,
  zsmalloc,
} from '../src/index.js'

function pattern(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length)
  for (let i = 0; i < length; i++) out[i] = (i * 31 + seed * 7 + (i >>> 8)) & 0xff
  return out
}

/** The largest payload below the huge threshold whose class has `pages` pages per zspage. */
function payloadWithPages(pool: ReturnType<typeof zsmalloc>, pages: number): number {
  for (let n = pool.hugeClassSize - 1; n > 0; n--) {
    const c = pool.classTable.mergedInto[sizeClassIndex(n + ZS_HANDLE_SIZE)]
    if (pool.classTable.pagesPerZspage[c] === pages) return n
  }
  throw new Error(`no class with ${pages} pages per zspage`)
}

function roundTrip(pool: ReturnType<typeof zsmalloc>, handle: number, expected: Uint8Array): void {
  const got = new Uint8Array(expected.length)
  pool.read(handle, got)
  expect(Buffer.from(got).equals(Buffer.from(expected))).toBe(true)
}

describe('zsmalloc', () => {
  it('stores objects that straddle two pages of a zspage', () => {
    const pool = zsmalloc()
    const payload = payloadWithPages(pool, 5)
    const c = pool.classTable.mergedInto[sizeClassIndex(payload + ZS_HANDLE_SIZE)]
    const slot = pool.classTable.size[c]
    const objs = pool.classTable.objsPerZspage[c]
    expect(pool.classTable.pagesPerZspage[c]).toBeGreaterThan(1)
    let straddling = 0
    for (let i = 0; i < objs; i++) {
      const start = i * slot
      if (Math.floor(start / PAGE_SIZE) !== Math.floor((start + ZS_HANDLE_SIZE + payload - 1) / PAGE_SIZE))
        straddling++
    }
    expect(straddling).toBeGreaterThan(0)
    const handles: number[] = []
    for (let i = 0; i < objs; i++) {
      const h = pool.malloc(payload)
      pool.write(h, pattern(payload, i))
      handles.push(h)
    }
    expect(pool.totalPages).toBe(pool.classTable.pagesPerZspage[c])
    handles.forEach((h, i) => {
      roundTrip(pool, h, pattern(payload, i))
    })
    // a short read returns the object's first bytes
    const head = new Uint8Array(10)
    pool.read(handles[3], head)
    expect(Array.from(head)).toEqual(Array.from(pattern(payload, 3).subarray(0, 10)))
    for (const h of handles) pool.free(h)
    expect(pool.totalPages).toBe(0)
    expect(pool.arena.pagesInUse).toBe(0)
    pool.destroy()
  })

  it('puts objects at or above the huge threshold on a page each', () => {
    const pool = zsmalloc()
    const below = pool.malloc(pool.hugeClassSize - 1)
    const pagesBelow = pool.totalPages
    expect(pagesBelow).toBeGreaterThan(1) // a multi-page zspage
    const h1 = pool.malloc(pool.hugeClassSize)
    const h2 = pool.malloc(PAGE_SIZE)
    expect(pool.totalPages).toBe(pagesBelow + 2)
    pool.write(h2, pattern(PAGE_SIZE, 9))
    roundTrip(pool, h2, pattern(PAGE_SIZE, 9))
    const huge = pool.classes().find((r) => r.size === PAGE_SIZE)
    expect(huge).toMatchObject({ obj_used: 2, obj_allocated: 2, pages_used: 2, pages_per_zspage: 1 })
    pool.free(h1)
    pool.free(h2)
    pool.free(below)
    expect(pool.totalPages).toBe(0)
  })

  it('allocates from the fullest non-full zspage', () => {
    const pool = zsmalloc()
    // 24-byte payloads use the 32-byte class: one page, 128 objects
    const handles = Array.from({ length: 256 }, () => pool.malloc(24))
    expect(pool.totalPages).toBe(2)
    for (let i = 0; i < 100; i++) pool.free(handles[i]) // first zspage: 28/128 in use
    pool.free(handles[200]) // second: 127/128
    const row = () => pool.classes().find((r) => r.size === 32)!
    expect(row().fullness[2]).toBe(1) // 21 % → "30%" bucket
    expect(row().fullness[9]).toBe(1) // 99 % bucket
    pool.malloc(24)
    expect(row().fullness[10]).toBe(1) // the 99 % zspage became full
    expect(row().fullness[2]).toBe(1)
    expect(row().obj_used).toBe(156)
    expect(row().obj_allocated).toBe(256)
  })

  it('reports classes like debugfs', () => {
    const pool = zsmalloc()
    const hs = [100, 100, 1000, 3000, 4000].map((n) => pool.malloc(n))
    const rows = pool.classes()
    expect(rows.reduce((n, r) => n + r.pages_used, 0)).toBe(pool.totalPages)
    expect(rows.reduce((n, r) => n + r.obj_used, 0)).toBe(5)
    const text = pool.classesText()
    expect(text.split('\n')[0]).toMatch(
      /class\s+size\s+10%.*100%\s+obj_allocated\s+obj_used\s+pages_used\s+pages_per_zspage\s+freeable/,
    )
    expect(text.split('\n').at(-1)).toMatch(/^Total/)
    for (const h of hs) pool.free(h)
  })

  it('stores multi-page objects up to 64 KiB + header', () => {
    const pool = zsmalloc({ multiPage: true })
    expect(pool.capabilities.maxObjectSize).toBe(ZS_MULTI_PAGE_MAX_OBJECT)
    const sizes = [5000, 16 * 1024, 30_000, 65536, ZS_MULTI_PAGE_MAX_OBJECT, 200, 4096]
    const hs = sizes.map((n, i) => {
      const h = pool.malloc(n)
      pool.write(h, pattern(n, i))
      return h
    })
    const more = Array.from({ length: 6 }, (_, i) => {
      const h = pool.malloc(20_000 + i)
      pool.write(h, pattern(20_000 + i, 50 + i))
      return h
    })
    hs.forEach((h, i) => {
      roundTrip(pool, h, pattern(sizes[i], i))
    })
    more.forEach((h, i) => {
      roundTrip(pool, h, pattern(20_000 + i, 50 + i))
    })
    expect(() => pool.malloc(ZS_MULTI_PAGE_MAX_OBJECT + 1)).toThrow(ObjectTooLargeError)
    for (const h of [...hs, ...more]) pool.free(h)
    expect(pool.totalPages).toBe(0)
  })

  it('throws typed errors for bad sizes, lengths and handles', () => {
    const pool = zsmalloc()
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      expect(() => pool.malloc(bad)).toThrow(InvalidArgumentError)
    }
    expect(() => pool.malloc(PAGE_SIZE + 1)).toThrow(ObjectTooLargeError)
    try {
      pool.malloc(5000)
    } catch (e) {
      expect((e as ObjectTooLargeError).code).toBe(ErrorCode.OBJECT_TOO_LARGE)
      expect((e as Error).message).toContain('[@zswap/zsmalloc]')
    }
    const h = pool.malloc(100)
    expect(() => pool.write(h, new Uint8Array(101))).toThrow(InvalidArgumentError)
    expect(() => pool.read(h, new Uint8Array(101))).toThrow(InvalidArgumentError)
    const big = pool.malloc(4000)
    expect(() => pool.write(big, new Uint8Array(4001))).toThrow(InvalidArgumentError)
    expect(() => pool.read(big, new Uint8Array(4001))).toThrow(InvalidArgumentError)
    pool.free(h)
    expect(() => pool.free(h)).toThrow(InvalidHandleError)
    expect(() => pool.read(h, new Uint8Array(1))).toThrow(InvalidHandleError)
    // a stale handle stays invalid after its slot is reused
    const again = pool.malloc(100)
    expect(again).not.toBe(h)
    expect(() => pool.free(h)).toThrow(InvalidHandleError)
    for (const bad of [-1, 1.5, 2 ** 32, Number.NaN, 123456, again + 1]) {
      expect(() => pool.free(bad)).toThrow(InvalidHandleError)
    }
    const other = zsmalloc()
    const foreign = other.malloc(100)
    expect(() => pool.free(foreign)).toThrow(InvalidHandleError)
    roundTrip(other, foreign, new Uint8Array(100))
  })

  it('fails malloc with ZpoolFullError and changes nothing', () => {
    const pool = zsmalloc({ maxPages: 3 })
    const n = payloadWithPages(pool, 2)
    const a = pool.malloc(n)
    pool.write(a, pattern(n, 1))
    const pages = pool.totalPages
    const huge = []
    while (pool.totalPages < 3) huge.push(pool.malloc(PAGE_SIZE))
    expect(() => pool.malloc(PAGE_SIZE)).toThrow(ZpoolFullError)
    expect(() => pool.malloc(24)).toThrow(ZpoolFullError)
    expect(pool.totalPages).toBe(3)
    expect(pool.objectCount).toBe(1 + huge.length)
    expect(pool.arena.pagesInUse).toBe(3)
    roundTrip(pool, a, pattern(n, 1))
    pool.free(huge[0])
    const b = pool.malloc(24)
    expect(pool.totalPages).toBe(pages + huge.length)
    pool.free(b)
  })

  it('returns partly allocated zspages when the arena runs dry', () => {
    const arena = new PageArena({ maxPages: 2 })
    const pool = zsmalloc({ arena })
    expect(() => pool.malloc(payloadWithPages(pool, 3))).toThrow(ZpoolFullError)
    expect(arena.pagesInUse).toBe(0)
    expect(pool.totalPages).toBe(0)
  })

  it('rejects bad options', () => {
    for (const chainSize of [3, 17, 4.5, '8']) {
      expect(() => zsmalloc({ chainSize: chainSize as number })).toThrow(/options\.chainSize/)
    }
    expect(() => zsmalloc({ multiPage: 'yes' as unknown as boolean })).toThrow(TypeError)
    expect(() => zsmalloc({ arena: new PageArena(), maxPages: 4 })).toThrow(/options\.maxPages/)
    expect(() => zsmalloc({ maxPages: -1 })).toThrow(RangeError)
    try {
      zsmalloc({ chainSize: 2 })
    } catch (e) {
      expect((e as { code: string }).code).toBe(ErrorCode.INVALID_OPTION)
    }
  })

  it('throws ClosedError after destroy and gives shared-arena pages back', () => {
    const arena = new PageArena()
    const pool = zsmalloc({ arena })
    const keep = zsmalloc({ arena })
    const k = keep.malloc(500)
    const h = pool.malloc(100)
    pool.malloc(4000)
    pool.malloc(2500)
    expect(arena.pagesInUse).toBeGreaterThan(keep.totalPages)
    pool.destroy()
    pool.destroy()
    expect(arena.pagesInUse).toBe(keep.totalPages)
    expect(pool.totalPages).toBe(0)
    expect(() => pool.malloc(10)).toThrow(ClosedError)
    expect(() => pool.free(h)).toThrow(ClosedError)
    expect(() => pool.read(h, new Uint8Array(1))).toThrow(ClosedError)
    expect(() => pool.write(h, new Uint8Array(1))).toThrow(ClosedError)
    expect(() => pool.compact()).toThrow(ClosedError)
    keep.free(k)
    expect(arena.pagesInUse).toBe(0)
  })

  it('keeps metadata within 16 bytes per object on a mixed workload', () => {
    const pool = zsmalloc()
    let seed = 1
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff
      return seed / 0x80000000
    }
    for (let i = 0; i < 20_000; i++) pool.malloc(200 + Math.floor(rnd() * 3000))
    expect(pool.metadataBytes / pool.objectCount).toBeLessThanOrEqual(16)
    expect(buildClassTable(8).distinct).toBe(pool.classes().length)
  })
})

describe('zsmalloc options', () => {
  it('rejects a non-object', () => {
    expect(() => zsmalloc(5 as never)).toThrow(TypeError)
    expect(() => zsmalloc(null as never)).toThrow(/options must be an object/)
  })
})
