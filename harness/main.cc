// main.cc -- arenabench's Google Benchmark driver (C++17 over the C workloads).
//
// One executable per general-purpose malloc (arenabench-glibc, -jemalloc,
// -mimalloc, -tcmalloc): the build links each against its library so that
// it is "the" malloc of the process. Before measuring anything the process
// proves which malloc serves it (ab_malloc_identify) and refuses to run if
// it is not the one it was built for.
//
// Benchmarks are registered from two lists, ab_workloads x ab_contestants,
// never written per pair. Each benchmark:
//   1. makes the workload's inputs (untimed, cached per argument set), and
//      runs its optional per-subject prepare hook (untimed) on each subject;
//   2. a stats pass (untimed): a counting subject runs the workload twice and
//      the second (steady-state) run gives allocations, bytes, backing calls,
//      peak reserved bytes and the checksum; leaks are errors;
//   3. the timed loop on a fresh, non-counting subject after one warm-up run,
//      with the peak-RSS high-water mark reset first and page faults counted.
#include <benchmark/benchmark.h>

#include <sys/resource.h>

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

extern "C" {
#include "arena.h"
#include "subject.h"
#include "workload.h"
}
#include "profiling.h"

#ifndef AB_PROCESS
#error "AB_PROCESS must name the malloc this executable is built for"
#endif

