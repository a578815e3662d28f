// Tests written against the mutants Stryker left alive in z3fold (RELIABILITY.md, "Mutation testing").
import { ErrorCode, InvalidHandleError, PageArena } from '@zswap/core'
import { arenaOptionErrors, thrown } from '@zswap/core/testing'
import { describe, expect, it } from 'vitest'
import { z3fold } from '../src/index.js'

describe('z3fold options', () => {
  const arena = new PageArena()
  it.each([
    ['null', null, TypeError, '[@zswap/z3fold] options must be an object'],
    ['a string', 'x', TypeError, '[@zswap/z3fold] options must be an object'],
    ...arenaOptionErrors(arena),
  ])('%s: %s with code ERR_INVALID_OPTION (enumerable) and its message', (_, options, Class, message) => {
    const error = thrown(() => z3fold(options as never))
    expect(error).toBeInstanceOf(Class)
    expect(error.message).toContain(message)
    expect(Object.getOwnPropertyDescriptor(error, 'code')).toMatchObject({
      value: ErrorCode.INVALID_OPTION,
      enumerable: true,
    })
  })

  it('takes maxPages 0 (nothing fits), Infinity and a number', () => {
    expect(() => z3fold({ maxPages: 0 }).malloc(100)).toThrow(
      expect.objectContaining({ code: ErrorCode.ZPOOL_FULL }),
    )
    const all = z3fold({ maxPages: Number.POSITIVE_INFINITY })
    all.malloc(100)
    expect(all.totalPages).toBe(1)
    expect(z3fold({ maxPages: 8 }).arena.maxPages).toBe(8)
  })

  it('destroying a pool gives its own arena back whole, and a shared arena page by page', () => {
    const own = z3fold()
    own.malloc(100)
    own.malloc(4000)
    expect(own.arena.reservedBytes).toBeGreaterThan(0)
    own.destroy()
    expect(own.arena.reservedBytes).toBe(0)
    const shared = new PageArena()
    const pool = z3fold({ arena: shared })
    for (let i = 0; i < 30; i++) pool.malloc([100, 1200, 2000, 4000][i % 4])
    pool.destroy()
    expect(shared.pagesInUse).toBe(0)
    expect(shared.alloc()).toBeGreaterThanOrEqual(0) // the shared arena stays usable
  })

  it("a handle of one pool is not another pool's, even at the same slot", () => {
    const a = z3fold()
    const b = z3fold()
    const ha = a.malloc(100)
    b.malloc(100)
    expect(() => b.free(ha)).toThrow(InvalidHandleError)
    expect(() => b.read(ha, new Uint8Array(100))).toThrow(InvalidHandleError)
    a.free(ha)
  })
})
