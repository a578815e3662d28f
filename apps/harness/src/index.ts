/**
 * zswap-harness: composes zswap.ts stacks from driver names, stores and loads
 * real page corpora through them, checks every page and reports.
 */
export {
  type Corpus,
  corpusFromBytes,
  harnessRoot,
  isCorpusFile,
  readCorpus,
  readSample,
  samplePath,
} from './corpus.js'
export { FAULT_KINDS, type FaultKind, type FaultOptions, faultyCompressor } from './faults.js'
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
