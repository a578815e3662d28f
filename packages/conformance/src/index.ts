export { type AcceleratorSuiteOptions, acceleratorSuite } from './accelerator-suite.js'
export { type CacheModelOptions, cacheModelTest } from './cache-model.js'
export { type CompressorSuiteOptions, compressorSuite } from './compressor-suite.js'
export type { Factory } from './helpers.js'
export { referenceCompressor } from './reference-compressor.js'
export {
  randomPage,
  type SamplePage,
  type SamplePageKind,
  samplePages,
  structPage,
  textPage,
} from './sample-pages.js'
export { type SwapDeviceSuiteOptions, swapDeviceSuite } from './swap-device-suite.js'
export { type ZpoolSuiteContext, type ZpoolSuiteOptions, zpoolSuite } from './zpool-suite.js'
