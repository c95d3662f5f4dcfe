/*
 * test_allocators.c -- one conformance suite, run against every allocator
 * through the common interface (as Zig runs std.heap.testAllocator against
 * each of its allocators), then the tests of what only one allocator
 * promises (arena reset modes, nesting, fixed-buffer bounds, pool reuse,
 * malloc identity, pinned overheads).
 *
 *   ./test_allocators [-l] [FILTER...]    run the cases whose name contains a FILTER
 *   AB_TEST_OPS=N     operations per allocator in the property test (default 100000)
 *   AB_TEST_SEED=S    base seed of the property test (decimal or 0x...; default fixed)
 *
 * Every case ends with the counting wrapper that backs it at 0 live bytes.
 * Nothing here measures time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allocator.h"
#include "arena.h"
#include "check.h"
#include "counting.h"
#include "fixed_buffer.h"
#include "model.h"
#include "pool.h"
#include "subjects.h"
#include "track.h"

static size_t g_ops = 100000;
static uint64_t g_seed = 0xA7E4AB5EEDull;

/* A recognisable byte for (block tag, offset). */
static unsigned char tagged(unsigned tag, size_t i) { return (unsigned char)(tag * 31u + i * 7u + 1u); }
static void fill_tag(void *p, size_t n, unsigned tag) {
    for (size_t i = 0; i < n; i++) ((unsigned char *)p)[i] = tagged(tag, i);
}
static bool has_tag(const void *p, size_t n, unsigned tag) {
    for (size_t i = 0; i < n; i++)
        if (((const unsigned char *)p)[i] != tagged(tag, i)) return false;
    return true;
}

/* ======================================================================
 * The conformance suite: every test below runs on every subject.
 * ====================================================================== */

typedef void (*subject_test)(ab_subject *s);
static ab_subject_kind cur_kind;
static subject_test cur_test;

static void run_subject(ab_subject *s, void *stack_buf) {
    if (!ab_subject_open(s, cur_kind, stack_buf)) {
        EXPECT_MSG(false, "could not set up %s", ab_subject_name(cur_kind));
        return;
    }
    cur_test(s);
    ab_subject_close(s);
    /* every test ends with nothing live in the backing */
    EXPECT_U64_EQ(s->heap.live_bytes, 0);
    EXPECT_U64_EQ(s->heap.live_count, 0);
    if (s->kind == AB_SUBJ_STACK_ARENA) EXPECT_U64_EQ(s->heap.alloc_calls, 0); /* no heap at all */
}

static AB_NOINLINE void run_with_stack_buffer(void) {
    _Alignas(64) unsigned char stack_buf[AB_SUBJ_STACK_CAP];
    ab_subject s;
    run_subject(&s, stack_buf);
}

static void run_current(void) {
    if (cur_kind == AB_SUBJ_STACK_ARENA) {
        run_with_stack_buffer();
    } else {
        ab_subject s;
        run_subject(&s, NULL);
    }
}

/* Every power-of-two alignment 1..4096: aligned and writable. */
static void t_align_sweep(ab_subject *s) {
    struct { void *p; size_t size, align; } got[64];
    size_t n = 0;
    for (size_t align = 1; align <= 4096; align *= 2) {
        const size_t sizes[3] = {1, 24, align};
        for (int k = 0; k < 3; k++) {
            size_t size = sizes[k];
            void *p = ab_alloc(s->a, size, align);
            EXPECT_NOT_NULL(p);
            if (p == NULL) continue;
            EXPECT_ALIGNED(p, align);
            fill_tag(p, size, (unsigned)n);
            got[n].p = p, got[n].size = size, got[n].align = align;
            n++;
        }
    }
    for (size_t i = 0; i < n; i++) EXPECT_TRUE(has_tag(got[i].p, got[i].size, (unsigned)i));
    while (n > 0) {
        n--;
        ab_free(s->a, got[n].p, got[n].size, got[n].align);
    }
    /* The largest alignment the interface promises: a pool serves only its
     * own alignment, a small bounded buffer may not have the room. */
    void *p = ab_alloc(s->a, 64, AB_MAX_ALIGN);
    if (s->kind == AB_SUBJ_POOL) {
        EXPECT_NULL(p);
    } else if (s->kind == AB_SUBJ_STACK_ARENA) {
        /* fits only if a 1 MiB boundary happens to fall inside the 256 KiB buffer */
        if (p != NULL) EXPECT_ALIGNED(p, AB_MAX_ALIGN);
    } else {
        EXPECT_NOT_NULL(p);
        EXPECT_ALIGNED(p, AB_MAX_ALIGN);
        if (p) memset(p, 0x5A, 64);
    }
    ab_free(s->a, p, 64, AB_MAX_ALIGN);
}

/* Size 0: AB_ZERO_SIZE_PTR(align), nothing reaches the allocator, free is a no-op. */
static void t_size_zero(ab_subject *s) {
    uint64_t calls = s->heap.alloc_calls;
    for (size_t align = 1; align <= 4096; align *= 8) {
        void *p = ab_alloc(s->a, 0, align);
        EXPECT_PTR_EQ(p, AB_ZERO_SIZE_PTR(align));
        EXPECT_NOT_NULL(p);
        ab_free(s->a, p, 0, align);
    }
    EXPECT_PTR_EQ(ab_alloc_array(s->a, 0, 16, 8), AB_ZERO_SIZE_PTR(8));
    EXPECT_PTR_EQ(ab_alloc_array(s->a, 16, 0, 8), AB_ZERO_SIZE_PTR(8));
    EXPECT_PTR_EQ(ab_dup(s->a, "x", 0), AB_ZERO_SIZE_PTR(AB_DEFAULT_ALIGN));
    ab_free(s->a, NULL, 16, 8); /* free(NULL) */
    EXPECT_TRUE(ab_resize(s->a, AB_ZERO_SIZE_PTR(8), 0, 0, 8));
    EXPECT_FALSE(ab_resize(s->a, AB_ZERO_SIZE_PTR(8), 0, 8, 8));
    EXPECT_U64_EQ(s->heap.alloc_calls, calls);
    if ((s->caps & AB_SUBJ_BUMP) && s->kind != AB_SUBJ_FIXED) EXPECT_ZU_EQ(s->arena[0].block_count, 0);
    if (s->kind == AB_SUBJ_FIXED) EXPECT_ZU_EQ(s->fb.off, 0);
    if (s->kind == AB_SUBJ_POOL) EXPECT_ZU_EQ(s->pool.slab_count, 0);

    /* realloc from size 0 allocates; to size 0 frees and returns the zero-size pointer */
    void *p = ab_realloc(s->a, AB_ZERO_SIZE_PTR(16), 0, 32, 16);
    EXPECT_NOT_NULL(p);
    EXPECT_PTR_NE(p, AB_ZERO_SIZE_PTR(16));
    EXPECT_ALIGNED(p, 16);
    if (p) memset(p, 1, 32);
    EXPECT_PTR_EQ(ab_realloc(s->a, p, 32, 0, 16), AB_ZERO_SIZE_PTR(16));
}

/* Bad alignments and oversized requests: NULL, and nothing reaches the allocator. */
static void t_bad_request(ab_subject *s) {
    uint64_t calls = s->heap.alloc_calls;
    const size_t bad_aligns[] = {0, 3, 6, 12, 24, 100, AB_MAX_ALIGN << 1, AB_MAX_ALIGN + 1, SIZE_MAX};
    for (size_t i = 0; i < sizeof bad_aligns / sizeof *bad_aligns; i++) {
        size_t al = bad_aligns[i];
        EXPECT_NULL(ab_alloc(s->a, 16, al));
        EXPECT_NULL(ab_alloc(s->a, 0, al));
        EXPECT_NULL(ab_alloc_array(s->a, 2, 8, al));
        EXPECT_NULL(ab_realloc(s->a, NULL, 0, 16, al));
    }
    EXPECT_NULL(ab_alloc(s->a, AB_MAX_SIZE + 1, 1));
    EXPECT_NULL(ab_alloc(s->a, SIZE_MAX, 8));
    EXPECT_U64_EQ(s->heap.alloc_calls, calls);

    /* resize/realloc with a bad request leave the block alone */
    char *p = (char *)ab_alloc(s->a, 64, 8);
    REQUIRE_NOT_NULL(p);
    fill_tag(p, 64, 9);
    EXPECT_FALSE(ab_resize(s->a, p, 64, 32, 3));
    EXPECT_FALSE(ab_resize(s->a, p, 64, AB_MAX_SIZE + 1, 8));
    EXPECT_NULL(ab_realloc(s->a, p, 64, 128, 3));
    EXPECT_NULL(ab_realloc(s->a, p, 64, AB_MAX_SIZE + 1, 8));
    EXPECT_TRUE(has_tag(p, 64, 9));
    ab_free(s->a, p, 64, 8);
}

