import { crc32 } from 'node:zlib'

// The by_n object format, version 1; README.md describes it byte by byte.

/** Byte 3 of every by_n object (byte 3 of the RFC's word 0 is always 0). */
export const MAGIC = 0xb7
/** The only version this package writes and reads. */
export const VERSION = 1
/** Flags byte: the object ends with a CRC-32 trailer. */
export const FLAG_CHECKSUM = 0x01
/** Largest n (the RFC's limit). */
export const MAX_N = 64
/** Bit 31 of a chunk word: the chunk is stored raw. */
export const RAW_BIT = 0x80000000
/** Bytes of the CRC-32 trailer. */
export const TRAILER_BYTES = 4

const PKG = '@zswap/by-n'

/** Bytes of the header: word 0 (n, version, flags, magic), the size word, one word per chunk. */
export function headerBytes(n: number): number {
  return 8 + 4 * n
}

/** Uncompressed bytes of chunk `i` of an object of `size` bytes cut into chunks of `chunkSize`. */
export function chunkLength(size: number, chunkSize: number, i: number): number {
  const rest = size - i * chunkSize
  return rest <= 0 ? 0 : rest < chunkSize ? rest : chunkSize
}

export function readU32(b: Uint8Array, o: number): number {
  return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0
}

export function writeU32(b: Uint8Array, o: number, v: number): void {
  b[o] = v
  b[o + 1] = v >>> 8
  b[o + 2] = v >>> 16
  b[o + 3] = v >>> 24
}

/** CRC-32 (IEEE, zlib's) of `b`, unsigned. */
export function checksumOf(b: Uint8Array): number {
  return crc32(b) >>> 0
}

/**
 * A parsed, validated header. One is kept per job slot and reused, so parsing
 * allocates nothing (except the message of an error).
 */
export class ObjectHeader {
  /** Chunks (1..64, a power of two). */
  n = 0
  /** Uncompressed bytes of the object. */
  size = 0
  /** Uncompressed bytes of each chunk but the last ones: ceil(size / n). */
  chunkSize = 0
  /** `offsets[i]`: first byte of chunk i in the object; `offsets[n]`: end of the last chunk. */
  readonly offsets = new Int32Array(MAX_N + 1)
  /** 1 when chunk i is stored raw. */
  readonly raw = new Uint8Array(MAX_N)

  /**
   * Reads and checks the header of `src`, and its CRC-32 trailer when the
   * flags say there is one.
   * @returns undefined, or why `src` is not a valid object (for a CorruptDataError).
   */
  parse(src: Uint8Array, maxSize: number): string | undefined {
    const len = src.length
    if (len < 8) return `[${PKG}] object of ${len} bytes is truncated (no header)`
    if (src[3] !== MAGIC) return `[${PKG}] not a by_n object (byte 3 is ${src[3]}, expected ${MAGIC})`
    if (src[1] !== VERSION) return `[${PKG}] unknown format version ${src[1]} (this package reads ${VERSION})`
    const flags = src[2]
    if ((flags & ~FLAG_CHECKSUM) !== 0) return `[${PKG}] unknown flags 0x${flags.toString(16)}`
    const n = src[0]
    if (n < 1 || n > MAX_N || (n & (n - 1)) !== 0) {
      return `[${PKG}] n = ${n} is not a power of two in 1..${MAX_N}`
    }
    const h = headerBytes(n)
    const end = flags & FLAG_CHECKSUM ? len - TRAILER_BYTES : len
    if (end < h) return `[${PKG}] object of ${len} bytes is shorter than its ${h}-byte header`
    if (flags & FLAG_CHECKSUM && readU32(src, end) !== checksumOf(src.subarray(0, end))) {
      return `[${PKG}] checksum mismatch: the object is corrupt`
    }
    const size = readU32(src, 4)
    if (size < 1 || size > maxSize) return `[${PKG}] object size ${size} is outside 1..${maxSize}`
    const chunkSize = Math.ceil(size / n)
    const offsets = this.offsets
    for (let i = 0; i < n; i++) {
      const word = readU32(src, 8 + 4 * i)
      this.raw[i] = word >>> 31
      offsets[i] = word & 0x7fffffff
      if (offsets[i] > end) return `[${PKG}] chunk ${i} starts at ${offsets[i]}, past the end (${end})`
    }
    offsets[n] = end
    if (offsets[0] !== h) return `[${PKG}] chunk 0 starts at ${offsets[0]}, not after the ${h}-byte header`
    for (let i = 0; i < n; i++) {
      const stored = offsets[i + 1] - offsets[i]
      if (stored < 0) return `[${PKG}] chunk ${i} ends at ${offsets[i + 1]}, before it starts (${offsets[i]})`
      const expected = chunkLength(size, chunkSize, i)
      if (this.raw[i] === 1) {
        if (stored !== expected) return `[${PKG}] raw chunk ${i} holds ${stored} bytes, expected ${expected}`
      } else if (stored < 1 || stored >= expected) {
        return `[${PKG}] compressed chunk ${i} holds ${stored} bytes for ${expected} uncompressed`
      }
    }
    this.n = n
    this.size = size
    this.chunkSize = chunkSize
    return undefined
  }
}
