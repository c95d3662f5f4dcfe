"""Reading an arenabench run: a run folder or a single Google Benchmark JSON.

The contract is ``results/README.md``.  A run folder holds ``manifest.json``,
``probe.json`` and one ``bench-<process>.json`` per process.  Each bench file
is plain Google Benchmark JSON; a benchmark's identity in a run is
``(process, name)`` where ``name`` is Google Benchmark's ``run_name`` (the
aggregate suffixes ``_median`` ... are not part of it).

Everything here is tolerant of what is optional (manifest, probe, counters,
aggregates) and strict about what is not (a bench file must be JSON with a
``benchmarks`` list): problems with the latter raise :class:`InputError`.
"""

from __future__ import annotations

import gzip
import json
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from .errors import InputError

#: Factors from Google Benchmark's ``time_unit`` to nanoseconds.
TIME_UNIT_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}

#: Metrics that are times (converted to ns); everything else is a counter.
TIME_METRICS = ("real_time", "cpu_time")

#: Name parts Google Benchmark appends that are not workload arguments.
_SUFFIX_RE = re.compile(
    r"^(?:real_time|manual_time|process_time"
    r"|(?:threads|repeats|min_time|min_warmup_time|iterations):.*)$"
)


def _parse_name(run_name: str) -> tuple[str, str, tuple[str, ...], int]:
    """Splits ``workload/contestant[/arg...][/suffixes]``.

    Returns ``(workload, contestant, args, threads)``.  Google Benchmark's own
    suffixes (``/real_time``, ``/threads:4``, ``/repeats:5`` ...) are dropped
    (``threads`` is returned separately); named arguments ``n:100`` keep only
    their value.  A name without a ``/`` has an empty contestant.
    """
    parts = run_name.split("/")
    threads = 1
    kept: list[str] = []
    for part in parts:
        if _SUFFIX_RE.match(part):
            if part.startswith("threads:"):
                try:
                    threads = int(part.split(":", 1)[1])
                except ValueError:
                    pass
            continue
        kept.append(part)
    workload = kept[0] if kept else run_name
    contestant = kept[1] if len(kept) > 1 else ""
    args = tuple(a.split(":", 1)[1] if ":" in a else a for a in kept[2:])
    return workload, contestant, args, threads


def arg_value(arg: str) -> float | None:
    """The numeric value of an argument string (``"100"`` -> 100.0), or None."""
    try:
        value = float(arg)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def args_label(args: tuple[str, ...]) -> str:
    """``("100",)`` -> ``"100"``; ``()`` -> ``"(no args)"``."""
    return "/".join(args) if args else "(no args)"


@dataclass
class Benchmark:
    """One benchmark of one process, with all its repetitions.

    ``reps`` are the per-repetition entries (``run_type == "iteration"``) as
    Google Benchmark wrote them; ``aggregates`` maps ``median``/``mean``/...
    to the aggregate entry.  When a file holds aggregates only, the median
    (else mean) aggregate stands in as a single repetition and
    ``from_aggregate`` is True.
    """

    process: str
    name: str
    workload: str
    contestant: str
    args: tuple[str, ...]
    threads: int
    reps: list[dict] = field(default_factory=list)
    aggregates: dict[str, dict] = field(default_factory=dict)
    from_aggregate: bool = False

    @property
    def key(self) -> tuple[str, str]:
        """Identity in a run: ``(process, name)``."""
        return (self.process, self.name)

    @property
    def n_reps(self) -> int:
        """How many repetitions the statistics can use."""
        return len(self.reps)

    def has(self, metric: str) -> bool:
        """True if every repetition reports ``metric`` as a number."""
        try:
            self.values(metric)
        except KeyError:
            return False
        return True

    def values(self, metric: str) -> np.ndarray:
        """Per-repetition values of ``metric``; times in ns.

        ``metric`` is ``real_time``/``cpu_time`` (converted to ns),
        ``ns_per_item`` (real time divided by ``items_per_iteration``, or the
        real time if that counter is absent), ``ns_per_alloc`` (real time
        divided by ``allocs_per_iter``), ``overhead_ratio`` (the counter, or
        bytes_reserved / bytes_requested) or any user counter.  Raises KeyError
        if a repetition lacks it.
        """
        if metric == "overhead_ratio" and not all(isinstance(e.get(metric), (int, float)) for e in self.reps):
            reserved, requested = self.values("bytes_reserved"), self.values("bytes_requested")
            if not (requested > 0).all():
                raise KeyError(metric)
            return reserved / requested
        if metric in ("ns_per_item", "ns_per_alloc"):
            times = self.values("real_time")
            counter = "items_per_iteration" if metric == "ns_per_item" else "allocs_per_iter"
            try:
                per = self.values(counter)
            except KeyError:
                if metric == "ns_per_alloc":
                    raise
                return times
            with np.errstate(divide="ignore", invalid="ignore"):
                out = np.where(per > 0, times / np.where(per > 0, per, 1), np.nan)
            if np.isnan(out).all():
                raise KeyError(metric)
            return out
        out = []
        for entry in self.reps:
            value = entry.get(metric)
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                raise KeyError(metric)
            if metric in TIME_METRICS:
                value = value * TIME_UNIT_NS.get(entry.get("time_unit", "ns"), 1.0)
            out.append(float(value))
        if not out:
            raise KeyError(metric)
        return np.asarray(out, dtype=float)

    def median(self, metric: str) -> float:
        """Median over repetitions of ``metric`` (see :meth:`values`)."""
        return float(np.nanmedian(self.values(metric)))

    def counter(self, metric: str, default: float | None = None) -> float | None:
        """Median of ``metric``, or ``default`` if it is not reported."""
        try:
            return self.median(metric)
        except KeyError:
            return default


