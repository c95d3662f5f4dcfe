"""Verdict rules: functions that turn measurements into a verdict with numbers.

A claim in ``plots/claims.json`` names a rule and its thresholds::

    "benchmarks": {"workloads": ["arena_vs_general"], "subjects": ["arena"], "args": ["100"]},
    "rule": {"name": "ratio", "metric": "real_time", "holds_at": 7, "partly_above": 1}

:func:`evaluate` looks the rule up in :data:`RULES` and calls it with a
:class:`Selection` (which benchmarks) and the rule's parameters.  Every rule
returns an :class:`Outcome`: one of the four verdicts, the key number, a
summary sentence, the measured range per allocator, an explanation from the
counters, and what was missing.  A rule never returns a verdict without the
numbers behind it: if the benchmarks it needs are absent, the verdict is
``not measured on this machine`` and ``missing`` says what is absent.

Rules (each documented on its function, and in ``plots/README.md``):

``ratio``               baseline/subject ratio of medians (speed or memory)
``scaling``             log-log slope of a metric against a workload argument
``counter_bound``       a counter stays at or below a bound
``failures_counted``    a bounded allocator reports its failures
``manifest_value``      a size recorded in manifest.json (from the code)
``per_alloc_overhead``  marginal bytes reserved per allocation beyond the request
``footprint``           peak memory in items' worth: no accumulation over an iteration
``arena_loses``         the recipe's "avoid when" cases: the arena loses time or memory
``all_of``              several of the above; the verdict combines them
"""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import median
from typing import Callable

import numpy as np

from . import analysis, naming
from .runs import Run, args_label
from .stats import fmt_num, loglog_slope

HOLDS = "holds"
PARTLY = "holds partly"
FAILS = "does not hold"
#: The data exist but are too noisy to decide (intervals straddle the
#: thresholds): neither "holds" nor "does not hold" would be honest.
INCONCLUSIVE = "inconclusive (too noisy)"
NOT_MEASURED = "not measured on this machine"
VERDICTS = (HOLDS, PARTLY, FAILS, INCONCLUSIVE, NOT_MEASURED)


@dataclass
class Outcome:
    """What a rule found.

    ``ranges`` are ``(allocator, measured text)`` rows; ``why`` are
    explanation sentences built from counters; ``checks`` are the
    sub-outcomes of ``all_of`` (with their ``label``).
    """

    verdict: str
    key_number: str = ""
    summary: str = ""
    ranges: list[tuple[str, str]] = field(default_factory=list)
    why: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    context: list[str] = field(default_factory=list)
    checks: list["Outcome"] = field(default_factory=list)
    label: str = ""
    rule_text: str = ""


def not_measured(missing: list[str], what: str = "") -> Outcome:
    """The outcome when the needed benchmarks or counters are absent."""
    text = "; ".join(missing) if missing else "no matching benchmark in this run"
    return Outcome(NOT_MEASURED, key_number="-", summary=f"Not measured: {text}." + (f" {what}" if what else ""),
                   missing=missing)


# ---- which benchmarks a claim uses --------------------------------------------


@dataclass
class Selection:
    """The ``benchmarks`` block of a claim.

    ``workloads``: workload names (absent ones are reported as missing).
    ``optional``: workloads used when present (e.g. the real-code ones);
    absent ones are listed once, as not run.
    ``subjects``: contestant name patterns (None: every arena-family one).
    ``args``: ``"all"``, ``"representative"`` (one per workload) or a list
    of patterns matched against the arguments joined by ``/``: ``["100"]``,
    ``["*/0"]`` (any first argument, second argument 0).
    ``processes``: process patterns counted in the verdict (None: all but
    ``context_processes``).  ``context_processes``: processes shown for
    context but kept out of the verdict (the Zig builds).
    """

    workloads: list[str]
    optional: list[str] = field(default_factory=list)
    subjects: list[str] | None = None
    args: str | list[str] = "all"
    processes: list[str] | None = None
    context_processes: list[str] = field(default_factory=list)

    @classmethod
    def from_dict(cls, data: dict) -> "Selection":
        """Builds a selection from claims.json (unknown keys are ignored)."""
        return cls(
            workloads=list(data.get("workloads", [])),
            optional=list(data.get("optional", [])),
            subjects=data.get("subjects"),
            args=data.get("args", "all"),
            processes=data.get("processes"),
            context_processes=list(data.get("context_processes", [])),
        )

    @property
    def all_workloads(self) -> list[str]:
        """Required then optional workloads."""
        return self.workloads + [w for w in self.optional if w not in self.workloads]

    def args_for(self, run: Run, workload: str) -> list[tuple[str, ...]]:
        """Argument tuples of ``workload`` this selection uses."""
        present = run.args_of(workload)
        if self.args == "all":
            return present
        if self.args == "representative":
            rep = analysis.representative_args(run, workload)
            return [rep] if rep is not None else []
        return [a for a in present if _args_match(a, self.args)]

    def in_verdict(self, process: str) -> bool:
        """True if ``process`` counts for the verdict (not context only)."""
        if naming.matches(process, self.context_processes) and self.context_processes:
            return False
        return naming.matches(process, self.processes)

    def in_context(self, process: str) -> bool:
        """True if ``process`` is shown for context only."""
        return bool(self.context_processes) and naming.matches(process, self.context_processes)

    def missing(self, run: Run) -> list[str]:
        """What this selection asks for and the run lacks."""
        out = []
        for w in self.workloads:
            if not run.select(workload=w):
                out.append(f"workload `{w}` not in this run")
                continue
            if self.subjects is not None:
                names = {b.contestant for b in run.select(workload=w)}
                if not any(naming.matches(n, self.subjects) for n in names):
                    out.append(f"no contestant matching {', '.join(self.subjects)} in `{w}`")
            if self.args not in ("all", "representative") and not self.args_for(run, w):
                out.append(f"`{w}` was not run with args {', '.join(self.args)}")
        absent = [w for w in self.optional if not run.select(workload=w)]
        if absent:
            out.append(f"optional workloads not in this run: {', '.join(absent)}")
        return out


