/* block_cache.c -- see block_cache.h. */
#include "block_cache.h"

#include <assert.h>

#include "track.h"

void ab_block_cache_init(ab_block_cache *c, ab_allocator backing, size_t max_bytes) {
    assert(c != NULL && backing.vtable != NULL);
    memset(c, 0, sizeof *c);
    c->backing = backing;
    c->max_bytes = max_bytes;
}

static void *bc_alloc(void *ctx, size_t size, size_t align) {
    ab_block_cache *c = (ab_block_cache *)ctx;
    /* newest first: the block freed last is the warmest */
    for (size_t i = c->count; i-- > 0;) {
        ab_block_cache_slot s = c->slot[i];
        if (s.size != size || s.align != align) continue;
        for (size_t j = i + 1; j < c->count; j++) c->slot[j - 1] = c->slot[j];
        c->count--;
        c->bytes -= size;
        c->hits++;
        ab_track_undefined(s.p, size);
        return s.p;
    }
    c->backing_calls++;
    return c->backing.vtable->alloc(c->backing.ctx, size, align);
}

static void backing_free(ab_block_cache *c, void *p, size_t size, size_t align) {
    c->backing_calls++;
    c->backing.vtable->free(c->backing.ctx, p, size, align);
}

static void bc_free(void *ctx, void *p, size_t size, size_t align) {
    ab_block_cache *c = (ab_block_cache *)ctx;
    if (p == NULL || size == 0) return;
    if (c->count == AB_BLOCK_CACHE_SLOTS || size > c->max_bytes - c->bytes) {
        backing_free(c, p, size, align);
        return;
    }
    ab_block_cache_slot s = {p, size, align};
    c->slot[c->count++] = s;
    c->bytes += size;
    ab_track_noaccess(p, size); /* a use after the owner freed it is caught */
}

/* A block in use belongs to the backing: resize is the backing's. */
static bool bc_resize(void *ctx, void *p, size_t old_size, size_t new_size, size_t align) {
    ab_block_cache *c = (ab_block_cache *)ctx;
    return c->backing.vtable->resize(c->backing.ctx, p, old_size, new_size, align);
}

void ab_block_cache_trim(ab_block_cache *c) {
    while (c->count > 0) {
        ab_block_cache_slot s = c->slot[--c->count];
        ab_track_undefined(s.p, s.size); /* hand the bytes back as they came */
        backing_free(c, s.p, s.size, s.align);
    }
    c->bytes = 0;
}

void ab_block_cache_deinit(ab_block_cache *c) { ab_block_cache_trim(c); }

static const ab_allocator_vtable block_cache_vtable = {bc_alloc, bc_resize, NULL, bc_free};

ab_allocator ab_block_cache_allocator(ab_block_cache *c) {
    ab_allocator a = {c, &block_cache_vtable};
    return a;
}

void ab_block_cache_get_stats(const ab_block_cache *c, ab_block_cache_stats *out) {
    out->blocks_kept = c->count;
    out->bytes_kept = c->bytes;
    out->hits = c->hits;
    out->backing_calls = c->backing_calls;
}
