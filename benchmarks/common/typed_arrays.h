/*
 * common/typed_arrays.h -- the recipe's basic_arena unit of work (header only).
 *
 * basic_arena allocates 100 x u8, 50 x u32 and 25 x u64 and writes into
 * them; arena_optimization does the same from a stack-backed arena. Here the
 * counts are parameters (so a request can be "k times the recipe's"), every
 * element is written and then read back into a sum, which the caller hashes:
 * the work cannot be optimised away and does not depend on the allocator.
 *
 *   ab_typed_arrays t;
 *   if (!ab_typed_arrays_alloc(&t, a, frees, 100, 50, 25)) ... count a failure
 *   uint64_t sum = ab_typed_arrays_fill_sum(&t, seed);
 *   if (frees) ab_typed_arrays_free(&t);          // newest first
 *
 * ab_typed_arrays_alloc allocates u8, then u32, then u64; on failure it frees
 * what it got (newest first, so an arena or a fixed buffer rewinds it) and
 * returns false with nothing held.
 */
#ifndef AB_COMMON_TYPED_ARRAYS_H
#define AB_COMMON_TYPED_ARRAYS_H

#include "allocator.h"

typedef struct ab_typed_arrays {
    ab_allocator a;
    uint8_t *u8;
    uint32_t *u32;
    uint64_t *u64;
    size_t n8, n32, n64;
} ab_typed_arrays;

/** The bytes the three arrays ask for (alignment padding excluded). */
static inline size_t ab_typed_arrays_bytes(size_t n8, size_t n32, size_t n64) {
    return n8 + n32 * sizeof(uint32_t) + n64 * sizeof(uint64_t);
}

static inline void ab_typed_arrays_free(ab_typed_arrays *t) {
    AB_DELETE_ARRAY(t->a, uint64_t, t->u64, t->n64);
    AB_DELETE_ARRAY(t->a, uint32_t, t->u32, t->n32);
    AB_DELETE_ARRAY(t->a, uint8_t, t->u8, t->n8);
    t->u8 = NULL;
    t->u32 = NULL;
    t->u64 = NULL;
}

/** Allocates n8 x u8, n32 x u32, n64 x u64 from a. False (nothing held) if one fails. */
static inline bool ab_typed_arrays_alloc(ab_typed_arrays *t, ab_allocator a, size_t n8, size_t n32,
                                         size_t n64) {
    t->a = a;
    t->n8 = n8;
    t->n32 = n32;
    t->n64 = n64;
    t->u8 = AB_NEW_ARRAY(a, uint8_t, n8);
    t->u32 = t->u8 ? AB_NEW_ARRAY(a, uint32_t, n32) : NULL;
    t->u64 = t->u32 ? AB_NEW_ARRAY(a, uint64_t, n64) : NULL;
    if (t->u64 != NULL) return true;
    ab_typed_arrays_free(t); /* NULL members are skipped */
    return false;
}

/** Writes every element (values derived from seed), then sums them all back. */
static inline uint64_t ab_typed_arrays_fill_sum(ab_typed_arrays *t, uint64_t seed) {
    for (size_t i = 0; i < t->n8; i++) t->u8[i] = (uint8_t)(seed + i);
    for (size_t i = 0; i < t->n32; i++) t->u32[i] = (uint32_t)(seed * 31u + i * 7u);
    for (size_t i = 0; i < t->n64; i++) t->u64[i] = seed * 0x9E3779B97F4A7C15ull + i;
    uint64_t sum = 0;
    for (size_t i = 0; i < t->n8; i++) sum += t->u8[i];
    for (size_t i = 0; i < t->n32; i++) sum += t->u32[i];
    for (size_t i = 0; i < t->n64; i++) sum ^= t->u64[i] + (sum << 1);
    return sum;
}

#endif /* AB_COMMON_TYPED_ARRAYS_H */
