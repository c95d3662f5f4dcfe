/*
 * test_library_contestants.c -- conformance of the library contestants
 * (harness/contestants/obstack.c, apr.c, talloc.c, mi_heap.c), driven through
 * their own create/begin/end/destroy exactly as harness/subject.c does.
 *
 * Every contestant is a weak reference: link any subset (mi_heap.c needs
 * mimalloc, which then also becomes this process's malloc) and the absent
 * ones are reported as skipped. The project's arena (arena.c), if linked,
 * runs too, as a check of the test itself.
 *
 * For each contestant:
 *   random      random sequences of allocations (1 B .. 8 KiB, a few up to
 *               96 KiB; alignment 1..64), reallocs and shrinks, nested
 *               scopes up to 4 deep, allocations through an outer scope
 *               while a nested one is open, outer ends alternating
 *               AB_END_RESET / AB_END_DESTROY. Checked: alignment, every
 *               byte of every live allocation until its scope ends, no
 *               overlap between live allocations (sorted intervals), and for
 *               backing-routed contestants no bytes left with an exact-size
 *               counting backing after destroy.
 *   nested      a fixed interleaving: outer, nested, outer-while-nested,
 *               end nested, outer again; plus a deep nest of 16.
 *   align       alignments 1 .. AB_MAX_ALIGN (1 MiB) in every scope kind.
 *   huge        a request no library can serve gives NULL, and the scope
 *               still works afterwards.
 *   oom         (backing-routed only) a backing that fails: NULL, no crash,
 *               and allocation recovers once the backing works again.
 *
 * Build (from the repository root, after `ninja -C build` has made the
 * allocator library; drop mi_heap.c and -lmimalloc to test the others under
 * glibc's malloc):
 *   cc -std=c11 -O2 -g -Wall -Wextra -Iallocators -Ibenchmarks -Iharness -Itests/c \
 *      $(pkg-config --cflags apr-1 talloc) tests/contestants/test_library_contestants.c \
 *      harness/contestants/obstack.c harness/contestants/apr.c harness/contestants/talloc.c \
 *      harness/contestants/mi_heap.c harness/contestants/arena.c build/libab_allocators.a \
 *      $(pkg-config --libs apr-1 talloc) -lmimalloc -ldl -pthread -o build/test_library_contestants
 * Output ends with "N passed, N failed"; the exit status is the failures.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allocator.h"
#include "check.h"
#include "counting.h"
#include "workload.h"

extern const ab_contestant ab_contestant_obstack __attribute__((weak));
extern const ab_contestant ab_contestant_apr __attribute__((weak));
extern const ab_contestant ab_contestant_talloc __attribute__((weak));
extern const ab_contestant ab_contestant_mi_heap __attribute__((weak));
extern const ab_contestant ab_contestant_arena __attribute__((weak));

/* ---- a contestant under test, as subject.c drives it --------------------- */

typedef struct tsub {
    const ab_contestant *c;
    ab_counting backing; /* exact sizes: no usable_size, so a wrong free size shows */
    void *st;
    int depth;
    ab_allocator scope[16];
} tsub;

static bool tsub_create(tsub *t, const ab_contestant *c) {
    memset(t, 0, sizeof *t);
    t->c = c;
    ab_counting_init(&t->backing, ab_malloc_allocator());
    ab_subject_params p;
    memset(&p, 0, sizeof p);
    p.backing = ab_counting_allocator(&t->backing);
    p.pool_object_align = AB_DEFAULT_ALIGN;
    p.bounded_capacity = (size_t)64 << 10;
    t->st = c->create(&p);
    return t->st != NULL;
}
static ab_allocator tsub_begin(tsub *t) {
    ab_allocator a = t->c->begin(t->st);
    t->scope[t->depth++] = a;
    return a;
}
static void tsub_end(tsub *t, ab_scope_end_mode mode) {
    t->depth--;
    t->c->end(t->st, mode);
}
/* Destroys t; returns the bytes still held from the backing. */
static uint64_t tsub_destroy(tsub *t) {
    while (t->depth > 0) tsub_end(t, AB_END_DESTROY);
    t->c->destroy(t->st);
    return t->backing.live_bytes;
}

/* ---- live allocations and their contents --------------------------------- */

typedef struct rec {
    unsigned char *p;
    size_t size, align;
    int scope; /* index of the scope whose allocator made it */
    uint32_t id;
} rec;

