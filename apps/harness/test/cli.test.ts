import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PAGE_SIZE } from '@zswap/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readSample } from '../src/corpus.js'
import { benchPath, cliPath, ensureBuilt, node } from './helpers.js'

const dir = mkdtempSync(join(tmpdir(), 'harness-cli-'))
beforeAll(ensureBuilt)
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('zswap-harness CLI', () => {
  it('with no arguments runs lz4+zbud on the bundled sample and prints a table', () => {
    const r = node(cliPath, [])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    for (const row of [
      'lz4+zbud',
      'pages',
      '1,536',
      'compression ratio',
      'store MB/s',
      'load p50 / p99 µs',
    ]) {
      expect(r.stdout).toContain(row)
    }
    expect(r.stdout).toMatch(/integrity\s+│\s+ok/)
    expect(r.stdout).toMatch(/reject_compress_poor/)
    expect(r.stdout).not.toMatch(/pool_limit_hit/) // zero counters are left out
  })

  it('--json prints one document with the run shape', () => {
    const r = node(cliPath, ['--json', '--folio-order', '1', '--runs', '2'])
    expect(r.code).toBe(0)
    const doc = JSON.parse(r.stdout)
    expect(Object.keys(doc)).toEqual(['runs'])
    expect(doc.runs).toHaveLength(2)
    for (const run of doc.runs) {
      expect(run).toMatchObject({ stack: 'lz4+zbud', pages: 1536, integrity: 'ok', folioOrder: 1 })
      expect(run.ratio).toBeGreaterThan(1)
      expect(run.store.MBps).toBeGreaterThan(0)
      expect(run.load.p99Us).toBeGreaterThan(0)
      // zswpout counts folios of 8 KiB (order 1), cumulative: the same after the loads.
      expect(run.statsAfterStore.zswpout['8K']).toBe(run.storedPages / 2)
      expect(run.stats.zswpout['8K']).toBe(run.storedPages / 2)
      expect(run.stats.stored_pages).toBe(0)
    }
  })

  it('reads --corpus files', () => {
    const path = join(dir, 'small.pages')
    writeFileSync(path, readSample().data.subarray(0, 32 * PAGE_SIZE))
    const doc = JSON.parse(node(cliPath, ['--corpus', path, '--json']).stdout)
    expect(doc.runs[0]).toMatchObject({ corpus: 'small', pages: 32, integrity: 'ok' })
  })

  it('exits non-zero when a loaded page differs from the stored page', () => {
    const r = node(cliPath, ['--inject-fault', 'flip', '--json'])
    expect(r.code).toBe(1)
    expect(JSON.parse(r.stdout).runs[0].integrity).toBe('failed')
    expect(r.stderr).toMatch(/integrity check failed/)
    expect(r.stderr).toMatch(/loaded pages differ from the stored pages/)
  })

  it('exits non-zero when a stored page fails to load', () => {
    const r = node(cliPath, ['--inject-fault', 'corrupt'])
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(/FAILED/)
    expect(r.stderr).toMatch(/stored folios failed to load/)
  })

  it('reports usage mistakes with exit code 2', () => {
    const cases: [string[], RegExp][] = [
      [['--folio-order', '10'], /--folio-order must be an integer in 0\.\.9/],
      [['--compressor', 'snappy'], /--compressor must be one of lz4, zstd, deflate/],
      [['--runs', '0'], /--runs must be/],
      [['--corpus', join(dir, 'nope.pages')], /cannot read corpus/],
      [['--bogus'], /Unknown option/],
    ]
    for (const [args, message] of cases) {
      const r = node(cliPath, args)
      expect(r.code, args.join(' ')).toBe(2)
      expect(r.stderr).toMatch(message)
    }
  })
})

describe('bench runner', () => {
  it('lists the bench modules with no name, and exits 1 on an unknown one', () => {
    const list = node(benchPath, [])
    expect(list.code).toBe(0)
    expect(list.stdout).toMatch(/available benches: .*cache/)
    expect(list.stdout).not.toMatch(/util/)
    const unknown = node(benchPath, ['nope'])
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toMatch(/unknown bench "nope"/)
    expect(node(benchPath, ['../cli']).code).toBe(1)
  })

  it('bench cache --json reports the ratios per corpus and overall', () => {
    writeFileSync(join(dir, 'mini.pages'), readSample().data.subarray(0, 128 * PAGE_SIZE))
    const r = node(benchPath, ['cache', '--json', '--runs', '1', '--corpus-dir', dir])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const doc = JSON.parse(r.stdout)
    for (const key of ['storeVsRaw', 'loadVsRaw', 'bytesPerEntry', 'driverStoreVsRaw', 'driverLoadVsRaw']) {
      expect(doc[key]).toBeGreaterThan(0)
    }
    expect(Object.keys(doc.cpu).sort()).toEqual([
      'driverLoadVsRaw',
      'driverStoreVsRaw',
      'loadVsRaw',
      'storeVsRaw',
    ])
    // against native lz4 when its CLI is installed, else null
    for (const key of ['storeVsNative', 'loadVsNative']) {
      expect(doc[key] === null || doc[key] > 0).toBe(true)
    }
    expect(doc.stack).toBe('lz4+zsmalloc')
    expect(['liblz4', 'lz4-napi']).toContain(doc.backend)
    expect(doc.runs).toBe(1)
    expect(doc.corpora.map((c: { name: string }) => c.name)).toContain('mini')
    const mini = doc.corpora.find((c: { name: string }) => c.name === 'mini')
    expect(mini.pages).toBe(128)
    expect(mini.storedPages).toBeGreaterThan(0)
    expect(mini.storedPages).toBeLessThanOrEqual(128)
    for (const key of ['rawStoreMBps', 'driverStoreMBps', 'cacheStoreMBps', 'rawLoadMBps', 'cacheLoadMBps']) {
      expect(mini[key]).toBeGreaterThan(0)
    }
  })

  it('bench cache rejects bad flags', () => {
    expect(node(benchPath, ['cache', '--runs', 'x']).code).toBe(2)
    expect(node(benchPath, ['cache', '--wat']).code).toBe(2)
  })
})
