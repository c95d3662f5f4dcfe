/*
 * nested_scopes -- parent (server) / child (request) / grandchild (parse)
 * scopes, the recipe's nested_arenas scaled up.
 *
 * The recipe (seed NOTES.md, nested_arenas): a parent arena; a child arena
 * whose backing allocator is the parent; a tree (a node with children,
 * values value*10+i) built in the child and its nodes counted; the child's
 * deinit returns its memory to the parent. Its text adds the hierarchy this
 * workload runs: parent = server lifetime (config), child = one request,
 * grandchild = a sub-operation holding temporary parse data.
 *
 * One run = one server lifetime:
 *   parent scope: the server's route table (a strmap, keys and values
 *     duplicated) -- lives for the whole run, reset at its end;
 *   per request, a child scope: a request context, then
 *     a grandchild scope: the request line is percent-decoded into a
 *       temporary buffer and split into a growing array of duplicated
 *       key/value tokens, from which the tree's shape (fanout per level) is
 *       read into the context; the grandchild ends (deinit);
 *     the tree is built in the child: every node has a children array grown
 *       by ab_realloc, values value*10+i as in the recipe, a few hundred
 *       nodes per request (arg); it is walked (node count, value sum), and
 *       the child ends (deinit: its blocks go back to the parent).
 * malloc frees everything itself: tokens and buffers at the end of the
 * parse, the tree recursively (children before their parent) at the end of
 * the request, the route table at the end of the run.
 *
 * Args (requests per run, target nodes per tree). Items = requests.
 */
#include <stdio.h>
#include <stdlib.h>

#include "common/strmap.h"
#include "workload.h"

#define MAX_LEVELS 8

static const ab_workload_args args[] = {{{100, 50}, 2}, {{100, 300}, 2}, {{20, 3000}, 2}, {{0}, 0}};
static const ab_workload_args quick[] = {{{100, 300}, 2}, {{0}, 0}};

static const char *const routes[][2] = {
    {"/tree", "build"}, {"/tree/v2", "build"}, {"/health", "ok"}, {"/metrics", "prometheus"},
    {"/static", "files"}, {"/login", "auth"}, {"/logout", "auth"}, {"/admin", "deny"},
};
#define NROUTES (sizeof routes / sizeof *routes)

typedef struct input {
    size_t count;
    char **lines;  /* request lines: "GET /tree?shape=3%2C5%2C4&label=...&trace=... HTTP/1.1" */
    size_t *lens;
} input;

static void teardown(void *vin) {
    input *in = (input *)vin;
    if (in == NULL) return;
    for (size_t i = 0; i < in->count; i++) free(in->lines[i]);
    free(in->lines);
    free(in->lens);
    free(in);
}

