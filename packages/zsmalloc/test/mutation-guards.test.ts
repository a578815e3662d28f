// Tests written against the mutants Stryker left alive in zsmalloc (RELIABILITY.md, "Mutation testing").
import { ErrorCode, InvalidHandleError, PageArena } from '@zswap/core'
import { arenaOptionErrors, thrown } from '@zswap/core/testing'
import { describe, expect, it } from 'vitest'
import { FULLNESS_LABELS, zsmalloc } from '../src/index.js'

describe('zsmalloc options', () => {
  const arena = new PageArena()
  it.each([
    ['null', null, TypeError, '[@zswap/zsmalloc] options must be an object'],
    ['a number', 7, TypeError, '[@zswap/zsmalloc] options must be an object'],
    ['chainSize 3', { chainSize: 3 }, RangeError, 'options.chainSize must be an integer in [4, 16]'],
    ['chainSize 17', { chainSize: 17 }, RangeError, 'options.chainSize must be an integer in [4, 16]'],
    ['chainSize 4.5', { chainSize: 4.5 }, RangeError, 'options.chainSize must be an integer in [4, 16]'],
    ['multiPage 1', { multiPage: 1 }, TypeError, 'options.multiPage must be a boolean'],
    ...arenaOptionErrors(arena),
  ])('%s: %s with code ERR_INVALID_OPTION (enumerable) and its message', (_, options, Class, message) => {
    const error = thrown(() => zsmalloc(options as never))
    expect(error).toBeInstanceOf(Class)
    expect(error.message).toContain(message)
    expect(Object.getOwnPropertyDescriptor(error, 'code')).toMatchObject({
      value: ErrorCode.INVALID_OPTION,
      enumerable: true,
    })
  })

  it('takes maxPages 0 (nothing fits), Infinity, and an arena with pages of its own', () => {
    const none = zsmalloc({ maxPages: 0 })
    expect(() => none.malloc(100)).toThrow(expect.objectContaining({ code: ErrorCode.ZPOOL_FULL }))
    const all = zsmalloc({ maxPages: Number.POSITIVE_INFINITY })
    all.malloc(100)
    expect(all.totalPages).toBeGreaterThan(0)
    const own = zsmalloc({ maxPages: 8 })
    expect(own.arena.maxPages).toBe(8)
    expect(own.capabilities.supportsCompaction).toBe(true)
  })

  it('destroying a pool gives its own arena back whole, and a shared arena page by page', () => {
    const own = zsmalloc()
    own.malloc(100)
    own.malloc(4000)
    expect(own.arena.reservedBytes).toBeGreaterThan(0)
    own.destroy()
    expect(own.arena.reservedBytes).toBe(0) // its own arena is dropped, not kept for reuse
    const shared = new PageArena()
    const pool = zsmalloc({ arena: shared })
    for (let i = 0; i < 40; i++) pool.malloc(i % 2 ? 3900 : 1500) // multi-page zspages and huge objects
    pool.destroy()
    expect(shared.pagesInUse).toBe(0)
    expect(shared.reservedBytes).toBeGreaterThan(0) // the shared arena stays usable
    expect(shared.alloc()).toBeGreaterThanOrEqual(0)
  })

  it("a handle of one pool is not another pool's, even at the same slot", () => {
    const a = zsmalloc()
    const b = zsmalloc()
    const ha = a.malloc(100)
    b.malloc(100) // the same slot index in b
    expect(() => b.free(ha)).toThrow(InvalidHandleError)
    expect(() => b.read(ha, new Uint8Array(100))).toThrow(InvalidHandleError)
    a.free(ha)
  })
})

describe('zsmalloc statistics', () => {
  it('fullness counts every zspage of every class once, in its bucket', () => {
    const pool = zsmalloc()
    const sizes = [30, 200, 900, 1500, 2100, 3000, 3300]
    for (const size of sizes) for (let i = 0; i < 5; i++) pool.malloc(size)
    const rows = pool.classes()
    let zspages = 0
    for (const r of rows) {
      expect(r.fullness.length).toBe(FULLNESS_LABELS.length)
      for (const n of r.fullness) expect(Number.isInteger(n) && n >= 0).toBe(true)
      const inUse = r.fullness.reduce((x, y) => x + y, 0)
      expect(inUse * r.pages_per_zspage).toBe(r.pages_used)
      zspages += inUse
    }
    expect(zspages).toBeGreaterThanOrEqual(sizes.length)
    expect(rows.reduce((n, r) => n + r.pages_used, 0)).toBe(pool.totalPages)
  })

  it('classesText: aligned columns, one row per class, a Total of every column but pages_per_zspage', () => {
    const pool = zsmalloc()
    for (const size of [100, 100, 1000, 3000, 4000, 700]) pool.malloc(size)
    const rows = pool.classes()
    const lines = pool.classesText().split('\n')
    const head = [
      'class',
      'size',
      ...FULLNESS_LABELS,
      'obj_allocated',
      'obj_used',
      'pages_used',
      'pages_per_zspage',
      'freeable',
    ]
    const widths = head.map((h, i) => (i < 2 ? 5 : Math.max(h.length, 6)))
    expect(lines[0]).toBe(head.map((h, i) => h.padStart(widths[i])).join(' '))
    expect(lines.length).toBe(rows.length + 2)
    const cellsOf = (line: string) => {
      const cells: string[] = []
      let at = 0
      for (const w of widths) {
        cells.push(line.slice(at, at + w).trim())
        at += w + 1
      }
      expect(at - 1).toBe(line.length) // no cell overflows its column
      return cells
    }
    rows.forEach((r, k) => {
      const want = [
        r.class,
        r.size,
        ...r.fullness,
        r.obj_allocated,
        r.obj_used,
        r.pages_used,
        r.pages_per_zspage,
        r.freeable,
      ]
      expect(cellsOf(lines[k + 1])).toEqual(want.map(String))
    })
    const total = cellsOf(lines[lines.length - 1])
    expect(total[0]).toBe('Total')
    expect(total[1]).toBe('')
    for (let i = 2; i < head.length; i++) {
      const sum = rows.reduce((n, r) => n + Number(cellsOf(lines[rows.indexOf(r) + 1])[i]), 0)
      expect(total[i]).toBe(head[i] === 'pages_per_zspage' ? '' : String(sum))
    }
  })
})