def _args_match(args: tuple[str, ...], patterns) -> bool:
    """True if ``"/".join(args)`` matches any shell-style pattern."""
    return naming.matches("/".join(args), patterns)


@dataclass
class Context:
    """Everything a rule may read: the run and its normalised probe."""

    run: Run
    probe: "Probe"


@dataclass
class Probe:
    """Machine costs from probe.json (None where the probe did not measure)."""

    syscall_ns: float | None = None
    first_touch_ns: float | None = None
    memset_gbps: float | None = None
    raw: dict = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: dict) -> "Probe":
        """Finds the three costs by key name.

        Values may be numbers or ``{"median": ..., "unit": ...}`` objects
        (the median is used).  Keys: ``syscall``; ``first_touch`` (else
        ``touch``/``fault``, but not ``retouch``); ``memset`` in GB/s
        (``gbps`` preferred over per-size timings, MB/s converted).
        """
        flat = _flatten(data)
        probe = cls(raw=flat)

        def pick(*needles: str, avoid: tuple[str, ...] = ()) -> tuple[str, float] | None:
            best = None
            for key, value in flat.items():
                if not isinstance(value, (int, float)) or isinstance(value, bool):
                    continue
                k = key.lower()
                if not all(n in k for n in needles) or any(a in k for a in avoid):
                    continue
                if "." in k and not k.endswith(".median"):
                    continue  # min/max of a measured distribution
                if best is None:
                    best = (key, float(value))
            return best

        hit = pick("syscall")
        probe.syscall_ns = hit[1] if hit else None
        hit = pick("first_touch") or pick("touch", avoid=("retouch",)) or pick("fault")
        probe.first_touch_ns = hit[1] if hit else None
        hit = pick("memset", "gb") or pick("memset", "mb")
        if hit:
            probe.memset_gbps = hit[1] / (1000.0 if "mb" in hit[0].lower() else 1.0)
        return probe


def _flatten(data: dict, prefix: str = "") -> dict:
    """``{"a": {"b": 1}}`` -> ``{"a.b": 1}``."""
    out = {}
    for key, value in (data or {}).items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, name + "."))
        else:
            out[name] = value
    return out


# ---- registry -------------------------------------------------------------------

RuleFn = Callable[[Context, Selection, dict], Outcome]
#: name -> (function, description of the rule with its parameters)
RULES: dict[str, tuple[RuleFn, Callable[[dict], str]]] = {}


def rule(name: str, describe: Callable[[dict], str]):
    """Registers a rule function under ``name`` with a describer for the report."""

    def deco(fn: RuleFn) -> RuleFn:
        RULES[name] = (fn, describe)
        return fn

    return deco


def describe(params: dict) -> str:
    """Human-readable statement of a rule and its thresholds."""
    name = params.get("name", "?")
    if name not in RULES:
        return f"unknown rule `{name}`"
    return RULES[name][1](params)


def evaluate(ctx: Context, selection: Selection, params: dict) -> Outcome:
    """Runs the rule ``params["name"]``; unknown rule names raise KeyError."""
    fn, _ = RULES[params["name"]]
    outcome = fn(ctx, selection, params)
    outcome.rule_text = describe(params)
    return outcome


# ---- helpers ------------------------------------------------------------------------


def _selected_comparisons(ctx: Context, sel: Selection, metric: str, baselines) -> list[analysis.Comparison]:
    """Every comparison of the selection (all processes, verdict and context)."""
    comps = []
    for w in sel.all_workloads:
        for a in sel.args_for(ctx.run, w):
            comps += analysis.comparisons(ctx.run, w, args=a, subjects=sel.subjects, baselines=baselines,
                                          metric=metric)
    return comps


def _g(x: float) -> str:
    """A threshold as written in claims.json: ``7``, ``0.5``, ``1.05``."""
    return f"{float(x):g}"


def _where(c: analysis.Comparison) -> str:
    """``request_response/100`` for a comparison."""
    return f"{c.workload}/{args_label(c.args)}" if c.args else c.workload


def _span(values: list[float], unit: str = "x") -> str:
    """``5.8-6.2x`` or ``6.0x`` for one value."""
    lo, hi = min(values), max(values)
    if fmt_num(lo) == fmt_num(hi):
        return f"{fmt_num(lo)}{unit}"
    return f"{fmt_num(lo)}-{fmt_num(hi)}{unit}"


def _per_process_ranges(comps: list[analysis.Comparison], unit: str = "x") -> list[tuple[str, str]]:
    """Measured range per allocator (process), naming the extremes."""
    rows = []
    by_process: dict[str, list[analysis.Comparison]] = {}
    for c in comps:
        by_process.setdefault(c.process, []).append(c)
    for process in sorted(by_process, key=naming.process_key):
        cs = sorted(by_process[process], key=lambda c: c.ratio.value)
        if len(cs) == 1:
            c = cs[0]
            text = f"{c.ratio.fmt(unit=unit)} ({c.vs}, {_where(c)})"
        else:
            lo, hi = cs[0], cs[-1]
            text = (f"{_span([c.ratio.value for c in cs], unit)} over {len(cs)} comparisons; lowest "
                    f"{lo.ratio.fmt(unit=unit)} ({lo.vs}, {_where(lo)}), highest {hi.ratio.fmt(unit=unit)} "
                    f"({hi.vs}, {_where(hi)})")
        label = process if naming.is_zig(process) else f"{process} (malloc)"
        rows.append((label, text))
    return rows


# ---- explanations from counters ---------------------------------------------------------


