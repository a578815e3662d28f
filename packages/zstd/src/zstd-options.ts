/** Options of {@link zstd}. */
export interface ZstdOptions {
  /**
   * Compression level: an integer from zstd's minimum (a negative "fast"
   * level, -131072 with zstd 1.5) to its maximum (22); `0` means zstd's
   * default (3). Default: 3, the level the kernel's zstd crypto driver uses.
   */
  level?: number
  /**
   * A dictionary shared by compressor and decompressor: either a zstd
   * dictionary (starts with the dictionary magic) or raw content, e.g. from
   * {@link trainDictionary}. Frames made with a dictionary need the same
   * dictionary to decompress. Default: none.
   */
  dictionary?: Uint8Array
  /**
   * Write zstd's 32-bit content checksum into every frame and verify it on
   * decompress, so a corrupted block is reported instead of returning a
   * wrong page. Costs 4 bytes per block. Default: true.
   */
  checksum?: boolean
}
