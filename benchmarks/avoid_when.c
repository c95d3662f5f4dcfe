/*
 * avoid_when -- the recipe's "Avoid When" list, so the report can show
 * where arenas lose (or do not). Arg 1 picks the case; items are requests.
 *
 * case 0, mixed lifetimes (arg 2 = % of objects that outlive their request):
 *   each request allocates 16 objects of 32-512 bytes and writes them; the
 *   chosen ones must live on for the next 64 requests (a session table),
 *   then are read and released. With malloc there is no request scope: the
 *   survivors are simply kept and freed when they expire. With an arena the
 *   request scope is reset after every request, so survivors must be COPIED
 *   into a long-lived store -- a second subject made with
 *   ab_subject_new_like(s) -- which cannot free them individually when they
 *   expire ("Memory must be freed selectively"): it grows until the end of
 *   the run (deinit). bytes_reserved shows the growth, the time the copies.
 * case 1, very large allocations (arg 2 = largest size in MiB): each
 *   request makes 2-4 buffers of 1 MiB .. arg 2 MiB (sizes not page
 *   multiples), fills each (memset, as a real program touches its buffer)
 *   and reads samples back. malloc serves them with mmap/munmap or from its
 *   heap as it decides; the arena gives each its own block and, after reset
 *   (retain_capacity), keeps one block of the largest total. minor_faults
 *   per iteration shows who touches fresh pages.
 * case 2, long-running loop without reset (arg 2 = reset every N requests,
 *   0 = never): small requests (the recipe's arrays x 1-4 + a formatted log
 *   line + a duplicated path) in one scope that is not reset during the run;
 *   malloc frees each request's memory. The arena ends the run with
 *   AB_END_DESTROY (deinit), not a reset, so every run grows block by block
 *   from nothing, like a process that never resets (a retained block would
 *   turn the next run into the cure below): bytes_reserved is the whole
 *   run's growth, and minor_faults shows whether the process's malloc had to
 *   take that memory from the kernel again. arg 2 = 100 shows the cure
 *   (reset every 100 requests with retain_capacity).
 * Per run: memory < ~70 MB, time a few ms.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/typed_arrays.h"
#include "workload.h"

enum { MIXED = 0, LARGE = 1, NO_RESET = 2 };

#define OBJS 16      /* objects per request (case 0) */
#define WINDOW 64    /* requests a survivor lives on (case 0) */
#define MAX_BIG 4    /* large buffers per request (case 1) */
#define MIB ((size_t)1 << 20)

/* {case, parameter, requests per run} */
static const ab_workload_args args[] = {
    {{MIXED, 0, 1000}, 3},   {{MIXED, 10, 1000}, 3}, {{MIXED, 50, 1000}, 3},
    {{LARGE, 2, 8}, 3},      {{LARGE, 8, 4}, 3},
    {{NO_RESET, 0, 10000}, 3}, {{NO_RESET, 100, 10000}, 3},
    {{0}, 0},
};
static const ab_workload_args quick[] = {
    {{MIXED, 10, 200}, 3}, {{LARGE, 2, 2}, 3}, {{NO_RESET, 0, 1000}, 3}, {{0}, 0},
};

typedef struct {
    int kase;
    int64_t param;
    size_t n;
    /* case 0: sizes[n * OBJS], survive[n] (bit j: object j survives) */
    uint16_t *sizes;
    uint16_t *survive;
    /* case 1: nbig[n], big[n * MAX_BIG] sizes; case 2: scale[n] in nbig */
    uint8_t *nbig;
    size_t *big;
} input;

static void teardown(void *vin) {
    input *in = (input *)vin;
    if (in == NULL) return;
    free(in->sizes);
    free(in->survive);
    free(in->nbig);
    free(in->big);
    free(in);
}

