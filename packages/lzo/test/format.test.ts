import { describe, expect, it } from 'vitest'
import { lzo } from '../src/index.js'
import { liblzo2 } from './backends.js'

// Streams built by hand from the LZO1X format description (the kernel's
// Documentation/staging/lzo.rst), as the kernel's `lzo` writes and reads them.
const ascii = (s: string) => [...new TextEncoder().encode(s)]
const END = [0x11, 0x00, 0x00] // M4 copy of distance 16384: end of stream

const streams: [name: string, stream: number[], text: string][] = [
  ['a first literal run (first byte 17 + length)', [17 + 5, ...ascii('hello'), ...END], 'hello'],
  [
    'an M2 copy (3 bytes, distance 3: 0b010 ddd 00, then distance >> 3)',
    [17 + 3, ...ascii('abc'), 0x40 | (2 << 2), 0x00, ...END],
    'abcabc',
  ],
  [
    'an M3 copy (9 bytes, distance 3: 32 | length - 2, then u16le (distance - 1) << 2)',
    [17 + 3, ...ascii('abc'), 32 | 7, (2 << 2) & 0xff, 0x00, ...END],
    'abcabcabcabc',
  ],
  [
    'an M3 copy (6 bytes) with 2 trailing literals in the low bits of its distance',
    [17 + 3, ...ascii('abc'), 32 | 4, (2 << 2) | 2, 0x00, ...ascii('xy'), ...END],
    'abcabcabcxy',
  ],
  [
    'a run of 20 literals after the first byte (0, then length - 18)',
    [17 + 1, ...ascii('q'), 32 | 1, 0x00, 0x00, 0x00, 20 - 18, ...ascii('ABCDEFGHIJKLMNOPQRST'), ...END],
    'qqqqABCDEFGHIJKLMNOPQRST',
  ],
]

describe.runIf(liblzo2.available)('kernel-format LZO1X streams', () => {
  const c = lzo({ checksum: false })

  it.each(streams)('decodes %s', (_, stream, text) => {
    const out = new Uint8Array(64)
    const n = c.decompress(new Uint8Array(stream), out)
    expect(new TextDecoder().decode(out.subarray(0, n))).toBe(text)
  })

  it('writes a short input as one literal run and the end marker, as the kernel does', () => {
    // inputs of up to 20 bytes are never searched for matches (lzo1x_1_compress: `while (l > 20)`)
    const dst = new Uint8Array(64)
    const n = c.compress(new Uint8Array(ascii('hello')), dst)
    expect([...dst.subarray(0, n)]).toEqual([17 + 5, ...ascii('hello'), ...END])
  })
})
