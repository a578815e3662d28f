import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  EntryTable,
  INDEX_CHUNK_SLOTS,
  type LruList,
  lruPush,
  lruRemove,
  NODE_SLOTS,
  ON_LRU,
  REFERENCED,
} from '../src/entry-table.js'

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

// Offsets in a few nodes spread over two chunks and two swap types.
const offsetArb = fc.oneof(
  fc.integer({ min: 0, max: 200 }),
  fc.integer({ min: INDEX_CHUNK_SLOTS - 70, max: INDEX_CHUNK_SLOTS + 70 }),
  fc.integer({ min: 5 * INDEX_CHUNK_SLOTS, max: 5 * INDEX_CHUNK_SLOTS + 130 }),
)

describe('EntryTable as the offset index', () => {
  it('agrees with a Map under random insert/free; ids name their type and offset; nodes freed and reused', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ op: fc.constantFrom('insert', 'insert', 'free'), type: fc.nat(1), offset: offsetArb }),
          { maxLength: 400 },
        ),
        (ops) => {
          const t = new EntryTable()
          const model = new Map<string, number>() // key → handle written
          let n = 0
          for (const { op, type, offset } of ops) {
            const k = `${type}:${offset}`
            const id = t.get(type, offset)
            expect(id >= 0).toBe(model.has(k))
            if (op === 'insert') {
              if (id >= 0) t.free(id) // replace, as a store does
              const fresh = t.insert(type, offset)
              expect(t.has(fresh)).toBe(true)
              expect([t.typeOf(fresh), t.offsetOf(fresh)]).toEqual([type, offset])
              expect(t.flags[fresh] & (ON_LRU | REFERENCED)).toBe(0)
              t.handle[fresh] = ++n
              model.set(k, n)
            } else if (id >= 0) {
              t.free(id)
              expect(t.has(id)).toBe(false)
              model.delete(k)
            }
            expect(t.live).toBe(model.size)
          }
          // every slot anywhere near the touched offsets answers as the model does
          const got: number[] = []
          const want: number[] = []
          for (const type of [0, 1]) {
            for (const base of [0, INDEX_CHUNK_SLOTS - 128, 5 * INDEX_CHUNK_SLOTS]) {
              for (let offset = base; offset < base + 256; offset++) {
                const id = t.get(type, offset)
                got.push(id < 0 ? -1 : t.handle[id])
                want.push(model.get(`${type}:${offset}`) ?? -1)
              }
            }
          }
          expect(got).toEqual(want)
          // nextCandidate never skips a present offset
          const skipped: string[] = []
          for (const k of model.keys()) {
            const [type, offset] = k.split(':').map(Number)
            for (const from of [offset, offset - 1, offset - 31, offset - 32, offset - 200]) {
              if (from >= 0 && t.nextCandidate(type, from) > offset) skipped.push(`${k} from ${from}`)
            }
          }
          expect(skipped).toEqual([])
        },
      ),
      { numRuns: 100 },
    )
  })

  it('a node whose last entry is freed is unlinked before it is reused elsewhere', () => {
    const t = new EntryTable()
    const ids = Array.from({ length: NODE_SLOTS }, (_, i) => t.insert(0, i)) // the node of offsets 0..31
    for (const id of ids) t.free(id)
    const id = t.insert(0, 1000) // reuses the freed node for offsets 992..1023
    expect(id >> 5).toBe(ids[0] >> 5)
    expect([t.typeOf(id), t.offsetOf(id)]).toEqual([0, 1000])
    for (let i = 0; i < NODE_SLOTS; i++) expect(t.get(0, i)).toBe(-1)
    expect(t.get(0, 1000)).toBe(id)
    expect(t.nextCandidate(0, 0)).toBe(NODE_SLOTS) // the empty node is skipped
    expect(t.nextCandidate(0, 2 * INDEX_CHUNK_SLOTS + 5)).toBe(3 * INDEX_CHUNK_SLOTS) // no chunk there
    const bytes = t.bytes
    for (let round = 0; round < 50; round++) t.free(t.insert(0, 5000 + round * NODE_SLOTS))
    expect(t.bytes).toBe(bytes) // freed nodes are reused, memory does not grow
    expect(t.live).toBe(1)
  })

  it('counts its bytes: 18 per slot and 10 per node of what it reserved, 2 KiB per chunk directory', () => {
    const t = new EntryTable()
    expect(t.bytes).toBe(0)
    t.insert(0, 5)
    const slotArrays = () =>
      [t.handle, t.length, t.cgroup, t.compressor, t.flags, t.prev, t.next].reduce(
        (n, a) => n + a.byteLength,
        0,
      )
    expect(slotArrays()).toBe(16 * NODE_SLOTS * 18) // the first 16 nodes
    expect(t.bytes).toBe(slotArrays() + 16 * 10 + 2048)
    t.insert(1, 5) // another type: its own directory
    t.insert(0, 3 * INDEX_CHUNK_SLOTS) // another chunk: another directory
    expect(t.bytes).toBe(slotArrays() + 16 * 10 + 3 * 2048)
  })

  it('a node stays while any of its entries does', () => {
    const t = new EntryTable()
    const a = t.insert(3, 64)
    const b = t.insert(3, 95)
    t.free(a)
    expect(t.get(3, 95)).toBe(b)
    expect(t.nextCandidate(3, 64)).toBe(64)
    const c = t.insert(3, 64)
    expect(c).toBe(a) // same slot: the id of an offset is stable
    t.free(b)
    t.free(c)
    expect(t.nextCandidate(3, 64)).toBe(96)
  })
})

