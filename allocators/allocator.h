/*
 * allocator.h -- arenabench's common allocator interface (C11).
 *
 * An allocator is a context pointer plus a small table of functions, like
 * Zig's std.mem.Allocator, Lua's lua_Alloc or SQLite's sqlite3_mem_methods.
 * Size and alignment travel with every call ("alignment always follows
 * size"), so no allocator needs a hidden per-allocation header.
 *
 * Vtable preconditions (every allocator may assert them; the inline helpers
 * below guarantee them, so call the helpers, not the vtable):
 *   - size >= 1 and size <= AB_MAX_SIZE
 *   - align is a power of two and align <= AB_MAX_ALIGN
 *   - p is non-NULL and was returned by this allocator with the same
 *     size and align (old_size for resize/remap)
 * Out of memory is a NULL return (or false from resize); library code never
 * aborts and never returns a short buffer.
 *
 * Zero-size requests never reach an allocator: ab_alloc(a, 0, align) returns
 * AB_ZERO_SIZE_PTR(align), a non-NULL, aligned pointer that must not be
 * dereferenced; freeing it (size 0) is a no-op. This is Zig's convention.
 */
#ifndef AB_ALLOCATOR_H
#define AB_ALLOCATOR_H

#include <assert.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define AB_LIKELY(x) __builtin_expect(!!(x), 1)
#define AB_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define AB_NOINLINE __attribute__((noinline))
#define AB_COLD __attribute__((cold, noinline))
#define AB_PRINTF(f, a) __attribute__((format(printf, f, a)))
/* Tells the optimiser a fact it cannot prove (undefined if false): lets a
 * caller's NULL check vanish after the arena's fast path. Builds with
 * assertions check it instead (an arena used without ab_arena_init). */
#ifdef NDEBUG
#define AB_ASSUME(x) ((x) ? (void)0 : __builtin_unreachable())
#else
#define AB_ASSUME(x) assert(x)
#endif
#else
#define AB_LIKELY(x) (x)
#define AB_UNLIKELY(x) (x)
#define AB_NOINLINE
#define AB_COLD
#define AB_PRINTF(f, a)
#define AB_ASSUME(x) ((void)0)
#endif

/** Largest alignment any allocator must honour (1 MiB). */
#define AB_MAX_ALIGN ((size_t)1 << 20)
/** Largest single request; larger ones fail with NULL before reaching an allocator. */
#define AB_MAX_SIZE ((size_t)PTRDIFF_MAX / 2)
/** The default alignment for untyped byte allocations (malloc's guarantee). */
#define AB_DEFAULT_ALIGN ((size_t)_Alignof(max_align_t))
/** What ab_alloc returns for size 0: aligned, non-NULL, never dereferenced. */
#define AB_ZERO_SIZE_PTR(align) ((void *)(uintptr_t)(align))

/** The function table behind an allocator. */
typedef struct ab_allocator_vtable {
    /** Returns size bytes aligned to align, or NULL. */
    void *(*alloc)(void *ctx, size_t size, size_t align);
    /** Grows or shrinks p in place; false (nothing changed) if it cannot. */
    bool (*resize)(void *ctx, void *p, size_t old_size, size_t new_size, size_t align);
    /** Optional (may be NULL): resize that may move, like realloc; NULL on
     *  failure with p untouched. Zig 0.14 calls this remap. ab_realloc uses
     *  it when present, else alloc + copy + free. */
    void *(*remap)(void *ctx, void *p, size_t old_size, size_t new_size, size_t align);
    /** Releases p. Allocators that release in bulk may ignore it. */
    void (*free)(void *ctx, void *p, size_t size, size_t align);
} ab_allocator_vtable;

/** An allocator: a context and its vtable, passed by value. */
typedef struct ab_allocator {
    void *ctx;
    const ab_allocator_vtable *vtable;
} ab_allocator;

/** True if x is a power of two (0 is not). */
static inline bool ab_is_pow2(size_t x) { return x != 0 && (x & (x - 1)) == 0; }

/** True if (size, align) may be passed to a vtable. */
static inline bool ab_request_ok(size_t size, size_t align) {
    return ab_is_pow2(align) && align <= AB_MAX_ALIGN && size <= AB_MAX_SIZE;
}

/** Rounds x up to a multiple of align (a power of two). */
static inline uintptr_t ab_align_up(uintptr_t x, size_t align) {
    return (x + (align - 1)) & ~(uintptr_t)(align - 1);
}

/** size bytes aligned to align; NULL on bad alignment, size > AB_MAX_SIZE or OOM. */
static inline void *ab_alloc(ab_allocator a, size_t size, size_t align) {
    if (AB_UNLIKELY(!ab_request_ok(size, align))) return NULL;
    if (AB_UNLIKELY(size == 0)) return AB_ZERO_SIZE_PTR(align);
    return a.vtable->alloc(a.ctx, size, align);
}

