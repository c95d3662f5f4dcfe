/*
 * basic -- the recipe's basic_arena, repeated.
 *
 * The recipe: an arena over the test allocator; allocate 100 x u8, 50 x u32
 * and 25 x u64; write into them; `defer arena.deinit()` frees everything.
 * Here every element is written and summed back (the checksum), and the
 * whole thing is one "repetition"; a run does R of them.
 *
 * Arg 2 is how the arena is released after each repetition:
 *   0 = deinit, as the recipe (AB_END_DESTROY: the next repetition starts a
 *       fresh arena, so the arena takes a block from malloc and gives it back
 *       every time);
 *   1 = reset(retain_capacity), the recipe's advice for repeated work
 *       (AB_END_RESET: the block is kept, no malloc call at all).
 * malloc frees the three arrays (newest first) in both cases.
 *
 * The stack_arena contestant runs with a 4096-byte buffer, the recipe's
 * arena_optimization stack buffer: everything fits, nothing touches the heap
 * (its backing_calls counter is 0).
 */
#include <stdlib.h>

#include "common/typed_arrays.h"
#include "workload.h"

/* {repetitions, release: 0 = deinit (recipe), 1 = reset(retain_capacity)} */
static const ab_workload_args args[] = {
    {{100, 0}, 2}, {{100, 1}, 2}, {{10000, 0}, 2}, {{10000, 1}, 2}, {{0}, 0},
};
static const ab_workload_args quick[] = {{{100, 0}, 2}, {{100, 1}, 2}, {{0}, 0}};

typedef struct {
    int64_t reps;
    ab_scope_end_mode end;
} input;

static void *setup(const ab_workload_args *a) {
    input *in = (input *)malloc(sizeof *in);
    if (in == NULL) return NULL;
    in->reps = a->v[0];
    in->end = a->v[1] ? AB_END_RESET : AB_END_DESTROY;
    return in;
}

static ab_run_result run(void *vin, ab_subject *s) {
    const input *in = (const input *)vin;
    ab_run_result r = {AB_CHECKSUM_INIT, 0, 0};
    bool frees = ab_subject_frees(s);
    for (int64_t i = 0; i < in->reps; i++) {
        ab_allocator a = ab_scope_begin(s); /* var arena = ArenaAllocator.init(...) */
        ab_typed_arrays t;
        if (ab_typed_arrays_alloc(&t, a, 100, 50, 25)) {
            r.checksum = ab_hash_u64(r.checksum, ab_typed_arrays_fill_sum(&t, (uint64_t)i));
            if (frees) ab_typed_arrays_free(&t);
        } else {
            r.failures++;
        }
        ab_scope_end(s, in->end); /* defer arena.deinit() (or reset) */
    }
    r.items = (uint64_t)in->reps;
    return r;
}

const ab_workload ab_workload_basic = {
    .name = "basic",
    .item = "repetitions",
    .describe = "the recipe's basic_arena x R: alloc 100 x u8, 50 x u32, 25 x u64, write and sum all, release "
                "(arg 2: 0 = deinit as the recipe, 1 = reset(retain_capacity))",
    .accepts = AB_KIND_ALL_GENERAL | AB_KIND_BOUNDED,
    .bounded_capacity = 4096, /* the recipe's arena_optimization stack buffer */
    .args = args,
    .quick_args = quick,
    .setup = setup,
    .run = run,
    .teardown = free,
};
