import { type Compressor, PAGE_SIZE } from '@zswap/core'
import { zsmalloc } from '@zswap/zsmalloc'
import { DriverRegistry } from '../spec/registry.js'

/** The figures kernel-check compares, from the kernel or from the emulation. */
export interface CheckFigures {
  /** Pages handed to swap. */
  readonly pages: number
  /** Pages held by zswap after the page-out (debugfs stored_pages). */
  readonly stored: number
  /** Pages kept out of zswap because their folio was all zeros (vmstat swpout_zero). */
  readonly zero: number
  /** Pages stored as-is (debugfs stored_incompressible_pages). */
  readonly incompressible: number
  /** Bytes of pool memory (debugfs pool_total_size). */
  readonly poolBytes: number
  /** Stores refused (debugfs reject_* and pool_limit_hit). */
  readonly rejects: number
  /** Large folios stored, by folio size in KiB (hugepages-<N>kB/stats/zswpout); empty for order 0. */
  readonly zswpoutByKiB: ReadonlyMap<number, number>
}

/** Compression ratio of the stored pages: their bytes over the pool's. */
export function poolRatio(f: CheckFigures): number {
  return f.poolBytes === 0 ? 0 : (f.stored * PAGE_SIZE) / f.poolBytes
}

/**
 * The project's compressor for a kernel compressor name, in the kernel's
 * format (no checksum trailer), from its driver package: deflate (level 6,
 * the kernel's), lzo, lz4, zstd (level 3, crypto/zstd.c's default).
 * @throws UsageError (from the registry) when the driver package is not built
 * @returns undefined when the harness has no driver for that compressor
 */
export async function driverCompressor(name: string): Promise<Compressor | undefined> {
  const options: Record<string, Record<string, unknown>> = {
    deflate: { level: 6, checksum: false },
    lzo: { checksum: false },
    lz4: { checksum: false },
    zstd: { level: 3 },
  }
  const opts = options[name]
  const registry = new DriverRegistry()
  // lzo before the registry knows it
  const entry =
    registry.get(name) ??
    (name === 'lzo' ? { kind: 'compressor' as const, name, package: '@zswap/lzo' } : undefined)
  if (opts === undefined || entry === undefined) return undefined
  const factory = (await registry.factory(entry)) as (o: object) => Compressor
  return factory(opts)
}

function allZero(data: Uint8Array, start: number, end: number): boolean {
  // 8 bytes at a time: folios start on page boundaries
  const words = new BigUint64Array(data.buffer, data.byteOffset + start, (end - start) >> 3)
  for (let i = 0; i < words.length; i++) if (words[i] !== 0n) return false
  return true
}

/**
 * The compressed size of every page, -1 where compression failed; into a
 * two-page buffer, as zswap's per-CPU one.
 */
export function compressedSizes(data: Uint8Array, compressor: Compressor): Int32Array {
  const pages = data.length / PAGE_SIZE
  const sizes = new Int32Array(pages)
  const dst = new Uint8Array(2 * PAGE_SIZE)
  for (let p = 0; p < pages; p++) {
    try {
      sizes[p] = compressor.compress(data.subarray(p * PAGE_SIZE, (p + 1) * PAGE_SIZE), dst)
    } catch {
      sizes[p] = -1
    }
  }
  return sizes
}

/**
 * Runs pages through the swap path as Linux 6.18 does, in folios of
 * `folioPages`: a folio of zeros goes to the swap layer's zero map
 * (swpout_zero), any other folio is stored page by page; a page whose
 * compressed size (`sizes`) is 4096 bytes or more, or -1 (failed), is stored
 * as-is in a 4096-byte object (stored_incompressible_pages); every object goes
 * to a zsmalloc pool with the kernel's chain size (CONFIG_ZSMALLOC_CHAIN_SIZE, 8).
 */
export function emulate(
  data: Uint8Array,
  sizes: Int32Array,
  options: { folioPages?: number; chainSize?: number } = {},
): CheckFigures {
  const folioPages = options.folioPages ?? 1
  const pages = data.length / PAGE_SIZE
  const pool = zsmalloc({ chainSize: options.chainSize ?? 8 })
  const byKiB = new Map<number, number>()
  let stored = 0
  let zero = 0
  let incompressible = 0
  try {
    for (let f = 0; f < pages; f += folioPages) {
      const n = Math.min(folioPages, pages - f)
      if (allZero(data, f * PAGE_SIZE, (f + n) * PAGE_SIZE)) {
        zero += n
        continue
      }
      for (let p = f; p < f + n; p++) {
        let len = sizes[p]
        if (len < 0 || len >= PAGE_SIZE) {
          len = PAGE_SIZE
          incompressible++
        }
        pool.malloc(len)
        stored++
      }
      if (n > 1) byKiB.set(n * 4, (byKiB.get(n * 4) ?? 0) + 1)
    }
    return {
      pages,
      stored,
      zero,
      incompressible,
      poolBytes: pool.totalPages * PAGE_SIZE,
      rejects: 0,
      zswpoutByKiB: byKiB,
    }
  } finally {
    pool.destroy()
  }
}
