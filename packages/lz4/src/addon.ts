import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { isMainThread } from 'node:worker_threads'

/**
 * The liblz4 addon (src/native/lz4_addon.c): the binary prebuilt for this
 * platform under prebuilds/, or one built from source by node-gyp into
 * build/Release. Every function writes into the caller's buffers and returns
 * bytes written, or a negative code (see {@link DecodeStatus}).
 */
export interface Liblz4Addon {
  /** `u32le size ‖ block` into dst; -1 when it does not fit, -2 when src exceeds LZ4's input limit. */
  compress(src: Uint8Array, dst: Uint8Array): number
  /** As {@link Liblz4Addon.compress}, plus the CRC-32 trailer. */
  compressChecksum(src: Uint8Array, dst: Uint8Array): number
  /** Decoded size, or a negative {@link DecodeStatus}; dst is written only on success. */
  decompress(src: Uint8Array, dst: Uint8Array): number
  /** As {@link Liblz4Addon.decompress}, verifying the CRC-32 trailer first. */
  decompressChecksum(src: Uint8Array, dst: Uint8Array): number
  /** CRC-32 (IEEE) of `data`, with the same code the trailer uses. */
  crc32(data: Uint8Array): number
  /** liblz4's version string, e.g. `'1.9.4'`. */
  readonly lz4Version: string
  /**
   * Where the trailer's CRC-32 comes from: ISA-L's kernel (libisal.so.2, looked up at
   * load), else libdeflate's (linked in), else zlib's. All compute the same CRC-32.
   */
  readonly crc32Implementation: 'isa-l' | 'libdeflate' | 'zlib'
  /** `'static'`: liblz4.a linked in; `'shared'`: liblz4.so.1 loaded at run time. */
  readonly linkage: 'static' | 'shared'
}

/** Negative results of the addon's decompress functions. */
export const DecodeStatus = {
  TRUNCATED: -1,
  CHECKSUM: -2,
  TOO_LARGE: -3,
  CORRUPT: -4,
  NO_MEMORY: -5,
} as const

/** The addon and the file it came from, or why it could not be loaded. */
export type AddonLoad =
  | { addon: Liblz4Addon; error?: undefined; path: string }
  | { addon?: undefined; error: Error; path?: undefined }

let loaded: AddonLoad | undefined

/**
 * Loads the addon once per thread (Node-API registers it in each worker's
 * environment, with its own compression state). Never throws.
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
      loaded = { addon: require(path) as Liblz4Addon, path }
    } catch (cause) {
      loaded = { error: cause instanceof Error ? cause : new Error(String(cause)) }
    }
  }
  return loaded
}

let warned = false

/**
 * The one-line hint when `'auto'` falls back to the slower library: a process
 * warning, once per process (from the main thread: worker threads that load
 * the driver stay quiet).
 */
export function warnFallback(pkg: string, code: string, message: string): void {
  if (warned || !isMainThread) return
  warned = true
  process.emitWarning(`[${pkg}] ${message}`, { code })
}
