/*
 * probe.c -- the few machine costs that decide the big numbers, measured at
 * the start of a run and written as JSON (results/<run>/probe.json):
 *   syscall_ns          one trivial system call (getppid via syscall())
 *   page_first_touch_ns first write to a fresh anonymous page (page fault + zeroing)
 *   page_retouch_ns     a write to the same page once it is mapped (the cache/TLB baseline)
 *   mmap_munmap_ns      mmap + munmap of 1 MiB without touching it
 *   memset_gbps         memset bandwidth over a 64 MiB buffer already mapped
 *   memset_1k_ns        memset of 1 KiB in cache (the recipe's per-allocation work)
 * Each figure is the median of several rounds; the spread is reported too.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS 7

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct { double median, min, max; } stat3;

static stat3 summarize(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    stat3 s = {v[n / 2], v[0], v[n - 1]};
    return s;
}

static volatile unsigned char sink;

static double syscall_ns(void) {
    const int n = 200000;
    double t0 = now_ns();
    for (int i = 0; i < n; i++) syscall(SYS_getppid);
    return (now_ns() - t0) / n;
}

static double first_touch_ns(double *retouch) {
    const size_t page = (size_t)sysconf(_SC_PAGESIZE), bytes = (size_t)32 << 20, pages = bytes / page;
    unsigned char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return -1;
    double t0 = now_ns();
    for (size_t i = 0; i < pages; i++) p[i * page] = (unsigned char)i;
    double first = (now_ns() - t0) / (double)pages;
    t0 = now_ns();
    for (size_t i = 0; i < pages; i++) p[i * page] = (unsigned char)(i + 1);
    *retouch = (now_ns() - t0) / (double)pages;
    sink = p[page];
    munmap(p, bytes);
    return first;
}

static double mmap_munmap_ns(void) {
    const int n = 2000;
    double t0 = now_ns();
    for (int i = 0; i < n; i++) {
        void *p = mmap(NULL, (size_t)1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) return -1;
        munmap(p, (size_t)1 << 20);
    }
    return (now_ns() - t0) / n;
}

static double memset_gbps(unsigned char *buf, size_t bytes) {
    double t0 = now_ns();
    for (int r = 0; r < 4; r++) {
        memset(buf, r, bytes);
        sink = buf[bytes / 2];
    }
    return 4.0 * (double)bytes / (now_ns() - t0); /* bytes per ns == GB/s */
}

static double memset_1k_ns(unsigned char *buf) {
    const int n = 200000;
    double t0 = now_ns();
    for (int i = 0; i < n; i++) {
        memset(buf, i, 1024);
        __asm__ volatile("" : : "r"(buf) : "memory");
    }
    return (now_ns() - t0) / n;
}

static void emit(const char *key, stat3 s, const char *unit, int last) {
    printf("  \"%s\": {\"median\": %.3f, \"min\": %.3f, \"max\": %.3f, \"unit\": \"%s\"}%s\n", key, s.median, s.min,
           s.max, unit, last ? "" : ",");
}

int main(int argc, char **argv) {
    if (argc > 1) {
        fprintf(stderr, "usage: %s   (prints machine-cost probe JSON on stdout)\n", argv[0]);
        return argc == 2 && strcmp(argv[1], "--help") == 0 ? 0 : 2;
    }
    const size_t big = (size_t)64 << 20;
    unsigned char *buf = malloc(big);
    if (buf == NULL) {
        fprintf(stderr, "probe: out of memory\n");
        return 1;
    }
    memset(buf, 1, big);
    double sys[ROUNDS], ft[ROUNDS], rt[ROUNDS], mm[ROUNDS], bw[ROUNDS], m1[ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
        sys[r] = syscall_ns();
        ft[r] = first_touch_ns(&rt[r]);
        mm[r] = mmap_munmap_ns();
        bw[r] = memset_gbps(buf, big);
        m1[r] = memset_1k_ns(buf);
    }
    printf("{\n  \"page_size\": %ld,\n", sysconf(_SC_PAGESIZE));
    emit("syscall_ns", summarize(sys, ROUNDS), "ns", 0);
    emit("page_first_touch_ns", summarize(ft, ROUNDS), "ns", 0);
    emit("page_retouch_ns", summarize(rt, ROUNDS), "ns", 0);
    emit("mmap_munmap_ns", summarize(mm, ROUNDS), "ns", 0);
    emit("memset_gbps", summarize(bw, ROUNDS), "GB/s", 0);
    emit("memset_1k_ns", summarize(m1, ROUNDS), "ns", 1);
    printf("}\n");
    free(buf);
    return 0;
}
