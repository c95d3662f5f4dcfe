//! arenabench: the recipe's "arena_vs_general" test (the "7-10x faster" claim)
//! re-done as a benchmark, for Zig 0.11.0.
//!
//! The recipe's test: 100 times, allocate 1024 bytes and @memset them to 0.
//!   general: through std.testing.allocator, each buffer freed at once (defer).
//!   arena:   an ArenaAllocator over that same allocator, created before the
//!            loop and deinit'ed after it, both inside the timed region; no
//!            frees inside the loop.
//! One benchmark iteration here is one such run with N allocations
//! (N = 100 is the recipe's exact test; 10, 1000, 10000, 100000 are added).
//!
//! Contestants (each "general" is paired with an ArenaAllocator over it):
//!   zig_testing / zig_arena_testing (Debug build only):
//!       std.testing.allocator can only be referenced from a `zig test` build.
//!       Its instance is `std.heap.GeneralPurposeAllocator(.{}){}` evaluated
//!       with builtin.is_test = true, which makes the default
//!       stack_trace_frames 8 (a non-test Debug build defaults to 4); every
//!       other Config field keeps its default (safety = runtime safety = on in
//!       Debug, thread_safe = true, ...). So this program uses
//!       `GeneralPurposeAllocator(.{ .stack_trace_frames = 8 })` in a Debug
//!       build-exe. zig/test_zig.sh checks under `zig test` that this is the
//!       very same type as @TypeOf(std.testing.allocator_instance).
//!   zig_gpa / zig_arena_gpa: std.heap.GeneralPurposeAllocator(.{}) with the
//!       build's defaults (Debug: safety on, 4 stack frames;
//!       ReleaseFast: safety off, no stack traces).
//!   zig_c_allocator / zig_arena_c: std.heap.c_allocator over the linked
//!       libc (build with -lc); in 0.11 it allocates with posix_memalign and
//!       frees with free.
//!
//! Every contestant is used through the std.mem.Allocator interface, as the
//! recipe does. A fresh GPA is made for every (contestant, N) benchmark and
//! checked for leaks at the end.
//!
//! Output: Google Benchmark-shaped JSON (see results/README.md), written to a
//! temporary file next to the target and renamed over it.
//!
//! Usage: arena_vs_general OUT.json [--quick] [--repetitions N] [--min-time S]

const std = @import("std");
const builtin = @import("builtin");
const Allocator = std.mem.Allocator;

/// Bytes per allocation, as in the recipe.
const alloc_size: usize = 1024;

/// Allocations per run. 100 is the recipe's test.
const sizes = [_]usize{ 10, 100, 1000, 10000, 100000 };
/// --quick drops N = 100000 (a Debug GPA run of it takes seconds).
const quick_sizes = [_]usize{ 10, 100, 1000, 10000 };

/// Equivalent of std.testing.allocator_instance's type (see the top comment).
const TestingGpa = std.heap.GeneralPurposeAllocator(.{ .stack_trace_frames = 8 });
/// The plain default GeneralPurposeAllocator of this build mode.
const DefaultGpa = std.heap.GeneralPurposeAllocator(.{});
/// Stack frames DefaultGpa records per allocation and free: Zig 0.11's
/// default outside `zig test` (the value itself is private to std).
const default_gpa_frames: usize = if (builtin.mode == .Debug and std.debug.sys_can_stack_trace) 4 else 0;

const Backing = enum { testing, gpa, c };

const Contestant = struct {
    name: []const u8,
    backing: Backing,
    arena: bool,
};

const debug_contestants = [_]Contestant{
    .{ .name = "zig_testing", .backing = .testing, .arena = false },
    .{ .name = "zig_arena_testing", .backing = .testing, .arena = true },
    .{ .name = "zig_gpa", .backing = .gpa, .arena = false },
    .{ .name = "zig_arena_gpa", .backing = .gpa, .arena = true },
    .{ .name = "zig_c_allocator", .backing = .c, .arena = false },
    .{ .name = "zig_arena_c", .backing = .c, .arena = true },
};

const release_contestants = [_]Contestant{
    .{ .name = "zig_gpa", .backing = .gpa, .arena = false },
    .{ .name = "zig_arena_gpa", .backing = .gpa, .arena = true },
    .{ .name = "zig_c_allocator", .backing = .c, .arena = false },
    .{ .name = "zig_arena_c", .backing = .c, .arena = true },
};

