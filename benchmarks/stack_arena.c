/*
 * stack_arena -- the recipe's arena_optimization: a stack buffer behind a
 * fixed buffer allocator behind an arena, against a heap arena and malloc.
 *
 * The recipe: `var buffer: [4096]u8`, a FixedBufferAllocator over it, an
 * ArenaAllocator over that; allocate 100 x u8, 50 x u32, 25 x u64; "no heap
 * allocation". "If allocations exceed the buffer, they'll fail with
 * OutOfMemory, so size the buffer appropriately."
 *
 * A run handles N small requests. Request i is the recipe's unit scaled by
 * m_i (m x 100 u8, m x 50 u32, m x 25 u64 = 500 m bytes: every element
 * written and summed) plus a small JSON summary formatted from the sum
 * ("Building small JSON responses", "temporary string formatting"). m is
 * drawn so that most requests fit 4 KiB and some do not: 80 % m in [1, 6]
 * (0.5-3 KiB), 15 % in [7, 30] (3.5-15 KiB), 5 % in [31, 120] (15-60 KiB).
 *
 * Who does what:
 *  - stack_arena (AB_KIND_BOUNDED): the request handler itself declares
 *    `char buf[B]` ON ITS STACK (B = 4, 16 or 64 KiB from arg 1; one
 *    fixed-size handler per size, no VLA), puts ab_fixed_buffer +
 *    ab_arena_init_sized over it, serves the request, deinits. The
 *    contestant's own buffer (bounded_capacity) is not used: that is how the
 *    recipe writes it, a buffer per call, and how B can vary per argument.
 *    A request that does not fit fails on the stack (OutOfMemory), is
 *    counted in `failures`, and is served again, whole, by a heap arena over
 *    ab_malloc_allocator() -- explicit, counted, never hidden; that fallback
 *    deliberately bypasses the subject, so the stats pass's backing_calls and
 *    bytes_reserved stay 0 for this contestant: the stack path never touches
 *    the heap, and `failures` says how often the fallback did.
 *  - arena, obstack, ...: a heap arena, one scope per request, ended with
 *    AB_END_RESET (reset(retain_capacity)): B does not matter to them.
 *  - malloc: frees everything at the end of each request.
 * Every request produces the same bytes whoever serves it, so the checksum
 * is equal for all contestants and all B.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "arena.h"
#include "common/typed_arrays.h"
#include "fixed_buffer.h"
#include "workload.h"

/* {stack buffer KiB (the stack_arena contestant only), requests per run} */
static const ab_workload_args args[] = {
    {{4, 1000}, 2}, {{16, 1000}, 2}, {{64, 1000}, 2}, {{0}, 0},
};
static const ab_workload_args quick[] = {{{4, 200}, 2}, {{64, 200}, 2}, {{0}, 0}};

typedef struct {
    int kib;
    size_t n;
    uint16_t *scale; /* m per request */
} input;

static void teardown(void *vin) {
    input *in = (input *)vin;
    if (in == NULL) return;
    free(in->scale);
    free(in);
}

static void *setup(const ab_workload_args *a) {
    input *in = (input *)calloc(1, sizeof *in);
    if (in == NULL) return NULL;
    in->kib = (int)a->v[0];
    in->n = (size_t)a->v[1];
    if (in->kib != 4 && in->kib != 16 && in->kib != 64) {
        fprintf(stderr, "stack_arena: buffer must be 4, 16 or 64 KiB, not %d\n", in->kib);
        teardown(in);
        return NULL;
    }
    in->scale = (uint16_t *)malloc(in->n * sizeof *in->scale);
    if (in->scale == NULL) {
        teardown(in);
        return NULL;
    }
    ab_rng rng;
    ab_rng_seed(&rng, 0x737461636bull);
    for (size_t i = 0; i < in->n; i++) {
        uint64_t c = ab_rng_range(&rng, 0, 99);
        in->scale[i] = (uint16_t)(c < 80 ? ab_rng_range(&rng, 1, 6)
                                  : c < 95 ? ab_rng_range(&rng, 7, 30)
                                           : ab_rng_range(&rng, 31, 120));
    }
    return in;
}

/* The request: the recipe's arrays x m, summed, and a JSON summary. Hashes
 * what it produced into *h only on success; false if an allocation failed
 * (nothing is then left allocated when frees). */
