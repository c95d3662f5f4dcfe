#!/usr/bin/python3
"""deterministic.py -- instruction counts per benchmark under callgrind.

usage: /usr/bin/python3 profiling/deterministic.py BUILD_DIR OUT_DIR
           [--quick] [--filter REGEX] [--allocators LIST] [--jobs N]
           [--iterations N] [--cache-sim] [--keep-callgrind] [--timeout SECONDS]

Runs every benchmark of every process (build/arenabench-<process>) under
valgrind's callgrind, counting only the harness's timed loop (--ab_callgrind:
counters zeroed before it, dumped after it, threads included) with a fixed
iteration count (--ab_iterations), so each
benchmark gets an exact, repeatable instruction count: two runs of the same
build give identical numbers, and a change of one instruction per iteration
shows. That makes it the mode for CI gating (compare --metric instructions
--threshold 0.01), where wall-clock time on a shared machine is noise.

Writes OUT_DIR/bench-<process>.json in the layout of results/README.md
(Google Benchmark JSON), with context "ab_mode": "deterministic" and per
benchmark: iterations N, counters instructions (Ir per iteration),
instructions_per_item, and with --cache-sim d1_misses and ll_misses per
iteration (callgrind's simulated caches: D1mr+D1mw, DLmr+DLmw), plus the
harness's deterministic counters (checksum, items_per_iteration,
allocs_per_iter, bytes_requested, bytes_reserved, backing_calls,
overhead_ratio, failures). real_time and cpu_time hold the instruction count
per iteration (time_unit "ns": read "ns" as "instructions"), so tools keyed on
time (Google Benchmark's compare.py, plots/) compare instructions;
items_per_second is items per 1e9 instructions accordingly. Counters that
depend on valgrind's memory or clock (peak_rss_kb, rss_growth_kb,
minor_faults) are dropped. An entry whose timed loop ran other threads gets
multithreaded = 1: its count follows valgrind's thread scheduling and varies
slightly between runs (up to ~1%: compare allows them 2%); every other count is repeatable to
the instruction.

How the counts are made repeatable:
  * every benchmark runs in a fresh valgrind process (as run_all.sh runs each
    benchmark in a fresh process), so its count does not depend on which
    benchmarks ran before it (glibc's trim and mmap thresholds adapt to what
    the process freed before) nor on --filter / --allocators / new workloads;
  * iterations are fixed (Google Benchmark's calibration never runs) and
    chosen from deterministic stats (allocations and bytes per iteration of a
    native --ab_iterations=1 run), never from timings; the same N for every
    contestant of one workload and argument set;
  * the client registers only its one benchmark (--ab_only, found without a
    heap allocation): registering a whole list first left glibc's heap in a
    state that depended on how many benchmarks the build has (quick vs full
    lists moved nested_scopes/talloc by 6.5%), so adding a workload would
    have moved other benchmarks' counts;
  * the client always sees the same environment (a fixed minimal one plus
    the AB_* variables you set), the same argv (it starts as ./arenabench,
    a symlink, whatever the build folder's path) and working-directory name;
  * the mallocs' time-driven purging is off (jemalloc dirty/muzzy decay,
    mimalloc's delayed decommit/reset: MALLOC_ENV below): it follows the
    wall clock, which valgrind stretches 20-50x, and made counts differ;
  * time() and getrandom() return fixed values (profiling/deterministic_shim.c,
    LD_PRELOAD): Lua 5.4 seeds its string hash from the clock and from heap
    addresses, and mimalloc randomises its addresses from getrandom; that
    moved the lua workload's counts by up to 1.6% between runs.
Only the timed loop is counted; without --cache-sim the rest also runs
uninstrumented (--instr-atstart=no + AB_CALLGRIND_INSTR=1: about
30% cheaper; +2 instructions per benchmark for the client request).

Cost: valgrind runs code 20-50x slower, starts in ~0.5 s, and the untimed
stats pass and warm-up runs execute (uncounted) too. --jobs valgrind
processes run at once (default: the number of CPUs), longest first. A
benchmark that crashes or hangs (--timeout) under valgrind is reported as an
error entry; the others go on.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

# Counters of the harness that do not depend on time, memory layout or clock.
KEEP_COUNTERS = ("checksum", "items_per_iteration", "allocs_per_iter", "bytes_requested", "bytes_reserved",
                 "backing_calls", "overhead_ratio", "failures")
MAX_ITERATIONS = 5
ALLOCS_BUDGET = 10000      # allocations per benchmark run under callgrind
BYTES_BUDGET = 2_000_000   # bytes requested per benchmark run under callgrind


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def processes(build: Path, wanted: str | None) -> list[str]:
    txt = build / "processes.txt"
    found = []
    if txt.exists():
        found = [p for p in re.split(r"[;\s]+", txt.read_text()) if p]
    else:
        found = sorted(p.name[len("arenabench-"):] for p in build.glob("arenabench-*")
                       if p.name != "arenabench-probe" and os.access(p, os.X_OK))
    found = [p for p in found if (build / f"arenabench-{p}").exists()]
    if wanted:
        want = [w for w in wanted.split(",") if w]
        for w in want:
            if w not in found:
                raise SystemExit(f"deterministic.py: unknown or unbuilt process '{w}' (built: {' '.join(found)})")
        found = want
    return found


def list_benchmarks(exe: Path, quick: bool) -> list[str]:
    cmd = [str(exe), "--ab_list"] + (["--ab_quick"] if quick else [])
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return [line.strip() for line in out.splitlines() if line.strip() and not line.startswith("#")]


def workload_args(name: str) -> tuple[str, str]:
    """(workload, args) of a benchmark name: the contestant dropped."""
    parts = strip_suffixes(name).split("/")
    return parts[0], "/".join(parts[2:])


# Counted with --representative besides the one argument set per workload:
# the three speed-target cases of the report's "arena's fast path against the
# floor" section (plots/arenabench/floor.py, CASES), in both lists.
FLOOR_CASES = r"^alloc_sizes/(arena_direct|arena_direct_cached|bump_floor)/(0/0|0/2|1024/3)$"


def representative(exe: Path, quick: bool, also: str = FLOOR_CASES) -> list[str]:
    """One argument set per workload, every contestant: the first quick
    argument set that the full list also has (so the same benchmarks exist in
    a quick and in a full timing run), else the first of the list in use;
    plus the benchmarks of the list in use that ``also`` matches."""
    full, short = list_benchmarks(exe, False), list_benchmarks(exe, True)
    in_full = {workload_args(n) for n in full}
    chosen: dict[str, str] = {}
    for n in short:
        w, a = workload_args(n)
        if w not in chosen and (w, a) in in_full:
            chosen[w] = a
    for n in (short if quick else full):
        w, a = workload_args(n)
        chosen.setdefault(w, a)
    extra = re.compile(also) if also else None
    return [n for n in (short if quick else full)
            if chosen.get(workload_args(n)[0]) == workload_args(n)[1] or (extra and extra.search(n))]


def strip_suffixes(name: str) -> str:
    parts = [p for p in name.split("/") if not re.match(
        r"^(real_time|manual_time|process_time|(threads|repeats|min_time|min_warmup_time|iterations):.*)$", p)]
    return "/".join(parts)


def bench_key(name: str) -> str:
    """workload/args (no contestant): every contestant of one key gets the same N."""
    parts = name.split("/")
    return "/".join(parts[:1] + parts[2:])


def name_filter(names: list[str]) -> str:
    return "^(" + "|".join(re.escape(n).replace("\\/", "/") for n in names) + ")(/|$)"


# The mallocs' time-driven purging off: its decisions follow the wall clock,
# which valgrind stretches 20-50x (and the machine's load jitters), so it made
# counts differ between runs (jemalloc's decay purged 40% more instructions
# into arena_vs_general/obstack/10000 under valgrind). Natively a short
# benchmark sees little of it. glibc and tcmalloc purge by size, not time.
MALLOC_ENV = {
    "MALLOC_CONF": "dirty_decay_ms:-1,muzzy_decay_ms:-1",  # jemalloc
    "MIMALLOC_PURGE_DELAY": "-1",                            # mimalloc >= 2.1
    "MIMALLOC_RESET_DELAY": "100000000",                     # mimalloc 2.0 (ms)
    "MIMALLOC_SEGMENT_DECOMMIT_DELAY": "100000000",
    "MIMALLOC_DECOMMIT_EXTEND_DELAY": "100000000",
}


def build_shim(workdir: Path) -> Path | None:
    """profiling/deterministic_shim.c built as an LD_PRELOAD library (None,
    with a warning, when there is no C compiler)."""
    cc = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    so = workdir / "ab_deterministic_shim.so"
    if cc:
        r = subprocess.run([cc, "-shared", "-fPIC", "-O2", "-o", str(so), str(HERE / "deterministic_shim.c"), "-ldl"],
                           capture_output=True, text=True)
        if r.returncode == 0:
            return so
    log("deterministic: could not build profiling/deterministic_shim.c (no C compiler?): workloads that seed "
        "from the clock or getrandom (lua, mimalloc's address hints) will not repeat exactly")
    return None


def client_env() -> dict:
    """The same minimal environment for every client process."""
    env = {"PATH": "/usr/bin:/bin", "LANG": "C", "LC_ALL": "C", "HOME": "/nonexistent", **MALLOC_ENV}
    for k, v in os.environ.items():  # the suite's own knobs, if any are set
        if k.startswith("AB_") and k not in ("AB_PYTHON", "AB_BUILD_DIR"):
            env[k] = v
    return env


def native_stats(exe: Path, quick: bool, names: list[str], workdir: Path, timeout: float) -> dict:
    """One native run with --ab_iterations=1: deterministic stats per benchmark."""
    out = workdir / "native.json"
    cmd = [str(exe), "--ab_iterations=1", "--ab_counters=none", f"--benchmark_filter={name_filter(names)}",
           "--benchmark_out=native.json", "--benchmark_out_format=json", "--benchmark_format=json"]
    if quick:
        cmd.insert(1, "--ab_quick")
    r = subprocess.run(cmd, cwd=workdir, env=client_env(), capture_output=True, text=True, timeout=timeout)
    if r.returncode != 0 or not out.exists():
        raise RuntimeError(f"native stats run failed ({r.returncode}): {r.stderr.strip()[-500:]}")
    data = json.loads(out.read_text())
    return {strip_suffixes(b["run_name"]): b for b in data["benchmarks"] if b.get("run_type", "iteration") == "iteration"}


def choose_iterations(stats_by_process: dict, fixed: int | None) -> dict:
    """N per workload/args key, from allocation counts (deterministic, not timings)."""
    cost: dict[str, tuple[float, float]] = {}
    for stats in stats_by_process.values():
        for name, b in stats.items():
            k = bench_key(name)
            a, by = cost.get(k, (0.0, 0.0))
            cost[k] = (max(a, float(b.get("allocs_per_iter", 0) or 0), float(b.get("items_per_iteration", 0) or 0)),
                       max(by, float(b.get("bytes_requested", 0) or 0)))
    plan = {}
    for k, (allocs, nbytes) in cost.items():
        if fixed:
            plan[k] = fixed
            continue
        n = min(ALLOCS_BUDGET // max(1, int(allocs)), BYTES_BUDGET // max(1, int(nbytes)))
        plan[k] = max(1, min(MAX_ITERATIONS, n))
    return plan


def parse_callgrind_header(path: Path) -> tuple[str, dict]:
    """(trigger text, {event: total}) from a callgrind output file's header."""
    trigger, events, totals, summary = "", [], None, None
    with open(path, errors="replace") as f:
        for line in f:
            if line.startswith("desc: Trigger:"):
                trigger = line.split(":", 2)[2].strip()
            elif line.startswith("events:"):
                events = line.split()[1:]
            elif line.startswith("summary:"):
                summary = [int(x) for x in line.split()[1:]]
            elif line.startswith("totals:"):
                totals = [int(x) for x in line.split()[1:]]
    vals = totals if totals is not None else summary
    return trigger, dict(zip(events, vals or []))


