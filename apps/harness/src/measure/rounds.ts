import { InvalidArgumentError } from '@zswap/core'

/** Options of {@link interleavedRounds}. */
export interface RoundsOptions {
  /** Measured rounds (≥ 1). */
  runs: number
  /** Unrecorded rounds first, so the JIT has compiled the hot paths (≥ 0). */
  warmup: number
  /** Reverse the order on odd rounds (A B C, C B A, ...), cancelling a trend within a round too. Default false. */
  alternate?: boolean
  /** Called before each subject's run: round number (negative for warm-up) and subject index. */
  onRun?: (round: number, subject: number) => void
}

/**
 * Runs every subject once per round, in the same order each round
 * (A B C A B C ...; or A B C C B A with `alternate`), so drift on a shared
 * machine hits all subjects alike.
 * Returns the measured results per subject, `runs` each.
 */
export async function interleavedRounds<S, R>(
  subjects: readonly S[],
  options: RoundsOptions,
  run: (subject: S, round: number) => Promise<R>,
): Promise<R[][]> {
  const { runs, warmup } = options
  if (!Number.isInteger(runs) || runs < 1)
    throw new InvalidArgumentError(`[zswap-harness] runs must be ≥ 1, got ${runs}`)
  if (!Number.isInteger(warmup) || warmup < 0) {
    throw new InvalidArgumentError(`[zswap-harness] warmup must be ≥ 0, got ${warmup}`)
  }
  const out: R[][] = subjects.map(() => [])
  for (let round = -warmup; round < runs; round++) {
    const reverse = options.alternate === true && (round & 1) === 1
    for (let i = 0; i < subjects.length; i++) {
      const s = reverse ? subjects.length - 1 - i : i
      options.onRun?.(round, s)
      const result = await run(subjects[s], round)
      if (round >= 0) out[s].push(result)
    }
  }
  return out
}
