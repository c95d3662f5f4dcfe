#!/usr/bin/env python3
"""arenabench plots: charts, the claim-check report, and run comparison.

Usage:
    plots/arenabench_plots.py charts  RUN_DIR
    plots/arenabench_plots.py report  RUN_DIR
    plots/arenabench_plots.py compare BASE_RUN CANDIDATE_RUN [--threshold 0.05] [--alpha 0.05]
    plots/arenabench_plots.py claims
    plots/arenabench_plots.py COMMAND --help

Needs numpy, scipy and matplotlib.  If the interpreter running this script
lacks them (e.g. a pyenv python3 first on PATH), the script re-runs itself
with the first interpreter that has them (/usr/bin/python3 on Debian), and
otherwise says what to install.  This file uses only the standard library.
"""

import os
import shutil
import subprocess
import sys

REQUIRED = ("numpy", "scipy", "matplotlib")
INSTALL_HINT = "apt-get install python3-matplotlib python3-numpy python3-scipy"
_REEXEC_FLAG = "ARENABENCH_PLOTS_REEXEC"


def _has_requirements() -> bool:
    """True if this interpreter can import every required package."""
    import importlib.util

    return all(importlib.util.find_spec(name) is not None for name in REQUIRED)


def _candidates():
    """Other interpreters to try, most likely first, without duplicates."""
    seen = {os.path.realpath(sys.executable)}
    names = ["/usr/bin/python3", "/usr/local/bin/python3"]
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        names.append(os.path.join(directory, "python3"))
    for name in names:
        path = shutil.which(name) if not os.path.isabs(name) else (name if os.access(name, os.X_OK) else None)
        if path and os.path.realpath(path) not in seen:
            seen.add(os.path.realpath(path))
            yield path


def _reexec_with_capable_interpreter() -> None:
    """Replaces this process with an interpreter that has the packages, or exits 2."""
    if os.environ.get(_REEXEC_FLAG):
        sys.stderr.write(f"arenabench: error: {sys.executable} lacks {', '.join(REQUIRED)}; install: {INSTALL_HINT}\n")
        sys.exit(2)
    probe = "import " + ", ".join(REQUIRED)
    for python in _candidates():
        try:
            ok = subprocess.run([python, "-c", probe], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                timeout=60).returncode == 0
        except (OSError, subprocess.SubprocessError):
            ok = False
        if ok:
            env = dict(os.environ, **{_REEXEC_FLAG: "1"})
            os.execve(python, [python, os.path.abspath(__file__), *sys.argv[1:]], env)
    sys.stderr.write(
        f"arenabench: error: no Python interpreter with {', '.join(REQUIRED)} found "
        f"(tried {sys.executable} and python3 on PATH); install them: {INSTALL_HINT}\n")
    sys.exit(2)


def main() -> int:
    """Entry point: check the interpreter, then run the command line."""
    if not _has_requirements():
        _reexec_with_capable_interpreter()
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from arenabench.cli import main as cli_main

    return cli_main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
