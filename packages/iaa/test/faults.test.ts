import { ErrorCode, ZswapError } from '@zswap/core'
import { describe, expect, it } from 'vitest'
import { iaa } from '../src/index.js'
import {
  compressiblePage,
  compressJob,
  countingJob,
  decompressJob,
  equal,
  inflateRaw,
  PAGE,
  STILL,
  sleep,
  until,
  within,
} from './helpers.js'

const pagesOf = (n: number, seed: number) => Array.from({ length: n }, (_, i) => compressiblePage(seed + i))

function expectRoundTrip(
  jobs: readonly (ReturnType<typeof countingJob> | ReturnType<typeof compressJob>)[],
): void {
  for (const job of jobs) {
    expect(job.error).toBeUndefined()
    expect(job.length).toBeGreaterThan(0)
    expect(equal(inflateRaw(job.dst.subarray(0, job.length), job.src.length), job.src)).toBe(true)
    if ('sets' in job) expect(job.sets).toBe(1)
  }
}

describe('WQ full', () => {
  it('pushes back: jobs wait for descriptors, none is dropped, depth never exceeds the WQ', async () => {
    const device = iaa({ engines: 1, wqSize: 4, faults: { paused: true }, ...STILL })
    try {
      const batches = Array.from({ length: 5 }, (_, b) => pagesOf(8, 100 * b).map((p) => countingJob(p)))
      let settled = 0
      const all = Promise.all(batches.map((jobs) => device.compressBatch(jobs).then(() => settled++)))
      await sleep(50)
      expect(settled).toBe(0)
      expect(device.stats().wqs[0]).toMatchObject({ size: 4, depth: 4, maxDepth: 4 })
      device.injectFault({ paused: false })
      await all
      for (const jobs of batches) expectRoundTrip(jobs)
      const stats = device.stats()
      expect(stats.wqs[0]).toMatchObject({ depth: 0, maxDepth: 4, compressJobs: 40 })
      expect(stats.softwareFallbacks.total).toBe(0)
    } finally {
      await device.close()
    }
  })

  it("reports BusyError per job with onFull 'busy', and submits nothing of that batch", async () => {
    const device = iaa({
      engines: 1,
      wqSize: 8,
      onFull: 'busy',
      faults: { paused: true },
      ...STILL,
    })
    try {
      const first = pagesOf(8, 1).map((p) => countingJob(p))
      const pending = device.compressBatch(first)
      const second = pagesOf(3, 50).map((p) => countingJob(p))
      await device.compressBatch(second)
      for (const job of second) {
        expect(ZswapError.hasCode(job.error, ErrorCode.BUSY)).toBe(true)
        expect(job.sets).toBe(1)
      }
      expect(device.stats().errors.busy).toBe(3)
      device.injectFault({ paused: false })
      await pending
      expectRoundTrip(first)
      // Room again: the same jobs go through.
      for (const job of second) job.sets = 0
      await device.compressBatch(second)
      expectRoundTrip(second)
    } finally {
      await device.close()
    }
  })

  it("runs the batch inline with onFull 'software'", async () => {
    const device = iaa({
      engines: 1,
      wqSize: 8,
      onFull: 'software',
      faults: { paused: true },
      ...STILL,
    })
    try {
      const first = pagesOf(8, 1).map((p) => countingJob(p))
      const pending = device.compressBatch(first)
      const second = pagesOf(4, 50).map((p) => countingJob(p))
      await device.compressBatch(second)
      expectRoundTrip(second)
      expect(device.stats().softwareFallbacks.wqFull).toBe(4)
      device.injectFault({ paused: false })
      await pending
      expectRoundTrip(first)
    } finally {
      await device.close()
    }
  })
})

