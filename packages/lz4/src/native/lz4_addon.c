/*
 * @zswap/lz4's native backend: the reference LZ4 library (liblz4) behind
 * Node-API, compressing and decompressing straight into the caller's
 * Uint8Arrays. Wire format, shared with the lz4-napi backend:
 *
 *   u32le uncompressedSize ‖ LZ4 block ‖ [u32le CRC-32(everything before it)]
 *
 * Each Node environment (the main thread, every worker thread) gets its own
 * compression state and scratch buffer, handed to the functions as their
 * callback data and freed with the environment; nothing is shared between
 * threads. The CRC-32 is ISA-L's crc32_gzip_refl() when libisal.so.2 is on
 * the machine (looked up with dlopen once per process: Debian ships no static
 * ISA-L, and the prebuilt addon must load where ISA-L is absent), else
 * libdeflate's libdeflate_crc32() when the build linked libdeflate.a (also a
 * carry-less-multiply kernel, about 3x zlib's on 2 KB blocks, ISA-L about 10x),
 * else zlib's crc32_z(), which Node exports to addons (its bundled zlib) or
 * takes from the system libz. All compute the same IEEE CRC-32.
 *
 * Results are plain ints: bytes written, or a negative DECODE_* code that the
 * JavaScript side turns into a typed error. Only a wrong argument type throws.
 */
#define LZ4_STATIC_LINKING_ONLY
#include <lz4.h>
/* Linked against liblz4.a, the state is reused without clearing its 16 KiB table
 * on every call (what `lz4 -b` does); liblz4.so does not export that entry point. */
#ifdef ZSWAP_LZ4_STATIC
#define COMPRESS_EXT LZ4_compress_fast_extState_fastReset
#define LINKAGE "static"
#else
#define LINKAGE "shared"
#define COMPRESS_EXT LZ4_compress_fast_extState
#endif
#include <node_api.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef ZSWAP_LZ4_LIBDEFLATE
#include <libdeflate.h>
#define BASE_CRC_IMPL "libdeflate"
#else
#include <zlib.h>
#define BASE_CRC_IMPL "zlib"
#endif
#ifdef ZSWAP_LZ4_ISAL
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

/* ZSWAP_LZ4_ISAL=0 in the environment keeps ISA-L out (to measure or test the others). */
static void find_isal(void) {
  const char *off = getenv("ZSWAP_LZ4_ISAL");
  if (__atomic_load_n(&isal_crc32, __ATOMIC_ACQUIRE) != NULL || (off != NULL && strcmp(off, "0") == 0)) return;
  void *lib = dlopen("libisal.so.2", RTLD_NOW | RTLD_LOCAL);
  if (lib == NULL) return;
  isal_crc_fn f = (isal_crc_fn)dlsym(lib, "crc32_gzip_refl");
  if (f != NULL) __atomic_store_n(&isal_crc32, f, __ATOMIC_RELEASE);
}
#endif

#define SIZE_BYTES 4
#define CHECKSUM_BYTES 4
/* Decodes without a checksum go through this buffer so that a failure leaves dst alone; larger
 * outputs use a heap one. */
#define SCRATCH_BYTES (64 * 1024)

enum {
  DECODE_TRUNCATED = -1,
  DECODE_CHECKSUM = -2,
  DECODE_TOO_LARGE = -3,
  DECODE_CORRUPT = -4,
  DECODE_NO_MEMORY = -5,
};