def _per(b, counter: str, per: str | None = None) -> float | None:
    """Median counter value, optionally divided by another counter."""
    value = b.counter(counter)
    if value is None or per is None:
        return value
    d = b.counter(per)
    return value / d if d else None


def explain_time(c: analysis.Comparison, probe: Probe, memset_bound: bool = False) -> list[str]:
    """One to three sentences on why a time ratio is what it is.

    Uses allocs_per_iter, backing_calls, minor_faults, bytes_requested and
    the probe's first-touch and memset costs.
    """
    base, subj = c.baseline, c.subject
    t_base, t_subj = base.median("real_time"), subj.median("real_time")
    out = []
    parts = []
    for b, t in ((base, t_base), (subj, t_subj)):
        allocs = b.counter("allocs_per_iter")
        bits = []
        if allocs:
            bits.append(f"{fmt_num(t / allocs)} ns per allocation")
        calls = b.counter("backing_calls")
        if calls is not None:
            bits.append(f"{fmt_num(calls)} backing calls per iteration")
        faults = b.counter("minor_faults")
        if faults is not None:
            bits.append(f"{fmt_num(faults)} minor faults per iteration")
        if bits:
            parts.append(f"{naming.contestant_label(b.contestant, c.process)}: " + ", ".join(bits))
    if parts:
        out.append("Counters at " + _where(c) + ": " + "; ".join(parts) + ".")
    allocs = base.counter("allocs_per_iter")
    if allocs and naming.is_general(base.contestant) and not naming.is_zig(c.process):
        ns = t_base / allocs
        faults = base.counter("minor_faults") or 0.0
        if ns < 40 and faults < 1:
            out.append(f"{base.contestant} serves each allocation and its free from recently freed chunks in its "
                       f"thread cache (~{fmt_num(ns)} ns per allocation, no page faults), so the malloc side is already "
                       "cheap and bounds how much an arena can win.")
    if probe.first_touch_ns:
        for b, t in ((subj, t_subj), (base, t_base)):
            faults = b.counter("minor_faults")
            if faults and t > 0:
                share = faults * probe.first_touch_ns / t
                if 0.2 <= share <= 1.0:  # above 1 the probe and the benchmark disagree: say nothing
                    out.append(f"{naming.contestant_label(b.contestant, c.process)} touches fresh pages: "
                               f"{fmt_num(faults)} minor faults per iteration x {fmt_num(probe.first_touch_ns)} ns "
                               f"(probe) = about {share:.0%} of its time.")
                    break
    if memset_bound and probe.memset_gbps:
        nbytes = base.counter("bytes_requested")
        floor_ns = nbytes / probe.memset_gbps if nbytes else 0.0  # 1 GB/s = 1 byte/ns
        if 0 < floor_ns <= t_subj:
            out.append(f"Both sides memset {fmt_num(nbytes / 1024)} KiB per iteration (~{fmt_num(floor_ns)} ns at "
                       f"{fmt_num(probe.memset_gbps)} GB/s, probe): {floor_ns / t_subj:.0%} of the arena's time, "
                       f"so no allocator could beat {base.contestant} by more than ~{fmt_num(t_base / floor_ns)}x "
                       "here.")
    subj_calls = subj.counter("backing_calls")
    if subj_calls is not None and subj_calls >= 1 and not naming.is_zig(c.process):
        out.append(f"{subj.contestant} still calls its backing allocator {fmt_num(subj_calls)} times per iteration "
                   "(blocks obtained and released every iteration).")
    return out[:4]


# ---- ratio ------------------------------------------------------------------------------------


def _describe_ratio(p: dict) -> str:
    what = "speedup" if p.get("metric", "real_time") in ("real_time", "cpu_time", "ns_per_item") else \
        f"ratio of `{p.get('metric')}` (baseline / subject, > 1 = subject uses less)"
    base = "the general-purpose malloc of the same process" if p.get("baseline", "general") == "general" \
        else " and ".join(f"`{b}`" for b in p["baseline"])
    holds, partly = p.get("holds_at", 1.0), p.get("partly_above", 1.0)
    if p.get("require", "all") == "typical":
        cond = f"the median {what} over all comparisons is >= {_g(holds)}x and most comparisons reach it"
    else:
        cond = f"every comparison's {what} is >= {_g(holds)}x and credibly above {_g(partly)}x"
    return (f"{what} over {base} (ratio of medians, 95% bootstrap interval). Holds if {cond}; holds partly if at "
            f"least one comparison is credibly above {_g(partly)}x (interval above it, or the value with fewer "
            f"than 3 repetitions); does not hold if the comparisons are credibly below {_g(holds)}x (interval "
            f"below it) and none is credibly above {_g(partly)}x; otherwise inconclusive (too noisy).")


