/*
 * @zswap/lzo's native backend: liblzo2's LZO1X-1 behind Node-API, compressing and
 * decompressing straight into the caller's Uint8Arrays. The compressor is
 * lzo1x_1_15_compress(), the variant that writes the kernel's bytes (its 2^13-slot
 * dictionary; lzo1x_1_compress() uses 2^14 and writes ~0.15 % less): see the README.
 * Wire format:
 *
 *   LZO1X stream (what the kernel's `lzo` crypto algorithm stores) ‖ [u32le CRC-32(stream)]
 *
 * The stream carries no size: it ends with its own end-of-stream marker, and the
 * decoder reports how many bytes it wrote. Each Node environment (the main thread,
 * every worker thread) gets its own LZO1X_1_15_MEM_COMPRESS work memory and scratch
 * buffer, handed to the functions as their callback data and freed with the
 * environment; nothing is shared between threads. The CRC-32 is ISA-L's
 * crc32_gzip_refl() when libisal.so.2 is on the machine (looked up with dlopen once
 * per process: Debian ships no static ISA-L, and the prebuilt addon must load where
 * ISA-L is absent), else libdeflate's libdeflate_crc32() when the build linked
 * libdeflate.a, else zlib's crc32_z() (Node's own zlib, exported to addons, or the
 * system libz); all compute the IEEE CRC-32.
 *
 * `lzo-rle` (zram's default, the kernel's bitstream version 1) has no liblzo2
 * implementation: it runs on this package's own port of the kernel's coder (lzo_rle.c),
 * with the kernel's 2^13-slot dictionary, through the same buffers and trailer.
 *
 * Results are plain ints: bytes written, or a negative code (ENCODE_* / DECODE_*)
 * that the JavaScript side turns into a typed error. Only a wrong argument type throws.
 */
#include <lzo/lzo1x.h>
#include <node_api.h>

#include "lzo_rle.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef ZSWAP_LZO_STATIC
#define LINKAGE "static"
#else
#define LINKAGE "shared"
#endif
#ifdef ZSWAP_LZO_LIBDEFLATE
#include <libdeflate.h>
#define BASE_CRC_IMPL "libdeflate"
#else
#include <zlib.h>
#define BASE_CRC_IMPL "zlib"
#endif
#ifdef ZSWAP_LZO_ISAL
#include <dlfcn.h>
/* Bind the symbol versions every x86-64 glibc has (2.2.5), not 2.34's, so the
 * prebuilt addon keeps loading on glibc releases before 2.34. */
#if defined(__x86_64__) && defined(__GLIBC__)
__asm__(".symver dlopen,dlopen@GLIBC_2.2.5");
__asm__(".symver dlsym,dlsym@GLIBC_2.2.5");
#endif
/* ISA-L's declaration (isa-l/crc.h), so that no header is needed to build. */
typedef uint32_t (*isal_crc_fn)(uint32_t init_crc, const unsigned char *buf, uint64_t len);
/* Set once per process; environments starting at once may both look it up and store
 * the same pointer (dlopen counts references), hence the atomic store. */
static isal_crc_fn isal_crc32;

/* ZSWAP_LZO_ISAL=0 in the environment keeps ISA-L out (to measure or test the others). */
static void find_isal(void) {
  const char *off = getenv("ZSWAP_LZO_ISAL");
  if (__atomic_load_n(&isal_crc32, __ATOMIC_ACQUIRE) != NULL || (off != NULL && strcmp(off, "0") == 0)) return;
  void *lib = dlopen("libisal.so.2", RTLD_NOW | RTLD_LOCAL);
  if (lib == NULL) return;
  isal_crc_fn f = (isal_crc_fn)dlsym(lib, "crc32_gzip_refl");
  if (f != NULL) __atomic_store_n(&isal_crc32, f, __ATOMIC_RELEASE);
}
#endif

