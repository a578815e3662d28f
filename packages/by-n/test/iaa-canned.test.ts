import { iaa } from '@zswap/iaa'
import { afterAll, describe, expect, it } from 'vitest'
import { byN } from '../src/index.js'
import { compressOne, decompressOne, object, sameBytes } from './helpers.js'

// The RFC's algorithm is deflate-iaa-canned-by_n: by_n over IAA's canned mode. Here that is
// byN over a canned-mode device; the inner device's format names the mode.
describe('by_n over the canned-mode IAA device (the RFC deflate-iaa-canned-by_n)', () => {
  const device = byN(iaa({ engines: 2, compressionMode: 'canned', maxJobBytes: 16384 }), { n: 8 })
  afterAll(() => device.close())

  it('names the canned format and the device', () => {
    expect(device.capabilities.format).toBe('by_n-v1+crc32(deflate-iaa-canned+crc32)')
    expect(device.name).toBe('by8-iaa-deflate-canned')
  })

  it('round-trips a 64 KiB folio, whole and one page alone', async () => {
    const folio = object(16, 3)
    const block = await compressOne(device, folio)
    expect(block).toBeDefined()
    const whole = await decompressOne(device, block as Uint8Array, folio.length)
    expect(whole.error).toBeUndefined()
    expect(sameBytes(whole.data, folio)).toBe(true)
    const page = await decompressOne(device, block as Uint8Array, 4096, 5 * 4096)
    expect(page.error).toBeUndefined()
    expect(sameBytes(page.data, folio.subarray(5 * 4096, 6 * 4096))).toBe(true)
  })
})
