/*
 * common/buf.h -- a growable byte buffer over an ab_allocator (header-only).
 *
 * The C counterpart of Zig's ArrayList(u8) as the recipe uses it to build
 * strings: append bytes, append formatted text, and hand the result over.
 * Growth follows ArrayList (capacity * 1.5 + 8, at least what is needed) and
 * goes through ab_realloc, which first tries ab_resize in place (an arena
 * grows its most recent allocation in place; malloc when the usable size
 * allows) and otherwise moves the bytes (realloc, or alloc + copy + free).
 *
 * Errors are sticky: after an allocation failure every call returns false,
 * b->failed is true and the content stops growing, so a caller may append a
 * whole document and check once.
 *
 * Ownership: the buffer's memory is one allocation of b->cap bytes with
 * alignment 1. Release it with ab_buf_free(), or take it with ab_buf_finish()
 * (a NUL-terminated string of exactly len + 1 bytes, the analogue of
 * toOwnedSlice) and later free that with ab_free(a, s, len + 1, 1). Inside an
 * arena scope a workload may skip both and let the scope release it.
 *
 * API (stable: other workloads use it):
 *   void  ab_buf_init(ab_buf *b, ab_allocator a);             empty, no allocation
 *   bool  ab_buf_init_capacity(ab_buf *b, ab_allocator a, size_t cap);
 *   bool  ab_buf_reserve(ab_buf *b, size_t extra);             room for extra more bytes
 *   bool  ab_buf_append(ab_buf *b, const void *p, size_t n);
 *   bool  ab_buf_append_str(ab_buf *b, const char *s);
 *   bool  ab_buf_append_char(ab_buf *b, char c);
 *   bool  ab_buf_append_u64(ab_buf *b, uint64_t v);            decimal, no printf
 *   bool  ab_buf_appendf(ab_buf *b, const char *fmt, ...);     printf-style
 *   bool  ab_buf_append_json_string(ab_buf *b, const char *s, size_t n);  "..." escaped
 *   char *ab_buf_finish(ab_buf *b, size_t *len_out);           owned NUL-terminated string
 *   void  ab_buf_free(ab_buf *b);                              releases the storage
 *   void  ab_buf_clear(ab_buf *b);                             len = 0, keeps capacity
 */
#ifndef AB_COMMON_BUF_H
#define AB_COMMON_BUF_H

#include <stdarg.h>
#include <stdio.h>

#include "allocator.h"

typedef struct ab_buf {
    ab_allocator a;
    char *data;  /**< NULL until the first growth */
    size_t len;  /**< bytes in use */
    size_t cap;  /**< bytes allocated (the size to free) */
    bool failed; /**< an allocation failed: the content is incomplete */
} ab_buf;

static inline void ab_buf_init(ab_buf *b, ab_allocator a) {
    b->a = a;
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->failed = false;
}

/* Grows the storage to at least need bytes (need > cap). */
static inline bool ab_buf_grow_(ab_buf *b, size_t need) {
    if (b->failed) return false;
    size_t cap = b->cap + b->cap / 2 + 8; /* ArrayList's growth */
    if (cap < need) cap = need;
    char *p = (char *)ab_realloc(b->a, b->data, b->cap, cap, 1);
    if (p == NULL) {
        b->failed = true;
        return false;
    }
    b->data = p;
    b->cap = cap;
    return true;
}

static inline bool ab_buf_init_capacity(ab_buf *b, ab_allocator a, size_t cap) {
    ab_buf_init(b, a);
    return cap == 0 || ab_buf_grow_(b, cap);
}

static inline bool ab_buf_reserve(ab_buf *b, size_t extra) {
    if (b->failed) return false;
    if (extra > AB_MAX_SIZE - b->len) {
        b->failed = true;
        return false;
    }
    return b->len + extra <= b->cap || ab_buf_grow_(b, b->len + extra);
}

static inline bool ab_buf_append(ab_buf *b, const void *p, size_t n) {
    if (n == 0) return !b->failed;
    if (!ab_buf_reserve(b, n)) return false;
    memcpy(b->data + b->len, p, n);
    b->len += n;
    return true;
}

