"""The report's "Why: per workload" section: per-op numbers, the args rule, degradation, errors."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from arenabench import why
from arenabench.errors import InputError
from arenabench.runs import load_run
from fixtures import builder
from fixtures.builder import BenchSpec

SCRIPT = Path(__file__).resolve().parents[2] / "plots" / "arenabench_plots.py"
PROCS = ("glibc", "jemalloc")


def _timing_specs(workload="request_response", args_list=((100,),), arena_ns=1000.0, arena_faults=0.0,
                  hw=False):
    """glibc/jemalloc malloc at 2000 ns per iteration and an arena, 100 items, per args set in order."""
    specs = []
    for args in args_list:
        for process in PROCS:
            extra = {"hw_instructions": 40000.0, "hw_cycles": 60000.0, "hw_l1d_misses": 700.0,
                     "hw_llc_misses": 30.0} if hw else {}
            specs.append(BenchSpec(workload, process, args, time_ns=lambda p: 2000.0, processes=(process,),
                                   counters=lambda p, e=extra: dict(e, minor_faults=0.0, allocs_per_iter=300.0,
                                                                    backing_calls=600.0)))
        specs.append(BenchSpec(workload, "arena", args, time_ns=lambda p, t=arena_ns: t, processes=PROCS,
                               counters=lambda p, f=arena_faults: {"minor_faults": f, "allocs_per_iter": 300.0,
                                                                   "backing_calls": 4.0}))
    return specs


def _det_specs(workload="request_response", args_list=((100,),), processes=PROCS, cache_sim=True,
               multithreaded=False, contestants=("malloc", "arena")):
    """Deterministic counts: malloc 12,345 instructions per iteration, the arena 5,000."""
    specs = []
    mt = {"multithreaded": 1.0} if multithreaded else {}
    for args in args_list:
        if "malloc" in contestants:
            for process in processes:
                misses = {"d1_misses": 250.0, "ll_misses": 10.0} if cache_sim else {}
                specs.append(BenchSpec(workload, process, args, time_ns=lambda p: 12345.0, processes=(process,),
                                       counters=lambda p, m=misses: dict(m, **mt)))
        if "arena" in contestants:
            misses = {"d1_misses": 50.0, "ll_misses": 2.0} if cache_sim else {}
            specs.append(BenchSpec(workload, "arena", args, time_ns=lambda p: 5000.0, processes=processes,
                                   counters=lambda p, m=misses: dict(m, **mt)))
    return specs


def _timing(tmp_path, specs=None, **kw) -> Path:
    return builder.write_run(tmp_path / "run", specs or _timing_specs(**kw), builder.RunOptions(reps=5, noise=0))


def _section(text: str) -> str:
    """The section's Markdown, up to the footer."""
    start = text.index("## Why: per workload")
    return text[start:text.index("\n---\n", start)]


def _row(section: str, label: str) -> list[str]:
    """The cells of a table row by its allocator label."""
    for line in section.splitlines():
        if line.startswith(f"| {label} |"):
            return [c.strip() for c in line.strip("|").split("|")]
    raise AssertionError(f"no row {label!r} in:\n{section}")


def _header(section: str) -> list[str]:
    line = next(line for line in section.splitlines() if line.startswith("| allocator |"))
    return [c.strip() for c in line.strip("|").split("|")]


def _report(cli, run: Path, *extra) -> str:
    code, out, err = cli("report", run, "--no-charts", *extra)
    assert code == 0, err
    return (run / "report.md").read_text()


def test_per_op_numbers_from_both_runs(tmp_path, cli):
    run = _timing(tmp_path, arena_faults=5.0)
    det = builder.write_deterministic_run(tmp_path / "det", _det_specs(), cache_sim=True)
    text = _report(cli, run, "--deterministic", det)
    section = _section(text)
    header = _header(section)
    assert header[:4] == ["allocator", "ns/op, median (min-max)", "speedup vs malloc", "instr/op"]
    glibc = dict(zip(header, _row(section, "glibc")))
    arena = dict(zip(header, _row(section, "arena (over glibc)")))
    # time per op = real_time / items; instructions per op = instructions / items_per_iteration
    ns = "ns/op, median (min-max)"
    assert glibc[ns] == "20.0 (20.0-20.0)" and arena[ns] == "10.0 (10.0-10.0)"
    assert glibc["instr/op"] == "123" and arena["instr/op"] == "50.0"
    assert glibc["D1 miss/op (sim)"] == "2.50" and arena["D1 miss/op (sim)"] == "0.50"
    assert glibc["LL miss/op (sim)"] == "0.10" and arena["LL miss/op (sim)"] == "0.02"
    assert arena["faults/op"] == "0.05" and glibc["faults/op"] == "0"
    assert glibc["allocs/op"] == "3.00" and glibc["backing calls/op"] == "6.00" and arena["backing calls/op"] == "0.04"
    assert arena["speedup vs malloc"] == "2.00x" and glibc["speedup vs malloc"] == "(baseline)"
    assert "Against glibc's malloc, arena runs 2.00x faster and executes 2.47x fewer instructions per op " \
           "(50.0 vs 123); page faults are 0.05 vs 0 per op" in section
    # no hardware counters in the timing run: said once, with where the counts come from instead
    assert section.count("Hardware counters were not available") == 1
    assert "instructions and misses come from callgrind" in section
    # linked from the top, placed before the footer
    assert "[Why: per workload](#why-per-workload)" in text.split("## Summary")[0]
    assert text.index("## Why: per workload") < text.index("\n---\nGenerated by")


