// Code lengths of the Huffman tables of IAA's "canned" mode, from the 2024 patch
// "crypto: iaa - Add deflate-canned compression algorithm" (iaa_crypto_comp_canned.c,
// canned_ll_iaa[286] and canned_d_iaa[30]: each entry there is (length << 15) | code, the
// code the RFC 1951 canonical code of these lengths). Checked: both codes are complete
// (Kraft sum 1); distance codes 24..29 are unused, so no match reaches past 4096 bytes.

/** Literal/length code lengths of the canned table (symbols 0..285; 256 is end-of-block). */
// biome-ignore format: 16 symbols a row
export const CANNED_LL_LENGTHS: Uint8Array = Uint8Array.of(
  5, 7, 8, 8, 8, 9, 8, 9, 8, 9, 8, 9, 9, 9, 9, 9,
  8, 9, 9, 9, 9, 9, 9, 9, 8, 9, 9, 9, 9, 9, 9, 9,
  7, 9, 9, 9, 9, 9, 9, 9, 8, 9, 9, 9, 9, 9, 8, 9,
  7, 7, 8, 8, 8, 8, 8, 8, 7, 8, 8, 9, 8, 8, 8, 7,
  7, 8, 9, 9, 8, 9, 8, 9, 8, 9, 9, 9, 9, 9, 9, 9,
  8, 9, 9, 9, 9, 9, 9, 9, 8, 9, 9, 9, 9, 9, 9, 9,
  8, 7, 8, 7, 7, 7, 8, 9, 8, 8, 9, 9, 8, 8, 8, 8,
  8, 9, 8, 8, 8, 8, 9, 9, 8, 9, 9, 9, 9, 9, 9, 9,
  8, 9, 9, 9, 9, 9, 9, 9, 8, 9, 9, 9, 9, 9, 9, 9,
  8, 9, 9, 9, 9, 9, 9, 9, 8, 9, 9, 9, 9, 9, 9, 9,
  8, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9,
  8, 9, 9, 9, 9, 9, 9, 9, 8, 9, 9, 9, 9, 9, 9, 8,
  8, 9, 9, 9, 9, 9, 9, 9, 8, 9, 9, 9, 9, 9, 9, 9,
  8, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9,
  8, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9,
  8, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 11, 9, 9, 9, 8,
  10, 4, 5, 6, 5, 5, 5, 8, 8, 7, 7, 6, 8, 7, 7, 8,
  5, 14, 14, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 14,
)

/** Distance code lengths of the canned table (symbols 0..29; 24..29 unused). */
// biome-ignore format: 16 symbols a row
export const CANNED_D_LENGTHS: Uint8Array = Uint8Array.of(
  7, 4, 9, 3, 8, 3, 6, 4, 4, 5, 4, 5, 4, 5, 5, 4,
  4, 5, 5, 5, 5, 6, 6, 9, 0, 0, 0, 0, 0, 0,
)
