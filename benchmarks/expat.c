/*
 * expat -- the expat XML parser through XML_ParserCreate_MM, one parser per request.
 *
 * Request: create a namespace-aware parser over the request's scope
 * allocator, parse one generated catalog document (`books` book elements,
 * each with an xmlns declaration, attributes, nested title/author/tags,
 * entity references and a CDATA section) in one XML_Parse call, collect in
 * the handlers element counts, attribute sums and hashes of names and
 * character data, checksum them, XML_ParserFree. The arena is reset after
 * each request.
 *
 * Hooks: XML_Memory_Handling_Suite has malloc/realloc/free with neither a
 * context nor an old size, so the suite's functions forward to the thread's
 * "current" ab_hooks (benchmarks/common/hooks.h), set by run() for the
 * request, and every block carries the adapter's 16-byte {size, owner}
 * header (counted in bytes_requested). Expat grows its string pools and tag
 * buffers with realloc: with an arena that is resize in place when the block
 * is the arena's last one, else allocate + copy (the old block is dead
 * space until the reset).
 *
 * What it shows: expat allocates at parser creation (the parser, its DTD
 * and hash tables, buffers: a few dozen blocks) and then little per element
 * (tags and namespace bindings are recycled on free lists inside expat), so
 * small documents are dominated by parser creation and large ones by
 * parsing, where the allocator matters little.
 *
 * The hash salt is fixed (XML_SetHashSalt) so the parser does the same work
 * on every run. Args: books per document, requests per run. Items = requests.
 */
#include <expat.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/docs.h"
#include "common/hooks.h"
#include "workload.h"

static const ab_workload_args args[] = {{{4, 64}, 2}, {{64, 8}, 2}, {{1024, 1}, 2}, {{0}, 0}};
static const ab_workload_args quick[] = {{{64, 2}, 2}, {{0}, 0}};

typedef struct input {
    int books;    /* books per catalog */
    ab_docs docs; /* one catalog per request */
} input;

static const XML_Memory_Handling_Suite suite = {ab_hooks_current_malloc, ab_hooks_current_realloc,
                                                ab_hooks_free};

/* ---- the corpus ------------------------------------------------------------ */

typedef struct text {
    char *p;
    size_t len, cap;
    bool oom;
} text;

static void put(text *t, const char *s) {
    size_t n = strlen(s);
    if (t->oom) return;
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 8192;
        while (cap < t->len + n + 1) cap *= 2;
        char *q = (char *)realloc(t->p, cap);
        if (q == NULL) {
            t->oom = true;
            return;
        }
        t->p = q;
        t->cap = cap;
    }
    memcpy(t->p + t->len, s, n + 1);
    t->len += n;
}

static void putf(text *t, const char *fmt, ...) AB_PRINTF(2, 3);
static void putf(text *t, const char *fmt, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof buf) t->oom = true;
    else put(t, buf);
}

static void words(ab_rng *r, char *out, int count) {
    char *o = out;
    for (int w = 0; w < count; w++) {
        int n = (int)ab_rng_range(r, 2, 9);
        if (w) *o++ = ' ';
        for (int i = 0; i < n; i++) *o++ = (char)('a' + ab_rng_range(r, 0, 25));
    }
    *o = '\0';
}

