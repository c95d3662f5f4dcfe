"""Pipeline test: every workload x allocator, in every process, once, briefly.

Checks what a person citing a run relies on: valid JSON; every expected
(workload, allocator, args) present; checksums equal across allocators and
processes; the malloc identity recorded and right; the counters present;
a process on the wrong malloc refuses to run; the checksum follows the input
(so the work cannot have been optimised away).

Runs the executables in $AB_BUILD_DIR (default ./build).
"""
import collections
import json
import os
import re
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("AB_BUILD_DIR", os.path.join(ROOT, "build"))
SUFFIX = re.compile(r"/(real_time|manual_time|threads:\d+|repeats:\d+|min_time:[\d.]+|iterations:\d+)$")
ALWAYS = ["checksum", "items_per_iteration", "allocs_per_iter", "bytes_requested", "minor_faults",
          "failures", "items_per_second"]
ROUTED = ["bytes_reserved", "backing_calls"]
LIBS = {"glibc": "libc.so", "jemalloc": "libjemalloc", "mimalloc": "libmimalloc", "tcmalloc": "libtcmalloc"}


def processes():
    with open(os.path.join(BUILD, "processes.txt")) as f:
        return f.read().replace(";", " ").split()


def exe(proc):
    return os.path.join(BUILD, "arenabench-" + proc)


def base_name(name):
    while SUFFIX.search(name):
        name = SUFFIX.sub("", name)
    return name


def expected_names(proc):
    out = subprocess.run([exe(proc), "--ab_list", "--ab_quick"], capture_output=True, text=True, check=True).stdout
    return {line for line in out.splitlines() if line and not line.startswith("#")}


def run_process(proc, tmp_path, env_extra=None, filt=None):
    out = tmp_path / f"bench-{proc}.json"
    cmd = [exe(proc), "--ab_quick", "--benchmark_min_time=0.0001", "--benchmark_repetitions=1",
           f"--benchmark_out={out}", "--benchmark_out_format=json"]
    if filt:
        cmd.append(f"--benchmark_filter={filt}")
    env = dict(os.environ, **(env_extra or {}))
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900)
    assert r.returncode == 0, f"{proc} exited {r.returncode}: {r.stderr[-2000:]}"
    with open(out) as f:
        return json.load(f)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pipeline")
    return {p: run_process(p, tmp) for p in processes()}


def test_all_processes_built():
    assert "glibc" in processes()


def test_valid_json_and_every_pair_present(runs):
    for proc, data in runs.items():
        got = {base_name(b["name"]) for b in data["benchmarks"]}
        missing = expected_names(proc) - got
        assert not missing, f"{proc}: missing benchmarks {sorted(missing)[:10]}"


def test_no_benchmark_reported_an_error(runs):
    errors = [(p, b["name"], b.get("error_message")) for p, d in runs.items() for b in d["benchmarks"]
              if b.get("error_occurred")]
    assert not errors, errors[:10]


def test_identity_recorded_and_correct(runs):
    for proc, data in runs.items():
        ctx = data["context"]
        assert ctx["ab_process"] == proc
        assert ctx["ab_malloc_library"] == proc
        assert LIBS[proc] in ctx["ab_malloc_path"], ctx["ab_malloc_path"]
        assert ctx["ab_malloc_version"]


def test_counters_present(runs):
    for proc, data in runs.items():
        for b in data["benchmarks"]:
            for c in ALWAYS:
                assert c in b, f"{proc} {b['name']}: counter {c} missing"
            assert 0 <= b["checksum"] < 2**53


def test_checksums_equal_across_allocators_and_processes(runs):
    by_case = collections.defaultdict(set)
    where = collections.defaultdict(list)
    for proc, data in runs.items():
        for b in data["benchmarks"]:
            parts = base_name(b["name"]).split("/")
            case = (parts[0], tuple(parts[2:]))
            by_case[case].add(b["checksum"])
            where[case].append((proc, parts[1], b["checksum"]))
    bad = {c: where[c] for c, v in by_case.items() if len(v) != 1}
    assert not bad, f"checksum mismatch: {list(bad.items())[:3]}"


def test_arena_counters_make_sense(runs):
    for b in runs["glibc"]["benchmarks"]:
        name = base_name(b["name"])
        if name.split("/")[1] in ("arena", "pool", "glibc"):
            for c in ROUTED:
                assert c in b, f"{name}: {c} missing"
        if name.startswith("stack_arena/stack_arena/"):
            assert b["backing_calls"] == 0, f"{name}: the stack-backed arena called the heap"


def test_wrong_malloc_refuses_to_run():
    procs = processes()
    if "jemalloc" not in procs:
        pytest.skip("jemalloc process not built (libjemalloc-dev missing)")
    jem = subprocess.run([exe("jemalloc"), "--ab_identity"], capture_output=True, text=True)
    path = json.loads(jem.stdout)["path"]
    # glibc's executable with jemalloc preloaded: its malloc is not glibc's.
    r = subprocess.run([exe("glibc"), "--benchmark_filter=arena_vs_general"], capture_output=True, text=True,
                       env=dict(os.environ, LD_PRELOAD=path))
    assert r.returncode == 3 and "refusing to measure" in r.stderr, r.stderr
    # And a process told to expect another malloc than the one it has.
    r = subprocess.run([exe("glibc"), "--ab_list"], capture_output=True, text=True,
                       env=dict(os.environ, AB_EXPECT_MALLOC="mimalloc"))
    assert r.returncode == 3 and "expected mimalloc" in r.stderr


def test_checksum_follows_the_input(tmp_path):
    """If the compiler had deleted the work, the checksum would not move with the input."""
    a = run_process("glibc", tmp_path, filt="/(glibc|arena)/")
    b = run_process("glibc", tmp_path, env_extra={"AB_SEED": "12345"}, filt="/(glibc|arena)/")
    ca = {base_name(x["name"]): x["checksum"] for x in a["benchmarks"]}
    cb = {base_name(x["name"]): x["checksum"] for x in b["benchmarks"]}
    seeded = [n for n in ca if ca[n] != cb.get(n)]
    # Workloads with generated inputs must react to the seed...
    assert len(seeded) >= len(ca) // 2, f"only {len(seeded)} of {len(ca)} checksums followed AB_SEED"
    # ...and the recipe's fixed test reacts to its size argument.
    avg = {n: c for n, c in ca.items() if n.startswith("arena_vs_general/glibc/")}
    assert len(set(avg.values())) == len(avg) > 1
