import { mkdtempSync, statSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  ClosedError,
  ErrorCode,
  InvalidArgumentError,
  OutOfRangeError,
  PAGE_SIZE,
  type SwapDevice,
  SwapIoError,
} from '@zswap/core'
import { thrown } from '@zswap/core/testing'
import { describe, expect, it } from 'vitest'
import { fileSwapDevice, memorySwapDevice } from '../src/index.js'
import { rejection } from './fixtures.js'

// The two swap devices' own checks and edges, beyond the conformance suite
// (swap-device-conformance.test.ts): exact errors, option handling, the
// memory device's chunk boundaries and the file device's sizing.

const dir = mkdtempSync(join(tmpdir(), 'zswap-swapdev-edges-'))
let files = 0
const newPath = () => join(dir, `swap-${files++}`)

const page = (seed: number) => new Uint8Array(PAGE_SIZE).fill(seed)

async function expectRangeAndSize(device: SwapDevice, what: string) {
  const last = device.pages - 1
  for (const offset of [-1, device.pages, 1.5, Number.NaN]) {
    const error = await rejection(device.write(offset, page(1)))
    expect(error).toBeInstanceOf(OutOfRangeError)
    expect(error.message).toBe(`[@zswap/cache] offset ${offset} outside the ${what} (0..${last})`)
    expect(await rejection(device.read(offset, page(1)))).toBeInstanceOf(OutOfRangeError)
  }
  for (const buffer of [new Uint8Array(PAGE_SIZE - 1), new Uint8Array(PAGE_SIZE + 1), new Array(PAGE_SIZE)]) {
    const error = await rejection(device.write(0, buffer as never))
    expect(error).toBeInstanceOf(InvalidArgumentError)
    expect(error.message).toBe(`[@zswap/cache] swap device I/O takes one page of ${PAGE_SIZE} bytes`)
    expect(await rejection(device.read(0, buffer as never))).toBeInstanceOf(InvalidArgumentError)
  }
  // the last page is in range
  await device.write(last, page(9))
  const out = page(0)
  await device.read(last, out)
  expect(out).toEqual(page(9))
}

describe('memorySwapDevice', () => {
  it('pages: an integer ≥ 1', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, '8']) {
      const error = thrown(() => memorySwapDevice({ pages: bad as never }))
      expect(error).toBeInstanceOf(RangeError)
      expect(error.code).toBe(ErrorCode.INVALID_OPTION)
      expect(error.message).toBe('[@zswap/cache] options.pages must be an integer ≥ 1')
    }
    expect(thrown(() => memorySwapDevice(undefined as never)).code).toBe(ErrorCode.INVALID_OPTION)
    expect(memorySwapDevice({ pages: 1 }).pages).toBe(1)
    expect(memorySwapDevice({ pages: 1 }).capabilities.persistent).toBe(false)
  })

  it('rejects bad offsets and buffers with exact messages', async () => {
    await expectRangeAndSize(memorySwapDevice({ pages: 300 }), 'device')
  })

  it('keeps pages apart across its 256-page chunks, and reads zeros elsewhere', async () => {
    const device = memorySwapDevice({ pages: 1024 })
    const offsets = [0, 1, 255, 256, 257, 511, 512, 1023]
    for (const offset of offsets) await device.write(offset, page(offset % 251))
    for (const offset of offsets) {
      const out = page(0xee)
      await device.read(offset, out)
      expect(out).toEqual(page(offset % 251))
    }
    // a page never written, in a chunk with pages (2) and in a chunk without (768): zeros over garbage
    for (const offset of [2, 768]) {
      const out = page(0xee)
      await device.read(offset, out)
      expect(out).toEqual(page(0))
    }
  })

  it('is closed after close()', async () => {
    const device = memorySwapDevice({ pages: 4 })
    await device.write(0, page(1))
    await device.close()
    for (const io of [device.write(0, page(1)), device.read(0, page(0))]) {
      const error = await rejection(io)
      expect(error).toBeInstanceOf(ClosedError)
      expect(error.message).toBe('[@zswap/cache] memory swap device is closed')
    }
  })
})