namespace {

const char *g_process = AB_PROCESS;
bool g_quick = false;
int64_t g_fixed_iterations = 0;  // --ab_iterations: deterministic mode
const char *g_only = nullptr;     // --ab_only=NAME: register just that benchmark

// ---- procfs helpers -------------------------------------------------------

bool reset_peak_rss() {
    FILE *f = std::fopen("/proc/self/clear_refs", "w");
    if (!f) return false;
    bool ok = std::fputs("5", f) >= 0;
    return std::fclose(f) == 0 && ok;
}

// VmHWM / VmRSS in KiB from /proc/self/status (0 if unavailable).
long status_kb(const char *key) {
    FILE *f = std::fopen("/proc/self/status", "r");
    if (!f) return 0;
    char line[256];
    long v = 0;
    size_t n = std::strlen(key);
    while (std::fgets(line, sizeof line, f))
        if (std::strncmp(line, key, n) == 0) {
            v = std::strtol(line + n, nullptr, 10);
            break;
        }
    std::fclose(f);
    return v;
}

long minor_faults() {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_minflt;
}

// ---- registration -----------------------------------------------------------

const char *contestant_name(const ab_contestant *c) {
    return (c->kind & AB_KIND_MALLOC) ? g_process : c->name;
}

bool accepts(const ab_workload *w, const ab_contestant *c) {
    if (c->available && !c->available()) return false;
    if (c->kind & AB_KIND_VARIANT) return (w->accepts & AB_KIND_VARIANT) != 0;
    if ((c->kind & AB_KIND_POOL) && w->pool_object_size == 0) return false;
    return (c->kind & w->accepts) != 0;
}

const ab_workload_args *arg_list(const ab_workload *w) {
    return (g_quick && w->quick_args) ? w->quick_args : w->args;
}

// Inputs are made once per (workload, argument set) and shared by every
// contestant, so all of them see exactly the same requests.
struct InputKey {
    const ab_workload *w;
    int idx;
    bool operator<(const InputKey &o) const { return w != o.w ? w < o.w : idx < o.idx; }
};
std::map<InputKey, void *> g_inputs;

void *get_input(const ab_workload *w, int idx) {
    auto it = g_inputs.find({w, idx});
    if (it != g_inputs.end()) return it->second;
    static const ab_workload_args no_args = {{0, 0, 0}, 0};
    const ab_workload_args *a = w->args ? &arg_list(w)[idx] : &no_args;
    void *in = w->setup ? w->setup(a) : &g_inputs;
    g_inputs[{w, idx}] = in;
    return in;
}

std::string bench_name(const ab_workload *w, const ab_contestant *c, const ab_workload_args *a);

void run_benchmark(benchmark::State &state, const ab_workload *w, const ab_contestant *c, int idx) {
    void *input = get_input(w, idx);
    if (input == nullptr) {
        state.SkipWithError("workload setup failed (see stderr)");
        return;
    }

    // Stats pass: counted, untimed; the second run is the steady state.
    ab_subject *cs = ab_subject_start(c, w, input, true);
    if (cs == nullptr) {
        state.SkipWithError("contestant could not be created");
        return;
    }
    ab_run_result first = w->run(input, cs);
    ab_subject_rebase(cs);
    ab_run_result steady = w->run(input, cs);
    ab_subject_counts counts;
    ab_subject_get_counts(cs, &counts);
    uint64_t leaked = ab_subject_finish(cs, input);
    if (first.checksum != steady.checksum) {
        state.SkipWithError("workload is not deterministic: two runs gave different checksums");
        return;
    }
    if (leaked != 0 && c->backing_routed) {
        std::fprintf(stderr, "%s: contestant %s leaked %" PRIu64 " bytes in %s\n", g_process, c->name, leaked,
                     w->name);
        state.SkipWithError("leak: memory still held from the backing after destroy");
        return;
    }

    // Timed pass (a counting subject only in a memory time series run: the
    // sampler reads the bytes it holds; see profiling/README.md).
    ab_subject *s = ab_subject_start(c, w, input, ab_profile_sampling);
    if (s == nullptr) {
        state.SkipWithError("contestant could not be created");
        return;
    }
    // Warm-up, twice: every contestant starts from its steady state. (One run
    // is not enough for reset(retain_capacity): after the first run the
    // blocks are coalesced into one new block, first touched in the second.)
    (void)w->run(input, s);
    (void)w->run(input, s);
    bool rss_ok = reset_peak_rss();
    long rss_start = status_kb("VmRSS:");
    long faults0 = minor_faults();
    uint64_t items = 0, failures = 0;
    bool mismatch = false;
    ab_profile_begin(bench_name(w, c, w->args ? &arg_list(w)[idx] : nullptr).c_str(), s);
    for (auto _ : state) {
        ab_run_result r = w->run(input, s);
        benchmark::DoNotOptimize(r);
        mismatch |= r.checksum != steady.checksum;
        items += r.items;
        failures += r.failures;
        ab_profile_sample(items);
    }
    ab_profile_end(state);
    long faults = minor_faults() - faults0;
    long peak = status_kb("VmHWM:");
    ab_subject_finish(s, input);
    if (mismatch) {
        state.SkipWithError("checksum changed between iterations");
        return;
    }

    using benchmark::Counter;
    state.SetItemsProcessed((int64_t)items);
    state.counters["checksum"] = Counter((double)(steady.checksum & AB_CHECKSUM_MASK));
    state.counters["items_per_iteration"] = Counter((double)steady.items);
    state.counters["allocs_per_iter"] = Counter((double)counts.allocs);
    state.counters["bytes_requested"] = Counter((double)counts.bytes_requested);
    if (c->backing_routed) {
        state.counters["bytes_reserved"] = Counter((double)counts.bytes_reserved);
        state.counters["backing_calls"] = Counter((double)counts.backing_calls);
        if (counts.bytes_requested > 0)
            state.counters["overhead_ratio"] = Counter((double)counts.bytes_reserved / (double)counts.bytes_requested);
    }
    if (rss_ok) {
        state.counters["peak_rss_kb"] = Counter((double)peak);
        state.counters["rss_growth_kb"] = Counter((double)(peak > rss_start ? peak - rss_start : 0));
    }
    state.counters["minor_faults"] = Counter((double)faults, Counter::kAvgIterations);
    state.counters["failures"] = Counter((double)failures, Counter::kAvgIterations);
}

// The benchmark's name into buf without touching the heap (see register_all);
// false if it does not fit.
bool bench_name_buf(const ab_workload *w, const ab_contestant *c, const ab_workload_args *a, char *buf, size_t n) {
    int k = std::snprintf(buf, n, "%s/%s", w->name, contestant_name(c));
    for (int i = 0; a && i < a->n && k >= 0 && (size_t)k < n; i++)
        k += std::snprintf(buf + k, n - (size_t)k, "/%" PRId64, (int64_t)a->v[i]);
    return k >= 0 && (size_t)k < n;
}

std::string bench_name(const ab_workload *w, const ab_contestant *c, const ab_workload_args *a) {
    char buf[512];
    if (!bench_name_buf(w, c, a, buf, sizeof buf)) std::abort();  // names are short; a 512-byte one is a bug
    return buf;
}

// Calls fn(w, c, args-or-null, idx) for every registered pair.
template <class F>
void for_each_pair(F fn) {
    for (size_t wi = 0; wi < ab_workload_count; wi++) {
        const ab_workload *w = ab_workloads[wi];
        if (!w) continue;
        for (size_t ci = 0; ci < ab_contestant_count; ci++) {
            const ab_contestant *c = ab_contestants[ci];
            if (!c || !accepts(w, c)) continue;
            const ab_workload_args *al = arg_list(w);
            if (al == nullptr) {
                fn(w, c, nullptr, 0);
                continue;
            }
            for (int i = 0; al[i].n > 0; i++) fn(w, c, &al[i], i);
        }
    }
}

// Registers every benchmark, or with --ab_only=NAME just that one, found
// without a heap allocation. Registration allocates, and glibc's heap state at
// the first benchmark then depended on how many benchmarks the build has:
// callgrind counted nested_scopes/talloc 6.5% apart between the quick and the
// full argument lists, so adding a workload would have moved other benchmarks'
// counts. run_all.sh and deterministic.py run one benchmark per process with
// --ab_only.
void register_one(const char *name, const ab_workload *w, const ab_contestant *c, int idx) {
    auto *b = benchmark::RegisterBenchmark(name, run_benchmark, w, c, idx);
    b->Unit(benchmark::kNanosecond)->UseRealTime();
    if (g_fixed_iterations > 0) b->Iterations(g_fixed_iterations);
}

void register_all() {
    static bool found = false;
    for_each_pair([](const ab_workload *w, const ab_contestant *c, const ab_workload_args *a, int idx) {
        char buf[512];
        if (!bench_name_buf(w, c, a, buf, sizeof buf)) std::abort();  // names are short; a 512-byte one is a bug
        if (g_only != nullptr && (found || std::strcmp(buf, g_only) != 0)) return;
        found = true;
        register_one(buf, w, c, idx);
    });
    if (g_only != nullptr && !found)
        std::fprintf(stderr, "arenabench: --ab_only=%s: no such benchmark (see --ab_list)\n", g_only);
}

void list_all() {
    std::printf("# process %s\n# workloads\n", g_process);
    for (size_t i = 0; i < ab_workload_count; i++) {
        const ab_workload *w = ab_workloads[i];
        if (w) std::printf("#   %-20s %s\n", w->name, w->describe);
        else std::printf("#   %-20s (not built into this process: its library is missing or it is not written yet)\n", ab_workload_names[i]);
    }
    std::printf("# contestants\n");
    for (size_t i = 0; i < ab_contestant_count; i++) {
        const ab_contestant *c = ab_contestants[i];
        if (!c) {
            std::printf("#   %-20s (not built into this process)\n", ab_contestant_names[i]);
            continue;
        }
        bool ok = !c->available || c->available();
        std::printf("#   %-20s %s%s\n", contestant_name(c), c->describe, ok ? "" : " (not available here)");
    }
    for_each_pair([](const ab_workload *w, const ab_contestant *c, const ab_workload_args *a, int) {
        std::printf("%s\n", bench_name(w, c, a).c_str());
    });
}

void usage(const char *argv0) {
    std::printf(
        "usage: %s [arenabench options] [Google Benchmark options]\n"
        "\n"
        "Measures every workload x allocator in this process, whose malloc is %s.\n"
        "Normally run through ./run_all.sh, which runs one such process per malloc.\n"
        "\n"
        "arenabench options:\n"
        "  --ab_list            list workloads, contestants and benchmark names, then exit\n"
        "  --ab_identity        print the malloc identity of this process as JSON, then exit\n"
        "  --ab_quick           use the workloads' short argument lists\n"
        "  --ab_iterations=N    run every benchmark exactly N iterations (deterministic mode)\n"
        "  --ab_only=NAME       register only the benchmark NAME (as --ab_list prints it): one benchmark per\n"
        "                       process, with the same heap history whatever else the build has\n"
        "  --ab_counters=LIST   hardware/software counters via perf_event_open (see README)\n"
        "  --ab_callgrind       toggle callgrind collection around the timed loop only\n"
        "  --ab_help            this text\n"
        "\n"
        "Environment: AB_EXPECT_MALLOC=NAME overrides the expected malloc (used by tests).\n"
        "Useful Google Benchmark options: --benchmark_filter=REGEX --benchmark_repetitions=N\n"
        "  --benchmark_min_time=SECONDS --benchmark_out=FILE --benchmark_out_format=json\n"
        "  --benchmark_enable_random_interleaving=true --help\n",
        argv0, g_process);
}

}  // namespace

