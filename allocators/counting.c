/* counting.c -- see counting.h. */
#include "counting.h"

void ab_counting_clear(ab_counting *c) {
    ab_allocator inner = c->inner;
    size_t (*usable)(void *) = c->usable_size;
    memset(c, 0, sizeof *c);
    c->inner = inner;
    c->usable_size = usable;
    c->fail_after = -1;
}

void ab_counting_rebase(ab_counting *c) {
    uint64_t live_count = c->live_count, live_bytes = c->live_bytes;
    int64_t fail_after = c->fail_after;
    ab_counting_clear(c);
    c->live_count = live_count;
    c->live_bytes = live_bytes;
    c->peak_bytes = live_bytes;
    c->fail_after = fail_after;
}

void ab_counting_init(ab_counting *c, ab_allocator inner) {
    c->inner = inner;
    c->usable_size = NULL;
    ab_counting_clear(c);
}

static unsigned log2_bucket(size_t n) {
    unsigned b = 0;
    while (n > 1 && b < AB_COUNTING_BUCKETS - 1) n >>= 1, b++;
    return b;
}

static size_t charged(const ab_counting *c, void *p, size_t size) {
    return c->usable_size ? c->usable_size(p) : size;
}

static void add_live(ab_counting *c, size_t n) {
    c->live_bytes += n;
    if (c->live_bytes > c->peak_bytes) c->peak_bytes = c->live_bytes;
}

static void *vt_alloc(void *ctx, size_t size, size_t align) {
    ab_counting *c = (ab_counting *)ctx;
    c->alloc_calls++;
    if (c->fail_after == 0) {
        c->failed_allocs++;
        return NULL;
    }
    if (c->fail_after > 0) c->fail_after--;
    void *p = c->inner.vtable->alloc(c->inner.ctx, size, align);
    if (p == NULL) {
        c->failed_allocs++;
        return NULL;
    }
    c->live_count++;
    c->total_bytes += size;
    c->size_log2[log2_bucket(size)]++;
    add_live(c, charged(c, p, size));
    return p;
}

static bool vt_resize(void *ctx, void *p, size_t old_size, size_t new_size, size_t align) {
    ab_counting *c = (ab_counting *)ctx;
    c->resize_calls++;
    size_t before = charged(c, p, old_size);
    if (!c->inner.vtable->resize(c->inner.ctx, p, old_size, new_size, align)) return false;
    c->resize_ok++;
    c->live_bytes -= before;
    add_live(c, charged(c, p, new_size));
    return true;
}

static void vt_free(void *ctx, void *p, size_t size, size_t align) {
    ab_counting *c = (ab_counting *)ctx;
    c->free_calls++;
    c->live_count--;
    c->live_bytes -= charged(c, p, size);
    c->inner.vtable->free(c->inner.ctx, p, size, align);
}

static void *vt_remap(void *ctx, void *p, size_t old_size, size_t new_size, size_t align) {
    ab_counting *c = (ab_counting *)ctx;
    c->remap_calls++;
    if (c->fail_after == 0) {
        c->failed_allocs++;
        return NULL;
    }
    size_t before = charged(c, p, old_size);
    void *q = c->inner.vtable->remap(c->inner.ctx, p, old_size, new_size, align);
    if (q == NULL) {
        c->failed_allocs++; /* a real failure counts like an injected one */
        return NULL;
    }
    c->live_bytes -= before;
    add_live(c, charged(c, q, new_size));
    return q;
}

static const ab_allocator_vtable counting_vtable = {vt_alloc, vt_resize, vt_remap, vt_free};
static const ab_allocator_vtable counting_vtable_no_remap = {vt_alloc, vt_resize, NULL, vt_free};

ab_allocator ab_counting_allocator(ab_counting *c) {
    ab_allocator r = {c, c->inner.vtable->remap ? &counting_vtable : &counting_vtable_no_remap};
    return r;
}
