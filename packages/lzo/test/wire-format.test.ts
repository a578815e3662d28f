import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { loadAddon } from '../src/addon.js'
import { liblzo2Status, lzo, lzoRle } from '../src/index.js'
import { heapPage, PAGE, samples, textPage } from './pages.js'

/**
 * SHA-256 of the blocks the driver writes for {@link pages}, per liblzo2
 * version: `lzo` (liblzo2's lzo1x_1_15_compress, the kernel's bytes) and
 * `lzo-rle` (the package's own coder), with and without the checksum. The
 * prebuilt addon, with whichever CRC-32 kernel it finds, must write exactly
 * these bytes: the wire format and the compressed streams do not change.
 * `lzo1x_1` is what liblzo2's lzo1x_1_compress wrote for the same pages
 * (recorded before the driver moved to lzo1x_1_15, the kernel's dictionary
 * size): the package's kernel-format coder with liblzo2's 14-bit dictionary
 * must still write it.
 */
const EXPECTED: Record<
  string,
  { checksum: string; plain: string; rleChecksum: string; rle: string; lzo1x_1: string }
> = {
  '2.10': {
    checksum: 'dd7e32fe29a8da459507ace65f5a7ff404fd404890e5b2c52aedc9362ee58873',
    plain: '1c05a4c402e59c9c0deed0f70c7f948f1300560cfb294eb1f0fb9fb73bc6b9c0',
    rleChecksum: '3fec57aa756753a39afc48bf7900a8d8d5a1412b4b527d02d475b0abb89d63b6',
    rle: '0cf3fe0662e0fabe35a2a2fcf1c32ec4cd76c0214a55793e7a52550bf355654d',
    lzo1x_1: '54a9248c2606cd8ca02afe4846cbad0959b0b24795034fe1684448e898601fb7',
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
  const want = expected as NonNullable<typeof expected>

  it('are the recorded bytes, lzo and lzo-rle, with and without the checksum', () => {
    const withCrc = lzo()
    const plain = lzo({ checksum: false })
    expect(digest((s, d) => withCrc.compress(s, d))).toBe(want.checksum)
    expect(digest((s, d) => plain.compress(s, d))).toBe(want.plain)
    const rleCrc = lzoRle()
    const rle = lzoRle({ checksum: false })
    expect(digest((s, d) => rleCrc.compress(s, d))).toBe(want.rleChecksum)
    expect(digest((s, d) => rle.compress(s, d))).toBe(want.rle)
  })

  it("the kernel-format coder writes lzo's bytes with 13 bits and liblzo2's lzo1x_1 bytes with 14", () => {
    const addon = loadAddon().addon as NonNullable<ReturnType<typeof loadAddon>['addon']>
    expect(digest((s, d) => addon.kernelCompress(s, d, 0, 13))).toBe(want.plain)
    expect(digest((s, d) => addon.kernelCompress(s, d, 0, 14))).toBe(want.lzo1x_1)
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
