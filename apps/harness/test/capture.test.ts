import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PAGE_SIZE } from '@zswap/core'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { capture, isAnonymousPrivate, parseMaps } from '../src/capture/capture.js'
import { captureSelfTest, SELF_TEST_PAGES } from '../src/capture/self-test.js'
import { loadCorpus } from '../src/corpus.js'
import { cliPath, ensureBuilt, node } from './helpers.js'

const MAPS = `00010000-00014000 rw-p 00000000 00:00 0
00020000-00022000 r--p 00000000 fd:00 1234                       /usr/lib/libc.so.6
00030000-00032000 rw-p 00000000 00:00 0                          [heap]
00040000-00041000 rw-p 00000000 00:00 0                          [stack]
00050000-00051000 r-xp 00000000 00:00 0                          [vdso]
00060000-00062000 rw-p 00000000 00:00 0
00070000-00071000 rw-s 00000000 00:01 99                         /dev/zero (deleted)
`

describe('which mappings a capture reads', () => {
  it('parses /proc/N/maps and keeps private writable anonymous memory and the heap', () => {
    const maps = parseMaps(MAPS)
    expect(maps).toHaveLength(7)
    expect(maps[1]).toEqual({
      start: 0x20000,
      end: 0x22000,
      perms: 'r--p',
      inode: 1234,
      path: '/usr/lib/libc.so.6',
    })
    expect(maps.filter(isAnonymousPrivate).map((m) => m.start)).toEqual([0x10000, 0x30000, 0x60000])
  })
})

describe('capture on a fake /proc', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'capture-'))
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  /** A process 42 whose memory file holds `fill(address)` per page up to `memEnd`, pagemap per `present`. */
  function fakeProc(memEnd: number, present: (page: number) => boolean) {
    const p = join(dir, '42')
    mkdirSync(p)
    writeFileSync(join(p, 'maps'), MAPS)
    const mem = openSync(join(p, 'mem'), 'w')
    for (let a = 0; a < memEnd; a += PAGE_SIZE) {
      const page = new Uint8Array(PAGE_SIZE)
      if (a !== 0x11000) page.fill((a >> 12) & 0xff) // page 0x11000 is zeros
      writeSync(mem, page, 0, PAGE_SIZE, a)
    }
    closeSync(mem)
    const pagemap = new BigUint64Array(0x80)
    for (let i = 0; i < pagemap.length; i++) if (present(i)) pagemap[i] = 1n << 63n
    writeFileSync(join(p, 'pagemap'), pagemap)
  }

  it('writes present pages of the kept mappings in address order, counts zero and left-out pages', async () => {
    fakeProc(0x62000, (i) => i !== 0x12) // page 0x12000 never touched
    const out = join(dir, 'app.pages.zst')
    const progress: number[] = []
    const s = await capture({ pid: 42, out, proc: dir, onProgress: (d) => progress.push(d) })
    expect(s).toEqual({ mappings: 3, pages: 7, zeroPages: 1, skippedPages: 1, unreadableRanges: 0 })
    const corpus = await loadCorpus(out)
    const firstBytes = Array.from({ length: corpus.pages }, (_, i) => corpus.data[i * PAGE_SIZE])
    expect(firstBytes).toEqual([0x10, 0, 0x13, 0x30, 0x31, 0x60, 0x61])
    expect(progress.at(-1)).toBe(8)
  })

  it('skips ranges /proc/N/mem will not read, and stops at maxPages', async () => {
    fakeProc(0x31000, () => true) // the memory file ends inside [heap]
    const out = join(dir, 'app.pages')
    const s = await capture({ pid: 42, out, proc: dir })
    expect(s).toMatchObject({ pages: 5, skippedPages: 3, unreadableRanges: 2 })
    const capped = await capture({ pid: 42, out, proc: dir, maxPages: 2 })
    expect(capped.pages).toBe(2)
    expect((await loadCorpus(out)).pages).toBe(2)
  })
})

describe('capture of a real process', () => {
  beforeAll(() => ensureBuilt())

  it('the self-test finds every known page of its child, whole and in order', async () => {
    const r = await captureSelfTest()
    expect(r.found).toBe(SELF_TEST_PAGES)
    expect(r.inOrder).toBe(true)
    expect(r.ok).toBe(true)
    expect(r.summary.pages).toBeGreaterThan(SELF_TEST_PAGES)
  }, 120_000)

  it('the CLI: --self-test passes; a process that does not exist or a bad --out is exit 2', () => {
    const ok = node(cliPath, ['capture', '--self-test'])
    expect(ok.stdout).toMatch(/64\/64 known pages found whole, in address order: ok/)
    expect(ok.code).toBe(0)
    const gone = node(cliPath, ['capture', '--pid', String(2 ** 30), '--out', join(tmpdir(), 'x.pages.zst')])
    expect(gone.stderr).toContain(`no process ${2 ** 30}`)
    expect(gone.code).toBe(2)
    const bad = node(cliPath, ['capture', '--pid', '1', '--out', 'x.bin'])
    expect(bad.stderr).toContain('--out must end in .pages or .pages.zst')
    expect(bad.code).toBe(2)
  }, 120_000)
})