#define CHECKSUM_BYTES 4
/* The shortest LZO1X stream: the 3-byte end-of-stream marker of an empty input. */
#define MIN_STREAM 3
/* liblzo2's LZO1X-1 compressors have no output bound: they may write this much for n input bytes
 * (KLZO_WORST, 2 bytes more, for lzo-rle's version prefix). */
#define WORST(n) ((n) + (n) / 16 + 64 + 3)
/* Inputs up to this size compress through the scratch buffer when dst is smaller than
 * their worst case, and decodes without a checksum go through it so that a failure
 * leaves dst alone; larger ones use a heap buffer. */
#define SCRATCH_INPUT (64 * 1024)
#define SCRATCH_BYTES KLZO_WORST(SCRATCH_INPUT)

enum {
  ENCODE_NO_ROOM = -1,
  ENCODE_FAILED = -2,
  ENCODE_NO_MEMORY = -3,
};

enum {
  DECODE_TRUNCATED = -1,
  DECODE_CHECKSUM = -2,
  DECODE_TOO_LARGE = -3,
  DECODE_CORRUPT = -4,
  DECODE_NO_MEMORY = -5,
  DECODE_TRAILING = -6,
};

typedef struct {
  lzo_align_t wrkmem[(LZO1X_1_15_MEM_COMPRESS + sizeof(lzo_align_t) - 1) / sizeof(lzo_align_t)];
  uint16_t dict[1 << KLZO_MAX_DICT_BITS]; /* the kernel-format coder's dictionary */
  uint8_t scratch[SCRATCH_BYTES];
} state_t;

/* A compressor into a buffer of at least its worst case: stream length, or ENCODE_FAILED. */
typedef int64_t (*encoder_t)(state_t *s, const uint8_t *src, size_t n, uint8_t *out, size_t cap);
/* A bounded decompressor: bytes written, or a DECODE_* status. */
typedef int64_t (*decoder_t)(const uint8_t *src, size_t n, uint8_t *dst, size_t cap);

static uint32_t load32(const uint8_t *p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static void store32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)(v >> 16);
  p[3] = (uint8_t)(v >> 24);
}

/* CRC-32 (IEEE, as zlib and gzip): ISA-L's folding kernel when it was found, else
 * libdeflate's or zlib's. */
static uint32_t checksum(const uint8_t *p, size_t n) {
#ifdef ZSWAP_LZO_ISAL
  isal_crc_fn isal = __atomic_load_n(&isal_crc32, __ATOMIC_RELAXED);
  if (isal != NULL) return isal(0, p, (uint64_t)n);
#endif
#ifdef ZSWAP_LZO_LIBDEFLATE
  return libdeflate_crc32(0, p, n);
#else
  return (uint32_t)crc32_z(0, p, n);
#endif
}

/* Reads two Uint8Array arguments; false (with a pending TypeError) otherwise. */
static int bytes_args(napi_env env, napi_callback_info info, uint8_t **a, size_t *na, uint8_t **b,
                      size_t *nb, state_t **state) {
  size_t argc = 2;
  napi_value argv[2];
  void *data;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, &data) != napi_ok) return 0;
  *state = (state_t *)data;
  napi_typedarray_type ta, tb;
  if (argc < 2 || napi_get_typedarray_info(env, argv[0], &ta, na, (void **)a, NULL, NULL) != napi_ok ||
      napi_get_typedarray_info(env, argv[1], &tb, nb, (void **)b, NULL, NULL) != napi_ok ||
      ta != napi_uint8_array || tb != napi_uint8_array) {
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    if (pending) {
      napi_value ignored;
      napi_get_and_clear_last_exception(env, &ignored);
    }
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "src and dst must be Uint8Arrays");
    return 0;
  }
  return 1;
}

static napi_value int_result(napi_env env, int64_t n) {
  napi_value out;
  napi_create_int64(env, n, &out);
  return out;
}

