/*
 * workloads.c -- THE list of workloads. Adding one is a file in benchmarks/
 * plus one line here.
 */
#include "workload.h"

#define X(name) extern const ab_workload name;
X(ab_workload_arena_vs_general)
#undef X

const ab_workload *const ab_workloads[] = {
    &ab_workload_arena_vs_general,
    NULL,
};
