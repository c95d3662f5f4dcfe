/*
 * pool.h -- fixed-size objects from slabs, with an intrusive free list.
 *
 * Every object has the same size and alignment, fixed at init. Slabs come
 * from a backing allocator (the first holds AB_POOL_FIRST_SLAB_OBJECTS
 * objects, each next one twice as many, up to AB_POOL_MAX_SLAB_OBJECTS).
 * Alloc pops the free list, else bumps into the newest slab (so a new slab
 * is touched only as it is used); free pushes onto the free list. Both O(1).
 * Memory is returned to the backing only by deinit (every slab).
 *
 * Through the common interface a request must fit the object size and
 * alignment, else it fails with NULL.
 */
#ifndef AB_POOL_H
#define AB_POOL_H

#include <assert.h>

#include "allocator.h"
#include "track.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AB_POOL_FIRST_SLAB_OBJECTS 64
#define AB_POOL_MAX_SLAB_OBJECTS 65536

typedef struct ab_pool_free_node { struct ab_pool_free_node *next; } ab_pool_free_node;

typedef struct ab_pool_slab {
    struct ab_pool_slab *prev;
    size_t size; /**< bytes obtained from the backing, header included */
} ab_pool_slab;

typedef struct ab_pool {
    ab_pool_free_node *free_list;
    char *bump;          /**< next never-used object in the newest slab */
    char *bump_end;
    size_t obj_size;     /**< rounded up to obj_align and to a pointer */
    size_t obj_align;
    ab_pool_slab *slabs; /**< newest first */
    ab_allocator backing;
    size_t next_slab_objects;
    size_t slab_count;
    size_t reserved;     /**< bytes of all slabs */
    size_t live;         /**< objects handed out and not freed */
    size_t backing_calls;
} ab_pool;

/** False if size is 0 or align is not a power of two <= AB_MAX_ALIGN. */
bool ab_pool_init(ab_pool *p, ab_allocator backing, size_t obj_size, size_t obj_align);

void *ab_pool_alloc_slow(ab_pool *p);

/** One object, or NULL if the backing allocator fails. */
static inline void *ab_pool_alloc(ab_pool *p) {
    ab_pool_free_node *n = p->free_list;
    if (AB_LIKELY(n != NULL)) {
        /* A free object is no-access as a whole, its link included: make the
         * link readable (and defined, for valgrind) just to pop it. */
        ab_track_defined(n, sizeof *n);
        p->free_list = n->next;
        ab_track_undefined(n, p->obj_size);
        p->live++;
        return n;
    }
    if (AB_LIKELY(p->bump != p->bump_end)) {
        void *r = p->bump;
        p->bump += p->obj_size;
        ab_track_undefined(r, p->obj_size);
        p->live++;
        return r;
    }
    return ab_pool_alloc_slow(p);
}

/** Returns obj (from this pool) to the free list. NULL is a no-op. */
static inline void ab_pool_free(ab_pool *p, void *obj) {
    if (obj == NULL) return;
    assert(p->live > 0);
    ab_pool_free_node *n = (ab_pool_free_node *)obj;
    n->next = p->free_list;
    p->free_list = n;
    p->live--;
    ab_track_noaccess(obj, p->obj_size); /* every byte, so a write through a stale pointer is caught */
}

/** Returns every slab to the backing allocator. */
void ab_pool_deinit(ab_pool *p);

ab_allocator ab_pool_allocator(ab_pool *p);

#ifdef __cplusplus
}
#endif
#endif /* AB_POOL_H */