/// The testing-allocator pair only makes sense where std.testing.allocator
/// lives: a Debug build (what `zig test` builds by default).
const contestants = if (builtin.mode == .Debug) debug_contestants else release_contestants;

comptime {
    // In Debug the testing-equivalent GPA must really have its safety checks.
    if (builtin.mode == .Debug) std.debug.assert(std.debug.runtime_safety);
}

// ---------------------------------------------------------------------------
// The workload

/// Zero one buffer (the recipe's @memset) and return its contribution to the
/// checksum: its length plus its first and last byte (both 0 when the memset
/// happened). The asm barrier makes the pointer escape with a memory clobber,
/// so the optimizer can neither drop the memset nor the malloc/free pair.
inline fn touch(buf: []u8) u64 {
    @memset(buf, 0);
    std.mem.doNotOptimizeAway(buf.ptr);
    return @as(u64, buf.len) + buf[0] + buf[buf.len - 1];
}

/// General: allocate, zero, free at once (the recipe's `defer free`).
fn runGeneral(a: Allocator, n: usize) !u64 {
    var sum: u64 = 0;
    for (0..n) |_| {
        const buf = try a.alloc(u8, alloc_size);
        defer a.free(buf);
        sum += touch(buf);
    }
    return sum;
}

/// Arena: init, N allocations without frees, deinit -- all of it timed.
fn runArena(backing: Allocator, n: usize) !u64 {
    var arena = std.heap.ArenaAllocator.init(backing);
    defer arena.deinit();
    const a = arena.allocator();
    var sum: u64 = 0;
    for (0..n) |_| {
        const buf = try a.alloc(u8, alloc_size);
        sum += touch(buf);
    }
    return sum;
}

fn expectedChecksum(n: usize) u64 {
    return @as(u64, n) * alloc_size;
}

// ---------------------------------------------------------------------------
// Timing

fn cpuNowNs() u64 {
    var ts: std.os.timespec = undefined;
    std.os.clock_gettime(std.os.CLOCK.PROCESS_CPUTIME_ID, &ts) catch return 0;
    return @as(u64, @intCast(ts.tv_sec)) * std.time.ns_per_s + @as(u64, @intCast(ts.tv_nsec));
}

const Batch = struct {
    real_ns: u64,
    cpu_ns: u64,
};

fn timeBatch(comptime c: Contestant, a: Allocator, n: usize, iters: u64) !Batch {
    const want = expectedChecksum(n);
    const cpu0 = cpuNowNs();
    var timer = try std.time.Timer.start();
    var i: u64 = 0;
    while (i < iters) : (i += 1) {
        const got = if (c.arena) try runArena(a, n) else try runGeneral(a, n);
        if (got != want) return error.ChecksumMismatch;
    }
    const real = timer.read();
    const cpu = cpuNowNs() - cpu0;
    return .{ .real_ns = real, .cpu_ns = cpu };
}

const Options = struct {
    out_path: []const u8 = "",
    repetitions: u32 = 5,
    min_time_s: f64 = 0.02,
    quick: bool = false,
    /// Only run benchmarks whose name contains this (empty: all).
    filter: []const u8 = "",
};

const Rep = struct {
    iterations: u64,
    real_ns: f64, // per iteration
    cpu_ns: f64, // per iteration
    items_per_second: f64,
};

const Result = struct {
    family_index: usize,
    instance_index: usize,
    run_name: []const u8,
    n: usize,
    checksum: u64,
    reps: []Rep,
};

/// Google Benchmark-style: grow the iteration count until one batch lasts
/// min_time, then run every repetition with that count.
fn benchWith(comptime c: Contestant, a: Allocator, n: usize, opts: Options, reps: []Rep) !void {
    const min_ns: f64 = opts.min_time_s * 1e9;
    var iters: u64 = 1;
    while (true) {
        const b = try timeBatch(c, a, n, iters);
        const t: f64 = @floatFromInt(b.real_ns);
        if (t >= min_ns or iters >= 1_000_000_000) break;
        const mult: f64 = if (t <= 0) 10.0 else @min(10.0, @max(1.1, 1.4 * min_ns / t));
        const next: u64 = @intFromFloat(@ceil(@as(f64, @floatFromInt(iters)) * mult));
        iters = @max(iters + 1, next);
    }
    for (reps) |*r| {
        const b = try timeBatch(c, a, n, iters);
        const fi: f64 = @floatFromInt(iters);
        const real: f64 = @as(f64, @floatFromInt(b.real_ns)) / fi;
        const cpu: f64 = @as(f64, @floatFromInt(b.cpu_ns)) / fi;
        r.* = .{
            .iterations = iters,
            .real_ns = real,
            .cpu_ns = cpu,
            .items_per_second = if (real > 0) @as(f64, @floatFromInt(n)) * 1e9 / real else 0,
        };
    }
}

