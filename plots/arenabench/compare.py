"""Baseline vs candidate: which benchmarks got slower, with a statistical test.

For every benchmark ``(process, name)`` present in both runs:

* ratio = median(candidate) / median(base) of the chosen metric over the
  repetitions, with a 95 % bootstrap interval;
* p = Mann-Whitney U test of the candidate's repetitions against the base's
  (two-sided, or one-sided in the direction of the change with
  ``--alternative greater``, i.e. "is the candidate slower?");
* verdict:

  - ``unchanged``: |ratio - 1| <= threshold (whatever p says: too small to matter);
  - ``regressed`` / ``improved``: beyond the threshold and p < alpha;
  - ``insignificant``: beyond the threshold but p >= alpha (noise cannot be
    ruled out; more repetitions would tell).

  With a single sample per side, or a deterministic metric (every repetition
  identical, e.g. instruction counts), there is nothing to test: the values
  are compared directly against the threshold.

Benchmarks present in only one run are listed, never dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import charts as charts_mod
from . import naming, style
from .errors import InputError
from .runs import TIME_METRICS, Run
from .stats import Ratio, fmt_num, mann_whitney, min_p_value, ratio_of_medians

REGRESSED, IMPROVED, UNCHANGED, INSIGNIFICANT = "regressed", "improved", "unchanged", "insignificant"

#: Smallest threshold for a single-sample count of a benchmark whose timed loop
#: ran other threads (``multithreaded`` = 1 in deterministic runs): callgrind
#: runs one thread at a time and which one runs after a blocking call follows
#: the kernel, so two runs of the same build differ by up to ~1% there
#: (measured on threads_*: 0.8%; everything else repeats to the instruction).
MULTITHREADED_NOISE = 0.02

#: Most rows drawn on the compare chart (all regressions are always drawn).
MAX_CHART_ROWS = 60


@dataclass
class Row:
    """The comparison of one benchmark."""

    process: str
    name: str
    base_n: int
    cand_n: int
    base_median: float
    cand_median: float
    ratio: Ratio
    p: float | None
    verdict: str
    note: str = ""

    @property
    def change(self) -> float:
        """Relative change of the median: +0.20 = 20 % larger (slower for times)."""
        return self.ratio.value - 1.0


@dataclass
class Comparison:
    """Everything ``compare`` found."""

    rows: list[Row]
    only_base: list[tuple[str, str]] = field(default_factory=list)
    only_cand: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def count(self, verdict: str) -> int:
        """How many rows have ``verdict``."""
        return sum(r.verdict == verdict for r in self.rows)

    @property
    def regressions(self) -> list[Row]:
        """Rows that regressed significantly beyond the threshold."""
        return [r for r in self.rows if r.verdict == REGRESSED]


def _classify(ratio: float, p: float | None, threshold: float, alpha: float) -> str:
    """The verdict rule documented in the module docstring."""
    if abs(ratio - 1.0) <= threshold:
        return UNCHANGED
    if p is not None and p >= alpha:
        return INSIGNIFICANT
    return REGRESSED if ratio > 1.0 else IMPROVED


def compare_runs(base: Run, cand: Run, metric: str = "real_time", threshold: float = 0.05, alpha: float = 0.05,
                 alternative: str = "two-sided") -> Comparison:
    """Compares every benchmark present in both runs (see the module docstring)."""
    if threshold < 0 or not 0 < alpha < 1:
        raise InputError("--threshold must be >= 0 and --alpha between 0 and 1")
    common = sorted(set(base.benchmarks) & set(cand.benchmarks), key=lambda k: (naming.process_key(k[0]), k[1]))
    result = Comparison(rows=[], only_base=sorted(set(base.benchmarks) - set(cand.benchmarks)),
                        only_cand=sorted(set(cand.benchmarks) - set(base.benchmarks)))
    if not common:
        raise InputError(f"no benchmark (process, name) is present in both {base.label} and {cand.label}: "
                         f"nothing to compare (base has {len(base.benchmarks)}, candidate {len(cand.benchmarks)})")
    unreachable = 0
    for key in common:
        b, c = base.benchmarks[key], cand.benchmarks[key]
        try:
            bv, cv_ = b.values(metric), c.values(metric)
        except KeyError:
            result.skipped.append(f"{key[1]} ({key[0]}): no `{metric}`")
            continue
        ratio = ratio_of_medians(cv_, bv)
        if ratio is None:
            result.skipped.append(f"{key[1]} ({key[0]}): base median of `{metric}` is 0")
            continue
        deterministic = np.ptp(bv) == 0 and np.ptp(cv_) == 0
        note, p = "", None
        limit = threshold
        if min(bv.size, cv_.size) < 2 or deterministic:
            note = "deterministic: compared directly" if deterministic and bv.size > 1 else "single sample: compared directly"
            if threshold < MULTITHREADED_NOISE and (b.counter("multithreaded") or c.counter("multithreaded")):
                limit = MULTITHREADED_NOISE
                note = (f"multithreaded: its count follows thread scheduling, compared against "
                        f"{MULTITHREADED_NOISE:.0%} instead of {threshold:.1%}")
        else:
            side = alternative
            if alternative == "greater" and ratio.value < 1.0:
                side = "less"  # one-sided in the direction of the change
            p = mann_whitney(cv_, bv, side)
            if min_p_value(bv.size, cv_.size, alternative) >= alpha:
                unreachable += 1
                note = f"{bv.size} vs {cv_.size} repetitions cannot reach p < {alpha:g}"
        verdict = _classify(ratio.value, p, limit, alpha)
        result.rows.append(Row(key[0], key[1], int(bv.size), int(cv_.size), float(np.median(bv)),
                               float(np.median(cv_)), ratio, p, verdict, note))
    if not result.rows:
        raise InputError(f"metric `{metric}` is not reported by the benchmarks common to both runs"
                         + (" (instruction counts need the harness's deterministic mode)"
                            if metric == "instructions" else ""))
    if unreachable:
        result.notes.append(f"{unreachable} benchmarks have too few repetitions for the U test to ever reach "
                            f"p < {alpha:g}; they can only be 'unchanged' or 'insignificant'. Use 10+ repetitions.")
    singles = sum(r.note.startswith("single") for r in result.rows)
    if singles and metric in TIME_METRICS:
        result.notes.append(f"{singles} benchmarks have a single repetition: times compared without a test, so noise "
                            "can look like a regression. Use --benchmark_repetitions=10.")
    return result


# ---- output ---------------------------------------------------------------------------


def _value(x: float, metric: str) -> str:
    """A metric value with its unit."""
    if metric in TIME_METRICS:
        return f"{fmt_num(x)} ns"
    return fmt_num(x)


def _row_cells(r: Row, metric: str) -> list[str]:
    ci = f"[{r.ratio.lo - 1:+.1%}, {r.ratio.hi - 1:+.1%}]" if r.ratio.has_ci else "-"
    p = f"{r.p:.3g}" if r.p is not None else "-"
    verdict = f"**{r.verdict}**" if r.verdict == REGRESSED else r.verdict
    return [r.process, f"`{r.name}`", _value(r.base_median, metric), _value(r.cand_median, metric),
            f"{r.change:+.1%}", ci, p, verdict + (f" ({r.note})" if r.note else "")]


def render_markdown(result: Comparison, base: Run, cand: Run, metric: str, threshold: float, alpha: float,
                    alternative: str) -> str:
    """The compare report (stdout and compare.md)."""
    header = ["process", "benchmark", "base median", "candidate median", "change", "95% CI of change", "p", "verdict"]

    def table(rows: list[Row]) -> list[str]:
        out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        return out + ["| " + " | ".join(_row_cells(r, metric)) + " |" for r in rows]

    counts = ", ".join(f"{result.count(v)} {v}" for v in (REGRESSED, IMPROVED, INSIGNIFICANT, UNCHANGED))
    test = f"Mann-Whitney U, {'two-sided' if alternative == 'two-sided' else 'one-sided in the direction of the change'}"
    lines = [f"# arenabench compare: {base.label} -> {cand.label}", "",
             f"Metric `{metric}` (lower is better), threshold {threshold:.1%}, alpha {alpha:g} ({test}); "
             f"{len(result.rows)} benchmarks in both runs.", "",
             f"**Result: {counts}.**", ""]
    lines += [f"- {n}" for n in result.notes]
    if result.notes:
        lines.append("")
    if result.regressions:
        lines += ["## Regressions", ""] + table(sorted(result.regressions, key=lambda r: -r.change)) + [""]
    lines += ["## All benchmarks", ""] + table(result.rows) + [""]
    for title, keys in (("Only in the base run", result.only_base), ("Only in the candidate run", result.only_cand)):
        if keys:
            lines += [f"## {title} ({len(keys)})", ""] + [f"- `{n}` ({p})" for p, n in keys] + [""]
    if result.skipped:
        lines += ["## Not compared", ""] + [f"- {s}" for s in result.skipped] + [""]
    lines += ["Verdicts: unchanged = change within the threshold; regressed/improved = beyond it and p < alpha; "
              "insignificant = beyond it but not statistically supported."]
    return "\n".join(lines) + "\n"


def render_chart(result: Comparison, cand: Run, out_dir: Path, metric: str, threshold: float,
                 formats=("png",)) -> Path:
    """Bar chart of candidate/base ratios, coloured by verdict (``compare.png``)."""
    style.apply_rc()
    rows = sorted(result.rows, key=lambda r: r.ratio.value, reverse=True)
    shown = rows
    if len(rows) > MAX_CHART_ROWS:
        keep = {id(r) for r in result.regressions}
        by_size = sorted(rows, key=lambda r: -abs(r.change))
        keep |= {id(r) for r in by_size[:MAX_CHART_ROWS - len(keep)]} if len(keep) < MAX_CHART_ROWS else set()
        shown = [r for r in rows if id(r) in keep]
    bars = [charts_mod.Row(f"{r.name} ({r.process})", r.ratio.value, style.VERDICT_COLOURS[r.verdict], "",
                           r.ratio.lo, r.ratio.hi, text=f"{r.change:+.1%} {r.verdict}") for r in shown]
    fig, axes = charts_mod.rows_figure(len(bars), 1, width_per_panel=6.5, label_width=4.0)
    legend = charts_mod.rows_chart(axes[0], bars, origin=1.0, ratio_axis=True,
                                   band=(1 - threshold, 1 + threshold, f"within the threshold (+/-{threshold:.0%})"),
                                   reference=(1.0, "1x = no change"),
                                   xlabel=f"candidate / base, median `{metric}` (log scale; right = slower/larger)")
    handles, labels = legend
    from matplotlib.patches import Patch

    for verdict, colour in style.VERDICT_COLOURS.items():
        handles.append(Patch(color=colour))
        labels.append(verdict)
    subset = "" if len(shown) == len(rows) else f" (the {len(shown)} largest changes of {len(rows)})"
    note = ("Bar = median of the candidate's repetitions / median of the base's, per benchmark; whiskers = 95% "
            "bootstrap interval. Colour = verdict: regressed/improved = beyond the threshold and significant (Mann-"
            "Whitney U); insignificant = beyond the threshold but not significant.")
    charts = charts_mod.ChartSet()
    charts_mod.finish_figure(fig, cand, out_dir, "compare", f"Candidate vs base: change per benchmark{subset}", note,
                             formats, charts, legend=(handles, labels))
    return charts.paths["compare"]
