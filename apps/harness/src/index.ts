/**
 * zswap-harness: composes zswap.ts stacks from driver names, stores and loads
 * real page corpora through them, checks every page and reports.
 */

export {
  type CompareOptions,
  checkStacks,
  compareStacks,
  comparisonFailures,
  type ProgressEvent,
  planStacks,
} from './compare.js'
export {
  CONFIG_FILES,
  type DriverConfig,
  defineConfig,
  type HarnessConfig,
  type LoadedConfig,
  loadConfig,
  type OutputConfig,
} from './config.js'
export {
  type Corpus,
  corpusFromBytes,
  DEFAULT_MAX_PAGES,
  harnessRoot,
  isCorpusFile,
  type LoadedCorpus,
  loadCorpus,
  readCorpus,
  readSample,
  samplePath,
} from './corpus.js'
export { FAULT_KINDS, type FaultKind, type FaultOptions, faultyCompressor } from './faults.js'
export { LatencyRecorder, type LatencySummary } from './measure/latency.js'
export { median, medianRecord } from './measure/median.js'
export { paretoFront } from './measure/pareto.js'
export {
  DEFAULT_SCALE_OBJECTS,
  type PoolAtScale,
  poolAtScale,
  SizeRecordingZpool,
} from './measure/pool-at-scale.js'
export { type PageFates, type WorkloadRatios, workloadRatios } from './measure/ratios.js'
export { ResourceMeter, type ResourceUsage } from './measure/resources.js'
export { interleavedRounds, type RoundsOptions } from './measure/rounds.js'
export { formatCsv } from './output/csv.js'
export { formatHtml } from './output/html.js'
export { formatMarkdown } from './output/markdown.js'
export { formatTable } from './output/table.js'
export { flattenStats, formatReport, integrityFailures } from './report.js'
export {
  type HarnessOptions,
  type HarnessReport,
  type PhaseResult,
  type RunOptions,
  type RunResult,
  runHarness,
  runWorkload,
} from './run.js'
export {
  type ComparisonReport,
  SCHEMA_VERSION,
  type StackResult,
  type SweepInfo,
  type WorkloadInfo,
} from './schema.js'
export {
  BUILTIN_DRIVERS,
  type DriverEntry,
  type DriverKind,
  DriverRegistry,
  type ParamType,
} from './spec/registry.js'
export {
  type ComposedStack,
  composeStack,
  type DriverUse,
  parseStack,
  type StackPlan,
  SUPPORTED_OBJECT_PAGES,
} from './spec/stack-spec.js'
export { expandSweep, parseTerm, type Term } from './spec/terms.js'
export { isHarnessUsageError, UsageError } from './spec/usage-error.js'
export {
  COMPRESSOR_NAMES,
  type CompressorName,
  createCompressor,
  createStack,
  createZpool,
  type Stack,
  type StackSpec,
  ZPOOL_NAMES,
  type ZpoolName,
} from './stacks.js'
export { type FolioPlan, type OrderShare, planFolios } from './workloads/folios.js'
export type { Integrity, Measurement, Mismatch, PressureResult } from './workloads/measurement.js'
export { type PressureOptions, runPressure } from './workloads/pressure.js'
export { runReplay } from './workloads/replay.js'
export { type SyntheticOptions, syntheticCorpus } from './workloads/synthetic.js'
export { memcpyTarget, type Target, zswapTarget } from './workloads/targets.js'
export { parseWorkload, WORKLOAD_KINDS, type WorkloadPlan } from './workloads/workload-spec.js'