def load_partial_json(path: Path) -> dict | None:
    """Google Benchmark JSON, also when the process died mid-run (cut after the last whole entry)."""
    if not path.exists():
        return None
    text = path.read_text(errors="replace")
    try:
        return json.loads(text)
    except ValueError:
        cut = text.rfind("\n    }")
        if cut < 0:
            return None
        try:
            return json.loads(text[:cut + 6] + "\n  ]\n}\n")
        except ValueError:
            return None


def run_valgrind(job: dict, wd: Path, opts) -> tuple[int, str, dict, dict | None]:
    """One valgrind process over one benchmark: (returncode, stderr, dumps by seq, JSON)."""
    wd.mkdir(parents=True)
    exe = job["exe"]
    env = client_env()
    # Without cache simulation, everything outside the timed loop also runs
    # uninstrumented (the process starts ~30% cheaper; counts +2, the same
    # for every benchmark). With it, instrumentation stays on so the
    # simulated caches are warm when the timed loop starts.
    if opts.shim:
        env["LD_PRELOAD"] = str(opts.shim)
    instr = [] if opts.cache_sim else ["--instr-atstart=no"]
    if not opts.cache_sim:
        env["AB_CALLGRIND_INSTR"] = "1"
    # The client always starts as ./arenabench (a symlink in its work folder):
    # argv[0] and the auxiliary vector's exec name are copied to the stack and
    # the heap, so a build folder with a longer path shifted glibc's heap
    # layout and moved request_response/glibc by 3% for the same binary.
    link = wd / "arenabench"
    link.symlink_to(exe)
    cmd = ["valgrind", "--tool=callgrind", "-q", *instr, "--callgrind-out-file=cg.%p",
           f"--cache-sim={'yes' if opts.cache_sim else 'no'}", "./arenabench", "--ab_callgrind",
           f"--ab_only={job['name']}",
           f"--ab_iterations={job['iterations']}", "--ab_counters=none",
           f"--benchmark_filter={name_filter([job['name']])}",
           "--benchmark_out=out.json", "--benchmark_out_format=json", "--benchmark_format=console"]
    if opts.quick:
        cmd.insert(cmd.index("./arenabench") + 1, "--ab_quick")
    killed = ""
    with open(wd / "stdout.log", "w") as fo, open(wd / "stderr.log", "w") as fe:
        try:
            rc = subprocess.run(cmd, cwd=wd, env=env, stdout=fo, stderr=fe, timeout=opts.timeout).returncode
        except subprocess.TimeoutExpired:
            rc, killed = -9, f"killed: over --timeout {opts.timeout:.0f} s (hung?)"
    err = (wd / "stderr.log").read_text(errors="replace") + (("\n" + killed) if killed else "")
    dumps = {}
    for p in wd.glob("cg.*"):
        trig, ev = parse_callgrind_header(p)
        m = re.match(r"Client Request: ab_seq=(\d+)(?: (.*))?$", trig)
        if m:
            dumps[int(m.group(1))] = ev
    return rc, err, dumps, load_partial_json(wd / "out.json")


