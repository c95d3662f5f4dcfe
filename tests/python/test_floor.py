"""The report's "arena's fast path against the floor" section: ratios, verdicts, instruction counts."""

from arenabench import floor
from arenabench.runs import load_run
from fixtures import builder
from fixtures.builder import BenchSpec

PROCS = ("glibc", "jemalloc")
ITEMS = 10000


def _specs(arena_ns, floor_ns, cases=((0, 0), (0, 2), (1024, 3)), calls=lambda p: {}, cached_ns=None):
    """alloc_sizes arena_direct / bump_floor (/ arena_direct_cached) per case; times per iteration of ITEMS."""
    specs = []
    for args in cases:
        if cached_ns is not None:
            specs.append(BenchSpec("alloc_sizes", "arena_direct_cached", args,
                                   time_ns=lambda p, a=args: cached_ns[a] * ITEMS, processes=PROCS, items=ITEMS))
        specs.append(BenchSpec("alloc_sizes", "arena_direct", args, time_ns=lambda p, a=args: arena_ns[a] * ITEMS,
                               processes=PROCS, items=ITEMS, counters=calls))
        specs.append(BenchSpec("alloc_sizes", "bump_floor", args, time_ns=lambda p, a=args: floor_ns[a] * ITEMS,
                               processes=PROCS, items=ITEMS))
    return specs


def _rows(lines):
    return [[c.strip() for c in line.strip("|").split("|")] for line in lines if line.startswith("| glibc")
            or line.startswith("| jemalloc")]


def test_verdicts_follow_the_targets_and_the_interval(tmp_path):
    # (a) 1.2x (target 1.3: met), (b) 1.5x (target 1.1: missed), (c) 1.0x (target 1.5: met)
    arena = {(0, 0): 12.0, (0, 2): 15.0, (1024, 3): 20.0}
    flo = {(0, 0): 10.0, (0, 2): 10.0, (1024, 3): 20.0}
    run = load_run(builder.write_run(tmp_path / "run", _specs(arena, flo), builder.RunOptions(reps=5, noise=0)))
    lines = floor.section(run)
    rows = _rows(lines)
    assert len(rows) == 6
    got = {(r[0], r[1][:3]): (r[4], r[6]) for r in rows}
    assert got[("glibc", "(a)")][0].startswith("1.20x") and got[("glibc", "(a)")][1] == floor.MET
    assert got[("glibc", "(b)")][0].startswith("1.50x") and got[("glibc", "(b)")][1] == floor.MISSED
    assert got[("jemalloc", "(c)")][1] == floor.MET
    assert any("Target met in 4 of 6, missed in 2" in line for line in lines)
    assert all(r[7] == "-" for r in rows)  # no deterministic run: no instruction counts
    assert all(r[8] == "-" for r in rows)  # the fixture has no backing_calls counter
    assert all(r[9] == "-" for r in rows)  # no arena_direct_cached in this run
    assert not any("Over a block cache" in line for line in lines)


def test_the_block_cache_column_has_its_own_verdicts(tmp_path):
    # (c): 2.0x over malloc (missed), 1.2x over the cache (met); the counts stay arena_direct's
    arena = {(0, 0): 10.0, (0, 2): 10.0, (1024, 3): 40.0}
    cached = {(0, 0): 10.0, (0, 2): 10.0, (1024, 3): 24.0}
    flo = {(0, 0): 10.0, (0, 2): 10.0, (1024, 3): 20.0}
    run = load_run(builder.write_run(tmp_path / "run", _specs(arena, flo, cached_ns=cached),
                                     builder.RunOptions(reps=5, noise=0)))
    lines = floor.section(run)
    rows = {(r[0], r[1][:3]): r for r in _rows(lines)}
    assert rows[("glibc", "(c)")][6] == floor.MISSED
    assert rows[("glibc", "(c)")][9].startswith("1.20x") and rows[("glibc", "(c)")][9].endswith(floor.MET)
    assert rows[("jemalloc", "(a)")][9].startswith("1.00x")
    assert any("Target met in 4 of 6, missed in 2" in line for line in lines)
    assert any("Over a block cache" in line and "met in 6 of 6" in line for line in lines)


def test_backing_calls_per_allocation_are_shown(tmp_path):
    t = {(0, 0): 10.0, (0, 2): 10.0, (1024, 3): 10.0}
    specs = _specs(t, t, calls=lambda p: {"backing_calls": 1000.0})
    run = load_run(builder.write_run(tmp_path / "run", specs, builder.RunOptions(reps=5, noise=0)))
    assert {r[8] for r in _rows(floor.section(run))} == {"0.10"}


