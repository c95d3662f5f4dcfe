/*
 * workloads.c -- THE list of workloads. Adding one is a file in benchmarks/
 * plus one line here.
 *
 * Entries are weak references: a workload whose file is not built (its
 * library is missing, so CMake left it out) is simply absent at run time,
 * and the harness says so in --ab_list.
 */
#include <stdatomic.h>
#include <stdlib.h>

#include "workload.h"

uint64_t ab_workload_seed(void) {
    static _Atomic uint64_t seed; /* 0: not read yet (AB_SEED=0 is stored as the default) */
    uint64_t v = atomic_load_explicit(&seed, memory_order_relaxed);
    if (v == 0) {
        const char *env = getenv("AB_SEED");
        v = (env && *env) ? strtoull(env, NULL, 0) : 0;
        if (v == 0) v = 0x5EEDull;
        atomic_store_explicit(&seed, v, memory_order_relaxed);
    }
    return v;
}

#define WORKLOADS(X)                                                                  \
    X(basic)            X(alloc_sizes)     X(arena_vs_general) X(request_response)    \
    X(batch_reset)      X(nested_scopes)   X(scoped)           X(retained_state)      \
    X(multi_lifetime)   X(stack_arena)     X(pool_churn)       X(avoid_when)          \
    X(locality)         X(reset_cost)                                                  \
    X(sqlite)           X(lua)             X(cjson)            X(expat)               \
    X(zlib)                                                                            \
    X(threads_per_request) X(threads_worker_pool) X(threads_handoff)

#define DECLARE(n) extern const ab_workload ab_workload_##n __attribute__((weak));
WORKLOADS(DECLARE)
#define ENTRY(n) &ab_workload_##n,
const ab_workload *const ab_workloads[] = {WORKLOADS(ENTRY)};
#define NAME(n) #n,
const char *const ab_workload_names[] = {WORKLOADS(NAME)};
const size_t ab_workload_count = sizeof ab_workloads / sizeof *ab_workloads;
