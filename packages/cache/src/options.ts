import { type Accelerator, type Compressor, invalidOption, type SwapDevice, type Zpool } from '@zswap/core'

const PKG = '@zswap/cache'

/** Runtime parameters, like /sys/module/zswap/parameters. */
export interface ZswapParams {
  /** Accept new stores. Off: stores are rejected and their stale entries dropped. Default true. */
  enabled: boolean
  /** Store large folios (order > 0). Default false (CONFIG_ZSWAP_STORE_THP_DEFAULT_ON=n). */
  mthpEnabled: boolean
  /** Pool limit as a percentage of `ramBytes`, 0..100. Default 20. */
  maxPoolPercent: number
  /** After the limit is hit, accept again below this percentage of the limit. Default 90. */
  acceptThresholdPercent: number
  /** Write back cold entries when the pool limit is hit. Default true. */
  shrinkerEnabled: boolean
}

/** Options of {@link createZswap}. */
export interface ZswapOptions extends Partial<ZswapParams> {
  /** The compressor; give this or `accelerator`. */
  compressor?: Compressor
  /** A batched accelerator; give this or `compressor`. */
  accelerator?: Accelerator
  /** Where compressed pages live. The cache destroys it on close(). */
  zpool: Zpool
  /**
   * Write-back targets, indexed by swap type (a single device serves type 0).
   * Without one, write-back is impossible and a full pool rejects stores.
   */
  swapDevice?: SwapDevice | readonly SwapDevice[]
  /** The "RAM size" the pool percentage applies to, in bytes. Default: os.totalmem(). */
  ramBytes?: number
  /**
   * Pages compressed together into one zpool object: 1 (zswap: a page per
   * object), 4 (16 KiB) or 16 (64 KiB). The pages of a large folio are
   * compressed in groups of `objectPages`; a folio with fewer pages is one
   * object of the whole folio, an order-0 folio one page. Each page keeps its
   * own entry and swap offset; the object is freed with its last page. Needs
   * an accelerator whose `capabilities.maxInputSize` and a zpool whose
   * `capabilities.maxObjectSize` are at least `objectPages × 4096` bytes.
   * Default 1.
   */
  objectPages?: 1 | 4 | 16
  /**
   * What a folio whose bytes are all zero becomes. `'map'` (Linux ≥ 6.12):
   * it is not compressed and takes no zpool object; its offsets are marked in
   * a zero map (one bit per offset), counted in `swpout_zero`, and a load
   * fills zeros (`swpin_zero`). `'store'`: compressed and stored like any
   * other folio, as kernels before 6.12 did. A folio with any non-zero byte
   * is stored normally, its zero pages included. Default `'map'`.
   */
  zeroPages?: 'map' | 'store'
  /**
   * What a page (or multi-page object) that does not compress below its
   * size becomes — the compressor returned -1 or all of its bytes, failed,
   * or returned a length outside 1..size. `'store'` (Linux ≥ 6.18): when its
   * cgroup may write back (`writeback`, default on), it is stored as-is, a
   * 4096-byte object per page, counted in `stored_incompressible_pages`;
   * loads and write-back copy it (no decompression), checked against a
   * CRC-32 kept beside it. Otherwise — and always with `'reject'`, the rule
   * before 6.18 — the folio is rejected (`reject_compress_poor`, or
   * `reject_compress_fail` for a failure). Default `'store'`.
   */
  incompressible?: 'store' | 'reject'
}

/** Per-cgroup settings, like memory.zswap.max and memory.zswap.writeback. */
export interface CgroupOptions {
  /** Hard limit of compressed bytes charged to the cgroup. Default Infinity. */
  zswapMax?: number
  /** Allow writing the cgroup's entries back to the swap device. Default true. */
  writeback?: boolean
}

/** Per-cgroup counters, as memory.stat. */
export interface CgroupStats {
  /** Compressed bytes charged now. */
  zswap: number
  /** Pages stored now. */
  zswapped: number
  /** Pages stored, cumulative. */
  zswpout: number
  /** Pages loaded, cumulative. */
  zswpin: number
  /** Pages written back, cumulative. */
  zswpwb: number
}

/** Folio sizes counted in `zswpout`, by order 0..9. */
export const ORDER_LABELS = ['4K', '8K', '16K', '32K', '64K', '128K', '256K', '512K', '1M', '2M'] as const

/** A plain-JSON snapshot of the debugfs counters. */
export interface ZswapStats {
  /** Pages stored now. */
  stored_pages: number
  /** zpool objects held now: a multi-page object counts once (equals stored_pages with objectPages 1). */
  stored_objects: number
  /** Pool pages × PAGE_SIZE, bytes. */
  pool_total_size: number
  pool_limit_hit: number
  reject_compress_fail: number
  reject_compress_poor: number
  reject_alloc_fail: number
  reject_reclaim_fail: number
  decompress_fail: number
  written_back_pages: number
  /** Pages stored now that did not compress and are held as-is (4096 bytes each); in stored_pages. */
  stored_incompressible_pages: number
  /** Pages of all-zero folios kept out of the pool by the zero map, cumulative (zeroPages 'map'). */
  swpout_zero: number
  /** All-zero folios kept out of the pool, by size ('4K' … '2M'), cumulative. */
  swpout_zero_folios: Record<(typeof ORDER_LABELS)[number], number>
  /** Pages loaded from the zero map (filled with zeros), cumulative. */
  swpin_zero: number
  /** Folios stored, by size ('4K' … '2M'). */
  zswpout: Record<(typeof ORDER_LABELS)[number], number>
  /** Per-cgroup counters; the root cgroup is `'/'`. */
  cgroups: Record<string, CgroupStats>
  /**
   * Only once an accelerator whose time is modeled (`capabilities.timing:
   * 'modeled'`) has run a store or load batch: ns waited for those batches
   * here (measured) and the modeled device time (Σ per batch of its slowest
   * job's `modeledNs`). Not a kernel counter.
   */
  accelerator_time?: {
    model: string
    compress_batches: number
    compress_wait_ns: number
    compress_modeled_ns: number
    decompress_batches: number
    decompress_wait_ns: number
    decompress_modeled_ns: number
  }
}

/** Keys of {@link ZswapParams}, accepted by `setParams`. */
export const PARAM_KEYS: readonly (keyof ZswapParams)[] = [
  'enabled',
  'mthpEnabled',
  'maxPoolPercent',
  'acceptThresholdPercent',
  'shrinkerEnabled',
]

/** Keys of {@link ZswapOptions}, accepted by `createZswap`. */
export const OPTION_KEYS: readonly (keyof ZswapOptions)[] = [
  'compressor',
  'accelerator',
  'zpool',
  'swapDevice',
  'ramBytes',
  'objectPages',
  'zeroPages',
  'incompressible',
  ...PARAM_KEYS,
]

/** Keys of {@link CgroupOptions}. */
export const CGROUP_OPTION_KEYS: readonly (keyof CgroupOptions)[] = ['zswapMax', 'writeback']

/**
 * @throws TypeError (code ERR_INVALID_OPTION) unless `options` is a plain
 * object whose own keys are all in `valid`; the message lists the valid keys.
 */
export function assertOptionKeys(options: unknown, valid: readonly string[], what: string): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw invalidOption(PKG, '', `an object (the options of ${what})`, 'type')
  }
  for (const key of Object.keys(options)) {
    if (!valid.includes(key)) {
      throw invalidOption(PKG, key, `a known option of ${what} (valid keys: ${valid.join(', ')})`)
    }
  }
}
