/*
 * subject.c -- scopes, counting and per-thread clones for the contestants.
 */
#include "subject.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "counting.h"

#define MAX_DEPTH 16

struct ab_subject {
    const ab_contestant *c;
    const ab_workload *w;
    void *st;
    bool counting;
    int depth;
    ab_counting backing;              /* counting mode: wraps the process's malloc */
    ab_counting scope[MAX_DEPTH];     /* counting mode: wraps what begin() returned */
    ab_subject_counts merged;         /* from scopes already closed and deleted clones */
    ab_subject *parent;               /* set for clones */
    void *state;                      /* from ab_workload.prepare */
    pthread_mutex_t lock;             /* guards merged when clones merge into it */
};

static void merge_scope(ab_subject_counts *m, const ab_counting *c) {
    m->allocs += c->alloc_calls;
    m->frees += c->free_calls;
    m->bytes_requested += c->total_bytes;
}

static ab_subject *subject_new(const ab_contestant *c, const ab_workload *w, bool counting) {
    ab_subject *s = (ab_subject *)calloc(1, sizeof *s);
    if (s == NULL) return NULL;
    s->c = c;
    s->w = w;
    s->counting = counting;
    pthread_mutex_init(&s->lock, NULL);
    ab_subject_params p;
    memset(&p, 0, sizeof p);
    p.backing = ab_malloc_allocator();
    if (counting) {
        ab_counting_init(&s->backing, p.backing);
        s->backing.usable_size = ab_malloc_usable_size; /* what malloc really holds */
        p.backing = ab_counting_allocator(&s->backing);
    }
    p.pool_object_size = w->pool_object_size;
    p.pool_object_align = w->pool_object_align ? w->pool_object_align : AB_DEFAULT_ALIGN;
    p.bounded_capacity = w->bounded_capacity ? w->bounded_capacity : (size_t)64 << 10;
    s->st = c->create(&p);
    if (s->st == NULL) {
        pthread_mutex_destroy(&s->lock);
        free(s);
        return NULL;
    }
    return s;
}

ab_subject *ab_subject_create(const ab_contestant *c, const ab_workload *w, bool counting) {
    return subject_new(c, w, counting);
}

uint64_t ab_subject_destroy(ab_subject *s) {
    if (s == NULL) return 0;
    while (s->depth > 0) ab_scope_end(s, AB_END_DESTROY);
    s->c->destroy(s->st);
    uint64_t leaked = s->counting ? s->backing.live_bytes : 0;
    pthread_mutex_destroy(&s->lock);
    free(s);
    return leaked;
}

ab_subject *ab_subject_start(const ab_contestant *c, const ab_workload *w, void *input, bool counting) {
    ab_subject *s = subject_new(c, w, counting);
    if (s == NULL || w->prepare == NULL) return s;
    s->state = w->prepare(input, s);
    if (s->state == NULL) {
        ab_subject_destroy(s);
        return NULL;
    }
    return s;
}

uint64_t ab_subject_finish(ab_subject *s, void *input) {
    if (s == NULL) return 0;
    if (s->w->unprepare != NULL && s->state != NULL) s->w->unprepare(input, s, s->state);
    s->state = NULL;
    return ab_subject_destroy(s);
}

void *ab_subject_state(const ab_subject *s) { return s->state; }

void ab_subject_rebase(ab_subject *s) {
    memset(&s->merged, 0, sizeof s->merged);
    for (int d = 0; d < s->depth; d++) ab_counting_rebase(&s->scope[d]);
    if (s->counting) ab_counting_rebase(&s->backing);
}

ab_allocator ab_scope_begin(ab_subject *s) {
    if (s->depth >= MAX_DEPTH) {
        fprintf(stderr, "arenabench: scopes nested deeper than %d\n", MAX_DEPTH);
        abort();
    }
    ab_allocator a = s->c->begin(s->st);
    if (s->counting) {
        ab_counting *sc = &s->scope[s->depth];
        ab_counting_init(sc, a);
        a = ab_counting_allocator(sc);
    }
    s->depth++;
    return a;
}

void ab_scope_end(ab_subject *s, ab_scope_end_mode mode) {
    if (s->depth <= 0) {
        fprintf(stderr, "arenabench: ab_scope_end without a scope (workload bug)\n");
        abort();
    }
    s->depth--;
    if (s->counting) merge_scope(&s->merged, &s->scope[s->depth]);
    s->c->end(s->st, mode);
}

bool ab_subject_frees(const ab_subject *s) {
    return (s->c->kind & (AB_KIND_MALLOC | AB_KIND_POOL)) != 0;
}

const ab_contestant *ab_subject_contestant(const ab_subject *s) { return s->c; }

struct ab_arena *ab_subject_direct_arena(ab_subject *s) {
    return s->c->direct_arena ? s->c->direct_arena(s->st) : NULL;
}

ab_subject *ab_subject_new_like(ab_subject *s) {
    ab_subject *t = subject_new(s->c, s->w, s->counting);
    if (t != NULL) t->parent = s;
    return t;
}

void ab_subject_delete(ab_subject *t) {
    if (t == NULL) return;
    while (t->depth > 0) ab_scope_end(t, AB_END_DESTROY);
    t->c->destroy(t->st);
    ab_subject *s = t->parent;
    if (s != NULL && t->counting) {
        pthread_mutex_lock(&s->lock);
        s->merged.allocs += t->merged.allocs;
        s->merged.frees += t->merged.frees;
        s->merged.bytes_requested += t->merged.bytes_requested;
        s->merged.backing_calls += t->backing.alloc_calls + t->backing.free_calls +
                                   t->backing.resize_calls + t->backing.remap_calls;
        /* Peaks of concurrent threads add up (an upper bound of the joint peak). */
        s->merged.bytes_reserved += t->backing.peak_bytes;
        s->merged.backing_live += t->backing.live_bytes;
        pthread_mutex_unlock(&s->lock);
    }
    pthread_mutex_destroy(&t->lock);
    free(t);
}

void ab_subject_get_counts(const ab_subject *s, ab_subject_counts *out) {
    ab_subject *m = (ab_subject *)s;
    pthread_mutex_lock(&m->lock);
    *out = s->merged;
    pthread_mutex_unlock(&m->lock);
    for (int d = 0; d < s->depth; d++) merge_scope(out, &s->scope[d]);
    out->backing_calls += s->backing.alloc_calls + s->backing.free_calls + s->backing.resize_calls +
                          s->backing.remap_calls;
    out->bytes_reserved += s->backing.peak_bytes;
    out->backing_live += s->backing.live_bytes;
}
