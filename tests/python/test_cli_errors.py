"""Bad input: one clear line on stderr, exit status 2, never a traceback (real subprocesses)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "plots" / "arenabench_plots.py"


def run(*args, python=sys.executable, env=None):
    proc = subprocess.run([python, str(SCRIPT), *map(str, args)], capture_output=True, text=True, timeout=120,
                          env=env)
    return proc.returncode, proc.stdout, proc.stderr


def _assert_clean_error(code, err, *fragments):
    assert code == 2, err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("arenabench: error:")]
    assert len(lines) == 1, err
    for fragment in fragments:
        assert fragment in lines[0]


def test_malformed_json(tmp_path):
    (tmp_path / "bench-glibc.json").write_text('{"benchmarks": [{"name": ')
    code, _, err = run("report", tmp_path)
    _assert_clean_error(code, err, "bench-glibc.json", "not valid JSON")


def test_empty_run_folder(tmp_path):
    code, _, err = run("charts", tmp_path)
    _assert_clean_error(code, err, "no bench-")


def test_compare_with_missing_path(tmp_path):
    code, _, err = run("compare", tmp_path / "a", tmp_path / "b")
    _assert_clean_error(code, err, "no such file")


def test_help_and_usage_errors():
    code, out, _ = run("--help")
    assert code == 0 and "charts" in out and "report" in out and "compare" in out
    code, out, _ = run("compare", "--help")
    assert code == 0 and "--threshold" in out and "--alpha" in out
    code, _, err = run("frobnicate")
    assert code == 2 and "Traceback" not in err


def _python_without_numpy():
    """An interpreter on this machine that cannot import numpy, or None."""
    for python in (shutil.which("python3"), "/root/.pyenv/shims/python3", "/usr/local/bin/python3"):
        if python and os.path.exists(python):
            probe = subprocess.run([python, "-c", "import numpy"], capture_output=True)
            if probe.returncode != 0:
                return python
    return None


def test_finds_a_capable_interpreter_when_started_with_one_lacking_numpy():
    """The first python3 on PATH may lack numpy: the script re-runs itself with one that has it."""
    bare = _python_without_numpy()
    if bare is None:
        pytest.skip("no interpreter without numpy on this machine")
    code, out, _ = run("--help", python=bare)
    assert code == 0 and "compare" in out


def test_says_what_to_install_when_no_interpreter_has_the_packages():
    bare = _python_without_numpy()
    if bare is None:
        pytest.skip("no interpreter without numpy on this machine")
    env = dict(os.environ, ARENABENCH_PLOTS_REEXEC="1")  # as if every other interpreter had been tried
    code, _, err = run("--help", python=bare, env=env)
    assert code == 2 and "apt-get install python3-matplotlib python3-numpy python3-scipy" in err
    assert "Traceback" not in err
