/*
 * common/http.h -- HTTP/1.1 requests for the workloads (header-only):
 * a deterministic generator (setup, untimed), a parser into the recipe's
 * Request, the recipe's handler that builds a Response, a serialiser, and
 * ab_http_serve(), the whole cycle in one call.
 *
 * The recipe's request_response snippet (seed NOTES.md): a Request holds an
 * id, the path (duplicated), a string hash map of headers (key and value each
 * duplicated) and the body (duplicated); the handler builds a Response with
 * status 200, headers Content-Type and X-Request-ID (formatted from the id)
 * and a JSON body {"path": "<path>", "headers": <count>}. Here the same, at
 * realistic scale: 4-40 headers with 8-512 B values, bodies up to 64 KiB,
 * and a JSON body that also lists the method, the Host, the body's size and
 * sum and every header name, grown through ab_buf (ab_resize/ab_realloc) as a
 * real builder grows it.
 *
 * Memory: every allocation of the cycle comes from the allocator passed in.
 * A malloc user frees with ab_http_request_free / ab_http_response_free (each
 * string, the header tables) -- ab_http_serve does so when frees is true;
 * an arena user skips them and ends the scope.
 *
 * API (stable: other workloads use it):
 *   generator  ab_http_gen_params, ab_http_gen_defaults(), ab_http_gen_path(), ab_http_corpus,
 *              ab_http_corpus_make(), ab_http_corpus_served(), ab_http_corpus_free()
 *                                                                  (plain malloc, setup only)
 *   parser     ab_http_request, ab_http_parse(), ab_http_request_free()
 *   handler    ab_http_response, ab_http_handle(), ab_http_response_free()
 *   serialiser ab_http_serialize()  -> owned string of len + 1 bytes
 *   the cycle  ab_http_serve(a, frees, raw, len, id, &checksum)
 *   checksum   ab_http_hash_words() (fast word-wise hash of bytes)
 */
#ifndef AB_COMMON_HTTP_H
#define AB_COMMON_HTTP_H

#include <stdlib.h>

#include "common/buf.h"
#include "common/strmap.h"
#include "common/wordhash.h"
#include "workload.h"

/* ---- status codes of the calls below ---------------------------------------- */
enum { AB_HTTP_OK = 0, AB_HTTP_BAD = -1, AB_HTTP_OOM = -2 };

/* ---- checksum ------------------------------------------------------------------ */

/** The response checksum: ab_hash_words (common/wordhash.h), kept under this name too. */
static inline uint64_t ab_http_hash_words(uint64_t h, const void *p, size_t n) { return ab_hash_words(h, p, n); }

/* ---- generator (setup only: plain malloc, never the allocator under test) ------ */

typedef struct ab_http_gen_params {
    size_t count;               /**< requests to make */
    unsigned min_headers, max_headers;
    size_t min_value, max_value; /**< header value lengths */
    size_t max_body;            /**< POST/PUT bodies: log-uniform in [16, max_body]; 0: no bodies */
    uint64_t seed;
} ab_http_gen_params;

/** The defaults of the issue: 4-40 headers, values 8-512 B, bodies up to max_body. */
static inline ab_http_gen_params ab_http_gen_defaults(size_t count, size_t max_body, uint64_t seed) {
    ab_http_gen_params p = {count, 4, 40, 8, 512, max_body, seed};
    return p;
}

typedef struct ab_http_raw {
    char *data; /**< the request bytes (NUL-terminated for convenience) */
    size_t len;
} ab_http_raw;

typedef struct ab_http_corpus {
    ab_http_raw *reqs;
    size_t count;
    size_t total_bytes; /**< sum of len */
} ab_http_corpus;

/** Longest path ab_http_gen_path writes, NUL included. */
#define AB_HTTP_PATH_MAX 96

/**
 * A request target like "/api/v2/users/123456/orders?limit=20&page=3" into
 * out (AB_HTTP_PATH_MAX bytes); returns its length. Also for workloads that
 * need only paths (retained_state).
 */
