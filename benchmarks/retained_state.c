/*
 * retained_state -- the recipe's RequestProcessor: state that outlives the
 * arena resets.
 *
 * The recipe (seed NOTES.md, arena_state): a RequestProcessor holds an arena
 * and a counter; each request increments the counter and formats
 * "Processed request #<n>: <path>" in the arena; reset(.retain_capacity)
 * between requests keeps the counter (it lives in the processor, not in the
 * arena). Here the processor handles a run's worth of request paths
 * (generated in setup by ab_http_gen_path), its counter starting at 0 every
 * run. With extra = 1 each request also does what a router does with the
 * path: splits it into duplicated segments (an array grown by ab_realloc),
 * parses the query string into a strmap (keys and values duplicated), and
 * formats a log line from them.
 *
 * Scope per request, ended with RESET (the arena keeps its block: after the
 * first request no backing call at all); malloc frees every string, the
 * array and the map. Args (requests per run, extra: 0 = the recipe's format
 * only, 1 = + segments, query map, log line). Items = requests. The checksum
 * hashes the formatted strings.
 */
#include <stdlib.h>

#include "common/http.h"
#include "workload.h"

static const ab_workload_args args[] = {{{1000, 0}, 2}, {{1000, 1}, 2}, {{0}, 0}};
static const ab_workload_args quick[] = {{{1000, 1}, 2}, {{0}, 0}};

typedef struct input {
    size_t count;
    bool extra;
    char (*paths)[AB_HTTP_PATH_MAX];
    size_t *lens;
} input;

static void teardown(void *vin) {
    input *in = (input *)vin;
    if (in == NULL) return;
    free(in->paths);
    free(in->lens);
    free(in);
}

static void *setup(const ab_workload_args *a) {
    input *in = (input *)calloc(1, sizeof *in);
    if (in == NULL) return NULL;
    in->count = (size_t)a->v[0];
    in->extra = a->v[1] != 0;
    in->paths = (char (*)[AB_HTTP_PATH_MAX])malloc(in->count * sizeof *in->paths);
    in->lens = (size_t *)malloc(in->count * sizeof *in->lens);
    if (in->paths == NULL || in->lens == NULL) {
        teardown(in);
        return NULL;
    }
    ab_rng r;
    ab_rng_seed(&r, 0x57A7Eull);
    for (size_t i = 0; i < in->count; i++) in->lens[i] = ab_http_gen_path(&r, in->paths[i]);
    return in;
}

typedef struct segment { char *s; size_t len; } segment;

/* The router's share of a request (extra = 1): segments, query map, log line. */
static bool route(ab_allocator a, bool frees, const char *path, size_t len, uint64_t *h) {
    bool ok = false;
    segment *segs = NULL;
    size_t ns = 0, cap = 0;
    ab_strmap query;
    ab_strmap_init(&query, a);
    const char *qm = (const char *)memchr(path, '?', len);
    const char *pe = qm ? qm : path + len;
    for (const char *p = path; p < pe;) {
        if (*p == '/') {
            p++;
            continue;
        }
        const char *e = (const char *)memchr(p, '/', (size_t)(pe - p));
        if (e == NULL) e = pe;
        if (ns == cap) {
            size_t ncap = cap + cap / 2 + 4;
            segment *n = (segment *)ab_realloc(a, segs, cap * sizeof *segs, ncap * sizeof *segs, _Alignof(segment));
            if (n == NULL) goto done;
            segs = n;
            cap = ncap;
        }
        segs[ns].len = (size_t)(e - p);
        segs[ns].s = ab_strndup(a, p, segs[ns].len);
        if (segs[ns].s == NULL) goto done;
        ns++;
        p = e;
    }
    for (const char *p = qm ? qm + 1 : pe; p < path + len;) {
        const char *amp = (const char *)memchr(p, '&', (size_t)(path + len - p));
        const char *te = amp ? amp : path + len;
        const char *eq = (const char *)memchr(p, '=', (size_t)(te - p));
        const char *v = eq ? eq + 1 : te;
        if (ab_strmap_put_copy(&query, p, (size_t)((eq ? eq : te) - p), v, (size_t)(te - v)) == AB_STRMAP_OOM)
            goto done;
        p = te + 1;
    }
    {
        size_t llen = 0, plen = 0;
        const char *page = ab_strmap_get(&query, "page", 4, &plen);
        char *log = ab_sprintf(a, &llen, "route=%.*s segments=%zu page=%.*s", ns ? (int)segs[0].len : 0,
                               ns ? segs[0].s : "", ns, page ? (int)plen : 1, page ? page : "1");
        if (log == NULL) goto done;
        *h = ab_hash_bytes(*h, log, llen);
        for (size_t i = 0; i < ns; i++) *h = ab_hash_bytes(*h, segs[i].s, segs[i].len);
        if (frees) ab_free(a, log, llen + 1, 1);
    }
    ok = true;
done:
    if (frees) {
        ab_strmap_free_all(&query);
        for (size_t i = ns; i-- > 0;) ab_free(a, segs[i].s, segs[i].len + 1, 1);
        ab_free(a, segs, cap * sizeof *segs, _Alignof(segment));
    }
    return ok;
}

/* The recipe's RequestProcessor: the counter survives the per-request resets. */
typedef struct request_processor {
    ab_subject *s;
    uint64_t counter;
} request_processor;

static bool process(request_processor *rp, bool extra, const char *path, size_t len, uint64_t *h) {
    ab_allocator a = ab_scope_begin(rp->s);
    bool frees = ab_subject_frees(rp->s);
    rp->counter++;
    size_t mlen = 0;
    char *msg = ab_sprintf(a, &mlen, "Processed request #%llu: %.*s", (unsigned long long)rp->counter, (int)len, path);
    bool ok = msg != NULL;
    if (ok) *h = ab_hash_bytes(*h, msg, mlen);
    if (ok && extra) ok = route(a, frees, path, len, h);
    if (frees && msg) ab_free(a, msg, mlen + 1, 1);
    ab_scope_end(rp->s, AB_END_RESET); /* arena.reset(.retain_capacity): the counter stays */
    return ok;
}

static ab_run_result run(void *vin, ab_subject *s) {
    const input *in = (const input *)vin;
    ab_run_result r = {AB_CHECKSUM_INIT, in->count, 0};
    request_processor rp = {s, 0};
    for (size_t i = 0; i < in->count; i++)
        if (!process(&rp, in->extra, in->paths[i], in->lens[i], &r.checksum)) r.failures++;
    r.checksum = ab_hash_u64(r.checksum, rp.counter);
    return r;
}

const ab_workload ab_workload_retained_state = {
    .name = "retained_state",
    .item = "requests",
    .describe = "the recipe's RequestProcessor: a counter kept across per-request resets, \"Processed request "
                "#<n>: <path>\" (+ with arg extra=1: path segments, query map, log line)",
    .accepts = AB_KIND_ALL_GENERAL,
    .args = args,
    .quick_args = quick,
    .setup = setup,
    .run = run,
    .teardown = teardown,
};
