/*
 * test_use_after_reset.c -- the recipe's first pitfall, on purpose.
 *
 *     const data = try arena.allocator().alloc(u8, 100);
 *     _ = arena.reset(.retain_capacity);
 *     // data is now invalid! Accessing it is undefined behavior
 *
 * With retain_capacity the memory is still mapped and still the arena's, so
 * nothing crashes: only the allocators' poisoning (track.h) can tell. This
 * program makes the mistake; built with -fsanitize=address it must stop with
 * an ASan "use-after-poison" report, and built with -DAB_TRACK_VALGRIND and
 * run under valgrind, memcheck must report an invalid read or write.
 * tests/c/expect_detected.sh checks exactly that.
 *
 *   ./test_use_after_reset CASE
 *     arena        read a pointer after ab_arena_reset(AB_RESET_RETAIN_CAPACITY)
 *     pool         write the first word of a pool object after ab_pool_free
 *     fixed        read a pointer after the fixed buffer rewound it (ab_free of the newest block)
 *     cache        read a pointer into an arena deinit'ed onto a block cache (its block waits
 *                  there, still mapped, for the next arena)
 *     arena-ok, pool-ok, fixed-ok, cache-ok
 *                  the same steps without the bad access: must run clean (no false positive)
 *
 * Without a detector the bad access goes unnoticed: the program then prints
 * "NOT DETECTED" and exits 3, so a driver can never mistake it for a pass.
 */
#include <stdio.h>
#include <string.h>

#include "allocator.h"
#include "arena.h"
#include "block_cache.h"
#include "fixed_buffer.h"
#include "pool.h"

static int arena_case(bool bad) {
    ab_arena arena;
    ab_arena_init(&arena, ab_malloc_allocator());
    ab_allocator a = ab_arena_allocator(&arena);
    unsigned char *data = (unsigned char *)ab_alloc(a, 100, 1);
    if (data == NULL) return 2;
    memset(data, 0xAB, 100);
    ab_arena_reset(&arena, AB_RESET_RETAIN_CAPACITY);
    int v = 0;
    if (bad) {
        volatile unsigned char *stale = data;
        v = stale[10]; /* use after reset: the bytes are poisoned */
    }
    /* the arena itself keeps working on the same memory */
    unsigned char *again = (unsigned char *)ab_alloc(a, 100, 1);
    if (again == NULL) return 2;
    again[0] = 1;
    ab_arena_deinit(&arena);
    (void)v;
    return bad ? 3 : 0;
}

static int pool_case(bool bad) {
    ab_pool pool;
    if (!ab_pool_init(&pool, ab_malloc_allocator(), 64, 8)) return 2;
    unsigned long *obj = (unsigned long *)ab_pool_alloc(&pool);
    void *other = ab_pool_alloc(&pool);
    if (obj == NULL || other == NULL) return 2;
    obj[0] = 42;
    ab_pool_free(&pool, obj);
    if (bad) {
        volatile unsigned long *stale = obj;
        stale[0] = 7; /* use after free: the first word (the free-list link) is poisoned too */
    }
    ab_pool_free(&pool, other);
    void *x = ab_pool_alloc(&pool);
    void *y = ab_pool_alloc(&pool);
    if (x == NULL || y == NULL) return 2;
    ab_pool_deinit(&pool);
    return bad ? 3 : 0;
}

static int fixed_case(bool bad) {
    _Alignas(16) unsigned char buf[1024];
    ab_fixed_buffer fb;
    ab_fixed_buffer_init(&fb, buf, sizeof buf);
    ab_allocator a = ab_fixed_buffer_allocator(&fb);
    unsigned char *keep = (unsigned char *)ab_alloc(a, 32, 8);
    unsigned char *p = (unsigned char *)ab_alloc(a, 64, 8);
    if (keep == NULL || p == NULL) return 2;
    memset(keep, 1, 32);
    memset(p, 2, 64);
    ab_free(a, p, 64, 8); /* the newest block: the buffer rewinds */
    int v = 0;
    if (bad) {
        volatile unsigned char *stale = p;
        v = stale[8]; /* use after rewind */
    }
    keep[0] = 3; /* the older block is still fine */
    ab_fixed_buffer_deinit(&fb); /* un-poison the stack before it is reused */
    (void)v;
    return bad ? 3 : 0;
}

static int cache_case(bool bad) {
    ab_block_cache cache;
    ab_block_cache_init(&cache, ab_malloc_allocator(), (size_t)1 << 20);
    ab_arena arena;
    ab_arena_init(&arena, ab_block_cache_allocator(&cache));
    unsigned char *data = (unsigned char *)ab_arena_alloc(&arena, 100, 1);
    if (data == NULL) return 2;
    memset(data, 0xAB, 100);
    ab_arena_deinit(&arena); /* the block goes to the cache, not to malloc */
    int v = 0;
    if (bad) {
        volatile unsigned char *stale = data;
        v = stale[10]; /* use after deinit: the cached block is poisoned */
    }
    /* the next arena gets the same block back, usable */
    ab_arena_init(&arena, ab_block_cache_allocator(&cache));
    unsigned char *again = (unsigned char *)ab_arena_alloc(&arena, 100, 1);
    if (again != data) return 2;
    again[0] = 1;
    ab_arena_deinit(&arena);
    ab_block_cache_deinit(&cache);
    (void)v;
    return bad ? 3 : 0;
}

int main(int argc, char **argv) {
    const char *which = argc > 1 ? argv[1] : "";
    int rc;
    if (strcmp(which, "arena") == 0) rc = arena_case(true);
    else if (strcmp(which, "arena-ok") == 0) rc = arena_case(false);
    else if (strcmp(which, "pool") == 0) rc = pool_case(true);
    else if (strcmp(which, "pool-ok") == 0) rc = pool_case(false);
    else if (strcmp(which, "fixed") == 0) rc = fixed_case(true);
    else if (strcmp(which, "fixed-ok") == 0) rc = fixed_case(false);
    else if (strcmp(which, "cache") == 0) rc = cache_case(true);
    else if (strcmp(which, "cache-ok") == 0) rc = cache_case(false);
    else {
        fprintf(stderr, "usage: %s arena|pool|fixed|cache|arena-ok|pool-ok|fixed-ok|cache-ok\n", argv[0]);
        return 2;
    }
    if (rc == 3) fprintf(stderr, "%s: NOT DETECTED: the stale access went unnoticed\n", which);
    else if (rc == 0) printf("%s: clean\n", which);
    return rc;
}