static inline size_t ab_http_gen_path(ab_rng *r, char out[AB_HTTP_PATH_MAX]) {
    static const char *const resources[] = {
        "users", "orders", "items", "sessions", "carts", "invoices", "search", "reports",
    };
    /* one draw per statement: argument evaluation order is unspecified */
    unsigned version = (unsigned)ab_rng_range(r, 1, 3);
    const char *resource = resources[ab_rng_next(r) % 8];
    unsigned rid = (unsigned)ab_rng_range(r, 1, 999999);
    int n = snprintf(out, AB_HTTP_PATH_MAX, "/api/v%u/%s/%u", version, resource, rid);
    if (ab_rng_range(r, 0, 1)) n += snprintf(out + n, AB_HTTP_PATH_MAX - (size_t)n, "/%s", resources[ab_rng_next(r) % 8]);
    if (ab_rng_range(r, 0, 2) == 0) {
        unsigned limit = (unsigned)ab_rng_range(r, 1, 100);
        unsigned page = (unsigned)ab_rng_range(r, 1, 50);
        n += snprintf(out + n, AB_HTTP_PATH_MAX - (size_t)n, "?limit=%u&page=%u", limit, page);
    }
    return (size_t)n;
}

/* Appends n printable bytes (no space at either end, no CR/LF). */
static inline void ab_http_gen_text_(ab_buf *b, ab_rng *r, size_t n) {
    static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.;=/,";
    if (!ab_buf_reserve(b, n)) return;
    for (size_t i = 0; i < n; i++) b->data[b->len++] = alpha[ab_rng_next(r) % (sizeof alpha - 1)];
}

/** Makes p->count requests with plain malloc. False on OOM (then nothing is held). */
static inline bool ab_http_corpus_make(ab_http_corpus *c, const ab_http_gen_params *p) {
    static const char *const ab_http_std_headers_[] = {
        "Host", "User-Agent", "Accept", "Accept-Encoding", "Accept-Language", "Connection",
        "Cookie", "Authorization", "Cache-Control", "Referer", "Origin", "Pragma",
        "If-None-Match", "If-Modified-Since", "X-Forwarded-For", "X-Forwarded-Proto", "X-Real-IP",
        "Sec-Fetch-Mode", "Sec-Fetch-Site", "DNT",
    };
    ab_allocator heap = ab_malloc_allocator();
    ab_rng r;
    ab_rng_seed(&r, p->seed);
    c->count = 0;
    c->total_bytes = 0;
    c->reqs = (ab_http_raw *)calloc(p->count ? p->count : 1, sizeof *c->reqs);
    if (c->reqs == NULL) return false;
    const size_t nstd = sizeof ab_http_std_headers_ / sizeof *ab_http_std_headers_;
    for (size_t q = 0; q < p->count; q++) {
        ab_buf b;
        ab_buf_init(&b, heap);
        uint64_t m = ab_rng_range(&r, 0, 99);
        const char *method = m < 60 ? "GET" : m < 85 ? "POST" : m < 95 ? "PUT" : "DELETE";
        bool has_body = (method[0] == 'P') && p->max_body > 0;
        char path[AB_HTTP_PATH_MAX];
        ab_http_gen_path(&r, path);
        ab_buf_appendf(&b, "%s %s", method, path);
        ab_buf_append_str(&b, " HTTP/1.1\r\n");
        size_t body_len = 0;
        if (has_body) {
            size_t hi = 16;
            unsigned steps = (unsigned)ab_rng_range(&r, 0, 12);
            for (unsigned i = 0; i < steps && hi * 2 <= p->max_body; i++) hi *= 2;
            body_len = (size_t)ab_rng_range(&r, hi / 2, hi);
            if (body_len > p->max_body) body_len = p->max_body;
        }
        unsigned nh = (unsigned)ab_rng_range(&r, p->min_headers, p->max_headers);
        unsigned fixed = has_body ? 2 : 0; /* Content-Type, Content-Length */
        for (unsigned h = 0; h + fixed < nh; h++) {
            if (h < nstd) ab_buf_append_str(&b, ab_http_std_headers_[h]);
            else ab_buf_appendf(&b, "X-Custom-%u", h - (unsigned)nstd);
            ab_buf_append(&b, ": ", 2);
            ab_http_gen_text_(&b, &r, (size_t)ab_rng_range(&r, p->min_value, p->max_value));
            ab_buf_append(&b, "\r\n", 2);
        }
        if (has_body) ab_buf_appendf(&b, "Content-Type: application/json\r\nContent-Length: %zu\r\n", body_len);
        ab_buf_append(&b, "\r\n", 2);
        ab_http_gen_text_(&b, &r, body_len);
        size_t len = 0;
        char *data = ab_buf_finish(&b, &len);
        if (data == NULL) {
            for (size_t i = 0; i < c->count; i++) free(c->reqs[i].data);
            free(c->reqs);
            c->reqs = NULL;
            c->count = 0;
            return false;
        }
        c->reqs[q].data = data;
        c->reqs[q].len = len;
        c->total_bytes += len;
        c->count++;
    }
    return true;
}