fn benchContestant(comptime c: Contestant, n: usize, opts: Options, reps: []Rep) !void {
    switch (c.backing) {
        .testing => {
            var gpa = TestingGpa{};
            const r = benchWith(c, gpa.allocator(), n, opts, reps);
            if (gpa.deinit() == .leak) return error.Leak;
            return r;
        },
        .gpa => {
            var gpa = DefaultGpa{};
            const r = benchWith(c, gpa.allocator(), n, opts, reps);
            if (gpa.deinit() == .leak) return error.Leak;
            return r;
        },
        .c => return benchWith(c, std.heap.c_allocator, n, opts, reps),
    }
}

// ---------------------------------------------------------------------------
// Statistics

const Stats = struct { mean: f64, median: f64, stddev: f64, cv: f64 };

fn stats(scratch: []f64, xs: []const f64) Stats {
    const n = xs.len;
    var sum: f64 = 0;
    for (xs) |x| sum += x;
    const mean = sum / @as(f64, @floatFromInt(n));
    var sq: f64 = 0;
    for (xs) |x| sq += (x - mean) * (x - mean);
    // Sample standard deviation, as Google Benchmark reports it.
    const sd: f64 = if (n > 1) @sqrt(sq / @as(f64, @floatFromInt(n - 1))) else 0;
    const tmp = scratch[0..n];
    @memcpy(tmp, xs);
    std.sort.insertion(f64, tmp, {}, std.sort.asc(f64));
    const med = if (n % 2 == 1) tmp[n / 2] else (tmp[n / 2 - 1] + tmp[n / 2]) / 2;
    return .{ .mean = mean, .median = med, .stddev = sd, .cv = if (mean != 0) sd / mean else 0 };
}

fn pick(s: Stats, which: []const u8) f64 {
    if (std.mem.eql(u8, which, "mean")) return s.mean;
    if (std.mem.eql(u8, which, "median")) return s.median;
    if (std.mem.eql(u8, which, "stddev")) return s.stddev;
    return s.cv;
}

// ---------------------------------------------------------------------------
// JSON output

fn writeStr(w: anytype, s: []const u8) !void {
    try std.json.encodeJsonString(s, .{}, w);
}

fn writeNum(w: anytype, x: f64) !void {
    if (!std.math.isFinite(x)) {
        try w.writeAll("0");
    } else {
        try w.print("{d}", .{x});
    }
}

fn writeEntry(
    w: anytype,
    r: Result,
    name: []const u8,
    run_type: []const u8,
    aggregate_name: ?[]const u8,
    rep_index: ?usize,
    repetitions: usize,
    iterations: u64,
    real: f64,
    cpu: f64,
    items_per_second: f64,
    checksum: f64,
    allocs: f64,
    items: f64,
) !void {
    try w.writeAll("    {\n      \"name\": ");
    try writeStr(w, name);
    try w.print(",\n      \"family_index\": {d},\n      \"per_family_instance_index\": {d},\n      \"run_name\": ", .{ r.family_index, r.instance_index });
    try writeStr(w, r.run_name);
    try w.writeAll(",\n      \"run_type\": ");
    try writeStr(w, run_type);
    try w.print(",\n      \"repetitions\": {d}", .{repetitions});
    if (rep_index) |ri| try w.print(",\n      \"repetition_index\": {d}", .{ri});
    try w.writeAll(",\n      \"threads\": 1");
    if (aggregate_name) |an| {
        try w.writeAll(",\n      \"aggregate_name\": ");
        try writeStr(w, an);
        try w.writeAll(",\n      \"aggregate_unit\": ");
        try writeStr(w, if (std.mem.eql(u8, an, "cv")) "percentage" else "time");
    }
    try w.print(",\n      \"iterations\": {d}", .{iterations});
    try w.writeAll(",\n      \"real_time\": ");
    try writeNum(w, real);
    try w.writeAll(",\n      \"cpu_time\": ");
    try writeNum(w, cpu);
    try w.writeAll(",\n      \"time_unit\": \"ns\",\n      \"allocs_per_iter\": ");
    try writeNum(w, allocs);
    try w.writeAll(",\n      \"checksum\": ");
    try writeNum(w, checksum);
    try w.writeAll(",\n      \"items_per_iteration\": ");
    try writeNum(w, items);
    try w.writeAll(",\n      \"items_per_second\": ");
    try writeNum(w, items_per_second);
    try w.writeAll("\n    }");
}