typedef struct live {
    rec *v;
    size_t n, cap;
    uint32_t next_id;
} live;

static unsigned char pattern(uint32_t id, size_t i) { return (unsigned char)(id * 131u + (uint32_t)i * 7u + 1u); }
static void fill(rec *r) {
    for (size_t i = 0; i < r->size; i++) r->p[i] = pattern(r->id, i);
}
static bool intact(const rec *r, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (r->p[i] != pattern(r->id, i)) return false;
    return true;
}
static void live_push(live *l, rec r) {
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 256;
        l->v = (rec *)realloc(l->v, l->cap * sizeof *l->v);
        if (l->v == NULL) abort();
    }
    l->v[l->n++] = r;
}
/* Checks every live allocation's bytes; returns false on the first damage. */
static bool check_contents(const live *l, const char *when) {
    for (size_t i = 0; i < l->n; i++)
        if (!intact(&l->v[i], l->v[i].size)) {
            EXPECT_MSG(false, "%s: allocation #%u (%zu B at %p, scope %d) was overwritten", when, l->v[i].id,
                       l->v[i].size, (void *)l->v[i].p, l->v[i].scope);
            return false;
        }
    return true;
}
static int by_addr(const void *a, const void *b) {
    uintptr_t x = (uintptr_t)((const rec *)a)->p, y = (uintptr_t)((const rec *)b)->p;
    return x < y ? -1 : x > y;
}
/* No two live allocations overlap: sort by address, compare neighbours. */
static bool check_overlap(const live *l, const char *when) {
    if (l->n < 2) return true;
    rec *s = (rec *)malloc(l->n * sizeof *s);
    if (s == NULL) abort();
    memcpy(s, l->v, l->n * sizeof *s);
    qsort(s, l->n, sizeof *s, by_addr);
    bool ok = true;
    for (size_t i = 0; i + 1 < l->n && ok; i++)
        if ((uintptr_t)s[i].p + s[i].size > (uintptr_t)s[i + 1].p) {
            EXPECT_MSG(false, "%s: [%p, +%zu) overlaps [%p, +%zu)", when, (void *)s[i].p, s[i].size,
                       (void *)s[i + 1].p, s[i + 1].size);
            ok = false;
        }
    free(s);
    return ok;
}
/* Drops the records of scope >= depth (their scope ended). */
static void live_drop_from(live *l, int depth) {
    size_t k = 0;
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i].scope < depth) l->v[k++] = l->v[i];
    l->n = k;
}

/* Allocates through scope `scope` of t, checks alignment, fills, records. */
static bool do_alloc(tsub *t, live *l, int scope, size_t size, size_t align) {
    unsigned char *p = (unsigned char *)ab_alloc(t->scope[scope], size, align);
    EXPECT_MSG(p != NULL, "%s: alloc(%zu, %zu) in scope %d returned NULL", t->c->name, size, align, scope);
    if (p == NULL) return false;
    EXPECT_ALIGNED(p, align);
    rec r = {p, size, align, scope, l->next_id++};
    fill(&r);
    live_push(l, r);
    return true;
}

/* ---- cases ------------------------------------------------------------------ */

static const ab_contestant *g_c; /* the contestant of the running cases */

static size_t random_size(ab_rng *rng) {
    uint64_t k = ab_rng_range(rng, 0, 99);
    if (k < 60) return (size_t)ab_rng_range(rng, 1, 64);
    if (k < 90) return (size_t)ab_rng_range(rng, 65, 1024);
    if (k < 98) return (size_t)ab_rng_range(rng, 1025, 8192);
    return (size_t)ab_rng_range(rng, 8193, 96 << 10);
}