static char *make_doc(ab_rng *r, int i, const void *vin, size_t *len) {
    (void)i;
    const int books = ((const input *)vin)->books;
    static const char *const langs[] = {"en", "fr", "de", "es", "it"};
    text t = {NULL, 0, 0, false};
    put(&t, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<catalog xmlns=\"urn:example:catalog\" version=\"3\" source=\"generator\">\n");
    for (int b = 0; b < books; b++) {
        char title[128], first[16], last[16], summary[200];
        words(r, title, (int)ab_rng_range(r, 1, 6));
        words(r, first, 1);
        words(r, last, 1);
        words(r, summary, (int)ab_rng_range(r, 3, 16));
        putf(&t,
             "  <book xmlns:dc=\"http://purl.org/dc/elements/1.1/\" id=\"%d\" price=\"%d\" year=\"%d\" "
             "lang=\"%s\">\n    <dc:title>%s &amp; %s</dc:title>\n",
             b + 1, (int)ab_rng_range(r, 100, 99999), (int)ab_rng_range(r, 1900, 2024),
             langs[ab_rng_range(r, 0, 4)], title, last);
        putf(&t, "    <dc:creator first=\"%s\" last=\"%s\" rank=\"%d\"/>\n    <tags>", first, last,
             (int)ab_rng_range(r, 1, 5));
        int ntags = (int)ab_rng_range(r, 0, 4);
        for (int k = 0; k < ntags; k++) {
            char tag[16];
            words(r, tag, 1);
            putf(&t, "<tag weight=\"%d\">%s</tag>", (int)ab_rng_range(r, 1, 100), tag);
        }
        putf(&t, "</tags>\n    <summary><![CDATA[%s <b>&</b>]]></summary>\n  </book>\n", summary);
    }
    put(&t, "</catalog>\n");
    if (t.oom || t.len > (size_t)INT32_MAX) {
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
    input *in = (input *)calloc(1, sizeof *in);
    if (in == NULL) return NULL;
    in->books = (int)a->v[0];
    if (!ab_docs_make(&in->docs, (int)a->v[1], 0xE8A7 + (uint64_t)in->books, make_doc, in)) {
        free(in);
        return NULL;
    }
    return in;
}

/* ---- one request ----------------------------------------------------------- */

typedef struct stats {
    uint64_t elements, attributes, attr_sum, text_bytes, depth, max_depth;
    uint64_t h;
} stats;

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **atts) {
    stats *st = (stats *)ud;
    st->elements++;
    if (++st->depth > st->max_depth) st->max_depth = st->depth;
    st->h = ab_hash_bytes(st->h, name, strlen(name));
    for (int i = 0; atts[i] != NULL; i += 2) {
        st->attributes++;
        st->h = ab_hash_bytes(st->h, atts[i], strlen(atts[i]));
        char *end;
        long v = strtol(atts[i + 1], &end, 10);
        if (*end == '\0' && end != atts[i + 1]) st->attr_sum += (uint64_t)v;
        else st->h = ab_hash_bytes(st->h, atts[i + 1], strlen(atts[i + 1]));
    }
}

static void XMLCALL on_end(void *ud, const XML_Char *name) {
    stats *st = (stats *)ud;
    st->depth--;
    st->h = ab_hash_u64(st->h, strlen(name));
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len) {
    stats *st = (stats *)ud;
    st->text_bytes += (uint64_t)len;
    st->h = ab_hash_bytes(st->h, s, (size_t)len);
}

static bool one_request(const void *vin, int i, ab_hooks *h, uint64_t *hash) {
    const input *in = (const input *)vin;
    (void)h; /* expat's memory suite is process-global: it uses the current hooks */
    stats st = {0, 0, 0, 0, 0, 0, *hash};
    bool ok = false;
    XML_Parser p = XML_ParserCreate_MM(NULL, &suite, "|");
    if (p != NULL) {
        XML_SetHashSalt(p, 0x5A17);
        XML_SetUserData(p, &st);
        XML_SetElementHandler(p, on_start, on_end);
        XML_SetCharacterDataHandler(p, on_text);
        ok = XML_Parse(p, in->docs.doc[i], (int)in->docs.len[i], 1) == XML_STATUS_OK;
        XML_ParserFree(p);
    }
    uint64_t hh = st.h;
    hh = ab_hash_u64(hh, st.elements);
    hh = ab_hash_u64(hh, st.attributes);
    hh = ab_hash_u64(hh, st.attr_sum);
    hh = ab_hash_u64(hh, st.text_bytes);
    hh = ab_hash_u64(hh, st.max_depth);
    *hash = hh;
    return ok;
}

static ab_run_result run(void *vin, ab_subject *s) {
    return ab_hooks_run_requests(s, vin, ((const input *)vin)->docs.n, one_request);
}

const ab_workload ab_workload_expat = {
    .name = "expat",
    .item = "requests",
    .describe = "expat via XML_ParserCreate_MM (16 B size header): per request a namespace-aware parser, parse a catalog, count, free",
    .accepts = AB_KIND_ALL_GENERAL,
    .args = args,
    .quick_args = quick,
    .setup = setup,
    .run = run,
    .teardown = teardown,
};
