/* model.c -- the reference model of live allocations (see model.h). */
#include "model.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint8_t ab_opsrc_u8(ab_opsrc *s) {
    if (s->rng != NULL) return (uint8_t)(ab_rng_next(s->rng) >> 56);
    return s->pos < s->len ? s->data[s->pos++] : 0;
}

uint16_t ab_opsrc_u16(ab_opsrc *s) {
    uint16_t lo = ab_opsrc_u8(s);
    return (uint16_t)(lo | (uint16_t)ab_opsrc_u8(s) << 8);
}

/* ---- failures ---------------------------------------------------------- */

static bool fail(ab_model *m, const char *fmt, ...) AB_PRINTF(2, 3);
static bool fail(ab_model *m, const char *fmt, ...) {
    if (m->failed) return false;
    m->failed = true;
    int n = snprintf(m->msg, sizeof m->msg, "op #%llu: ", (unsigned long long)m->ops);
    va_list ap;
    va_start(ap, fmt);
    if (n > 0 && (size_t)n < sizeof m->msg) vsnprintf(m->msg + n, sizeof m->msg - (size_t)n, fmt, ap);
    va_end(ap);
    return false;
}

/* ---- the pattern: a function of (id, offset), so it survives moves ------ */

static uint64_t mix(uint64_t x) {
    x ^= x >> 33;
    x *= 0xFF51AFD7ED558CCDull;
    x ^= x >> 33;
    x *= 0xC4CEB9FE1A85EC53ull;
    return x ^ (x >> 33);
}

static inline unsigned char pattern_byte(uint64_t h, size_t i) {
    return (unsigned char)((h >> ((i & 7) * 8)) ^ (i >> 3));
}

/* Bytes 8k..8k+7 of the pattern as one little-endian word: h ^ (k & 0xFF) in every byte. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define PATTERN_WORDS 1
static inline uint64_t pattern_word(uint64_t h, size_t k) { return h ^ (0x0101010101010101ull * (k & 0xFF)); }
#else
#define PATTERN_WORDS 0
#endif

static void fill(unsigned char *p, size_t from, size_t to, uint64_t id) {
    uint64_t h = mix(id);
    size_t i = from;
#if PATTERN_WORDS
    for (; i < to && (i & 7) != 0; i++) p[i] = pattern_byte(h, i);
    for (; i + 8 <= to; i += 8) {
        uint64_t w = pattern_word(h, i >> 3);
        memcpy(p + i, &w, 8);
    }
#endif
    for (; i < to; i++) p[i] = pattern_byte(h, i);
}

/* Checks bytes [0, n) at `at` hold block b's pattern. */
static bool verify_at(ab_model *m, const ab_model_block *b, const unsigned char *at, size_t n,
                      const char *when) {
    uint64_t h = mix(b->id);
    size_t i = 0;
#if PATTERN_WORDS
    for (; i + 8 <= n; i += 8) { /* fast path; a mismatch is located byte by byte below */
        uint64_t w;
        memcpy(&w, at + i, 8);
        if (w != pattern_word(h, i >> 3)) break;
    }
#endif
    for (; i < n; i++) {
        if (at[i] != pattern_byte(h, i))
            return fail(m, "%s: block id=%llu (size %zu, align %zu) at %p: byte %zu is 0x%02x, expected 0x%02x",
                        when, (unsigned long long)b->id, b->size, b->align, (const void *)at, i, at[i],
                        pattern_byte(h, i));
    }
    return true;
}

/* ---- the interval set: live non-empty blocks sorted by start ------------ */

static size_t iv_lower_bound(const ab_model *m, uintptr_t start) {
    size_t lo = 0, hi = m->niv;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->iv[mid].start < start) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