describe('EntryTable LRU lists', () => {
  it('agree with arrays under random insert, push, remove and free over two lists', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            op: fc.constantFrom('insert', 'push', 'remove', 'free'),
            pick: fc.nat(),
            list: fc.nat(1),
            offset: fc.nat(300),
          }),
          { maxLength: 300 },
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
          for (const { op, pick, list, offset } of ops) {
            const ids = [...live]
            const id = ids.length === 0 ? -1 : ids[pick % ids.length]
            if (op === 'insert' || id < 0) {
              if (t.get(0, offset) >= 0) continue
              const fresh = t.insert(0, offset)
              expect(live.has(fresh)).toBe(false)
              live.add(fresh)
              t.flags[fresh] |= REFERENCED
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

  it('removing an entry that is not on a list changes nothing', () => {
    const t = new EntryTable()
    const list: LruList = { head: -1, tail: -1 }
    const a = t.insert(0, 10)
    const b = t.insert(0, 11)
    lruPush(t, list, a)
    lruRemove(t, list, b)
    expect(walk(t, list)).toEqual([a])
    lruRemove(t, list, a)
    expect(list).toEqual({ head: -1, tail: -1 })
    expect(t.live).toBe(2)
  })

  it('grows past its first capacity keeping every field; bytes follow the nodes', () => {
    const t = new EntryTable()
    const list: LruList = { head: -1, tail: -1 }
    for (let i = 0; i < 3000; i++) {
      const id = t.insert(1, i * 3)
      t.handle[id] = i
      lruPush(t, list, id)
    }
    const ids = walk(t, list)
    expect(ids.length).toBe(3000)
    expect(ids.map((id) => t.handle[id])).toEqual(Array.from({ length: 3000 }, (_, i) => 2999 - i))
    expect(ids.map((id) => t.offsetOf(id))).toEqual(Array.from({ length: 3000 }, (_, i) => (2999 - i) * 3))
    // 9000 offsets span 282 nodes; growth leaves at most 1/8 more
    expect(t.bytes).toBeGreaterThanOrEqual(282 * NODE_SLOTS * 18)
    expect(t.bytes).toBeLessThan(1.13 * 282 * NODE_SLOTS * 18 + 4096 + 2000)
  })
})