@rule("ratio", _describe_ratio)
def ratio_rule(ctx: Context, sel: Selection, p: dict) -> Outcome:
    """Baseline/subject ratio of medians of ``metric``; > 1 means the subject wins.

    Parameters: ``metric`` (``real_time``; or a counter such as
    ``peak_rss_kb`` where lower is better), ``baseline`` (``"general"`` or a
    list of contestants), ``holds_at``, ``partly_above`` (1.0), ``require``
    (``all``: every comparison must reach ``holds_at``; ``typical``: the
    median must), ``band`` (claimed range, for text), ``recipe_setup``
    (``{"process", "subject"}``: the comparison the recipe's number comes
    from), ``memset_bound`` (explain the memset floor).
    """
    metric = p.get("metric", "real_time")
    holds_at, partly = float(p.get("holds_at", 1.0)), float(p.get("partly_above", 1.0))
    require = p.get("require", "all")
    unit = "x"
    comps = _selected_comparisons(ctx, sel, metric, p.get("baseline", "general"))
    verdict_comps = [c for c in comps if sel.in_verdict(c.process)]
    context_comps = [c for c in comps if sel.in_context(c.process)]
    missing = sel.missing(ctx.run)
    note = ""
    if not verdict_comps and context_comps:
        verdict_comps, context_comps = context_comps, []
        note = " Only the Zig processes measured this; the verdict uses them."
    if not verdict_comps:
        if not missing:
            missing = [f"no {' / '.join(sel.subjects or ['arena-family'])} benchmark with a baseline "
                       f"({p.get('baseline', 'general')}) that reports `{metric}`"]
        return not_measured(missing)

    values = [c.ratio.value for c in verdict_comps]
    # per comparison: meets the claim / credibly better than partly_above / credibly short of the claim
    checks = [(c.ratio.value >= holds_at and c.ratio.above(partly), c.ratio.above(partly)) for c in verdict_comps]
    short = [c.ratio.below(holds_at) and not c.ratio.above(partly) for c in verdict_comps]
    n_meet = sum(m for m, _ in checks)
    n_better = sum(b for _, b in checks)
    if require == "typical":
        med = median(values)
        key = f"median {fmt_num(med)}x (range {_span(values)})"
        if med >= holds_at and n_meet * 2 > len(checks):
            verdict = HOLDS
        elif n_better:
            verdict = PARTLY
        else:
            verdict = FAILS if sum(short) * 2 > len(short) else INCONCLUSIVE
    else:
        key = _span(values)
        if n_meet == len(checks):
            verdict = HOLDS
        elif n_better:
            verdict = PARTLY
        else:
            verdict = FAILS if all(short) else INCONCLUSIVE
    band = p.get("band")
    claimed = f"{_g(band[0])}-{_g(band[1])}x" if band else f">= {_g(holds_at)}x"
    subject_names = sorted({c.subject.contestant for c in verdict_comps}, key=naming.contestant_key)
    what = "speedup over the baseline" if metric in ("real_time", "cpu_time", "ns_per_item") else \
        f"baseline / subject `{metric}` (> 1: the subject uses less)"
    summary = (f"{', '.join(subject_names)}: {what} {key} (claimed {claimed}); "
               f"{n_meet} of {len(checks)} comparisons reach {_g(holds_at)}x, {n_better} are credibly above "
               f"{_g(partly)}x.{note}")
    if band and max(values) > band[1] * 1.25:
        summary += f" Some exceed the claimed band (up to {fmt_num(max(values))}x)."
    if verdict == INCONCLUSIVE:
        widest = max(verdict_comps, key=lambda c: (c.ratio.hi or 0) / max(c.ratio.lo or 1e-9, 1e-9))
        summary += (f" The repetitions vary too much to decide (e.g. {widest.vs}: {widest.ratio.fmt()}): rerun with "
                    "more repetitions (--benchmark_repetitions=10) on a quiet machine.")
    out = Outcome(verdict, key_number=key, summary=summary, ranges=_per_process_ranges(verdict_comps, unit),
                  missing=missing)
    # explanation: the comparison nearest the median, then the worst if different
    ordered = sorted(verdict_comps, key=lambda c: c.ratio.value)
    picks = [ordered[len(ordered) // 2]]
    if ordered[0] is not picks[0] and verdict != HOLDS:
        picks.insert(0, ordered[0])
    if metric in ("real_time", "cpu_time", "ns_per_item"):
        for c in picks:
            out.why += explain_time(c, ctx.probe, bool(p.get("memset_bound")))
    else:
        for c in picks:
            out.why.append(f"{c.vs} at {_where(c)}: {metric} {fmt_num(c.baseline.median(metric))} (baseline) vs "
                           f"{fmt_num(c.subject.median(metric))} (subject).")
    # context (Zig) and the recipe's own setup
    setup = p.get("recipe_setup")
    for c in sorted(context_comps, key=lambda c: (naming.process_key(c.process), c.ratio.value)):
        line = f"{c.vs} at {_where(c)}: {c.ratio.fmt()}"
        if setup and c.process == setup.get("process") and c.subject.contestant == setup.get("subject"):
            line += " <- the recipe's own setup (std.testing.allocator, Debug build)"
        out.context.append(line)
    if setup and context_comps and not any(setup.get("subject") in line for line in out.context):
        out.context.append(f"the recipe's own setup ({setup.get('subject')} in {setup.get('process')}) was not run")
    return out


# ---- scaling --------------------------------------------------------------------------------------


def _describe_scaling(p: dict) -> str:
    metric = p.get("metric", "ns_per_item")
    x = p.get("x", "arg")
    against = "the workload's argument" if x == "arg" else f"the `{x}` counter"
    return (f"slope of log(`{metric}`) against log({against}) for each allocator and process (0 = flat, 1 = "
            f"proportional). Holds if every slope is <= {_g(p.get('max_slope', 0.1))}; holds partly if every "
            f"slope is <= {_g(p.get('partly_slope', 0.3))} or at least one is <= "
            f"{_g(p.get('max_slope', 0.1))}; otherwise does not hold. Needs >= {p.get('min_points', 3)} "
            f"points spanning >= {_g(p.get('min_span', 10))}x.")


@rule("scaling", _describe_scaling)
def scaling_rule(ctx: Context, sel: Selection, p: dict) -> Outcome:
    """How ``metric`` grows with a workload argument or a counter (O(1) / O(n) claims).

    Parameters: ``metric`` (``ns_per_item``, ``real_time``, ``bytes_reserved``
    ...), ``x`` (``"arg"``: the first argument, default; or a counter such
    as ``blocks``), ``max_slope`` (holds), ``partly_slope``, ``min_points``
    (3), ``min_span`` (10: largest/smallest x), ``contrast_general`` (also
    report the malloc's slope, for contrast; never part of the verdict).
    """
    metric = p.get("metric", "ns_per_item")
    x_name = p.get("x", "arg")
    max_slope, partly_slope = float(p.get("max_slope", 0.1)), float(p.get("partly_slope", 0.3))
    min_points, min_span = int(p.get("min_points", 3)), float(p.get("min_span", 10))
    x_label = "the argument" if x_name == "arg" else f"`{x_name}`"
    run = ctx.run
    series = []  # (process, contestant, workload, xs, ys, general?)
    for w in sel.all_workloads:
        for process in sorted({b.process for b in run.select(workload=w)}, key=naming.process_key):
            if not sel.in_verdict(process):
                continue
            malloc = analysis.process_malloc(run, process)
            for contestant in sorted({b.contestant for b in run.select(workload=w, process=process)},
                                     key=naming.contestant_key):
                general = naming.is_general(contestant, malloc)
                if general and not p.get("contrast_general"):
                    continue
                if not general and not naming.matches(contestant, sel.subjects):
                    continue
                groups = analysis.sweep_groups(run, w, process, contestant, metric)
                for rest, raw in sorted(groups.items()):
                    if sel.args not in ("all", "representative") and not any(
                            _args_match(b.args, sel.args) for _, _, b in raw):
                        continue
                    raw = [q for q in raw if sel.args in ("all", "representative") or _args_match(q[2].args, sel.args)]
                    pts = [(x, y) for x, y, _ in raw]
                    if x_name != "arg":
                        pts = sorted((b.counter(x_name), y) for _, y, b in raw if b.counter(x_name))
                    if len(pts) >= min_points and pts[-1][0] / max(pts[0][0], 1e-300) >= min_span:
                        series.append((process, contestant, w, [q[0] for q in pts], [q[1] for q in pts], general,
                                       rest))
    subjects = [s_ for s_ in series if not s_[5]]
    if not subjects:
        missing = sel.missing(run) or [f"no series of >= {min_points} points spanning >= {_g(min_span)}x in "
                                       f"{x_label} with `{metric}` for {', '.join(sel.subjects or ['arena-family'])}"]
        return not_measured(missing)
    checks, rows, slopes = [], [], []
    for process, contestant, w, xs, ys, _, rest in subjects:
        slope = loglog_slope(xs, ys)
        if slope is None:
            continue
        slopes.append(slope)
        checks.append((slope <= max_slope, slope <= partly_slope))
        growth = fmt_num(ys[-1] / ys[0]) if ys[0] else "n/a"
        xl = analysis.arg_meaning(w)[1] if x_name == "arg" else x_name
        text = (f"slope {slope:+.2f}: `{metric}` {fmt_num(ys[0])} at {xl} = {xs[0]:g} -> "
                f"{fmt_num(ys[-1])} at {xl} = {xs[-1]:g} (x{growth} while {xl} grows x{xs[-1] / xs[0]:.3g})")
        label = naming.contestant_label(contestant, process) + ("" if len(sel.all_workloads) == 1 else f" [{w}]")
        if rest:
            label += f" (other args {args_label(rest)})"
        rows.append((label, text))
    if not checks:
        return not_measured(["sweep values not positive"])
    if all(m for m, _ in checks):
        verdict = HOLDS
    elif all(b for _, b in checks) or any(m for m, _ in checks):
        verdict = PARTLY
    else:
        verdict = FAILS
    span = f"{min(slopes):+.2f} to {max(slopes):+.2f}" if len(slopes) > 1 else f"{slopes[0]:+.2f}"
    key = f"slope {span} vs " + (", ".join(sorted({analysis.arg_meaning(s_[2])[1] for s_ in subjects}))
                                 if x_name == "arg" else x_name)
    summary = (f"Across {len(checks)} series the log-log slope of `{metric}` against {x_label} is {span} "
               f"(0 = flat, 1 = proportional; holds at <= {_g(max_slope)}).")
    out = Outcome(verdict, key_number=key, summary=summary, ranges=rows, missing=sel.missing(run))
    for process, contestant, w, xs, ys, general, _ in series:
        if general:
            slope = loglog_slope(xs, ys)
            if slope is not None:
                out.why.append(f"For contrast, {contestant} ({process}) has slope {slope:+.2f} "
                               f"({fmt_num(ys[0])} -> {fmt_num(ys[-1])}).")
    out.why = out.why[:3]
    return out


# ---- counter_bound -------------------------------------------------------------------------------------


def _describe_counter_bound(p: dict) -> str:
    partly = f"; holds partly if every value is <= {_g(p['partly_max'])} or some are <= {_g(p['max'])}" \
        if "partly_max" in p else "; holds partly if some are"
    return (f"`{p.get('counter')}` (median over repetitions) of each selected benchmark. Holds if every value is "
            f"<= {_g(p.get('max', 0))}{partly}; otherwise does not hold.")


@rule("counter_bound", _describe_counter_bound)
def counter_bound_rule(ctx: Context, sel: Selection, p: dict) -> Outcome:
    """A counter stays at or below a bound in every selected benchmark.

    Parameters: ``counter``, ``max`` (holds), ``partly_max`` (optional).
    Benchmarks lacking the counter are listed as missing.
    """
    counter, bound = p["counter"], float(p.get("max", 0))
    partly = float(p.get("partly_max", bound))
    values, rows, missing = [], [], sel.missing(ctx.run)
    for w in sel.all_workloads:
        for a in sel.args_for(ctx.run, w):
            for b in ctx.run.select(workload=w, args=a):
                if not sel.in_verdict(b.process) or naming.is_general(b.contestant, analysis.process_malloc(ctx.run, b.process)):
                    continue
                if not naming.matches(b.contestant, sel.subjects):
                    continue
                v = b.counter(counter)
                if v is None:
                    missing.append(f"`{b.name}` ({b.process}) does not report `{counter}`")
                    continue
                values.append((v, b))
    if not values:
        return not_measured(missing)
    checks = [(v <= bound, v <= partly) for v, _ in values]
    if all(m for m, _ in checks):
        verdict = HOLDS
    elif all(b for _, b in checks) or any(m for m, _ in checks):
        verdict = PARTLY
    else:
        verdict = FAILS
    by_process: dict[str, list] = {}
    for v, b in values:
        by_process.setdefault(b.process, []).append((v, b))
    for process in sorted(by_process, key=naming.process_key):
        vs = sorted(by_process[process], key=lambda t: t[0])
        worst = vs[-1]
        rows.append((process, f"`{counter}` {_span([v for v, _ in vs], '')} over {len(vs)} benchmarks "
                              f"(highest: {worst[1].name})"))
    all_v = [v for v, _ in values]
    key = f"`{counter}` {_span(all_v, '')}"
    n_ok = sum(m for m, _ in checks)
    summary = f"{key} per iteration; {n_ok} of {len(values)} benchmarks are <= {_g(bound)}."
    return Outcome(verdict, key_number=key, summary=summary, ranges=rows, missing=missing)


# ---- failures_counted -------------------------------------------------------------------------------------


def _describe_failures(p: dict) -> str:
    return ("the bounded contestant reports a `failures` counter in every benchmark and the run did not error. Holds "
            "if some argument exhausted the buffer (failures > 0 counted); not measured if the buffer was never "
            "exhausted; does not hold if the counter is missing or a benchmark errored.")


@rule("failures_counted", _describe_failures)
def failures_counted_rule(ctx: Context, sel: Selection, p: dict) -> Outcome:
    """A bounded allocator fails cleanly: exhaustion is counted, not hidden or fatal."""
    benches = []
    for w in sel.all_workloads:
        for a in sel.args_for(ctx.run, w):
            benches += [b for b in ctx.run.select(workload=w, args=a)
                        if naming.matches(b.contestant, sel.subjects) and sel.in_verdict(b.process)]
    errored = [(proc, name, msg) for proc, name, msg in ctx.run.failed
               if any(name.startswith(w + "/") for w in sel.all_workloads)
               and any(naming.matches(name.split("/")[1] if "/" in name else "", [s]) for s in (sel.subjects or ["*"]))]
    if errored:
        proc, name, msg = errored[0]
        return Outcome(FAILS, key_number=f"{len(errored)} errored", summary=f"{name} ({proc}) errored: {msg}.",
                       ranges=[(p_, f"{n}: {m}") for p_, n, m in errored])
    if not benches:
        return not_measured(sel.missing(ctx.run))
    lacking = [b for b in benches if b.counter("failures") is None]
    if lacking:
        return Outcome(FAILS, key_number="failures not reported",
                       summary=f"{len(lacking)} benchmarks do not report `failures` (e.g. {lacking[0].name}): "
                               "exhaustion would be hidden.")
    rows = []
    for b in benches:
        rows.append((naming.contestant_label(b.contestant, b.process),
                     f"{args_label(b.args)}: {fmt_num(b.counter('failures'))} failures per iteration, "
                     f"checksum {'present' if b.counter('checksum') is not None else 'absent'}"))
    worst = max(benches, key=lambda b: b.counter("failures"))
    if worst.counter("failures") <= 0:
        return Outcome(NOT_MEASURED, key_number="buffer never exhausted",
                       summary="`failures` is reported but is 0 for every argument: no argument exhausted the "
                               "buffer, so clean failure was not exercised.", ranges=rows,
                       missing=["an argument that overflows the buffer"])
    return Outcome(HOLDS, key_number=f"up to {fmt_num(worst.counter('failures'))} failures/iteration counted",
                   summary=f"At {args_label(worst.args)} the buffer is exhausted: {fmt_num(worst.counter('failures'))} "
                           "requests per iteration fail and are counted; the benchmark completed without error.",
                   ranges=rows)


# ---- manifest_value -------------------------------------------------------------------------------------


def _describe_manifest(p: dict) -> str:
    return (f"`{p.get('key')}` from manifest.json (sizeof in the C code). Holds if <= {_g(p.get('max'))} B "
            f"(claimed ~{_g(p.get('claimed'))} B)" +
            (f"; holds partly if <= {_g(p['partly_max'])} B" if "partly_max" in p else "") + ".")


@rule("manifest_value", _describe_manifest)
def manifest_value_rule(ctx: Context, sel: Selection, p: dict) -> Outcome:
    """A size the harness recorded in manifest.json, against the claimed size."""
    key = p["key"]
    value = ctx.run.manifest.get(key)
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return not_measured([f"manifest.json has no numeric `{key}`"])
    bound, partly = float(p.get("max", 0)), float(p.get("partly_max", p.get("max", 0)))
    verdict = HOLDS if value <= bound else (PARTLY if value <= partly else FAILS)
    return Outcome(verdict, key_number=f"{fmt_num(value)} B", summary=f"`{key}` = {fmt_num(value)} B "
                   f"(claimed ~{_g(p.get('claimed'))} B).", ranges=[("all processes", f"{fmt_num(value)} B")])


# ---- per_alloc_overhead ---------------------------------------------------------------------------------


def _describe_per_alloc(p: dict) -> str:
    return (f"marginal bytes reserved per allocation beyond the bytes requested: the slope of "
            f"(bytes_reserved - bytes_requested) against allocs_per_iter across the workload's arguments (a single "
            f"argument: the average). Holds if <= {_g(p.get('max_bytes', 16))} B per allocation everywhere; holds "
            f"partly if <= {fmt_num(p.get('partly_fraction', 0.5) * 100)}% of the mean allocation size; otherwise does "
            f"not hold.")


@rule("per_alloc_overhead", _describe_per_alloc)
def per_alloc_overhead_rule(ctx: Context, sel: Selection, p: dict) -> Outcome:
    """Bytes an allocation costs beyond its request, from the counters."""
    max_bytes, fraction = float(p.get("max_bytes", 16)), float(p.get("partly_fraction", 0.5))
    rows, checks, extra = [], [], []
    for w in sel.all_workloads:
        for process in sorted({b.process for b in ctx.run.select(workload=w)}, key=naming.process_key):
            if not sel.in_verdict(process):
                continue
            malloc = analysis.process_malloc(ctx.run, process)
            for contestant in sorted({b.contestant for b in ctx.run.select(workload=w, process=process)},
                                     key=naming.contestant_key):
                general = naming.is_general(contestant, malloc)
                if not general and not naming.matches(contestant, sel.subjects):
                    continue
                pts = []
                for a in sel.args_for(ctx.run, w):
                    b = ctx.run.find(process, w, contestant, a)
                    if b is None:
                        continue
                    n, req, res = b.counter("allocs_per_iter"), b.counter("bytes_requested"), b.counter("bytes_reserved")
                    if n and req is not None and res is not None:
                        pts.append((n, res - req, req / n))
                if not pts:
                    continue
                ns = np.array([q[0] for q in pts])
                extra_b = np.array([q[1] for q in pts])
                if np.unique(ns).size >= 2:
                    marginal = float(np.polyfit(ns, extra_b, 1)[0])
                    how = f"slope over {len(pts)} args"
                else:
                    marginal = float(extra_b[0] / ns[0])
                    how = "average"
                mean_size = float(np.mean([q[2] for q in pts]))
                text = f"{fmt_num(marginal)} B per allocation ({how}; mean request {fmt_num(mean_size)} B)"
                label = naming.contestant_label(contestant, process) + ("" if len(sel.all_workloads) == 1 else f" [{w}]")
                if general:
                    extra.append(f"{label}: {text} -- malloc's bytes_reserved counts usable bytes, so its chunk "
                                 "headers are not included.")
                    continue
                rows.append((label, text))
                checks.append((marginal <= max_bytes, marginal <= fraction * mean_size, marginal))
    if not checks:
        return not_measured(sel.missing(ctx.run) or ["no arena benchmark reports allocs_per_iter, bytes_requested "
                                                     "and bytes_reserved"])
    verdict = HOLDS if all(c[0] for c in checks) else (PARTLY if all(c[1] for c in checks) else FAILS)
    worst = max(c[2] for c in checks)
    key = f"<= {fmt_num(max(worst, 0.0))} B per allocation"
    summary = (f"The arena reserves at most {fmt_num(max(worst, 0.0))} B per allocation beyond the request "
               f"(claimed: zero metadata per allocation).")
    why = []
    if verdict != HOLDS:
        why.append("The arena stores no per-allocation header; what is measured is alignment padding and the unused "
                   "tail of each block (the recipe's 'internal fragmentation').")
    return Outcome(verdict, key_number=key, summary=summary, ranges=rows, why=why + extra[:2],
                   missing=sel.missing(ctx.run))


# ---- footprint -------------------------------------------------------------------------------------------


def _describe_footprint(p: dict) -> str:
    return (f"peak bytes reserved in one iteration, in items' worth of memory: bytes_reserved / (bytes_requested / "
            f"items_per_iteration). Memory that accumulated over all N items of an iteration would give ~N. Holds "
            f"if <= {_g(p.get('max_items', 4))} items' worth everywhere; holds partly if <= "
            f"{_g(p.get('partly_fraction', 0.25) * 100)}% of N; otherwise does not hold.")


@rule("footprint", _describe_footprint)
def footprint_rule(ctx: Context, sel: Selection, p: dict) -> Outcome:
    """Memory does not accumulate across the items of an iteration (requests, batches).

    Works on a single argument set: a peak of a few items' worth of memory,
    while N items are handled, shows that each item's memory was released
    (and reused) before the next.  Parameters: ``max_items`` (4),
    ``partly_fraction`` (0.25 of N).  The malloc of each process is shown
    for contrast.
    """
    max_items, fraction = float(p.get("max_items", 4)), float(p.get("partly_fraction", 0.25))
    rows, checks, contrast = [], [], []
    for w in sel.all_workloads:
        for a in sel.args_for(ctx.run, w):
            for b in ctx.run.select(workload=w, args=a):
                if not sel.in_verdict(b.process):
                    continue
                general = naming.is_general(b.contestant, analysis.process_malloc(ctx.run, b.process))
                if not general and not naming.matches(b.contestant, sel.subjects):
                    continue
                reserved, requested, items = (b.counter("bytes_reserved"), b.counter("bytes_requested"),
                                              b.counter("items_per_iteration"))
                if not (reserved is not None and requested and items):
                    continue
                worth = reserved / (requested / items)
                text = (f"{fmt_num(worth)} items' worth held at the peak while handling {items:g} per iteration "
                        f"({fmt_num(reserved / 1024)} KiB reserved, {fmt_num(requested / 1024)} KiB requested)")
                label = f"{naming.contestant_label(b.contestant, b.process)} at {w}/{args_label(a)}"
                if general:
                    contrast.append(f"{label}: {text}.")
                    continue
                rows.append((label, text))
                checks.append((worth <= max_items, worth <= fraction * items, worth, items))
    if not checks:
        return not_measured(sel.missing(ctx.run) or ["no benchmark reports bytes_reserved, bytes_requested and "
                                                     "items_per_iteration"])
    verdict = HOLDS if all(c[0] for c in checks) else (PARTLY if all(c[1] for c in checks) else FAILS)
    worst = max(checks, key=lambda c: c[2])
    key = f"<= {fmt_num(worst[2])} items' worth at the peak"
    summary = (f"At its peak the arena held at most {fmt_num(worst[2])} items' worth of memory while handling "
               f"{worst[3]:g} items per iteration (accumulating would mean ~{worst[3]:g}).")
    return Outcome(verdict, key_number=key, summary=summary, ranges=rows,
                   why=[f"For contrast, {contrast[0]}"] if contrast else [], missing=sel.missing(ctx.run))


# ---- arena_loses ------------------------------------------------------------------------------------------


def _describe_loses(p: dict) -> str:
    return (f"for each case (first argument) of the workload and each of its settings: the arena loses if, in most "
            f"processes, it is credibly slower "
            f"than the malloc (speedup interval below 1x) or holds >= {_g(p.get('memory_factor', 1.5))}x the "
            f"malloc's bytes_reserved or peak RSS. Holds if the arena loses in every case; holds partly if in some; "
            f"does not hold if it loses in none (then the 'avoid when' advice is not visible on this machine).")


@rule("arena_loses", _describe_loses)
def arena_loses_rule(ctx: Context, sel: Selection, p: dict) -> Outcome:
    """The recipe's "avoid when" cases: show where and by how much arenas lose."""
    factor = float(p.get("memory_factor", 1.5))
    labels = p.get("case_labels", {})
    cases: dict[tuple, list[tuple[str, float, float | None, float | None, analysis.Comparison]]] = {}
    for w in sel.all_workloads:
        for a in sel.args_for(ctx.run, w):
            time_comps = analysis.comparisons(ctx.run, w, args=a, subjects=sel.subjects)
            for c in time_comps:
                if not sel.in_verdict(c.process):
                    continue
                mem = _ratio_of(c, "bytes_reserved")
                rss = _ratio_of(c, "peak_rss_kb")
                cases.setdefault((w, a), []).append((c.process, c.ratio.value, mem, rss, c))
    if not cases:
        return not_measured(sel.missing(ctx.run))
    case_index = int(p.get("case_arg_index", 0))
    by_case: dict[tuple, list] = {}
    for (w, a), items in sorted(cases.items(), key=lambda kv: kv[0]):
        key = (w, a[case_index] if len(a) > case_index else "")
        by_case.setdefault(key, []).append((a, items))
    rows, loses_cases, worst = [], 0, []
    for (w, case_value), settings in by_case.items():
        name = labels.get(case_value, "")
        case = f"{w} case {case_value}" + (f" ({name})" if name else "")
        case_lost = False
        for a, items in settings:
            n_lose = 0
            parts = []
            for process, speed, mem, rss, c in sorted(items, key=lambda t: naming.process_key(t[0])):
                slower = c.ratio.below(1.0)
                bigger = (mem is not None and mem >= factor) or (rss is not None and rss >= factor)
                n_lose += slower or bigger
                bits = [f"{fmt_num(speed)}x speed"]
                if mem is not None:
                    bits.append(f"{fmt_num(mem)}x bytes reserved")
                if rss is not None:
                    bits.append(f"{fmt_num(rss)}x RSS")
                parts.append(f"{process}: " + ", ".join(bits))
            lost = n_lose * 2 > len(items)
            case_lost |= lost
            word = "arena loses" if lost else "arena does not lose"
            rows.append((f"{case}, args {args_label(a)}", f"{word} ({n_lose}/{len(items)} processes): " + "; ".join(parts)))
        loses_cases += case_lost
        if case_lost:
            worst.append(case)
    n = len(by_case)
    verdict = HOLDS if loses_cases == n else (PARTLY if loses_cases else FAILS)
    key = f"arena loses in {loses_cases} of {n} cases"
    summary = (f"{key}" + (f" ({', '.join(worst)})" if worst else "") +
               ". A case counts as lost if the arena loses in most processes for at least one of its settings. "
               "Speed = malloc time / arena time (< 1: arena slower); memory = arena / malloc (> 1: arena holds more).")
    return Outcome(verdict, key_number=key, summary=summary, ranges=rows, missing=sel.missing(ctx.run))


def _ratio_of(c: analysis.Comparison, counter: str) -> float | None:
    """subject / baseline of a counter (memory growth of the subject), or None."""
    s, b = c.subject.counter(counter), c.baseline.counter(counter)
    if s is None or not b:
        return None
    return s / b


# ---- all_of -----------------------------------------------------------------------------------------------


def _describe_all_of(p: dict) -> str:
    parts = [f"({i + 1}) {sub.get('label', sub.get('name'))}: {describe(sub)}" for i, sub in enumerate(p.get("rules", []))]
    return ("all of the checks below. Holds if every check holds; not measured if none was measured; inconclusive if "
            "none was decided; does not hold if every decided check fails; otherwise holds partly (e.g. one part "
            "holds and another was not measured). " + " ".join(parts))


@rule("all_of", _describe_all_of)
def all_of_rule(ctx: Context, sel: Selection, p: dict) -> Outcome:
    """Several checks of one claim; each may override the claim's ``benchmarks``."""
    checks = []
    for sub in p.get("rules", []):
        sub_sel = Selection.from_dict(sub["benchmarks"]) if "benchmarks" in sub else sel
        outcome = evaluate(ctx, sub_sel, sub)
        outcome.label = sub.get("label", sub.get("name", ""))
        checks.append(outcome)
    decided = [c for c in checks if c.verdict in (HOLDS, PARTLY, FAILS)]
    if all(c.verdict == NOT_MEASURED for c in checks):
        verdict = NOT_MEASURED
    elif all(c.verdict == HOLDS for c in checks):
        verdict = HOLDS
    elif not decided:
        verdict = INCONCLUSIVE
    elif all(c.verdict == FAILS for c in decided):
        verdict = FAILS
    else:
        verdict = PARTLY
    key = "; ".join(f"{c.label}: {c.key_number}" for c in checks)
    summary = " ".join(f"{c.label}: {c.verdict} -- {c.summary}" for c in checks)
    missing = [m for c in checks for m in c.missing]
    return Outcome(verdict, key_number=key, summary=summary, checks=checks, missing=list(dict.fromkeys(missing)))

