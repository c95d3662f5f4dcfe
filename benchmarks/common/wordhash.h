/*
 * common/wordhash.h -- a fast checksum of bytes, 8 at a time (header-only).
 *
 * ab_hash_bytes (workload.h) mixes one byte per multiply: fine for short
 * strings, but for kilobytes of output it costs more than the work being
 * measured. ab_hash_words folds 8-byte words with ab_hash_u64 (the tail
 * zero-padded, the length folded last), so checksumming a response costs a
 * small fraction of producing it. Deterministic on one machine (it reads
 * words in the machine's byte order; every process of a run shares it).
 */
#ifndef AB_COMMON_WORDHASH_H
#define AB_COMMON_WORDHASH_H

#include "workload.h"

static inline uint64_t ab_hash_words(uint64_t h, const void *p, size_t n) {
    const unsigned char *b = (const unsigned char *)p;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, b + i, 8);
        h = ab_hash_u64(h, w);
    }
    if (i < n) {
        uint64_t w = 0;
        memcpy(&w, b + i, n - i);
        h = ab_hash_u64(h, w);
    }
    return ab_hash_u64(h, n);
}

#endif /* AB_COMMON_WORDHASH_H */
