"""run_all.sh's floor pass: same-process arena-vs-floor ratios for the report.

A quick run restricted to one floor case must leave RUN/floor/ROUND/bench-glibc.json
for each round (the arena, its block-cache variant and the floor, interleaved
in one process), record the part in the manifest, and the report's floor
section must then take its ratios from those rounds.
"""
import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("AB_BUILD_DIR", ROOT / "build"))
CASE_NAMES = {f"alloc_sizes/{c}/{a}" for c in ("arena_direct", "arena_direct_cached", "bump_floor")
              for a in ("0/0", "0/2", "1024/3")}


def _need_build():
    # ./run_all.sh --test builds first, so this only skips a bare pytest run
    if not (BUILD / "arenabench-glibc").exists():
        pytest.skip(f"no arenabench-glibc in {BUILD} (build first: cmake -S . -B build -G Ninja && ninja -C build)")


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    _need_build()
    run = tmp_path_factory.mktemp("floorpass") / "run"
    env = dict(os.environ, AB_BUILD_DIR=str(BUILD))
    r = subprocess.run(["bash", str(ROOT / "run_all.sh"), "--quick", "--allocators", "glibc", "--no-install",
                        "--filter", "^alloc_sizes/(arena_direct|bump_floor)/0/2$", "--out", str(run)],
                       capture_output=True, text=True, env=env, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    return run, r.stderr


def test_each_round_is_one_process_with_every_floor_case_interleaved(quick_run):
    run, log = quick_run
    rounds = sorted(p.name for p in (run / "floor").iterdir())
    assert rounds == ["1", "2", "3"]  # --quick: 3 rounds
    for r in rounds:
        doc = json.loads((run / "floor" / r / "bench-glibc.json").read_text())
        assert doc["context"]["ab_malloc_library"] == "glibc"
        reps = {}
        for b in doc["benchmarks"]:
            if b.get("run_type") == "iteration":
                reps.setdefault(b["run_name"].removesuffix("/real_time"), []).append(b["repetition_index"])
        assert set(reps) == CASE_NAMES
        assert all(sorted(v) == [0, 1, 2] for v in reps.values())  # 3 repetitions each
    assert "[3/3] floor" in log and "round 3/3" in log
    parts = {p["name"]: p for p in json.loads((run / "manifest.json").read_text())["parts"]}
    assert parts["floor"]["status"] == "ok"


def test_the_report_takes_its_floor_ratios_from_the_rounds(quick_run):
    run, _ = quick_run
    report = (run / "report.md").read_text()
    section = report.split("## The arena's fast path against the floor", 1)[1].split("\n## ", 1)[0]
    assert "3 rounds of fresh processes" in section
    row = next(line for line in section.splitlines() if line.startswith("| glibc | (b)"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[4].endswith("]") and "[" in cells[4]  # median [min, max] over rounds
    assert cells[9] != "-"  # the block-cache variant measured in the same processes


def test_a_filter_without_the_floor_cases_skips_the_pass(tmp_path):
    _need_build()
    run = tmp_path / "run"
    env = dict(os.environ, AB_BUILD_DIR=str(BUILD))
    r = subprocess.run(["bash", str(ROOT / "run_all.sh"), "--quick", "--allocators", "glibc", "--no-install",
                        "--filter", "^basic/glibc/", "--out", str(run)],
                       capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    assert not (run / "floor").exists() and "] floor" not in r.stderr
