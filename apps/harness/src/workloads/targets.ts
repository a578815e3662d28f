import { type AcceleratorTime, createZswap, type ZswapStats } from '@zswap/cache'
import { type Folio, isAccelerator, PAGE_SIZE, type SwapDevice } from '@zswap/core'
import { SizeRecordingZpool } from '../measure/pool-at-scale.js'
import type { ComposedStack } from '../spec/stack-spec.js'

/** Where a workload stores and loads folios: a zswap stack, or the memcpy baseline. */
export interface Target {
  readonly name: string
  store(folio: Folio): Promise<boolean>
  load(folio: Folio): Promise<boolean>
  loadBatch(folios: readonly Folio[]): Promise<boolean[]>
  /** Pages the pool holds now. */
  poolPages(): number
  /** Compressed bytes held now (root cgroup charge). */
  compressedBytes(): number
  /** The cache's counters (undefined for the baseline). */
  stats(): ZswapStats | undefined
  /** The accelerator's or compressor's own stats, when it has a stats() method. */
  driverStats(): unknown
  /** The cache's live accelerator time, when the stack's accelerator models time (see @zswap/cache). */
  acceleratorTime?(): Readonly<AcceleratorTime>
  /** Sizes of the zpool objects held now, in allocation order (undefined for the baseline). */
  objectSizes(): Int32Array | undefined
  close(): Promise<void>
}

/** Options of {@link zswapTarget}. */
export interface ZswapTargetOptions {
  /** RAM size the pool percentage applies to. */
  ramBytes: number
  mthpEnabled: boolean
  swapDevice?: SwapDevice
}

/**
 * A fresh cache over a composed stack; close() destroys the zpool and closes
 * the codec. The zpool is wrapped in a {@link SizeRecordingZpool} (one call
 * more per allocation), so the pool can be measured again at scale.
 */
export function zswapTarget(stack: ComposedStack, o: ZswapTargetOptions): Target {
  const zpool = new SizeRecordingZpool(stack.zpool)
  const zswap = createZswap({
    ...(isAccelerator(stack.compressor)
      ? { accelerator: stack.compressor }
      : { compressor: stack.compressor }),
    zpool,
    ramBytes: o.ramBytes,
    mthpEnabled: o.mthpEnabled,
    ...stack.cache,
    ...(stack.objectPages > 1 ? { objectPages: stack.objectPages } : {}),
    ...(o.swapDevice === undefined ? {} : { swapDevice: o.swapDevice }),
  })
  const driver = stack.compressor as { stats?: () => unknown }
  return {
    name: stack.name,
    store: (f) => zswap.store(f),
    load: (f) => zswap.load(f),
    loadBatch: (f) => zswap.loadBatch(f),
    poolPages: () => stack.zpool.totalPages,
    compressedBytes: () => zswap.stats().cgroups['/']?.zswap ?? 0,
    stats: () => zswap.stats(),
    driverStats: () => (typeof driver.stats === 'function' ? driver.stats() : undefined),
    ...(isAccelerator(stack.compressor) && stack.compressor.capabilities.timing === 'modeled'
      ? { acceleratorTime: () => zswap.acceleratorTime }
      : {}),
    objectSizes: () => zpool.liveSizes(),
    close: () => zswap.close(),
  }
}

/**
 * The ceiling every stack is compared with (as lzbench's memcpy row): each page
 * copied into a Map of buffers on store and copied back (and dropped) on load.
 */
export function memcpyTarget(): Target {
  const pages = new Map<number, Uint8Array>()
  const key = (f: Folio, i: number) => f.swap.type * 2 ** 31 + f.swap.offset + i
  const load = (f: Folio) => {
    const n = 1 << f.order
    for (let i = 0; i < n; i++) if (!pages.has(key(f, i))) return false
    for (let i = 0; i < n; i++) {
      f.data.set(pages.get(key(f, i))!, i * PAGE_SIZE)
      pages.delete(key(f, i))
    }
    return true
  }
  return {
    name: 'memcpy',
    store: async (f) => {
      const n = 1 << f.order
      for (let i = 0; i < n; i++) pages.set(key(f, i), f.data.slice(i * PAGE_SIZE, (i + 1) * PAGE_SIZE))
      return true
    },
    load: async (f) => load(f),
    loadBatch: async (fs) => fs.map(load),
    poolPages: () => pages.size,
    compressedBytes: () => pages.size * PAGE_SIZE,
    stats: () => undefined,
    driverStats: () => undefined,
    objectSizes: () => undefined,
    close: async () => pages.clear(),
  }
}
