/* The process's general-purpose malloc: the same allocator for every scope,
 * nothing to do at scope end; the workload frees each allocation. Its name
 * is replaced by the process's library ("glibc", "jemalloc", ...). */
#include <stdlib.h>

#include "workload.h"

static void *create(const ab_subject_params *p) {
    ab_allocator *a = (ab_allocator *)malloc(sizeof *a);
    if (a) *a = p->backing;
    return a;
}
static ab_allocator begin(void *st) { return *(ab_allocator *)st; }
static void end(void *st, ab_scope_end_mode mode) { (void)st, (void)mode; }
static void destroy(void *st) { free(st); }

const ab_contestant ab_contestant_malloc = {
    .name = "malloc",
    .kind = AB_KIND_MALLOC,
    .describe = "the process's malloc (glibc, jemalloc, mimalloc or tcmalloc); the workload frees every allocation",
    .create = create, .begin = begin, .end = end, .destroy = destroy,
    .backing_routed = true,
};
