import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PAGE_SIZE } from '@zswap/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readSample } from '../src/corpus.js'
import { benchPath, ensureBuilt, node } from './helpers.js'

const dir = mkdtempSync(join(tmpdir(), 'harness-iaa-modes-'))
beforeAll(ensureBuilt)
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('bench iaa --modes-only', () => {
  it('--json reports modeRatios: each mode, deflate-1, the shape checks and the encoder cost', () => {
    writeFileSync(join(dir, 'mini.pages'), readSample().data.subarray(0, 64 * PAGE_SIZE))
    const r = node(benchPath, [
      'iaa',
      '--json',
      '--modes-only',
      '--runs',
      '1',
      '--pages',
      '16',
      '--corpus-dir',
      dir,
    ])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const m = JSON.parse(r.stdout).modeRatios
    for (const key of ['fixed', 'canned', 'dynamic', 'deflate1']) expect(m[key], key).toBeGreaterThan(1)
    expect(m.corpora.map((c: { name: string }) => c.name)).toEqual(['mini'])
    expect(m.fixedOverDynamic).toBeCloseTo(m.fixed / m.dynamic, 10)
    expect(Object.keys(m.checks).sort()).toEqual(['cannedBetween', 'fixedOverDynamic', 'modesBelowDeflate1'])
    for (const key of ['fixed', 'canned', 'dynamic', 'zlibFixedWb12', 'deflate1', 'fixedVsZlibFixed']) {
      expect(m.encoderUs[key], key).toBeGreaterThan(0)
    }
  })
})
