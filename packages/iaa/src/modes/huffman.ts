// Huffman codes for deflate: canonical codes from code lengths (RFC 1951 §3.2.2), and
// length-limited code lengths from symbol frequencies (for the dynamic mode's header).

const MAX_BITS = 15
/** Scratch of canonicalCodes (one thread runs one call at a time). */
const COUNT = new Uint16Array(MAX_BITS + 1)
const NEXT = new Uint16Array(MAX_BITS + 1)

/** Reverses the low `len` bits of `code`: deflate sends Huffman codes most significant bit first, into an LSB-first stream. */
function reverse(code: number, len: number): number {
  let r = 0
  for (let i = 0; i < len; i++) {
    r = (r << 1) | (code & 1)
    code >>>= 1
  }
  return r
}

/**
 * Fills `codes[s]` with the canonical code of symbol `s` for `lengths`, bit-reversed so it
 * can be written LSB first. Symbols of length 0 get code 0 (never written).
 */
export function canonicalCodes(lengths: Uint8Array, codes: Uint16Array, n = lengths.length): void {
  const count = COUNT
  count.fill(0)
  for (let s = 0; s < n; s++) count[lengths[s]]++
  count[0] = 0
  const next = NEXT
  let code = 0
  for (let bits = 1; bits <= MAX_BITS; bits++) {
    code = (code + count[bits - 1]) << 1
    next[bits] = code
  }
  for (let s = 0; s < n; s++) {
    const len = lengths[s]
    codes[s] = len === 0 ? 0 : reverse(next[len]++, len)
  }
}

/** Sum over used symbols of 2^-length, times 2^15: 32768 for a complete code. */
export function kraftSum(lengths: Uint8Array, n = lengths.length): number {
  let sum = 0
  for (let s = 0; s < n; s++) if (lengths[s] !== 0) sum += 1 << (MAX_BITS - lengths[s])
  return sum
}

/**
 * Reusable scratch for {@link buildLengths}, sized for alphabets of up to 288 symbols: building
 * a code allocates nothing.
 */
export class HuffmanBuilder {
  /** (frequency << 9) | symbol of the symbols coded, sorted ascending. */
  readonly #keys = new Int32Array(288)
  readonly #a = new Int32Array(288)
  readonly #count = new Int32Array(MAX_BITS + 2)

  /**
   * Writes into `lengths[0..n)` the code lengths of an optimal prefix code for `freq[0..n)`
   * with no code longer than `limit` bits (symbols of frequency 0 get length 0). At least two
   * symbols always get a code (deflate's decoders want a code of two symbols at least: a lone
   * used symbol is paired with symbol 0 or 1), so the code is complete. Frequencies must be
   * below 2^22 (jobs under 4 MiB).
   */
  build(freq: Uint32Array, n: number, limit: number, lengths: Uint8Array): void {
    const keys = this.#keys
    let m = 0
    for (let s = 0; s < n; s++) if (freq[s] !== 0) keys[m++] = (freq[s] << 9) | s
    for (let s = 0; m < 2 && s < n; s++) if (freq[s] === 0) keys[m++] = s // weight 0, before the used ones
    lengths.fill(0, 0, n)
    sortAscending(keys, m)
    const a = this.#a
    for (let i = 0; i < m; i++) a[i] = keys[i] >>> 9
    minimumRedundancy(a, m)
    // a[i] is now the length of the i-th lightest symbol; cap at `limit`, then restore the Kraft sum.
    const count = this.#count
    count.fill(0)
    for (let i = 0; i < m; i++) count[a[i] > limit ? limit : a[i]]++
    let kraft = 0
    for (let len = 1; len <= limit; len++) kraft += count[len] << (limit - len)
    while (kraft > 1 << limit) {
      // Make a leaf of the longest length below the limit a node over itself and one
      // limit-length leaf: the Kraft sum drops by one limit-length unit each time.
      let len = limit - 1
      while (count[len] === 0) len--
      count[len]--
      count[len + 1] += 2
      count[limit]--
      kraft--
    }
    // Hand the lengths out again: the longest to the lightest symbols.
    let i = 0
    for (let len = limit; len >= 1; len--) {
      for (let k = count[len]; k > 0; k--) lengths[keys[i++] & 511] = len
    }
  }
}

/** Shell sort of `a[0..n)` in place (n ≤ 288: no allocation, few passes). */
function sortAscending(a: Int32Array, n: number): void {
  for (let gap = n >> 1; gap > 0; gap = gap === 2 ? 1 : Math.floor(gap / 2.2)) {
    for (let i = gap; i < n; i++) {
      const v = a[i]
      let j = i
      while (j >= gap && a[j - gap] > v) {
        a[j] = a[j - gap]
        j -= gap
      }
      a[j] = v
    }
  }
}

/**
 * Moffat and Katajainen's in-place computation of minimum-redundancy code lengths: `a[0..n)`
 * holds weights in ascending order and receives the code length of each position.
 */
function minimumRedundancy(a: Int32Array, n: number): void {
  if (n === 1) {
    a[0] = 1
    return
  }
  // Phase 1: internal node weights, leaves and parents in one array.
  a[0] += a[1]
  let root = 0
  let leaf = 2
  for (let next = 1; next < n - 1; next++) {
    if (leaf >= n || a[root] < a[leaf]) {
      a[next] = a[root]
      a[root++] = next
    } else a[next] = a[leaf++]
    if (leaf >= n || (root < next && a[root] < a[leaf])) {
      a[next] += a[root]
      a[root++] = next
    } else a[next] += a[leaf++]
  }
  // Phase 2: depths of the internal nodes.
  a[n - 2] = 0
  for (let next = n - 3; next >= 0; next--) a[next] = a[a[next]] + 1
  // Phase 3: depths of the leaves.
  let avail = 1
  let used = 0
  let depth = 0
  root = n - 2
  let next = n - 1
  while (avail > 0) {
    while (root >= 0 && a[root] === depth) {
      used++
      root--
    }
    while (avail > used) {
      a[next--] = depth
      avail--
    }
    avail = 2 * used
    depth++
    used = 0
  }
}