int main(int argc, char **argv) {
    std::vector<char *> rest;
    rest.push_back(argv[0]);
    bool list = false, identity = false;
    for (int i = 1; i < argc; i++) {
        std::string a = argv[i];
        if (a == "--ab_list") list = true;
        else if (a == "--ab_identity") identity = true;
        else if (a == "--ab_quick") g_quick = true;
        else if (a.rfind("--ab_only=", 0) == 0) g_only = argv[i] + 10;
        else if (a == "--ab_callgrind") ab_profile_set_callgrind(true);
        else if (a.rfind("--ab_iterations=", 0) == 0) {
            char *end = nullptr;
            g_fixed_iterations = std::strtoll(a.c_str() + 16, &end, 10);
            if (*end != '\0' || g_fixed_iterations <= 0) {
                std::fprintf(stderr, "%s: bad value in %s (want a positive integer)\n", argv[0], a.c_str());
                return 2;
            }
        } else if (a.rfind("--ab_counters=", 0) == 0) {
            if (!ab_profile_set_counters(a.c_str() + 14)) return 2;
        } else if (int r = ab_profile_parse_flag(argv[i])) {
            if (r < 0) return 2;
        } else if (a == "--ab_help" || a == "--help" || a == "-h") {
            usage(argv[0]);
            std::fputs(ab_profile_usage(), stdout);
            if (a != "--help") return 0;
            rest.push_back(argv[i]);
        } else if (a.rfind("--ab_", 0) == 0) {
            std::fprintf(stderr, "%s: unknown option %s (try --ab_help)\n", argv[0], a.c_str());
            return 2;
        } else rest.push_back(argv[i]);
    }

    ab_malloc_info mi;
    ab_malloc_identify(&mi);
    const char *expect = std::getenv("AB_EXPECT_MALLOC");
    if (!expect || !*expect) expect = g_process;
    if (identity) {
        std::printf("{\"process\": \"%s\", \"expected\": \"%s\", \"library\": \"%s\", \"version\": \"%s\", \"path\": \"%s\"}\n",
                    g_process, expect, mi.name, mi.version, mi.path);
        return ab_malloc_kind_from_name(expect) == mi.kind ? 0 : 3;
    }
    // An unknown malloc is refused unless it is expected by name (sanitizer
    // builds, whose runtime replaces malloc: AB_EXPECT_MALLOC=unknown).
    if (ab_malloc_kind_from_name(expect) != mi.kind ||
        (mi.kind == AB_MALLOC_UNKNOWN && std::strcmp(expect, "unknown") != 0)) {
        std::fprintf(stderr,
                     "%s: refusing to measure: malloc in this process is served by %s %s (%s), expected %s.\n"
                     "  A run that measured the wrong malloc is worse than no run.\n",
                     argv[0], mi.name, mi.version, mi.path, expect);
        return 3;
    }
    if (list) {
        list_all();
        return 0;
    }

    benchmark::AddCustomContext("ab_process", g_process);
    benchmark::AddCustomContext("ab_malloc_library", mi.name);
    benchmark::AddCustomContext("ab_malloc_version", mi.version);
    benchmark::AddCustomContext("ab_malloc_path", mi.path);
    benchmark::AddCustomContext("ab_arena_struct_size", std::to_string(sizeof(ab_arena)));
    // A deliberately slowed arena (CMake AB_ARENA_EXTRA_WORK, regression-gate
    // tests) says so in every result. Recorded in every build ("0"), so that a
    // slowed build makes the same heap allocations before the benchmarks as a
    // normal one: an extra context entry shifted glibc's heap state and moved
    // request_response/glibc's instruction count by 1.9%.
#ifdef AB_ARENA_EXTRA_WORK
    benchmark::AddCustomContext("ab_arena_extra_work", std::to_string(AB_ARENA_EXTRA_WORK));
    std::fprintf(stderr, "arenabench: this build slows every arena allocation on purpose (AB_ARENA_EXTRA_WORK=%d)\n",
                 AB_ARENA_EXTRA_WORK);
#else
    benchmark::AddCustomContext("ab_arena_extra_work", "0");
#endif
    benchmark::AddCustomContext("ab_arena_block_header_size", std::to_string(sizeof(ab_arena_block)));
    benchmark::AddCustomContext("ab_counters", ab_profile_describe());

    int rargc = (int)rest.size();
    benchmark::Initialize(&rargc, rest.data());
    if (benchmark::ReportUnrecognizedArguments(rargc, rest.data())) return 2;
    register_all();
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    for (auto &kv : g_inputs)
        if (kv.first.w->teardown && kv.second) kv.first.w->teardown(kv.second);
    return 0;
}
