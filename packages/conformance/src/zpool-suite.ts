import { assertSpecification, createFolio, ErrorCode, PAGE_SIZE, type Zpool } from '@zswap/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CACHE_RAM_BYTES, loadCache } from './cache-round-trip.js'
import { expectBytes, expectCodeSync, type Factory, rng } from './helpers.js'
import { referenceCompressor } from './reference-compressor.js'
import { randomPage, samplePages } from './sample-pages.js'

/** What the zpool suite asks of the factory. */
export interface ZpoolSuiteContext {
  /**
   * The pool's page budget: malloc must throw ZpoolFullError rather than
   * hold more pages. `undefined` means unlimited.
   */
  maxPages: number | undefined
}

/** Options of {@link zpoolSuite}. */
export interface ZpoolSuiteOptions {
  /** fast-check runs of the random malloc/free sequences. Default 40. */
  numRuns?: number
  /** Page budget used by the exhaustion test. Default 24. */
  exhaustionPages?: number
}

const HANDLE_LIMIT = 2 ** 32
const SCRATCH_FILL = 0xc3

/** Sizes 1..max: all of them up to two pages, then a stride plus both sides of every 256-byte boundary. */
function allSizes(max: number): number[] {
  const out: number[] = []
  for (let s = 1; s <= max; s++) {
    if (s <= 2 * PAGE_SIZE || s % 7 === 0 || s % 256 <= 1 || s % 256 === 255 || s === max) out.push(s)
  }
  return out
}

function filled(size: number, seed: number): Uint8Array {
  return randomPage(seed, size)
}

/**
 * The conformance suite of the Zpool contract, as a vitest `describe` block.
 * `factory({ maxPages })` returns a fresh pool holding at most `maxPages`
 * pages (unlimited when undefined). Compaction is tested when the pool
 * declares `supportsCompaction`; object sizes up to its `maxObjectSize`.
 *
 * @example
 * zpoolSuite('zbud', ({ maxPages }) => zbud({ maxPages }))
 */
