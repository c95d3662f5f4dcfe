/*
 * GNU obstacks (glibc <obstack.h>) behind the contestant interface.
 *
 * How obstack is used, following the glibc manual ("Obstacks"):
 *   - chunks come from params->backing through
 *     obstack_specify_allocation_with_arg (the chunk functions take an extra
 *     argument, here this state), so the harness can count them:
 *     backing_routed = true. The chunk size is obstack's default (size 0:
 *     "what GNU malloc can fit in a 4096-byte block", 4064 bytes on x86-64),
 *     the alignment its default (alignment 0: 16 on x86-64);
 *   - a scope begins with a mark, a zero-size first object
 *     (obstack_alloc(ob, 0)), and ends with obstack_free(ob, mark): "To free
 *     all memory in an obstack but leave it valid for further allocation,
 *     call obstack_free with the address of the first object allocated on
 *     the obstack". This frees every chunk but the one holding the mark (the
 *     first chunk), so AB_END_RESET keeps one chunk. The zero-size object
 *     also sets maybe_empty_object, which stops _obstack_newchunk from
 *     freeing that chunk under the mark;
 *   - AB_END_DESTROY is obstack_free(ob, NULL) ("the result is an
 *     uninitialized obstack"); the next begin initialises it again;
 *   - "within each obstack, the last object allocated must always be the
 *     first one freed, but distinct obstacks are independent of each other":
 *     the contract lets a workload allocate from an outer scope while a
 *     nested one is open, and a mark on a single obstack would free those
 *     objects at the nested end. So each nesting depth has its own obstack
 *     (chunks from the backing too); a nested scope is a mark on it, freed
 *     to at the nested end (its first chunk stays for the next nested scope
 *     at that depth); an outer AB_END_DESTROY releases every depth;
 *   - individual frees are no-ops (bulk release); resize shrinks in place
 *     and never grows: obstack grows only the object under construction
 *     (obstack_blank/obstack_grow), not a finished one;
 *   - alignment: objects start on the obstack's alignment (mask + 1); a
 *     larger alignment over-allocates by the difference and aligns up;
 *   - obstack lengths are int: a request above INT_MAX is refused (NULL).
 *
 * Chunk free: obstack's free function gets no size, but every chunk records
 * its end (struct _obstack_chunk.limit = chunk + the size chunkfun was asked
 * for, in _obstack_begin_1 and _obstack_newchunk), so the exact size is
 * given back to the backing: the counts are right for any backing, not only
 * for a counter that asks malloc_usable_size.
 *
 * Out of memory: obstack never returns NULL; it calls the process-wide
 * obstack_alloc_failed_handler, which "should either abort gracefully or use
 * longjump - but shouldn't return". Rather than replace that global, the
 * chunk function itself longjmps to the call that needed the chunk when the
 * backing returns NULL; _obstack_begin_1 and _obstack_newchunk call it before
 * changing the obstack, so the obstack is left as it was. Only calls that
 * may need a chunk pay for setjmp: the fast path (the object fits in the
 * current chunk, obstack_room) never calls the chunk function.
 *
 * Not thread-safe (as obstacks): one state per thread (ab_subject_new_like).
 */
#include <limits.h>
#include <obstack.h>
#include <setjmp.h>
#include <stdlib.h>

#include "workload.h"

#define MAX_DEPTH 16

struct ob_state;

typedef struct ob_level {
    struct obstack ob;
    struct ob_state *owner;
    bool live;  /* initialised: holds at least its first chunk */
    void *mark; /* first (zero-size) object of the open scope */
} ob_level;

typedef struct ob_state {
    ab_allocator backing;
    jmp_buf *oom; /* where chunk_alloc jumps when the backing fails */
    int depth;
    ob_level lv[MAX_DEPTH];
} ob_state;

static void *chunk_alloc(void *arg, long size) {
    ob_state *s = (ob_state *)arg;
    void *p = NULL;
    if (size > 0) p = s->backing.vtable->alloc(s->backing.ctx, (size_t)size, AB_DEFAULT_ALIGN);
    if (p == NULL && s->oom != NULL) longjmp(*s->oom, 1);
    return p; /* NULL only if no caller armed oom: obstack then calls its handler */
}