static void *setup(const ab_workload_args *a) {
    input *in = (input *)calloc(1, sizeof *in);
    if (in == NULL) return NULL;
    in->kase = (int)a->v[0];
    in->param = a->v[1];
    in->n = (size_t)a->v[2];
    ab_rng rng;
    ab_rng_seed(&rng, 0x61766f6964ull + (uint64_t)in->kase);
    switch (in->kase) {
    case MIXED:
        in->sizes = (uint16_t *)malloc(in->n * OBJS * sizeof *in->sizes);
        in->survive = (uint16_t *)calloc(in->n, sizeof *in->survive);
        if (in->sizes == NULL || in->survive == NULL) break;
        for (size_t i = 0; i < in->n; i++)
            for (int j = 0; j < OBJS; j++) {
                in->sizes[i * OBJS + j] = (uint16_t)ab_rng_range(&rng, 32, 512);
                if ((int64_t)ab_rng_range(&rng, 0, 99) < in->param) in->survive[i] |= (uint16_t)(1u << j);
            }
        return in;
    case LARGE:
        if (in->param < 1 || in->param > 16) break;
        in->nbig = (uint8_t *)malloc(in->n);
        in->big = (size_t *)malloc(in->n * MAX_BIG * sizeof *in->big);
        if (in->nbig == NULL || in->big == NULL) break;
        for (size_t i = 0; i < in->n; i++) {
            in->nbig[i] = (uint8_t)ab_rng_range(&rng, 2, MAX_BIG);
            for (int j = 0; j < MAX_BIG; j++)
                in->big[i * MAX_BIG + j] = (size_t)ab_rng_range(&rng, MIB, (size_t)in->param * MIB) | 8u;
        }
        return in;
    case NO_RESET:
        in->nbig = (uint8_t *)malloc(in->n);
        if (in->nbig == NULL) break;
        for (size_t i = 0; i < in->n; i++) in->nbig[i] = (uint8_t)ab_rng_range(&rng, 1, 4);
        return in;
    }
    fprintf(stderr, "avoid_when: bad arguments (case %d, parameter %" PRId64 ")\n", in->kase, in->param);
    teardown(in);
    return NULL;
}

/* ---- case 0: mixed lifetimes ------------------------------------------- */

typedef struct {
    unsigned char *p;
    size_t size;
    size_t born; /* request that made it */
} survivor;

/* Reads a survivor back (it must still hold what its request wrote). */
static uint64_t read_survivor(uint64_t h, const survivor *v) {
    uint64_t head;
    memcpy(&head, v->p, sizeof head);
    return ab_hash_u64(ab_hash_u64(h, head), v->p[v->size - 1] + v->size);
}

static ab_run_result run_mixed(const input *in, ab_subject *s) {
    ab_run_result r = {AB_CHECKSUM_INIT, in->n, 0};
    bool frees = ab_subject_frees(s);
    /* malloc: no request scope, one allocator for everything, survivors kept.
     * arena: request scopes on s, survivors copied into a long-lived store. */
    ab_subject *store = NULL;
    ab_allocator all = {0}, la;
    if (frees) {
        la = all = ab_scope_begin(s);
    } else {
        if ((store = ab_subject_new_like(s)) == NULL) {
            r.failures = in->n;
            return r;
        }
        la = ab_scope_begin(store);
    }
    const size_t qcap = (size_t)(WINDOW + 1) * OBJS;
    survivor *q = AB_NEW_ARRAY(la, survivor, qcap); /* the session table: a FIFO by expiry */
    size_t qhead = 0, qlen = 0;
    if (q == NULL) {
        r.failures = in->n;
        goto done;
    }
    for (size_t i = 0; i < in->n; i++) {
        while (qlen > 0 && q[qhead].born + WINDOW <= i) { /* expire the oldest */
            survivor *v = &q[qhead];
            r.checksum = read_survivor(r.checksum, v);
            if (frees) ab_free(la, v->p, v->size, AB_DEFAULT_ALIGN); /* an arena cannot */
            qhead = (qhead + 1) % qcap;
            qlen--;
        }
        ab_allocator ra = frees ? all : ab_scope_begin(s);
        unsigned char *obj[OBJS];
        const uint16_t *size = &in->sizes[i * OBJS];
        bool ok = true;
        for (int j = 0; j < OBJS; j++) {
            obj[j] = (unsigned char *)ab_alloc(ra, size[j], AB_DEFAULT_ALIGN);
            if (obj[j] == NULL) {
                ok = false;
                continue;
            }
            memset(obj[j], (int)(i + (size_t)j), size[j]);
            uint64_t head = (uint64_t)i << 8 | (uint64_t)j;
            memcpy(obj[j], &head, sizeof head);
            r.checksum = ab_hash_u64(r.checksum, obj[j][size[j] / 2] + head);
        }
        for (int j = 0; j < OBJS; j++) {
            if (obj[j] == NULL || !(in->survive[i] >> j & 1u)) continue;
            unsigned char *keep = obj[j];
            if (!frees && (keep = (unsigned char *)ab_dup(la, obj[j], size[j])) == NULL) { /* copy out */
                ok = false;
                continue;
            }
            q[(qhead + qlen) % qcap] = (survivor){keep, size[j], i};
            qlen++;
            obj[j] = NULL; /* no longer the request's */
        }
        if (frees)
            for (int j = OBJS; j-- > 0;) ab_free(ra, obj[j], size[j], AB_DEFAULT_ALIGN); /* NULL: no-op */
        else
            ab_scope_end(s, AB_END_RESET);
        if (!ok) r.failures++;
    }
    for (; qlen > 0; qlen--, qhead = (qhead + 1) % qcap) { /* shutdown: the rest expire */
        r.checksum = read_survivor(r.checksum, &q[qhead]);
        if (frees) ab_free(la, q[qhead].p, q[qhead].size, AB_DEFAULT_ALIGN);
    }
    if (frees) AB_DELETE_ARRAY(la, survivor, q, qcap);
done:
    if (frees) {
        ab_scope_end(s, AB_END_RESET);
    } else {
        ab_scope_end(store, AB_END_DESTROY);
        ab_subject_delete(store);
    }
    return r;
}

