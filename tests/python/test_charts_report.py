"""charts and report: files are produced, readable, and degrade gracefully."""

import re

import pytest

from arenabench.charts import render_all
from arenabench.claims import load_claims
from arenabench.cli import main
from arenabench.runs import load_run
from conftest import make_small_run
from fixtures import builder


@pytest.fixture(scope="module")
def reported(tmp_path_factory):
    """One small run through ``report`` (which draws every chart; PNG only, to keep the suite fast)."""
    run = make_small_run(tmp_path_factory.mktemp("reported") / "run")
    assert main(["report", str(run), "--formats", "png"]) == 0
    return run


def test_every_chart_type_is_drawn(reported):
    charts = reported / "charts"
    for stem in ("speedup_arena_vs_general", "speedup_batch_reset", "memory_batch_reset", "memory_arena_vs_general",
                 "sweep_arena_vs_general", "sweep_batch_reset", "sweep_memory_batch_reset", "heatmap"):
        path = charts / f"{stem}.png"
        assert path.exists() and path.stat().st_size > 1000, path


def test_charts_command_writes_png_and_svg(tmp_path, cli):
    run = builder.write_run(tmp_path / "r", builder.recipe_specs("holds", {"locality"}), processes=("glibc",))
    code, out, _ = cli("charts", run, "--out", tmp_path / "other")
    assert code == 0 and re.search(r"\d+ charts written", out)
    for ext in ("png", "svg"):
        for stem in ("heatmap", "speedup_locality", "memory_locality"):
            path = tmp_path / "other" / "charts" / f"{stem}.{ext}"
            assert path.exists() and path.stat().st_size > 1000, path


def test_report_has_summary_every_claim_and_working_links(reported):
    small_run = reported
    text = (small_run / "report.md").read_text()
    claims, _ = load_claims()
    assert "## Summary" in text and "Machine costs" in text and "250 ns" in text
    for c in claims:
        assert c.title in text
    assert "not measured on this machine" in text  # most workloads are absent from the small run
    links = re.findall(r"\]\((charts/[^)]+)\)", text)
    assert links and all((small_run / link).exists() for link in links)


def test_single_repetition_charts_have_no_error_bars_and_say_so(tmp_path, cli):
    run = builder.write_run(tmp_path / "r", builder.recipe_specs("holds", {"request_response"}),
                            builder.RunOptions(reps=1), processes=("glibc",))
    code, _, err = cli("report", run, "--formats", "svg")
    assert code == 0 and "single repetition" in err
    svg = (run / "charts" / "speedup_request_response.svg").read_text()
    assert "no error bars" in svg
    assert "Only 1 repetition" in (run / "report.md").read_text()


def test_missing_allocator_and_missing_probe_degrade_gracefully(tmp_path, cli):
    run = builder.write_run(tmp_path / "r", builder.recipe_specs("holds", {"request_response"}),
                            builder.RunOptions(reps=3, probe=None, manifest=None), processes=("glibc", "mimalloc"))
    code, _, _ = cli("report", run, "--formats", "png")
    assert code == 0
    text = (run / "report.md").read_text()
    assert "Allocators not in this run: jemalloc, tcmalloc" in text
    assert "probe.json absent" in text and "manifest.json absent" in text


def test_process_without_its_malloc_benchmark(tmp_path):
    specs = [s for s in builder.recipe_specs("holds", {"request_response"})
             if not (s.contestant == "tcmalloc")]
    run = load_run(builder.write_run(tmp_path / "r", specs, processes=("glibc", "tcmalloc")))
    charts = render_all(run, tmp_path / "charts", formats=("png",))
    assert "speedup:request_response" in charts.paths


def test_checksum_mismatch_is_reported(small_run, cli):
    import json

    f = small_run / "bench-glibc.json"
    data = json.loads(f.read_text())
    for e in data["benchmarks"]:
        if e["run_name"] == "batch_reset/arena/10":
            e["checksum"] = 1.0
    f.write_text(json.dumps(data))
    code, _, _ = cli("report", small_run, "--no-charts")
    assert code == 0
    assert "Checksum mismatch** in batch_reset/10: arena@glibc" in (small_run / "report.md").read_text()


def test_report_into_another_folder_from_a_single_file(small_run, tmp_path, cli):
    out = tmp_path / "elsewhere"
    code, _, _ = cli("report", small_run / "bench-glibc.json", "--out", out, "--no-charts")
    assert code == 0 and (out / "report.md").exists()
