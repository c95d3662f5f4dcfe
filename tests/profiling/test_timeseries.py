"""Memory over time: the sampler's CSV, growth without reset, flat with reset, the chart."""
from __future__ import annotations

import csv
import subprocess

import pytest

from profiling_helpers import PY, ROOT

CHART = ROOT / "profiling" / "timeseries_chart.py"


@pytest.fixture(scope="module")
def has_timeseries(glibc):
    out = subprocess.run([str(glibc), "--ab_help"], capture_output=True, text=True).stdout
    if "--ab_timeseries" not in out:
        pytest.skip("harness/main.cc does not call ab_profile_parse_flag/ab_profile_sample yet "
                    "(profiling/README.md, 'Harness hooks')")
    return True


def series(glibc, tmp_path, regex, *extra):
    path = tmp_path / "ts.csv"
    r = subprocess.run([str(glibc), f"--ab_timeseries={path}", "--ab_timeseries_period_us=100",
                        "--ab_iterations=1", f"--benchmark_filter={regex}", *extra],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(open(path)))
    by = {}
    for row in rows:
        by.setdefault(row["benchmark"], []).append(row)
    return path, by


def held(rows):
    return [int(r["held_kb"]) for r in rows if r["held_kb"]]


def test_csv_columns_and_progress(glibc, tmp_path, has_timeseries, benchmarks):
    name = "arena_vs_general/arena/10000"
    assert name in benchmarks["full"]
    path, by = series(glibc, tmp_path, f"^{name}(/|$)")
    with open(path) as f:
        header = f.readline().strip().split(",")
    assert header == ["benchmark", "process", "pass", "t_ms", "run_index", "items", "rss_kb",
                      "malloc_mapped_kb", "malloc_in_use_kb", "held_kb"]
    rows = by[name]
    assert len(rows) >= 2 and rows[0]["process"] == "glibc"
    assert float(rows[-1]["items"]) == 10000 and int(rows[-1]["run_index"]) == 1
    assert all(int(r["rss_kb"]) > 0 for r in rows)
    t = [float(r["t_ms"]) for r in rows]
    assert t == sorted(t)
    # the arena is created and deinit'ed inside each run: nothing held at the end
    assert held(rows)[-1] <= 4


def test_growth_without_reset_and_flat_with_reset(glibc, tmp_path, has_timeseries, benchmarks):
    grow, reset = "avoid_when/arena/2/0/10000", "avoid_when/arena/2/100/10000"
    if grow not in benchmarks["full"] or reset not in benchmarks["full"]:
        pytest.skip("avoid_when's long-running cases are not built here")
    _, by = series(glibc, tmp_path, "^avoid_when/arena/2/(0|100)/10000(/|$)")
    g, r = held(by[grow]), held(by[reset])
    assert len(g) >= 5 and len(r) >= 5
    # no reset: the arena only grows during the run (then deinit drops it at the end)
    peak = max(g)
    assert peak >= 4096, g
    rising = g[: g.index(peak) + 1]
    assert all(b >= a for a, b in zip(rising, rising[1:])), rising
    # reset every 100 requests: a flat line, far below
    assert max(r) <= 1024 and max(r) * 8 < peak, r


def test_chart(tmp_path):
    run = tmp_path / "run"
    (run / "timeseries").mkdir(parents=True)
    rows = ["benchmark,process,pass,t_ms,run_index,items,rss_kb,malloc_mapped_kb,malloc_in_use_kb,held_kb"]
    for i in range(20):
        rows.append(f"w/arena/0,glibc,0,{i},0,{i * 100},{5000 + i * 100},{i * 90},{i * 80},{i * 64}")
        rows.append(f"w/glibc/0,glibc,0,{i},0,{i * 100},5000,600,400,2")
        rows.append(f"w/jemalloc/0,jemalloc,0,{i},0,{i * 100},5000,600,400,2")
        rows.append(f"w/arena/0,jemalloc,0,{i},0,{i * 100},5000,600,400,{i * 64}")
    (run / "timeseries" / "glibc.csv").write_text("\n".join(rows) + "\n")
    r = subprocess.run([PY, str(CHART), str(run)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    for name in ("memory_over_time.png", "memory_over_time.svg", "memory_over_time_rss.png"):
        assert (run / "charts" / name).stat().st_size > 1000
    svg = (run / "charts" / "memory_over_time.svg").read_text()
    assert "peak +" in svg and "flat" in svg and "jemalloc" in svg
    # one line per allocator: the arena once (over glibc), each malloc once
    assert "arena over glibc" in svg and "arena over jemalloc" not in svg
