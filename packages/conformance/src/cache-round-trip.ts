import type { Accelerator, Compressor, Folio, SwapDevice, SwapEntry, Zpool } from '@zswap/core'

/** The part of @zswap/cache the suites use; typed here so the suites build without it. */
export interface CacheModule {
  createZswap(options: {
    compressor?: Compressor
    accelerator?: Accelerator
    zpool: Zpool
    swapDevice?: SwapDevice
    ramBytes?: number
    maxPoolPercent?: number
    mthpEnabled?: boolean
  }): CacheInstance
  memorySwapDevice(options: { pages: number }): SwapDevice
}

/** The part of a Zswap instance the suites use. */
export interface CacheInstance {
  store(folio: Folio): Promise<boolean>
  storeBatch(folios: readonly Folio[]): Promise<boolean[]>
  load(folio: Folio): Promise<boolean>
  loadBatch(folios: readonly Folio[]): Promise<boolean[]>
  has(swap: SwapEntry): boolean
  shrink(nrPages: number): Promise<number>
  readonly storedPages: number
  stats(): { reject_compress_poor: number }
  close(): Promise<void>
}

let loaded: Promise<CacheModule | undefined> | undefined

/**
 * @zswap/cache when it is installed, else undefined. An optional peer: the
 * suites still load without it and report the cache round trips as skipped.
 * The specifier is a variable so bundlers leave the import alone.
 */
export function loadCache(): Promise<CacheModule | undefined> {
  const specifier = '@zswap/cache'
  loaded ??= import(specifier).then(
    (m: CacheModule) => (typeof m.createZswap === 'function' ? m : undefined),
    () => undefined,
  )
  return loaded
}

/** RAM size given to caches in the suites: large enough that limits never interfere. */
export const CACHE_RAM_BYTES = 1 << 30
