import { afterEach, describe, expect, it } from 'vitest'
import { modelBatch } from '../src/device-model.js'
import type { IaaDevice } from '../src/iaa-device.js'
import { iaa } from '../src/index.js'
import { SPR } from '../src/presets.js'
import { compressiblePage, compressJob, decompressJob, PAGE, STILL, within } from './helpers.js'

let device: IaaDevice | undefined
afterEach(async () => {
  await device?.close()
  device = undefined
})

describe("iaa({ timing: 'model' })", () => {
  it.each([
    ['sync', false],
    ['irq', true],
  ] as const)('mode %s: each job gets the modeled time of its batch on the zswap path', async (mode, irq) => {
    device = iaa({ engines: 2, mode, timing: 'model', device: 'spr', ...STILL })
    expect(device.capabilities.timing).toBe('modeled')
    const pages = [0, 1, 2].map((i) => compressiblePage(i + 1))
    const jobs = pages.map((p) => compressJob(p))
    await within(device.compressBatch(jobs), 'compress')
    const want = modelBatch(SPR, 'compress', [PAGE, PAGE, PAGE], { irq })
    jobs.forEach((job, i) => {
      expect(job.error).toBeUndefined()
      expect(job.modeledNs).toBeCloseTo(want.jobNs[i], 6)
    })
    const back = jobs.map((j) => decompressJob(j.dst.subarray(0, j.length)))
    await within(device.decompressBatch(back), 'decompress')
    const wantBack = modelBatch(SPR, 'decompress', [PAGE, PAGE, PAGE], { irq })
    back.forEach((job, i) => {
      expect(job.modeledNs).toBeCloseTo(wantBack.jobNs[i], 6)
    })
    const m = device.stats().model!
    expect(m).toMatchObject({ name: 'spr', irq, verify: false, compressBatches: 1, decompressBatches: 1 })
    expect(m.compressBatchNs).toBeCloseTo(want.batchNs, 6)
    expect(m.compressJobNs).toBeCloseTo(
      want.jobNs.reduce((a, b) => a + b, 0),
      6,
    )
    expect(m.decompressBatchNs).toBeCloseTo(wantBack.batchNs, 6)
    expect(m.lastBatchNs).toBeCloseTo(wantBack.batchNs, 6)
    const busy = want.engineBusyNs.map((x, e) => x + wantBack.engineBusyNs[e])
    m.engineBusyNs.forEach((x, e) => {
      expect(x).toBeCloseTo(busy[e], 6)
    })
  })

  it('one sync page reproduces iaa_crypto v11 Table 1 (3,177 / 2,235 ns)', async () => {
    device = iaa({ engines: 1, mode: 'sync', model: 'spr', ...STILL })
    const job = compressJob(compressiblePage(9))
    await device.compressBatch([job])
    const back = decompressJob(job.dst.subarray(0, job.length))
    await device.decompressBatch([back])
    expect(Math.abs(job.modeledNs! - 3177)).toBeLessThan(32)
    expect(Math.abs(back.modeledNs! - 2235)).toBeLessThan(23)
  })

  it('modelVerify adds the dependent decompress job', async () => {
    device = iaa({ engines: 1, mode: 'sync', model: SPR, modelVerify: true, ...STILL })
    const job = compressJob(compressiblePage(3))
    await device.compressBatch([job])
    expect(job.modeledNs).toBeCloseTo(modelBatch(SPR, 'compress', [PAGE], { verify: true }).batchNs, 6)
    expect(device.stats().model!.verify).toBe(true)
  })

  it("its TimingModel answers for by_n's chunks without changing the stats", async () => {
    device = iaa({ engines: 1, mode: 'sync', model: 'spr', ...STILL })
    const bytes = new Array(8).fill(8192)
    expect(device.timingModel!.callNs('compress', bytes, 8, 'chunks')).toBeCloseTo(
      modelBatch(SPR, 'compress', bytes, { path: 'byN' }).batchNs,
      6,
    )
    expect(device.timingModel!.callNs('compress', [PAGE], 1)).toBeCloseTo(
      modelBatch(SPR, 'compress', [PAGE]).batchNs,
      6,
    )
    expect(device.stats().model!.compressBatches).toBe(0)
  })

  it('jobs that never reach the device (onFull busy) get modeledNs 0', async () => {
    device = iaa({ engines: 1, wqSize: 1, onFull: 'busy', model: 'spr', faults: { paused: true }, ...STILL })
    const jobs = [compressJob(compressiblePage(1)), compressJob(compressiblePage(2))]
    for (const j of jobs) j.modeledNs = 123
    await device.compressBatch(jobs)
    for (const j of jobs) {
      expect(j.error?.code).toBe('ERR_BUSY')
      expect(j.modeledNs).toBe(0)
    }
  })

  it('without a model: measured timing, no modeledNs, no stats().model', async () => {
    device = iaa({ engines: 1, mode: 'sync', ...STILL })
    expect(device.capabilities.timing).toBeUndefined()
    expect(device.timingModel).toBeUndefined()
    const job = compressJob(compressiblePage(1))
    await device.compressBatch([job])
    expect(job.modeledNs).toBeUndefined()
    expect(device.stats().model).toBeUndefined()
  })

  it.each([
    [{ timing: 'fast' }, RangeError],
    [{ device: 'gnr' }, RangeError],
    [{ device: 42 }, TypeError],
    [{ device: { ...SPR, engines: 0 } }, RangeError],
    [{ device: 'spr', model: 'spr' }, RangeError],
    [{ modelVerify: 'yes' }, TypeError],
  ])('rejects %o with ERR_INVALID_OPTION', (options, type) => {
    let error: unknown
    try {
      iaa(options as never)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(type)
    expect((error as { code?: string }).code).toBe('ERR_INVALID_OPTION')
  })
})
