/*
 * malloc_allocator.c -- the process's malloc behind the interface, and the
 * identity query that proves which library that malloc really is.
 *
 * The library is not chosen here: it is whatever the process links or
 * preloads (the build makes one executable per malloc). The identity comes
 * from dladdr() on the malloc this code calls, confirmed by the library's
 * own version call, found with dlsym so this file needs none of them.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "allocator.h"

#include <dlfcn.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GLIBC__)
#include <gnu/libc-version.h>
#endif

static void *vt_alloc(void *ctx, size_t size, size_t align) {
    (void)ctx;
    if (align <= AB_DEFAULT_ALIGN) return malloc(size); /* malloc's guarantee suffices */
    void *p = NULL;
    return posix_memalign(&p, align, size) == 0 ? p : NULL;
}

static bool vt_resize(void *ctx, void *p, size_t old_size, size_t new_size, size_t align) {
    (void)ctx, (void)old_size, (void)align;
    /* In place: the block already has the room (every malloc here reports it). */
    return new_size <= malloc_usable_size(p);
}

static void *vt_remap(void *ctx, void *p, size_t old_size, size_t new_size, size_t align) {
    if (align <= AB_DEFAULT_ALIGN) return realloc(p, new_size);
    void *q = vt_alloc(ctx, new_size, align);
    if (q == NULL) return NULL;
    memcpy(q, p, old_size < new_size ? old_size : new_size);
    free(p);
    return q;
}

static void vt_free(void *ctx, void *p, size_t size, size_t align) {
    (void)ctx, (void)size, (void)align;
    free(p);
}

static const ab_allocator_vtable malloc_vtable = {vt_alloc, vt_resize, vt_remap, vt_free};

ab_allocator ab_malloc_allocator(void) {
    ab_allocator a = {NULL, &malloc_vtable};
    return a;
}

size_t ab_malloc_usable_size(void *p) { return p ? malloc_usable_size(p) : 0; }

static const char *const kind_names[] = {"unknown", "glibc", "jemalloc", "mimalloc", "tcmalloc"};

const char *ab_malloc_kind_name(ab_malloc_kind kind) {
    return (unsigned)kind < sizeof kind_names / sizeof *kind_names ? kind_names[kind] : "unknown";
}

ab_malloc_kind ab_malloc_kind_from_name(const char *name) {
    for (unsigned i = 1; i < sizeof kind_names / sizeof *kind_names; i++)
        if (name != NULL && strcmp(name, kind_names[i]) == 0) return (ab_malloc_kind)i;
    return AB_MALLOC_UNKNOWN;
}

/* The version call of the library that defines malloc, looked up by name. */
static void library_version(ab_malloc_kind kind, char *out, size_t n) {
    out[0] = '\0';
    switch (kind) {
    case AB_MALLOC_JEMALLOC: {
        int (*mallctl)(const char *, void *, size_t *, void *, size_t) =
            (int (*)(const char *, void *, size_t *, void *, size_t))dlsym(RTLD_DEFAULT, "mallctl");
        const char *v = NULL;
        size_t len = sizeof v;
        if (mallctl && mallctl("version", &v, &len, NULL, 0) == 0 && v) snprintf(out, n, "%s", v);
        break;
    }
    case AB_MALLOC_MIMALLOC: {
        int (*mi_version)(void) = (int (*)(void))dlsym(RTLD_DEFAULT, "mi_version");
        if (mi_version) {
            int v = mi_version(); /* e.g. 209 for 2.0.9 */
            snprintf(out, n, "%d.%d.%d", v / 100, (v / 10) % 10, v % 10);
        }
        break;
    }
    case AB_MALLOC_TCMALLOC: {
        const char *(*tc_version)(int *, int *, const char **) =
            (const char *(*)(int *, int *, const char **))dlsym(RTLD_DEFAULT, "tc_version");
        if (tc_version) {
            int major = 0, minor = 0;
            const char *patch = "";
            tc_version(&major, &minor, &patch);
            snprintf(out, n, "%d.%d%s", major, minor, patch ? patch : "");
        }
        break;
    }
    case AB_MALLOC_GLIBC:
#if defined(__GLIBC__)
        snprintf(out, n, "%s", gnu_get_libc_version());
#endif
        break;
    default:
        break;
    }
}

void ab_malloc_identify(ab_malloc_info *out) {
    memset(out, 0, sizeof *out);
    out->kind = AB_MALLOC_UNKNOWN;
    /* The address of the malloc this translation unit calls, resolved by the
     * dynamic linker exactly as every call in the process is. */
    void *(*volatile fn)(size_t) = malloc;
    Dl_info info;
    const char *path = NULL;
    if (dladdr((void *)fn, &info) != 0 && info.dli_fname != NULL) path = info.dli_fname;
    snprintf(out->path, sizeof out->path, "%s", path ? path : "?");
    const char *base = path ? strrchr(path, '/') : NULL;
    base = base ? base + 1 : (path ? path : "");
    if (strstr(base, "jemalloc")) out->kind = AB_MALLOC_JEMALLOC;
    else if (strstr(base, "mimalloc")) out->kind = AB_MALLOC_MIMALLOC;
    else if (strstr(base, "tcmalloc")) out->kind = AB_MALLOC_TCMALLOC;
    else if (strncmp(base, "libc.so", 7) == 0 || strncmp(base, "libc-", 5) == 0) out->kind = AB_MALLOC_GLIBC;
    library_version(out->kind, out->version, sizeof out->version);
    /* A library whose version call is missing is not the one we think it is. */
    if (out->kind != AB_MALLOC_UNKNOWN && out->version[0] == '\0') out->kind = AB_MALLOC_UNKNOWN;
    out->name = ab_malloc_kind_name(out->kind);
}