static int64_t liblzo2_encoder(state_t *s, const uint8_t *src, size_t n, uint8_t *out, size_t cap) {
  (void)cap; /* at least WORST(n): liblzo2 writes without a bound */
  lzo_uint m = 0;
  int r = lzo1x_1_15_compress(n ? src : s->scratch, (lzo_uint)n, out, &m, s->wrkmem);
  return r == LZO_E_OK ? (int64_t)m : ENCODE_FAILED;
}

static int64_t rle_encoder(state_t *s, const uint8_t *src, size_t n, uint8_t *out, size_t cap) {
  size_t m = 0;
  int r = klzo_compress(n ? src : s->scratch, n, out, cap, &m, s->dict, KLZO_DICT_BITS, KLZO_V1);
  return r == KLZO_OK ? (int64_t)m : ENCODE_FAILED;
}

/* The stream and, when `trailer` is CHECKSUM_BYTES, its CRC-32; ENCODE_NO_ROOM when dst is
 * too small, and then dst is not written. The stream goes straight into dst only when dst
 * holds its worst case, else through scratch. */
static int64_t encode(state_t *s, const uint8_t *src, size_t n, uint8_t *dst, size_t cap, size_t trailer,
                      encoder_t encoder, size_t worst) {
  if (cap < MIN_STREAM + trailer) return ENCODE_NO_ROOM;
  size_t room = cap - trailer;
  uint8_t *out = room >= worst ? dst : worst <= SCRATCH_BYTES ? s->scratch : malloc(worst);
  if (out == NULL) return ENCODE_NO_MEMORY;
  int64_t m = encoder(s, src, n, out, out == dst ? room : worst);
  int64_t result;
  if (m < 0) {
    result = ENCODE_FAILED;
  } else if ((size_t)m > room) {
    result = ENCODE_NO_ROOM;
  } else {
    if (out != dst) memcpy(dst, out, (size_t)m);
    if (trailer) {
      store32(dst + m, checksum(dst, (size_t)m));
      m += CHECKSUM_BYTES;
    }
    result = m;
  }
  if (out != dst && out != s->scratch) free(out);
  return result;
}

static int64_t decode_status(int r) {
  switch (r) {
    case LZO_E_INPUT_OVERRUN:
      return DECODE_TRUNCATED;
    case LZO_E_OUTPUT_OVERRUN:
      return DECODE_TOO_LARGE;
    case LZO_E_INPUT_NOT_CONSUMED:
      return DECODE_TRAILING;
    default:
      return DECODE_CORRUPT;
  }
}

static int64_t liblzo2_decoder(const uint8_t *src, size_t n, uint8_t *dst, size_t cap) {
  lzo_uint got = (lzo_uint)cap;
  int r = lzo1x_decompress_safe(src, (lzo_uint)n, dst, &got, NULL);
  return r == LZO_E_OK ? (int64_t)got : decode_status(r);
}

static int64_t rle_decoder(const uint8_t *src, size_t n, uint8_t *dst, size_t cap) {
  size_t got = 0;
  switch (klzo_decompress(src, n, dst, cap, &got)) {
    case KLZO_OK:
      return (int64_t)got;
    case KLZO_INPUT_OVERRUN:
      return DECODE_TRUNCATED;
    case KLZO_OUTPUT_OVERRUN:
      return DECODE_TOO_LARGE;
    case KLZO_INPUT_NOT_CONSUMED:
      return DECODE_TRAILING;
    default:
      return DECODE_CORRUPT;
  }
}

static int64_t decode(state_t *s, const uint8_t *src, size_t len, uint8_t *dst, size_t cap, size_t trailer,
                      decoder_t decoder) {
  if (len < MIN_STREAM + trailer) return DECODE_TRUNCATED;
  size_t n = len - trailer;
  if (trailer && load32(src + n) != checksum(src, n)) return DECODE_CHECKSUM;
  if (trailer && cap > 0) {
    /* The stream is the one that was compressed (its CRC-32 matches): decode straight into
     * dst, as the kernel does. Only a stream forged with a matching CRC-32 can still fail
     * here, and may then leave dst partly written. */
    return decoder(src, n, dst, cap);
  }
  /* Without a checksum the decoder is the only check: decode into scratch so that a failure
   * leaves dst alone. */
  uint8_t *out = cap <= SCRATCH_BYTES ? s->scratch : malloc(cap);
  if (out == NULL) return DECODE_NO_MEMORY;
  int64_t got = decoder(src, n, out, cap);
  if (got > 0) memcpy(dst, out, (size_t)got);
  if (out != s->scratch) free(out);
  return got;
}

