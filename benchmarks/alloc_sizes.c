/*
 * alloc_sizes -- allocation throughput by size, against the physical floor.
 *
 * Args (size, mode). size: bytes per allocation, 8 B .. 64 KiB, or 0 for
 * "mixed": sizes drawn from the PRNG (16..64 B in modes 0/1, 16 B..1 KiB in
 * mode 2). Every allocation asks for alignment 8 (a struct or string in a C
 * program; malloc gives 16 anyway, the arena pads to 8).
 *   mode 0  alloc-only: N allocations in one scope. The arena releases them
 *           at scope end (reset, retain_capacity); malloc keeps every pointer
 *           and frees them all at the end of the run, newest first.
 *   mode 1  alloc+free: every allocation is freed at once (malloc: free; the
 *           arena: ab_free / ab_arena_free, which rewinds the last allocation;
 *           the floor: rewinds its pointer). The same memory is reused.
 *   mode 2  request cycle, named case (b): 250 cycles of 40 allocations of
 *           mixed sizes (16 B..1 KiB, every byte written), then the scope ends
 *           with reset(retain_capacity); malloc frees the 40, newest first.
 *   mode 3  create / 100 x 1 KiB (every byte written, as the recipe's memset)
 *           / deinit, named case (c): 100 cycles; the arena scope ends with
 *           DESTROY (deinit), so each cycle creates a fresh arena and takes
 *           its blocks from malloc again; malloc frees the 100 at cycle end.
 * Named case (a), many small allocations, is (size 0, mode 0).
 *
 * What is written: modes 0/1 write min(size, 64) bytes from the start (the
 * fields a constructor initialises) and the last byte (the end of a filled
 * buffer); for sizes <= 64 that is every byte. Modes 2/3 memset every byte.
 * The checksum folds the first and last byte of every allocation read back,
 * and the sizes; it is the same for every contestant.
 *
 * Contestants: malloc, arena (and arena libraries) through the interface;
 * arena_direct (AB_KIND_DIRECT): the same arena called through the inline
 * ab_arena_alloc of arena.h, ending each cycle itself with ab_arena_reset
 * (retain_capacity) or ab_arena_deinit, as a caller of arena.h does -- one
 * harness scope spans the whole run; bump_floor (AB_KIND_FLOOR): a hand-inlined bump
 * pointer (align up, add, no bounds check: setup sized the buffer) over one
 * buffer owned by the input, made in setup and memset once (pre-faulted) --
 * the least any allocator can cost. The floor does no scope calls at all.
 * No pool: the pool's object size is per workload, these sizes vary per arg
 * (pool_churn covers pools).
 *
 * Speed targets the report quotes (measured, not asserted): arena_direct
 * within 1.3x of bump_floor for (a), 1.1x for (b), 1.5x for (c).
 */
#include <stdio.h>
#include <stdlib.h>

#include "arena.h"
#include "workload.h"

#define ALIGN ((size_t)8)
#define MAX_N 10000
#define ALLOC_ONLY_BUDGET ((size_t)4 << 20) /* mode 0: at most 4 MiB live per run */
#define CYCLE_ALLOCS 40                     /* mode 2 */
#define CYCLES_REQUEST 250
#define CREATE_ALLOCS 100                   /* mode 3 */
#define CREATE_SIZE 1024
#define CYCLES_CREATE 100

enum { MODE_ALLOC_ONLY = 0, MODE_ALLOC_FREE = 1, MODE_REQUEST = 2, MODE_CREATE = 3 };

static const ab_workload_args args[] = {
    {{0, 0}, 2},     {{8, 0}, 2},     {{16, 0}, 2},   {{32, 0}, 2},    {{64, 0}, 2},    {{128, 0}, 2},
    {{256, 0}, 2},   {{512, 0}, 2},   {{1024, 0}, 2}, {{4096, 0}, 2},  {{16384, 0}, 2}, {{65536, 0}, 2},
    {{0, 1}, 2},     {{8, 1}, 2},     {{16, 1}, 2},   {{32, 1}, 2},    {{64, 1}, 2},    {{128, 1}, 2},
    {{256, 1}, 2},   {{512, 1}, 2},   {{1024, 1}, 2}, {{4096, 1}, 2},  {{16384, 1}, 2}, {{65536, 1}, 2},
    {{0, 2}, 2},     {{1024, 3}, 2},  {{0}, 0},
};
static const ab_workload_args quick[] = {{{0, 0}, 2}, {{0, 2}, 2}, {{1024, 3}, 2}, {{0}, 0}};