describe('fileSwapDevice', () => {
  it('path: a non-empty string', async () => {
    for (const bad of ['', undefined, 5]) {
      const error = await rejection(fileSwapDevice({ path: bad as never, pages: 4 }))
      expect(error).toBeInstanceOf(TypeError)
      expect(error.code).toBe(ErrorCode.INVALID_OPTION)
      expect(error.message).toBe('[@zswap/cache] options.path must be a file path')
    }
    expect((await rejection(fileSwapDevice(undefined as never))).code).toBe(ErrorCode.INVALID_OPTION)
    const one = await fileSwapDevice({ path: newPath(), pages: 1 })
    expect(one.pages).toBe(1)
    expect(one.capabilities.persistent).toBe(true)
    await one.close()
  })

  it('pages: required for a new or truncated file, else the size of the existing one', async () => {
    const message = '[@zswap/cache] options.pages must be an integer ≥ 1 (required for a new file)'
    for (const bad of [undefined, 0, 1.5]) {
      const error = await rejection(fileSwapDevice({ path: newPath(), pages: bad }))
      expect(error).toBeInstanceOf(RangeError)
      expect(error.message).toBe(message)
    }
    // an existing file of 3.5 pages: 3 pages
    const path = newPath()
    writeFileSync(path, new Uint8Array(3 * PAGE_SIZE + PAGE_SIZE / 2).fill(7))
    const device = await fileSwapDevice({ path })
    expect(device.pages).toBe(3)
    expect(statSync(path).size).toBe(3 * PAGE_SIZE)
    const out = page(0)
    await device.read(2, out)
    expect(out).toEqual(page(7)) // reopened in place: contents kept
    await device.close()
    // truncate: the existing size does not count, and the contents go
    expect((await rejection(fileSwapDevice({ path, truncate: true }))).message).toBe(message)
    const truncated = await fileSwapDevice({ path, truncate: true, pages: 2 })
    await truncated.read(1, out)
    expect(out).toEqual(page(0))
    await truncated.close()
    // an empty existing file has no size to take
    const empty = newPath()
    writeFileSync(empty, new Uint8Array(0))
    expect((await rejection(fileSwapDevice({ path: empty }))).message).toBe(message)
    // a file of less than a page neither
    const tiny = newPath()
    writeFileSync(tiny, new Uint8Array(100))
    expect((await rejection(fileSwapDevice({ path: tiny }))).message).toBe(message)
    // pages given for an existing file resizes it, keeping the pages within
    const grown = await fileSwapDevice({ path, pages: 8 })
    expect(statSync(path).size).toBe(8 * PAGE_SIZE)
    await grown.close()
  })

  it('a file that cannot be opened is a SwapIoError naming it', async () => {
    const path = join(dir, 'missing-dir', 'swap')
    const error = await rejection(fileSwapDevice({ path, pages: 4 }))
    expect(error).toBeInstanceOf(SwapIoError)
    expect(error.message).toBe(`[@zswap/cache] cannot open swap file ${path}`)
    expect((error as { cause?: unknown }).cause).toBeDefined()
  })

  it('rejects bad offsets and buffers with exact messages', async () => {
    const device = await fileSwapDevice({ path: newPath(), pages: 5 })
    await expectRangeAndSize(device, 'swap file')
    await device.close()
  })

  it('reads zeros past the end of a file cut short behind its back', async () => {
    const path = newPath()
    const device = await fileSwapDevice({ path, pages: 4 })
    await device.write(1, page(5))
    await device.write(2, page(6))
    truncateSync(path, PAGE_SIZE + 100)
    const out = page(0xee)
    await device.read(1, out)
    expect(out.subarray(0, 100)).toEqual(page(5).subarray(0, 100))
    expect(out.subarray(100)).toEqual(new Uint8Array(PAGE_SIZE - 100))
    await device.read(2, out)
    expect(out).toEqual(page(0))
    await device.close()
  })

  it('is closed after close(), naming the file; close() twice is fine', async () => {
    const path = newPath()
    const device = await fileSwapDevice({ path, pages: 2 })
    await device.close()
    await device.close()
    for (const io of [device.write(0, page(1)), device.read(0, page(0))]) {
      const error = await rejection(io)
      expect(error).toBeInstanceOf(ClosedError)
      expect(error.message).toBe(`[@zswap/cache] swap file ${path} is closed`)
    }
  })

  it('a failed read or write is a SwapIoError naming the page and the file', async () => {
    const path = newPath()
    const device = await fileSwapDevice({ path, pages: 2 })
    // a one-byte view that claims a page's length: passes the check, and the file I/O throws
    const liar = () => {
      const view = new Uint8Array(1)
      Object.defineProperty(view, 'length', { value: PAGE_SIZE })
      return view
    }
    const write = await rejection(device.write(1, liar()))
    expect(write).toBeInstanceOf(SwapIoError)
    expect(write.message).toBe(`[@zswap/cache] write of page 1 to ${path} failed`)
    expect((write as { cause?: unknown }).cause).toBeDefined()
    const read = await rejection(device.read(1, liar()))
    expect(read).toBeInstanceOf(SwapIoError)
    expect(read.message).toBe(`[@zswap/cache] read of page 1 from ${path} failed`)
    await device.close()
  })
})
