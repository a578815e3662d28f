import type { DeviceModel } from './device-model.js'

/**
 * Sapphire Rapids, one IAA device (8 engines), calibrated by
 * `node packages/iaa/scripts/fit-spr.mjs` (method: README "The timing model"):
 * - engines, submit cost and the by_n path's batch overhead: least squares over
 *   the by_n RFC's table (64 KiB folios, n = 1..64); decompress's batch overhead
 *   is compress's, since no by_n decompress row queues on the engines and only
 *   batchNs + engineNs is determined there;
 * - the zswap path's batch overhead: iaa_crypto v11 Table 1 (one 4 KiB page, sync mode);
 * - irqNs: Table 1's async_irq minus its sync figure.
 */
export const SPR: DeviceModel = Object.freeze({
  name: 'spr',
  engines: 8,
  compress: Object.freeze({ engineNs: 484.5, bytesPerNs: 2.0625 }),
  decompress: Object.freeze({ engineNs: 358.8, bytesPerNs: 3.6191 }),
  paths: Object.freeze({
    zswap: Object.freeze({
      compress: Object.freeze({ batchNs: 466.8, submitNs: 239.7 }),
      decompress: Object.freeze({ batchNs: 531.9, submitNs: 212.6 }),
    }),
    byN: Object.freeze({
      compress: Object.freeze({ batchNs: 1978.3, submitNs: 239.7 }),
      decompress: Object.freeze({ batchNs: 1978.3, submitNs: 212.6 }),
    }),
  }),
  irqNs: Object.freeze({ compress: 3670, decompress: 3605 }),
})

/** Presets by name, for `iaa({ device: 'spr' })`. */
export const DEVICE_PRESETS: Readonly<Record<string, DeviceModel>> = Object.freeze({ spr: SPR })
