#!/usr/bin/env python3
"""manifest.py -- write and update results/<run>/manifest.json (stdlib only).

  manifest.py init RUN_DIR BUILD_DIR -- COMMAND...   machine, compiler, libraries, git, command line
  manifest.py part RUN_DIR NAME STATUS SECONDS [ERROR]  record one part (ok / failed / skipped)
  manifest.py finish RUN_DIR complete|incomplete

Every write goes to a temporary file that is renamed over the old one, so an
interrupted run never leaves a half-written manifest.
"""
import datetime
import json
import os
import platform
import re
import socket
import subprocess
import sys


def sh(cmd):
    """Output of a command, or '' when it fails."""
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_atomic(path, data):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(data, f, indent=2, sort_keys=True)
        f.write("\n")
    os.replace(tmp, path)


def load(run_dir):
    with open(os.path.join(run_dir, "manifest.json")) as f:
        return json.load(f)


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def cache_value(build_dir, key):
    try:
        with open(os.path.join(build_dir, "CMakeCache.txt")) as f:
            for line in f:
                if line.startswith(key + ":"):
                    return line.split("=", 1)[1].strip()
    except OSError:
        pass
    return ""


def package_versions():
    names = ["libc6", "libjemalloc2", "libmimalloc2.0", "libgoogle-perftools4", "libtcmalloc-minimal4",
             "libbenchmark1debian", "libapr1", "libtalloc2", "libsqlite3-0", "liblua5.4-0", "libcjson1",
             "libexpat1", "zlib1g", "valgrind", "gcc-12", "clang-14"]
    out = sh("dpkg-query -W -f='${Package} ${Version}\\n' " + " ".join(names) + " 2>/dev/null")
    versions = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2:
            versions[parts[0]] = parts[1]
    return versions


def init(run_dir, build_dir, command):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    cc = cache_value(build_dir, "CMAKE_C_COMPILER")
    data = {
        "host": socket.gethostname(),
        "cpu_model": cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "kernel": platform.release(),
        "os": sh(". /etc/os-release 2>/dev/null && echo \"$PRETTY_NAME\""),
        "compiler": sh(f"'{cc}' --version | head -1") if cc else "",
        "cxx_compiler": sh(f"'{cache_value(build_dir, 'CMAKE_CXX_COMPILER')}' --version | head -1"),
        "build_type": cache_value(build_dir, "CMAKE_BUILD_TYPE"),
        "cflags": " ".join(filter(None, [cache_value(build_dir, "CMAKE_C_FLAGS"),
                                         cache_value(build_dir, "CMAKE_C_FLAGS_RELEASE"), "-Wall -Wextra"])),
        "libraries": package_versions(),
        "git_revision": sh(f"git -C '{root}' rev-parse HEAD"),
        "git_dirty": bool(sh(f"git -C '{root}' status --porcelain --untracked-files=no")),
        "command_line": command,
        "started_utc": now(),
        "finished_utc": None,
        "parts": [],
        "complete": False,
        "cpu_governor": sh("cat /sys/devices/system/cpu/cpu0/cpufreq/scaling_governor 2>/dev/null") or "n/a",
        "perf_event_paranoid": sh("cat /proc/sys/kernel/perf_event_paranoid 2>/dev/null"),
        "transparent_hugepages": sh("cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null"),
    }
    # Overheads the report cites from the code, read from the build (same in every process).
    for name in ("ab_arena_struct_size", "ab_arena_block_header_size"):
        data[name.replace("ab_", "", 1)] = None
    write_atomic(os.path.join(run_dir, "manifest.json"), data)


def part(run_dir, name, status, seconds, error=""):
    data = load(run_dir)
    data["parts"] = [p for p in data["parts"] if p["name"] != name]
    data["parts"].append({"name": name, "status": status, "seconds": round(float(seconds), 1), "error": error})
    # The arena sizes come from any process's JSON context.
    bench = os.path.join(run_dir, f"bench-{name}.json")
    if status == "ok" and os.path.exists(bench):
        try:
            with open(bench) as f:
                ctx = json.load(f).get("context", {})
            for key in ("ab_arena_struct_size", "ab_arena_block_header_size"):
                if key in ctx:
                    data[key.replace("ab_", "", 1)] = int(ctx[key])
        except (OSError, ValueError):
            pass
    write_atomic(os.path.join(run_dir, "manifest.json"), data)


def finish(run_dir, state):
    data = load(run_dir)
    data["finished_utc"] = now()
    data["complete"] = state == "complete" and all(p["status"] != "failed" for p in data["parts"])
    write_atomic(os.path.join(run_dir, "manifest.json"), data)
    return 0 if data["complete"] else 1


def main(argv):
    if len(argv) >= 3 and argv[0] == "init" and "--" in argv:
        i = argv.index("--")
        init(argv[1], argv[2], " ".join(argv[i + 1:]))
        return 0
    if len(argv) in (5, 6) and argv[0] == "part":
        part(*argv[1:])
        return 0
    if len(argv) == 3 and argv[0] == "finish":
        return finish(argv[1], argv[2])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
