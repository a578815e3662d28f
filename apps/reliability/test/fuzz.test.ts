import { describe, expect, it } from 'vitest'
import { COMBOS, type FuzzReport, formatFuzzReport, randomSeed, runFuzz } from '../src/index.js'

function expectNoDivergence(report: FuzzReport): void {
  if (report.divergences > 0) expect.fail(formatFuzzReport(report))
}

// A short run of `pnpm fuzz` over every combination, every fault kind: the cache must hold every
// promise the fuzzer checks (fuzz-issue10.test.ts aims single kinds at issue 10's items).
describe('model-based fuzzing with faults', () => {
  for (const combo of COMBOS) {
    it(`${combo.name}: 600 operations, fixed seed, no divergence`, async () => {
      const report = await runFuzz({ ops: 600, seed: 12_345, combos: [combo.name] })
      expectNoDivergence(report)
      const c = report.combos[0]
      expect(c.ops).toBe(600)
      // the run did something: stores, loads, write-back, faults and the drain checkpoint
      expect(c.stored).toBeGreaterThan(100)
      expect(c.loaded).toBeGreaterThan(20)
      expect(c.writtenBack).toBeGreaterThan(0)
      expect(Object.values(c.faults).reduce((a, b) => a + b, 0)).toBeGreaterThan(8)
    })
  }

  it('a random seed (printed on failure) on lz4+zsmalloc, zstd+z3fold and by_n+zbud, 3000 operations', async () => {
    const seed = randomSeed()
    const report = await runFuzz({
      ops: 3000,
      seed,
      combos: ['lz4+zsmalloc', 'zstd+z3fold', 'by_n+zbud'],
    })
    expect(report.seed).toBe(seed)
    expectNoDivergence(report)
  })

  it('replays exactly: the same seed gives the same operations, faults and outcomes', async () => {
    const run = () => runFuzz({ ops: 800, seed: 777, combos: ['lz4+zbud'] })
    const [a, b] = [await run(), await run()]
    const strip = (r: FuzzReport) => r.combos.map(({ ms: _ms, ...rest }) => rest)
    expect(strip(a)).toEqual(strip(b))
    expect(a.combos[0].stored).toBeGreaterThan(0)
  })
})