typedef struct {
  LZ4_stream_t stream; /* initialised once per environment, reused by every call */
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

/* CRC-32 (IEEE, as zlib and gzip): ISA-L's folding kernel when it was found, else
 * libdeflate's or zlib's. */
static uint32_t checksum(const uint8_t *p, size_t n) {
#ifdef ZSWAP_LZ4_ISAL
  isal_crc_fn isal = __atomic_load_n(&isal_crc32, __ATOMIC_RELAXED);
  if (isal != NULL) return isal(0, p, (uint64_t)n);
#endif
#ifdef ZSWAP_LZ4_LIBDEFLATE
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

/* Block with its size prefix and, when `trailer` is CHECKSUM_BYTES, the CRC-32; -1 when dst is too small. */
static int64_t encode(state_t *s, const uint8_t *src, size_t n, uint8_t *dst, size_t cap, size_t trailer) {
  if (n > LZ4_MAX_INPUT_SIZE) return -2;
  if (cap < SIZE_BYTES + trailer + 1) return -1;
  size_t room = cap - SIZE_BYTES - trailer;
  if (room > INT32_MAX) room = INT32_MAX;
  int m = COMPRESS_EXT(&s->stream, (const char *)src, (char *)dst + SIZE_BYTES,
                                               (int)n, (int)room, 1);
  if (m <= 0) return -1;
  store32(dst, (uint32_t)n);
  size_t total = SIZE_BYTES + (size_t)m;
  if (trailer) {
    store32(dst + total, checksum(dst, total));
    total += CHECKSUM_BYTES;
  }
  return (int64_t)total;
}

static int64_t decode(state_t *s, const uint8_t *src, size_t len, uint8_t *dst, size_t cap, size_t trailer) {
  if (len < SIZE_BYTES + 1 + trailer) return DECODE_TRUNCATED;
  size_t n = len - trailer;
  if (trailer && load32(src + n) != checksum(src, n)) return DECODE_CHECKSUM;
  uint32_t size = load32(src);
  if (size > cap) return DECODE_TOO_LARGE;
  if (n - SIZE_BYTES > INT32_MAX) return DECODE_CORRUPT;
  if (trailer) {
    /* The block is the one that was compressed (its CRC-32 matches): decode straight into dst, as
     * the kernel does. Only a block forged with a matching CRC-32 can still fail here, and may then
     * leave dst partly written. */
    int got = LZ4_decompress_safe((const char *)src + SIZE_BYTES, (char *)dst, (int)(n - SIZE_BYTES), (int)size);
    return got >= 0 && (uint32_t)got == size ? (int64_t)size : DECODE_CORRUPT;
  }
  /* Without a checksum the decoder is the only check: decode into scratch so that a failure leaves dst alone. */
  uint8_t *out = size <= SCRATCH_BYTES ? s->scratch : malloc(size ? size : 1);
  if (out == NULL) return DECODE_NO_MEMORY;
  int got = LZ4_decompress_safe((const char *)src + SIZE_BYTES, (char *)out, (int)(n - SIZE_BYTES), (int)size);
  if (got >= 0 && (uint32_t)got == size) memcpy(dst, out, size);
  if (out != s->scratch) free(out);
  return got >= 0 && (uint32_t)got == size ? (int64_t)size : DECODE_CORRUPT;
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
  state_t *s = malloc(sizeof(state_t));
  if (s == NULL) {
    napi_throw_error(env, NULL, "@zswap/lz4: out of memory for the liblz4 state");
    return NULL;
  }
  LZ4_initStream(&s->stream, sizeof(s->stream));
#ifdef ZSWAP_LZ4_ISAL
  find_isal();
#endif
#ifndef ZSWAP_LZ4_LIBDEFLATE
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
  napi_create_string_utf8(env, LZ4_versionString(), NAPI_AUTO_LENGTH, &version);
#ifdef ZSWAP_LZ4_ISAL
  const char *crc_name = __atomic_load_n(&isal_crc32, __ATOMIC_RELAXED) != NULL ? "isa-l" : BASE_CRC_IMPL;
#else
  const char *crc_name = BASE_CRC_IMPL;
#endif
  napi_create_string_utf8(env, crc_name, NAPI_AUTO_LENGTH, &crc_impl);
  napi_create_string_utf8(env, LINKAGE, NAPI_AUTO_LENGTH, &linkage);
  napi_property_descriptor values[] = {
      {"lz4Version", NULL, NULL, NULL, NULL, version, napi_enumerable, NULL},
      {"crc32Implementation", NULL, NULL, NULL, NULL, crc_impl, napi_enumerable, NULL},
      {"linkage", NULL, NULL, NULL, NULL, linkage, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, 5, props) != napi_ok ||
      napi_define_properties(env, exports, 3, values) != napi_ok)
    return NULL;
  return exports;
}
