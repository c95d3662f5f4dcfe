"""The report's "why" data: deterministic.py --representative and ./run_all.sh --why RUN_DIR."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from profiling_helpers import ROOT

sys.path.insert(0, str(ROOT / "profiling"))
import deterministic  # noqa: E402


def test_representative_is_one_argument_set_per_workload_with_every_contestant(glibc, benchmarks):
    for quick in (False, True):
        listed = benchmarks["quick" if quick else "full"]
        chosen = deterministic.representative(glibc, quick)
        assert set(chosen) <= set(listed)
        # the floor section's speed-target cases come on top, from the list in use
        floor_cases = [n for n in listed if re.search(deterministic.FLOOR_CASES, n)]
        assert len(floor_cases) == 9 and set(floor_cases) <= set(chosen)  # 3 cases x 3 contestants
        by_workload = {}
        for n in chosen:
            if n in floor_cases:
                continue
            w, a = deterministic.workload_args(n)
            by_workload.setdefault(w, set()).add(a)
        # every workload, one argument set each
        assert set(by_workload) == {n.split("/")[0] for n in listed}
        assert all(len(a) == 1 for a in by_workload.values()), by_workload
        # every contestant that the listing has for that argument set
        for n in listed:
            w, a = deterministic.workload_args(n)
            if a in by_workload[w]:
                assert n in chosen
    # where a quick argument set is also in the full list, both choose it: the
    # same benchmarks then exist in a quick and in a full timing run
    full = {deterministic.workload_args(n) for n in deterministic.representative(glibc, False, also="")}
    quick = {deterministic.workload_args(n) for n in deterministic.representative(glibc, True, also="")}
    in_full = {deterministic.workload_args(n) for n in benchmarks["full"]}
    assert {wa for wa in quick if wa in in_full} <= full


@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind not installed")
def test_run_all_why_fills_the_reports_why_section(build, benchmarks, tmp_path):
    name = next((n for n in benchmarks["quick"] if re.fullmatch(r"arena_vs_general/glibc/\d+", n)), None)
    if name is None:
        pytest.skip("no arena_vs_general/glibc benchmark in the quick list")
    flt = "^" + name.replace("/glibc/", "/(glibc|arena)/") + "$"
    run = tmp_path / "run"
    env = dict(os.environ, AB_BUILD_DIR=str(build))
    common = ["--filter", flt, "--no-install"]
    r = subprocess.run(["bash", str(ROOT / "run_all.sh"), "--quick", "--allocators", "glibc", "--out", str(run),
                        *common], capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "./run_all.sh --why" in r.stderr  # the main run says how to fill the section
    before = (run / "report.md").read_text()
    assert "## Why: per workload" in before and "no deterministic run" in before.lower()

    r = subprocess.run(["bash", str(ROOT / "run_all.sh"), "--why", str(run), *common],
                       capture_output=True, text=True, env=env, timeout=900)
    assert r.returncode == 0, r.stderr[-2000:]
    doc = json.loads((run / "deterministic" / "bench-glibc.json").read_text())
    assert doc["context"]["ab_mode"] == "deterministic" and doc["context"]["ab_cache_sim"] == "yes"
    got = {b["run_name"].split("/iterations")[0]: b for b in doc["benchmarks"]}
    assert set(got) == {name, name.replace("/glibc/", "/arena/")}
    arena = got[name.replace("/glibc/", "/arena/")]
    per_op = arena["instructions"] / arena["items_per_iteration"]

    report = (run / "report.md").read_text()
    section = report.split("## Why: per workload", 1)[1]
    row = next(line for line in section.splitlines() if line.startswith("| arena (over glibc)"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    header = next(line for line in section.splitlines() if line.startswith("| allocator"))
    cols = [c.strip() for c in header.strip("|").split("|")]
    shown = float(cells[cols.index("instr/op")].replace(",", ""))
    assert shown == pytest.approx(per_op, rel=0.01)
    assert cells[cols.index("D1 miss/op (sim)")] not in ("", "-")
