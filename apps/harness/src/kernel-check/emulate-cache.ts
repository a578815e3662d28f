import { createHash } from 'node:crypto'
import { createZswap, ORDER_LABELS } from '@zswap/cache'
import { type Compressor, createFolio, PAGE_SIZE, swapEntry } from '@zswap/core'
import { zsmalloc } from '@zswap/zsmalloc'
import type { CheckFigures } from './emulate.js'

function key(page: Uint8Array): string {
  return createHash('sha1').update(page).digest('base64')
}

/**
 * A compressor that "compresses" each page to the size measured for it
 * (looked up by the page's content: equal pages have equal sizes), so the
 * cache can be driven by sizes from any source. Its bytes are not a real
 * block: for counting only, never for a load.
 */
export function sizedCompressor(data: Uint8Array, sizes: Int32Array): Compressor {
  const bySha = new Map<string, number>()
  for (let p = 0; p < sizes.length; p++)
    bySha.set(key(data.subarray(p * PAGE_SIZE, (p + 1) * PAGE_SIZE)), sizes[p])
  return {
    specificationVersion: 'v1',
    name: 'measured sizes',
    capabilities: { format: 'sizes-only' },
    compress(src, dst) {
      const n = bySha.get(key(src))
      if (n === undefined) throw new Error('[zswap-harness] page without a measured size')
      if (n < 0 || n > dst.length) return -1
      dst.fill(0x5a, 0, n)
      return n
    },
    decompress() {
      throw new Error('[zswap-harness] sizes-only compressor: nothing to decompress')
    },
  }
}

/**
 * The emulation through @zswap/cache itself: its zero map (`zeroPages:
 * 'map'`), pages that do not compress stored as-is (`incompressible:
 * 'store'`), a zsmalloc pool with the kernel's chain size, no limit and no
 * shrinker, large folios on. The figures are the cache's own counters.
 * (emulate.ts holds the same rules written out, the reference the tests
 * check this against.)
 */
export async function emulateWithCache(
  data: Uint8Array,
  sizes: Int32Array,
  options: { folioPages?: number; chainSize?: number } = {},
): Promise<CheckFigures> {
  const folioPages = options.folioPages ?? 1
  const order = Math.log2(folioPages)
  const pages = data.length / PAGE_SIZE
  const zswap = createZswap({
    compressor: sizedCompressor(data, sizes),
    zpool: zsmalloc({ chainSize: options.chainSize ?? 8 }),
    mthpEnabled: true,
    shrinkerEnabled: false,
    maxPoolPercent: 100,
    ramBytes: 4 * data.length + (64 << 20),
    zeroPages: 'map',
    incompressible: 'store',
  })
  try {
    for (let f = 0; f + folioPages <= pages; f += folioPages) {
      const folio = createFolio(
        swapEntry(0, f),
        order,
        data.subarray(f * PAGE_SIZE, (f + folioPages) * PAGE_SIZE),
      )
      await zswap.store(folio)
    }
    const s = zswap.stats()
    const byKiB = new Map<number, number>()
    if (order > 0) {
      ORDER_LABELS.forEach((label, o) => {
        const n = s.zswpout[label]
        if (o > 0 && n > 0) byKiB.set(4 << o, n)
      })
    }
    let rejects = 0
    for (const [k, v] of Object.entries(s)) if (k.startsWith('reject_') && typeof v === 'number') rejects += v
    return {
      pages,
      stored: s.stored_pages,
      zero: s.swpout_zero,
      incompressible: s.stored_incompressible_pages,
      poolBytes: s.pool_total_size,
      rejects,
      zswpoutByKiB: byKiB,
    }
  } finally {
    await zswap.close()
  }
}
