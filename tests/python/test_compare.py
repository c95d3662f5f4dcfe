"""compare: regressions are flagged, noise and identical data are not, bad input exits 2."""

import json
import shutil

import pytest

from arenabench.compare import compare_runs
from arenabench.runs import load_run
from fixtures import builder

WORKLOADS = {"request_response", "batch_reset"}


PROCESSES = ("glibc", "jemalloc", "tcmalloc")


def _run(root, slow=(), factor=1.2, seed=1, reps=10, workloads=WORKLOADS, **opts):
    """A run where benchmarks whose name is in ``slow`` take ``factor`` times longer."""
    specs = builder.recipe_specs("holds", workloads)
    for s in specs:
        if s.name in slow:
            s.time_ns = (lambda f: (lambda p: f(p) * factor))(s.time_ns)
    return builder.write_run(root, specs, builder.RunOptions(reps=reps, seed=seed, **opts), processes=PROCESSES)


def test_injected_20_percent_slowdown_is_flagged(tmp_path, cli):
    base = _run(tmp_path / "base", seed=1, workloads={"request_response"})
    cand = _run(tmp_path / "cand", slow={"request_response/arena/100"}, seed=2, workloads={"request_response"})
    code, out, err = cli("compare", base, cand, "--out", tmp_path / "out")
    assert code == 1
    assert "request_response/arena/100" in err and "regression" in err
    assert "## Regressions" in out and "+20" in out
    assert (tmp_path / "out" / "compare.md").read_text() == out
    assert (tmp_path / "out" / "compare.png").stat().st_size > 0
    result = compare_runs(load_run(base), load_run(cand))
    assert {(r.process, r.name) for r in result.regressions} == {
        (p, "request_response/arena/100") for p in PROCESSES}


def test_two_runs_of_identical_data_with_fresh_noise_are_not_flagged(tmp_path, cli):
    base = _run(tmp_path / "base", seed=1)
    cand = _run(tmp_path / "cand", seed=2)
    code, out, _ = cli("compare", base, cand, "--out", tmp_path / "out", "--no-chart")
    assert code == 0 and "0 regressed" in out


def test_a_run_compared_with_itself_is_unchanged(tmp_path, cli):
    base = _run(tmp_path / "base")
    code, out, _ = cli("compare", base, base, "--out", tmp_path / "out", "--no-chart")
    assert code == 0
    result = compare_runs(load_run(base), load_run(base))
    assert all(r.verdict == "unchanged" for r in result.rows)


def test_improvement_is_reported_but_exits_zero(tmp_path, cli):
    base = _run(tmp_path / "base", seed=1)
    cand = _run(tmp_path / "cand", slow={"batch_reset/arena/10"}, factor=0.7, seed=2)
    code, out, _ = cli("compare", base, cand, "--out", tmp_path / "out", "--no-chart")
    assert code == 0 and f"{len(PROCESSES)} improved" in out


def test_too_few_repetitions_are_insignificant_not_regressed(tmp_path):
    base = _run(tmp_path / "base", reps=3, seed=1)
    cand = _run(tmp_path / "cand", slow={"request_response/arena/100"}, reps=3, seed=2)
    result = compare_runs(load_run(base), load_run(cand))
    assert not result.regressions
    slowed = [r for r in result.rows if r.name == "request_response/arena/100"]
    assert len(slowed) == len(PROCESSES) and all(r.verdict == "insignificant" for r in slowed)
    assert any("too few repetitions" in n for n in result.notes)


def test_single_bench_files_and_single_repetition_compare_directly(tmp_path, cli):
    base = _run(tmp_path / "base", reps=1, noise=0)
    cand = _run(tmp_path / "cand", slow={"request_response/arena/100"}, reps=1, noise=0)
    code, out, err = cli("compare", base / "bench-glibc.json", cand / "bench-glibc.json", "--no-chart",
                         "--out", tmp_path / "out")
    assert code == 1 and "single sample" in out and "single repetition" in err


