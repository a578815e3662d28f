/*
 * The kernel's LZO1X-1 and lzo-rle streams (see lzo_rle.h). The compressor makes the
 * same choices as the kernel's lzo1x_1_do_compress() on a 64-bit little-endian machine
 * (x86-64, arm64), so that object sizes match: the same hash, dictionary size, skip
 * heuristic (1 + distance since the last instruction / 32), 8-byte match extension that
 * stops once it passes the end margin, zero runs of 4..2051 bytes (version 1 only), the
 * 49151/49152-byte blocks and the trailing literal run. Literals are copied exactly
 * (the kernel over-copies in 4- and 16-byte steps and then overwrites), and every write
 * is bounds-checked. The decompressor is a plain bounds-checked reading of the format.
 */
#include "lzo_rle.h"

#include <string.h>

#define MIN_RUN 4
#define MAX_RUN (2047 + MIN_RUN)
#define M2_MAX_LEN 8
#define M2_MAX_OFFSET 0x0800
#define M3_MAX_LEN 33
#define M3_MAX_OFFSET 0x4000
#define M4_MAX_LEN 9
#define M3_MARKER 32
#define M4_MARKER 16
/* Inputs shorter than this margin at the end of a block are never searched for matches. */
#define END_MARGIN 20

static uint32_t le32(const uint8_t *p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static uint64_t le64(const uint8_t *p) { return (uint64_t)le32(p) | ((uint64_t)le32(p + 4) << 32); }

/* Output cursor. `state_at` is where a following run of 1..3 literals is counted: the low
 * bits of the byte two back after a match (its distance field), three back after a zero run. */
typedef struct {
  uint8_t *op;
  uint8_t *end;
  const uint8_t *start;
  int state_at;
} sink_t;

#define ROOM(s, k)                                                                               \
  do {                                                                                           \
    if ((size_t)((s)->end - (s)->op) < (size_t)(k)) return KLZO_OUTPUT_OVERRUN;                  \
  } while (0)

/* A run of t literals at `from`, t >= 1, after at least one instruction. */
static int put_literals(sink_t *s, const uint8_t *from, size_t t) {
  if (t <= 3) {
    if (s->op - s->start < -s->state_at) return KLZO_ERROR;
    s->op[s->state_at] |= (uint8_t)t;
  } else if (t <= 18) {
    ROOM(s, 1);
    *s->op++ = (uint8_t)(t - 3);
  } else {
    size_t rest = t - 18;
    ROOM(s, 1);
    *s->op++ = 0;
    while (rest > 255) {
      rest -= 255;
      ROOM(s, 1);
      *s->op++ = 0;
    }
    ROOM(s, 1);
    *s->op++ = (uint8_t)rest;
  }
  ROOM(s, t);
  memcpy(s->op, from, t);
  s->op += t;
  return KLZO_OK;
}

/* Length m_len ≥ 4 at distance m_off ≥ 1: M2, M3 or M4. May shorten the match (and move ip
 * back) for the one M4 form that version 1 reserves; returns the bytes consumed. */
static int put_match(sink_t *s, size_t m_len, size_t m_off, int version, size_t *consumed) {
  *consumed = m_len;
  if (m_len <= M2_MAX_LEN && m_off <= M2_MAX_OFFSET) {
    m_off -= 1;
    ROOM(s, 2);
    *s->op++ = (uint8_t)(((m_len - 1) << 5) | ((m_off & 7) << 2));
    *s->op++ = (uint8_t)(m_off >> 3);
    return KLZO_OK;
  }
  uint8_t marker;
  size_t max_len;
  if (m_off <= M3_MAX_OFFSET) {
    m_off -= 1;
    marker = M3_MARKER;
    max_len = M3_MAX_LEN;
  } else {
    m_off -= 0x4000;
    marker = (uint8_t)(M4_MARKER | ((m_off >> 11) & 8));
    max_len = M4_MAX_LEN;
    /* Version 1 reads an M4 of length 261..264 whose distance has these bits as a zero run:
     * such matches are cut to 260 bytes. */
    if (version && (m_off & 0x403f) == 0x403f && m_len >= 261 && m_len <= 264) *consumed = m_len = 260;
  }
  ROOM(s, 1);
  if (m_len <= max_len) {
    *s->op++ = (uint8_t)(marker | (m_len - 2));
  } else {
    size_t rest = m_len - max_len;
    *s->op++ = marker;
    while (rest > 255) {
      rest -= 255;
      ROOM(s, 1);
      *s->op++ = 0;
    }
    ROOM(s, 1);
    *s->op++ = (uint8_t)rest;
  }
  ROOM(s, 2);
  *s->op++ = (uint8_t)(m_off << 2);
  *s->op++ = (uint8_t)(m_off >> 6);
  return KLZO_OK;
}

/* One block of at most 49152 bytes with a fresh dictionary. *pending: literals not yet
 * written, carried in from the block before and out to the next one (or the end). */
static int compress_block(const uint8_t *in, size_t len, sink_t *s, size_t *pending, uint16_t *dict,
                          unsigned bits, int version) {
  const uint8_t *const in_end = in + len;
  const uint8_t *const ip_end = in_end - END_MARGIN;
  const uint8_t *ip = in;
  const uint8_t *ii = in; /* first literal not yet written */
  size_t carried = *pending;
  const uint32_t mask = (1u << bits) - 1;
  ip += carried < 4 ? 4 - carried : 0;

  for (;;) {
    const uint8_t *m_pos = NULL;
    size_t run;
    /* no match here: step on, further the longer the literal run already is */
    ip += 1 + ((size_t)(ip - ii) >> 5);
  search:
    if (ip >= ip_end) break;
    run = 0;
    uint32_t dv = le32(ip);
    if (dv == 0 && version) {
      size_t most = (size_t)(ip_end - ip);
      if (most > MAX_RUN + 1) most = MAX_RUN + 1;
      const uint8_t *ir = ip + 4;
      while (ir < ip + most && *ir == 0) ir++;
      run = (size_t)(ir - ip);
      if (run > MAX_RUN) run = MAX_RUN;
    } else {
      uint32_t h = ((dv * 0x1824429du) >> (32 - bits)) & mask;
      m_pos = in + dict[h];
      dict[h] = (uint16_t)(ip - in);
      if (dv != le32(m_pos)) {
        ip += 1 + ((size_t)(ip - ii) >> 5);
        goto search;
      }
    }

    ii -= carried;
    carried = 0;
    if (ip > ii) {
      int rc = put_literals(s, ii, (size_t)(ip - ii));
      if (rc != KLZO_OK) return rc;
    }

    if (run) {
      size_t code = run - MIN_RUN;
      ROOM(s, 4);
      /* an M4 of distance 0xbfff: 0x18 | (code & 7), then 0xfc | state, 0xff, code >> 3 */
      s->op[0] = (uint8_t)(0x18 | (code & 7));
      s->op[1] = 0xfc;
      s->op[2] = 0xff;
      s->op[3] = (uint8_t)(code >> 3);
      s->op += 4;
      s->state_at = -3;
      ip += run;
      ii = ip;
      goto search;
    }

    /* extend the 4-byte match 8 bytes at a time, stopping once past the end margin */
    size_t m_len = 4;
    uint64_t v = le64(ip + m_len) ^ le64(m_pos + m_len);
    if (v == 0) {
      do {
        m_len += 8;
        v = le64(ip + m_len) ^ le64(m_pos + m_len);
        if (ip + m_len >= ip_end) goto extended;
      } while (v == 0);
    }
    m_len += (size_t)__builtin_ctzll(v) / 8;
  extended:;
    size_t consumed;
    int rc = put_match(s, m_len, (size_t)(ip - m_pos), version, &consumed);
    if (rc != KLZO_OK) return rc;
    s->state_at = -2;
    ip += consumed;
    ii = ip;
    goto search;
  }
  *pending = (size_t)(in_end - (ii - carried));
  return KLZO_OK;
}

int klzo_compress(const uint8_t *in, size_t n, uint8_t *out, size_t cap, size_t *out_len, uint16_t *dict,
                  unsigned dict_bits, int version) {
  sink_t sink = {out, out + cap, out, -2};
  sink_t *s = &sink;
  if (dict_bits < 10 || dict_bits > KLZO_MAX_DICT_BITS) return KLZO_ERROR;
  if (version) {
    /* a plain stream never starts with 17 (but for the empty one): it marks the version */
    ROOM(s, 2);
    *s->op++ = 17;
    *s->op++ = (uint8_t)version;
  }
  uint8_t *const data_start = s->op;
  s->start = data_start;
  const size_t block_max = version ? 0xbfff : 0xc000; /* the largest M4 distance + 1 */
  const uint8_t *ip = in;
  size_t left = n;
  size_t pending = 0;
  while (left > END_MARGIN) {
    size_t len = left < block_max ? left : block_max;
    memset(dict, 0, ((size_t)1 << dict_bits) * sizeof(uint16_t));
    int rc = compress_block(ip, len, s, &pending, dict, dict_bits, version);
    if (rc != KLZO_OK) return rc;
    ip += len;
    left -= len;
  }
  pending += left;
  if (pending > 0) {
    const uint8_t *from = in + n - pending;
    if (s->op == data_start && pending <= 238) {
      ROOM(s, 1 + pending);
      *s->op++ = (uint8_t)(17 + pending);
      memcpy(s->op, from, pending);
      s->op += pending;
    } else {
      int rc = put_literals(s, from, pending);
      if (rc != KLZO_OK) return rc;
    }
  }
  ROOM(s, 3);
  *s->op++ = M4_MARKER | 1;
  *s->op++ = 0;
  *s->op++ = 0;
  *out_len = (size_t)(s->op - out);
  return KLZO_OK;
}

/* A length continued in zero bytes (each worth 255) and a last non-zero byte. */
static int extended_length(const uint8_t **pip, const uint8_t *end, size_t base, size_t *len) {
  const uint8_t *ip = *pip;
  size_t zeros = 0;
  for (;;) {
    if (ip >= end) return KLZO_INPUT_OVERRUN;
    if (*ip != 0) break;
    ip++;
    if (++zeros > (SIZE_MAX / 255) - 2) return KLZO_ERROR;
  }
  *len = base + zeros * 255 + *ip++;
  *pip = ip;
  return KLZO_OK;
}

int klzo_decompress(const uint8_t *in, size_t n, uint8_t *out, size_t cap, size_t *out_len) {
  const uint8_t *ip = in;
  const uint8_t *const ip_end = in + n;
  uint8_t *op = out;
  uint8_t *const op_end = out + cap;
  int version = 0;
  int rc = KLZO_OK;
  size_t t, next = 0, state = 0;

#define IN_LEFT ((size_t)(ip_end - ip))
#define OUT_LEFT ((size_t)(op_end - op))
#define FAIL(code)                                                                               \
  do {                                                                                           \
    rc = (code);                                                                                 \
    goto done;                                                                                   \
  } while (0)

  if (n < 3) FAIL(KLZO_INPUT_OVERRUN);
  if (n >= 5 && ip[0] == 17) {
    version = ip[1];
    if (version != KLZO_V1) FAIL(KLZO_ERROR); /* the only version the kernel writes */
    ip += 2;
  }
  if (*ip > 17) {
    /* the first byte may count a first literal run: 1..3 go through the state, 4.. are a run */
    t = (size_t)(*ip++ - 17);
    if (t < 4) {
      next = t;
      goto literals_after;
    }
    goto literal_run;
  }

  for (;;) {
    size_t dist, len;
    if (ip >= ip_end) FAIL(KLZO_INPUT_OVERRUN);
    t = *ip++;
    if (t < 16) {
      if (state == 0) {
        /* a literal run: 3 + t bytes, or 18 + an extended count */
        if (t == 0) {
          rc = extended_length(&ip, ip_end, 15, &t);
          if (rc != KLZO_OK) goto done;
        }
        t += 3;
      literal_run:
        if (IN_LEFT < t) FAIL(KLZO_INPUT_OVERRUN);
        if (OUT_LEFT < t) FAIL(KLZO_OUTPUT_OVERRUN);
        memcpy(op, ip, t);
        op += t;
        ip += t;
        state = 4;
        continue;
      }
      if (ip >= ip_end) FAIL(KLZO_INPUT_OVERRUN);
      next = t & 3;
      if (state != 4) {
        /* M1 after a match's literals: 2 bytes within 1 KiB */
        dist = 1 + (t >> 2) + ((size_t)*ip++ << 2);
        len = 2;
      } else {
        /* M1 after a literal run: 3 bytes at 2049..3072 */
        dist = 1 + M2_MAX_OFFSET + (t >> 2) + ((size_t)*ip++ << 2);
        len = 3;
      }
    } else if (t >= 64) {
      /* M2: 3..8 bytes within 2 KiB */
      if (ip >= ip_end) FAIL(KLZO_INPUT_OVERRUN);
      next = t & 3;
      dist = 1 + ((t >> 2) & 7) + ((size_t)*ip++ << 3);
      len = (t >> 5) + 1;
    } else if (t >= 32) {
      /* M3: within 16 KiB */
      len = (t & 31) + 2;
      if (len == 2) {
        rc = extended_length(&ip, ip_end, 2 + 31, &len);
        if (rc != KLZO_OK) goto done;
      }
      if (IN_LEFT < 2) FAIL(KLZO_INPUT_OVERRUN);
      size_t u = (size_t)ip[0] | ((size_t)ip[1] << 8);
      ip += 2;
      dist = 1 + (u >> 2);
      next = u & 3;
    } else {
      /* M4: 16..48 KiB back, the end of the stream, or (version 1) a run of zeros */
      if (IN_LEFT < 2) FAIL(KLZO_INPUT_OVERRUN);
      size_t u = (size_t)ip[0] | ((size_t)ip[1] << 8);
      if (version && (u & 0xfffc) == 0xfffc && (t & 0xf8) == 0x18) {
        if (IN_LEFT < 3) FAIL(KLZO_INPUT_OVERRUN);
        size_t run = ((t & 7) | ((size_t)ip[2] << 3)) + MIN_RUN;
        if (OUT_LEFT < run) FAIL(KLZO_OUTPUT_OVERRUN);
        memset(op, 0, run);
        op += run;
        next = u & 3;
        ip += 3;
        goto literals_after;
      }
      len = (t & 7) + 2;
      if (len == 2) {
        rc = extended_length(&ip, ip_end, 2 + 7, &len);
        if (rc != KLZO_OK) goto done;
        if (IN_LEFT < 2) FAIL(KLZO_INPUT_OVERRUN);
        u = (size_t)ip[0] | ((size_t)ip[1] << 8);
      }
      ip += 2;
      dist = ((t & 8) << 11) + (u >> 2);
      next = u & 3;
      if (dist == 0) {
        /* the end-of-stream marker is exactly 0x11 0x00 0x00 (up to its state bits) */
        if (len != 3) FAIL(KLZO_ERROR);
        rc = ip == ip_end ? KLZO_OK : KLZO_INPUT_NOT_CONSUMED;
        goto done;
      }
      dist += 0x4000;
    }
    if (dist > (size_t)(op - out)) FAIL(KLZO_LOOKBEHIND_OVERRUN);
    if (OUT_LEFT < len) FAIL(KLZO_OUTPUT_OVERRUN);
    {
      const uint8_t *m = op - dist;
      for (size_t k = 0; k < len; k++) op[k] = m[k]; /* may overlap: byte by byte */
      op += len;
    }
  literals_after:
    /* 0..3 literals follow a match (or a zero run) */
    state = next;
    if (IN_LEFT < next) FAIL(KLZO_INPUT_OVERRUN);
    if (OUT_LEFT < next) FAIL(KLZO_OUTPUT_OVERRUN);
    for (size_t k = 0; k < next; k++) *op++ = *ip++;
  }

done:
  *out_len = (size_t)(op - out);
  return rc;
#undef IN_LEFT
#undef OUT_LEFT
#undef FAIL
}
