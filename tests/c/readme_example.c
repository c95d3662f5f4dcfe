// The API tour of README.md. From the repository root:
//   cc -std=c11 -Iallocators allocators/*.c tests/c/readme_example.c && ./a.out
#include <stdio.h>
#include "arena.h"
#include "fixed_buffer.h"

int main(void) {
    ab_arena arena; /* an arena over malloc, used through the common interface */
    ab_arena_init(&arena, ab_malloc_allocator());
    ab_allocator a = ab_arena_allocator(&arena);
    int *ids = AB_NEW_ARRAY(a, int, 100);
    char *msg = ab_sprintf(a, NULL, "request #%d: %s", 42, "hello from the arena");
    if (ids == NULL || msg == NULL) return 1;
    puts(msg);
    ab_arena_reset(&arena, AB_RESET_RETAIN_CAPACITY); /* next batch: pointers die, memory stays */
    ab_arena_stats st;
    ab_arena_get_stats(&arena, &st);
    printf("after reset: %zu bytes used, %zu reserved\n", st.bytes_used, st.bytes_reserved);
    ab_arena_deinit(&arena); /* everything goes back to malloc */

    _Alignas(max_align_t) char buf[4096]; /* a stack-backed arena: no heap at all */
    ab_fixed_buffer fb;
    ab_fixed_buffer_init(&fb, buf, sizeof buf);
    ab_arena scratch;
    ab_arena_init_sized(&scratch, ab_fixed_buffer_allocator(&fb), sizeof buf);
    ab_allocator s = ab_arena_allocator(&scratch);
    double *xs = AB_NEW_ARRAY(s, double, 50);
    void *too_big = ab_alloc(s, 8192, 8); /* more than the buffer: NULL, never the heap */
    printf("stack arena: 50 doubles %s, 8 KiB %s\n", xs ? "ok" : "FAILED", too_big ? "?!" : "-> NULL");
    ab_arena_deinit(&scratch);
    ab_fixed_buffer_deinit(&fb);
    return 0;
}
