/**
 * zswap-reliability: the machinery that hammers zswap.ts — model-based
 * fuzzing with faults over every driver combination, a long soak through a
 * file swap device, and the decompress fuzzers used by the hostile-input tests.
 */

export { COMBOS, COMPRESSORS, type Combo, type CompressorRow, ZPOOLS, type ZpoolRow } from './fuzz/combos.js'
export { FAULT_KINDS, FAULT_SITES, type FaultKind } from './fuzz/faults.js'
export { divergenceKind, formatFuzzReport, groupDivergences } from './fuzz/report.js'
export {
  type ComboReport,
  type Divergence,
  FUZZ_OFFSETS,
  type FuzzOptions,
  type FuzzReport,
  runFuzz,
} from './fuzz/run.js'
export { deriveSeed, Prng, randomSeed } from './prng.js'
export { loadSoakCorpus, type SoakCorpus, soakPage } from './soak/corpus.js'
export { runSoak, type SoakOptions, type SoakReport } from './soak/run.js'
