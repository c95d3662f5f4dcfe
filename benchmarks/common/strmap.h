/*
 * common/strmap.h -- a small string -> string hash map over an ab_allocator
 * (header-only).
 *
 * The C counterpart of Zig's StringHashMap([]const u8) as the recipe uses it
 * for request and response headers: open addressing with linear probing,
 * power-of-two capacity (8 at the first insert), grown by doubling when 80 %
 * full (Zig's default maximum load). Growing allocates a new table, moves
 * the entries and frees the old table, as Zig's does: inside an arena the old
 * table simply stays until the scope ends.
 *
 * Strings are (pointer, length) pairs; the map stores what it is given. Each
 * entry remembers whether the map owns its key and/or value (flags at put
 * time); ab_strmap_free_all() frees the owned strings, then the table, which
 * is what a malloc user must do. An owned string must have been allocated
 * from the map's allocator as len + 1 bytes with alignment 1 (ab_strndup,
 * ab_sprintf, ab_buf_finish do so). Arena users skip ab_strmap_free_all and
 * let the scope release everything (the recipe's way).
 *
 * Iteration order is the table order: deterministic for the same sequence of
 * puts, whatever the allocator (no pointer is hashed).
 *
 * API (stable: other workloads use it):
 *   void ab_strmap_init(ab_strmap *m, ab_allocator a);
 *   bool ab_strmap_reserve(ab_strmap *m, size_t n);       room for n entries without growing
 *   int  ab_strmap_put(ab_strmap *m, k, klen, v, vlen, flags);  flags: AB_STRMAP_OWN_KEY|_VALUE
 *   int  ab_strmap_put_copy(ab_strmap *m, k, klen, v, vlen);    duplicates both (the recipe's put(dupe, dupe))
 *   const char *ab_strmap_get(const ab_strmap *m, k, klen, size_t *vlen);  NULL if absent
 *   size_t ab_strmap_count(const ab_strmap *m);
 *   const ab_strmap_entry *ab_strmap_next(const ab_strmap *m, size_t *it);  start *it = 0; NULL at end
 *   void ab_strmap_free_all(ab_strmap *m);                 owned strings + table (malloc users)
 * put returns AB_STRMAP_ADDED, AB_STRMAP_REPLACED or AB_STRMAP_OOM (negative). On
 * OOM nothing is stored and the map does NOT take the strings (the caller frees them).
 */
#ifndef AB_COMMON_STRMAP_H
#define AB_COMMON_STRMAP_H

#include "allocator.h"

enum { AB_STRMAP_OWN_KEY = 1, AB_STRMAP_OWN_VALUE = 2 };
enum { AB_STRMAP_OOM = -1, AB_STRMAP_ADDED = 0, AB_STRMAP_REPLACED = 1 };

typedef struct ab_strmap_entry {
    const char *key; /**< NULL: empty slot */
    const char *value;
    uint32_t klen;
    uint32_t hash;
    uint32_t vlen;
    uint32_t flags; /**< AB_STRMAP_OWN_* */
} ab_strmap_entry;

typedef struct ab_strmap {
    ab_allocator a;
    ab_strmap_entry *slots; /**< cap entries, NULL while cap == 0 */
    size_t cap;             /**< 0 or a power of two */
    size_t count;
    bool failed;            /**< a put ran out of memory */
} ab_strmap;

/** Hash of a key (FNV-1a over bytes with a final mix); never depends on addresses. */
static inline uint32_t ab_strmap_hash(const char *k, size_t n) {
    uint64_t h = 0xCBF29CE484222325ull;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)k[i]) * 0x100000001B3ull;
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ull;
    return (uint32_t)(h ^ (h >> 32));
}

static inline void ab_strmap_init(ab_strmap *m, ab_allocator a) {
    m->a = a;
    m->slots = NULL;
    m->cap = 0;
    m->count = 0;
    m->failed = false;
}

static inline size_t ab_strmap_count(const ab_strmap *m) { return m->count; }

/* Index of key's slot, or of the empty slot where it would go. cap > 0. */
static inline size_t ab_strmap_find_(const ab_strmap *m, const char *k, size_t klen, uint32_t h) {
    size_t mask = m->cap - 1, i = h & mask;
    for (;;) {
        const ab_strmap_entry *e = &m->slots[i];
        if (e->key == NULL) return i;
        if (e->hash == h && e->klen == klen && memcmp(e->key, k, klen) == 0) return i;
        i = (i + 1) & mask;
    }
}

