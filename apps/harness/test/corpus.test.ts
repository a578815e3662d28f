import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ErrorCode, PAGE_SIZE, ZswapError } from '@zswap/core'
import { afterAll, describe, expect, it } from 'vitest'
import { compress } from 'zstd-napi'
import { corpusFromBytes, readCorpus, readSample, samplePath } from '../src/corpus.js'
import { root } from './helpers.js'

const dir = mkdtempSync(join(tmpdir(), 'harness-corpus-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function pages(n: number): Uint8Array {
  const data = new Uint8Array(n * PAGE_SIZE)
  for (let i = 0; i < data.length; i++) data[i] = (i * 7 + (i >> 12)) & 0xff
  return data
}

function expectInvalid(fn: () => unknown, pattern: RegExp) {
  try {
    fn()
  } catch (error) {
    expect(ZswapError.hasCode(error, ErrorCode.INVALID_ARGUMENT)).toBe(true)
    expect((error as Error).message).toMatch(/^\[zswap-harness\]/)
    expect((error as Error).message).toMatch(pattern)
    return
  }
  throw new Error('expected an InvalidArgumentError')
}

describe('readCorpus', () => {
  it('reads raw .pages files page by page', () => {
    const data = pages(3)
    const path = join(dir, 'three.pages')
    writeFileSync(path, data)
    const corpus = readCorpus(path)
    expect(corpus.name).toBe('three')
    expect(corpus.pages).toBe(3)
    expect(Buffer.compare(corpus.data, data)).toBe(0)
  })

  it('decompresses .pages.zst files', () => {
    const data = pages(5)
    const path = join(dir, 'five.pages.zst')
    writeFileSync(path, compress(data))
    const corpus = readCorpus(path)
    expect(corpus.name).toBe('five')
    expect(corpus.pages).toBe(5)
    expect(Buffer.compare(corpus.data, data)).toBe(0)
  })

  it('rejects a raw file whose size is not a multiple of 4096', () => {
    const path = join(dir, 'odd.pages')
    writeFileSync(path, new Uint8Array(PAGE_SIZE + 100))
    expectInvalid(() => readCorpus(path), /4196 bytes, not a multiple of the 4096-byte page size/)
  })

  it('rejects a .zst file whose decompressed size is not a multiple of 4096', () => {
    const path = join(dir, 'odd.pages.zst')
    writeFileSync(path, compress(new Uint8Array(3 * PAGE_SIZE - 1)))
    expectInvalid(() => readCorpus(path), /12287 bytes once decompressed, not a multiple/)
  })

  it('rejects empty, missing and non-zstd files', () => {
    const empty = join(dir, 'empty.pages')
    writeFileSync(empty, new Uint8Array(0))
    expectInvalid(() => readCorpus(empty), /holds no pages/)
    expectInvalid(() => readCorpus(join(dir, 'missing.pages')), /cannot read corpus .*missing\.pages/)
    const bogus = join(dir, 'bogus.pages.zst')
    writeFileSync(bogus, pages(1))
    expectInvalid(() => readCorpus(bogus), /not a valid zstd file/)
  })

  it('corpusFromBytes checks sizes too', () => {
    expectInvalid(() => corpusFromBytes(new Uint8Array(10), 'x.pages'), /10 bytes/)
    expect(corpusFromBytes(new Uint8Array(2 * PAGE_SIZE), 'dir/x.pages').pages).toBe(2)
  })
})

describe('bundled sample', () => {
  it('ships inside the package, at most 2 MiB, with the sha256 its README states', () => {
    expect(samplePath()).toBe(join(root, 'data', 'sample.pages.zst'))
    expect(statSync(samplePath()).size).toBeLessThanOrEqual(2 * 1024 * 1024)
    const corpus = readSample()
    expect(corpus.pages).toBe(1536)
    const readme = readFileSync(join(root, 'data', 'README.md'), 'utf8')
    const sha = createHash('sha256').update(corpus.data).digest('hex')
    expect(readme).toContain(`sha256 of \`sample.pages\` (uncompressed): \`${sha}\``)
    const zsha = createHash('sha256').update(readFileSync(samplePath())).digest('hex')
    expect(readme).toContain(`sha256 of \`sample.pages.zst\`: \`${zsha}\``)
  })
})
