"""The CI gate end to end: a deliberately slower arena (built with AB_ARENA_EXTRA_WORK) is flagged by
compare on deterministic instruction counts at a 1% threshold; the same build against itself passes."""
from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from profiling_helpers import PY, ROOT

pytestmark = pytest.mark.skipif(shutil.which("valgrind") is None or shutil.which("cmake") is None,
                                reason="valgrind or cmake not installed")

FILTER = r"^(arena_vs_general/(glibc|arena)/100|basic/(glibc|arena)/100/1)$"


def deterministic(build, out):
    r = subprocess.run([PY, str(ROOT / "profiling" / "deterministic.py"), str(build), str(out), "--quick",
                        "--allocators", "glibc", "--filter", FILTER], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    return out


def compare(base, cand, out):
    return subprocess.run([PY, str(ROOT / "plots" / "arenabench_plots.py"), "compare", str(base), str(cand),
                           "--metric", "instructions", "--threshold", "0.01", "--no-chart", "--out", str(out)],
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def slow_build(build, tmp_path_factory):
    """arenabench-glibc with 16 extra instructions in every arena allocation."""
    d = tmp_path_factory.mktemp("build-slow")
    gen = ["-G", "Ninja"] if shutil.which("ninja") else []
    r = subprocess.run(["cmake", "-S", str(ROOT), "-B", str(d), *gen, "-DCMAKE_BUILD_TYPE=Release",
                        "-DAB_ARENA_EXTRA_WORK=16"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    assert "deliberately slowed arena" in r.stderr
    r = subprocess.run(["cmake", "--build", str(d), "--target", "arenabench-glibc"], capture_output=True,
                       text=True, timeout=900)
    assert r.returncode == 0, r.stdout[-3000:]
    return d


def test_a_slower_arena_is_flagged_and_nothing_else(build, slow_build, tmp_path):
    base = deterministic(build, tmp_path / "base")
    base2 = deterministic(build, tmp_path / "base2")
    slow = deterministic(slow_build, tmp_path / "slow")
    slow_doc = json.loads((slow / "bench-glibc.json").read_text())
    base_doc = json.loads((base / "bench-glibc.json").read_text())
    assert slow_doc["context"].get("ab_arena_extra_work") == "16"  # the slowed build says so in its results
    assert base_doc["context"].get("ab_arena_extra_work") == "0"
    # code that did not change counts exactly the same in the other build
    # (a different binary, built in another folder)
    base_counts = {b["name"]: b["instructions"] for b in base_doc["benchmarks"]}
    for b in slow_doc["benchmarks"]:
        if "/arena/" not in b["name"]:
            assert b["instructions"] == base_counts[b["name"]], b["name"]

    same = compare(base, base2, tmp_path / "cmp-same")
    assert same.returncode == 0, same.stdout[-2000:]

    r = compare(base, slow, tmp_path / "cmp-slow")
    assert r.returncode == 1, r.stdout[-2000:] + r.stderr[-2000:]
    md = (tmp_path / "cmp-slow" / "compare.md").read_text()
    rows = {line.split("`")[1].split("/iterations")[0]: line for line in md.splitlines()
            if line.startswith("| glibc | `") and "## All" not in line}
    assert rows, md
    for name, line in rows.items():
        if "/arena/" in name:
            assert "**regressed**" in line, line
        else:  # the malloc contestant's code did not change: its count must not either
            assert "unchanged" in line, line


def test_counts_do_not_depend_on_what_else_the_build_registers(build, benchmarks, tmp_path):
    """A benchmark in both the quick and the full list counts the same in both modes: registering
    fewer or more benchmarks (as a build with a new workload does) must not move other counts."""
    both = set(benchmarks["quick"]) & set(benchmarks["full"])
    picked = [n for n in ("request_response/glibc/100/4/0", "nested_scopes/talloc/100/300",
                          "nested_scopes/glibc/100/300") if n in both]
    if not picked:
        pytest.skip("none of the probe benchmarks is in both lists")
    flt = "^(" + "|".join(picked) + ")$"
    docs = {}
    for mode in ("quick", "full"):
        out = tmp_path / mode
        r = subprocess.run([PY, str(ROOT / "profiling" / "deterministic.py"), str(build), str(out), "--allocators",
                            "glibc", "--filter", flt, "--iterations", "1", *(["--quick"] if mode == "quick" else [])],
                           capture_output=True, text=True, timeout=600)
        assert r.returncode == 0, r.stderr[-2000:]
        docs[mode] = {b["name"]: b["instructions"] for b in
                      json.loads((out / "bench-glibc.json").read_text())["benchmarks"]}
    assert len(docs["quick"]) == len(picked) and docs["quick"] == docs["full"]
