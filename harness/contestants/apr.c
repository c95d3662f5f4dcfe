/*
 * Apache Portable Runtime pools (libapr1, <apr_pools.h>) behind the
 * contestant interface.
 *
 * How APR is used, following apr_general.h / apr_pools.h / apr_allocator.h
 * and the way httpd's worker MPM sets up its per-thread pools:
 *   - apr_initialize() once per process (pthread_once), with
 *     atexit(apr_terminate) as apr_general.h suggests;
 *   - per state (one per thread: ab_subject_new_like) an apr_allocator_t of
 *     its own and a root pool that owns it (apr_pool_create_ex with the
 *     allocator, then apr_allocator_owner_set), as httpd does for each worker
 *     thread's transaction pool: the pools below it then take memory nodes
 *     from an allocator with no mutex instead of the global allocator, which
 *     in a threaded APR is shared and locked;
 *   - outer scope: a sub-pool of the root (apr_pool_create(&p, root)), like
 *     httpd's request pool; AB_END_RESET = apr_pool_clear ("does not
 *     actually free the memory, it just allows the pool to re-use this memory
 *     for the next allocation"), AB_END_DESTROY = apr_pool_destroy (its nodes
 *     go back to the allocator's free list); the next begin creates a pool;
 *   - nested scope: apr_pool_create(&child, parent scope's pool), destroyed at
 *     its end (apr_pool_destroy);
 *   - allocations: apr_palloc, which returns NULL when memory runs out and
 *     the pool has no abort function (none is set here); individual frees
 *     are no-ops (APR has none); resize shrinks in place, never grows (no
 *     realloc in APR pools).
 *   - alignment: apr_palloc rounds every size to APR_ALIGN_DEFAULT (8) and
 *     nodes start 8-aligned, so results are 8-aligned; a larger alignment
 *     over-allocates by the difference and aligns up.
 *
 * APR takes its nodes (8 KiB and up) from malloc through its allocator, not
 * from params->backing: backing_routed = false. The allocator keeps freed
 * nodes (max_free is unlimited by default) until the root pool, its owner,
 * is destroyed with the state.
 */
#include <apr_allocator.h>
#include <apr_general.h>
#include <apr_pools.h>
#include <pthread.h>
#include <stdlib.h>

#include "workload.h"

#define MAX_DEPTH 16
#define APR_OWN_ALIGN ((size_t)8) /* APR_ALIGN_DEFAULT */

typedef struct apr_state {
    apr_pool_t *root; /* owns the allocator */
    int depth;
    apr_pool_t *pools[MAX_DEPTH]; /* pools[0] survives AB_END_RESET */
} apr_state;

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static apr_status_t init_status = APR_EGENERAL;

static void init_apr(void) {
    init_status = apr_initialize();
    if (init_status == APR_SUCCESS) atexit(apr_terminate);
}

static void *vt_alloc(void *ctx, size_t size, size_t align) {
    apr_pool_t *pool = (apr_pool_t *)ctx;
    if (AB_UNLIKELY(pool == NULL)) return NULL; /* the scope's pool could not be created */
    size_t extra = align > APR_OWN_ALIGN ? align - APR_OWN_ALIGN : 0;
    char *p = (char *)apr_palloc(pool, (apr_size_t)(size + extra)); /* size <= AB_MAX_SIZE: no overflow */
    if (p == NULL) return NULL;
    return extra ? (void *)ab_align_up((uintptr_t)p, align) : (void *)p;
}

static bool vt_resize(void *ctx, void *p, size_t old_size, size_t new_size, size_t align) {
    (void)ctx, (void)p, (void)align;
    return new_size <= old_size;
}

static void vt_free(void *ctx, void *p, size_t size, size_t align) {
    (void)ctx, (void)p, (void)size, (void)align; /* released with the pool */
}

static const ab_allocator_vtable apr_vtable = {vt_alloc, vt_resize, NULL, vt_free};

static void *create(const ab_subject_params *p) {
    (void)p; /* APR allocates through its own allocator (malloc) */
    pthread_once(&init_once, init_apr);
    if (init_status != APR_SUCCESS) return NULL;
    apr_state *s = (apr_state *)calloc(1, sizeof *s);
    if (s == NULL) return NULL;
    apr_allocator_t *alloc = NULL;
    if (apr_allocator_create(&alloc) != APR_SUCCESS) {
        free(s);
        return NULL;
    }
    if (apr_pool_create_ex(&s->root, NULL, NULL, alloc) != APR_SUCCESS) {
        apr_allocator_destroy(alloc);
        free(s);
        return NULL;
    }
    apr_allocator_owner_set(alloc, s->root); /* destroyed with the root pool */
    return s;
}

static ab_allocator begin(void *st) {
    apr_state *s = (apr_state *)st;
    if (s->depth >= MAX_DEPTH) abort(); /* the harness stops deeper nesting first */
    int d = s->depth++;
    apr_pool_t *parent = d == 0 ? s->root : s->pools[d - 1];
    if (s->pools[d] == NULL && parent != NULL && apr_pool_create(&s->pools[d], parent) != APR_SUCCESS)
        s->pools[d] = NULL;
    ab_allocator a = {s->pools[d], &apr_vtable};
    return a;
}

static void end(void *st, ab_scope_end_mode mode) {
    apr_state *s = (apr_state *)st;
    int d = --s->depth;
    apr_pool_t *pool = s->pools[d];
    if (pool == NULL) return;
    if (d == 0 && mode == AB_END_RESET) {
        apr_pool_clear(pool);
    } else {
        apr_pool_destroy(pool);
        s->pools[d] = NULL;
    }
}

static void destroy(void *st) {
    apr_state *s = (apr_state *)st;
    while (s->depth > 0) end(s, AB_END_DESTROY);
    if (s->pools[0] != NULL) apr_pool_destroy(s->pools[0]);
    apr_pool_destroy(s->root); /* and, as its owner, the allocator */
    free(s);
}

const ab_contestant ab_contestant_apr = {
    .name = "apr",
    .kind = AB_KIND_LIBRARY,
    .describe = "APR pools (libapr1): a sub-pool per scope on a per-thread allocator; apr_pool_clear / apr_pool_destroy",
    .create = create, .begin = begin, .end = end, .destroy = destroy,
    .backing_routed = false,
};
