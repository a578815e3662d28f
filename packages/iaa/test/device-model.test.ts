import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type DeviceModel, DeviceTimeline, modelBatch } from '../src/device-model.js'
import { fitBatchNs, fitDirection } from '../src/device-model-fit.js'
import { SPR } from '../src/presets.js'
import { BY_N_RFC_TABLE, byNLatencies, IAA_CRYPTO_V11_TABLE1 } from '../src/published-spr.js'

const PAGE = 4096
const folio = (n: number) => new Array<number>(n).fill(65536 / n)
const byN = (n: number, dir: 'compress' | 'decompress') =>
  modelBatch(SPR, dir, folio(n), { path: 'byN' }).batchNs
const relError = (model: number, published: number) => Math.abs(model - published) / published

describe("the 'spr' preset against the by_n RFC's table (by_n path)", () => {
  it.each(BY_N_RFC_TABLE.map((r) => [r.n, r] as const))('n = %i: each latency within 10 %%', (n, r) => {
    expect(relError(byN(n, 'compress'), r.compressNs)).toBeLessThan(0.1)
    expect(relError(byN(n, 'decompress'), r.decompressNs)).toBeLessThan(0.1)
  })

  it('fits compress within 1 % and decompress within 6 % (the least-squares fit)', () => {
    for (const r of BY_N_RFC_TABLE) {
      expect(relError(byN(r.n, 'compress'), r.compressNs)).toBeLessThan(0.01)
      expect(relError(byN(r.n, 'decompress'), r.decompressNs)).toBeLessThan(0.06)
    }
  })

  it('has the shape: minimum at n = 8, n1/n8 ≥ 3.5 and n64/n8 ≥ 2 for compress', () => {
    for (const dir of ['compress', 'decompress'] as const) {
      const ns = BY_N_RFC_TABLE.map((r) => byN(r.n, dir))
      expect(ns.indexOf(Math.min(...ns))).toBe(3)
    }
    expect(byN(1, 'compress') / byN(8, 'compress')).toBeGreaterThanOrEqual(3.5)
    expect(byN(64, 'compress') / byN(8, 'compress')).toBeGreaterThanOrEqual(2)
  })
})

describe("the 'spr' preset against iaa_crypto v11 Table 1 (zswap path, one 4 KiB page)", () => {
  const t1 = IAA_CRYPTO_V11_TABLE1
  it.each([
    ['sync', false, t1.sync],
    ['async_irq', true, t1.asyncIrq],
  ] as const)('%s: compress and decompress within 1 %%', (_mode, irq, published) => {
    expect(relError(modelBatch(SPR, 'compress', [PAGE], { irq }).batchNs, published.compressNs)).toBeLessThan(
      0.01,
    )
    expect(
      relError(modelBatch(SPR, 'decompress', [PAGE], { irq }).batchNs, published.decompressNs),
    ).toBeLessThan(0.01)
  })

  it('a batch of pages costs less per page up to 8 (one per engine)', () => {
    const perPage = [1, 2, 4, 8].map((n) => modelBatch(SPR, 'compress', new Array(n).fill(PAGE)).batchNs / n)
    for (let i = 1; i < 4; i++) expect(perPage[i]).toBeLessThan(perPage[i - 1])
    expect(perPage[0] / perPage[3]).toBeGreaterThan(2)
  })
})

describe('the fit', () => {
  it('re-fitting the published figures gives the preset (within 0.1 %)', () => {
    const c = fitDirection(byNLatencies('compress'), 8)
    const d = fitDirection(byNLatencies('decompress'), 8, { batchNs: c.batchNs })
    const near = (a: number, b: number) => expect(Math.abs(a - b) / b).toBeLessThan(0.001)
    near(c.batchNs, SPR.paths.byN.compress.batchNs)
    near(c.submitNs, SPR.paths.byN.compress.submitNs)
    near(c.engineNs, SPR.compress.engineNs)
    near(c.bytesPerNs, SPR.compress.bytesPerNs)
    near(d.submitNs, SPR.paths.byN.decompress.submitNs)
    near(d.engineNs, SPR.decompress.engineNs)
    near(d.bytesPerNs, SPR.decompress.bytesPerNs)
    near(
      fitBatchNs(IAA_CRYPTO_V11_TABLE1.sync.compressNs, PAGE, c, c.submitNs),
      SPR.paths.zswap.compress.batchNs,
    )
  })

  it('recovers the parameters of a model from its own latencies', () => {
    const truth: DeviceModel = {
      ...SPR,
      compress: { engineNs: 900, bytesPerNs: 1.5 },
      paths: { ...SPR.paths, byN: { ...SPR.paths.byN, compress: { batchNs: 1000, submitNs: 300 } } },
    }
    const rows = BY_N_RFC_TABLE.map((r) => ({
      jobs: r.n,
      bytesPerJob: 65536 / r.n,
      ns: modelBatch(truth, 'compress', folio(r.n), { path: 'byN' }).batchNs,
    }))
    const fit = fitDirection(rows, 8)
    expect(fit.maxRelError).toBeLessThan(1e-9)
    expect(fit.engineNs).toBeCloseTo(900, 3)
    expect(fit.bytesPerNs).toBeCloseTo(1.5, 6)
    expect(fit.submitNs).toBeCloseTo(300, 3)
    expect(fit.batchNs).toBeCloseTo(1000, 3)
  })

  it('asks for batchNs when no row queues on the engines', () => {
    expect(() => fitDirection(byNLatencies('decompress'), 8)).toThrow(/batchNs/)
  })
})

