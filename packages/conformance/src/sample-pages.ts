import { brotliDecompressSync } from 'node:zlib'
import { CORPUS_PAGE_NAMES, CORPUS_PAGES_BROTLI_BASE64 } from './sample-pages-data.js'

const PAGE = 4096

/** What kind of content a sample page holds. */
export type SamplePageKind = 'zero' | 'same-filled' | 'text' | 'binary' | 'random' | 'corpus'

/** One page of the bundled sample. */
export interface SamplePage {
  /** Stable name, e.g. `'zero'`, `'text-2'`, `'redis-mixed#514'`. */
  readonly name: string
  readonly kind: SamplePageKind
  /** Exactly 4096 bytes. Shared between callers: do not write to it. */
  readonly data: Uint8Array
}

let cache: readonly SamplePage[] | undefined

/**
 * The bundled page sample used by {@link compressorSuite}: zero and
 * same-filled pages, generated text and binary (struct-like) pages, pages of
 * random bytes, and 18 real pages of anonymous process memory (six per
 * shared corpus, spread from very compressible to nearly incompressible).
 * Deterministic: the same pages on every run.
 */
export function samplePages(): readonly SamplePage[] {
  if (cache) return cache
  const pages: SamplePage[] = [
    { name: 'zero', kind: 'zero', data: new Uint8Array(PAGE) },
    { name: 'same-filled', kind: 'same-filled', data: sameFilled(0x5a5a5a5a) },
  ]
  for (let i = 0; i < 3; i++) pages.push({ name: `text-${i}`, kind: 'text', data: textPage(i + 1) })
  for (let i = 0; i < 3; i++) pages.push({ name: `binary-${i}`, kind: 'binary', data: structPage(i + 1) })
  for (let i = 0; i < 2; i++) pages.push({ name: `random-${i}`, kind: 'random', data: randomPage(i + 1) })
  const corpus = brotliDecompressSync(Buffer.from(CORPUS_PAGES_BROTLI_BASE64, 'base64'))
  CORPUS_PAGE_NAMES.forEach((name, i) => {
    pages.push({
      name,
      kind: 'corpus',
      data: new Uint8Array(corpus.buffer, corpus.byteOffset + i * PAGE, PAGE),
    })
  })
  cache = pages
  return pages
}

/** A page whose 64-bit words all hold `word` (zswap's same-filled case). */
function sameFilled(word: number): Uint8Array {
  const page = new Uint8Array(PAGE)
  new Uint32Array(page.buffer).fill(word >>> 0)
  return page
}

/** xorshift32: a deterministic stream of bytes. */
export function randomPage(seed: number, length = PAGE): Uint8Array {
  const out = new Uint8Array(length)
  let x = (seed * 2654435761) >>> 0 || 1
  for (let i = 0; i < length; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    out[i] = x & 255
  }
  return out
}

const WORDS = [
  'the',
  'page',
  'cache',
  'swap',
  'entry',
  'folio',
  'compress',
  'memory',
  'limit',
  'writeback',
  'zpool',
  'handle',
  'offset',
  'kernel',
  'process',
  'reclaim',
  'lru',
  'cgroup',
  'shrinker',
  'stored',
]

/** English-like text with a Zipf-ish skew, as in a heap full of strings. */
export function textPage(seed: number): Uint8Array {
  const out = new Uint8Array(PAGE)
  let x = (seed * 40503) >>> 0 || 1
  let i = 0
  while (i < PAGE) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0
    const r = (x >>> 8) % 1000
    const w = WORDS[Math.floor((r * r) / 50000) % WORDS.length]
    for (let j = 0; j < w.length && i < PAGE; j++) out[i++] = w.charCodeAt(j)
    if (i < PAGE) out[i++] = r % 13 === 0 ? 10 : 32
  }
  return out
}

/** Arrays of small structs: pointers, counters, flags, a little noise. */
export function structPage(seed: number): Uint8Array {
  const page = new Uint8Array(PAGE)
  const view = new DataView(page.buffer)
  let x = (seed * 69069) >>> 0 || 1
  for (let at = 0; at + 32 <= PAGE; at += 32) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0
    view.setUint32(at, 0x55d0_0000 + ((at * 8) & 0xfffff), true) // pointer-like
    view.setUint32(at + 4, 0x7f, true)
    view.setUint32(at + 8, at >> 5, true) // index
    view.setUint32(at + 12, x & 0xff, true) // small counter
    view.setFloat64(at + 16, (x >>> 20) / 16, true)
    view.setUint32(at + 24, x & 1 ? 0xffffffff : 0, true)
  }
  return page
}
