"""The charts of a run: speedups, sweeps, memory, and a summary heatmap.

Every chart is built from three shared pieces, so they read the same way:

* :func:`rows_chart` -- horizontal bars, one row per contestant grouped by
  process, optional whiskers, a reference line, a shaded band (speedup,
  memory and compare charts);
* :func:`_sweep_chart` -- one panel per process, one line per contestant,
  a metric against a workload's numeric argument (time and memory sweeps);
* :func:`finish_figure` -- title, explanation note, footer (machine and date) and
  saving as PNG + SVG.

Chart ids (``speedup:<workload>``, ``memory:<workload>``,
``sweep:<workload>``, ``sweep-memory:<workload>``, ``heatmap``) name the
files (:func:`chart_file`) and are what ``claims.json`` refers to.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np
from matplotlib import pyplot as plt
from matplotlib.colors import TwoSlopeNorm
from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

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
    return f"{x:.2g}x" if x < 1 else f"{x:g}x"


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
    get_axis.set_minor_locator(NullLocator())


def _bytes_formatter(x: float, _pos=None) -> str:
    """Byte counts for humans: ``512 B``, ``64 KiB``, ``2.34 MiB``."""
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if abs(x) >= size:
            return f"{x / size:.3g} {unit}"
    return f"{x:.3g} B"


def _log_bytes_axis(ax, values: Sequence[float], axis: str = "x") -> None:
    """Log axis for byte counts with ticks at powers of 4 or 16 (1 KiB, 4 KiB ...)."""
    vals = [v for v in values if v and v > 0 and math.isfinite(v)] or [1.0]
    lo = 2.0 ** math.floor(math.log2(min(vals) / 2))
    hi = max(vals) * (6 if axis == "x" else 2)
    octaves = math.log2(hi / lo)
    step = 1 if octaves <= 8 else (2 if octaves <= 16 else 4)
    first = step * math.floor(math.log2(lo) / step)
    ticks = [2.0 ** e for e in range(first, int(math.log2(hi)) + 1, step) if lo <= 2.0 ** e <= hi]
    target = ax.xaxis if axis == "x" else ax.yaxis
    (ax.set_xscale if axis == "x" else ax.set_yscale)("log", base=2)
    (ax.set_xlim if axis == "x" else ax.set_ylim)(lo, hi)
    target.set_ticks(ticks)
    target.set_major_formatter(FuncFormatter(_bytes_formatter))
    target.set_minor_locator(NullLocator())


def _maybe_log(ax, values: Sequence[float], axis: str) -> bool:
    """Log scale on ``axis`` when the values span decades; returns whether it did.

    Tick labels stay plain numbers (``10``, ``1000``, ``1e+05``), not powers.
    """
    if _spans_decades(values):
        (ax.set_xscale if axis == "x" else ax.set_yscale)("log")
        target = ax.xaxis if axis == "x" else ax.yaxis
        target.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:g}"))
        target.set_minor_locator(NullLocator())  # minor log ticks cost more to draw than they help
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
    placeholder: bool = False      # no data: keeps the row aligned, shows only its text


def rows_chart(
    ax,
    rows: list[Row],
    *,
    origin: float = 0.0,
    log: bool = False,
    ratio_axis: bool = False,
    band: tuple[float, float, str] | None = None,
    reference: tuple[float, str] | None = None,
    xlabel: str = "",
    show_labels: bool = True,
) -> tuple[list, list]:
    """Draws horizontal bars from ``origin`` to each row's value.

    Rows are drawn top-down in the given order; a thin line and the group
    name separate groups (processes).  ``ratio_axis`` makes a log axis in
    ``Nx`` units around 1x; ``band`` shades the claimed range;
    ``reference`` draws a labelled vertical line (e.g. 1x = "as fast as malloc").
    Returns the (handles, labels) of the band and reference for a figure legend.
    """
    if not rows:
        ax.text(0.5, 0.5, "no data", ha="center", va="center", transform=ax.transAxes, color="#777777")
        ax.set_yticks([])
        return [], []
    y = np.arange(len(rows))[::-1].astype(float)
    real = [r for r in rows if not r.placeholder] or rows
    extents = [r.value for r in real] + [v for r in real for v in (r.lo, r.hi, r.marker) if v is not None]
    if ratio_axis:
        _log_ratio_axis(ax, extents, band[:2] if band else None)
    elif log:
        _log_bytes_axis(ax, extents)
        origin = ax.get_xlim()[0]
    rows = [Row(r.label, origin, r.colour, r.group, text=r.text, placeholder=True) if r.placeholder else r
            for r in rows]
    widths = [r.value - origin for r in rows]
    ax.barh(y, widths, left=origin, color=[r.colour for r in rows], height=0.7, edgecolor="white", linewidth=0.5, zorder=2)
    with_ci = [(yi, r) for yi, r in zip(y, rows) if r.lo is not None and r.hi is not None]
    if with_ci:  # one errorbar artist for all rows
        ax.errorbar([r.value for _, r in with_ci], [yi for yi, _ in with_ci],
                    xerr=[[max(0.0, r.value - r.lo) for _, r in with_ci], [max(0.0, r.hi - r.value) for _, r in with_ci]],
                    fmt="none", ecolor="#222222", elinewidth=1, capsize=2.5, zorder=3)
    marked = [(yi, r.marker) for yi, r in zip(y, rows) if r.marker is not None]
    if marked:
        ax.plot([m for _, m in marked], [yi for yi, _ in marked], linestyle="none", marker="|", markersize=11,
                markeredgewidth=2, color="#111111", zorder=4)
    for yi, r in zip(y, rows):
        if not r.text:
            continue
        if r.value < origin:  # bar grows leftwards: label on its left
            end = min(r.value, r.lo if r.lo is not None else r.value)
            ax.annotate(r.text, (end, yi), xytext=(-4, 0), textcoords="offset points", va="center", ha="right",
                        fontsize=7, color="#333333", zorder=5)
        else:
            end = max(r.value, r.hi or r.value, r.marker or r.value)
            ax.annotate(r.text, (end, yi), xytext=(4, 0), textcoords="offset points", va="center", fontsize=7,
                        color="#333333", zorder=5)
    if band:
        ax.axvspan(band[0], band[1], color=style.BAND_COLOUR, alpha=style.BAND_ALPHA, zorder=0, label=band[2])
    if reference:
        ax.axvline(reference[0], color="#333333", linewidth=1, linestyle="--", zorder=1, label=reference[1])
    ax.set_yticks(y)
    if show_labels:
        ax.set_yticklabels([r.label for r in rows])
    else:
        ax.tick_params(labelleft=False)
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(xlabel)
    # group separators
    for i in range(1, len(rows)):
        if rows[i].group != rows[i - 1].group:
            ax.axhline(y[i] + 0.5, color="#bbbbbb", linewidth=0.6, zorder=1)
    return ax.get_legend_handles_labels()


def _figure(width: float, height: float, nrows: int = 1, ncols: int = 1, **kw):
    """A constrained-layout figure and its axes grid (always 2-D)."""
    fig, axes = plt.subplots(nrows, ncols, figsize=(width, height), squeeze=False, layout="constrained", **kw)
    return fig, axes


def rows_figure(n_rows: int, n_panels: int, width_per_panel: float = 4.2, label_width: float = 2.4):
    """A figure sized for ``n_rows`` bars in ``n_panels`` side-by-side panels."""
    height = max(3.4, 2.5 + 0.24 * n_rows)
    width = max(MIN_WIDTH, label_width + width_per_panel * n_panels)
    fig, axes = _figure(width, height, 1, n_panels, sharey=True)
    return fig, list(axes[0])


#: Narrowest figure (inches): room for the title, note and footer.
MIN_WIDTH = 10.0


def _wrap(text: str, width_in: float, points: float) -> str:
    """Wraps each line of ``text`` to fit ``width_in`` inches at ``points`` size."""
    chars = max(40, int(width_in * 72 / (points * 0.52)))
    return "\n".join(textwrap.fill(line, chars) for line in text.split("\n"))


def finish_figure(fig, run: Run, out_dir: Path, chart_id: str, title: str, note: str, formats, charts: ChartSet,
            legend: tuple[list, list] | None = None) -> None:
    """Adds title, legend, explanatory note and footer; saves; records the path.

    Space for the note and footer (bottom) and for a figure-wide legend (top)
    is reserved in inches, so it does not depend on the figure's size.
    """
    width, height = fig.get_size_inches()
    note = _wrap(note, width - 0.2, 7.5) if note else ""
    title = _wrap(title, width - 0.2, 11)
    n_note_lines = note.count("\n") + 1 if note else 0
    bottom_in = 0.32 + 0.14 * n_note_lines
    top_in = 0.22 + 0.2 * (title.count("\n") + 1)
    fig.suptitle(title, fontsize=11, fontweight="bold", x=0.01, ha="left", y=1 - 0.08 / height, va="top")
    if legend:
        ncol = min(7, len(legend[1]))
        n_legend_rows = math.ceil(len(legend[1]) / ncol)
        fig.legend(legend[0], legend[1], loc="upper center", ncol=ncol, fontsize=8,
                   bbox_to_anchor=(0.5, 1 - top_in / height))
        top_in += 0.1 + 0.2 * n_legend_rows
    # constrained layout's rect is (left, bottom, width, height)
    fig.get_layout_engine().set(rect=(0, bottom_in / height, 1, 1 - (top_in + bottom_in) / height))
    if note:
        fig.text(0.01, 0.27 / height, note, fontsize=7.5, color="#333333", ha="left", va="bottom")
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


def _args_title(short: str, args: tuple[str, ...]) -> str:
    """Panel title for an argument tuple: ``N = 100`` or ``size = 64 (other args 1)``."""
    if not args:
        return "no arguments"
    title = f"{short} = {args[0]}"
    return title + (f" (other args {'/'.join(args[1:])})" if len(args) > 1 else "")


def _share_xlim(axes) -> None:
    """Gives side-by-side panels the union of their x ranges, so bars compare across panels."""
    lows, highs = zip(*(ax.get_xlim() for ax in axes))
    for ax in axes:
        ax.set_xlim(min(lows), max(highs))


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
    fig, axes = rows_figure(len(keys), len(panels))
    _, short = analysis.arg_meaning(workload)
    for ax, a, comps in zip(axes, panels, comps_by_panel):
        by_key = {(c.process, c.subject.contestant): c for c in comps}
        rows = []
        for key in keys:
            c = by_key.get(key)
            if c:
                rows.extend(_comparison_rows([c]))
            else:  # keep rows aligned across panels
                label = naming.contestant_label(key[1], key[0])
                rows.append(Row(label, 1.0, "#ffffff", key[0], text="not run", placeholder=True))
        legend = rows_chart(ax, rows, origin=1.0, ratio_axis=True, band=band,
                             reference=(1.0, "1x = as fast as the malloc"),
                             xlabel="speedup over the process's malloc (x, log scale)", show_labels=ax is axes[0])
        ax.set_title(_args_title(short, a))
    _share_xlim(axes)
    all_args = run.args_of(workload)
    shown = "" if len(panels) == len(all_args) else f" (showing {len(panels)} of {len(all_args)} argument sets)"
    note = ("Bar = median time of the malloc of the same process / median time of the allocator; right of 1x = the "
            "allocator is faster. 'arena (over jemalloc)' = arena whose blocks come from jemalloc, compared with "
            "jemalloc.\n" + _reps_note(run) + f" Shaded: {band[2]}.")
    finish_figure(fig, run, out_dir, f"speedup:{workload}",
            f"{workload}: speedup of arena-family allocators over general-purpose malloc{shown}", note, formats, charts,
            legend=legend)


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
            reserved_rows.append(Row(label, 1.0, "#ffffff", b.process, text="not reported", placeholder=True))
        rss = b.counter("peak_rss_kb")
        if rss is not None:
            rss_rows.append(Row(label, rss / 1024.0, colour, b.process, text=f"{fmt_num(rss / 1024.0)} MiB"))
        else:
            rss_rows.append(Row(label, 0.0, "#ffffff", b.process, text="not reported", placeholder=True))
    fig, axes = rows_figure(len(benches), 2, width_per_panel=4.8)
    rows_chart(axes[0], reserved_rows, log=True,
                xlabel="bytes, log scale (bar = peak reserved, | = requested per iteration)")
    axes[0].set_title("bytes reserved vs bytes requested")
    rows_chart(axes[1], rss_rows, origin=0.0, show_labels=False, xlabel="peak resident set (MiB)")
    axes[1].set_title("peak RSS (includes the process baseline)")
    _, short = analysis.arg_meaning(workload)
    note = ("Left: bar = peak bytes the allocator held from its backing allocator during one iteration (malloc: peak "
            "live usable bytes); black tick = bytes requested per iteration.\nReserved far above requested = "
            "overhead or waste; below = memory reused within the iteration. Right: peak RSS while this benchmark ran.")
    finish_figure(fig, run, out_dir, f"memory:{workload}",
            f"{workload}: memory per allocator" + (f" at {_args_title(short, a)}" if a else ""),
            note, formats, charts)


# ---- sweeps ------------------------------------------------------------------


def _grid_shape(n: int) -> tuple[int, int]:
    """(rows, cols) for ``n`` panels: 1-3 in a row, 4 as 2x2, more in rows of 3."""
    ncols = n if n <= 3 else (2 if n == 4 else 3)
    return math.ceil(n / ncols), ncols


def _sweep_chart(run: Run, workload: str, metric: str, chart_id: str, ylabel: str, title: str, note: str,
                 out_dir: Path, formats, charts: ChartSet, byte_axis: bool = False) -> None:
    """One panel per process; one line per contestant: ``metric`` vs first arg.

    Panels share both axes, so heights compare across processes.  Axes are
    logarithmic where the values span decades (``byte_axis``: in bytes).
    """
    processes = sorted({b.process for b in run.select(workload=workload)}, key=naming.process_key)
    rest = analysis.main_sweep_group(run, workload)
    if rest:
        title += f" (other arguments fixed at {args_label(rest)})"
    series: dict[str, dict[str, list]] = {}
    for process in processes:
        for contestant in sorted({b.contestant for b in run.select(workload=workload, process=process)},
                                 key=naming.contestant_key):
            pts = analysis.sweep(run, workload, process, contestant, metric, rest=rest)
            if len(pts) >= 2:
                series.setdefault(process, {})[contestant] = pts
    if not series:
        charts.notes.append(f"{chart_id}: fewer than two numeric argument values with {metric} -- no chart")
        return
    procs = [p for p in processes if p in series]
    nrows, ncols = _grid_shape(len(procs))
    fig, axes = _figure(max(MIN_WIDTH, 1.2 + 4.2 * ncols), 1.9 + 2.9 * nrows, nrows, ncols, sharex=True, sharey=True)
    xs = [p[0] for s in series.values() for pts in s.values() for p in pts]
    ys = [p[1] for s in series.values() for pts in s.values() for p in pts]
    handles: dict[str, object] = {}
    meaning, _ = analysis.arg_meaning(workload)
    for index, (ax, process) in enumerate(zip(axes.flat, procs)):
        malloc = analysis.process_malloc(run, process)
        for contestant, pts in series[process].items():
            general = naming.is_general(contestant, malloc)
            (line,) = ax.plot([p[0] for p in pts], [p[1] for p in pts], marker=style.marker(contestant),
                              markersize=4.5, linewidth=2.4 if general else 1.5, color=style.colour(contestant),
                              label=contestant, zorder=3 if general else 2)
            handles.setdefault(contestant, line)
        title_proc = naming.PROCESS_TITLES.get(process, f"process: {process}")
        ax.set_title(title_proc if naming.is_zig(process) else f"{title_proc} (arenas over {process})")
        _maybe_log(ax, xs, "x")
        if byte_axis:
            _log_bytes_axis(ax, ys, axis="y")
        else:
            _maybe_log(ax, ys, "y")
        if index % ncols == 0:
            ax.set_ylabel(ylabel)
        if index + ncols >= len(procs):  # nothing below this panel: label its x axis
            ax.xaxis.set_tick_params(labelbottom=True)
            ax.set_xlabel(meaning)
    for ax in axes.flat[len(procs):]:
        ax.set_visible(False)
    names = sorted(handles, key=naming.contestant_key)
    finish_figure(fig, run, out_dir, chart_id, title, note, formats, charts,
            legend=([handles[n] for n in names], names))


def time_sweep_chart(run: Run, workload: str, out_dir: Path, formats, charts: ChartSet) -> None:
    """ns per item against the workload's argument, per process."""
    item = analysis.item_name(workload)
    meaning, short = analysis.arg_meaning(workload)
    _sweep_chart(run, workload, "ns_per_item", f"sweep:{workload}", f"time per {item} (ns)",
                 f"{workload}: time per {item} vs {short}",
                 "Points = median over repetitions of real time per iteration / items per iteration; lower is "
                 "better. A flat line = constant cost per item (O(1)).", out_dir, formats, charts)


