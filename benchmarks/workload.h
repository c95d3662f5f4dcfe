/*
 * workload.h -- what a workload sees of the allocator under test (C11).
 *
 * A workload is written ONCE against this header. The harness pairs it with
 * every contestant (allocator under test) that it accepts and times
 * ab_workload.run. Contestants are listed in harness/contestants.c (one file
 * each under harness/contestants/), workloads in benchmarks/workloads.c (one
 * file each under benchmarks/): adding either is one file + one line.
 *
 * Lifetimes are expressed as scopes. ab_scope_begin() opens a scope and returns
 * the allocator to use inside it; ab_scope_end() closes the innermost one:
 *   - a general-purpose malloc returns the process's malloc for every scope and
 *     does nothing at scope end: the workload must free what it allocated, the
 *     way a careful C programmer would (ab_subject_frees() is true);
 *   - an arena returns an arena; at the end of an outer scope it resets
 *     (AB_END_RESET: reset(retain_capacity), the recipe's advice) or is
 *     destroyed (AB_END_DESTROY: deinit, next begin starts a fresh arena);
 *     a nested scope is a child arena whose backing is the parent scope;
 *     ab_subject_frees() is false: the workload releases in bulk and skips
 *     individual frees, as the recipe says;
 *   - a pool hands out objects of one size (ab_workload.pool_object_size),
 *     and must be freed individually.
 */
#ifndef AB_WORKLOAD_H
#define AB_WORKLOAD_H

#include "allocator.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- contestants ---------------------------------------------------------- */

/** Contestant kinds (bit flags), matched against ab_workload.accepts. */
enum {
    AB_KIND_MALLOC = 1u << 0,  /**< the process's general-purpose malloc */
    AB_KIND_ARENA = 1u << 1,   /**< arena family: bulk release at scope end */
    AB_KIND_POOL = 1u << 2,    /**< fixed-size objects only */
    AB_KIND_BOUNDED = 1u << 3, /**< fixed capacity (stack-backed): may return NULL */
    AB_KIND_VARIANT = 1u << 4, /**< arena reset-policy variants (batch_reset) */
    AB_KIND_DIRECT = 1u << 5,  /**< this project's arena through its inline direct API */
    AB_KIND_FLOOR = 1u << 6,   /**< hand-inlined bump pointer over a pre-faulted buffer */
    AB_KIND_LIBRARY = 1u << 7, /**< an existing arena library (obstack, APR, talloc, mi_heap) */
    AB_KIND_ALL_GENERAL = AB_KIND_MALLOC | AB_KIND_ARENA | AB_KIND_LIBRARY,
};

/** How an outer scope ends. Nested scopes are always destroyed. */
typedef enum ab_scope_end_mode { AB_END_RESET = 0, AB_END_DESTROY = 1 } ab_scope_end_mode;

typedef struct ab_subject_params {
    ab_allocator backing;       /**< where memory comes from: the process's malloc
                                     (wrapped in a counter during the stats pass).
                                     The malloc contestant returns it from begin(). */
    size_t pool_object_size;    /**< object size for pools (0: not poolable) */
    size_t pool_object_align;
    size_t bounded_capacity;    /**< buffer size for bounded contestants */
} ab_subject_params;

/** One allocator under test. Listed in contestants.c. */
typedef struct ab_contestant {
    const char *name;       /**< "glibc", "arena", "pool", "obstack", ... ("malloc" resolves to the process's) */
    unsigned kind;          /**< one AB_KIND_* (plus AB_KIND_VARIANT) */
    const char *describe;   /**< one line for the README and --list */
    /** False if unusable in this process (e.g. mi_heap outside the mimalloc process). NULL: always. */
    bool (*available)(void);
    /** Per-benchmark state; NULL on failure. */
    void *(*create)(const ab_subject_params *p);
    /** Opens a scope (nested if one is open) and returns its allocator. */
    ab_allocator (*begin)(void *st);
    /** Closes the innermost scope. */
    void (*end)(void *st, ab_scope_end_mode mode);
    void (*destroy)(void *st);
    /** AB_KIND_DIRECT only: the arena behind the current scope, for the inline API. */
    struct ab_arena *(*direct_arena)(void *st);
    /** True if the contestant takes all its memory through params.backing, so
     *  bytes_reserved and backing_calls can be measured; libraries that call
     *  malloc or mmap themselves (APR, talloc, mi_heap) say false. */
    bool backing_routed;
} ab_contestant;

/** An instantiated contestant, as a workload holds it (harness/subject.c). */
typedef struct ab_subject ab_subject;

/** Opens a scope; returns the allocator to use in it. */
ab_allocator ab_scope_begin(ab_subject *s);
/** Closes the innermost scope (outer scopes: reset or destroy, see above). */
void ab_scope_end(ab_subject *s, ab_scope_end_mode mode);
/** True if the workload must free individually (malloc, pool). */
bool ab_subject_frees(const ab_subject *s);
/** The contestant behind s (name, kind). */
const ab_contestant *ab_subject_contestant(const ab_subject *s);
/** AB_KIND_DIRECT: the arena of the current scope; else NULL. */
struct ab_arena *ab_subject_direct_arena(ab_subject *s);
/** A new subject of the same contestant and parameters, for another thread.
 *  Its counts are added to s's when it is deleted. NULL on failure. */
