/*
 * @zswap/lzo's native backend: liblzo2's LZO1X-1 behind Node-API, compressing and
 * decompressing straight into the caller's Uint8Arrays. Wire format:
 *
 *   LZO1X stream (what the kernel's `lzo` crypto algorithm stores) ‖ [u32le CRC-32(stream)]
 *
 * The stream carries no size: it ends with its own end-of-stream marker, and the
 * decoder reports how many bytes it wrote. Each Node environment (the main thread,
 * every worker thread) gets its own LZO1X_1_MEM_COMPRESS work memory and scratch
 * buffer, handed to the functions as their callback data and freed with the
 * environment; nothing is shared between threads. The CRC-32 is ISA-L's
 * crc32_gzip_refl() when the build found libisal-dev, else zlib's crc32_z() (Node's
 * own zlib, exported to addons, or the system libz); both compute the IEEE CRC-32.
 *
 * Results are plain ints: bytes written, or a negative code (ENCODE_* / DECODE_*)
 * that the JavaScript side turns into a typed error. Only a wrong argument type throws.
 */
#include <lzo/lzo1x.h>
#include <node_api.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef ZSWAP_LZO_STATIC
#define LINKAGE "static"
#else
#define LINKAGE "shared"
#endif
#ifdef ZSWAP_LZO_ISAL
#include <isa-l/crc.h>
#define CRC_IMPL "isa-l"
#else
#include <zlib.h>
#define CRC_IMPL "zlib"
#endif

#define CHECKSUM_BYTES 4
/* The shortest LZO1X stream: the 3-byte end-of-stream marker of an empty input. */
#define MIN_STREAM 3
/* lzo1x_1_compress() has no output bound: it may write this much for n input bytes. */
#define WORST(n) ((n) + (n) / 16 + 64 + 3)
/* Inputs up to this size compress through the scratch buffer when dst is smaller than
 * their worst case, and decodes without a checksum go through it so that a failure
 * leaves dst alone; larger ones use a heap buffer. */
#define SCRATCH_INPUT (64 * 1024)
#define SCRATCH_BYTES WORST(SCRATCH_INPUT)

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
  lzo_align_t wrkmem[(LZO1X_1_MEM_COMPRESS + sizeof(lzo_align_t) - 1) / sizeof(lzo_align_t)];
  uint8_t scratch[SCRATCH_BYTES];
} state_t;

static uint32_t load32(const uint8_t *p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static void store32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)(v >> 16);
  p[3] = (uint8_t)(v >> 24);
}

/* CRC-32 (IEEE, as zlib and gzip): ISA-L's folding kernel when built with it, else zlib's. */
static uint32_t checksum(const uint8_t *p, size_t n) {
#ifdef ZSWAP_LZO_ISAL
  return crc32_gzip_refl(0, p, (uint64_t)n);
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

/* The LZO1X-1 stream and, when `trailer` is CHECKSUM_BYTES, its CRC-32; ENCODE_NO_ROOM when
 * dst is too small, and then dst is not written. liblzo2 writes without bounds, so the stream
 * goes straight into dst only when dst holds its worst case, else through scratch. */
static int64_t encode(state_t *s, const uint8_t *src, size_t n, uint8_t *dst, size_t cap, size_t trailer) {
  if (cap < MIN_STREAM + trailer) return ENCODE_NO_ROOM;
  size_t room = cap - trailer;
  size_t worst = WORST(n);
  uint8_t *out = room >= worst ? dst : worst <= SCRATCH_BYTES ? s->scratch : malloc(worst);
  if (out == NULL) return ENCODE_NO_MEMORY;
  lzo_uint m = 0;
  int r = lzo1x_1_compress(n ? src : s->scratch, (lzo_uint)n, out, &m, s->wrkmem);
  int64_t result;
  if (r != LZO_E_OK) {
    result = ENCODE_FAILED;
  } else if (m > room) {
    result = ENCODE_NO_ROOM;
  } else {
    if (out != dst) memcpy(dst, out, m);
    if (trailer) {
      store32(dst + m, checksum(dst, m));
      m += CHECKSUM_BYTES;
    }
    result = (int64_t)m;
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

static int64_t decode(state_t *s, const uint8_t *src, size_t len, uint8_t *dst, size_t cap, size_t trailer) {
  if (len < MIN_STREAM + trailer) return DECODE_TRUNCATED;
  size_t n = len - trailer;
  if (trailer && load32(src + n) != checksum(src, n)) return DECODE_CHECKSUM;
  lzo_uint got = (lzo_uint)cap;
  if (trailer && cap > 0) {
    /* The stream is the one that was compressed (its CRC-32 matches): decode straight into
     * dst, as the kernel does. Only a stream forged with a matching CRC-32 can still fail
     * here, and may then leave dst partly written. */
    int r = lzo1x_decompress_safe(src, (lzo_uint)n, dst, &got, NULL);
    return r == LZO_E_OK ? (int64_t)got : decode_status(r);
  }
  /* Without a checksum the decoder is the only check: decode into scratch so that a failure
   * leaves dst alone. */
  uint8_t *out = cap <= SCRATCH_BYTES ? s->scratch : malloc(cap);
  if (out == NULL) return DECODE_NO_MEMORY;
  int r = lzo1x_decompress_safe(src, (lzo_uint)n, out, &got, NULL);
  if (r == LZO_E_OK) memcpy(dst, out, got);
  if (out != s->scratch) free(out);
  return r == LZO_E_OK ? (int64_t)got : decode_status(r);
}

#define ENTRY(name, body)                                                                        \
  static napi_value name(napi_env env, napi_callback_info info) {                                \
    uint8_t *src, *dst;                                                                          \
    size_t ns, nd;                                                                               \
    state_t *s;                                                                                  \
    if (!bytes_args(env, info, &src, &ns, &dst, &nd, &s)) return NULL;                           \
    return int_result(env, body);                                                                \
  }

ENTRY(compress_plain, encode(s, src, ns, dst, nd, 0))
ENTRY(compress_crc, encode(s, src, ns, dst, nd, CHECKSUM_BYTES))
ENTRY(decompress_plain, decode(s, src, ns, dst, nd, 0))
ENTRY(decompress_crc, decode(s, src, ns, dst, nd, CHECKSUM_BYTES))

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
#ifndef ZSWAP_LZO_ISAL
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
      {"crc32", NULL, crc, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_value version, crc_impl, linkage;
  napi_create_string_utf8(env, lzo_version_string(), NAPI_AUTO_LENGTH, &version);
  napi_create_string_utf8(env, CRC_IMPL, NAPI_AUTO_LENGTH, &crc_impl);
  napi_create_string_utf8(env, LINKAGE, NAPI_AUTO_LENGTH, &linkage);
  napi_property_descriptor values[] = {
      {"lzoVersion", NULL, NULL, NULL, NULL, version, napi_enumerable, NULL},
      {"crc32Implementation", NULL, NULL, NULL, NULL, crc_impl, napi_enumerable, NULL},
      {"linkage", NULL, NULL, NULL, NULL, linkage, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, 5, props) != napi_ok ||
      napi_define_properties(env, exports, 3, values) != napi_ok)
    return NULL;
  return exports;
}
