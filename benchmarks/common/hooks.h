/*
 * hooks.h -- third-party allocator hooks over an ab_allocator (C11, header only).
 *
 * Real C libraries take malloc-like hooks. Some pass the old size back
 * (Lua's lua_Alloc), most do not (SQLite's xFree/xSize, cJSON's free_fn,
 * expat's realloc_fcn/free_fcn, zlib's zfree). ab_allocator needs the size
 * on every free and resize, so this adapter offers two entry points:
 *
 *  SIZED (no header): ab_hooks_sized_alloc/_realloc/_free(h, p, size...):
 *    for hooks that pass the old size (Lua). Zero bytes of overhead.
 *
 *  HEADER ("sized header"): ab_hooks_malloc/_realloc/_free/_size: every
 *    block is preceded by a 16-byte header
 *
 *        base                         base + 16 = what the library gets
 *        | size_t size | ab_hooks *owner | payload (size bytes) ... |
 *
 *    and is allocated as ab_alloc(a, size + 16, 16). size is the payload
 *    size the library asked for (what xSize reports); owner is the ab_hooks
 *    whose allocator made the block, so a free or realloc goes back to the
 *    allocator that made it even if the "current" allocator changed in
 *    between (blocks made by a library's global init outside any request).
 *    16 bytes keep the payload 16-aligned (malloc's guarantee on x86-64 and
 *    AArch64). Overhead: exactly 16 bytes per allocation, plus what the
 *    allocator rounds; the harness counts it (it is in bytes_requested and
 *    allocs_per_iter), so a workload over hooks reports what the library
 *    really costs each contestant.
 *
 * An ab_hooks is made per request over the scope's allocator:
 *   frees == ab_subject_frees(s): true for malloc (each free the library asks
 *   for is forwarded), false for arenas (the library's frees are no-ops; the
 *   scope end releases everything, as the recipe says). Realloc always goes
 *   through ab_realloc (in place when the allocator can, else move).
 *
 * PROCESS-GLOBAL hooks (SQLite's sqlite3_config(SQLITE_CONFIG_MALLOC),
 * cJSON_InitHooks, expat's suite without user data) cannot carry a context:
 * install ONE set of functions once, which forward to the calling thread's
 * "current" ab_hooks (ab_hooks_current_*), and set it at the start of each
 * request with ab_hooks_set_current (restore it at the end). With no current
 * ab_hooks the fallback is the process's malloc (frees on). The slot is
 * _Thread_local and per translation unit (a static inside a static inline
 * function), so each workload file has its own and threads never share one.
 *
 * Failures: a NULL from the allocator is counted in h->failures and returned
 * to the library, which reports out-of-memory its own way.
 *
 * Test hook: compiled with -DAB_HOOKS_OBSERVE, the adapter calls
 *   void ab_hooks_observe(const ab_hooks *h, void *p, size_t n, int op);
 * (op = AB_HOOKS_OP_ALLOC after a block of n bytes is handed to the library,
 * AB_HOOKS_OP_FREE before the library's block p of n bytes is released, even
 * when the free is not forwarded), which the test defines to track live
 * intervals (tests/hooks/test_hooks.c). Benchmark builds do not define it: no
 * cost.
 */
#ifndef AB_COMMON_HOOKS_H
#define AB_COMMON_HOOKS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "allocator.h"
#include "workload.h"

/** One library's view of one allocator (usually: one request's scope). */
typedef struct ab_hooks {
    ab_allocator a;    /**< where blocks come from */
    bool frees;        /**< forward the library's frees (malloc family) */
    uint64_t failures; /**< NULL returns handed to the library */
    uint64_t calls;    /**< alloc + realloc calls (for the tests) */
} ab_hooks;

/** Bytes in front of every block of the header entry points. */
#define AB_HOOKS_HEADER ((size_t)16)
/** Alignment of the blocks handed to the library (both entry points). */
#define AB_HOOKS_ALIGN ((size_t)16)

enum { AB_HOOKS_OP_ALLOC = 1, AB_HOOKS_OP_FREE = 2 };