fn isoDateUtc(buf: []u8) ![]const u8 {
    const now = std.time.timestamp();
    const es = std.time.epoch.EpochSeconds{ .secs = @intCast(if (now < 0) 0 else now) };
    const yd = es.getEpochDay().calculateYearDay();
    const md = yd.calculateMonthDay();
    const ds = es.getDaySeconds();
    return std.fmt.bufPrint(buf, "{d:0>4}-{d:0>2}-{d:0>2}T{d:0>2}:{d:0>2}:{d:0>2}+00:00", .{
        yd.year,
        md.month.numeric(),
        @as(u32, md.day_index) + 1,
        ds.getHoursIntoDay(),
        ds.getMinutesIntoHour(),
        ds.getSecondsIntoMinute(),
    });
}

extern "c" fn gnu_get_libc_version() [*:0]const u8;

fn libcVersion() []const u8 {
    if (builtin.link_libc and builtin.os.tag == .linux and builtin.abi.isGnu()) {
        return std.mem.span(gnu_get_libc_version());
    }
    return "unknown";
}

fn writeJson(w: anytype, results: []const Result, opts: Options, exe: []const u8) !void {
    var date_buf: [64]u8 = undefined;
    const date = try isoDateUtc(&date_buf);
    var host_buf: [std.os.HOST_NAME_MAX]u8 = undefined;
    const host = std.os.gethostname(&host_buf) catch "unknown";
    const ncpu = std.Thread.getCpuCount() catch 0;
    const mode = @tagName(builtin.mode);
    const process = if (builtin.mode == .Debug) "zig-debug" else if (builtin.mode == .ReleaseFast) "zig-releasefast" else "zig-other";

    try w.writeAll("{\n  \"context\": {\n    \"date\": ");
    try writeStr(w, date);
    try w.writeAll(",\n    \"host_name\": ");
    try writeStr(w, host);
    try w.writeAll(",\n    \"executable\": ");
    try writeStr(w, exe);
    try w.print(",\n    \"num_cpus\": {d}", .{ncpu});
    try w.writeAll(",\n    \"library_build_type\": ");
    try writeStr(w, if (builtin.mode == .Debug) "debug" else "release");
    try w.writeAll(",\n    \"ab_process\": ");
    try writeStr(w, process);
    try w.writeAll(",\n    \"ab_malloc_library\": \"zig\",\n    \"ab_malloc_version\": ");
    try writeStr(w, builtin.zig_version_string);
    try w.writeAll(",\n    \"ab_malloc_path\": \"std.heap (Zig standard library)\",\n    \"zig_version\": ");
    try writeStr(w, builtin.zig_version_string);
    try w.writeAll(",\n    \"build_mode\": ");
    try writeStr(w, mode);
    try w.writeAll(",\n    \"zig_c_allocator_libc\": ");
    var libc_buf: [64]u8 = undefined;
    const libc_desc = std.fmt.bufPrint(&libc_buf, "glibc {s}", .{libcVersion()}) catch "unknown";
    try writeStr(w, libc_desc);
    try w.writeAll(",\n    \"zig_c_allocator_calls\": ");
    // Zig 0.11's c_allocator allocates with posix_memalign (alignment at
    // least the pointer size) whenever libc declares it, and frees with free.
    try writeStr(w, if (@hasDecl(std.c, "posix_memalign")) "posix_memalign + free" else "malloc (over-allocated for alignment) + free");
    try w.writeAll(",\n    \"zig_testing_allocator\": ");
    try writeStr(w, if (builtin.mode == .Debug)
        "zig_testing = std.heap.GeneralPurposeAllocator(.{ .stack_trace_frames = 8 }) in a Debug build-exe: the same type as std.testing.allocator_instance under `zig test` (safety on, thread_safe, 8 stack frames); not run under `zig test` itself"
    else
        "not measured in this build (std.testing.allocator exists only in `zig test` builds, Debug by default)");
    try w.print(",\n    \"zig_gpa_stack_trace_frames\": {d}", .{default_gpa_frames});
    try w.print(",\n    \"zig_gpa_safety\": {}", .{std.debug.runtime_safety});
    try w.print(",\n    \"recipe_alloc_size\": {d}", .{alloc_size});
    try w.writeAll(",\n    \"recipe_n\": 100");
    try w.writeAll(",\n    \"min_time_s\": ");
    try writeNum(w, opts.min_time_s);
    try w.print(",\n    \"repetitions\": {d}", .{opts.repetitions});
    try w.print(",\n    \"quick\": {}", .{opts.quick});
    try w.writeAll(",\n    \"sizes\": [");
    const ctx_sizes: []const usize = if (opts.quick) &quick_sizes else &sizes;
    for (ctx_sizes, 0..) |n, i| try w.print("{s}{d}", .{ if (i == 0) "" else ", ", n });
    try w.writeAll("]");
    try w.writeAll(",\n    \"filter\": ");
    try writeStr(w, opts.filter);
    try w.writeAll(",\n    \"checksum_definition\": \"per run: sum over the N buffers of (length + first byte + last byte) after the memset = N * 1024\"");
    try w.writeAll(",\n    \"timer\": \"real_time: std.time.Timer (monotonic); cpu_time: CLOCK_PROCESS_CPUTIME_ID; one iteration = one run of N allocations (arena init and deinit included)\"");
    try w.writeAll("\n  },\n  \"benchmarks\": [\n");

    var first = true;
    var scratch: [1024]f64 = undefined;
    for (results) |r| {
        const nreps = r.reps.len;
        const items: f64 = @floatFromInt(r.n);
        const cks: f64 = @floatFromInt(r.checksum);
        for (r.reps, 0..) |rep, i| {
            if (!first) try w.writeAll(",\n");
            first = false;
            try writeEntry(w, r, r.run_name, "iteration", null, i, nreps, rep.iterations, rep.real_ns, rep.cpu_ns, rep.items_per_second, cks, items, items);
        }
        if (nreps < 2) continue;
        var reals: [1024]f64 = undefined;
        var cpus: [1024]f64 = undefined;
        var ips: [1024]f64 = undefined;
        for (r.reps, 0..) |rep, i| {
            reals[i] = rep.real_ns;
            cpus[i] = rep.cpu_ns;
            ips[i] = rep.items_per_second;
        }
        const sr = stats(&scratch, reals[0..nreps]);
        const sc = stats(&scratch, cpus[0..nreps]);
        const si = stats(&scratch, ips[0..nreps]);
        const aggs = [_][]const u8{ "mean", "median", "stddev", "cv" };
        var name_buf: [256]u8 = undefined;
        for (aggs) |an| {
            const name = try std.fmt.bufPrint(&name_buf, "{s}_{s}", .{ r.run_name, an });
            // Constant counters aggregate to themselves (mean/median) or 0 (stddev/cv).
            const is_spread = std.mem.eql(u8, an, "stddev") or std.mem.eql(u8, an, "cv");
            try w.writeAll(",\n");
            try writeEntry(w, r, name, "aggregate", an, null, nreps, nreps, pick(sr, an), pick(sc, an), pick(si, an), if (is_spread) 0 else cks, if (is_spread) 0 else items, if (is_spread) 0 else items);
        }
    }
    try w.writeAll("\n  ]\n}\n");
}

