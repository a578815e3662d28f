import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { isMainThread } from 'node:worker_threads'

/**
 * The libdeflate addon (src/native/libdeflate_addon.c): the binary prebuilt for this
 * platform under prebuilds/, or one built from source by node-gyp into
 * build/Release. Every function writes into the caller's
 * buffers and returns bytes written, or a negative code ({@link CompressStatus},
 * {@link DecodeStatus}).
 */
export interface LibdeflateAddon {
  /** Raw deflate of src into dst at libdeflate `level` (0..12); -1 when it does not fit. */
  compress(src: Uint8Array, dst: Uint8Array, level: number): number
  /** As {@link LibdeflateAddon.compress}, plus the u32le CRC-32 of src after the stream. */
  compressChecksum(src: Uint8Array, dst: Uint8Array, level: number): number
  /** Inflates exactly one raw-deflate stream filling src into dst: bytes written, or a {@link DecodeStatus}. */
  decompress(src: Uint8Array, dst: Uint8Array): number
  /** As {@link LibdeflateAddon.decompress}, then checks the trailer against the CRC-32 of the output. */
  decompressChecksum(src: Uint8Array, dst: Uint8Array): number
  /** CRC-32 (IEEE) of `data`: libdeflate_crc32, the code the trailer uses. */
  crc32(data: Uint8Array): number
  /** libdeflate's version, e.g. `'1.14'`. */
  readonly libdeflateVersion: string
  /** `'static'`: libdeflate.a linked in; `'shared'`: libdeflate.so.0 loaded at run time. */
  readonly linkage: 'static' | 'shared'
}

/** Negative results of the addon's compress functions. */
export const CompressStatus = {
  DOES_NOT_FIT: -1,
  NO_MEMORY: -2,
} as const

/** Negative results of the addon's decompress functions. */
export const DecodeStatus = {
  /** LIBDEFLATE_BAD_DATA: invalid codes or distances, a truncated stream, a stored block's LEN ≠ ~NLEN. */
  BAD_DATA: -1,
  /** LIBDEFLATE_INSUFFICIENT_SPACE: the stream inflates to more than dst. */
  TOO_LONG: -2,
  /** LIBDEFLATE_SHORT_OUTPUT (the addon always asks for the size, so not expected). */
  SHORT_OUTPUT: -3,
  /** The trailer is not the CRC-32 of what the stream inflated to. */
  CHECKSUM: -4,
  /** Bytes follow the end of the deflate stream (a stream shorter than its block). */
  TRAILING: -5,
  /** No byte of stream before the trailer. */
  EMPTY: -6,
  /** The decompressor could not be allocated. */
  NO_MEMORY: -7,
} as const

/** The addon and the file it came from, or why it could not be loaded. */
export type AddonLoad =
  | { addon: LibdeflateAddon; error?: undefined; path: string }
  | { addon?: undefined; error: Error; path?: undefined }

let loaded: AddonLoad | undefined

/**
 * Loads the addon once per thread (Node-API registers it in each worker's
 * environment, with its own compressors and decompressor). Never throws.
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
      loaded = { addon: require(path) as LibdeflateAddon, path }
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
