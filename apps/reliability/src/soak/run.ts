import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createZswap, fileSwapDevice } from '@zswap/cache'
import { type Folio, PAGE_SIZE } from '@zswap/core'
import { lz4 } from '@zswap/lz4'
import { zsmalloc } from '@zswap/zsmalloc'
import { loadSoakCorpus, soakPage } from './corpus.js'

/** Options of {@link runSoak}. */
export interface SoakOptions {
  /** Pages to store, then load back. Default 1,000,000 (4 GiB logical). */
  pages?: number
  /** Corpus file or directory (default: ZSWAP_CORPUS, else the harness's bundled sample). */
  corpus?: string
  /** Pool limit in pages (sets ramBytes with maxPoolPercent 20). Default 16384 (64 MiB). */
  poolLimitPages?: number
  /** Pages per storeBatch / loadBatch call. Default 64. */
  batch?: number
  /** Directory for the swap file (a temp dir is made inside it and removed). Default os.tmpdir(). */
  dir?: string
  /** Called every `progressEvery` pages with a line of text. */
  onProgress?: (line: string) => void
  progressEvery?: number
}

/** What a soak run measured. */
export interface SoakReport {
  readonly pages: number
  readonly corpus: string
  readonly poolLimitPages: number
  /** Pages the cache accepted (the rest were rejected and written to the device directly, as swap does). */
  readonly stored: number
  readonly rejected: number
  readonly writtenBack: number
  readonly loadedFromCache: number
  readonly readFromDevice: number
  /** Pages that came back different: must be 0. */
  readonly mismatches: number
  /** Pool pages after every page was loaded back: must be 0. */
  readonly poolPagesEnd: number
  readonly storedPagesEnd: number
  readonly peakPoolBytes: number
  readonly peakRssBytes: number
  readonly rssStartBytes: number
  /** Store time per page over the first 10 K pages, and over the whole run. */
  readonly storeUsPerPageFirst10K: number
  readonly storeUsPerPageAll: number
  /** Store time per page over the last 10 K pages. */
  readonly storeUsPerPageLast10K: number
  readonly loadUsPerPage: number
  readonly seconds: number
  readonly stats: Record<string, unknown>
}

const WINDOW = 10_000

/**
 * Stores `pages` pages through lz4 + zsmalloc with a pool limit that forces
 * write-back to a file swap device, loads every page back (from the cache,
 * or from the swap file for written-back and rejected pages), compares each
 * with what was stored, and measures RSS, pool size and time per page.
 */
