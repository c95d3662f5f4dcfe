/* The physical floor: a marker contestant. Workloads that accept
 * AB_KIND_FLOOR (alloc_sizes) then bump a pointer by hand, inline, over one
 * pre-faulted buffer they own -- the least any allocator can cost. */
#include "workload.h"

static int token;
static void *create(const ab_subject_params *p) { (void)p; return &token; }
static ab_allocator begin(void *st) { (void)st; return ab_malloc_allocator(); }
static void end(void *st, ab_scope_end_mode mode) { (void)st, (void)mode; }
static void destroy(void *st) { (void)st; }

const ab_contestant ab_contestant_bump_floor = {
    .name = "bump_floor",
    .kind = AB_KIND_FLOOR,
    .describe = "hand-inlined bump pointer over one pre-faulted buffer: the physical floor",
    .create = create, .begin = begin, .end = end, .destroy = destroy,
    .backing_routed = false,
};