/** count * size bytes; NULL (never a short buffer) if the product overflows. */
static inline void *ab_alloc_array(ab_allocator a, size_t count, size_t size, size_t align) {
    size_t total;
#if defined(__GNUC__) || defined(__clang__)
    if (__builtin_mul_overflow(count, size, &total)) return NULL;
#else
    if (size != 0 && count > SIZE_MAX / size) return NULL;
    total = count * size;
#endif
    return ab_alloc(a, total, align);
}

/** Releases p (size and align as allocated). NULL or size 0 is a no-op. */
static inline void ab_free(ab_allocator a, void *p, size_t size, size_t align) {
    if (p == NULL || size == 0) return;
    a.vtable->free(a.ctx, p, size, align);
}

/** Resizes in place; false if it cannot (p is then unchanged). */
static inline bool ab_resize(ab_allocator a, void *p, size_t old_size, size_t new_size, size_t align) {
    if (!ab_request_ok(new_size, align)) return false;
    if (old_size == new_size) return true;
    if (p == NULL || old_size == 0 || new_size == 0) return false;
    return a.vtable->resize(a.ctx, p, old_size, new_size, align);
}

/**
 * Like realloc: resize in place, else move (remap, or alloc + copy + free).
 * Returns the new pointer, or NULL with p still valid and unchanged.
 * p == NULL or old_size == 0 allocates; new_size == 0 frees and returns
 * AB_ZERO_SIZE_PTR(align).
 */
void *ab_realloc(ab_allocator a, void *p, size_t old_size, size_t new_size, size_t align);

/** A copy of n bytes of src (alignment AB_DEFAULT_ALIGN); NULL on OOM. */
void *ab_dup(ab_allocator a, const void *src, size_t n);

/** A NUL-terminated copy of s; free it with ab_free(a, p, strlen(s) + 1, 1). */
char *ab_strdup(ab_allocator a, const char *s);

/** A NUL-terminated copy of the first n bytes of s. */
char *ab_strndup(ab_allocator a, const char *s, size_t n);

/**
 * printf into freshly allocated memory (Zig's allocPrint). On success returns
 * the string and, if len_out is non-NULL, its length without the NUL; the
 * allocation is len + 1 bytes with alignment 1. NULL on OOM or format error.
 */
char *ab_sprintf(ab_allocator a, size_t *len_out, const char *fmt, ...) AB_PRINTF(3, 4);
char *ab_vsprintf(ab_allocator a, size_t *len_out, const char *fmt, va_list ap);

/** Typed helpers: one T, or n of them, with T's alignment. */
#define AB_NEW(a, T) ((T *)ab_alloc((a), sizeof(T), _Alignof(T)))
#define AB_NEW_ARRAY(a, T, n) ((T *)ab_alloc_array((a), (n), sizeof(T), _Alignof(T)))
#define AB_DELETE(a, T, p) ab_free((a), (p), sizeof(T), _Alignof(T))
#define AB_DELETE_ARRAY(a, T, p, n) ab_free((a), (p), (size_t)(n) * sizeof(T), _Alignof(T))

/* ---- The process's general-purpose malloc (malloc_allocator.c) ---------- */

/**
 * The process's malloc behind the interface: plain malloc when its
 * guarantee (AB_DEFAULT_ALIGN) suffices, posix_memalign only above it;
 * resize succeeds in place when malloc_usable_size allows; remap is
 * realloc when the alignment permits.
 */
ab_allocator ab_malloc_allocator(void);

/** Bytes actually usable in a block from ab_malloc_allocator (malloc_usable_size). */
size_t ab_malloc_usable_size(void *p);

/** Which library serves malloc in this process. */
typedef enum ab_malloc_kind {
    AB_MALLOC_UNKNOWN = 0,
    AB_MALLOC_GLIBC,
    AB_MALLOC_JEMALLOC,
    AB_MALLOC_MIMALLOC,
    AB_MALLOC_TCMALLOC
} ab_malloc_kind;

/** The identity of the malloc in effect, found at run time. */
typedef struct ab_malloc_info {
    ab_malloc_kind kind;
    const char *name;   /**< "glibc", "jemalloc", "mimalloc", "tcmalloc" or "unknown" */
    char path[512];     /**< shared object that defines the malloc we call (dladdr) */
    char version[64];   /**< the library's own version call, or "" */
} ab_malloc_info;

/** Fills *out with the identity of the malloc this process calls. */
void ab_malloc_identify(ab_malloc_info *out);

/** "glibc" -> AB_MALLOC_GLIBC ...; AB_MALLOC_UNKNOWN if the name is not known. */
ab_malloc_kind ab_malloc_kind_from_name(const char *name);
const char *ab_malloc_kind_name(ab_malloc_kind kind);

#ifdef __cplusplus
}
#endif
#endif /* AB_ALLOCATOR_H */
