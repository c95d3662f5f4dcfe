"""The charts of a run: speedups, sweeps, memory, and a summary heatmap.

Every chart is built from three shared pieces, so they read the same way:

* :func:`_rows_chart` -- horizontal bars, one row per contestant grouped by
  process, optional whiskers, a reference line, a shaded band (speedup,
  memory and compare charts);
* :func:`_sweep_chart` -- one panel per process, one line per contestant,
  a metric against a workload's numeric argument (time and memory sweeps);
* :func:`_finish` -- title, explanation note, footer (machine and date) and
  saving as PNG + SVG.

Chart ids (``speedup:<workload>``, ``memory:<workload>``,
``sweep:<workload>``, ``sweep-memory:<workload>``, ``heatmap``) name the
files (:func:`chart_file`) and are what ``claims.json`` refers to.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
from matplotlib import pyplot as plt
from matplotlib.colors import TwoSlopeNorm
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from . import analysis, naming, style
from .runs import Run, arg_value, args_label
from .stats import Ratio, fmt_num

#: Default band shaded on speedup charts when claims.json gives none.
DEFAULT_BAND = (5.0, 10.0, "recipe's claim: 5-10x")


def chart_file(chart_id: str) -> str:
    """File stem of a chart id: ``speedup:request_response`` -> ``speedup_request_response``."""
    return chart_id.replace(":", "_").replace("-", "_")


@dataclass
class ChartSet:
    """What :func:`render_all` produced: chart id -> PNG path, plus notes."""

    paths: dict[str, Path] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def link(self, chart_id: str) -> str | None:
        """Path of a chart relative to the run folder (``charts/x.png``), or None."""
        path = self.paths.get(chart_id)
        return f"{path.parent.name}/{path.name}" if path else None


# ---- axis helpers ------------------------------------------------------------


def _times_formatter(x: float, _pos=None) -> str:
    """Tick label of a ratio axis: ``0.5x``, ``1x``, ``10x``."""
    return f"{fmt_num(x, 1 if x < 1 else 0)}x" if x < 1 else f"{x:g}x"


def _spans_decades(values: Sequence[float], factor: float = 20.0) -> bool:
    """True if positive values span more than ``factor`` (use a log axis)."""
    vals = [v for v in values if v and v > 0 and math.isfinite(v)]
    return bool(vals) and max(vals) / min(vals) > factor


def _log_ratio_axis(ax, values: Sequence[float], band: tuple[float, float] | None, axis: str = "x") -> None:
    """Log axis around 1x that shows every value and the band, ticks as ``Nx``."""
    vals = [v for v in values if v and v > 0 and math.isfinite(v)] + [1.0]
    if band:
        vals += [band[0], band[1]]
    lo, hi = min(vals) / 1.6, max(vals) * 1.6
    set_scale, set_lim, get_axis = (ax.set_xscale, ax.set_xlim, ax.xaxis) if axis == "x" else (ax.set_yscale, ax.set_ylim, ax.yaxis)
    set_scale("log")
    set_lim(lo, hi)
    get_axis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    get_axis.set_major_formatter(FuncFormatter(_times_formatter))
    get_axis.set_minor_formatter(NullFormatter())


def _bytes_formatter(x: float, _pos=None) -> str:
    """Tick label for byte axes: ``512 B``, ``64 KiB``, ``2 MiB``."""
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if x >= size:
            return f"{x / size:g} {unit}"
    return f"{x:g} B"


def _maybe_log(ax, values: Sequence[float], axis: str) -> bool:
    """Log scale on ``axis`` when the values span decades; returns whether it did."""
    if _spans_decades(values):
        (ax.set_xscale if axis == "x" else ax.set_yscale)("log")
        return True
    return False


# ---- the shared row chart ----------------------------------------------------


@dataclass
class Row:
    """One bar of a row chart."""

    label: str
    value: float
    colour: str
    group: str = ""
    lo: float | None = None
    hi: float | None = None
    marker: float | None = None   # a second value drawn as a tick (e.g. bytes requested)
    text: str | None = None        # annotation at the bar end


def _rows_chart(
    ax,
    rows: list[Row],
    *,
    origin: float = 0.0,
    log: bool = False,
    ratio_axis: bool = False,
    band: tuple[float, float, str] | None = None,
    reference: tuple[float, str] | None = None,
    xlabel: str = "",
    formatter: Callable | None = None,
    show_labels: bool = True,
) -> None:
    """Draws horizontal bars from ``origin`` to each row's value.

    Rows are drawn top-down in the given order; a thin line and the group
    name separate groups (processes).  ``ratio_axis`` makes a log axis in
    ``Nx`` units around 1x; ``band`` shades the claimed range;
    ``reference`` draws a labelled vertical line (e.g. 1x = "as fast as malloc").
    """
    if not rows:
        ax.text(0.5, 0.5, "no data", ha="center", va="center", transform=ax.transAxes, color="#777777")
        ax.set_yticks([])
        return
    y = np.arange(len(rows))[::-1].astype(float)
    values = [r.value for r in rows]
    extents = values + [v for r in rows for v in (r.lo, r.hi, r.marker) if v is not None]
    if ratio_axis:
        _log_ratio_axis(ax, extents, band[:2] if band else None)
    elif log:
        ax.set_xscale("log")
    widths = [v - origin for v in values]
    ax.barh(y, widths, left=origin, color=[r.colour for r in rows], height=0.7, edgecolor="white", linewidth=0.5, zorder=2)
    for yi, r in zip(y, rows):
        if r.lo is not None and r.hi is not None:
            ax.errorbar(r.value, yi, xerr=[[max(0.0, r.value - r.lo)], [max(0.0, r.hi - r.value)]],
                        fmt="none", ecolor="#222222", elinewidth=1, capsize=2.5, zorder=3)
        if r.marker is not None:
            ax.plot([r.marker], [yi], marker="|", markersize=11, markeredgewidth=2, color="#111111", zorder=4)
        if r.text:
            end = max(r.value, r.hi or r.value, r.marker or r.value)
            ax.annotate(r.text, (end, yi), xytext=(4, 0), textcoords="offset points", va="center", fontsize=7,
                        color="#333333", zorder=5)
    if band:
        ax.axvspan(band[0], band[1], color=style.BAND_COLOUR, alpha=style.BAND_ALPHA, zorder=0, label=band[2])
    if reference:
        ax.axvline(reference[0], color="#333333", linewidth=1, linestyle="--", zorder=1, label=reference[1])
    if formatter:
        ax.xaxis.set_major_formatter(FuncFormatter(formatter))
    ax.set_yticks(y)
    ax.set_yticklabels([r.label for r in rows] if show_labels else [])
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(xlabel)
    # group separators
    for i in range(1, len(rows)):
        if rows[i].group != rows[i - 1].group:
            ax.axhline(y[i] + 0.5, color="#bbbbbb", linewidth=0.6, zorder=1)
    if band or reference:
        ax.legend(loc="lower right", fontsize=7, frameon=True, framealpha=0.85)


def _rows_figure(n_rows: int, n_panels: int, width_per_panel: float = 4.2, label_width: float = 2.3):
    """A figure sized for ``n_rows`` bars in ``n_panels`` side-by-side panels."""
    height = max(3.0, 1.9 + 0.24 * n_rows)
    fig, axes = plt.subplots(1, n_panels, figsize=(label_width + width_per_panel * n_panels, height),
                             squeeze=False, sharey=True)
    return fig, list(axes[0])


def _finish(fig, run: Run, out_dir: Path, chart_id: str, title: str, note: str, formats, charts: ChartSet,
            top: float | None = None) -> None:
    """Adds title, explanatory note and footer; saves; records the path."""
    fig.suptitle(title, fontsize=11, fontweight="bold", x=0.01, ha="left")
    n_note_lines = note.count("\n") + 1 if note else 0
    height = fig.get_size_inches()[1]
    bottom_in = 0.55 + 0.16 * n_note_lines
    top_in = 0.55
    fig.tight_layout(rect=(0, bottom_in / height, 1, top or 1 - top_in / height))
    if note:
        fig.text(0.01, 0.03 + 0.02 / max(1.0, height / 5), note, fontsize=7.5, color="#333333", ha="left", va="bottom",
                 transform=fig.transFigure)
    style.add_footer(fig, run)
    paths = style.save(fig, out_dir, chart_file(chart_id), formats)
    charts.paths[chart_id] = paths[0]


def _reps_note(run: Run) -> str:
    """What the whiskers are, or why there are none."""
    n_min, n_max = run.min_reps(), run.max_reps()
    if n_max < 3:
        return (f"Only {n_max} repetition(s) per benchmark: no error bars (run with "
                "--benchmark_repetitions=10 for 95% intervals).")
    reps = f"{n_min}" if n_min == n_max else f"{n_min}-{n_max}"
    return f"Whiskers: 95% bootstrap interval of the ratio of medians ({reps} repetitions, fixed seed)."


# ---- speedup charts ----------------------------------------------------------


def _comparison_rows(comps: list[analysis.Comparison], unit: str = "x") -> list[Row]:
    """One row per comparison, coloured by the subject, grouped by process."""
    rows = []
    for c in comps:
        label = c.vs if naming.is_zig(c.process) else c.label
        r: Ratio = c.ratio
        rows.append(Row(label, r.value, style.colour(c.subject.contestant), c.process, r.lo, r.hi,
                        text=f"{fmt_num(r.value)}{unit}"))
    return rows


def _ordered_union(comps_by_panel: list[list[analysis.Comparison]]) -> list[tuple[str, str]]:
    """(process, contestant) keys appearing in any panel, in display order."""
    keys = {(c.process, c.subject.contestant) for comps in comps_by_panel for c in comps}
    return sorted(keys, key=lambda k: (naming.process_key(k[0]), naming.contestant_key(k[1])))


def speedup_chart(run: Run, workload: str, out_dir: Path, formats, charts: ChartSet, band=DEFAULT_BAND) -> None:
    """Speedup of every arena-family contestant over the malloc of its process."""
    panels = analysis.pick_args(run, workload)
    comps_by_panel = [analysis.comparisons(run, workload, args=a) for a in panels]
    if not any(comps_by_panel):
        charts.notes.append(f"speedup:{workload}: no arena-family contestant with a malloc baseline -- no chart")
        return
    keys = _ordered_union(comps_by_panel)
    fig, axes = _rows_figure(len(keys), len(panels))
    meaning, unit = analysis.arg_meaning(workload)
    for ax, a, comps in zip(axes, panels, comps_by_panel):
        by_key = {(c.process, c.subject.contestant): c for c in comps}
        rows = []
        for key in keys:
            c = by_key.get(key)
            if c:
                rows.extend(_comparison_rows([c]))
            else:  # keep rows aligned across panels
                label = naming.contestant_label(key[1], key[0])
                rows.append(Row(label, 1.0, "#ffffff", key[0], text="not run"))
        _rows_chart(ax, rows, origin=1.0, ratio_axis=True, band=band,
                    reference=(1.0, "1x = as fast as the malloc"),
                    xlabel="speedup over the process's malloc (x, log scale)", show_labels=ax is axes[0])
        ax.set_title(f"{meaning} = {args_label(a)} {unit}".strip() if a else "no arguments")
    all_args = run.args_of(workload)
    shown = "" if len(panels) == len(all_args) else f" (showing {len(panels)} of {len(all_args)} argument sets)"
    note = ("Bar = median time of the malloc of the same process / median time of the allocator; right of 1x = the "
            "allocator is faster. 'arena (over jemalloc)' = arena whose blocks come from jemalloc, compared with "
            "jemalloc.\n" + _reps_note(run) + f" Shaded: {band[2]}.")
    _finish(fig, run, out_dir, f"speedup:{workload}",
            f"{workload}: speedup of arena-family allocators over general-purpose malloc{shown}", note, formats, charts)


# ---- memory charts -----------------------------------------------------------


def memory_chart(run: Run, workload: str, out_dir: Path, formats, charts: ChartSet) -> None:
    """Bytes reserved vs requested, and peak RSS, for every contestant."""
    a = analysis.representative_args(run, workload)
    benches = [b for b in run.select(workload=workload, args=a) if b.has("bytes_reserved") or b.has("peak_rss_kb")]
    if not benches:
        charts.notes.append(f"memory:{workload}: no bytes_reserved / peak_rss_kb counters -- no chart")
        return
    benches.sort(key=lambda b: (naming.process_key(b.process), naming.contestant_key(b.contestant)))
    reserved_rows, rss_rows = [], []
    for b in benches:
        label = naming.contestant_label(b.contestant, b.process)
        colour = style.colour(b.contestant)
        reserved = b.counter("bytes_reserved")
        requested = b.counter("bytes_requested")
        if reserved is not None:
            text = _bytes_formatter(reserved)
            if requested:
                text += f"  ({fmt_num(reserved / requested)}x requested)"
            reserved_rows.append(Row(label, max(reserved, 1.0), colour, b.process, marker=requested, text=text))
        else:
            reserved_rows.append(Row(label, 1.0, "#ffffff", b.process, text="not reported"))
        rss = b.counter("peak_rss_kb")
        if rss is not None:
            rss_rows.append(Row(label, rss * 1024.0, colour, b.process, text=_bytes_formatter(rss * 1024.0)))
        else:
            rss_rows.append(Row(label, 0.0, "#ffffff", b.process, text="not reported"))
    fig, axes = _rows_figure(len(benches), 2, width_per_panel=4.6)
    _rows_chart(axes[0], reserved_rows, origin=1.0, log=True, formatter=_bytes_formatter,
                xlabel="bytes (log scale): bar = peak reserved from backing, | = requested per iteration")
    axes[0].set_title("bytes reserved vs bytes requested")
    _rows_chart(axes[1], rss_rows, origin=0.0, formatter=_bytes_formatter, show_labels=False,
                xlabel="peak resident set of the benchmark (bytes)")
    axes[1].set_title("peak RSS (includes the process baseline)")
    meaning, unit = analysis.arg_meaning(workload)
    note = ("Left: bar = peak bytes the allocator held from its backing allocator during one iteration (malloc: peak "
            "live usable bytes); black tick = bytes requested per iteration.\nReserved far above requested = "
            "overhead or waste; below = memory reused within the iteration. Right: peak RSS while this benchmark ran.")
    _finish(fig, run, out_dir, f"memory:{workload}",
            f"{workload}: memory per allocator at {meaning} = {args_label(a) if a else '-'} {unit}".rstrip(),
            note, formats, charts)


# ---- sweeps ------------------------------------------------------------------


def _sweep_chart(run: Run, workload: str, metric: str, chart_id: str, ylabel: str, title: str, note: str,
                 out_dir: Path, formats, charts: ChartSet, scale: float = 1.0, yformatter=None) -> None:
    """One panel per process; one line per contestant: ``metric`` vs first arg."""
    processes = sorted({b.process for b in run.select(workload=workload)}, key=naming.process_key)
    series: dict[str, dict[str, list]] = {}
    for process in processes:
        for contestant in sorted({b.contestant for b in run.select(workload=workload, process=process)},
                                 key=naming.contestant_key):
            pts = analysis.sweep(run, workload, process, contestant, metric)
            if len(pts) >= 2:
                series.setdefault(process, {})[contestant] = pts
    if not series:
        charts.notes.append(f"{chart_id}: fewer than two numeric argument values with {metric} -- no chart")
        return
    procs = [p for p in processes if p in series]
    ncols = min(3, len(procs))
    nrows = math.ceil(len(procs) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.0 + 4.0 * ncols, 1.4 + 3.0 * nrows), squeeze=False,
                             sharex=True, sharey=True)
    xs = [p[0] for s in series.values() for pts in s.values() for p in pts]
    ys = [p[1] * scale for s in series.values() for pts in s.values() for p in pts]
    handles: dict[str, object] = {}
    for ax, process in zip(axes.flat, procs):
        for contestant, pts in series[process].items():
            general = naming.is_general(contestant, analysis.process_malloc(run, process))
            (line,) = ax.plot([p[0] for p in pts], [p[1] * scale for p in pts], marker="o", markersize=3.5,
                              linewidth=2.2 if general else 1.5, linestyle="-" if general else "-",
                              color=style.colour(contestant), label=contestant, zorder=3 if general else 2)
            handles.setdefault(contestant, line)
        title_proc = naming.PROCESS_TITLES.get(process, f"process: {process}")
        ax.set_title(title_proc if naming.is_zig(process) else f"{title_proc} (arenas over {process})")
    for ax in axes.flat[len(procs):]:
        ax.set_visible(False)
    meaning, unit = analysis.arg_meaning(workload)
    for ax in axes.flat[:len(procs)]:
        _maybe_log(ax, xs, "x")
        _maybe_log(ax, ys, "y")
        if yformatter:
            ax.yaxis.set_major_formatter(FuncFormatter(yformatter))
    for ax in axes[-1]:
        ax.set_xlabel(f"{meaning} ({unit})" if unit else meaning)
    for ax in axes[:, 0]:
        ax.set_ylabel(ylabel)
    fig.legend(list(handles.values()), list(handles.keys()), loc="upper right", ncol=min(6, len(handles)),
               bbox_to_anchor=(0.99, 1 - 0.45 / fig.get_size_inches()[1]), fontsize=8)
    _finish(fig, run, out_dir, chart_id, title, note, formats, charts,
            top=1 - 0.8 / fig.get_size_inches()[1])


def time_sweep_chart(run: Run, workload: str, out_dir: Path, formats, charts: ChartSet) -> None:
    """ns per item against the workload's argument, per process."""
    _, unit = analysis.arg_meaning(workload)
    item = "item" if not unit else unit.rstrip("s")
    _sweep_chart(run, workload, "ns_per_item", f"sweep:{workload}", f"time per {item} (ns)",
                 f"{workload}: time per {item} as the argument grows",
                 "Points = median over repetitions of real time per iteration / items per iteration; lower is "
                 "better. A flat line = constant cost per item (O(1)).", out_dir, formats, charts)