ab_subject *ab_subject_new_like(ab_subject *s);
/** What ab_workload.prepare returned for this subject (NULL without prepare). */
void *ab_subject_state(const ab_subject *s);
/** Deletes a subject made by ab_subject_new_like (thread-safe). */
void ab_subject_delete(ab_subject *s);

/* ---- workloads ------------------------------------------------------------ */

/** The seed every workload's inputs derive from: fixed (0x5EED), so runs are
 *  reproducible, and changeable with the environment variable AB_SEED (the
 *  pipeline test uses it to prove that a checksum follows the input). */
uint64_t ab_workload_seed(void);

/** Deterministic PRNG (splitmix64 seeding a xorshift64*). The workload's own
 *  seed is combined with ab_workload_seed(), so one variable moves them all. */
typedef struct ab_rng { uint64_t s; } ab_rng;
static inline void ab_rng_seed(ab_rng *r, uint64_t seed) {
    uint64_t z = (seed ^ (ab_workload_seed() * 0xD1B54A32D192ED03ull)) + 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    r->s = (z ^ (z >> 31)) | 1u;
}
static inline uint64_t ab_rng_next(ab_rng *r) {
    r->s ^= r->s >> 12; r->s ^= r->s << 25; r->s ^= r->s >> 27;
    return r->s * 0x2545F4914F6CDD1Dull;
}
/** Uniform in [lo, hi] (inclusive). */
static inline uint64_t ab_rng_range(ab_rng *r, uint64_t lo, uint64_t hi) {
    return lo + ab_rng_next(r) % (hi - lo + 1);
}

/** Checksums: FNV-1a-style mixing, kept below 2^53 when reported. */
static inline uint64_t ab_hash_bytes(uint64_t h, const void *p, size_t n) {
    const unsigned char *b = (const unsigned char *)p;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 0x100000001B3ull;
    return h;
}
static inline uint64_t ab_hash_u64(uint64_t h, uint64_t v) {
    h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
    return h * 0x100000001B3ull;
}
#define AB_CHECKSUM_INIT 0xCBF29CE484222325ull
#define AB_CHECKSUM_MASK ((1ull << 53) - 1)

/** One benchmark instance: the inputs for one set of args, made untimed. */
typedef struct ab_workload_args { int64_t v[3]; int n; } ab_workload_args;

/** What one timed call of run() reports. */
typedef struct ab_run_result {
    uint64_t checksum;  /**< of what was produced; equal for every contestant */
    uint64_t items;     /**< requests / records / allocations done in this call */
    uint64_t failures;  /**< requests that failed (NULL from a bounded contestant...) */
} ab_run_result;

typedef struct ab_workload {
    const char *name;        /**< first part of the benchmark name */
    const char *item;        /**< what items are: "requests", "allocations"... */
    const char *describe;    /**< one line for the README and --list */
    unsigned accepts;        /**< AB_KIND_* bits this workload runs with */
    size_t pool_object_size; /**< for AB_KIND_POOL */
    size_t pool_object_align;
    size_t bounded_capacity; /**< for AB_KIND_BOUNDED (0: 64 KiB) */
    const ab_workload_args *args;  /**< argument sets, terminated by n == 0; NULL: one run, no args */
    const ab_workload_args *quick_args; /**< subset for --quick (NULL: same as args) */
    /** Makes the inputs (untimed). NULL return: failed (message on stderr). */
    void *(*setup)(const ab_workload_args *args);
    /** One timed unit of work. Must not keep state between calls except in s. */
    ab_run_result (*run)(void *input, ab_subject *s);
    void (*teardown)(void *input);
    /** Optional: untimed preparation for one subject, for workloads whose
     *  claim is about one phase only (locality: the traversal, not the build).
     *  Called after the harness creates a subject and before any run; what it
     *  returns (NULL: failure) is ab_subject_state(s) inside run. */
    void *(*prepare)(void *input, ab_subject *s);
    /** Releases what prepare made, before the subject is destroyed (so the
     *  harness's leak check still applies). Required with prepare. */
    void (*unprepare)(void *input, ab_subject *s, void *state);
} ab_workload;

/** The one list of workloads (workloads.c) and of contestants (contestants.c).
 *  An entry is NULL when its file is not built into this process. */
extern const ab_workload *const ab_workloads[];
extern const char *const ab_workload_names[];
extern const size_t ab_workload_count;
extern const ab_contestant *const ab_contestants[];
extern const char *const ab_contestant_names[];
extern const size_t ab_contestant_count;

#ifdef __cplusplus
}
#endif
#endif /* AB_WORKLOAD_H */
