/* pool.c -- slab refill and teardown for the pool (see pool.h). */
#include "pool.h"

#define SLAB_HDR ((size_t)sizeof(ab_pool_slab))

bool ab_pool_init(ab_pool *p, ab_allocator backing, size_t obj_size, size_t obj_align) {
    if (obj_size == 0 || !ab_is_pow2(obj_align) || obj_align > AB_MAX_ALIGN || obj_size > AB_MAX_SIZE / 2)
        return false;
    if (obj_align < _Alignof(ab_pool_free_node)) obj_align = _Alignof(ab_pool_free_node);
    if (obj_size < sizeof(ab_pool_free_node)) obj_size = sizeof(ab_pool_free_node);
    p->free_list = NULL;
    p->bump = p->bump_end = NULL;
    p->obj_size = (size_t)ab_align_up(obj_size, obj_align);
    p->obj_align = obj_align;
    p->slabs = NULL;
    p->backing = backing;
    p->next_slab_objects = AB_POOL_FIRST_SLAB_OBJECTS;
    p->slab_count = 0;
    p->reserved = 0;
    p->live = 0;
    p->backing_calls = 0;
    return true;
}

AB_COLD void *ab_pool_alloc_slow(ab_pool *p) {
    size_t n = p->next_slab_objects;
    size_t slab_align = p->obj_align > AB_DEFAULT_ALIGN ? p->obj_align : AB_DEFAULT_ALIGN;
    size_t lead = (size_t)ab_align_up(SLAB_HDR, p->obj_align); /* header, padded */
    ab_pool_slab *s = NULL;
    size_t size = 0;
    while (n >= 1) {
        if (n <= (AB_MAX_SIZE - lead) / p->obj_size) {
            size = lead + n * p->obj_size;
            p->backing_calls++;
            s = (ab_pool_slab *)p->backing.vtable->alloc(p->backing.ctx, size, slab_align);
            if (s != NULL) break;
        }
        n /= 2; /* a bounded backing may still fit a smaller slab */
    }
    if (s == NULL) return NULL;
    s->prev = p->slabs;
    s->size = size;
    p->slabs = s;
    p->slab_count++;
    p->reserved += size;
    p->bump = (char *)s + lead;
    p->bump_end = p->bump + n * p->obj_size;
    ab_track_noaccess(p->bump, n * p->obj_size);
    if (p->next_slab_objects < AB_POOL_MAX_SLAB_OBJECTS) p->next_slab_objects *= 2;
    return ab_pool_alloc(p);
}

void ab_pool_deinit(ab_pool *p) {
    size_t slab_align = p->obj_align > AB_DEFAULT_ALIGN ? p->obj_align : AB_DEFAULT_ALIGN;
    ab_pool_slab *s = p->slabs;
    while (s != NULL) {
        ab_pool_slab *prev = s->prev;
        size_t size = s->size;
        ab_track_undefined(s, size);
        p->backing.vtable->free(p->backing.ctx, s, size, slab_align);
        p->backing_calls++;
        s = prev;
    }
    p->slabs = NULL;
    p->free_list = NULL;
    p->bump = p->bump_end = NULL;
    p->slab_count = 0;
    p->reserved = 0;
    p->live = 0;
    p->next_slab_objects = AB_POOL_FIRST_SLAB_OBJECTS;
}

static void *vt_alloc(void *ctx, size_t size, size_t align) {
    ab_pool *p = (ab_pool *)ctx;
    if (size > p->obj_size || align > p->obj_align) return NULL;
    return ab_pool_alloc(p);
}
static bool vt_resize(void *ctx, void *ptr, size_t old_size, size_t new_size, size_t align) {
    (void)ptr, (void)old_size, (void)align;
    return new_size <= ((ab_pool *)ctx)->obj_size;
}
static void vt_free(void *ctx, void *ptr, size_t size, size_t align) {
    (void)size, (void)align;
    ab_pool_free((ab_pool *)ctx, ptr);
}
static const ab_allocator_vtable pool_vtable = {vt_alloc, vt_resize, NULL, vt_free};

ab_allocator ab_pool_allocator(ab_pool *p) {
    ab_allocator r = {p, &pool_vtable};
    return r;
}