def memory_sweep_chart(run: Run, workload: str, out_dir: Path, formats, charts: ChartSet) -> None:
    """bytes_reserved against the workload's argument, per process."""
    _sweep_chart(run, workload, "bytes_reserved", f"sweep-memory:{workload}", "peak bytes reserved",
                 f"{workload}: peak bytes held from the backing allocator as the argument grows",
                 "Points = median bytes_reserved (peak held from the backing allocator in one iteration). A flat line "
                 "= memory does not accumulate as the work grows.", out_dir, formats, charts,
                 yformatter=_bytes_formatter)


# ---- summary heatmap ---------------------------------------------------------


def heatmap_chart(run: Run, out_dir: Path, formats, charts: ChartSet) -> None:
    """Workload x general-purpose allocator: speedup of the best arena-family contestant."""
    cells: dict[tuple[str, str], analysis.Comparison] = {}
    row_labels: dict[str, str] = {}
    for workload in run.workloads():
        a = analysis.representative_args(run, workload)
        best = analysis.best_per_process(analysis.comparisons(run, workload, args=a))
        if best:
            row_labels[workload] = f"{workload} [{args_label(a)}]" if a else workload
            for process, c in best.items():
                cells[(workload, process)] = c
    if not cells:
        charts.notes.append("heatmap: no arena-vs-malloc comparison in this run -- no chart")
        return
    workloads = list(row_labels)
    processes = sorted({p for _, p in cells}, key=naming.process_key)
    grid = np.full((len(workloads), len(processes)), np.nan)
    for (w, p), c in cells.items():
        grid[workloads.index(w), processes.index(p)] = math.log2(c.ratio.value)
    limit = max(1.0, float(np.nanmax(np.abs(grid))))
    fig, ax = plt.subplots(figsize=(3.2 + 1.55 * len(processes), 1.9 + 0.5 * len(workloads)))
    cmap = plt.get_cmap("RdBu").copy()
    cmap.set_bad("#eeeeee")
    image = ax.imshow(np.ma.masked_invalid(grid), cmap=cmap, norm=TwoSlopeNorm(vmin=-limit, vcenter=0, vmax=limit),
                      aspect="auto")
    for (w, p), c in cells.items():
        i, j = workloads.index(w), processes.index(p)
        dark = abs(grid[i, j]) > limit * 0.55
        ax.text(j, i, f"{fmt_num(c.ratio.value)}x\n{c.subject.contestant}", ha="center", va="center", fontsize=7.5,
                color="white" if dark else "#111111")
    for i in range(len(workloads)):
        for j in range(len(processes)):
            if np.isnan(grid[i, j]):
                ax.text(j, i, "not run", ha="center", va="center", fontsize=7, color="#888888")
    ax.set_xticks(range(len(processes)))
    ax.set_xticklabels([p if naming.is_zig(p) else f"{p}\n(malloc)" for p in processes])
    ax.set_yticks(range(len(workloads)))
    ax.set_yticklabels([row_labels[w] for w in workloads])
    ax.grid(False)
    ax.set_xlabel("general-purpose allocator the arena-family contestant is compared with (its process)")
    ax.set_ylabel("workload [argument shown]")
    bar = fig.colorbar(image, ax=ax, fraction=0.04, pad=0.02)
    ticks = [t for t in range(-math.ceil(limit), math.ceil(limit) + 1)]
    bar.set_ticks(ticks)
    bar.set_ticklabels([_times_formatter(2.0 ** t) for t in ticks])
    bar.set_label("speedup over malloc (blue: arena family faster, red: slower)")
    note = ("Cell = median time of the malloc / median time of the fastest arena-family contestant (named in the cell), "
            "same process, at the argument in brackets.\nZig columns compare zig_arena_X with zig_X inside the Zig "
            "process. Grey = not run.")
    _finish(fig, run, out_dir, "heatmap", "Summary: best arena-family speedup per workload and malloc", note,
            formats, charts)


# ---- everything --------------------------------------------------------------


def _numeric_arg_count(run: Run, workload: str) -> int:
    """How many distinct numeric first arguments a workload has."""
    return len({arg_value(a[0]) for a in run.args_of(workload) if a and arg_value(a[0]) is not None})


def render_all(run: Run, out_dir: Path, formats=("png", "svg"), bands: dict | None = None) -> ChartSet:
    """Every chart of a run into ``out_dir``; returns what was made and skipped.

    ``bands`` maps a workload to the claimed ``(lo, hi, label)`` speedup band
    (key ``"default"`` for the rest), normally from ``claims.json``.
    """
    style.apply_rc()
    bands = bands or {}
    charts = ChartSet()
    default_band = bands.get("default", DEFAULT_BAND)
    for workload in run.workloads():
        speedup_chart(run, workload, out_dir, formats, charts, band=bands.get(workload, default_band))
        memory_chart(run, workload, out_dir, formats, charts)
        if _numeric_arg_count(run, workload) >= 3:
            time_sweep_chart(run, workload, out_dir, formats, charts)
            memory_sweep_chart(run, workload, out_dir, formats, charts)
    heatmap_chart(run, out_dir, formats, charts)
    return charts