def memory_sweep_chart(run: Run, workload: str, out_dir: Path, formats, charts: ChartSet) -> None:
    """bytes_reserved against the workload's argument, per process."""
    _, short = analysis.arg_meaning(workload)
    _sweep_chart(run, workload, "bytes_reserved", f"sweep-memory:{workload}", "peak bytes reserved (log scale)",
                 f"{workload}: peak bytes held from the backing allocator vs {short}",
                 "Points = median bytes_reserved (peak held from the backing allocator in one iteration). A flat line "
                 "= memory does not accumulate as the work grows.", out_dir, formats, charts, byte_axis=True)


# ---- summary heatmap ---------------------------------------------------------


def heatmap_chart(run: Run, out_dir: Path, formats, charts: ChartSet) -> None:
    """Workload x general-purpose allocator: speedup of the best arena-family contestant."""
    cells: dict[tuple[str, str], analysis.Comparison] = {}
    row_labels: dict[str, str] = {}
    for workload in run.workloads():
        a = analysis.representative_args(run, workload)
        comps = [c for c in analysis.comparisons(run, workload, args=a)
                 if c.subject.contestant not in naming.REFERENCE_CONTESTANTS]
        best = analysis.best_per_process(comps)
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
    limit = float(max(1, math.ceil(np.nanmax(np.abs(grid)))))  # whole powers of two: clean colorbar ticks
    fig, axes = _figure(4.2 + 1.3 * len(processes), 2.2 + 0.42 * len(workloads))
    ax = axes[0][0]
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
    ticks = list(range(-int(limit), int(limit) + 1))
    bar.set_ticks(ticks)
    bar.set_ticklabels([_times_formatter(2.0 ** t) for t in ticks])
    bar.set_label("speedup over malloc (blue: arena family faster, red: slower)")
    note = ("Cell = median time of the malloc / median time of the fastest arena-family contestant (named in the cell), "
            "same process, at the argument in brackets.\nZig columns compare zig_arena_X with zig_X inside the Zig "
            "process. Grey = not run.")
    finish_figure(fig, run, out_dir, "heatmap", "Summary: best arena-family speedup per workload and malloc", note,
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
        if workload not in analysis.CATEGORICAL_ARGS and _numeric_arg_count(run, workload) >= 3:
            time_sweep_chart(run, workload, out_dir, formats, charts)
            memory_sweep_chart(run, workload, out_dir, formats, charts)
    heatmap_chart(run, out_dir, formats, charts)
    return charts
