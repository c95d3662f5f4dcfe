"""``report.md``: the claim-check report of one run.

Layout (for a reviewer who pastes the summary into a design doc):

1. the run: machine, compiler, libraries, revision, processes, probe costs;
2. the summary table: claim -> verdict -> key number;
3. data quality: checksums, errors, repetitions, noise, missing allocators;
4. one section per claim: the recipe's words, the verdict with its numbers,
   the rule that decided it, the measured range per allocator, why (from the
   counters), the chart, and anything that was not measured;
5. the arena's fast path against the floor (``floor.py``: alloc_sizes,
   arena_direct vs bump_floor, the project's three speed targets);
6. why, per workload (``why.py``): time per op next to instructions, cache
   misses and page faults per op, from a deterministic run when there is one.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from . import floor, naming, why
from .charts import ChartSet, chart_file
from .claims import ClaimResult
from .rules import FAILS, HOLDS, INCONCLUSIVE, NOT_MEASURED, PARTLY, Probe
from .runs import Run, machine_summary, run_date
from .stats import cv, fmt_num

#: Short marks for the summary table (plain text, render everywhere).
VERDICT_MARK = {HOLDS: "HOLDS", PARTLY: "PARTLY", FAILS: "DOES NOT HOLD", INCONCLUSIVE: "INCONCLUSIVE",
               NOT_MEASURED: "NOT MEASURED"}

#: Repetition CV above which a benchmark is called noisy.
NOISY_CV = 0.10


def _cell(text: str) -> str:
    """Makes text safe inside a Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    """A Markdown table."""
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return out


def _anchor(claim_id: str) -> str:
    """Markdown heading anchor for a claim section."""
    return f"claim-{claim_id}"


# ---- the run --------------------------------------------------------------------------


def run_section(run: Run) -> list[str]:
    """Machine and run facts from manifest.json and the processes' contexts."""
    m = run.manifest
    rows = [["machine", machine_summary(run)], ["date", run_date(run)]]
    for key, label in (("compiler", "compiler"), ("cflags", "flags"), ("git_revision", "git revision"),
                       ("command_line", "command")):
        if m.get(key):
            value = " ".join(m[key]) if isinstance(m[key], list) else str(m[key])
            rows.append([label, f"`{value}`" if key in ("cflags", "command_line") else value])
    if m.get("finished_utc"):
        rows.append(["finished", str(m["finished_utc"])])
    if isinstance(m.get("libraries"), dict) and m["libraries"]:
        rows.append(["libraries", ", ".join(f"{k} {v}" for k, v in sorted(m["libraries"].items()))])
    if "complete" in m:
        failed = [p for p in m.get("parts", []) if isinstance(p, dict) and p.get("status") not in ("ok", "done", None)]
        text = "yes" if m["complete"] else "**no** -- this run is incomplete"
        if failed:
            text += "; parts not ok: " + ", ".join(f"{p.get('name')} ({p.get('status')}: {p.get('error') or '-'})"
                                                 for p in failed)
        rows.append(["complete", text])
    if not m:
        rows.append(["manifest", "manifest.json absent: machine facts come from the benchmark context only"])
    procs = []
    for name in sorted(run.processes, key=naming.process_key):
        ctx = run.processes[name].context
        lib = ctx.get("ab_malloc_library")
        ver = ctx.get("ab_malloc_version")
        bits = [b for b in (lib, ver) if b]
        procs.append(f"{name}" + (f" ({' '.join(str(b) for b in bits)})" if bits else ""))
    rows.append(["processes", ", ".join(procs)])
    n_min, n_max = run.min_reps(), run.max_reps()
    rows.append(["repetitions", f"{n_min}" if n_min == n_max else f"{n_min}-{n_max}"])
    lines = ["## The run", ""] + _table(["", ""], rows) + [""]
    lines += probe_section(Probe.from_dict(run.probe))
    return lines


