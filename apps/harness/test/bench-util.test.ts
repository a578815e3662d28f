import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ErrorCode, PAGE_SIZE } from '@zswap/core'
import { afterAll, describe, expect, it } from 'vitest'
import { defaultCorpusDir, findRepoRoot, loadCorpora, median, timeMedian } from '../src/bench/util.js'
import { root } from './helpers.js'

const dir = mkdtempSync(join(tmpdir(), 'harness-util-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('bench util', () => {
  it('median of odd and even lists, without reordering the input', () => {
    const xs = [5, 1, 3]
    expect(median(xs)).toBe(3)
    expect(xs).toEqual([5, 1, 3])
    expect(median([4, 1, 3, 2])).toBe(2.5)
    expect(() => median([])).toThrow(/empty/)
  })

  it('timeMedian runs the function warmup + runs times', async () => {
    let calls = 0
    const ms = await timeMedian(() => calls++, 5, 2)
    expect(calls).toBe(7)
    expect(ms).toBeGreaterThanOrEqual(0)
    await expect(timeMedian(() => 0, 0)).rejects.toMatchObject({ code: ErrorCode.INVALID_ARGUMENT })
  })

  it('finds the repo root and the shared corpus dir next to it', () => {
    const repo = findRepoRoot()
    expect(repo).toBe(join(root, '..', '..'))
    expect(existsSync(join(repo as string, 'pnpm-workspace.yaml'))).toBe(true)
    expect(defaultCorpusDir()).toBe(join(repo as string, '..', 'shared', 'corpus'))
    expect(findRepoRoot('/')).toBeUndefined()
  })

  it('loads every corpus file of a directory, sorted', () => {
    writeFileSync(join(dir, 'b.pages'), new Uint8Array(2 * PAGE_SIZE))
    writeFileSync(join(dir, 'a.pages'), new Uint8Array(PAGE_SIZE))
    writeFileSync(join(dir, 'notes.txt'), 'not a corpus')
    const { corpora, source } = loadCorpora({ dir })
    expect(source).toBe(dir)
    expect(corpora.map((c) => [c.name, c.pages])).toEqual([
      ['a', 1],
      ['b', 2],
    ])
  })

  it('falls back to the bundled sample when the default directory is absent', () => {
    const { corpora, source } = loadCorpora({ defaultDir: join(dir, 'no-shared-corpus') })
    expect(source).toBe('sample')
    expect(corpora.map((c) => [c.name, c.pages])).toEqual([['sample', 1536]])
    expect(() => loadCorpora({ defaultDir: join(dir, 'absent'), fallbackToSample: false })).toThrow(
      /does not exist/,
    )
  })

  it('an explicit missing directory is an error, never the sample', () => {
    expect(() => loadCorpora({ dir: join(dir, 'missing') })).toThrow(/does not exist/)
    const empty = mkdtempSync(join(dir, 'empty-'))
    expect(() => loadCorpora({ dir: empty })).toThrow(/no \*\.pages/)
  })
})