def test_a_ratio_whose_interval_straddles_the_target_is_unclear():
    assert floor.verdict(1.05, 1.2, 1.12, 1.1) == floor.UNCLEAR
    assert floor.verdict(1.11, 1.2, 1.15, 1.1) == floor.MISSED
    assert floor.verdict(None, None, 1.09, 1.1) == floor.MET


def test_instruction_counts_come_from_the_deterministic_run(tmp_path):
    t = {(0, 0): 10.0, (0, 2): 10.0, (1024, 3): 10.0}
    run = load_run(builder.write_run(tmp_path / "run", _specs(t, t), builder.RunOptions(reps=5, noise=0)))
    det_specs = [BenchSpec("alloc_sizes", "arena_direct", (0, 2), time_ns=lambda p: 73.0 * ITEMS, processes=PROCS,
                           items=ITEMS),
                 BenchSpec("alloc_sizes", "bump_floor", (0, 2), time_ns=lambda p: 64.0 * ITEMS, processes=PROCS,
                           items=ITEMS)]
    det = load_run(builder.write_deterministic_run(tmp_path / "det", det_specs))
    rows = {(r[0], r[1][:3]): r for r in _rows(floor.section(run, det))}
    assert rows[("glibc", "(b)")][7] == "73.0 / 64.0 = 1.14x"
    assert rows[("glibc", "(a)")][7] == "-"


def test_a_run_without_the_benchmarks_says_so(tmp_path):
    specs = [BenchSpec("request_response", "arena", (100,), processes=PROCS)]
    run = load_run(builder.write_run(tmp_path / "run", specs, builder.RunOptions(reps=3)))
    text = "\n".join(floor.section(run))
    assert "Not measured" in text and "arena_direct" in text


def _floor_round(path, arena_ns, floor_ns, cached_ns=None):
    """One round of the floor pass: a run folder of its own under RUN/floor/."""
    return builder.write_run(path, _specs(arena_ns, floor_ns, cached_ns=cached_ns), builder.RunOptions(reps=3, noise=0))


def test_the_floor_pass_gives_same_process_ratios_and_their_range(tmp_path):
    # The main run says 2x for (b) (two processes, placement); the three
    # same-process rounds say 1.05x, 1.08x and 1.20x.
    main = {(0, 0): 10.0, (0, 2): 20.0, (1024, 3): 10.0}
    flo = {(0, 0): 10.0, (0, 2): 10.0, (1024, 3): 10.0}
    run_dir = builder.write_run(tmp_path / "run", _specs(main, flo), builder.RunOptions(reps=5, noise=0))
    for k, b in enumerate((10.5, 10.8, 12.0), start=1):
        _floor_round(run_dir / "floor" / str(k), {(0, 0): 9.0, (0, 2): b, (1024, 3): 14.0}, flo,
                     cached_ns={(0, 0): 9.0, (0, 2): b, (1024, 3): 11.0})
    lines = floor.section(load_run(run_dir))
    rows = {(r[0], r[1][:3]): r for r in _rows(lines)}
    assert rows[("glibc", "(b)")][4] == "1.08x [1.05, 1.20]"
    assert rows[("glibc", "(b)")][6] == floor.UNCLEAR  # one round of three is above 1.1
    assert rows[("glibc", "(a)")][4] == "0.90x [0.90, 0.90]" and rows[("glibc", "(a)")][6] == floor.MET
    assert rows[("jemalloc", "(c)")][4].startswith("1.40x") and rows[("jemalloc", "(c)")][9] == "1.10x [1.10, 1.10] met"
    assert rows[("glibc", "(b)")][3] == "10.0"  # the floor's median over rounds
    assert any("3 rounds of fresh processes" in line for line in lines)
    assert any("ratio [min, max over rounds]" in line for line in lines)


def test_a_round_that_cannot_be_read_is_left_out_with_a_warning(tmp_path):
    t = {(0, 0): 10.0, (0, 2): 10.0, (1024, 3): 10.0}
    run_dir = builder.write_run(tmp_path / "run", _specs(t, t), builder.RunOptions(reps=5, noise=0))
    _floor_round(run_dir / "floor" / "1", {(0, 0): 12.0, (0, 2): 12.0, (1024, 3): 12.0}, t)
    bad = run_dir / "floor" / "2"
    bad.mkdir(parents=True)
    (bad / "bench-glibc.json").write_text("{ truncated")
    run = load_run(run_dir)
    lines = floor.section(run)
    assert _rows(lines)[0][4] == "1.20x"  # one round: no range
    assert any("floor pass" in w and "round left out" in w for w in run.warnings)
    assert any("1 round of fresh processes" in line for line in lines)