/* ---- case 1: very large allocations --------------------------------------- */

static ab_run_result run_large(const input *in, ab_subject *s) {
    ab_run_result r = {AB_CHECKSUM_INIT, in->n, 0};
    bool frees = ab_subject_frees(s);
    for (size_t i = 0; i < in->n; i++) {
        ab_allocator a = ab_scope_begin(s);
        const size_t *size = &in->big[i * MAX_BIG];
        int nbig = in->nbig[i];
        unsigned char *buf[MAX_BIG] = {NULL};
        bool ok = true;
        for (int j = 0; j < nbig; j++) {
            if ((buf[j] = (unsigned char *)ab_alloc(a, size[j], AB_DEFAULT_ALIGN)) == NULL) {
                ok = false;
                continue;
            }
            memset(buf[j], (int)(i * 7 + (size_t)j), size[j]);
            buf[j][size[j] - 1] = (unsigned char)size[j];
        }
        for (int j = 0; j < nbig; j++) {
            if (buf[j] == NULL) continue;
            uint64_t h = 0;
            for (size_t off = 0; off < size[j]; off += 4096) h = h * 31 + buf[j][off];
            r.checksum = ab_hash_u64(r.checksum, h + buf[j][size[j] - 1]);
        }
        if (frees)
            for (int j = nbig; j-- > 0;) ab_free(a, buf[j], size[j], AB_DEFAULT_ALIGN); /* NULL: no-op */
        ab_scope_end(s, AB_END_RESET);
        if (!ok) r.failures++;
    }
    return r;
}

/* ---- case 2: long-running loop without reset ---------------------------- */

static bool small_request(ab_allocator a, bool frees, size_t id, unsigned m, uint64_t *h) {
    ab_typed_arrays t;
    if (!ab_typed_arrays_alloc(&t, a, 100u * m, 50u * m, 25u * m)) return false;
    uint64_t sum = ab_typed_arrays_fill_sum(&t, id);
    size_t len = 0, plen = 0;
    char *path = ab_sprintf(a, &plen, "/items/%zu", id % 997);
    char *line = path ? ab_sprintf(a, &len, "GET %s -> 200 (x%u, sum %" PRIu64 ")", path, m, sum) : NULL;
    if (line != NULL) *h = ab_hash_bytes(*h, line, len);
    if (frees) {
        if (line) ab_free(a, line, len + 1, 1);
        if (path) ab_free(a, path, plen + 1, 1);
        ab_typed_arrays_free(&t);
    }
    return line != NULL;
}

static ab_run_result run_no_reset(const input *in, ab_subject *s) {
    ab_run_result r = {AB_CHECKSUM_INIT, in->n, 0};
    bool frees = ab_subject_frees(s);
    size_t every = in->param > 0 ? (size_t)in->param : 0;
    ab_allocator a = ab_scope_begin(s);
    for (size_t i = 0; i < in->n; i++) {
        if (!small_request(a, frees, i, in->nbig[i], &r.checksum)) r.failures++;
        if (every && (i + 1) % every == 0 && i + 1 < in->n) { /* the cure: a reset point */
            ab_scope_end(s, AB_END_RESET);
            a = ab_scope_begin(s);
        }
    }
    ab_scope_end(s, AB_END_DESTROY); /* the process "exits": everything it grew goes */
    return r;
}

static ab_run_result run(void *vin, ab_subject *s) {
    const input *in = (const input *)vin;
    switch (in->kase) {
    case MIXED: return run_mixed(in, s);
    case LARGE: return run_large(in, s);
    default: return run_no_reset(in, s);
    }
}

const ab_workload ab_workload_avoid_when = {
    .name = "avoid_when",
    .item = "requests",
    .describe = "the recipe's Avoid When list: case 0 mixed lifetimes (survivors copied to a long-lived store), "
                "1 very large allocations (1 MiB+, page faults), 2 long-running loop without reset (growth)",
    .accepts = AB_KIND_ALL_GENERAL,
    .args = args,
    .quick_args = quick,
    .setup = setup,
    .run = run,
    .teardown = teardown,
};
