import * as zlib from 'node:zlib'

// CRC-32 (ISO-HDLC: the zlib, gzip and PNG CRC, and the one Intel IAA reports
// in its completion record): Node's native zlib.crc32 where it exists (Node ≥
// 20.15, several GB/s), a table version with the same output elsewhere.
const native = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32

let table: Int32Array | undefined

/** The table version of {@link crc32} (same output), exported so tests can compare the two. */
export function crc32Table(b: Uint8Array): number {
  if (table === undefined) {
    table = new Int32Array(256)
    for (let n = 0; n < 256; n++) {
      let c = n
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
      table[n] = c
    }
  }
  let c = -1
  for (let i = 0; i < b.length; i++) c = table[(c ^ b[i]) & 0xff] ^ (c >>> 8)
  return (c ^ -1) >>> 0
}

/**
 * CRC-32 of all of `b` (ISO-HDLC, as `zlib.crc32`), as an unsigned 32-bit
 * integer. Drivers use it for the checksum trailers of their wire formats.
 */
export const crc32: (b: Uint8Array) => number = native === undefined ? crc32Table : (b) => native(b) >>> 0
