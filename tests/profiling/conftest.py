"""Shared fixtures for the profiling tests (run: /usr/bin/python3 -m pytest -q tests/profiling).

The build directory is $AB_BUILD_DIR, else build/ at the top of the tree; the
tests are skipped when its executables are missing.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from profiling_helpers import ROOT  # noqa: E402


def build_dir() -> Path:
    return Path(os.environ.get("AB_BUILD_DIR", ROOT / "build")).resolve()


@pytest.fixture(scope="session")
def build() -> Path:
    b = build_dir()
    if not (b / "arenabench-glibc").exists():
        pytest.skip(f"no arenabench-glibc in {b} (build first: cmake -S . -B build -G Ninja && ninja -C build)")
    return b


@pytest.fixture(scope="session")
def glibc(build) -> Path:
    return build / "arenabench-glibc"


@pytest.fixture(scope="session")
def benchmarks(glibc):
    """Benchmark names of the glibc process: {'full': [...], 'quick': [...]}."""
    def names(*extra):
        out = subprocess.run([str(glibc), "--ab_list", *extra], capture_output=True, text=True, check=True).stdout
        return [line for line in out.splitlines() if line and not line.startswith("#")]
    return {"full": names(), "quick": names("--ab_quick")}
