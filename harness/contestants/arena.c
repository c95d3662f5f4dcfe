/*
 * This project's arena (allocators/arena.h) over the process's malloc.
 * Outer scope end: AB_END_RESET applies the contestant's reset policy,
 * AB_END_DESTROY deinits. Nested scopes are child arenas backed by the
 * parent scope's arena, destroyed at their end. The variants differ only in
 * the reset policy, so batch_reset can compare them.
 */
#include <stdlib.h>

#include "arena.h"
#include "block_cache.h"
#include "workload.h"

#define MAX_DEPTH 16
#define LIMIT_BYTES ((size_t)64 << 10)
#define CACHE_BYTES ((size_t)1 << 20) /* arena_direct_cached: blocks kept between arenas */

typedef enum { RETAIN, FREE_ALL, NEW, LIMIT } policy;

typedef struct arena_state {
    ab_allocator backing;
    policy pol;
    int depth;
    bool outer_live;
    bool cached;          /* the arenas' backing is `cache`, over the subject's backing */
    ab_block_cache cache;
    ab_arena arenas[MAX_DEPTH];
} arena_state;

static void *create_with(const ab_subject_params *p, policy pol) {
    arena_state *s = (arena_state *)calloc(1, sizeof *s);
    if (s == NULL) return NULL;
    s->backing = p->backing;
    s->pol = pol;
    return s;
}
static void *create_retain(const ab_subject_params *p) { return create_with(p, RETAIN); }
static void *create_free_all(const ab_subject_params *p) { return create_with(p, FREE_ALL); }
static void *create_new(const ab_subject_params *p) { return create_with(p, NEW); }
static void *create_limit(const ab_subject_params *p) { return create_with(p, LIMIT); }
static void *create_cached(const ab_subject_params *p) {
    arena_state *s = (arena_state *)create_with(p, RETAIN);
    if (s == NULL) return NULL;
    ab_block_cache_init(&s->cache, p->backing, CACHE_BYTES);
    s->backing = ab_block_cache_allocator(&s->cache);
    s->cached = true;
    return s;
}

static ab_allocator begin(void *st) {
    arena_state *s = (arena_state *)st;
    ab_arena *a = &s->arenas[s->depth];
    if (s->depth == 0) {
        if (!s->outer_live) ab_arena_init(a, s->backing);
        s->outer_live = true;
    } else {
        ab_arena_init(a, ab_arena_allocator(&s->arenas[s->depth - 1]));
    }
    s->depth++;
    return ab_arena_allocator(a);
}

static void end(void *st, ab_scope_end_mode mode) {
    arena_state *s = (arena_state *)st;
    ab_arena *a = &s->arenas[--s->depth];
    if (s->depth > 0 || mode == AB_END_DESTROY || s->pol == NEW) {
        ab_arena_deinit(a);
        if (s->depth == 0) s->outer_live = false;
        return;
    }
    switch (s->pol) {
    case RETAIN: ab_arena_reset(a, AB_RESET_RETAIN_CAPACITY); break;
    case FREE_ALL: ab_arena_reset(a, AB_RESET_FREE_ALL); break;
    case LIMIT: ab_arena_reset_with_limit(a, LIMIT_BYTES); break;
    case NEW: break;
    }
}

static void destroy(void *st) {
    arena_state *s = (arena_state *)st;
    while (s->depth > 0) end(s, AB_END_DESTROY);
    if (s->outer_live) ab_arena_deinit(&s->arenas[0]);
    if (s->cached) ab_block_cache_deinit(&s->cache);
    free(s);
}

static struct ab_arena *direct(void *st) {
    arena_state *s = (arena_state *)st;
    return s->depth > 0 ? &s->arenas[s->depth - 1] : NULL;
}

#define ARENA_CONTESTANT(var, nm, knd, ctor, text)                                     \
    const ab_contestant var = {.name = nm, .kind = knd, .describe = text, .create = ctor, \
                               .begin = begin, .end = end, .destroy = destroy,           \
                               .direct_arena = direct, .backing_routed = true}

ARENA_CONTESTANT(ab_contestant_arena, "arena", AB_KIND_ARENA, create_retain,
                 "this project's arena over the process's malloc, reset(retain_capacity) between requests");
ARENA_CONTESTANT(ab_contestant_arena_direct, "arena_direct", AB_KIND_DIRECT, create_retain,
                 "the same arena called through its inline direct API (ab_arena_alloc), not the vtable");
ARENA_CONTESTANT(ab_contestant_arena_direct_cached, "arena_direct_cached", AB_KIND_DIRECT, create_cached,
                 "arena_direct over a block cache (allocators/block_cache.h, 1 MiB) over the process's malloc: "
                 "a deinit'ed arena's blocks serve the next arena instead of going back to malloc");
ARENA_CONTESTANT(ab_contestant_arena_free_all, "arena_free_all", AB_KIND_ARENA | AB_KIND_VARIANT,
                 create_free_all, "the arena with reset(free_all) between batches: blocks go back to malloc");
ARENA_CONTESTANT(ab_contestant_arena_new, "arena_new", AB_KIND_ARENA | AB_KIND_VARIANT, create_new,
                 "a new arena per batch (init + deinit), as the recipe's one-arena-per-request");
ARENA_CONTESTANT(ab_contestant_arena_limit, "arena_limit", AB_KIND_ARENA | AB_KIND_VARIANT, create_limit,
                 "the arena with reset_with_limit(64 KiB) between batches");
