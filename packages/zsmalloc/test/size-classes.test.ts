import { PAGE_SIZE } from '@zswap/core'
import { describe, expect, it } from 'vitest'
import { buildClassTable, sizeClassIndex, ZS_MULTI_PAGE_MAX_OBJECT, zsmalloc } from '../src/index.js'

// The kernel's formulas, re-derived here independently of the implementation
// (mm/zsmalloc.c: ZS_MIN_ALLOC_SIZE 32, ZS_SIZE_CLASS_DELTA 16,
// calculate_zspage_chain_size, can_merge, huge_class_size).
function kernelTable(chain: number) {
  const classes: { size: number; pages: number; objs: number; into: number }[] = []
  let huge = 0
  let prev = -1
  const n = (PAGE_SIZE - 32) / 16 + 1
  for (let i = n - 1; i >= 0; i--) {
    const size = Math.min(32 + 16 * i, PAGE_SIZE)
    let pages = 1
    if (!Number.isInteger(Math.log2(size))) {
      let minWaste = Number.MAX_SAFE_INTEGER
      for (let k = 1; k <= chain; k++) {
        const waste = (k * PAGE_SIZE) % size
        if (waste < minWaste) {
          minWaste = waste
          pages = k
        }
      }
    }
    const objs = Math.floor((pages * PAGE_SIZE) / size)
    if (pages !== 1 && objs !== 1 && huge === 0) huge = size - (8 - 1)
    let into = i
    if (prev >= 0 && classes[prev].pages === pages && classes[prev].objs === objs) into = classes[prev].into
    else prev = i
    classes[i] = { size, pages, objs, into }
  }
  return { classes, huge, distinct: classes.filter((c, i) => c.into === i).length }
}

