/*
 * LZO1X-1 as the Linux kernel writes it (lib/lzo: a 2^13-slot dictionary), with its
 * bitstream version 1, "lzo-rle" (zram's default): the same instructions plus a run of
 * 4..2051 zero bytes coded as an M4 copy of distance 0xbfff, and the stream prefixed
 * with 17, 1. Written for this package from the format description
 * (Documentation/staging/lzo.rst) and the kernel's behaviour, so that sizes match.
 */
#ifndef ZSWAP_LZO_RLE_H
#define ZSWAP_LZO_RLE_H

#include <stddef.h>
#include <stdint.h>

/* Bitstream versions: 0 = plain LZO1X (the kernel's `lzo`), 1 = `lzo-rle`. */
#define KLZO_V0 0
#define KLZO_V1 1
/* The kernel's dictionary: 2^13 slots of 16-bit offsets. 14 reproduces liblzo2's lzo1x_1. */
#define KLZO_DICT_BITS 13
#define KLZO_MAX_DICT_BITS 14

/* Output bound: n + n/16 + 64 + 3, plus the two version bytes. */
#define KLZO_WORST(n) ((n) + (n) / 16 + 64 + 3 + 2)

enum {
  KLZO_OK = 0,
  KLZO_OUTPUT_OVERRUN = -1,
  KLZO_INPUT_OVERRUN = -2,
  KLZO_LOOKBEHIND_OVERRUN = -3,
  KLZO_INPUT_NOT_CONSUMED = -4,
  KLZO_ERROR = -5,
};

/*
 * Compresses `n` bytes into `out` (room for `cap` bytes); *out_len gets the stream's
 * length. `dict` holds 1 << dict_bits 16-bit entries. KLZO_OUTPUT_OVERRUN when `cap`
 * is too small (then `out` holds a partial stream).
 */
int klzo_compress(const uint8_t *in, size_t n, uint8_t *out, size_t cap, size_t *out_len, uint16_t *dict,
                  unsigned dict_bits, int version);

/*
 * Decompresses a version 0 or version 1 stream into `out` (room for `cap` bytes) without
 * reading past `in + n` or writing past `out + cap`; *out_len gets the bytes written.
 */
int klzo_decompress(const uint8_t *in, size_t n, uint8_t *out, size_t cap, size_t *out_len);

#endif
