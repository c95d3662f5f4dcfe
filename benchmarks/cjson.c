/*
 * cjson -- cJSON through cJSON_InitHooks: parse, modify, print, delete per request.
 *
 * Request (the recipe's request_response, with cJSON doing the allocating):
 * parse one order document from a corpus generated in setup (a customer
 * object, `items` line items each with a tags array, a note), modify it
 * (replace the id and the customer's name, add a total to every item, add
 * the item count, the sum and a status, delete the note), print it with
 * cJSON_PrintUnformatted, checksum the printed text, free it (cJSON_free)
 * and delete the tree (cJSON_Delete frees every node, key and string one by
 * one: with an arena those frees are no-ops and the reset releases all).
 *
 * Hooks: cJSON_InitHooks is process-global and cJSON's free_fn gets no size,
 * so ONE pair of functions is installed once (first setup, pthread_once);
 * they forward to the thread's "current" ab_hooks (benchmarks/common/hooks.h),
 * which run() points at the request's scope allocator, and every block
 * carries the adapter's 16-byte {size, owner} header (counted in
 * bytes_requested). With custom hooks cJSON 1.7 has no realloc: its print
 * buffer grows by malloc + copy + free, 256 bytes first, doubling.
 *
 * Args: items per document, requests per run. Items = requests.
 */
#include <cJSON.h>
#include <ctype.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/docs.h"
#include "common/hooks.h"
#include "workload.h"

static const ab_workload_args args[] = {{{4, 64}, 2}, {{32, 16}, 2}, {{256, 2}, 2}, {{0}, 0}};
static const ab_workload_args quick[] = {{{32, 4}, 2}, {{0}, 0}};

typedef struct input {
    int items;    /* line items per order */
    ab_docs docs; /* one order per request */
} input;

static void *cj_malloc(size_t n) { return ab_hooks_current_malloc(n); }
static void cj_free(void *p) { ab_hooks_free(p); }

static pthread_once_t install_once = PTHREAD_ONCE_INIT;
static void install(void) {
    cJSON_Hooks hooks = {cj_malloc, cj_free};
    cJSON_InitHooks(&hooks);
}

/* ---- the corpus ------------------------------------------------------------ */

typedef struct text {
    char *p;
    size_t len, cap;
    bool oom;
} text;

static void put(text *t, const char *fmt, ...) AB_PRINTF(2, 3);
static void put(text *t, const char *fmt, ...) {
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(t->p ? t->p + t->len : NULL, t->p ? t->cap - t->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            t->oom = true;
            return;
        }
        if (t->p && t->len + (size_t)n < t->cap) {
            t->len += (size_t)n;
            return;
        }
        size_t cap = t->cap ? t->cap * 2 : 4096;
        while (cap < t->len + (size_t)n + 1) cap *= 2;
        char *q = (char *)realloc(t->p, cap);
        if (q == NULL) {
            t->oom = true;
            return;
        }
        t->p = q;
        t->cap = cap;
    }
}

static void word(ab_rng *r, char *out, int lo, int hi) {
    int n = (int)ab_rng_range(r, (uint64_t)lo, (uint64_t)hi);
    for (int i = 0; i < n; i++) out[i] = (char)('a' + ab_rng_range(r, 0, 25));
    out[n] = '\0';
}

static char *make_doc(ab_rng *r, int i, const void *vin, size_t *len) {
    const int id = 100000 + i, items = ((const input *)vin)->items;
    static const char *const currencies[] = {"EUR", "USD", "GBP", "CHF"};
    text t = {NULL, 0, 0, false};
    char name[24], last[24], note[80];
    word(r, name, 3, 10);
    word(r, last, 4, 14);
    word(r, note, 20, 70);
    put(&t, "{\"id\":%d,\"customer\":{\"name\":\"%s %s\",\"email\":\"%s.%s@example.com\",\"vip\":%s},", id, name,
        last, name, last, ab_rng_range(r, 0, 3) == 0 ? "true" : "false");
    put(&t, "\"currency\":\"%s\",\"created\":\"2024-%02d-%02dT%02d:%02d:00Z\",\"items\":[",
        currencies[ab_rng_range(r, 0, 3)], (int)ab_rng_range(r, 1, 12), (int)ab_rng_range(r, 1, 28),
        (int)ab_rng_range(r, 0, 23), (int)ab_rng_range(r, 0, 59));
    for (int i = 0; i < items; i++) {
        char tag[16], desc[48];
        word(r, desc, 5, 40);
        put(&t, "%s{\"sku\":\"SKU-%05d\",\"qty\":%d,\"price\":%d.%02d,\"desc\":\"%s\",\"tags\":[", i ? "," : "",
            (int)ab_rng_range(r, 0, 99999), (int)ab_rng_range(r, 1, 9), (int)ab_rng_range(r, 0, 499),
            (int)ab_rng_range(r, 0, 99), desc);
        int ntags = (int)ab_rng_range(r, 0, 3);
        for (int k = 0; k < ntags; k++) {
            word(r, tag, 2, 8);
            put(&t, "%s\"%s\"", k ? "," : "", tag);
        }
        put(&t, "]}");
    }
    put(&t, "],\"note\":\"%s\"}", note);
    if (t.oom) {
        free(t.p);
        return NULL;
    }
    *len = t.len;
    return t.p;
}

