"""The benchmark harness keeps every recorded run's figures."""

from __future__ import annotations

from pathlib import Path

import pytest
from generated_corpus import benchmark_script, generate_project


def test_a_second_run_on_the_same_day_gets_its_own_results_file(tmp_path: Path) -> None:
    unused_path = benchmark_script("run").unused_path
    first = tmp_path / "2026-12-04-2cpu.json"
    assert unused_path(first) == first
    first.write_text("{}")
    second = unused_path(first)
    assert second.name == "2026-12-04-2cpu-2.json"
    second.write_text("{}")
    assert unused_path(first).name == "2026-12-04-2cpu-3.json"


def test_a_measured_million_event_release_is_judged_first_and_after(tmp_path: Path) -> None:
    """--full judges both releases of 1,000,000 events: after the first and the first."""
    run = benchmark_script("run")
    end_to_end = {"seconds": 313.0, "max_rss_mb": 8095.0, "how": "no cache",
                  "warm": {"seconds": 40.2, "max_rss_mb": 3700.0, "runs": 3}}
    rows = {row["target"]: row for row in run.targets([], None, end_to_end, ["1k"])}
    after = next(row for name, row in rows.items() if "after the first" in name)
    first = next(row for name, row in rows.items() if "the first release" in name)
    assert after["verdict"] == "met" and "40 s, 3.61 GB" in after["measured"]
    assert first["verdict"] == "missed (5.2x the time, 2.0x the memory)"
    del end_to_end["warm"]
    rows = {row["target"]: row for row in run.targets([], None, end_to_end, ["1k"])}
    assert not any("after the first" in name for name in rows)


def test_the_release_stage_benchmark_releases_the_replicated_rows(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The default run's million-event figure: a small project's compiled rows, replicated
    to the size asked for, go through the real release code (which the harness swaps in
    for compilation, undone here for the tests that follow)."""
    from sahelevents.release import publish

    monkeypatch.setattr(publish, "compile_events", publish.compile_events)
    project = generate_project(tmp_path / "project", 8)
    found = benchmark_script("run").release_rows(project, 100)
    assert found["events"] == 100 and found["compiled_events"] * found["copies"] >= 100
    assert found["files_mb"]["events.parquet"] >= 0 and "SHA256SUMS" in found["files_mb"]
    assert found["partitions"] >= 1 and set(found["duckdb"]) >= {"count by country and year"}
    assert not (project / "releases").exists()  # the harness cleans up after itself
