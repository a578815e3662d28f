// The device's deflate writer: one final block per job, matches found in a 4 KiB history,
// coded with the fixed, the canned or a per-job (dynamic) Huffman table.
import { BitWriter } from './bit-writer.js'
import { DynamicHeaderWriter } from './block-header.js'
import { CANNED_D_LENGTHS, CANNED_LL_LENGTHS } from './canned-tables.js'
import {
  D_SYMBOLS,
  DIST_BASE,
  DIST_EXTRA,
  DIST_SYMBOL,
  END_OF_BLOCK,
  FIXED_D_LENGTHS,
  FIXED_LL_LENGTHS,
  LENGTH_BASE,
  LENGTH_EXTRA,
  LENGTH_SYMBOL,
  LL_SYMBOLS,
  MAX_DISTANCE,
  MAX_MATCH,
  MIN_MATCH,
} from './deflate-symbols.js'
import { canonicalCodes, HuffmanBuilder } from './huffman.js'

/**
 * How a job's symbols are coded, as IAA's compression modes:
 * - `'fixed'`: one final block with RFC 1951's fixed codes (BFINAL=1, BTYPE=01), what
 *   mainline iaa_crypto (`deflate-iaa`) writes;
 * - `'canned'`: the canned table of iaa_crypto's `deflate-iaa-canned` (2024), with no block
 *   header at all (both sides know the table): the stream starts with the first symbol;
 * - `'dynamic'`: one final dynamic block (BTYPE=10) whose table is built for the job, what
 *   Granite Rapids' header generation gives `deflate-iaa-dynamic`.
 */
export type CompressionMode = 'fixed' | 'canned' | 'dynamic'

/**
 * Largest compress job the device runs in dynamic mode: Granite Rapids generates the header
 * of jobs up to 4 KiB; iaa_crypto compresses larger ones in software (in this emulation: the
 * same encoder on the submitting thread, so the block stays one the device can read).
 */
export const DYNAMIC_MAX_JOB = 4096

/** The modes, in the order tables and reports list them. */
export const COMPRESSION_MODES: readonly CompressionMode[] = ['fixed', 'canned', 'dynamic']

// The matcher: zlib level 1's greedy parse (deflate_fast) in a 4 KiB history. The device's
// own matcher is not published; QPL runs IAA 1.0 at one "default" level, a fast one.
const HASH_BITS = 13
const HASH_SIZE = 1 << HASH_BITS
const RING = 8192
/** Candidates tried per position. */
const MAX_CHAIN = 4
/** A match this long ends the search. */
const NICE_LENGTH = 8
/** Matches up to this long have their inner positions hashed; longer ones are skipped over. */
const MAX_INSERT = 4

/** Tables (bit-reversed codes and their lengths) of a fixed set of code lengths. */
function codesOf(lengths: Uint8Array): Uint16Array {
  const codes = new Uint16Array(lengths.length)
  canonicalCodes(lengths, codes)
  return codes
}
const FIXED_LL_CODES = codesOf(FIXED_LL_LENGTHS)
const FIXED_D_CODES = codesOf(FIXED_D_LENGTHS)
const CANNED_LL_CODES = codesOf(CANNED_LL_LENGTHS)
const CANNED_D_CODES = codesOf(CANNED_D_LENGTHS)

/**
 * Compresses jobs in one {@link CompressionMode}. One instance per thread: it keeps its
 * match-finder tables and scratch between calls and allocates only to grow them for a larger
 * input than any before.
 */
export class ModeEncoder {
  readonly mode: CompressionMode
  readonly #head = new Int32Array(HASH_SIZE)
  readonly #prev = new Int32Array(RING)
  /** Added to positions stored in head/prev, so a new job needs no clearing: older entries are < base. */
  #base = 1
  #tokens = new Uint32Array(4096)
  #out = new Uint8Array(2 * 4096 + 1024)
  readonly #w = new BitWriter(this.#out)
  // dynamic mode: the job's table
  readonly #llFreq = new Uint32Array(LL_SYMBOLS)
  readonly #dFreq = new Uint32Array(D_SYMBOLS)
  readonly #llLen = new Uint8Array(LL_SYMBOLS)
  readonly #dLen = new Uint8Array(D_SYMBOLS)
  readonly #llCode = new Uint16Array(LL_SYMBOLS)
  readonly #dCode = new Uint16Array(D_SYMBOLS)
  readonly #builder = new HuffmanBuilder()
  readonly #header = new DynamicHeaderWriter(this.#builder)

  constructor(mode: CompressionMode) {
    this.mode = mode
  }

