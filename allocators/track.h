/*
 * track.h -- tell memory checkers which bytes are live (like mimalloc's track.h).
 *
 *   ab_track_noaccess(p, n)  bytes p..p+n are not handed out: any access is a bug
 *   ab_track_undefined(p, n) bytes p..p+n are handed out, contents undefined
 *   ab_track_defined(p, n)   bytes p..p+n are accessible and hold a value the
 *                            allocator itself stored there (the pool's free-list
 *                            link, read while the object is otherwise no-access)
 *
 * Maps to AddressSanitizer poisoning when compiled with -fsanitize=address,
 * to valgrind memcheck client requests when AB_TRACK_VALGRIND is defined and
 * <valgrind/memcheck.h> exists, and to nothing otherwise (benchmark builds:
 * zero cost). Used by the arena (reset/deinit), the pool (free) and the fixed
 * buffer (rewind/reset), so a pointer used after reset -- the recipe's first
 * pitfall -- is reported by both tools.
 */
#ifndef AB_TRACK_H
#define AB_TRACK_H

#include <stddef.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define AB_TRACK_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define AB_TRACK_ASAN 1
#endif

#if defined(AB_TRACK_ASAN)
#include <sanitizer/asan_interface.h>
#define ab_track_noaccess(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define ab_track_undefined(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#define ab_track_defined(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#define AB_TRACK_ENABLED 1
#elif defined(AB_TRACK_VALGRIND) && defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define ab_track_noaccess(p, n) ((void)VALGRIND_MAKE_MEM_NOACCESS((p), (n)))
#define ab_track_undefined(p, n) ((void)VALGRIND_MAKE_MEM_UNDEFINED((p), (n)))
#define ab_track_defined(p, n) ((void)VALGRIND_MAKE_MEM_DEFINED((p), (n)))
#define AB_TRACK_ENABLED 1
#endif
#endif

#ifndef AB_TRACK_ENABLED
#define ab_track_noaccess(p, n) ((void)(p), (void)(n))
#define ab_track_undefined(p, n) ((void)(p), (void)(n))
#define ab_track_defined(p, n) ((void)(p), (void)(n))
#define AB_TRACK_ENABLED 0
#endif

#endif /* AB_TRACK_H */
