/* subjects.c -- the allocators under test (see subjects.h). */
#include "subjects.h"

#include "model.h"

static const char *const names[AB_SUBJ_COUNT] = {
    "arena(malloc)", "arena(counting)", "arena^3(counting)", "fixed_buffer",
    "stack_arena",   "pool",            "malloc",            "counting(malloc)",
    "block_cache(counting)", "arena(block_cache)",
};

size_t ab_subject_fixed_cap = AB_SUBJ_FIXED_CAP;

const char *ab_subject_name(ab_subject_kind kind) {
    return (unsigned)kind < AB_SUBJ_COUNT ? names[kind] : "?";
}

bool ab_subject_open(ab_subject *s, ab_subject_kind kind, void *stack_buf) {
    memset(s, 0, sizeof *s);
    s->kind = kind;
    s->name = ab_subject_name(kind);
    s->max_size = AB_MAX_SIZE;
    s->max_align = AB_MAX_ALIGN;
    ab_counting_init(&s->heap, ab_malloc_allocator());
    ab_allocator heap = ab_counting_allocator(&s->heap);
    switch (kind) {
    case AB_SUBJ_ARENA_MALLOC:
        s->caps = AB_SUBJ_CAN_RESET | AB_SUBJ_BUMP;
        ab_arena_init(&s->arena[0], ab_malloc_allocator());
        s->a = ab_arena_allocator(&s->arena[0]);
        break;
    case AB_SUBJ_ARENA_COUNTING:
        s->caps = AB_SUBJ_CAN_RESET | AB_SUBJ_BUMP | AB_SUBJ_COUNTED;
        ab_arena_init(&s->arena[0], heap);
        s->a = ab_arena_allocator(&s->arena[0]);
        break;
    case AB_SUBJ_ARENA_NESTED3:
        s->caps = AB_SUBJ_CAN_RESET | AB_SUBJ_BUMP | AB_SUBJ_COUNTED;
        ab_arena_init_sized(&s->arena[0], heap, AB_SUBJ_NESTED_BLOCK);
        ab_arena_init_sized(&s->arena[1], ab_arena_allocator(&s->arena[0]), AB_SUBJ_NESTED_BLOCK / 2);
        ab_arena_init(&s->arena[2], ab_arena_allocator(&s->arena[1]));
        s->a = ab_arena_allocator(&s->arena[2]);
        break;
    case AB_SUBJ_FIXED:
        s->caps = AB_SUBJ_CAN_RESET | AB_SUBJ_BUMP | AB_SUBJ_BOUNDED | AB_SUBJ_COUNTED;
        s->buf_cap = ab_subject_fixed_cap;
        s->buf = ab_alloc(heap, s->buf_cap, 4096);
        if (s->buf == NULL) return false;
        ab_fixed_buffer_init(&s->fb, s->buf, s->buf_cap);
        s->a = ab_fixed_buffer_allocator(&s->fb);
        break;
    case AB_SUBJ_STACK_ARENA:
        /* Nothing but the caller's buffer: `heap` stays unused, which the
         * tests check (0 calls). */
        s->caps = AB_SUBJ_CAN_RESET | AB_SUBJ_BUMP | AB_SUBJ_BOUNDED | AB_SUBJ_COUNTED;
        if (stack_buf == NULL) return false;
        s->buf = stack_buf;
        s->buf_cap = AB_SUBJ_STACK_CAP;
        ab_fixed_buffer_init(&s->fb, s->buf, s->buf_cap);
        ab_arena_init_sized(&s->arena[0], ab_fixed_buffer_allocator(&s->fb), s->buf_cap);
        s->a = ab_arena_allocator(&s->arena[0]);
        break;
    case AB_SUBJ_POOL:
        s->caps = AB_SUBJ_COUNTED;
        s->max_size = AB_SUBJ_POOL_OBJ;
        s->max_align = AB_SUBJ_POOL_OBJ;
        if (!ab_pool_init(&s->pool, heap, AB_SUBJ_POOL_OBJ, AB_SUBJ_POOL_OBJ)) return false;
        s->a = ab_pool_allocator(&s->pool);
        break;
    case AB_SUBJ_MALLOC:
        s->caps = 0;
        s->a = ab_malloc_allocator();
        break;
    case AB_SUBJ_COUNTING_MALLOC:
        s->caps = AB_SUBJ_COUNTED;
        s->a = heap;
        break;
    case AB_SUBJ_BLOCK_CACHE:
        s->caps = AB_SUBJ_COUNTED;
        ab_block_cache_init(&s->cache, heap, AB_SUBJ_CACHE_BYTES);
        s->a = ab_block_cache_allocator(&s->cache);
        break;
    case AB_SUBJ_ARENA_CACHED:
        /* resets with free_all hand the blocks to the cache, and the next
         * batch takes them back */
        s->caps = AB_SUBJ_CAN_RESET | AB_SUBJ_BUMP | AB_SUBJ_COUNTED;
        ab_block_cache_init(&s->cache, heap, AB_SUBJ_CACHE_BYTES);
        ab_arena_init(&s->arena[0], ab_block_cache_allocator(&s->cache));
        s->a = ab_arena_allocator(&s->arena[0]);
        break;
    default:
        return false;
    }
    return true;
}

