import { expect, it } from 'vitest'
import { runSoak } from '../src/index.js'

// The 50 K-page version of `pnpm soak`: a pool limit of 2048 pages forces most pages out to the swap file.
it('soak: 50,000 pages through lz4 + zsmalloc and a file swap device come back byte-exact, pool empty at the end', async () => {
  const r = await runSoak({ pages: 50_000, poolLimitPages: 2048 })
  expect(r.mismatches).toBe(0)
  expect(r.loadedFromCache + r.readFromDevice).toBe(50_000)
  expect(r.stored).toBeGreaterThan(40_000)
  expect(r.writtenBack).toBeGreaterThan(20_000)
  expect(r.loadedFromCache).toBeGreaterThan(1000)
  expect(r.poolPagesEnd).toBe(0)
  expect(r.storedPagesEnd).toBe(0)
  expect(r.peakPoolBytes).toBeLessThanOrEqual((2048 + 64) * 4096)
}, 300_000)
