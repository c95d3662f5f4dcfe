/*
 * multi_lifetime -- the recipe's multi_arena: separate arenas for separate
 * lifetimes.
 *
 * The recipe: a Server holds a config arena (long-lived: the config string
 * is duplicated into it once) and a request arena (each request formats
 * "Config: <config>, Path: <path>"; reset(retain_capacity) after each).
 *
 * Here one run is one server lifetime handling N requests:
 *  - the config arena is a second, independent subject made with
 *    ab_subject_new_like(s) (two sibling arenas over the same backing, as
 *    the recipe's Server has, not a parent/child pair: that is nested_scopes).
 *    Its one scope is opened when the server starts and closed with
 *    AB_END_DESTROY (deinit) when it stops. Into it go the config string
 *    (the recipe) and, scaled up, the parsed "key=value" pairs in a string
 *    map (common/strmap.h), every key and value duplicated;
 *  - the request arena is s itself: one scope per request, ended with
 *    AB_END_RESET (reset(retain_capacity)). Each request formats the
 *    recipe's line, splits its path into duplicated segments, looks the
 *    document root up in the config and formats the file name, and builds
 *    a response (headers + the line) in a growable buffer (common/buf.h).
 * malloc frees every request allocation at the end of its request and the
 * config at shutdown. Creating the config subject (a few hundred ns, the
 * same for every contestant) is inside the timing, as Server.init is.
 */
#include <stdio.h>
#include <stdlib.h>

#include "common/buf.h"
#include "common/strmap.h"
#include "workload.h"

static const ab_workload_args args[] = {{{100}, 1}, {{1000}, 1}, {{0}, 0}};
static const ab_workload_args quick[] = {{{100}, 1}, {{0}, 0}};

#define MAX_SEGMENTS 8

static const char config_text[] =
    "name=arenabench;listen=0.0.0.0:8080;root=/srv/www/htdocs;index=index.html;workers=4;"
    "timeout_ms=30000;log=/var/log/arenabench/access.log;max_body=1048576;keepalive=on";

typedef struct {
    size_t n;
    char **paths; /* n NUL-terminated request paths */
    char *storage;
} input;

static void teardown(void *vin) {
    input *in = (input *)vin;
    if (in == NULL) return;
    free(in->paths);
    free(in->storage);
    free(in);
}

static void *setup(const ab_workload_args *a) {
    static const char *const words[] = {"api", "users", "orders", "static", "img", "v1", "v2", "search",
                                        "profile", "settings", "cart", "items", "docs", "assets"};
    const size_t nwords = sizeof words / sizeof *words;
    input *in = (input *)calloc(1, sizeof *in);
    if (in == NULL) return NULL;
    in->n = (size_t)a->v[0];
    const size_t max_len = 1 + MAX_SEGMENTS * 16;
    in->paths = (char **)calloc(in->n, sizeof *in->paths);
    in->storage = (char *)malloc(in->n * max_len);
    if (in->paths == NULL || in->storage == NULL) {
        teardown(in);
        return NULL;
    }
    ab_rng rng;
    ab_rng_seed(&rng, 0x6d756c7469ull);
    for (size_t i = 0; i < in->n; i++) {
        char *p = in->storage + i * max_len;
        size_t len = 0;
        int segs = (int)ab_rng_range(&rng, 1, 5);
        for (int k = 0; k < segs; k++) {
            if (k == segs - 1 && ab_rng_range(&rng, 0, 1))
                len += (size_t)snprintf(p + len, max_len - len, "/%u", (unsigned)ab_rng_range(&rng, 1, 99999));
            else
                len += (size_t)snprintf(p + len, max_len - len, "/%s", words[ab_rng_next(&rng) % nwords]);
        }
        in->paths[i] = p;
    }
    return in;
}

/* The server's long-lived state, all of it in the config arena. */
typedef struct {
    ab_allocator a;
    char *text; /* the recipe's config duplicate */
    size_t text_len;
    ab_strmap map;
} server_config;

static bool config_load(server_config *c, ab_allocator a) {
    c->a = a;
    ab_strmap_init(&c->map, a);
    c->text_len = sizeof config_text - 1;
    c->text = ab_strndup(a, config_text, c->text_len);
    if (c->text == NULL) return false;
    for (const char *p = c->text; *p;) {
        const char *eq = strchr(p, '='), *end = strchr(p, ';');
        if (end == NULL) end = p + strlen(p);
        if (eq == NULL || eq > end) return false;
        if (ab_strmap_put_copy(&c->map, p, (size_t)(eq - p), eq + 1, (size_t)(end - eq - 1)) == AB_STRMAP_OOM)
            return false;
        p = *end ? end + 1 : end;
    }
    return true;
}

