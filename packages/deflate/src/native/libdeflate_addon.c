/*
 * @zswap/deflate's libdeflate engine: libdeflate (Eric Biggers' DEFLATE
 * library, Debian libdeflate-dev) behind Node-API, compressing and
 * decompressing raw DEFLATE (RFC 1951) straight into the caller's
 * Uint8Arrays. Wire format, shared with the zlib and fflate engines:
 *
 *   raw deflate stream ‖ [u32le CRC-32(uncompressed bytes)]
 *
 * The trailer's CRC-32 is libdeflate_crc32(), computed in the same call.
 *
 * libdeflate 1.14 needs 8-9 bytes of room past the end of its output (measured:
 * it returns 0, "does not fit", for a dst exactly the stream's size). So a
 * stream goes straight into dst when dst holds libdeflate's worst case for the
 * input (libdeflate_deflate_compress_bound), and otherwise (the cache's 4 KiB
 * slots) into a per-environment scratch buffer and then one memcpy when it
 * fits: one compression either way, and -1 exactly when it does not fit.
 * Decompression always writes straight into dst.
 *
 * Each Node environment (the main thread, every worker thread) gets its own
 * state: one libdeflate compressor per libdeflate level (0..12, allocated on
 * first use, then reused by every call) and one decompressor, handed to the
 * functions as their callback data and freed with the environment; nothing
 * is shared between threads.
 *
 * Results are plain ints: bytes written, or a negative code (COMPRESS_* /
 * DECODE_*) that the JavaScript side turns into a typed error. Only a wrong
 * argument type throws.
 */
#include <libdeflate.h>
#include <node_api.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef ZSWAP_LIBDEFLATE_STATIC
#define LINKAGE "static"
#else
#define LINKAGE "shared"
#endif

#define CHECKSUM_BYTES 4
#define LEVELS 13 /* libdeflate levels 0..12 */
/* Kept scratch for compress outputs up to this size; larger ones use a heap buffer per call. */
#define SCRATCH_BYTES (64 * 1024)

enum {
  COMPRESS_DOES_NOT_FIT = -1,
  COMPRESS_NO_MEMORY = -2,
};

enum {
  DECODE_BAD_DATA = -1,      /* LIBDEFLATE_BAD_DATA: invalid codes, truncated, LEN/NLEN mismatch */
  DECODE_TOO_LONG = -2,      /* LIBDEFLATE_INSUFFICIENT_SPACE: inflates to more than dst */
  DECODE_SHORT_OUTPUT = -3,  /* LIBDEFLATE_SHORT_OUTPUT (not expected: the size is always asked for) */
  DECODE_CHECKSUM = -4,      /* the trailer is not the CRC-32 of what the stream inflated to */
  DECODE_TRAILING = -5,      /* bytes follow the end of the deflate stream */
  DECODE_EMPTY = -6,         /* no byte of stream before the trailer */
  DECODE_NO_MEMORY = -7,     /* the decompressor could not be allocated */
};

typedef struct {
  struct libdeflate_compressor *compressors[LEVELS];
  struct libdeflate_decompressor *decompressor;
  uint8_t scratch[SCRATCH_BYTES];
} state_t;

static void store32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)(v >> 16);
  p[3] = (uint8_t)(v >> 24);
}

static uint32_t load32(const uint8_t *p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

/* Clears a pending exception and throws the TypeError every entry point throws for bad arguments. */
static void type_error(napi_env env, const char *message) {
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (pending) {
    napi_value ignored;
    napi_get_and_clear_last_exception(env, &ignored);
  }
  napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", message);
}

/* Reads (src, dst[, level]); false with a pending TypeError on bad arguments. */
static int read_args(napi_env env, napi_callback_info info, size_t want, uint8_t **a, size_t *na,
                     uint8_t **b, size_t *nb, int32_t *level, state_t **state) {
  size_t argc = 3;
  napi_value argv[3];
  void *data;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, &data) != napi_ok) return 0;
  *state = (state_t *)data;
  napi_typedarray_type ta, tb;
  if (argc < want || napi_get_typedarray_info(env, argv[0], &ta, na, (void **)a, NULL, NULL) != napi_ok ||
      napi_get_typedarray_info(env, argv[1], &tb, nb, (void **)b, NULL, NULL) != napi_ok ||
      ta != napi_uint8_array || tb != napi_uint8_array) {
    type_error(env, "src and dst must be Uint8Arrays");
    return 0;
  }
  if (want == 3) {
    if (napi_get_value_int32(env, argv[2], level) != napi_ok || *level < 0 || *level >= LEVELS) {
      type_error(env, "level must be an integer in [0, 12]");
      return 0;
    }
  }
  return 1;
}

static napi_value int_result(napi_env env, int64_t n) {
  napi_value out;
  napi_create_int64(env, n, &out);
  return out;
}