def test_args_choice_follows_the_rule(tmp_path):
    args_list = ((10,), (100,), (1000,))
    run = load_run(_timing(tmp_path, args_list=args_list))
    det = why.load_deterministic(builder.write_deterministic_run(tmp_path / "det",
                                                                 _det_specs(args_list=((1000,), (100,)))))
    # the first set in the *timing run's* order that the deterministic run has
    assert why.choose_args(run, det, "request_response") == (("100",), True)
    assert why.choose_args(run, None, "request_response") == (("10",), False)
    other = why.load_deterministic(builder.write_deterministic_run(tmp_path / "other", _det_specs(args_list=((50,),)),
                                                                   quick=True))
    assert why.choose_args(run, other, "request_response") == (("10",), False)
    section = "\n".join(why.section(run, other))
    assert "Arguments `10` (the first in the run; the deterministic run has this workload only at other arguments)" \
        in section
    assert "measured only at other arguments (a --quick run" in section
    assert "deterministic: 50; this run: 10, 100, 1000" in section
    assert _row(section, "arena (over glibc)")[3] == "-"


def test_workloads_in_run_order(tmp_path):
    specs = _timing_specs("zeta_work") + _timing_specs("alpha_work")
    run = load_run(builder.write_run(tmp_path / "run", specs, builder.RunOptions(reps=3, noise=0)))
    section = "\n".join(why.section(run, None))
    assert section.index("### zeta_work") < section.index("### alpha_work")


def test_without_deterministic_data_the_section_degrades_with_the_hint(tmp_path, cli):
    run = _timing(tmp_path)
    code, out, _ = cli("report", run, "--no-charts")
    assert code == 0 and "no deterministic run" in out
    section = _section((run / "report.md").read_text())
    assert "### request_response" in section
    assert "instr/op" not in _header(section) and "ns/op, median (min-max)" in _header(section)
    assert "./run_all.sh --why RUN" in section and "RUN/deterministic/" in section
    assert "Hardware counters were not available" in section
    assert "Against glibc's malloc, arena runs 2.00x faster; page faults are 0 vs 0 per op." in section


def test_multithreaded_entries_are_marked(tmp_path):
    run = load_run(_timing(tmp_path))
    det = why.load_deterministic(builder.write_deterministic_run(tmp_path / "det", _det_specs(multithreaded=True)))
    section = "\n".join(why.section(run, det))
    assert _row(section, "arena (over glibc)")[3] == "50.0 (mt)"
    assert "(mt): other threads ran in the timed loop" in section
    plain = why.load_deterministic(builder.write_deterministic_run(tmp_path / "plain", _det_specs()))
    section = "\n".join(why.section(run, plain))
    assert "(mt)" not in section


def test_run_deterministic_folder_is_used_automatically(tmp_path, cli):
    run = _timing(tmp_path)
    builder.write_deterministic_run(run / "deterministic", _det_specs(cache_sim=False))
    code, out, _ = cli("report", run, "--no-charts")
    assert code == 0 and f"instruction counts from {run / 'deterministic'}" in out
    section = _section((run / "report.md").read_text())
    assert _row(section, "glibc")[3] == "123"
    assert "D1 miss/op (sim)" not in _header(section)
    assert "it ran without `--cache-sim`" in section


