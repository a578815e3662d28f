// RFC 1951 §3.2.5: how match lengths and distances map to Huffman symbols and extra bits,
// and the fixed Huffman code lengths of §3.2.6. Tables built once at module load.

/** Largest match distance any mode writes: the device's 4 KiB history. */
export const MAX_DISTANCE = 4096
/** Shortest and longest match deflate can express. */
export const MIN_MATCH = 3
export const MAX_MATCH = 258
/** Symbols of the literal/length alphabet that a block may use (286, 287 never occur). */
export const LL_SYMBOLS = 286
/** Symbols of the distance alphabet (30, 31 never occur). */
export const D_SYMBOLS = 30
/** The end-of-block symbol. */
export const END_OF_BLOCK = 256

/** First length of each length symbol 257..285 (index = symbol - 257), and its extra bits. */
// biome-ignore format: a table
export const LENGTH_BASE = Uint16Array.of(
  3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27,
  31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258,
)
// biome-ignore format: a table
export const LENGTH_EXTRA = Uint8Array.of(
  0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
  2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
)
/** First distance of each distance symbol 0..29, and its extra bits. */
// biome-ignore format: a table
export const DIST_BASE = Uint16Array.of(
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129,
  193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
)
// biome-ignore format: a table
export const DIST_EXTRA = Uint8Array.of(
  0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6,
  6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
)

/** `LENGTH_SYMBOL[len]`: the length symbol (257..285) of a match of `len` bytes (3..258). */
export const LENGTH_SYMBOL = new Uint16Array(MAX_MATCH + 1)
/** `DIST_SYMBOL[d]`: the distance symbol of distance `d` (1..MAX_DISTANCE). */
export const DIST_SYMBOL = new Uint8Array(MAX_DISTANCE + 1)

for (let s = 0; s < 29; s++) {
  const end = s === 28 ? MAX_MATCH + 1 : LENGTH_BASE[s + 1]
  for (let len = LENGTH_BASE[s]; len < end; len++) LENGTH_SYMBOL[len] = 257 + s
}
// Symbol 284 with extra 31 would also say 258; deflate writers use 285 for it.
LENGTH_SYMBOL[MAX_MATCH] = 285
for (let s = 0; s < D_SYMBOLS; s++) {
  const end = Math.min(s === 29 ? 32769 : DIST_BASE[s + 1], MAX_DISTANCE + 1)
  for (let d = DIST_BASE[s]; d < end; d++) DIST_SYMBOL[d] = s
}

/** The fixed literal/length code lengths (BTYPE 01), symbols 0..287. */
export const FIXED_LL_LENGTHS = new Uint8Array(288)
FIXED_LL_LENGTHS.fill(8, 0, 144)
FIXED_LL_LENGTHS.fill(9, 144, 256)
FIXED_LL_LENGTHS.fill(7, 256, 280)
FIXED_LL_LENGTHS.fill(8, 280, 288)
/** The fixed distance code lengths: 5 bits for each of the 30 symbols. */
export const FIXED_D_LENGTHS = new Uint8Array(D_SYMBOLS).fill(5)