def probe_section(probe: Probe) -> list[str]:
    """The machine costs that decide the big numbers (probe.json)."""
    lines = ["### Machine costs (probe.json)", ""]
    if not probe.raw:
        return lines + ["probe.json absent: the syscall, first-touch and memset costs were not measured, so "
                        "explanations below do not attribute time to page faults or memset.", ""]
    rows = [
        ["system call", f"{fmt_num(probe.syscall_ns)} ns" if probe.syscall_ns is not None else "not measured",
         "floor for any allocator that asks the kernel (mmap/brk) per block"],
        ["first touch of a fresh page",
         f"{fmt_num(probe.first_touch_ns)} ns" if probe.first_touch_ns is not None else "not measured",
         "paid per minor fault; arenas that get new blocks each run pay it again"],
        ["memset", f"{fmt_num(probe.memset_gbps)} GB/s" if probe.memset_gbps is not None else "not measured",
         "work both sides do when a workload fills its memory"],
    ]
    lines += _table(["cost", "value", "why it matters"], rows)
    others = {k: v for k, v in probe.raw.items() if isinstance(v, (int, float, str)) and not any(
        w in k.lower() for w in ("syscall", "touch", "fault", "memset"))}
    if others:
        lines += ["", "Other probe values: " + ", ".join(f"`{k}` = {v}" for k, v in sorted(others.items()))]
    return lines + [""]


# ---- data quality -------------------------------------------------------------------------


def quality_section(run: Run) -> list[str]:
    """Checksums, errors, repetitions, noise and missing allocators."""
    items = []
    missing = [p for p in naming.MALLOCS if p not in run.processes]
    if missing:
        items.append(f"Allocators not in this run: {', '.join(missing)} (their columns are absent from every chart "
                     "and verdict).")
    for process in sorted(run.processes, key=naming.process_key):
        if naming.is_zig(process):
            continue
        malloc_named = any(naming.is_general(b.contestant, run.processes[process].malloc_library)
                           for b in run.select(process=process))
        if not malloc_named:
            items.append(f"Process {process} has no malloc benchmark: its arenas cannot be compared with it.")
    # checksums: equal per (workload, args) across every contestant and process; the Zig
    # processes run the recipe's own code, so they are checked among themselves
    sums: dict[tuple, dict[float, list[str]]] = defaultdict(lambda: defaultdict(list))
    for b in run.benchmarks.values():
        value = b.counter("checksum")
        if value is not None and not (b.counter("failures") or 0):
            sums[(naming.is_zig(b.process), b.workload, b.args)][value].append(f"{b.contestant}@{b.process}")
    bad = {k: v for k, v in sums.items() if len(v) > 1}
    if bad:
        for (_, w, a), groups in sorted(bad.items())[:5]:
            minority = sorted(groups.items(), key=lambda kv: len(kv[1]))[0][1]
            items.append(f"**Checksum mismatch** in {w}/{'/'.join(a)}: {', '.join(minority[:4])} produced a different "
                         "result from the others -- their timings do not measure the same work.")
    elif sums:
        items.append(f"Checksums agree across allocators for all {len(sums)} workload/argument sets that report one "
                     "(benchmarks with failures excluded).")
    for process, name, msg in run.failed[:10]:
        items.append(f"Benchmark errored: {name} ({process}): {msg}")
    if run.max_reps() < 3:
        items.append(f"Only {run.max_reps()} repetition(s) per benchmark: no confidence intervals or error bars. "
                     "Rerun with --benchmark_repetitions=10 (or more) before trusting small differences.")
    noisy = []
    for b in run.benchmarks.values():
        try:
            c = cv(b.values("real_time"))
        except KeyError:
            continue
        if c is not None and c > NOISY_CV:
            noisy.append((c, b))
    if noisy:
        noisy.sort(key=lambda t: -t[0])
        items.append(f"{len(noisy)} benchmarks vary by more than {NOISY_CV:.0%} between repetitions (robust CV); "
                     "noisiest: " + ", ".join(f"{b.name} ({b.process}) {c:.0%}" for c, b in noisy[:3]) + ".")
    aggregated = [b for b in run.benchmarks.values() if b.from_aggregate]
    if aggregated:
        items.append(f"{len(aggregated)} benchmarks had only aggregates (no per-repetition entries): their median is "
                     "used as a single sample.")
    items += run.warnings
    lines = ["## Data quality", ""]
    lines += [f"- {i}" for i in items] if items else ["- No problems found."]
    return lines + [""]


# ---- claims ---------------------------------------------------------------------------------


def summary_section(results: list[ClaimResult]) -> list[str]:
    """The table a reviewer pastes into a design doc."""
    rows = []
    for i, r in enumerate(results, 1):
        rows.append([str(i), f"[{r.claim.title}](#{_anchor(r.claim.id)})", f"**{VERDICT_MARK[r.outcome.verdict]}**",
                     r.outcome.key_number or "-"])
    counts = defaultdict(int)
    for r in results:
        counts[r.outcome.verdict] += 1
    tally = ", ".join(f"{counts[v]} {v}" for v in (HOLDS, PARTLY, FAILS, INCONCLUSIVE, NOT_MEASURED) if counts[v])
    return (["## Summary", "", f"{len(results)} claims of recipe 18.2 checked: {tally}.", ""]
            + _table(["#", "claim (recipe 18.2)", "verdict", "key number"], rows) + [""])


