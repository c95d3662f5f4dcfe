/*
 * arena.h -- a bump-pointer arena over any backing allocator.
 *
 * Allocation bumps a pointer inside the current block; when the block is
 * full a cold, out-of-line refill takes a new block from the backing
 * allocator (geometric growth; a request larger than a block gets a block of
 * its own). Individual frees are no-ops except for the most recent
 * allocation, which is rewound; resize grows or shrinks the most recent
 * allocation in place. Everything is released at once by reset or deinit.
 *
 * Reset modes (as Zig's ArenaAllocator):
 *   AB_RESET_FREE_ALL        every block goes back to the backing allocator.
 *   AB_RESET_RETAIN_CAPACITY keep the capacity. If it spans several blocks
 *                            they are replaced by ONE block of the same total
 *                            size, so the next batch of the same shape runs
 *                            in one block with no backing call at all.
 *   ab_arena_reset_with_limit(a, limit)
 *                            as retain_capacity, keeping at most limit bytes
 *                            of blocks (headers included).
 *
 * Nesting: an arena whose backing is ab_arena_allocator(&parent) is a child;
 * its blocks are freed newest first, so the parent rewinds them on deinit.
 *
 * Not thread-safe: one arena per thread (or per request).
 *
 * Overheads (pinned by static_assert in arena.c, cited by the report):
 * sizeof(ab_arena_block) == 2 pointers (16 B on 64-bit) per block;
 * 0 B per allocation (plus alignment padding); sizeof(ab_arena) is larger
 * than the recipe's ~24 B because it also keeps the statistics.
 */
#ifndef AB_ARENA_H
#define AB_ARENA_H

#include <assert.h>

#include "allocator.h"
#include "track.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Header at the start of every block. size counts the header too. */
typedef struct ab_arena_block {
    struct ab_arena_block *prev; /**< the block allocated before this one */
    size_t size;                 /**< bytes obtained from the backing allocator */
} ab_arena_block;

/** The arena. Treat the fields as private; use the functions below. */
typedef struct ab_arena {
    char *ptr;               /**< next free byte in the current block */
    char *end;               /**< end of the current block */
    ab_arena_block *head;    /**< current (newest) block, NULL when empty */
    ab_allocator backing;
    size_t reserved;         /**< bytes of all blocks */
    size_t used_before;      /**< bytes consumed in blocks older than head */
    size_t first_block_size; /**< size of the first block (default 4 KiB) */
    size_t next_block_size;  /**< size of the next block before clamping */
    size_t backing_calls;    /**< alloc + free calls made to the backing */
    size_t block_count;
} ab_arena;

typedef enum ab_arena_reset_mode {
    AB_RESET_FREE_ALL = 0,
    AB_RESET_RETAIN_CAPACITY = 1
} ab_arena_reset_mode;

/** ptr of an empty arena (no block). On 64-bit a small odd address, never a
 *  real pointer nor a zero-size pointer (those are powers of two): with end
 *  == NULL every request, size 0 included, fails the fast path's single
 *  compare and goes to the slow path, so the fast path needs no empty-arena
 *  test. The 32-bit fast path handles NULL itself. Never dereferenced. */
#if UINTPTR_MAX > 0xFFFFFFFFu
#define AB_ARENA_EMPTY_PTR ((char *)(uintptr_t)3)
#else
#define AB_ARENA_EMPTY_PTR ((char *)0)
#endif

/** Default size of the first block, header included. */
#define AB_ARENA_FIRST_BLOCK ((size_t)4096)
/** Geometric growth stops doubling at this block size. */
#define AB_ARENA_MAX_GROWTH ((size_t)4 << 20)

/** Initialises an empty arena; no memory is taken until the first allocation. */
void ab_arena_init(ab_arena *a, ab_allocator backing);
/** As ab_arena_init, with the first block's size (header included, >= 64; rounded down to a
 *  multiple of AB_DEFAULT_ALIGN, as every block size is). */
