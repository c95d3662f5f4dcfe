"""The report's "Arena fast path against the floor" section.

``alloc_sizes`` times this project's arena through its inline direct API
(contestant ``arena_direct``) against ``bump_floor``, a hand-inlined bump
pointer over one pre-faulted buffer that the workload owns: the least any
allocator can cost for the same work (the same sizes, the same bytes written).
Three named cases carry the targets this project set for its arena (time of
``arena_direct`` / time of ``bump_floor``, lower is better):

* (a) many small allocations, 16-64 B (args ``0/0``): within 1.3x;
* (b) a request cycle: 40 mixed allocations, every byte written, then
  ``reset(retain_capacity)`` (args ``0/2``): within 1.1x;
* (c) create / 100 x 1 KiB / deinit, the arena's blocks taken from malloc and
  given back every cycle (args ``1024/3``): within 1.5x.

The verdicts are for ``arena_direct``, the arena over the process's malloc.
When the run has ``arena_direct_cached`` (the same arena over a block cache,
allocators/block_cache.h, that keeps a deinit'ed arena's blocks for the next
one), its ratio and verdict are shown beside them: in (c) the difference
between the two is what the malloc's block path costs.

Where the ratios come from. In the main run every benchmark has a process
of its own, and where a process's code and data land moves the floor alone by
up to 1.5x on the reference VM: a ratio of two such processes is mostly that
placement. So ``run_all.sh`` also makes a *floor pass* (``RUN/floor/K/``):
K fresh processes per malloc, each running these benchmarks interleaved, so
each process gives one same-process ratio. With it, a row shows the median
ratio over the K processes with its [min, max], and the verdict is *met* when
every process is within the target, *missed* when none is, else *unclear*.
Without it (older runs), the ratio of the main run's two medians with its 95%
bootstrap interval, judged the same way on the interval. With a deterministic
run that has these benchmarks (``./run_all.sh --why``), instructions per
allocation of both and their ratio are shown too: that ratio repeats to the
instruction, time ratios do not.
"""

from __future__ import annotations

import statistics
from pathlib import Path

from .runs import InputError, Run, load_run
from .stats import Ratio, fmt_num, ratio_of_medians

#: Heading anchor of the section.
ANCHOR = "arena-fast-path-vs-floor"

#: (label, alloc_sizes args, target ratio).
CASES = (
    ("(a) small allocations, 16-64 B", ("0", "0"), 1.3),
    ("(b) request cycle, 40 mixed + reset(retain)", ("0", "2"), 1.1),
    ("(c) create / 100 x 1 KiB / deinit", ("1024", "3"), 1.5),
)

MET, MISSED, UNCLEAR = "met", "**missed**", "unclear"


def _instructions_per_alloc(det: Run | None, process: str, contestant: str, args) -> float | None:
    """Callgrind instructions per allocation from a deterministic run, or None."""
    if det is None:
        return None
    d = det.find(process, "alloc_sizes", contestant, args)
    items = d.counter("items_per_iteration") if d is not None else None
    ir = d.counter("instructions") if d is not None else None
    return ir / items if ir is not None and items else None


def verdict(lo: float | None, hi: float | None, value: float, target: float) -> str:
    """met / missed / unclear from the ratio's interval (the point value without one)."""
    lo = value if lo is None else lo
    hi = value if hi is None else hi
    if hi <= target:
        return MET
    if lo > target:
        return MISSED
    return UNCLEAR


def load_floor_pass(run: Run) -> list[Run]:
    """The floor pass's runs (RUN/floor/1, 2, ...), one per round of fresh processes; [] without one.

    A round that cannot be read is left out with a warning on ``run``.
    """
    folder = Path(run.path) / "floor"
    if not folder.is_dir():
        return []
    rounds = []
    for sub in sorted((d for d in folder.iterdir() if d.is_dir()), key=lambda d: (len(d.name), d.name)):
        try:
            rounds.append(load_run(sub, skip_bad=True))
        except InputError as exc:
            run.warnings.append(f"floor pass: {exc} -- round left out")
    return rounds


def _measure(run: Run, rounds: list[Run], process: str, contestant: str, args):
    """(contestant ns/alloc, floor ns/alloc, Ratio) or None.

    From the floor pass when it has the pair: medians over rounds, the ratio's
    range over rounds as its interval. Else from the main run: the two medians
    and a bootstrap interval.
    """
    per_round = []
    for r in rounds:
        a = r.find(process, "alloc_sizes", contestant, args)
        f = r.find(process, "alloc_sizes", "bump_floor", args)
        if a is None or f is None or not a.has("ns_per_item") or not f.has("ns_per_item"):
            continue
        an, fn = a.median("ns_per_item"), f.median("ns_per_item")
        if an > 0 and fn > 0:
            per_round.append((an, fn, an / fn))
    if per_round:
        ratios = [x[2] for x in per_round]
        lo, hi = (min(ratios), max(ratios)) if len(ratios) > 1 else (None, None)
        return (statistics.median(x[0] for x in per_round), statistics.median(x[1] for x in per_round),
                Ratio(statistics.median(ratios), lo, hi, len(ratios), len(ratios)))
    a = run.find(process, "alloc_sizes", contestant, args)
    f = run.find(process, "alloc_sizes", "bump_floor", args)
    if a is None or f is None:
        return None
    ratio = ratio_of_medians(a.values("ns_per_item"), f.values("ns_per_item"))
    return None if ratio is None else (a.median("ns_per_item"), f.median("ns_per_item"), ratio)