static void teardown(void *vin) {
    input *in = (input *)vin;
    if (in == NULL) return;
    ab_docs_free(&in->docs);
    free(in);
}

static void *setup(const ab_workload_args *a) {
    pthread_once(&install_once, install);
    input *in = (input *)calloc(1, sizeof *in);
    if (in == NULL) return NULL;
    in->items = (int)a->v[0];
    if (!ab_docs_make(&in->docs, (int)a->v[1], 0xC150 + (uint64_t)in->items, make_doc, in)) {
        free(in);
        return NULL;
    }
    return in;
}

/* ---- one request ----------------------------------------------------------- */

/* Modifies the parsed order; false if cJSON could not (out of memory, bad doc). */
static bool modify(cJSON *root) {
    cJSON *id = cJSON_GetObjectItemCaseSensitive(root, "id");
    cJSON *cust = cJSON_GetObjectItemCaseSensitive(root, "customer");
    cJSON *name = cJSON_GetObjectItemCaseSensitive(cust, "name");
    cJSON *items = cJSON_GetObjectItemCaseSensitive(root, "items");
    if (!cJSON_IsNumber(id) || !cJSON_IsString(name) || !cJSON_IsArray(items)) return false;
    cJSON *nid = cJSON_CreateNumber(id->valuedouble + 1000000);
    if (nid == NULL || !cJSON_ReplaceItemInObject(root, "id", nid)) {
        cJSON_Delete(nid);
        return false;
    }
    char upper[64];
    size_t n = strlen(name->valuestring);
    if (n >= sizeof upper) n = sizeof upper - 1;
    for (size_t i = 0; i < n; i++) upper[i] = (char)toupper((unsigned char)name->valuestring[i]);
    upper[n] = '\0';
    cJSON *nname = cJSON_CreateString(upper);
    if (nname == NULL || !cJSON_ReplaceItemInObject(cust, "name", nname)) {
        cJSON_Delete(nname);
        return false;
    }
    double sum = 0;
    cJSON *it;
    cJSON_ArrayForEach(it, items) {
        cJSON *qty = cJSON_GetObjectItemCaseSensitive(it, "qty");
        cJSON *price = cJSON_GetObjectItemCaseSensitive(it, "price");
        if (!cJSON_IsNumber(qty) || !cJSON_IsNumber(price)) return false;
        double cents = (double)(int64_t)(qty->valuedouble * price->valuedouble * 100.0 + 0.5);
        sum += cents;
        if (cJSON_AddNumberToObject(it, "total", cents / 100.0) == NULL) return false;
    }
    cJSON_DeleteItemFromObject(root, "note");
    return cJSON_AddNumberToObject(root, "item_count", cJSON_GetArraySize(items)) != NULL &&
           cJSON_AddNumberToObject(root, "sum", sum / 100.0) != NULL &&
           cJSON_AddStringToObject(root, "status", "processed") != NULL;
}

static bool one_request(const void *vin, int i, ab_hooks *h, uint64_t *hash) {
    const input *in = (const input *)vin;
    (void)h; /* cJSON's hooks are process-global: they use the current hooks */
    bool ok = false;
    cJSON *root = cJSON_ParseWithLength(in->docs.doc[i], in->docs.len[i]);
    if (root != NULL && modify(root)) {
        char *out = cJSON_PrintUnformatted(root);
        if (out != NULL) {
            *hash = ab_hash_bytes(*hash, out, strlen(out));
            ok = true;
            cJSON_free(out);
        }
    }
    cJSON_Delete(root);
    return ok;
}

static ab_run_result run(void *vin, ab_subject *s) {
    return ab_hooks_run_requests(s, vin, ((const input *)vin)->docs.n, one_request);
}

const ab_workload ab_workload_cjson = {
    .name = "cjson",
    .item = "requests",
    .describe = "cJSON via cJSON_InitHooks (16 B size header): per request parse an order, modify, print unformatted, delete",
    .accepts = AB_KIND_ALL_GENERAL,
    .args = args,
    .quick_args = quick,
    .setup = setup,
    .run = run,
    .teardown = teardown,
};