/* count * size overflow in ab_alloc_array is NULL, never a short buffer. */
static void t_array_overflow(ab_subject *s) {
    EXPECT_NULL(ab_alloc_array(s->a, SIZE_MAX / 2 + 1, 2, 1));
    EXPECT_NULL(ab_alloc_array(s->a, SIZE_MAX, SIZE_MAX, 8));
    EXPECT_NULL(ab_alloc_array(s->a, SIZE_MAX / 16 + 1, 16, 16));
    EXPECT_NULL(ab_alloc_array(s->a, 2, SIZE_MAX / 2 + 1, 1));
    EXPECT_NULL(AB_NEW_ARRAY(s->a, uint64_t, SIZE_MAX / 4));
    /* no overflow but beyond AB_MAX_SIZE */
    EXPECT_NULL(ab_alloc_array(s->a, (AB_MAX_SIZE + 1) / 8 + 1, 8, 8));
    /* and a sane one works */
    uint32_t *v = AB_NEW_ARRAY(s->a, uint32_t, 100);
    EXPECT_NOT_NULL(v);
    if (v == NULL) return;
    EXPECT_ALIGNED(v, _Alignof(uint32_t));
    for (uint32_t i = 0; i < 100; i++) v[i] = i * 3u;
    uint64_t sum = 0;
    for (uint32_t i = 0; i < 100; i++) sum += v[i];
    EXPECT_U64_EQ(sum, 3u * 4950u);
    struct pair { double d; int i; } *pr = AB_NEW(s->a, struct pair);
    EXPECT_NOT_NULL(pr);
    EXPECT_ALIGNED(pr, _Alignof(struct pair));
    if (pr) pr->d = 1.5, pr->i = 7;
    AB_DELETE(s->a, struct pair, pr);
    AB_DELETE_ARRAY(s->a, uint32_t, v, 100);
}

/* ab_realloc keeps the contents: grow and shrink, in place and moving. */
static void t_realloc(ab_subject *s) {
    bool bump = (s->caps & AB_SUBJ_BUMP) != 0;
    char *p = (char *)ab_alloc(s->a, 64, 8);
    REQUIRE_NOT_NULL(p);
    fill_tag(p, 64, 1);
    /* grow the newest block: in place for a bump allocator */
    char *q = (char *)ab_realloc(s->a, p, 64, 200, 8);
    REQUIRE_NOT_NULL(q);
    EXPECT_TRUE(has_tag(q, 64, 1));
    if (bump || s->kind == AB_SUBJ_POOL) EXPECT_PTR_EQ(q, p);
    fill_tag(q, 200, 2);
    /* shrink: in place everywhere */
    char *r = (char *)ab_realloc(s->a, q, 200, 50, 8);
    REQUIRE_NOT_NULL(r);
    EXPECT_PTR_EQ(r, q);
    EXPECT_TRUE(has_tag(r, 50, 2));
    /* grow a block that is no longer the newest: a bump allocator must move it */
    char *blocker = (char *)ab_alloc(s->a, 16, 8);
    REQUIRE_NOT_NULL(blocker);
    fill_tag(blocker, 16, 3);
    char *m = (char *)ab_realloc(s->a, r, 50, 3000, 8);
    REQUIRE_NOT_NULL(m);
    EXPECT_TRUE(has_tag(m, 50, 2));
    EXPECT_ALIGNED(m, 8);
    if (bump) EXPECT_PTR_NE(m, r);
    if (s->kind == AB_SUBJ_POOL) EXPECT_PTR_EQ(m, r); /* any size up to the object fits in place */
    EXPECT_TRUE(has_tag(blocker, 16, 3));
    fill_tag(m, 3000, 4);
    /* moving with a large alignment keeps it */
    char *x = (char *)ab_alloc(s->a, 100, 256);
    REQUIRE_NOT_NULL(x);
    fill_tag(x, 100, 5);
    char *blocker2 = (char *)ab_alloc(s->a, 8, 1);
    REQUIRE_NOT_NULL(blocker2);
    char *y = (char *)ab_realloc(s->a, x, 100, 1000, 256);
    REQUIRE_NOT_NULL(y);
    EXPECT_ALIGNED(y, 256);
    EXPECT_TRUE(has_tag(y, 100, 5));
    /* shrink after the move */
    char *y2 = (char *)ab_realloc(s->a, y, 1000, 10, 256);
    EXPECT_PTR_EQ(y2, y);
    EXPECT_TRUE(has_tag(y, 10, 5));
    /* a failing realloc leaves the block intact (the pool cannot serve more than its object) */
    if (s->kind == AB_SUBJ_POOL) {
        EXPECT_NULL(ab_realloc(s->a, m, 3000, AB_SUBJ_POOL_OBJ + 1, 8));
        EXPECT_TRUE(has_tag(m, 3000, 4));
    }
    /* a big grow, moving for every allocator but the pool */
    if (s->kind != AB_SUBJ_POOL) {
        char *big = (char *)ab_realloc(s->a, m, 3000, 100000, 8);
        REQUIRE_NOT_NULL(big);
        EXPECT_TRUE(has_tag(big, 3000, 4));
        m = (char *)ab_realloc(s->a, big, 100000, 3000, 8);
        EXPECT_PTR_EQ(m, big);
        EXPECT_TRUE(has_tag(m, 3000, 4));
    }
    ab_free(s->a, y2, 10, 256);
    ab_free(s->a, blocker2, 8, 1);
    ab_free(s->a, m, 3000, 8);
    ab_free(s->a, blocker, 16, 8);
    /* realloc(NULL) allocates; realloc to 0 frees */
    void *z = ab_realloc(s->a, NULL, 0, 32, 16);
    EXPECT_NOT_NULL(z);
    EXPECT_ALIGNED(z, 16);
    EXPECT_PTR_EQ(ab_realloc(s->a, z, 32, 0, 16), AB_ZERO_SIZE_PTR(16));
}

/* ab_dup, ab_strdup, ab_strndup, ab_sprintf (short, at the 256-byte boundary, long). */
static void t_dup_strings(ab_subject *s) {
    unsigned char src[100];
    for (int i = 0; i < 100; i++) src[i] = (unsigned char)(i * 7);
    unsigned char *d = (unsigned char *)ab_dup(s->a, src, sizeof src);
    REQUIRE_NOT_NULL(d);
    EXPECT_ALIGNED(d, AB_DEFAULT_ALIGN);
    EXPECT_TRUE(memcmp(d, src, sizeof src) == 0);

    char *s1 = ab_strdup(s->a, "hello, arena");
    EXPECT_STR_EQ(s1, "hello, arena");
    char *s2 = ab_strndup(s->a, "abcdef", 3);
    EXPECT_STR_EQ(s2, "abc");
    char *s3 = ab_strdup(s->a, "");
    EXPECT_STR_EQ(s3, "");

    size_t len = 0;
    char *f1 = ab_sprintf(s->a, &len, "%s-%d-%.2f", "req", 42, 1.5);
    EXPECT_STR_EQ(f1, "req-42-1.50");
    EXPECT_ZU_EQ(len, 11);

    /* 255 characters fit the 256-byte scratch buffer, 256 do not */
    size_t len255 = 0, len256 = 0;
    char *f255 = ab_sprintf(s->a, &len255, "%0255d", 7);
    char *f256 = ab_sprintf(s->a, &len256, "%0256d", 7);
    EXPECT_ZU_EQ(len255, 255);
    EXPECT_ZU_EQ(len256, 256);
    EXPECT_TRUE(f255 && strlen(f255) == 255 && f255[254] == '7' && f255[0] == '0');
    EXPECT_TRUE(f256 && strlen(f256) == 256 && f256[255] == '7' && f256[0] == '0');

    /* well past 256 characters, with several conversions */
    char word[251];
    for (int i = 0; i < 250; i++) word[i] = (char)('a' + i % 26);
    word[250] = '\0';
    char expect[700];
    int n = snprintf(expect, sizeof expect, "%0300d|%s|%d|%x", 12, word, -12345, 0xBEEFu);
    size_t lenl = 0;
    char *fl = ab_sprintf(s->a, &lenl, "%0300d|%s|%d|%x", 12, word, -12345, 0xBEEFu);
    EXPECT_TRUE(n > 256);
    EXPECT_ZU_EQ(lenl, (size_t)n);
    EXPECT_STR_EQ(fl, expect);
    size_t len0 = 99;
    char *f0 = ab_sprintf(s->a, &len0, "%s", "");
    EXPECT_STR_EQ(f0, "");
    EXPECT_ZU_EQ(len0, 0);
    /* len_out may be NULL */
    char *fn = ab_sprintf(s->a, NULL, "%d", 5);
    EXPECT_STR_EQ(fn, "5");

    /* newest first, so bump allocators rewind all of it */
    if (fn) ab_free(s->a, fn, 2, 1);
    if (f0) ab_free(s->a, f0, 1, 1);
    if (fl) ab_free(s->a, fl, lenl + 1, 1);
    if (f256) ab_free(s->a, f256, 257, 1);
    if (f255) ab_free(s->a, f255, 256, 1);
    if (f1) ab_free(s->a, f1, len + 1, 1);
    if (s3) ab_free(s->a, s3, 1, 1);
    if (s2) ab_free(s->a, s2, 4, 1);
    if (s1) ab_free(s->a, s1, strlen("hello, arena") + 1, 1);
    ab_free(s->a, d, sizeof src, AB_DEFAULT_ALIGN);
    if (s->caps & AB_SUBJ_BUMP) {
        if (s->kind == AB_SUBJ_FIXED) EXPECT_ZU_EQ(s->fb.off, 0);
        else {
            ab_arena_stats st;
            ab_arena_get_stats(s->kind == AB_SUBJ_ARENA_NESTED3 ? &s->arena[2] : &s->arena[0], &st);
            EXPECT_ZU_EQ(st.bytes_used, 0); /* every free above was of the newest block */
        }
    }
}

