/*
 * arena.c -- the cold half of the arena: block refill, reset, deinit.
 * The hot half (ab_arena_alloc) is static inline in arena.h.
 */
#include "arena.h"

#include <assert.h>

#include "track.h"

/* Overheads the report cites from the code: 16 B per block on 64-bit. */
_Static_assert(sizeof(ab_arena_block) == 2 * sizeof(void *), "block header is two words");
_Static_assert(_Alignof(max_align_t) >= _Alignof(ab_arena_block), "blocks are malloc-aligned");

/* Blocks are requested with the default alignment; data starts after the header. */
#define BLOCK_ALIGN AB_DEFAULT_ALIGN
#define HDR ((size_t)sizeof(ab_arena_block))
/* The alignment the data area is guaranteed to start with: BLOCK_ALIGN when
 * the header is a multiple of it (64-bit), else the header's own (8 on i386,
 * where max_align_t is 16 but the header is 8). */
#define DATA_ALIGN (HDR % BLOCK_ALIGN == 0 ? BLOCK_ALIGN : (HDR & (0 - HDR)))
_Static_assert(sizeof(ab_arena_block) % _Alignof(max_align_t) == 0 || sizeof(void *) == 4,
               "data after the header keeps the default alignment");

/* Every block size is a multiple of BLOCK_ALIGN. A block then ends where the
 * next one from a bump backing (a fixed buffer, a parent arena) starts, with
 * no padding between them, so freeing the blocks newest first rewinds that
 * backing all the way back: a stack-backed arena gets its whole buffer back
 * on reset, and a parent its bytes on the child's deinit. */
static inline size_t round_down_block(size_t n) { return n & ~(BLOCK_ALIGN - 1); }

static inline char *block_data(ab_arena_block *b) { return (char *)(b + 1); }

void ab_arena_init_sized(ab_arena *a, ab_allocator backing, size_t first_block_size) {
    assert(a != NULL && backing.vtable != NULL);
    if (first_block_size < 64) first_block_size = 64;
    first_block_size = round_down_block(first_block_size);
    a->ptr = AB_ARENA_EMPTY_PTR;
    a->end = NULL;
    a->head = NULL;
    a->backing = backing;
    a->reserved = 0;
    a->used_before = 0;
    a->first_block_size = first_block_size;
    a->next_block_size = first_block_size;
    a->backing_calls = 0;
    a->block_count = 0;
}

void ab_arena_init(ab_arena *a, ab_allocator backing) {
    ab_arena_init_sized(a, backing, AB_ARENA_FIRST_BLOCK);
}

/* Makes b (size bytes) the current block, its data area not yet handed out. */
static void push_block(ab_arena *a, ab_arena_block *b, size_t size) {
    if (a->head != NULL) a->used_before += (size_t)(a->ptr - block_data(a->head));
    b->prev = a->head;
    b->size = size;
    a->head = b;
    a->ptr = block_data(b);
    a->end = (char *)b + size;
    a->reserved += size;
    a->block_count++;
    ab_track_noaccess(a->ptr, (size_t)(a->end - a->ptr));
}

static ab_arena_block *backing_alloc(ab_arena *a, size_t size) {
    a->backing_calls++;
    return (ab_arena_block *)a->backing.vtable->alloc(a->backing.ctx, size, BLOCK_ALIGN);
}

AB_COLD void *ab_arena_alloc_slow(ab_arena *a, size_t size, size_t align) {
    assert(ab_request_ok(size, align));
    if (size == 0) return AB_ZERO_SIZE_PTR(align);
    /* Worst case: header, alignment padding beyond the data's own, the bytes;
     * rounded up to a whole block size (cannot overflow: size <= AB_MAX_SIZE). */
    size_t needed = HDR + size + (align > DATA_ALIGN ? align - DATA_ALIGN : 0);
    needed = round_down_block(needed + BLOCK_ALIGN - 1);
    size_t want = a->next_block_size > needed ? a->next_block_size : needed;
    ab_arena_block *b = backing_alloc(a, want);
    if (b == NULL && want > needed) {
        /* The backing may be bounded (a fixed buffer): try the least that works. */
        want = needed;
        b = backing_alloc(a, want);
    }
    if (b == NULL) return NULL; /* the arena is unchanged and still usable */
    if (want == a->next_block_size && a->next_block_size < AB_ARENA_MAX_GROWTH)
        a->next_block_size *= 2;
    push_block(a, b, want);
    void *p = ab_arena_alloc(a, size, align);
    assert(p != NULL);
    return p;
}