#define ENTRY(name, body)                                                                        \
  static napi_value name(napi_env env, napi_callback_info info) {                                \
    uint8_t *src, *dst;                                                                          \
    size_t ns, nd;                                                                               \
    state_t *s;                                                                                  \
    if (!bytes_args(env, info, &src, &ns, &dst, &nd, &s)) return NULL;                           \
    return int_result(env, body);                                                                \
  }

ENTRY(compress_plain, encode(s, src, ns, dst, nd, 0, liblzo2_encoder, WORST(ns)))
ENTRY(compress_crc, encode(s, src, ns, dst, nd, CHECKSUM_BYTES, liblzo2_encoder, WORST(ns)))
ENTRY(decompress_plain, decode(s, src, ns, dst, nd, 0, liblzo2_decoder))
ENTRY(decompress_crc, decode(s, src, ns, dst, nd, CHECKSUM_BYTES, liblzo2_decoder))
ENTRY(compress_rle, encode(s, src, ns, dst, nd, 0, rle_encoder, KLZO_WORST(ns)))
ENTRY(compress_rle_crc, encode(s, src, ns, dst, nd, CHECKSUM_BYTES, rle_encoder, KLZO_WORST(ns)))
ENTRY(decompress_rle, decode(s, src, ns, dst, nd, 0, rle_decoder))
ENTRY(decompress_rle_crc, decode(s, src, ns, dst, nd, CHECKSUM_BYTES, rle_decoder))

/* The kernel-format coder with a chosen bitstream version and dictionary size, straight into
 * dst with its own bounds: stream length, or a negative KLZO_* status. For tests and sizing
 * (version 0 with 13 bits is the kernel's plain `lzo`; with 14 bits, liblzo2's lzo1x_1). */
static napi_value kernel_compress(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  void *data;
  uint8_t *src, *dst;
  size_t ns, nd;
  napi_typedarray_type ta, tb;
  uint32_t version, bits;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, &data) != napi_ok || argc < 4 ||
      napi_get_typedarray_info(env, argv[0], &ta, &ns, (void **)&src, NULL, NULL) != napi_ok ||
      napi_get_typedarray_info(env, argv[1], &tb, &nd, (void **)&dst, NULL, NULL) != napi_ok ||
      ta != napi_uint8_array || tb != napi_uint8_array ||
      napi_get_value_uint32(env, argv[2], &version) != napi_ok ||
      napi_get_value_uint32(env, argv[3], &bits) != napi_ok || version > 1 || bits < 10 ||
      bits > KLZO_MAX_DICT_BITS) {
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    if (pending) {
      napi_value ignored;
      napi_get_and_clear_last_exception(env, &ignored);
    }
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE",
                          "expected (src: Uint8Array, dst: Uint8Array, version: 0 | 1, dictBits: 10..14)");
    return NULL;
  }
  state_t *s = (state_t *)data;
  size_t m = 0;
  int r = klzo_compress(ns ? src : s->scratch, ns, dst, nd, &m, s->dict, bits, (int)version);
  return int_result(env, r == KLZO_OK ? (int64_t)m : (int64_t)r);
}

