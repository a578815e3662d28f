import { PAGE_SIZE } from '@zswap/core'
import type { Corpus } from '../corpus.js'
import { prng } from './folios.js'

/** Options of {@link syntheticCorpus}. */
export interface SyntheticOptions {
  /** Pages to generate. */
  pages: number
  /**
   * Target compression ratio of the other pages: each holds 4096 / ratio random
   * bytes followed by a repeated phrase, so an LZ-class compressor gets close to it.
   */
  ratio: number
  /** Share of zero-filled pages, 0..1. */
  zero: number
  /** Share of same-filled pages (one repeated 8-byte word), 0..1. */
  same: number
  /** PRNG seed: the same seed gives the same pages. */
  seed: number
}

/** Generates a page corpus in memory. */
export function syntheticCorpus(o: SyntheticOptions): Corpus {
  const data = new Uint8Array(o.pages * PAGE_SIZE)
  const rand = prng(o.seed)
  const randomBytes = Math.min(PAGE_SIZE, Math.max(0, Math.round(PAGE_SIZE / o.ratio)))
  const phrase = new TextEncoder().encode(
    'swap entry compressed by zswap: the quick brown fox jumps 0123456789 ',
  )
  for (let p = 0; p < o.pages; p++) {
    const page = data.subarray(p * PAGE_SIZE, (p + 1) * PAGE_SIZE)
    const kind = rand()
    if (kind < o.zero) continue
    if (kind < o.zero + o.same) {
      const word = [0, 0, 0, 0, 0, 0, 0, 0].map(() => (rand() * 256) | 0)
      for (let i = 0; i < PAGE_SIZE; i++) page[i] = word[i & 7]
      continue
    }
    for (let i = 0; i < randomBytes; i += 4) {
      const x = (rand() * 4294967296) >>> 0
      page[i] = x
      page[i + 1] = x >>> 8
      page[i + 2] = x >>> 16
      page[i + 3] = x >>> 24
    }
    for (let i = randomBytes; i < PAGE_SIZE; i++) page[i] = phrase[(i + p) % phrase.length]
  }
  const name = `synthetic-r${o.ratio}-z${o.zero}-s${o.same}`
  return { name, path: `synthetic:${name}`, pages: o.pages, data }
}
