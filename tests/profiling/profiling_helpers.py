"""Helpers for the profiling tests (a module of its own: conftest is not importable by name
when several test folders run in one pytest)."""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PY = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else "python3"


def run_bench(exe: Path, *args: str, env: dict | None = None, timeout: float = 120):
    """Runs exe with JSON output on stdout; returns (returncode, json-or-None, stderr)."""
    e = dict(os.environ)
    e.pop("AB_FORCE_NO_HW_COUNTERS", None)
    e.update(env or {})
    r = subprocess.run([str(exe), *args, "--benchmark_format=json"], capture_output=True, text=True, env=e,
                       timeout=timeout)
    try:
        data = json.loads(r.stdout)
    except ValueError:
        data = None
    return r.returncode, data, r.stderr