/** The corpus the threaded server shapes serve (threads_*): 512 requests with
 *  bodies up to 4 KiB, from seed. False on OOM (then nothing is held). */
static inline bool ab_http_corpus_served(ab_http_corpus *c, uint64_t seed) {
    ab_http_gen_params p = ab_http_gen_defaults(512, (size_t)4 << 10, seed);
    return ab_http_corpus_make(c, &p);
}

static inline void ab_http_corpus_free(ab_http_corpus *c) {
    for (size_t i = 0; i < c->count; i++) free(c->reqs[i].data);
    free(c->reqs);
    c->reqs = NULL;
    c->count = 0;
}

/* ---- the recipe's Request and its parser ----------------------------------------- */

typedef enum ab_http_method { AB_HTTP_GET, AB_HTTP_POST, AB_HTTP_PUT, AB_HTTP_DELETE, AB_HTTP_OTHER } ab_http_method;

static inline const char *ab_http_method_name(ab_http_method m) {
    static const char *const n[] = {"GET", "POST", "PUT", "DELETE", "OTHER"};
    return n[m];
}

typedef struct ab_http_request {
    uint64_t id;
    ab_http_method method;
    char *path;         /**< duplicated (path_len + 1 bytes) */
    size_t path_len;
    ab_strmap headers;  /**< key and value each duplicated (owned by the map) */
    char *body;         /**< duplicated (body_len bytes, alignment 1), NULL if empty */
    size_t body_len;
} ab_http_request;

/* The line starting at p (up to CRLF); returns its length or SIZE_MAX if no CRLF. */
static inline size_t ab_http_line_(const char *p, const char *end) {
    const char *q = p;
    for (;;) { /* memchr, as fast parsers scan with SIMD */
        q = (const char *)memchr(q, '\r', (size_t)(end - q));
        if (q == NULL || q + 1 >= end) return SIZE_MAX;
        if (q[1] == '\n') return (size_t)(q - p);
        q++;
    }
}

/** Frees what ab_http_parse allocated (also after a failed parse), newest first. */
static inline void ab_http_request_free(ab_allocator a, ab_http_request *req) {
    ab_free(a, req->body, req->body_len, 1);
    ab_strmap_free_all(&req->headers);
    ab_free(a, req->path, req->path_len + 1, 1);
    req->body = NULL;
    req->path = NULL;
}

/**
 * Parses raw into *req with allocator a: AB_HTTP_OK, AB_HTTP_BAD (malformed)
 * or AB_HTTP_OOM. *req is always left freeable by ab_http_request_free.
 */
