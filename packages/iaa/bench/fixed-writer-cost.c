/*
 * What the fixed-mode writer would cost in C: the same greedy parse (4 KiB history, zlib level
 * 1's parameters) and fixed-code block as src/modes/mode-encoder.ts, timed on the pages of a
 * .pages file next to zlib's deflate (level 1, windowBits 12, Z_FIXED) on the same pages in the
 * same process. Decides "TypeScript or a C addon" for @zswap/iaa (see README, Compression modes).
 *   cc -O2 -o /tmp/fwc fixed-writer-cost.c -lz && zstd -dc CORPUS.pages.zst > /tmp/c.pages && /tmp/fwc /tmp/c.pages
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#define PAGE 4096
#define HASH_SIZE 8192
#define RING 8192
#define MAX_DIST 4096

static int32_t head[HASH_SIZE], prev_[RING];
static int32_t base_ = 1;
static uint16_t llc[288], dc[30];
static uint8_t lll[288], dl[30], dsym[MAX_DIST + 1];
static uint16_t lsym[259];
static const uint16_t lbase[29] = {3,4,5,6,7,8,9,10,11,13,15,17,19,23,27,31,35,43,51,59,67,83,99,115,131,163,195,227,258};
static const uint8_t lextra[29] = {0,0,0,0,0,0,0,0,1,1,1,1,2,2,2,2,3,3,3,3,4,4,4,4,5,5,5,5,0};
static const uint16_t dbase[30] = {1,2,3,4,5,7,9,13,17,25,33,49,65,97,129,193,257,385,513,769,1025,1537,2049,3073,4097,6145,8193,12289,16385,24577};
static const uint8_t dextra[30] = {0,0,0,0,1,1,2,2,3,3,4,4,5,5,6,6,7,7,8,8,9,9,10,10,11,11,12,12,13,13};

static uint16_t rev(unsigned c, int n) { unsigned r = 0; while (n--) { r = (r << 1) | (c & 1); c >>= 1; } return r; }
static void codes(const uint8_t *len, uint16_t *code, int n) {
  int count[16] = {0}, next[16] = {0}, c = 0;
  for (int s = 0; s < n; s++) count[len[s]]++;
  count[0] = 0;
  for (int b = 1; b < 16; b++) { c = (c + count[b - 1]) << 1; next[b] = c; }
  for (int s = 0; s < n; s++) code[s] = len[s] ? rev(next[len[s]]++, len[s]) : 0;
}
static void init(void) {
  for (int s = 0; s < 288; s++) lll[s] = s < 144 ? 8 : s < 256 ? 9 : s < 280 ? 7 : 8;
  for (int s = 0; s < 30; s++) dl[s] = 5;
  codes(lll, llc, 288); codes(dl, dc, 30);
  for (int s = 0; s < 29; s++) for (int l = lbase[s]; l < (s == 28 ? 259 : lbase[s + 1]); l++) lsym[l] = 257 + s;
  lsym[258] = 285;
  for (int s = 0; s < 30; s++) for (int d = dbase[s]; d <= MAX_DIST && (s == 29 || d < dbase[s + 1]); d++) dsym[d] = s;
}
#define HASH(p) ((((unsigned)(p)[0] << 10 ^ (unsigned)(p)[1] << 5 ^ (p)[2]) * 0x9e37u) & (HASH_SIZE - 1))
static size_t fixed_block(const uint8_t *src, int n, uint8_t *out) {
  uint64_t acc = 3; int bits = 3; size_t o = 0; int32_t b = base_; base_ += n + RING;
#define PUT(v, l) do { acc |= (uint64_t)(v) << bits; bits += (l); while (bits >= 8) { out[o++] = acc; acc >>= 8; bits -= 8; } } while (0)
  int last = n - 3;
  for (int pos = 0; pos < n;) {
    int best = 0, bd = 0;
    if (pos <= last) {
      unsigned h = HASH(src + pos); int32_t cand = head[h]; head[h] = pos + b; prev_[pos & (RING - 1)] = cand;
      int maxl = n - pos < 258 ? n - pos : 258;
      for (int chain = 4; cand >= b && chain-- > 0;) {
        int c = cand - b, d = pos - c; if (d > MAX_DIST) break;
        if (src[c + best] == src[pos + best] && src[c] == src[pos] && src[c + 1] == src[pos + 1]) {
          int l = 2; while (l < maxl && src[c + l] == src[pos + l]) l++;
          if (l > best) { best = l; bd = d; if (l >= 8) break; }
        }
        int32_t nx = prev_[c & (RING - 1)]; if (nx >= cand) break; cand = nx;
      }
    }
    if (best >= 3) {
      int s = lsym[best]; PUT(llc[s], lll[s]); PUT(best - lbase[s - 257], lextra[s - 257]);
      int ds = dsym[bd]; PUT(dc[ds], dl[ds]); PUT(bd - dbase[ds], dextra[ds]);
      if (best <= 4) for (int p = pos + 1; p < pos + best && p <= last; p++) { unsigned h = HASH(src + p); prev_[p & (RING - 1)] = head[h]; head[h] = p + b; }
      pos += best;
    } else { PUT(llc[src[pos]], lll[src[pos]]); pos++; }
  }
  PUT(llc[256], lll[256]);
  if (bits) out[o++] = acc;
  return o;
}
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1e6 + t.tv_nsec / 1e3; }
static int cmp(const void *a, const void *b) { double x = *(double *)a, y = *(double *)b; return x < y ? -1 : x > y; }
int main(int argc, char **argv) {
  if (argc < 2) return 2;
  FILE *f = fopen(argv[1], "rb"); if (!f) return 2;
  fseek(f, 0, SEEK_END); long size = ftell(f); fseek(f, 0, SEEK_SET);
  uint8_t *data = malloc(size); if (fread(data, 1, size, f) != (size_t)size) return 2; fclose(f);
  int pages = size / PAGE; if (pages > 2048) pages = 2048;
  init();
  static uint8_t out[3 * PAGE];
  z_stream z; memset(&z, 0, sizeof z);
  deflateInit2(&z, 1, Z_DEFLATED, -12, 8, Z_FIXED);
  double tc[7], tz[7], ratio[7]; size_t bc = 0, bz = 0;
  for (int r = -1; r < 7; r++) {
    double t0 = now(); bc = 0;
    for (int p = 0; p < pages; p++) bc += fixed_block(data + (size_t)p * PAGE, PAGE, out);
    double t1 = now(); bz = 0;
    for (int p = 0; p < pages; p++) {
      deflateReset(&z); z.next_in = data + (size_t)p * PAGE; z.avail_in = PAGE; z.next_out = out; z.avail_out = sizeof out;
      deflate(&z, Z_FINISH); bz += sizeof out - z.avail_out;
    }
    double t2 = now();
    if (r >= 0) { tc[r] = (t1 - t0) / pages; tz[r] = (t2 - t1) / pages; ratio[r] = tc[r] / tz[r]; }
  }
  qsort(tc, 7, sizeof(double), cmp); qsort(tz, 7, sizeof(double), cmp); qsort(ratio, 7, sizeof(double), cmp);
  printf("pages %d: C fixed writer %.1f us/page (ratio %.3f), zlib Z_FIXED wb12 %.1f us/page (ratio %.3f), C writer / zlib %.2f (medians of 7)\n",
         pages, tc[3], (double)pages * PAGE / bc, tz[3], (double)pages * PAGE / bz, ratio[3]);
  return 0;
}
