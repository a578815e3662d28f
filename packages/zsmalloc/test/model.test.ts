import { PAGE_SIZE, PageArena } from '@zswap/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type Zsmalloc, zsmalloc } from '../src/index.js'

type Cmd =
  | { op: 'malloc'; size: number; fill: number }
  | { op: 'free'; pick: number }
  | { op: 'rewrite'; pick: number; fill: number }
  | { op: 'compact' }

const sizeArb = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 3000 }) },
  { weight: 2, arbitrary: fc.integer({ min: 3000, max: PAGE_SIZE }) },
  { weight: 1, arbitrary: fc.constantFrom(1, 24, 25, 4088, 4089, PAGE_SIZE) },
)
const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({ op: fc.constant('malloc' as const), size: sizeArb, fill: fc.nat(255) }),
  },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('free' as const), pick: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('rewrite' as const), pick: fc.nat(), fill: fc.nat(255) }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('compact' as const) }) },
)

/** Distinct bytes per object: any overlap between live objects shows up on read-back. */
function content(size: number, id: number, fill: number): Uint8Array {
  const out = new Uint8Array(size)
  for (let i = 0; i < size; i++) out[i] = (id * 131 + fill + i * 7 + (i >>> 8) * 13) & 0xff
  return out
}

function checkAll(pool: Zsmalloc, model: Map<number, Uint8Array>): void {
  for (const [h, bytes] of model) {
    const got = new Uint8Array(bytes.length)
    pool.read(h, got)
    if (!Buffer.from(got).equals(Buffer.from(bytes)))
      throw new Error(`object ${h} of ${bytes.length} bytes changed`)
  }
}

function run(cmds: Cmd[], chainSize: number, multiPage: boolean): void {
  const arena = new PageArena()
  const pool = zsmalloc({ arena, chainSize, multiPage })
  const model = new Map<number, Uint8Array>()
  let id = 0
  for (const cmd of cmds) {
    const keys = [...model.keys()]
    if (cmd.op === 'malloc') {
      const size = multiPage && cmd.fill % 5 === 0 ? cmd.size * 16 + cmd.fill : cmd.size
      const h = pool.malloc(size)
      expect(model.has(h)).toBe(false)
      const bytes = content(size, id++, cmd.fill)
      pool.write(h, bytes)
      model.set(h, bytes)
    } else if (cmd.op === 'free' && keys.length > 0) {
      const h = keys[cmd.pick % keys.length]
      pool.free(h)
      model.delete(h)
    } else if (cmd.op === 'rewrite' && keys.length > 0) {
      const h = keys[cmd.pick % keys.length]
      const old = model.get(h)!
      const bytes = content(old.length, id++, cmd.fill)
      pool.write(h, bytes)
      model.set(h, bytes)
    } else if (cmd.op === 'compact') {
      const before = pool.totalPages
      const freed = pool.compact()
      expect(pool.totalPages).toBe(before - freed)
      expect(pool.freeable).toBe(0)
      checkAll(pool, model) // handles still reach their (moved) objects
    }
    expect(pool.objectCount).toBe(model.size)
  }
  checkAll(pool, model)
  const rows = pool.classes()
  expect(rows.reduce((n, r) => n + r.pages_used, 0)).toBe(pool.totalPages)
  expect(rows.reduce((n, r) => n + r.obj_used, 0)).toBe(model.size)
  expect(arena.pagesInUse).toBe(pool.totalPages)
  pool.compact()
  checkAll(pool, model)
  for (const h of model.keys()) pool.free(h)
  expect(pool.totalPages).toBe(0)
  expect(arena.pagesInUse).toBe(0)
  pool.destroy()
}

describe('zsmalloc against a Map model', () => {
  it('keeps every live object intact through malloc/write/free/compact', () => {
    fc.assert(
      fc.property(fc.array(cmdArb, { maxLength: 400 }), fc.constantFrom(4, 8, 16), (cmds, chain) =>
        run(cmds, chain, false),
      ),
      { numRuns: 60 },
    )
  })

  it('does the same with multi-page objects', () => {
    fc.assert(
      fc.property(fc.array(cmdArb, { maxLength: 200 }), (cmds) => run(cmds, 8, true)),
      { numRuns: 25 },
    )
  })
})

describe('compaction', () => {
  it('frees what zs_can_compact predicted and keeps handles valid', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 30 }), fc.constantFrom(4, 8, 16), (seed, chainSize) => {
        let s = seed
        const rnd = () => {
          s = (s * 1103515245 + 12345) & 0x7fffffff
          return s / 0x80000000
        }
        const pool = zsmalloc({ chainSize })
        const model = new Map<number, Uint8Array>()
        for (let i = 0; i < 3000; i++) {
          const size = 40 + Math.floor(rnd() * rnd() * 3500)
          const h = pool.malloc(size)
          const bytes = content(size, i, seed & 0xff)
          pool.write(h, bytes)
          model.set(h, bytes)
        }
        for (const h of [...model.keys()]) {
          if (rnd() < 0.5) {
            pool.free(h)
            model.delete(h)
          }
        }
        const predicted = pool.freeable
        const before = pool.totalPages
        expect(predicted).toBeGreaterThan(0)
        const freed = pool.compact()
        expect(freed).toBeGreaterThanOrEqual(Math.ceil(predicted * 0.9))
        expect(freed).toBeLessThanOrEqual(predicted)
        expect(pool.totalPages).toBe(before - freed)
        expect(pool.pagesCompacted).toBe(freed)
        checkAll(pool, model)
        for (const h of model.keys()) pool.free(h)
        expect(pool.totalPages).toBe(0)
      }),
      { numRuns: 8 },
    )
  })
})
