#!/usr/bin/python3
"""timeseries_chart.py -- memory over time, from the harness's --ab_timeseries CSVs.

usage: /usr/bin/python3 profiling/timeseries_chart.py RUN_DIR [CSV...]
           [--metric held_kb|malloc_in_use_kb|malloc_mapped_kb|rss_kb] [--x items|time]

Reads RUN_DIR/timeseries/*.csv (or the CSVs given), one per process, written
by `arenabench-<process> --ab_timeseries=FILE` (profiling/memory_timeseries.py
runs them), and draws RUN_DIR/charts/memory_over_time.png and .svg: one panel
per benchmark (workload and arguments), one line per allocator (contestant
and the malloc of its process). The y axis is the memory the allocator holds
(MiB or KiB); the x axis is the time since the timed loop began (ms; --x items:
the requests done, interpolated within a run() call), so a workload that never
resets shows a rising line and one that resets a flat one. The legend gives
each line's growth from its start to its peak, or "(flat)".

Also draws memory_over_time_rss.png/.svg with the process's resident set.

Metrics (columns of the CSV):
  held_kb           bytes the contestant holds from its backing allocator (the
                    harness's counting subject; the default)
  malloc_in_use_kb  bytes in use according to the process malloc (glibc
                    mallinfo2, jemalloc stats.allocated, tcmalloc
                    current_allocated_bytes; not mimalloc)
  malloc_mapped_kb  bytes the process malloc has from the OS
  rss_kb            resident set of the process (/proc/self/statm)
"""
from __future__ import annotations

import argparse
import csv
import math
import sys
from collections import defaultdict
from pathlib import Path

METRIC_LABEL = {
    "held_kb": "held from the backing allocator",
    "malloc_in_use_kb": "in use (the process malloc's count)",
    "malloc_mapped_kb": "mapped by the process malloc",
    "rss_kb": "resident set (RSS)",
}
PROCESS_STYLE = {"glibc": "-", "jemalloc": "--", "mimalloc": ":", "tcmalloc": "-."}


def load(paths: list[Path]) -> dict:
    """{(benchmark, process): rows of the last pass}."""
    series: dict = defaultdict(list)
    for path in paths:
        with open(path, newline="") as f:
            for row in csv.DictReader(f):
                series[(row["benchmark"], row["process"], int(row["pass"] or 0))].append(row)
    last: dict = {}
    for (bench, proc, pas), rows in series.items():
        key = (bench, proc)
        if key not in last or pas > last[key][0]:
            last[key] = (pas, rows)
    return {k: v[1] for k, v in last.items()}


def num(v: str) -> float | None:
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def split_name(bench: str) -> tuple[str, str]:
    """'avoid_when/arena/2/0/10000' -> ('avoid_when/2/0/10000', 'arena')."""
    parts = bench.split("/")
    return "/".join(parts[:1] + parts[2:]), (parts[1] if len(parts) > 1 else "")


def select(data: dict, over: str | None) -> dict:
    """One line per allocator: each process's malloc, and every other contestant
    from one process (over; default glibc, else the first process that has
    it) -- an arena holds the same blocks whatever malloc is underneath, so
    four copies of its line only hide the rest."""
    procs = sorted({proc for _, proc in data})
    if over == "all":
        return data
    base = over if over in procs else ("glibc" if "glibc" in procs else (procs[0] if procs else ""))
    chosen: dict = {}
    for (bench, proc) in sorted(data):
        if split_name(bench)[1] == proc:
            chosen[(bench, proc)] = proc
            continue
        have = chosen.get((bench, None))
        if have is None or (proc == base and have != base):
            chosen[(bench, None)] = proc
    return {(b, p): rows for (b, p), rows in data.items()
            if chosen.get((b, p)) == p or (split_name(b)[1] != p and chosen.get((b, None)) == p)}