describe('class table', () => {
  for (let chain = 4; chain <= 16; chain++) {
    it(`matches the kernel's formulas for chain size ${chain}`, () => {
      const t = buildClassTable(chain)
      const k = kernelTable(chain)
      expect(t.count).toBe(255)
      for (let i = 0; i < 255; i++) {
        expect([t.size[i], t.pagesPerZspage[i], t.objsPerZspage[i]]).toEqual([
          k.classes[i].size,
          k.classes[i].pages,
          k.classes[i].objs,
        ])
        // a class merges into the class where its run of equal (pages, objs) ends
        expect(t.mergedInto[i]).toBe(k.classes[i].into)
      }
      expect(t.distinct).toBe(k.distinct)
      expect(t.hugeClassSize).toBe(k.huge)
      // every class in the huge run has one object on one page and merged into the 4096 class
      expect(t.size[t.hugeClass]).toBe(PAGE_SIZE)
      expect(t.mergedInto[254]).toBe(t.hugeClass)
      expect(t.pagesPerZspage[t.hugeClass]).toBe(1)
      expect(t.objsPerZspage[t.hugeClass]).toBe(1)
    })
  }

  it('merges fewer classes as the chain grows', () => {
    const distinct = [4, 8, 16].map((c) => buildClassTable(c).distinct)
    expect(distinct[0]).toBeLessThan(distinct[1])
    expect(distinct[1]).toBeLessThan(distinct[2])
    const huge = [4, 8, 16].map((c) => buildClassTable(c).hugeClassSize)
    expect(huge[0]).toBeLessThan(huge[1])
    expect(huge[1]).toBeLessThan(huge[2])
  })

  it('no chain length up to the limit wastes less than the chosen one', () => {
    const t = buildClassTable(8)
    for (let i = 0; i < t.count; i++) {
      const waste = (t.pagesPerZspage[i] * PAGE_SIZE) % t.size[i]
      for (let k = 1; k <= 8; k++) expect((k * PAGE_SIZE) % t.size[i]).toBeGreaterThanOrEqual(waste)
    }
  })

  it('maps every slot size to the smallest class that holds it', () => {
    const t = buildClassTable(8)
    for (let s = 1; s <= PAGE_SIZE; s++) {
      const i = sizeClassIndex(s)
      expect(t.size[i]).toBeGreaterThanOrEqual(s)
      if (i > 0) expect(t.size[i - 1]).toBeLessThan(s)
    }
  })

  it('exposes the table and threshold on the pool', () => {
    const pool = zsmalloc({ chainSize: 4 })
    expect(pool.classTable.chainSize).toBe(4)
    expect(pool.hugeClassSize).toBe(kernelTable(4).huge)
    expect(pool.classes().length).toBe(kernelTable(4).distinct)
    pool.destroy()
  })

  it('adds multi-page classes up to 64 KiB + header', () => {
    const t = buildClassTable(8, true)
    expect(t.maxObjectSize).toBe(ZS_MULTI_PAGE_MAX_OBJECT)
    expect(t.size[t.count - 1]).toBeGreaterThanOrEqual(ZS_MULTI_PAGE_MAX_OBJECT + 8)
    for (let i = 255; i < t.count; i++) {
      expect(t.size[i]).toBe(PAGE_SIZE + (i - 254) * 256)
      expect(t.pagesPerZspage[i]).toBeGreaterThanOrEqual(Math.ceil(t.size[i] / PAGE_SIZE))
      expect(t.objsPerZspage[i]).toBe(Math.floor((t.pagesPerZspage[i] * PAGE_SIZE) / t.size[i]))
      expect(t.objsPerZspage[i]).toBeGreaterThanOrEqual(1)
    }
    // page-sized classes are the same as without multi-page classes
    const plain = buildClassTable(8)
    expect(Array.from(t.size.subarray(0, 255))).toEqual(Array.from(plain.size))
    expect(Array.from(t.mergedInto.subarray(0, 255))).toEqual(Array.from(plain.mergedInto))
  })

  // can_merge compares pages per zspage as well as objects per zspage; multi-page classes
  // (minPages = ceil(size / PAGE_SIZE) up to minPages + chain - 1 pages) have neighbours with the
  // same object count on a different number of pages, which must stay apart.
  for (const chain of [4, 8, 16]) {
    it(`merges a multi-page class only into one with the same pages and objects (chain ${chain})`, () => {
      const t = buildClassTable(chain, true)
      const expected = new Int32Array(t.count)
      let prev = -1
      let apart = 0
      for (let i = t.count - 1; i >= 255; i--) {
        const size = PAGE_SIZE + (i - 254) * 256
        const minPages = Math.ceil(size / PAGE_SIZE)
        let pages = minPages
        if (!Number.isInteger(Math.log2(size))) {
          let minWaste = Number.MAX_SAFE_INTEGER
          for (let k = minPages; k < minPages + chain; k++) {
            const waste = (k * PAGE_SIZE) % size
            if (waste < minWaste) {
              minWaste = waste
              pages = k
            }
          }
        }
        const objs = Math.floor((pages * PAGE_SIZE) / size)
        expect([t.pagesPerZspage[i], t.objsPerZspage[i]], `class ${i} (${size} bytes)`).toEqual([pages, objs])
        if (prev >= 0 && t.pagesPerZspage[prev] === pages && t.objsPerZspage[prev] === objs) {
          expected[i] = expected[prev]
        } else {
          if (prev >= 0 && t.objsPerZspage[prev] === objs) apart++
          expected[i] = i
          prev = i
        }
      }
      // the case the rule is for occurs: same objects per zspage, different pages
      expect(apart).toBeGreaterThan(0)
      for (let i = 255; i < t.count; i++) {
        expect(t.mergedInto[i], `class ${i} (${t.size[i]} bytes)`).toBe(expected[i])
        const into = t.mergedInto[i]
        expect(t.pagesPerZspage[into]).toBe(t.pagesPerZspage[i])
        expect(t.objsPerZspage[into]).toBe(t.objsPerZspage[i])
      }
    })
  }
})