#ifdef AB_HOOKS_OBSERVE
void ab_hooks_observe(const ab_hooks *h, void *p, size_t n, int op);
#define AB_HOOKS_OBSERVE_(h, p, n, op) ab_hooks_observe((h), (p), (n), (op))
#else
#define AB_HOOKS_OBSERVE_(h, p, n, op) ((void)0)
#endif

typedef struct ab_hooks_header {
    size_t size;     /**< payload bytes the library asked for */
    ab_hooks *owner; /**< whose allocator made the block */
} ab_hooks_header;

_Static_assert(sizeof(ab_hooks_header) == AB_HOOKS_HEADER, "the header is 16 bytes");
_Static_assert(AB_HOOKS_HEADER % AB_HOOKS_ALIGN == 0, "the header keeps the payload aligned");

static inline void ab_hooks_init(ab_hooks *h, ab_allocator a, bool frees) {
    h->a = a;
    h->frees = frees;
    h->failures = 0;
    h->calls = 0;
}

/* ---- sized entry points (the library passes the old size) --------------- */

static inline void *ab_hooks_sized_alloc(ab_hooks *h, size_t n) {
    h->calls++;
    void *p = ab_alloc(h->a, n, AB_HOOKS_ALIGN);
    if (p == NULL) h->failures++;
    else AB_HOOKS_OBSERVE_(h, p, n, AB_HOOKS_OP_ALLOC);
    return p;
}

static inline void ab_hooks_sized_free(ab_hooks *h, void *p, size_t n) {
    if (p == NULL) return;
    AB_HOOKS_OBSERVE_(h, p, n, AB_HOOKS_OP_FREE);
    if (h->frees) ab_free(h->a, p, n, AB_HOOKS_ALIGN);
}

/** realloc with the old size; n > 0. NULL (p untouched) on failure. */
static inline void *ab_hooks_sized_realloc(ab_hooks *h, void *p, size_t old, size_t n) {
    if (p == NULL || old == 0) return ab_hooks_sized_alloc(h, n);
    h->calls++;
    void *q = ab_realloc(h->a, p, old, n, AB_HOOKS_ALIGN);
    if (q == NULL) {
        h->failures++;
        return NULL;
    }
    AB_HOOKS_OBSERVE_(h, p, old, AB_HOOKS_OP_FREE);
    AB_HOOKS_OBSERVE_(h, q, n, AB_HOOKS_OP_ALLOC);
    return q;
}

/* ---- header entry points (the library does not pass the size) ----------- */

static inline ab_hooks_header *ab_hooks_header_of(void *p) {
    return (ab_hooks_header *)((char *)p - AB_HOOKS_HEADER);
}

/** n bytes (n == 0 is served as 1 byte, like most mallocs); NULL on failure. */
static inline void *ab_hooks_malloc(ab_hooks *h, size_t n) {
    h->calls++;
    if (n == 0) n = 1;
    if (n > AB_MAX_SIZE - AB_HOOKS_HEADER) {
        h->failures++;
        return NULL;
    }
    ab_hooks_header *b = (ab_hooks_header *)ab_alloc(h->a, n + AB_HOOKS_HEADER, AB_HOOKS_ALIGN);
    if (b == NULL) {
        h->failures++;
        return NULL;
    }
    b->size = n;
    b->owner = h;
    AB_HOOKS_OBSERVE_(h, b + 1, n, AB_HOOKS_OP_ALLOC);
    return b + 1;
}

/** The payload size of a block from ab_hooks_malloc (SQLite's xSize). */
static inline size_t ab_hooks_size(void *p) { return p ? ab_hooks_header_of(p)->size : 0; }

/** Frees a block from ab_hooks_malloc through the allocator that made it. */
static inline void ab_hooks_free(void *p) {
    if (p == NULL) return;
    ab_hooks_header *b = ab_hooks_header_of(p);
    ab_hooks *o = b->owner;
    AB_HOOKS_OBSERVE_(o, p, b->size, AB_HOOKS_OP_FREE);
    if (o->frees) ab_free(o->a, b, b->size + AB_HOOKS_HEADER, AB_HOOKS_ALIGN);
}

/**
 * realloc: p == NULL allocates from h; otherwise the block's own allocator
 * resizes or moves it. n == 0 keeps a 1-byte block (never frees: callers that
 * mean free call free). NULL (p untouched) on failure.
 */
