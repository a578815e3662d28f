// The header of a dynamic-Huffman block (RFC 1951 §3.2.7): the code lengths of both
// alphabets, run-length coded, under a code-length code that the header sends first.
import type { BitWriter } from './bit-writer.js'
import { canonicalCodes, type HuffmanBuilder } from './huffman.js'

/** Order in which the code-length code's lengths are sent. */
const CL_ORDER = Uint8Array.of(16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15)

/** Scratch of one header writer; reused, so writing a header allocates nothing. */
export class DynamicHeaderWriter {
  readonly #lengths = new Uint8Array(286 + 30)
  /** Run-length symbols (0..18) and their extra-bit values. */
  readonly #sym = new Uint8Array(286 + 30)
  readonly #extra = new Uint8Array(286 + 30)
  readonly #clFreq = new Uint32Array(19)
  readonly #clLengths = new Uint8Array(19)
  readonly #clCodes = new Uint16Array(19)
  readonly #builder: HuffmanBuilder

  constructor(builder: HuffmanBuilder) {
    this.#builder = builder
  }

  /**
   * Writes BFINAL=1, BTYPE=10 and the header for `hlit` literal/length lengths (257..286) and
   * `hdist` distance lengths (1..30).
   */
  write(w: BitWriter, ll: Uint8Array, hlit: number, d: Uint8Array, hdist: number): void {
    const all = this.#lengths
    all.set(ll.subarray(0, hlit), 0)
    all.set(d.subarray(0, hdist), hlit)
    const total = hlit + hdist
    const sym = this.#sym
    const extra = this.#extra
    const freq = this.#clFreq
    freq.fill(0)
    let runs = 0
    for (let i = 0; i < total; ) {
      const len = all[i]
      let run = 1
      while (i + run < total && all[i + run] === len) run++
      let left = run
      if (len === 0) {
        while (left >= 11) {
          const k = left > 138 ? 138 : left
          sym[runs] = 18
          extra[runs++] = k - 11
          left -= k
        }
        if (left >= 3) {
          sym[runs] = 17
          extra[runs++] = left - 3
          left = 0
        }
      } else {
        // The first one literally, then repeats of 3..6 of the previous length.
        sym[runs] = len
        extra[runs++] = 0
        left--
        while (left >= 3) {
          const k = left > 6 ? 6 : left
          sym[runs] = 16
          extra[runs++] = k - 3
          left -= k
        }
      }
      while (left > 0) {
        sym[runs] = len
        extra[runs++] = 0
        left--
      }
      i += run
    }
    for (let r = 0; r < runs; r++) freq[sym[r]]++
    const clLengths = this.#clLengths
    this.#builder.build(freq, 19, 7, clLengths)
    const clCodes = this.#clCodes
    canonicalCodes(clLengths, clCodes, 19)
    let hclen = 19
    while (hclen > 4 && clLengths[CL_ORDER[hclen - 1]] === 0) hclen--
    w.put(1, 1) // BFINAL
    w.put(2, 2) // BTYPE 10: dynamic
    w.put(hlit - 257, 5)
    w.put(hdist - 1, 5)
    w.put(hclen - 4, 4)
    for (let i = 0; i < hclen; i++) w.put(clLengths[CL_ORDER[i]], 3)
    for (let r = 0; r < runs; r++) {
      const s = sym[r]
      w.put(clCodes[s], clLengths[s])
      if (s === 16) w.put(extra[r], 2)
      else if (s === 17) w.put(extra[r], 3)
      else if (s === 18) w.put(extra[r], 7)
    }
  }
}
