/**
 * Writes deflate's LSB-first bit stream into a caller's buffer. Codes come in already
 * bit-reversed (see canonicalCodes). At most 16 bits per call; the caller checks room.
 */
export class BitWriter {
  buf: Uint8Array
  /** Next byte to write. */
  pos = 0
  /** Bits waiting in `acc` (0..7 between calls). */
  count = 0
  acc = 0

  constructor(buf: Uint8Array) {
    this.buf = buf
  }

  reset(buf: Uint8Array): void {
    this.buf = buf
    this.pos = 0
    this.count = 0
    this.acc = 0
  }

  put(bits: number, len: number): void {
    this.acc |= bits << this.count
    this.count += len
    while (this.count >= 8) {
      this.buf[this.pos++] = this.acc
      this.acc >>>= 8
      this.count -= 8
    }
  }

  /** Bits written so far. */
  get bitLength(): number {
    return this.pos * 8 + this.count
  }

  /** Writes the last partial byte (zero padded); returns the bytes written. */
  flush(): number {
    if (this.count > 0) {
      this.buf[this.pos++] = this.acc
      this.acc = 0
      this.count = 0
    }
    return this.pos
  }
}
