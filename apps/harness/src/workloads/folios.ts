import { MAX_FOLIO_ORDER } from '@zswap/core'

/** A share of folios of one order in a folio-size mix. */
export interface OrderShare {
  /** Folio order 0..9 (0 = 4 KiB, 4 = 64 KiB, 9 = 2 MiB). */
  order: number
  /** Relative share of folios (any positive weights; normalised). */
  share: number
}

/** Folios laid over a corpus, struct-of-arrays: folio i covers pages `first[i] .. first[i] + 2^order[i] - 1`. */
export interface FolioPlan {
  readonly count: number
  readonly first: Int32Array
  readonly order: Uint8Array
  /** Pages covered by the folios (the corpus's tail that fits no folio is left out). */
  readonly pages: number
  /** Largest order in the plan. */
  readonly maxOrder: number
}

/** A small seeded PRNG (mulberry32): the same seed gives the same plan and the same synthetic pages. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * Lays folios over `pages` neighbouring pages: each next folio's order is
 * drawn from `mix` by share (seeded); one that does not fit in what is left
 * becomes the largest order of the mix that fits.
 */
export function planFolios(pages: number, mix: readonly OrderShare[], seed = 1): FolioPlan {
  const orders = [...mix].filter((m) => m.share > 0).sort((a, b) => a.order - b.order)
  for (const m of orders) {
    if (!Number.isInteger(m.order) || m.order < 0 || m.order > MAX_FOLIO_ORDER) {
      throw new RangeError(`[zswap-harness] folio order must be 0..${MAX_FOLIO_ORDER}, got ${m.order}`)
    }
  }
  const total = orders.reduce((s, m) => s + m.share, 0)
  const smallest = orders.length > 0 ? 1 << orders[0].order : Number.POSITIVE_INFINITY
  const cap = Math.floor(pages / smallest)
  const first = new Int32Array(Number.isFinite(cap) ? cap : 0)
  const order = new Uint8Array(first.length)
  const rand = prng(seed)
  let count = 0
  let at = 0
  while (count < first.length && pages - at >= smallest) {
    let r = rand() * total
    let pick = orders[orders.length - 1].order
    for (const m of orders) {
      if ((r -= m.share) < 0) {
        pick = m.order
        break
      }
    }
    while (1 << pick > pages - at) {
      const fits = orders.filter((m) => 1 << m.order <= pages - at)
      pick = fits[fits.length - 1].order
    }
    first[count] = at
    order[count] = pick
    at += 1 << pick
    count++
  }
  let maxOrder = 0
  for (let i = 0; i < count; i++) if (order[i] > maxOrder) maxOrder = order[i]
  return { count, first: first.subarray(0, count), order: order.subarray(0, count), pages: at, maxOrder }
}
