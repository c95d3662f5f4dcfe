// profiling.h -- what the harness measures besides time, around the timed loop.
//
// Hardware and software counters through perf_event_open, and callgrind
// collection toggled around the timed loop only (deterministic mode).
#pragma once

#include <benchmark/benchmark.h>

// "--ab_counters=LIST": comma-separated event names, "default" or "none".
// Returns false (after printing why) on an unknown name.
bool ab_profile_set_counters(const char *list);
// "--ab_callgrind": toggle callgrind collection around the timed loop.
void ab_profile_set_callgrind(bool on);
// One line for the JSON context: which counters are live, which unavailable and why.
const char *ab_profile_describe();
// Around the timed loop of one benchmark; end() adds per-iteration counters.
void ab_profile_begin();
void ab_profile_end(benchmark::State &state);