static bool serve(ab_allocator a, bool frees, size_t id, unsigned m, uint64_t *h) {
    ab_typed_arrays t;
    if (!ab_typed_arrays_alloc(&t, a, 100u * m, 50u * m, 25u * m)) return false;
    uint64_t sum = ab_typed_arrays_fill_sum(&t, id);
    size_t len = 0;
    char *json = ab_sprintf(a, &len, "{\"id\": %zu, \"scale\": %u, \"bytes\": %zu, \"sum\": %" PRIu64 "}", id, m,
                            ab_typed_arrays_bytes(t.n8, t.n32, t.n64), sum);
    if (json != NULL) *h = ab_hash_bytes(*h, json, len);
    if (frees) {
        if (json) ab_free(a, json, len + 1, 1);
        ab_typed_arrays_free(&t);
    }
    return json != NULL;
}

/* The stack path: one handler per buffer size, each with a real stack
 * buffer of that size. noinline so that each call really sets up its frame
 * (and the three buffers are not merged into one frame of the caller). */
#define STACK_HANDLER(NAME, BYTES)                                                  \
    static AB_NOINLINE bool NAME(size_t id, unsigned m, uint64_t *h) {              \
        _Alignas(max_align_t) char buffer[BYTES];                                   \
        ab_fixed_buffer fba;                                                        \
        ab_fixed_buffer_init(&fba, buffer, sizeof buffer);                          \
        ab_arena arena;                                                             \
        ab_arena_init_sized(&arena, ab_fixed_buffer_allocator(&fba), sizeof buffer); \
        bool ok = serve(ab_arena_allocator(&arena), false, id, m, h);               \
        ab_arena_deinit(&arena);                                                    \
        ab_fixed_buffer_deinit(&fba); /* un-poisons the stack bytes (ASan) */      \
        return ok;                                                                  \
    }
STACK_HANDLER(serve_on_stack_4k, 4 << 10)
STACK_HANDLER(serve_on_stack_16k, 16 << 10)
STACK_HANDLER(serve_on_stack_64k, 64 << 10)

static ab_run_result run(void *vin, ab_subject *s) {
    const input *in = (const input *)vin;
    ab_run_result r = {AB_CHECKSUM_INIT, in->n, 0};
    if (ab_subject_contestant(s)->kind & AB_KIND_BOUNDED) {
        bool (*on_stack)(size_t, unsigned, uint64_t *) =
            in->kib == 4 ? serve_on_stack_4k : in->kib == 16 ? serve_on_stack_16k : serve_on_stack_64k;
        ab_arena heap; /* the explicit fallback: used only for requests the stack cannot hold */
        ab_arena_init(&heap, ab_malloc_allocator());
        for (size_t i = 0; i < in->n; i++) {
            if (on_stack(i, in->scale[i], &r.checksum)) continue;
            r.failures++;
            if (!serve(ab_arena_allocator(&heap), false, i, in->scale[i], &r.checksum))
                r.checksum = ab_hash_u64(r.checksum, UINT64_MAX); /* out of heap too: visible */
            ab_arena_reset(&heap, AB_RESET_RETAIN_CAPACITY);
        }
        ab_arena_deinit(&heap);
        return r;
    }
    bool frees = ab_subject_frees(s);
    for (size_t i = 0; i < in->n; i++) {
        ab_allocator a = ab_scope_begin(s);
        if (!serve(a, frees, i, in->scale[i], &r.checksum)) r.failures++;
        ab_scope_end(s, AB_END_RESET);
    }
    return r;
}

const ab_workload ab_workload_stack_arena = {
    .name = "stack_arena",
    .item = "requests",
    .describe = "the recipe's arena_optimization: small requests (recipe's arrays x m + JSON) from a 4/16/64 KiB "
                "stack buffer -> fixed buffer -> arena (stack_arena; overflows counted in failures and served by "
                "a heap arena) vs a heap arena reset per request vs malloc",
    .accepts = AB_KIND_ALL_GENERAL | AB_KIND_BOUNDED,
    .bounded_capacity = 4096, /* unused: the stack path declares its own buffer (see above) */
    .args = args,
    .quick_args = quick,
    .setup = setup,
    .run = run,
    .teardown = teardown,
};