def crash_reason(err: str, rc: int = 0) -> str:
    """The first lines of valgrind's report of a fatal signal, or the tail of stderr."""
    if "killed:" in err:
        return err[err.rindex("killed:"):].strip()
    if rc < 0:
        try:
            return f"valgrind was killed by {signal.Signals(-rc).name} from outside"
        except ValueError:
            return f"valgrind was killed by signal {-rc}"
    lines = [ln.split("== ", 1)[-1].strip() for ln in err.splitlines() if ln.startswith("==")]
    lines = [ln for ln in lines if ln]
    return "; ".join(lines[:3]) if lines else (err.strip().splitlines() or ["no output"])[-1]


def run_one(job: dict, opts) -> dict:
    """One benchmark in a fresh valgrind process, as run_all.sh runs each benchmark
    in a fresh process: its count does not depend on what ran before it."""
    wd: Path = job["workdir"]
    if wd.exists():
        shutil.rmtree(wd)
    t0 = time.monotonic()
    rc, err, dumps, data = run_valgrind(job, wd, opts)
    job["entries"], job["crashed"], job["context"] = [], {}, None
    if data:
        job["context"] = data.get("context")
        job["entries"] = [(b, dumps) for b in data.get("benchmarks", [])]
    if rc != 0 or not job["entries"]:
        job["crashed"][job["name"]] = f"valgrind run failed, exit {rc} ({crash_reason(err, rc)[:300]})"
        job["entries"] = []
    job["rc"], job["seconds"] = rc, time.monotonic() - t0
    return job