describe('engine death', () => {
  it.each([
    'irq',
    'async',
  ] as const)('fails its jobs over to software and restarts the engine, no job lost or done twice (%s)', async (mode) => {
    // A clock that stands still: this test counts engine jobs exactly, so no job may also time out.
    // One WQ per engine, so engine 0 surely gets its share of the jobs.
    const device = iaa({
      engines: 2,
      wqs: 2,
      mode,
      ...STILL,
      faults: { killEngine: { engine: 0, afterJobs: 5 } },
    })
    try {
      await device.ready()
      const batches = Array.from({ length: 16 }, (_, b) =>
        pagesOf(8, 1000 + 10 * b).map((p) => countingJob(p)),
      )
      await Promise.all(batches.map((jobs) => device.compressBatch(jobs)))
      for (const jobs of batches) expectRoundTrip(jobs)
      let stats = device.stats()
      expect(stats.softwareFallbacks.engineDeath).toBe(1)
      expect(stats.errors.engineDeath).toBe(1)
      expect(stats.compressJobs).toBe(128)
      // Every job ran exactly once: on an engine, or in software after the death.
      expect(stats.engines.reduce((n, e) => n + e.jobs, 0) + stats.softwareFallbacks.total).toBe(128)
      // The engine comes back and takes work again.
      await until(() => device.stats().engineRestarts === 1, 'engine 0 restarted')
      await within(device.ready(), 'the restarted engine came up')
      stats = device.stats()
      expect(stats.engineRestarts).toBe(1)
      expect(stats.engines[0]).toMatchObject({ restarts: 1, alive: true })
      const jobsBefore = stats.engines[0].jobs
      const more = Array.from({ length: 8 }, (_, b) => pagesOf(8, 5000 + 10 * b).map((p) => countingJob(p)))
      await Promise.all(more.map((jobs) => device.compressBatch(jobs)))
      for (const jobs of more) expectRoundTrip(jobs)
      expect(device.stats().engines[0].jobs).toBeGreaterThan(jobsBefore)
      expect(device.stats().softwareFallbacks.total).toBe(1)
    } finally {
      await device.close()
    }
  })

  it('closes a batch whose last job was completed but not counted by an engine that died', async () => {
    const device = iaa({
      engines: 2,
      wqs: 2,
      ...STILL,
      faults: { killEngine: { engine: 1, afterJobs: 2, phase: 'complete' } },
    })
    try {
      await device.ready()
      const batches = Array.from({ length: 6 }, (_, b) =>
        pagesOf(8, 2000 + 10 * b).map((p) => countingJob(p)),
      )
      await Promise.all(batches.map((jobs) => device.compressBatch(jobs)))
      for (const jobs of batches) expectRoundTrip(jobs)
      const stats = device.stats()
      // The job itself was finished by the engine: nothing to redo in software.
      expect(stats.softwareFallbacks.total).toBe(0)
      expect(stats.engineRestarts).toBe(1)
      expect(stats.compressJobs).toBe(48)
    } finally {
      await device.close()
    }
  })

  it('rejects a malformed fault', () => {
    const device = iaa({ engines: 1 })
    try {
      expect(() => device.injectFault({ killEngine: { engine: 5, afterJobs: 0 } })).toThrow(/killEngine/)
      expect(() =>
        device.injectFault({ killEngine: { engine: 0, afterJobs: 0, phase: 'x' as never } }),
      ).toThrow(/killEngine/)
      expect(() => device.injectFault({ delayJobs: { count: -1, ms: 1 } })).toThrow(/delayJobs/)
    } finally {
      void device.close()
    }
  })

  it('survives repeated deaths during decompression too', async () => {
    const device = iaa({ engines: 2, wqs: 2, ...STILL })
    try {
      await device.ready()
      const pages = pagesOf(64, 7)
      const jobs = pages.map((p) => compressJob(p))
      for (let b = 0; b < 8; b++) await device.compressBatch(jobs.slice(b * 8, b * 8 + 8))
      for (let round = 0; round < 3; round++) {
        device.injectFault({ killEngine: { engine: round % 2, afterJobs: 2 } })
        const back = jobs.map((j) => decompressJob(j.dst.subarray(0, j.length)))
        await Promise.all(
          [0, 1, 2, 3, 4, 5, 6, 7].map((b) => device.decompressBatch(back.slice(b * 8, b * 8 + 8))),
        )
        for (let i = 0; i < 64; i++) {
          expect(back[i].error).toBeUndefined()
          expect(equal(back[i].dst, pages[i])).toBe(true)
        }
        await device.ready()
      }
      expect(device.stats().engineRestarts).toBe(3)
    } finally {
      await device.close()
    }
  })

  it('serves a WQ in software once its engine is past the restart limit', async () => {
    // No timeouts (the clock stands still): under load a slow engine exit must not turn the
    // death into a timeout.
    const device = iaa({
      engines: 1,
      restartLimit: 0,
      ...STILL,
      faults: { killEngine: { engine: 0, afterJobs: 0 } },
    })
    try {
      const jobs = pagesOf(8, 300).map((p) => countingJob(p))
      await device.compressBatch(jobs)
      expectRoundTrip(jobs)
      const later = pagesOf(8, 400).map((p) => countingJob(p))
      await device.compressBatch(later)
      expectRoundTrip(later)
      const stats = device.stats()
      expect(stats.engines[0].alive).toBe(false)
      expect(stats.softwareFallbacks.engineDeath).toBe(1)
      expect(stats.softwareFallbacks.total).toBe(16)
    } finally {
      await device.close()
    }
  })
})

