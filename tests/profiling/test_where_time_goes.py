"""where_time_goes.sh: a Markdown report with callgrind (and perf, when it records) top functions."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from profiling_helpers import ROOT


@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind not installed")
def test_report(build, tmp_path, benchmarks):
    name = "arena_vs_general/arena/100"
    assert name in benchmarks["quick"]
    r = subprocess.run(["bash", str(ROOT / "profiling" / "where_time_goes.sh"), f"^{name}$", str(tmp_path),
                        "--build", str(build), "--allocators", "glibc", "--quick", "--min-time", "0.05",
                        "--top", "5"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    md = (tmp_path / "where_time_goes.md").read_text()
    assert f"## {name} (glibc process)" in md
    assert "callgrind:" in md and "instructions per iteration" in md
    assert "| Ir per iteration | % | function | object |" in md
    # perf either profiled it or said in one line why not
    assert "perf (" in md or "**perf**: not run:" in md