void ab_arena_free(ab_arena *a, void *p, size_t size) {
    if (p == NULL || size == 0) return;
    if ((char *)p + size == a->ptr) { /* the most recent allocation: rewind */
        a->ptr = (char *)p;
        ab_track_noaccess(p, size);
    }
}

bool ab_arena_resize(ab_arena *a, void *p, size_t old_size, size_t new_size) {
    char *c = (char *)p;
    bool last = c + old_size == a->ptr;
    if (new_size <= old_size) {
        if (last) {
            a->ptr = c + new_size;
            ab_track_noaccess(c + new_size, old_size - new_size);
        }
        return true;
    }
    if (last && new_size <= (size_t)(a->end - c)) {
        a->ptr = c + new_size;
        ab_track_undefined(c + old_size, new_size - old_size);
        return true;
    }
    return false;
}

/* Returns every block to the backing allocator, newest first, so that a
 * parent arena (or a fixed buffer) can rewind each one. */
static void free_blocks(ab_arena *a) {
    ab_arena_block *b = a->head;
    while (b != NULL) {
        ab_arena_block *prev = b->prev;
        size_t size = b->size;
        ab_track_undefined(b, size); /* hand the bytes back as they came */
        a->backing.vtable->free(a->backing.ctx, b, size, BLOCK_ALIGN);
        a->backing_calls++;
        b = prev;
    }
    a->head = NULL;
    a->ptr = AB_ARENA_EMPTY_PTR;
    a->end = NULL;
    a->reserved = 0;
    a->used_before = 0;
    a->block_count = 0;
}

bool ab_arena_reset_with_limit(ab_arena *a, size_t limit) {
    size_t keep = round_down_block(a->reserved < limit ? a->reserved : limit);
    if (keep < HDR + 64) { /* nothing worth keeping */
        free_blocks(a);
        a->next_block_size = a->first_block_size;
        return true;
    }
    if (a->block_count == 1 && a->head->size <= keep) {
        /* Steady state: one block, rewound. No backing call. */
        a->ptr = block_data(a->head);
        a->used_before = 0;
        ab_track_noaccess(a->ptr, (size_t)(a->end - a->ptr));
        return true;
    }
    /* Several blocks (or one above the limit): replace them by one block of
     * the size to keep, so the next batch of this shape fits in one block. */
    free_blocks(a);
    ab_arena_block *b = backing_alloc(a, keep);
    if (b == NULL) return false;
    push_block(a, b, keep);
    return true;
}

bool ab_arena_reset(ab_arena *a, ab_arena_reset_mode mode) {
    if (mode == AB_RESET_FREE_ALL) return ab_arena_reset_with_limit(a, 0);
    assert(mode == AB_RESET_RETAIN_CAPACITY);
    return ab_arena_reset_with_limit(a, SIZE_MAX);
}

void ab_arena_deinit(ab_arena *a) {
    free_blocks(a);
    a->next_block_size = a->first_block_size;
}

void ab_arena_get_stats(const ab_arena *a, ab_arena_stats *out) {
    out->bytes_used = a->used_before + (a->head ? (size_t)(a->ptr - block_data(a->head)) : 0);
    out->bytes_reserved = a->reserved;
    out->block_count = a->block_count;
    out->backing_calls = a->backing_calls;
}

/* ---- the common interface ---- */

static void *vt_alloc(void *ctx, size_t size, size_t align) {
    return ab_arena_alloc((ab_arena *)ctx, size, align);
}
static bool vt_resize(void *ctx, void *p, size_t old_size, size_t new_size, size_t align) {
    (void)align;
    return ab_arena_resize((ab_arena *)ctx, p, old_size, new_size);
}
static void vt_free(void *ctx, void *p, size_t size, size_t align) {
    (void)align;
    ab_arena_free((ab_arena *)ctx, p, size);
}
static const ab_allocator_vtable arena_vtable = {vt_alloc, vt_resize, NULL, vt_free};

ab_allocator ab_arena_allocator(ab_arena *a) {
    ab_allocator r = {a, &arena_vtable};
    return r;
}
