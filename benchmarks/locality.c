/*
 * locality -- the recipe's "Better cache locality" ("sequential allocations
 * have excellent locality"): walk a linked list built after heap churn.
 *
 * Per subject, untimed (the prepare hook), in one scope of the contestant:
 *  1. churn: N/4 operations on a live set of N/8 slots -- free the slot's
 *     object if any, allocate a new one of 16-128 bytes and fill it -- so
 *     that a general-purpose heap has holes and scrambled free lists, as in
 *     a program that has been running for a while;
 *  2. build: append N 64-byte nodes (next, key, 48 bytes of payload, all
 *     written) to a singly linked list, in list order. With arg 3 = 1 the
 *     program keeps churning while it builds (one churn operation every
 *     second node), so other objects land between the nodes -- in the arena
 *     too: an arena's locality is only as good as its allocation order.
 * Timed (run): R walks of the whole list, summing the nodes -- the part the
 * claim is about, and nothing else. Items are nodes visited (N x R).
 * Afterwards (unprepare): malloc frees the nodes and the live churn objects;
 * the arena resets.
 * The arena cannot free churn objects, so its churn memory just precedes (or
 * with arg 3 = 1, interleaves) the nodes; malloc reuses its holes for nodes,
 * which is what scatters them.
 * Memory per run at N = 1M: about 85 MB (arena and malloc alike).
 */
#include <stdlib.h>

#include "workload.h"

/* {nodes N, traversals R per timed run, churn while building (0/1)}. */
static const ab_workload_args args[] = {
    {{10000, 100, 0}, 3},  {{10000, 100, 1}, 3}, {{100000, 10, 0}, 3},
    {{100000, 10, 1}, 3},  {{1000000, 1, 0}, 3}, {{1000000, 1, 1}, 3},
    {{0}, 0},
};
static const ab_workload_args quick[] = {{{10000, 100, 0}, 3}, {{10000, 100, 1}, 3}, {{0}, 0}};

typedef struct node {
    struct node *next;
    uint64_t key;
    uint64_t payload[6];
} node;
_Static_assert(sizeof(node) == 64, "64-byte nodes");

typedef struct {
    size_t n, traversals, slots;
    bool interleave;
    size_t ops;       /* churn operations: n / 4 before the build (+ n / 2 during it) */
    uint32_t *slot;   /* per churn operation: which live slot */
    uint8_t *size;    /* per churn operation: bytes of the new object */
} input;

static void teardown(void *vin) {
    input *in = (input *)vin;
    if (in == NULL) return;
    free(in->slot);
    free(in->size);
    free(in);
}

static void *setup(const ab_workload_args *a) {
    input *in = (input *)calloc(1, sizeof *in);
    if (in == NULL) return NULL;
    in->n = (size_t)a->v[0];
    in->traversals = (size_t)a->v[1];
    in->interleave = a->v[2] != 0;
    in->slots = in->n / 8 > 16 ? in->n / 8 : 16;
    in->ops = in->n / 4 + (in->interleave ? in->n / 2 : 0);
    in->slot = (uint32_t *)malloc(in->ops * sizeof *in->slot);
    in->size = (uint8_t *)malloc(in->ops);
    if (in->slot == NULL || in->size == NULL) {
        teardown(in);
        return NULL;
    }
    ab_rng rng;
    ab_rng_seed(&rng, 0x6c6f63616cull);
    for (size_t i = 0; i < in->ops; i++) {
        in->slot[i] = (uint32_t)(ab_rng_next(&rng) % in->slots);
        in->size[i] = (uint8_t)ab_rng_range(&rng, 16, 128);
    }
    return in;
}

typedef struct {
    ab_allocator a;
    bool frees;
    unsigned char **live; /* the live set: the rest of the program's objects */
    uint8_t *live_size;
    size_t slots;
    uint64_t h;
    uint64_t failures;
} churn;

