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

Per process: the two medians (ns per allocation), their ratio with its 95%
bootstrap interval over repetitions, and a verdict -- *met* (the interval's
upper end is within the target), *missed* (its lower end is above it) or
*unclear* (the interval straddles it). With a deterministic run that has these
benchmarks (``./run_all.sh --profile deterministic``), instructions per
allocation of both and their ratio are shown too: that ratio repeats to the
instruction, the time ratio does not (each benchmark runs in its own process,
so code and data placement are part of its spread).
"""

from __future__ import annotations

from .runs import Run
from .stats import fmt_num, ratio_of_medians

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


def section(run: Run, det: Run | None = None) -> list[str]:
    """The section's Markdown lines (an explanation line when the run lacks the benchmarks)."""
    lines = [f'<a id="{ANCHOR}"></a>', "## The arena's fast path against the floor", ""]
    rows, counts = [], {MET: 0, MISSED: 0, UNCLEAR: 0}
    cached_counts, with_cache = {MET: 0, MISSED: 0, UNCLEAR: 0}, False
    processes = sorted({b.process for b in run.benchmarks.values() if b.workload == "alloc_sizes"})
    for process in processes:
        for label, args, target in CASES:
            arena = run.find(process, "alloc_sizes", "arena_direct", args)
            floor = run.find(process, "alloc_sizes", "bump_floor", args)
            if arena is None or floor is None:
                continue
            ratio = ratio_of_medians(arena.values("ns_per_item"), floor.values("ns_per_item"))
            if ratio is None:
                continue
            v = verdict(ratio.lo, ratio.hi, ratio.value, target)
            counts[v] += 1
            ia = _instructions_per_alloc(det, process, "arena_direct", args)
            if_ = _instructions_per_alloc(det, process, "bump_floor", args)
            instr = (f"{fmt_num(ia)} / {fmt_num(if_)} = {ia / if_:.2f}x" if ia is not None and if_ else "-")
            calls, items = arena.counter("backing_calls"), arena.counter("items_per_iteration")
            backing = fmt_num(calls / items) if calls is not None and items else "-"
            row = [process, label, fmt_num(arena.median("ns_per_item")), fmt_num(floor.median("ns_per_item")),
                   ratio.fmt(2), f"{target:g}x", v, instr, backing]
            cached = run.find(process, "alloc_sizes", "arena_direct_cached", args)
            cr = (ratio_of_medians(cached.values("ns_per_item"), floor.values("ns_per_item"))
                  if cached is not None else None)
            if cr is not None:
                with_cache = True
                cached_counts[verdict(cr.lo, cr.hi, cr.value, target)] += 1
            row.append(f"{cr.fmt(2)} {verdict(cr.lo, cr.hi, cr.value, target)}" if cr is not None else "-")
            rows.append(row)
    if not rows:
        lines += ["Not measured: this run has no `alloc_sizes/arena_direct` and `alloc_sizes/bump_floor` pair for "
                  "the three cases (args `0/0`, `0/2`, `1024/3`).", ""]
        return lines
    total = sum(counts.values())
    lines += [f"`alloc_sizes`: this project's arena through its inline API (`arena_direct`) against `bump_floor`, a "
              "hand-inlined bump pointer over one pre-faulted buffer (the least any allocator can cost for the same "
              "work). Ratio = arena time / floor time per allocation, lower is better, with its 95% bootstrap "
              "interval; the targets are this project's for its arena. Each benchmark runs in its own process, so "
              "code and data placement are part of the spread; the instruction ratio (from a deterministic run, "
              "when there is one) repeats exactly.", "",
              f"Target met in {counts[MET]} of {total}, missed in {counts[MISSED]}, unclear in {counts[UNCLEAR]}. "
              "The last column is the arena's calls to its backing malloc per allocation (block allocations and "
              "frees; the floor makes none): in (c) every cycle takes its blocks from malloc and gives them back, "
              "so that case also measures the malloc's cost for blocks of 4-64 KiB.",
              ""]
    if with_cache:
        lines += [f"Over a block cache (`arena_direct_cached`: a deinit'ed arena's blocks serve the next arena, "
                  f"allocators/block_cache.h) the target is met in {cached_counts[MET]} of "
                  f"{sum(cached_counts.values())}, missed in {cached_counts[MISSED]}, unclear in "
                  f"{cached_counts[UNCLEAR]} (last column). Where (c) misses over malloc but not over the cache, "
                  "the malloc's block path is the cost: a long path for blocks above its thread cache, or a malloc "
                  "that hands back different memory every cycle, so the arena writes to cold cache lines that the "
                  "floor's one buffer keeps warm.", ""]
    header = ["process", "case", "arena_direct ns/alloc", "bump_floor ns/alloc", "ratio [95% CI]", "target",
              "verdict", "instructions/alloc arena / floor", "arena's malloc calls/alloc",
              "over a block cache: ratio [95% CI], verdict"]
    lines += ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    lines += [""]
    return lines
