import { type Compressor, createFolio, type Folio, PAGE_SIZE, type SwapDevice, type Zpool } from '@zswap/core'
import {
  type FaultPlan,
  faultPlan,
  faultyCompressor,
  faultySwapDevice,
  faultyZpool,
  referenceZpool,
  rleCompressor,
} from '@zswap/core/testing'
import { createZswap, memorySwapDevice, type Zswap, type ZswapOptions } from '../src/index.js'

/** A page that RLE compresses to a few dozen bytes; `seed` makes it unique. */
export function compressiblePage(seed: number): Uint8Array {
  const page = new Uint8Array(PAGE_SIZE)
  let x = seed * 2654435761 + 1
  for (let i = 0; i < PAGE_SIZE; ) {
    x = (x * 1103515245 + 12345) >>> 0
    const run = 64 + (x % 192)
    page.fill((x >>> 8) & 0xff, i, Math.min(PAGE_SIZE, i + run))
    i += run
  }
  page[0] = seed & 0xff
  page[1] = (seed >>> 8) & 0xff
  return page
}

/** A page no compressor shrinks. */
export function randomPage(seed: number): Uint8Array {
  const page = new Uint8Array(PAGE_SIZE)
  let x = seed + 0x9e3779b9
  for (let i = 0; i < PAGE_SIZE; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    page[i] = x & 0xff
  }
  return page
}

/** A folio of 2^order compressible pages. */
export function folioAt(offset: number, order = 0, seed = offset, cgroup?: string, type = 0): Folio {
  const data = new Uint8Array(PAGE_SIZE << order)
  for (let i = 0; i < 1 << order; i++) data.set(compressiblePage(seed * 1024 + i), i * PAGE_SIZE)
  return createFolio({ type, offset }, order, data, cgroup)
}

/** An empty folio to load into. */
export function emptyFolio(offset: number, order = 0, type = 0): Folio {
  return createFolio({ type, offset }, order)
}

export interface TestStack {
  cache: Zswap
  plan: FaultPlan
  zpool: Zpool
  compressor: Compressor
  device: SwapDevice
}

/** A cache over the RLE compressor, the reference zpool and a memory swap device, all fault-injectable. */
export function testStack(options: Partial<ZswapOptions> & { maxPages?: number } = {}): TestStack {
  const plan = faultPlan()
  const compressor = faultyCompressor(rleCompressor(), plan)
  const { maxPages, ...rest } = options
  const zpool = faultyZpool(referenceZpool({ maxPages }), plan)
  const device = faultySwapDevice(memorySwapDevice({ pages: 1 << 16 }), plan)
  const cache = createZswap({ compressor, zpool, swapDevice: device, ramBytes: 1 << 30, ...rest })
  return { cache, plan, zpool, compressor, device }
}
