"""One look for every chart: the palette, the footer, saving.

Every allocator has one colour on every chart (:data:`PALETTE`); names not in
the palette get a colour derived from the name itself, so they are stable
across charts and runs too.  Every figure carries a footer naming the machine,
the date and the run (:func:`add_footer`), and is saved as PNG and SVG
(:func:`save`).
"""

from __future__ import annotations

import zlib
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, never a window; must precede pyplot

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from .runs import Run, machine_summary, run_date  # noqa: E402

#: The one palette: general-purpose mallocs in strong primaries, arena
#: variants in purples, bounded/pool in earth tones, libraries in teal/pink,
#: Zig allocators in blue-greys (arenas lighter than their general partner).
PALETTE = {
    "glibc": "#1f77b4",
    "jemalloc": "#ff7f0e",
    "mimalloc": "#2ca02c",
    "tcmalloc": "#d62728",
    "arena": "#7b3fb5",
    "arena_direct": "#a05fd6",
    "arena_direct_cached": "#5e3c99",
    "arena_free_all": "#c9a3e6",
    "arena_new": "#4b1f75",
    "arena_limit": "#e377c2",
    "nested_arena": "#9c7bbf",
    "stack_arena": "#6d6d6d",
    "fixed_buffer": "#a8a8a8",
    "pool": "#8c564b",
    "obstack": "#17becf",
    "apr": "#bcbd22",
    "talloc": "#f2a93b",
    "mi_heap": "#98df8a",
    "zig_testing": "#393b79",
    "zig_arena_testing": "#8a8fe0",
    "zig_gpa": "#637939",
    "zig_arena_gpa": "#b5cf6b",
    "zig_c_allocator": "#8c6d31",
    "zig_arena_c": "#e7ba52",
}

#: Colours for verdicts (compare chart, heatmap annotations).
VERDICT_COLOURS = {
    "regressed": "#d62728",
    "improved": "#2ca02c",
    "unchanged": "#9e9e9e",
    "insignificant": "#f2a93b",
}

#: The claim band (recipe's promised range) shading.
BAND_COLOUR = "#2ca02c"
BAND_ALPHA = 0.12

_FALLBACK = plt.get_cmap("tab20b").colors


def colour(name: str) -> str:
    """The colour of an allocator (contestant or process) on every chart."""
    if name in PALETTE:
        return PALETTE[name]
    rgb = _FALLBACK[zlib.crc32(name.encode()) % len(_FALLBACK)]
    return matplotlib.colors.to_hex(rgb)


_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<", ">", "h")


def marker(name: str) -> str:
    """A line marker per allocator (stable), so overlapping lines stay apart."""
    if name in PALETTE:
        return _MARKERS[list(PALETTE).index(name) % len(_MARKERS)]
    return _MARKERS[zlib.crc32(name.encode()) % len(_MARKERS)]


def apply_rc() -> None:
    """Readable defaults: sizes, grid, no top/right spines."""
    plt.rcParams.update({
        "figure.dpi": 100,
        "savefig.dpi": 130,
        "font.size": 9,
        "axes.titlesize": 10,
        "axes.labelsize": 9,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "grid.linewidth": 0.6,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "legend.fontsize": 8,
        "legend.frameon": False,
        "svg.fonttype": "none",
        "svg.hashsalt": "arenabench",
    })


def footer_text(run: Run) -> str:
    """``machine: ... | run: ... | date | git``: what and where was measured."""
    parts = [f"machine: {machine_summary(run)}", f"date: {run_date(run)}", f"run: {run.label}"]
    rev = run.manifest.get("git_revision")
    if rev:
        parts.append(f"git {str(rev)[:10]}")
    return "   |   ".join(parts)


def add_footer(fig: Figure, run: Run, note: str | None = None) -> None:
    """Writes the machine/date footer (and an optional note line) on ``fig``."""
    fig.text(0.01, 0.005, footer_text(run), fontsize=7, color="#555555", ha="left", va="bottom")
    if note:
        fig.text(0.01, 0.028, note, fontsize=7, color="#555555", ha="left", va="bottom", style="italic")


def save(fig: Figure, out_dir: Path, stem: str, formats: tuple[str, ...] = ("png", "svg")) -> list[Path]:
    """Saves ``fig`` as ``out_dir/stem.<fmt>`` for each format and closes it."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for fmt in formats:
        path = out_dir / f"{stem}.{fmt}"
        metadata = {"Date": None} if fmt == "svg" else None
        fig.savefig(path, format=fmt, metadata=metadata)
        paths.append(path)
    plt.close(fig)
    return paths