/* The stream and, when `trailer` is CHECKSUM_BYTES, the page's CRC-32; -1 when dst is too small. */
static int64_t encode(state_t *s, int level, const uint8_t *src, size_t n, uint8_t *dst, size_t cap,
                      size_t trailer) {
  struct libdeflate_compressor *c = s->compressors[level];
  if (c == NULL) {
    c = s->compressors[level] = libdeflate_alloc_compressor(level);
    if (c == NULL) return COMPRESS_NO_MEMORY;
  }
  if (cap <= trailer) return COMPRESS_DOES_NOT_FIT;
  size_t room = cap - trailer, bound = libdeflate_deflate_compress_bound(c, n), m;
  if (room >= bound) {
    m = libdeflate_deflate_compress(c, src, n, dst, room);
  } else {
    uint8_t *out = bound <= SCRATCH_BYTES ? s->scratch : malloc(bound);
    if (out == NULL) return COMPRESS_NO_MEMORY;
    m = libdeflate_deflate_compress(c, src, n, out, bound);
    if (m > room) m = 0;
    if (m != 0) memcpy(dst, out, m);
    if (out != s->scratch) free(out);
  }
  if (m == 0) return COMPRESS_DOES_NOT_FIT;
  if (trailer) {
    store32(dst + m, libdeflate_crc32(0, src, n));
    m += CHECKSUM_BYTES;
  }
  return (int64_t)m;
}

/* Inflates exactly one stream filling src (minus the trailer) into dst; dst is undefined on failure. */
static int64_t decode(state_t *s, const uint8_t *src, size_t len, uint8_t *dst, size_t cap, size_t trailer) {
  if (len <= trailer) return DECODE_EMPTY;
  if (s->decompressor == NULL) {
    s->decompressor = libdeflate_alloc_decompressor();
    if (s->decompressor == NULL) return DECODE_NO_MEMORY;
  }
  size_t n = len - trailer, used = 0, out = 0;
  enum libdeflate_result r = libdeflate_deflate_decompress_ex(s->decompressor, src, n, dst, cap, &used, &out);
  switch (r) {
    case LIBDEFLATE_SUCCESS:
      break;
    case LIBDEFLATE_INSUFFICIENT_SPACE:
      return DECODE_TOO_LONG;
    case LIBDEFLATE_SHORT_OUTPUT:
      return DECODE_SHORT_OUTPUT;
    default:
      return DECODE_BAD_DATA;
  }
  if (used != n) return DECODE_TRAILING;
  if (trailer && load32(src + n) != libdeflate_crc32(0, dst, out)) return DECODE_CHECKSUM;
  return (int64_t)out;
}

#define ENTRY(name, want, body)                                                                  \
  static napi_value name(napi_env env, napi_callback_info info) {                                \
    uint8_t *src, *dst;                                                                          \
    size_t ns, nd;                                                                               \
    int32_t level = 0;                                                                           \
    state_t *s;                                                                                  \
    if (!read_args(env, info, want, &src, &ns, &dst, &nd, &level, &s)) return NULL;              \
    return int_result(env, body);                                                                \
  }

ENTRY(compress_plain, 3, encode(s, level, src, ns, dst, nd, 0))
ENTRY(compress_crc, 3, encode(s, level, src, ns, dst, nd, CHECKSUM_BYTES))
ENTRY(decompress_plain, 2, decode(s, src, ns, dst, nd, 0))
ENTRY(decompress_crc, 2, decode(s, src, ns, dst, nd, CHECKSUM_BYTES))

/* CRC-32 of one Uint8Array, for tests. */
static napi_value crc(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_typedarray_type t;
  size_t n;
  void *p;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_typedarray_info(env, argv[0], &t, &n, &p, NULL, NULL) != napi_ok || t != napi_uint8_array) {
    type_error(env, "data must be a Uint8Array");
    return NULL;
  }
  napi_value out;
  napi_create_uint32(env, libdeflate_crc32(0, p, n), &out);
  return out;
}

static void free_state(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  state_t *s = (state_t *)data;
  for (int i = 0; i < LEVELS; i++) libdeflate_free_compressor(s->compressors[i]);
  libdeflate_free_decompressor(s->decompressor);
  free(s);
}

NAPI_MODULE_INIT() {
  state_t *s = calloc(1, sizeof(state_t));
  if (s == NULL) {
    napi_throw_error(env, NULL, "@zswap/deflate: out of memory for the libdeflate state");
    return NULL;
  }
  if (napi_set_instance_data(env, s, free_state, NULL) != napi_ok) {
    free(s);
    return NULL;
  }
  napi_property_descriptor props[] = {
      {"compress", NULL, compress_plain, NULL, NULL, NULL, napi_enumerable, s},
      {"compressChecksum", NULL, compress_crc, NULL, NULL, NULL, napi_enumerable, s},
      {"decompress", NULL, decompress_plain, NULL, NULL, NULL, napi_enumerable, s},
      {"decompressChecksum", NULL, decompress_crc, NULL, NULL, NULL, napi_enumerable, s},
      {"crc32", NULL, crc, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_value version, linkage;
  napi_create_string_utf8(env, LIBDEFLATE_VERSION_STRING, NAPI_AUTO_LENGTH, &version);
  napi_create_string_utf8(env, LINKAGE, NAPI_AUTO_LENGTH, &linkage);
  napi_property_descriptor values[] = {
      {"libdeflateVersion", NULL, NULL, NULL, NULL, version, napi_enumerable, NULL},
      {"linkage", NULL, NULL, NULL, NULL, linkage, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, 5, props) != napi_ok ||
      napi_define_properties(env, exports, 2, values) != napi_ok)
    return NULL;
  return exports;
}