/* The property test: g_ops random operations checked against the model. */
static void t_property(ab_subject *s) {
    uint64_t seed = g_seed * 0x100000001B3ull + (uint64_t)s->kind + 1;
    CK_SEED(seed);
    ab_rng rng = {seed};
    ab_opsrc src = ab_opsrc_rng(&rng);
    ab_model m;
    ab_subject_model_init(&m, s);
    for (size_t i = 0; i < g_ops; i++)
        if (!ab_model_step(&m, &src)) break;
    if (!m.failed) ab_model_release_all(&m);
    EXPECT_MSG(!m.failed, "%s\n       reproduce: AB_TEST_SEED=0x%llx AB_TEST_OPS=%zu ./test_allocators '%s'", m.msg,
               (unsigned long long)g_seed, g_ops, ck_case_name);
    EXPECT_U64_GT(m.allocs, 0);
    if (g_ops >= 10000) {
        EXPECT_U64_GT(m.frees, 0);
        EXPECT_U64_GT(m.resizes_ok, 0);
        EXPECT_U64_GT(m.reallocs, 0);
        if (s->caps & AB_SUBJ_CAN_RESET) EXPECT_U64_GT(m.resets, 0);
        if (!(s->caps & AB_SUBJ_BOUNDED) && s->kind != AB_SUBJ_POOL) EXPECT_U64_GT(m.moves, 0);
    }
    printf("     %s: %llu ops, %llu allocs, %llu NULL, %llu frees, %llu/%llu resizes ok/refused, "
           "%llu reallocs (%llu moved), %llu resets; heap peak %llu KiB\n",
           s->name, (unsigned long long)m.ops, (unsigned long long)m.allocs, (unsigned long long)m.nulls,
           (unsigned long long)m.frees, (unsigned long long)m.resizes_ok, (unsigned long long)m.resizes_refused,
           (unsigned long long)m.reallocs, (unsigned long long)m.moves, (unsigned long long)m.resets,
           (unsigned long long)(s->heap.peak_bytes >> 10));
    ab_model_destroy(&m);
}

/* ======================================================================
 * Arena
 * ====================================================================== */

typedef struct arena_fix {
    ab_counting c; /* counting(malloc): the backing, to see every call */
    ab_arena a;
    ab_allocator al;
} arena_fix;

static void af_open(arena_fix *f, size_t first_block) {
    ab_counting_init(&f->c, ab_malloc_allocator());
    ab_arena_init_sized(&f->a, ab_counting_allocator(&f->c), first_block);
    f->al = ab_arena_allocator(&f->a);
}

static void af_close(arena_fix *f) {
    ab_arena_deinit(&f->a);
    ab_arena_stats st;
    ab_arena_get_stats(&f->a, &st);
    EXPECT_ZU_EQ(st.block_count, 0);
    EXPECT_ZU_EQ(st.bytes_reserved, 0);
    EXPECT_U64_EQ(f->c.live_bytes, 0);
    EXPECT_U64_EQ(f->c.live_count, 0);
}

static ab_arena_stats stats_of(const ab_arena *a) {
    ab_arena_stats st;
    ab_arena_get_stats(a, &st);
    return st;
}

/* n allocations of size bytes (align 8), each filled with its index. */
static bool batch(ab_allocator a, size_t n, size_t size) {
    for (size_t i = 0; i < n; i++) {
        void *p = ab_alloc(a, size, 8);
        if (p == NULL) return false;
        fill_tag(p, size, (unsigned)i);
    }
    return true;
}

static void t_arena_rewind(void) {
    arena_fix f;
    af_open(&f, 4096);
    /* direct API */
    void *p = ab_arena_alloc(&f.a, 100, 8);
    ab_arena_free(&f.a, p, 100);
    EXPECT_PTR_EQ(ab_arena_alloc(&f.a, 100, 8), p);
    /* through the interface */
    void *q = ab_alloc(f.al, 48, 16);
    size_t used = stats_of(&f.a).bytes_used;
    ab_free(f.al, q, 48, 16);
    /* back to q itself (the alignment padding before q stays used) */
    EXPECT_ZU_EQ(stats_of(&f.a).bytes_used, used - 48);
    EXPECT_PTR_EQ(ab_alloc(f.al, 48, 16), q);
    /* only the newest block rewinds */
    char *x = (char *)ab_alloc(f.al, 32, 1);
    char *y = (char *)ab_alloc(f.al, 32, 1);
    ab_free(f.al, x, 32, 1); /* not the newest: a no-op */
    char *z = (char *)ab_alloc(f.al, 32, 1);
    EXPECT_PTR_EQ(z, y + 32);
    ab_free(f.al, z, 32, 1);
    ab_free(f.al, y, 32, 1);
    ab_free(f.al, x, 32, 1); /* now x is the newest */
    EXPECT_PTR_EQ(ab_alloc(f.al, 32, 1), x);
    /* rewind across a block boundary: the first block of a new block rewinds too */
    void *big = ab_alloc(f.al, 3000, 8);
    void *nb = ab_alloc(f.al, 3000, 8); /* does not fit: new block */
    EXPECT_ZU_EQ(stats_of(&f.a).block_count, 2);
    ab_free(f.al, nb, 3000, 8);
    EXPECT_PTR_EQ(ab_alloc(f.al, 3000, 8), nb);
    (void)big;
    af_close(&f);
}

static void t_arena_resize_last(void) {
    arena_fix f;
    af_open(&f, 4096);
    char *p = (char *)ab_alloc(f.al, 100, 8);
    REQUIRE_NOT_NULL(p);
    fill_tag(p, 100, 1);
    EXPECT_TRUE(ab_resize(f.al, p, 100, 1000, 8)); /* newest: grows in place */
    EXPECT_TRUE(has_tag(p, 100, 1));
    memset(p + 100, 0x11, 900);
    char *q = (char *)ab_alloc(f.al, 8, 8);
    EXPECT_PTR_EQ(q, p + 1000); /* the grown bytes were really taken */
    EXPECT_TRUE(ab_resize(f.al, q, 8, 16, 8));
    EXPECT_FALSE(ab_resize(f.al, p, 1000, 2000, 8)); /* not the newest: cannot grow */
    EXPECT_TRUE(ab_resize(f.al, p, 1000, 500, 8));   /* any shrink succeeds ... */
    char *r = (char *)ab_alloc(f.al, 8, 8);
    EXPECT_PTR_EQ(r, q + 16);                          /* ... but only the newest gives bytes back */
    EXPECT_FALSE(ab_resize(f.al, r, 8, (size_t)1 << 20, 8)); /* past the block */
    EXPECT_TRUE(ab_resize(f.al, r, 8, 4, 8));          /* the newest shrinks: bytes back */
    EXPECT_PTR_EQ(ab_alloc(f.al, 1, 1), r + 4);
    /* direct API, up to the exact end of the block */
    ab_arena_stats st = stats_of(&f.a);
    EXPECT_ZU_EQ(st.block_count, 1);
    char *t = (char *)ab_arena_alloc(&f.a, 1, 1);
    size_t room = (size_t)(f.a.end - t);
    EXPECT_TRUE(ab_arena_resize(&f.a, t, 1, room));
    EXPECT_FALSE(ab_arena_resize(&f.a, t, room, room + 1));
    EXPECT_ZU_EQ(stats_of(&f.a).block_count, 1);
    af_close(&f);
}

static void t_arena_retain_capacity(void) {
    arena_fix f;
    /* (a) a batch that fits one block: the next batch makes 0 backing calls */
    af_open(&f, 4096);
    EXPECT_TRUE(batch(f.al, 50, 64));
    EXPECT_ZU_EQ(stats_of(&f.a).block_count, 1);
    EXPECT_TRUE(ab_arena_reset(&f.a, AB_RESET_RETAIN_CAPACITY));
    ab_arena_stats st = stats_of(&f.a);
    EXPECT_ZU_EQ(st.bytes_used, 0);
    EXPECT_ZU_EQ(st.block_count, 1);
    EXPECT_ZU_EQ(st.bytes_reserved, 4096);
    ab_counting_rebase(&f.c);
    size_t calls = st.backing_calls;
    for (int round = 0; round < 3; round++) {
        EXPECT_TRUE(batch(f.al, 50, 64));
        EXPECT_TRUE(ab_arena_reset(&f.a, AB_RESET_RETAIN_CAPACITY));
    }
    EXPECT_U64_EQ(f.c.alloc_calls, 0);
    EXPECT_U64_EQ(f.c.free_calls, 0);
    EXPECT_ZU_EQ(stats_of(&f.a).backing_calls, calls);
    af_close(&f);

    /* (b) a batch that spilled over several blocks: reset keeps ONE block of
     * the total size, then the same batch makes 0 backing calls */
    af_open(&f, 4096);
    EXPECT_TRUE(batch(f.al, 1000, 100));
    st = stats_of(&f.a);
    size_t total = st.bytes_reserved, blocks = st.block_count;
    EXPECT_ZU_GE(blocks, 3);
    EXPECT_U64_EQ(f.c.live_bytes, total);
    ab_counting_rebase(&f.c);
    EXPECT_TRUE(ab_arena_reset(&f.a, AB_RESET_RETAIN_CAPACITY));
    st = stats_of(&f.a);
    EXPECT_ZU_EQ(st.block_count, 1);
    EXPECT_ZU_EQ(st.bytes_reserved, total);
    EXPECT_U64_EQ(f.c.live_bytes, total);
    EXPECT_U64_EQ(f.c.free_calls, blocks); /* the old blocks went back ... */
    EXPECT_U64_EQ(f.c.alloc_calls, 1);     /* ... for one block of their total size */
    ab_counting_rebase(&f.c);
    for (int round = 0; round < 3; round++) {
        EXPECT_TRUE(batch(f.al, 1000, 100));
        EXPECT_ZU_EQ(stats_of(&f.a).block_count, 1);
        EXPECT_TRUE(ab_arena_reset(&f.a, AB_RESET_RETAIN_CAPACITY));
    }
    EXPECT_U64_EQ(f.c.alloc_calls, 0);
    EXPECT_U64_EQ(f.c.free_calls, 0);
    af_close(&f);
}

