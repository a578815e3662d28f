import { IaaDevice } from './iaa-device.js'
import { type IaaOptions, normalizeOptions } from './iaa-options.js'

export type { IaaAlgorithm } from './codec.js'
export { DEFLATE_FORMATS, DEFLATE_READS, FORMATS, formatOf } from './codec.js'
export { IaaDevice, type IaaFallbacks, type IaaStats } from './iaa-device.js'
export type { IaaFaults, IaaOptions } from './iaa-options.js'
export type { IaaModeledStats } from './modeled-time.js'
export { ModeCodec } from './modes/mode-codec.js'
export { COMPRESSION_MODES, type CompressionMode, ModeEncoder } from './modes/mode-encoder.js'

/**
 * Creates an emulated IAA device (an Accelerator with maxBatch 8): engines on
 * worker threads, work queues of descriptors in shared memory.
 * Engine threads do not keep the process alive while the device is idle;
 * call `close()` to stop them.
 * @throws TypeError | RangeError (code ERR_INVALID_OPTION) for a bad option.
 */
export function iaa(options?: IaaOptions): IaaDevice {
  return new IaaDevice(normalizeOptions(options))
}
export {
  type BatchCall,
  type DeviceModel,
  type DevicePath,
  DeviceTimeline,
  type Direction,
  type EngineTiming,
  modelBatch,
  type PathOverhead,
} from './device-model.js'
export { type DirectionFit, fitBatchNs, fitDirection } from './device-model-fit.js'
export { DEVICE_PRESETS, SPR } from './presets.js'
export {
  BY_N_RFC_SOFTWARE,
  BY_N_RFC_TABLE,
  byNLatencies,
  IAA_CRYPTO_V11_TABLE1,
  type PublishedLatency,
} from './published-spr.js'
