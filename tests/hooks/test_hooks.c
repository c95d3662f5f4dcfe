/*
 * test_hooks.c -- the allocator-hook adapters (benchmarks/common/hooks.h)
 * through the real use of five libraries: SQLite, Lua, cJSON, expat, zlib.
 *
 * The five workload files are linked as they are, with the adapter's test
 * hook on (-DAB_HOOKS_OBSERVE), and this file stands in for the harness's
 * subject (ab_scope_begin/_end, ab_subject_frees): its scopes hand out
 *   malloc     a counting wrapper (allocators/counting.h) over malloc; after
 *              every request (scope end) the counter's live bytes must be 0;
 *   arena      this project's arena over a counting wrapper over malloc,
 *              reset(retain_capacity) per request, the library's frees are
 *              no-ops; after the final deinit the live bytes must be 0;
 *   arena_new  the same, deinit'ed at every scope end (live bytes 0 each time);
 *   oom        the counting wrapper over malloc failing from the k-th
 *              allocation of every request on: the library must report the
 *              failure, and still free everything (live bytes 0).
 * In every mode ab_hooks_observe tracks the intervals live in the library:
 * no two may overlap, a free must name a live block with its exact size,
 * and nothing handed out in a request may still be live at its end.
 * Checksums must equal the malloc mode's, run after run.
 *
 * Build and run: tests/hooks/run.sh, which is, from the repository root:
 *   cc -std=c11 -O1 -g -Wall -Wextra -DAB_HOOKS_OBSERVE -Iallocators -Ibenchmarks
 *      tests/hooks/test_hooks.c benchmarks/{sqlite,lua,cjson,expat,zlib,workloads}.c
 *      allocators/[a-z]*.c
 *      $(pkg-config --cflags --libs sqlite3 lua5.4 libcjson expat zlib) -lpthread -ldl
 *      -o build/test_hooks
 * (run.sh passes its arguments to the compiler: run.sh -fsanitize=address,undefined).
 */
#include <stdio.h>
#include <stdlib.h>

#include "../c/check.h"
#include "arena.h"
#include "common/hooks.h"
#include "counting.h"
#include "workload.h"

extern const ab_workload ab_workload_sqlite, ab_workload_lua, ab_workload_cjson, ab_workload_expat,
    ab_workload_zlib;

/* ---- live intervals, from the adapter's test hook ------------------------------ */

typedef struct interval {
    uintptr_t start;
    size_t size;
    bool in_request; /* handed out inside a scope (must be gone at its end) */
} interval;

static struct {
    interval *v;
    size_t n, cap;
    bool in_request;
    uint64_t overlaps, bad_frees, size_mismatch, misaligned, observed;
} live;

