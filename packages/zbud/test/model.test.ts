import { PageArena, ZpoolFullError } from '@zswap/core'
import fc from 'fast-check'
import { expect, it } from 'vitest'
import { MAX_OBJECT_SIZE, NCHUNKS, zbud } from '../src/index.js'

// A deliberately naive zbud: pages as plain objects, placement by linear scan.
// It predicts page usage; the real pool must agree exactly.
interface ModelPage {
  chunks: [number, number] // first, last; 0 = free
  listedAt: number // when it last went on an unbuddied list (the kernel adds at the head)
}

class ModelZbud {
  pages = new Set<ModelPage>()
  #clock = 0

  constructor(readonly maxPages: number) {}

  /** Where an object of `size` bytes goes, or null when the arena is full. */
  malloc(size: number): { page: ModelPage; bud: 0 | 1 } | null {
    const chunks = Math.ceil(size / 64)
    let best: ModelPage | null = null
    let bestFree = Number.POSITIVE_INFINITY
    for (const p of this.pages) {
      const used = p.chunks[0] + p.chunks[1]
      if (p.chunks[0] !== 0 && p.chunks[1] !== 0) continue
      const free = NCHUNKS - used
      if (free < chunks) continue
      if (free < bestFree || (free === bestFree && p.listedAt > best!.listedAt)) {
        best = p
        bestFree = free
      }
    }
    let page = best
    if (!page) {
      if (this.pages.size >= this.maxPages) return null
      page = { chunks: [0, 0], listedAt: 0 }
      this.pages.add(page)
    }
    const bud = page.chunks[0] === 0 ? 0 : 1
    page.chunks[bud] = chunks
    page.listedAt = ++this.#clock
    return { page, bud }
  }

  free(page: ModelPage, bud: 0 | 1): void {
    page.chunks[bud] = 0
    page.listedAt = ++this.#clock
    if (page.chunks[0] === 0 && page.chunks[1] === 0) this.pages.delete(page)
  }
}

// Few distinct sizes make several pages share an unbuddied list, which exercises the list links.
const sizeArb = fc.oneof(
  fc.constantFrom(100, 640, 1000, 2000, 3000),
  fc.constantFrom(100, 640, 1000, 2000, 3000),
  fc.integer({ min: 1, max: 256 }),
  fc.integer({ min: 900, max: 2200 }),
  fc.integer({ min: 2800, max: MAX_OBJECT_SIZE }),
  fc.constantFrom(1, 63, 64, 65, 2015, 2016, 2017, 4031, MAX_OBJECT_SIZE),
)

const opArb = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ op: fc.constant('malloc' as const), size: sizeArb, seed: fc.nat(255) }),
  },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('free' as const), pick: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant('write' as const), pick: fc.nat(), seed: fc.nat(255) }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('read' as const), pick: fc.nat() }) },
)

function pattern(length: number, seed: number): Uint8Array {
  const b = new Uint8Array(length)
  for (let i = 0; i < length; i++) b[i] = (seed + i * 7 + (i >> 8)) & 0xff
  return b
}

interface Live {
  handle: number
  data: Uint8Array // the object's bytes as last written (prefix writes keep the tail)
  page: ModelPage
  bud: 0 | 1
}

it('agrees with a Map model and a naive zbud over random malloc/write/read/free sequences', () => {
  fc.assert(
    fc.property(
      fc.array(opArb, { maxLength: 160 }),
      fc.option(fc.integer({ min: 1, max: 8 }), { nil: undefined }),
      (ops, maxPages) => {
        const arena = new PageArena({ maxPages, chunkPages: 4 })
        const pool = zbud({ arena })
        const model = new ModelZbud(maxPages ?? Number.POSITIVE_INFINITY)
        const live = new Map<number, Live>()
        const order: number[] = []
        const check = (entry: Live) => {
          const out = new Uint8Array(entry.data.length)
          pool.read(entry.handle, out)
          expect(out).toEqual(entry.data)
          expect(pool.view(entry.handle)).toEqual(entry.data)
        }

        for (const step of ops) {
          if (step.op === 'malloc') {
            const placed = model.malloc(step.size)
            if (placed === null) {
              const before = pool.totalPages
              expect(() => pool.malloc(step.size)).toThrow(ZpoolFullError)
              expect(pool.totalPages).toBe(before)
            } else {
              const handle = pool.malloc(step.size)
              expect(live.has(handle)).toBe(false)
              const data = pattern(step.size, step.seed)
              pool.write(handle, data)
              live.set(handle, { handle, data, ...placed })
              order.push(handle)
            }
          } else if (order.length > 0) {
            const i = step.pick % order.length
            const entry = live.get(order[i])!
            if (step.op === 'free') {
              pool.free(entry.handle)
              model.free(entry.page, entry.bud)
              live.delete(entry.handle)
              order.splice(i, 1)
              expect(() => pool.free(entry.handle)).toThrow()
            } else if (step.op === 'write') {
              // a prefix write: the rest of the object keeps its bytes
              const prefix = pattern(1 + ((step.seed * 13) % entry.data.length), step.seed)
              pool.write(entry.handle, prefix)
              entry.data.set(prefix)
            } else {
              check(entry)
            }
          }
          expect(pool.totalPages).toBe(model.pages.size)
          expect(arena.pagesInUse).toBe(pool.totalPages)
          expect(pool.objectCount).toBe(live.size)
        }

        // No overlap: every live object still reads back exactly as written.
        for (const entry of live.values()) check(entry)
        for (const entry of live.values()) pool.free(entry.handle)
        expect(pool.totalPages).toBe(0)
        expect(arena.pagesInUse).toBe(0)
      },
    ),
    { numRuns: 200 },
  )
})
