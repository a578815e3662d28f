import type { Zpool } from '@zswap/core'
import { referenceZpool, rleCompressor } from '@zswap/core/testing'
import { describe, expect, it } from 'vitest'
import { createZswap, type Zswap } from '../src/index.js'
import { emptyFolio, folioAt } from './fixtures.js'

// Tests written for the mutants Stryker left alive in the store, load,
// invalidate and limit code (RELIABILITY.md, "Mutation testing"): each
// pins a behaviour no other test checked closely enough.

const has = (cache: Zswap, offset: number) => cache.has({ type: 0, offset })

/** A reference zpool whose `free` throws once, on the n-th call from when `arm(n)` is called. */
function freeFaultZpool() {
  const inner = referenceZpool()
  let frees = 0
  let failAt = 0
  const zpool: Zpool = {
    specificationVersion: inner.specificationVersion,
    name: 'free-fault',
    capabilities: inner.capabilities,
    malloc: (size) => inner.malloc(size),
    free(handle) {
      if (++frees === failAt) throw new Error('[test] injected free fault')
      inner.free(handle)
    },
    write: (handle, src) => inner.write(handle, src),
    read: (handle, dst) => inner.read(handle, dst),
    get totalPages() {
      return inner.totalPages
    },
    destroy: () => inner.destroy(),
  }
  return {
    zpool,
    arm(nth: number) {
      failAt = frees + nth
    },
  }
}

describe('store: a bug-level fault leaves no folio half-stored', () => {
  it('zpool.free throwing while a stale entry is replaced: store throws, no page of the folio stays', async () => {
    const pool = freeFaultZpool()
    const cache = createZswap({ compressor: rleCompressor(), zpool: pool.zpool, mthpEnabled: true })
    expect(await cache.store(folioAt(0, 2, 1))).toBe(true) // offsets 0..3
    expect(await cache.store(folioAt(8))).toBe(true) // elsewhere: must stay
    pool.arm(1) // the first free: the stale entry at offset 0, replaced by the new folio's page 0
    await expect(cache.store(folioAt(0, 2, 2))).rejects.toThrow('injected free fault')
    for (let i = 0; i < 4; i++) expect(has(cache, i)).toBe(false)
    expect(has(cache, 8)).toBe(true)
    expect(cache.stats().stored_pages).toBe(1)
    // the cache still works after it
    expect(await cache.store(folioAt(0, 2, 3))).toBe(true)
    const out = emptyFolio(0, 2)
    expect(await cache.load(out)).toBe(true)
    expect(out.data).toEqual(folioAt(0, 2, 3).data)
  })
})