typedef struct input {
    int mode;
    size_t n;          /* allocations per run */
    size_t cycles;     /* scopes per run (modes 2, 3); 1 otherwise */
    size_t per_cycle;  /* allocations per scope */
    uint32_t *sizes;   /* n sizes, drawn in setup */
    void **ptrs;       /* malloc's pointers until they are freed (scratch, per_cycle entries) */
    char *floor;       /* bump_floor's buffer, pre-faulted */
    size_t floor_bytes;
} input;

static void teardown(void *vin) {
    input *in = (input *)vin;
    if (in == NULL) return;
    free(in->sizes);
    free(in->ptrs);
    free(in->floor);
    free(in);
}

static void *setup(const ab_workload_args *a) {
    input *in = (input *)calloc(1, sizeof *in);
    if (in == NULL) return NULL;
    size_t size = (size_t)a->v[0];
    in->mode = (int)a->v[1];
    switch (in->mode) {
    case MODE_ALLOC_ONLY:
        in->n = size == 0 ? MAX_N : ALLOC_ONLY_BUDGET / size;
        if (in->n > MAX_N) in->n = MAX_N;
        if (in->n < 64) in->n = 64;
        in->cycles = 1;
        in->per_cycle = in->n;
        break;
    case MODE_ALLOC_FREE:
        in->n = MAX_N;
        in->cycles = 1;
        in->per_cycle = in->n;
        break;
    case MODE_REQUEST:
        in->cycles = CYCLES_REQUEST;
        in->per_cycle = CYCLE_ALLOCS;
        in->n = in->cycles * in->per_cycle;
        break;
    case MODE_CREATE:
        size = CREATE_SIZE;
        in->cycles = CYCLES_CREATE;
        in->per_cycle = CREATE_ALLOCS;
        in->n = in->cycles * in->per_cycle;
        break;
    default:
        fprintf(stderr, "alloc_sizes: unknown mode %d\n", in->mode);
        free(in);
        return NULL;
    }
    in->sizes = (uint32_t *)malloc(in->n * sizeof *in->sizes);
    in->ptrs = (void **)malloc(in->per_cycle * sizeof *in->ptrs);
    if (in->sizes == NULL || in->ptrs == NULL) {
        teardown(in);
        return NULL;
    }
    ab_rng r;
    ab_rng_seed(&r, 0xA110C517ull + (uint64_t)size * 31u + (uint64_t)in->mode);
    for (size_t i = 0; i < in->n; i++) {
        if (size != 0) in->sizes[i] = (uint32_t)size;
        else if (in->mode == MODE_REQUEST) in->sizes[i] = (uint32_t)ab_rng_range(&r, 16, 1024);
        else in->sizes[i] = (uint32_t)ab_rng_range(&r, 16, 64);
    }
    /* The floor's buffer: the most one scope (or, mode 1, one allocation) needs. */
    size_t need = 0;
    for (size_t c = 0; c < in->cycles; c++) {
        size_t sum = 0;
        for (size_t i = 0; i < in->per_cycle; i++) {
            size_t sz = in->sizes[c * in->per_cycle + i];
            sum = in->mode == MODE_ALLOC_FREE ? (sz > sum ? sz : sum) : sum + ((sz + ALIGN - 1) & ~(ALIGN - 1));
        }
        if (sum > need) need = sum;
    }
    in->floor_bytes = (need + ALIGN + 63) & ~(size_t)63;
    in->floor = (char *)aligned_alloc(64, in->floor_bytes);
    if (in->floor == NULL) {
        teardown(in);
        return NULL;
    }
    memset(in->floor, 0, in->floor_bytes); /* pre-fault */
    return in;
}

/* ---- the three ways to allocate, specialised by a constant path ------------------ */

enum path { P_IFACE, P_DIRECT, P_FLOOR };

typedef struct ctx {
    ab_subject *s;
    ab_allocator a; /* P_IFACE */
    ab_arena *ar;   /* P_DIRECT */
    char *ptr;      /* P_FLOOR: the bump pointer */
    char *base;
    bool frees;     /* P_IFACE: malloc-like, free each allocation */
} ctx;

