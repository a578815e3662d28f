import { PAGE_SIZE } from '@zswap/core'
import { describe, expect, it } from 'vitest'
import { compareStacks } from '../src/compare.js'
import { readSample } from '../src/corpus.js'
import { workloadRatios } from '../src/measure/ratios.js'
import { formatCsv } from '../src/output/csv.js'
import { formatHtml } from '../src/output/html.js'
import { formatMarkdown } from '../src/output/markdown.js'
import { formatTable } from '../src/output/table.js'
import { SCHEMA_VERSION } from '../src/schema.js'
import { syntheticCorpus } from '../src/workloads/synthetic.js'

describe('workloadRatios: every page of the workload counts', () => {
  it('zero-mapped pages take 0 bytes, disk pages 4096, held pages their compressed bytes', () => {
    // 100 pages: 10 zero-mapped, 60 held in 60,000 compressed bytes over 20 pool pages, 30 rejected
    const r = workloadRatios({
      pages: 100,
      zeroPages: 10,
      heldPages: 60,
      compressedBytes: 60_000,
      poolPages: 20,
    })
    expect(r.diskPages).toBe(30)
    expect(r.ratio).toBeCloseTo((100 * PAGE_SIZE) / (60_000 + 30 * PAGE_SIZE), 12)
    expect(r.effectiveRatio).toBeCloseTo(100 / (20 + 30), 12)
  })

  it('a stack that rejects poorly compressible pages is not better than one that stores them as-is', () => {
    // the same 10 pages: 8 compress to 1,000 bytes, 2 do not compress
    const rejects = workloadRatios({
      pages: 10,
      zeroPages: 0,
      heldPages: 8,
      compressedBytes: 8_000,
      poolPages: 2,
    })
    const storesRaw = workloadRatios({
      pages: 10,
      zeroPages: 0,
      heldPages: 10,
      compressedBytes: 8_000 + 2 * PAGE_SIZE,
      poolPages: 4,
    })
    expect(rejects.ratio).toBeCloseTo(storesRaw.ratio, 12)
    expect(rejects.effectiveRatio).toBeCloseTo(storesRaw.effectiveRatio, 12)
    // over the accepted pages only, the rejecting stack would have looked 40 % better
    expect((8 * PAGE_SIZE) / 8_000).toBeGreaterThan(1.4 * rejects.ratio)
  })

  it('an all-zero workload took no space (Infinity); an empty one has ratio 0', () => {
    expect(
      workloadRatios({ pages: 4, zeroPages: 4, heldPages: 0, compressedBytes: 0, poolPages: 0 }),
    ).toEqual({
      diskPages: 0,
      ratio: Number.POSITIVE_INFINITY,
      effectiveRatio: Number.POSITIVE_INFINITY,
    })
    expect(
      workloadRatios({ pages: 0, zeroPages: 0, heldPages: 0, compressedBytes: 0, poolPages: 0 }).ratio,
    ).toBe(0)
  })
})

