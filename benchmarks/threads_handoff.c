/*
 * threads_handoff -- objects made by one thread and released by another.
 *
 * Shape: P producer/consumer pairs (2P threads). A producer serves HTTP
 * requests (benchmarks/common/http.h: parse, handle, serialise) and hands
 * each serialised response -- a message that must outlive the producer's
 * work on it -- to its consumer, which reads (checksums) it and releases it.
 * Messages travel in batches of B through a bounded blocking queue
 * (benchmarks/common/bqueue.h), the same for every contestant, so that the
 * only difference is how memory crosses the threads:
 *
 *  - malloc family: the consumer frees every message (and the batch's
 *    array) itself: a free on another thread than the malloc. That is the
 *    case general allocators have machinery for (glibc: the block goes back
 *    to its arena under that arena's lock; jemalloc, tcmalloc, mimalloc:
 *    remote frees are queued to or batched for the owning thread/heap).
 *    The producer frees its request/response temporaries at once, as
 *    request_response does.
 *
 *  - arena: an arena cannot be freed object by object, and never from
 *    another thread (it is not thread-safe; some arena libraries are even
 *    bound to the thread that made them: a mimalloc mi_heap must be made,
 *    used and destroyed on one thread). So the design must change: the
 *    producer fills ONE ARENA PER BATCH -- the batch's messages, their array
 *    and the request temporaries -- and hands the WHOLE arena (the subject
 *    with its open scope) to the consumer with the batch. The consumer reads
 *    the batch and gives the arena back in one go: one push on a RETURN
 *    QUEUE instead of B frees. The producer, which owns the arena, releases
 *    it at once when it takes it back (ab_scope_end(AB_END_RESET): capacity
 *    kept) and refills it with its next batch. So every arena operation
 *    (begin, allocate, reset) stays on the producer's thread, the consumer
 *    only reads, and the queues order the producer's writes before the
 *    consumer's reads and the consumer's reads before the reset. K = 3
 *    arenas cycle per pair (one being filled, one in flight, one being
 *    read): the producer waits only when all three are out. The cost is
 *    memory: each arena holds a whole batch (temporaries included) until the
 *    consumer is done with it -- see bytes_reserved and peak_rss_kb against
 *    malloc's.
 *
 * The malloc family runs the very same code (its K subjects all hand out the
 * process's malloc; its scope end does nothing), so both paths share the
 * queues, the batching and the threads. With B = 1 every message is its own
 * batch: the arena is handed over and reset per message. Like the threads,
 * the K arenas are made per run() (a run keeps no state outside its
 * subject): the first K batches of a run grow cold arenas, the rest reuse
 * them, so B is kept small enough (<= 64 of 1024 messages) for reuse to
 * dominate.
 *
 * Checksum: per message a hash of the response bytes and its id, combined
 * by addition (independent of interleaving). Items = messages = P x batches x B.
 * Args: pairs (1, 2: 2 or 4 threads, up to 2x the cores of a 2-core machine),
 * messages per batch B, messages per pair.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "common/bqueue.h"
#include "common/http.h"
#include "workload.h"

static const ab_workload_args args[] = {
    {{1, 1, 1024}, 3}, {{1, 16, 1024}, 3}, {{1, 64, 1024}, 3}, {{2, 16, 1024}, 3}, {{0}, 0},
};
static const ab_workload_args quick[] = {{{1, 16, 256}, 3}, {{0}, 0}};

#define MAX_PAIRS 32
#define SLOTS 3 /* arenas (subjects) cycling between a producer and its consumer */

typedef struct input {
    int pairs, batch, per_pair;
    ab_http_corpus corpus;
} input;