int ab_subject_reset(void *subject, unsigned how) {
    ab_subject *s = (ab_subject *)subject;
    if (!(s->caps & AB_SUBJ_CAN_RESET)) return AB_MODEL_RESET_UNSUPPORTED;
    if (s->kind == AB_SUBJ_FIXED) {
        ab_fixed_buffer_reset(&s->fb);
        return AB_MODEL_RESET_OK;
    }
    /* the allocator under test is the innermost arena */
    ab_arena *a = s->kind == AB_SUBJ_ARENA_NESTED3 ? &s->arena[2] : &s->arena[0];
    if (s->kind == AB_SUBJ_ARENA_NESTED3 && (how & 32)) {
        /* The whole chain, innermost first. Only the outermost may retain:
         * a block that a child retained inside its parent would dangle once
         * the parent resets. */
        bool ok = ab_arena_reset(&s->arena[2], AB_RESET_FREE_ALL);
        ok &= ab_arena_reset(&s->arena[1], AB_RESET_FREE_ALL);
        ok &= ab_arena_reset(&s->arena[0], (how & 64) ? AB_RESET_FREE_ALL : AB_RESET_RETAIN_CAPACITY);
        return ok ? AB_MODEL_RESET_OK : AB_MODEL_RESET_PARTIAL;
    }
    bool ok;
    switch (how % 4) {
    case 0: ok = ab_arena_reset(a, AB_RESET_FREE_ALL); break;
    case 2: ok = ab_arena_reset_with_limit(a, (size_t)((how / 4) % 64) * 1024); break;
    default: ok = ab_arena_reset(a, AB_RESET_RETAIN_CAPACITY); break;
    }
    return ok ? AB_MODEL_RESET_OK : AB_MODEL_RESET_PARTIAL;
}

unsigned ab_subject_model_flags(const ab_subject *s) {
    return (s->caps & AB_SUBJ_BOUNDED) ? AB_MODEL_BOUNDED : 0u;
}

void ab_subject_close(ab_subject *s) {
    switch (s->kind) {
    case AB_SUBJ_ARENA_MALLOC:
    case AB_SUBJ_ARENA_COUNTING: ab_arena_deinit(&s->arena[0]); break;
    case AB_SUBJ_ARENA_NESTED3:
        ab_arena_deinit(&s->arena[2]);
        ab_arena_deinit(&s->arena[1]);
        ab_arena_deinit(&s->arena[0]);
        break;
    case AB_SUBJ_FIXED:
        ab_fixed_buffer_deinit(&s->fb);
        ab_free(ab_counting_allocator(&s->heap), s->buf, s->buf_cap, 4096);
        break;
    case AB_SUBJ_STACK_ARENA:
        ab_arena_deinit(&s->arena[0]);
        ab_fixed_buffer_deinit(&s->fb); /* un-poison the caller's stack */
        break;
    case AB_SUBJ_POOL: ab_pool_deinit(&s->pool); break;
    case AB_SUBJ_BLOCK_CACHE: ab_block_cache_deinit(&s->cache); break;
    case AB_SUBJ_ARENA_CACHED:
        ab_arena_deinit(&s->arena[0]);
        ab_block_cache_deinit(&s->cache);
        break;
    default: break;
    }
    s->buf = NULL;
}

void ab_subject_model_init(ab_model *m, ab_subject *s) {
    ab_model_init(m, s->a, ab_subject_model_flags(s), s->max_size, s->max_align, ab_subject_reset, s);
    if (s->kind == AB_SUBJ_STACK_ARENA) m->big_size = AB_SUBJ_STACK_BIG;
}
