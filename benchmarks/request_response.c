/*
 * request_response -- the recipe's Request/Response cycle at realistic scale.
 *
 * The recipe (seed NOTES.md, request_response): one arena per request; the
 * Request holds an id, the path (duplicated), a string hash map of headers
 * (key and value each duplicated) and the body (duplicated); the handler
 * builds a Response (status 200, Content-Type and X-Request-ID formatted from
 * the id, a JSON body {"path": ..., "headers": <count>}); everything dies
 * with the arena. Here: requests are generated in setup (fixed seed; 4-40
 * headers, values 8-512 B, POST/PUT bodies log-uniform up to the body class),
 * and each is parsed, handled, serialised and checksummed by ab_http_serve
 * (benchmarks/common/http.h), all its allocations in one scope.
 *
 * Release: malloc frees every string, table and buffer, newest first; an
 * arena ends the scope with reset(retain_capacity) -- the recipe's advice
 * between requests -- or, with end = 1, with deinit (a fresh arena per
 * request, the recipe's handleRequest).
 *
 * Args (requests per run, largest body in KiB (0: no bodies), end: 0 reset, 1 deinit).
 * Items = requests. The checksum hashes every response's bytes.
 */
#include <stdlib.h>

#include "common/http.h"
#include "workload.h"

static const ab_workload_args args[] = {
    {{100, 0, 0}, 3}, {{100, 4, 0}, 3}, {{100, 64, 0}, 3}, {{1000, 4, 0}, 3}, {{100, 4, 1}, 3}, {{100, 64, 1}, 3},
    {{0}, 0},
};
static const ab_workload_args quick[] = {{{100, 4, 0}, 3}, {{0}, 0}};

typedef struct input {
    ab_http_corpus corpus;
    ab_scope_end_mode end;
} input;

static void *setup(const ab_workload_args *a) {
    input *in = (input *)calloc(1, sizeof *in);
    if (in == NULL) return NULL;
    ab_http_gen_params p = ab_http_gen_defaults((size_t)a->v[0], (size_t)a->v[1] << 10, 0x5EED0001ull);
    if (!ab_http_corpus_make(&in->corpus, &p)) {
        free(in);
        return NULL;
    }
    in->end = a->v[2] ? AB_END_DESTROY : AB_END_RESET;
    return in;
}

static void teardown(void *vin) {
    input *in = (input *)vin;
    ab_http_corpus_free(&in->corpus);
    free(in);
}

static ab_run_result run(void *vin, ab_subject *s) {
    const input *in = (const input *)vin;
    ab_run_result r = {AB_CHECKSUM_INIT, in->corpus.count, 0};
    bool frees = ab_subject_frees(s);
    for (size_t i = 0; i < in->corpus.count; i++) {
        ab_allocator a = ab_scope_begin(s); /* one arena per request */
        const ab_http_raw *q = &in->corpus.reqs[i];
        if (ab_http_serve(a, frees, q->data, q->len, (uint64_t)i + 1, &r.checksum) != AB_HTTP_OK) r.failures++;
        ab_scope_end(s, in->end);
    }
    return r;
}

const ab_workload ab_workload_request_response = {
    .name = "request_response",
    .item = "requests",
    .describe = "the recipe's Request/Response: parse generated HTTP requests (4-40 headers, 8-512 B values, "
                "bodies to 64 KiB) into a header map, build a JSON response, serialise; args (requests, body KiB, "
                "0 reset / 1 deinit)",
    .accepts = AB_KIND_ALL_GENERAL,
    .args = args,
    .quick_args = quick,
    .setup = setup,
    .run = run,
    .teardown = teardown,
};
