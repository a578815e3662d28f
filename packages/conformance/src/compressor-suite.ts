import {
  assertSpecification,
  type Compressor,
  type CompressorCapabilities,
  createFolio,
  ErrorCode,
  PAGE_SIZE,
  ZswapError,
} from '@zswap/core'
import { referenceZpool } from '@zswap/core/testing'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CACHE_RAM_BYTES, loadCache } from './cache-round-trip.js'
import { expectCodeSync, type Factory, retainedGrowth, rng } from './helpers.js'
import { randomPage, type SamplePage, samplePages, textPage } from './sample-pages.js'

/** Options of {@link compressorSuite}. */
export interface CompressorSuiteOptions {
  /** More pages to round-trip besides the bundled sample (each exactly 4096 bytes). */
  pages?: readonly Uint8Array[]
  /** fast-check runs of the property tests. Default 100. */
  numRuns?: number
}

/**
 * Capabilities a compressor may declare beyond the contract: `checksum` says
 * every corruption of a block is detected (a content checksum), which makes
 * the bit-flip and garbage tests strict.
 */
type Declared = CompressorCapabilities & { readonly checksum?: boolean }

/** Outcome of decompressing a damaged block into a page-sized dst. */
type Outcome = 'corrupt' | 'short' | 'same' | 'wrong'

function outcome(c: Compressor, bad: Uint8Array, original: Uint8Array): Outcome {
  const dst = new Uint8Array(original.length).fill(0xee)
  let n: number
  try {
    n = c.decompress(bad, dst)
  } catch (error) {
    if (ZswapError.hasCode(error, ErrorCode.CORRUPT_DATA)) return 'corrupt'
    throw new Error(`${c.name}: damaged input must give CorruptDataError, got ${String(error)}`, {
      cause: error,
    })
  }
  if (!Number.isInteger(n) || n < 0 || n > dst.length) {
    throw new Error(`${c.name}: decompress returned ${n} for a ${dst.length}-byte dst`)
  }
  if (n !== original.length) return 'short'
  return dst.every((b, i) => b === original[i]) ? 'same' : 'wrong'
}

/** Positions to damage: all of them for small blocks, else an even spread plus both ends. */
function positions(length: number, most: number): number[] {
  if (length <= most) return Array.from({ length }, (_, i) => i)
  const out = new Set<number>([0, 1, 2, 3, length - 1, length - 2])
  for (let i = 0; i < most; i++) out.add(Math.floor((i * length) / most))
  return [...out]
}

/**
 * The conformance suite of the Compressor contract, as a vitest `describe`
 * block. `factory` returns a fresh compressor; each test makes its own.
 *
 * @example
 * // test/conformance.test.ts
 * import { compressorSuite } from '@zswap/conformance'
 * import { zstd } from '../src/index.js'
 * compressorSuite('zstd', () => zstd({ level: 1 }))
 */
