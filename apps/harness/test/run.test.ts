import { ErrorCode, PAGE_SIZE, ZswapError } from '@zswap/core'
import { describe, expect, it } from 'vitest'
import { corpusFromBytes, readSample } from '../src/corpus.js'
import { faultyCompressor } from '../src/faults.js'
import { flattenStats, formatReport, integrityFailures } from '../src/report.js'
import { runHarness, runWorkload } from '../src/run.js'
import { createCompressor, createStack, createZpool } from '../src/stacks.js'

const sample = readSample()

describe('runWorkload on the bundled sample', () => {
  it('lz4+zbud, order 0: every stored page loads back equal', async () => {
    const r = await runWorkload({
      corpus: sample,
      stack: await createStack({ compressor: 'lz4', zpool: 'zbud' }),
    })
    expect(r.stack).toBe('lz4+zbud')
    expect(r.integrity).toBe('ok')
    expect(r.pages).toBe(1536)
    expect(r.folios).toBe(1536)
    expect(r.mismatchedPages + r.failedLoads + r.unexpectedLoads).toBe(0)
    // The sample has incompressible pages: they are rejected, everything else is stored.
    expect(r.stats.reject_compress_poor).toBe(r.rejectedFolios)
    expect(r.rejectedFolios).toBeGreaterThan(0)
    expect(r.storedPages + r.rejectedFolios).toBe(1536)
    expect(r.statsAfterStore.stored_pages).toBe(r.storedPages)
    expect(r.statsAfterStore.zswpout['4K']).toBe(r.storedPages)
    expect(r.stats.cgroups['/'].zswpin).toBe(r.storedPages)
    expect(r.ratio).toBeGreaterThan(1.5)
    expect(r.poolPages).toBeGreaterThan(0)
    expect(r.poolPages).toBeLessThan(r.storedPages)
    // Exclusive loads free everything.
    expect(r.poolPagesAfterLoad).toBe(0)
    expect(r.stats.stored_pages).toBe(0)
    expect(r.store.MBps).toBeGreaterThan(0)
    expect(r.load.p99Us).toBeGreaterThanOrEqual(r.load.p50Us)
  })

  it('lz4+zbud with folios of order 2: folios are stored whole or not at all, and load back equal', async () => {
    const report = await runHarness({ corpus: sample, folioOrder: 2 })
    const [r] = report.runs
    expect(r.integrity).toBe('ok')
    expect(r.folioOrder).toBe(2)
    expect(r.folios).toBe(384)
    expect(r.storedPages).toBe((r.folios - r.rejectedFolios) * 4)
    expect(r.statsAfterStore.zswpout['16K']).toBe(r.folios - r.rejectedFolios)
    expect(r.rejectedFolios).toBeGreaterThan(0)
    expect(r.unexpectedLoads).toBe(0)
    expect(integrityFailures(report)).toEqual([])
  })

  it('cuts the corpus to whole folios', async () => {
    const corpus = corpusFromBytes(sample.data.subarray(0, 10 * PAGE_SIZE), 'ten.pages')
    const r = await runWorkload({
      corpus,
      stack: await createStack({ compressor: 'lz4', zpool: 'zbud' }),
      folioOrder: 2,
    })
    expect(r.pages).toBe(8)
    expect(r.folios).toBe(2)
  })
})

