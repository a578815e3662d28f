import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { loadAddon } from '../src/addon.js'
import { lz4 } from '../src/index.js'
import { liblz4 } from './backends.js'
import { heapPage, PAGE, samples, textPage } from './pages.js'

/**
 * SHA-256 of the blocks liblz4 writes for {@link pages}, per liblz4 version,
 * recorded with the addon built from source before the package shipped
 * prebuilt binaries (CRC-32 by ISA-L). The prebuilt addon, with whichever
 * CRC-32 kernel it finds, must write exactly these bytes: the wire format and
 * the compressed blocks do not change.
 */
const EXPECTED: Record<string, { checksum: string; plain: string }> = {
  '1.9.4': {
    checksum: '0b7ecae4b0a4de4f8213aa5b84a8e353af5583f8304c40707b02a81e816140dc',
    plain: '0758356593f8d414bebded007ee1f1d819df50725b7000a07cda53654593ac82',
  },
}

function pages(): Uint8Array[] {
  return [
    ...samples.map(([, page]) => page()),
    ...Array.from({ length: 8 }, (_, i) => textPage(100 + i)),
    ...Array.from({ length: 8 }, (_, i) => heapPage(200 + i)),
  ]
}

function digest(compress: (src: Uint8Array, dst: Uint8Array) => number): string {
  const hash = createHash('sha256')
  for (const page of pages()) {
    const dst = new Uint8Array(2 * PAGE)
    hash.update(dst.subarray(0, compress(page, dst)))
  }
  return hash.digest('hex')
}

const expected = liblz4.lz4Version === undefined ? undefined : EXPECTED[liblz4.lz4Version]

describe.runIf(expected !== undefined)(`liblz4 ${liblz4.lz4Version} blocks`, () => {
  const want = expected as { checksum: string; plain: string }

  it('are the same bytes as before the prebuilt addon, with and without the checksum', () => {
    const withCrc = lz4({ backend: 'liblz4' })
    const plain = lz4({ backend: 'liblz4', checksum: false })
    expect(digest((s, d) => withCrc.compress(s, d))).toBe(want.checksum)
    expect(digest((s, d) => plain.compress(s, d))).toBe(want.plain)
  })

  it('are the same whichever CRC-32 kernel runs (ISA-L kept out with ZSWAP_LZ4_ISAL=0)', () => {
    const child = `
      const { createHash } = require('node:crypto')
      const addon = require(${JSON.stringify(loadAddon().path)})
      const input = require('node:fs').readFileSync(0)
      const hash = createHash('sha256')
      for (let off = 0; off < input.length; off += ${PAGE}) {
        const dst = new Uint8Array(${2 * PAGE})
        hash.update(dst.subarray(0, addon.compressChecksum(input.subarray(off, off + ${PAGE}), dst)))
      }
      process.stdout.write(JSON.stringify({ crc: addon.crc32Implementation, digest: hash.digest('hex') }))
    `
    const run = spawnSync(process.execPath, ['-e', child], {
      input: Buffer.concat(pages()),
      env: { ...process.env, ZSWAP_LZ4_ISAL: '0' },
      encoding: 'utf8',
    })
    expect(run.stderr).toBe('')
    const { crc, digest: got } = JSON.parse(run.stdout) as { crc: string; digest: string }
    expect(crc).not.toBe('isa-l')
    expect(got).toBe(want.checksum)
  })
})