def draw(data: dict, metric: str, xmode: str, out_base: Path, title_extra: str = "") -> Path | None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels: dict = defaultdict(list)
    for (bench, proc), rows in data.items():
        key, contestant = split_name(bench)
        xs, ys = [], []
        for r in rows:
            y = num(r.get(metric, ""))
            x = num(r["items"]) if xmode == "items" else num(r["t_ms"])
            if x is None or y is None:
                continue
            xs.append(x)
            ys.append(y)
        if len(xs) >= 2:
            panels[key].append((contestant, proc, xs, ys))
    if not panels:
        return None
    keys = sorted(panels)
    ncols = min(3, len(keys))
    nrows = math.ceil(len(keys) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(6.0 * ncols, 4.2 * nrows), squeeze=False)
    contestants = sorted({c for k in keys for c, *_ in panels[k]})
    cmap = plt.get_cmap("tab10")
    color = {c: cmap(i % 10) for i, c in enumerate(contestants)}
    for ax, key in zip(axes.flat, keys):
        lines = sorted(panels[key], key=lambda t: (t[0], t[1]))
        ymax = max(max(ys) for *_, ys in lines)
        mib = ymax >= 4096
        for contestant, proc, xs, ys in lines:
            scale = 1 / 1024 if mib else 1
            label = contestant if contestant == proc else f"{contestant} over {proc}"
            # Growth: from the first sample to the peak (a run that deinits at
            # its end drops back at the last sample).
            rise = max(ys) - ys[0]
            if rise < max(4.0, 0.02 * max(ys)):
                label += " (flat)"
            else:
                label += f" (peak +{rise / 1024:.1f} MiB)" if rise >= 1024 else f" (peak +{rise:.0f} KiB)"
            ax.plot(xs, [y * scale for y in ys], PROCESS_STYLE.get(proc, "-"), color=color[contestant],
                    label=label, linewidth=1.6)
        items = max((num(r["items"]) or 0) for (b, _), rows in data.items() if split_name(b)[0] == key for r in rows)
        ax.set_title(f"{key}  ({items:,.0f} items)" if items else key, fontsize=10)
        ax.set_xlabel("items done in the timed loop (requests; interpolated within a run() call)"
                      if xmode == "items" else "time since the timed loop began (ms)", fontsize=9)
        ax.set_ylabel(f"{METRIC_LABEL.get(metric, metric)} ({'MiB' if mib else 'KiB'})", fontsize=9)
        ax.set_ylim(bottom=0)
        ax.set_xlim(left=0)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=7, loc="upper left")
    for ax in list(axes.flat)[len(keys):]:
        ax.axis("off")
    fig.suptitle(f"Memory over time: {METRIC_LABEL.get(metric, metric)}{title_extra}\n"
                 "(line style = the malloc of the process: solid glibc, dashed jemalloc, dotted mimalloc, "
                 "dash-dot tcmalloc; a run that deinits at its end drops at its last sample)", fontsize=11)
    fig.tight_layout(rect=(0, 0, 1, 0.94))
    out_base.parent.mkdir(parents=True, exist_ok=True)
    for ext in ("png", "svg"):
        fig.savefig(out_base.with_suffix("." + ext), dpi=110)
    plt.close(fig)
    return out_base.with_suffix(".png")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("run", type=Path, help="run folder (charts go to RUN/charts/)")
    ap.add_argument("csv", type=Path, nargs="*", help="CSV files (default: RUN/timeseries/*.csv)")
    ap.add_argument("--metric", default=None, choices=sorted(METRIC_LABEL))
    ap.add_argument("--x", dest="xmode", default="time", choices=("time", "items"),
                    help="x axis: time in the timed loop (default) or items done (interpolated)")
    ap.add_argument("--over", default=None,
                    help="process whose non-malloc contestants are drawn (default glibc; 'all': every process)")
    opts = ap.parse_args(argv)
    paths = opts.csv or sorted((opts.run / "timeseries").glob("*.csv"))
    if not paths:
        print(f"timeseries_chart.py: no CSV in {opts.run / 'timeseries'}", file=sys.stderr)
        return 2
    data = select(load(paths), opts.over)
    if not data:
        print("timeseries_chart.py: the CSVs hold no samples", file=sys.stderr)
        return 2
    rows = [r for rs in data.values() for r in rs]
    metric = opts.metric
    if metric is None:  # the most specific measure the CSVs have
        for m in ("held_kb", "malloc_in_use_kb", "rss_kb"):
            if any(num(r.get(m, "")) is not None for r in rows):
                metric = m
                break
    xmode = opts.xmode
    if xmode == "items" and not any((num(r["items"]) or 0) > 0 for r in rows):
        xmode = "time"  # the harness did not report progress (no ab_profile_sample calls)
    charts = opts.run / "charts"
    made = [draw(data, metric, xmode, charts / "memory_over_time")]
    if metric != "rss_kb":
        made.append(draw(data, "rss_kb", xmode, charts / "memory_over_time_rss", " (whole process)"))
    for m in made:
        if m:
            print(m)
    return 0 if made[0] else 1


if __name__ == "__main__":
    sys.exit(main())
