/*
 * common/docs.h -- a corpus of generated documents, one per request
 * (header-only): made untimed in a workload's setup, read by its run.
 *
 * The generator is called n times in order with one PRNG seeded from seed,
 * so the corpus is the same in every process and for every contestant. Each
 * document is one malloc'd, NUL-terminated string of len bytes (+ 1) that
 * the corpus owns. Used by the hooked-library workloads that parse text
 * (cjson, expat).
 *
 *   bool ab_docs_make(ab_docs *d, int n, uint64_t seed, ab_doc_gen gen, const void *arg);
 *   void ab_docs_free(ab_docs *d);   also on a zeroed or half-made corpus
 */
#ifndef AB_COMMON_DOCS_H
#define AB_COMMON_DOCS_H

#include <stdbool.h>
#include <stdlib.h>

#include "workload.h"

typedef struct ab_docs {
    int n;
    char **doc;  /* n documents */
    size_t *len; /* their lengths */
} ab_docs;

/* Document i of the corpus (malloc'd, NUL-terminated) and its length, or NULL
 * when out of memory. arg is the workload's own parameters. */
typedef char *(*ab_doc_gen)(ab_rng *r, int i, const void *arg, size_t *len);

static inline void ab_docs_free(ab_docs *d) {
    for (int i = 0; d->doc && i < d->n; i++) free(d->doc[i]);
    free(d->doc);
    free(d->len);
    d->doc = NULL;
    d->len = NULL;
    d->n = 0;
}

/* n documents from gen; false (and nothing kept) when out of memory. */
static inline bool ab_docs_make(ab_docs *d, int n, uint64_t seed, ab_doc_gen gen, const void *arg) {
    d->n = n > 0 ? n : 0;
    d->doc = (char **)calloc((size_t)d->n + 1, sizeof *d->doc);
    d->len = (size_t *)calloc((size_t)d->n + 1, sizeof *d->len);
    if (d->doc == NULL || d->len == NULL) {
        ab_docs_free(d);
        return false;
    }
    ab_rng r;
    ab_rng_seed(&r, seed);
    for (int i = 0; i < d->n; i++) {
        d->doc[i] = gen(&r, i, arg, &d->len[i]);
        if (d->doc[i] == NULL) {
            ab_docs_free(d);
            return false;
        }
    }
    return true;
}

#endif
