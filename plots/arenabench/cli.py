"""Command line: ``charts``, ``report``, ``compare``, ``claims``.

Exit status: 0 success; 1 ``compare`` found a significant regression beyond
the threshold; 2 bad input (unreadable or malformed JSON, empty run folder,
bad option); 3 an internal error (a bug: please report it with the
traceback that ``ARENABENCH_DEBUG=1`` prints).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import __version__
from .errors import InputError

EXIT_OK, EXIT_REGRESSED, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 3

EPILOG = """\
exit status: 0 ok, 1 compare found a significant regression, 2 bad input, 3 internal error.
The run folder layout is described in results/README.md; the claims and their
rules in plots/claims.json and plots/README.md."""


def _warn(message: str) -> None:
    """One line on stderr."""
    print(f"arenabench: warning: {message}", file=sys.stderr)


def _out_dir(run_path: Path, out: str | None) -> Path:
    """Where outputs go: --out, else the run folder (a file's folder)."""
    if out:
        return Path(out)
    return run_path if run_path.is_dir() else run_path.parent


def _load(path: str, skip_bad: bool):
    """Loads a run and reports its non-fatal problems on stderr."""
    from .runs import load_run

    run = load_run(path, skip_bad=skip_bad)
    for w in run.warnings:
        _warn(w)
    if run.max_reps() < 2:
        _warn(f"{run.label}: single repetition per benchmark -- no error bars or intervals "
              "(run with --benchmark_repetitions=10)")
    return run


def _render_charts(run, out_dir: Path, formats: tuple[str, ...], claims_path: str | None):
    """Renders every chart; returns the ChartSet."""
    from .charts import render_all
    from .claims import load_claims

    _, bands = load_claims(claims_path)
    charts = render_all(run, out_dir / "charts", formats=formats, bands=bands)
    return charts


def _formats(text: str) -> tuple[str, ...]:
    """``png,svg`` -> ("png", "svg"), validated."""
    formats = tuple(f.strip().lower() for f in text.split(",") if f.strip())
    bad = [f for f in formats if f not in ("png", "svg", "pdf")]
    if not formats or bad:
        raise InputError(f"--formats: expected a comma-separated list of png, svg, pdf (got {text!r})")
    return formats


def cmd_charts(args) -> int:
    """``charts RUN_DIR``: every chart into RUN_DIR/charts."""
    run = _load(args.run, args.skip_bad)
    out = _out_dir(Path(args.run), args.out)
    charts = _render_charts(run, out, _formats(args.formats), args.claims)
    for note in charts.notes:
        print(f"arenabench: {note}", file=sys.stderr)
    print(f"{len(charts.paths)} charts written to {out / 'charts'}")
    return EXIT_OK


def cmd_report(args) -> int:
    """``report RUN_DIR``: RUN_DIR/report.md (and the charts it links to)."""
    from . import report, why
    from .claims import evaluate_claims, load_claims

    run = _load(args.run, args.skip_bad)
    det_path = why.find_deterministic(Path(args.run), args.deterministic)
    det = why.load_deterministic(det_path, args.skip_bad) if det_path else None
    for w in det.warnings if det else []:
        _warn(f"deterministic run: {w}")
    out = _out_dir(Path(args.run), args.out)
    claims, _ = load_claims(args.claims)
    charts = None if args.no_charts else _render_charts(run, out, _formats(args.formats), args.claims)
    results = evaluate_claims(run, claims)
    text = report.render(run, results, out, charts, det)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "report.md"
    path.write_text(text, encoding="utf-8")
    width = max(len(r.claim.id) for r in results)
    for r in results:
        print(f"{r.claim.id:<{width}}  {r.outcome.verdict:<28}  {r.outcome.key_number}")
    print(f"instruction counts from {det_path}" if det else "no deterministic run: no instruction counts "
          "(--deterministic DIR, or RUN_DIR/deterministic/)")
    print(f"report written to {path}")
    return EXIT_OK


def cmd_compare(args) -> int:
    """``compare BASE CANDIDATE``: regressions with a U test; exit 1 if any."""
    from .compare import compare_runs, render_chart, render_markdown

    base = _load(args.base, args.skip_bad)
    cand = _load(args.candidate, args.skip_bad)
    result = compare_runs(base, cand, metric=args.metric, threshold=args.threshold, alpha=args.alpha,
                          alternative=args.alternative)
    text = render_markdown(result, base, cand, args.metric, args.threshold, args.alpha, args.alternative)
    sys.stdout.write(text)
    out = Path(args.out) if args.out else _out_dir(Path(args.candidate), None) / "compare"
    out.mkdir(parents=True, exist_ok=True)
    (out / "compare.md").write_text(text, encoding="utf-8")
    if not args.no_chart:
        render_chart(result, cand, out, args.metric, args.threshold)
    for key in result.only_base:
        _warn(f"only in base: {key[1]} ({key[0]})")
    for key in result.only_cand:
        _warn(f"only in candidate: {key[1]} ({key[0]})")
    if result.regressions:
        names = ", ".join(f"{r.name} ({r.process}) {r.change:+.1%}" for r in result.regressions)
        print(f"arenabench: {len(result.regressions)} significant regression(s) beyond {args.threshold:.1%}: {names}",
              file=sys.stderr)
        return EXIT_REGRESSED
    return EXIT_OK


def cmd_claims(args) -> int:
    """``claims``: list the claims, their benchmarks and rules."""
    from .claims import load_claims
    from .rules import describe

    claims, _ = load_claims(args.claims)
    for i, c in enumerate(claims, 1):
        print(f"{i:2}. {c.id}: {c.title}")
        print(f"    recipe: \"{c.quote}\"")
        print(f"    benchmarks: {', '.join(c.selection.all_workloads)}; subjects: "
              f"{', '.join(c.selection.subjects or ['arena family'])}; args: {c.selection.args}")
        print(f"    rule: {describe(c.rule)}")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (subcommands with their own --help)."""
    parser = argparse.ArgumentParser(
        prog="arenabench_plots.py",
        description="Charts, the recipe claim-check report, and run comparison for arenabench results.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def common(p, claims=True):
        p.add_argument("--skip-bad", action="store_true",
                       help="skip unreadable bench-*.json files with a warning instead of failing")
        if claims:
            p.add_argument("--claims", metavar="FILE", help="claims file (default: plots/claims.json)")

    p = sub.add_parser("charts", help="draw every chart of a run into RUN_DIR/charts",
                       description="Draw speedup, sweep, memory and summary charts (PNG + SVG) into RUN_DIR/charts.")
    p.add_argument("run", metavar="RUN_DIR", help="run folder (or one bench JSON file)")
    p.add_argument("--out", metavar="DIR", help="write DIR/charts instead of RUN_DIR/charts")
    p.add_argument("--formats", default="png,svg", help="comma-separated: png, svg, pdf (default: png,svg)")
    common(p)
    p.set_defaults(func=cmd_charts)

    p = sub.add_parser("report", help="write RUN_DIR/report.md with a verdict per recipe claim",
                       description="Evaluate every claim of plots/claims.json on a run and write RUN_DIR/report.md "
                                   "(and the charts it links to).")
    p.add_argument("run", metavar="RUN_DIR", help="run folder (or one bench JSON file)")
    p.add_argument("--out", metavar="DIR", help="write DIR/report.md (and DIR/charts) instead of RUN_DIR")
    p.add_argument("--no-charts", action="store_true", help="do not draw charts (links point to existing ones)")
    p.add_argument("--formats", default="png,svg", help="chart formats (default: png,svg)")
    p.add_argument("--deterministic", metavar="DIR",
                   help="deterministic run (profiling/deterministic.py) for the per-workload instruction and cache-"
                        "miss counts (default: RUN_DIR/deterministic/ when it holds bench-*.json)")
    common(p)
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("compare", help="compare a candidate run with a base run; exit 1 on regression",
                       description="Per benchmark present in both runs: ratio of medians (candidate/base), "
                                   "Mann-Whitney U test over repetitions, verdict. Writes OUT/compare.md and "
                                   "OUT/compare.png; exits 1 if any benchmark regressed significantly beyond the "
                                   "threshold.",
                       epilog="On noisy CI machines use 10+ repetitions, --threshold 0.05-0.10 and --alpha 0.01; "
                              "deterministic instruction counts allow --threshold 0.01.")
    p.add_argument("base", metavar="BASE_RUN", help="base run folder or bench JSON file")
    p.add_argument("candidate", metavar="CANDIDATE_RUN", help="candidate run folder or bench JSON file")
    p.add_argument("--threshold", type=float, default=0.05,
                   help="smallest relative change that matters (default 0.05 = 5%%)")
    p.add_argument("--alpha", type=float, default=0.05, help="significance level of the U test (default 0.05)")
    p.add_argument("--metric", default="real_time",
                   help="real_time (default), cpu_time, instructions, or any counter")
    p.add_argument("--alternative", choices=("two-sided", "greater"), default="two-sided",
                   help="two-sided U test (default), or one-sided in the direction of the change")
    p.add_argument("--out", metavar="DIR", help="output folder (default: CANDIDATE_RUN/compare)")
    p.add_argument("--no-chart", action="store_true", help="skip compare.png")
    common(p, claims=False)
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("claims", help="list the claims, their benchmarks and rules")
    p.add_argument("--claims", metavar="FILE", help="claims file (default: plots/claims.json)")
    p.set_defaults(func=cmd_claims)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Runs the command line; returns the exit status (never raises)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
        return int(exc.code or 0)
    try:
        return args.func(args)
    except InputError as exc:
        print(f"arenabench: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:
        where = f" {exc.filename}" if getattr(exc, "filename", None) else ""
        print(f"arenabench: error: cannot write{where}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("arenabench: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: one line unless asked for the traceback
        if os.environ.get("ARENABENCH_DEBUG"):
            raise
        print(f"arenabench: internal error: {type(exc).__name__}: {exc} "
              "(rerun with ARENABENCH_DEBUG=1 for the traceback)", file=sys.stderr)
        return EXIT_INTERNAL
