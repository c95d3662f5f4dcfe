"""Comparisons shared by the charts and the claim rules.

A :class:`Comparison` is one arena-family contestant against its baseline
(the general-purpose allocator of the same process, or a named contestant such
as ``arena_free_all``) for one workload and argument tuple, as a ratio of
medians ``baseline / subject`` of a metric.  For times and memory, lower is
better, so a ratio above 1 means the subject wins ("speedup", "x less memory").
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable

from . import naming
from .runs import Benchmark, Run, arg_value
from .stats import Ratio, ratio_of_medians

#: What the first argument of known workloads means: (axis label with unit,
#: short name for panel titles).  Unknown workloads get a generic label; this
#: is presentation only.
ARG_MEANING = {
    "alloc_sizes": ("allocation size (bytes)", "size"),
    "arena_vs_general": ("allocations per run, N", "N"),
    "batch_reset": ("batch size (records per batch)", "batch size"),
    "request_response": ("requests per iteration", "requests"),
    "nested_scopes": ("requests per iteration", "requests"),
    "scoped": ("calls per iteration", "calls"),
    "retained_state": ("requests per iteration", "requests"),
    "multi_lifetime": ("requests per iteration", "requests"),
    "stack_arena": ("allocations per run", "allocations"),
    "pool_churn": ("live objects", "live objects"),
    "reset_cost": ("objects allocated before the release, K", "K"),
    "locality": ("nodes traversed", "nodes"),
    "avoid_when": ("case", "case"),
}

#: Workloads whose argument is a case number, not a quantity: no sweeps.
CATEGORICAL_ARGS = {"avoid_when"}

#: What each workload counts as one item (for "time per <item>").
ITEM_NAMES = {
    "alloc_sizes": "allocation", "arena_vs_general": "allocation", "batch_reset": "record",
    "request_response": "request", "nested_scopes": "request", "scoped": "call", "retained_state": "request",
    "multi_lifetime": "request", "stack_arena": "allocation", "pool_churn": "operation",
    "reset_cost": "object", "locality": "node",
}

#: The argument that stands for a workload when only one can be shown; the
#: recipe's own test uses N = 100; avoid_when's mixed-lifetimes case with 10 %
#: survivors is its long mixed run.  Values are prefixes of the argument tuple.
#: Others default to the largest argument tuple.
REPRESENTATIVE_ARGS = {"arena_vs_general": ("100",), "avoid_when": ("0", "10"), "reset_cost": ()}


def arg_meaning(workload: str) -> tuple[str, str]:
    """(axis label, short name) of a workload's first argument."""
    return ARG_MEANING.get(workload, ("first benchmark argument", "arg"))


def item_name(workload: str) -> str:
    """What one item of a workload is ("request", "allocation", ...)."""
    return ITEM_NAMES.get(workload, "item")


def representative_args(run: Run, workload: str) -> tuple[str, ...] | None:
    """The argument tuple that represents ``workload`` (None if absent).

    :data:`REPRESENTATIVE_ARGS` gives a prefix; the largest tuple starting
    with it wins, else the largest tuple overall.
    """
    all_args = run.args_of(workload)
    if not all_args:
        return None
    wanted = REPRESENTATIVE_ARGS.get(workload)
    if wanted:
        hits = [a for a in all_args if a[:len(wanted)] == wanted]
        if hits:
            return hits[-1]
    return all_args[-1]


def pick_args(run: Run, workload: str, limit: int = 3) -> list[tuple[str, ...]]:
    """Up to ``limit`` argument tuples to show, in argument order.

    Priority: the representative one, the largest, the smallest, then evenly
    spaced ones.
    """
    all_args = run.args_of(workload)
    if len(all_args) <= limit:
        return all_args
    step = (len(all_args) - 1) / max(1, limit - 1)
    priority = [representative_args(run, workload), all_args[-1], all_args[0]]
    priority += [all_args[round(i * step)] for i in range(limit)]
    chosen: list[tuple[str, ...]] = []
    for a in priority:
        if a not in chosen and len(chosen) < limit:
            chosen.append(a)
    return [a for a in all_args if a in chosen]


def process_malloc(run: Run, process: str) -> str:
    """The malloc contestant name of a process (its proven library, else its label)."""
    proc = run.processes.get(process)
    return (proc.malloc_library if proc else "") or process


@dataclass
class Comparison:
    """``baseline / subject`` for one metric, process, workload and args."""

    process: str
    workload: str
    args: tuple[str, ...]
    subject: Benchmark
    baseline: Benchmark
    metric: str
    ratio: Ratio

    @property
    def label(self) -> str:
        """Chart label of the subject, e.g. ``arena (over jemalloc)``."""
        return naming.contestant_label(self.subject.contestant, self.process)

    @property
    def vs(self) -> str:
        """``arena vs jemalloc`` (process given for Zig)."""
        text = f"{self.subject.contestant} vs {self.baseline.contestant}"
        return f"{text} ({self.process})" if naming.is_zig(self.process) else text