// ---------------------------------------------------------------------------
// main

fn usage() void {
    std.debug.print(
        \\usage: arena_vs_general OUT.json [--quick] [--repetitions N] [--min-time SECONDS]
        \\  --quick          short run: min time 2 ms per repetition, 2 repetitions
        \\  --repetitions N  repetitions per benchmark (default 5; 1..1000)
        \\  --min-time S     minimum seconds per repetition (default 0.02)
        \\  --filter TEXT    only benchmarks whose name contains TEXT
        \\                   (a trailing '$' anchors it at the end)
        \\N is 10, 100 (the recipe's test), 1000, 10000, 100000; --quick omits 100000.
        \\
    , .{});
}

fn matches(name: []const u8, filter: []const u8) bool {
    if (filter.len == 0) return true;
    if (filter[filter.len - 1] == '$') return std.mem.endsWith(u8, name, filter[0 .. filter.len - 1]);
    return std.mem.indexOf(u8, name, filter) != null;
}

fn parseArgs(args: []const []const u8) !Options {
    var o = Options{};
    var reps_given = false;
    var min_given = false;
    var i: usize = 1;
    while (i < args.len) : (i += 1) {
        const a = args[i];
        if (std.mem.eql(u8, a, "--quick")) {
            o.quick = true;
        } else if (std.mem.eql(u8, a, "--repetitions") or std.mem.eql(u8, a, "--min-time") or std.mem.eql(u8, a, "--filter")) {
            if (i + 1 >= args.len) return error.MissingValue;
            i += 1;
            if (a[2] == 'f') {
                o.filter = args[i];
            } else if (a[2] == 'r') {
                o.repetitions = try std.fmt.parseInt(u32, args[i], 10);
                if (o.repetitions < 1 or o.repetitions > 1000) return error.BadRepetitions;
                reps_given = true;
            } else {
                var v = args[i];
                if (v.len > 0 and v[v.len - 1] == 's') v = v[0 .. v.len - 1];
                o.min_time_s = try std.fmt.parseFloat(f64, v);
                if (!(o.min_time_s >= 0 and o.min_time_s <= 60)) return error.BadMinTime;
                min_given = true;
            }
        } else if (std.mem.eql(u8, a, "-h") or std.mem.eql(u8, a, "--help")) {
            return error.Help;
        } else if (a.len > 0 and a[0] == '-') {
            return error.UnknownOption;
        } else if (o.out_path.len == 0) {
            o.out_path = a;
        } else {
            return error.ExtraArgument;
        }
    }
    if (o.out_path.len == 0) return error.MissingOutPath;
    if (o.quick) {
        if (!reps_given) o.repetitions = 2;
        if (!min_given) o.min_time_s = 0.002;
    }
    return o;
}

pub fn main() !u8 {
    // Bookkeeping memory comes from mmap (page_allocator), never from the
    // contestants' heaps, and is allocated outside the timed regions.
    var book = std.heap.ArenaAllocator.init(std.heap.page_allocator);
    defer book.deinit();
    const ba = book.allocator();

    const args = try std.process.argsAlloc(ba);
    const opts = parseArgs(args) catch |e| {
        if (e != error.Help) std.debug.print("arena_vs_general: bad arguments ({s})\n", .{@errorName(e)});
        usage();
        return if (e == error.Help) 0 else 2;
    };

    var results = std.ArrayList(Result).init(ba);
    const run_sizes: []const usize = if (opts.quick) &quick_sizes else &sizes;
    inline for (contestants, 0..) |c, ci| {
        for (run_sizes, 0..) |n, ni| {
            const run_name = try std.fmt.allocPrint(ba, "arena_vs_general/{s}/{d}", .{ c.name, n });
            if (!matches(run_name, opts.filter)) continue;
            const reps = try ba.alloc(Rep, opts.repetitions);
            benchContestant(c, n, opts, reps) catch |e| {
                std.debug.print("arena_vs_general: {s}/{d} failed: {s}\n", .{ c.name, n, @errorName(e) });
                return 1;
            };
            try results.append(.{
                .family_index = ci,
                .instance_index = ni,
                .run_name = run_name,
                .n = n,
                .checksum = expectedChecksum(n),
                .reps = reps,
            });
            var scratch: [1024]f64 = undefined;
            var reals: [1024]f64 = undefined;
            for (reps, 0..) |r, i| reals[i] = r.real_ns;
            const s = stats(&scratch, reals[0..reps.len]);
            std.debug.print("{s: <42} median {d: >14.1} ns/run  cv {d: >5.1}%  ({d} iters x {d} reps)\n", .{ run_name, s.median, s.cv * 100, reps[0].iterations, reps.len });
        }
    }

    var out = std.ArrayList(u8).init(ba);
    try writeJson(out.writer(), results.items, opts, if (args.len > 0) args[0] else "");

    const tmp_path = try std.fmt.allocPrint(ba, "{s}.tmp.{d}", .{ opts.out_path, std.os.linux.getpid() });
    {
        var f = try std.fs.cwd().createFile(tmp_path, .{});
        defer f.close();
        try f.writeAll(out.items);
    }
    std.fs.cwd().rename(tmp_path, opts.out_path) catch |e| {
        std.fs.cwd().deleteFile(tmp_path) catch {};
        return e;
    };
    std.debug.print("arena_vs_general: wrote {s}\n", .{opts.out_path});
    return 0;
}
