/*
 * fuzz_allocators.c -- libFuzzer target: the input bytes are an operation
 * sequence (alloc / free / resize / realloc / reset / edge cases, with
 * sizes, alignments and which block to touch), run against the arena, the
 * nested arena, the fixed buffer, the stack-backed arena and the pool
 * through the common interface, and checked against the same model as the
 * property test (model.c: patterns, no overlap, alignment, NULL rules).
 * Any violation aborts with the model's message; every run must also end
 * with the counting backing at 0 live bytes.
 *
 * libFuzzer (clang):
 *   clang -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -Iallocators -Itests/c \
 *     allocators/[a-z]*.c tests/c/model.c tests/c/subjects.c tests/c/fuzz_allocators.c -o fuzz_allocators
 *   ./fuzz_allocators -max_total_time=30 -seed=1 [CORPUS_DIR]
 *
 * Standalone replay (any compiler; no libFuzzer), -DAB_FUZZ_STANDALONE:
 *   ./fuzz_allocators FILE_OR_DIR...        replay inputs (a corpus, a crash file)
 *   ./fuzz_allocators -random N [SEED]      N random inputs of up to 4 KiB (default 1000, seed 1)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "subjects.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Sizes stay smaller than in the property test so that one input runs in
 * about a millisecond: the fuzzer's strength is the number of sequences. */
#define FUZZ_BIG ((size_t)32 << 10)
#define FUZZ_FIXED_CAP ((size_t)1 << 20)

static const ab_subject_kind fuzz_kinds[] = {
    AB_SUBJ_ARENA_COUNTING, AB_SUBJ_ARENA_NESTED3, AB_SUBJ_FIXED, AB_SUBJ_STACK_ARENA, AB_SUBJ_POOL,
    AB_SUBJ_BLOCK_CACHE,    AB_SUBJ_ARENA_CACHED,
};

static AB_COLD void die(const ab_subject *s, const char *what) {
    fprintf(stderr, "fuzz_allocators: %s: %s\n", s->name, what);
    fflush(stderr);
    abort();
}

static void run_one(ab_subject_kind kind, const uint8_t *data, size_t size, void *stack_buf) {
    ab_subject s;
    if (!ab_subject_open(&s, kind, stack_buf)) die(&s, "setup failed");
    ab_model m;
    ab_subject_model_init(&m, &s);
    if (m.big_size > FUZZ_BIG) m.big_size = FUZZ_BIG; /* keep an execution short */
    ab_opsrc src = ab_opsrc_bytes(data, size);
    while (!ab_opsrc_done(&src))
        if (!ab_model_step(&m, &src)) break;
    if (!m.failed) ab_model_release_all(&m);
    if (m.failed) die(&s, m.msg);
    ab_model_destroy(&m);
    ab_subject_close(&s);
    if (s.heap.live_bytes != 0 || s.heap.live_count != 0) die(&s, "backing not empty after close (leak)");
    if (kind == AB_SUBJ_STACK_ARENA && s.heap.alloc_calls != 0) die(&s, "the stack arena called the heap");
}

static AB_NOINLINE void run_all(const uint8_t *data, size_t size) {
    _Alignas(64) unsigned char stack_buf[AB_SUBJ_STACK_CAP];
    for (size_t k = 0; k < sizeof fuzz_kinds / sizeof *fuzz_kinds; k++)
        run_one(fuzz_kinds[k], data, size, stack_buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    ab_subject_fixed_cap = FUZZ_FIXED_CAP;
    run_all(data, size);
    return 0;
}

#ifdef AB_FUZZ_STANDALONE
#include <dirent.h>
#include <sys/stat.h>

static size_t n_inputs, n_bytes;

static int run_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        return 1;
    }
    size_t cap = 1 << 16, len = 0;
    uint8_t *buf = (uint8_t *)malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) {
            uint8_t *nb = (uint8_t *)realloc(buf, cap *= 2);
            if (nb == NULL) free(buf);
            buf = nb;
        }
    }
    fclose(f);
    if (buf == NULL) return 1;
    LLVMFuzzerTestOneInput(buf, len);
    free(buf);
    n_inputs++;
    n_bytes += len;
    return 0;
}

static int run_path(const char *path) {
    struct stat st;
    if (stat(path, &st) != 0) {
        perror(path);
        return 1;
    }
    if (!S_ISDIR(st.st_mode)) return run_file(path);
    DIR *d = opendir(path);
    if (d == NULL) {
        perror(path);
        return 1;
    }
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        char full[4096];
        snprintf(full, sizeof full, "%s/%s", path, e->d_name);
        rc |= run_path(full);
    }
    closedir(d);
    return rc;
}

int main(int argc, char **argv) {
    int rc = 0;
    if (argc < 2 || strcmp(argv[1], "-random") == 0) {
        size_t n = argc > 2 ? (size_t)strtoull(argv[2], NULL, 0) : 1000;
        ab_rng rng = {argc > 3 ? (uint64_t)strtoull(argv[3], NULL, 0) : 1};
        static uint8_t buf[4096]; /* libFuzzer's default -max_len */
        for (size_t i = 0; i < n; i++) {
            size_t len = (size_t)ab_rng_below(&rng, sizeof buf + 1);
            for (size_t j = 0; j < len; j++) buf[j] = (uint8_t)(ab_rng_next(&rng) >> 56);
            LLVMFuzzerTestOneInput(buf, len);
            n_inputs++;
            n_bytes += len;
        }
    } else {
        for (int i = 1; i < argc; i++) rc |= run_path(argv[i]);
    }
    printf("fuzz_allocators (standalone): %zu inputs, %zu bytes, no violation\n", n_inputs, n_bytes);
    return rc;
}
#endif
