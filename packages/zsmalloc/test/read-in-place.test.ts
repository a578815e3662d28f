import { ErrorCode, InvalidArgumentError, PAGE_SIZE, PageArena } from '@zswap/core'
import { describe, expect, it } from 'vitest'
import { sizeClassIndex, ZS_HANDLE_SIZE, ZS_MULTI_PAGE_MAX_OBJECT, zsmalloc } from '../src/index.js'

type Pool = ReturnType<typeof zsmalloc>

function pattern(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length)
  for (let i = 0; i < length; i++) out[i] = (i * 29 + seed * 13 + (i >>> 7)) & 0xff
  return out
}

/** The largest payload below the huge threshold whose class has `pages` pages per zspage. */
function payloadWithPages(pool: Pool, pages: number): number {
  for (let n = pool.hugeClassSize - 1; n > 0; n--) {
    const c = pool.classTable.mergedInto[sizeClassIndex(n + ZS_HANDLE_SIZE)]
    if (pool.classTable.pagesPerZspage[c] === pages) return n
  }
  throw new Error(`no class with ${pages} pages per zspage`)
}

/**
 * Fills `zspages` zspages of the class of `size`, checks every object through
 * readInPlace, and returns how many came back as copies in scratch (the rest
 * were views of pool memory).
 */
function readAll(pool: Pool, size: number, objects: number): number {
  const handles: number[] = []
  for (let i = 0; i < objects; i++) {
    const h = pool.malloc(size)
    pool.write(h, pattern(size, i))
    handles.push(h)
  }
  let copies = 0
  const scratch = new Uint8Array(size + 8)
  handles.forEach((h, i) => {
    scratch.fill(0xee)
    const seen = pool.readInPlace(h, size, scratch)
    expect(seen.length).toBe(size)
    expect(Buffer.from(seen).equals(Buffer.from(pattern(size, i))), `object ${i}`).toBe(true)
    if (seen.buffer === scratch.buffer) {
      copies++
      expect(scratch.subarray(size).every((b) => b === 0xee)).toBe(true)
    } else {
      expect(
        scratch.every((b) => b === 0xee),
        'a view leaves scratch alone',
      ).toBe(true)
    }
  })
  return copies
}

describe('zsmalloc readInPlace (zs_obj_read_begin)', () => {
  it('returns views of pool memory when a zspage’s pages sit side by side, as fresh ones do', () => {
    const pool = zsmalloc()
    const size = payloadWithPages(pool, 4)
    // objects of this class straddle pages; the zspage's pages are adjacent in the arena
    expect(readAll(pool, size, 40)).toBe(0)
    const huge = pool.malloc(PAGE_SIZE)
    pool.write(huge, pattern(PAGE_SIZE, 7))
    const scratch = new Uint8Array(PAGE_SIZE)
    const seen = pool.readInPlace(huge, PAGE_SIZE, scratch)
    expect(seen.buffer).not.toBe(scratch.buffer)
    expect(Buffer.from(seen).equals(Buffer.from(pattern(PAGE_SIZE, 7)))).toBe(true)
    pool.destroy()
  })

  it('copies a straddling object into scratch when its pages are not side by side', () => {
    // hand the pool pages in the order 7, 5, 3, 1, 6, 4, 2, 0 (the arena's free list is LIFO)
    const arena = new PageArena()
    const pages = Array.from({ length: 8 }, () => arena.alloc())
    for (const p of [0, 2, 4, 6, 1, 3, 5, 7]) arena.free(pages[p])
    const pool = zsmalloc({ arena })
    const size = payloadWithPages(pool, 4)
    const copies = readAll(pool, size, 20)
    expect(copies).toBeGreaterThan(0)
    expect(copies).toBeLessThan(20) // the objects that lie in one page are still views
    pool.destroy()
  })

  it('reads every object of every class right when the zspage’s pages are scattered', () => {
    // objects that end a few bytes into the next page too (the header counts towards the end)
    let copies = 0
    for (let size = 48; size <= 3264; size += 16) {
      const arena = new PageArena()
      const pages = Array.from({ length: 8 }, () => arena.alloc())
      for (const p of [0, 2, 4, 6, 1, 3, 5, 7]) arena.free(pages[p])
      const pool = zsmalloc({ arena })
      const c = pool.classTable.mergedInto[sizeClassIndex(size + ZS_HANDLE_SIZE)]
      copies += readAll(pool, size, Math.min(pool.classTable.objsPerZspage[c], 24))
      pool.destroy()
    }
    expect(copies).toBeGreaterThan(0)
  })

  it('copies an object that crosses from one arena chunk into the next', () => {
    const pool = zsmalloc({ arena: new PageArena({ chunkPages: 1 }) })
    const size = payloadWithPages(pool, 4)
    expect(readAll(pool, size, 20)).toBeGreaterThan(0)
    pool.destroy()
  })

  it('reads multi-page objects in place, or copies them across non-adjacent pages', () => {
    const pool = zsmalloc({ multiPage: true })
    expect(readAll(pool, ZS_MULTI_PAGE_MAX_OBJECT - 100, 6)).toBe(0)
    pool.destroy()
    const split = zsmalloc({ multiPage: true, arena: new PageArena({ chunkPages: 2 }) })
    expect(readAll(split, 3 * PAGE_SIZE, 6)).toBeGreaterThan(0)
    split.destroy()
  })

  it('checks length and scratch against the object: InvalidArgumentError', () => {
    const pool = zsmalloc()
    const h = pool.malloc(300)
    for (const [length, scratch] of [
      [301, new Uint8Array(400)],
      [300, new Uint8Array(299)],
    ] as const) {
      expect(() => pool.readInPlace(h, length, scratch)).toThrow(InvalidArgumentError)
    }
    try {
      pool.readInPlace(h, 301, new Uint8Array(400))
    } catch (error) {
      expect((error as InvalidArgumentError).code).toBe(ErrorCode.INVALID_ARGUMENT)
      expect((error as Error).message).toBe(
        '[@zswap/zsmalloc] length must be an integer in [0, 300], got 301',
      )
    }
    pool.destroy()
  })
})
