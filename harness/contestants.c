/*
 * contestants.c -- THE list of allocators under test. Adding one is a file
 * under harness/contestants/ plus one line here.
 *
 * Entries are weak references: a contestant whose file is not built in this
 * process (its library is missing, or mi_heap outside the mimalloc process)
 * is absent, and --ab_list says so.
 */
#include "workload.h"

#define CONTESTANTS(X)                                                    \
    X(malloc) X(arena) X(arena_direct) X(arena_direct_cached)             \
    X(arena_free_all) X(arena_new) X(arena_limit) X(stack_arena) X(pool)  \
    X(bump_floor)                                                         \
    X(obstack) X(apr) X(talloc) X(mi_heap)

#define DECLARE(n) extern const ab_contestant ab_contestant_##n __attribute__((weak));
CONTESTANTS(DECLARE)
#define ENTRY(n) &ab_contestant_##n,
const ab_contestant *const ab_contestants[] = {CONTESTANTS(ENTRY)};
#define NAME(n) #n,
const char *const ab_contestant_names[] = {CONTESTANTS(NAME)};
const size_t ab_contestant_count = sizeof ab_contestants / sizeof *ab_contestants;