def convert_entry(b: dict, dumps: dict, n: int, native: dict | None) -> dict:
    """A valgrind-run Google Benchmark entry -> the deterministic entry."""
    e = {k: b[k] for k in ("name", "family_index", "per_family_instance_index", "run_name", "run_type",
                           "repetitions", "repetition_index", "threads") if k in b}
    e["iterations"] = n
    if b.get("error_occurred"):
        e["error_occurred"] = True
        e["error_message"] = b.get("error_message", "")
        return e
    seq = b.get("ab_seq")
    ev = dumps.get(int(seq)) if seq is not None else None
    if ev is None or "Ir" not in ev:
        e["error_occurred"] = True
        e["error_message"] = "no callgrind dump for this benchmark (harness without --ab_callgrind support?)"
        return e
    ir = ev["Ir"] / n
    e["real_time"] = ir
    e["cpu_time"] = ir
    e["time_unit"] = "ns"
    e["instructions"] = ir
    if "D1mr" in ev:
        e["d1_misses"] = (ev.get("D1mr", 0) + ev.get("D1mw", 0)) / n
        e["ll_misses"] = (ev.get("DLmr", 0) + ev.get("DLmw", 0)) / n
    for k in KEEP_COUNTERS:
        if k in b:
            e[k] = b[k]
    if b.get("ab_other_threads_cpu_s"):
        # other threads ran in the timed loop: their share of the count
        # follows valgrind's thread scheduling, not repeatable to the instruction
        e["multithreaded"] = 1.0
    items = b.get("items_per_iteration")
    if items:
        e["instructions_per_item"] = ir / items
        e["items_per_second"] = items / ir * 1e9 if ir > 0 else 0.0  # items per 1e9 instructions
    if native is not None and "checksum" in native and "checksum" in b and native["checksum"] != b["checksum"]:
        e["error_occurred"] = True
        e["error_message"] = (f"checksum under valgrind ({b['checksum']:.0f}) differs from the native run "
                              f"({native['checksum']:.0f})")
    return e