#define AI static inline __attribute__((always_inline))

/* Once per run. The direct path opens the harness's scope here, once, and
 * from then on talks to the arena alone (see ctx_cycle_end). */
AI void ctx_open(ctx *c, enum path p) {
    if (p != P_DIRECT) return;
    c->a = ab_scope_begin(c->s);
    c->ar = ab_subject_direct_arena(c->s);
}

AI void ctx_close(ctx *c, enum path p, ab_scope_end_mode mode) {
    if (p == P_DIRECT) ab_scope_end(c->s, mode);
}

/* Once per cycle (per run in modes 0/1). */
AI void ctx_cycle_begin(ctx *c, enum path p) {
    if (p == P_FLOOR) c->ptr = c->base;
    else if (p == P_IFACE) c->a = ab_scope_begin(c->s);
}

/* The direct path ends a cycle exactly as a caller of arena.h does, with
 * the arena's own reset (or deinit, after which the arena is empty and
 * reusable as if just initialised): the harness's scope bookkeeping (~120
 * instructions per cycle) is not the arena's cost, and the floor pays none. */
AI void ctx_cycle_end(ctx *c, enum path p, ab_scope_end_mode mode) {
    if (p == P_IFACE) ab_scope_end(c->s, mode);
    else if (p == P_DIRECT && mode == AB_END_DESTROY) ab_arena_deinit(c->ar);
    else if (p == P_DIRECT) ab_arena_reset(c->ar, AB_RESET_RETAIN_CAPACITY);
}

AI unsigned char *ctx_alloc(ctx *c, enum path p, size_t size) {
    /* Setup never draws 0; telling the compiler removes ab_alloc's size-0 branch
     * (and a false -Wstringop-overflow on the zero-size pointer). */
    if (size == 0) __builtin_unreachable();
    if (p == P_FLOOR) {
        char *q = (char *)(((uintptr_t)c->ptr + (ALIGN - 1)) & ~(uintptr_t)(ALIGN - 1));
        c->ptr = q + size;
#if defined(__GNUC__) || defined(__clang__)
        /* Forget that q is 8-aligned: otherwise the compiler expands touch()'s
         * memset differently for the floor than for the other paths, and the
         * comparison would measure two memsets instead of two allocators. */
        __asm__("" : "+r"(q));
#endif
        return (unsigned char *)q;
    }
    if (p == P_DIRECT) return (unsigned char *)ab_arena_alloc(c->ar, size, ALIGN);
    return (unsigned char *)ab_alloc(c->a, size, ALIGN);
}

AI void ctx_free(ctx *c, enum path p, void *q, size_t size) {
    if (p == P_FLOOR) c->ptr = (char *)q; /* the latest allocation: rewind */
    else if (p == P_DIRECT) ab_arena_free(c->ar, q, size);
    else ab_free(c->a, q, size, ALIGN);
}

/* Writes the allocation as documented above and folds two bytes read back. */
AI uint64_t touch(unsigned char *q, size_t size, unsigned char t, bool full) {
    memset(q, t, full || size < 64 ? size : 64);
    q[size - 1] = t;
    return (uint64_t)q[0] + q[size - 1];
}

/* Modes 0, 2, 3: cycles x (per_cycle allocations, then the scope ends).
 * The input's fields are copied to locals and the ctx is a local whose
 * address never escapes, so the compiler keeps them (the floor's bump
 * pointer included) in registers across the memsets. */
