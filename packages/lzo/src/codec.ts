/** The implementations of the wire format, by name (one today: liblzo2 in this package's addon). */
export type LzoBackend = 'liblzo2'

/** Package tag at the head of every error message. */
export const PKG = '@zswap/lzo'
/** Bytes of the CRC-32 trailer when `checksum` is on. */
export const CHECKSUM_BYTES = 4
/** One line on how to get the addon, for errors and the install script. */
export const INSTALL_HINT =
  'install a C compiler and liblzo2-dev (`apt-get install -y build-essential liblzo2-dev`), ' +
  'then run `pnpm --filter @zswap/lzo run build:addon`'

/**
 * One backend's encoder and decoder for a fixed `checksum` setting:
 * `LZO1X stream ‖ [u32le CRC-32(stream)]`. The stream is what the kernel's
 * `lzo` crypto algorithm writes; it carries no size and ends with its own
 * end-of-stream marker.
 */
export interface LzoCodec {
  readonly backend: LzoBackend
  /** Bytes written to dst, or -1 when they do not fit. Throws on a library failure. */
  compress(src: Uint8Array, dst: Uint8Array): number
  /** Bytes written to dst. Throws CorruptDataError on any bad input, leaving dst alone. */
  decompress(src: Uint8Array, dst: Uint8Array): number
}