static void t_arena_free_all(void) {
    arena_fix f;
    af_open(&f, 4096);
    EXPECT_TRUE(batch(f.al, 1000, 100));
    EXPECT_ZU_GE(stats_of(&f.a).block_count, 3);
    EXPECT_TRUE(ab_arena_reset(&f.a, AB_RESET_FREE_ALL));
    ab_arena_stats st = stats_of(&f.a);
    EXPECT_U64_EQ(f.c.live_bytes, 0);
    EXPECT_U64_EQ(f.c.live_count, 0);
    EXPECT_ZU_EQ(st.block_count, 0);
    EXPECT_ZU_EQ(st.bytes_reserved, 0);
    EXPECT_ZU_EQ(st.bytes_used, 0);
    /* usable again, starting over at the first block size */
    EXPECT_NOT_NULL(ab_alloc(f.al, 10, 1));
    EXPECT_ZU_EQ(stats_of(&f.a).bytes_reserved, 4096);
    af_close(&f);
}

static void t_arena_retain_with_limit(void) {
    arena_fix f;
    af_open(&f, 4096);
    EXPECT_TRUE(batch(f.al, 1000, 100));
    size_t total = stats_of(&f.a).bytes_reserved;
    const size_t limit = 20000;
    EXPECT_ZU_GT(total, limit);
    EXPECT_TRUE(ab_arena_reset_with_limit(&f.a, limit));
    ab_arena_stats st = stats_of(&f.a);
    EXPECT_ZU_LE(st.bytes_reserved, limit);
    EXPECT_U64_LE(f.c.live_bytes, limit);
    EXPECT_ZU_LE(st.block_count, 1);
    EXPECT_ZU_EQ(st.bytes_used, 0);
    /* the arena still serves the whole batch */
    EXPECT_TRUE(batch(f.al, 1000, 100));
    /* a limit above what is held keeps it all */
    total = stats_of(&f.a).bytes_reserved;
    EXPECT_TRUE(ab_arena_reset_with_limit(&f.a, total * 2));
    EXPECT_ZU_EQ(stats_of(&f.a).bytes_reserved, total);
    EXPECT_ZU_EQ(stats_of(&f.a).block_count, 1);
    /* a one-block steady state above a smaller limit is cut down to it */
    EXPECT_TRUE(ab_arena_reset_with_limit(&f.a, 8192));
    EXPECT_ZU_LE(stats_of(&f.a).bytes_reserved, 8192);
    EXPECT_U64_LE(f.c.live_bytes, 8192);
    /* a limit too small to hold anything frees everything */
    EXPECT_TRUE(ab_arena_reset_with_limit(&f.a, 10));
    EXPECT_ZU_EQ(stats_of(&f.a).bytes_reserved, 0);
    EXPECT_U64_EQ(f.c.live_bytes, 0);
    af_close(&f);
}

static void t_arena_nested(void) {
    ab_counting c;
    ab_counting_init(&c, ab_malloc_allocator());
    ab_arena parent, child, grandchild;
    ab_arena_init_sized(&parent, ab_counting_allocator(&c), 256 << 10);
    ab_allocator pa = ab_arena_allocator(&parent);
    char *keep[3];
    for (int i = 0; i < 3; i++) {
        keep[i] = (char *)ab_alloc(pa, 48, 16); /* multiples of 16: no padding before the child's blocks */
        REQUIRE_NOT_NULL(keep[i]);
        fill_tag(keep[i], 48, (unsigned)i);
    }
    size_t parent_used = stats_of(&parent).bytes_used;

    ab_arena_init_sized(&child, pa, 64 << 10); /* big enough that the child never spills */
    ab_allocator ca = ab_arena_allocator(&child);
    for (int i = 0; i < 10; i++) EXPECT_NOT_NULL(ab_alloc(ca, 96, 16));
    size_t child_used = stats_of(&child).bytes_used;
    EXPECT_ZU_GT(stats_of(&parent).bytes_used, parent_used);

    ab_arena_init_sized(&grandchild, ca, 1000); /* odd sizes give back all the same */
    ab_allocator ga = ab_arena_allocator(&grandchild);
    EXPECT_TRUE(batch(ga, 200, 40)); /* several grandchild blocks, all inside the child */
    EXPECT_ZU_GE(stats_of(&grandchild).block_count, 3);
    EXPECT_ZU_GT(stats_of(&child).bytes_used, child_used);
    EXPECT_TRUE(ab_sprintf(ga, NULL, "%s %d", "deep", 3) != NULL);
    EXPECT_ZU_EQ(c.alloc_calls, 1); /* only the parent ever reached malloc */

    ab_arena_deinit(&grandchild);
    EXPECT_ZU_EQ(stats_of(&child).bytes_used, child_used); /* the child got its memory back */
    ab_arena_deinit(&child);
    EXPECT_ZU_EQ(stats_of(&parent).bytes_used, parent_used); /* and the parent too */
    for (int i = 0; i < 3; i++) EXPECT_TRUE(has_tag(keep[i], 48, (unsigned)i));
    /* the parent reuses what the children gave back */
    char *again = (char *)ab_alloc(pa, 16, 16);
    EXPECT_PTR_EQ(again, keep[2] + 48);
    ab_arena_deinit(&parent);
    EXPECT_U64_EQ(c.live_bytes, 0);
    EXPECT_U64_EQ(c.live_count, 0);
}

static void t_arena_failing_backing(void) {
    arena_fix f;
    af_open(&f, 4096);
    /* the very first block fails: NULL, nothing held */
    f.c.fail_after = 0;
    EXPECT_NULL(ab_alloc(f.al, 64, 8));
    EXPECT_U64_GT(f.c.failed_allocs, 0);
    EXPECT_ZU_EQ(stats_of(&f.a).block_count, 0);
    EXPECT_NULL(ab_sprintf(f.al, NULL, "%d", 1));
    f.c.fail_after = -1; /* lifted: usable */
    EXPECT_NOT_NULL(ab_alloc(f.al, 64, 8));
    af_close(&f);

    /* a later block fails: earlier allocations are intact, the current block still serves */
    af_open(&f, 4096);
    char *p[39]; /* 39 x (100 + 4 padding) fill 4056 of the first block's 4080 bytes */
    for (int i = 0; i < 39; i++) {
        p[i] = (char *)ab_alloc(f.al, 100, 8);
        REQUIRE_NOT_NULL(p[i]);
        fill_tag(p[i], 100, (unsigned)i);
    }
    f.c.fail_after = 0;
    EXPECT_NULL(ab_alloc(f.al, 200, 8));
    EXPECT_NULL(ab_realloc(f.al, p[38], 100, 5000, 8)); /* cannot grow, cannot move */
    EXPECT_NOT_NULL(ab_alloc(f.al, 8, 8));              /* still fits the current block */
    EXPECT_ZU_EQ(stats_of(&f.a).block_count, 1);
    for (int i = 0; i < 39; i++) EXPECT_TRUE(has_tag(p[i], 100, (unsigned)i));
    f.c.fail_after = -1;
    EXPECT_NOT_NULL(ab_alloc(f.al, 200, 8));
    EXPECT_ZU_EQ(stats_of(&f.a).block_count, 2);
    /* a retain reset whose one new block fails: false, the arena is empty but usable */
    f.c.fail_after = 0;
    EXPECT_FALSE(ab_arena_reset(&f.a, AB_RESET_RETAIN_CAPACITY));
    EXPECT_ZU_EQ(stats_of(&f.a).block_count, 0);
    EXPECT_U64_EQ(f.c.live_bytes, 0);
    f.c.fail_after = 1; /* one more block, then failures again */
    EXPECT_NOT_NULL(ab_alloc(f.al, 100, 8));
    EXPECT_NULL(ab_alloc(f.al, 100000, 8));
    f.c.fail_after = -1;
    EXPECT_NOT_NULL(ab_alloc(f.al, 100000, 8));
    af_close(&f);

    /* NULL propagates through nesting: child -> parent -> failing backing */
    ab_counting c;
    ab_counting_init(&c, ab_malloc_allocator());
    ab_arena parent, child;
    ab_arena_init_sized(&parent, ab_counting_allocator(&c), 1024);
    ab_arena_init_sized(&child, ab_arena_allocator(&parent), 4096);
    EXPECT_NOT_NULL(ab_alloc(ab_arena_allocator(&parent), 16, 8)); /* the parent has a (small) block */
    c.fail_after = 0;
    /* even the smallest child block for 2000 bytes needs a new parent block */
    EXPECT_NULL(ab_alloc(ab_arena_allocator(&child), 2000, 8));
    EXPECT_ZU_EQ(stats_of(&child).block_count, 0);
    c.fail_after = -1;
    EXPECT_NOT_NULL(ab_alloc(ab_arena_allocator(&child), 2000, 8));
    ab_arena_deinit(&child);
    ab_arena_deinit(&parent);
    EXPECT_U64_EQ(c.live_bytes, 0);
}

static void t_arena_big_alloc(void) {
    arena_fix f;
    af_open(&f, 4096);
    EXPECT_NOT_NULL(ab_alloc(f.al, 16, 8));
    size_t n = (size_t)1 << 20;
    char *big = (char *)ab_alloc(f.al, n, 64);
    REQUIRE_NOT_NULL(big);
    EXPECT_ALIGNED(big, 64);
    memset(big, 0xC3, n);
    EXPECT_TRUE(big[0] == (char)0xC3 && big[n - 1] == (char)0xC3);
    ab_arena_stats st = stats_of(&f.a);
    EXPECT_ZU_EQ(st.block_count, 2); /* a block of its own */
    EXPECT_ZU_GE(st.bytes_reserved, 4096 + n + sizeof(ab_arena_block));
    EXPECT_U64_EQ(f.c.live_bytes, st.bytes_reserved);
    /* small allocations keep working after it */
    EXPECT_TRUE(batch(f.al, 100, 32));
    /* 4x the largest growth step, and the largest alignment */
    char *huge = (char *)ab_alloc(f.al, 4 * AB_ARENA_MAX_GROWTH, AB_MAX_ALIGN);
    REQUIRE_NOT_NULL(huge);
    EXPECT_ALIGNED(huge, AB_MAX_ALIGN);
    huge[0] = 1, huge[4 * AB_ARENA_MAX_GROWTH - 1] = 2;
    af_close(&f);
}

