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
  /** Its default format detects every bit flip (a checksum), so `corrupt-read` must never load wrong bytes. */
  readonly checksum: boolean
}

/** A zpool the fuzzer can put under the cache. */
export interface ZpoolRow {
  readonly name: string
  readonly create: () => Zpool
}

/** IAA job timeout in the fuzz: short, so an injected delay is taken over quickly. */
export const IAA_FUZZ_TIMEOUT_MS = 100

/** Compressors: one row each. */
export const COMPRESSORS: readonly CompressorRow[] = [
  { name: 'lz4', checksum: true, create: () => lz4() },
  { name: 'zstd', checksum: true, create: () => zstd({ level: 1 }) },
  { name: 'deflate', checksum: false, create: () => deflate({ level: 1 }) },
  {
    name: 'iaa',
    iaa: true,
    checksum: false,
    create: () => iaa({ engines: 2, jobTimeoutMs: IAA_FUZZ_TIMEOUT_MS, restartLimit: 1000 }),
  },
]

/**
 * Zpools: one row each. New allocators (by_n, other object sizes) are one
 * line here, e.g. `{ name: 'by_n-4', create: () => byN({ n: 4 }) }`.
 */
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
