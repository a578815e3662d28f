import type { Measurement } from './workloads/measurement.js'

/**
 * Version of the `--json` document. Bumped on any change that can break a
 * script reading it (a field removed, renamed or its meaning changed); new
 * fields do not bump it. Documented in apps/harness/README.md.
 *
 * 2: `ratio` and `effectiveRatio` are over every page of the workload (zero-mapped
 * pages 0 bytes, pages stored as-is and disk pages 4096), not over the accepted
 * pages; pressure results' `storedPages` counts zero-mapped pages too.
 */
export const SCHEMA_VERSION = 2

/** One workload instance: a workload spec on one corpus (or its generated pages). */
export interface WorkloadInfo {
  /** `"<spec> on <corpus>"`, the key results refer to. */
  id: string
  kind: 'replay' | 'synthetic' | 'pressure'
  /** The workload spec, canonical, e.g. `replay(order=4)`. */
  spec: string
  /** Corpus name (`synthetic-…` for generated pages). */
  corpus: string
  /** Pages offered per run. */
  pages: number
  folios: number
}

/** Medians of one stack on one workload over `medianOf` measured runs. */
export interface StackResult extends Measurement {
  workload: string
  stack: string
  /** True for the memcpy baseline row. */
  baseline: boolean
  /** How many measured runs each figure is the median of. */
  medianOf: number
  /** On the Pareto front of compression ratio vs store MB/s among this workload's stacks (baseline excluded). */
  pareto: boolean
  /**
   * Objects the pool was measured at besides the run's own: the objects of the first
   * measured run allocated again, cycled, in a fresh zpool of the same kind (0: not
   * measured at scale, the figures below are the run's).
   */
  scaleObjects: number
  /** Pool pages the run's objects take in the pool at scale (pages per object there × the run's objects). */
  poolPagesAtScale: number
  /** `effectiveRatio` with the pool at scale: what a long-running system's pool would show. */
  effectiveRatioAtScale: number
  /**
   * `'modeled'`: the stack's accelerator models its time (e.g. `iaa(model=spr)`):
   * store/load MB/s and latency are the cache's measured time plus the modeled
   * device time of `model`; the stack name ends in ` (modeled)`, and the row
   * `<stack> (emulation, measured)` beside it has what the emulation took on
   * this machine. Ratio, pool and CPU figures are measured in both. Absent: measured.
   */
  timing?: 'modeled'
  /** The device model of a modeled row (e.g. `'spr'`). */
  model?: string
}

/** Stacks made from one `{…}` spec: one parameter over a range. */
export interface SweepInfo {
  spec: string
  values: string[]
  /** Stack names, in the order of `values`. */
  stacks: string[]
}

/** The document `zswap-harness --json` prints. */
export interface ComparisonReport {
  schemaVersion: typeof SCHEMA_VERSION
  tool: { name: 'zswap-harness'; version: string }
  createdAt: string
  machine: { cpus: number; cpuModel: string; node: string; platform: string; arch: string }
  /** `scaleObjects`: objects each pool is measured at besides the run's own (0: none). */
  settings: { runs: number; warmup: number; maxPages: number; scaleObjects: number }
  workloads: WorkloadInfo[]
  results: StackResult[]
  sweeps: SweepInfo[]
}