def comparisons(
    run: Run,
    workload: str,
    args: tuple[str, ...] | None = None,
    subjects: Iterable[str] | None = None,
    baselines: str | Iterable[str] = "general",
    metric: str = "real_time",
    processes: Iterable[str] | None = None,
) -> list[Comparison]:
    """Every subject-vs-baseline comparison of ``workload``.

    ``subjects`` are name patterns (None: every arena-family contestant).
    ``baselines`` is ``"general"`` (the process's general-purpose allocator,
    see :func:`naming.baseline_for`) or a list of contestant names.
    ``processes`` are patterns of process labels (None: all).  Benchmarks
    lacking ``metric`` are skipped.
    """
    out: list[Comparison] = []
    benches = run.select(workload=workload, args=args)
    groups: dict[tuple, dict[str, Benchmark]] = {}
    for b in benches:
        if processes is not None and not naming.matches(b.process, processes):
            continue
        group = groups.setdefault((b.process, b.args), {})
        if b.contestant not in group or b.threads < group[b.contestant].threads:
            group[b.contestant] = b
    for (process, bargs), group in sorted(groups.items(), key=lambda kv: (naming.process_key(kv[0][0]), kv[0][1])):
        malloc = process_malloc(run, process)
        for name in sorted(group, key=naming.contestant_key):
            subject = group[name]
            if naming.is_general(name, malloc) or not naming.matches(name, subjects):
                continue
            if baselines == "general":
                base_names = [naming.baseline_for(name, process, malloc, group)]
            else:
                base_names = [n for n in baselines if n != name]
            for base_name in base_names:
                if base_name is None or base_name not in group:
                    continue
                baseline = group[base_name]
                try:
                    ratio = ratio_of_medians(baseline.values(metric), subject.values(metric))
                except KeyError:
                    continue
                if ratio is not None and math.isfinite(ratio.value) and ratio.value > 0:
                    out.append(Comparison(process, workload, bargs, subject, baseline, metric, ratio))
    return out


def best_per_process(comps: list[Comparison]) -> dict[str, Comparison]:
    """For each process, the comparison with the largest ratio."""
    best: dict[str, Comparison] = {}
    for c in comps:
        if c.process not in best or c.ratio.value > best[c.process].ratio.value:
            best[c.process] = c
    return best


def sweep_groups(run: Run, workload: str, process: str, contestant: str, metric: str, arg_index: int = 0):
    """Series of ``metric`` against argument ``arg_index``, one per setting of the other arguments.

    Returns ``{other_args: [(x, median y, bench), ...]}`` with points sorted
    by x; ``other_args`` is the argument tuple without ``arg_index`` (e.g.
    the mode of ``alloc_sizes/arena/<size>/<mode>``).  Only numeric x and
    finite y are kept.
    """
    groups: dict[tuple[str, ...], list] = {}
    for b in run.select(workload=workload, process=process, contestant=contestant):
        if len(b.args) <= arg_index:
            continue
        x = arg_value(b.args[arg_index])
        if x is None:
            continue
        try:
            y = b.median(metric)
        except KeyError:
            continue
        if math.isfinite(y):
            rest = b.args[:arg_index] + b.args[arg_index + 1:]
            groups.setdefault(rest, []).append((x, y, b))
    for pts in groups.values():
        pts.sort(key=lambda p: p[0])
    return groups


def main_sweep_group(run: Run, workload: str, arg_index: int = 0) -> tuple[str, ...] | None:
    """The setting of the other arguments with the most sweep points (ties: the first)."""
    counts: dict[tuple[str, ...], set] = {}
    for b in run.select(workload=workload):
        if len(b.args) > arg_index and arg_value(b.args[arg_index]) is not None:
            counts.setdefault(b.args[:arg_index] + b.args[arg_index + 1:], set()).add(b.args[arg_index])
    if not counts:
        return None
    return max(sorted(counts), key=lambda k: len(counts[k]))


def sweep(run: Run, workload: str, process: str, contestant: str, metric: str, arg_index: int = 0,
          rest: tuple[str, ...] | None = None):
    """One series: ``rest`` (the other arguments) or the workload's main group."""
    groups = sweep_groups(run, workload, process, contestant, metric, arg_index)
    if rest is None:
        rest = main_sweep_group(run, workload, arg_index)
    return groups.get(rest, [])
