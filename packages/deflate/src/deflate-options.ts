/** Which library runs deflate: Node's built-in zlib (native) or fflate (pure JavaScript). */
export type DeflateEngineName = 'zlib' | 'fflate'

/** Options of {@link deflate}. */
export interface DeflateOptions {
  /** Compression level 0..9 (0 = stored blocks only). Default: 6, zlib's and the kernel's default. */
  level?: number
  /**
   * The library that compresses and decompresses. Both write and read the
   * same raw-deflate streams, so blocks made by one load with the other.
   * - `'zlib'`: Node's built-in zlib (native code), one reused deflate and one
   *   inflate stream per compressor, writing straight into the caller's
   *   buffers. About 2.5× fflate's compression speed and 3× its decompression
   *   speed on 4 KiB pages.
   * - `'fflate'`: fflate, pure JavaScript (for runtimes without `node:zlib`).
   * Default: `'zlib'`.
   */
  engine?: DeflateEngineName
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
