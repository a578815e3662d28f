import { IaaDevice } from './iaa-device.js'
import { type IaaOptions, normalizeOptions } from './iaa-options.js'

export type { IaaAlgorithm } from './codec.js'
export { DEFLATE_FORMATS, DEFLATE_READS, FORMATS, formatOf } from './codec.js'
export { IaaDevice, type IaaFallbacks, type IaaStats } from './iaa-device.js'
export type { IaaFaults, IaaOptions } from './iaa-options.js'
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
