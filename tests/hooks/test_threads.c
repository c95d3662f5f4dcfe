/*
 * test_threads.c -- the threaded workloads and the hook workloads through the
 * harness's real subjects and contestants, without Google Benchmark: the
 * driver for the ThreadSanitizer (and ASan) runs, where the benchmark
 * processes refuse to start because the sanitizer's malloc is not one they
 * can identify.
 *
 * For each workload (threads_per_request, threads_worker_pool,
 * threads_handoff, sqlite, lua, cjson, expat, zlib) x each contestant the
 * harness would pair it with x each quick argument set:
 *   - a counting subject runs it twice (as the harness's stats pass): same
 *     checksum, no failures, nothing left held from the backing;
 *   - a plain subject runs it once more: same checksum;
 *   - the checksum equals the malloc contestant's.
 * And for the five hook workloads: two threads run the same workload at
 * once, each on its own subject (the process-global SQLite/cJSON hooks
 * forward to a per-thread "current" allocator): same checksums.
 *
 * Build and run: tests/hooks/run_threads.sh [-fsanitize=thread | -fsanitize=address,undefined].
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "../c/check.h"
#include "subject.h"
#include "workload.h"

extern const ab_workload ab_workload_threads_per_request, ab_workload_threads_worker_pool,
    ab_workload_threads_handoff, ab_workload_sqlite, ab_workload_lua, ab_workload_cjson, ab_workload_expat,
    ab_workload_zlib;

static const ab_workload *const threaded[] = {&ab_workload_threads_per_request, &ab_workload_threads_worker_pool,
                                              &ab_workload_threads_handoff};
static const ab_workload *const hooked[] = {&ab_workload_sqlite, &ab_workload_lua, &ab_workload_cjson,
                                            &ab_workload_expat, &ab_workload_zlib};

/* The harness's pairing rule (harness/main.cc, accepts). */
static bool accepts(const ab_workload *w, const ab_contestant *c) {
    if (c->available && !c->available()) return false;
    if (c->kind & AB_KIND_VARIANT) return (w->accepts & AB_KIND_VARIANT) != 0;
    if ((c->kind & AB_KIND_POOL) && w->pool_object_size == 0) return false;
    return (c->kind & w->accepts) != 0;
}

static const ab_workload *cur_w;

static void t_all_contestants(void) {
    const ab_workload *w = cur_w;
    for (int ai = 0; w->quick_args[ai].n > 0; ai++) {
        void *in = w->setup(&w->quick_args[ai]);
        REQUIRE_TRUE(in != NULL);
        uint64_t want = 0;
        bool have_want = false;
        for (size_t ci = 0; ci < ab_contestant_count; ci++) {
            const ab_contestant *c = ab_contestants[ci];
            if (c == NULL || !accepts(w, c)) continue;
            ab_subject *cs = ab_subject_create(c, w, true);
            if (cs == NULL) {
                EXPECT_MSG(false, "%s: could not create %s", w->name, c->name);
                continue;
            }
            ab_run_result a = w->run(in, cs);
            ab_run_result b = w->run(in, cs);
            uint64_t leaked = ab_subject_destroy(cs);
            EXPECT_MSG(a.checksum == b.checksum, "%s/%s: two runs differ", w->name, c->name);
            EXPECT_MSG(a.failures == 0 && b.failures == 0, "%s/%s: %llu failures", w->name, c->name,
                       (unsigned long long)(a.failures + b.failures));
            EXPECT_MSG(a.items > 0, "%s/%s: no items", w->name, c->name);
            if (c->backing_routed)
                EXPECT_MSG(leaked == 0, "%s/%s: %llu bytes still held", w->name, c->name, (unsigned long long)leaked);
            ab_subject *s = ab_subject_create(c, w, false);
            REQUIRE_TRUE(s != NULL);
            ab_run_result t = w->run(in, s);
            ab_subject_destroy(s);
            EXPECT_MSG(t.checksum == a.checksum, "%s/%s: the plain subject differs", w->name, c->name);
            if (!have_want) {
                want = a.checksum;
                have_want = true;
            }
            EXPECT_MSG(a.checksum == want, "%s/%s: checksum differs from %s's", w->name, c->name,
                       ab_contestants[0] ? ab_contestants[0]->name : "the first contestant");
        }
        EXPECT_TRUE(have_want);
        w->teardown(in);
    }
}

typedef struct concurrent {
    const ab_workload *w;
    const ab_contestant *c;
    void *in;
    ab_run_result r[2];
    uint64_t leaked;
} concurrent;

static void *concurrent_main(void *arg) {
    concurrent *k = (concurrent *)arg;
    ab_subject *s = ab_subject_create(k->c, k->w, true);
    if (s == NULL) return NULL;
    k->r[0] = k->w->run(k->in, s);
    k->r[1] = k->w->run(k->in, s);
    k->leaked = ab_subject_destroy(s);
    return NULL;
}

/* Two threads run the same hook workload at once, malloc and arena. */
static void t_concurrent(void) {
    const ab_workload *w = cur_w;
    static const char *const names[] = {"malloc", "arena"};
    void *in = w->setup(&w->quick_args[0]);
    REQUIRE_TRUE(in != NULL);
    uint64_t want = 0;
    for (size_t ni = 0; ni < 2; ni++) {
        const ab_contestant *c = NULL;
        for (size_t ci = 0; ci < ab_contestant_count; ci++)
            if (ab_contestants[ci] && strcmp(ab_contestants[ci]->name, names[ni]) == 0) c = ab_contestants[ci];
        REQUIRE_TRUE(c != NULL);
        ab_subject *ref = ab_subject_create(c, w, false);
        REQUIRE_TRUE(ref != NULL);
        ab_run_result one = w->run(in, ref);
        ab_subject_destroy(ref);
        if (ni == 0) want = one.checksum;
        EXPECT_U64_EQ(one.checksum, want);
        concurrent k[2];
        pthread_t tid[2];
        for (int t = 0; t < 2; t++) {
            memset(&k[t], 0, sizeof k[t]);
            k[t].w = w;
            k[t].c = c;
            k[t].in = in;
            REQUIRE_TRUE(pthread_create(&tid[t], NULL, concurrent_main, &k[t]) == 0);
        }
        for (int t = 0; t < 2; t++) pthread_join(tid[t], NULL);
        for (int t = 0; t < 2; t++) {
            EXPECT_U64_EQ(k[t].r[0].checksum, want);
            EXPECT_U64_EQ(k[t].r[1].checksum, want);
            EXPECT_U64_EQ(k[t].r[0].failures + k[t].r[1].failures, 0);
            EXPECT_U64_EQ(k[t].leaked, 0);
        }
    }
    w->teardown(in);
}

int main(int argc, char **argv) {
    CK_INIT(argc, argv);
    char name[96];
    for (size_t i = 0; i < sizeof threaded / sizeof *threaded; i++) {
        cur_w = threaded[i];
        snprintf(name, sizeof name, "%s/all_contestants", cur_w->name);
        CK_RUN(name, t_all_contestants);
    }
    for (size_t i = 0; i < sizeof hooked / sizeof *hooked; i++) {
        cur_w = hooked[i];
        snprintf(name, sizeof name, "%s/all_contestants", cur_w->name);
        CK_RUN(name, t_all_contestants);
        snprintf(name, sizeof name, "%s/two_threads_at_once", cur_w->name);
        CK_RUN(name, t_concurrent);
    }
    return CK_DONE();
}
