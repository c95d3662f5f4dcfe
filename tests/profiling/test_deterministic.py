"""Deterministic mode: callgrind instruction counts, identical across runs."""
from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from profiling_helpers import PY, ROOT

SCRIPT = ROOT / "profiling" / "deterministic.py"
# Two small workloads (the first two of these that this build has) ...
PREFERRED = ["arena_vs_general/{c}/100", "basic/{c}/100/1", "request_response/{c}/100", "multi_lifetime/{c}/100"]
# ... with each process's malloc, the arena and mimalloc's heaps: jemalloc and
# mimalloc purge by wall-clock time, the reason runs could differ.
CONTESTANTS = "(glibc|jemalloc|mimalloc|tcmalloc|arena|mi_heap)"

pytestmark = pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind not installed")


def processes(build):
    procs = [p for p in re.split(r"[;\s]+", (build / "processes.txt").read_text()) if p]
    return ",".join(p for p in procs if p in ("glibc", "jemalloc", "mimalloc"))


@pytest.fixture(scope="module")
def selection(benchmarks):
    quick = set(benchmarks["quick"])
    picked = [p for p in PREFERRED if all(p.format(c=c) in quick for c in ("glibc", "arena"))][:2]
    if len(picked) < 2:
        pytest.skip(f"fewer than two of {PREFERRED} in the quick list")
    regex = "^(" + "|".join(p.format(c=CONTESTANTS) for p in picked) + ")$"
    return picked, regex


def run_det(build, out, regex, *extra, allocators=None):
    r = subprocess.run([PY, str(SCRIPT), str(build), str(out), "--quick", "--allocators",
                        allocators or processes(build), "--filter", regex, *extra],
                       capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr
    return {p.name[6:-5]: json.loads(p.read_text()) for p in out.glob("bench-*.json")}


def counts(docs):
    return {(p, b["run_name"]): b.get("instructions") for p, d in docs.items() for b in d["benchmarks"]}


@pytest.fixture(scope="module")
def two_runs(build, selection, tmp_path_factory):
    _, regex = selection
    a = run_det(build, tmp_path_factory.mktemp("det-a"), regex)
    b = run_det(build, tmp_path_factory.mktemp("det-b"), regex)
    return a, b


def test_two_runs_give_identical_instruction_counts(two_runs, build):
    a, b = two_runs
    assert set(a) == set(processes(build).split(","))
    ca, cb = counts(a), counts(b)
    assert len(ca) >= 2 * 2 * len(a)
    assert all(v and v > 0 for v in ca.values()), ca
    assert ca == cb, {k: (ca[k], cb.get(k)) for k in ca if ca[k] != cb.get(k)}


def test_results_layout(two_runs, glibc):
    docs, _ = two_runs
    doc = docs["glibc"]
    ctx = doc["context"]
    assert ctx["ab_mode"] == "deterministic" and ctx["ab_process"] == "glibc"
    ident = json.loads(subprocess.run([str(glibc), "--ab_identity"], capture_output=True, text=True).stdout)
    assert ctx["ab_malloc_library"] == ident["library"] and ctx["ab_malloc_version"] == ident["version"]
    for b in doc["benchmarks"]:
        assert b["run_type"] == "iteration" and b["repetitions"] == 1 and b["iterations"] >= 1
        assert not b.get("error_occurred"), b
        assert b["real_time"] == b["cpu_time"] == b["instructions"]
        assert b["time_unit"] == "ns"
        assert "checksum" in b and "items_per_iteration" in b
        assert "peak_rss_kb" not in b and "ab_seq" not in b
        assert "multithreaded" not in b  # these workloads run on the harness's thread only
    # every contestant of one workload gets the same iteration count
    by_workload = {}
    for b in doc["benchmarks"]:
        by_workload.setdefault(b["run_name"].split("/")[0], set()).add(b["iterations"])
    assert all(len(v) == 1 for v in by_workload.values()), by_workload
    # the arena runs fewer instructions than malloc in the recipe's test
    c = {"/".join(b["run_name"].split("/")[:3]): b["instructions"] for b in doc["benchmarks"]}
    if "arena_vs_general/arena/100" in c:
        assert c["arena_vs_general/arena/100"] < c["arena_vs_general/glibc/100"]


def test_cache_simulation_adds_miss_counters(build, selection, tmp_path):
    picked, _ = selection
    docs = run_det(build, tmp_path, "^" + picked[0].format(c="arena") + "$", "--cache-sim", allocators="glibc")
    (b,) = docs["glibc"]["benchmarks"]
    assert b["d1_misses"] >= 0 and b["ll_misses"] >= 0 and b["instructions"] > 0
    assert docs["glibc"]["context"]["ab_cache_sim"] == "yes"


def test_refuses_to_overwrite_a_timing_run(build, selection, tmp_path):
    (tmp_path / "bench-glibc.json").write_text(json.dumps({"context": {}, "benchmarks": []}))
    r = subprocess.run([PY, str(SCRIPT), str(build), str(tmp_path), "--quick", "--allocators", "glibc",
                        "--filter", selection[1]], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "not from a deterministic run" in r.stderr


def test_threads_a_workload_starts_are_counted_and_flagged(build, benchmarks, tmp_path):
    threaded = [n for n in benchmarks["quick"] if n.startswith("threads_per_request/glibc/")]
    if not threaded:
        pytest.skip("no threads_per_request workload in this build")
    docs = run_det(build, tmp_path, "^" + threaded[0] + "$", allocators="glibc")
    (b,) = docs["glibc"]["benchmarks"]
    assert not b.get("error_occurred"), b
    assert b.get("multithreaded") == 1.0
    # the workers' instructions are in the count: far more than the main thread's dispatching
    assert b["instructions"] > 50 * b["allocs_per_iter"], b
