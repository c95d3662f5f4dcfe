/*
 * talloc (Samba's hierarchical allocator, <talloc.h>) behind the contestant
 * interface.
 *
 * How talloc is used, following talloc.h:
 *   - outer scope: a talloc_pool(NULL, 64 KiB), the optimisation talloc.h
 *     describes for "a request/response protocol where we have to allocate a
 *     certain amount of memory per request and free that after the ... reply
 *     is sent": children of the pool, and their children, are carved out of
 *     it by incrementing a pointer, and when it is full "it will create a new
 *     talloc chunk as if the parent was a normal talloc context" (malloc);
 *   - AB_END_RESET = talloc_free_children(pool): "If you talloc_free()
 *     children of a talloc pool, the memory is not given back to the system",
 *     and once only the pool is left talloc rewinds it to its start, so the
 *     next request reuses the 64 KiB (the reset that retains capacity);
 *     AB_END_DESTROY = talloc_free(pool) (everything, pool included); the
 *     next begin makes a new pool;
 *   - nested scope: talloc_new(parent scope's context), the usual temporary
 *     context (its children also come from the pool), talloc_free at its end;
 *     freeing the newest chunks of a pool rewinds the pool;
 *   - allocations: talloc_size(ctx, size); remap: talloc_realloc_size (in
 *     place when it can, within the pool when there is room, else malloc);
 *     resize shrinks in place and never grows; individual frees are no-ops
 *     (released with the context, as the workloads do with every arena);
 *   - alignment: talloc chunks carry a header rounded to 16 bytes and pools
 *     hand out 16-byte multiples (TC_ALIGN16), so results are 16-aligned;
 *     a larger alignment over-allocates by the difference and aligns up;
 *   - talloc refuses sizes from MAX_TALLOC_SIZE (256 MiB) up: NULL.
 *
 * talloc calls malloc itself, not params->backing: backing_routed = false.
 * talloc is not thread-safe per hierarchy; each state (one per thread) has
 * its own and never uses the NULL context's tracking.
 */
#include <stdlib.h>
#include <talloc.h>

#include "workload.h"

#define MAX_DEPTH 16
#define POOL_SIZE ((size_t)64 << 10)
#define TALLOC_OWN_ALIGN ((size_t)16)

typedef struct talloc_state {
    int depth;
    void *ctx[MAX_DEPTH]; /* ctx[0] is the pool; it survives AB_END_RESET */
} talloc_state;

static void *vt_alloc(void *ctx, size_t size, size_t align) {
    if (AB_UNLIKELY(ctx == NULL)) return NULL; /* the scope's context could not be made */
    size_t extra = align > TALLOC_OWN_ALIGN ? align - TALLOC_OWN_ALIGN : 0;
    char *p = (char *)talloc_size(ctx, size + extra);
    if (p == NULL) return NULL;
    return extra ? (void *)ab_align_up((uintptr_t)p, align) : (void *)p;
}

static bool vt_resize(void *ctx, void *p, size_t old_size, size_t new_size, size_t align) {
    (void)ctx, (void)p, (void)align;
    return new_size <= old_size;
}

static void *vt_remap(void *ctx, void *p, size_t old_size, size_t new_size, size_t align) {
    if (align <= TALLOC_OWN_ALIGN) return talloc_realloc_size(ctx, p, new_size);
    /* p is inside an over-aligned chunk, not a talloc pointer: move it. */
    void *q = vt_alloc(ctx, new_size, align);
    if (q != NULL) memcpy(q, p, old_size < new_size ? old_size : new_size);
    return q;
}

static void vt_free(void *ctx, void *p, size_t size, size_t align) {
    (void)ctx, (void)p, (void)size, (void)align; /* released with the context */
}

static const ab_allocator_vtable talloc_vtable = {vt_alloc, vt_resize, vt_remap, vt_free};

static void *create(const ab_subject_params *p) {
    (void)p; /* talloc allocates with malloc itself */
    return calloc(1, sizeof(talloc_state));
}

static ab_allocator begin(void *st) {
    talloc_state *s = (talloc_state *)st;
    if (s->depth >= MAX_DEPTH) abort(); /* the harness stops deeper nesting first */
    int d = s->depth++;
    if (d == 0) {
        if (s->ctx[0] == NULL) s->ctx[0] = talloc_pool(NULL, POOL_SIZE);
    } else {
        /* A failed parent leaves the nested scope failed too (NULL would be talloc's root). */
        s->ctx[d] = s->ctx[d - 1] != NULL ? talloc_new(s->ctx[d - 1]) : NULL;
    }
    ab_allocator a = {s->ctx[d], &talloc_vtable};
    return a;
}

static void end(void *st, ab_scope_end_mode mode) {
    talloc_state *s = (talloc_state *)st;
    int d = --s->depth;
    if (s->ctx[d] == NULL) return;
    if (d == 0 && mode == AB_END_RESET) {
        talloc_free_children(s->ctx[0]);
    } else {
        talloc_free(s->ctx[d]);
        s->ctx[d] = NULL;
    }
}

static void destroy(void *st) {
    talloc_state *s = (talloc_state *)st;
    while (s->depth > 0) end(s, AB_END_DESTROY);
    if (s->ctx[0] != NULL) talloc_free(s->ctx[0]);
    free(s);
}

const ab_contestant ab_contestant_talloc = {
    .name = "talloc",
    .kind = AB_KIND_LIBRARY,
    .describe = "talloc (Samba): a 64 KiB talloc_pool per request, talloc_new for nested scopes, talloc_free_children / talloc_free",
    .create = create, .begin = begin, .end = end, .destroy = destroy,
    .backing_routed = false,
};