describe('timeouts', () => {
  it.each([
    'irq',
    'async',
    'sync',
  ] as const)('takes a job past its timeout over in software (%s)', async (mode) => {
    // The first job claimed stalls until the test lifts it: it times out however fast or slow
    // the machine is. The batch settles by timeout (any time after 50 ms, no upper bound).
    const device = iaa({
      engines: 2,
      mode,
      jobTimeoutMs: 50,
      faults: { delayJobs: { count: 1, ms: Number.POSITIVE_INFINITY } },
    })
    try {
      await device.ready()
      const jobs = pagesOf(8, 77).map((p) => countingJob(p))
      await within(device.compressBatch(jobs), 'the batch settled by timeout')
      expectRoundTrip(jobs)
      const stats = device.stats()
      expect(stats.errors.timeout).toBeGreaterThanOrEqual(1)
      expect(stats.softwareFallbacks.timeout).toBe(stats.errors.timeout)
      // The stalled engine lets go of its descriptor once the stall is lifted; then it is reused.
      device.injectFault({ delayJobs: { count: 0, ms: 0 } })
      await until(() => {
        device.poll()
        return device.stats().wqs.every((w) => w.depth === 0)
      }, 'the stalled engine let go of its descriptor')
      const again = pagesOf(8, 88).map((p) => countingJob(p))
      await within(device.compressBatch(again), 'a batch after the timeout')
      expectRoundTrip(again)
    } finally {
      await device.close()
    }
  })

  // Sync mode blocks in compressBatch, so the test cannot move the clock mid-batch; the test above covers it.
  it.each([
    'irq',
    'async',
  ] as const)('keeps a timed-out descriptor its engine still runs until the engine lets go (%s)', async (mode) => {
    // One engine, one descriptor, and a clock the test moves: every step waits for an event.
    let now = 0
    const device = iaa({
      engines: 1,
      wqSize: 1,
      mode,
      jobTimeoutMs: 1000,
      now: () => now,
      faults: { delayJobs: { count: 1, ms: Number.POSITIVE_INFINITY } },
    })
    try {
      await device.ready()
      const first = [countingJob(compressiblePage(31))]
      const firstDone = device.compressBatch(first)
      // The engine claims the job and stalls holding it; then its deadline passes.
      await until(() => device.stats().wqs[0].running === 1, 'the engine claimed the job')
      now += 1000
      device.poll()
      await within(firstDone, 'the timed-out batch settled')
      expectRoundTrip(first)
      expect(device.stats().errors.timeout).toBe(1)
      // Taken over while running: the descriptor stays the engine's.
      expect(device.stats().wqs[0]).toMatchObject({ depth: 1, running: 1, abandoned: 1 })
      // The next batch waits for the descriptor instead of taking it from under the engine
      // (taken, the engine's late completion would overwrite the new job's state: a hang).
      const second = [countingJob(compressiblePage(32))]
      const secondDone = device.compressBatch(second)
      expect(device.stats().wqs[0]).toMatchObject({ depth: 1, abandoned: 1 })
      device.injectFault({ delayJobs: { count: 0, ms: 0 } })
      await within(secondDone, 'the next batch ran once the engine let go')
      expectRoundTrip(second)
      const stats = device.stats()
      expect(stats.errors.timeout).toBe(1)
      expect(stats.softwareFallbacks.total).toBe(1)
      expect(stats.engines[0].jobs).toBe(2)
      expect(stats.wqs[0]).toMatchObject({ depth: 0, running: 0, abandoned: 0 })
    } finally {
      await device.close()
    }
  })
})

