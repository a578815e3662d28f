import { PAGE_SIZE, PageArena, type Zpool, ZpoolFullError } from '@zswap/core'
import { zbud } from '@zswap/zbud'
import { zsmalloc } from '@zswap/zsmalloc'
import { describe, expect, it } from 'vitest'
import { compareStacks, type ProgressEvent, SCALING } from '../src/compare.js'
import { readSample } from '../src/corpus.js'
import { DEFAULT_SCALE_OBJECTS, poolAtScale, SizeRecordingZpool } from '../src/measure/pool-at-scale.js'
import { formatTable } from '../src/output/table.js'

describe('SizeRecordingZpool', () => {
  it('passes every call through and knows the sizes of the objects it holds, in allocation order', () => {
    const inner = zsmalloc()
    const z = new SizeRecordingZpool(inner)
    expect(z.name).toBe(inner.name)
    expect(z.capabilities).toBe(inner.capabilities)
    expect(typeof z.readInPlace).toBe(typeof inner.readInPlace)
    const sizes = [100, 3000, 700, 4096, 52]
    const handles = sizes.map((s) => z.malloc(s))
    const data = new Uint8Array(3000).map((_, i) => i * 7)
    z.write(handles[1], data)
    const back = new Uint8Array(3000)
    z.read(handles[1], back)
    expect(back).toEqual(data)
    expect(z.totalPages).toBe(inner.totalPages)
    expect(z.totalPages).toBeGreaterThan(0)
    z.free(handles[0])
    z.free(handles[3])
    expect([...z.liveSizes()]).toEqual([3000, 700, 52])
    // a freed handle reused for a new object counts once, as the new object
    const again = z.malloc(100)
    expect([...z.liveSizes()]).toEqual([3000, 700, 52, 100])
    z.free(again)
    for (let i = 0; i < 5000; i++) z.free(z.malloc(64 + (i % 900))) // the log grows past its first 1024 events
    expect([...z.liveSizes()]).toEqual([3000, 700, 52])
    z.destroy()
    expect(() => inner.malloc(10)).toThrow()
  })
})

describe('poolAtScale', () => {
  const sizes = Int32Array.from({ length: 1000 }, (_, i) => 200 + (((i * 2654435761) >>> 0) % 3800))

  it('allocates whole rounds of the objects until at least the count asked for, then destroys the pool', () => {
    let made: Zpool | undefined
    let destroyed = 0
    const make = () => {
      made = zsmalloc()
      const destroy = made.destroy.bind(made)
      made.destroy = () => {
        destroyed++
        destroy()
      }
      return made
    }
    const r = poolAtScale(make, sizes, 2500)!
    expect(r.objects).toBe(3000)
    expect(destroyed).toBe(1)
    expect(r.pagesForRun).toBeCloseTo((r.pages * 1000) / 3000, 9)
    expect(poolAtScale(make, new Int32Array(0))).toBeUndefined()
  })

  it('pools drawing on one shared arena, one after the other, hold the pages a private one would', () => {
    const arena = new PageArena()
    const own = poolAtScale(() => zsmalloc(), sizes, 20_000)!
    for (let i = 0; i < 2; i++) {
      expect(poolAtScale(() => zsmalloc({ arena }), sizes, 20_000)).toEqual(own)
      expect(arena.pagesInUse).toBe(0) // every page went back
    }
    expect(
      poolAtScale(
        () => zbud({ arena }),
        sizes.filter((s) => s <= 4000),
        20_000,
      )!.pages,
    ).toBeGreaterThan(0)
    arena.destroy()
  })

  it('a multi-page object counts as the pages it spans', () => {
    const big = Int32Array.from([5 * PAGE_SIZE + 1, 300]) // 6 + 1
    const r = poolAtScale(() => zsmalloc({ multiPage: true }), big, 70)!
    expect(r.objects).toBe(20)
  })

  it("zsmalloc's pages per object fall with scale; its pool at scale is the full zspages", () => {
    const small = new SizeRecordingZpool(zsmalloc())
    for (const s of sizes) small.malloc(s)
    const measured = small.totalPages
    small.destroy()
    const scaled = poolAtScale(() => zsmalloc(), sizes, DEFAULT_SCALE_OBJECTS)!
    expect(scaled.objects).toBeGreaterThanOrEqual(200_000)
    expect(scaled.pagesForRun).toBeLessThan(0.9 * measured)
    // never below the payload itself
    expect(scaled.pagesForRun * PAGE_SIZE).toBeGreaterThan(sizes.reduce((a, b) => a + b, 0))
  })

  it('a pool that fills up is destroyed and the error passes on', () => {
    let destroyed = false
    const error = (() => {
      try {
        poolAtScale(() => {
          const z = zbud({ maxPages: 10 })
          const destroy = z.destroy.bind(z)
          z.destroy = () => {
            destroyed = true
            destroy()
          }
          return z
        }, sizes)
      } catch (e) {
        return e
      }
    })()
    expect(error).toBeInstanceOf(ZpoolFullError)
    expect(destroyed).toBe(true)
  })
})