static void *setup(const ab_workload_args *a) {
    input *in = (input *)calloc(1, sizeof *in);
    if (in == NULL) return NULL;
    in->pairs = (int)a->v[0];
    in->batch = (int)a->v[1];
    in->per_pair = (int)a->v[2];
    if (in->pairs < 1 || in->pairs > MAX_PAIRS || in->batch < 1 || in->per_pair < 1 || !ab_http_corpus_served(&in->corpus, 0x4A4D0FFull)) {
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

/* ---- what crosses the threads ----------------------------------------------- */

typedef struct message {
    uint64_t id;
    char *text; /* the serialised response, len + 1 bytes */
    size_t len;
} message;

/* A batch and the subject whose open scope holds it (in the producer's hands,
 * then the consumer's). */
typedef struct slot {
    ab_subject *s;
    ab_allocator a;
    bool open;     /* a batch's scope is open on s */
    message *msgs; /* array of cap entries, from a */
    int count, cap;
    uint64_t failures; /* messages the producer could not make */
} slot;

typedef struct pair {
    const input *in;
    ab_subject *parent;
    int index;
    ab_bqueue full, empty; /* producer -> consumer batches; consumer -> producer reset slots */
    slot slots[SLOTS];
    bool queues; /* full and empty were initialised */
    uint64_t sum, failures, consumed;
} pair;

/* Makes one message in the batch's scope; false on failure. */
static bool produce_one(const input *in, slot *b, bool frees, uint64_t n) {
    const ab_http_raw *q = &in->corpus.reqs[n % in->corpus.count];
    ab_http_request req;
    ab_http_response resp;
    size_t len = 0;
    char *text = NULL;
    int rc = ab_http_parse(b->a, q->data, q->len, n + 1, &req);
    if (rc == AB_HTTP_OK) {
        if (ab_http_handle(b->a, &req, &resp) == AB_HTTP_OK) text = ab_http_serialize(b->a, &resp, &len);
        if (frees) ab_http_response_free(b->a, &resp); /* freeable even after a failed handle */
    }
    if (frees) ab_http_request_free(b->a, &req); /* the message alone goes on */
    if (text == NULL) return false;
    b->msgs[b->count++] = (message){n, text, len};
    return true;
}

static void *producer_main(void *arg) {
    pair *p = (pair *)arg;
    const input *in = p->in;
    int made = 0, open = 0; /* messages made; slots holding a batch */
    void *v;
    while (made < in->per_pair && ab_bqueue_pop(&p->empty, &v)) {
        slot *b = (slot *)v;
        if (b->open) ab_scope_end(b->s, AB_END_RESET); /* taken back: release the old batch at once */
        else open++;                                    /* a slot's first use */
        bool frees = ab_subject_frees(b->s);
        b->cap = in->batch < in->per_pair - made ? in->batch : in->per_pair - made;
        b->count = 0;
        b->failures = 0;
        b->a = ab_scope_begin(b->s); /* the batch's arena */
        b->open = true;
        b->msgs = AB_NEW_ARRAY(b->a, message, (size_t)b->cap);
        for (int j = 0; j < b->cap; j++) {
            uint64_t n = (uint64_t)p->index * (uint64_t)in->per_pair + (uint64_t)(made + j);
            if (b->msgs == NULL || !produce_one(in, b, frees, n)) b->failures++;
        }
        made += b->cap;
        ab_bqueue_push(&p->full, b); /* hand over the whole scope */
    }
    /* Take every arena back and release it here, on the thread that owns it. */
    while (open > 0 && ab_bqueue_pop(&p->empty, &v)) {
        slot *b = (slot *)v;
        if (!b->open) continue; /* never used */
        ab_scope_end(b->s, AB_END_RESET);
        b->open = false;
        open--;
    }
    ab_bqueue_close(&p->full);
    return NULL;
}

static void *consumer_main(void *arg) {
    pair *p = (pair *)arg;
    void *v;
    while (ab_bqueue_pop(&p->full, &v)) {
        slot *b = (slot *)v;
        bool frees = ab_subject_frees(b->s);
        for (int j = 0; j < b->count; j++) {
            message *m = &b->msgs[j];
            p->sum += ab_hash_u64(ab_http_hash_words(AB_CHECKSUM_INIT, m->text, m->len), m->id);
        }
        p->consumed += (uint64_t)(b->count + (int)b->failures);
        p->failures += b->failures;
        if (frees) { /* malloc: free each object on this (the other) thread */
            for (int j = b->count - 1; j >= 0; j--) ab_free(b->a, b->msgs[j].text, b->msgs[j].len + 1, 1);
            AB_DELETE_ARRAY(b->a, message, b->msgs, b->cap);
        }
        b->msgs = NULL;
        ab_bqueue_push(&p->empty, b); /* arena: the whole batch goes back at once */
    }
    ab_bqueue_close(&p->empty);
    return NULL;
}

static ab_run_result run(void *vin, ab_subject *s) {
    const input *in = (const input *)vin;
    ab_run_result r = {0, (uint64_t)in->pairs * (uint64_t)in->per_pair, 0};
    pair *pairs = (pair *)calloc((size_t)in->pairs, sizeof *pairs); /* harness memory, not the subject's */
    if (pairs == NULL) {
        r.failures = r.items;
        return r;
    }
    pthread_t prod[MAX_PAIRS], cons[MAX_PAIRS];
    bool started[MAX_PAIRS];
    for (int i = 0; i < in->pairs; i++) {
        pair *p = &pairs[i];
        p->in = in;
        p->parent = s;
        p->index = i;
        started[i] = false;
        if (!ab_bqueue_init(&p->full)) continue;
        if (!ab_bqueue_init(&p->empty)) {
            ab_bqueue_destroy(&p->full);
            continue;
        }
        p->queues = true;
        int ready = 0;
        for (int k = 0; k < SLOTS; k++) {
            p->slots[k].s = ab_subject_new_like(s);
            if (p->slots[k].s != NULL) ready += ab_bqueue_push(&p->empty, &p->slots[k]);
        }
        if (ready == 0 || pthread_create(&cons[i], NULL, consumer_main, p) != 0) {
            ab_bqueue_close(&p->full);
            ab_bqueue_close(&p->empty);
            continue;
        }
        if (pthread_create(&prod[i], NULL, producer_main, p) != 0) {
            ab_bqueue_close(&p->full); /* the consumer drains nothing and ends */
            pthread_join(cons[i], NULL);
            continue;
        }
        started[i] = true;
    }
    for (int i = 0; i < in->pairs; i++) {
        pair *p = &pairs[i];
        if (started[i]) {
            pthread_join(prod[i], NULL);
            pthread_join(cons[i], NULL);
        }
        for (int k = 0; k < SLOTS; k++) ab_subject_delete(p->slots[k].s); /* every scope is closed by now */
        r.checksum += p->sum;
        r.failures += p->failures + ((uint64_t)in->per_pair - p->consumed);
        if (p->queues) {
            ab_bqueue_destroy(&p->full);
            ab_bqueue_destroy(&p->empty);
        }
    }
    free(pairs);
    return r;
}

const ab_workload ab_workload_threads_handoff = {
    .name = "threads_handoff",
    .item = "messages",
    .describe = "producer/consumer: responses made on one thread, released on another (malloc: remote free per "
                "object; arena: the whole batch arena handed over, reset by the consumer, returned for reuse); "
                "args (pairs, batch, messages per pair)",
    .accepts = AB_KIND_ALL_GENERAL,
    .args = args,
    .quick_args = quick,
    .setup = setup,
    .run = run,
    .teardown = teardown,
};
