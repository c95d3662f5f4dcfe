/*
 * A stack-backed arena: this project's arena over a fixed buffer
 * (params.bounded_capacity, 64 KiB by default) that stands for a stack or
 * static buffer. The buffer is made once, outside the counters and the
 * timing, and pre-faulted, as a hot stack is. Past the buffer allocations
 * return NULL: there is no fallback to the heap.
 */
#include <stdlib.h>

#include "arena.h"
#include "fixed_buffer.h"
#include "workload.h"

#define MAX_DEPTH 16

typedef struct stack_state {
    char *buf;
    size_t cap;
    ab_fixed_buffer fb;
    int depth;
    bool outer_live;
    ab_arena arenas[MAX_DEPTH];
} stack_state;

static void *create(const ab_subject_params *p) {
    stack_state *s = (stack_state *)calloc(1, sizeof *s);
    if (s == NULL) return NULL;
    s->cap = p->bounded_capacity;
    s->buf = (char *)aligned_alloc(64, (s->cap + 63) & ~(size_t)63);
    if (s->buf == NULL) {
        free(s);
        return NULL;
    }
    memset(s->buf, 0, s->cap); /* pre-fault, like a stack in use */
    ab_fixed_buffer_init(&s->fb, s->buf, s->cap);
    return s;
}

static ab_allocator begin(void *st) {
    stack_state *s = (stack_state *)st;
    ab_arena *a = &s->arenas[s->depth];
    if (s->depth == 0) {
        if (!s->outer_live) ab_arena_init_sized(a, ab_fixed_buffer_allocator(&s->fb), s->cap);
        s->outer_live = true;
    } else {
        ab_arena_init_sized(a, ab_arena_allocator(&s->arenas[s->depth - 1]), 1024);
    }
    s->depth++;
    return ab_arena_allocator(a);
}

static void end(void *st, ab_scope_end_mode mode) {
    stack_state *s = (stack_state *)st;
    ab_arena *a = &s->arenas[--s->depth];
    if (s->depth > 0 || mode == AB_END_DESTROY) {
        ab_arena_deinit(a);
        if (s->depth == 0) s->outer_live = false;
    } else {
        ab_arena_reset(a, AB_RESET_RETAIN_CAPACITY);
    }
}

static void destroy(void *st) {
    stack_state *s = (stack_state *)st;
    while (s->depth > 0) end(s, AB_END_DESTROY);
    if (s->outer_live) ab_arena_deinit(&s->arenas[0]);
    ab_fixed_buffer_deinit(&s->fb);
    free(s->buf);
    free(s);
}

static struct ab_arena *direct(void *st) {
    stack_state *s = (stack_state *)st;
    return s->depth > 0 ? &s->arenas[s->depth - 1] : NULL;
}

const ab_contestant ab_contestant_stack_arena = {
    .name = "stack_arena",
    .kind = AB_KIND_BOUNDED,
    .describe = "the arena over a fixed buffer (stack-backed); NULL past the buffer, never the heap",
    .create = create, .begin = begin, .end = end, .destroy = destroy, .direct_arena = direct,
    .backing_routed = true,
};
