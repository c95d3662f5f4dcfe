/*
 * mimalloc first-class heaps (<mimalloc.h>, mi_heap_*) behind the contestant
 * interface. Built only into the mimalloc process (CMakeLists.txt), where
 * mimalloc is also the process's malloc.
 *
 * How mi_heap is used, following mimalloc.h and its "Heap Allocation"
 * documentation ("first-class heaps that can be destroyed in one go"):
 *   - every scope, outer or nested, is a heap of its own: mi_heap_new() at
 *     begin, mi_heap_destroy() at end, in both end modes. mi_heap_destroy
 *     "frees all its still allocated blocks ... this can be a very efficient
 *     way to free all heap memory in one go". mimalloc has no "clear but keep
 *     the heap", so AB_END_RESET is a destroy too, and the next begin makes a
 *     new heap (cheap: pages go back to the thread's segments, not the OS);
 *   - allocations: mi_heap_malloc_aligned(heap, size, align), which takes the
 *     ordinary small-object path when a free block happens to be aligned;
 *   - resize: in place when the block already has the room
 *     (new_size <= mi_usable_size(p); mi_expand is the same test but not
 *     heap-specific); remap: mi_heap_realloc_aligned into the scope's heap;
 *     individual frees are no-ops (bulk release with the heap);
 *   - a NULL from mimalloc is passed on as NULL.
 *
 * mimalloc takes its memory from the OS itself, not from params->backing:
 * backing_routed = false. A heap belongs to the thread that made it: a
 * scope must begin, allocate and end on one thread (one state per thread,
 * ab_subject_new_like).
 */
#include <mimalloc.h>
#include <stdlib.h>

#include "workload.h"

#define MAX_DEPTH 16

typedef struct mi_heap_state {
    int depth;
    mi_heap_t *heaps[MAX_DEPTH];
} mi_heap_state;

static void *vt_alloc(void *ctx, size_t size, size_t align) {
    if (AB_UNLIKELY(ctx == NULL)) return NULL; /* the scope's heap could not be made */
    return mi_heap_malloc_aligned((mi_heap_t *)ctx, size, align);
}

static bool vt_resize(void *ctx, void *p, size_t old_size, size_t new_size, size_t align) {
    (void)ctx, (void)old_size, (void)align;
    return new_size <= mi_usable_size(p);
}

static void *vt_remap(void *ctx, void *p, size_t old_size, size_t new_size, size_t align) {
    (void)old_size;
    if (AB_UNLIKELY(ctx == NULL)) return NULL;
    return mi_heap_realloc_aligned((mi_heap_t *)ctx, p, new_size, align);
}

static void vt_free(void *ctx, void *p, size_t size, size_t align) {
    (void)ctx, (void)p, (void)size, (void)align; /* released with the heap */
}

static const ab_allocator_vtable mi_heap_vtable = {vt_alloc, vt_resize, vt_remap, vt_free};

static void *create(const ab_subject_params *p) {
    (void)p; /* mimalloc maps its own memory */
    return calloc(1, sizeof(mi_heap_state));
}

static ab_allocator begin(void *st) {
    mi_heap_state *s = (mi_heap_state *)st;
    if (s->depth >= MAX_DEPTH) abort(); /* the harness stops deeper nesting first */
    int d = s->depth++;
    s->heaps[d] = mi_heap_new();
    ab_allocator a = {s->heaps[d], &mi_heap_vtable};
    return a;
}

static void end(void *st, ab_scope_end_mode mode) {
    (void)mode; /* no way to empty a heap but keep it: both modes destroy */
    mi_heap_state *s = (mi_heap_state *)st;
    int d = --s->depth;
    if (s->heaps[d] != NULL) mi_heap_destroy(s->heaps[d]);
    s->heaps[d] = NULL;
}

static void destroy(void *st) {
    mi_heap_state *s = (mi_heap_state *)st;
    while (s->depth > 0) end(s, AB_END_DESTROY);
    free(s);
}

const ab_contestant ab_contestant_mi_heap = {
    .name = "mi_heap",
    .kind = AB_KIND_LIBRARY,
    .describe = "mimalloc first-class heaps: mi_heap_new per scope, mi_heap_malloc_aligned, mi_heap_destroy at scope end",
    .create = create, .begin = begin, .end = end, .destroy = destroy,
    .backing_routed = false,
};