export function compressorSuite(
  name: string,
  factory: Factory<Compressor>,
  options: CompressorSuiteOptions = {},
): void {
  const numRuns = options.numRuns ?? 100
  const sample: SamplePage[] = [
    ...samplePages(),
    ...(options.pages ?? []).map((data, i) => ({ name: `extra-${i}`, kind: 'corpus' as const, data })),
  ]

  async function withCompressor(fn: (c: Compressor) => void | Promise<void>): Promise<void> {
    const c = await factory()
    try {
      await fn(c)
    } finally {
      c.close?.()
    }
  }

  /** A compressed copy of `page`, or undefined when it does not fit in a page. */
  function compressed(c: Compressor, page: Uint8Array): Uint8Array | undefined {
    const dst = new Uint8Array(PAGE_SIZE)
    const n = c.compress(page, dst)
    return n < 0 ? undefined : dst.slice(0, n)
  }

  describe(`compressor conformance: ${name}`, () => {
    it('declares the v1 contract: name, capabilities.format', async () => {
      await withCompressor((c) => {
        expect(() => assertSpecification(c, 'compressor')).not.toThrow()
        expect(typeof c.name).toBe('string')
        expect(c.name.length).toBeGreaterThan(0)
        expect(typeof c.capabilities.format).toBe('string')
        expect(c.capabilities.format.length).toBeGreaterThan(0)
        const max = c.capabilities.maxInputSize
        if (max !== undefined) expect(Number.isInteger(max) && max >= PAGE_SIZE).toBe(true)
        expect(typeof c.compress).toBe('function')
        expect(typeof c.decompress).toBe('function')
      })
    })

    it.each(sample.map((p) => [p.name, p] as const))('round-trips sample page %s', async (_, page) => {
      await withCompressor((c) => {
        const dst = new Uint8Array(PAGE_SIZE)
        const n = c.compress(page.data, dst)
        expect(Number.isInteger(n)).toBe(true)
        if (page.kind === 'zero' || page.kind === 'same-filled' || page.kind === 'text') {
          expect(n, 'a zero, same-filled or text page must compress').toBeGreaterThan(0)
          expect(n).toBeLessThan(PAGE_SIZE / 2)
        }
        if (n === -1) {
          // does not fit a page: must then round-trip through a larger dst
          const big = new Uint8Array(2 * PAGE_SIZE)
          const m = c.compress(page.data, big)
          expect(m).toBeGreaterThan(0)
          const out = new Uint8Array(PAGE_SIZE)
          expect(c.decompress(big.subarray(0, m), out)).toBe(PAGE_SIZE)
          expect(out).toEqual(page.data)
          return
        }
        expect(n).toBeGreaterThanOrEqual(1)
        expect(n).toBeLessThanOrEqual(PAGE_SIZE)
        const out = new Uint8Array(PAGE_SIZE).fill(0xee)
        expect(c.decompress(dst.subarray(0, n), out)).toBe(PAGE_SIZE)
        expect(out).toEqual(page.data)
        // and again with the same instance: no state leaks between calls
        const again = new Uint8Array(PAGE_SIZE)
        expect(c.decompress(dst.subarray(0, n), again)).toBe(PAGE_SIZE)
        expect(again).toEqual(page.data)
      })
    })

    it('reports incompressible input as -1, not an exception', async () => {
      await withCompressor((c) => {
        for (let seed = 1; seed <= 4; seed++) {
          const page = randomPage(seed)
          // random bytes never shrink to half
          expect(c.compress(page, new Uint8Array(PAGE_SIZE / 2))).toBe(-1)
          const n = c.compress(page, new Uint8Array(PAGE_SIZE))
          expect(n === -1 || (n > PAGE_SIZE / 2 && n <= PAGE_SIZE)).toBe(true)
        }
      })
    })

    it('compresses empty input to a block that decompresses to nothing', async () => {
      await withCompressor((c) => {
        const dst = new Uint8Array(64)
        const n = c.compress(new Uint8Array(0), dst)
        expect(n).toBeGreaterThanOrEqual(1)
        expect(c.decompress(dst.subarray(0, n), new Uint8Array(0))).toBe(0)
        expect(c.decompress(dst.subarray(0, n), new Uint8Array(16))).toBe(0)
      })
    })

    it('rejects an empty compressed block with CorruptDataError', async () => {
      await withCompressor((c) => {
        expectCodeSync(
          () => c.decompress(new Uint8Array(0), new Uint8Array(PAGE_SIZE)),
          ErrorCode.CORRUPT_DATA,
        )
      })
    })

    it('returns -1 for every dst too small for the output, and never writes past dst', async () => {
      await withCompressor((c) => {
        const page = textPage(21)
        const n = c.compress(page, new Uint8Array(PAGE_SIZE))
        expect(n).toBeGreaterThan(0)
        const backing = new Uint8Array(PAGE_SIZE + 64)
        for (const size of positions(n, 48)) {
          backing.fill(0xa5)
          const dst = backing.subarray(16, 16 + size)
          expect(c.compress(page, dst), `dst of ${size} bytes for a ${n}-byte block`).toBe(-1)
          expect(backing.subarray(0, 16).every((b) => b === 0xa5)).toBe(true)
          expect(backing.subarray(16 + size).every((b) => b === 0xa5)).toBe(true)
        }
      })
    })

    it('throws CorruptDataError when the output does not fit the decompression dst', async () => {
      await withCompressor((c) => {
        for (const page of [textPage(3), samplePages()[0].data]) {
          const block = compressed(c, page)
          expect(block).toBeDefined()
          for (const size of [0, 1, PAGE_SIZE / 2, PAGE_SIZE - 1]) {
            expectCodeSync(
              () => c.decompress(block as Uint8Array, new Uint8Array(size)),
              ErrorCode.CORRUPT_DATA,
            )
          }
        }
      })
    })

    it('detects truncated blocks: CorruptDataError or a short length, never a wrong full page', async () => {
      await withCompressor((c) => {
        for (const page of sample.filter((p) => p.kind !== 'random').slice(0, 12)) {
          const block = compressed(c, page.data)
          if (!block) continue
          for (const cut of positions(block.length, 64)) {
            const result = outcome(c, block.subarray(0, cut), page.data)
            expect(result, `${page.name} cut to ${cut} of ${block.length} bytes`).not.toBe('wrong')
            expect(result, `${page.name} cut to ${cut} of ${block.length} bytes`).not.toBe('same')
          }
        }
      })
    })

    it('handles bit-flipped blocks: typed errors only; no wrong page when the driver declares a checksum', async () => {
      await withCompressor((c) => {
        const strict = (c.capabilities as Declared).checksum === true
        const counts: Record<Outcome, number> = { corrupt: 0, short: 0, same: 0, wrong: 0 }
        for (const page of [
          textPage(5),
          samplePages()[3].data,
          ...sample
            .filter((p) => p.kind === 'corpus')
            .slice(0, 4)
            .map((p) => p.data),
        ]) {
          const block = compressed(c, page)
          if (!block) continue
          for (const at of positions(block.length * 8, 160)) {
            const bad = block.slice()
            bad[at >> 3] ^= 1 << (at & 7)
            counts[outcome(c, bad, page)]++
          }
        }
        expect(counts.corrupt + counts.short, 'some flips must be detected').toBeGreaterThan(0)
        if (strict) {
          // a checksum makes every flip a CorruptDataError, except in bits the format
          // ignores (deflate's padding, zstd's unused header bit), which give back the page itself
          expect(counts.wrong, 'a checksummed format returned a wrong page').toBe(0)
          expect(counts.short, 'a checksummed format returned a shorter page without an error').toBe(0)
          expect(counts.corrupt, `undetected harmless flips: ${counts.same}`).toBeGreaterThan(9 * counts.same)
        }
      })
    })

    it('handles garbage input: typed errors only; always detected when the driver declares a checksum', async () => {
      await withCompressor((c) => {
        const strict = (c.capabilities as Declared).checksum === true
        const next = rng(7)
        for (let i = 0; i < 200; i++) {
          const length = 1 + Math.floor(next() * 600)
          const garbage = randomPage(i + 1000, length)
          if (i % 4 === 0) garbage.set(compressed(c, textPage(i))?.subarray(0, Math.min(8, length)) ?? [], 0) // a plausible header
          const dst = new Uint8Array(PAGE_SIZE)
          let error: unknown
          let n = 0
          try {
            n = c.decompress(garbage, dst)
          } catch (e) {
            error = e
          }
          if (error === undefined) {
            expect(strict, 'garbage decompressed although the driver declares a checksum').toBe(false)
            expect(Number.isInteger(n) && n >= 0 && n <= PAGE_SIZE).toBe(true)
          } else {
            expect(ZswapError.hasCode(error, ErrorCode.CORRUPT_DATA), `got ${String(error)}`).toBe(true)
          }
        }
      })
    })

    it('works on src/dst views at non-zero offsets of larger buffers, touching nothing outside them', async () => {
      await withCompressor((c) => {
        const page = sample.find((p) => p.kind === 'corpus')?.data ?? textPage(9)
        const srcBacking = new Uint8Array(PAGE_SIZE + 100).fill(0x11)
        srcBacking.set(page, 37)
        const src = srcBacking.subarray(37, 37 + PAGE_SIZE)
        const dstBacking = new Uint8Array(3 * PAGE_SIZE).fill(0x22)
        const dst = dstBacking.subarray(13, 13 + PAGE_SIZE)
        const n = c.compress(src, dst)
        expect(n).toBeGreaterThan(0)
        expect(dstBacking.subarray(0, 13).every((b) => b === 0x22)).toBe(true)
        expect(dstBacking.subarray(13 + PAGE_SIZE).every((b) => b === 0x22)).toBe(true)
        expect(srcBacking.subarray(0, 37).every((b) => b === 0x11)).toBe(true)
        // the block itself at an odd offset, the output too
        const blockBacking = new Uint8Array(n + 20).fill(0x33)
        blockBacking.set(dst.subarray(0, n), 7)
        const outBacking = new Uint8Array(PAGE_SIZE + 50).fill(0x44)
        const out = outBacking.subarray(29, 29 + PAGE_SIZE)
        expect(c.decompress(blockBacking.subarray(7, 7 + n), out)).toBe(PAGE_SIZE)
        expect(out).toEqual(page)
        expect(outBacking.subarray(0, 29).every((b) => b === 0x44)).toBe(true)
        expect(outBacking.subarray(29 + PAGE_SIZE).every((b) => b === 0x44)).toBe(true)
        expect(src).toEqual(page) // src is not written
      })
    })

    it('round-trips arbitrary inputs up to two pages (property)', async () => {
      await withCompressor((c) => {
        const max = Math.min(2 * PAGE_SIZE, c.capabilities.maxInputSize ?? Number.POSITIVE_INFINITY)
        fc.assert(
          fc.property(
            fc.oneof(
              fc.uint8Array({ maxLength: max, size: 'max' }),
              fc
                .array(fc.constantFrom(0, 1, 97, 255), { maxLength: max, size: 'max' })
                .map((a) => Uint8Array.from(a)),
            ),
            (src) => {
              const dst = new Uint8Array(2 * src.length + 128)
              const n = c.compress(src, dst)
              expect(n).toBeGreaterThanOrEqual(1)
              const out = new Uint8Array(src.length)
              expect(c.decompress(dst.subarray(0, n), out)).toBe(src.length)
              expect(out).toEqual(src)
            },
          ),
          { numRuns },
        )
      })
    })

    it('a thousand calls retain no memory', async () => {
      await withCompressor((c) => {
        const pages = sample.filter((p) => p.kind !== 'random').map((p) => p.data)
        const dst = new Uint8Array(PAGE_SIZE)
        const out = new Uint8Array(PAGE_SIZE)
        const growth = retainedGrowth((i) => {
          const page = pages[i % pages.length]
          const n = c.compress(page, dst)
          if (n > 0) c.decompress(dst.subarray(0, n), out)
        }, 1000)
        expect(growth, `retained ${growth} bytes over 1000 calls`).toBeLessThan(256 * 1024)
      })
    })

    it('round-trips through the cache (createZswap store/load)', async (ctx) => {
      const cache = await loadCache()
      if (!cache) return ctx.skip('@zswap/cache is not installed')
      const c = await factory()
      const zswap = cache.createZswap({
        compressor: c,
        zpool: referenceZpool(),
        ramBytes: CACHE_RAM_BYTES,
        mthpEnabled: true,
      })
      try {
        const folios = sample.map((p, i) => createFolio({ type: 0, offset: i }, 0, p.data.slice()))
        const stored = await zswap.storeBatch(folios)
        // the cache may reject nearly incompressible pages (reject_compress_poor), never the others
        sample.forEach((p, i) => {
          if (p.kind !== 'random' && p.kind !== 'corpus')
            expect(stored[i], `${p.name} must be stored`).toBe(true)
        })
        expect(stored.filter(Boolean).length).toBeGreaterThan(sample.length / 2)
        // a large folio of 4 pages
        const large = new Uint8Array(4 * PAGE_SIZE)
        for (let k = 0; k < 4; k++) large.set(sample[2 + k].data, k * PAGE_SIZE)
        expect(await zswap.store(createFolio({ type: 0, offset: 1024 }, 2, large.slice()))).toBe(true)
        for (let i = 0; i < sample.length; i++) {
          const into = createFolio({ type: 0, offset: i }, 0)
          expect(await zswap.load(into)).toBe(stored[i])
          if (stored[i]) expect(into.data).toEqual(sample[i].data)
        }
        const into = createFolio({ type: 0, offset: 1024 }, 2)
        expect(await zswap.load(into)).toBe(true)
        expect(into.data).toEqual(large)
        expect(zswap.storedPages).toBe(0)
      } finally {
        await zswap.close()
      }
    })
  })
}
