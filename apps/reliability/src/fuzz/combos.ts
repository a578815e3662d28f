import { byN } from '@zswap/by-n'
import type { ZswapOptions } from '@zswap/cache'
import type { Accelerator, Compressor, Zpool } from '@zswap/core'
import { deflate } from '@zswap/deflate'
import { type IaaDevice, iaa } from '@zswap/iaa'
import { lz4 } from '@zswap/lz4'
import { z3fold } from '@zswap/z3fold'
import { zbud } from '@zswap/zbud'
import { zsmalloc } from '@zswap/zsmalloc'
import { zstd } from '@zswap/zstd'

/** A compressor (or accelerator) the fuzzer can put under the cache. */
export interface CompressorRow {
  readonly name: string
  readonly create: () => Compressor | Accelerator
  /** An emulated IAA device: the `iaa-*` faults apply. */
  readonly iaa?: boolean
  /**
   * Extra `createZswap` options for this row's stacks. Hook for multi-page
   * objects (`objectPages`, another branch): a row `{ ..., cache: { objectPages: 16 } }`
   * — the model then also has to expect one page of an object to load alone.
   */
  readonly cache?: Partial<ZswapOptions>
}

/** A zpool the fuzzer can put under the cache. */
export interface ZpoolRow {
  readonly name: string
  readonly create: () => Zpool
}

/** IAA job timeout in the fuzz: short, so an injected delay is taken over quickly. */
export const IAA_FUZZ_TIMEOUT_MS = 100

/**
 * Compressors: one row each. Every default format detects a flipped bit
 * (lz4's and zstd's checksums, deflate's and by_n's CRC-32, the IAA formats'
 * CRC-32), so `corrupt-read` must never load a wrong page on any row.
 */
export const COMPRESSORS: readonly CompressorRow[] = [
  { name: 'lz4', create: () => lz4() },
  { name: 'zstd', create: () => zstd({ level: 1 }) },
  { name: 'deflate', create: () => deflate({ level: 1 }) },
  {
    name: 'iaa',
    iaa: true,
    create: () => iaa({ engines: 2, jobTimeoutMs: IAA_FUZZ_TIMEOUT_MS, restartLimit: 1000 }),
  },
  // by_n over lz4: each page is cut into 4 chunks of 1 KiB (8 pages per batch), packed behind a header and a CRC-32
  { name: 'by_n', create: () => byN(lz4(), { n: 4, maxBatch: 8 }) },
]

/** Zpools: one row each; a new allocator is one line here. */
export const ZPOOLS: readonly ZpoolRow[] = [
  { name: 'zsmalloc', create: () => zsmalloc() },
  { name: 'zbud', create: () => zbud() },
  { name: 'z3fold', create: () => z3fold() },
]

/** One stack the fuzzer runs: a compressor row crossed with a zpool row. */
export interface Combo {
  readonly name: string
  readonly compressor: CompressorRow
  readonly zpool: ZpoolRow
}

/** Every compressor × every zpool, named `compressor+zpool`. */
export const COMBOS: readonly Combo[] = COMPRESSORS.flatMap((compressor) =>
  ZPOOLS.map((zpool) => ({ name: `${compressor.name}+${zpool.name}`, compressor, zpool })),
)

/** True for an emulated IAA device (it has injectFault). */
export function isIaaDevice(x: unknown): x is IaaDevice {
  return typeof (x as { injectFault?: unknown }).injectFault === 'function'
}
