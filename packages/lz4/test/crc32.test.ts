import { crc32 as zlibCrc32 } from 'node:zlib'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { crc32, crc32Table } from '../src/crc32.js'

const enc = (s: string) => new TextEncoder().encode(s)

describe('crc32', () => {
  it('matches the IEEE check values', () => {
    for (const f of [crc32, crc32Table]) {
      expect(f(enc(''))).toBe(0)
      expect(f(enc('a'))).toBe(0xe8b7be43)
      expect(f(enc('123456789'))).toBe(0xcbf43926)
    }
  })

  it('the table version agrees with zlib on any bytes and any view offset', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.nat(7), (bytes, skip) => {
        const view = bytes.subarray(Math.min(skip, bytes.length))
        expect(crc32Table(view)).toBe(zlibCrc32(view) >>> 0)
        expect(crc32(view)).toBe(crc32Table(view))
      }),
    )
  })
})
