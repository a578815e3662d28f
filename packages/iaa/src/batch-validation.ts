import { ClosedError, InvalidArgumentError } from '@zswap/core'
import type { Job } from './work-queues.js'

const PKG = '[@zswap/iaa]'

/**
 * Checks a batch before anything is touched; returns the job count.
 * @throws ClosedError once the device is closing; InvalidArgumentError for a count
 * outside [0, min(jobs.length, maxBatch)] or a job without src and dst Uint8Arrays.
 */
export function validateBatch(
  jobs: readonly Job[],
  count: number | undefined,
  maxBatch: number,
  name: string,
  closing: boolean,
): number {
  if (closing) throw new ClosedError(`${PKG} device ${name} is closed`)
  if (!Array.isArray(jobs)) throw new InvalidArgumentError(`${PKG} jobs must be an array of jobs`)
  const n = count === undefined ? jobs.length : count
  if (!Number.isInteger(n) || n < 0 || n > jobs.length || n > maxBatch) {
    throw new InvalidArgumentError(
      `${PKG} count must be an integer in [0, min(jobs.length, maxBatch ${maxBatch})], got ${n}`,
    )
  }
  for (let i = 0; i < n; i++) {
    const job = jobs[i]
    if (!(job?.src instanceof Uint8Array) || !(job.dst instanceof Uint8Array)) {
      throw new InvalidArgumentError(`${PKG} job ${i} needs src and dst Uint8Arrays`)
    }
  }
  return n
}
