/* The pool (allocators/pool.h) over the process's malloc, with the object
 * size the workload declares; the workload frees every object. */
#include <stdlib.h>

#include "pool.h"
#include "workload.h"

static void *create(const ab_subject_params *p) {
    if (p->pool_object_size == 0) return NULL;
    ab_pool *pool = (ab_pool *)malloc(sizeof *pool);
    if (pool && !ab_pool_init(pool, p->backing, p->pool_object_size, p->pool_object_align)) {
        free(pool);
        return NULL;
    }
    return pool;
}
static ab_allocator begin(void *st) { return ab_pool_allocator((ab_pool *)st); }
static void end(void *st, ab_scope_end_mode mode) { (void)st, (void)mode; }
static void destroy(void *st) {
    ab_pool_deinit((ab_pool *)st);
    free(st);
}

const ab_contestant ab_contestant_pool = {
    .name = "pool",
    .kind = AB_KIND_POOL,
    .describe = "fixed-size object pool over the process's malloc (slabs + intrusive free list)",
    .create = create, .begin = begin, .end = end, .destroy = destroy,
    .backing_routed = true,
};