static bool iv_insert(ab_model *m, uintptr_t start, uintptr_t end, const char *what) {
    if (end <= start) return fail(m, "%s: block [%#lx, %#lx) wraps around", what, (unsigned long)start,
                                  (unsigned long)end);
    size_t i = iv_lower_bound(m, start);
    if (i > 0 && m->iv[i - 1].end > start)
        return fail(m, "%s: new block [%#lx, %#lx) overlaps live block [%#lx, %#lx)", what,
                    (unsigned long)start, (unsigned long)end, (unsigned long)m->iv[i - 1].start,
                    (unsigned long)m->iv[i - 1].end);
    if (i < m->niv && m->iv[i].start < end)
        return fail(m, "%s: new block [%#lx, %#lx) overlaps live block [%#lx, %#lx)", what,
                    (unsigned long)start, (unsigned long)end, (unsigned long)m->iv[i].start,
                    (unsigned long)m->iv[i].end);
    if (m->niv == m->iv_cap) {
        size_t cap = m->iv_cap ? 2 * m->iv_cap : 256;
        ab_model_interval *iv = (ab_model_interval *)realloc(m->iv, cap * sizeof *iv);
        if (iv == NULL) return fail(m, "model out of memory");
        m->iv = iv;
        m->iv_cap = cap;
    }
    memmove(&m->iv[i + 1], &m->iv[i], (m->niv - i) * sizeof *m->iv);
    m->iv[i].start = start;
    m->iv[i].end = end;
    m->niv++;
    return true;
}

static void iv_remove(ab_model *m, uintptr_t start) {
    size_t i = iv_lower_bound(m, start);
    if (i >= m->niv || m->iv[i].start != start) {
        fail(m, "model bookkeeping: no interval starts at %#lx", (unsigned long)start);
        return;
    }
    memmove(&m->iv[i], &m->iv[i + 1], (m->niv - i - 1) * sizeof *m->iv);
    m->niv--;
}

/* ---- live blocks -------------------------------------------------------- */

static size_t pick_slot(const ab_model *m, uint32_t pick) {
    if (m->nlive == 0) return SIZE_MAX;
    if (pick == AB_MODEL_PICK_LAST) return m->last != SIZE_MAX ? m->last : m->nlive - 1;
    return pick % m->nlive;
}

static void remove_slot(ab_model *m, size_t i) {
    if (m->last == i) m->last = SIZE_MAX;
    size_t n = --m->nlive;
    if (i != n) {
        m->live[i] = m->live[n];
        if (m->last == n) m->last = i;
    }
}

static bool add_block(ab_model *m, unsigned char *p, size_t size, size_t align, uint64_t id) {
    if (m->nlive == m->live_cap) {
        size_t cap = m->live_cap ? 2 * m->live_cap : 256;
        ab_model_block *l = (ab_model_block *)realloc(m->live, cap * sizeof *l);
        if (l == NULL) return fail(m, "model out of memory");
        m->live = l;
        m->live_cap = cap;
    }
    ab_model_block *b = &m->live[m->nlive];
    b->p = p;
    b->size = size;
    b->align = align;
    b->id = id;
    m->last = m->nlive++;
    m->live_bytes += size;
    return true;
}

void ab_model_init(ab_model *m, ab_allocator a, unsigned flags, size_t max_size, size_t max_align,
                   ab_model_reset_fn reset, void *reset_ctx) {
    memset(m, 0, sizeof *m);
    m->a = a;
    m->flags = flags;
    m->max_size = max_size;
    m->max_align = max_align;
    m->reset = reset;
    m->reset_ctx = reset_ctx;
    m->last = SIZE_MAX;
    m->next_id = 1;
    m->big_size = (size_t)256 << 10;
}

void ab_model_destroy(ab_model *m) {
    free(m->live);
    free(m->iv);
    m->live = NULL;
    m->iv = NULL;
    m->nlive = m->niv = m->live_cap = m->iv_cap = 0;
}

/* ---- operations --------------------------------------------------------- */

static bool request_valid(size_t size, size_t align) { return ab_request_ok(size, align); }