static void t_arena_stats(void) {
    arena_fix f;
    af_open(&f, 4096);
    ab_arena_stats st = stats_of(&f.a);
    EXPECT_ZU_EQ(st.block_count, 0);
    EXPECT_ZU_EQ(st.bytes_reserved, 0);
    EXPECT_ZU_EQ(st.backing_calls, 0);
    EXPECT_ZU_EQ(st.bytes_used, 0);
    EXPECT_NOT_NULL(ab_alloc(f.al, 100, 1));
    st = stats_of(&f.a);
    EXPECT_ZU_EQ(st.bytes_used, 100);
    EXPECT_ZU_EQ(st.block_count, 1);
    EXPECT_ZU_EQ(st.bytes_reserved, 4096);
    EXPECT_ZU_EQ(st.backing_calls, 1);
    EXPECT_NOT_NULL(ab_alloc(f.al, 28, 1));
    EXPECT_ZU_EQ(stats_of(&f.a).bytes_used, 128);
    EXPECT_NOT_NULL(ab_alloc(f.al, 16, 16)); /* offset 128 is already 16-aligned: no padding */
    EXPECT_ZU_EQ(stats_of(&f.a).bytes_used, 144);
    EXPECT_NOT_NULL(ab_alloc(f.al, 1, 1));
    EXPECT_NOT_NULL(ab_alloc(f.al, 8, 8)); /* 7 bytes of padding count as used */
    EXPECT_ZU_EQ(stats_of(&f.a).bytes_used, 160);
    EXPECT_NOT_NULL(ab_alloc(f.al, 5000, 8)); /* spill */
    st = stats_of(&f.a);
    EXPECT_ZU_EQ(st.block_count, 2);
    EXPECT_ZU_EQ(st.bytes_used, 160 + 5000);
    EXPECT_U64_EQ(f.c.live_bytes, st.bytes_reserved);
    EXPECT_U64_EQ(f.c.alloc_calls + f.c.free_calls, st.backing_calls);
    EXPECT_TRUE(batch(f.al, 500, 100));
    st = stats_of(&f.a);
    EXPECT_ZU_EQ(st.block_count, f.c.live_count);
    EXPECT_U64_EQ(f.c.live_bytes, st.bytes_reserved);
    EXPECT_U64_EQ(f.c.alloc_calls + f.c.free_calls, st.backing_calls);
    EXPECT_ZU_GE(st.bytes_used, 160 + 5000 + 500 * 100);
    EXPECT_ZU_LE(st.bytes_used, st.bytes_reserved);
    ab_arena_deinit(&f.a);
    st = stats_of(&f.a);
    EXPECT_U64_EQ(f.c.alloc_calls + f.c.free_calls, st.backing_calls);
    EXPECT_U64_EQ(f.c.alloc_calls, f.c.free_calls);
    af_close(&f);
}

/* After deinit the arena is as just initialised (same backing, same first
 * block size) and is used again without ab_arena_init: alloc_sizes' direct
 * path relies on it for its create/deinit cycles. */
static void t_arena_reuse_after_deinit(void) {
    arena_fix f;
    af_open(&f, 1024);
    for (int round = 0; round < 3; round++) {
        EXPECT_TRUE(batch(f.al, 200, 100)); /* 20 KB: grows through several blocks */
        EXPECT_ZU_GE(stats_of(&f.a).block_count, 3);
        ab_arena_deinit(&f.a);
        ab_arena_stats st = stats_of(&f.a);
        EXPECT_ZU_EQ(st.block_count, 0);
        EXPECT_ZU_EQ(st.bytes_reserved, 0);
        EXPECT_ZU_EQ(st.bytes_used, 0);
        EXPECT_U64_EQ(f.c.live_bytes, 0);
        /* the growth starts again from the first block size */
        void *p = ab_arena_alloc(&f.a, 10, 8);
        REQUIRE_NOT_NULL(p);
        fill_tag(p, 10, 7);
        EXPECT_ZU_EQ(stats_of(&f.a).bytes_reserved, 1024);
        EXPECT_TRUE(has_tag(p, 10, 7));
    }
    EXPECT_U64_EQ(f.c.alloc_calls + f.c.free_calls, stats_of(&f.a).backing_calls);
    af_close(&f);
}

/* ======================================================================
 * Block cache
 * ====================================================================== */

/* create / 100 x 1 KiB / deinit over a block cache: from the second cycle on,
 * no backing call, the same blocks (LIFO) and the same memory; everything
 * goes back to the backing at the cache's deinit. */
static void t_block_cache_reuse(void) {
    ab_counting heap;
    ab_counting_init(&heap, ab_malloc_allocator());
    ab_block_cache cache;
    ab_block_cache_init(&cache, ab_counting_allocator(&heap), (size_t)1 << 20);
    void *first[2] = {NULL, NULL};
    uint64_t calls_after_first = 0;
    for (int cycle = 0; cycle < 5; cycle++) {
        ab_arena arena;
        ab_arena_init(&arena, ab_block_cache_allocator(&cache));
        for (int i = 0; i < 100; i++) {
            unsigned char *p = (unsigned char *)ab_arena_alloc(&arena, 1024, 8);
            REQUIRE_NOT_NULL(p);
            memset(p, cycle, 1024);
            if (i == 0 && cycle < 2) first[cycle] = p;
        }
        EXPECT_ZU_EQ(stats_of(&arena).block_count, 5); /* 4, 8, 16, 32, 64 KiB */
        ab_arena_deinit(&arena);
        ab_block_cache_stats st;
        ab_block_cache_get_stats(&cache, &st);
        EXPECT_ZU_EQ(st.blocks_kept, 5);
        EXPECT_U64_EQ(heap.live_bytes, st.bytes_kept); /* all of it waits in the cache */
        if (cycle == 0) calls_after_first = heap.alloc_calls + heap.free_calls;
        else EXPECT_U64_EQ(heap.alloc_calls + heap.free_calls, calls_after_first);
        if (cycle > 0) EXPECT_ZU_EQ(st.hits, 5 * (size_t)cycle);
    }
    EXPECT_PTR_EQ(first[1], first[0]);
    EXPECT_U64_EQ(heap.alloc_calls, 5);
    EXPECT_U64_EQ(heap.free_calls, 0);
    ab_block_cache_deinit(&cache);
    EXPECT_U64_EQ(heap.live_bytes, 0);
    EXPECT_U64_EQ(heap.live_count, 0);
    EXPECT_U64_EQ(heap.free_calls, 5);
}

/* Only an exact size and alignment is reused; the byte and slot limits send
 * the rest straight to the backing. */
static void t_block_cache_limits(void) {
    ab_counting heap;
    ab_counting_init(&heap, ab_malloc_allocator());
    ab_block_cache cache;
    ab_block_cache_init(&cache, ab_counting_allocator(&heap), 10000);
    ab_allocator a = ab_block_cache_allocator(&cache);
    void *p = ab_alloc(a, 4096, 16);
    REQUIRE_NOT_NULL(p);
    ab_free(a, p, 4096, 16);
    EXPECT_U64_EQ(heap.free_calls, 0); /* kept */
    void *q = ab_alloc(a, 4000, 16);     /* another size: from the backing */
    void *r = ab_alloc(a, 4096, 64);     /* another alignment: from the backing */
    EXPECT_TRUE(q != p && r != p);
    EXPECT_U64_EQ(heap.alloc_calls, 3);
    EXPECT_PTR_EQ(ab_alloc(a, 4096, 16), p); /* the exact match */
    ab_free(a, p, 4096, 16);
    ab_free(a, q, 4000, 16);
    ab_free(a, r, 4096, 64); /* 4096 + 4000 + 4096 > 10000: this one goes back */
    ab_block_cache_stats st;
    ab_block_cache_get_stats(&cache, &st);
    EXPECT_ZU_EQ(st.blocks_kept, 2);
    EXPECT_ZU_EQ(st.bytes_kept, 8096);
    EXPECT_U64_EQ(heap.free_calls, 1);
    ab_block_cache_trim(&cache);
    EXPECT_U64_EQ(heap.live_bytes, 0);
    /* at most AB_BLOCK_CACHE_SLOTS blocks, whatever their bytes */
    ab_block_cache_init(&cache, ab_counting_allocator(&heap), (size_t)1 << 30);
    void *v[AB_BLOCK_CACHE_SLOTS + 4];
    for (size_t i = 0; i < AB_BLOCK_CACHE_SLOTS + 4; i++) v[i] = ab_alloc(a, 64 + i * 16, 16);
    for (size_t i = 0; i < AB_BLOCK_CACHE_SLOTS + 4; i++) ab_free(a, v[i], 64 + i * 16, 16);
    ab_block_cache_get_stats(&cache, &st);
    EXPECT_ZU_EQ(st.blocks_kept, AB_BLOCK_CACHE_SLOTS);
    EXPECT_U64_EQ(heap.live_count, AB_BLOCK_CACHE_SLOTS);
    ab_block_cache_deinit(&cache);
    EXPECT_U64_EQ(heap.live_bytes, 0);
    EXPECT_U64_EQ(heap.live_count, 0);
}

/* ======================================================================
 * Fixed buffer
 * ====================================================================== */

