import { describe, expect, it } from 'vitest'
import type { Zswap } from '../src/index.js'
import { folioAt, testStack } from './fixtures.js'

// The exact order the shrinker writes entries back in (mm/zswap.c: the LRU
// with a second chance through the referenced bit; a failed write-back puts
// the entry back at the head). The scenario is the shrunk counterexample of
// cacheModelTest (z3fold, seed 171322333) that a build of the shrinker
// without the referenced bit produced.

const held = (cache: Zswap, offsets: readonly number[]) =>
  offsets.filter((offset) => cache.has({ type: 0, offset }))

/** shrink(1), one call per victim: the offsets in the order they left the cache. */
async function victims(cache: Zswap, offsets: readonly number[], count: number): Promise<number[]> {
  const out: number[] = []
  for (let i = 0; i < count; i++) {
    const before = held(cache, offsets)
    expect(await cache.shrink(1)).toBe(1)
    const after = new Set(held(cache, offsets))
    out.push(...before.filter((k) => !after.has(k)))
  }
  return out
}

describe('shrinker order', () => {
  it('after a failed write-back and a store over old offsets: the LRU order with referenced bits', async () => {
    const { cache, plan } = testStack({ mthpEnabled: true })
    const offsets = [0, 1, 2, 3, 4, 5, 6, 7]
    cache.createCgroup('a')
    // LRU of a, head to tail: 7 6 5 4 3 2 1 0, all referenced
    expect(await cache.store(folioAt(0, 3, 1, 'a'))).toBe(true)
    // one lap clears every bit, the second writes the tail
    expect(await victims(cache, offsets, 1)).toEqual([0])
    // 0 (new) and 1 (over its stale entry) are stored again, referenced: 1 0 7 6 5 4 3 2
    expect(await cache.store(folioAt(0, 1, 2, 'a'))).toBe(true)
    // the device fails: tail 2 (unreferenced) is tried, fails and goes back to the head: 2 1 0 7 6 5 4 3
    plan.alwaysFailWrite = true
    expect(await cache.shrink(1)).toBe(0)
    plan.alwaysFailWrite = false
    expect(cache.stats().reject_reclaim_fail).toBe(1)
    expect(held(cache, offsets)).toEqual(offsets)
    expect(cache.invalidate({ type: 0, offset: 3 })).toBe(true) // 2 1 0 7 6 5 4
    // 4..7 in order; 0 and 1 are referenced and rotate (bits cleared), so 2 goes before them
    expect(await victims(cache, offsets, 7)).toEqual([4, 5, 6, 7, 2, 0, 1])
    expect(cache.stats().written_back_pages).toBe(8)
    expect(cache.stats().reject_reclaim_fail).toBe(1)
  })

  it('an entry whose write-back failed goes back to the head, in front of a referenced one', async () => {
    const { cache, plan } = testStack()
    const offsets = [0, 1, 2, 3, 4]
    for (const k of offsets.slice(0, 4)) expect(await cache.store(folioAt(k))).toBe(true)
    expect(await victims(cache, offsets, 1)).toEqual([0]) // 3 2 1 left, none referenced
    expect(await cache.store(folioAt(4))).toBe(true) // 4 3 2 1, 4 referenced
    plan.alwaysFailWrite = true
    expect(await cache.shrink(1)).toBe(0) // 1 fails: 1 4 3 2
    plan.alwaysFailWrite = false
    // 4 gets its second chance (4 1 after the rotation): 1 goes first
    expect(await victims(cache, offsets, 4)).toEqual([2, 3, 1, 4])
  })
})