export async function runSoak(options: SoakOptions = {}): Promise<SoakReport> {
  const pages = options.pages ?? 1_000_000
  const batch = options.batch ?? 64
  const poolLimitPages = options.poolLimitPages ?? 16_384
  const progressEvery = options.progressEvery ?? 100_000
  const corpus = loadSoakCorpus(options.corpus)
  const dir = mkdtempSync(join(options.dir ?? tmpdir(), 'zswap-soak-'))
  const device = await fileSwapDevice({ path: join(dir, 'swap.bin'), pages, truncate: true })
  const cache = createZswap({
    compressor: lz4(),
    zpool: zsmalloc(),
    swapDevice: device,
    ramBytes: (poolLimitPages * PAGE_SIZE * 100) / 20,
    maxPoolPercent: 20,
  })
  const rssStartBytes = process.memoryUsage.rss()
  let peakRssBytes = rssStartBytes
  let peakPoolBytes = 0
  const sample = () => {
    const rss = process.memoryUsage.rss()
    if (rss > peakRssBytes) peakRssBytes = rss
    const pool = cache.stats().pool_total_size
    if (pool > peakPoolBytes) peakPoolBytes = pool
  }
  const buffer = new Uint8Array(batch * PAGE_SIZE)
  const folios: Folio[] = []
  const t0 = performance.now()
  let stored = 0
  let rejected = 0
  let tFirst = 0
  let tLastStart = 0
  const lastStart = Math.max(0, pages - WINDOW)
  try {
    // ---- store ----
    for (let base = 0; base < pages; base += batch) {
      const n = Math.min(batch, pages - base)
      folios.length = n
      for (let i = 0; i < n; i++) {
        const data = buffer.subarray(i * PAGE_SIZE, (i + 1) * PAGE_SIZE)
        soakPage(corpus, base + i, data)
        folios[i] = { swap: { type: 0, offset: base + i }, order: 0, data }
      }
      if (base <= lastStart && lastStart < base + n) tLastStart = performance.now()
      const results = await cache.storeBatch(folios)
      for (let i = 0; i < n; i++) {
        if (results[i]) stored++
        else {
          // a rejected page goes to the swap device directly, as the kernel's swap-out does
          rejected++
          await device.write(base + i, folios[i].data)
        }
      }
      if (base < WINDOW && base + n >= WINDOW) tFirst = performance.now() - t0
      if ((base / batch) % 16 === 0) sample()
      if (Math.floor((base + n) / progressEvery) > Math.floor(base / progressEvery)) {
        options.onProgress?.(
          `stored ${base + n}/${pages} pages, pool ${(cache.stats().pool_total_size / 2 ** 20).toFixed(1)} MiB, written back ${cache.stats().written_back_pages}, rss ${(process.memoryUsage.rss() / 2 ** 20).toFixed(0)} MiB`,
        )
      }
    }
    const tStore = performance.now() - t0
    if (pages < WINDOW) tFirst = tStore
    const tLast = performance.now() - tLastStart
    sample()
    const writtenBack = cache.stats().written_back_pages
    // ---- load back and compare ----
    const t1 = performance.now()
    const expected = new Uint8Array(PAGE_SIZE)
    const fromDevice = new Uint8Array(PAGE_SIZE)
    const inCache = new Uint8Array(batch)
    let loadedFromCache = 0
    let readFromDevice = 0
    let mismatches = 0
    for (let base = 0; base < pages; base += batch) {
      const n = Math.min(batch, pages - base)
      folios.length = 0
      inCache.fill(0)
      for (let i = 0; i < n; i++) {
        if (cache.has({ type: 0, offset: base + i })) {
          inCache[i] = 1
          const data = buffer.subarray(folios.length * PAGE_SIZE, (folios.length + 1) * PAGE_SIZE)
          folios.push({ swap: { type: 0, offset: base + i }, order: 0, data })
        }
      }
      const results = folios.length > 0 ? await cache.loadBatch(folios) : []
      for (let k = 0; k < folios.length; k++) {
        soakPage(corpus, folios[k].swap.offset, expected)
        if (!results[k] || !equal(folios[k].data, expected)) mismatches++
        else loadedFromCache++
      }
      for (let i = 0; i < n; i++) {
        const offset = base + i
        if (inCache[i] === 1) continue
        await device.read(offset, fromDevice)
        soakPage(corpus, offset, expected)
        if (!equal(fromDevice, expected)) mismatches++
        else readFromDevice++
      }
      if ((base / batch) % 16 === 0) sample()
      if (Math.floor((base + n) / progressEvery) > Math.floor(base / progressEvery)) {
        options.onProgress?.(`loaded ${base + n}/${pages} pages, mismatches ${mismatches}`)
      }
    }
    const tLoad = performance.now() - t1
    sample()
    const stats = cache.stats()
    return {
      pages,
      corpus: corpus.name,
      poolLimitPages,
      stored,
      rejected,
      writtenBack,
      loadedFromCache,
      readFromDevice,
      mismatches,
      poolPagesEnd: stats.pool_total_size / PAGE_SIZE,
      storedPagesEnd: stats.stored_pages,
      peakPoolBytes,
      peakRssBytes,
      rssStartBytes,
      storeUsPerPageFirst10K: (tFirst * 1000) / Math.min(WINDOW, pages),
      storeUsPerPageAll: (tStore * 1000) / pages,
      storeUsPerPageLast10K: (tLast * 1000) / Math.min(WINDOW, pages),
      loadUsPerPage: (tLoad * 1000) / pages,
      seconds: (performance.now() - t0) / 1000,
      stats: stats as unknown as Record<string, unknown>,
    }
  } finally {
    await cache.close()
    await device.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.length).equals(b)
}
