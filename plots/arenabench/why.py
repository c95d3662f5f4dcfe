"""The report's "Why: per workload" section: time next to what explains it.

For each workload of a timing run (in the order the run lists them) one
argument set is shown, with one row per allocator (every process x contestant
present for it):

* time per op (``real_time / items_per_iteration``, median over repetitions,
  min-max) and the speedup over the malloc of the same process;
* instructions per op and simulated D1 / LL misses per op from a
  *deterministic run* (``profiling/deterministic.py``: callgrind counts per
  iteration, ``"ab_mode": "deterministic"``), when one is given or found in
  ``RUN/deterministic/``;
* hardware counters of the timing run (``hw_*``), when the machine had them;
* page faults, allocations and backing-allocator calls per op.

The argument set is the first one (in the run's order) that the
deterministic run measured for the workload, else the timing run's first.
One or two generated sentences per workload read the numbers: the arena
(else the first arena-family contestant) against its process's malloc --
time ratio, instruction ratio, page faults -- and, when time and
instructions are more than :data:`DISAGREE` apart, the misses or faults that
differ in the direction of the gap.  Nothing is said that the table does not
show.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from . import naming
from .errors import InputError
from .rules import Probe
from .runs import Benchmark, Run, _parse_name, args_label, load_run
from .stats import Ratio, fmt_num, ratio_of_medians

#: Heading anchor of the section (linked from the top of the report).
ANCHOR = "why-per-workload"

#: Time ratio and instruction ratio further apart than this: instructions do
#: not explain the time, and the sentence points at misses / page faults.
DISAGREE = 1.5

#: Instruction ratios within this fraction of 1 read as "about as many".
SAME_INSTRUCTIONS = 0.02

#: A miss / fault count differs when one side has this factor more ...
DIFFERS = 1.5
#: ... and the larger side has at least this many per op (not 0.0001 vs 0).
MIN_PER_OP = {"faults": 0.001, "d1": 0.01, "ll": 0.01, "hw_l1d": 0.01, "hw_llc": 0.01}

#: How to get instruction counts when the report has none.
HINT = ("No deterministic run: instructions and simulated cache misses per op need one. "
        "`./run_all.sh --why RUN` makes it for this run (callgrind with cache simulation over one argument set "
        "per workload, into `RUN/deterministic/`, then writes this report again; about 13 minutes on 2 cores); "
        "`report RUN --deterministic DIR` uses another one.")

#: Hardware counters of the timing run: (field, column header, key among the explaining counters or None).
HW_COLUMNS = (
    ("hw_instructions", "hw instr/op", None),
    ("hw_cycles", "hw cycles/op", None),
    ("hw_l1d_misses", "hw L1d miss/op", "hw_l1d"),
    ("hw_llc_misses", "hw LLC miss/op", "hw_llc"),
)


# ---- loading ---------------------------------------------------------------------------------


def find_deterministic(run_path: Path, explicit: str | None) -> Path | None:
    """Where the deterministic run is: ``--deterministic DIR``, else
    ``RUN_DIR/deterministic/`` when it holds a ``bench-*.json(.gz)``, else None."""
    if explicit:
        return Path(explicit)
    folder = run_path / "deterministic"
    if run_path.is_dir() and folder.is_dir() and (any(folder.glob("bench-*.json"))
                                                  or any(folder.glob("bench-*.json.gz"))):
        return folder
    return None


def load_deterministic(path: Path, skip_bad: bool = False) -> Run:
    """Loads a deterministic run (``profiling/deterministic.py`` output).

    Malformed files raise :class:`InputError` naming the file (the run
    loader's checks), and so does a bench file that is not from a
    deterministic run: its times would be read as instruction counts.
    """
    try:
        det = load_run(path, skip_bad=skip_bad)
    except InputError as exc:
        raise InputError(f"deterministic run: {exc}") from None
    for proc in det.processes.values():
        mode = proc.context.get("ab_mode")
        if mode != "deterministic":
            raise InputError(
                f"{proc.path}: not a deterministic run (context ab_mode is {mode!r}, expected 'deterministic'); "
                "write one with profiling/deterministic.py or ./run_all.sh --profile deterministic")
    return det


# ---- the numbers of one row ------------------------------------------------------------------


def _items(b: Benchmark | None) -> float | None:
    """Items (ops) per iteration, or None."""
    items = b.counter("items_per_iteration") if b is not None else None
    return items if items is not None and items > 0 else None


def _per_op(b: Benchmark | None, metric: str) -> float | None:
    """Median of a per-iteration counter divided by the items per iteration."""
    items = _items(b)
    value = b.counter(metric) if b is not None and items else None
    return None if value is None else value / items


def _instructions_per_op(d: Benchmark | None) -> float | None:
    """Callgrind instructions per op (``instructions``; in a deterministic
    run ``real_time`` is the same count)."""
    if d is None:
        return None
    value = _per_op(d, "instructions")
    return value if value is not None else _per_op(d, "real_time")


@dataclass
class Row:
    """One allocator of one process: its timing and deterministic benchmarks."""

    process: str
    contestant: str
    timing: Benchmark | None
    det: Benchmark | None
    det_error: str | None = None
    ns: np.ndarray | None = None
    values: dict[str, float | None] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """How the table names it: ``arena (over jemalloc)``."""
        return naming.contestant_label(self.contestant, self.process)

    @property
    def multithreaded(self) -> bool:
        """Other threads ran in the deterministic timed loop (counts vary slightly)."""
        return bool(self.det is not None and self.det.counter("multithreaded"))

    @property
    def ns_median(self) -> float | None:
        """Median ns per op."""
        return float(np.median(self.ns)) if self.ns is not None and self.ns.size else None


def _make_row(process: str, contestant: str, timing: Benchmark | None, det: Benchmark | None) -> Row:
    """Computes every per-op number of a row (None where a source lacks it)."""
    row = Row(process, contestant, timing, det)
    if timing is not None and _items(timing):
        try:
            ns = timing.values("ns_per_item")
            row.ns = ns[np.isfinite(ns)]
        except KeyError:
            row.ns = None
    v = row.values
    v["instr"] = _instructions_per_op(det)
    v["d1"] = _per_op(det, "d1_misses")
    v["ll"] = _per_op(det, "ll_misses")
    for metric, _, key in HW_COLUMNS:
        v[metric] = _per_op(timing, metric)
        if key:
            v[key] = v[metric]
    v["faults"] = _per_op(timing, "minor_faults")
    v["allocs"] = _per_op(timing, "allocs_per_iter")
    v["backing"] = _per_op(timing, "backing_calls")
    return row


def _row_order(row: Row) -> tuple:
    """Processes in display order; the malloc first, then the arena family."""
    return (naming.process_key(row.process), naming.contestant_key(row.contestant))


# ---- choosing what to show ------------------------------------------------------------------------


def _workload_order(run: Run) -> list[str]:
    """Workloads in the order the run lists them."""
    return list(dict.fromkeys(b.workload for b in run.benchmarks.values()))


def _args_order(run: Run, workload: str) -> list[tuple[str, ...]]:
    """A workload's argument sets in the order the run lists them."""
    return list(dict.fromkeys(b.args for b in run.benchmarks.values() if b.workload == workload))


def choose_args(run: Run, det: Run | None, workload: str) -> tuple[tuple[str, ...], bool]:
    """The representative arguments of a workload and whether the deterministic run has them.

    The first argument set (in the timing run's order) for which the
    deterministic run has data for the workload; without one, the timing
    run's first argument set.
    """
    order = _args_order(run, workload)
    if det is not None:
        measured = {b.args for b in det.benchmarks.values() if b.workload == workload}
        for args in order:
            if args in measured:
                return args, True
    return order[0], False


def workload_rows(run: Run, det: Run | None, workload: str, args: tuple[str, ...]) -> list[Row]:
    """Every process x contestant of either run for this workload and arguments."""
    keys = {(b.process, b.contestant) for b in run.select(workload=workload, args=args)}
    if det is not None:
        keys |= {(b.process, b.contestant) for b in det.select(workload=workload, args=args)}
    errors: dict[tuple[str, str], str] = {}
    if det is not None:
        for process, name, message in det.failed:
            w, c, a, _ = _parse_name(name)
            if w == workload and a == args:
                errors[(process, c)] = message
                keys.add((process, c))
    rows = []
    for process, contestant in keys:
        timing = run.find(process, workload, contestant, args)
        d = det.find(process, workload, contestant, args) if det is not None else None
        row = _make_row(process, contestant, timing, d)
        row.det_error = errors.get((process, contestant)) if d is None else None
        rows.append(row)
    return sorted(rows, key=_row_order)


def _baseline(row: Row, rows: list[Row], run: Run) -> Row | None:
    """The general-purpose row of the same process that ``row`` is compared with."""
    same = {r.contestant: r for r in rows if r.process == row.process}
    proc = run.processes.get(row.process)
    malloc = proc.malloc_library if proc else ""
    name = naming.baseline_for(row.contestant, row.process, malloc, same)
    return same.get(name) if name else None


# ---- comparisons and sentences ------------------------------------------------------------------


@dataclass
class Comparison:
    """An arena-family row against its process's general-purpose row."""

    row: Row
    base: Row
    time: Ratio | None
    instr: float | None
    instr_source: str

    @property
    def gap(self) -> float | None:
        """time ratio / instruction ratio (1 = time follows instructions)."""
        if self.time is None or not self.instr:
            return None
        return self.time.value / self.instr

    @property
    def disagrees(self) -> bool:
        """Time and instructions more than :data:`DISAGREE` apart."""
        gap = self.gap
        return gap is not None and (gap > DISAGREE or gap < 1 / DISAGREE)


def _compare(row: Row, base: Row) -> Comparison:
    """Speedup (base / row time) and instruction ratio (base / row) of a pair."""
    time = None
    if row.ns is not None and base.ns is not None and row.ns.size and base.ns.size:
        time = ratio_of_medians(base.ns, row.ns)
    instr, source = None, ""
    for key, src in (("instr", "callgrind"), ("hw_instructions", "hardware counter")):
        b, c = base.values.get(key), row.values.get(key)
        if b and c:
            instr, source = b / c, src
            break
    return Comparison(row, base, time, instr, source)


def _times(value: float, up: str, down: str, same: str) -> str:
    """``1.31x faster`` (value >= 1), ``1.25x slower`` (the inverse) or ``the same``
    when the ratio rounds to 1.00x."""
    if fmt_num(value) == "1.00":
        return same
    return f"{fmt_num(value)}x {up}" if value >= 1.0 else f"{fmt_num(1 / value)}x {down}"


def _gap_words(cmp: Comparison) -> str:
    """``1.31x faster, 2.4x fewer instructions``."""
    return (f"{_times(cmp.time.value, 'faster', 'slower', 'same time')}, "
            f"{_times(cmp.instr, 'fewer instructions', 'more instructions', 'as many instructions')}")


def _time_text(r: Ratio) -> str:
    """``runs 1.31x faster`` / ``runs 1.25x slower`` / ``runs as fast within noise``."""
    if r.has_ci and r.lo <= 1.0 <= r.hi:
        return f"runs as fast within noise ({fmt_num(r.value)}x, 95% interval {fmt_num(r.lo)}-{fmt_num(r.hi)})"
    return f"runs {_times(r.value, 'faster', 'slower', 'as fast (1.00x)')}"


def _instr_text(cmp: Comparison) -> str:
    """``executes 2.4x fewer instructions per op (1,203 vs 2,890)``."""
    key = "instr" if cmp.instr_source == "callgrind" else "hw_instructions"
    numbers = f"{fmt_num(cmp.row.values[key])} vs {fmt_num(cmp.base.values[key])}"
    how = "" if cmp.instr_source == "callgrind" else ", hardware counter"
    if abs(cmp.instr - 1.0) <= SAME_INSTRUCTIONS:
        return f"executes about as many instructions per op ({numbers}{how})"
    if cmp.instr > 1.0:
        return f"executes {fmt_num(cmp.instr)}x fewer instructions per op ({numbers}{how})"
    return f"executes {fmt_num(1 / cmp.instr)}x more instructions per op ({numbers}{how})"


#: Counters that can explain a gap between time and instructions: key -> label.
_EXPLAINERS = (("faults", "page faults"), ("ll", "simulated LL misses"), ("d1", "simulated D1 misses"),
               ("hw_llc", "hardware LLC misses"), ("hw_l1d", "hardware L1d misses"))


def _differing(cmp: Comparison, contestant_has_more: bool) -> list[tuple[str, str]]:
    """Counters where one side has more than :data:`DIFFERS` x the other, in the
    direction that would explain the gap: ``[("faults", "0.50 vs 0 page faults")]``."""
    out = []
    for key, label in _EXPLAINERS:
        c, b = cmp.row.values.get(key), cmp.base.values.get(key)
        if c is None or b is None:
            continue
        more, less = (c, b) if contestant_has_more else (b, c)
        if more >= MIN_PER_OP[key] and more > DIFFERS * less:
            out.append((key, f"{fmt_num(c)} vs {fmt_num(b)} {label}"))
    return out


def _faults_differ(cmp: Comparison) -> bool:
    """Page faults per op differ by :data:`DIFFERS` x in either direction."""
    return any(k == "faults" for k, _ in _differing(cmp, True) + _differing(cmp, False))


def _fault_cost(cmp: Comparison, probe: Probe) -> str:
    """`` (at the probe's 2,949 ns per first touch, the difference of 0.01 page
    faults per op is ~32.7 ns per op; measured: 30.1 vs 29.9 ns per op)`` or ''."""
    c, b = cmp.row.values.get("faults"), cmp.base.values.get("faults")
    tc, tb = cmp.row.ns_median, cmp.base.ns_median
    if c is None or b is None or tc is None or tb is None or not probe.first_touch_ns:
        return ""
    return (f" (at the probe's {fmt_num(probe.first_touch_ns)} ns per first touch, the difference of "
            f"{fmt_num(abs(c - b))} page faults per op is ~{fmt_num(abs(c - b) * probe.first_touch_ns)} ns per op; "
            f"measured: {fmt_num(tc)} vs {fmt_num(tb)} ns per op)")


def _gap_text(cmp: Comparison, cache_sim: bool, probe: Probe) -> str:
    """Why time and instructions disagree, from the counters that differ."""
    # gap < 1: the contestant is slower than its instructions predict -> look for what it has more of.
    differ = _differing(cmp, cmp.gap < 1)
    who = cmp.row.contestant
    head = f"time does not follow instructions here ({_gap_words(cmp)})"
    if differ:
        text = f"{head}: per op, {who} has {' and '.join(t for _, t in differ)} against its malloc"
        if any(k == "faults" for k, _ in differ):
            text += _fault_cost(cmp, probe)
        return text
    text = f"{head}, and {_not_differing(cache_sim)}"
    if not cache_sim:
        text += " (no simulated misses: the deterministic run was made without --cache-sim)"
    return text


def _headline(comparisons: list[Comparison]) -> Comparison | None:
    """The comparison the first sentence reads: the arena (else the first
    arena-family contestant) in the first process with instruction counts
    (else with times), malloc processes before Zig."""
    usable = [c for c in comparisons if c.time is not None
              and c.row.contestant not in naming.REFERENCE_CONTESTANTS]
    if not usable:
        return None

    def key(c: Comparison) -> tuple:
        return (c.instr is None, naming.is_zig(c.row.process), c.row.contestant != "arena",
                naming.contestant_key(c.row.contestant), naming.process_key(c.row.process))

    return min(usable, key=key)


def _against(cmp: Comparison) -> str:
    """``Against glibc's malloc, arena`` / ``Against zig_testing (zig-debug), zig_arena_testing``."""
    if naming.is_zig(cmp.row.process) or cmp.base.contestant not in naming.MALLOCS:
        return f"Against {cmp.base.contestant} ({cmp.row.process}), {cmp.row.contestant}"
    return f"Against {cmp.base.contestant}'s malloc, {cmp.row.contestant}"


def _who(row: Row) -> str:
    """A row in running text: ``arena over jemalloc``, ``zig_arena_gpa in zig-debug``."""
    if naming.is_zig(row.process):
        return f"{row.contestant} in {row.process}"
    if naming.is_general(row.contestant) or row.contestant == row.process:
        return row.contestant
    return f"{row.contestant} over {row.process}"


def _headline_sentence(head: Comparison, cache_sim: bool, probe: Probe) -> str:
    """Time ratio, instruction ratio, page faults and -- when time and
    instructions disagree -- the counters that differ in that direction."""
    parts = [_time_text(head.time)]
    if head.instr is not None:
        parts.append(_instr_text(head))
    text = f"{_against(head)} {' and '.join(parts)}"
    c_faults, b_faults = head.row.values.get("faults"), head.base.values.get("faults")
    gap_faults = head.disagrees and any(k == "faults" for k, _ in _differing(head, head.gap < 1))
    if c_faults is not None and b_faults is not None and not gap_faults:
        text += f"; page faults are {fmt_num(c_faults)} vs {fmt_num(b_faults)} per op"
        if _faults_differ(head):
            text += _fault_cost(head, probe)
    if head.disagrees:
        text += f"; {_gap_text(head, cache_sim, probe)}"
    return text + "."


def _range_sentence(head: Comparison, others: list[Comparison], cache_sim: bool) -> str:
    """The spread of speedups and where else time does not follow instructions."""
    timed = others + [head]
    lo = min(timed, key=lambda c: c.time.value)
    hi = max(timed, key=lambda c: c.time.value)
    text = (f"Across the {len(timed)} comparisons with their process's "
            f"{'malloc' if not naming.is_zig(head.row.process) else 'general allocator'}, ")
    if fmt_num(lo.time.value) == fmt_num(hi.time.value):
        text += f"the speedup is {fmt_num(lo.time.value)}x in each"
    else:
        text += (f"the speedup ranges from {fmt_num(lo.time.value)}x ({_who(lo.row)}) to {fmt_num(hi.time.value)}x "
                 f"({_who(hi.row)})")
    counted = [c for c in others if c.gap is not None]
    off = sorted((c for c in counted if c.disagrees), key=lambda c: -abs(float(np.log(c.gap))))
    if counted and not off:
        text += f"; in the other {len(counted)} with instruction counts, time follows instructions within {DISAGREE}x"
    elif off:
        worst = off[0]
        more = f" and {len(off) - 1} other{'s' if len(off) > 2 else ''}" if len(off) > 1 else ""
        text += f"; time does not follow instructions for {_who(worst.row)}{more} ({_gap_words(worst)}"
        differ = _differing(worst, worst.gap < 1)
        if differ:
            text += f"; per op {' and '.join(t for _, t in differ)} against its malloc)"
        else:
            text += f"; {_not_differing(cache_sim)})"
    return text + "."


def _not_differing(cache_sim: bool) -> str:
    """What was checked and found not to differ in the direction of a gap."""
    checked = "page faults and simulated misses" if cache_sim else "page faults"
    return f"{checked} per op do not differ by {DIFFERS}x in that direction"


def sentences(rows: list[Row], run: Run, cache_sim: bool, probe: Probe) -> str:
    """One or two sentences that read the table of one workload."""
    comparisons = []
    for row in rows:
        base = _baseline(row, rows, run)
        if base is not None:
            comparisons.append(_compare(row, base))
    head = _headline(comparisons)
    if head is None:
        return "No arena-family allocator with a time to compare with its process's malloc for these arguments."
    out = [_headline_sentence(head, cache_sim, probe)]
    # The range stays among processes of the headline's kind: Zig's allocators are the recipe's context.
    others = [c for c in comparisons if c is not head and c.time is not None
              and c.row.contestant not in naming.REFERENCE_CONTESTANTS
              and naming.is_zig(c.row.process) == naming.is_zig(head.row.process)]
    if others:
        out.append(_range_sentence(head, others, cache_sim))
    return " ".join(out)


# ---- the section -----------------------------------------------------------------------------------


def _cell_ns(row: Row) -> str:
    """``152 (150-155)``: median ns per op and the repetitions' range."""
    if row.ns is None or not row.ns.size:
        return "-"
    med = row.ns_median
    if row.ns.size < 2:
        return fmt_num(med)
    return f"{fmt_num(med)} ({fmt_num(float(row.ns.min()))}-{fmt_num(float(row.ns.max()))})"


def _count(value: float) -> str:
    """``1,000,000`` for a whole count, else :func:`fmt_num`."""
    return f"{value:,.0f}" if float(value).is_integer() else fmt_num(value)


def _cell(value: float | None) -> str:
    """A per-op number or ``-``."""
    return "-" if value is None else fmt_num(value)


def _table(rows: list[Row], run: Run, has_det: bool, cache_sim: bool) -> tuple[list[str], bool]:
    """The workload's table; returns its lines and whether a row is marked (mt)."""
    columns: list[tuple[str, Callable[[Row], str]]] = [("allocator", lambda r: r.label),
                                           ("ns/op, median (min-max)", _cell_ns)]

    def speedup(r: Row) -> str:
        base = _baseline(r, rows, run)
        if base is None:
            return "(baseline)" if naming.is_general(r.contestant, _malloc_of(run, r.process)) else "-"
        cmp = _compare(r, base)
        return "-" if cmp.time is None else f"{fmt_num(cmp.time.value)}x"

    columns.append(("speedup vs malloc", speedup))
    marked = False

    def instr(r: Row) -> str:
        nonlocal marked
        if r.values["instr"] is None:
            return "errored" if r.det_error else "-"
        if r.multithreaded:
            marked = True
            return f"{fmt_num(r.values['instr'])} (mt)"
        return fmt_num(r.values["instr"])

    if has_det:
        columns.append(("instr/op", instr))
    if cache_sim:
        columns.append(("D1 miss/op (sim)", lambda r: _cell(r.values["d1"])))
        columns.append(("LL miss/op (sim)", lambda r: _cell(r.values["ll"])))
    for metric, header, _ in HW_COLUMNS:
        if any(r.values[metric] is not None for r in rows):
            columns.append((header, lambda r, m=metric: _cell(r.values[m])))
    for key, header in (("faults", "faults/op"), ("allocs", "allocs/op"), ("backing", "backing calls/op")):
        if any(r.values[key] is not None for r in rows):
            columns.append((header, lambda r, k=key: _cell(r.values[k])))
    cells = [[fn(r) for _, fn in columns] for r in rows]
    lines = ["| " + " | ".join(h for h, _ in columns) + " |", "|" + "|".join("---" for _ in columns) + "|"]
    lines += ["| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |" for row in cells]
    return lines, marked


def _malloc_of(run: Run, process: str) -> str:
    """The malloc library a process proved it runs on ('' if unknown)."""
    proc = run.processes.get(process)
    return proc.malloc_library if proc else ""


def _listing(names: list[str], limit: int = 8, sep: str = ", ") -> str:
    """``a, b, c and 4 more``."""
    names = list(dict.fromkeys(names))
    if len(names) <= limit:
        return sep.join(names)
    return sep.join(names[:limit]) + f" and {len(names) - limit} more"


def _hw_note(run: Run) -> str | None:
    """The one line said when the timing run has no hardware counters."""
    if any(k in e for b in run.benchmarks.values() for e in b.reps[:1] for k in ("hw_instructions", "hw_cycles")):
        return None
    why = sorted({str(p.context.get("ab_counters")) for p in run.processes.values() if p.context.get("ab_counters")})
    said = f" (`ab_counters`: {_cell_text(why[0], 90)})" if len(why) == 1 else ""
    return f"Hardware counters were not available in this run{said}"


def _cell_text(text: str, limit: int) -> str:
    """Shortens a context string for one line."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


@dataclass
class _Gaps:
    """What the deterministic run lacks (or has in excess), said once."""

    workloads: list[str] = field(default_factory=list)
    other_args: list[str] = field(default_factory=list)
    benchmarks: list[str] = field(default_factory=list)
    errored: list[str] = field(default_factory=list)
    mismatched: list[str] = field(default_factory=list)

    def note(self, run: Run, det: Run, workload: str, args: tuple[str, ...], has_det: bool,
             rows: list[Row]) -> None:
        """Records what is missing for one workload."""
        det_args = _args_order(det, workload)
        if not det_args:
            self.workloads.append(workload)
            return
        if not has_det:
            self.other_args.append(
                f"{workload} (deterministic: {_listing([args_label(a) for a in det_args], 3)}; "
                f"this run: {_listing([args_label(a) for a in _args_order(run, workload)], 3)})")
            return
        where = f"{workload} `{args_label(args)}`"
        covered = {r.process for r in rows if r.det is not None or r.det_error}
        absent = [p for p in dict.fromkeys(r.process for r in rows) if p in det.processes and p not in covered]
        if absent:
            self.benchmarks.append(f"{where} in {', '.join(absent)}")
        for r in rows:
            if r.det_error:
                self.errored.append(f"{where}: {_who(r)} ({r.det_error})")
            elif r.det is None and r.process in covered:
                self.benchmarks.append(f"{where}: {_who(r)}")
            elif r.timing is None and r.det is not None:
                self.benchmarks.append(f"{where}: {_who(r)} (no timing)")
            t_sum = r.timing.counter("checksum") if r.timing else None
            d_sum = r.det.counter("checksum") if r.det else None
            if t_sum is not None and d_sum is not None and t_sum != d_sum:
                self.mismatched.append(f"{where}: {_who(r)}")

    def lines(self, run: Run, det: Run) -> list[str]:
        """The notes, one line per kind."""
        notes = []
        timing_only = sorted(set(run.processes) - set(det.processes), key=naming.process_key)
        det_only = sorted(set(det.processes) - set(run.processes), key=naming.process_key)
        det_only_workloads = [w for w in _workload_order(det) if w not in set(_workload_order(run))]
        if timing_only:
            notes.append(f"Processes not in the deterministic run (their instruction cells are \"-\"): "
                         f"{', '.join(timing_only)}.")
        if self.workloads:
            notes.append(f"Workloads not in the deterministic run: {_listing(self.workloads, 12)}.")
        if self.other_args:
            quick = any(str(p.context.get("ab_quick")) == "yes" for p in det.processes.values())
            reason = " (a --quick run: the workloads' short argument lists)" if quick else ""
            notes.append(f"Workloads the deterministic run measured only at other arguments{reason}, shown without "
                         f"instruction counts: {'; '.join(self.other_args)}.")
        if self.benchmarks:
            notes.append(f"Missing from the deterministic run at the chosen arguments (\"-\" cells): "
                         f"{_listing(self.benchmarks, sep='; ')}.")
        if self.errored:
            notes.append(f"Errored in the deterministic run: {_listing(self.errored, 4, '; ')}.")
        if self.mismatched:
            notes.append(f"**Checksum differs** between this run and the deterministic run (different inputs, e.g. "
                         f"`AB_SEED`: the two do not describe the same work): {_listing(self.mismatched, sep='; ')}.")
        if det_only or det_only_workloads:
            extra = [f"processes {', '.join(det_only)}"] if det_only else []
            extra += [f"workloads {_listing(det_only_workloads)}"] if det_only_workloads else []
            notes.append(f"In the deterministic run only (not shown): {'; '.join(extra)}.")
        return notes


def _intro(run: Run, det: Run | None, cache_sim: bool) -> list[str]:
    """What the columns are and where they come from; the hardware-counter note."""
    text = ("For each workload, one argument set and, per allocator, the time per op from this run next to what "
            "explains it. An op is one item (`items_per_iteration`); speedup = median time per op of the malloc "
            "of the same process / that of the allocator. ns/op: median over the repetitions, their min-max in "
            "parentheses. Page faults (minor), allocations and backing-allocator calls per op come from this run.")
    notes = []
    hw = _hw_note(run)
    if det is not None:
        iters = sorted({int(e.get("iterations", 0)) for b in det.benchmarks.values() for e in b.reps})
        iters_text = (f"{iters[0]}" if len(iters) == 1 else f"{iters[0]}-{iters[-1]}") if iters else "?"
        where = str(det.path)
        try:  # inside the run folder (./run_all.sh --why): say it relative to it
            where = str(Path(det.path).resolve().relative_to(Path(run.path).resolve()))
        except (ValueError, OSError, TypeError):
            pass
        text += (f" Instructions{' and simulated D1/LL cache misses' if cache_sim else ''} per op come from the "
                 f"deterministic run `{where}` (callgrind, timed loop only, {iters_text} iterations per "
                 "benchmark: one-time costs such as cold caches weigh more there than in this run). The argument "
                 "set is the first one (in the run's order) that the deterministic run measured, else the run's "
                 "first.")
        if hw:
            notes.append(f"{hw}; instructions and misses come from callgrind.")
        if not cache_sim:
            notes.append("Simulated cache misses: not in this deterministic run (it ran without `--cache-sim`).")
    else:
        text += " The argument set is the workload's first in the run."
        if hw:
            notes.append(f"{hw}, and no deterministic run was found: no instruction or cache-miss counts.")
        notes.append(HINT)
    return [text, ""] + [f"- {n}" for n in notes]


def workload_lines(run: Run, det: Run | None, workload: str, cache_sim: bool, probe: Probe,
                   gaps: _Gaps | None = None) -> tuple[list[str], bool]:
    """One workload: heading, arguments, table, sentences; and whether a row is marked (mt)."""
    args, has_det = choose_args(run, det, workload)
    rows = workload_rows(run, det, workload, args)
    if det is not None and gaps is not None:
        gaps.note(run, det, workload, args, has_det, rows)
    items = next((_items(r.timing or r.det) for r in rows if _items(r.timing or r.det)), None)
    if has_det:
        where = "the first with deterministic data"
    elif det is not None and workload in _workload_order(det):
        where = "the first in the run; the deterministic run has this workload only at other arguments"
    else:
        where = "the first in the run" + ("; not in the deterministic run" if det is not None else "")
    lines = [f"### {workload}", "",
             f"Arguments `{args_label(args)}` ({where})" + (f", {_count(items)} ops per iteration." if items else "."),
             ""]
    table, marked = _table(rows, run, det is not None, cache_sim)
    return lines + table + ["", sentences(rows, run, cache_sim, probe), ""], marked


def section(run: Run, det: Run | None = None) -> list[str]:
    """The whole "Why: per workload" section as Markdown lines."""
    probe = Probe.from_dict(run.probe)
    cache_sim = det is not None and any(b.has("d1_misses") or b.has("ll_misses") for b in det.benchmarks.values())
    gaps = _Gaps()
    body: list[str] = []
    any_marked = False
    for workload in _workload_order(run):
        lines, marked = workload_lines(run, det, workload, cache_sim, probe, gaps)
        body += lines
        any_marked |= marked
    notes = gaps.lines(run, det) if det is not None else []
    if any_marked:
        notes.append("(mt): other threads ran in the timed loop; under valgrind their instruction count varies "
                     "slightly between runs (typically < 0.5%).")
    head = [f'<a id="{ANCHOR}"></a>', "## Why: per workload", ""] + _intro(run, det, cache_sim)
    return head + [f"- {n}" for n in notes] + [""] + body
