import {
  ClosedError,
  InvalidArgumentError,
  invalidOption,
  OutOfRangeError,
  PAGE_SHIFT,
  PAGE_SIZE,
  SPECIFICATION_VERSION,
  type SwapDevice,
} from '@zswap/core'

const CHUNK_PAGES = 256

/** Options of {@link memorySwapDevice}. */
export interface MemorySwapDeviceOptions {
  /** Capacity in pages. */
  pages: number
}

/**
 * A swap device in memory, for tests and benchmarks: 1 MiB chunks allocated
 * on first write; unwritten pages read as zeros.
 */
export function memorySwapDevice(options: MemorySwapDeviceOptions): SwapDevice {
  const { pages } = options ?? ({} as MemorySwapDeviceOptions)
  if (!Number.isInteger(pages) || pages < 1) throw invalidOption('@zswap/cache', 'pages', 'an integer ≥ 1')
  const chunks: (Uint8Array | undefined)[] = []
  let closed = false
  const check = (offset: number, buffer: Uint8Array) => {
    if (closed) throw new ClosedError('[@zswap/cache] memory swap device is closed')
    if (!Number.isInteger(offset) || offset < 0 || offset >= pages) {
      throw new OutOfRangeError(`[@zswap/cache] offset ${offset} outside the device (0..${pages - 1})`)
    }
    if (!(buffer instanceof Uint8Array) || buffer.length !== PAGE_SIZE) {
      throw new InvalidArgumentError(`[@zswap/cache] swap device I/O takes one page of ${PAGE_SIZE} bytes`)
    }
  }
  return {
    specificationVersion: SPECIFICATION_VERSION,
    name: 'memory',
    capabilities: { persistent: false },
    pages,
    async write(offset, src) {
      check(offset, src)
      const c = Math.floor(offset / CHUNK_PAGES)
      const chunk = (chunks[c] ??= new Uint8Array(CHUNK_PAGES * PAGE_SIZE))
      chunk.set(src, (offset % CHUNK_PAGES) << PAGE_SHIFT)
    },
    async read(offset, dst) {
      check(offset, dst)
      const chunk = chunks[Math.floor(offset / CHUNK_PAGES)]
      if (chunk === undefined) {
        dst.fill(0)
        return
      }
      const start = (offset % CHUNK_PAGES) << PAGE_SHIFT
      dst.set(chunk.subarray(start, start + PAGE_SIZE))
    },
    async close() {
      closed = true
      chunks.length = 0
    },
  }
}
