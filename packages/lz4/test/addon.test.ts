import { existsSync } from 'node:fs'
import { Worker } from 'node:worker_threads'
import { crc32 as zlibCrc32 } from 'node:zlib'
import { CompressionFailedError, CorruptDataError } from '@zswap/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { loadAddon } from '../src/addon.js'
import { lz4 } from '../src/index.js'
import { liblz4 } from './backends.js'
import { PAGE, textPage } from './pages.js'

// CI installs liblz4-dev: there a missing addon is a build failure, not a silent fallback.
it.runIf(['/usr/include/lz4.h', '/usr/local/include/lz4.h'].some((h) => existsSync(h)))(
  'the addon is built wherever liblz4-dev is installed (else: pnpm --filter @zswap/lz4 build)',
  () => {
    expect(liblz4).toMatchObject({ available: true })
  },
)

describe.runIf(liblz4.available)('liblz4 addon', () => {
  const addon = loadAddon().addon as NonNullable<ReturnType<typeof loadAddon>['addon']>

  it('reports its library, CRC-32 source and linkage', () => {
    expect(addon.lz4Version).toMatch(/^1\.\d+\.\d+$/)
    expect(['isa-l', 'libdeflate', 'zlib']).toContain(addon.crc32Implementation)
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

  it('rejects anything but Uint8Arrays with a TypeError, which the driver types', () => {
    const page = textPage()
    expect(() => addon.compress(new Int16Array(8) as unknown as Uint8Array, new Uint8Array(PAGE))).toThrow(
      TypeError,
    )
    expect(() => addon.decompress(page, 'x' as unknown as Uint8Array)).toThrow(TypeError)
    expect(() => addon.crc32({} as Uint8Array)).toThrow(TypeError)
    const c = lz4({ backend: 'liblz4' })
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
        let compress, decompress, backend = 'liblz4'
        if (workerData.dist) {
          const c = (await import(workerData.dist)).lz4({ backend: 'liblz4' })
          compress = (s, d) => c.compress(s, d)
          decompress = (s, d) => c.decompress(s, d)
          backend = c.capabilities.backend
        } else {
          const addon = require(workerData.addonPath)
          compress = addon.compressChecksum
          decompress = addon.decompressChecksum
        }
        const out = []
        for (const page of workerData.pages) {
          const dst = new Uint8Array(2 * page.length)
          const n = compress(page, dst)
          const back = new Uint8Array(page.length)
          if (decompress(dst.subarray(0, n), back) !== page.length) throw new Error('round trip')
          out.push(dst.slice(0, n))
        }
        parentPort.postMessage({ backend, out })
      })().catch((e) => { throw e })
    `
    const pages = Array.from({ length: 32 }, (_, i) => textPage(200 + i))
    const run = () =>
      new Promise<{ backend: string; out: Uint8Array[] }>((resolve, reject) => {
        const workerData = { addonPath, pages, dist: existsSync(dist) ? dist.href : undefined }
        const w = new Worker(source, { eval: true, workerData })
        w.once('message', resolve)
        w.once('error', reject)
      })
    // two workers at once, while this thread compresses too
    const c = lz4({ backend: 'liblz4' })
    const pending = [run(), run()]
    const mine = pages.map((p) => {
      const dst = new Uint8Array(2 * PAGE)
      return dst.slice(0, c.compress(p, dst))
    })
    const results = await Promise.all(pending)
    for (const { backend, out: blocks } of results) {
      expect(backend).toBe('liblz4')
      expect(blocks).toHaveLength(pages.length)
      blocks.forEach((b, i) => {
        expect(b).toEqual(mine[i]) // same library, same state rules: same bytes
        const out = new Uint8Array(PAGE)
        expect(lz4({ backend: 'lz4-napi' }).decompress(b, out)).toBe(PAGE)
        expect(out).toEqual(pages[i])
      })
    }
  })
})
