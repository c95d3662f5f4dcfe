"""Reading runs: names, repetitions, aggregates, units, and bad input."""

import json

import pytest

from arenabench.errors import InputError
from arenabench.runs import _parse_name, load_run
from fixtures import builder


@pytest.mark.parametrize("name, expected", [
    ("request_response/arena/100", ("request_response", "arena", ("100",), 1)),
    ("arena_vs_general/jemalloc/100/real_time", ("arena_vs_general", "jemalloc", ("100",), 1)),
    ("threads_server/arena/8/threads:4", ("threads_server", "arena", ("8",), 4)),
    ("alloc_sizes/arena/size:64/repeats:5/min_time:0.1", ("alloc_sizes", "arena", ("64",), 1)),
    ("locality/glibc", ("locality", "glibc", (), 1)),
    ("BM_plain", ("BM_plain", "", (), 1)),
])
def test_parse_name_strips_google_benchmark_suffixes(name, expected):
    assert _parse_name(name) == expected


def test_repetitions_grouped_by_run_name_and_aggregates_kept_apart(small_run):
    run = load_run(small_run)
    bench = run.benchmarks[("glibc", "batch_reset/arena/10")]
    assert bench.n_reps == 5
    assert set(bench.aggregates) == {"mean", "median", "stddev", "cv"}
    assert not any(name.endswith("_median") for _, name in run.benchmarks)
    assert bench.contestant == "arena" and bench.args == ("10",)


def test_time_units_are_converted_to_ns(tmp_path):
    specs = builder.recipe_specs("holds", {"locality"})
    ns = load_run(builder.write_run(tmp_path / "ns", specs, builder.RunOptions(noise=0)))
    us = load_run(builder.write_run(tmp_path / "us", specs, builder.RunOptions(noise=0, time_unit="us")))
    key = ("glibc", "locality/arena/10000")
    assert ns.benchmarks[key].median("real_time") == pytest.approx(us.benchmarks[key].median("real_time"))


def test_aggregates_only_file_uses_the_median_as_one_sample(tmp_path):
    data = {"context": {"ab_process": "glibc"}, "benchmarks": [
        {"name": "scoped/arena/100_median", "run_name": "scoped/arena/100", "run_type": "aggregate",
         "aggregate_name": "median", "real_time": 50.0, "cpu_time": 50.0, "time_unit": "ns"}]}
    (tmp_path / "bench-glibc.json").write_text(json.dumps(data))
    run = load_run(tmp_path)
    bench = run.benchmarks[("glibc", "scoped/arena/100")]
    assert bench.from_aggregate and bench.median("real_time") == 50.0


def test_errored_benchmarks_are_recorded_not_loaded(tmp_path):
    data = {"context": {"ab_process": "glibc"}, "benchmarks": [
        {"name": "stack_arena/stack_arena/10", "run_name": "stack_arena/stack_arena/10", "run_type": "iteration",
         "error_occurred": True, "error_message": "out of memory"},
        {"name": "scoped/glibc/1", "run_name": "scoped/glibc/1", "run_type": "iteration", "real_time": 5.0}]}
    (tmp_path / "bench-glibc.json").write_text(json.dumps(data))
    run = load_run(tmp_path)
    assert run.failed == [("glibc", "stack_arena/stack_arena/10", "out of memory")]
    assert list(run.benchmarks) == [("glibc", "scoped/glibc/1")]


@pytest.mark.parametrize("content, message", [
    ('{"benchmarks": [', "not valid JSON"),
    ("", "is empty"),
    ('{"context": {}}', 'no "benchmarks" list'),
    ('[1, 2]', 'no "benchmarks" list'),
    ('{"benchmarks": [{"name": "a/b", "run_type": "iteration"}]}', "no numeric real_time"),
])
def test_malformed_bench_files_raise_input_error_naming_the_file(tmp_path, content, message):
    (tmp_path / "bench-glibc.json").write_text(content)
    with pytest.raises(InputError, match=message) as info:
        load_run(tmp_path)
    assert "bench-glibc.json" in str(info.value)


def test_empty_folder_and_missing_path(tmp_path):
    with pytest.raises(InputError, match="no bench-"):
        load_run(tmp_path)
    with pytest.raises(InputError, match="no such file"):
        load_run(tmp_path / "nope")


def test_skip_bad_keeps_the_good_files(small_run):
    (small_run / "bench-broken.json").write_text("{")
    with pytest.raises(InputError):
        load_run(small_run)
    run = load_run(small_run, skip_bad=True)
    assert "glibc" in run.processes and any("bench-broken.json" in w for w in run.warnings)


def test_broken_manifest_is_a_warning_not_an_error(small_run):
    (small_run / "manifest.json").write_text("{oops")
    run = load_run(small_run)
    assert run.manifest == {} and any("manifest" in w for w in run.warnings)