static size_t live_find(uintptr_t p) { /* first index with start >= p */
    size_t lo = 0, hi = live.n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (live.v[mid].start < p) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

void ab_hooks_observe(const ab_hooks *h, void *vp, size_t n, int op) {
    (void)h;
    uintptr_t p = (uintptr_t)vp;
    live.observed++;
    size_t i = live_find(p);
    if (op == AB_HOOKS_OP_ALLOC) {
        if (p % AB_HOOKS_ALIGN != 0) live.misaligned++;
        if ((i > 0 && live.v[i - 1].start + live.v[i - 1].size > p) || (i < live.n && p + n > live.v[i].start)) {
            live.overlaps++;
            return;
        }
        if (live.n == live.cap) {
            size_t cap = live.cap ? live.cap * 2 : 1024;
            interval *v = (interval *)realloc(live.v, cap * sizeof *v);
            if (v == NULL) abort();
            live.v = v;
            live.cap = cap;
        }
        memmove(live.v + i + 1, live.v + i, (live.n - i) * sizeof *live.v);
        live.v[i] = (interval){p, n, live.in_request};
        live.n++;
    } else {
        if (i == live.n || live.v[i].start != p) {
            live.bad_frees++;
            return;
        }
        if (live.v[i].size != n) live.size_mismatch++;
        memmove(live.v + i, live.v + i + 1, (live.n - i - 1) * sizeof *live.v);
        live.n--;
    }
}

/* Blocks from the current request still live; forgets them. */
static size_t live_end_request(void) {
    size_t kept = 0, left = 0;
    for (size_t i = 0; i < live.n; i++) {
        if (live.v[i].in_request) left++;
        else live.v[kept++] = live.v[i];
    }
    live.n = kept;
    return left;
}

/* ---- a test subject in place of the harness's --------------------------------- */

typedef enum { MODE_MALLOC, MODE_ARENA, MODE_ARENA_NEW, MODE_OOM } mode;
static const char *const mode_names[] = {"malloc", "arena", "arena_new", "oom"};

struct ab_subject {
    mode m;
    ab_counting count;
    ab_arena arena;
    bool arena_live;
    int depth;
    int64_t fail_after; /* MODE_OOM: per request */
    /* findings */
    uint64_t requests, leaked_requests, library_leaks, bad_ends;
};

static void subject_init(ab_subject *s, mode m) {
    memset(s, 0, sizeof *s);
    s->m = m;
    ab_counting_init(&s->count, ab_malloc_allocator());
}

ab_allocator ab_scope_begin(ab_subject *s) {
    if (s->depth++ != 0) s->bad_ends++; /* these workloads never nest */
    live.in_request = true;
    if (s->m == MODE_MALLOC || s->m == MODE_OOM) {
        s->count.fail_after = s->m == MODE_OOM ? s->fail_after : -1;
        return ab_counting_allocator(&s->count);
    }
    if (!s->arena_live) ab_arena_init(&s->arena, ab_counting_allocator(&s->count));
    s->arena_live = true;
    return ab_arena_allocator(&s->arena);
}

void ab_scope_end(ab_subject *s, ab_scope_end_mode m) {
    if (--s->depth != 0) s->bad_ends++;
    live.in_request = false;
    s->requests++;
    if (live_end_request() != 0) s->library_leaks++;
    if (s->m == MODE_MALLOC || s->m == MODE_OOM) {
        s->count.fail_after = -1;
        if (s->count.live_bytes != 0 || s->count.live_count != 0) s->leaked_requests++;
        return;
    }
    if (s->m == MODE_ARENA_NEW || m == AB_END_DESTROY) {
        ab_arena_deinit(&s->arena);
        s->arena_live = false;
        if (s->count.live_bytes != 0) s->leaked_requests++;
    } else {
        ab_arena_reset(&s->arena, AB_RESET_RETAIN_CAPACITY);
    }
}

bool ab_subject_frees(const ab_subject *s) { return s->m == MODE_MALLOC || s->m == MODE_OOM; }

/* Deinit (arena modes); returns the bytes still held from malloc. */
static uint64_t subject_finish(ab_subject *s) {
    if (s->arena_live) ab_arena_deinit(&s->arena);
    s->arena_live = false;
    return s->count.live_bytes;
}

/* ---- the five libraries --------------------------------------------------------- */

static const ab_workload *const libs[] = {&ab_workload_sqlite, &ab_workload_lua, &ab_workload_cjson,
                                          &ab_workload_expat, &ab_workload_zlib};
#define NLIBS (sizeof libs / sizeof *libs)
#define RUNS 3

static const ab_workload *cur_lib;

static void reset_live(void) {
    live.n = 0;
    live.overlaps = live.bad_frees = live.size_mismatch = live.misaligned = live.observed = 0;
}

/* Runs every quick argument set of cur_lib RUNS times in mode m and checks it. */
static void check_library_in(mode m) {
    const ab_workload *w = cur_lib;
    for (int ai = 0; w->quick_args[ai].n > 0; ai++) {
        void *in = w->setup(&w->quick_args[ai]);
        REQUIRE_TRUE(in != NULL);
        ab_subject ref;
        subject_init(&ref, MODE_MALLOC);
        ab_run_result want = w->run(in, &ref);
        EXPECT_U64_EQ(want.failures, 0);
        EXPECT_U64_GT(want.items, 0);
        subject_finish(&ref);

        reset_live();
        ab_subject s;
        subject_init(&s, m);
        for (int k = 0; k < RUNS; k++) {
            ab_run_result got = w->run(in, &s);
            EXPECT_MSG(got.checksum == want.checksum, "%s/%s run %d: checksum differs from malloc's", w->name,
                       mode_names[m], k);
            EXPECT_U64_EQ(got.failures, 0);
            EXPECT_U64_EQ(got.items, want.items);
        }
        uint64_t left = subject_finish(&s);
        EXPECT_U64_EQ(left, 0);                /* every block back to malloc */
        EXPECT_U64_EQ(s.leaked_requests, 0);   /* malloc: after each request; arena_new: after each deinit */
        EXPECT_U64_EQ(s.library_leaks, 0);     /* the library freed all it was given in the request */
        EXPECT_U64_EQ(s.bad_ends, 0);
        EXPECT_U64_EQ(s.requests, RUNS * want.items);
        EXPECT_U64_EQ(live.overlaps, 0);
        EXPECT_U64_EQ(live.bad_frees, 0);
        EXPECT_U64_EQ(live.size_mismatch, 0);
        EXPECT_U64_EQ(live.misaligned, 0);
        EXPECT_U64_GT(live.observed, 0);
        EXPECT_U64_GT(s.count.alloc_calls, 0);
        if (m == MODE_MALLOC) EXPECT_U64_EQ(s.count.live_count, 0);
        w->teardown(in);
    }
}

/* Allocation failure from the k-th allocation of every request on: the
 * library sees NULL, the workload counts the request as failed, and
 * nothing leaks. k runs over 0, 1, 2, 4, ... up to half a request's allocations. */
static void check_library_oom(void) {
    const ab_workload *w = cur_lib;
    void *in = w->setup(&w->quick_args[0]);
    REQUIRE_TRUE(in != NULL);
    ab_subject probe;
    subject_init(&probe, MODE_MALLOC);
    ab_run_result want = w->run(in, &probe);
    uint64_t per_request = probe.count.alloc_calls / (want.items ? want.items : 1);
    subject_finish(&probe);
    int tried = 0;
    for (int64_t k = 0; k < (int64_t)per_request / 2; k = k ? k * 2 : 1) {
        reset_live();
        ab_subject s;
        subject_init(&s, MODE_OOM);
        s.fail_after = k;
        ab_run_result got = w->run(in, &s);
        EXPECT_MSG(got.failures == got.items, "%s: fail after %lld: %llu of %llu requests failed", w->name,
                   (long long)k, (unsigned long long)got.failures, (unsigned long long)got.items);
        EXPECT_U64_EQ(subject_finish(&s), 0);
        EXPECT_U64_EQ(s.leaked_requests, 0);
        EXPECT_U64_EQ(s.library_leaks, 0);
        EXPECT_U64_EQ(live.overlaps, 0);
        EXPECT_U64_EQ(live.bad_frees, 0);
        EXPECT_U64_EQ(live.size_mismatch, 0);
        tried++;
    }
    EXPECT_MSG(tried >= 3, "%s: only %d failure points tried", w->name, tried);
    w->teardown(in);
}

static void t_malloc(void) { check_library_in(MODE_MALLOC); }
static void t_arena(void) { check_library_in(MODE_ARENA); }
static void t_arena_new(void) { check_library_in(MODE_ARENA_NEW); }

/* ---- the adapter alone ----------------------------------------------------------- */

static void t_header_malloc(void) {
    ab_counting c;
    ab_counting_init(&c, ab_malloc_allocator());
    ab_hooks h;
    ab_hooks_init(&h, ab_counting_allocator(&c), true);
    reset_live();
    char *p = (char *)ab_hooks_malloc(&h, 100);
    REQUIRE_TRUE(p != NULL);
    EXPECT_ALIGNED(p, 16);
    EXPECT_ZU_EQ(ab_hooks_size(p), 100);
    EXPECT_U64_EQ(c.total_bytes, 100 + AB_HOOKS_HEADER); /* the header is counted */
    for (int i = 0; i < 100; i++) p[i] = (char)i;
    char *q = (char *)ab_hooks_realloc(&h, p, 5000);
    REQUIRE_TRUE(q != NULL);
    EXPECT_ALIGNED(q, 16);
    EXPECT_ZU_EQ(ab_hooks_size(q), 5000);
    bool same = true;
    for (int i = 0; i < 100; i++) same &= q[i] == (char)i;
    EXPECT_TRUE(same);
    q = (char *)ab_hooks_realloc(&h, q, 10); /* shrink keeps the prefix */
    REQUIRE_TRUE(q != NULL);
    EXPECT_ZU_EQ(ab_hooks_size(q), 10);
    EXPECT_TRUE(q[9] == 9);
    void *z = ab_hooks_malloc(&h, 0); /* malloc(0): a real, freeable block */
    EXPECT_NOT_NULL(z);
    EXPECT_ZU_EQ(ab_hooks_size(z), 1);
    ab_hooks_free(z);
    ab_hooks_free(q);
    ab_hooks_free(NULL);
    EXPECT_U64_EQ(c.live_bytes, 0);
    EXPECT_U64_EQ(c.live_count, 0);
    EXPECT_NULL(ab_hooks_malloc(&h, SIZE_MAX - 8)); /* no wrap-around */
    EXPECT_U64_EQ(h.failures, 1);
    EXPECT_U64_EQ(h.calls, 5); /* 3 mallocs, 2 reallocs */
    EXPECT_ZU_EQ(live.n, 0);
    EXPECT_U64_EQ(live.overlaps + live.bad_frees + live.size_mismatch, 0);
}

static void t_header_arena(void) {
    ab_counting c;
    ab_counting_init(&c, ab_malloc_allocator());
    ab_arena ar;
    ab_arena_init(&ar, ab_counting_allocator(&c));
    ab_hooks h;
    ab_hooks_init(&h, ab_arena_allocator(&ar), false);
    reset_live();
    char *blocks[64];
    for (int i = 0; i < 64; i++) {
        blocks[i] = (char *)ab_hooks_malloc(&h, (size_t)(1 + i * 37));
        REQUIRE_TRUE(blocks[i] != NULL);
        EXPECT_ALIGNED(blocks[i], 16);
        memset(blocks[i], i, (size_t)(1 + i * 37));
    }
    /* grow the last block: in place in the arena */
    char *last = (char *)ab_hooks_realloc(&h, blocks[63], 4000);
    EXPECT_PTR_EQ(last, blocks[63]);
    blocks[63] = last;
    /* grow an older one: moves, content kept */
    char *moved = (char *)ab_hooks_realloc(&h, blocks[3], 3000);
    REQUIRE_TRUE(moved != NULL);
    EXPECT_TRUE(moved[0] == 3 && moved[1 + 3 * 37 - 1] == 3);
    blocks[3] = moved;
    bool intact = true;
    for (int i = 0; i < 63; i++)
        if (i != 3) intact &= blocks[i][0] == (char)i && blocks[i][i * 37] == (char)i;
    EXPECT_TRUE(intact);
    for (int i = 63; i >= 0; i--) ab_hooks_free(blocks[i]);
    EXPECT_ZU_EQ(live.n, 0);
    EXPECT_U64_EQ(live.overlaps + live.bad_frees + live.size_mismatch, 0);
    ab_arena_deinit(&ar);
    EXPECT_U64_EQ(c.live_bytes, 0);
}

/* A block outlives a change of "current": it goes back to its owner. */
static void t_current_owner(void) {
    ab_counting c1, c2;
    ab_counting_init(&c1, ab_malloc_allocator());
    ab_counting_init(&c2, ab_malloc_allocator());
    ab_hooks h1, h2;
    ab_hooks_init(&h1, ab_counting_allocator(&c1), true);
    ab_hooks_init(&h2, ab_counting_allocator(&c2), true);
    reset_live();
    EXPECT_NULL(ab_hooks_set_current(&h1));
    void *p = ab_hooks_current_malloc(64);
    EXPECT_PTR_EQ(ab_hooks_set_current(&h2), &h1);
    void *q = ab_hooks_current_realloc(p, 4096); /* realloc follows the block's owner: h1 */
    void *r = ab_hooks_current_malloc(32);
    EXPECT_U64_EQ(c1.live_count, 1);
    EXPECT_U64_EQ(c2.live_count, 1);
    ab_hooks_free(q);
    ab_hooks_free(r);
    EXPECT_U64_EQ(c1.live_bytes + c2.live_bytes, 0);
    EXPECT_PTR_EQ(ab_hooks_set_current(NULL), &h2);
    void *f = ab_hooks_current_malloc(10); /* no current: the process's malloc */
    EXPECT_NOT_NULL(f);
    EXPECT_U64_EQ(c1.alloc_calls + c1.remap_calls + c2.alloc_calls, 3);
    ab_hooks_free(f);
    EXPECT_ZU_EQ(live.n, 0);
}

static void t_sized(void) {
    ab_counting c;
    ab_counting_init(&c, ab_malloc_allocator());
    ab_hooks h;
    ab_hooks_init(&h, ab_counting_allocator(&c), true);
    reset_live();
    char *p = (char *)ab_hooks_sized_alloc(&h, 24);
    REQUIRE_TRUE(p != NULL);
    EXPECT_U64_EQ(c.total_bytes, 24); /* no header */
    memcpy(p, "0123456789abcdefghijklm", 24);
    p = (char *)ab_hooks_sized_realloc(&h, p, 24, 1000);
    REQUIRE_TRUE(p != NULL);
    EXPECT_STR_EQ(p, "0123456789abcdefghijklm");
    ab_hooks_sized_free(&h, p, 1000);
    EXPECT_U64_EQ(c.live_bytes, 0);
    EXPECT_ZU_EQ(live.n, 0);
}

int main(int argc, char **argv) {
    CK_INIT(argc, argv);
    CK_RUN("adapter/header_over_malloc", t_header_malloc);
    CK_RUN("adapter/header_over_arena", t_header_arena);
    CK_RUN("adapter/current_and_owner", t_current_owner);
    CK_RUN("adapter/sized", t_sized);
    for (size_t i = 0; i < NLIBS; i++) {
        char name[64];
        cur_lib = libs[i];
        snprintf(name, sizeof name, "%s/malloc", libs[i]->name);
        CK_RUN(name, t_malloc);
        snprintf(name, sizeof name, "%s/arena", libs[i]->name);
        CK_RUN(name, t_arena);
        snprintf(name, sizeof name, "%s/arena_new", libs[i]->name);
        CK_RUN(name, t_arena_new);
        snprintf(name, sizeof name, "%s/oom", libs[i]->name);
        CK_RUN(name, check_library_oom);
    }
    free(live.v);
    return CK_DONE();
}
