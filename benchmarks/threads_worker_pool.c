/*
 * threads_worker_pool -- the recipe's "Worker Queues: worker threads create
 * arenas for each work item, resetting between items".
 *
 * Shape: run() starts a pool of W workers, feeds N work items (indices into
 * a corpus of generated HTTP requests) through a bounded blocking queue
 * (benchmarks/common/bqueue.h: mutex + condition variables, 64 slots; the
 * feeder blocks when the workers fall behind), closes the queue and joins
 * the pool. Each worker makes its own subject once and serves each item in
 * one scope: the request_response cycle (benchmarks/common/http.h), then
 * ab_scope_end(AB_END_RESET): the arena keeps its capacity from item to
 * item, malloc frees every piece. Which worker gets which item depends on
 * scheduling; the checksum (per item a hash of the response, combined by
 * addition) does not.
 *
 * The pool lives for one run() (a run must not keep state outside the
 * subject), so W thread creations are paid per N items; with N = 1000 items
 * of a few us each that is a few percent, the same for every contestant.
 * The run() thread only feeds: W workers + 1 feeder are runnable.
 *
 * Args: workers (1, 2, 4: up to 2x the cores of a 2-core machine), items per run. Items = N.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "common/bqueue.h"
#include "common/http.h"
#include "workload.h"

static const ab_workload_args args[] = {{{1, 1000}, 2}, {{2, 1000}, 2}, {{4, 1000}, 2}, {{0}, 0}};
static const ab_workload_args quick[] = {{{2, 200}, 2}, {{0}, 0}};

#define MAX_WORKERS 64

typedef struct input {
    int workers, items;
    ab_http_corpus corpus;
} input;

static void *setup(const ab_workload_args *a) {
    input *in = (input *)calloc(1, sizeof *in);
    if (in == NULL) return NULL;
    in->workers = (int)a->v[0];
    in->items = (int)a->v[1];
    if (in->workers < 1 || in->workers > MAX_WORKERS || !ab_http_corpus_served(&in->corpus, 0x9001D001ull)) {
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

typedef struct pool {
    const input *in;
    ab_subject *parent;
    ab_bqueue q;
} pool;

typedef struct worker {
    pool *p;
    uint64_t sum, done, failures;
} worker;

static void *worker_main(void *arg) {
    worker *w = (worker *)arg;
    const input *in = w->p->in;
    ab_subject *s = ab_subject_new_like(w->p->parent); /* this worker's arena, for all its items */
    bool frees = s != NULL && ab_subject_frees(s);
    void *item;
    while (ab_bqueue_pop(&w->p->q, &item)) {
        uint64_t n = (uint64_t)(uintptr_t)item - 1;
        w->done++;
        if (s == NULL) {
            w->failures++;
            continue;
        }
        const ab_http_raw *q = &in->corpus.reqs[n % in->corpus.count];
        uint64_t h = AB_CHECKSUM_INIT;
        ab_allocator a = ab_scope_begin(s);
        if (ab_http_serve(a, frees, q->data, q->len, n + 1, &h) == AB_HTTP_OK) w->sum += ab_hash_u64(h, n);
        else w->failures++;
        ab_scope_end(s, AB_END_RESET); /* reset between items, capacity kept */
    }
    ab_subject_delete(s);
    return NULL;
}

static ab_run_result run(void *vin, ab_subject *s) {
    const input *in = (const input *)vin;
    ab_run_result r = {0, (uint64_t)in->items, 0};
    pool p;
    p.in = in;
    p.parent = s;
    if (!ab_bqueue_init(&p.q)) {
        r.failures = r.items;
        return r;
    }
    worker w[MAX_WORKERS];
    pthread_t tid[MAX_WORKERS];
    bool started[MAX_WORKERS];
    int running = 0;
    for (int t = 0; t < in->workers; t++) {
        w[t] = (worker){&p, 0, 0, 0};
        started[t] = pthread_create(&tid[t], NULL, worker_main, &w[t]) == 0;
        running += started[t];
    }
    if (running > 0) /* else nobody would ever pop: every item fails */
        for (int i = 0; i < in->items; i++) ab_bqueue_push(&p.q, (void *)(uintptr_t)(i + 1));
    ab_bqueue_close(&p.q);
    uint64_t done = 0;
    for (int t = 0; t < in->workers; t++) {
        if (!started[t]) continue;
        pthread_join(tid[t], NULL);
        r.checksum += w[t].sum;
        r.failures += w[t].failures;
        done += w[t].done;
    }
    r.failures += r.items - done;
    ab_bqueue_destroy(&p.q);
    return r;
}

const ab_workload ab_workload_threads_worker_pool = {
    .name = "threads_worker_pool",
    .item = "requests",
    .describe = "worker pool: W workers pop N HTTP requests from a blocking queue, each with its own subject reset per "
                "item (arena per worker) vs the shared process malloc; args (workers, items)",
    .accepts = AB_KIND_ALL_GENERAL,
    .args = args,
    .quick_args = quick,
    .setup = setup,
    .run = run,
    .teardown = teardown,
};