static inline void *ab_hooks_realloc(ab_hooks *h, void *p, size_t n) {
    if (p == NULL) return ab_hooks_malloc(h, n);
    ab_hooks_header *b = ab_hooks_header_of(p);
    ab_hooks *o = b->owner;
    h->calls++; /* counted on the caller's ab_hooks (its thread's), not the owner's */
    if (n == 0) n = 1;
    size_t old = b->size;
    if (n > AB_MAX_SIZE - AB_HOOKS_HEADER) {
        h->failures++;
        return NULL;
    }
    ab_hooks_header *nb = (ab_hooks_header *)ab_realloc(o->a, b, old + AB_HOOKS_HEADER,
                                                          n + AB_HOOKS_HEADER, AB_HOOKS_ALIGN);
    if (nb == NULL) {
        h->failures++;
        return NULL;
    }
    AB_HOOKS_OBSERVE_(o, p, old, AB_HOOKS_OP_FREE);
    nb->size = n;
    AB_HOOKS_OBSERVE_(o, nb + 1, n, AB_HOOKS_OP_ALLOC);
    return nb + 1;
}

/* ---- "current" forwarding for process-global hooks ----------------------- */

/** The calling thread's current ab_hooks slot (one per translation unit). */
static inline ab_hooks **ab_hooks_current_slot(void) {
    static _Thread_local ab_hooks *current;
    return &current;
}

/** Makes h current for the calling thread; returns the previous one (restore it). */
static inline ab_hooks *ab_hooks_set_current(ab_hooks *h) {
    ab_hooks **slot = ab_hooks_current_slot();
    ab_hooks *prev = *slot;
    *slot = h;
    return prev;
}

/** The current ab_hooks, or the fallback over the process's malloc. */
static inline ab_hooks *ab_hooks_current(void) {
    ab_hooks *h = *ab_hooks_current_slot();
    if (AB_LIKELY(h != NULL)) return h;
    /* Outside any request (a library's global init): the process's malloc.
     * Per thread, so its counters are never shared between threads. */
    static _Thread_local ab_hooks fallback;
    if (fallback.a.vtable == NULL) ab_hooks_init(&fallback, ab_malloc_allocator(), true);
    return &fallback;
}

static inline void *ab_hooks_current_malloc(size_t n) { return ab_hooks_malloc(ab_hooks_current(), n); }
static inline void *ab_hooks_current_realloc(void *p, size_t n) {
    return ab_hooks_realloc(ab_hooks_current(), p, n);
}

/* ---- the request loop every hooked workload shares ----------------------- */

/** One request of a hooked library: does the library's work with h as its
 *  allocator (h is also the thread's current hooks, for process-global
 *  hooks), hashes what it produced into *hash, returns false on failure. */
typedef bool (*ab_hooks_request_fn)(const void *input, int i, ab_hooks *h, uint64_t *hash);

/** Runs requests 0..n-1 of a hooked workload: each in a scope of s (reset
 *  at its end), through hooks over that scope's allocator that forward the
 *  library's frees only when the subject needs them. A request that failed,
 *  or in which the library was handed a NULL, is counted in failures and
 *  hashed as 0, so checksums stay comparable. */
static inline ab_run_result ab_hooks_run_requests(ab_subject *s, const void *input, int n, ab_hooks_request_fn fn) {
    ab_run_result r = {AB_CHECKSUM_INIT, (uint64_t)n, 0};
    bool frees = ab_subject_frees(s);
    for (int i = 0; i < n; i++) {
        ab_hooks h;
        ab_hooks_init(&h, ab_scope_begin(s), frees);
        ab_hooks *prev = ab_hooks_set_current(&h);
        uint64_t hash = AB_CHECKSUM_INIT;
        bool ok = fn(input, i, &h, &hash);
        ab_hooks_set_current(prev);
        ab_scope_end(s, AB_END_RESET);
        if (!ok || h.failures) r.failures++;
        r.checksum = ab_hash_u64(r.checksum, ok ? hash : 0);
    }
    return r;
}

#endif /* AB_COMMON_HOOKS_H */