def test_partial_match_shows_dashes_and_lists_what_is_missing(tmp_path):
    run = load_run(_timing(tmp_path))
    det = why.load_deterministic(builder.write_deterministic_run(
        tmp_path / "det", _det_specs(processes=("glibc",)) + _det_specs("det_only", processes=("glibc",))))
    section = "\n".join(why.section(run, det))
    assert _row(section, "glibc")[3] == "123"
    assert _row(section, "jemalloc")[3] == "-" and _row(section, "arena (over jemalloc)")[4] == "-"
    assert section.count("Processes not in the deterministic run") == 1 and "jemalloc." in section
    assert "In the deterministic run only (not shown): workloads det_only." in section
    assert "### det_only" not in section
    # one contestant missing where its process is present
    det2 = why.load_deterministic(builder.write_deterministic_run(tmp_path / "det2",
                                                                  _det_specs(contestants=("malloc",))))
    section = "\n".join(why.section(run, det2))
    assert "Missing from the deterministic run at the chosen arguments" in section
    assert "request_response `100`: arena over glibc" in section
    assert _row(section, "arena (over glibc)")[3] == "-"


def test_time_not_following_instructions_points_at_page_faults(tmp_path):
    # same time, 2.47x fewer instructions, but 0.10 page faults per op more
    run = load_run(_timing(tmp_path, arena_ns=2000.0, arena_faults=10.0))
    det = why.load_deterministic(builder.write_deterministic_run(tmp_path / "det", _det_specs()))
    section = "\n".join(why.section(run, det))
    assert ("executes 2.47x fewer instructions per op (50.0 vs 123); time does not follow instructions here "
            "(same time, 2.47x fewer instructions): per op, arena has 0.10 vs 0 page faults against its malloc"
            in section)
    assert "at the probe's 250 ns per first touch" in section


def test_time_following_instructions_is_not_flagged(tmp_path):
    run = load_run(_timing(tmp_path, arena_ns=800.0))  # 2.5x faster, 2.47x fewer instructions
    det = why.load_deterministic(builder.write_deterministic_run(tmp_path / "det", _det_specs()))
    section = "\n".join(why.section(run, det))
    assert "time does not follow" not in section
    assert "time follows instructions within 1.5x" in section  # the jemalloc comparison


def test_hardware_counters_shown_when_present(tmp_path):
    run = load_run(_timing(tmp_path, hw=True))
    section = "\n".join(why.section(run, None))
    header = _header(section)
    assert {"hw instr/op", "hw cycles/op", "hw L1d miss/op", "hw LLC miss/op"} <= set(header)
    assert dict(zip(header, _row(section, "glibc")))["hw instr/op"] == "400"
    assert "Hardware counters were not available" not in section


def test_timing_run_is_refused_as_deterministic(tmp_path):
    run = _timing(tmp_path)
    with pytest.raises(InputError, match=r"bench-glibc\.json: not a deterministic run"):
        why.load_deterministic(run)


def _cli(*args):
    proc = subprocess.run([sys.executable, str(SCRIPT), *map(str, args)], capture_output=True, text=True,
                          timeout=120)
    return proc.returncode, proc.stdout, proc.stderr


@pytest.mark.parametrize("where", ["option", "auto"])
def test_malformed_deterministic_file_is_a_clear_error(tmp_path, where):
    run = _timing(tmp_path)
    det = builder.write_deterministic_run(tmp_path / "det" if where == "option" else run / "deterministic",
                                          _det_specs())
    (det / "bench-jemalloc.json").write_text('{"context": {"ab_mode": "deterministic"}, "benchmarks": [{"name": ')
    extra = ["--deterministic", det] if where == "option" else []
    code, _, err = _cli("report", run, "--no-charts", *extra)
    assert code == 2 and "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("arenabench: error:")]
    assert len(lines) == 1 and "bench-jemalloc.json" in lines[0] and "not valid JSON" in lines[0]
    assert re.search(r"deterministic", lines[0])


def test_missing_deterministic_folder_is_a_clear_error(tmp_path, cli):
    run = _timing(tmp_path)
    code, _, err = cli("report", run, "--no-charts", "--deterministic", tmp_path / "nowhere")
    assert code == 2 and "nowhere: no such file or folder" in err


def test_checksum_difference_between_runs_is_flagged(tmp_path):
    run = load_run(_timing(tmp_path))
    det_dir = builder.write_deterministic_run(tmp_path / "det", _det_specs())
    f = det_dir / "bench-glibc.json"
    data = json.loads(f.read_text())
    data["benchmarks"][0]["checksum"] = 1.0
    f.write_text(json.dumps(data))
    section = "\n".join(why.section(run, why.load_deterministic(det_dir)))
    assert "**Checksum differs**" in section and "request_response `100`: glibc" in section
