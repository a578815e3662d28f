import { createRequire } from 'node:module'

/**
 * The liblzo2 addon (src/native/lzo_addon.c, built by node-gyp at install into
 * build/Release). Every function writes into the caller's buffers and returns
 * bytes written, or a negative code (see {@link EncodeStatus}, {@link DecodeStatus}).
 */
export interface LzoAddon {
  /** A plain LZO1X-1 stream into dst; {@link EncodeStatus} when it fails (dst then untouched). */
  compress(src: Uint8Array, dst: Uint8Array): number
  /** As {@link LzoAddon.compress}, plus the CRC-32 trailer. */
  compressChecksum(src: Uint8Array, dst: Uint8Array): number
  /** Decoded size, or a negative {@link DecodeStatus}; dst is written only on success. */
  decompress(src: Uint8Array, dst: Uint8Array): number
  /** As {@link LzoAddon.decompress}, verifying the CRC-32 trailer first. */
  decompressChecksum(src: Uint8Array, dst: Uint8Array): number
  /** CRC-32 (IEEE) of `data`, with the same code the trailer uses. */
  crc32(data: Uint8Array): number
  /** liblzo2's version string, e.g. `'2.10'`. */
  readonly lzoVersion: string
  /** Where the trailer's CRC-32 comes from: ISA-L's kernel or zlib's. */
  readonly crc32Implementation: 'isa-l' | 'zlib'
  /** `'static'`: liblzo2.a linked in; `'shared'`: liblzo2.so.2 loaded at run time. */
  readonly linkage: 'static' | 'shared'
}

/** Negative results of the addon's compress functions. */
export const EncodeStatus = {
  NO_ROOM: -1,
  FAILED: -2,
  NO_MEMORY: -3,
} as const

/** Negative results of the addon's decompress functions. */
export const DecodeStatus = {
  TRUNCATED: -1,
  CHECKSUM: -2,
  TOO_LARGE: -3,
  CORRUPT: -4,
  NO_MEMORY: -5,
  TRAILING: -6,
} as const

/** The addon, or why it could not be loaded. */
export type AddonLoad = { addon: LzoAddon; error?: undefined } | { addon?: undefined; error: Error }

let loaded: AddonLoad | undefined

/**
 * Loads the addon once per thread (Node-API registers it in each worker's
 * environment, with its own work memory). Never throws.
 */
export function loadAddon(): AddonLoad {
  if (loaded === undefined) {
    try {
      // ../build from both src/ (tests) and dist/ (the built package)
      const require = createRequire(import.meta.url)
      loaded = { addon: require('../build/Release/zswap_lzo.node') as LzoAddon }
    } catch (cause) {
      loaded = { error: cause instanceof Error ? cause : new Error(String(cause)) }
    }
  }
  return loaded
}