describe('the default comparison shows allocators at scale', () => {
  it('on the bundled sample lz4+zbud beats lz4+zsmalloc as run, and loses at scale (as in the kernel)', async () => {
    const events: ProgressEvent[] = []
    const report = await compareStacks({
      stacks: ['lz4+zsmalloc', 'lz4+zbud', 'zstd+zsmalloc', 'zstd+zbud'],
      workloads: ['replay(order=0)'],
      corpora: [readSample()],
      runs: 1,
      warmup: 0,
      baseline: false,
      onProgress: (e) => events.push(e),
    })
    // the pools are measured at scale after every run, so their memory shows in no run's figures
    expect(events.map((e) => e.workload)).toEqual([
      ...Array(4).fill('replay(order=0) on sample'),
      ...Array(4).fill(SCALING),
    ])
    expect(events.slice(4).map((e) => `${e.done}/${e.total}`)).toEqual(['1/4', '2/4', '3/4', '4/4'])
    expect(report.settings.scaleObjects).toBe(DEFAULT_SCALE_OBJECTS)
    const row = (stack: string) => report.results.find((r) => r.stack === stack)!
    for (const r of report.results) {
      expect(r.scaleObjects).toBeGreaterThanOrEqual(DEFAULT_SCALE_OBJECTS)
      expect(r.scaleObjects % (r.storedPages - r.zeroPages)).toBe(0) // whole rounds of the run's objects
    }
    for (const codec of ['lz4', 'zstd']) {
      const zs = row(`${codec}+zsmalloc`)
      const zb = row(`${codec}+zbud`)
      expect(zb.effectiveRatio).toBeGreaterThan(zs.effectiveRatio) // the small pool
      expect(zs.effectiveRatioAtScale).toBeGreaterThan(zb.effectiveRatioAtScale) // steady state
      expect(zs.poolPagesAtScale).toBeLessThan(zs.poolPages)
    }
    const table = formatTable(report)
    expect(table).toContain(' eff. ratio at scale ')
    expect(table).toContain('until 200,000 objects')
  }, 120_000)

  it("a zpool whose page budget cannot hold the pool at scale shows '–' there, and the run's figures stay", async () => {
    const report = await compareStacks({
      stacks: ['lz4+zsmalloc(maxPages=1200)', 'lz4+zbud'],
      workloads: ['replay(order=0)'],
      corpora: [readSample()],
      runs: 1,
      warmup: 0,
      baseline: false,
      scaleObjects: 20_000,
    })
    const [limited, zb] = report.results
    expect(limited.integrity.ok).toBe(true)
    expect(limited.scaleObjects).toBe(0)
    expect(limited.effectiveRatioAtScale).toBe(limited.effectiveRatio)
    expect(zb.scaleObjects).toBeGreaterThanOrEqual(20_000)
    const line = formatTable(report)
      .split('\n')
      .find((l) => l.includes('maxPages=1200'))!
    expect(line).toContain('–')
  }, 120_000)
})
