/**
 * Published Sapphire Rapids IAA figures the `'spr'` preset is calibrated to
 * and tested against (medians, ns).
 */

/** One published latency: `jobs` equal jobs of `bytesPerJob` each, one call. */
export interface PublishedLatency {
  /** Jobs of the call (by_n: n chunks of a 64 KiB folio). */
  jobs: number
  /** Bytes each job moves: input bytes compressing, output bytes decompressing. */
  bytesPerJob: number
  /** Published median, ns. */
  ns: number
}

/**
 * iaa_crypto v11 cover letter, Table 1: one 4 KiB page through zswap
 * (iaa_crypto sync and async_irq modes, software deflate for comparison).
 */
export const IAA_CRYPTO_V11_TABLE1 = {
  sync: { compressNs: 3177, decompressNs: 2235 },
  asyncIrq: { compressNs: 6847, decompressNs: 5840 },
  softwareDeflate: { compressNs: 108_978, decompressNs: 14_485 },
} as const

/**
 * The by_n RFC's table: a 64 KiB folio as n chunks (canned-by_n, core
 * frequency fixed at 2.5 GHz), compress / decompress median ns and ratio;
 * lz4 and zstd (software) for comparison.
 */
export const BY_N_RFC_TABLE = [
  { n: 1, compressNs: 34_493, decompressNs: 20_038, ratio: 2.93 },
  { n: 2, compressNs: 18_830, decompressNs: 11_888, ratio: 2.93 },
  { n: 4, compressNs: 11_364, decompressNs: 8_146, ratio: 2.9 },
  { n: 8, compressNs: 8_344, decompressNs: 6_342, ratio: 2.77 },
  { n: 16, compressNs: 8_837, decompressNs: 6_549, ratio: 2.33 },
  { n: 32, compressNs: 11_153, decompressNs: 9_641, ratio: 2.19 },
  { n: 64, compressNs: 18_272, decompressNs: 16_696, ratio: 1.96 },
] as const

/** The by_n RFC's software rows (64 KiB folio), ns and ratio. */
export const BY_N_RFC_SOFTWARE = {
  lz4: { compressNs: 139_190, decompressNs: 33_687, ratio: 2.4 },
  zstd: { compressNs: 251_820, decompressNs: 90_878, ratio: 3.4 },
} as const

/** The by_n table of one direction as {@link PublishedLatency} rows (64 KiB split in n). */
export function byNLatencies(direction: 'compress' | 'decompress'): PublishedLatency[] {
  return BY_N_RFC_TABLE.map((r) => ({
    jobs: r.n,
    bytesPerJob: 65536 / r.n,
    ns: direction === 'compress' ? r.compressNs : r.decompressNs,
  }))
}
