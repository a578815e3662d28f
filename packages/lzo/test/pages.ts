// Deterministic page generators: a tiny xorshift PRNG so failures reproduce.
export const PAGE = 4096

export function prng(seed: number): () => number {
  let s = seed | 0 || 1
  return () => {
    s ^= s << 13
    s ^= s >>> 17
    s ^= s << 5
    return s >>> 0
  }
}

export function zeroPage(): Uint8Array {
  return new Uint8Array(PAGE)
}

export function randomPage(seed = 1): Uint8Array {
  const next = prng(seed)
  const p = new Uint8Array(PAGE)
  for (let i = 0; i < PAGE; i++) p[i] = next()
  return p
}

export function textPage(seed = 2): Uint8Array {
  const words = ['page', 'swap', 'folio', 'entry', 'zswap', 'compress', 'the', 'of', 'a', 'memory', 'kernel']
  const next = prng(seed)
  let s = ''
  while (s.length < PAGE) s += `${words[next() % words.length]}${next() % 7 === 0 ? '.\n' : ' '}`
  return new TextEncoder().encode(s.slice(0, PAGE))
}

/** A heap-like page: 64-byte records with pointers, counters, flags and zero padding. */
export function heapPage(seed = 3): Uint8Array {
  const next = prng(seed)
  const p = new Uint8Array(PAGE)
  const v = new DataView(p.buffer)
  const base = 0x7f3a_0000 + (next() & 0xfff0)
  for (let off = 0; off < PAGE; off += 64) {
    v.setUint32(off, base + (next() & 0xffc0), true)
    v.setUint32(off + 4, 0x7f3a, true)
    v.setUint32(off + 8, next() & 0xff, true)
    v.setUint16(off + 16, off / 64, true)
    if (next() % 3 === 0) v.setFloat64(off + 24, (next() % 1000) / 7, true)
  }
  return p
}

/** Half random bytes, half zeroes: compresses to a bit over half a page. */
export function halfRandomPage(seed = 4): Uint8Array {
  const p = new Uint8Array(PAGE)
  p.set(randomPage(seed).subarray(0, PAGE / 2))
  return p
}

export const samples: [string, () => Uint8Array][] = [
  ['zero', zeroPage],
  ['text', textPage],
  ['heap', heapPage],
  ['half random', halfRandomPage],
  ['random', randomPage],
]
