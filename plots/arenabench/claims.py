"""The recipe's claims as data (``plots/claims.json``) and their evaluation.

Each claim entry::

    {
      "id": "arena-7-10x",                        unique, used for anchors and tests
      "title": "Arena allocation is 7-10x faster", short, for the summary table
      "quote": "This example shows arena ...",    the recipe's words
      "where": "Performance Benefits",             the recipe's section
      "benchmarks": {...},                         see rules.Selection
      "rule": {"name": "ratio", ...},              see rules.RULES
      "charts": ["speedup:arena_vs_general"],      chart ids that show it
      "notes": "..."                               optional remark for the report
    }

The file also holds ``chart_bands``: the claimed speedup band shaded on each
workload's speedup chart.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from . import rules
from .errors import InputError
from .runs import Run

#: The claims file shipped next to the package.
DEFAULT_CLAIMS = Path(__file__).resolve().parent.parent / "claims.json"


@dataclass
class Claim:
    """One claim of the recipe and how it is checked."""

    id: str
    title: str
    quote: str
    where: str
    selection: rules.Selection
    rule: dict
    charts: list[str]
    notes: str = ""


@dataclass
class ClaimResult:
    """A claim and the outcome of its rule on one run."""

    claim: Claim
    outcome: rules.Outcome


def load_claims(path: str | Path | None = None) -> tuple[list[Claim], dict]:
    """Reads and validates the claims file; returns (claims, chart bands).

    Raises InputError naming the entry at fault (unknown rule, missing key).
    """
    p = Path(path) if path else DEFAULT_CLAIMS
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{p}: cannot read claims file: {exc.strerror or exc}") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{p}: claims file is not valid JSON (line {exc.lineno}: {exc.msg})") from None
    entries = data.get("claims") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise InputError(f"{p}: no \"claims\" list")
    claims, seen = [], set()
    for i, entry in enumerate(entries):
        where = f"{p}: claims[{i}]"
        for key in ("id", "title", "quote", "benchmarks", "rule"):
            if key not in entry:
                raise InputError(f"{where}: missing \"{key}\"")
        if entry["id"] in seen:
            raise InputError(f"{where}: duplicate id {entry['id']!r}")
        seen.add(entry["id"])
        _check_rule(entry["rule"], f"{where} ({entry['id']})")
        claims.append(Claim(
            id=entry["id"], title=entry["title"], quote=entry["quote"], where=entry.get("where", ""),
            selection=rules.Selection.from_dict(entry["benchmarks"]), rule=entry["rule"],
            charts=list(entry.get("charts", [])), notes=entry.get("notes", ""),
        ))
    bands = {}
    for workload, band in (data.get("chart_bands") or {}).items():
        if not (isinstance(band, list) and len(band) == 3):
            raise InputError(f"{p}: chart_bands.{workload} must be [low, high, label]")
        bands[workload] = (float(band[0]), float(band[1]), str(band[2]))
    return claims, bands


def _check_rule(params: dict, where: str) -> None:
    """Rule names must be registered; all_of checks its children."""
    if not isinstance(params, dict) or params.get("name") not in rules.RULES:
        known = ", ".join(sorted(rules.RULES))
        raise InputError(f"{where}: unknown rule {params.get('name') if isinstance(params, dict) else params!r} "
                         f"(known: {known})")
    for sub in params.get("rules", []) if params["name"] == "all_of" else []:
        _check_rule(sub, where)


def evaluate_claims(run: Run, claims: list[Claim]) -> list[ClaimResult]:
    """Evaluates every claim on ``run``."""
    ctx = rules.Context(run, rules.Probe.from_dict(run.probe))
    return [ClaimResult(c, rules.evaluate(ctx, c.selection, c.rule)) for c in claims]