def test_deterministic_instruction_counts(tmp_path, cli):
    def with_instructions(root, count):
        run = _run(root, reps=3)
        for f in run.glob("bench-*.json"):
            data = json.loads(f.read_text())
            for e in data["benchmarks"]:
                e["instructions"] = count * (1.03 if "arena/100" in e["name"] else 1.0)
            f.write_text(json.dumps(data))
        return run

    base = with_instructions(tmp_path / "base", 1000.0)
    cand = with_instructions(tmp_path / "cand", 1000.0)
    data = json.loads((cand / "bench-glibc.json").read_text())
    for e in data["benchmarks"]:
        if e["run_name"] == "request_response/arena/100":
            e["instructions"] *= 1.02
    (cand / "bench-glibc.json").write_text(json.dumps(data))
    code, out, _ = cli("compare", base, cand, "--metric", "instructions", "--threshold", "0.01", "--no-chart",
                       "--out", tmp_path / "out")
    assert code == 1 and "deterministic" in out
    code, _, _ = cli("compare", base, cand, "--metric", "instructions", "--threshold", "0.05", "--no-chart",
                     "--out", tmp_path / "out")
    assert code == 0


def test_multithreaded_counts_get_the_scheduling_allowance_and_no_more(tmp_path):
    """A threaded benchmark's count may move ~1% between identical runs: a 1.5% change passes a
    1% gate for it (and only for it); a 3% change is still a regression."""
    def det_run(root, factor, mt):
        run = _run(root, reps=1)
        for f in run.glob("bench-*.json"):
            data = json.loads(f.read_text())
            for e in data["benchmarks"]:
                e["instructions"] = 1000.0 * (factor if e["run_name"].startswith("request_response/arena/") else 1.0)
                if mt and e["run_name"].startswith("request_response/"):
                    e["multithreaded"] = 1.0
            f.write_text(json.dumps(data))
        return load_run(run)

    for factor, mt, want in ((1.015, True, "unchanged"), (1.015, False, "regressed"), (1.03, True, "regressed")):
        base = det_run(tmp_path / f"b{factor}{mt}", 1.0, mt)
        cand = det_run(tmp_path / f"c{factor}{mt}", factor, mt)
        result = compare_runs(base, cand, metric="instructions", threshold=0.01)
        rows = [r for r in result.rows if r.name.startswith("request_response/arena/")]
        assert rows and {r.verdict for r in rows} == {want}, (factor, mt, rows)
        assert all(("multithreaded" in r.note) == mt for r in rows)
        others = [r for r in result.rows if not r.name.startswith("request_response/arena/")]
        assert others and {r.verdict for r in others} == {"unchanged"}


def test_benchmarks_in_only_one_run_are_listed(tmp_path, cli):
    base = _run(tmp_path / "base")
    cand = tmp_path / "cand"
    shutil.copytree(base, cand)
    (cand / "bench-tcmalloc.json").unlink()  # a missing allocator
    code, out, err = cli("compare", base, cand, "--no-chart", "--out", tmp_path / "out")
    assert code == 0
    assert "Only in the base run" in out and "only in base" in err and "(tcmalloc)" in out


@pytest.mark.parametrize("args, message", [
    (["--metric", "instructions"], "instructions"),
    (["--alpha", "0"], "--alpha"),
])
def test_bad_options_exit_2(tmp_path, cli, args, message):
    base = _run(tmp_path / "base", reps=3)
    code, _, err = cli("compare", base, base, "--no-chart", "--out", tmp_path / "out", *args)
    assert code == 2 and message in err and "Traceback" not in err


def test_no_common_benchmark_exits_2(tmp_path, cli):
    a = builder.write_run(tmp_path / "a", builder.recipe_specs("holds", {"locality"}))
    b = builder.write_run(tmp_path / "b", builder.recipe_specs("holds", {"scoped"}))
    code, _, err = cli("compare", a, b, "--no-chart", "--out", tmp_path / "out")
    assert code == 2 and "nothing to compare" in err
