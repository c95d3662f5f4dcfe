#!/usr/bin/python3
"""where_time_goes.py -- top functions per allocator, from perf and callgrind.

usage: profiling/where_time_goes.sh FILTER OUTDIR [--build DIR] [--allocators LIST]
           [--top N] [--quick] [--max-benchmarks N] [--iterations N] [--min-time S]

For every benchmark whose name matches FILTER (a regex, e.g.
'^arena_vs_general/.*/10000$') in every process (or --allocators):

  * perf: `perf record -g` of the benchmark alone (native speed), with the
    hardware cycles event when the machine has one, else the cpu-clock
    software event (which works in most VMs); skipped with a one-line reason
    when perf cannot record at all (not installed, perf_event_paranoid...).
    The profile covers the whole process: the harness's untimed stats pass
    and warm-up run are in it too (three run() calls), the timed loop
    (--min-time seconds) dominates;
  * callgrind: the benchmark alone in a fresh valgrind process, counting only
    its timed loop (--ab_callgrind: counters zeroed before it and dumped
    after it), so its profile is exactly the timed loop's, in instructions
    (Ir), threads included; with deterministic.py's environment (the
    mallocs' time-driven purging off, see there).

Writes OUTDIR/where_time_goes.md (top N self-cost functions per benchmark,
callgrind then perf), and keeps the raw profiles in OUTDIR/perf/ and
OUTDIR/callgrind/ (open them with perf report -i / callgrind_annotate /
kcachegrind).
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from deterministic import (client_env, list_benchmarks, name_filter, parse_callgrind_header,  # noqa: E402
                           processes)


def safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)


def perf_event() -> tuple[str | None, str]:
    """The event perf record can use here, and a one-line explanation."""
    if shutil.which("perf") is None:
        return None, "perf is not installed (apt-get install linux-perf)"
    probe = Path("/tmp") / f"ab-perf-probe-{os.getpid()}.data"
    reasons = []
    try:
        for ev in ("cycles", "cpu-clock"):
            r = subprocess.run(["perf", "record", "-q", "-e", ev, "-g", "-o", str(probe), "--", "true"],
                               capture_output=True, text=True)
            ok = r.returncode == 0 and probe.exists() and "not supported" not in r.stderr
            if ok and ev == "cycles":  # perf may fall back to cpu-clock by itself: ask what it recorded
                got = subprocess.run(["perf", "evlist", "-i", str(probe)], capture_output=True, text=True).stdout
                ok = "cycles" in got
                if not ok:
                    reasons.append("cycles: recorded as " + (got.strip() or "nothing"))
                    continue
            if ok:
                why = "" if ev == "cycles" else ("hardware cycles event unavailable (no PMU here: VM?); "
                                                 "sampling the cpu-clock software event instead")
                return ev, why
            reasons.append(f"{ev}: {(r.stderr.strip().splitlines() or ['exit %d' % r.returncode])[-1]}")
    finally:
        probe.unlink(missing_ok=True)
    paranoid = Path("/proc/sys/kernel/perf_event_paranoid")
    par = paranoid.read_text().strip() if paranoid.exists() else "?"
    return None, f"perf record does not work here (perf_event_paranoid={par}; {'; '.join(reasons)})"


PERF_LINE = re.compile(r"^\s+([0-9.]+)%\s+(\S+)\s+(.+?)\s*$")


def perf_top(data: Path, top: int) -> list[tuple[float, str, str]]:
    r = subprocess.run(["perf", "report", "-i", str(data), "--stdio", "--no-children", "-F", "overhead,dso,sym",
                        "-g", "none", "--percent-limit", "0.1"], capture_output=True, text=True)
    rows = []
    for line in r.stdout.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        m = PERF_LINE.match(line)
        if m:
            sym = re.sub(r"^\[[.k]\]\s+", "", m.group(3))
            rows.append((float(m.group(1)), sym, m.group(2)))
        if len(rows) >= top:
            break
    return rows


def callgrind_top(path: Path, top: int) -> list[tuple[int, float, str, str]]:
    """Top self-cost functions of one callgrind dump: (Ir, %, function, object).

    Parsed here rather than with callgrind_annotate, which charges the
    inclusive cost of calls already in progress when a dump starts (callgrind
    writes them as `calls=0`) to the callers' self cost: every frame below
    the benchmark would show 100%."""
    names: dict[str, dict[str, str]] = {"ob": {}, "fn": {}}
    kind_of = {"ob": "ob", "cob": "ob", "fn": "fn", "cfn": "fn"}
    npos, ob, fn, skip_next = 1, "", "", False
    self_cost: dict[tuple[str, str], int] = {}
    total = 0

    def name(kind: str, spec: str) -> str:
        m = re.match(r"\((\d+)\)(?:\s+(.*))?$", spec)
        if not m:
            return spec
        table = names[kind]
        if m.group(2) is not None:
            table[m.group(1)] = m.group(2)
        return table.get(m.group(1), spec)

    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            c = line[0]
            if c.isdigit() or c in "+-*":
                if skip_next:  # the inclusive cost of a call: not self cost
                    skip_next = False
                    continue
                parts = line.split()
                ir = int(parts[npos]) if len(parts) > npos and parts[npos].isdigit() else 0
                self_cost[(fn, ob)] = self_cost.get((fn, ob), 0) + ir
                total += ir
                continue
            key, _, val = line.partition("=")
            if key in kind_of:
                n = name(kind_of[key], val)
                if key == "ob":
                    ob = n
                elif key == "fn":
                    fn = n
            elif key == "calls":
                skip_next = True
            elif line.startswith("positions:"):
                npos = len(line.split()) - 1
    rows = sorted(self_cost.items(), key=lambda kv: -kv[1])[:top]
    return [(ir, 100.0 * ir / total if total else 0.0, fn, Path(ob).name) for (fn, ob), ir in rows if ir > 0]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("filter")
    ap.add_argument("out", type=Path)
    ap.add_argument("--build", type=Path, default=Path(os.environ.get("AB_BUILD_DIR", ROOT / "build")))
    ap.add_argument("--allocators", default="")
    ap.add_argument("--top", type=int, default=15)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--max-benchmarks", type=int, default=12, help="per process (default 12)")
    ap.add_argument("--iterations", type=int, default=3, help="timed iterations under callgrind (default 3)")
    ap.add_argument("--min-time", default="0.3", help="seconds per benchmark under perf (default 0.3)")
    opts = ap.parse_args(argv)
    build, out = opts.build.resolve(), opts.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    flt = re.compile(opts.filter)
    event, perf_why = perf_event()
    have_valgrind = shutil.which("valgrind") is not None
    t0 = time.monotonic()
    md = ["# Where time goes", "",
          f"Filter `{opts.filter}`; build `{build}`.", "",
          "* **callgrind**: instructions (Ir) of the timed loop only, self cost per function "
          f"({opts.iterations} iterations; `--ab_callgrind`)." if have_valgrind else
          "* **callgrind**: not run: valgrind is not installed (apt-get install valgrind).",
          f"* **perf**: `perf record -e {event} -g`, self overhead per symbol over the whole process "
          f"(the timed loop runs {opts.min_time} s; the untimed stats pass and warm-up are included)."
          + (f" Note: {perf_why}." if perf_why else "") if event else f"* **perf**: not run: {perf_why}.", ""]
    if not event:
        print(f"where_time_goes: perf: {perf_why}", file=sys.stderr)
    elif perf_why:
        print(f"where_time_goes: perf: {perf_why}", file=sys.stderr)
    any_bench = False
    for p in processes(build, opts.allocators):
        exe = build / f"arenabench-{p}"
        if subprocess.run([str(exe), "--ab_identity"], capture_output=True).returncode != 0:
            md += [f"## {p}", "", "Skipped: the malloc identity check failed.", ""]
            continue
        names = [n for n in list_benchmarks(exe, opts.quick) if flt.search(n)]
        if not names:
            continue
        if len(names) > opts.max_benchmarks:
            print(f"where_time_goes: {p}: {len(names)} benchmarks match, profiling the first "
                  f"{opts.max_benchmarks} (--max-benchmarks)", file=sys.stderr)
            names = names[:opts.max_benchmarks]
        any_bench = True
        quick = ["--ab_quick"] if opts.quick else []
        # callgrind: one run, one dump per benchmark.
        cg = {}
        if have_valgrind:
            cgdir = out / "callgrind" / p
            shutil.rmtree(cgdir, ignore_errors=True)
            cgdir.mkdir(parents=True)
            for name in names:  # each in a fresh process, as run_all.sh runs them
                wd = cgdir / safe(name)
                wd.mkdir()
                subprocess.run(["valgrind", "--tool=callgrind", "-q", "--callgrind-out-file=cg.%p", str(exe),
                                *quick, "--ab_callgrind", f"--ab_iterations={opts.iterations}", "--ab_counters=none",
                                f"--benchmark_filter={name_filter([name])}"],
                               cwd=wd, env=client_env(), capture_output=True, text=True)
                for f in wd.glob("cg.*.*"):
                    trig, ev = parse_callgrind_header(f)
                    if trig.startswith("Client Request: ab_seq="):
                        cg[name] = (f, ev)
        for name in names:
            md += [f"## {name} ({p} process)", ""]
            if have_valgrind:
                if name in cg:
                    f, ev = cg[name]
                    rows = callgrind_top(f, opts.top)
                    total = ev.get("Ir", 0)
                    md += [f"callgrind: {total / opts.iterations:,.0f} instructions per iteration "
                           f"(`{f.relative_to(out)}`)", "",
                           "| Ir per iteration | % | function | object |", "|---:|---:|---|---|"]
                    md += [f"| {ir / opts.iterations:,.0f} | {pct:.1f} | `{fn}` | {obj} |" for ir, pct, fn, obj in rows]
                    md.append("")
                else:
                    md += ["callgrind: no dump for this benchmark (it failed or was skipped).", ""]
            if event:
                pdir = out / "perf" / p
                pdir.mkdir(parents=True, exist_ok=True)
                data = pdir / f"{safe(name)}.data"
                r = subprocess.run(["perf", "record", "-q", "-e", event, "-g", "-o", str(data), "--", str(exe),
                                    *quick, "--ab_counters=none", f"--benchmark_filter={name_filter([name])}",
                                    f"--benchmark_min_time={opts.min_time}"], capture_output=True, text=True)
                rows = perf_top(data, opts.top) if r.returncode == 0 and data.exists() else []
                if rows:
                    md += [f"perf ({event} samples, `{data.relative_to(out)}`):", "",
                           "| % self | symbol | object |", "|---:|---|---|"]
                    md += [f"| {pct:.1f} | `{sym}` | {dso} |" for pct, sym, dso in rows]
                else:
                    md += [f"perf: no profile ({(r.stderr.strip().splitlines() or ['no samples'])[-1]})"]
                md.append("")
            print(f"  {p}: {name}", file=sys.stderr)
    if not any_bench:
        md += [f"No benchmark matches `{opts.filter}`.", ""]
    (out / "where_time_goes.md").write_text("\n".join(md) + "\n")
    print(f"where_time_goes: {out / 'where_time_goes.md'} ({time.monotonic() - t0:.0f} s)", file=sys.stderr)
    return 0 if any_bench else 1


if __name__ == "__main__":
    sys.exit(main())
