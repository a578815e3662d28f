/** The two implementations of the wire format, by name. */
export type Lz4Backend = 'liblz4' | 'lz4-napi'

/** Package tag at the head of every error message. */
export const PKG = '@zswap/lz4'
/** Bytes of the little-endian uncompressed-size prefix. */
export const SIZE_BYTES = 4
/** Bytes of the CRC-32 trailer when `checksum` is on. */
export const CHECKSUM_BYTES = 4
/** LZ4_MAX_INPUT_SIZE of the reference implementation. */
export const MAX_INPUT_SIZE = 0x7e000000

/**
 * One backend's encoder and decoder for a fixed `checksum` setting. Both
 * backends write and read the same bytes:
 * `u32le uncompressedSize ‖ LZ4 block ‖ [u32le CRC-32(everything before it)]`.
 */
export interface Lz4Codec {
  readonly backend: Lz4Backend
  /** Bytes written to dst, or -1 when they do not fit. Throws on a library failure. */
  compress(src: Uint8Array, dst: Uint8Array): number
  /** Bytes written to dst. Throws CorruptDataError on any bad input, leaving dst alone. */
  decompress(src: Uint8Array, dst: Uint8Array): number
}
