import { type Accelerator, PAGE_SIZE, SPECIFICATION_VERSION, type Zpool } from '@zswap/core'
import { referenceZpool } from '@zswap/core/testing'
import { describe, expect, it } from 'vitest'
import { createZswap } from '../src/index.js'
import { emptyFolio, folioAt, gatedAccelerator } from './fixtures.js'

// Which pages one load job may cover when a folio meets multi-page objects,
// and the bookkeeping of objects and index nodes (metadataBytes): cases the
// second full Stryker run of the cache found unpinned (RELIABILITY.md).

const pageOf = (data: Uint8Array, i: number) => data.subarray(i * PAGE_SIZE, (i + 1) * PAGE_SIZE)

/** An accelerator of maxBatch 8 over RLE taking 4-page objects, counting its decompress jobs. */
function counting() {
  const { accel: inner } = gatedAccelerator(8, undefined, { maxInputSize: 4 * PAGE_SIZE })
  const seen = { jobs: 0 }
  const accel: Accelerator = {
    ...inner,
    compressBatch: (jobs, count) => inner.compressBatch(jobs, count),
    async decompressBatch(jobs, count = jobs.length) {
      seen.jobs += count
      await inner.decompressBatch(jobs, count)
    },
    close: () => inner.close(),
  }
  return { accel, seen }
}

/** A reference zpool (4-page objects) whose handles are taken from `handles` in turn. */
function chosenHandles(handles: number[]): Zpool {
  const inner = referenceZpool({ maxObjectSize: 4 * PAGE_SIZE })
  const real = new Map<number, number>()
  return {
    specificationVersion: SPECIFICATION_VERSION,
    name: 'chosen-handles',
    capabilities: inner.capabilities,
    malloc(size) {
      const handle = handles.shift() as number
      real.set(handle, inner.malloc(size))
      return handle
    },
    free(handle) {
      inner.free(real.get(handle) as number)
      real.delete(handle)
    },
    write: (handle, src) => inner.write(real.get(handle) as number, src),
    read: (handle, dst) => inner.read(real.get(handle) as number, dst),
    get totalPages() {
      return inner.totalPages
    },
    destroy: () => inner.destroy(),
  }
}

const open = (zpool: Zpool = referenceZpool({ maxObjectSize: 4 * PAGE_SIZE })) => {
  const { accel, seen } = counting()
  const cache = createZswap({
    accelerator: accel,
    zpool,
    objectPages: 4,
    mthpEnabled: true,
    ramBytes: 1 << 30,
  })
  return { cache, seen }
}

describe('load jobs and multi-page objects', () => {
  it('a folio of two whole objects is two jobs, the second starting mid-folio', async () => {
    const { cache, seen } = open()
    expect(await cache.store(folioAt(0, 3))).toBe(true)
    expect(cache.stats().stored_objects).toBe(2)
    const out = emptyFolio(0, 3)
    expect(await cache.load(out)).toBe(true)
    expect(seen.jobs).toBe(2)
    expect(out.data).toEqual(folioAt(0, 3).data)
  })

  it('a job stops at a page that belongs to another object', async () => {
    const { cache } = open()
    expect(await cache.store(folioAt(0, 2, 1))).toBe(true) // object A: offsets 0..3
    expect(await cache.store(folioAt(2, 1, 2))).toBe(true) // object B: offsets 2..3, replacing A's last two
    const out = emptyFolio(0, 2)
    expect(await cache.load(out)).toBe(true)
    const a = folioAt(0, 2, 1).data
    const b = folioAt(2, 1, 2).data
    expect(pageOf(out.data, 0)).toEqual(pageOf(a, 0))
    expect(pageOf(out.data, 1)).toEqual(pageOf(a, 1))
    expect(pageOf(out.data, 2)).toEqual(pageOf(b, 0))
    expect(pageOf(out.data, 3)).toEqual(pageOf(b, 1))
  })

  it('a single-page entry whose zpool handle equals an object id is not a page of that object', async () => {
    // object A (id 0) gets handle 7; the page stored over A's page 2 gets handle 0
    const { cache } = open(chosenHandles([7, 0]))
    expect(await cache.store(folioAt(0, 2, 1))).toBe(true)
    expect(await cache.store(folioAt(2, 0, 9))).toBe(true)
    const out = emptyFolio(0, 2)
    expect(await cache.load(out)).toBe(true)
    const a = folioAt(0, 2, 1).data
    expect(pageOf(out.data, 0)).toEqual(pageOf(a, 0))
    expect(pageOf(out.data, 1)).toEqual(pageOf(a, 1))
    expect(pageOf(out.data, 2)).toEqual(folioAt(2, 0, 9).data)
    expect(pageOf(out.data, 3)).toEqual(pageOf(a, 3))
  })
})

describe('metadataBytes: objects and index nodes are reused', () => {
  // entries: nodes of 32 slots, 586 bytes each, 16 then 32 then 48; objects: 23
  // bytes each, 256 then 512; a 2 KiB directory per 16384-offset chunk in use
  const nodes = (n: number) => n * (32 * 18 + 10)
  const DIR = 512 * 4

  it('257 objects grow the object arrays once; freed ids are reused', async () => {
    const { cache } = open()
    const batch = Array.from({ length: 300 }, (_, i) => folioAt(i * 4, 2, i))
    expect((await cache.storeBatch(batch)).every(Boolean)).toBe(true)
    expect(cache.stats().stored_objects).toBe(300)
    const full = nodes(48) + 512 * 23 + DIR // 1200 offsets: 38 nodes
    expect(cache.metadataBytes).toBe(full)
    cache.invalidateRange({ type: 0, offset: 0 }, 1200)
    expect(cache.storedPages).toBe(0)
    // the same again: every id comes from the free lists, nothing grows
    expect((await cache.storeBatch(batch)).every(Boolean)).toBe(true)
    expect(cache.metadataBytes).toBe(full)
    const out = emptyFolio(1196, 2)
    expect(await cache.load(out)).toBe(true)
    expect(out.data).toEqual(folioAt(1196, 2, 299).data)
  })

  it('256 objects fill the first arrays exactly; stored again after freeing, nothing grows', async () => {
    const { cache } = open()
    const batch = Array.from({ length: 256 }, (_, i) => folioAt(i * 4, 2, i))
    const exact = nodes(32) + 256 * 23 + DIR // 1024 offsets: 32 nodes
    for (let round = 0; round < 2; round++) {
      expect((await cache.storeBatch(batch)).every(Boolean)).toBe(true)
      expect(cache.metadataBytes).toBe(exact)
      expect(cache.invalidateRange({ type: 0, offset: 0 }, 1024)).toBe(1024)
    }
  })

  it('an index node emptied after its entry was replaced is returned and reused', async () => {
    const { cache } = open()
    expect(await cache.store(folioAt(0))).toBe(true) // node 0
    expect(await cache.store(folioAt(0, 0, 5))).toBe(true) // replaced in place
    expect(cache.invalidate({ type: 0, offset: 0 })).toBe(true) // node 0 empty: returned
    const base = cache.metadataBytes
    expect(base).toBe(nodes(16) + DIR)
    // 16 nodes in use: the slab of 16 holds them, node 0 among them
    for (let n = 1; n <= 16; n++) expect(await cache.store(folioAt(n * 32, 0, n))).toBe(true)
    expect(cache.metadataBytes).toBe(base)
    for (let n = 1; n <= 16; n++) {
      const out = emptyFolio(n * 32)
      expect(await cache.load(out)).toBe(true)
      expect(out.data).toEqual(folioAt(n * 32, 0, n).data)
    }
  })
})
