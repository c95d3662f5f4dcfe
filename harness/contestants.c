/*
 * contestants.c -- THE list of allocators under test. Adding one is a file
 * under harness/contestants/ plus one line here (and one in CMakeLists.txt
 * if it needs a library). Optional libraries are compiled in only when
 * CMake found them (AB_HAVE_*).
 */
#include "workload.h"

#define X(name) extern const ab_contestant name;
X(ab_contestant_malloc)
X(ab_contestant_arena)
X(ab_contestant_arena_direct)
X(ab_contestant_arena_free_all)
X(ab_contestant_arena_new)
X(ab_contestant_arena_limit)
X(ab_contestant_stack_arena)
X(ab_contestant_pool)
X(ab_contestant_bump_floor)
X(ab_contestant_obstack)
X(ab_contestant_apr)
X(ab_contestant_talloc)
X(ab_contestant_mi_heap)
#undef X

const ab_contestant *const ab_contestants[] = {
    &ab_contestant_malloc,
    &ab_contestant_arena,
    &ab_contestant_arena_direct,
    &ab_contestant_arena_free_all,
    &ab_contestant_arena_new,
    &ab_contestant_arena_limit,
    &ab_contestant_stack_arena,
    &ab_contestant_pool,
    &ab_contestant_bump_floor,
#ifdef AB_HAVE_OBSTACK
    &ab_contestant_obstack,
#endif
#ifdef AB_HAVE_APR
    &ab_contestant_apr,
#endif
#ifdef AB_HAVE_TALLOC
    &ab_contestant_talloc,
#endif
#ifdef AB_HAVE_MI_HEAP
    &ab_contestant_mi_heap,
#endif
    NULL,
};