static void t_fixed_exact_fill(void) {
    _Alignas(1024) unsigned char buf[1024];
    ab_fixed_buffer fb;
    ab_fixed_buffer_init(&fb, buf, sizeof buf);
    ab_allocator a = ab_fixed_buffer_allocator(&fb);
    void *p = ab_alloc(a, sizeof buf, 1); /* exactly the capacity, in one allocation */
    EXPECT_PTR_EQ(p, buf);
    if (p) memset(p, 0x77, sizeof buf);
    EXPECT_NULL(ab_alloc(a, 1, 1)); /* one byte past */
    EXPECT_ZU_EQ(fb.failures, 1);
    EXPECT_ZU_EQ(fb.peak, sizeof buf);
    ab_fixed_buffer_reset(&fb);
    EXPECT_NULL(ab_alloc(a, sizeof buf + 1, 1));
    EXPECT_PTR_EQ(ab_alloc(a, sizeof buf, 64), buf);
    ab_fixed_buffer_reset(&fb);
    /* filled in two parts, then one byte past */
    EXPECT_PTR_EQ(ab_alloc(a, 1, 1), buf);
    EXPECT_PTR_EQ(ab_alloc(a, sizeof buf - 1, 1), buf + 1);
    EXPECT_NULL(ab_alloc(a, 1, 1));
    ab_fixed_buffer_reset(&fb);
    /* alignment padding counts: 1 byte, then 1024-aligned does not fit */
    EXPECT_NOT_NULL(ab_alloc(a, 1, 1));
    EXPECT_NULL(ab_alloc(a, 1, 1024));
    EXPECT_PTR_EQ(ab_alloc(a, 1, 512), buf + 512);
    EXPECT_NULL(ab_alloc(a, 512, 1)); /* 511 left */
    EXPECT_NOT_NULL(ab_alloc(a, 511, 1));
    ab_fixed_buffer_deinit(&fb);
}

static void t_fixed_rewind(void) {
    _Alignas(64) unsigned char buf[1024];
    ab_fixed_buffer fb;
    ab_fixed_buffer_init(&fb, buf, sizeof buf);
    ab_allocator a = ab_fixed_buffer_allocator(&fb);
    char *p = (char *)ab_alloc(a, 10, 1);
    char *q = (char *)ab_alloc(a, 20, 8);
    EXPECT_PTR_EQ(p, buf);
    EXPECT_PTR_EQ(q, buf + 16);
    ab_free(a, p, 10, 1); /* not the newest: no-op */
    EXPECT_ZU_EQ(fb.off, 36);
    ab_free(a, q, 20, 8); /* newest: rewinds to q (the padding before q stays) */
    EXPECT_ZU_EQ(fb.off, 16);
    EXPECT_PTR_EQ(ab_alloc(a, 20, 8), q);
    ab_fixed_buffer_free(&fb, q, 20);
    ab_fixed_buffer_free(&fb, p, 10); /* p ends at 10, not at 16: not rewound */
    EXPECT_ZU_EQ(fb.off, 16);
    ab_fixed_buffer_reset(&fb);
    EXPECT_ZU_EQ(fb.off, 0);
    p = (char *)ab_alloc(a, 16, 1);
    q = (char *)ab_alloc(a, 16, 8); /* no padding this time */
    ab_free(a, q, 16, 8);
    ab_free(a, p, 16, 1);
    EXPECT_ZU_EQ(fb.off, 0);
    EXPECT_PTR_EQ(ab_alloc(a, 1024, 1), buf); /* all of it is back */
    ab_fixed_buffer_deinit(&fb);
}

static void t_fixed_resize_last(void) {
    _Alignas(64) unsigned char buf[1024];
    ab_fixed_buffer fb;
    ab_fixed_buffer_init(&fb, buf, sizeof buf);
    ab_allocator a = ab_fixed_buffer_allocator(&fb);
    char *p = (char *)ab_alloc(a, 100, 1);
    fill_tag(p, 100, 3);
    EXPECT_TRUE(ab_resize(a, p, 100, 1024, 1)); /* to the exact end */
    EXPECT_FALSE(ab_resize(a, p, 1024, 1025, 1));
    EXPECT_TRUE(has_tag(p, 100, 3));
    EXPECT_ZU_EQ(fb.off, 1024);
    EXPECT_TRUE(ab_resize(a, p, 1024, 100, 1)); /* shrink gives the bytes back */
    EXPECT_ZU_EQ(fb.off, 100);
    char *q = (char *)ab_alloc(a, 10, 1);
    EXPECT_PTR_EQ(q, p + 100);
    EXPECT_FALSE(ab_resize(a, p, 100, 200, 1)); /* not the newest */
    EXPECT_TRUE(ab_resize(a, p, 100, 50, 1));   /* shrink of a non-newest: true, nothing given back */
    EXPECT_ZU_EQ(fb.off, 110);
    /* realloc of the newest grows in place; of an older one, moves */
    char *r = (char *)ab_realloc(a, q, 10, 300, 1);
    EXPECT_PTR_EQ(r, q);
    char *s = (char *)ab_realloc(a, p, 50, 60, 1);
    EXPECT_PTR_EQ(s, r + 300);
    EXPECT_TRUE(has_tag(s, 50, 3));
    EXPECT_NULL(ab_realloc(a, r, 300, 2000, 1)); /* no room anywhere: NULL, r intact */
    EXPECT_ZU_EQ(fb.peak, 1024);
    ab_fixed_buffer_deinit(&fb);
}

/* ======================================================================
 * Stack-backed arena: an arena over a fixed buffer over a stack buffer.
 * ====================================================================== */

/* The recipe's arena_optimization: 100 x u8, 50 x u32, 25 x u64 from a 4 KiB stack buffer. */
static void t_stack_arena_no_heap(void) {
    ab_counting spy; /* counting(malloc), used nowhere else: it must see no call */
    ab_counting_init(&spy, ab_malloc_allocator());
    _Alignas(64) unsigned char buf[4096];
    ab_fixed_buffer fb;
    ab_fixed_buffer_init(&fb, buf, sizeof buf);
    ab_arena arena;
    ab_arena_init_sized(&arena, ab_fixed_buffer_allocator(&fb), sizeof buf);
    ab_allocator a = ab_arena_allocator(&arena);
    uint8_t *b = AB_NEW_ARRAY(a, uint8_t, 100);
    uint32_t *w = AB_NEW_ARRAY(a, uint32_t, 50);
    uint64_t *d = AB_NEW_ARRAY(a, uint64_t, 25);
    char *str = ab_sprintf(a, NULL, "%d-%s", 18, "two");
    REQUIRE_TRUE(b && w && d && str);
    b[0] = 1, w[0] = 2, d[0] = 3;
    EXPECT_STR_EQ(str, "18-two");
    /* everything lies inside the stack buffer */
    void *ptrs[4] = {b, w, d, str};
    for (int i = 0; i < 4; i++)
        EXPECT_TRUE((unsigned char *)ptrs[i] >= buf && (unsigned char *)ptrs[i] < buf + sizeof buf);
    EXPECT_ZU_EQ(stats_of(&arena).block_count, 1);
    EXPECT_TRUE(ab_arena_reset(&arena, AB_RESET_RETAIN_CAPACITY));
    EXPECT_NOT_NULL(AB_NEW_ARRAY(a, uint8_t, 100));
    ab_arena_deinit(&arena);
    EXPECT_ZU_EQ(fb.off, 0); /* the arena gave the buffer back */
    ab_fixed_buffer_deinit(&fb);
    EXPECT_U64_EQ(spy.alloc_calls, 0);
    EXPECT_U64_EQ(spy.free_calls, 0);
    EXPECT_U64_EQ(spy.live_bytes, 0);
}

static void t_stack_arena_bounded(void) {
    ab_counting spy;
    ab_counting_init(&spy, ab_malloc_allocator());
    _Alignas(64) unsigned char buf[4096];
    ab_fixed_buffer fb;
    ab_fixed_buffer_init(&fb, buf, sizeof buf);
    ab_arena arena;
    ab_arena_init_sized(&arena, ab_fixed_buffer_allocator(&fb), sizeof buf);
    ab_allocator a = ab_arena_allocator(&arena);
    size_t got = 0;
    void *p;
    while ((p = ab_alloc(a, 64, 8)) != NULL) {
        EXPECT_TRUE((unsigned char *)p >= buf && (unsigned char *)p + 64 <= buf + sizeof buf);
        memset(p, 0x42, 64);
        got += 64;
        if (got > sizeof buf) break;
    }
    EXPECT_ZU_EQ(got, sizeof buf - sizeof(ab_arena_block) - 48); /* 63 x 64 fit after the header */
    EXPECT_NULL(ab_alloc(a, 64, 8));
    EXPECT_NULL(ab_alloc(a, 100000, 8)); /* no fallback to the heap */
    EXPECT_NOT_NULL(ab_alloc(a, 48, 8)); /* the tail of the buffer still serves what fits */
    EXPECT_NULL(ab_alloc(a, 1, 1));
    EXPECT_ZU_EQ(stats_of(&arena).block_count, 1);
    EXPECT_ZU_GT(fb.failures, 0);
    EXPECT_TRUE(ab_arena_reset(&arena, AB_RESET_RETAIN_CAPACITY));
    EXPECT_NOT_NULL(ab_alloc(a, 64, 8));
    ab_arena_deinit(&arena);
    EXPECT_ZU_EQ(fb.off, 0);
    ab_fixed_buffer_deinit(&fb);
    EXPECT_U64_EQ(spy.alloc_calls, 0);
}

/* Blocks of odd sizes that spill over the buffer: every reset still gives the
 * whole buffer back (block sizes are whole multiples of the block alignment,
 * so blocks freed newest first rewind the fixed buffer to 0). */