static void churn_op(churn *c, const input *in, size_t k) {
    size_t s = in->slot[k];
    unsigned char *old = c->live[s];
    if (old != NULL) {
        c->h = ab_hash_u64(c->h, old[0] + old[c->live_size[s] - 1]);
        if (c->frees) ab_free(c->a, old, c->live_size[s], AB_DEFAULT_ALIGN);
    }
    unsigned char *p = (unsigned char *)ab_alloc(c->a, in->size[k], AB_DEFAULT_ALIGN);
    if (p == NULL) c->failures++;
    else memset(p, (int)k, in->size[k]);
    c->live[s] = p;
    c->live_size[s] = in->size[k];
}

/* What prepare builds for one subject and run walks. */
typedef struct {
    churn c;
    node *head;
    uint64_t failures;
} built;

static void release(const input *in, ab_subject *s, built *b) {
    churn *c = &b->c;
    if (c->frees) { /* a careful C program frees its list and the rest */
        for (node *nd = b->head; nd != NULL;) {
            node *next = nd->next;
            AB_DELETE(c->a, node, nd);
            nd = next;
        }
        for (size_t i = c->slots; i-- > 0;)
            if (c->live[i] != NULL) ab_free(c->a, c->live[i], c->live_size[i], AB_DEFAULT_ALIGN);
        AB_DELETE_ARRAY(c->a, uint8_t, c->live_size, c->slots);
        AB_DELETE_ARRAY(c->a, unsigned char *, c->live, c->slots);
    }
    (void)in;
    ab_scope_end(s, AB_END_RESET);
    free(b);
}

static void *prepare(void *vin, ab_subject *s) {
    const input *in = (const input *)vin;
    built *b = (built *)calloc(1, sizeof *b);
    if (b == NULL) return NULL;
    churn *c = &b->c;
    *c = (churn){ab_scope_begin(s), ab_subject_frees(s), NULL, NULL, in->slots, AB_CHECKSUM_INIT, 0};
    c->live = AB_NEW_ARRAY(c->a, unsigned char *, c->slots);
    c->live_size = c->live ? AB_NEW_ARRAY(c->a, uint8_t, c->slots) : NULL;
    if (c->live_size == NULL) {
        if (c->frees) AB_DELETE_ARRAY(c->a, unsigned char *, c->live, c->slots);
        ab_scope_end(s, AB_END_RESET);
        free(b);
        return NULL;
    }
    memset(c->live, 0, c->slots * sizeof *c->live);
    size_t k = 0;
    for (; k < in->n / 4; k++) churn_op(c, in, k); /* 1. the program has been running */

    node **tail = &b->head; /* 2. build, in list order */
    for (size_t i = 0; i < in->n; i++) {
        node *nd = AB_NEW(c->a, node);
        if (nd == NULL) {
            b->failures++;
        } else {
            nd->next = NULL;
            nd->key = i;
            for (int w = 0; w < 6; w++) nd->payload[w] = i * 0x9E3779B97F4A7C15ull + (uint64_t)w;
            *tail = nd;
            tail = &nd->next;
        }
        if (in->interleave && (i & 1) && k < in->ops) churn_op(c, in, k++);
    }
    b->failures += c->failures;
    return b;
}

static void unprepare(void *vin, ab_subject *s, void *state) { release((const input *)vin, s, (built *)state); }

static ab_run_result run(void *vin, ab_subject *s) {
    const input *in = (const input *)vin;
    const built *b = (const built *)ab_subject_state(s);
    ab_run_result r = {AB_CHECKSUM_INIT, (uint64_t)in->n * in->traversals, b->failures};
    for (size_t t = 0; t < in->traversals; t++) { /* the part the claim is about */
        uint64_t sum = 0;
        for (const node *nd = b->head; nd != NULL; nd = nd->next) sum += nd->key ^ nd->payload[5];
        r.checksum = ab_hash_u64(r.checksum, sum);
    }
    r.checksum = ab_hash_u64(r.checksum, b->c.h);
    return r;
}

const ab_workload ab_workload_locality = {
    .name = "locality",
    .item = "nodes visited",
    .describe = "the recipe's 'better cache locality': after heap churn, a linked list of N 64-byte nodes is built "
                "untimed (optionally while churning); the timed run walks it R times; items = nodes visited",
    .accepts = AB_KIND_ALL_GENERAL,
    .args = args,
    .quick_args = quick,
    .setup = setup,
    .run = run,
    .teardown = teardown,
    .prepare = prepare,
    .unprepare = unprepare,
};