/* Checks what an allocation call returned for (size, align) and adopts it. */
static bool accept(ab_model *m, void *ptr, size_t size, size_t align, const char *what) {
    unsigned char *p = (unsigned char *)ptr;
    if (!request_valid(size, align)) {
        m->edges++;
        if (p != NULL) return fail(m, "%s(size %zu, align %zu): invalid request returned %p, expected NULL", what,
                                   size, align, ptr);
        return true;
    }
    if (size == 0) {
        if (ptr != AB_ZERO_SIZE_PTR(align))
            return fail(m, "%s(size 0, align %zu) returned %p, expected AB_ZERO_SIZE_PTR = %p", what, align, ptr,
                        AB_ZERO_SIZE_PTR(align));
        return add_block(m, p, 0, align, m->next_id++);
    }
    bool unservable = size > m->max_size || align > m->max_align;
    if (p == NULL) {
        m->nulls++;
        if (unservable || (m->flags & AB_MODEL_BOUNDED)) return true;
        return fail(m, "%s(size %zu, align %zu) returned NULL from an unbounded allocator", what, size, align);
    }
    if (unservable)
        return fail(m, "%s(size %zu, align %zu) returned %p, but the allocator serves at most size %zu align %zu",
                    what, size, align, ptr, m->max_size, m->max_align);
    if (((uintptr_t)p & (align - 1)) != 0)
        return fail(m, "%s(size %zu, align %zu) returned misaligned %p", what, size, align, ptr);
    if (!iv_insert(m, (uintptr_t)p, (uintptr_t)p + size, what)) return false;
    uint64_t id = m->next_id++;
    fill(p, 0, size, id);
    m->allocs++;
    return add_block(m, p, size, align, id);
}

bool ab_model_alloc(ab_model *m, size_t size, size_t align) {
    if (m->failed) return false;
    return accept(m, ab_alloc(m->a, size, align), size, align, "alloc");
}

bool ab_model_free(ab_model *m, uint32_t pick) {
    if (m->failed) return false;
    size_t i = pick_slot(m, pick);
    if (i == SIZE_MAX) return true;
    ab_model_block b = m->live[i];
    if (!verify_at(m, &b, b.p, b.size, "before free")) return false;
    if (b.size != 0) iv_remove(m, (uintptr_t)b.p);
    ab_free(m->a, b.p, b.size, b.align);
    m->live_bytes -= b.size;
    remove_slot(m, i);
    m->frees++;
    return !m->failed;
}

bool ab_model_resize(ab_model *m, uint32_t pick, size_t new_size) {
    if (m->failed) return false;
    size_t i = pick_slot(m, pick);
    if (i == SIZE_MAX) return true;
    ab_model_block *b = &m->live[i];
    size_t old = b->size;
    if (!verify_at(m, b, b->p, old, "before resize")) return false;
    bool ok = ab_resize(m->a, b->p, old, new_size, b->align);
    if (new_size == old && !ok) return fail(m, "resize to the same size %zu refused", old);
    if (!ok) {
        m->resizes_refused++;
        return verify_at(m, b, b->p, old, "after a refused resize");
    }
    if (old == 0 && new_size != 0) return fail(m, "resize of a zero-size block to %zu succeeded", new_size);
    if (new_size == 0 && old != 0) return fail(m, "resize of %zu bytes to 0 succeeded", old);
    if (new_size > m->max_size)
        return fail(m, "resize to %zu succeeded, but the allocator serves at most %zu", new_size, m->max_size);
    if (old != 0) {
        iv_remove(m, (uintptr_t)b->p);
        if (!iv_insert(m, (uintptr_t)b->p, (uintptr_t)b->p + new_size, "resize")) return false;
    }
    if (!verify_at(m, b, b->p, old < new_size ? old : new_size, "after resize")) return false;
    if (new_size > old) fill(b->p, old, new_size, b->id);
    m->live_bytes = m->live_bytes - old + new_size;
    b->size = new_size;
    m->resizes_ok++;
    return true;
}