describe('the comparison reports ratios over the whole workload', () => {
  // A quarter zero-filled pages, a quarter same-filled, half random (incompressible) pages.
  const workload = 'synthetic(pages=512,ratio=1,zero=0.25,same=0.25,seed=7)'

  it('counts zero, incompressible and disk pages, and derives both ratios from them', async () => {
    const report = await compareStacks({
      stacks: ['lz4+zsmalloc', 'zstd+zbud'],
      workloads: [workload],
      corpora: [],
      runs: 1,
      warmup: 0,
      scaleObjects: 0,
    })
    expect(report.schemaVersion).toBe(SCHEMA_VERSION)
    expect(SCHEMA_VERSION).toBe(2)
    const rows = report.results.filter((r) => !r.baseline)
    for (const r of rows) {
      expect(r.integrity.ok).toBe(true)
      const held = r.counters.stored_pages
      expect(r.zeroPages).toBe(r.counters.swpout_zero ?? 0)
      expect(r.incompressiblePages).toBe(r.counters.stored_incompressible_pages ?? 0)
      expect(r.diskPages).toBe(r.pages - r.zeroPages - held)
      expect(r.compressedBytes).toBe(r.counters['cgroup / zswap'])
      // every one of the 512 pages is in the denominator
      expect(r.ratio).toBeCloseTo((r.pages * PAGE_SIZE) / (r.compressedBytes + r.diskPages * PAGE_SIZE), 9)
      expect(r.effectiveRatio).toBeCloseTo(r.pages / (r.poolPages + r.diskPages), 9)
      // the random half never compresses: it is stored as-is or goes to disk, at 4096 bytes either way
      expect(r.incompressiblePages + r.diskPages).toBeGreaterThanOrEqual(200)
      // so no stack can get near the ratio of the pages it compressed well
      expect(r.ratio).toBeLessThan(2.1)
      expect(r.scaleObjects).toBe(0)
      expect(r.effectiveRatioAtScale).toBe(r.effectiveRatio)
    }
    const memcpy = report.results.find((r) => r.baseline)!
    expect(memcpy).toMatchObject({ ratio: 1, effectiveRatio: 1, zeroPages: 0, diskPages: 0 })
  })

  it('every output names the zero and incompressible columns and says how pages count', async () => {
    const report = await compareStacks({
      stacks: ['lz4+zbud'],
      workloads: [workload],
      corpora: [],
      runs: 1,
      warmup: 0,
      scaleObjects: 0,
    })
    const table = formatTable(report)
    for (const head of ['zero', 'incompr.', 'eff. ratio']) expect(table).toContain(` ${head} `)
    expect(table).not.toContain('at scale') // not measured: no column, no definition
    for (const text of [table, formatMarkdown(report), formatHtml(report)]) {
      expect(text).toContain('0 for a zero-filled page')
      expect(text).toContain('4096 for a page stored as-is')
      expect(text).toContain('4096 for a page rejected or written back')
    }
    // fields split at commas outside quotes (the workload id has commas)
    const [cols, memcpy, lz4] = formatCsv(report)
      .split('\n')
      .map((line) => [...line.matchAll(/("(?:[^"]|"")*"|[^,]*)(,|$)/g)].map((m) => m[1]).slice(0, -1))
    for (const k of [
      'zeroPages',
      'incompressiblePages',
      'diskPages',
      'compressedBytes',
      'effectiveRatioAtScale',
    ]) {
      expect(cols).toContain(k)
    }
    expect(lz4).toHaveLength(cols.length)
    expect(memcpy[cols.indexOf('zeroPages')]).toBe('0')
    const r = report.results[1]
    expect(Number(lz4[cols.indexOf('diskPages')])).toBe(r.diskPages)
    expect(Number(lz4[cols.indexOf('zeroPages')])).toBe(r.zeroPages)
    expect(Number(lz4[cols.indexOf('incompressiblePages')])).toBe(r.incompressiblePages)
  })
})

describe('zero and incompressible pages as Linux 6.18 handles them', () => {
  it('zero pages are kept out of zswap, random pages stored as-is (zsmalloc) or rejected (zbud holds no 4096-byte object)', async () => {
    const corpus = syntheticCorpus({ pages: 512, ratio: 1, zero: 0.25, same: 0.25, seed: 7 })
    let zero = 0
    let random = 0
    for (let p = 0; p < corpus.pages; p++) {
      const page = corpus.data.subarray(p * PAGE_SIZE, (p + 1) * PAGE_SIZE)
      if (page.every((b) => b === 0)) zero++
      else if (page[0] !== page[8] || page[1] !== page[9] || page[3] !== page[4091]) random++
    }
    expect(zero).toBeGreaterThan(100)
    expect(random).toBeGreaterThan(200)
    const report = await compareStacks({
      stacks: ['lz4+zsmalloc', 'zstd+zbud'],
      workloads: ['synthetic(pages=512,ratio=1,zero=0.25,same=0.25,seed=7)'],
      corpora: [],
      runs: 1,
      warmup: 0,
      scaleObjects: 0,
    })
    const [, zs, zb] = report.results
    for (const r of [zs, zb]) {
      expect(r.zeroPages).toBe(zero)
      expect(r.counters.swpout_zero).toBe(zero)
      expect(r.counters.stored_pages).toBe(r.storedPages - zero) // zero-mapped pages are not in zswap
    }
    expect(zs).toMatchObject({ incompressiblePages: random, diskPages: 0, storedPages: 512 })
    expect(zb).toMatchObject({ incompressiblePages: 0, diskPages: random, storedPages: 512 - random })
    // the same pages take 4096 bytes each either way: in the pool as-is, or on disk
    const other = 512 - zero - random
    for (const r of [zs, zb]) {
      const sameFilled = r.compressedBytes - r.incompressiblePages * PAGE_SIZE
      expect(sameFilled).toBeLessThan(other * 64)
      expect(r.ratio).toBeCloseTo((512 * PAGE_SIZE) / (sameFilled + random * PAGE_SIZE), 9)
    }
    expect(zs.ratio).toBeCloseTo(zb.ratio, 1)
    const table = formatTable(report)
    const line = table.split('\n').find((l) => l.includes('lz4+zsmalloc'))!
    expect(line).toContain(` ${zero} `)
    expect(line).toContain(` ${random} `)
  })
})

describe('under pressure', () => {
  it('pages written back count as disk pages, 4096 bytes each, like rejected ones', async () => {
    const report = await compareStacks({
      stacks: ['lz4+zsmalloc'],
      workloads: ['pressure(streams=2,limit=0.25)'],
      corpora: [readSample()],
      runs: 1,
      warmup: 0,
      baseline: false,
      scaleObjects: 0,
    })
    const [r] = report.results
    expect(r.integrity.ok).toBe(true)
    const held = r.counters.stored_pages
    expect(r.storedPages).toBe(held + r.zeroPages)
    expect(r.diskPages).toBe(r.pages - r.zeroPages - held)
    // a pool of a quarter of the bytes offered cannot hold what lz4 makes of the sample
    expect(r.diskPages).toBeGreaterThan(r.pages / 4)
    expect(r.pressure!.writtenBack + r.pressure!.rejectedFolios).toBeGreaterThan(0)
    expect(r.ratio).toBeCloseTo((r.pages * PAGE_SIZE) / (r.compressedBytes + r.diskPages * PAGE_SIZE), 9)
    expect(r.effectiveRatio).toBeCloseTo(r.pages / (r.poolPages + r.diskPages), 9)
    expect(r.effectiveRatio).toBeLessThan(1.5)
  })
})
