/*
 * pool_churn -- fixed-size objects that die in no scope's order: an LRU
 * cache (recipe's "Avoid When: memory must be freed selectively"; the
 * pool's home ground, recipe 18.4).
 *
 * A run is one cache lifetime: an LRU cache (common/lru.h) of capacity C
 * over keys [0, K), driven by a fixed stream of accesses (80 % to a hot
 * fifth of the keys, 20 % uniform; K = 4 C, so the hot keys fit). A hit reads the entry and moves it
 * to the front; a miss allocates a 64-byte entry (32-byte header + 32-byte
 * payload, written in full) and, when the cache is full, first evicts --
 * frees -- the least recently used one. At the end the cache is emptied.
 *   - pool: 64-byte objects, freed on eviction, reused at once;
 *   - malloc: the same with malloc/free;
 *   - arena (and libraries): eviction cannot free, so every miss takes new
 *     memory; the scope is reset only at the end of the run. bytes_reserved
 *     shows the growth (about misses x 64 B) against the pool's C x 64 B --
 *     that difference, not the time, is the point of this workload.
 * Items are cache operations (accesses).
 */
#include <stdlib.h>

#include "common/lru.h"
#include "workload.h"

#define ENTRY_SIZE 64
_Static_assert(sizeof(ab_lru_entry) <= ENTRY_SIZE, "the LRU header fits the entry");

/* {capacity C, key space K, accesses per run}: enough accesses that the
 * cache fills early and then evicts for most of the run. */
static const ab_workload_args args[] = {
    {{1024, 4096, 100000}, 3}, {{16384, 65536, 200000}, 3}, {{32768, 131072, 250000}, 3}, {{0}, 0},
};
static const ab_workload_args quick[] = {{{1024, 4096, 100000}, 3}, {{0}, 0}};

typedef struct {
    size_t capacity, keyspace, ops;
    uint32_t *keys;       /* the access stream */
    ab_lru_entry **index; /* scratch: all NULL between runs (ab_lru_clear restores it) */
} input;

static void teardown(void *vin) {
    input *in = (input *)vin;
    if (in == NULL) return;
    free(in->keys);
    free(in->index);
    free(in);
}

static void *setup(const ab_workload_args *a) {
    input *in = (input *)calloc(1, sizeof *in);
    if (in == NULL) return NULL;
    in->capacity = (size_t)a->v[0];
    in->keyspace = (size_t)a->v[1];
    in->ops = (size_t)a->v[2];
    in->keys = (uint32_t *)malloc(in->ops * sizeof *in->keys);
    in->index = (ab_lru_entry **)calloc(in->keyspace, sizeof *in->index);
    if (in->keys == NULL || in->index == NULL) {
        teardown(in);
        return NULL;
    }
    ab_rng rng;
    ab_rng_seed(&rng, 0x6c7275ull);
    uint64_t hot = in->keyspace / 5 ? in->keyspace / 5 : 1;
    for (size_t i = 0; i < in->ops; i++)
        in->keys[i] = (uint32_t)(ab_rng_range(&rng, 0, 99) < 80 ? ab_rng_next(&rng) % hot
                                                                : ab_rng_next(&rng) % in->keyspace);
    return in;
}

static ab_run_result run(void *vin, ab_subject *s) {
    input *in = (input *)vin;
    ab_run_result r = {AB_CHECKSUM_INIT, in->ops, 0};
    ab_allocator a = ab_scope_begin(s);
    ab_lru c;
    if (!ab_lru_init(&c, a, ab_subject_frees(s), ENTRY_SIZE, in->capacity, in->index, in->keyspace)) {
        ab_scope_end(s, AB_END_RESET);
        r.failures = in->ops;
        return r;
    }
    uint64_t hits = 0, evicted = 0;
    for (size_t i = 0; i < in->ops; i++) {
        uint64_t key = in->keys[i];
        ab_lru_entry *e = ab_lru_get(&c, key);
        if (e != NULL) {
            hits++;
            const uint64_t *v = (const uint64_t *)(void *)ab_lru_payload(e);
            r.checksum = ab_hash_u64(r.checksum, v[0] ^ v[3] ^ e->hits);
            continue;
        }
        if (ab_lru_full(&c)) {
            ab_lru_entry *old = ab_lru_oldest(&c);
            evicted = evicted * 31 + old->key + (old->hits << 20);
            ab_lru_evict(&c, old);
        }
        if ((e = ab_lru_insert(&c, key)) == NULL) {
            r.failures++;
            continue;
        }
        uint64_t *v = (uint64_t *)(void *)ab_lru_payload(e);
        for (size_t w = 0; w < (ENTRY_SIZE - sizeof(ab_lru_entry)) / sizeof *v; w++)
            v[w] = key * 0x9E3779B97F4A7C15ull + w;
    }
    r.checksum = ab_hash_u64(ab_hash_u64(r.checksum, hits), evicted);
    ab_lru_clear(&c); /* the cache's teardown: frees every entry (malloc, pool) */
    ab_scope_end(s, AB_END_RESET);
    return r;
}

const ab_workload ab_workload_pool_churn = {
    .name = "pool_churn",
    .item = "operations",
    .describe = "LRU cache of 64-byte entries, skewed accesses: miss = alloc, full = free the LRU entry; pool "
                "and malloc reuse, the arena can only grow until the end of the run (see bytes_reserved)",
    .accepts = AB_KIND_MALLOC | AB_KIND_POOL | AB_KIND_ARENA | AB_KIND_LIBRARY,
    .pool_object_size = ENTRY_SIZE,
    .pool_object_align = AB_LRU_ALIGN,
    .args = args,
    .quick_args = quick,
    .setup = setup,
    .run = run,
    .teardown = teardown,
};
