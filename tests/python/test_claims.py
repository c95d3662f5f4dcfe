"""Every claim's verdict follows its rule: on runs built to hold, to fail, and with data missing."""

import json

import pytest

from arenabench import rules
from arenabench.claims import evaluate_claims, load_claims
from arenabench.errors import InputError
from arenabench.runs import load_run
from fixtures import builder

CLAIMS, _ = load_claims()
IDS = [c.id for c in CLAIMS]


def _verdicts(path):
    return {r.claim.id: r.outcome for r in evaluate_claims(load_run(path), CLAIMS)}


@pytest.fixture(scope="module")
def holds(holds_run):
    return _verdicts(holds_run)


@pytest.fixture(scope="module")
def fails(fails_run):
    return _verdicts(fails_run)


def test_at_least_the_twelve_recipe_claims_are_data():
    assert len(CLAIMS) >= 12
    for c in CLAIMS:
        assert c.quote and c.rule["name"] in rules.RULES and c.selection.all_workloads


@pytest.mark.parametrize("claim_id", IDS)
def test_claim_holds_on_a_run_built_to_hold(holds, claim_id):
    outcome = holds[claim_id]
    assert outcome.verdict == rules.HOLDS, outcome.summary
    assert outcome.key_number and outcome.summary
    assert outcome.ranges or outcome.checks  # never a verdict without numbers


@pytest.mark.parametrize("claim_id", IDS)
def test_claim_does_not_hold_on_a_run_built_to_fail(fails, claim_id):
    outcome = fails[claim_id]
    assert outcome.verdict == rules.FAILS, outcome.summary
    assert outcome.key_number and (outcome.ranges or outcome.checks or outcome.summary)


def test_claims_are_not_measured_when_their_benchmarks_are_absent(tmp_path):
    run = builder.write_run(tmp_path / "r", builder.recipe_specs("holds", {"request_response"}),
                            builder.RunOptions(manifest={"host": "h"}))
    outcomes = _verdicts(run)
    assert outcomes["general-5-10x"].verdict == rules.HOLDS  # request_response alone still measures it
    for claim_id in IDS:
        if claim_id in ("general-5-10x",):
            continue
        o = outcomes[claim_id]
        assert o.verdict == rules.NOT_MEASURED, claim_id
        assert o.missing, claim_id  # says what is missing
    assert any("arena_vs_general" in m for m in outcomes["arena-7-10x"].missing)
    assert any("arena_struct_size" in m for m in outcomes["memory-overhead"].missing)


def test_speedup_between_half_and_full_claim_is_holds_partly(tmp_path):
    specs = builder.recipe_specs("holds", {"arena_vs_general"})
    for s in specs:  # slow the arenas down to ~4x faster than malloc (claim: 7x; partly from 3.5x)
        if s.contestant == "arena":
            s.time_ns = (lambda f: (lambda p: f(p) * 2.0))(s.time_ns)
    o = _verdicts(builder.write_run(tmp_path / "r", specs))["arena-7-10x"]
    assert o.verdict == rules.PARTLY
    assert "4.0" in o.key_number


def test_speedup_far_below_claim_does_not_hold(tmp_path):
    """1.3x faster is not 'partly' 7-10x faster: below half the claim it does not hold."""
    specs = builder.recipe_specs("holds", {"arena_vs_general"})
    for s in specs:  # slow the arenas down to ~2x faster than malloc
        if s.contestant == "arena":
            s.time_ns = (lambda f: (lambda p: f(p) * 4.0))(s.time_ns)
    o = _verdicts(builder.write_run(tmp_path / "r", specs))["arena-7-10x"]
    assert o.verdict == rules.FAILS


def test_arena_7_10x_reports_the_recipe_setup_from_zig(holds):
    o = holds["arena-7-10x"]
    assert any("zig_arena_testing vs zig_testing (zig-debug)" in line and "recipe's own setup" in line
               for line in o.context)
    assert all("zig" not in who for who, _ in o.ranges)  # Zig is context, not verdict


def test_only_zig_processes_still_give_a_verdict(tmp_path):
    specs = builder.recipe_specs("holds", {"arena_vs_general"})
    run = builder.write_run(tmp_path / "r", specs, processes=("zig-debug",))
    o = _verdicts(run)["arena-7-10x"]
    # zig_arena_testing reaches 9x, but zig_arena_gpa (3x) and zig_arena_c (2x) do not: holds partly
    assert o.verdict == rules.PARTLY and "Only the Zig processes" in o.summary
    assert any("zig_arena_testing" in text and "9." in text for _, text in o.ranges)


def test_stack_arena_without_exhaustion_is_not_measured_for_clean_failure(tmp_path):
    specs = [s for s in builder.recipe_specs("holds", {"stack_arena"}) if s.args == (10,)]
    o = _verdicts(builder.write_run(tmp_path / "r", specs))["stack-arena"]
    assert [c.verdict for c in o.checks] == [rules.HOLDS, rules.NOT_MEASURED]
    assert o.verdict == rules.PARTLY


def test_single_repetition_uses_point_estimates(tmp_path):
    run = builder.write_run(tmp_path / "r", builder.recipe_specs("holds", {"arena_vs_general"}),
                            builder.RunOptions(reps=1))
    o = _verdicts(run)["arena-7-10x"]
    assert o.verdict == rules.HOLDS and "[" not in o.ranges[0][1]  # no interval printed


def test_unknown_workloads_are_tolerated(tmp_path):
    specs = builder.recipe_specs("holds", {"request_response"})
    specs.append(builder.BenchSpec("threads_server", "arena", (4,), time_ns=lambda p: 10.0))
    specs.append(builder.BenchSpec("threads_server", "glibc", (4,), time_ns=lambda p: 30.0, processes=("glibc",)))
    outcomes = _verdicts(builder.write_run(tmp_path / "r", specs))
    assert outcomes["general-5-10x"].verdict == rules.HOLDS


@pytest.mark.parametrize("mutation, message", [
    (lambda d: d["claims"][0]["rule"].update(name="nope"), "unknown rule"),
    (lambda d: d["claims"][0].pop("quote"), 'missing "quote"'),
    (lambda d: d["claims"].append(dict(d["claims"][0])), "duplicate id"),
])
def test_claims_file_is_validated(tmp_path, mutation, message):
    from arenabench.claims import DEFAULT_CLAIMS

    data = json.loads(DEFAULT_CLAIMS.read_text())
    mutation(data)
    path = tmp_path / "claims.json"
    path.write_text(json.dumps(data))
    with pytest.raises(InputError, match=message):
        load_claims(path)


def test_noisy_repetitions_are_inconclusive_not_failed(tmp_path):
    """Intervals that straddle both 1x and the claim decide nothing: the verdict says so."""
    specs = builder.recipe_specs("holds", {"locality"})
    run = builder.write_run(tmp_path / "r", specs, builder.RunOptions(reps=3, noise=0), processes=("glibc",))
    times = {"locality/glibc/10000": [10.0, 30.0, 90.0], "locality/arena/10000": [9.0, 20.0, 60.0]}
    f = run / "bench-glibc.json"
    data = json.loads(f.read_text())
    for e in data["benchmarks"]:
        if e["run_type"] == "iteration":
            e["real_time"] = times[e["run_name"]][e["repetition_index"]]
    f.write_text(json.dumps(data))
    o = _verdicts(run)["cache-locality"]
    assert o.verdict == rules.INCONCLUSIVE, o.summary
    assert "too much to decide" in o.summary and "1.50x" in o.key_number