AI ab_run_result run_scoped(const input *in, ctx c, enum path p, bool full, ab_scope_end_mode mode) {
    ab_run_result r = {AB_CHECKSUM_INIT, in->n, 0};
    uint64_t acc = 0;
    const uint32_t *sizes = in->sizes;
    const size_t cycles = in->cycles, per_cycle = in->per_cycle;
    void **const ptrs = in->ptrs;
    const bool frees = p == P_IFACE && c.frees;
    ctx_open(&c, p);
    for (size_t cy = 0; cy < cycles; cy++, sizes += per_cycle) {
        ctx_cycle_begin(&c, p);
        /* The byte written to allocation i is (i * 131 + 7) mod 256, kept as a
         * running sum: computed from i, register pressure on the arena's path
         * (whose state lives in memory) made it an imul there and an add on
         * the floor's, two instructions per allocation that were not the
         * allocator's. */
        unsigned char t = 7;
        const uint32_t *const sizes_end = sizes + per_cycle;
        for (const uint32_t *sp = sizes; sp != sizes_end; sp++, t = (unsigned char)(t + 131u)) {
            size_t size = *sp;
            unsigned char *q = ctx_alloc(&c, p, size);
            if (frees) ptrs[sp - sizes] = q;
            if (p != P_FLOOR && q == NULL) { /* the floor cannot fail: setup sized its buffer */
                r.failures++;
                continue;
            }
            acc += touch(q, size, t, full);
        }
        if (frees) /* newest first (ab_free ignores the NULLs of failed ones) */
            for (size_t i = per_cycle; i-- > 0;) ab_free(c.a, ptrs[i], sizes[i], ALIGN);
        ctx_cycle_end(&c, p, mode);
    }
    ctx_close(&c, p, mode);
    r.checksum = ab_hash_u64(ab_hash_u64(r.checksum, acc), in->n);
    return r;
}

/* Mode 1: every allocation is freed at once. */
AI ab_run_result run_alloc_free(const input *in, ctx c, enum path p) {
    ab_run_result r = {AB_CHECKSUM_INIT, in->n, 0};
    uint64_t acc = 0;
    const uint32_t *const sizes = in->sizes;
    const size_t n = in->n;
    ctx_open(&c, p);
    ctx_cycle_begin(&c, p);
    for (size_t i = 0; i < n; i++) {
        size_t size = sizes[i];
        unsigned char *q = ctx_alloc(&c, p, size);
        if (p != P_FLOOR && q == NULL) {
            r.failures++;
            continue;
        }
        acc += touch(q, size, (unsigned char)(i * 131u + 7u), false);
        ctx_free(&c, p, q, size);
    }
    ctx_cycle_end(&c, p, AB_END_RESET);
    ctx_close(&c, p, AB_END_RESET);
    r.checksum = ab_hash_u64(ab_hash_u64(r.checksum, acc), n);
    return r;
}

AI ab_run_result run_path(const input *in, ctx c, enum path p) {
    switch (in->mode) {
    case MODE_ALLOC_ONLY: return run_scoped(in, c, p, false, AB_END_RESET);
    case MODE_ALLOC_FREE: return run_alloc_free(in, c, p);
    case MODE_REQUEST: return run_scoped(in, c, p, true, AB_END_RESET);
    default: return run_scoped(in, c, p, true, AB_END_DESTROY);
    }
}

/* One out-of-line function per path, so each loop is compiled for its path alone. */
static AB_NOINLINE ab_run_result run_iface(const input *in, ctx c) { return run_path(in, c, P_IFACE); }
static AB_NOINLINE ab_run_result run_direct(const input *in, ctx c) { return run_path(in, c, P_DIRECT); }
static AB_NOINLINE ab_run_result run_floor(const input *in, ctx c) { return run_path(in, c, P_FLOOR); }

static ab_run_result run(void *vin, ab_subject *s) {
    const input *in = (const input *)vin;
    ctx c;
    memset(&c, 0, sizeof c);
    c.s = s;
    c.base = in->floor;
    c.frees = ab_subject_frees(s);
    unsigned kind = ab_subject_contestant(s)->kind;
    if (kind & AB_KIND_FLOOR) return run_floor(in, c);
    if (kind & AB_KIND_DIRECT) return run_direct(in, c);
    return run_iface(in, c);
}

const ab_workload ab_workload_alloc_sizes = {
    .name = "alloc_sizes",
    .item = "allocations",
    .describe = "alloc throughput by size (args size [0 = mixed], mode: 0 alloc-only, 1 alloc+free, "
                "2 request cycle of 40 mixed 16B-1KiB, 3 create/100x1KiB/deinit) vs a hand-inlined bump floor",
    .accepts = AB_KIND_ALL_GENERAL | AB_KIND_DIRECT | AB_KIND_FLOOR,
    .args = args,
    .quick_args = quick,
    .setup = setup,
    .run = run,
    .teardown = teardown,
};