#: Rough cost model of one job, for ordering and the time-left estimate only:
#: valgrind's start-up (measured 0.5-1 s here) and its slowdown on the client.
VALGRIND_START_S = 0.8
VALGRIND_SLOWDOWN = 40.0


def safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)


def valgrind_version() -> str:
    try:
        return subprocess.run(["valgrind", "--version"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return ""


def manifest(cmd: str, *args) -> None:
    script = ROOT / "harness" / "manifest.py"
    if script.exists():
        subprocess.run([sys.executable, str(script), cmd, *map(str, args)], capture_output=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("build", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--quick", action="store_true", help="the workloads' short argument lists")
    ap.add_argument("--filter", default="", help="regex on benchmark names (re.search)")
    ap.add_argument("--representative", action="store_true",
                    help="one argument set per workload (every contestant), plus the arena-vs-floor speed-target "
                         "cases: the report's why and floor sections")
    ap.add_argument("--allocators", default="", help="comma-separated processes (default: all built)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="valgrind processes at once")
    ap.add_argument("--iterations", type=int, default=None,
                    help=f"fixed iterations for every benchmark (default: 1..{MAX_ITERATIONS} by allocation count)")
    ap.add_argument("--cache-sim", action="store_true", help="simulate caches: d1_misses, ll_misses (slower)")
    ap.add_argument("--keep-callgrind", action="store_true", help="keep callgrind outputs in OUT/callgrind/")
    ap.add_argument("--timeout", type=float, default=900,
                    help="seconds per benchmark under valgrind before it counts as hung (default 900)")
    ap.add_argument("--force", action="store_true", help="overwrite bench files of a non-deterministic run")
    opts = ap.parse_args(argv)
    if shutil.which("valgrind") is None:
        log("deterministic.py: valgrind not found (apt-get install valgrind)")
        return 2
    t_start = time.monotonic()
    build = opts.build.resolve()
    out = opts.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    for f in out.glob("bench-*.json"):
        try:
            mode = json.loads(f.read_text()).get("context", {}).get("ab_mode")
        except (OSError, ValueError):
            mode = None
        if mode != "deterministic" and not opts.force:
            log(f"deterministic.py: {f} is not from a deterministic run: use another OUT_DIR (or --force)")
            return 2
    procs = processes(build, opts.allocators)
    if not procs:
        log(f"deterministic.py: no arenabench-* executables in {build}")
        return 2
    work = Path(tempfile.mkdtemp(prefix="ab-det-"))
    opts.shim = build_shim(work)
    manifest("init", out, build, "--", "profiling/deterministic.py", *(argv if argv is not None else sys.argv[1:]))
    flt = re.compile(opts.filter) if opts.filter else None

    # 1. identity, benchmark lists and native stats (fast).
    names_by_proc, stats_by_proc, identity = {}, {}, {}
    failed = []
    for p in procs:
        exe = build / f"arenabench-{p}"
        r = subprocess.run([str(exe), "--ab_identity"], capture_output=True, text=True)
        if r.returncode != 0:
            log(f"  {p}: identity check failed, skipped: {r.stdout.strip()} {r.stderr.strip()}")
            failed.append(p)
            manifest("part", out, p, "failed", 0, "identity check failed")
            continue
        identity[p] = json.loads(r.stdout)
        listed = representative(exe, opts.quick) if opts.representative else list_benchmarks(exe, opts.quick)
        names = [n for n in listed if not flt or flt.search(n)]
        if not names:
            continue
        names_by_proc[p] = names
        wd = work / f"native-{p}"
        wd.mkdir()
        try:
            stats_by_proc[p] = native_stats(exe, opts.quick, names, wd, opts.timeout)
        except (RuntimeError, subprocess.TimeoutExpired) as e:
            log(f"  {p}: {e}")
            stats_by_proc[p] = {}
    plan = choose_iterations(stats_by_proc, opts.iterations)

    # 2. one job per benchmark, longest first.
    jobs = []
    for p, names in names_by_proc.items():
        for i, n in enumerate(names):
            it = plan.get(bench_key(n), 1)
            # Expected seconds under valgrind: its start-up, plus the stats
            # pass, warm-up and timed iterations at ~40x the native time.
            native_s = float(stats_by_proc[p].get(n, {}).get("real_time", 1e6)) * 1e-9
            cost = VALGRIND_START_S + VALGRIND_SLOWDOWN * native_s * (4 + it)
            jobs.append({"process": p, "exe": build / f"arenabench-{p}", "iterations": it, "name": n,
                         "workdir": work / p / f"{i:04d}", "cost": cost})
    log(f"deterministic: {len(jobs)} benchmarks over {len(names_by_proc)} processes, each in a fresh valgrind "
        f"process, {opts.jobs} at a time{' (cache simulation)' if opts.cache_sim else ''}")
    jobs.sort(key=lambda j: -j["cost"])

    # 3. run.
    done = []
    t_run = last_log = time.monotonic()
    # The time-left estimate weighs jobs by their expected cost, not by
    # count: the longest run first, and most are short.
    total_cost = sum(j["cost"] for j in jobs)
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, opts.jobs)) as pool:
        futs = [pool.submit(run_one, j, opts) for j in jobs]
        for fut in concurrent.futures.as_completed(futs):
            j = fut.result()
            done.append(j)
            if j["crashed"]:
                log(f"  {j['process']} {j['name']}: {j['crashed'][j['name']]}")
            now = time.monotonic()
            if now - last_log >= 20 or len(done) == len(jobs):
                last_log = now
                cost_done = sum(x["cost"] for x in done)
                left = (now - t_run) * (total_cost - cost_done) / cost_done if cost_done > 0 else 0
                log(f"  {len(done)}/{len(jobs)} done, {now - t_run:.0f} s elapsed"
                    + (f", ~{left:.0f} s left" if len(done) < len(jobs) else ""))

    # 4. assemble one bench file per process.
    vg = valgrind_version()
    rc = 0
    for p in names_by_proc:
        pjobs = [j for j in done if j["process"] == p]
        order = {n: i for i, n in enumerate(names_by_proc[p])}
        entries, context, errors = [], None, []
        for j in pjobs:
            context = context or j["context"]
            for b, dumps in j["entries"]:
                entries.append(convert_entry(b, dumps, j["iterations"], stats_by_proc[p].get(strip_suffixes(b["run_name"]))))
            for n, why in j["crashed"].items():
                errors.append(f"{n}: {why}")
                entries.append({"name": n, "run_name": n, "run_type": "iteration", "repetitions": 1,
                                "repetition_index": 0, "threads": 1, "iterations": j["iterations"],
                                "error_occurred": True, "error_message": why})
        entries.sort(key=lambda e: order.get(strip_suffixes(e["run_name"]), 1 << 30))
        fam, fam_index = {}, {}
        for e in entries:  # renumber families across the groups, in --ab_list order
            base = strip_suffixes(e["run_name"])
            family = "/".join(base.split("/")[:2])
            e["family_index"] = fam.setdefault(family, len(fam))
            e["per_family_instance_index"] = fam_index[family] = fam_index.get(family, -1) + 1
        context = dict(context or {})
        ident = identity.get(p, {})
        context.update({
            "ab_process": p,
            "ab_malloc_library": ident.get("library", context.get("ab_malloc_library", "")),
            "ab_malloc_version": ident.get("version", context.get("ab_malloc_version", "")),
            "ab_malloc_path": ident.get("path", context.get("ab_malloc_path", "")),
            "ab_mode": "deterministic",
            "ab_time_is": "instructions: real_time and cpu_time are callgrind Ir per iteration (time_unit ns "
                          "reads as instructions); items_per_second is items per 1e9 instructions",
            "ab_valgrind": vg,
            "ab_cache_sim": "yes" if opts.cache_sim else "no",
            "ab_iterations_rule": (f"fixed {opts.iterations}" if opts.iterations else
                                   f"min({ALLOCS_BUDGET}/allocs, {BYTES_BUDGET}/bytes) clamped to 1..{MAX_ITERATIONS}, "
                                   "per workload/args"),
            "ab_repeatability": "identical counts between runs of the same build, except entries with "
                                "multithreaded = 1 (other threads ran in the timed loop: their count follows "
                                "valgrind's thread scheduling, up to ~1%; compare holds them to at least 2%)",
            "ab_malloc_env": " ".join(f"{k}={v}" for k, v in MALLOC_ENV.items()),
            "ab_fixed_seeds": ("time() and getrandom() fixed (LD_PRELOAD of profiling/deterministic_shim.c)"
                               if opts.shim else "no (C compiler missing): clock- and entropy-seeded code varies"),
            "ab_quick": "yes" if opts.quick else "no",
            "ab_filter": opts.filter,
        })
        for k in ("load_avg", "executable"):
            context.pop(k, None)
        doc = {"context": context, "benchmarks": entries}
        dest = out / f"bench-{p}.json"
        tmp = dest.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(doc, indent=2) + "\n")
        tmp.replace(dest)
        bad = [e for e in entries if e.get("error_occurred")]
        secs = sum(j["seconds"] for j in pjobs) / max(1, opts.jobs)
        if errors or bad:
            rc = 1
            msg = "; ".join(errors) or f"{len(bad)} benchmarks reported errors: {bad[0].get('error_message')}"
            log(f"  {p}: {msg}")
            manifest("part", out, p, "failed", int(secs), msg[:300])
        else:
            manifest("part", out, p, "ok", int(secs))
        if opts.keep_callgrind:
            dst = out / "callgrind" / p
            dst.mkdir(parents=True, exist_ok=True)
            for j in pjobs:
                for f in j["workdir"].glob("cg.*.*"):
                    shutil.copy2(f, dst / f"{safe_name(j['name'])}.callgrind")
    manifest("finish", out, "complete" if rc == 0 and not failed else "incomplete")
    shutil.rmtree(work, ignore_errors=True)
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    log(f"deterministic: wrote {len(names_by_proc)} bench files to {out} in {time.monotonic() - t_start:.0f} s "
        f"(CPU {ru.ru_utime + ru.ru_stime:.0f} s)")
    return rc or (1 if failed else 0)


if __name__ == "__main__":
    sys.exit(main())