void ab_arena_init_sized(ab_arena *a, ab_allocator backing, size_t first_block_size);

/** Slow path of ab_arena_alloc: takes a new block. Not inlined on purpose. */
void *ab_arena_alloc_slow(ab_arena *a, size_t size, size_t align);

/**
 * size bytes aligned to align (a power of two <= AB_MAX_ALIGN, size <=
 * AB_MAX_SIZE: asserted), or NULL if the backing allocator fails. Size 0
 * returns a valid non-NULL pointer to no bytes. The fast path is an align,
 * a bump and one bounds compare: 7 instructions on x86-64 (load, add, and,
 * lea, cmp, branch, store).
 */
static inline void *ab_arena_alloc(ab_arena *a, size_t size, size_t align) {
    assert(ab_is_pow2(align) && align <= AB_MAX_ALIGN && size <= AB_MAX_SIZE);
#if UINTPTR_MAX > 0xFFFFFFFFu
    /* 64-bit: user addresses are far below 2^63 and size <= AB_MAX_SIZE,
     * so p + size cannot wrap. An empty arena has ptr = AB_ARENA_EMPTY_PTR
     * (non-zero) and end = NULL, so next > end for every size, 0 included:
     * the slow path takes the first block (or returns the size-0 pointer). */
    uintptr_t p = ((uintptr_t)a->ptr + (align - 1)) & ~(uintptr_t)(align - 1);
    uintptr_t next = p + size;
    if (AB_LIKELY(next <= (uintptr_t)a->end)) {
        /* p >= ptr >= AB_ARENA_EMPTY_PTR > 0 here (addresses do not wrap):
         * saying so removes the caller's NULL test from the fast path. */
        AB_ASSUME(p != 0);
#ifdef AB_ARENA_EXTRA_WORK /* tests of the regression gate only (CMake option of that name) */
        for (int ab_i = 0; ab_i < AB_ARENA_EXTRA_WORK; ab_i++) __asm__ volatile("nop");
#endif
        a->ptr = (char *)next;
        ab_track_undefined((void *)p, size);
        return (void *)p;
    }
#else
    size_t pad = (size_t)(0u - (uintptr_t)a->ptr) & (align - 1);
    /* pad + size - 1 < avail <=> the request fits; size 0 goes to the slow path. */
    if (AB_LIKELY(pad + size - 1 < (size_t)(a->end - a->ptr))) {
        char *p = a->ptr + pad;
        a->ptr = p + size;
        ab_track_undefined(p, size);
        return p;
    }
#endif
    return ab_arena_alloc_slow(a, size, align);
}

/** Releases p if it is the most recent allocation (rewind); else a no-op. */
void ab_arena_free(ab_arena *a, void *p, size_t size);
/** Resizes p in place: any shrink succeeds; a grow only for the most recent allocation with room. */
bool ab_arena_resize(ab_arena *a, void *p, size_t old_size, size_t new_size);

/** Resets (see modes above). False if retained capacity could not be kept (the arena is then empty but usable). */
bool ab_arena_reset(ab_arena *a, ab_arena_reset_mode mode);
/** Resets keeping at most limit bytes of blocks. */
bool ab_arena_reset_with_limit(ab_arena *a, size_t limit);
/** Frees every block. The arena is then empty, as just after ab_arena_init with
 *  the same backing (first block size included): it may be used again as is. */
void ab_arena_deinit(ab_arena *a);

/** The arena behind the common interface (alloc/resize/free as above). */
ab_allocator ab_arena_allocator(ab_arena *a);

/** Statistics. */
typedef struct ab_arena_stats {
    size_t bytes_used;     /**< handed out since the last reset, padding included */
    size_t bytes_reserved; /**< held from the backing allocator, headers included */
    size_t block_count;
    size_t backing_calls;  /**< since init */
} ab_arena_stats;
void ab_arena_get_stats(const ab_arena *a, ab_arena_stats *out);

#ifdef __cplusplus
}
#endif
#endif /* AB_ARENA_H */
