"""The benchmark harness keeps every recorded run's figures."""

from __future__ import annotations

from pathlib import Path

from generated_corpus import benchmark_script


def test_a_second_run_on_the_same_day_gets_its_own_results_file(tmp_path: Path) -> None:
    unused_path = benchmark_script("run").unused_path
    first = tmp_path / "2026-12-04-2cpu.json"
    assert unused_path(first) == first
    first.write_text("{}")
    second = unused_path(first)
    assert second.name == "2026-12-04-2cpu-2.json"
    second.write_text("{}")
    assert unused_path(first).name == "2026-12-04-2cpu-3.json"