static void test_random(void) {
    for (uint64_t seed = 1; seed <= 12 && CK_CASE_OK(); seed++) {
        CK_SEED(seed);
        ab_rng rng;
        ab_rng_seed(&rng, seed);
        tsub t;
        REQUIRE_TRUE(tsub_create(&t, g_c));
        live l = {0};
        for (int round = 0; round < 24 && CK_CASE_OK(); round++) {
            tsub_begin(&t);
            int ops = (int)ab_rng_range(&rng, 50, 600);
            for (int op = 0; op < ops && CK_CASE_OK(); op++) {
                uint64_t k = ab_rng_range(&rng, 0, 99);
                if (k < 70) {
                    /* usually the innermost scope, sometimes an outer one while nested are open */
                    int scope = t.depth - 1;
                    if (scope > 0 && ab_rng_range(&rng, 0, 4) == 0) scope = (int)ab_rng_range(&rng, 0, (uint64_t)scope);
                    size_t align = (size_t)1 << ab_rng_range(&rng, 0, 6);
                    do_alloc(&t, &l, scope, random_size(&rng), align);
                } else if (k < 78 && l.n > 0) {
                    /* realloc (grow or shrink) through the allocation's own scope */
                    size_t i = (size_t)ab_rng_range(&rng, 0, l.n - 1);
                    rec *r = &l.v[i];
                    size_t ns = random_size(&rng);
                    unsigned char *q = (unsigned char *)ab_realloc(t.scope[r->scope], r->p, r->size, ns, r->align);
                    EXPECT_MSG(q != NULL, "realloc %zu -> %zu returned NULL", r->size, ns);
                    if (q == NULL) break;
                    EXPECT_ALIGNED(q, r->align);
                    rec moved = *r;
                    moved.p = q;
                    EXPECT_MSG(intact(&moved, r->size < ns ? r->size : ns), "realloc lost the contents (%zu -> %zu)",
                               r->size, ns);
                    r->p = q;
                    r->size = ns;
                    fill(r);
                } else if (k < 82 && l.n > 0) {
                    /* shrink in place */
                    rec *r = &l.v[ab_rng_range(&rng, 0, l.n - 1)];
                    if (r->size > 1) {
                        size_t ns = (size_t)ab_rng_range(&rng, 1, r->size - 1);
                        if (ab_resize(t.scope[r->scope], r->p, r->size, ns, r->align)) r->size = ns;
                        EXPECT_TRUE(intact(r, r->size));
                    }
                } else if (k < 88 && t.depth < 5) {
                    tsub_begin(&t);
                } else if (k < 94 && t.depth > 1) {
                    check_contents(&l, "before a nested end");
                    check_overlap(&l, "before a nested end");
                    tsub_end(&t, ab_rng_range(&rng, 0, 1) ? AB_END_RESET : AB_END_DESTROY);
                    live_drop_from(&l, t.depth);
                }
                if ((op & 63) == 63) {
                    check_contents(&l, "during the round");
                    check_overlap(&l, "during the round");
                }
            }
            check_contents(&l, "at the outer end");
            check_overlap(&l, "at the outer end");
            while (t.depth > 1) {
                tsub_end(&t, AB_END_DESTROY);
                live_drop_from(&l, t.depth);
            }
            tsub_end(&t, ab_rng_range(&rng, 0, 1) ? AB_END_RESET : AB_END_DESTROY);
            l.n = 0;
        }
        uint64_t left = tsub_destroy(&t);
        if (g_c->backing_routed) EXPECT_U64_EQ(left, 0);
        free(l.v);
    }
}

static void test_nested(void) {
    for (int mode = 0; mode < 2; mode++) {
        tsub t;
        REQUIRE_TRUE(tsub_create(&t, g_c));
        live l = {0};
        for (int rep = 0; rep < 3; rep++) {
            tsub_begin(&t);
            do_alloc(&t, &l, 0, 100, 8);       /* outer */
            tsub_begin(&t);
            do_alloc(&t, &l, 1, 3000, 16);     /* nested */
            do_alloc(&t, &l, 0, 5000, 1);      /* outer, while the nested scope is open */
            do_alloc(&t, &l, 1, 20000, 64);    /* nested, needing more memory */
            do_alloc(&t, &l, 0, 40, 32);       /* outer again */
            check_contents(&l, "nested open");
            check_overlap(&l, "nested open");
            tsub_end(&t, (ab_scope_end_mode)mode);
            live_drop_from(&l, 1);
            EXPECT_ZU_EQ(l.n, 3);
            check_contents(&l, "after the nested end");
            for (int i = 0; i < 50; i++) do_alloc(&t, &l, 0, 700, 4); /* reuses what the nested scope had */
            check_contents(&l, "outer after nested");
            check_overlap(&l, "outer after nested");
            tsub_end(&t, (ab_scope_end_mode)mode);
            l.n = 0;
        }
        /* 16 nested scopes (the harness's limit), each allocating, closed in order */
        for (int d = 0; d < 16; d++) {
            tsub_begin(&t);
            do_alloc(&t, &l, d, 256 + 64 * (size_t)d, (size_t)1 << (d % 7));
        }
        check_contents(&l, "16 deep");
        check_overlap(&l, "16 deep");
        for (int d = 15; d >= 0; d--) {
            tsub_end(&t, (ab_scope_end_mode)mode);
            live_drop_from(&l, d);
            check_contents(&l, "unwinding");
        }
        uint64_t left = tsub_destroy(&t);
        if (g_c->backing_routed) EXPECT_U64_EQ(left, 0);
        free(l.v);
    }
}

