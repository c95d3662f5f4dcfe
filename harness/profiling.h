// profiling.h -- what the harness measures besides time, around the timed loop.
//
// Three instruments, all off the hot path (see profiling/README.md):
//
//   * Counters (--ab_counters=LIST, default "default"): hardware and software
//     events through perf_event_open, opened once per process, enabled in
//     ab_profile_begin and disabled + read in ab_profile_end, reported as
//     per-iteration user counters (hw_cycles, hw_instructions, hw_l1d_misses,
//     hw_llc_misses, hw_branch_misses, hw_dtlb_misses, sw_page_faults,
//     sw_major_faults, sw_context_switches). Events the machine does not expose
//     are reported once on stderr, listed as unavailable in the JSON context
//     (ab_profile_describe) and never emitted: no zeros that look like data.
//     Cost: about a dozen syscalls per benchmark run (2 ioctls to enable,
//     2 to disable, one read per event), none per iteration.
//   * Callgrind (--ab_callgrind, deterministic mode): callgrind's counters are
//     zeroed right before the timed loop and dumped right after it, in a dump
//     named after the benchmark, so each benchmark gets the exact instruction
//     count of its timed loop, threads it starts included
//     (profiling/deterministic.py).
//   * Memory over time (--ab_timeseries=FILE, --ab_timeseries_period_us=P):
//     a sampler thread reads RSS (/proc/self/statm) and the process malloc's
//     mapped / in-use bytes every P microseconds while the timed loop runs
//     (growth inside one run() call is seen too); the measured thread only
//     publishes its progress after each run() call (ab_profile_sample), so
//     each sample also gets the requests done so far, and, given a counting
//     subject, the bytes the contestant holds from its backing. At most 1024 samples
//     per benchmark run (the period doubles), written as CSV at its end.
//     Sampling perturbs timing: use it in its own run
//     (profiling/memory_timeseries.py), not for speed.
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>

struct ab_subject;  // workload.h

// "--ab_counters=LIST": comma-separated event names, "default" (all, degrading
// to what the machine exposes), "sw" (software events only) or "none".
// Returns false (after printing the valid names) on an unknown name.
bool ab_profile_set_counters(const char *list);
// "--ab_callgrind": zero callgrind's counters before each timed loop and dump
// them after it. Implies --ab_counters=none unless counters were asked for
// explicitly.
void ab_profile_set_callgrind(bool on);
// Profiling flags this module owns (--ab_timeseries=FILE,
// --ab_timeseries_period_us=P): 1 if arg was one of them and is valid, -1 if it was
// one of them and is invalid (message printed), 0 if it is not ours.
int ab_profile_parse_flag(const char *arg);
// Usage lines for the flags ab_profile_parse_flag handles.
const char *ab_profile_usage();
// One line for the JSON context: which counters are live, which unavailable
// and why, e.g. "sw_page_faults,sw_context_switches; unavailable: hw_cycles
// (ENOENT), ...". Opens the counters (once) if they are not open yet.
const char *ab_profile_describe();

// Around the timed loop of one benchmark run; end() adds per-iteration
// counters. name: the benchmark's name (for callgrind dumps and the time
// series; Google Benchmark 1.7 does not tell State's name). Without it, a
// sequence number "#N" stands in. subject: the subject under test; when it
// is a counting one (the harness makes it so when ab_profile_sampling is
// set), the time series also records the bytes the contestant holds from its
// backing allocator (held_kb).
void ab_profile_begin(const char *name = nullptr, const ab_subject *subject = nullptr);
void ab_profile_end(benchmark::State &state);

// Memory time series: call after each run() of the timed loop with the items
// done so far in this timed loop (publishes progress to the sampler: a clock
// read and four stores). One predictable branch when the time series is off.
extern bool ab_profile_sampling;
void ab_profile_sample_slow(uint64_t items_done);
inline void ab_profile_sample(uint64_t items_done) {
    if (__builtin_expect(ab_profile_sampling, 0)) ab_profile_sample_slow(items_done);
}
