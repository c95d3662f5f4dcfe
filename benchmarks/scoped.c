/*
 * scoped -- a function-scoped arena building a JSON string.
 *
 * The recipe (seed NOTES.md, scoped_arena): a function makes its own arena,
 * builds {"user_id": <n>, "username": "<s>"} by appending to a growing byte
 * list in it, and everything dies with the function; called twice. Here the
 * function is called for many users and, with the arg, builds larger objects
 * ({"user_id", "username", then N extra "field_<k>": "<value>" members, each
 * value formatted into a temporary string first, as code that renders values
 * before quoting them does). The byte list is an ab_buf (grown through
 * ab_realloc, starting empty like ArrayList); the finished string is handed
 * over (toOwnedSlice) and copied into the caller's output buffer -- the
 * socket buffer of a server -- before the function returns.
 *
 * The scope is the function's arena: a fresh arena per call, created at the
 * top and deinit'ed at the return (AB_END_DESTROY), exactly as the recipe's
 * `var arena = ArenaAllocator.init(...); defer arena.deinit();`. malloc
 * frees each temporary and the string itself.
 *
 * Args (extra fields per object: 0 = the recipe's two members, 8, 64).
 * Items = calls. The checksum hashes every JSON string produced.
 */
#include <stdlib.h>

#include "common/buf.h"
#include "common/wordhash.h"
#include "workload.h"

static const ab_workload_args args[] = {{{0}, 1}, {{8}, 1}, {{64}, 1}, {{0}, 0}};
static const ab_workload_args quick[] = {{{8}, 1}, {{0}, 0}};

typedef struct user {
    uint32_t id;
    char name[32];   /* 4..24 chars, now and then a quote or a backslash to escape */
    uint32_t seed;   /* drives the extra fields' values */
} user;

typedef struct input {
    size_t calls, fields;
    user *users;
    char *out;       /* the caller's output buffer (scratch, overwritten every call) */
    size_t out_cap;
} input;

static void teardown(void *vin) {
    input *in = (input *)vin;
    if (in == NULL) return;
    free(in->users);
    free(in->out);
    free(in);
}

static void *setup(const ab_workload_args *a) {
    input *in = (input *)calloc(1, sizeof *in);
    if (in == NULL) return NULL;
    in->fields = (size_t)a->v[0];
    in->calls = in->fields >= 64 ? 200 : 1000;
    in->out_cap = 128 + in->fields * 96;
    in->users = (user *)calloc(in->calls, sizeof *in->users);
    in->out = (char *)malloc(in->out_cap);
    if (in->users == NULL || in->out == NULL) {
        teardown(in);
        return NULL;
    }
    static const char alpha[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-";
    ab_rng r;
    ab_rng_seed(&r, 0x5C0BEDull + in->fields);
    for (size_t i = 0; i < in->calls; i++) {
        user *u = &in->users[i];
        u->id = (uint32_t)ab_rng_range(&r, 1, 4000000000u);
        size_t n = (size_t)ab_rng_range(&r, 4, 24);
        for (size_t k = 0; k < n; k++) {
            uint64_t x = ab_rng_next(&r);
            u->name[k] = x % 50 == 0 ? "\"\\"[x / 50 % 2] : alpha[x % (sizeof alpha - 1)];
        }
        u->seed = (uint32_t)ab_rng_next(&r);
    }
    return in;
}

/* The function with its own arena: returns the length written to out, or 0 on OOM. */
static size_t render_user(ab_subject *s, const user *u, size_t fields, char *out, size_t out_cap) {
    ab_allocator a = ab_scope_begin(s); /* var arena = ArenaAllocator.init(...) */
    bool frees = ab_subject_frees(s);
    size_t result = 0;
    ab_buf b;
    ab_buf_init(&b, a);
    ab_buf_appendf(&b, "{\"user_id\": %u, \"username\": ", (unsigned)u->id);
    ab_buf_append_json_string(&b, u->name, strlen(u->name));
    for (size_t k = 0; k < fields && !b.failed; k++) {
        size_t vlen = 0;
        char *v = ab_sprintf(a, &vlen, "v%u-%zu:%s", (unsigned)(u->seed ^ (uint32_t)(k * 2654435761u)), k, u->name);
        if (v == NULL) {
            b.failed = true;
            break;
        }
        ab_buf_appendf(&b, ", \"field_%zu\": ", k);
        ab_buf_append_json_string(&b, v, vlen);
        if (frees) ab_free(a, v, vlen + 1, 1);
    }
    ab_buf_append_char(&b, '}');
    size_t len = 0;
    char *json = b.failed ? NULL : ab_buf_finish(&b, &len);
    if (json != NULL && len <= out_cap) {
        memcpy(out, json, len);
        result = len;
    }
    if (frees) {
        if (json) ab_free(a, json, len + 1, 1);
        else ab_buf_free(&b);
    }
    ab_scope_end(s, AB_END_DESTROY); /* defer arena.deinit() */
    return result;
}

static ab_run_result run(void *vin, ab_subject *s) {
    const input *in = (const input *)vin;
    ab_run_result r = {AB_CHECKSUM_INIT, in->calls, 0};
    for (size_t i = 0; i < in->calls; i++) {
        size_t len = render_user(s, &in->users[i], in->fields, in->out, in->out_cap);
        if (len == 0) r.failures++;
        else r.checksum = ab_hash_words(r.checksum, in->out, len);
    }
    return r;
}

const ab_workload ab_workload_scoped = {
    .name = "scoped",
    .item = "calls",
    .describe = "the recipe's function-scoped arena: a fresh arena per call (deinit at return) building "
                "{\"user_id\": n, \"username\": s} (+ N fields, arg) in a growing byte buffer",
    .accepts = AB_KIND_ALL_GENERAL,
    .args = args,
    .quick_args = quick,
    .setup = setup,
    .run = run,
    .teardown = teardown,
};