@dataclass
class Process:
    """One ``bench-<process>.json``: its label, file and Google Benchmark context."""

    name: str
    path: Path
    context: dict

    @property
    def malloc_library(self) -> str:
        """The malloc this process proved it runs on (``ab_malloc_library``)."""
        return str(self.context.get("ab_malloc_library") or "")


@dataclass
class Run:
    """A whole run: manifest, probe, processes and benchmarks.

    ``benchmarks`` maps ``(process, name)`` to :class:`Benchmark`.
    ``failed`` lists benchmarks Google Benchmark reported with
    ``error_occurred`` (as ``(process, name, message)``).  ``warnings``
    collects non-fatal problems found while reading, for the report and stderr.
    """

    path: Path
    manifest: dict
    probe: dict
    processes: dict[str, Process]
    benchmarks: dict[tuple[str, str], Benchmark]
    failed: list[tuple[str, str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        """A short name for the run (its folder name or file name)."""
        return self.path.name

    def select(
        self,
        workload: str | None = None,
        contestant: str | None = None,
        process: str | None = None,
        args: tuple[str, ...] | None = None,
    ) -> list[Benchmark]:
        """Benchmarks matching every given field, in a stable order."""
        out = [
            b
            for b in self.benchmarks.values()
            if (workload is None or b.workload == workload)
            and (contestant is None or b.contestant == contestant)
            and (process is None or b.process == process)
            and (args is None or b.args == args)
        ]
        return sorted(out, key=lambda b: (b.process, b.workload, b.contestant, _args_sort_key(b.args)))

    def workloads(self) -> list[str]:
        """Workload names present, sorted."""
        return sorted({b.workload for b in self.benchmarks.values()})

    def find(self, process: str, workload: str, contestant: str, args: tuple[str, ...]) -> Benchmark | None:
        """The benchmark with these fields (threads 1 preferred), or None."""
        hits = self.select(workload=workload, contestant=contestant, process=process, args=args)
        if not hits:
            return None
        hits.sort(key=lambda b: b.threads)
        return hits[0]

    def args_of(self, workload: str) -> list[tuple[str, ...]]:
        """Distinct argument tuples of a workload, numerically sorted."""
        return sorted({b.args for b in self.select(workload=workload)}, key=_args_sort_key)

    def max_reps(self) -> int:
        """Largest repetition count of any benchmark (0 for an empty run)."""
        return max((b.n_reps for b in self.benchmarks.values()), default=0)

    def min_reps(self) -> int:
        """Smallest repetition count of any benchmark (0 for an empty run)."""
        return min((b.n_reps for b in self.benchmarks.values()), default=0)


def _args_sort_key(args: Iterable[str]) -> tuple:
    """Sorts numeric arguments by value and the rest by text."""
    return tuple((0, v, "") if (v := arg_value(a)) is not None else (1, 0.0, a) for a in args)


def _read_json(path: Path, what: str) -> Any:
    """Parses a JSON file (or a gzipped one, ``*.json.gz``, as the committed
    reference run stores its raw results); raises InputError with the file
    and position."""
    try:
        if path.suffix == ".gz":
            text = gzip.decompress(path.read_bytes()).decode("utf-8")
        else:
            text = path.read_text(encoding="utf-8")
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        if not isinstance(exc, OSError) or isinstance(exc, gzip.BadGzipFile):
            raise InputError(f"{path}: {what} is not a valid gzip file") from None
        raise InputError(f"{path}: cannot read {what}: {exc.strerror or exc}") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read {what}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: {what} is not UTF-8 text") from None
    if not text.strip():
        raise InputError(f"{path}: {what} is empty (did the benchmark process crash?)")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{path}: {what} is not valid JSON (line {exc.lineno} column {exc.colno}: {exc.msg}); "
            "was the benchmark interrupted?"
        ) from None


def _optional_json(path: Path, what: str, warnings: list[str]) -> dict:
    """Reads an optional JSON object; missing or broken -> {} and a warning."""
    if not path.exists():
        return {}
    try:
        data = _read_json(path, what)
    except InputError as exc:
        warnings.append(f"{exc} -- ignored")
        return {}
    if not isinstance(data, dict):
        warnings.append(f"{path}: {what} is not a JSON object -- ignored")
        return {}
    return data


def _process_label(path: Path, context: dict) -> str:
    """``context.ab_process``, else the file stem without ``bench-``."""
    label = context.get("ab_process")
    if isinstance(label, str) and label:
        return label
    stem = path.stem
    return stem[len("bench-"):] if stem.startswith("bench-") else stem


def _load_bench_file(path: Path, run: Run) -> None:
    """Adds one Google Benchmark JSON file to ``run``."""
    data = _read_json(path, "benchmark JSON")
    if not isinstance(data, dict) or not isinstance(data.get("benchmarks"), list):
        raise InputError(f"{path}: not Google Benchmark JSON (no \"benchmarks\" list)")
    context = data.get("context") if isinstance(data.get("context"), dict) else {}
    process = _process_label(path, context)
    if process in run.processes:
        raise InputError(
            f"{path}: process label {process!r} is also used by {run.processes[process].path.name}; "
            "each process must have its own ab_process"
        )
    run.processes[process] = Process(process, path, context)

    for index, entry in enumerate(data["benchmarks"]):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise InputError(f"{path}: benchmarks[{index}] has no \"name\"")
        run_name = entry.get("run_name") or entry["name"]
        if entry.get("error_occurred"):
            run.failed.append((process, run_name, str(entry.get("error_message", "error"))))
            continue
        key = (process, run_name)
        bench = run.benchmarks.get(key)
        if bench is None:
            workload, contestant, args, threads = _parse_name(run_name)
            if isinstance(entry.get("threads"), int):
                threads = entry["threads"]
            bench = Benchmark(process, run_name, workload, contestant, args, threads)
            run.benchmarks[key] = bench
        if entry.get("run_type") == "aggregate":
            bench.aggregates[str(entry.get("aggregate_name", "?"))] = entry
            continue
        if not isinstance(entry.get("real_time"), (int, float)):
            raise InputError(f"{path}: benchmark {entry['name']!r} has no numeric real_time")
        bench.reps.append(entry)

    # Files written with --benchmark_report_aggregates_only have no repetitions:
    # use the median (else mean) aggregate as one sample, and say so.
    for bench in list(run.benchmarks.values()):
        if bench.process != process or bench.reps:
            continue
        agg = bench.aggregates.get("median") or bench.aggregates.get("mean")
        if agg is None or not isinstance(agg.get("real_time"), (int, float)):
            del run.benchmarks[bench.key]
            run.warnings.append(f"{path.name}: {bench.name}: no usable repetition or median -- skipped")
            continue
        bench.reps.append(agg)
        bench.from_aggregate = True


def load_run(path: str | os.PathLike, skip_bad: bool = False) -> Run:
    """Loads a run folder or one bench JSON file.

    A folder must contain at least one ``bench-*.json``.  With ``skip_bad``,
    unreadable bench files are skipped with a warning instead of failing
    (useful for a run whose ``manifest.json`` says a part crashed).
    Raises :class:`InputError` for anything unusable.
    """
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: no such file or folder")
    warnings: list[str] = []
    if p.is_dir():
        manifest = _optional_json(p / "manifest.json", "manifest", warnings)
        probe = _optional_json(p / "probe.json", "probe", warnings)
        files = sorted(p.glob("bench-*.json")) + sorted(p.glob("bench-*.json.gz"))
        if not files:
            raise InputError(
                f"{p}: no bench-*.json in this folder -- is it an arenabench run folder "
                "(results/<host>-<time>/)? Did run_all.sh finish?"
            )
    else:
        manifest, probe, files = {}, {}, [p]
    run = Run(p, manifest, probe, {}, {}, warnings=warnings)
    for f in files:
        try:
            _load_bench_file(f, run)
        except InputError as exc:
            if not skip_bad or len(files) == 1:
                raise
            run.warnings.append(f"{exc} -- skipped (--skip-bad)")
    if not run.benchmarks:
        raise InputError(f"{p}: contains no benchmark results (all bench files empty or failed)")
    if isinstance(manifest, dict) and manifest.get("complete") is False:
        run.warnings.append(f"{p.name}: manifest.json says this run is incomplete (complete: false)")
    return run


def run_date(run: Run) -> str:
    """When the run happened: manifest ``started_utc``, else a context ``date``."""
    for key in ("started_utc", "finished_utc", "date"):
        value = run.manifest.get(key)
        if value:
            return str(value)
    for proc in run.processes.values():
        if proc.context.get("date"):
            return str(proc.context["date"])
    return "unknown date"


def machine_summary(run: Run) -> str:
    """One line naming the machine: host, CPU, cores, kernel."""
    m = run.manifest
    ctx = next(iter(run.processes.values())).context if run.processes else {}
    host = m.get("host") or ctx.get("host_name") or "unknown host"
    parts = [str(host)]
    if m.get("cpu_model"):
        parts.append(str(m["cpu_model"]))
    cores = m.get("cores") or ctx.get("num_cpus")
    if cores:
        parts.append(f"{cores} cores")
    elif ctx.get("mhz_per_cpu"):
        parts.append(f"{ctx['mhz_per_cpu']} MHz")
    if m.get("kernel"):
        parts.append(f"Linux {m['kernel']}" if str(m["kernel"])[:1].isdigit() else str(m["kernel"]))
    return ", ".join(parts)