/* Moves the entries to a table of new_cap slots. */
static inline bool ab_strmap_rehash_(ab_strmap *m, size_t new_cap) {
    ab_strmap_entry *t = AB_NEW_ARRAY(m->a, ab_strmap_entry, new_cap);
    if (t == NULL) return false;
    memset(t, 0, new_cap * sizeof *t);
    ab_strmap_entry *old = m->slots;
    size_t old_cap = m->cap;
    m->slots = t;
    m->cap = new_cap;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i].key != NULL) t[ab_strmap_find_(m, old[i].key, old[i].klen, old[i].hash)] = old[i];
    AB_DELETE_ARRAY(m->a, ab_strmap_entry, old, old_cap);
    return true;
}

/** Makes room for n entries in total without another growth. */
static inline bool ab_strmap_reserve(ab_strmap *m, size_t n) {
    size_t cap = m->cap ? m->cap : 8;
    while (n * 5 > cap * 4) cap *= 2; /* load <= 80 % */
    if (cap == m->cap) return true;
    if (!ab_strmap_rehash_(m, cap)) {
        m->failed = true;
        return false;
    }
    return true;
}

static inline int ab_strmap_put(ab_strmap *m, const char *k, size_t klen, const char *v, size_t vlen,
                                unsigned flags) {
    if (klen > UINT32_MAX || vlen > UINT32_MAX) return AB_STRMAP_OOM;
    if (!ab_strmap_reserve(m, m->count + 1)) return AB_STRMAP_OOM;
    uint32_t h = ab_strmap_hash(k, klen);
    ab_strmap_entry *e = &m->slots[ab_strmap_find_(m, k, klen, h)];
    if (e->key != NULL) { /* replace the value, keep the existing key */
        if (e->flags & AB_STRMAP_OWN_VALUE) ab_free(m->a, (void *)e->value, (size_t)e->vlen + 1, 1);
        if (flags & AB_STRMAP_OWN_KEY) ab_free(m->a, (void *)k, klen + 1, 1);
        e->value = v;
        e->vlen = (uint32_t)vlen;
        e->flags = (e->flags & AB_STRMAP_OWN_KEY) | (flags & AB_STRMAP_OWN_VALUE);
        return AB_STRMAP_REPLACED;
    }
    e->key = k;
    e->klen = (uint32_t)klen;
    e->hash = h;
    e->value = v;
    e->vlen = (uint32_t)vlen;
    e->flags = flags;
    m->count++;
    return AB_STRMAP_ADDED;
}

/** Duplicates key and value into the map's allocator, then puts them (owned). */
static inline int ab_strmap_put_copy(ab_strmap *m, const char *k, size_t klen, const char *v, size_t vlen) {
    char *kc = ab_strndup(m->a, k, klen);
    char *vc = kc ? ab_strndup(m->a, v, vlen) : NULL;
    int r = vc ? ab_strmap_put(m, kc, klen, vc, vlen, AB_STRMAP_OWN_KEY | AB_STRMAP_OWN_VALUE) : AB_STRMAP_OOM;
    if (r == AB_STRMAP_OOM) { /* newest first, so an arena rewinds them */
        if (vc) ab_free(m->a, vc, vlen + 1, 1);
        if (kc) ab_free(m->a, kc, klen + 1, 1);
        m->failed = true;
    }
    return r;
}

static inline const char *ab_strmap_get(const ab_strmap *m, const char *k, size_t klen, size_t *vlen) {
    if (m->cap == 0) return NULL;
    const ab_strmap_entry *e = &m->slots[ab_strmap_find_(m, k, klen, ab_strmap_hash(k, klen))];
    if (e->key == NULL) return NULL;
    if (vlen) *vlen = e->vlen;
    return e->value;
}

/** Iteration: size_t it = 0; while ((e = ab_strmap_next(m, &it))) ... */
static inline const ab_strmap_entry *ab_strmap_next(const ab_strmap *m, size_t *it) {
    while (*it < m->cap) {
        const ab_strmap_entry *e = &m->slots[(*it)++];
        if (e->key != NULL) return e;
    }
    return NULL;
}

/** Frees every owned key and value, then the table; the map is empty and reusable. */
static inline void ab_strmap_free_all(ab_strmap *m) {
    for (size_t i = m->cap; i-- > 0;) { /* reverse order */
        ab_strmap_entry *e = &m->slots[i];
        if (e->key == NULL) continue;
        if (e->flags & AB_STRMAP_OWN_VALUE) ab_free(m->a, (void *)e->value, (size_t)e->vlen + 1, 1);
        if (e->flags & AB_STRMAP_OWN_KEY) ab_free(m->a, (void *)e->key, (size_t)e->klen + 1, 1);
    }
    AB_DELETE_ARRAY(m->a, ab_strmap_entry, m->slots, m->cap);
    ab_strmap_init(m, m->a);
}

#endif /* AB_COMMON_STRMAP_H */
