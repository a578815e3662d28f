import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { loadAddon } from '../src/addon.js'
import { liblzo2Status, lzo } from '../src/index.js'
import { heapPage, PAGE, samples, textPage } from './pages.js'

/**
 * SHA-256 of the blocks liblzo2 writes for {@link pages}, per liblzo2 version,
 * recorded with the addon built from source before the package shipped
 * prebuilt binaries (CRC-32 by ISA-L). The prebuilt addon, with whichever
 * CRC-32 kernel it finds, must write exactly these bytes: the wire format and
 * the compressed streams do not change.
 */
const EXPECTED: Record<string, { checksum: string; plain: string }> = {
  '2.10': {
    checksum: '936ec105ad5729ae2ed8365b84d4dbc3612161119a509ac39060c19073012c87',
    plain: '54a9248c2606cd8ca02afe4846cbad0959b0b24795034fe1684448e898601fb7',
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

const status = liblzo2Status()
const expected = status.lzoVersion === undefined ? undefined : EXPECTED[status.lzoVersion]

describe.runIf(expected !== undefined)(`liblzo2 ${status.lzoVersion} streams`, () => {
  const want = expected as { checksum: string; plain: string }

  it('are the same bytes as before the prebuilt addon, with and without the checksum', () => {
    const withCrc = lzo()
    const plain = lzo({ checksum: false })
    expect(digest((s, d) => withCrc.compress(s, d))).toBe(want.checksum)
    expect(digest((s, d) => plain.compress(s, d))).toBe(want.plain)
  })

  it('are the same whichever CRC-32 kernel runs (ISA-L kept out with ZSWAP_LZO_ISAL=0)', () => {
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
      env: { ...process.env, ZSWAP_LZO_ISAL: '0' },
      encoding: 'utf8',
    })
    expect(run.stderr).toBe('')
    const { crc, digest: got } = JSON.parse(run.stdout) as { crc: string; digest: string }
    expect(crc).not.toBe('isa-l')
    expect(got).toBe(want.checksum)
  })
})