def _chart_lines(chart_ids: list[str], charts: ChartSet | None, out_dir: Path) -> list[str]:
    """Links to the charts that show a claim (only those that exist)."""
    lines = []
    for cid in chart_ids:
        link = charts.link(cid) if charts else None
        if link is None and (out_dir / "charts" / f"{chart_file(cid)}.png").exists():
            link = f"charts/{chart_file(cid)}.png"
        if link:
            lines.append(f"![{cid}]({link})")
    return lines


def claim_section(index: int, r: ClaimResult, charts: ChartSet | None, out_dir: Path) -> list[str]:
    """One claim: quote, verdict with numbers, rule, ranges, why, chart, gaps."""
    c, o = r.claim, r.outcome
    lines = [f'<a id="{_anchor(c.id)}"></a>', f"### {index}. {c.title}", ""]
    lines += [f"> {c.quote}" + (f" -- *{c.where}*" if c.where else ""), ""]
    lines += [f"**Verdict: {o.verdict}.** {o.summary}", ""]
    if o.checks:
        lines += _table(["check", "verdict", "measured"],
                        [[chk.label, chk.verdict, chk.key_number] for chk in o.checks]) + [""]
    ranges = list(o.ranges)
    for chk in o.checks:
        ranges += [(f"{chk.label}: {who}", text) for who, text in chk.ranges]
    if ranges:
        lines += ["Measured:", ""] + _table(["allocator", "measured"], [[a, t] for a, t in ranges]) + [""]
    why = list(o.why) + [w for chk in o.checks for w in chk.why]
    if why:
        lines += ["Why: " + " ".join(dict.fromkeys(why)), ""]
    if o.context:
        lines += ["The recipe's own measurement (Zig processes, context only -- not part of the verdict):", ""]
        lines += [f"- {line}" for line in o.context] + [""]
    if c.notes:
        lines += [f"Note: {c.notes}", ""]
    rule_text = o.rule_text
    lines += [f"Rule (`{c.rule.get('name')}`, thresholds in plots/claims.json): {rule_text}", ""]
    missing = list(dict.fromkeys(o.missing))
    if missing:
        lines += ["Not measured / missing: " + "; ".join(missing) + ".", ""]
    chart_lines = _chart_lines(c.charts, charts, out_dir)
    if chart_lines:
        lines += chart_lines + [""]
    elif c.charts:
        lines += [f"(no chart: {', '.join(c.charts)} not drawn for this run)", ""]
    return lines


def render(run: Run, results: list[ClaimResult], out_dir: Path, charts: ChartSet | None = None,
           deterministic: Run | None = None) -> str:
    """The whole report as Markdown; ``deterministic`` is the run the "Why: per
    workload" section takes instruction and cache-miss counts from (optional)."""
    lines = [f"# arenabench report: {run.label}", "",
             f"Recipe 18.2 (arena allocator patterns) checked on {machine_summary(run)}, {run_date(run)}. "
             "Every verdict below is followed by the numbers it rests on; thresholds live in `plots/claims.json` and "
             "are explained in `plots/README.md`. Speedup = median time of the baseline / median time of the "
             "contestant, both measured in the same process; intervals are 95% bootstrap intervals over repetitions.",
             "",
             f"Per workload, time per op next to instructions, cache misses and page faults per op: "
             f"[Why: per workload](#{why.ANCHOR}). The arena's own speed against a hand-inlined bump pointer: "
             f"[the arena's fast path against the floor](#{floor.ANCHOR}).",
             ""]
    # before the quality section, which lists run.warnings: reading the floor
    # pass can add one (a round that could not be read)
    floor_lines = floor.section(run, deterministic)
    lines += summary_section(results)
    lines += run_section(run)
    lines += quality_section(run)
    lines += ["## Claims", ""]
    for i, r in enumerate(results, 1):
        lines += claim_section(i, r, charts, out_dir)
    if charts and charts.notes:
        lines += ["## Charts not drawn", ""] + [f"- {n}" for n in charts.notes] + [""]
    lines += floor_lines
    lines += why.section(run, deterministic)
    lines += ["---", "Generated by `plots/arenabench_plots.py report`."]
    return "\n".join(lines) + "\n"
