/*
 * fixed_buffer.h -- bump allocation inside one caller-given buffer.
 *
 * The buffer (stack, static or anything else) is owned by the caller and
 * must outlive the allocator. Allocation bumps an offset; NULL when the
 * buffer is full -- it never falls back to the heap. Freeing the most
 * recent allocation rewinds; the most recent allocation can grow in place.
 *
 * A stack-backed arena is an arena over this allocator:
 *
 *     char buf[4096];
 *     ab_fixed_buffer fb;
 *     ab_fixed_buffer_init(&fb, buf, sizeof buf);
 *     ab_arena arena;
 *     ab_arena_init_sized(&arena, ab_fixed_buffer_allocator(&fb), sizeof buf);
 *     ...                        // allocations fail with NULL past 4 KiB
 *     ab_arena_deinit(&arena);   // rewinds the buffer
 *     ab_fixed_buffer_deinit(&fb);
 *
 * Call ab_fixed_buffer_deinit before a stack buffer goes out of scope when
 * building with AddressSanitizer: it un-poisons the bytes the allocator
 * poisoned (a no-op otherwise).
 */
#ifndef AB_FIXED_BUFFER_H
#define AB_FIXED_BUFFER_H

#include <assert.h>

#include "allocator.h"
#include "track.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ab_fixed_buffer {
    char *buf;
    size_t cap;
    size_t off;       /**< bytes used, padding included */
    size_t peak;      /**< highest off seen */
    size_t failures;  /**< allocations refused because the buffer was full */
} ab_fixed_buffer;

/** Uses buf[0..cap) for allocations. buf may be NULL only if cap is 0. */
void ab_fixed_buffer_init(ab_fixed_buffer *fb, void *buf, size_t cap);

/** size bytes aligned to align, or NULL (failures counted) if they do not fit. */
static inline void *ab_fixed_buffer_alloc(ab_fixed_buffer *fb, size_t size, size_t align) {
    assert(ab_is_pow2(align) && align <= AB_MAX_ALIGN && size <= AB_MAX_SIZE);
    uintptr_t base = (uintptr_t)fb->buf;
    size_t start = (size_t)(ab_align_up(base + fb->off, align) - base);
    if (AB_UNLIKELY(start > fb->cap || size > fb->cap - start)) {
        fb->failures++;
        return NULL;
    }
    fb->off = start + size;
    if (fb->off > fb->peak) fb->peak = fb->off;
    ab_track_undefined(fb->buf + start, size);
    return fb->buf + start;
}

/** Rewinds if p is the most recent allocation; else a no-op. */
void ab_fixed_buffer_free(ab_fixed_buffer *fb, void *p, size_t size);
/** Shrinks anything in place; grows only the most recent allocation, within the buffer. */
bool ab_fixed_buffer_resize(ab_fixed_buffer *fb, void *p, size_t old_size, size_t new_size);
/** Forgets every allocation. */
void ab_fixed_buffer_reset(ab_fixed_buffer *fb);
/** Un-poisons the whole buffer (ASan/valgrind builds) before its owner reuses it. */
void ab_fixed_buffer_deinit(ab_fixed_buffer *fb);

ab_allocator ab_fixed_buffer_allocator(ab_fixed_buffer *fb);

#ifdef __cplusplus
}
#endif
#endif /* AB_FIXED_BUFFER_H */