static void test_align(void) {
    tsub t;
    REQUIRE_TRUE(tsub_create(&t, g_c));
    live l = {0};
    tsub_begin(&t);
    for (size_t align = 1; align <= AB_MAX_ALIGN; align <<= 1) do_alloc(&t, &l, 0, 1 + align / 3, align);
    tsub_begin(&t);
    for (size_t align = 1; align <= AB_MAX_ALIGN; align <<= 1) do_alloc(&t, &l, 1, 24, align);
    check_contents(&l, "aligned");
    check_overlap(&l, "aligned");
    tsub_end(&t, AB_END_DESTROY);
    tsub_end(&t, AB_END_RESET);
    uint64_t left = tsub_destroy(&t);
    if (g_c->backing_routed) EXPECT_U64_EQ(left, 0);
    free(l.v);
}

static void test_huge(void) {
    tsub t;
    REQUIRE_TRUE(tsub_create(&t, g_c));
    ab_allocator a = tsub_begin(&t);
    /* Larger than any library here can serve (talloc: 256 MiB cap; obstack:
     * INT_MAX; the others: no memory for it). */
    EXPECT_NULL(ab_alloc(a, (size_t)1 << 50, 16));
    EXPECT_NULL(ab_alloc(a, (size_t)1 << 50, 4096));
    void *p = ab_alloc(a, 100, 8);
    EXPECT_NOT_NULL(p);
    tsub_end(&t, AB_END_RESET);
    uint64_t left = tsub_destroy(&t);
    if (g_c->backing_routed) EXPECT_U64_EQ(left, 0);
}

static void test_oom(void) {
    for (int64_t fail_after = 0; fail_after < 4; fail_after++) {
        tsub t;
        REQUIRE_TRUE(tsub_create(&t, g_c));
        t.backing.fail_after = fail_after;
        size_t nulls = 0;
        for (int round = 0; round < 3; round++) {
            ab_allocator a = tsub_begin(&t);
            for (int i = 0; i < 40; i++)
                if (ab_alloc(a, 1000, 8) == NULL) nulls++;
            tsub_end(&t, round == 1 ? AB_END_DESTROY : AB_END_RESET);
        }
        EXPECT_ZU_GT(nulls, 0);
        /* The backing works again: so does the contestant. */
        t.backing.fail_after = -1;
        live l = {0};
        tsub_begin(&t);
        for (int i = 0; i < 40; i++) do_alloc(&t, &l, 0, 1000, 8);
        check_contents(&l, "after recovery");
        tsub_end(&t, AB_END_DESTROY);
        EXPECT_U64_EQ(tsub_destroy(&t), 0);
        free(l.v);
    }
}

int main(int argc, char **argv) {
    CK_INIT(argc, argv);
    const ab_contestant *all[] = {&ab_contestant_obstack, &ab_contestant_apr, &ab_contestant_talloc,
                                  &ab_contestant_mi_heap, &ab_contestant_arena};
    const char *names[] = {"obstack", "apr", "talloc", "mi_heap", "arena"};
    char name[128];
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) {
        g_c = all[i];
        if (g_c == NULL) {
            printf("skip %s (not linked into this test)\n", names[i]);
            continue;
        }
        snprintf(name, sizeof name, "%s/random", g_c->name);
        CK_RUN(name, test_random);
        snprintf(name, sizeof name, "%s/nested", g_c->name);
        CK_RUN(name, test_nested);
        snprintf(name, sizeof name, "%s/align", g_c->name);
        CK_RUN(name, test_align);
        snprintf(name, sizeof name, "%s/huge", g_c->name);
        CK_RUN(name, test_huge);
        if (g_c->backing_routed) {
            snprintf(name, sizeof name, "%s/oom", g_c->name);
            CK_RUN(name, test_oom);
        }
    }
    return CK_DONE();
}
