import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { EntryTable, type LruList, lruPush, lruRemove, ON_LRU, REFERENCED } from '../src/entry-table.js'

/** Walks `list` from head to tail, checking prev links and flags on the way. */
function walk(t: EntryTable, list: LruList): number[] {
  const ids: number[] = []
  let prev = -1
  for (let id = list.head; id !== -1; id = t.next[id]) {
    expect(t.prev[id]).toBe(prev)
    expect(t.flags[id] & ON_LRU).toBe(ON_LRU)
    ids.push(id)
    prev = id
    expect(ids.length).toBeLessThan(10_000)
  }
  expect(list.tail).toBe(prev)
  return ids
}

describe('EntryTable and its LRU lists', () => {
  it('agree with arrays under random alloc, push, remove and free over two lists', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            op: fc.constantFrom('alloc', 'push', 'remove', 'free'),
            pick: fc.nat(),
            list: fc.nat(1),
          }),
          {
            maxLength: 300,
          },
        ),
        (ops) => {
          const t = new EntryTable()
          const lists: LruList[] = [
            { head: -1, tail: -1 },
            { head: -1, tail: -1 },
          ]
          const model: number[][] = [[], []]
          const live = new Set<number>()
          const listOf = new Map<number, number>()
          for (const { op, pick, list } of ops) {
            const ids = [...live]
            const id = ids.length === 0 ? -1 : ids[pick % ids.length]
            if (op === 'alloc' || id < 0) {
              const fresh = t.alloc()
              expect(live.has(fresh)).toBe(false)
              expect(t.flags[fresh]).toBe(0)
              live.add(fresh)
              t.flags[fresh] = REFERENCED
              continue
            }
            const on = listOf.get(id)
            if (op === 'push' && on === undefined) {
              lruPush(t, lists[list], id)
              model[list].unshift(id)
              listOf.set(id, list)
            } else if (op === 'remove' || op === 'free') {
              if (on !== undefined) {
                lruRemove(t, lists[on], id)
                model[on].splice(model[on].indexOf(id), 1)
                listOf.delete(id)
              }
              expect(t.flags[id] & ON_LRU).toBe(0)
              if (op === 'free') {
                t.free(id)
                live.delete(id)
              }
            }
            expect(t.live).toBe(live.size)
            for (const l of [0, 1]) expect(walk(t, lists[l])).toEqual(model[l])
          }
        },
      ),
      { numRuns: 200 },
    )
  })

  it('removing an entry that is not on a list changes nothing; ids are reused after free', () => {
    const t = new EntryTable()
    const list: LruList = { head: -1, tail: -1 }
    const a = t.alloc()
    const b = t.alloc()
    lruPush(t, list, a)
    lruRemove(t, list, b)
    expect(walk(t, list)).toEqual([a])
    lruRemove(t, list, a)
    expect(list).toEqual({ head: -1, tail: -1 })
    t.free(a)
    expect(t.alloc()).toBe(a)
    expect(t.live).toBe(2)
  })

  it('grows past its first capacity keeping every field', () => {
    const t = new EntryTable()
    const list: LruList = { head: -1, tail: -1 }
    for (let i = 0; i < 3000; i++) {
      const id = t.alloc()
      t.offset[id] = i * 3
      lruPush(t, list, id)
    }
    const ids = walk(t, list)
    expect(ids.length).toBe(3000)
    expect(ids.map((id) => t.offset[id])).toEqual(Array.from({ length: 3000 }, (_, i) => (2999 - i) * 3))
    expect(t.bytes).toBeGreaterThanOrEqual(3000 * 22)
  })
})
