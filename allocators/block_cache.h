/*
 * block_cache.h -- keeps freed blocks for the next request of the same size.
 *
 * A backing allocator for arenas that are created and destroyed often (one
 * per request, the recipe's pattern): the arena's deinit hands its blocks
 * here instead of to malloc, and the next arena takes the same blocks back,
 * LIFO, so it gets the very memory the last one warmed in cache. Without it
 * every create/deinit cycle goes through malloc for each block, and what
 * that costs depends on the malloc: jemalloc serves blocks above its thread
 * cache (32 KiB) on a long path; mimalloc hands back different memory each
 * cycle, so the arena's writes miss cache that the last cycle warmed. The
 * report's "fast path against the floor" section measures both.
 *
 *   ab_block_cache cache;
 *   ab_block_cache_init(&cache, ab_malloc_allocator(), 1 << 20);
 *   for (each request) {
 *       ab_arena arena;
 *       ab_arena_init(&arena, ab_block_cache_allocator(&cache));
 *       ...
 *       ab_arena_deinit(&arena);        // blocks go back to the cache
 *   }
 *   ab_block_cache_deinit(&cache);      // ... and from it to malloc
 *
 * A block is reused only by a request of exactly its size and alignment
 * (an arena asks for the same sizes in the same order each time). At most
 * AB_BLOCK_CACHE_SLOTS blocks and max_bytes bytes are kept; beyond that,
 * frees go straight to the backing. Cached blocks are poisoned (track.h):
 * a pointer into a deinit'ed arena is still caught while its block waits
 * here. Not thread-safe: one cache per thread, like the arenas it serves.
 */
#ifndef AB_BLOCK_CACHE_H
#define AB_BLOCK_CACHE_H

#include "allocator.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Blocks a cache keeps at most (an arena of 4 KiB doubling to 4 MiB has 11). */
#define AB_BLOCK_CACHE_SLOTS 16

typedef struct ab_block_cache_slot {
    void *p;
    size_t size;
    size_t align;
} ab_block_cache_slot;

/** The cache. Treat the fields as private; use the functions below. */
typedef struct ab_block_cache {
    ab_allocator backing;
    size_t max_bytes;    /**< bytes kept at most */
    size_t bytes;        /**< bytes kept now */
    size_t count;        /**< slots in use, newest last */
    size_t hits;         /**< requests served from the cache */
    size_t backing_calls;
    ab_block_cache_slot slot[AB_BLOCK_CACHE_SLOTS];
} ab_block_cache;

/** An empty cache over backing that keeps at most max_bytes of freed blocks. */
void ab_block_cache_init(ab_block_cache *c, ab_allocator backing, size_t max_bytes);
/** Returns every kept block to the backing; the cache stays usable. */
void ab_block_cache_trim(ab_block_cache *c);
/** As trim; the cache may then be re-initialised. */
void ab_block_cache_deinit(ab_block_cache *c);
/** The cache behind the common interface. */
ab_allocator ab_block_cache_allocator(ab_block_cache *c);

/** Statistics. */
typedef struct ab_block_cache_stats {
    size_t blocks_kept;
    size_t bytes_kept;
    size_t hits;          /**< requests served from the cache since init */
    size_t backing_calls; /**< alloc + free calls made to the backing since init */
} ab_block_cache_stats;
void ab_block_cache_get_stats(const ab_block_cache *c, ab_block_cache_stats *out);

#ifdef __cplusplus
}
#endif
#endif /* AB_BLOCK_CACHE_H */
