import { chmodSync, mkdtempSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ErrorCode, InsecureSwapFileError, PAGE_SIZE } from '@zswap/core'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { fileSwapDevice } from '../src/index.js'
import { rejection } from './fixtures.js'

// A swap file holds process memory: created 0600, and an existing file that
// group or others may access is warned about (swapon: "insecure permissions
// 0644, 0600 suggested") or refused.

const dir = mkdtempSync(join(tmpdir(), 'zswap-swapfile-mode-'))
let files = 0
const newPath = () => join(dir, `swap-${files++}`)
const modeOf = (path: string) => statSync(path).mode & 0o7777

afterEach(() => {
  vi.restoreAllMocks()
})

describe('fileSwapDevice permissions', () => {
  it('creates a new file with mode 0600, also when truncating a missing path', async () => {
    for (const truncate of [false, true]) {
      const path = newPath()
      const device = await fileSwapDevice({ path, pages: 2, truncate })
      expect(modeOf(path)).toBe(0o600)
      await device.close()
    }
  })

  it('warns (ZSWAP_INSECURE_SWAP_FILE) and opens an existing file that others can read', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {})
    for (const mode of [0o644, 0o640, 0o604, 0o660, 0o1600]) {
      const path = newPath()
      writeFileSync(path, new Uint8Array(2 * PAGE_SIZE))
      chmodSync(path, mode)
      const device = await fileSwapDevice({ path })
      expect(device.pages).toBe(2)
      await device.close()
      expect(warn).toHaveBeenLastCalledWith(
        `[@zswap/cache] swap file ${path} has insecure permissions ${mode.toString(8).padStart(4, '0')}, ` +
          '0600 suggested (chmod 600): other users can read the swapped pages',
        { code: 'ZSWAP_INSECURE_SWAP_FILE' },
      )
    }
    expect(warn).toHaveBeenCalledTimes(5)
  })

  it('says nothing about a file only its owner can access', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {})
    for (const mode of [0o600, 0o700]) {
      const path = newPath()
      writeFileSync(path, new Uint8Array(PAGE_SIZE))
      chmodSync(path, mode)
      await (await fileSwapDevice({ path, permissions: 'refuse' })).close()
      await (await fileSwapDevice({ path })).close()
    }
    expect(warn).not.toHaveBeenCalled()
  })

  it("permissions: 'refuse' throws InsecureSwapFileError and leaves the file as it was", async () => {
    const path = newPath()
    const data = new Uint8Array(PAGE_SIZE).fill(7)
    writeFileSync(path, data)
    chmodSync(path, 0o644)
    const error = await rejection(fileSwapDevice({ path, permissions: 'refuse', truncate: true, pages: 4 }))
    expect(error).toBeInstanceOf(InsecureSwapFileError)
    expect(error.code).toBe(ErrorCode.INSECURE_SWAP_FILE)
    expect(statSync(path).size).toBe(PAGE_SIZE)
    expect(modeOf(path)).toBe(0o644)
    chmodSync(path, 0o600)
    await (await fileSwapDevice({ path, permissions: 'refuse' })).close()
  })

  it('rejects a permissions value that is not warn or refuse', async () => {
    const error = await rejection(
      fileSwapDevice({ path: newPath(), pages: 1, permissions: 'ignore' as never }),
    )
    expect(error.code).toBe(ErrorCode.INVALID_OPTION)
    expect(error.message).toBe("[@zswap/cache] options.permissions must be 'warn' or 'refuse'")
  })
})