static void chunk_free(void *arg, void *chunk) {
    ob_state *s = (ob_state *)arg;
    struct _obstack_chunk *c = (struct _obstack_chunk *)chunk;
    size_t size = (size_t)(c->limit - (char *)c); /* what chunk_alloc was asked for */
    s->backing.vtable->free(s->backing.ctx, chunk, size, AB_DEFAULT_ALIGN);
}

/* Initialises l (allocates its first chunk); false if the backing failed. */
static bool level_init(ob_state *s, ob_level *l) {
    jmp_buf env;
    s->oom = &env;
    if (setjmp(env) != 0) {
        s->oom = NULL;
        return false;
    }
    obstack_specify_allocation_with_arg(&l->ob, 0, 0, chunk_alloc, chunk_free, s);
    s->oom = NULL;
    l->live = true;
    return true;
}

/* obstack_alloc when the object may need a new chunk; NULL if the backing failed. */
static AB_NOINLINE void *alloc_slow(ob_level *l, int len) {
    ob_state *s = l->owner;
    jmp_buf env;
    s->oom = &env;
    if (setjmp(env) != 0) {
        s->oom = NULL;
        return NULL;
    }
    void *p = obstack_alloc(&l->ob, len);
    s->oom = NULL;
    return p;
}

static void *vt_alloc(void *ctx, size_t size, size_t align) {
    ob_level *l = (ob_level *)ctx;
    if (AB_UNLIKELY(!l->live)) return NULL; /* the scope's first chunk could not be had */
    size_t own = (size_t)obstack_alignment_mask(&l->ob) + 1;
    size_t extra = align > own ? align - own : 0;
    if (AB_UNLIKELY(size > (size_t)INT_MAX - extra)) return NULL;
    int len = (int)(size + extra);
    char *p;
    if (AB_LIKELY(obstack_room(&l->ob) >= (unsigned)len)) p = (char *)obstack_alloc(&l->ob, len);
    else p = (char *)alloc_slow(l, len);
    if (p == NULL) return NULL;
    return extra ? (void *)ab_align_up((uintptr_t)p, align) : (void *)p;
}

static bool vt_resize(void *ctx, void *p, size_t old_size, size_t new_size, size_t align) {
    (void)ctx, (void)p, (void)align;
    return new_size <= old_size; /* shrink: the bytes stay; grow: not a finished object */
}

static void vt_free(void *ctx, void *p, size_t size, size_t align) {
    (void)ctx, (void)p, (void)size, (void)align; /* released at scope end */
}

static const ab_allocator_vtable obstack_vtable = {vt_alloc, vt_resize, NULL, vt_free};

static void *create(const ab_subject_params *p) {
    ob_state *s = (ob_state *)calloc(1, sizeof *s);
    if (s == NULL) return NULL;
    s->backing = p->backing;
    for (int d = 0; d < MAX_DEPTH; d++) s->lv[d].owner = s;
    return s;
}

static ab_allocator begin(void *st) {
    ob_state *s = (ob_state *)st;
    if (s->depth >= MAX_DEPTH) abort(); /* the harness stops deeper nesting first */
    ob_level *l = &s->lv[s->depth++];
    if (l->live || level_init(s, l)) l->mark = obstack_alloc(&l->ob, 0); /* never needs a chunk */
    ab_allocator a = {l, &obstack_vtable};
    return a;
}

static void release(ob_level *l) {
    if (!l->live) return;
    obstack_free(&l->ob, NULL);
    l->live = false;
}

static void end(void *st, ab_scope_end_mode mode) {
    ob_state *s = (ob_state *)st;
    ob_level *l = &s->lv[--s->depth];
    if (s->depth == 0 && mode == AB_END_DESTROY) {
        for (int d = 0; d < MAX_DEPTH; d++) release(&s->lv[d]);
        return;
    }
    if (l->live) obstack_free(&l->ob, l->mark); /* everything since the mark; first chunk kept */
}

static void destroy(void *st) {
    ob_state *s = (ob_state *)st;
    for (int d = 0; d < MAX_DEPTH; d++) release(&s->lv[d]);
    free(s);
}

const ab_contestant ab_contestant_obstack = {
    .name = "obstack",
    .kind = AB_KIND_LIBRARY,
    .describe = "GNU obstack (glibc): default 4064-byte chunks from the backing, scope = mark + obstack_free to it",
    .create = create, .begin = begin, .end = end, .destroy = destroy,
    .backing_routed = true,
};
