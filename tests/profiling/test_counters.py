"""perf_event_open counters: selection, and graceful degradation without a PMU."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess

import pytest

from profiling_helpers import run_bench

FILTER = "--benchmark_filter=^arena_vs_general/(glibc|arena)/100(/|$)"
BASE = ("--ab_quick", "--ab_iterations=3", FILTER)
HW = ("hw_cycles", "hw_instructions", "hw_l1d_misses", "hw_llc_misses", "hw_branch_misses", "hw_dtlb_misses")
SW = ("sw_page_faults", "sw_major_faults", "sw_context_switches")


def live_and_unavailable(context: str) -> tuple[set, set]:
    head, _, rest = context.partition("; unavailable: ")
    live = set() if head.startswith("none") else set(head.split(";")[0].split(","))
    unavailable = set(re.findall(r"(\w+) \(", rest.split(";")[0])) if rest else set()
    return live, unavailable


def test_forced_unavailable_hardware_counters_degrade(glibc):
    rc, data, err = run_bench(glibc, *BASE, env={"AB_FORCE_NO_HW_COUNTERS": "1"})
    assert rc == 0, err
    msg = "arenabench: hardware counters unavailable here (AB_FORCE_NO_HW_COUNTERS=1)"
    assert err.count(msg) == 1, err  # said once, not per benchmark
    ctx = data["context"]["ab_counters"]
    live, unavailable = live_and_unavailable(ctx)
    assert set(HW) <= unavailable, ctx
    assert "hw_cycles (AB_FORCE_NO_HW_COUNTERS)" in ctx
    assert len(data["benchmarks"]) == 2
    for b in data["benchmarks"]:
        assert not b.get("error_occurred"), b
        assert not [k for k in b if k.startswith("hw_")], b  # no zeros that look like data
        for name in SW:
            assert (name in b) == (name in live), (name, ctx, b)


def test_default_emits_exactly_the_live_counters(glibc):
    rc, data, err = run_bench(glibc, *BASE)
    assert rc == 0, err
    live, unavailable = live_and_unavailable(data["context"]["ab_counters"])
    assert live | unavailable == set(HW) | set(SW), data["context"]["ab_counters"]
    for b in data["benchmarks"]:
        emitted = {k for k in b if k.startswith(("hw_", "sw_")) and k != "hw_running_fraction"}
        assert emitted == live, (emitted, live)
    if set(HW) & unavailable:
        assert "hardware counters unavailable here" in err or "some hardware counters unavailable" in err


def test_none_and_selection(glibc):
    rc, data, err = run_bench(glibc, *BASE, "--ab_counters=none")
    assert rc == 0, err
    assert data["context"]["ab_counters"].startswith("none")
    assert not [k for b in data["benchmarks"] for k in b if k.startswith(("hw_", "sw_"))]
    rc, data, err = run_bench(glibc, *BASE, "--ab_counters=sw_context_switches")
    assert rc == 0, err
    live, _ = live_and_unavailable(data["context"]["ab_counters"])
    assert live <= {"sw_context_switches"}
    for b in data["benchmarks"]:
        assert {k for k in b if k.startswith(("hw_", "sw_"))} == live


def test_unknown_counter_is_refused_with_the_valid_names(glibc):
    rc, _, err = run_bench(glibc, *BASE, "--ab_counters=hw_cycles,bogus")
    assert rc == 2
    assert "unknown counter 'bogus'" in err
    for name in HW + SW + ("default", "none"):
        assert name in err


def test_unprivileged_user_degrades_too(glibc):
    """As a user without perf rights (perf_event_paranoid=2: no kernel-side counting)."""
    if os.geteuid() != 0 or shutil.which("runuser") is None:
        pytest.skip("needs root (to run as nobody) and runuser")
    r = subprocess.run(["runuser", "-u", "nobody", "--", str(glibc), *BASE, "--benchmark_format=json"],
                       capture_output=True, text=True, timeout=120)
    if r.returncode != 0 and "Permission denied" in r.stderr:
        pytest.skip("the build directory is not readable by nobody")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    live, unavailable = live_and_unavailable(data["context"]["ab_counters"])
    assert live | unavailable == set(HW) | set(SW)
    for b in data["benchmarks"]:
        assert {k for k in b if k.startswith(("hw_", "sw_")) and k != "hw_running_fraction"} == live
