/*
 * reset_cost -- the recipe's "O(n) for deinit/reset where n is block count".
 *
 * One run allocates K objects of 64 B (each initialised with a 64-byte
 * memset), then releases them all:
 *   mode 0: the scope ends with AB_END_DESTROY (deinit): every block goes
 *           back to malloc, and the next run grows the arena again;
 *   mode 1: the scope ends with AB_END_RESET: the arena contestant keeps its
 *           capacity as ONE block (retain_capacity), so from the second run
 *           on there is one block, no backing call, and the reset is O(1).
 *           The variants apply their own policy here (free_all, new, limit).
 * malloc frees each object individually, in allocation order (walking the
 * list of objects), in both modes: the per-object free is exactly what the
 * claim contrasts with.
 *
 * The harness times the whole run, so the release is not timed alone; the
 * report compares time per run against K and against the block count. The
 * block count is a deterministic function of K (blocks_for below: 4 KiB
 * first block, doubling up to 4 MiB, 16-byte headers, 64-byte objects):
 *   K = 1,000: 5 blocks   10,000: 8   100,000: 11   1,000,000: 25
 * and the stats pass shows it for the arena in mode 0 as backing_calls =
 * 2 x blocks (one malloc and one free per block per run).
 *
 * Args (K, mode). Items = K objects.
 */
#include <stdio.h>
#include <stdlib.h>

#include "arena.h"
#include "workload.h"

#define OBJ 64

static const ab_workload_args args[] = {
    {{1000, 0}, 2},   {{10000, 0}, 2},   {{100000, 0}, 2},   {{1000000, 0}, 2},
    {{1000, 1}, 2},   {{10000, 1}, 2},   {{100000, 1}, 2},   {{1000000, 1}, 2},
    {{0}, 0},
};
static const ab_workload_args quick[] = {{{10000, 0}, 2}, {{10000, 1}, 2}, {{0}, 0}};

/* Blocks an arena of arena.h takes for k objects of OBJ bytes (alignment 8). */
static size_t blocks_for(size_t k) {
    size_t blocks = 0, next = AB_ARENA_FIRST_BLOCK;
    while (k > 0) {
        size_t per = (next - sizeof(ab_arena_block)) / OBJ;
        k = k > per ? k - per : 0;
        blocks++;
        if (next < AB_ARENA_MAX_GROWTH) next *= 2;
    }
    return blocks;
}

typedef struct input {
    size_t k;
    ab_scope_end_mode end;
    void **ptrs; /* malloc's objects until they are freed (scratch) */
} input;

static void teardown(void *vin) {
    input *in = (input *)vin;
    if (in == NULL) return;
    free(in->ptrs);
    free(in);
}

static void *setup(const ab_workload_args *a) {
    input *in = (input *)calloc(1, sizeof *in);
    if (in == NULL) return NULL;
    in->k = (size_t)a->v[0];
    in->end = a->v[1] ? AB_END_RESET : AB_END_DESTROY;
    in->ptrs = (void **)malloc(in->k * sizeof *in->ptrs);
    if (in->ptrs == NULL) {
        teardown(in);
        return NULL;
    }
    static const size_t ks[] = {1000, 10000, 100000, 1000000}, documented[] = {5, 8, 11, 25};
    for (size_t i = 0; i < 4; i++)
        if (ks[i] == in->k && blocks_for(in->k) != documented[i])
            fprintf(stderr, "reset_cost: arena.h changed: %zu objects now take %zu blocks, not the %zu the "
                            "description states\n", in->k, blocks_for(in->k), documented[i]);
    return in;
}

static ab_run_result run(void *vin, ab_subject *s) {
    const input *in = (const input *)vin;
    ab_run_result r = {AB_CHECKSUM_INIT, in->k, 0};
    bool frees = ab_subject_frees(s);
    uint64_t acc = 0;
    ab_allocator a = ab_scope_begin(s);
    for (size_t i = 0; i < in->k; i++) {
        unsigned char *p = (unsigned char *)ab_alloc(a, OBJ, 8);
        if (frees) in->ptrs[i] = p;
        if (p == NULL) {
            r.failures++;
            continue;
        }
        memset(p, (int)(i & 0xff), OBJ);
        acc += p[0] + p[OBJ - 1];
    }
    if (frees)
        for (size_t i = 0; i < in->k; i++) ab_free(a, in->ptrs[i], OBJ, 8);
    ab_scope_end(s, in->end);
    r.checksum = ab_hash_u64(ab_hash_u64(r.checksum, acc), in->k);
    return r;
}

const ab_workload ab_workload_reset_cost = {
    .name = "reset_cost",
    .item = "objects",
    .describe = "the \"O(n) deinit/reset, n = block count\" claim: K x 64 B objects then mode 0 deinit (blocks: "
                "K=1e3: 5, 1e4: 8, 1e5: 11, 1e6: 25) or mode 1 reset(retain: 1 block); malloc frees each object",
    .accepts = AB_KIND_MALLOC | AB_KIND_ARENA | AB_KIND_VARIANT | AB_KIND_LIBRARY,
    .args = args,
    .quick_args = quick,
    .setup = setup,
    .run = run,
    .teardown = teardown,
};