/* The kernel-format decoder alone, straight into dst: bytes written, or a negative KLZO_* status. */
static napi_value kernel_decompress(napi_env env, napi_callback_info info) {
  uint8_t *src, *dst;
  size_t ns, nd;
  state_t *s;
  if (!bytes_args(env, info, &src, &ns, &dst, &nd, &s)) return NULL;
  size_t got = 0;
  int r = klzo_decompress(src, ns, nd ? dst : s->scratch, nd, &got);
  return int_result(env, r == KLZO_OK ? (int64_t)got : (int64_t)r);
}

/* CRC-32 of one Uint8Array, for measuring and for tests. */
static napi_value crc(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_typedarray_type t;
  size_t n;
  void *p;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_typedarray_info(env, argv[0], &t, &n, &p, NULL, NULL) != napi_ok || t != napi_uint8_array) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "data must be a Uint8Array");
    return NULL;
  }
  napi_value out;
  napi_create_uint32(env, checksum(p, n), &out);
  return out;
}

static void free_state(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  free(data);
}

NAPI_MODULE_INIT() {
  if (lzo_init() != LZO_E_OK) {
    napi_throw_error(env, NULL, "@zswap/lzo: lzo_init() failed: liblzo2 does not match its headers");
    return NULL;
  }
  state_t *s = malloc(sizeof(state_t));
  if (s == NULL) {
    napi_throw_error(env, NULL, "@zswap/lzo: out of memory for the liblzo2 work memory");
    return NULL;
  }
#ifdef ZSWAP_LZO_ISAL
  find_isal();
#endif
#ifndef ZSWAP_LZO_LIBDEFLATE
  crc32(0, Z_NULL, 0); /* Chromium's zlib (Node's) detects its SIMD kernels on this call */
#endif
  if (napi_set_instance_data(env, s, free_state, NULL) != napi_ok) {
    free(s);
    return NULL;
  }
  napi_property_descriptor props[] = {
      {"compress", NULL, compress_plain, NULL, NULL, NULL, napi_enumerable, s},
      {"compressChecksum", NULL, compress_crc, NULL, NULL, NULL, napi_enumerable, s},
      {"decompress", NULL, decompress_plain, NULL, NULL, NULL, napi_enumerable, s},
      {"decompressChecksum", NULL, decompress_crc, NULL, NULL, NULL, napi_enumerable, s},
      {"compressRle", NULL, compress_rle, NULL, NULL, NULL, napi_enumerable, s},
      {"compressRleChecksum", NULL, compress_rle_crc, NULL, NULL, NULL, napi_enumerable, s},
      {"decompressRle", NULL, decompress_rle, NULL, NULL, NULL, napi_enumerable, s},
      {"decompressRleChecksum", NULL, decompress_rle_crc, NULL, NULL, NULL, napi_enumerable, s},
      {"kernelCompress", NULL, kernel_compress, NULL, NULL, NULL, napi_enumerable, s},
      {"kernelDecompress", NULL, kernel_decompress, NULL, NULL, NULL, napi_enumerable, s},
      {"crc32", NULL, crc, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_value version, crc_impl, linkage;
  napi_create_string_utf8(env, lzo_version_string(), NAPI_AUTO_LENGTH, &version);
#ifdef ZSWAP_LZO_ISAL
  const char *crc_name = __atomic_load_n(&isal_crc32, __ATOMIC_RELAXED) != NULL ? "isa-l" : BASE_CRC_IMPL;
#else
  const char *crc_name = BASE_CRC_IMPL;
#endif
  napi_create_string_utf8(env, crc_name, NAPI_AUTO_LENGTH, &crc_impl);
  napi_create_string_utf8(env, LINKAGE, NAPI_AUTO_LENGTH, &linkage);
  napi_property_descriptor values[] = {
      {"lzoVersion", NULL, NULL, NULL, NULL, version, napi_enumerable, NULL},
      {"crc32Implementation", NULL, NULL, NULL, NULL, crc_impl, napi_enumerable, NULL},
      {"linkage", NULL, NULL, NULL, NULL, linkage, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props) != napi_ok ||
      napi_define_properties(env, exports, 3, values) != napi_ok)
    return NULL;
  return exports;
}
