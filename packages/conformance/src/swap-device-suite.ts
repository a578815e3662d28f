import {
  assertSpecification,
  createFolio,
  ErrorCode,
  PAGE_SIZE,
  type SwapDevice,
  ZswapError,
} from '@zswap/core'
import { referenceZpool } from '@zswap/core/testing'
import { describe, expect, it } from 'vitest'
import { CACHE_RAM_BYTES, loadCache } from './cache-round-trip.js'
import { caught, expectBytes, expectCode, type Factory } from './helpers.js'
import { referenceCompressor } from './reference-compressor.js'
import { randomPage, samplePages, textPage } from './sample-pages.js'

const ZEROS = new Uint8Array(PAGE_SIZE)

/** Options of {@link swapDeviceSuite}. */
export interface SwapDeviceSuiteOptions {
  /**
   * Reopens the device that `previous` was (same file, same size), after the
   * suite has closed it. Required when the device declares
   * `capabilities.persistent`: the persistence test fails without it.
   */
  reopen?: (previous: SwapDevice) => SwapDevice | Promise<SwapDevice>
}

/**
 * The conformance suite of the SwapDevice contract, as a vitest `describe`
 * block. `factory` returns a fresh, empty device of at least 16 pages.
 * Persistence across close and reopen is tested when the device declares
 * `capabilities.persistent`.
 *
 * @example
 * swapDeviceSuite('file', () => fileSwapDevice({ path: tmp(), pages: 64 }), {
 *   reopen: (d) => fileSwapDevice({ path: pathOf(d), pages: 64 }),
 * })
 */
