import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { lzo } from '../src/index.js'
import { liblzo2 } from './backends.js'
import { heapPage, PAGE, randomPage, textPage } from './pages.js'

const hasLzop = spawnSync('lzop', ['-V']).error === undefined

/**
 * The LZO1X blocks of an .lzo file (lzop's format: a header, then per block
 * u32be uncompressed size, u32be compressed size, [checksums], data; a block
 * that did not shrink is stored as is). Only what `lzop -F` writes.
 */
function lzopBlocks(file: Uint8Array): { size: number; data: Uint8Array }[] {
  const v = new DataView(file.buffer, file.byteOffset, file.byteLength)
  let at = 9 // magic
  const version = v.getUint16(at)
  at += 4 // version, library version
  if (version >= 0x0940) at += 2 // version needed to extract
  expect(file[at]).toBe(2) // method M_LZO1X_1_15: liblzo2's lzo1x_1_15_compress, the driver's
  at += version >= 0x0940 ? 2 : 1 // method, level
  const flags = v.getUint32(at)
  at += 4
  expect(flags & 0x303).toBe(0) // -F: no block checksums
  if (flags & 0x800) at += 4 // filter
  at += 8 // mode, mtime low
  if (version >= 0x0940) at += 4 // mtime high
  at += 1 + file[at] + 4 // name, header checksum
  const blocks: { size: number; data: Uint8Array }[] = []
  for (;;) {
    const size = v.getUint32(at)
    if (size === 0) return blocks
    const packed = v.getUint32(at + 4)
    blocks.push({ size, data: file.subarray(at + 8, at + 8 + packed) })
    at += 8 + packed
  }
}

const dir = mkdtempSync(join(tmpdir(), 'zswap-lzo-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe.runIf(liblzo2.available && hasLzop)('against lzop (LZO1X-1 from the same library)', () => {
  it('lzop -1 writes, block for block, the stream lzo({ checksum: false }) writes', () => {
    // 300 KiB: one full 256 KiB lzop block and a shorter one, text, heap and random pages
    const pages = 75
    const data = new Uint8Array(pages * PAGE)
    for (let i = 0; i < pages; i++) data.set([textPage, heapPage, randomPage][i % 3](30 + i), i * PAGE)
    const file = join(dir, 'data')
    writeFileSync(file, data)
    const r = spawnSync('lzop', ['-1', '-F', '-f', '-q', '-o', `${file}.lzo`, file])
    expect(r.status, String(r.stderr)).toBe(0)
    const blocks = lzopBlocks(new Uint8Array(readFileSync(`${file}.lzo`)))
    expect(blocks.map((b) => b.size)).toEqual([256 * 1024, 44 * 1024])
    const c = lzo({ checksum: false })
    let at = 0
    for (const block of blocks) {
      const input = data.subarray(at, at + block.size)
      const dst = new Uint8Array(2 * block.size)
      const n = c.compress(input, dst)
      expect(block.data.length).toBeLessThan(block.size) // compressed, not stored
      expect(Buffer.from(dst.subarray(0, n)).equals(Buffer.from(block.data))).toBe(true)
      const out = new Uint8Array(block.size)
      expect(c.decompress(block.data, out)).toBe(block.size)
      expect(Buffer.from(out).equals(Buffer.from(input))).toBe(true)
      at += block.size
    }
  })
})
