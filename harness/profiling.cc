// profiling.cc -- see profiling.h and profiling/README.md.
#include "profiling.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

extern "C" {
#include "allocator.h"
#include "subject.h"
}

#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define AB_HAVE_CALLGRIND 1
#endif
#endif
#ifndef AB_HAVE_CALLGRIND
#define RUNNING_ON_VALGRIND 0
#endif

namespace {

// ---- the events -------------------------------------------------------------------

#define AB_CACHE(id, op, result) \
    ((uint64_t)(id) | ((uint64_t)(op) << 8) | ((uint64_t)(result) << 16))

struct EventSpec {
    const char *name;
    uint32_t type;
    uint64_t config;
    bool hw;
};

// Order matters: the first hardware event that opens leads the hardware group.
const EventSpec kEvents[] = {
    {"hw_cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES, true},
    {"hw_instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS, true},
    {"hw_l1d_misses", PERF_TYPE_HW_CACHE,
     AB_CACHE(PERF_COUNT_HW_CACHE_L1D, PERF_COUNT_HW_CACHE_OP_READ, PERF_COUNT_HW_CACHE_RESULT_MISS), true},
    // The generic "cache misses" event: last-level cache misses on Intel and
    // AMD (perf's cache-misses), where the LL hw-cache event often is absent.
    {"hw_llc_misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_MISSES, true},
    {"hw_branch_misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_MISSES, true},
    {"hw_dtlb_misses", PERF_TYPE_HW_CACHE,
     AB_CACHE(PERF_COUNT_HW_CACHE_DTLB, PERF_COUNT_HW_CACHE_OP_READ, PERF_COUNT_HW_CACHE_RESULT_MISS), true},
    {"sw_page_faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS, false},
    {"sw_major_faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MAJ, false},
    {"sw_context_switches", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES, false},
};
constexpr int kNumEvents = (int)(sizeof kEvents / sizeof *kEvents);

struct EventState {
    bool selected = true;  // "default": everything, degrading to what the machine has
    int fd = -1;
    bool leader = false;  // enabled / disabled through its own fd (group leader or alone)
    std::string unavailable;  // why it is not counted ("" while it is)
    uint64_t value = 0, enabled = 0, running = 0;  // last read (the counters only move while enabled)
};

EventState g_ev[kNumEvents];
bool g_counters_explicit = false;  // --ab_counters was given
bool g_counters_opened = false;
bool g_hw_user_only = false;       // kernel excluded (perf_event_paranoid)
bool g_sw_user_only = false;       // page faults: kernel-mode faults excluded (perf_event_paranoid)
bool g_hw_separate = false;        // hardware events could not be scheduled as one group
int g_hw_group_leader = -1;        // index of the hardware group's leader
std::string g_describe;
const char *g_disabled_why = nullptr;  // counters off as a whole: why (for describe)

bool g_callgrind = false;
bool g_callgrind_instr = false;  // AB_CALLGRIND_INSTR=1: toggle instrumentation too (valgrind --instr-atstart=no)
int g_seq = 0;  // benchmark runs so far (begin calls)
std::string g_bench_name;
std::string g_dump_name;  // callgrind dump of the current benchmark run (made before the timed loop)
double g_cpu_self0 = 0, g_cpu_thread0 = 0;  // callgrind mode: CPU seconds at begin (process, this thread)

double cpu_seconds(int who) {
    struct rusage ru;
    if (getrusage(who, &ru) != 0) return 0;
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
           ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) / 1e6;
}

// ---- small helpers -------------------------------------------------------------------

const char *errno_name(int e) {
    switch (e) {
    case ENOENT: return "ENOENT";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    case ENODEV: return "ENODEV";
    case EACCES: return "EACCES";
    case EPERM: return "EPERM";
    case EINVAL: return "EINVAL";
    case ENOSYS: return "ENOSYS";
    case EBUSY: return "EBUSY";
    case EMFILE: return "EMFILE";
    case E2BIG: return "E2BIG";
    case ENOSPC: return "ENOSPC";
    default: return nullptr;
    }
}

std::string reason_of(int e) {
    const char *n = errno_name(e);
    return n ? std::string(n) : "errno " + std::to_string(e);
}

int perf_event_paranoid() {
    int v = -100;
    FILE *f = std::fopen("/proc/sys/kernel/perf_event_paranoid", "r");
    if (f) {
        if (std::fscanf(f, "%d", &v) != 1) v = -100;
        std::fclose(f);
    }
    return v;
}

int perf_open(const EventSpec &e, int group_fd, bool exclude_kernel) {
    struct perf_event_attr a;
    std::memset(&a, 0, sizeof a);
    a.size = sizeof a;
    a.type = e.type;
    a.config = e.config;
    a.disabled = group_fd == -1;  // members follow their leader
    a.inherit = 1;                // threads the workload starts count too
    a.exclude_hv = 1;
    a.exclude_kernel = exclude_kernel;
    a.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
    return (int)syscall(SYS_perf_event_open, &a, 0 /* this process */, -1 /* any cpu */, group_fd,
                        PERF_FLAG_FD_CLOEXEC);
}

bool read_event(EventState &s, uint64_t *dv, uint64_t *dena, uint64_t *drun) {
    uint64_t buf[3];
    if (read(s.fd, buf, sizeof buf) != (ssize_t)sizeof buf) return false;
    *dv = buf[0] - s.value;
    *dena = buf[1] - s.enabled;
    *drun = buf[2] - s.running;
    s.value = buf[0];
    s.enabled = buf[1];
    s.running = buf[2];
    return true;
}

void set_enabled(bool on) {
    for (auto &s : g_ev)
        if (s.fd >= 0 && s.leader)
            ioctl(s.fd, on ? PERF_EVENT_IOC_ENABLE : PERF_EVENT_IOC_DISABLE, PERF_IOC_FLAG_GROUP);
}

void close_event(EventState &s) {
    if (s.fd >= 0) close(s.fd);
    s.fd = -1;
    s.leader = false;
    s.value = s.enabled = s.running = 0;
}

// Opens the selected events of one kind (hardware or software) as one group;
// members that cannot join the group are opened alone. separate: no group.
void open_kind(bool hw, bool separate) {
    int leader = -1;
    for (int i = 0; i < kNumEvents; i++) {
        EventState &s = g_ev[i];
        if (!s.selected || kEvents[i].hw != hw || !s.unavailable.empty()) continue;
        // Count the kernel's part too (page faults, mmap: an allocator's
        // cost) unless perf_event_paranoid forbids it; then user space only,
        // except for context switches, which happen in the kernel and would
        // count zero: those are unavailable then.
        bool can_exclude = hw || kEvents[i].config != PERF_COUNT_SW_CONTEXT_SWITCHES;
        bool &user_only = hw ? g_hw_user_only : g_sw_user_only;
        int group = separate ? -1 : leader;
        int fd = perf_open(kEvents[i], group, user_only && can_exclude);
        if (fd < 0 && !user_only && can_exclude && (errno == EACCES || errno == EPERM)) {
            fd = perf_open(kEvents[i], group, true);
            if (fd >= 0) user_only = true;
        }
        bool alone = separate || leader == -1;
        if (fd < 0 && group != -1 && errno != EACCES && errno != EPERM) {  // could not join the group: alone?
            fd = perf_open(kEvents[i], -1, user_only && can_exclude);
            alone = true;
            if (fd >= 0 && hw) g_hw_separate = true;
        }
        if (fd < 0) {
            s.unavailable = reason_of(errno);
            continue;
        }
        s.fd = fd;
        s.leader = alone;
        if (!separate && leader == -1) {
            leader = fd;
            if (hw) g_hw_group_leader = i;
        }
    }
}

// Counts a little busy work; returns false for each hardware event that did
// not run (a group the PMU cannot schedule) or that counts nothing at all.
void probe_hw(std::vector<int> *never_ran, std::vector<int> *counted_nothing) {
    set_enabled(true);
    volatile uint64_t x = 0;
    for (int i = 0; i < 200000; i++) x = x + (uint64_t)i * 7;
    set_enabled(false);
    for (int i = 0; i < kNumEvents; i++) {
        EventState &s = g_ev[i];
        if (s.fd < 0 || !kEvents[i].hw) continue;
        uint64_t dv, dena, drun;
        if (!read_event(s, &dv, &dena, &drun) || drun == 0) never_ran->push_back(i);
        else if (dv == 0 && (kEvents[i].config == PERF_COUNT_HW_CPU_CYCLES ||
                             kEvents[i].config == PERF_COUNT_HW_INSTRUCTIONS) &&
                 kEvents[i].type == PERF_TYPE_HARDWARE)
            counted_nothing->push_back(i);
    }
}

std::string explain(const std::string &reason, int paranoid) {
    if (reason == "EACCES" || reason == "EPERM")
        return reason + ": not permitted, perf_event_paranoid=" + std::to_string(paranoid);
    if (reason == "ENOENT" || reason == "EOPNOTSUPP" || reason == "ENODEV")
        return reason + ": no PMU event for it on this CPU or VM";
    if (reason == "ENOSYS") return reason + ": no perf_event_open in this kernel";
    return reason;
}

void open_counters() {
    if (g_counters_opened) return;
    g_counters_opened = true;
    if (!g_counters_explicit && (RUNNING_ON_VALGRIND || ab_profile_sampling)) {
        // Under valgrind the counters would count valgrind (callgrind counts
        // instead); with the time series they would count its sampler.
        for (auto &s : g_ev) s.selected = false;
        g_disabled_why = RUNNING_ON_VALGRIND ? "under valgrind" : "memory time series run";
    }
    bool any = false;
    for (auto &s : g_ev) any |= s.selected;
    if (!any) {
        g_describe = std::string("none") + (g_disabled_why ? std::string(" (") + g_disabled_why + ")" : "");
        return;
    }
    const char *force = std::getenv("AB_FORCE_NO_HW_COUNTERS");
    bool forced = force && *force && std::strcmp(force, "0") != 0;
    for (int i = 0; i < kNumEvents; i++)
        if (g_ev[i].selected && kEvents[i].hw && forced) g_ev[i].unavailable = "AB_FORCE_NO_HW_COUNTERS";

    open_kind(true, false);
    std::vector<int> never_ran, counted_nothing;
    probe_hw(&never_ran, &counted_nothing);
    if (!never_ran.empty()) {  // the group does not fit: every event on its own (multiplexed)
        for (int i = 0; i < kNumEvents; i++)
            if (kEvents[i].hw) close_event(g_ev[i]);
        g_hw_separate = true;
        g_hw_group_leader = -1;
        open_kind(true, true);
        never_ran.clear();
        counted_nothing.clear();
        probe_hw(&never_ran, &counted_nothing);
    }
    for (int i : never_ran) {
        close_event(g_ev[i]);
        g_ev[i].unavailable = "never scheduled";
    }
    for (int i : counted_nothing) {
        close_event(g_ev[i]);
        g_ev[i].unavailable = "counts nothing";
    }
    // Members of a group whose leader was closed would count on their own,
    // uncontrolled: reopen them alone.
    if (g_hw_group_leader >= 0 && g_ev[g_hw_group_leader].fd < 0) {
        for (int i = 0; i < kNumEvents; i++) {
            EventState &s = g_ev[i];
            if (s.fd < 0 || !kEvents[i].hw || s.leader) continue;
            close_event(s);
            int fd = perf_open(kEvents[i], -1, g_hw_user_only);
            if (fd >= 0) {
                s.fd = fd;
                s.leader = true;
                g_hw_separate = true;
            } else s.unavailable = reason_of(errno);
        }
    }
    open_kind(false, false);

    // Say it once, on stderr; the context says it for the record.
    int paranoid = perf_event_paranoid();
    std::string hw_missing, sw_missing, first_hw_reason;
    int hw_selected = 0, hw_live = 0, sw_live = 0;
    for (int i = 0; i < kNumEvents; i++) {
        const EventState &s = g_ev[i];
        if (!s.selected) continue;
        if (kEvents[i].hw) hw_selected++;
        if (s.fd >= 0) (kEvents[i].hw ? hw_live : sw_live)++;
        if (s.unavailable.empty()) continue;
        std::string &m = kEvents[i].hw ? hw_missing : sw_missing;
        m += (m.empty() ? "" : ", ") + std::string(kEvents[i].name) + " (" + s.unavailable + ")";
        if (kEvents[i].hw && first_hw_reason.empty()) first_hw_reason = s.unavailable;
    }
    if (hw_selected > 0 && hw_live == 0) {
        std::string why = first_hw_reason == "AB_FORCE_NO_HW_COUNTERS" ? "AB_FORCE_NO_HW_COUNTERS=1"
                                                                       : explain(first_hw_reason, paranoid);
        std::fprintf(stderr, "arenabench: hardware counters unavailable here (%s); recording %s\n", why.c_str(),
                     sw_live ? "software events only" : "no counters");
    } else if (!hw_missing.empty()) {
        std::fprintf(stderr, "arenabench: some hardware counters unavailable here: %s; recording the others\n",
                     hw_missing.c_str());
    }
    if (!sw_missing.empty())
        std::fprintf(stderr, "arenabench: software counters unavailable here: %s\n", sw_missing.c_str());

    std::string live;
    for (int i = 0; i < kNumEvents; i++)
        if (g_ev[i].fd >= 0) live += (live.empty() ? "" : ",") + std::string(kEvents[i].name);
    g_describe = live.empty() ? "none" : live;
    std::string missing = hw_missing + (hw_missing.empty() || sw_missing.empty() ? "" : ", ") + sw_missing;
    if (!missing.empty()) g_describe += "; unavailable: " + missing;
    if (hw_live && g_hw_user_only)
        g_describe += "; hw user-space only (perf_event_paranoid=" + std::to_string(paranoid) + ")";
    if (sw_live && g_sw_user_only)
        g_describe += "; page faults user-space only (perf_event_paranoid=" + std::to_string(paranoid) + ")";
    if (hw_live && g_hw_separate) g_describe += "; hw counted separately (multiplexed, scaled)";
}

// ---- memory time series ------------------------------------------------------------
//
// A sampler thread reads RSS and the malloc's statistics every period while
// the timed loop runs: growth inside one run() call (a workload that never
// resets during its run and deinits at the end) is seen too, which a hook
// between run() calls alone would miss. The measured thread publishes its
// progress after each run() call (ab_profile_sample), so each sample also
// gets the requests done so far, interpolated within the call in progress.

struct Sample {
    uint64_t t_ns;           // since the timed loop began
    uint64_t calls, items;   // run() calls completed and their items, at the sample
    uint64_t t_boundary_ns;  // when the last completed call ended (0: none yet)
    long long rss_kb, mapped_kb, in_use_kb, held_kb;  // -1: unknown
};

std::string g_ts_path;
uint64_t g_ts_period_ns = 200000;  // --ab_timeseries_period_us
constexpr size_t kTsMax = 512;     // samples kept per benchmark run (then the period doubles)
std::vector<Sample> g_samples;
std::map<std::string, int> g_passes;  // benchmark -> runs so far (calibration, repetitions)
int g_pass = 0;
uint64_t g_t0 = 0;
const ab_subject *g_subject = nullptr;  // counting subject under test, or null
std::thread g_sampler;
std::mutex g_stop_mu;
std::condition_variable g_stop_cv;
bool g_stop = false;

// Published by the measured thread (a seqlock: one writer, one reader).
std::atomic<uint64_t> g_pub_seq{0}, g_pub_calls{0}, g_pub_items{0}, g_pub_t{0};
uint64_t g_calls = 0;

uint64_t now_ns() {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void publish(uint64_t calls, uint64_t items, uint64_t t) {
    uint64_t q = g_pub_seq.load(std::memory_order_relaxed);
    g_pub_seq.store(q + 1, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_release);
    g_pub_calls.store(calls, std::memory_order_relaxed);
    g_pub_items.store(items, std::memory_order_relaxed);
    g_pub_t.store(t, std::memory_order_relaxed);
    g_pub_seq.store(q + 2, std::memory_order_release);
}

void read_published(uint64_t *calls, uint64_t *items, uint64_t *t) {
    for (;;) {
        uint64_t q1 = g_pub_seq.load(std::memory_order_acquire);
        *calls = g_pub_calls.load(std::memory_order_relaxed);
        *items = g_pub_items.load(std::memory_order_relaxed);
        *t = g_pub_t.load(std::memory_order_relaxed);
        std::atomic_thread_fence(std::memory_order_acquire);
        if (!(q1 & 1) && g_pub_seq.load(std::memory_order_relaxed) == q1) return;
    }
}

long long rss_kb() {
    char buf[128];
    int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return -1;
    buf[n] = '\0';
    unsigned long long size = 0, resident = 0;
    if (std::sscanf(buf, "%llu %llu", &size, &resident) != 2) return -1;
    return (long long)(resident * (unsigned long long)sysconf(_SC_PAGESIZE) / 1024);
}

// The process malloc's own view: bytes it has mapped from the OS, and bytes
// in use by the program (arenas and pools included: they sit on top of it).
struct glibc_mallinfo2 {
    size_t arena, ordblks, smblks, hblks, hblkhd, usmblks, fsmblks, uordblks, fordblks, keepcost;
};
ab_malloc_kind g_malloc_kind = AB_MALLOC_UNKNOWN;
bool g_malloc_known = false;

void identify_malloc() {
    if (g_malloc_known) return;
    ab_malloc_info mi;
    ab_malloc_identify(&mi);
    g_malloc_kind = mi.kind;
    g_malloc_known = true;
}

void malloc_kb(long long *mapped, long long *in_use) {
    *mapped = *in_use = -1;
    switch (g_malloc_kind) {
    case AB_MALLOC_GLIBC: {
        static auto fn = (glibc_mallinfo2(*)(void))dlsym(RTLD_DEFAULT, "mallinfo2");
        if (!fn) return;
        glibc_mallinfo2 m = fn();
        *mapped = (long long)((m.arena + m.hblkhd) / 1024);
        *in_use = (long long)((m.uordblks + m.hblkhd) / 1024);
        return;
    }
    case AB_MALLOC_JEMALLOC: {
        using mallctl_t = int (*)(const char *, void *, size_t *, void *, size_t);
        static auto mallctl = (mallctl_t)dlsym(RTLD_DEFAULT, "mallctl");
        if (!mallctl) return;
        uint64_t epoch = 1;
        size_t sz = sizeof epoch;
        mallctl("epoch", &epoch, &sz, &epoch, sz);  // refresh the statistics
        size_t v = 0;
        sz = sizeof v;
        if (mallctl("stats.mapped", &v, &sz, nullptr, 0) == 0) *mapped = (long long)(v / 1024);
        sz = sizeof v;
        if (mallctl("stats.allocated", &v, &sz, nullptr, 0) == 0) *in_use = (long long)(v / 1024);
        return;
    }
    case AB_MALLOC_MIMALLOC: {
        using info_t = void (*)(size_t *, size_t *, size_t *, size_t *, size_t *, size_t *, size_t *, size_t *);
        static auto info = (info_t)dlsym(RTLD_DEFAULT, "mi_process_info");
        if (!info) return;
        size_t el, us, sy, rss, peak_rss, commit = 0, peak_commit, faults;
        info(&el, &us, &sy, &rss, &peak_rss, &commit, &peak_commit, &faults);
        *mapped = (long long)(commit / 1024);  // committed by mimalloc; in-use has no cheap query
        return;
    }
    case AB_MALLOC_TCMALLOC: {
        using prop_t = int (*)(const char *, size_t *);
        static auto prop = (prop_t)dlsym(RTLD_DEFAULT, "MallocExtension_GetNumericProperty");
        if (!prop) return;
        size_t heap = 0, unmapped = 0, used = 0;
        if (prop("generic.heap_size", &heap)) {
            prop("tcmalloc.pageheap_unmapped_bytes", &unmapped);
            *mapped = (long long)((heap - std::min(heap, unmapped)) / 1024);
        }
        if (prop("generic.current_allocated_bytes", &used)) *in_use = (long long)(used / 1024);
        return;
    }
    default:
        return;
    }
}

void take_sample() {
    Sample s;
    uint64_t t_pub;
    read_published(&s.calls, &s.items, &t_pub);
    s.t_boundary_ns = t_pub > g_t0 ? t_pub - g_t0 : 0;
    s.rss_kb = rss_kb();
    malloc_kb(&s.mapped_kb, &s.in_use_kb);
    s.held_kb = -1;
    if (g_subject) {
        // Read while the measured thread runs: only the live-bytes word is
        // used, an aligned 64-bit load (the other fields may be mid-update).
        ab_subject_counts c;
        ab_subject_get_counts(g_subject, &c);
        s.held_kb = (long long)(c.backing_live / 1024);
    }
    uint64_t t = now_ns();
    s.t_ns = t > g_t0 ? t - g_t0 : 0;
    g_samples.push_back(s);
}

void sampler_main() {
    uint64_t period = g_ts_period_ns;
    std::unique_lock<std::mutex> lk(g_stop_mu);
    while (!g_stop) {
        lk.unlock();
        take_sample();
        if (g_samples.size() >= 2 * kTsMax) {  // keep every other sample, sample half as often
            size_t k = 0;
            for (size_t i = 0; i < g_samples.size(); i += 2) g_samples[k++] = g_samples[i];
            g_samples.resize(k);
            period *= 2;
        }
        lk.lock();
        g_stop_cv.wait_for(lk, std::chrono::nanoseconds(period), [] { return g_stop; });
    }
}

const char *process_label() {
#ifdef AB_PROCESS
    return AB_PROCESS;
#else
    return ab_malloc_kind_name(g_malloc_kind);
#endif
}

void csv_field(FILE *f, const std::string &s) {
    if (s.find_first_of(",\"\n") == std::string::npos) {
        std::fputs(s.c_str(), f);
        return;
    }
    std::fputc('"', f);
    for (char c : s) {
        if (c == '"') std::fputc('"', f);
        std::fputc(c, f);
    }
    std::fputc('"', f);
}

// Requests done at each sample: those of the completed calls, plus the
// elapsed fraction of the call in progress (from the next call boundary a
// later sample saw, else from the average call).
std::vector<double> interpolate_items(uint64_t calls_f, uint64_t items_f, uint64_t t_last_f) {
    std::vector<double> out(g_samples.size());
    double avg_call = calls_f ? (double)t_last_f / (double)calls_f : 0;
    double avg_items = calls_f ? (double)items_f / (double)calls_f : 0;
    size_t j = 0;
    for (size_t i = 0; i < g_samples.size(); i++) {
        const Sample &s = g_samples[i];
        if (s.calls >= calls_f) {
            out[i] = (double)s.items;
            continue;
        }
        if (j <= i) j = i + 1;
        while (j < g_samples.size() && g_samples[j].calls <= s.calls) j++;
        double tb = (double)s.t_boundary_ns, tn, in;
        if (j < g_samples.size() && g_samples[j].calls == s.calls + 1) {
            tn = (double)g_samples[j].t_boundary_ns;
            in = (double)g_samples[j].items;
        } else if (j == g_samples.size() && calls_f == s.calls + 1) {
            tn = (double)t_last_f;
            in = (double)items_f;
        } else {
            tn = tb + avg_call;
            in = (double)s.items + avg_items;
        }
        double frac = tn > tb ? ((double)s.t_ns - tb) / (tn - tb) : 0;
        frac = std::max(0.0, std::min(1.0, frac));
        out[i] = (double)s.items + frac * (in - (double)s.items);
    }
    return out;
}

void write_samples(const std::vector<double> &items) {
    FILE *f = std::fopen(g_ts_path.c_str(), "a");
    if (!f) {
        std::fprintf(stderr, "arenabench: cannot write the time series to %s: %s\n", g_ts_path.c_str(),
                     std::strerror(errno));
        return;
    }
    if (std::ftell(f) == 0)
        std::fputs("benchmark,process,pass,t_ms,run_index,items,rss_kb,malloc_mapped_kb,malloc_in_use_kb,held_kb\n", f);
    for (size_t i = 0; i < g_samples.size(); i++) {
        const Sample &s = g_samples[i];
        csv_field(f, g_bench_name);
        std::fprintf(f, ",%s,%d,%.3f,%" PRIu64 ",%.0f,", process_label(), g_pass, (double)s.t_ns / 1e6, s.calls,
                     items[i]);
        if (s.rss_kb >= 0) std::fprintf(f, "%lld", s.rss_kb);
        std::fputc(',', f);
        if (s.mapped_kb >= 0) std::fprintf(f, "%lld", s.mapped_kb);
        std::fputc(',', f);
        if (s.in_use_kb >= 0) std::fprintf(f, "%lld", s.in_use_kb);
        std::fputc(',', f);
        if (s.held_kb >= 0) std::fprintf(f, "%lld", s.held_kb);
        std::fputc('\n', f);
    }
    std::fclose(f);
}

void timeseries_begin(const ab_subject *subject) {
    identify_malloc();
    g_subject = subject;
    g_pass = g_passes[g_bench_name]++;
    g_samples.clear();
    g_samples.reserve(2 * kTsMax + 2);  // no allocation while the loop runs
    g_calls = 0;
    g_t0 = now_ns();
    publish(0, 0, g_t0);
    take_sample();
    g_stop = false;
    g_sampler = std::thread(sampler_main);
}

void timeseries_end() {
    uint64_t calls, items, t_pub;
    read_published(&calls, &items, &t_pub);
    {
        std::lock_guard<std::mutex> lk(g_stop_mu);
        g_stop = true;
    }
    g_stop_cv.notify_one();
    g_sampler.join();
    take_sample();
    write_samples(interpolate_items(calls, items, t_pub > g_t0 ? t_pub - g_t0 : 0));
    g_samples.clear();
    g_subject = nullptr;
}

}  // namespace

bool ab_profile_sampling = false;

// ---- flags ----------------------------------------------------------------------------

bool ab_profile_set_counters(const char *list) {
    g_counters_explicit = true;
    for (auto &s : g_ev) s.selected = false;
    std::string l = list ? list : "";
    if (l == "none") {
        g_disabled_why = "--ab_counters=none";
        return true;
    }
    size_t pos = 0;
    while (pos <= l.size()) {
        size_t comma = l.find(',', pos);
        if (comma == std::string::npos) comma = l.size();
        std::string name = l.substr(pos, comma - pos);
        pos = comma + 1;
        if (name.empty()) continue;
        bool found = false;
        for (int i = 0; i < kNumEvents; i++) {
            bool match = name == kEvents[i].name || name == "default" || name == "all" ||
                         (name == "hw" && kEvents[i].hw) || (name == "sw" && !kEvents[i].hw);
            if (match) g_ev[i].selected = found = true;
        }
        if (!found) {
            std::string valid = "default, none, hw, sw";
            for (const auto &e : kEvents) valid += std::string(", ") + e.name;
            std::fprintf(stderr, "arenabench: unknown counter '%s' in --ab_counters (valid: %s)\n", name.c_str(),
                         valid.c_str());
            return false;
        }
    }
    return true;
}

void ab_profile_set_callgrind(bool on) {
    g_callgrind = on;
    const char *instr = std::getenv("AB_CALLGRIND_INSTR");
    g_callgrind_instr = on && instr && *instr && std::strcmp(instr, "0") != 0;
}

int ab_profile_parse_flag(const char *arg) {
    std::string a = arg ? arg : "";
    if (a.rfind("--ab_timeseries=", 0) == 0) {
        g_ts_path = a.substr(16);
        if (g_ts_path.empty()) {
            std::fprintf(stderr, "arenabench: --ab_timeseries needs a file name\n");
            return -1;
        }
        ab_profile_sampling = true;
        return 1;
    }
    if (a.rfind("--ab_timeseries_period_us=", 0) == 0) {
        char *end = nullptr;
        long long k = std::strtoll(a.c_str() + 26, &end, 10);
        if (*end != '\0' || k <= 0) {
            std::fprintf(stderr, "arenabench: bad value in %s (want a positive integer)\n", a.c_str());
            return -1;
        }
        g_ts_period_ns = (uint64_t)k * 1000u;
        return 1;
    }
    return 0;
}

const char *ab_profile_usage() {
    return "  --ab_timeseries=FILE append RSS and malloc mapped/in-use KiB, sampled by a thread while\n"
           "                       the timed loop runs, to FILE as CSV (memory over time; its timings\n"
           "                       are perturbed: use a run of its own)\n"
           "  --ab_timeseries_period_us=P  sampling period (default 200; it doubles to keep at most\n"
           "                       512 samples per benchmark run)\n";
}

const char *ab_profile_describe() {
    open_counters();
    return g_describe.c_str();
}

// ---- around the timed loop --------------------------------------------------------------

void ab_profile_begin(const char *name, const ab_subject *subject) {
    g_seq++;
    g_bench_name = name ? std::string(name) : "#" + std::to_string(g_seq);
    g_dump_name = "ab_seq=" + std::to_string(g_seq) + " " + g_bench_name;
    open_counters();
    if (ab_profile_sampling) timeseries_begin(subject);
    set_enabled(true);
#ifdef AB_HAVE_CALLGRIND
    if (g_callgrind) {
        // Counts start from zero here and are dumped in ab_profile_end:
        // callgrind's collection state is per thread, its counters are not,
        // so zero + dump (with collection on) also counts the threads a
        // workload starts, which toggling collection here would miss.
        // AB_CALLGRIND_INSTR=1 (with valgrind --instr-atstart=no): the code
        // outside the timed loops also runs uninstrumented, which makes the
        // process start ~30% cheaper; each start discards the translations,
        // so it pays with one benchmark per process, and a cache simulation
        // would start cold. Counts: +2 instructions (this request).
        g_cpu_self0 = cpu_seconds(RUSAGE_SELF);
        g_cpu_thread0 = cpu_seconds(RUSAGE_THREAD);
        if (g_callgrind_instr) CALLGRIND_START_INSTRUMENTATION;
        CALLGRIND_ZERO_STATS;
    }
#endif
}

void ab_profile_sample_slow(uint64_t items_done) { publish(++g_calls, items_done, now_ns()); }

void ab_profile_end(benchmark::State &state) {
    using benchmark::Counter;
#ifdef AB_HAVE_CALLGRIND
    if (g_callgrind) {
        // One dump per timed loop: its costs are exactly this benchmark's.
        CALLGRIND_DUMP_STATS_AT(g_dump_name.c_str());
        if (g_callgrind_instr) CALLGRIND_STOP_INSTRUMENTATION;
        state.counters["ab_seq"] = Counter((double)g_seq);
        // Did other threads run in the timed loop? Their share of the count
        // depends on valgrind's thread scheduling: not repeatable to the
        // instruction.
        double others = (cpu_seconds(RUSAGE_SELF) - g_cpu_self0) - (cpu_seconds(RUSAGE_THREAD) - g_cpu_thread0);
        if (others > 0.0005) state.counters["ab_other_threads_cpu_s"] = Counter(others);
    }
#endif
    set_enabled(false);
    double min_fraction = 1.0;
    for (int i = 0; i < kNumEvents; i++) {
        EventState &s = g_ev[i];
        if (s.fd < 0) continue;
        uint64_t dv, dena, drun;
        if (!read_event(s, &dv, &dena, &drun) || drun == 0) continue;  // no data: no counter
        double v = (double)dv;
        if (drun < dena) {  // multiplexed: scale to the whole enabled time
            v = v * (double)dena / (double)drun;
            min_fraction = std::min(min_fraction, (double)drun / (double)dena);
        }
        state.counters[kEvents[i].name] = Counter(v, Counter::kAvgIterations);
    }
    if (min_fraction < 1.0) state.counters["hw_running_fraction"] = Counter(min_fraction);

    if (ab_profile_sampling) timeseries_end();
}
