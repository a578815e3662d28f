/**
 * Which library runs deflate: libdeflate (native, this package's addon),
 * Node's built-in zlib (native) or fflate (pure JavaScript).
 */
export type DeflateEngineName = 'libdeflate' | 'zlib' | 'fflate'

/** Options of {@link deflate}. */
export interface DeflateOptions {
  /** Compression level 0..9 (0 = stored blocks only). Default: 6, zlib's and the kernel's default. */
  level?: number
  /**
   * The library that compresses and decompresses. All write and read the
   * same raw-deflate streams, so blocks made by one load with the others.
   * - `'libdeflate'`: libdeflate through this package's addon (built at
   *   install when a C compiler and libdeflate-dev are there), one reused
   *   compressor per level and one decompressor per thread, straight into the
   *   caller's buffers, the CRC-32 computed in the same native call. Asking
   *   for it without the addon throws a RangeError with code
   *   `ERR_INVALID_OPTION` that says why and how to build it.
   * - `'zlib'`: Node's built-in zlib (native code), one reused deflate and one
   *   inflate stream per compressor, writing straight into the caller's
   *   buffers. About 2.5× fflate's compression speed and 3× its decompression
   *   speed on 4 KiB pages.
   * - `'fflate'`: fflate, pure JavaScript (for runtimes without `node:zlib`).
   * - `'auto'`: libdeflate when the addon loaded, else zlib.
   * Default: `'auto'`.
   */
  engine?: 'auto' | DeflateEngineName
  /**
   * Append the CRC-32 of the uncompressed bytes (4 bytes, little-endian) and
   * verify it after inflating: every corruption of a stored block is then
   * detected (raw deflate has no check of its own, so a flipped bit in a
   * literal otherwise decodes to a wrong page). It is the CRC Intel IAA
   * reports in its completion record. `false` gives plain raw deflate (format
   * `'deflate-raw'`), which zlib, fflate and IAA read as it is.
   * Default: true (format `'deflate-raw+crc32'`).
   */
  checksum?: boolean
  /**
   * fflate engine only: fflate's `mem`, log2 of its match-finder hash table
   * size minus 12 (0..12). Default: fflate's own choice for the input size
   * (13 bits for a 4 KiB page). On 4 KiB pages no setting measured faster than
   * the default beyond noise.
   */
  mem?: number
}
