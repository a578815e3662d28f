/**
 * The library behind a stream format: `'liblzo2'` for `lzo`; `'builtin'` for
 * `lzo-rle`, which liblzo2 does not implement (this package's own C coder,
 * src/native/lzo_rle.c).
 */
export type LzoBackend = 'liblzo2' | 'builtin'

/** The kernel's two LZO algorithms: plain LZO1X-1, and zram's default with zero runs. */
export type LzoAlgorithm = 'lzo' | 'lzo-rle'

/** Package tag at the head of every error message. */
export const PKG = '@zswap/lzo'
/** Bytes of the CRC-32 trailer when `checksum` is on. */
export const CHECKSUM_BYTES = 4
/** One line on how to build the addon where no prebuilt binary loads, for errors and the build script. */
export const INSTALL_HINT =
  'build it from source: install a C compiler and liblzo2-dev (`apt-get install -y build-essential liblzo2-dev libdeflate-dev`), ' +
  'then run `node node_modules/@zswap/lzo/scripts/build-addon.mjs`'

/**
 * One backend's encoder and decoder for a fixed algorithm and `checksum`
 * setting: `stream ‖ [u32le CRC-32(stream)]`. The stream is what the kernel's
 * `lzo` (or `lzo-rle`) crypto algorithm writes; it carries no size and ends
 * with its own end-of-stream marker.
 */
export interface LzoCodec {
  readonly backend: LzoBackend
  /** Bytes written to dst, or -1 when they do not fit. Throws on a library failure. */
  compress(src: Uint8Array, dst: Uint8Array): number
  /** Bytes written to dst. Throws CorruptDataError on any bad input, leaving dst alone. */
  decompress(src: Uint8Array, dst: Uint8Array): number
}
