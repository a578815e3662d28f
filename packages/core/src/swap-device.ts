import type { SpecificationVersion } from './specification.js'

/** What a swap device can do, as data. */
export interface SwapDeviceCapabilities {
  /** True when written pages survive close() and a reopen (a file). */
  readonly persistent: boolean
}

/**
 * Backing store for write-back: whole pages addressed by page offset, like
 * a swap partition or file.
 */
export interface SwapDevice {
  /** Contract version implemented: `'v1'`. */
  readonly specificationVersion: SpecificationVersion
  /** Short name: `'memory'`, `'file'`. */
  readonly name: string
  /** Capabilities; read once by callers. */
  readonly capabilities: SwapDeviceCapabilities
  /** Capacity in pages; valid offsets are 0 .. pages-1. */
  readonly pages: number

  /**
   * Writes one page (`src.length === PAGE_SIZE`) at `offset`.
   * @throws OutOfRangeError; SwapIoError when the write fails; ClosedError.
   */
  write(offset: number, src: Uint8Array): Promise<void>

  /**
   * Reads the page at `offset` into `dst` (`PAGE_SIZE` bytes). A page never
   * written reads as zeros.
   * @throws OutOfRangeError; SwapIoError; ClosedError.
   */
  read(offset: number, dst: Uint8Array): Promise<void>

  /** Flushes and releases the device. */
  close(): Promise<void>
}
