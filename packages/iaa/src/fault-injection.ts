import { InvalidArgumentError } from '@zswap/core'
import type { IaaFaults } from './iaa-options.js'
import { type Layout, REG } from './layout.js'

const PKG = '[@zswap/iaa]'

/**
 * Checks `faults` and writes them to the device registers the engines read
 * (counts replace earlier ones). Ringing the doorbells after `paused: false`
 * is the caller's.
 * @throws InvalidArgumentError for a malformed fault (nothing of that fault is written).
 */
export function writeFaults(ctl: Int32Array, lay: Layout, engines: number, faults: IaaFaults): void {
  if (faults.killEngine) {
    const { engine, afterJobs, phase = 'claim' } = faults.killEngine
    if (
      !Number.isInteger(engine) ||
      engine < 0 ||
      engine >= engines ||
      !Number.isInteger(afterJobs) ||
      afterJobs < 0 ||
      (phase !== 'claim' && phase !== 'complete')
    ) {
      throw new InvalidArgumentError(
        `${PKG} faults.killEngine needs an engine in [0, ${engines}), afterJobs ≥ 0 and phase 'claim' or 'complete'`,
      )
    }
    // Counted from the engine's current job count so a running engine is hit too.
    Atomics.store(ctl, REG.KILL_AT, Atomics.load(ctl, lay.engineJobsBase + engine) + afterJobs)
    Atomics.store(ctl, REG.KILL_PHASE, phase === 'complete' ? 1 : 0)
    Atomics.store(ctl, REG.KILL_ENGINE, engine)
  }
  if (faults.delayJobs) {
    const { engine = -1, count, ms } = faults.delayJobs
    if (!Number.isInteger(count) || count < 0 || !(ms >= 0) || !Number.isInteger(engine)) {
      throw new InvalidArgumentError(`${PKG} faults.delayJobs needs count ≥ 0, ms ≥ 0 and an integer engine`)
    }
    Atomics.store(ctl, REG.DELAY_ENGINE, engine)
    Atomics.store(ctl, REG.DELAY_MS, ms > 2 ** 31 - 1 ? -1 : Math.ceil(ms))
    Atomics.store(ctl, REG.DELAY_COUNT, count)
    // Count first, then the generation: an engine that took a delay before this wakes up now.
    Atomics.add(ctl, REG.SLEEP, 1)
    Atomics.notify(ctl, REG.SLEEP)
  }
  if (faults.badOutput) {
    const { count, kind = 'garbled' } = faults.badOutput
    if (!Number.isInteger(count) || count < 0 || (kind !== 'garbled' && kind !== 'plausible'))
      throw new InvalidArgumentError(
        `${PKG} faults.badOutput needs count ≥ 0 and kind 'garbled' or 'plausible'`,
      )
    Atomics.store(ctl, REG.BAD_OUTPUT_KIND, kind === 'plausible' ? 1 : 0)
    Atomics.store(ctl, REG.BAD_OUTPUT_COUNT, count)
  }
  if (faults.paused !== undefined) Atomics.store(ctl, REG.PAUSED, faults.paused ? 1 : 0)
}
