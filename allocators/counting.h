/*
 * counting.h -- a wrapper that counts what passes through to any allocator.
 *
 * Counts calls, live and peak bytes, a log2 histogram of request sizes, and
 * can be told to fail (return NULL) after a number of allocations: the
 * failing backing allocator for out-of-memory tests, as LLVM's allocator
 * tests use a mock slab allocator. Tests use it to prove no leaks
 * (live_bytes == 0 at the end), zero-backing-call claims and overheads.
 */
#ifndef AB_COUNTING_H
#define AB_COUNTING_H

#include "allocator.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AB_COUNTING_BUCKETS 48

typedef struct ab_counting {
    ab_allocator inner;
    size_t (*usable_size)(void *p); /**< optional: count usable bytes (malloc) instead of requested */
    uint64_t alloc_calls, free_calls, resize_calls, remap_calls;
    uint64_t failed_allocs;   /**< NULL returns, injected or real */
    uint64_t resize_ok;
    uint64_t live_count;      /**< allocations not yet freed */
    uint64_t live_bytes, peak_bytes;
    uint64_t total_bytes;     /**< bytes requested by all allocs */
    uint64_t size_log2[AB_COUNTING_BUCKETS]; /**< allocs with size in [2^i, 2^(i+1)) */
    int64_t fail_after;       /**< < 0: never; else allocs left before every alloc fails */
} ab_counting;

/** Wraps inner. Counters start at zero; fail_after = -1 (never fail). */
void ab_counting_init(ab_counting *c, ab_allocator inner);
/** Zeroes the counters (live bytes included: call it only with nothing live). */
void ab_counting_clear(ab_counting *c);
/** Zeroes the call and byte totals but keeps what is live; the peak restarts
 *  from the live bytes. For measuring a steady state after a warm-up. */
void ab_counting_rebase(ab_counting *c);
ab_allocator ab_counting_allocator(ab_counting *c);

#ifdef __cplusplus
}
#endif
#endif /* AB_COUNTING_H */