export function zpoolSuite(
  name: string,
  factory: Factory<Zpool, [context: ZpoolSuiteContext]>,
  options: ZpoolSuiteOptions = {},
): void {
  const numRuns = options.numRuns ?? 40
  const exhaustionPages = options.exhaustionPages ?? 24

  async function withPool(
    maxPages: number | undefined,
    fn: (pool: Zpool) => void | Promise<void>,
  ): Promise<void> {
    const pool = await factory({ maxPages })
    try {
      await fn(pool)
    } finally {
      pool.destroy()
    }
  }

  /** Reads the object with `read`, and with `readInPlace` when the pool has it. */
  function expectObject(pool: Zpool, handle: number, data: Uint8Array, what: string): void {
    const out = new Uint8Array(data.length)
    pool.read(handle, out)
    expect(Buffer.compare(out, data), `${what}: object ${handle} of ${data.length} bytes`).toBe(0)
    if (pool.readInPlace === undefined) return
    const scratch = new Uint8Array(data.length + 16).fill(SCRATCH_FILL)
    const seen = pool.readInPlace(handle, data.length, scratch)
    expect(seen, `${what}: readInPlace returns a Uint8Array`).toBeInstanceOf(Uint8Array)
    expect(seen.length, `${what}: readInPlace length`).toBe(data.length)
    expect(
      Buffer.compare(seen, data),
      `${what}: readInPlace of object ${handle} (${data.length} bytes)`,
    ).toBe(0)
    expect(
      scratch.subarray(data.length).every((b) => b === SCRATCH_FILL),
      `${what}: readInPlace wrote past length in scratch`,
    ).toBe(true)
  }

  describe(`zpool conformance: ${name}`, () => {
    it('declares the v1 contract: name, maxObjectSize', async () => {
      await withPool(undefined, (pool) => {
        expect(() => assertSpecification(pool, 'zpool')).not.toThrow()
        expect(typeof pool.name).toBe('string')
        expect(pool.name.length).toBeGreaterThan(0)
        const { maxObjectSize, supportsCompaction } = pool.capabilities
        expect(Number.isInteger(maxObjectSize) && maxObjectSize >= 1).toBe(true)
        expect(supportsCompaction === undefined || typeof supportsCompaction === 'boolean').toBe(true)
        if (supportsCompaction) expect(typeof pool.compact).toBe('function')
        expect(pool.totalPages).toBe(0)
      })
    })

    it('allocates every size from 1 to maxObjectSize; objects round-trip and do not overlap', async () => {
      await withPool(undefined, (pool) => {
        const max = pool.capabilities.maxObjectSize
        const pattern = randomPage(99, max + 1)
        const window: { handle: number; size: number; at: number }[] = []
        const live = new Set<number>()
        const flush = () => {
          for (const o of window)
            expectObject(pool, o.handle, pattern.subarray(o.at, o.at + o.size), 'window')
          for (const o of window) {
            pool.free(o.handle)
            live.delete(o.handle)
          }
          window.length = 0
        }
        for (const size of allSizes(max)) {
          const handle = pool.malloc(size)
          expect(Number.isInteger(handle) && handle >= 0 && handle < HANDLE_LIMIT, `handle ${handle}`).toBe(
            true,
          )
          expect(live.has(handle), `handle ${handle} handed out twice`).toBe(false)
          live.add(handle)
          const at = size % 97
          pool.write(handle, pattern.subarray(at, at + size))
          window.push({ handle, size, at })
          if (window.length === 384) flush()
        }
        flush()
        expect(pool.totalPages).toBe(0)
      })
    })

    it('writes and reads prefixes; rejects a src or dst longer than the object', async () => {
      await withPool(undefined, (pool) => {
        const size = Math.min(100, pool.capabilities.maxObjectSize)
        const handle = pool.malloc(size)
        const data = filled(size, 1)
        pool.write(handle, data)
        pool.write(
          handle,
          data.subarray(0, 10).map((b) => b ^ 0xff),
        ) // a shorter write overwrites the start only
        const expected = data.slice()
        for (let i = 0; i < 10; i++) expected[i] ^= 0xff
        expectObject(pool, handle, expected, 'after a short write')
        expectObject(pool, handle, expected.subarray(0, 5), 'a short read')
        expectCodeSync(() => pool.write(handle, new Uint8Array(size + 1)), ErrorCode.INVALID_ARGUMENT)
        expectCodeSync(() => pool.read(handle, new Uint8Array(size + 1)), ErrorCode.INVALID_ARGUMENT)
        expectObject(pool, handle, expected, 'after rejected calls')
        pool.free(handle)
      })
    })

    it('reads in place when it has readInPlace: prefixes, and typed errors for bad arguments', async () => {
      await withPool(undefined, (pool) => {
        expect(pool.readInPlace === undefined || typeof pool.readInPlace === 'function').toBe(true)
        if (pool.readInPlace === undefined) return
        const readInPlace = pool.readInPlace.bind(pool)
        const size = Math.min(100, pool.capabilities.maxObjectSize)
        const handle = pool.malloc(size)
        const data = filled(size, 2)
        pool.write(handle, data)
        const scratch = new Uint8Array(size)
        expect(Buffer.compare(readInPlace(handle, 10, scratch), data.subarray(0, 10))).toBe(0)
        expect(readInPlace(handle, 0, scratch).length).toBe(0)
        for (const length of [size + 1, -1, 1.5, Number.NaN]) {
          expectCodeSync(
            () => readInPlace(handle, length, new Uint8Array(2 * size)),
            ErrorCode.INVALID_ARGUMENT,
          )
        }
        expectCodeSync(() => readInPlace(handle, size, new Uint8Array(size - 1)), ErrorCode.INVALID_ARGUMENT)
        expectCodeSync(
          () => readInPlace(handle, size, [] as unknown as Uint8Array),
          ErrorCode.INVALID_ARGUMENT,
        )
        expectObject(pool, handle, data, 'after rejected calls')
        pool.free(handle)
        expectCodeSync(() => readInPlace(handle, 1, scratch), ErrorCode.INVALID_HANDLE)
        expectCodeSync(() => readInPlace(2 ** 32 - 1, 1, scratch), ErrorCode.INVALID_HANDLE)
      })
    })

    it('rejects bad sizes with typed errors and changes nothing', async () => {
      await withPool(undefined, (pool) => {
        const keep = pool.malloc(1)
        const pages = pool.totalPages
        for (const size of [0, -1, 1.5, Number.NaN])
          expectCodeSync(() => pool.malloc(size), ErrorCode.INVALID_ARGUMENT)
        expectCodeSync(() => pool.malloc(pool.capabilities.maxObjectSize + 1), ErrorCode.OBJECT_TOO_LARGE)
        expect(pool.totalPages).toBe(pages)
        pool.free(keep)
        expect(pool.totalPages).toBe(0)
      })
    })

    it('frees and reuses: a freed object’s space serves the next malloc', async () => {
      await withPool(undefined, (pool) => {
        const size = Math.min(1000, pool.capabilities.maxObjectSize)
        const handles = Array.from({ length: 64 }, () => pool.malloc(size))
        const peak = pool.totalPages
        for (const h of handles) pool.free(h)
        for (let round = 0; round < 3; round++) {
          const again = Array.from({ length: 64 }, (_, i) => {
            const h = pool.malloc(size)
            pool.write(h, filled(size, i + round))
            return h
          })
          expect(pool.totalPages).toBeLessThanOrEqual(peak)
          for (const [i, h] of again.entries())
            expectObject(pool, h, filled(size, i + round), `round ${round}`)
          for (const h of again) pool.free(h)
        }
        expect(pool.totalPages).toBe(0)
      })
    })

    it('rejects double free and foreign handles with typed errors, disturbing nothing', async () => {
      await withPool(undefined, async (pool) => {
        const size = Math.min(300, pool.capabilities.maxObjectSize)
        const objects = Array.from({ length: 20 }, (_, i) => ({
          handle: pool.malloc(size),
          data: filled(size, i),
        }))
        for (const o of objects) pool.write(o.handle, o.data)
        const gone = objects.splice(5, 1)[0]
        pool.free(gone.handle)
        const pages = pool.totalPages
        expectCodeSync(() => pool.free(gone.handle), ErrorCode.INVALID_HANDLE)
        expectCodeSync(() => pool.read(gone.handle, new Uint8Array(1)), ErrorCode.INVALID_HANDLE)
        expectCodeSync(() => pool.write(gone.handle, new Uint8Array(1)), ErrorCode.INVALID_HANDLE)
        // handles from another pool, and numbers this pool never handed out
        const other = await factory({ maxPages: undefined })
        const live = new Set(objects.map((o) => o.handle))
        const foreign = [
          ...Array.from({ length: 30 }, () => other.malloc(size)),
          HANDLE_LIMIT - 1,
          123456789,
          0x7fffffff,
          0,
          1,
        ].filter((h) => !live.has(h))
        other.destroy()
        for (const h of foreign) {
          expectCodeSync(() => pool.free(h), ErrorCode.INVALID_HANDLE)
          expectCodeSync(() => pool.read(h, new Uint8Array(1)), ErrorCode.INVALID_HANDLE)
        }
        for (const h of [-1, 1.5, Number.NaN, HANDLE_LIMIT]) {
          expectCodeSync(() => pool.free(h), ErrorCode.INVALID_HANDLE, ErrorCode.INVALID_ARGUMENT)
        }
        expect(pool.totalPages).toBe(pages)
        for (const o of objects) expectObject(pool, o.handle, o.data, 'after bad frees')
        for (const o of objects) pool.free(o.handle)
        expect(pool.totalPages).toBe(0)
      })
    })

    it('throws ZpoolFullError when its page budget is exhausted, with nothing else disturbed', async () => {
      await withPool(exhaustionPages, (pool) => {
        const max = Math.min(pool.capabilities.maxObjectSize, PAGE_SIZE)
        const next = rng(5)
        const objects: { handle: number; data: Uint8Array }[] = []
        let full: { size: number } | undefined
        for (let i = 0; i < 200_000 && !full; i++) {
          const size = 1 + Math.floor(next() * max)
          const pages = pool.totalPages
          try {
            const handle = pool.malloc(size)
            const data = filled(size, i)
            pool.write(handle, data)
            objects.push({ handle, data })
          } catch (error) {
            expectCodeSync(() => {
              throw error
            }, ErrorCode.ZPOOL_FULL)
            expect(pool.totalPages, 'a failed malloc changed totalPages').toBe(pages)
            full = { size }
          }
          expect(pool.totalPages).toBeLessThanOrEqual(exhaustionPages)
        }
        expect(full, `never full after ${objects.length} objects`).toBeDefined()
        for (const o of objects) expectObject(pool, o.handle, o.data, 'after exhaustion')
        // freeing an object of the same size makes room for it again
        const same = objects.findIndex((o) => o.data.length >= (full as { size: number }).size)
        if (same >= 0) {
          const [o] = objects.splice(same, 1)
          pool.free(o.handle)
          const h = pool.malloc(o.data.length)
          pool.write(h, o.data)
          objects.push({ handle: h, data: o.data })
        }
        for (const o of objects) expectObject(pool, o.handle, o.data, 'after reuse')
        for (const o of objects) pool.free(o.handle)
        expect(pool.totalPages).toBe(0)
      })
    })

    it('matches a model under random malloc/write/read/free sequences (property)', async () => {
      const pool0 = await factory({ maxPages: undefined })
      const max = pool0.capabilities.maxObjectSize
      pool0.destroy()
      const op = fc.oneof(
        {
          weight: 4,
          arbitrary: fc.record({ op: fc.constant('malloc' as const), size: fc.integer({ min: 1, max }) }),
        },
        {
          weight: 1,
          arbitrary: fc.record({ op: fc.constant('malloc' as const), size: fc.integer({ min: 1, max: 64 }) }),
        },
        { weight: 3, arbitrary: fc.record({ op: fc.constant('free' as const), pick: fc.nat() }) },
        {
          weight: 2,
          arbitrary: fc.record({ op: fc.constant('write' as const), pick: fc.nat(), seed: fc.nat() }),
        },
        { weight: 2, arbitrary: fc.record({ op: fc.constant('read' as const), pick: fc.nat() }) },
      )
      await fc.assert(
        fc.asyncProperty(fc.array(op, { maxLength: 150, size: 'max' }), async (ops) => {
          const pool = await factory({ maxPages: undefined })
          const model = new Map<number, Uint8Array>()
          try {
            for (const o of ops) {
              const handles = [...model.keys()]
              if (o.op === 'malloc') {
                const h = pool.malloc(o.size)
                expect(model.has(h)).toBe(false)
                const data = filled(o.size, h + o.size)
                pool.write(h, data)
                model.set(h, data)
              } else if (handles.length > 0) {
                const h = handles[o.pick % handles.length]
                const data = model.get(h) as Uint8Array
                if (o.op === 'free') {
                  pool.free(h)
                  model.delete(h)
                } else if (o.op === 'write') {
                  const next = filled(data.length, o.seed)
                  pool.write(h, next)
                  model.set(h, next)
                } else expectObject(pool, h, data, 'read')
              }
            }
            for (const [h, data] of model) expectObject(pool, h, data, 'at the end')
            for (const h of model.keys()) pool.free(h)
            expect(pool.totalPages).toBe(0)
          } finally {
            pool.destroy()
          }
        }),
        { numRuns },
      )
    })

    it('compacts when it declares supportsCompaction: pages given back, objects intact', async () => {
      await withPool(undefined, (pool) => {
        const objects: { handle: number; data: Uint8Array }[] = []
        const max = Math.min(pool.capabilities.maxObjectSize, PAGE_SIZE)
        for (let i = 0; i < 3000; i++) {
          const size = 1 + (((i * 2654435761) >>> 0) % max)
          const handle = pool.malloc(size)
          const data = filled(size, i)
          pool.write(handle, data)
          objects.push({ handle, data })
        }
        // free three of every four: fragmentation for compaction to undo
        const kept = objects.filter((o, i) => {
          if (i % 4 !== 0) pool.free(o.handle)
          return i % 4 === 0
        })
        if (pool.capabilities.supportsCompaction) {
          const before = pool.totalPages
          const given = (pool.compact as () => number)()
          expect(Number.isInteger(given) && given >= 0).toBe(true)
          expect(pool.totalPages).toBe(before - given)
        }
        for (const o of kept) expectObject(pool, o.handle, o.data, 'after compaction')
        for (const o of kept) pool.free(o.handle)
        expect(pool.totalPages).toBe(0)
      })
    })

    it('is unusable after destroy(): ClosedError', async () => {
      const pool = await factory({ maxPages: undefined })
      const h = pool.malloc(1)
      pool.destroy()
      expectCodeSync(() => pool.malloc(1), ErrorCode.CLOSED)
      expectCodeSync(() => pool.read(h, new Uint8Array(1)), ErrorCode.CLOSED)
      if (pool.readInPlace !== undefined) {
        const readInPlace = pool.readInPlace.bind(pool)
        expectCodeSync(() => readInPlace(h, 1, new Uint8Array(1)), ErrorCode.CLOSED)
      }
    })

    it('round-trips through the cache (createZswap store/load)', async (ctx) => {
      const cache = await loadCache()
      if (!cache) return ctx.skip('@zswap/cache is not installed')
      const zswap = cache.createZswap({
        compressor: referenceCompressor(),
        zpool: await factory({ maxPages: undefined }),
        ramBytes: CACHE_RAM_BYTES,
      })
      try {
        const sample = samplePages().filter((p) => p.kind !== 'random')
        for (const [i, p] of sample.entries()) {
          expect(await zswap.store(createFolio({ type: 0, offset: i }, 0, p.data.slice())), p.name).toBe(true)
        }
        // replace some entries, then load all
        for (let i = 0; i < sample.length; i += 3) {
          await zswap.store(
            createFolio({ type: 0, offset: i }, 0, sample[(i + 1) % sample.length].data.slice()),
          )
        }
        for (let i = 0; i < sample.length; i++) {
          const into = createFolio({ type: 0, offset: i }, 0)
          expect(await zswap.load(into)).toBe(true)
          const want = sample[i % 3 === 0 ? (i + 1) % sample.length : i]
          expectBytes(into.data, want.data, `offset ${i} (${want.name})`)
        }
        expect(zswap.storedPages).toBe(0)
      } finally {
        await zswap.close()
      }
    })
  })
}