static inline int ab_http_parse(ab_allocator a, const char *raw, size_t len, uint64_t id, ab_http_request *req) {
    const char *p = raw, *end = raw + len;
    req->id = id;
    req->method = AB_HTTP_OTHER;
    req->path = NULL;
    req->path_len = 0;
    req->body = NULL;
    req->body_len = 0;
    ab_strmap_init(&req->headers, a);

    size_t n = ab_http_line_(p, end);
    if (n == SIZE_MAX) return AB_HTTP_BAD;
    const char *sp1 = (const char *)memchr(p, ' ', n);
    const char *sp2 = sp1 ? (const char *)memchr(sp1 + 1, ' ', (size_t)(p + n - sp1 - 1)) : NULL;
    if (sp2 == NULL) return AB_HTTP_BAD;
    size_t mlen = (size_t)(sp1 - p);
    req->method = (mlen == 3 && memcmp(p, "GET", 3) == 0)      ? AB_HTTP_GET
                  : (mlen == 4 && memcmp(p, "POST", 4) == 0)   ? AB_HTTP_POST
                  : (mlen == 3 && memcmp(p, "PUT", 3) == 0)    ? AB_HTTP_PUT
                  : (mlen == 6 && memcmp(p, "DELETE", 6) == 0) ? AB_HTTP_DELETE
                                                               : AB_HTTP_OTHER;
    req->path_len = (size_t)(sp2 - sp1 - 1);
    req->path = ab_strndup(a, sp1 + 1, req->path_len);
    if (req->path == NULL) return AB_HTTP_OOM;
    p += n + 2;

    for (;;) {
        n = ab_http_line_(p, end);
        if (n == SIZE_MAX) return AB_HTTP_BAD;
        if (n == 0) {
            p += 2;
            break;
        }
        const char *colon = (const char *)memchr(p, ':', n);
        if (colon == NULL) return AB_HTTP_BAD;
        const char *v = colon + 1, *ve = p + n;
        while (v < ve && (*v == ' ' || *v == '\t')) v++;
        while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t')) ve--;
        if (ab_strmap_put_copy(&req->headers, p, (size_t)(colon - p), v, (size_t)(ve - v)) == AB_STRMAP_OOM)
            return AB_HTTP_OOM;
        p += n + 2;
    }

    size_t clen = 0;
    const char *cl = ab_strmap_get(&req->headers, "Content-Length", 14, &clen);
    if (cl != NULL) {
        size_t body = 0;
        for (size_t i = 0; i < clen; i++) {
            if (cl[i] < '0' || cl[i] > '9' || body > (SIZE_MAX - 9) / 10) return AB_HTTP_BAD;
            body = body * 10 + (size_t)(cl[i] - '0');
        }
        if (body > (size_t)(end - p)) return AB_HTTP_BAD;
        if (body > 0) {
            req->body = (char *)ab_alloc(a, body, 1);
            if (req->body == NULL) return AB_HTTP_OOM;
            memcpy(req->body, p, body);
            req->body_len = body;
        }
    }
    return AB_HTTP_OK;
}

/* ---- the recipe's Response and its handler -------------------------------------- */

typedef struct ab_http_response {
    int status;
    ab_strmap headers; /**< Content-Type (static strings), X-Request-ID (value owned) */
    char *body;        /**< owned, body_len + 1 bytes (NUL-terminated) */
    size_t body_len;
} ab_http_response;

static inline void ab_http_response_free(ab_allocator a, ab_http_response *resp) {
    ab_free(a, resp->body, resp->body ? resp->body_len + 1 : 0, 1);
    ab_strmap_free_all(&resp->headers);
    resp->body = NULL;
}

/** A cheap pass over the body, as a handler that looks at its input (8 bytes at a time). */
static inline uint64_t ab_http_body_sum(const char *b, size_t n) {
    uint64_t s = 0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, b + i, 8);
        s += w;
    }
    for (; i < n; i++) s += (unsigned char)b[i];
    return s;
}

/**
 * The handler: status 200, Content-Type and X-Request-ID headers, and the
 * JSON body {"path": "<path>", "headers": <count>, "method": "<m>",
 * "host": "<Host>", "body_bytes": <n>, "body_sum": <s>, "header_names": [...]}
 * grown in an ab_buf. *resp is always left freeable by ab_http_response_free.
 */
