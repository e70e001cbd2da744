"""The benchmark harness keeps every recorded run's figures."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


def _harness() -> ModuleType:
    name = "benchmarks_run"
    if name not in sys.modules:
        sys.path.insert(0, str(ROOT / "benchmarks"))  # run.py imports its sibling generate.py
        spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / "run.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def test_a_second_run_on_the_same_day_gets_its_own_results_file(tmp_path: Path) -> None:
    unused_path = _harness().unused_path
    first = tmp_path / "2026-12-04-2cpu.json"
    assert unused_path(first) == first
    first.write_text("{}")
    second = unused_path(first)
    assert second.name == "2026-12-04-2cpu-2.json"
    second.write_text("{}")
    assert unused_path(first).name == "2026-12-04-2cpu-3.json"
