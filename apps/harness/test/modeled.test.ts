import { describe, expect, it } from 'vitest'
import { compareStacks } from '../src/compare.js'
import { readSample } from '../src/corpus.js'
import { legend } from '../src/output/columns.js'
import { formatCsv } from '../src/output/csv.js'

describe('a stack whose accelerator models time', () => {
  it('gives a (modeled) row and an (emulation, measured) row, marked in the JSON, CSV and legend', async () => {
    const corpus = { ...readSample(), pages: 64 }
    const report = await compareStacks({
      stacks: ['lz4+zbud', 'iaa(engines=1,mode=sync,model=spr)+zbud'],
      workloads: ['replay(order=2)'],
      corpora: [corpus],
      runs: 1,
      warmup: 0,
      baseline: false,
    })
    const rows = report.results
    expect(rows.map((r) => r.stack)).toEqual([
      'lz4+zbud',
      'iaa(engines=1,mode=sync,model=spr)+zbud (modeled)',
      'iaa(engines=1,mode=sync,model=spr)+zbud (emulation, measured)',
    ])
    const [lz4, modeled, emulation] = rows
    expect(lz4.timing).toBeUndefined()
    expect(modeled).toMatchObject({ timing: 'modeled', model: 'spr' })
    expect(emulation.timing).toBeUndefined()
    for (const r of rows) expect(r.integrity.ok).toBe(true)
    // same pages, same bytes: measured figures are shared, the time differs
    expect(modeled.ratio).toBe(emulation.ratio)
    expect(modeled.poolPages).toBe(emulation.poolPages)
    expect(modeled.storeMBps).toBeGreaterThan(0)
    expect(modeled.storeMBps).not.toBe(emulation.storeMBps)
    expect(modeled.store.count).toBe(16)
    // the device model's time is part of each modeled call: a 4-page folio is at least one modeled batch
    expect(modeled.store.p50Us).toBeGreaterThan(1)
    const csv = formatCsv(report).split('\n')
    const head = csv[0].split(',')
    const timing = head.indexOf('timing')
    expect(timing).toBeGreaterThanOrEqual(0)
    expect(csv[2]).toContain('modeled')
    expect(legend(report)).toMatch(/\(modeled\) rows: MODELED .* model spr/)
  })
})
