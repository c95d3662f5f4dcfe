// profiling.cc -- see profiling.h.
#include "profiling.h"

#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define AB_HAVE_CALLGRIND 1
#endif
#endif

namespace {
bool g_callgrind = false;
}

bool ab_profile_set_counters(const char *list) {
    (void)list;
    return true;
}

void ab_profile_set_callgrind(bool on) { g_callgrind = on; }

const char *ab_profile_describe() { return "none"; }

void ab_profile_begin() {
#ifdef AB_HAVE_CALLGRIND
    if (g_callgrind) CALLGRIND_TOGGLE_COLLECT;
#endif
}

void ab_profile_end(benchmark::State &state) {
    (void)state;
#ifdef AB_HAVE_CALLGRIND
    if (g_callgrind) CALLGRIND_TOGGLE_COLLECT;
#endif
}
