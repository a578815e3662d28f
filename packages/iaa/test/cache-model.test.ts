import { createZswap, memorySwapDevice } from '@zswap/cache'
import { cacheModelTest } from '@zswap/conformance'
import { type Accelerator, CompressionFailedError, CorruptDataError } from '@zswap/core'
import { type FaultPlan, referenceZpool } from '@zswap/core/testing'
import { afterAll, describe, expect } from 'vitest'
import { type IaaDevice, iaa } from '../src/index.js'
import { STILL } from './helpers.js'

/**
 * The model's compress/decompress failures, applied per job in page order
 * (as faultyCompressor applies them per call), on top of a real device.
 */
function faultyDevice(device: IaaDevice, plan: FaultPlan, victim: number): Accelerator {
  let started = false
  const fire = (key: 'failCompressAt' | 'failDecompressAt') => plan[key] > 0 && --plan[key] === 0
  return {
    specificationVersion: device.specificationVersion,
    name: `faulty-${device.name}`,
    capabilities: device.capabilities,
    async compressBatch(jobs, count = jobs.length) {
      if (!started) {
        // Engines up first (a slow start would send jobs to software by timeout), then the
        // victim dies on the next job it claims, holding it.
        started = true
        await device.ready()
        device.injectFault({ killEngine: { engine: victim, afterJobs: 0 } })
      }
      await device.compressBatch(jobs, count)
      for (let i = 0; i < count; i++) {
        if (plan.alwaysFailCompress || fire('failCompressAt')) {
          jobs[i].length = 0
          jobs[i].error = new CompressionFailedError('[@zswap/iaa] injected compression failure')
        }
      }
    },
    async decompressBatch(jobs, count = jobs.length) {
      await device.decompressBatch(jobs, count)
      for (let i = 0; i < count; i++) {
        if (fire('failDecompressAt'))
          jobs[i].error = new CorruptDataError('[@zswap/iaa] injected decompression failure')
      }
    },
    // The device is shared by the runs and closed after the last one.
    close: async () => {},
  }
}

let run = 0

// One device for all runs (a device costs a thread start per engine, a second on a busy
// machine); each run kills one of its engines, which restarts, so the limit is lifted.
let shared: IaaDevice | undefined
const sharedDevice = () => (shared ??= iaa({ engines: 2, restartLimit: 1000, ...STILL }))

describe('cache model with the IAA device', () => {
  // The faults must really have fired: jobs of dead engines went to software.
  // (About half the runs compress two pages or more, and each of those kills an engine.)
  afterAll(async () => {
    const deaths = shared?.stats().softwareFallbacks.engineDeath ?? 0
    await shared?.close()
    expect(deaths).toBeGreaterThan(0)
  })

  // In each run engine `run % 2` dies on the first job it claims, mid-batch; a clock that
  // stands still makes sure the deaths, not timeouts, send jobs to software.
  cacheModelTest('reference zpool + iaa deflate, one engine death per run', {
    createZswap,
    memorySwapDevice,
    zpool: () => referenceZpool(),
    compressor: (plan) => {
      run++
      return faultyDevice(sharedDevice(), plan, run % 2)
    },
    maxPagesPerAlloc: 1,
    numRuns: 40,
    maxCommands: 40,
  })
})
