/*
 * model.h -- a reference model of "what is live" for any ab_allocator,
 * shared by the property test (test_allocators.c, ops from a seeded PRNG)
 * and the fuzz target (fuzz_allocators.c, ops decoded from the input).
 *
 * The model drives an allocator through the common interface and checks,
 * after every operation:
 *   - every live allocation holds a byte pattern derived from its id (filled
 *     when it is handed out, verified before it is freed, resized, moved or
 *     reset away, and by ab_model_verify_all);
 *   - no two live allocations overlap (a sorted interval array: O(log n)
 *     search, one memmove per insert/remove);
 *   - every pointer honours the requested alignment;
 *   - the interface's edge cases: size 0 gives AB_ZERO_SIZE_PTR(align), bad
 *     alignments, oversized requests and count*size overflow give NULL.
 * The first violation stops the model: ab_model_step returns false and
 * m->msg says what went wrong (the caller prints it with its seed).
 *
 * Operations come from an ab_opsrc: a stream of numbers that is either a
 * deterministic PRNG (splitmix64, reproducible from its seed) or the bytes
 * of a fuzz input (zeros once the input is exhausted).
 */
#ifndef AB_TEST_MODEL_H
#define AB_TEST_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "allocator.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- deterministic PRNG (splitmix64) ---------------------------------- */

typedef struct ab_rng {
    uint64_t state;
} ab_rng;

static inline uint64_t ab_rng_next(ab_rng *r) {
    uint64_t z = (r->state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/** Uniform in [0, n) (n > 0; the tiny modulo bias does not matter here). */
static inline uint64_t ab_rng_below(ab_rng *r, uint64_t n) { return ab_rng_next(r) % n; }

/* ---- where operations come from --------------------------------------- */

typedef struct ab_opsrc {
    ab_rng *rng;         /**< non-NULL: draw from the PRNG */
    const uint8_t *data; /**< else: consume these bytes */
    size_t len, pos;
} ab_opsrc;

static inline ab_opsrc ab_opsrc_rng(ab_rng *r) {
    ab_opsrc s = {r, NULL, 0, 0};
    return s;
}
static inline ab_opsrc ab_opsrc_bytes(const uint8_t *data, size_t len) {
    ab_opsrc s = {NULL, data, len, 0};
    return s;
}
/** True once a byte source is used up (a PRNG never is). */
static inline bool ab_opsrc_done(const ab_opsrc *s) { return s->rng == NULL && s->pos >= s->len; }
uint8_t ab_opsrc_u8(ab_opsrc *s);
uint16_t ab_opsrc_u16(ab_opsrc *s);

/* ---- the model --------------------------------------------------------- */

/** What the model may expect of the allocator under test. */
enum {
    AB_MODEL_BOUNDED = 1u << 0, /**< a valid request may fail with NULL (fixed buffer, stack arena) */
};

/** Returned by a reset callback. */
enum {
    AB_MODEL_RESET_UNSUPPORTED = -1, /**< no bulk reset: the model frees everything one by one */
    AB_MODEL_RESET_PARTIAL = 0,      /**< everything was released, capacity could not be retained */
    AB_MODEL_RESET_OK = 1
};
/** Bulk-releases every allocation of the allocator under test; how is a free choice for the callee. */
typedef int (*ab_model_reset_fn)(void *ctx, unsigned how);

typedef struct ab_model_block {
    unsigned char *p;
    size_t size; /**< 0 for AB_ZERO_SIZE_PTR entries (not in the interval set) */
    size_t align;
    uint64_t id;
} ab_model_block;

typedef struct ab_model_interval {
    uintptr_t start, end; /**< [start, end) */
} ab_model_interval;

typedef struct ab_model {
    ab_allocator a;
    unsigned flags;
    size_t max_size;  /**< largest size the allocator serves (the pool's object size) */
    size_t max_align; /**< largest alignment it serves */
    size_t big_size;  /**< largest size of the generator's "large" class (default 256 KiB) */
    ab_model_reset_fn reset;
    void *reset_ctx;

    ab_model_block *live;
    size_t nlive, live_cap;
    size_t last;              /**< slot of the most recent allocation, or SIZE_MAX */
    ab_model_interval *iv;    /**< live non-empty blocks, sorted by start */
    size_t niv, iv_cap;
    size_t live_bytes;
    uint64_t next_id;

    /* counters, for the report and to see that a run exercised something */
    uint64_t ops, allocs, nulls, frees, resizes_ok, resizes_refused, reallocs, moves, resets, edges;

    bool failed;
    char msg[512];
} ab_model;

/** Caps that keep a run's memory bounded (an alloc becomes a free beyond them). */
#define AB_MODEL_MAX_LIVE 2048
#define AB_MODEL_MAX_LIVE_BYTES ((size_t)32 << 20)

/** Starts an empty model of allocator a. reset may be NULL (no bulk reset). */
void ab_model_init(ab_model *m, ab_allocator a, unsigned flags, size_t max_size, size_t max_align,
                   ab_model_reset_fn reset, void *reset_ctx);
/** Releases the model's own bookkeeping (not the allocations: see ab_model_release_all). */
void ab_model_destroy(ab_model *m);

/** Decodes one operation from src and runs it. False on the first violation (see m->msg). */
bool ab_model_step(ab_model *m, ab_opsrc *src);

/** Single operations, for directed tests. pick selects a live block (AB_MODEL_PICK_LAST: the newest). */
#define AB_MODEL_PICK_LAST UINT32_MAX
bool ab_model_alloc(ab_model *m, size_t size, size_t align);
bool ab_model_free(ab_model *m, uint32_t pick);
bool ab_model_resize(ab_model *m, uint32_t pick, size_t new_size);
bool ab_model_realloc(ab_model *m, uint32_t pick, size_t new_size);
/** Verifies everything, then bulk-resets (or frees one by one when unsupported). */
bool ab_model_reset(ab_model *m, unsigned how);
/** Verifies every live block's pattern. */
bool ab_model_verify_all(ab_model *m);
/** Verifies and frees every live block individually (for the end of a run). */
bool ab_model_free_all(ab_model *m);
/** End of a run: a bulk reset if supported, else free_all. */
bool ab_model_release_all(ab_model *m);

#ifdef __cplusplus
}
#endif
#endif /* AB_TEST_MODEL_H */
