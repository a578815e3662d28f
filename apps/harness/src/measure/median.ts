import { InvalidArgumentError } from '@zswap/core'

/** Median of a non-empty list (mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new InvalidArgumentError('[zswap-harness] median of an empty list')
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/**
 * Median of each numeric field over several runs of the same shape; nested
 * objects are walked, arrays and non-numbers are taken from the median run of
 * `key` (the run whose `key` is closest to the median).
 */
export function medianRecord<T extends object>(runs: readonly T[], key: (run: T) => number): T {
  if (runs.length === 0) throw new InvalidArgumentError('[zswap-harness] medianRecord of no runs')
  const m = median(runs.map(key))
  let closest = runs[0]
  for (const r of runs) if (Math.abs(key(r) - m) < Math.abs(key(closest) - m)) closest = r
  const walk = (values: readonly unknown[], base: unknown): unknown => {
    if (typeof base === 'number') {
      const nums = values.filter((v): v is number => typeof v === 'number')
      return nums.length === values.length ? median(nums) : base
    }
    if (base === null || typeof base !== 'object' || Array.isArray(base)) return base
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(base)) {
      out[k] = walk(
        values.map((x) => (x as Record<string, unknown> | undefined)?.[k]),
        v,
      )
    }
    return out
  }
  return walk(runs, closest) as T
}
