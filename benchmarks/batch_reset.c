/*
 * batch_reset -- the recipe's processBatch, with every reset policy.
 *
 * The recipe (seed NOTES.md, batch_processing): processBatch(ids) formats
 * "Record-<id>" for each id, appends {id, data, processed = true} to a
 * growing array list and returns the list as an owned slice; batches of 3
 * and 4 ids with reset(.retain_capacity) between them. Here: batches of
 * 10 .. 100,000 records (arg), several per run, each batch's size varying by
 * up to +-25 % around the arg (drawn in setup, like the recipe's 3 then 4),
 * ids drawn from the PRNG so the strings vary in length. The array grows by
 * ab_realloc with ArrayList's rule (capacity * 1.5 + 8) and is shrunk to its
 * length at the end (toOwnedSlice). The caller reads every record back into
 * the checksum, then releases the batch:
 *   malloc: frees every record string, then the array;
 *   arena (retain_capacity), arena_free_all, arena_new (a fresh arena per
 *   batch), arena_limit (keep at most 64 KiB): the scope ends with RESET and
 *   the contestant applies its policy.
 * Items = records.
 */
#include <stdlib.h>

#include "workload.h"

typedef struct record {
    uint32_t id;
    bool processed;
    const char *data; /* "Record-<id>", len + 1 bytes */
    size_t len;
} record;

static const ab_workload_args args[] = {
    {{10}, 1}, {{100}, 1}, {{1000}, 1}, {{10000}, 1}, {{100000}, 1}, {{0}, 0},
};
static const ab_workload_args quick[] = {{{100}, 1}, {{10000}, 1}, {{0}, 0}};

typedef struct input {
    size_t batches;
    size_t *sizes;  /* records per batch */
    uint32_t *ids;  /* all ids, batch after batch */
    size_t total;
} input;

static void teardown(void *vin) {
    input *in = (input *)vin;
    if (in == NULL) return;
    free(in->sizes);
    free(in->ids);
    free(in);
}

static void *setup(const ab_workload_args *a) {
    input *in = (input *)calloc(1, sizeof *in);
    if (in == NULL) return NULL;
    size_t n = (size_t)a->v[0];
    in->batches = n >= 10000 ? 2 : 20000 / n; /* ~20,000 records per run (200,000 for the largest) */
    in->sizes = (size_t *)malloc(in->batches * sizeof *in->sizes);
    if (in->sizes == NULL) {
        teardown(in);
        return NULL;
    }
    ab_rng r;
    ab_rng_seed(&r, 0xBA7C4ull + n);
    for (size_t b = 0; b < in->batches; b++) {
        in->sizes[b] = (size_t)ab_rng_range(&r, n - n / 4, n + n / 4);
        in->total += in->sizes[b];
    }
    in->ids = (uint32_t *)malloc(in->total * sizeof *in->ids);
    if (in->ids == NULL) {
        teardown(in);
        return NULL;
    }
    for (size_t i = 0; i < in->total; i++) in->ids[i] = (uint32_t)ab_rng_range(&r, 0, 9999999);
    return in;
}

/* The recipe's processBatch: returns the records (count = n) or NULL on OOM,
 * having freed (when frees) whatever it allocated. */
static record *process_batch(ab_allocator a, bool frees, const uint32_t *ids, size_t n) {
    record *list = NULL;
    size_t len = 0, cap = 0;
    for (size_t i = 0; i < n; i++) {
        if (len == cap) { /* ArrayList growth through ab_realloc (in place when it can) */
            size_t ncap = cap + cap / 2 + 8;
            record *nl = (record *)ab_realloc(a, list, cap * sizeof *list, ncap * sizeof *list, _Alignof(record));
            if (nl == NULL) goto oom;
            list = nl;
            cap = ncap;
        }
        size_t slen = 0;
        char *data = ab_sprintf(a, &slen, "Record-%u", (unsigned)ids[i]);
        if (data == NULL) goto oom;
        list[len].id = ids[i];
        list[len].processed = true;
        list[len].data = data;
        list[len].len = slen;
        len++;
    }
    if (cap != len) { /* toOwnedSlice: shrink to the length */
        record *nl = (record *)ab_realloc(a, list, cap * sizeof *list, len * sizeof *list, _Alignof(record));
        if (nl == NULL) goto oom;
        list = nl;
    }
    return list;
oom:
    if (frees) {
        for (size_t i = len; i-- > 0;) ab_free(a, (void *)list[i].data, list[i].len + 1, 1);
        ab_free(a, list, cap * sizeof *list, _Alignof(record));
    }
    return NULL;
}

static ab_run_result run(void *vin, ab_subject *s) {
    const input *in = (const input *)vin;
    ab_run_result r = {AB_CHECKSUM_INIT, in->total, 0};
    bool frees = ab_subject_frees(s);
    const uint32_t *ids = in->ids;
    for (size_t b = 0; b < in->batches; b++) {
        size_t n = in->sizes[b];
        ab_allocator a = ab_scope_begin(s);
        record *recs = process_batch(a, frees, ids, n);
        if (recs == NULL) {
            r.failures += n;
        } else {
            uint64_t h = r.checksum;
            for (size_t i = 0; i < n; i++) {
                h = ab_hash_u64(h, recs[i].id + (recs[i].processed ? 1ull << 32 : 0));
                h = ab_hash_bytes(h, recs[i].data, recs[i].len);
            }
            r.checksum = h;
            if (frees) {
                for (size_t i = 0; i < n; i++) ab_free(a, (void *)recs[i].data, recs[i].len + 1, 1);
                ab_free(a, recs, n * sizeof *recs, _Alignof(record));
            }
        }
        ab_scope_end(s, AB_END_RESET); /* the contestant's reset policy */
        ids += n;
    }
    return r;
}

const ab_workload ab_workload_batch_reset = {
    .name = "batch_reset",
    .item = "records",
    .describe = "the recipe's processBatch: batches of N (arg, +-25 %) \"Record-<id>\" records in a growing array, "
                "then malloc frees each or the arena resets (retain / free_all / new / limit variants)",
    .accepts = AB_KIND_ALL_GENERAL | AB_KIND_VARIANT,
    .args = args,
    .quick_args = quick,
    .setup = setup,
    .run = run,
    .teardown = teardown,
};
