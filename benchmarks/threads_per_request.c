/*
 * threads_per_request -- the recipe's "Thread-Per-Request: each thread gets
 * its own arena", with T threads at once.
 *
 * Shape: run() starts T threads and joins them. Each thread makes its own
 * subject (ab_subject_new_like: for the arena family its own arena, for the
 * malloc family the process's malloc, shared by all threads -- exactly what a
 * server gets), handles a batch of R requests of the request_response cycle
 * (benchmarks/common/http.h: parse a generated HTTP request into a header
 * map, build the JSON response, serialise it; malloc frees each piece, the
 * arena is reset after each request), and deletes its subject when it ends.
 * A thread per batch rather than per request keeps thread creation (~20-50
 * us) from dwarfing requests of a few us; it is still paid every run, as is
 * a new thread's cold allocator state (a fresh arena grows from its first
 * block; malloc's per-thread caches start empty), which is what
 * thread-per-request costs.
 *
 * Checksum: per request a hash of the response, combined by addition (order
 * of threads does not matter), so it is equal for every contestant and any
 * interleaving. Items = T x R requests.
 *
 * Args: threads (1, 2, 4: up to 2x the cores of a 2-core machine), requests per thread.
 */
#include <pthread.h>
#include <stdlib.h>

#include "common/http.h"
#include "workload.h"

static const ab_workload_args args[] = {{{1, 200}, 2}, {{2, 200}, 2}, {{4, 200}, 2}, {{0}, 0}};
static const ab_workload_args quick[] = {{{2, 50}, 2}, {{0}, 0}};

#define MAX_THREADS 64

typedef struct input {
    int threads, per_thread;
    ab_http_corpus corpus;
} input;

static void *setup(const ab_workload_args *a) {
    input *in = (input *)calloc(1, sizeof *in);
    if (in == NULL) return NULL;
    in->threads = (int)a->v[0];
    in->per_thread = (int)a->v[1];
    if (in->threads < 1 || in->threads > MAX_THREADS || !ab_http_corpus_served(&in->corpus, 0x7E4D0001ull)) {
        free(in);
        return NULL;
    }
    return in;
}

static void teardown(void *vin) {
    input *in = (input *)vin;
    ab_http_corpus_free(&in->corpus);
    free(in);
}

typedef struct worker {
    const input *in;
    ab_subject *parent;
    int index;
    uint64_t sum, failures;
} worker;

static void *thread_main(void *arg) {
    worker *w = (worker *)arg;
    const input *in = w->in;
    ab_subject *s = ab_subject_new_like(w->parent); /* this thread's own allocator */
    if (s == NULL) {
        w->failures = (uint64_t)in->per_thread;
        return NULL;
    }
    bool frees = ab_subject_frees(s);
    for (int j = 0; j < in->per_thread; j++) {
        uint64_t n = (uint64_t)w->index * (uint64_t)in->per_thread + (uint64_t)j;
        const ab_http_raw *q = &in->corpus.reqs[n % in->corpus.count];
        uint64_t h = AB_CHECKSUM_INIT;
        ab_allocator a = ab_scope_begin(s);
        if (ab_http_serve(a, frees, q->data, q->len, n + 1, &h) == AB_HTTP_OK) w->sum += ab_hash_u64(h, n);
        else w->failures++;
        ab_scope_end(s, AB_END_RESET);
    }
    ab_subject_delete(s); /* its counts merge into the parent's */
    return NULL;
}

static ab_run_result run(void *vin, ab_subject *s) {
    const input *in = (const input *)vin;
    ab_run_result r = {0, (uint64_t)in->threads * (uint64_t)in->per_thread, 0};
    worker w[MAX_THREADS];
    pthread_t tid[MAX_THREADS];
    bool started[MAX_THREADS];
    for (int t = 0; t < in->threads; t++) {
        w[t] = (worker){in, s, t, 0, 0};
        started[t] = pthread_create(&tid[t], NULL, thread_main, &w[t]) == 0;
    }
    for (int t = 0; t < in->threads; t++) {
        if (started[t]) pthread_join(tid[t], NULL);
        else w[t].failures = (uint64_t)in->per_thread;
        r.checksum += w[t].sum;
        r.failures += w[t].failures;
    }
    return r;
}

const ab_workload ab_workload_threads_per_request = {
    .name = "threads_per_request",
    .item = "requests",
    .describe = "thread-per-request: T threads each serve R HTTP requests (parse, handle, serialise) with their own "
                "subject (arena per thread) vs the shared process malloc; args (threads, requests per thread)",
    .accepts = AB_KIND_ALL_GENERAL,
    .args = args,
    .quick_args = quick,
    .setup = setup,
    .run = run,
    .teardown = teardown,
};