static void t_stack_arena_gives_buffer_back(void) {
    _Alignas(64) unsigned char buf[16384];
    ab_fixed_buffer fb;
    ab_fixed_buffer_init(&fb, buf, sizeof buf);
    ab_arena arena;
    ab_arena_init_sized(&arena, ab_fixed_buffer_allocator(&fb), 1000);
    ab_allocator a = ab_arena_allocator(&arena);
    for (int round = 0; round < 4; round++) {
        EXPECT_NOT_NULL(ab_alloc(a, 900, 1));
        EXPECT_NOT_NULL(ab_alloc(a, 901, 1));  /* a second block */
        EXPECT_NOT_NULL(ab_alloc(a, 2501, 1)); /* a block of its own, odd size */
        EXPECT_NOT_NULL(ab_alloc(a, 3, 1));
        EXPECT_ZU_GE(stats_of(&arena).block_count, 2);
        if (round % 2 == 0) {
            EXPECT_TRUE(ab_arena_reset(&arena, AB_RESET_FREE_ALL));
            EXPECT_ZU_EQ(fb.off, 0);
        } else {
            EXPECT_TRUE(ab_arena_reset_with_limit(&arena, 1001));
            EXPECT_ZU_LE(stats_of(&arena).bytes_reserved, 1001);
            EXPECT_ZU_LE(fb.off, 1001);
        }
    }
    ab_arena_deinit(&arena);
    EXPECT_ZU_EQ(fb.off, 0);
    ab_fixed_buffer_deinit(&fb);
}

/* ======================================================================
 * Pool
 * ====================================================================== */

typedef struct pool_fix {
    ab_counting c;
    ab_pool p;
    ab_allocator al;
} pool_fix;

static bool pf_open(pool_fix *f, size_t size, size_t align) {
    ab_counting_init(&f->c, ab_malloc_allocator());
    if (!ab_pool_init(&f->p, ab_counting_allocator(&f->c), size, align)) return false;
    f->al = ab_pool_allocator(&f->p);
    return true;
}

static void pf_close(pool_fix *f) {
    size_t slabs = f->p.slab_count;
    ab_pool_deinit(&f->p);
    EXPECT_U64_EQ(f->c.live_bytes, 0); /* every slab went back */
    EXPECT_U64_EQ(f->c.live_count, 0);
    EXPECT_U64_EQ(f->c.free_calls, slabs);
    EXPECT_ZU_EQ(f->p.slab_count, 0);
}

static void t_pool_reuse(void) {
    pool_fix f;
    REQUIRE_TRUE(pf_open(&f, 48, 16));
    void *x = ab_pool_alloc(&f.p);
    REQUIRE_NOT_NULL(x);
    ab_pool_free(&f.p, x);
    EXPECT_PTR_EQ(ab_pool_alloc(&f.p), x); /* free then alloc: the same object */
    void *y = ab_pool_alloc(&f.p);
    ab_pool_free(&f.p, x);
    ab_pool_free(&f.p, y);
    EXPECT_PTR_EQ(ab_pool_alloc(&f.p), y); /* LIFO */
    EXPECT_PTR_EQ(ab_pool_alloc(&f.p), x);
    EXPECT_ZU_EQ(f.p.live, 2);
    /* through the interface */
    void *z = ab_alloc(f.al, 40, 8);
    REQUIRE_NOT_NULL(z);
    ab_free(f.al, z, 40, 8);
    EXPECT_PTR_EQ(ab_alloc(f.al, 48, 16), z);
    EXPECT_NULL(ab_alloc(f.al, 49, 8));  /* larger than the object */
    EXPECT_NULL(ab_alloc(f.al, 16, 32)); /* more aligned than the object */
    EXPECT_TRUE(ab_resize(f.al, z, 48, 8, 16));
    EXPECT_TRUE(ab_resize(f.al, z, 8, 48, 16));
    EXPECT_FALSE(ab_resize(f.al, z, 48, 49, 16));
    EXPECT_ZU_EQ(f.p.slab_count, 1);
    pf_close(&f);
}

static void t_pool_slab_growth(void) {
    pool_fix f;
    REQUIRE_TRUE(pf_open(&f, 24, 8));
    enum { N = AB_POOL_FIRST_SLAB_OBJECTS * 3 + 1 }; /* 64 + 128 + 1: three slabs */
    static void *objs[N];
    for (size_t i = 0; i < N; i++) {
        objs[i] = ab_pool_alloc(&f.p);
        REQUIRE_NOT_NULL(objs[i]);
        EXPECT_ALIGNED(objs[i], 8);
        fill_tag(objs[i], 24, (unsigned)i);
        if (i + 1 == AB_POOL_FIRST_SLAB_OBJECTS) EXPECT_ZU_EQ(f.p.slab_count, 1);
        if (i == AB_POOL_FIRST_SLAB_OBJECTS) EXPECT_ZU_EQ(f.p.slab_count, 2);
    }
    EXPECT_ZU_EQ(f.p.slab_count, 3);
    EXPECT_U64_EQ(f.c.alloc_calls, 3);
    for (size_t i = 0; i < N; i++) EXPECT_TRUE(has_tag(objs[i], 24, (unsigned)i));
    for (size_t i = 0; i < N; i++) ab_pool_free(&f.p, objs[i]);
    EXPECT_ZU_EQ(f.p.live, 0);
    /* all of it again: served from the free list, no new slab */
    for (size_t i = 0; i < N; i++) {
        objs[i] = ab_pool_alloc(&f.p);
        REQUIRE_NOT_NULL(objs[i]);
        fill_tag(objs[i], 24, (unsigned)i);
    }
    EXPECT_ZU_EQ(f.p.slab_count, 3);
    EXPECT_U64_EQ(f.c.alloc_calls, 3);
    for (size_t i = 0; i < N; i++) EXPECT_TRUE(has_tag(objs[i], 24, (unsigned)i));
    pf_close(&f); /* with objects still live: deinit returns every slab anyway */
}

static void t_pool_failing_backing(void) {
    pool_fix f;
    REQUIRE_TRUE(pf_open(&f, 64, 64));
    f.c.fail_after = 0;
    EXPECT_NULL(ab_pool_alloc(&f.p));
    EXPECT_NULL(ab_alloc(f.al, 64, 64));
    EXPECT_ZU_EQ(f.p.slab_count, 0);
    f.c.fail_after = -1;
    void *p = ab_pool_alloc(&f.p);
    EXPECT_NOT_NULL(p);
    EXPECT_ALIGNED(p, 64);
    EXPECT_FALSE(ab_pool_init(&f.p, f.al, 0, 8)); /* size 0 */
    EXPECT_FALSE(ab_pool_init(&f.p, f.al, 8, 3)); /* bad alignment */
    pf_close(&f);
}

/* ======================================================================
 * malloc identity, counting wrapper, pinned overheads
 * ====================================================================== */

/* Sanitizer runtimes replace malloc: identity cannot be glibc under them. */
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(hwaddress_sanitizer)
#define MALLOC_INTERCEPTED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define MALLOC_INTERCEPTED 1
#endif

static void t_malloc_identity(void) {
#if defined(MALLOC_INTERCEPTED)
    ab_malloc_info seen;
    ab_malloc_identify(&seen);
    printf("     note: built with a sanitizer that intercepts malloc (identity here: %s, %s): "
           "glibc identity check skipped\n", seen.name, seen.path);
#else
    ab_malloc_info info;
    ab_malloc_identify(&info);
    printf("     malloc: %s %s (%s)\n", info.name, info.version, info.path);
    EXPECT_INT_EQ(info.kind, AB_MALLOC_GLIBC);
    EXPECT_STR_EQ(info.name, "glibc");
    EXPECT_TRUE(info.version[0] >= '2' && info.version[0] <= '9' && strchr(info.version, '.') != NULL);
    EXPECT_TRUE(strstr(info.path, "libc") != NULL);
#endif
    EXPECT_INT_EQ(ab_malloc_kind_from_name("jemalloc"), AB_MALLOC_JEMALLOC);
    EXPECT_INT_EQ(ab_malloc_kind_from_name("nope"), AB_MALLOC_UNKNOWN);
    EXPECT_INT_EQ(ab_malloc_kind_from_name(NULL), AB_MALLOC_UNKNOWN);
    EXPECT_STR_EQ(ab_malloc_kind_name(AB_MALLOC_MIMALLOC), "mimalloc");
    EXPECT_STR_EQ(ab_malloc_kind_name((ab_malloc_kind)99), "unknown");
    void *p = ab_alloc(ab_malloc_allocator(), 100, 8);
    EXPECT_ZU_GE(ab_malloc_usable_size(p), 100);
    EXPECT_ZU_EQ(ab_malloc_usable_size(NULL), 0);
    ab_free(ab_malloc_allocator(), p, 100, 8);
}

