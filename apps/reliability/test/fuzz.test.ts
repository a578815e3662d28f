import { describe, expect, it } from 'vitest'
import { COMBOS, type FuzzReport, formatFuzzReport, randomSeed, runFuzz } from '../src/index.js'

function expectNoDivergence(report: FuzzReport): void {
  if (report.divergences > 0) expect.fail(formatFuzzReport(report))
}

// A short run of `pnpm fuzz --skip-known-bugs` over every combination: today's cache must hold every
// promise the fuzzer checks except the known bugs of issue 10 (those run in fuzz-issue10.test.ts).
describe('model-based fuzzing with faults (known issue-10 bugs left out)', () => {
  for (const combo of COMBOS) {
    it(`${combo.name}: 600 operations, fixed seed, no divergence`, async () => {
      const report = await runFuzz({ ops: 600, seed: 12_345, combos: [combo.name], skipKnownBugs: true })
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

  it('a random seed (printed on failure) on lz4+zsmalloc and zstd+z3fold, 2000 operations', async () => {
    const seed = randomSeed()
    const report = await runFuzz({
      ops: 2000,
      seed,
      combos: ['lz4+zsmalloc', 'zstd+z3fold'],
      skipKnownBugs: true,
    })
    expect(report.seed).toBe(seed)
    expectNoDivergence(report)
  })

  it('replays exactly: the same seed gives the same operations, faults and outcomes', async () => {
    const run = () => runFuzz({ ops: 800, seed: 777, combos: ['lz4+zbud'], skipKnownBugs: true })
    const [a, b] = [await run(), await run()]
    const strip = (r: FuzzReport) => r.combos.map(({ ms: _ms, ...rest }) => rest)
    expect(strip(a)).toEqual(strip(b))
    expect(a.combos[0].stored).toBeGreaterThan(0)
  })
})
