/* allocator.c -- the interface helpers that are too big to inline. */
#include "allocator.h"

#include <stdio.h>

void *ab_realloc(ab_allocator a, void *p, size_t old_size, size_t new_size, size_t align) {
    if (!ab_request_ok(new_size, align)) return NULL;
    if (p == NULL || old_size == 0) return ab_alloc(a, new_size, align);
    if (new_size == 0) {
        ab_free(a, p, old_size, align);
        return AB_ZERO_SIZE_PTR(align);
    }
    if (new_size == old_size || a.vtable->resize(a.ctx, p, old_size, new_size, align)) return p;
    if (a.vtable->remap != NULL) return a.vtable->remap(a.ctx, p, old_size, new_size, align);
    void *q = a.vtable->alloc(a.ctx, new_size, align);
    if (q == NULL) return NULL;
    memcpy(q, p, old_size < new_size ? old_size : new_size);
    a.vtable->free(a.ctx, p, old_size, align);
    return q;
}

void *ab_dup(ab_allocator a, const void *src, size_t n) {
    void *p = ab_alloc(a, n, AB_DEFAULT_ALIGN);
    if (p != NULL && n != 0) memcpy(p, src, n);
    return p;
}

char *ab_strndup(ab_allocator a, const char *s, size_t n) {
    if (n == SIZE_MAX) return NULL;
    char *p = (char *)ab_alloc(a, n + 1, 1);
    if (p == NULL) return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *ab_strdup(ab_allocator a, const char *s) { return ab_strndup(a, s, strlen(s)); }

char *ab_vsprintf(ab_allocator a, size_t *len_out, const char *fmt, va_list ap) {
    char small[256];
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(small, sizeof small, fmt, ap2);
    va_end(ap2);
    if (n < 0) return NULL;
    char *p = (char *)ab_alloc(a, (size_t)n + 1, 1);
    if (p == NULL) return NULL;
    if ((size_t)n < sizeof small) {
        memcpy(p, small, (size_t)n + 1);
    } else {
        va_copy(ap2, ap);
        vsnprintf(p, (size_t)n + 1, fmt, ap2);
        va_end(ap2);
    }
    if (len_out != NULL) *len_out = (size_t)n;
    return p;
}

char *ab_sprintf(ab_allocator a, size_t *len_out, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *p = ab_vsprintf(a, len_out, fmt, ap);
    va_end(ap);
    return p;
}
