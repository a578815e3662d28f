/*
 * kcheck-helper: the memory side of `zswap-harness kernel-check`.
 *
 *   kcheck-helper lock PATH
 *     Takes flock(LOCK_EX) on PATH (created 0600), prints "locked", and holds
 *     the lock until its stdin closes: the kernel drops it when this process
 *     ends, so a crashed harness never leaves the lock behind.
 *
 *   kcheck-helper run PAGES [thp] [ROUNDS]
 *     Reads PAGES × 4096 bytes from stdin, copies them into anonymous memory
 *     (64 KiB aligned; `thp`: madvise(MADV_HUGEPAGE) before the first touch,
 *     else MADV_NOHUGEPAGE), then calls madvise(MADV_PAGEOUT) until mincore()
 *     reports no page resident (at most ROUNDS times, default 64). Prints
 *     "pagedout RESIDENT ROUNDS", waits for one line on stdin, reads every
 *     page back (swapping it in), compares it with the copy it kept and prints
 *     "checked MISMATCHES FIRST_BAD_PAGE...". Exit 0 when it got that far.
 *
 *   kcheck-helper deflate-sizes PAGES LEVEL WINDOWBITS MEMLEVEL
 *     (built with -DHAVE_ZLIB -lz) Reads PAGES × 4096 bytes from stdin and
 *     prints the raw-deflate size of each page, one per line, compressed on
 *     its own by the system's zlib with those parameters (the kernel's
 *     crypto/deflate.c runs canonical zlib's algorithm; see kernel-deflate.ts).
 *
 *   kcheck-helper lzo-sizes PAGES
 *     (built with -DHAVE_LZO -llzo2) The same with liblzo2's LZO1X-1 in its
 *     15-bit dictionary variant (lzo1x_1_15_compress), whose output sizes are
 *     the kernel's lzo ones on every corpus measured.
 *
 * Any system error: a message on stderr and exit 2.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <unistd.h>
#ifdef HAVE_ZLIB
#include <zlib.h>
#endif
#ifdef HAVE_LZO
#include <lzo/lzo1x.h>
#endif

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

#define PAGE 4096UL
#define ALIGN (64UL * 1024)

static int fail(const char *what) {
	fprintf(stderr, "kcheck-helper: %s: %s\n", what, strerror(errno));
	return 2;
}

static int read_full(int fd, unsigned char *buf, size_t len) {
	size_t done = 0;
	while (done < len) {
		ssize_t n = read(fd, buf + done, len - done);
		if (n < 0 && errno == EINTR) continue;
		if (n <= 0) return -1;
		done += (size_t)n;
	}
	return 0;
}

static int lock_mode(const char *path) {
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) return fail(path);
	while (flock(fd, LOCK_EX) != 0)
		if (errno != EINTR) return fail("flock");
	printf("locked\n");
	fflush(stdout);
	char c;
	while (read(0, &c, 1) > 0) {
	}
	return 0;
}

static size_t resident_pages(unsigned char *mem, size_t pages, unsigned char *vec) {
	if (mincore(mem, pages * PAGE, vec) != 0) return (size_t)-1;
	size_t n = 0;
	for (size_t i = 0; i < pages; i++) n += vec[i] & 1;
	return n;
}

static int run_mode(size_t pages, int thp, int max_rounds) {
	size_t len = pages * PAGE;
	unsigned char *ref = malloc(len);
	unsigned char *vec = malloc(pages);
	if (ref == NULL || vec == NULL) return fail("malloc");
	if (read_full(0, ref, len) != 0) {
		fprintf(stderr, "kcheck-helper: stdin ended before %zu pages\n", pages);
		return 2;
	}
	unsigned char *raw = mmap(NULL, len + ALIGN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED) return fail("mmap");
	unsigned char *mem = (unsigned char *)(((uintptr_t)raw + ALIGN - 1) & ~(ALIGN - 1));
	if (madvise(mem, len, thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE) != 0) return fail("madvise(HUGEPAGE)");
	memcpy(mem, ref, len);

	int rounds = 0;
	size_t resident = resident_pages(mem, pages, vec);
	if (resident == (size_t)-1) return fail("mincore");
	while (resident > 0 && rounds < max_rounds) {
		if (madvise(mem, len, MADV_PAGEOUT) != 0) return fail("madvise(MADV_PAGEOUT)");
		rounds++;
		resident = resident_pages(mem, pages, vec);
		if (resident == (size_t)-1) return fail("mincore");
	}
	printf("pagedout %zu %d\n", resident, rounds);
	fflush(stdout);

	char c = 0;
	while (read(0, &c, 1) == 1 && c != '\n') {
	}
	size_t bad = 0;
	char first[256] = "";
	size_t used = 0;
	for (size_t i = 0; i < pages; i++) {
		if (memcmp(mem + i * PAGE, ref + i * PAGE, PAGE) == 0) continue;
		if (bad < 16 && used < sizeof first - 24) used += (size_t)snprintf(first + used, sizeof first - used, " %zu", i);
		bad++;
	}
	printf("checked %zu%s\n", bad, first);
	fflush(stdout);
	munmap(raw, len + ALIGN);
	free(ref);
	free(vec);
	return 0;
}

#ifdef HAVE_ZLIB
static int deflate_sizes(size_t pages, int level, int wbits, int memlevel) {
	unsigned char in[PAGE], out[2 * PAGE];
	z_stream z;
	memset(&z, 0, sizeof z);
	if (deflateInit2(&z, level, Z_DEFLATED, -wbits, memlevel, Z_DEFAULT_STRATEGY) != Z_OK) {
		fprintf(stderr, "kcheck-helper: deflateInit2 failed\n");
		return 2;
	}
	for (size_t i = 0; i < pages; i++) {
		if (read_full(0, in, PAGE) != 0) {
			fprintf(stderr, "kcheck-helper: stdin ended before %zu pages\n", pages);
			return 2;
		}
		deflateReset(&z);
		z.next_in = in;
		z.avail_in = PAGE;
		z.next_out = out;
		z.avail_out = sizeof out;
		if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
			fprintf(stderr, "kcheck-helper: deflate failed on page %zu\n", i);
			return 2;
		}
		printf("%lu\n", (unsigned long)z.total_out);
	}
	deflateEnd(&z);
	fflush(stdout);
	return 0;
}
#endif

#ifdef HAVE_LZO
static int lzo_sizes(size_t pages) {
	static unsigned char in[PAGE], out[PAGE + PAGE / 16 + 64 + 3];
	static lzo_align_t wrk[(LZO1X_1_15_MEM_COMPRESS + sizeof(lzo_align_t) - 1) / sizeof(lzo_align_t)];
	if (lzo_init() != LZO_E_OK) {
		fprintf(stderr, "kcheck-helper: lzo_init failed\n");
		return 2;
	}
	for (size_t i = 0; i < pages; i++) {
		if (read_full(0, in, PAGE) != 0) {
			fprintf(stderr, "kcheck-helper: stdin ended before %zu pages\n", pages);
			return 2;
		}
		lzo_uint n = sizeof out;
		if (lzo1x_1_15_compress(in, PAGE, out, &n, wrk) != LZO_E_OK) {
			fprintf(stderr, "kcheck-helper: lzo1x_1_15_compress failed on page %zu\n", i);
			return 2;
		}
		printf("%lu\n", (unsigned long)n);
	}
	fflush(stdout);
	return 0;
}
#endif

int main(int argc, char **argv) {
	if (argc == 3 && strcmp(argv[1], "lock") == 0) return lock_mode(argv[2]);
	if (argc >= 3 && strcmp(argv[1], "run") == 0) {
		char *end;
		unsigned long pages = strtoul(argv[2], &end, 10);
		int thp = argc >= 4 && strcmp(argv[3], "thp") == 0;
		int rounds = argc >= 5 ? atoi(argv[4]) : 64;
		if (*end != '\0' || pages == 0 || pages > (1UL << 24) || rounds < 1) {
			fprintf(stderr, "kcheck-helper: bad page count or rounds\n");
			return 2;
		}
		return run_mode(pages, thp, rounds);
	}
	if (argc == 6 && strcmp(argv[1], "deflate-sizes") == 0) {
#ifdef HAVE_ZLIB
		unsigned long pages = strtoul(argv[2], NULL, 10);
		return deflate_sizes(pages, atoi(argv[3]), atoi(argv[4]), atoi(argv[5]));
#else
		fprintf(stderr, "kcheck-helper: built without zlib (install zlib1g-dev and rebuild)\n");
		return 2;
#endif
	}
	if (argc == 3 && strcmp(argv[1], "lzo-sizes") == 0) {
#ifdef HAVE_LZO
		return lzo_sizes(strtoul(argv[2], NULL, 10));
#else
		fprintf(stderr, "kcheck-helper: built without liblzo2 (install liblzo2-dev and rebuild)\n");
		return 2;
#endif
	}
	fprintf(stderr, "usage: kcheck-helper lock PATH | run PAGES [thp|-] [ROUNDS] | deflate-sizes PAGES LEVEL WBITS MEMLEVEL | lzo-sizes PAGES\n");
	return 2;
}
