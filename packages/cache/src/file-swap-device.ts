import { type FileHandle, open, stat } from 'node:fs/promises'
import {
  ClosedError,
  InvalidArgumentError,
  invalidOption,
  OutOfRangeError,
  PAGE_SIZE,
  SPECIFICATION_VERSION,
  type SwapDevice,
  SwapIoError,
} from '@zswap/core'

/** Options of {@link fileSwapDevice}. */
export interface FileSwapDeviceOptions {
  /** Path of the swap file; created when missing. */
  path: string
  /** Capacity in pages. Default: the size of an existing file; required for a new one. */
  pages?: number
  /** Discard an existing file's contents. Default false (reopen keeps pages). */
  truncate?: boolean
}

/**
 * A swap file: page `offset` lives at byte `offset * 4096`, written and read
 * with positional I/O. The file is sized (sparsely) to `pages` pages; pages
 * never written read as zeros. Pages survive close() and a reopen.
 */
export async function fileSwapDevice(options: FileSwapDeviceOptions): Promise<SwapDevice> {
  const { path, truncate = false } = options ?? ({} as FileSwapDeviceOptions)
  if (typeof path !== 'string' || path.length === 0)
    throw invalidOption('@zswap/cache', 'path', 'a file path', 'type')
  let existing = -1
  try {
    existing = (await stat(path)).size
  } catch {}
  const pages = options.pages ?? (existing > 0 && !truncate ? Math.floor(existing / PAGE_SIZE) : undefined)
  if (!Number.isInteger(pages) || (pages as number) < 1) {
    throw invalidOption('@zswap/cache', 'pages', 'an integer ≥ 1 (required for a new file)')
  }
  let handle: FileHandle
  try {
    handle = await open(path, existing < 0 || truncate ? 'w+' : 'r+')
    await handle.truncate((pages as number) * PAGE_SIZE)
  } catch (cause) {
    throw new SwapIoError(`[@zswap/cache] cannot open swap file ${path}`, { cause })
  }
  return new FileSwapDevice(handle, pages as number, path)
}

class FileSwapDevice implements SwapDevice {
  readonly specificationVersion = SPECIFICATION_VERSION
  readonly name = 'file'
  readonly capabilities = { persistent: true }
  #handle: FileHandle | undefined

  constructor(
    handle: FileHandle,
    readonly pages: number,
    readonly path: string,
  ) {
    this.#handle = handle
  }

  async write(offset: number, src: Uint8Array): Promise<void> {
    const handle = this.#check(offset, src)
    try {
      const { bytesWritten } = await handle.write(src, 0, PAGE_SIZE, offset * PAGE_SIZE)
      if (bytesWritten !== PAGE_SIZE) throw new Error(`short write of ${bytesWritten} bytes`)
    } catch (cause) {
      throw new SwapIoError(`[@zswap/cache] write of page ${offset} to ${this.path} failed`, { cause })
    }
  }

  async read(offset: number, dst: Uint8Array): Promise<void> {
    const handle = this.#check(offset, dst)
    try {
      const { bytesRead } = await handle.read(dst, 0, PAGE_SIZE, offset * PAGE_SIZE)
      if (bytesRead < PAGE_SIZE) dst.fill(0, bytesRead)
    } catch (cause) {
      throw new SwapIoError(`[@zswap/cache] read of page ${offset} from ${this.path} failed`, { cause })
    }
  }

  async close(): Promise<void> {
    const handle = this.#handle
    this.#handle = undefined
    await handle?.close()
  }

  #check(offset: number, buffer: Uint8Array): FileHandle {
    if (this.#handle === undefined) throw new ClosedError(`[@zswap/cache] swap file ${this.path} is closed`)
    if (!Number.isInteger(offset) || offset < 0 || offset >= this.pages) {
      throw new OutOfRangeError(
        `[@zswap/cache] offset ${offset} outside the swap file (0..${this.pages - 1})`,
      )
    }
    if (!(buffer instanceof Uint8Array) || buffer.length !== PAGE_SIZE) {
      throw new InvalidArgumentError(`[@zswap/cache] swap device I/O takes one page of ${PAGE_SIZE} bytes`)
    }
    return this.#handle
  }
}