describe('verify_compress', () => {
  it('catches bad engine output and redoes the page in software', async () => {
    const device = iaa({ engines: 1, ...STILL, faults: { badOutput: { count: 2 } } })
    try {
      const jobs = pagesOf(8, 900).map((p) => countingJob(p))
      await device.compressBatch(jobs)
      expectRoundTrip(jobs)
      const stats = device.stats()
      expect(stats.errors.verify).toBe(2)
      expect(stats.softwareFallbacks.verify).toBe(2)
    } finally {
      await device.close()
    }
  })

  it('compares bytes, not lengths: a well-formed block of the wrong page is caught', async () => {
    const device = iaa({ engines: 1, ...STILL, faults: { badOutput: { count: 3, kind: 'plausible' } } })
    try {
      const jobs = pagesOf(8, 950).map((p) => countingJob(p))
      await device.compressBatch(jobs)
      expectRoundTrip(jobs)
      const stats = device.stats()
      expect(stats.errors.verify).toBe(3)
      expect(stats.softwareFallbacks.verify).toBe(3)
    } finally {
      await device.close()
    }
  })

  it('lets a plausible bad block through when turned off: the wrong page, no error', async () => {
    const device = iaa({
      engines: 1,
      verifyCompress: false,
      ...STILL,
      faults: { badOutput: { count: 1, kind: 'plausible' } },
    })
    try {
      const page = compressiblePage(951)
      const jobs = [compressJob(page)]
      await device.compressBatch(jobs)
      // The fault is real: the block decodes, to the right length, with other bytes.
      const decoded = inflateRaw(jobs[0].dst.subarray(0, jobs[0].length))
      expect(decoded.length).toBe(PAGE)
      expect(equal(decoded, page)).toBe(false)
      expect(device.stats().errors.verify).toBe(0)
    } finally {
      await device.close()
    }
  })

  it('lets bad output through when turned off (what verify is for)', async () => {
    const device = iaa({ engines: 1, verifyCompress: false, ...STILL, faults: { badOutput: { count: 1 } } })
    try {
      const page = compressiblePage(901)
      const jobs = [compressJob(page)]
      await device.compressBatch(jobs)
      const back = [decompressJob(jobs[0].dst.subarray(0, jobs[0].length))]
      await device.decompressBatch(back)
      expect(back[0].error !== undefined || !equal(back[0].dst, page)).toBe(true)
      expect(device.stats().errors.verify).toBe(0)
    } finally {
      await device.close()
    }
  })
})

describe('close()', () => {
  it('drains queued and in-flight jobs, then refuses new ones', async () => {
    const device = iaa({ engines: 2, wqSize: 4, faults: { paused: true, delayJobs: { count: 2, ms: 30 } } })
    const batches = Array.from({ length: 4 }, (_, b) => pagesOf(8, 600 + 10 * b).map((p) => countingJob(p)))
    const results = Promise.all(batches.map((jobs) => device.compressBatch(jobs)))
    await sleep(20)
    await device.close()
    await results
    for (const jobs of batches) expectRoundTrip(jobs)
    const error = await (async () => device.decompressBatch([decompressJob(new Uint8Array(8))]))().catch(
      (e) => e,
    )
    expect(ZswapError.hasCode(error, ErrorCode.CLOSED)).toBe(true)
    expect(device.stats().compressJobs).toBe(32)
  })

  it('fails nothing silently when engines are stuck: timed-out jobs complete in software', async () => {
    const device = iaa({
      engines: 1,
      jobTimeoutMs: 80,
      faults: { delayJobs: { count: 1, ms: Number.POSITIVE_INFINITY } },
    })
    await device.ready()
    const jobs = pagesOf(4, 700).map((p) => countingJob(p, PAGE))
    const done = device.compressBatch(jobs)
    await sleep(10)
    await device.close()
    await done
    expectRoundTrip(jobs)
    expect(device.stats().softwareFallbacks.total).toBeGreaterThanOrEqual(1)
  })
})
