"""ruff and mypy run as part of the test suite, so CI and a contributor see the same."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True,
                          text=True, check=False)


@pytest.mark.skipif(shutil.which("ruff") is None and not (Path(sys.executable).parent / "ruff")
                    .exists(), reason="ruff not installed")
def test_ruff_clean() -> None:
    targets = [p for p in ("sahelevents", "tests", "benchmarks") if (ROOT / p).is_dir()]
    result = _run("ruff", "check", *targets)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_clean() -> None:
    result = _run("mypy", "--no-error-summary", "--cache-dir", "/tmp/sahelevents-mypy-cache")
    assert result.returncode == 0, result.stdout + result.stderr
