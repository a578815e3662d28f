/** Options of {@link deflate}. */
export interface DeflateOptions {
  /** Compression level 0..9 (0 = stored blocks only). Default: 6, zlib's and the kernel's default. */
  level?: number
  /**
   * fflate's `mem`: log2 of its match-finder hash table size, minus 12
   * (0..12). Default: fflate's own choice for the input size (13 bits for a
   * 4 KiB page). Smaller tables zero less memory per call, but on 4 KiB
   * pages no setting measured faster than the default beyond noise.
   */
  mem?: number
}
