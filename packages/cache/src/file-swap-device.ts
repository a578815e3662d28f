import { type FileHandle, open, stat } from 'node:fs/promises'
import {
  ClosedError,
  InsecureSwapFileError,
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
  /**
   * What to do when an existing file's mode lets group or others read or
   * write it (any of 0o077, and setuid/setgid/sticky: swapon's check): swapped
   * pages are process memory. `'warn'` (default) opens it and emits a
   * process warning (code `ZSWAP_INSECURE_SWAP_FILE`) as swapon does;
   * `'refuse'` throws InsecureSwapFileError. A new file is always created
   * with mode 0600.
   */
  permissions?: 'warn' | 'refuse'
}

/** Mode bits swapon(8) calls insecure on a swap file: setuid/setgid/sticky, and any group or other access. */
const INSECURE_MODE = 0o7077
/** Mode of a swap file this module creates: its owner only. */
export const SWAP_FILE_MODE = 0o600

/**
 * A swap file: page `offset` lives at byte `offset * 4096`, written and read
 * with positional I/O. The file is sized (sparsely) to `pages` pages; pages
 * never written read as zeros. Pages survive close() and a reopen.
 *
 * A new file is created with mode 0600 (the pages in it are process
 * memory); an existing one that group or others may access is opened with
 * a warning, or refused with `permissions: 'refuse'` (InsecureSwapFileError).
 */
export async function fileSwapDevice(options: FileSwapDeviceOptions): Promise<SwapDevice> {
  const { path, truncate = false, permissions = 'warn' } = options ?? ({} as FileSwapDeviceOptions)
  if (typeof path !== 'string' || path.length === 0)
    throw invalidOption('@zswap/cache', 'path', 'a file path', 'type')
  if (permissions !== 'warn' && permissions !== 'refuse') {
    throw invalidOption('@zswap/cache', 'permissions', "'warn' or 'refuse'")
  }
  let existing = -1
  let mode = 0
  try {
    const st = await stat(path)
    existing = st.size
    mode = st.mode
  } catch {}
  if (existing >= 0 && (mode & INSECURE_MODE) !== 0) {
    const octal = (m: number) => (m & 0o7777).toString(8).padStart(4, '0')
    const message =
      `[@zswap/cache] swap file ${path} has insecure permissions ${octal(mode)}, ` +
      `${octal(SWAP_FILE_MODE)} suggested (chmod 600): other users can read the swapped pages`
    if (permissions === 'refuse') throw new InsecureSwapFileError(message)
    process.emitWarning(message, { code: 'ZSWAP_INSECURE_SWAP_FILE' })
  }
  const pages = options.pages ?? (existing > 0 && !truncate ? Math.floor(existing / PAGE_SIZE) : undefined)
  if (!Number.isInteger(pages) || (pages as number) < 1) {
    throw invalidOption('@zswap/cache', 'pages', 'an integer ≥ 1 (required for a new file)')
  }
  let handle: FileHandle
  try {
    // 'wx+': a file that appeared since stat() is not silently taken over
    handle = await open(path, existing < 0 ? 'wx+' : truncate ? 'w+' : 'r+', SWAP_FILE_MODE)
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