  /**
   * Compresses all of `src` into `dst[0 .. limit)` as one block of this mode.
   * @returns bytes written, or -1 when the block does not fit.
   */
  compress(src: Uint8Array, dst: Uint8Array, limit = dst.length): number {
    const n = src.length
    if (this.#tokens.length < n + 1) this.#tokens = new Uint32Array(n + 1)
    if (this.#out.length < 2 * n + 1024) this.#out = new Uint8Array(2 * n + 1024)
    const count = this.#parse(src)
    const w = this.#w
    w.reset(this.#out)
    let ll: Uint16Array
    let llLen: Uint8Array
    let d: Uint16Array
    let dLen: Uint8Array
    if (this.mode === 'fixed') {
      w.put(1, 1) // BFINAL
      w.put(1, 2) // BTYPE 01: fixed codes
      ll = FIXED_LL_CODES
      llLen = FIXED_LL_LENGTHS
      d = FIXED_D_CODES
      dLen = FIXED_D_LENGTHS
    } else if (this.mode === 'canned') {
      ll = CANNED_LL_CODES
      llLen = CANNED_LL_LENGTHS
      d = CANNED_D_CODES
      dLen = CANNED_D_LENGTHS
    } else {
      this.#buildTable(count)
      ll = this.#llCode
      llLen = this.#llLen
      d = this.#dCode
      dLen = this.#dLen
    }
    const written = this.#emit(count, ll, llLen, d, dLen, limit)
    if (written < 0 || written > limit) return -1
    const out = this.#out
    for (let i = 0; i < written; i++) dst[i] = out[i]
    return written
  }

  /** Greedy LZ77 parse of `src` into tokens: a literal byte, or (length << 16) | distance. */
  #parse(src: Uint8Array): number {
    const n = src.length
    const head = this.#head
    const prev = this.#prev
    const tokens = this.#tokens
    if (this.#base > 0x7fffffff - 2 * n - 2 * RING) {
      head.fill(0)
      this.#base = 1
    }
    const base = this.#base
    this.#base += n + RING
    let t = 0
    let pos = 0
    const last = n - MIN_MATCH // last position where a 3-byte hash can be taken
    while (pos < n) {
      let bestLen = 0
      let bestDist = 0
      if (pos <= last) {
        const h = (((src[pos] << 10) ^ (src[pos + 1] << 5) ^ src[pos + 2]) * 0x9e37) & (HASH_SIZE - 1)
        let cand = head[h]
        head[h] = pos + base
        prev[pos & (RING - 1)] = cand
        const maxLen = n - pos < MAX_MATCH ? n - pos : MAX_MATCH
        let chain = MAX_CHAIN
        while (cand >= base && chain-- > 0) {
          const c = cand - base
          const dist = pos - c
          if (dist > MAX_DISTANCE) break
          if (src[c + bestLen] === src[pos + bestLen] && src[c] === src[pos] && src[c + 1] === src[pos + 1]) {
            let len = 2
            while (len < maxLen && src[c + len] === src[pos + len]) len++
            if (len > bestLen) {
              bestLen = len
              bestDist = dist
              if (len >= NICE_LENGTH) break
            }
          }
          const next = prev[c & (RING - 1)]
          if (next >= cand) break // the ring slot was reused by a newer position
          cand = next
        }
      }
      if (bestLen >= MIN_MATCH) {
        tokens[t++] = (bestLen << 16) | bestDist
        const end = pos + bestLen
        if (bestLen <= MAX_INSERT) {
          for (let p = pos + 1; p < end && p <= last; p++) {
            const h = (((src[p] << 10) ^ (src[p + 1] << 5) ^ src[p + 2]) * 0x9e37) & (HASH_SIZE - 1)
            prev[p & (RING - 1)] = head[h]
            head[h] = p + base
          }
        }
        pos = end
      } else {
        tokens[t++] = src[pos++]
      }
    }
    return t
  }

  /** Dynamic mode: the job's code lengths and codes from its symbol counts, and the block header. */
  #buildTable(count: number): void {
    const llFreq = this.#llFreq
    const dFreq = this.#dFreq
    llFreq.fill(0)
    dFreq.fill(0)
    const tokens = this.#tokens
    for (let i = 0; i < count; i++) {
      const tok = tokens[i]
      if (tok < 256) llFreq[tok]++
      else {
        llFreq[LENGTH_SYMBOL[tok >>> 16]]++
        dFreq[DIST_SYMBOL[tok & 0xffff]]++
      }
    }
    llFreq[END_OF_BLOCK] = 1
    this.#builder.build(llFreq, LL_SYMBOLS, 15, this.#llLen)
    this.#builder.build(dFreq, D_SYMBOLS, 15, this.#dLen)
    canonicalCodes(this.#llLen, this.#llCode)
    canonicalCodes(this.#dLen, this.#dCode)
    let hlit = LL_SYMBOLS
    while (hlit > 257 && this.#llLen[hlit - 1] === 0) hlit--
    let hdist = D_SYMBOLS
    while (hdist > 1 && this.#dLen[hdist - 1] === 0) hdist--
    this.#header.write(this.#w, this.#llLen, hlit, this.#dLen, hdist)
  }

  /** Writes the tokens and end-of-block after what the writer holds; -1 past `limit` bytes. */
  #emit(
    count: number,
    ll: Uint16Array,
    llLen: Uint8Array,
    d: Uint16Array,
    dLen: Uint8Array,
    limit: number,
  ): number {
    const w = this.#w
    const out = this.#out
    const tokens = this.#tokens
    let o = w.pos
    let acc = w.acc
    let bits = w.count
    for (let i = 0; i < count; i++) {
      const tok = tokens[i]
      if (tok < 256) {
        acc |= ll[tok] << bits
        bits += llLen[tok]
      } else {
        const len = tok >>> 16
        const s = LENGTH_SYMBOL[len]
        acc |= ll[s] << bits
        bits += llLen[s]
        const e = LENGTH_EXTRA[s - 257]
        acc |= (len - LENGTH_BASE[s - 257]) << bits
        bits += e
        while (bits >= 8) {
          out[o++] = acc
          acc >>>= 8
          bits -= 8
        }
        const dist = tok & 0xffff
        const ds = DIST_SYMBOL[dist]
        acc |= d[ds] << bits
        bits += dLen[ds]
        while (bits >= 8) {
          out[o++] = acc
          acc >>>= 8
          bits -= 8
        }
        acc |= (dist - DIST_BASE[ds]) << bits
        bits += DIST_EXTRA[ds]
      }
      while (bits >= 8) {
        out[o++] = acc
        acc >>>= 8
        bits -= 8
      }
      if (o > limit) return -1
    }
    w.pos = o
    w.acc = acc
    w.count = bits
    w.put(ll[END_OF_BLOCK], llLen[END_OF_BLOCK])
    return w.flush()
  }
}