static void t_counting(void) {
    ab_counting c;
    ab_counting_init(&c, ab_malloc_allocator());
    ab_allocator a = ab_counting_allocator(&c);
    void *p = ab_alloc(a, 100, 8);
    void *q = ab_alloc(a, 1000, 64);
    EXPECT_U64_EQ(c.alloc_calls, 2);
    EXPECT_U64_EQ(c.live_bytes, 1100);
    EXPECT_U64_EQ(c.live_count, 2);
    EXPECT_U64_EQ(c.size_log2[6], 1); /* 100 in [64, 128) */
    EXPECT_U64_EQ(c.size_log2[9], 1); /* 1000 in [512, 1024) */
    ab_free(a, p, 100, 8);
    EXPECT_U64_EQ(c.live_bytes, 1000);
    EXPECT_U64_EQ(c.peak_bytes, 1100);
    q = ab_realloc(a, q, 1000, 5000, 64);
    EXPECT_NOT_NULL(q);
    EXPECT_U64_EQ(c.live_bytes, 5000);
    c.fail_after = 1;
    void *r = ab_alloc(a, 10, 1);
    EXPECT_NOT_NULL(r);
    EXPECT_NULL(ab_alloc(a, 10, 1));
    EXPECT_U64_EQ(c.failed_allocs, 1);
    c.fail_after = -1;
    ab_free(a, r, 10, 1);
    ab_free(a, q, 5000, 64);
    EXPECT_U64_EQ(c.live_bytes, 0);
    EXPECT_U64_EQ(c.live_count, 0);
    ab_counting_clear(&c);
    EXPECT_U64_EQ(c.alloc_calls, 0);
    EXPECT_INT_EQ(c.fail_after, -1);
    /* a failure of the inner allocator's remap is counted like an injected one */
    ab_counting inner, outer;
    ab_counting_init(&inner, ab_malloc_allocator());
    ab_counting_init(&outer, ab_counting_allocator(&inner));
    ab_allocator oa = ab_counting_allocator(&outer);
    void *o = ab_alloc(oa, 32, 8);
    REQUIRE_NOT_NULL(o);
    inner.fail_after = 0;
    EXPECT_NULL(ab_realloc(oa, o, 32, 1 << 20, 8));
    EXPECT_U64_EQ(inner.failed_allocs, 1);
    EXPECT_U64_EQ(outer.failed_allocs, 1);
    EXPECT_U64_EQ(outer.live_bytes, 32);
    ab_free(oa, o, 32, 8);
    EXPECT_U64_EQ(inner.live_bytes, 0);
    EXPECT_U64_EQ(outer.live_bytes, 0);
    /* counting usable bytes instead of requested ones */
    c.usable_size = ab_malloc_usable_size;
    p = ab_alloc(a, 100, 8);
    EXPECT_TRUE(c.live_bytes >= 100);
    ab_free(a, p, 100, 8);
    EXPECT_U64_EQ(c.live_bytes, 0);
}

static void t_overheads(void) {
    EXPECT_ZU_EQ(sizeof(ab_arena_block), 2 * sizeof(void *));
    if (sizeof(void *) == 8) EXPECT_ZU_EQ(sizeof(ab_arena_block), 16);
    printf("     sizeof(ab_arena_block) = %zu, sizeof(ab_arena) = %zu, sizeof(ab_fixed_buffer) = %zu, "
           "sizeof(ab_pool) = %zu, sizeof(ab_allocator) = %zu\n",
           sizeof(ab_arena_block), sizeof(ab_arena), sizeof(ab_fixed_buffer), sizeof(ab_pool),
           sizeof(ab_allocator));
    /* 0 bytes per allocation: two aligned allocations are adjacent */
    arena_fix f;
    af_open(&f, 4096);
    char *p = (char *)ab_alloc(f.al, 32, 16);
    char *q = (char *)ab_alloc(f.al, 32, 16);
    EXPECT_PTR_EQ(q, p + 32);
    EXPECT_PTR_EQ(p, (char *)f.a.head + sizeof(ab_arena_block)); /* data right after the header */
    af_close(&f);
}

/* ======================================================================
 * The model itself: a checker that never fails proves nothing, so feed it
 * broken allocators and expect it to object.
 * ====================================================================== */

typedef struct broken {
    _Alignas(4096) unsigned char buf[1 << 16];
    size_t off;
    int mode; /* 0: overlapping blocks, 1: misaligned, 2: free scribbles on its neighbour, 3: realloc loses data */
} broken;

static void *broken_alloc(void *ctx, size_t size, size_t align) {
    broken *b = (broken *)ctx;
    if (b->mode == 0) return b->buf + 64; /* the same bytes every time */
    size_t start = (b->off + align - 1) & ~(align - 1);
    if (b->mode == 1 && align > 1) start += 1; /* off by one */
    if (start + size > sizeof b->buf) return NULL;
    b->off = start + size;
    return b->buf + start;
}
static bool broken_resize(void *ctx, void *p, size_t old_size, size_t new_size, size_t align) {
    (void)ctx, (void)p, (void)old_size, (void)align;
    return new_size <= old_size;
}
static void *broken_remap(void *ctx, void *p, size_t old_size, size_t new_size, size_t align) {
    (void)p, (void)old_size;
    return broken_alloc(ctx, new_size, align); /* moves without copying */
}
static void broken_free(void *ctx, void *p, size_t size, size_t align) {
    broken *b = (broken *)ctx;
    (void)align;
    if (b->mode == 2 && (unsigned char *)p + size < b->buf + sizeof b->buf) ((unsigned char *)p)[size] ^= 0xFF;
}

static void expect_model_objects(int mode, const char *needle) {
    static broken b;
    memset(&b, 0, sizeof b);
    b.mode = mode;
    static const ab_allocator_vtable vt_plain = {broken_alloc, broken_resize, NULL, broken_free};
    static const ab_allocator_vtable vt_remap = {broken_alloc, broken_resize, broken_remap, broken_free};
    ab_allocator a = {&b, mode == 3 ? &vt_remap : &vt_plain};
    ab_model m;
    ab_model_init(&m, a, AB_MODEL_BOUNDED, AB_MAX_SIZE, AB_MAX_ALIGN, NULL, NULL);
    ab_rng rng = {1234 + (uint64_t)mode};
    CK_SEED(rng.state);
    ab_opsrc src = ab_opsrc_rng(&rng);
    for (int i = 0; i < 2000 && !m.failed; i++) {
        if (b.off > sizeof b.buf / 2) { /* keep the toy allocator from filling up */
            ab_model_free_all(&m);
            b.off = 0;
        }
        ab_model_step(&m, &src);
    }
    EXPECT_MSG(m.failed, "the model did not notice broken allocator mode %d", mode);
    EXPECT_MSG(strstr(m.msg, needle) != NULL, "mode %d: message \"%s\" lacks \"%s\"", mode, m.msg, needle);
    ab_model_destroy(&m);
}

static void t_model_catches_overlap(void) { expect_model_objects(0, "overlaps"); }
static void t_model_catches_misalignment(void) { expect_model_objects(1, "misaligned"); }
static void t_model_catches_corruption(void) { expect_model_objects(2, "expected 0x"); }
static void t_model_catches_lost_contents(void) { expect_model_objects(3, "preserved"); }

/* ====================================================================== */

static uint64_t env_u64(const char *name, uint64_t dflt) {
    const char *v = getenv(name);
    if (v == NULL || *v == '\0') return dflt;
    return (uint64_t)strtoull(v, NULL, 0);
}

int main(int argc, char **argv) {
    CK_INIT(argc, argv);
    g_ops = (size_t)env_u64("AB_TEST_OPS", g_ops);
    g_seed = env_u64("AB_TEST_SEED", g_seed);
    if (!ck_list_only)
        printf("test_allocators: %zu property ops per allocator, seed 0x%llx (AB_TEST_OPS, AB_TEST_SEED)\n",
               g_ops, (unsigned long long)g_seed);

    static const struct { const char *name; subject_test fn; } conformance[] = {
        {"align_sweep", t_align_sweep},     {"size_zero", t_size_zero}, {"bad_request", t_bad_request},
        {"array_overflow", t_array_overflow}, {"realloc", t_realloc},   {"dup_strings", t_dup_strings},
        {"property", t_property},
    };
    for (int k = 0; k < AB_SUBJ_COUNT; k++) {
        for (size_t t = 0; t < sizeof conformance / sizeof *conformance; t++) {
            char name[96];
            snprintf(name, sizeof name, "%s/%s", ab_subject_name((ab_subject_kind)k), conformance[t].name);
            cur_kind = (ab_subject_kind)k;
            cur_test = conformance[t].fn;
            CK_RUN(name, run_current);
        }
    }

    CK_RUN("arena/rewind_last", t_arena_rewind);
    CK_RUN("arena/resize_last", t_arena_resize_last);
    CK_RUN("arena/retain_capacity", t_arena_retain_capacity);
    CK_RUN("arena/free_all", t_arena_free_all);
    CK_RUN("arena/retain_with_limit", t_arena_retain_with_limit);
    CK_RUN("arena/nested_3_deep", t_arena_nested);
    CK_RUN("arena/failing_backing", t_arena_failing_backing);
    CK_RUN("arena/bigger_than_block", t_arena_big_alloc);
    CK_RUN("arena/stats", t_arena_stats);
    CK_RUN("arena/reuse_after_deinit", t_arena_reuse_after_deinit);
    CK_RUN("block_cache/arena_cycles_reuse_blocks", t_block_cache_reuse);
    CK_RUN("block_cache/limits", t_block_cache_limits);
    CK_RUN("fixed_buffer/exact_fill", t_fixed_exact_fill);
    CK_RUN("fixed_buffer/rewind", t_fixed_rewind);
    CK_RUN("fixed_buffer/resize_last", t_fixed_resize_last);
    CK_RUN("stack_arena/no_heap", t_stack_arena_no_heap);
    CK_RUN("stack_arena/bounded_no_fallback", t_stack_arena_bounded);
    CK_RUN("stack_arena/gives_buffer_back", t_stack_arena_gives_buffer_back);
    CK_RUN("pool/reuse", t_pool_reuse);
    CK_RUN("pool/slab_growth", t_pool_slab_growth);
    CK_RUN("pool/failing_backing", t_pool_failing_backing);
    CK_RUN("malloc/identity", t_malloc_identity);
    CK_RUN("counting/wrapper", t_counting);
    CK_RUN("overheads/pinned", t_overheads);
    CK_RUN("model/catches_overlap", t_model_catches_overlap);
    CK_RUN("model/catches_misalignment", t_model_catches_misalignment);
    CK_RUN("model/catches_corruption", t_model_catches_corruption);
    CK_RUN("model/catches_lost_contents", t_model_catches_lost_contents);
    return CK_DONE();
}
