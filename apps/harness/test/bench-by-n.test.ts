import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PAGE_SIZE } from '@zswap/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readSample } from '../src/corpus.js'
import { benchPath, ensureBuilt, node } from './helpers.js'

const dir = mkdtempSync(join(tmpdir(), 'harness-by-n-'))
beforeAll(ensureBuilt)
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('bench by-n', () => {
  it('--json reports the n = 1..64 curve, partialVsWhole and the object-size figures', () => {
    writeFileSync(join(dir, 'mini.pages'), readSample().data.subarray(0, 64 * PAGE_SIZE))
    const r = node(benchPath, ['by-n', '--json', '--runs', '1', '--objects', '2', '--corpus-dir', dir])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const doc = JSON.parse(r.stdout)
    expect(doc.rows.map((row: { n: number }) => row.n)).toEqual([1, 2, 4, 8, 16, 32, 64])
    for (const row of doc.rows) {
      for (const key of ['compressUsP50', 'compressUsP99', 'decompressUsP50', 'ratio', 'compressCpuUs']) {
        expect(row[key], `n ${row.n} ${key}`).toBeGreaterThan(0)
      }
    }
    expect(doc.partialVsWhole).toBeGreaterThan(0)
    expect(Object.keys(doc.objectBytes64kVs4k).sort()).toEqual(['lz4', 'zstd-1'])
    expect(doc.objectSize.map((row: { objectBytes: number }) => row.objectBytes)).toContain(65536)
    expect(doc.corpora).toEqual(['mini'])
  })

  it('rejects a bad --runs with exit code 2', () => {
    const r = node(benchPath, ['by-n', '--runs', '0'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/--runs must be a positive integer/)
  })
})