export function swapDeviceSuite(
  name: string,
  factory: Factory<SwapDevice>,
  options: SwapDeviceSuiteOptions = {},
): void {
  async function withDevice(fn: (d: SwapDevice) => Promise<void>): Promise<void> {
    const d = await factory()
    try {
      await fn(d)
    } finally {
      await caught(() => d.close())
    }
  }

  async function readPage(d: SwapDevice, offset: number): Promise<Uint8Array> {
    const out = new Uint8Array(PAGE_SIZE).fill(0xee)
    await d.read(offset, out)
    return out
  }

  describe(`swap device conformance: ${name}`, () => {
    it('declares the v1 contract: name, pages, persistent', async () => {
      await withDevice(async (d) => {
        expect(() => assertSpecification(d, 'swap device')).not.toThrow()
        expect(typeof d.name).toBe('string')
        expect(d.name.length).toBeGreaterThan(0)
        expect(typeof d.capabilities.persistent).toBe('boolean')
        expect(Number.isInteger(d.pages) && d.pages >= 16).toBe(true)
      })
    })

    it('reads zeros from a page never written', async () => {
      await withDevice(async (d) => {
        for (const offset of [0, 1, d.pages - 1])
          expectBytes(await readPage(d, offset), ZEROS, `offset ${offset}`)
      })
    })

    it('writes and reads pages by offset, including the first and the last', async () => {
      await withDevice(async (d) => {
        const offsets = [0, 1, 2, Math.floor(d.pages / 2), d.pages - 2, d.pages - 1]
        for (const o of offsets) await d.write(o, textPage(o + 1))
        for (const o of offsets) expectBytes(await readPage(d, o), textPage(o + 1), `offset ${o}`)
        expectBytes(await readPage(d, 3), ZEROS, 'offset 3, never written')
      })
    })

    it('overwrites in place without touching the neighbours', async () => {
      await withDevice(async (d) => {
        for (const o of [4, 5, 6]) await d.write(o, textPage(o))
        await d.write(5, randomPage(5))
        await d.write(5, randomPage(55))
        expectBytes(await readPage(d, 4), textPage(4), 'offset 4')
        expectBytes(await readPage(d, 5), randomPage(55), 'offset 5')
        expectBytes(await readPage(d, 6), textPage(6), 'offset 6')
      })
    })

    it('takes src and dst views at non-zero offsets of larger buffers', async () => {
      await withDevice(async (d) => {
        const backing = new Uint8Array(3 * PAGE_SIZE).fill(0x11)
        backing.set(textPage(8), 100)
        await d.write(7, backing.subarray(100, 100 + PAGE_SIZE))
        const out = new Uint8Array(2 * PAGE_SIZE).fill(0x22)
        await d.read(7, out.subarray(55, 55 + PAGE_SIZE))
        expectBytes(out.subarray(55, 55 + PAGE_SIZE), textPage(8), 'the page read into a view')
        expect(out.subarray(0, 55).every((b) => b === 0x22)).toBe(true)
        expect(out.subarray(55 + PAGE_SIZE).every((b) => b === 0x22)).toBe(true)
      })
    })

    it('serves concurrent writes and reads to different offsets', async () => {
      await withDevice(async (d) => {
        const offsets = Array.from({ length: 16 }, (_, i) => (i * 5) % d.pages)
        await Promise.all(offsets.map((o) => d.write(o, randomPage(o + 1000))))
        const pages = await Promise.all(offsets.map((o) => readPage(d, o)))
        for (const [i, p] of pages.entries())
          expectBytes(p, randomPage(offsets[i] + 1000), `offset ${offsets[i]}`)
      })
    })

    it('rejects out-of-range offsets with OutOfRangeError and leaves the device intact', async () => {
      await withDevice(async (d) => {
        await d.write(0, textPage(1))
        for (const offset of [-1, d.pages, d.pages + 1, 2 ** 40, 1.5, Number.NaN]) {
          await expectCode(() => d.write(offset, textPage(2)), ErrorCode.OUT_OF_RANGE)
          await expectCode(() => d.read(offset, new Uint8Array(PAGE_SIZE)), ErrorCode.OUT_OF_RANGE)
        }
        expectBytes(await readPage(d, 0), textPage(1), 'offset 0')
      })
    })

    it('rejects a src or dst that is not one page with a typed error', async () => {
      await withDevice(async (d) => {
        for (const size of [0, 1, PAGE_SIZE - 1, PAGE_SIZE + 1]) {
          const e1 = await caught(() => d.write(0, new Uint8Array(size)))
          expect(ZswapError.isInstance(e1), `write of ${size} bytes: ${String(e1)}`).toBe(true)
          const e2 = await caught(() => d.read(0, new Uint8Array(size)))
          expect(ZswapError.isInstance(e2), `read into ${size} bytes: ${String(e2)}`).toBe(true)
        }
      })
    })

    it('rejects use after close() with ClosedError', async () => {
      const d = await factory()
      await d.write(0, textPage(1))
      await d.close()
      await expectCode(() => d.write(0, textPage(1)), ErrorCode.CLOSED)
      await expectCode(() => d.read(0, new Uint8Array(PAGE_SIZE)), ErrorCode.CLOSED)
    })

    it('keeps written pages across close and reopen when it declares persistent', async () => {
      const d = await factory()
      const persistent = d.capabilities.persistent
      const pages = d.pages
      const offsets = [0, 9, pages - 1]
      for (const o of offsets) await d.write(o, textPage(o + 77))
      await d.close()
      if (!persistent) return
      expect(options.reopen, 'a persistent device must pass options.reopen to swapDeviceSuite').toBeTypeOf(
        'function',
      )
      const again = await (options.reopen as NonNullable<SwapDeviceSuiteOptions['reopen']>)(d)
      try {
        expect(again.pages).toBe(pages)
        for (const o of offsets)
          expectBytes(await readPage(again, o), textPage(o + 77), `offset ${o} after reopen`)
        expectBytes(await readPage(again, 1), ZEROS, 'offset 1 after reopen, never written')
      } finally {
        await again.close()
      }
    })

    it('receives write-back from the cache (createZswap shrink), page for page', async (ctx) => {
      const cache = await loadCache()
      if (!cache) return ctx.skip('@zswap/cache is not installed')
      const device = await factory()
      const zswap = cache.createZswap({
        compressor: referenceCompressor(),
        zpool: referenceZpool(),
        swapDevice: device,
        ramBytes: CACHE_RAM_BYTES,
      })
      try {
        // pages the cache compresses: not random ones, and not all-zero ones (the zero map holds those)
        const sample = samplePages()
          .filter((p) => p.kind !== 'random' && p.data.some((b) => b !== 0))
          .slice(0, Math.min(16, device.pages))
        for (const [i, p] of sample.entries()) {
          expect(await zswap.store(createFolio({ type: 0, offset: i }, 0, p.data.slice()))).toBe(true)
        }
        expect(await zswap.shrink(sample.length)).toBe(sample.length)
        for (const [i, p] of sample.entries()) {
          expect(zswap.has({ type: 0, offset: i })).toBe(false)
          expectBytes(await readPage(device, i), p.data, `${p.name} written back to offset ${i}`)
        }
      } finally {
        await zswap.close()
        await caught(() => device.close())
      }
    })
  })
}
