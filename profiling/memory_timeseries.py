#!/usr/bin/python3
"""memory_timeseries.py -- memory over time for the long-running workloads.

usage: /usr/bin/python3 profiling/memory_timeseries.py BUILD_DIR RUN_DIR
           [--filter REGEX] [--allocators LIST] [--iterations N] [--period-us P] [--quick]

Runs every benchmark that matches --filter (default: the long-running
workloads retained_state, multi_lifetime, avoid_when -- mixed lifetimes,
long-running without reset and with a periodic reset -- and pool_churn),
each in a fresh process of every malloc (BUILD_DIR/arenabench-<process>), as
run_all.sh does, with --ab_timeseries, so a sampler thread records RSS, the
process malloc's mapped and in-use bytes and the bytes the contestant holds
from its backing allocator every P microseconds of the timed loop. Each benchmark runs exactly N iterations
(default 1: one run() call = one "server lifetime" of the workload, which
is where growth without reset shows).

Writes RUN_DIR/timeseries/<process>.csv (columns: benchmark, process, pass,
t_ms, run_index, items, rss_kb, malloc_mapped_kb, malloc_in_use_kb, held_kb)
and the charts RUN_DIR/charts/memory_over_time.png/.svg (and _rss), through
profiling/timeseries_chart.py. The timings of these runs are perturbed by the
sampling and the counting subject and are not kept.

Needs a harness that calls ab_profile_sample() in its timed loop (see
profiling/README.md); with an older one it stops with a message.
"""
from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_FILTER = r"^(retained_state|multi_lifetime|avoid_when|pool_churn)/"


def processes(build: Path, wanted: str) -> list[str]:
    txt = build / "processes.txt"
    found = [p for p in re.split(r"[;\s]+", txt.read_text()) if p] if txt.exists() else \
        sorted(p.name[len("arenabench-"):] for p in build.glob("arenabench-*") if p.name != "arenabench-probe")
    found = [p for p in found if (build / f"arenabench-{p}").exists()]
    if wanted:
        want = [w for w in wanted.split(",") if w]
        bad = [w for w in want if w not in found]
        if bad:
            raise SystemExit(f"memory_timeseries.py: unknown or unbuilt process(es) {bad} (built: {found})")
        return want
    return found


def supports_timeseries(exe: Path) -> bool:
    out = subprocess.run([str(exe), "--ab_help"], capture_output=True, text=True).stdout
    return "--ab_timeseries" in out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("build", type=Path)
    ap.add_argument("run", type=Path)
    ap.add_argument("--filter", default=DEFAULT_FILTER, help=f"benchmark regex (default {DEFAULT_FILTER})")
    ap.add_argument("--allocators", default="", help="comma-separated processes (default: all built)")
    ap.add_argument("--iterations", type=int, default=1, help="run() calls per benchmark (default 1)")
    ap.add_argument("--period-us", type=int, default=200, help="sampling period in microseconds (default 200)")
    ap.add_argument("--quick", action="store_true", help="the workloads' short argument lists")
    ap.add_argument("--no-chart", action="store_true")
    opts = ap.parse_args(argv)
    build, run = opts.build.resolve(), opts.run.resolve()
    procs = processes(build, opts.allocators)
    if not procs:
        print(f"memory_timeseries.py: no arenabench-* executables in {build}", file=sys.stderr)
        return 2
    if not supports_timeseries(build / f"arenabench-{procs[0]}"):
        print("memory_timeseries.py: this harness has no --ab_timeseries (harness/main.cc lacks the "
              "ab_profile_parse_flag / ab_profile_sample calls: see profiling/README.md)", file=sys.stderr)
        return 3
    ts = run / "timeseries"
    ts.mkdir(parents=True, exist_ok=True)
    rc = 0
    flt = re.compile(opts.filter)
    quick = ["--ab_quick"] if opts.quick else []
    for p in procs:
        exe = build / f"arenabench-{p}"
        csv_path = ts / f"{p}.csv"
        csv_path.unlink(missing_ok=True)
        listing = subprocess.run([str(exe), "--ab_list", *quick], capture_output=True, text=True).stdout
        names = [n for n in listing.splitlines() if n and not n.startswith("#") and flt.search(n)]
        if not names:
            print(f"  {p}: no benchmark matches {opts.filter}", file=sys.stderr)
            continue
        failed = 0
        with open(ts / f"{p}.log", "w") as logf:
            # Each benchmark in a fresh process (as run_all.sh runs them): the
            # resident set and malloc's heap are then this benchmark's alone.
            for name in names:
                cmd = [str(exe), *quick, f"--ab_timeseries={csv_path}",
                       f"--ab_timeseries_period_us={opts.period_us}", f"--ab_iterations={opts.iterations}",
                       f"--benchmark_filter=^{re.escape(name)}(/|$)", "--benchmark_format=console"]
                r = subprocess.run(cmd, stdout=logf, stderr=subprocess.STDOUT)
                if r.returncode != 0:
                    failed += 1
                    print(f"  {p}: {name}: exit {r.returncode} (see {ts / (p + '.log')})", file=sys.stderr)
        rc = rc or (1 if failed else 0)
        n = sum(1 for _ in open(csv_path)) - 1 if csv_path.exists() else 0
        print(f"  {p}: {len(names)} benchmarks, {n} samples -> {csv_path}", file=sys.stderr)
    if not opts.no_chart and any(ts.glob("*.csv")):
        rc = subprocess.run([sys.executable, str(HERE / "timeseries_chart.py"), str(run)]).returncode or rc
    return rc


if __name__ == "__main__":
    sys.exit(main())
