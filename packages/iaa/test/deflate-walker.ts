// A small, slow, independent deflate decoder for tests: it walks a stream symbol by symbol
// (canonical decoding one bit at a time) and reports each block's type, the longest match
// distance and the decoded bytes, so tests check the streams without trusting zlib.

const LEN_BASE = [
  3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195,
  227, 258,
]
const LEN_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
const DIST_BASE = [
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097,
  6145, 8193, 12289, 16385, 24577,
]
const DIST_EXTRA = [
  0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
]
const CL_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

export interface Walk {
  /** BTYPE of each block, in order (0 stored, 1 fixed, 2 dynamic; -1 for a headerless preset block). */
  blockTypes: number[]
  /** Longest match distance used, 0 when none. */
  maxDistance: number
  /** Matches decoded. */
  matches: number
  output: Uint8Array
  /** Code lengths of the last dynamic block's header. */
  lastLengths?: { ll: number[]; d: number[] }
}

interface Code {
  count: number[]
  symbol: number[]
}

function code(lengths: ArrayLike<number>): Code {
  const count = new Array(16).fill(0)
  for (let s = 0; s < lengths.length; s++) count[lengths[s]]++
  count[0] = 0
  const offs = new Array(16).fill(0)
  for (let len = 1; len < 16; len++) offs[len] = offs[len - 1] + count[len - 1]
  offs[0] = 0
  const symbol: number[] = []
  const next = offs.slice()
  for (let s = 0; s < lengths.length; s++) if (lengths[s] !== 0) symbol[next[lengths[s]]++] = s
  return { count, symbol }
}

class Bits {
  pos = 0
  constructor(readonly buf: Uint8Array) {}
  bit(): number {
    if (this.pos >= this.buf.length * 8) throw new Error('stream ends early')
    const b = (this.buf[this.pos >> 3] >> (this.pos & 7)) & 1
    this.pos++
    return b
  }
  bits(n: number): number {
    let v = 0
    for (let i = 0; i < n; i++) v |= this.bit() << i
    return v
  }
  decode(c: Code): number {
    let value = 0
    let first = 0
    let index = 0
    for (let len = 1; len < 16; len++) {
      value |= this.bit()
      const count = c.count[len]
      if (value - first < count) return c.symbol[index + value - first]
      index += count
      first = (first + count) << 1
      value <<= 1
    }
    throw new Error('invalid Huffman code')
  }
}

function fixedLengths(): { ll: number[]; d: number[] } {
  const ll = new Array(288).fill(8, 0, 144).fill(9, 144, 256).fill(7, 256, 280).fill(8, 280, 288)
  return { ll, d: new Array(30).fill(5) }
}

/**
 * Decodes `stream`. With `preset`, the stream is one headerless block coded with those code
 * lengths (a canned stream); otherwise standard deflate blocks up to the final one.
 * @throws Error on anything malformed.
 */
export function walkDeflate(
  stream: Uint8Array,
  preset?: { ll: ArrayLike<number>; d: ArrayLike<number> },
): Walk {
  const r = new Bits(stream)
  const out: number[] = []
  const walk: Walk = { blockTypes: [], maxDistance: 0, matches: 0, output: new Uint8Array(0) }
  const body = (ll: Code, d: Code) => {
    for (;;) {
      const s = r.decode(ll)
      if (s < 256) out.push(s)
      else if (s === 256) return
      else {
        if (s > 285) throw new Error(`length symbol ${s}`)
        const len = LEN_BASE[s - 257] + r.bits(LEN_EXTRA[s - 257])
        const ds = r.decode(d)
        if (ds > 29) throw new Error(`distance symbol ${ds}`)
        const dist = DIST_BASE[ds] + r.bits(DIST_EXTRA[ds])
        if (dist > out.length) throw new Error(`distance ${dist} before the start`)
        for (let i = 0; i < len; i++) out.push(out[out.length - dist])
        walk.maxDistance = Math.max(walk.maxDistance, dist)
        walk.matches++
      }
    }
  }
  if (preset !== undefined) {
    walk.blockTypes.push(-1)
    body(code(preset.ll), code(preset.d))
  } else {
    for (let final = 0; final === 0; ) {
      final = r.bit()
      const type = r.bits(2)
      walk.blockTypes.push(type)
      if (type === 0) {
        r.pos = (r.pos + 7) & ~7
        const len = r.bits(16)
        if ((r.bits(16) ^ 0xffff) !== len) throw new Error('stored block length check')
        for (let i = 0; i < len; i++) out.push(r.bits(8))
      } else if (type === 1) {
        const f = fixedLengths()
        body(code(f.ll), code(f.d))
      } else if (type === 2) {
        const hlit = r.bits(5) + 257
        const hdist = r.bits(5) + 1
        const hclen = r.bits(4) + 4
        const cl = new Array(19).fill(0)
        for (let i = 0; i < hclen; i++) cl[CL_ORDER[i]] = r.bits(3)
        const clCode = code(cl)
        const lengths: number[] = []
        while (lengths.length < hlit + hdist) {
          const s = r.decode(clCode)
          if (s < 16) lengths.push(s)
          else if (s === 16) {
            if (lengths.length === 0) throw new Error('repeat with no previous length')
            const prev = lengths[lengths.length - 1]
            for (let k = 3 + r.bits(2); k > 0; k--) lengths.push(prev)
          } else if (s === 17) for (let k = 3 + r.bits(3); k > 0; k--) lengths.push(0)
          else for (let k = 11 + r.bits(7); k > 0; k--) lengths.push(0)
        }
        if (lengths.length !== hlit + hdist) throw new Error('code lengths overrun')
        walk.lastLengths = { ll: lengths.slice(0, hlit), d: lengths.slice(hlit) }
        body(code(walk.lastLengths.ll), code(walk.lastLengths.d))
      } else throw new Error('block type 3')
    }
  }
  walk.output = Uint8Array.from(out)
  return walk
}