def section(run: Run, det: Run | None = None) -> list[str]:
    """The section's Markdown lines (an explanation line when the run lacks the benchmarks)."""
    lines = [f'<a id="{ANCHOR}"></a>', "## The arena's fast path against the floor", ""]
    rows, counts = [], {MET: 0, MISSED: 0, UNCLEAR: 0}
    cached_counts = {MET: 0, MISSED: 0, UNCLEAR: 0}
    processes = sorted({b.process for b in run.benchmarks.values() if b.workload == "alloc_sizes"})
    rounds = load_floor_pass(run)
    for process in processes:
        for label, args, target in CASES:
            m = _measure(run, rounds, process, "arena_direct", args)
            if m is None:
                continue
            arena_ns, floor_ns, ratio = m
            v = verdict(ratio.lo, ratio.hi, ratio.value, target)
            counts[v] += 1
            ia = _instructions_per_alloc(det, process, "arena_direct", args)
            if_ = _instructions_per_alloc(det, process, "bump_floor", args)
            instr = (f"{fmt_num(ia)} / {fmt_num(if_)} = {ia / if_:.2f}x" if ia is not None and if_ else "-")
            found = (r.find(process, "alloc_sizes", "arena_direct", args) for r in [run, *rounds])
            arena = next((b for b in found if b is not None), None)
            calls = arena.counter("backing_calls") if arena is not None else None
            items = arena.counter("items_per_iteration") if arena is not None else None
            backing = fmt_num(calls / items) if calls is not None and items else "-"
            row = [process, label, fmt_num(arena_ns), fmt_num(floor_ns), ratio.fmt(2), f"{target:g}x", v, instr,
                   backing]
            cm = _measure(run, rounds, process, "arena_direct_cached", args)
            if cm is not None:
                cv = verdict(cm[2].lo, cm[2].hi, cm[2].value, target)
                cached_counts[cv] += 1
                row.append(f"{cm[2].fmt(2)} {cv}")
            else:
                row.append("-")
            rows.append(row)
    if not rows:
        lines += ["Not measured: this run has no `alloc_sizes/arena_direct` and `alloc_sizes/bump_floor` pair for "
                  "the three cases (args `0/0`, `0/2`, `1024/3`).", ""]
        return lines
    total = sum(counts.values())
    if rounds:
        n = len(rounds)
        source = (f"Ratios from the run's floor pass: {n} round{'s' if n != 1 else ''} of fresh processes, each running the arena "
                  "and the floor interleaved in one process, so each round gives a same-process ratio; shown: the "
                  "median over rounds [min, max]. A verdict is met when every round is within the target, missed "
                  "when none is. (The main run gives every benchmark a process of its own, and placement alone "
                  "moves the floor by up to 1.5x between processes.)")
    else:
        source = ("Ratios from the main run, where each benchmark runs in its own process, so code and data "
                  "placement are part of the spread: the ratio of the two medians with its 95% bootstrap interval. "
                  "(This run has no floor pass, RUN/floor/, whose same-process ratios are steadier.)")
    lines += [f"`alloc_sizes`: this project's arena through its inline API (`arena_direct`) against `bump_floor`, a "
              "hand-inlined bump pointer over one pre-faulted buffer (the least any allocator can cost for the same "
              "work). Ratio = arena time / floor time per allocation, lower is better; the targets are this "
              "project's for its arena. " + source + " The instruction ratio (from a deterministic run, when there "
              "is one) repeats exactly.", "",
              f"Target met in {counts[MET]} of {total}, missed in {counts[MISSED]}, unclear in {counts[UNCLEAR]}. "
              "The last column is the arena's calls to its backing malloc per allocation (block allocations and "
              "frees; the floor makes none): in (c) every cycle takes its blocks from malloc and gives them back, "
              "so that case also measures the malloc's cost for blocks of 4-64 KiB.",
              ""]
    if sum(cached_counts.values()):
        lines += [f"Over a block cache (`arena_direct_cached`: a deinit'ed arena's blocks serve the next arena, "
                  f"allocators/block_cache.h) the target is met in {cached_counts[MET]} of "
                  f"{sum(cached_counts.values())}, missed in {cached_counts[MISSED]}, unclear in "
                  f"{cached_counts[UNCLEAR]} (last column). Where (c) misses over malloc but not over the cache, "
                  "the malloc's block path is the cost: a long path for blocks above its thread cache, or a malloc "
                  "that hands back different memory every cycle, so the arena writes to cold cache lines that the "
                  "floor's one buffer keeps warm.", ""]
    header = ["process", "case", "arena_direct ns/alloc", "bump_floor ns/alloc",
              "ratio [min, max over rounds]" if rounds else "ratio [95% CI]", "target",
              "verdict", "instructions/alloc arena / floor", "arena's malloc calls/alloc",
              "over a block cache: ratio, verdict"]
    lines += ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    lines += [""]
    return lines
