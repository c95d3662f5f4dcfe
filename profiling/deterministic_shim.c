/*
 * deterministic_shim.c -- LD_PRELOAD library for deterministic mode: fixed
 * clock seconds and fixed "entropy", so libraries that seed from them behave
 * the same in every run. Built and used by profiling/deterministic.py only;
 * timing runs never see it.
 *
 *   time()        Lua 5.4 seeds its string hash from time(NULL)
 *                 (luai_makeseed): up to 1.6% between two runs of `lua`.
 *   getrandom(), getentropy(), syscall(SYS_getrandom, ...)
 *                 mimalloc seeds its random address hints from getrandom, so
 *                 heap addresses (which Lua's seed also mixes in) moved from
 *                 run to run; expat salts its hash from them too. Here they
 *                 return a fixed splitmix64 stream.
 *
 * clock_gettime and gettimeofday are left alone (Google Benchmark's timers).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <time.h>

#define AB_FIXED_TIME ((time_t)1700000000) /* 2023-11-14T22:13:20Z */

time_t time(time_t *t) {
    if (t) *t = AB_FIXED_TIME;
    return AB_FIXED_TIME;
}

static uint64_t ab_state = 0x5EED5EED5EEDull;

static void ab_fill(void *buf, size_t n) {
    unsigned char *p = (unsigned char *)buf;
    while (n > 0) {
        uint64_t z = __atomic_add_fetch(&ab_state, 0x9E3779B97F4A7C15ull, __ATOMIC_RELAXED);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        z ^= z >> 31;
        size_t k = n < 8 ? n : 8;
        memcpy(p, &z, k);
        p += k;
        n -= k;
    }
}

ssize_t getrandom(void *buf, size_t n, unsigned int flags) {
    (void)flags;
    ab_fill(buf, n);
    return (ssize_t)n;
}

int getentropy(void *buf, size_t n) {
    ab_fill(buf, n);
    return 0;
}

/* glibc's syscall() reads six arguments whatever the call; so does this. */
long syscall(long nr, ...) {
    va_list ap;
    va_start(ap, nr);
    long a1 = va_arg(ap, long), a2 = va_arg(ap, long), a3 = va_arg(ap, long);
    long a4 = va_arg(ap, long), a5 = va_arg(ap, long), a6 = va_arg(ap, long);
    va_end(ap);
    if (nr == SYS_getrandom) {
        ab_fill((void *)a1, (size_t)a2);
        return a2;
    }
    static long (*real)(long, ...);
    if (real == NULL) real = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
    return real(nr, a1, a2, a3, a4, a5, a6);
}
