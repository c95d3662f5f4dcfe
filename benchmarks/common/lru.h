/*
 * common/lru.h -- an LRU cache of fixed-size entries over an ab_allocator
 * (header only).
 *
 * Keys are small integers in [0, keyspace): the caller gives a direct-mapped
 * index of keyspace entry pointers, all NULL, that it owns (scratch made
 * outside the timing); ab_lru_clear() leaves it all NULL again, so one index
 * serves any number of caches in turn. Entries are entry_size bytes (header
 * included, so a 64-byte entry is one 64-byte allocation) with alignment
 * AB_LRU_ALIGN, allocated on insert and freed on eviction: the shape of a
 * connection table or an object cache, where every allocation has the same
 * size and objects die in an order no scope can predict.
 *
 * With frees == false (an arena) eviction only unlinks: the memory stays
 * until the arena is reset, which is the point workloads measure.
 *
 *   ab_lru_init(&c, a, frees, entry_size, capacity, index, keyspace)
 *   e = ab_lru_get(&c, key)          hit: moved to the front; miss: NULL
 *   ab_lru_full(&c) / ab_lru_oldest(&c) / ab_lru_evict(&c, e)
 *   e = ab_lru_insert(&c, key)       new entry at the front (NULL: out of memory);
 *                                    the caller evicts first when full
 *   ab_lru_payload(e), ab_lru_payload_size(&c)
 *   ab_lru_clear(&c)                 evicts everything (newest first)
 */
#ifndef AB_COMMON_LRU_H
#define AB_COMMON_LRU_H

#include "allocator.h"
#include "common/list.h"

/** Alignment of every entry: malloc's guarantee, so no allocator takes a slow aligned path. */
#define AB_LRU_ALIGN AB_DEFAULT_ALIGN

typedef struct ab_lru_entry {
    ab_dlist_node link; /**< position in the recency order (front: most recent) */
    uint64_t key;
    uint64_t hits;      /**< hits since the entry was inserted */
    /* payload: entry_size - sizeof(ab_lru_entry) bytes follow */
} ab_lru_entry;

typedef struct ab_lru {
    ab_allocator a;
    bool frees;          /**< free evicted entries (malloc, pool); false: arena */
    size_t entry_size;   /**< bytes per entry, header included (>= sizeof(ab_lru_entry)) */
    size_t capacity;     /**< entries kept before the caller must evict */
    ab_lru_entry **index;
    size_t keyspace;
    ab_dlist order;
} ab_lru;

static inline bool ab_lru_init(ab_lru *c, ab_allocator a, bool frees, size_t entry_size, size_t capacity,
                               ab_lru_entry **index, size_t keyspace) {
    if (entry_size < sizeof(ab_lru_entry) || capacity == 0 || index == NULL) return false;
    c->a = a;
    c->frees = frees;
    c->entry_size = entry_size;
    c->capacity = capacity;
    c->index = index;
    c->keyspace = keyspace;
    ab_dlist_init(&c->order);
    return true;
}

static inline size_t ab_lru_count(const ab_lru *c) { return c->order.count; }
static inline bool ab_lru_full(const ab_lru *c) { return c->order.count >= c->capacity; }
static inline size_t ab_lru_payload_size(const ab_lru *c) { return c->entry_size - sizeof(ab_lru_entry); }
static inline unsigned char *ab_lru_payload(ab_lru_entry *e) { return (unsigned char *)(e + 1); }

/** The entry for key, moved to the front; NULL on a miss. */
static inline ab_lru_entry *ab_lru_get(ab_lru *c, uint64_t key) {
    ab_lru_entry *e = c->index[key];
    if (e != NULL) {
        ab_dlist_move_front(&c->order, &e->link);
        e->hits++;
    }
    return e;
}

/** The least recently used entry, or NULL if the cache is empty. */
static inline ab_lru_entry *ab_lru_oldest(const ab_lru *c) {
    ab_dlist_node *n = ab_dlist_back(&c->order);
    return n ? AB_CONTAINER_OF(n, ab_lru_entry, link) : NULL;
}

/** Removes e and frees it (or, in an arena, only forgets it). */
static inline void ab_lru_evict(ab_lru *c, ab_lru_entry *e) {
    ab_dlist_remove(&c->order, &e->link);
    c->index[e->key] = NULL;
    if (c->frees) ab_free(c->a, e, c->entry_size, AB_LRU_ALIGN);
}

/** A new entry for key (which must be absent) at the front, payload uninitialised; NULL on OOM. */
static inline ab_lru_entry *ab_lru_insert(ab_lru *c, uint64_t key) {
    ab_lru_entry *e = (ab_lru_entry *)ab_alloc(c->a, c->entry_size, AB_LRU_ALIGN);
    if (e == NULL) return NULL;
    e->key = key;
    e->hits = 0;
    ab_dlist_push_front(&c->order, &e->link);
    c->index[key] = e;
    return e;
}

/** Evicts every entry, newest first; the index is all NULL again. */
static inline void ab_lru_clear(ab_lru *c) {
    ab_dlist_node *n;
    while ((n = ab_dlist_front(&c->order)) != NULL) ab_lru_evict(c, AB_CONTAINER_OF(n, ab_lru_entry, link));
}

#endif /* AB_COMMON_LRU_H */