describe('integrity failures are caught', () => {
  it('a compressor that flips a bit on decompress makes the run fail with mismatched pages', async () => {
    const report = await runHarness({
      corpus: sample,
      createStack: async () => ({
        name: 'lz4!flip+zbud',
        compressor: faultyCompressor(await createCompressor('lz4'), { kind: 'flip', everyNth: 50 }),
        zpool: await createZpool('zbud'),
      }),
    })
    const [r] = report.runs
    expect(r.integrity).toBe('failed')
    expect(r.mismatchedPages).toBe(Math.floor(r.storedPages / 50))
    expect(r.failedLoads).toBe(0)
    const failures = integrityFailures(report)
    expect(failures).toHaveLength(1)
    expect(failures[0]).toMatch(/\d+ loaded pages differ/)
    expect(formatReport(report)).toMatch(/FAILED/)
  })

  it('a decompression error counts as a failed load', async () => {
    const r = await runWorkload({
      corpus: sample,
      stack: {
        name: 'corrupting',
        compressor: faultyCompressor(await createCompressor('lz4'), { kind: 'corrupt', everyNth: 100 }),
        zpool: await createZpool('zbud'),
      },
    })
    expect(r.integrity).toBe('failed')
    expect(r.failedLoads).toBe(Math.floor(r.storedPages / 100))
    expect(r.mismatchedPages).toBe(0)
  })

  it('a load that writes nothing is caught (the load buffer is poisoned first)', async () => {
    const lz4 = await createCompressor('lz4')
    const r = await runWorkload({
      corpus: corpusFromBytes(sample.data.subarray(0, 64 * PAGE_SIZE), 'head.pages'),
      stack: {
        name: 'lazy',
        compressor: {
          specificationVersion: 'v1',
          name: 'lazy',
          capabilities: lz4.capabilities,
          compress: (src, dst) => lz4.compress(src, dst),
          decompress: () => PAGE_SIZE,
        },
        zpool: await createZpool('zbud'),
      },
    })
    expect(r.integrity).toBe('failed')
    expect(r.mismatchedPages).toBe(r.storedPages)
  })
})

describe('options and report', () => {
  it('rejects a bad folio order or run count with option errors', async () => {
    await expect(runHarness({ corpus: sample, folioOrder: 10 })).rejects.toMatchObject({
      code: ErrorCode.INVALID_OPTION,
    })
    await expect(runHarness({ corpus: sample, runs: 0 })).rejects.toBeInstanceOf(RangeError)
  })

  it('rejects unknown driver names', async () => {
    await expect(createCompressor('snappy' as never)).rejects.toMatchObject({
      code: ErrorCode.INVALID_OPTION,
    })
    await expect(createZpool('buddy' as never)).rejects.toThrow(
      /options\.zpool must be one of zbud, zsmalloc, z3fold/,
    )
  })

  it('rejects a corpus smaller than one folio with a typed error', async () => {
    const corpus = corpusFromBytes(sample.data.subarray(0, 2 * PAGE_SIZE), 'two.pages')
    const error = await runWorkload({
      corpus,
      stack: await createStack({ compressor: 'lz4', zpool: 'zbud' }),
      folioOrder: 3,
    }).catch((e: unknown) => e)
    expect(ZswapError.hasCode(error, ErrorCode.INVALID_ARGUMENT)).toBe(true)
  })

  it('runs n times on fresh stacks and reports plain JSON', async () => {
    const report = await runHarness({ corpus: sample, runs: 2 })
    const json = JSON.parse(JSON.stringify(report))
    expect(json.runs).toHaveLength(2)
    for (const r of json.runs) {
      expect(r).toMatchObject({ stack: 'lz4+zbud', pages: 1536, integrity: 'ok' })
      expect(typeof r.ratio).toBe('number')
      for (const p of [r.store, r.load]) {
        expect(Object.keys(p).sort()).toEqual(['MBps', 'p50Us', 'p99Us'])
      }
      expect(r.stats).toMatchObject({ stored_pages: 0, zswpout: { '4K': r.storedPages } })
    }
    expect(json.runs[0].storedPages).toBe(json.runs[1].storedPages)
  })

  it('warm-up runs use fresh stacks and are not reported', async () => {
    const small = corpusFromBytes(sample.data.subarray(0, 64 * PAGE_SIZE), 'small.pages')
    let stacks = 0
    const report = await runHarness({
      corpus: small,
      runs: 2,
      warmup: 2,
      createStack: () => {
        stacks++
        return createStack({ compressor: 'lz4', zpool: 'zbud' })
      },
    })
    expect(stacks).toBe(4)
    expect(report.runs).toHaveLength(2)
    await expect(runHarness({ corpus: small, warmup: -1 })).rejects.toMatchObject({
      code: ErrorCode.INVALID_OPTION,
    })
  })

  it('flattens stats and shows only counters that are not zero', () => {
    const stats = {
      stored_pages: 3,
      pool_limit_hit: 0,
      zswpout: { '4K': 3, '8K': 0 },
      cgroups: { '/': { zswpin: 2 } },
    }
    expect([...flattenStats(stats)]).toEqual([
      ['stored_pages', 3],
      ['pool_limit_hit', 0],
      ['zswpout.4K', 3],
      ['zswpout.8K', 0],
      ['cgroup / zswpin', 2],
    ])
  })
})