static void config_free(server_config *c) {
    ab_strmap_free_all(&c->map);
    ab_free(c->a, c->text, c->text_len + 1, 1);
}

/* One request in the request arena; false on allocation failure. */
static bool handle_request(const server_config *c, const char *path, ab_allocator a, bool frees, uint64_t *h) {
    bool ok = false;
    size_t line_len = 0, file_len = 0, resp_len = 0, nseg = 0;
    char *file = NULL, *resp = NULL;
    char **seg = NULL;
    char *line = ab_sprintf(a, &line_len, "Config: %s, Path: %s", c->text, path); /* the recipe */
    if (line == NULL) goto out;
    seg = AB_NEW_ARRAY(a, char *, MAX_SEGMENTS);
    if (seg == NULL) goto out;
    for (const char *p = path; *p == '/' && nseg < MAX_SEGMENTS;) {
        const char *q = strchr(p + 1, '/');
        size_t n = q ? (size_t)(q - p - 1) : strlen(p + 1);
        if ((seg[nseg] = ab_strndup(a, p + 1, n)) == NULL) goto out;
        nseg++;
        p += n + 1;
    }
    size_t root_len = 0, index_len = 0;
    const char *root = ab_strmap_get(&c->map, "root", 4, &root_len);
    const char *index = ab_strmap_get(&c->map, "index", 5, &index_len);
    const char *name = ab_strmap_get(&c->map, "name", 4, NULL);
    if (root == NULL || index == NULL || name == NULL) goto out;
    file = ab_sprintf(a, &file_len, "%.*s/%s/%.*s", (int)root_len, root, nseg ? seg[nseg - 1] : "",
                      (int)index_len, index);
    if (file == NULL) goto out;
    ab_buf b;
    ab_buf_init(&b, a);
    ab_buf_appendf(&b, "HTTP/1.1 200 OK\r\nServer: %s\r\nContent-Length: %zu\r\nX-File: %s\r\n\r\n", name,
                   line_len, file);
    ab_buf_append(&b, line, line_len);
    resp = ab_buf_finish(&b, &resp_len);
    if (resp == NULL) goto out;
    *h = ab_hash_bytes(*h, resp, resp_len);
    *h = ab_hash_u64(*h, nseg);
    ok = true;
out:
    if (frees) { /* newest first */
        if (resp) ab_free(a, resp, resp_len + 1, 1);
        if (file) ab_free(a, file, file_len + 1, 1);
        while (nseg > 0) {
            nseg--;
            ab_free(a, seg[nseg], strlen(seg[nseg]) + 1, 1);
        }
        if (seg) AB_DELETE_ARRAY(a, char *, seg, MAX_SEGMENTS);
        if (line) ab_free(a, line, line_len + 1, 1);
    }
    return ok;
}

static ab_run_result run(void *vin, ab_subject *s) {
    const input *in = (const input *)vin;
    ab_run_result r = {AB_CHECKSUM_INIT, in->n, 0};
    bool frees = ab_subject_frees(s);

    /* Server.init: the config arena, an arena of its own beside the request arena. */
    ab_subject *cs = ab_subject_new_like(s);
    if (cs == NULL) {
        r.failures = in->n;
        return r;
    }
    server_config cfg;
    bool cfg_ok = config_load(&cfg, ab_scope_begin(cs));
    for (size_t i = 0; i < in->n; i++) {
        if (!cfg_ok) {
            r.failures++;
            continue;
        }
        ab_allocator ra = ab_scope_begin(s);
        if (!handle_request(&cfg, in->paths[i], ra, frees, &r.checksum)) r.failures++;
        ab_scope_end(s, AB_END_RESET); /* _ = request_arena.reset(.retain_capacity) */
    }
    r.checksum = ab_hash_u64(r.checksum, ab_strmap_count(&cfg.map));
    /* Server.deinit */
    if (frees) config_free(&cfg);
    ab_scope_end(cs, AB_END_DESTROY);
    ab_subject_delete(cs);
    return r;
}

const ab_workload ab_workload_multi_lifetime = {
    .name = "multi_lifetime",
    .item = "requests",
    .describe = "the recipe's multi_arena: a long-lived config arena (config string + parsed map, one per "
                "server lifetime = run) beside a request arena reset per request (\"Config: <c>, Path: <p>\" "
                "+ segments + response)",
    .accepts = AB_KIND_ALL_GENERAL,
    .args = args,
    .quick_args = quick,
    .setup = setup,
    .run = run,
    .teardown = teardown,
};
