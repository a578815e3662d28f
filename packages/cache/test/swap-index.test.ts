import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { INDEX_CHUNK_SLOTS, SwapIndex } from '../src/swap-index.js'

// Offsets in a few 64-slot nodes spread over two chunks and two swap types.
const offsetArb = fc.oneof(
  fc.integer({ min: 0, max: 200 }),
  fc.integer({ min: INDEX_CHUNK_SLOTS - 70, max: INDEX_CHUNK_SLOTS + 70 }),
  fc.integer({ min: 5 * INDEX_CHUNK_SLOTS, max: 5 * INDEX_CHUNK_SLOTS + 130 }),
)

describe('SwapIndex', () => {
  it('agrees with a Map under random set/erase, nodes freed and reused', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ op: fc.constantFrom('set', 'set', 'erase'), type: fc.nat(1), offset: offsetArb }),
          { maxLength: 400 },
        ),
        (ops) => {
          const index = new SwapIndex()
          const model = new Map<string, number>()
          let nextId = 0
          for (const { op, type, offset } of ops) {
            const k = `${type}:${offset}`
            if (op === 'set') {
              const id = nextId++
              expect(index.set(type, offset, id)).toBe(model.get(k) ?? -1)
              model.set(k, id)
            } else {
              expect(index.erase(type, offset)).toBe(model.get(k) ?? -1)
              model.delete(k)
            }
          }
          // every slot anywhere near the touched offsets answers as the model does
          const got: number[] = []
          const want: number[] = []
          for (const type of [0, 1]) {
            for (const base of [0, INDEX_CHUNK_SLOTS - 128, 5 * INDEX_CHUNK_SLOTS]) {
              for (let offset = base; offset < base + 256; offset++) {
                got.push(index.get(type, offset))
                want.push(model.get(`${type}:${offset}`) ?? -1)
              }
            }
          }
          expect(got).toEqual(want)
          // nextCandidate never skips a present offset
          const skipped: string[] = []
          for (const k of model.keys()) {
            const [type, offset] = k.split(':').map(Number)
            for (const from of [offset, offset - 1, offset - 63, offset - 64, offset - 200]) {
              if (from >= 0 && index.nextCandidate(type, from) > offset) skipped.push(`${k} from ${from}`)
            }
          }
          expect(skipped).toEqual([])
        },
      ),
      { numRuns: 100 },
    )
  })

  it('a node whose last slot is cleared is unlinked before it is reused elsewhere', () => {
    const index = new SwapIndex()
    for (let i = 0; i < 64; i++) index.set(0, i, i) // node of offsets 0..63
    for (let i = 0; i < 64; i++) expect(index.erase(0, i)).toBe(i) // freed
    index.set(0, 1000, 7) // reuses the freed node for offsets 960..1023
    for (let i = 0; i < 64; i++) expect(index.get(0, i)).toBe(-1)
    expect(index.get(0, 1000)).toBe(7)
    expect(index.nextCandidate(0, 0)).toBe(64) // the empty node is skipped
    const bytes = index.bytes
    for (let round = 0; round < 50; round++) {
      index.set(0, 5000 + round * 64, round)
      index.erase(0, 5000 + round * 64)
    }
    expect(index.bytes).toBe(bytes) // freed nodes are reused, memory does not grow
  })
})
