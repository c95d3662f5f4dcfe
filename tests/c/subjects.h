/*
 * subjects.h -- the allocators under test, built the same way for the
 * conformance suite (test_allocators.c) and the fuzz target.
 *
 * Each subject owns everything it needs (arenas, fixed buffer, pool) and a
 * counting wrapper over malloc, `heap`, that backs it wherever a backing is
 * needed, so a test can check that nothing is left live at the end. Two
 * subjects are deliberately over plain malloc, as the benchmarks use them
 * (arena(malloc), malloc): for those, leaks are LeakSanitizer's and
 * valgrind's job. A subject must not be moved after ab_subject_open (its
 * allocators point into it).
 */
#ifndef AB_TEST_SUBJECTS_H
#define AB_TEST_SUBJECTS_H

#include "allocator.h"
#include "arena.h"
#include "block_cache.h"
#include "counting.h"
#include "fixed_buffer.h"
#include "pool.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ab_subject_kind {
    AB_SUBJ_ARENA_MALLOC,    /**< arena over plain malloc */
    AB_SUBJ_ARENA_COUNTING,  /**< arena over counting(malloc) */
    AB_SUBJ_ARENA_NESTED3,   /**< arena over arena over arena over counting(malloc) */
    AB_SUBJ_FIXED,           /**< fixed buffer over a big heap buffer */
    AB_SUBJ_STACK_ARENA,     /**< arena over a fixed buffer over the caller's stack buffer */
    AB_SUBJ_POOL,            /**< pool of AB_SUBJ_POOL_OBJ-byte objects over counting(malloc) */
    AB_SUBJ_MALLOC,          /**< the process's malloc */
    AB_SUBJ_COUNTING_MALLOC, /**< counting(malloc) */
    AB_SUBJ_BLOCK_CACHE,     /**< block cache (AB_SUBJ_CACHE_BYTES) over counting(malloc) */
    AB_SUBJ_ARENA_CACHED,    /**< arena over a block cache over counting(malloc) */
    AB_SUBJ_COUNT
} ab_subject_kind;

/** Capabilities the tests branch on. */
enum {
    AB_SUBJ_CAN_RESET = 1u << 0, /**< bulk reset */
    AB_SUBJ_BOUNDED = 1u << 1,   /**< valid requests may fail when it is full */
    AB_SUBJ_BUMP = 1u << 2,      /**< bump allocator: free rewinds / resize grows only the newest block */
    AB_SUBJ_COUNTED = 1u << 3,   /**< all its memory comes from `heap` */
};

#define AB_SUBJ_FIXED_CAP ((size_t)8 << 20)   /**< fixed buffer size */
#define AB_SUBJ_STACK_CAP ((size_t)256 << 10) /**< stack buffer the caller provides */
#define AB_SUBJ_POOL_OBJ ((size_t)4096)       /**< pool object size and alignment */
#define AB_SUBJ_NESTED_BLOCK ((size_t)64 << 10) /**< first block of the outer nested arenas */
#define AB_SUBJ_STACK_BIG ((size_t)8 << 10)     /**< the model's "large" sizes for the stack arena */
#define AB_SUBJ_CACHE_BYTES ((size_t)256 << 10) /**< what the block-cache subjects keep at most */

typedef struct ab_subject {
    ab_subject_kind kind;
    const char *name;
    unsigned caps;
    size_t max_size, max_align; /**< what the allocator serves (the pool: its object) */
    ab_counting heap;           /**< counting(malloc): the backing of counted subjects */
    ab_arena arena[3];
    ab_fixed_buffer fb;
    ab_pool pool;
    ab_block_cache cache;
    void *buf;                  /**< the fixed buffer's memory */
    size_t buf_cap;
    ab_allocator a;             /**< the allocator under test */
} ab_subject;

/** Size of the fixed-buffer subject's heap buffer (AB_SUBJ_FIXED_CAP; the fuzzer uses less). */
extern size_t ab_subject_fixed_cap;

const char *ab_subject_name(ab_subject_kind kind);
/** Builds subject kind in *s. AB_SUBJ_STACK_ARENA uses stack_buf (AB_SUBJ_STACK_CAP bytes, 64-aligned,
 *  owned by the caller's frame); the others ignore it. False if setup failed. */
bool ab_subject_open(ab_subject *s, ab_subject_kind kind, void *stack_buf);
/** Bulk reset, as an ab_model_reset_fn: how%4 picks free_all, retain_capacity, retain_with_limit
 *  (limit (how/4)%64 KiB) or the fixed buffer's reset. For the nested subject, how&32 also
 *  resets the whole chain (free_all inside, free_all or retain outermost): a parent that is never
 *  reset under a child that keeps resetting grows without bound (blocks of the child that span
 *  parent blocks cannot be rewound), the recipe's "growing without bounds" pitfall.
 *  Returns AB_MODEL_RESET_*. */
int ab_subject_reset(void *subject, unsigned how);
/** Tears everything down (deinit, un-poison, free the buffer). heap's live bytes must then be 0. */
void ab_subject_close(ab_subject *s);
/** Model flags for this subject (AB_MODEL_BOUNDED ...). */
unsigned ab_subject_model_flags(const ab_subject *s);
struct ab_model;
/** Sets up model m for subject s (flags, limits, reset callback, size scale). */
void ab_subject_model_init(struct ab_model *m, ab_subject *s);

#ifdef __cplusplus
}
#endif
#endif /* AB_TEST_SUBJECTS_H */
