"""Shared fixtures: synthetic runs and an in-process CLI runner.

The package under test lives in plots/; the fixture builder in
tests/python/fixtures/builder.py.  Matplotlib is forced to the Agg backend.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "plots"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("MPLBACKEND", "Agg")

from fixtures import builder  # noqa: E402

#: A few workloads and processes: enough for every chart type, quick to draw.
SMALL_WORKLOADS = {"arena_vs_general", "batch_reset"}
SMALL_PROCESSES = ("glibc", "zig-debug")


@pytest.fixture(scope="session")
def holds_run(tmp_path_factory) -> Path:
    """Every workload, numbers built so that every claim holds."""
    return builder.recipe_run(tmp_path_factory.mktemp("holds") / "run", "holds")


@pytest.fixture(scope="session")
def fails_run(tmp_path_factory) -> Path:
    """Every workload, numbers built so that every claim fails."""
    return builder.recipe_run(tmp_path_factory.mktemp("fails") / "run", "fails")


def make_small_run(root: Path) -> Path:
    """Two workloads, three processes, 5 repetitions."""
    specs = builder.recipe_specs("holds", SMALL_WORKLOADS)
    return builder.write_run(root, specs, builder.RunOptions(reps=5), processes=SMALL_PROCESSES)


@pytest.fixture
def small_run(tmp_path) -> Path:
    """A fresh small run per test (tests may modify it)."""
    return make_small_run(tmp_path / "small")


@pytest.fixture
def cli(capsys):
    """Runs the command line in-process: returns (exit code, stdout, stderr)."""
    from arenabench.cli import main

    def run(*argv):
        code = main([str(a) for a in argv])
        out, err = capsys.readouterr()
        return code, out, err

    return run
