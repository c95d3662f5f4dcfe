/*
 * sqlite -- SQLite 3 through SQLITE_CONFIG_MALLOC, one in-memory database per request.
 *
 * Request (the recipe's handleRequest, with SQLite doing the allocating):
 * open ":memory:", CREATE TABLE, insert `rows` rows in one transaction with
 * one prepared statement, CREATE INDEX, run an indexed query per tag and a
 * GROUP BY over the index, checksum every value read back, finalize, close.
 * Every byte SQLite allocates in the request comes from the request's scope:
 * the arena is reset after each request (AB_END_RESET), malloc frees each
 * block when SQLite calls xFree.
 *
 * Hooks. SQLITE_CONFIG_MALLOC is process-global and may only be set before
 * sqlite3_initialize, so changing it per contestant would need
 * sqlite3_shutdown + config + initialize around every change. Instead ONE
 * set of methods is installed once (first setup, pthread_once); they forward
 * to the calling thread's "current" ab_hooks (benchmarks/common/hooks.h),
 * which run() points at the request's scope allocator for the length of the
 * request. xFree, xSize and xRealloc get no size from SQLite, so every block
 * carries the adapter's 16-byte header {size, owner}: the overhead is counted
 * (bytes_requested includes it). xRoundup rounds to 8 as SQLite's default does.
 *
 * Configuration (once): SQLITE_CONFIG_MEMSTATUS off (no global mutex and no
 * statistics around each allocation), SQLITE_CONFIG_MULTITHREAD (no
 * per-connection mutex: each connection is used by one thread), and lookaside
 * off (SQLITE_CONFIG_LOOKASIDE 0, 0: SQLite's own per-connection slab for
 * small objects would hide them from the allocator under test). Debian's
 * libsqlite3 is built with SQLITE_OMIT_LOOKASIDE anyway, so there every small
 * allocation reaches the hooks whatever is configured.
 *
 * What SQLite allocates (3.40, Debian): ~100 blocks at open (the built-in
 * FTS3/FTS5/R-Tree/... modules register per connection), the schema, the
 * pages of the in-memory database (4 KiB + header each), parsed statements,
 * and for each ORDER BY ... LIMIT run an ephemeral table whose page cache
 * takes one 87 KB bulk block (20 pages): most of the bytes, few of the calls.
 *
 * Args: rows per request, requests per run. Items = requests.
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/hooks.h"
#include "workload.h"

static const ab_workload_args args[] = {{{10, 16}, 2}, {{100, 8}, 2}, {{1000, 1}, 2}, {{0}, 0}};
static const ab_workload_args quick[] = {{{100, 2}, 2}, {{0}, 0}};

#define NTAGS 8
static const char *const tags[NTAGS] = {"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"};

typedef struct row {
    char name[32];
    int name_len;
    int score;
    int tag;
} row;

typedef struct input {
    int rows, requests;
    row *data; /* requests x rows */
} input;

/* ---- the hooks: installed once, forwarding to the thread's current ab_hooks */

static void *sq_malloc(int n) { return n < 0 ? NULL : ab_hooks_current_malloc((size_t)n); }
static void sq_free(void *p) { ab_hooks_free(p); }
static void *sq_realloc(void *p, int n) { return n < 0 ? NULL : ab_hooks_current_realloc(p, (size_t)n); }
static int sq_size(void *p) { return (int)ab_hooks_size(p); }
static int sq_roundup(int n) { return (n + 7) & ~7; }
static int sq_init(void *ud) { (void)ud; return SQLITE_OK; }
static void sq_shutdown(void *ud) { (void)ud; }

static const sqlite3_mem_methods methods = {sq_malloc, sq_free, sq_realloc, sq_size,
                                            sq_roundup, sq_init, sq_shutdown, NULL};

static pthread_once_t install_once = PTHREAD_ONCE_INIT;
static int install_rc = SQLITE_ERROR;

static void install(void) {
    sqlite3_shutdown(); /* config is refused once initialized */
    int rc = sqlite3_config(SQLITE_CONFIG_MALLOC, &methods);
    if (rc == SQLITE_OK) rc = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    if (rc == SQLITE_OK) rc = sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
    if (rc == SQLITE_OK) rc = sqlite3_config(SQLITE_CONFIG_LOOKASIDE, 0, 0);
    if (rc == SQLITE_OK) rc = sqlite3_initialize(); /* outside any request: the fallback malloc */
    install_rc = rc;
}

/* ---- setup --------------------------------------------------------------- */