static inline bool ab_buf_append_str(ab_buf *b, const char *s) { return ab_buf_append(b, s, strlen(s)); }

static inline bool ab_buf_append_char(ab_buf *b, char c) {
    if (!ab_buf_reserve(b, 1)) return false;
    b->data[b->len++] = c;
    return true;
}

static inline bool ab_buf_append_u64(ab_buf *b, uint64_t v) {
    char tmp[20];
    size_t n = 0;
    do {
        tmp[sizeof tmp - 1 - n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    return ab_buf_append(b, tmp + sizeof tmp - n, n);
}

static inline bool ab_buf_vappendf(ab_buf *b, const char *fmt, va_list ap) {
    if (b->failed) return false;
    va_list ap2;
    va_copy(ap2, ap);
    size_t room = b->cap - b->len;
    int n = vsnprintf(room ? b->data + b->len : NULL, room, fmt, ap2);
    va_end(ap2);
    if (n < 0) {
        b->failed = true;
        return false;
    }
    if ((size_t)n >= room) { /* did not fit (the NUL needs a byte too): grow and format again */
        if (!ab_buf_reserve(b, (size_t)n + 1)) return false;
        va_copy(ap2, ap);
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap2);
        va_end(ap2);
    }
    b->len += (size_t)n;
    return true;
}

static inline bool ab_buf_appendf(ab_buf *b, const char *fmt, ...) AB_PRINTF(2, 3);
static inline bool ab_buf_appendf(ab_buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    bool ok = ab_buf_vappendf(b, fmt, ap);
    va_end(ap);
    return ok;
}

/** Appends s[0..n) as a JSON string literal: quotes, escapes for " \ and control bytes. */
static inline bool ab_buf_append_json_string(ab_buf *b, const char *s, size_t n) {
    static const char hex[] = "0123456789abcdef";
    if (!ab_buf_reserve(b, n + 2)) return false;
    b->data[b->len++] = '"';
    size_t run = 0; /* bytes copied as they are, flushed in one go */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') {
            run++;
            continue;
        }
        if (!ab_buf_append(b, s + i - run, run)) return false;
        run = 0;
        char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
        if (c == '"' || c == '\\') {
            esc[1] = (char)c;
            if (!ab_buf_append(b, esc, 2)) return false;
        } else if (!ab_buf_append(b, esc, 6)) {
            return false;
        }
    }
    if (!ab_buf_append(b, s + n - run, run)) return false;
    return ab_buf_append_char(b, '"');
}

/**
 * Hands the content over as a NUL-terminated string of exactly len + 1 bytes
 * (shrunk in place or moved, like toOwnedSlice); the buffer is left empty.
 * Free the result with ab_free(a, s, len + 1, 1). NULL on failure (the
 * storage is then released).
 */
static inline char *ab_buf_finish(ab_buf *b, size_t *len_out) {
    if (!ab_buf_append_char(b, '\0')) {
        ab_free(b->a, b->data, b->cap, 1);
        ab_buf_init(b, b->a);
        b->failed = true;
        return NULL;
    }
    size_t len = b->len - 1;
    char *s = b->data;
    if (b->cap != b->len) {
        char *t = (char *)ab_realloc(b->a, b->data, b->cap, b->len, 1);
        if (t == NULL) { /* cannot shrink: keep the exact-length contract by copying */
            t = (char *)ab_alloc(b->a, b->len, 1);
            if (t != NULL) memcpy(t, b->data, b->len);
            ab_free(b->a, b->data, b->cap, 1);
        }
        s = t;
    }
    bool failed = s == NULL;
    ab_buf_init(b, b->a);
    b->failed = failed;
    if (s != NULL && len_out != NULL) *len_out = len;
    return s;
}

static inline void ab_buf_free(ab_buf *b) {
    ab_free(b->a, b->data, b->cap, 1);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

static inline void ab_buf_clear(ab_buf *b) {
    b->len = 0;
    b->failed = false;
}

#endif /* AB_COMMON_BUF_H */
