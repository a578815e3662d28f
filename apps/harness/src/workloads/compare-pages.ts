import { PAGE_SIZE } from '@zswap/core'
import type { Mismatch } from './measurement.js'

/**
 * Compares pages `first .. first + count - 1` of `loaded` with `stored`
 * (both whole corpora); returns the number of differing pages and the first one.
 */
export function comparePages(
  stored: Uint8Array,
  loaded: Uint8Array,
  first: number,
  count: number,
): { bad: number; first?: Mismatch } {
  const a = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength)
  const b = Buffer.from(loaded.buffer, loaded.byteOffset, loaded.byteLength)
  let bad = 0
  let mismatch: Mismatch | undefined
  for (let p = first; p < first + count; p++) {
    const s = p * PAGE_SIZE
    if (a.compare(b, s, s + PAGE_SIZE, s, s + PAGE_SIZE) === 0) continue
    bad++
    if (mismatch === undefined) {
      let i = s
      while (a[i] === b[i]) i++
      mismatch = { page: p, byte: i }
    }
  }
  return mismatch === undefined ? { bad } : { bad, first: mismatch }
}