describe('the event simulation', () => {
  it('one job: batch + submit + engine + bytes/B, and async_irq adds the interrupt', () => {
    const zc = SPR.paths.zswap.compress
    const one = zc.batchNs + zc.submitNs + SPR.compress.engineNs + PAGE / SPR.compress.bytesPerNs
    expect(modelBatch(SPR, 'compress', [PAGE]).batchNs).toBeCloseTo(one, 6)
    expect(modelBatch(SPR, 'compress', [PAGE], { irq: true }).batchNs).toBeCloseTo(
      one + SPR.irqNs.compress,
      6,
    )
  })

  it('verify adds one dependent decompress job per compress job', () => {
    const plain = modelBatch(SPR, 'compress', [PAGE, PAGE])
    const verified = modelBatch(SPR, 'compress', [PAGE, PAGE], { verify: true })
    const dec = SPR.decompress.engineNs + PAGE / SPR.decompress.bytesPerNs
    const busy = (r: { engineBusyNs: number[] }) => r.engineBusyNs.reduce((a, b) => a + b, 0)
    expect(busy(verified) - busy(plain)).toBeCloseTo(2 * dec, 6)
    // the verify job starts after its compress job finished and its descriptor was submitted
    expect(verified.batchNs - plain.batchNs).toBeGreaterThanOrEqual(
      dec + SPR.paths.zswap.decompress.submitNs - 1e-6,
    )
    expect(modelBatch(SPR, 'decompress', [PAGE], { verify: true }).batchNs).toBe(
      modelBatch(SPR, 'decompress', [PAGE]).batchNs,
    )
  })

  it('with one engine, jobs run one after another', () => {
    const one: DeviceModel = { ...SPR, engines: 1 }
    const d = SPR.compress.engineNs + PAGE / SPR.compress.bytesPerNs
    const zc = SPR.paths.zswap.compress
    expect(modelBatch(one, 'compress', [PAGE, PAGE, PAGE]).batchNs).toBeCloseTo(
      zc.batchNs + zc.submitNs + 3 * d,
      6,
    )
  })

  it('properties: the batch is its slowest job; busy time is the jobs’ engine time; more jobs never take less', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 65536 }), { minLength: 1, maxLength: 32 }),
        fc.boolean(),
        fc.boolean(),
        (bytes, verify, irq) => {
          const r = modelBatch(SPR, 'compress', bytes, { verify, irq })
          expect(r.batchNs).toBeCloseTo(Math.max(...r.jobNs), 6)
          let engine = 0
          for (const b of bytes) {
            engine += SPR.compress.engineNs + b / SPR.compress.bytesPerNs
            if (verify) engine += SPR.decompress.engineNs + b / SPR.decompress.bytesPerNs
          }
          expect(r.engineBusyNs.reduce((a, b) => a + b, 0)).toBeCloseTo(engine, 3)
          const fewer = modelBatch(SPR, 'compress', bytes.slice(0, -1), { verify, irq }).batchNs
          expect(r.batchNs).toBeGreaterThanOrEqual(fewer)
        },
      ),
    )
  })

  it('rejects a bad model or batch with a RangeError', () => {
    expect(() => new DeviceTimeline({ ...SPR, engines: 0 })).toThrow(RangeError)
    expect(() => new DeviceTimeline({ ...SPR, compress: { engineNs: 1, bytesPerNs: 0 } })).toThrow(RangeError)
    expect(() => new DeviceTimeline({ ...SPR, paths: { ...SPR.paths, byN: undefined as never } })).toThrow(
      RangeError,
    )
    expect(() => new DeviceTimeline(SPR).batch('compress', [], 65)).toThrow(RangeError)
  })
})