static inline int ab_http_handle(ab_allocator a, const ab_http_request *req, ab_http_response *resp) {
    resp->status = 200;
    resp->body = NULL;
    resp->body_len = 0;
    ab_strmap_init(&resp->headers, a);
    if (ab_strmap_put(&resp->headers, "Content-Type", 12, "application/json", 16, 0) == AB_STRMAP_OOM)
        return AB_HTTP_OOM;
    size_t idlen = 0;
    char *id = ab_sprintf(a, &idlen, "%llu", (unsigned long long)req->id);
    if (id == NULL) return AB_HTTP_OOM;
    if (ab_strmap_put(&resp->headers, "X-Request-ID", 12, id, idlen, AB_STRMAP_OWN_VALUE) == AB_STRMAP_OOM) {
        ab_free(a, id, idlen + 1, 1);
        return AB_HTTP_OOM;
    }

    ab_buf b;
    ab_buf_init(&b, a);
    ab_buf_append_str(&b, "{\"path\": ");
    ab_buf_append_json_string(&b, req->path, req->path_len);
    ab_buf_appendf(&b, ", \"headers\": %zu, \"method\": \"%s\", \"host\": ", ab_strmap_count(&req->headers),
                   ab_http_method_name(req->method));
    size_t hlen = 0;
    const char *host = ab_strmap_get(&req->headers, "Host", 4, &hlen);
    if (host) ab_buf_append_json_string(&b, host, hlen);
    else ab_buf_append_str(&b, "null");
    ab_buf_appendf(&b, ", \"body_bytes\": %zu, \"body_sum\": %llu, \"header_names\": [", req->body_len,
                   (unsigned long long)ab_http_body_sum(req->body, req->body_len));
    size_t it = 0, k = 0;
    const ab_strmap_entry *e;
    while ((e = ab_strmap_next(&req->headers, &it)) != NULL) {
        if (k++) ab_buf_append(&b, ", ", 2);
        ab_buf_append_json_string(&b, e->key, e->klen);
    }
    ab_buf_append(&b, "]}", 2);
    if (b.failed) {
        ab_buf_free(&b);
        return AB_HTTP_OOM;
    }
    resp->body = ab_buf_finish(&b, &resp->body_len); /* the recipe's dupe of the formatted body */
    return resp->body ? AB_HTTP_OK : AB_HTTP_OOM;
}

/** "HTTP/1.1 200 OK", the headers, Content-Length, the body: an owned string of *len + 1 bytes. */
static inline char *ab_http_serialize(ab_allocator a, const ab_http_response *resp, size_t *len) {
    ab_buf b;
    ab_buf_init(&b, a);
    ab_buf_appendf(&b, "HTTP/1.1 %d %s\r\n", resp->status, resp->status == 200 ? "OK" : "Error");
    size_t it = 0;
    const ab_strmap_entry *e;
    while ((e = ab_strmap_next(&resp->headers, &it)) != NULL) {
        ab_buf_append(&b, e->key, e->klen);
        ab_buf_append(&b, ": ", 2);
        ab_buf_append(&b, e->value, e->vlen);
        ab_buf_append(&b, "\r\n", 2);
    }
    ab_buf_append_str(&b, "Content-Length: ");
    ab_buf_append_u64(&b, resp->body_len);
    ab_buf_append(&b, "\r\n\r\n", 4);
    ab_buf_append(&b, resp->body, resp->body_len);
    if (b.failed) {
        ab_buf_free(&b);
        return NULL;
    }
    return ab_buf_finish(&b, len);
}

/**
 * One request, start to end: parse raw, handle, serialise, fold the response
 * bytes into *checksum, and -- when frees (a malloc or pool subject) -- free
 * everything newest first. With an arena, nothing is freed: the caller ends
 * the scope. Returns AB_HTTP_OK, AB_HTTP_BAD or AB_HTTP_OOM; on error the
 * checksum is untouched and (when frees) nothing is left allocated.
 */
static inline int ab_http_serve(ab_allocator a, bool frees, const char *raw, size_t len, uint64_t id,
                                uint64_t *checksum) {
    ab_http_request req;
    ab_http_response resp;
    int rc = ab_http_parse(a, raw, len, id, &req);
    if (rc != AB_HTTP_OK) {
        if (frees) ab_http_request_free(a, &req);
        return rc;
    }
    rc = ab_http_handle(a, &req, &resp);
    char *out = NULL;
    size_t out_len = 0;
    if (rc == AB_HTTP_OK) {
        out = ab_http_serialize(a, &resp, &out_len);
        if (out == NULL) rc = AB_HTTP_OOM;
        else *checksum = ab_http_hash_words(*checksum, out, out_len);
    }
    if (frees) {
        if (out) ab_free(a, out, out_len + 1, 1);
        ab_http_response_free(a, &resp);
        ab_http_request_free(a, &req);
    }
    return rc;
}

#endif /* AB_COMMON_HTTP_H */
