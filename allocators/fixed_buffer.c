/* fixed_buffer.c -- bump allocation in a caller-given buffer (see fixed_buffer.h). */
#include "fixed_buffer.h"

void ab_fixed_buffer_init(ab_fixed_buffer *fb, void *buf, size_t cap) {
    assert(fb != NULL && (buf != NULL || cap == 0));
    fb->buf = (char *)buf;
    fb->cap = cap;
    fb->off = 0;
    fb->peak = 0;
    fb->failures = 0;
    if (cap) ab_track_noaccess(buf, cap);
}

void ab_fixed_buffer_free(ab_fixed_buffer *fb, void *p, size_t size) {
    char *c = (char *)p;
    if (c != NULL && c + size == fb->buf + fb->off) {
        fb->off = (size_t)(c - fb->buf);
        ab_track_noaccess(c, size);
    }
}

bool ab_fixed_buffer_resize(ab_fixed_buffer *fb, void *p, size_t old_size, size_t new_size) {
    char *c = (char *)p;
    bool last = c + old_size == fb->buf + fb->off;
    if (new_size <= old_size) {
        if (last) {
            fb->off -= old_size - new_size;
            ab_track_noaccess(c + new_size, old_size - new_size);
        }
        return true;
    }
    size_t start = (size_t)(c - fb->buf);
    if (last && new_size <= fb->cap - start) {
        fb->off = start + new_size;
        if (fb->off > fb->peak) fb->peak = fb->off;
        ab_track_undefined(c + old_size, new_size - old_size);
        return true;
    }
    return false;
}

void ab_fixed_buffer_reset(ab_fixed_buffer *fb) {
    fb->off = 0;
    if (fb->cap) ab_track_noaccess(fb->buf, fb->cap);
}

void ab_fixed_buffer_deinit(ab_fixed_buffer *fb) {
    if (fb->cap) ab_track_undefined(fb->buf, fb->cap);
    fb->off = 0;
}

static void *vt_alloc(void *ctx, size_t size, size_t align) {
    return ab_fixed_buffer_alloc((ab_fixed_buffer *)ctx, size, align);
}
static bool vt_resize(void *ctx, void *p, size_t old_size, size_t new_size, size_t align) {
    (void)align;
    return ab_fixed_buffer_resize((ab_fixed_buffer *)ctx, p, old_size, new_size);
}
static void vt_free(void *ctx, void *p, size_t size, size_t align) {
    (void)align;
    ab_fixed_buffer_free((ab_fixed_buffer *)ctx, p, size);
}
static const ab_allocator_vtable fixed_buffer_vtable = {vt_alloc, vt_resize, NULL, vt_free};

ab_allocator ab_fixed_buffer_allocator(ab_fixed_buffer *fb) {
    ab_allocator r = {fb, &fixed_buffer_vtable};
    return r;
}
