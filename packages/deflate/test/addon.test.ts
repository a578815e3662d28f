import { existsSync } from 'node:fs'
import { Worker } from 'node:worker_threads'
import { inflateRawSync, crc32 as zlibCrc32 } from 'node:zlib'
import { textPage } from '@zswap/conformance'
import { CompressionFailedError, CorruptDataError } from '@zswap/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { loadAddon } from '../src/addon.js'
import { deflate } from '../src/index.js'
import { libdeflate } from './engines.js'

const PAGE = 4096

// CI installs libdeflate-dev: there a missing addon is a build failure, not a silent fallback.
it.runIf(['/usr/include/libdeflate.h', '/usr/local/include/libdeflate.h'].some((h) => existsSync(h)))(
  'the addon is built wherever libdeflate-dev is installed (else: pnpm --filter @zswap/deflate build)',
  () => {
    expect(libdeflate).toMatchObject({ available: true })
  },
)

describe.runIf(libdeflate.available)('libdeflate addon', () => {
  const addon = loadAddon().addon as NonNullable<ReturnType<typeof loadAddon>['addon']>

  it('reports its library and linkage', () => {
    expect(addon.libdeflateVersion).toMatch(/^1\.\d+/)
    expect(libdeflate.libdeflateVersion).toBe(addon.libdeflateVersion)
    expect(['static', 'shared']).toContain(addon.linkage)
  })

  it("its CRC-32 is zlib's on any bytes and any view offset", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), fc.nat(15), (bytes, skip) => {
        const view = bytes.subarray(Math.min(skip, bytes.length))
        expect(addon.crc32(view)).toBe(zlibCrc32(view) >>> 0)
      }),
    )
    expect(addon.crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926)
  })

  it('rejects anything but Uint8Arrays and a level in [0, 12] with a TypeError, which the driver types', () => {
    const page = textPage(1)
    const dst = new Uint8Array(PAGE)
    expect(() => addon.compress(new Int16Array(8) as unknown as Uint8Array, dst, 1)).toThrow(TypeError)
    expect(() => addon.compress(page, dst, 13)).toThrow(TypeError)
    expect(() => addon.compress(page, dst, -1)).toThrow(TypeError)
    expect(() => addon.compressChecksum(page, dst, '1' as unknown as number)).toThrow(TypeError)
    expect(() => (addon.compress as (a: Uint8Array, b: Uint8Array) => number)(page, dst)).toThrow(TypeError)
    expect(() => addon.decompress(page, 'x' as unknown as Uint8Array)).toThrow(TypeError)
    expect(() => addon.crc32({} as Uint8Array)).toThrow(TypeError)
    const c = deflate({ engine: 'libdeflate' })
    expect(() => c.compress(page, new Float64Array(8) as unknown as Uint8Array)).toThrow(
      CompressionFailedError,
    )
    expect(() => c.decompress(new DataView(page.buffer) as unknown as Uint8Array, page)).toThrow(
      CorruptDataError,
    )
  })

  it('runs in worker threads, each with its own state, and their blocks read anywhere', async () => {
    // The driver from dist/ when it is built (turbo builds before testing), else the addon itself.
    const dist = new URL('../dist/index.js', import.meta.url)
    const addonPath = loadAddon().path
    const source = `
      const { parentPort, workerData } = require('node:worker_threads')
      ;(async () => {
        let compress, decompress, engine = 'libdeflate'
        if (workerData.dist) {
          const c = (await import(workerData.dist)).deflate({ engine: 'libdeflate', level: 1 })
          compress = (s, d) => c.compress(s, d)
          decompress = (s, d) => c.decompress(s, d)
          engine = c.capabilities.engine
        } else {
          const addon = require(workerData.addonPath)
          compress = (s, d) => addon.compressChecksum(s, d, 1)
          decompress = addon.decompressChecksum
        }
        const out = []
        for (const page of workerData.pages) {
          const dst = new Uint8Array(page.length)
          const n = compress(page, dst)
          const back = new Uint8Array(page.length)
          if (decompress(dst.subarray(0, n), back) !== page.length) throw new Error('round trip')
          out.push(dst.slice(0, n))
        }
        parentPort.postMessage({ engine, out })
      })().catch((e) => { throw e })
    `
    const pages = Array.from({ length: 32 }, (_, i) => textPage(200 + i))
    const run = () =>
      new Promise<{ engine: string; out: Uint8Array[] }>((resolve, reject) => {
        const workerData = { addonPath, pages, dist: existsSync(dist) ? dist.href : undefined }
        const w = new Worker(source, { eval: true, workerData })
        w.once('message', resolve)
        w.once('error', reject)
      })
    // two workers at once, while this thread compresses too
    const c = deflate({ engine: 'libdeflate', level: 1 })
    const pending = [run(), run()]
    const mine = pages.map((p) => {
      const dst = new Uint8Array(PAGE)
      return dst.slice(0, c.compress(p, dst))
    })
    const results = await Promise.all(pending)
    for (const { engine, out: blocks } of results) {
      expect(engine).toBe('libdeflate')
      expect(blocks).toHaveLength(pages.length)
      blocks.forEach((b, i) => {
        expect(b).toEqual(mine[i]) // same library, same level: same bytes
        expect(new Uint8Array(inflateRawSync(b.subarray(0, b.length - 4)))).toEqual(pages[i])
        const out = new Uint8Array(PAGE)
        expect(deflate({ engine: 'zlib' }).decompress(b, out)).toBe(PAGE)
        expect(out).toEqual(pages[i])
      })
    }
  })
})