bool ab_model_realloc(ab_model *m, uint32_t pick, size_t new_size) {
    if (m->failed) return false;
    size_t i = pick_slot(m, pick);
    if (i == SIZE_MAX) return true;
    ab_model_block *b = &m->live[i];
    size_t old = b->size;
    if (!verify_at(m, b, b->p, old, "before realloc")) return false;
    unsigned char *q = (unsigned char *)ab_realloc(m->a, b->p, old, new_size, b->align);
    m->reallocs++;
    if (q == NULL) {
        m->nulls++;
        if (!(m->flags & AB_MODEL_BOUNDED) && new_size <= m->max_size)
            return fail(m, "realloc(%zu -> %zu, align %zu) returned NULL from an unbounded allocator", old,
                        new_size, b->align);
        return verify_at(m, b, b->p, old, "after a failed realloc (the block must be intact)");
    }
    if (new_size == 0) {
        if (q != AB_ZERO_SIZE_PTR(b->align))
            return fail(m, "realloc(%zu -> 0, align %zu) returned %p, expected AB_ZERO_SIZE_PTR", old, b->align,
                        (void *)q);
        if (old != 0) iv_remove(m, (uintptr_t)b->p);
        m->live_bytes -= old;
        b->p = q;
        b->size = 0;
        return !m->failed;
    }
    if (new_size > m->max_size)
        return fail(m, "realloc to %zu succeeded, but the allocator serves at most %zu", new_size, m->max_size);
    if (((uintptr_t)q & (b->align - 1)) != 0)
        return fail(m, "realloc(%zu -> %zu, align %zu) returned misaligned %p", old, new_size, b->align, (void *)q);
    if (old != 0) iv_remove(m, (uintptr_t)b->p);
    if (!iv_insert(m, (uintptr_t)q, (uintptr_t)q + new_size, "realloc")) return false;
    size_t keep = old < new_size ? old : new_size;
    if (!verify_at(m, b, q, keep, "after realloc (contents must be preserved)")) return false;
    fill(q, keep, new_size, b->id);
    if (q != b->p) {
        m->moves++;
        m->last = i; /* a moved block is the newest allocation */
    }
    m->live_bytes = m->live_bytes - old + new_size;
    b->p = q;
    b->size = new_size;
    return true;
}

bool ab_model_verify_all(ab_model *m) {
    for (size_t i = 0; i < m->nlive && !m->failed; i++)
        verify_at(m, &m->live[i], m->live[i].p, m->live[i].size, "verify");
    if (!m->failed && m->niv > m->nlive) fail(m, "model bookkeeping: %zu intervals for %zu blocks", m->niv, m->nlive);
    return !m->failed;
}

bool ab_model_free_all(ab_model *m) {
    while (m->nlive > 0 && !m->failed) ab_model_free(m, (uint32_t)(m->nlive - 1));
    return !m->failed;
}

bool ab_model_reset(ab_model *m, unsigned how) {
    if (!ab_model_verify_all(m)) return false;
    int r = m->reset ? m->reset(m->reset_ctx, how) : AB_MODEL_RESET_UNSUPPORTED;
    if (r == AB_MODEL_RESET_UNSUPPORTED) return ab_model_free_all(m);
    if (r == AB_MODEL_RESET_PARTIAL && !(m->flags & AB_MODEL_BOUNDED))
        return fail(m, "reset(how=%u) could not retain capacity over an unbounded backing", how);
    m->nlive = 0;
    m->niv = 0;
    m->live_bytes = 0;
    m->last = SIZE_MAX;
    m->resets++;
    return true;
}

bool ab_model_release_all(ab_model *m) { return ab_model_reset(m, 0); }

/* ---- decoding operations ---------------------------------------------- */

/* Mostly small sizes, some pages, a few large; clamped into what the
 * allocator serves half of the time so a pool still sees work. */
static size_t decode_size(ab_model *m, ab_opsrc *src) {
    uint8_t c = ab_opsrc_u8(src);
    size_t size;
    if (c < 150) size = 1 + (size_t)ab_opsrc_u8(src);
    else if (c < 230) size = 1 + (size_t)ab_opsrc_u16(src) % 4096;
    else if (c < 252) size = 1 + ((size_t)ab_opsrc_u16(src) << 2) % m->big_size; /* large */
    else size = 0;
    if (size > m->max_size && (c & 1)) size = 1 + size % m->max_size;
    return size;
}

