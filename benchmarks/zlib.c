/*
 * zlib -- deflate + inflate through z_stream.zalloc/zfree, streams made per request.
 *
 * Request: deflateInit2 over the request's scope allocator, compress one
 * generated buffer (`kib` KiB of semi-compressible log-like text, a
 * different buffer per request) in one Z_FINISH call into an output buffer
 * of deflateBound bytes, deflateEnd; inflateInit2, inflate it back into a
 * buffer of the original size, inflateEnd; compare with the input (a
 * mismatch is a failure), checksum the compressed length and the CRC-32 of
 * the inflated bytes. The two data buffers come from the scope allocator
 * too (freed by malloc, released by the arena's reset).
 *
 * Hooks: zalloc(opaque, items, size) gets the ab_hooks as opaque (no global
 * state needed); the product is checked for overflow. zfree gets no size, so
 * the header entry points of benchmarks/common/hooks.h are used: 16 bytes
 * per block, which is nothing here: zlib makes few, large blocks (deflate
 * at windowBits 15, memLevel 8: the state, a 64 KiB window, 64 KiB prev and
 * head tables and a 64 KiB pending buffer, ~270 KB; inflate: its state and
 * a 32 KiB window).
 *
 * What it shows: the other end of the spectrum from cJSON: a handful of big
 * allocations per request and a lot of computation, so any difference is
 * about reusing warm memory (the arena keeps its blocks across the reset;
 * malloc may give big blocks back to the kernel and fault them in again:
 * see minor_faults), not about per-allocation cost.
 *
 * Args: KiB per request, compression level, requests per run. Items = requests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <zlib.h>

#include "common/hooks.h"
#include "workload.h"

static const ab_workload_args args[] = {
    {{4, 6, 16}, 3}, {{64, 1, 2}, 3}, {{64, 6, 1}, 3}, {{256, 6, 1}, 3}, {{0}, 0},
};
static const ab_workload_args quick[] = {{{16, 6, 1}, 3}, {{0}, 0}};

typedef struct input {
    size_t size;
    int level, requests;
    unsigned char *data; /* requests x size */
} input;

static void *setup(const ab_workload_args *a) {
    static const char *const words[] = {"GET",     "POST",   "/api/v1/users", "/static/app.js", "200",
                                        "404",     "500",    "user-agent",    "Mozilla/5.0",    "session",
                                        "expired", "cache",  "hit",           "miss",           "latency",
                                        "ms",      "upstream", "connect",     "timeout",        "ok"};
    input *in = (input *)calloc(1, sizeof *in);
    if (in == NULL) return NULL;
    in->size = (size_t)a->v[0] * 1024;
    in->level = (int)a->v[1];
    in->requests = (int)a->v[2];
    in->data = (unsigned char *)malloc(in->size * (size_t)in->requests);
    if (in->data == NULL) {
        free(in);
        return NULL;
    }
    ab_rng r;
    ab_rng_seed(&r, 0x21B + in->size);
    size_t total = in->size * (size_t)in->requests, o = 0;
    while (o < total) {
        char line[160];
        int n = snprintf(line, sizeof line, "2024-05-%02d %02d:%02d:%02d.%03d %s %s %s %s id=%08x %dms\n",
                         (int)ab_rng_range(&r, 1, 28), (int)ab_rng_range(&r, 0, 23), (int)ab_rng_range(&r, 0, 59),
                         (int)ab_rng_range(&r, 0, 59), (int)ab_rng_range(&r, 0, 999), words[ab_rng_range(&r, 0, 19)],
                         words[ab_rng_range(&r, 0, 19)], words[ab_rng_range(&r, 0, 19)],
                         words[ab_rng_range(&r, 0, 19)], (unsigned)ab_rng_next(&r), (int)ab_rng_range(&r, 0, 2000));
        size_t k = n > 0 ? (size_t)n : 0;
        if (k > total - o) k = total - o;
        memcpy(in->data + o, line, k);
        o += k;
    }
    return in;
}

static void teardown(void *vin) {
    input *in = (input *)vin;
    if (in == NULL) return;
    free(in->data);
    free(in);
}

static voidpf z_alloc(voidpf opaque, uInt items, uInt size) {
    ab_hooks *h = (ab_hooks *)opaque;
    if (size != 0 && items > SIZE_MAX / size) {
        h->failures++;
        return Z_NULL;
    }
    return ab_hooks_malloc(h, (size_t)items * size);
}

static void z_free(voidpf opaque, voidpf p) {
    (void)opaque; /* the block's header names its owner */
    ab_hooks_free(p);
}

/* One request; false on any zlib error or a round-trip mismatch. */
static bool request(const input *in, const unsigned char *src, ab_allocator a, ab_hooks *h, bool frees,
                    uint64_t *hh) {
    bool ok = false;
    z_stream d;
    memset(&d, 0, sizeof d);
    d.zalloc = z_alloc;
    d.zfree = z_free;
    d.opaque = h;
    if (deflateInit2(&d, in->level, Z_DEFLATED, 15, 8, Z_DEFAULT_STRATEGY) != Z_OK) return false;
    size_t bound = deflateBound(&d, (uLong)in->size);
    unsigned char *comp = (unsigned char *)ab_alloc(a, bound, 1);
    unsigned char *back = (unsigned char *)ab_alloc(a, in->size, 1);
    if (comp == NULL || back == NULL) {
        deflateEnd(&d);
        goto out;
    }
    d.next_in = (Bytef *)src; /* zlib does not write through next_in */
    d.avail_in = (uInt)in->size;
    d.next_out = comp;
    d.avail_out = (uInt)bound;
    int rc = deflate(&d, Z_FINISH);
    size_t clen = (size_t)d.total_out;
    deflateEnd(&d);
    if (rc != Z_STREAM_END) goto out;

    z_stream f;
    memset(&f, 0, sizeof f);
    f.zalloc = z_alloc;
    f.zfree = z_free;
    f.opaque = h;
    if (inflateInit2(&f, 15) != Z_OK) goto out;
    f.next_in = comp;
    f.avail_in = (uInt)clen;
    f.next_out = back;
    f.avail_out = (uInt)in->size;
    rc = inflate(&f, Z_FINISH);
    size_t blen = (size_t)f.total_out;
    inflateEnd(&f);
    if (rc != Z_STREAM_END || blen != in->size || memcmp(back, src, in->size) != 0) goto out;
    *hh = ab_hash_u64(*hh, clen);
    *hh = ab_hash_u64(*hh, crc32(0L, back, (uInt)blen));
    ok = true;
out:
    if (frees) {
        ab_free(a, back, in->size, 1);
        ab_free(a, comp, bound, 1);
    }
    return ok;
}

static bool one_request(const void *vin, int i, ab_hooks *h, uint64_t *hash) {
    const input *in = (const input *)vin;
    return request(in, in->data + (size_t)i * in->size, h->a, h, h->frees, hash);
}

static ab_run_result run(void *vin, ab_subject *s) {
    return ab_hooks_run_requests(s, vin, ((const input *)vin)->requests, one_request);
}

const ab_workload ab_workload_zlib = {
    .name = "zlib",
    .item = "requests",
    .describe = "zlib via zalloc/zfree (16 B size header): per request deflate a text buffer and inflate it back",
    .accepts = AB_KIND_ALL_GENERAL,
    .args = args,
    .quick_args = quick,
    .setup = setup,
    .run = run,
    .teardown = teardown,
};
