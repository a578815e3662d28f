import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

/**
 * The liblzo2 addon (src/native/lzo_addon.c): the binary prebuilt for this
 * platform under prebuilds/, or one built from source by node-gyp into
 * build/Release. Every function writes into the caller's buffers and returns
 * bytes written, or a negative code (see {@link EncodeStatus}, {@link DecodeStatus}).
 */
export interface LzoAddon {
  /**
   * A plain LZO1X-1 stream into dst (liblzo2's `lzo1x_1_15_compress`, the kernel's bytes);
   * {@link EncodeStatus} when it fails (dst then untouched).
   */
  compress(src: Uint8Array, dst: Uint8Array): number
  /** As {@link LzoAddon.compress}, plus the CRC-32 trailer. */
  compressChecksum(src: Uint8Array, dst: Uint8Array): number
  /** Decoded size, or a negative {@link DecodeStatus}; dst is written only on success. */
  decompress(src: Uint8Array, dst: Uint8Array): number
  /** As {@link LzoAddon.decompress}, verifying the CRC-32 trailer first. */
  decompressChecksum(src: Uint8Array, dst: Uint8Array): number
  /** An lzo-rle stream (the kernel's bitstream version 1) from this package's own coder. */
  compressRle(src: Uint8Array, dst: Uint8Array): number
  /** As {@link LzoAddon.compressRle}, plus the CRC-32 trailer. */
  compressRleChecksum(src: Uint8Array, dst: Uint8Array): number
  /** Decodes a version 0 or 1 stream with this package's own bounded decoder. */
  decompressRle(src: Uint8Array, dst: Uint8Array): number
  /** As {@link LzoAddon.decompressRle}, verifying the CRC-32 trailer first. */
  decompressRleChecksum(src: Uint8Array, dst: Uint8Array): number
  /**
   * The kernel-format coder with a chosen bitstream version (0: `lzo`, 1: `lzo-rle`) and
   * dictionary size (13: the kernel's; 14: liblzo2's `lzo1x_1`), straight into dst with
   * its own bounds: the stream's length, or a negative {@link KernelStatus}. For tests
   * and sizing.
   */
  kernelCompress(src: Uint8Array, dst: Uint8Array, version: 0 | 1, dictBits: number): number
  /** The kernel-format decoder alone, straight into dst: bytes written or a {@link KernelStatus}. */
  kernelDecompress(src: Uint8Array, dst: Uint8Array): number
  /** CRC-32 (IEEE) of `data`, with the same code the trailer uses. */
  crc32(data: Uint8Array): number
  /** liblzo2's version string, e.g. `'2.10'`. */
  readonly lzoVersion: string
  /**
   * Where the trailer's CRC-32 comes from: ISA-L's kernel (libisal.so.2, looked up at
   * load), else libdeflate's (linked in), else zlib's. All compute the same CRC-32.
   */
  readonly crc32Implementation: 'isa-l' | 'libdeflate' | 'zlib'
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

/** Negative results of the addon's kernel-format coder called directly. */
export const KernelStatus = {
  OUTPUT_OVERRUN: -1,
  INPUT_OVERRUN: -2,
  LOOKBEHIND_OVERRUN: -3,
  INPUT_NOT_CONSUMED: -4,
  ERROR: -5,
} as const

/** The addon and the file it came from, or why it could not be loaded. */
export type AddonLoad =
  | { addon: LzoAddon; error?: undefined; path: string }
  | { addon?: undefined; error: Error; path?: undefined }

let loaded: AddonLoad | undefined

/**
 * Loads the addon once per thread (Node-API registers it in each worker's
 * environment, with its own work memory). Never throws.
 */
export function loadAddon(): AddonLoad {
  if (loaded === undefined) {
    try {
      // The package root is .. from both src/ (tests) and dist/ (the built package).
      // node-gyp-build takes build/Release (a local source build) first, then the
      // prebuilt binary for this platform, architecture and libc under prebuilds/.
      const require = createRequire(import.meta.url)
      const nodeGypBuild = require('node-gyp-build') as { path(dir: string): string }
      const path = nodeGypBuild.path(fileURLToPath(new URL('..', import.meta.url)))
      loaded = { addon: require(path) as LzoAddon, path }
    } catch (cause) {
      loaded = { error: cause instanceof Error ? cause : new Error(String(cause)) }
    }
  }
  return loaded
}
