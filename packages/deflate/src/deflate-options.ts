/** Options of {@link deflate}. */
export interface DeflateOptions {
  /** Compression level 0..9 (0 = stored blocks only). Default: 6, zlib's and the kernel's default. */
  level?: number
  /**
   * log2 of fflate's match-finder hash table size, minus 12 (0..12). A 4 KiB
   * page has at most 4096 positions, so a table much larger than that only
   * costs set-up time. Default: 0 (4096 entries), measured fastest for 4 KiB
   * pages with no loss of ratio.
   */
  mem?: number
}
