import { samplePages } from '@zswap/conformance'
import { PAGE_SIZE } from '@zswap/core'
import type { Prng } from '../prng.js'

/**
 * Page contents for the fuzzer: the conformance sample (zero, same-filled,
 * text, struct, random and real corpus pages), each copy stamped with a
 * unique serial number so no two stored pages are equal and a page loaded
 * from the wrong slot cannot pass.
 */
export class PageSource {
  readonly #bases: Uint8Array[]
  readonly #weights: number[]
  readonly #random: boolean[]
  #serial = 0

  constructor(readonly prng: Prng) {
    const sample = samplePages()
    this.#bases = sample.map((p) => p.data)
    // random pages are incompressible: keep them rare so large folios mostly store
    this.#weights = sample.map((p) => (p.kind === 'random' ? 0.3 : 1))
    this.#random = sample.map((p) => p.kind === 'random')
  }

  /** Fills `dst` (whole pages) with fresh stamped pages. */
  fill(dst: Uint8Array): void {
    for (let at = 0; at < dst.length; at += PAGE_SIZE) {
      const b = this.prng.weighted(this.#weights)
      const base = this.#bases[b]
      dst.set(base, at)
      if (this.#random[b] && this.prng.chance(0.5)) {
        // nearly incompressible: a zero run of 16..400 bytes in random bytes compresses to just
        // under or over a page, around the zpools' largest object sizes (zbud: 4032)
        const len = 16 + this.prng.int(385)
        const pos = this.prng.int(PAGE_SIZE - len)
        dst.fill(0, at + pos, at + pos + len)
      }
      const serial = ++this.#serial
      const pos = at + ((serial * 53) % (PAGE_SIZE - 8))
      dst[at] = serial & 0xff
      dst[at + 1] = (serial >>> 8) & 0xff
      dst[pos + 2] = (serial >>> 16) & 0xff
      dst[pos + 3] = serial >>> 24
      dst[pos + 4] ^= 0x5a
    }
  }
}