static void *setup(const ab_workload_args *a) {
    pthread_once(&install_once, install);
    if (install_rc != SQLITE_OK) {
        fprintf(stderr, "sqlite: could not install the allocator hooks: %s\n", sqlite3_errstr(install_rc));
        return NULL;
    }
    input *in = (input *)calloc(1, sizeof *in);
    if (in == NULL) return NULL;
    in->rows = (int)a->v[0];
    in->requests = (int)a->v[1];
    in->data = (row *)calloc((size_t)in->rows * (size_t)in->requests, sizeof(row));
    if (in->data == NULL) {
        free(in);
        return NULL;
    }
    ab_rng r;
    ab_rng_seed(&r, 0x5017E + (uint64_t)in->rows);
    for (size_t i = 0; i < (size_t)in->rows * (size_t)in->requests; i++) {
        row *w = &in->data[i];
        w->name_len = (int)ab_rng_range(&r, 6, 28);
        for (int k = 0; k < w->name_len; k++) w->name[k] = (char)('a' + ab_rng_range(&r, 0, 25));
        w->name[w->name_len] = '\0';
        w->score = (int)ab_rng_range(&r, 0, 9999);
        w->tag = (int)ab_rng_range(&r, 0, NTAGS - 1);
    }
    return in;
}

static void teardown(void *vin) {
    input *in = (input *)vin;
    if (in == NULL) return;
    free(in->data);
    free(in);
}

/* ---- one request ----------------------------------------------------------- */

static bool exec(sqlite3 *db, const char *sql) { return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK; }

/* Hashes every column of every row of stmt; false on error. */
static bool hash_rows(sqlite3_stmt *st, uint64_t *h) {
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int n = sqlite3_column_count(st);
        for (int c = 0; c < n; c++) {
            if (sqlite3_column_type(st, c) == SQLITE_INTEGER) {
                *h = ab_hash_u64(*h, (uint64_t)sqlite3_column_int64(st, c));
            } else {
                const unsigned char *t = sqlite3_column_text(st, c);
                *h = ab_hash_bytes(*h, t, (size_t)sqlite3_column_bytes(st, c));
            }
        }
    }
    return rc == SQLITE_DONE;
}

static bool request(const input *in, const row *rows, uint64_t *h) {
    sqlite3 *db = NULL;
    sqlite3_stmt *ins = NULL, *q = NULL, *g = NULL;
    bool ok = sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) == SQLITE_OK;
    ok = ok && exec(db, "CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT NOT NULL, score INTEGER, tag TEXT)");
    ok = ok && exec(db, "BEGIN");
    ok = ok && sqlite3_prepare_v2(db, "INSERT INTO t(id, name, score, tag) VALUES(?1, ?2, ?3, ?4)", -1, &ins,
                                  NULL) == SQLITE_OK;
    for (int i = 0; ok && i < in->rows; i++) {
        const row *w = &rows[i];
        ok = sqlite3_bind_int(ins, 1, i + 1) == SQLITE_OK &&
             sqlite3_bind_text(ins, 2, w->name, w->name_len, SQLITE_STATIC) == SQLITE_OK &&
             sqlite3_bind_int(ins, 3, w->score) == SQLITE_OK &&
             sqlite3_bind_text(ins, 4, tags[w->tag], -1, SQLITE_STATIC) == SQLITE_OK &&
             sqlite3_step(ins) == SQLITE_DONE && sqlite3_reset(ins) == SQLITE_OK;
    }
    ok = ok && exec(db, "COMMIT");
    ok = ok && exec(db, "CREATE INDEX t_tag_score ON t(tag, score)");
    ok = ok && sqlite3_prepare_v2(db,
                                  "SELECT id, upper(name), score FROM t WHERE tag = ?1 AND score >= ?2 "
                                  "ORDER BY score DESC, id LIMIT 20",
                                  -1, &q, NULL) == SQLITE_OK;
    for (int k = 0; ok && k < NTAGS; k++) {
        ok = sqlite3_bind_text(q, 1, tags[k], -1, SQLITE_STATIC) == SQLITE_OK &&
             sqlite3_bind_int(q, 2, 1000 * k) == SQLITE_OK && hash_rows(q, h) && sqlite3_reset(q) == SQLITE_OK;
    }
    ok = ok && sqlite3_prepare_v2(db,
                                  "SELECT tag, count(*), sum(score), max(length(name)) FROM t "
                                  "GROUP BY tag ORDER BY tag",
                                  -1, &g, NULL) == SQLITE_OK;
    ok = ok && hash_rows(g, h);
    sqlite3_finalize(g);
    sqlite3_finalize(q);
    sqlite3_finalize(ins);
    if (sqlite3_close(db) != SQLITE_OK) ok = false;
    return ok;
}

static bool one_request(const void *vin, int i, ab_hooks *h, uint64_t *hash) {
    const input *in = (const input *)vin;
    (void)h; /* SQLite's hooks are process-global: they use the current hooks */
    return request(in, in->data + (size_t)i * (size_t)in->rows, hash);
}

static ab_run_result run(void *vin, ab_subject *s) {
    return ab_hooks_run_requests(s, vin, ((const input *)vin)->requests, one_request);
}

const ab_workload ab_workload_sqlite = {
    .name = "sqlite",
    .item = "requests",
    .describe = "SQLite via SQLITE_CONFIG_MALLOC (16 B size header): per request open :memory:, insert rows, index, query, close",
    .accepts = AB_KIND_ALL_GENERAL,
    .args = args,
    .quick_args = quick,
    .setup = setup,
    .run = run,
    .teardown = teardown,
};
