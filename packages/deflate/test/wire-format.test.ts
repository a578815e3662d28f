import { createHash } from 'node:crypto'
import { samplePages, structPage, textPage } from '@zswap/conformance'
import { describe, expect, it } from 'vitest'
import { deflate } from '../src/index.js'
import { libdeflate } from './engines.js'

const PAGE = 4096

/**
 * SHA-256 of the blocks libdeflate writes for {@link pages} at levels 1, 6
 * and 9 (with the CRC-32 trailer) and at level 1 without it, per libdeflate
 * version, recorded with the addon built from source before the package
 * shipped prebuilt binaries. The prebuilt addon must write exactly these
 * bytes: the wire format and the compressed blocks do not change.
 */
const EXPECTED: Record<string, Record<'1' | '6' | '9' | 'plain1', string>> = {
  '1.14': {
    '1': '2389b16f5b3273e6cf3f8264da0b7074c2762480acabc4e05f9ea997a3912268',
    '6': '75fa9adefbb951126865f3e6834f420a3d47c3bbd836aef6d2940d88cce7803c',
    '9': 'fd2d1eda62abcea6cc9b09b154958951831f1fea3bd55fb90be4f98cc8ee9dff',
    plain1: '172befe5b42771684c5f66ba886e5e4e1138266d23329e21e1bf27bb0755395c',
  },
}

/** The bundled corpus pages, then synthetic text and struct pages. */
function pages(): Uint8Array[] {
  return [
    ...samplePages().map((p) => p.data),
    ...Array.from({ length: 8 }, (_, i) => textPage(100 + i)),
    ...Array.from({ length: 8 }, (_, i) => structPage(200 + i)),
  ]
}

function digest(level: number, checksum: boolean): string {
  const c = deflate({ engine: 'libdeflate', level, checksum })
  const hash = createHash('sha256')
  for (const page of pages()) {
    const dst = new Uint8Array(2 * PAGE)
    hash.update(dst.subarray(0, c.compress(page, dst)))
  }
  return hash.digest('hex')
}

const expected =
  libdeflate.libdeflateVersion === undefined ? undefined : EXPECTED[libdeflate.libdeflateVersion]

describe.runIf(expected !== undefined)(`libdeflate ${libdeflate.libdeflateVersion} blocks`, () => {
  it('are the same bytes as before the prebuilt addon, at levels 1, 6, 9 and without the checksum', () => {
    expect({ 1: digest(1, true), 6: digest(6, true), 9: digest(9, true), plain1: digest(1, false) }).toEqual(
      expected,
    )
  })
})