static size_t decode_align(ab_opsrc *src) {
    uint8_t c = ab_opsrc_u8(src);
    if (c < 170) return (size_t)1 << (c % 5); /* 1..16 */
    return (size_t)1 << (c % 13);             /* 1..4096 */
}

static size_t decode_new_size(ab_model *m, ab_opsrc *src, uint32_t pick) {
    size_t i = pick_slot(m, pick);
    size_t old = i == SIZE_MAX ? 0 : m->live[i].size;
    uint8_t k = ab_opsrc_u8(src);
    size_t n;
    switch (k % 5) {
    case 0: n = old / 2; break;
    case 1: n = old + 1 + (size_t)(k >> 3); break;
    case 2: n = old * 2 + 1; break;
    case 3: n = old > 0 ? old - 1 : 1; break;
    default: return decode_size(m, src);
    }
    if (n > ((size_t)512 << 10)) n = (size_t)512 << 10;
    if (n > m->max_size && (k & 8)) n = m->max_size;
    return n;
}

static bool edge_case(ab_model *m, ab_opsrc *src) {
    uint8_t e = ab_opsrc_u8(src);
    m->edges++;
    switch (e % 8) {
    case 0: return ab_model_alloc(m, 0, decode_align(src));
    case 1: return ab_model_alloc(m, 16, 3);
    case 2: return ab_model_alloc(m, 16, 0);
    case 3: return ab_model_alloc(m, 16, AB_MAX_ALIGN << 1);
    case 4: return ab_model_alloc(m, AB_MAX_SIZE + 1 + ab_opsrc_u8(src), 8);
    case 5: {
        size_t count = SIZE_MAX / 16 + 1 + ab_opsrc_u8(src);
        void *p = ab_alloc_array(m->a, count, 16, 8);
        if (p != NULL) return fail(m, "alloc_array(%zu, 16): count*size overflows, yet it returned %p", count, p);
        return true;
    }
    case 6: {
        size_t count = 1 + ab_opsrc_u8(src) % 16, size = 1 + ab_opsrc_u8(src) % 32;
        size_t align = decode_align(src);
        return accept(m, ab_alloc_array(m->a, count, size, align), count * size, align, "alloc_array");
    }
    default: {
        /* Frees that must do nothing: NULL, and the zero-size pointer. */
        ab_free(m->a, NULL, 16, 8);
        ab_free(m->a, AB_ZERO_SIZE_PTR(8), 0, 8);
        return true;
    }
    }
}

bool ab_model_step(ab_model *m, ab_opsrc *src) {
    if (m->failed) return false;
    m->ops++;
    unsigned op = ab_opsrc_u8(src) % 100;
    if (op < 40) {
        if (m->nlive >= AB_MODEL_MAX_LIVE || m->live_bytes >= AB_MODEL_MAX_LIVE_BYTES)
            return ab_model_free(m, ab_opsrc_u16(src));
        size_t size = decode_size(m, src);
        return ab_model_alloc(m, size, decode_align(src));
    }
    if (op < 58) return ab_model_free(m, ab_opsrc_u16(src));
    if (op < 66) return ab_model_free(m, AB_MODEL_PICK_LAST);
    if (op < 80) {
        uint32_t pick = op < 74 ? ab_opsrc_u16(src) : AB_MODEL_PICK_LAST;
        return ab_model_resize(m, pick, decode_new_size(m, src, pick));
    }
    if (op < 92) {
        uint32_t pick = op < 88 ? ab_opsrc_u16(src) : AB_MODEL_PICK_LAST;
        return ab_model_realloc(m, pick, decode_new_size(m, src, pick));
    }
    if (op < 98) return edge_case(m, src);
    uint8_t r = ab_opsrc_u8(src);
    if (r < 64) return ab_model_reset(m, ab_opsrc_u8(src));
    return ab_model_free(m, AB_MODEL_PICK_LAST);
}