static void *setup(const ab_workload_args *a) {
    input *in = (input *)calloc(1, sizeof *in);
    if (in == NULL) return NULL;
    size_t n = (size_t)a->v[0], target = (size_t)a->v[1];
    in->lines = (char **)calloc(n, sizeof *in->lines);
    in->lens = (size_t *)calloc(n, sizeof *in->lens);
    if (in->lines == NULL || in->lens == NULL) {
        teardown(in);
        return NULL;
    }
    ab_rng r;
    ab_rng_seed(&r, 0x7EE5ull + target);
    static const char alpha[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    for (size_t i = 0; i < n; i++) {
        /* A shape whose tree has between target/2 and 2*target nodes. */
        unsigned fan[MAX_LEVELS], levels;
        size_t nodes;
        do {
            levels = (unsigned)ab_rng_range(&r, 2, 6);
            size_t width = 1;
            nodes = 1;
            for (unsigned l = 0; l < levels; l++) {
                fan[l] = (unsigned)ab_rng_range(&r, 2, 9);
                width *= fan[l];
                nodes += width;
            }
        } while (nodes < target / 2 || nodes > target * 2);
        char line[512];
        int len = snprintf(line, sizeof line, "GET /tree?shape=");
        for (unsigned l = 0; l < levels; l++) len += snprintf(line + len, sizeof line - (size_t)len, "%s%u", l ? "%2C" : "", fan[l]);
        len += snprintf(line + len, sizeof line - (size_t)len, "&label=");
        for (unsigned k = (unsigned)ab_rng_range(&r, 8, 64); k > 0; k--) line[len++] = alpha[ab_rng_next(&r) % 36];
        len += snprintf(line + len, sizeof line - (size_t)len, "&trace=%016llx&user=u%u HTTP/1.1",
                        (unsigned long long)ab_rng_next(&r), (unsigned)ab_rng_range(&r, 1, 99999));
        in->lines[i] = (char *)malloc((size_t)len + 1);
        if (in->lines[i] == NULL) {
            in->count = i;
            teardown(in);
            return NULL;
        }
        memcpy(in->lines[i], line, (size_t)len + 1);
        in->lens[i] = (size_t)len;
        in->count = i + 1;
    }
    return in;
}

/* ---- the request context (child scope) and the parse (grandchild scope) ---- */

typedef struct req_ctx {
    unsigned fan[MAX_LEVELS];
    unsigned levels;
    uint64_t label_hash;
    const char *handler; /* from the server's route table */
    size_t handler_len;
} req_ctx;

typedef struct token { char *key, *val; size_t klen, vlen; } token;

static int hexval(char c) {
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Parses line into ctx with temporaries from g (the grandchild scope). False on OOM. */
static bool parse_request(ab_allocator g, bool frees, const char *line, size_t len, req_ctx *ctx) {
    bool ok = false;
    /* 1. percent-decode the target into a temporary buffer */
    char *dec = (char *)ab_alloc(g, len + 1, 1);
    if (dec == NULL) return false;
    size_t dl = 0;
    for (size_t i = 0; i < len; i++) {
        if (line[i] == '%' && i + 2 < len && hexval(line[i + 1]) >= 0 && hexval(line[i + 2]) >= 0) {
            dec[dl++] = (char)(hexval(line[i + 1]) * 16 + hexval(line[i + 2]));
            i += 2;
        } else {
            dec[dl++] = line[i];
        }
    }
    dec[dl] = '\0';
    /* 2. split "METHOD path?k=v&k=v VERSION" into duplicated tokens in a growing array */
    token *toks = NULL;
    size_t nt = 0, cap = 0;
    char *path = NULL;
    size_t plen = 0;
    const char *p = (const char *)memchr(dec, ' ', dl);
    const char *end = p ? (const char *)memchr(p + 1, ' ', (size_t)(dec + dl - p - 1)) : NULL;
    if (end == NULL) goto done;
    p++;
    const char *q = (const char *)memchr(p, '?', (size_t)(end - p));
    plen = (size_t)((q ? q : end) - p);
    path = ab_strndup(g, p, plen);
    if (path == NULL) goto done;
    for (p = q ? q + 1 : end; p < end;) {
        const char *amp = (const char *)memchr(p, '&', (size_t)(end - p));
        const char *te = amp ? amp : end;
        const char *eq = (const char *)memchr(p, '=', (size_t)(te - p));
        if (nt == cap) {
            size_t ncap = cap + cap / 2 + 4;
            token *nt2 = (token *)ab_realloc(g, toks, cap * sizeof *toks, ncap * sizeof *toks, _Alignof(token));
            if (nt2 == NULL) goto done;
            toks = nt2;
            cap = ncap;
        }
        token *t = &toks[nt];
        t->klen = (size_t)((eq ? eq : te) - p);
        t->vlen = eq ? (size_t)(te - eq - 1) : 0;
        t->key = ab_strndup(g, p, t->klen);
        t->val = t->key ? ab_strndup(g, eq ? eq + 1 : te, t->vlen) : NULL;
        if (t->val == NULL) {
            if (frees && t->key) ab_free(g, t->key, t->klen + 1, 1);
            goto done;
        }
        nt++;
        p = te + 1;
    }
    /* 3. read the tokens into the context (which lives in the child scope) */
    ctx->levels = 0;
    ctx->label_hash = ab_hash_bytes(AB_CHECKSUM_INIT, path, plen);
    for (size_t i = 0; i < nt; i++) {
        if (toks[i].klen == 5 && memcmp(toks[i].key, "shape", 5) == 0) {
            char *s = toks[i].val;
            while (*s && ctx->levels < MAX_LEVELS) {
                ctx->fan[ctx->levels++] = (unsigned)strtoul(s, &s, 10);
                if (*s == ',') s++;
                else break;
            }
        } else if (toks[i].klen == 5 && memcmp(toks[i].key, "label", 5) == 0) {
            ctx->label_hash = ab_hash_bytes(ctx->label_hash, toks[i].val, toks[i].vlen);
        }
    }
    ok = true;
done:
    if (frees) { /* newest first */
        for (size_t i = nt; i-- > 0;) {
            ab_free(g, toks[i].val, toks[i].vlen + 1, 1);
            ab_free(g, toks[i].key, toks[i].klen + 1, 1);
        }
        ab_free(g, toks, cap * sizeof *toks, _Alignof(token));
        ab_free(g, path, path ? plen + 1 : 0, 1);
        ab_free(g, dec, len + 1, 1);
    }
    return ok;
}

/* ---- the tree (child scope) ---- */

typedef struct node {
    int64_t value;
    struct node **children; /* grown by ab_realloc */
    uint32_t n, cap;
} node;

static void free_tree(ab_allocator a, node *t) {
    if (t == NULL) return;
    for (uint32_t i = t->n; i-- > 0;) free_tree(a, t->children[i]);
    ab_free(a, t->children, t->cap * sizeof *t->children, _Alignof(node *));
    AB_DELETE(a, node, t);
}

/* Builds the subtree at level; NULL on OOM (what was built is freed when frees). */
static node *build(ab_allocator a, bool frees, const req_ctx *ctx, unsigned level, int64_t value) {
    node *t = AB_NEW(a, node);
    if (t == NULL) return NULL;
    t->value = value;
    t->children = NULL;
    t->n = t->cap = 0;
    if (level >= ctx->levels) return t;
    for (unsigned i = 0; i < ctx->fan[level]; i++) {
        node *c = build(a, frees, ctx, level + 1, value * 10 + i);
        if (c == NULL) goto oom;
        if (t->n == t->cap) {
            uint32_t ncap = t->cap + t->cap / 2 + 2;
            node **nc = (node **)ab_realloc(a, t->children, t->cap * sizeof *nc, ncap * sizeof *nc, _Alignof(node *));
            if (nc == NULL) {
                if (frees) free_tree(a, c);
                goto oom;
            }
            t->children = nc;
            t->cap = ncap;
        }
        t->children[t->n++] = c;
    }
    return t;
oom:
    if (frees) free_tree(a, t);
    return NULL;
}

static void walk(const node *t, uint64_t *count, uint64_t *sum) {
    ++*count;
    *sum += (uint64_t)t->value;
    for (uint32_t i = 0; i < t->n; i++) walk(t->children[i], count, sum);
}

static ab_run_result run(void *vin, ab_subject *s) {
    const input *in = (const input *)vin;
    ab_run_result r = {AB_CHECKSUM_INIT, in->count, 0};
    bool frees = ab_subject_frees(s);

    ab_allocator server = ab_scope_begin(s); /* parent: server lifetime */
    ab_strmap table;
    ab_strmap_init(&table, server);
    for (size_t i = 0; i < NROUTES; i++)
        if (ab_strmap_put_copy(&table, routes[i][0], strlen(routes[i][0]), routes[i][1], strlen(routes[i][1])) ==
            AB_STRMAP_OOM)
            r.failures++;

    for (size_t i = 0; i < in->count; i++) {
        ab_allocator req = ab_scope_begin(s); /* child: one request, backed by the server scope */
        req_ctx *ctx = AB_NEW(req, req_ctx);
        if (ctx == NULL) {
            r.failures++;
            ab_scope_end(s, AB_END_DESTROY);
            continue;
        }
        ab_allocator tmp = ab_scope_begin(s); /* grandchild: the parse's temporaries */
        bool parsed = parse_request(tmp, frees, in->lines[i], in->lens[i], ctx);
        ab_scope_end(s, AB_END_DESTROY);
        node *tree = NULL;
        if (parsed) {
            ctx->handler = ab_strmap_get(&table, "/tree", 5, &ctx->handler_len);
            tree = build(req, frees, ctx, 0, (int64_t)(i % 9) + 1);
        }
        if (tree == NULL) {
            r.failures++;
        } else {
            uint64_t count = 0, sum = 0;
            walk(tree, &count, &sum);
            r.checksum = ab_hash_u64(ab_hash_u64(ab_hash_u64(r.checksum, count), sum), ctx->label_hash);
            if (ctx->handler) r.checksum = ab_hash_bytes(r.checksum, ctx->handler, ctx->handler_len);
            if (frees) free_tree(req, tree);
        }
        if (frees) AB_DELETE(req, req_ctx, ctx);
        ab_scope_end(s, AB_END_DESTROY); /* the child's memory goes back to the server scope */
    }

    if (frees) ab_strmap_free_all(&table);
    ab_scope_end(s, AB_END_RESET);
    return r;
}

const ab_workload ab_workload_nested_scopes = {
    .name = "nested_scopes",
    .item = "requests",
    .describe = "the recipe's nested arenas: server scope (route table) / request scope (a tree of ~N nodes, "
                "values value*10+i, counted) / parse scope (decoded line, tokens); malloc frees the tree recursively",
    .accepts = AB_KIND_ALL_GENERAL,
    .args = args,
    .quick_args = quick,
    .setup = setup,
    .run = run,
    .teardown = teardown,
};
