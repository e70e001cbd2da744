"""The committed release of the seed corpus is reproducible and loads everywhere."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest

import sahelevents
from sahelevents.release.publish import check_release
from sahelevents.workspace import Workspace

VERSION = "0.1.0"


def test_rebuilding_the_published_release_gives_identical_bytes(ws: Workspace) -> None:
    assert check_release(ws, VERSION) == [], (
        "releases/0.1.0 no longer rebuilds byte for byte from the repository")


def test_checksums_match(root: Path) -> None:
    folder = root / "releases" / VERSION
    lines = (folder / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    assert lines
    for line in lines:
        digest, name = line.split("  ", 1)
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name


def test_release_loads_in_polars_pandas_and_duckdb(root: Path) -> None:
    folder = root / "releases" / VERSION
    frame = sahelevents.load_release(folder)
    by_pandas = pd.read_csv(folder / "events.csv")
    by_duckdb = duckdb.sql(f"select event_id_cnty from read_parquet('{folder}/events.parquet')"
                           ).fetchall()
    ids = sorted(frame["event_id_cnty"].to_list())
    assert ids == sorted(by_pandas["event_id_cnty"]) == sorted(r[0] for r in by_duckdb)
    assert ids == ["MLI1"]
    row = frame.row(0, named=True)
    assert (str(row["event_date"]), row["sub_event_type"], row["location"]) == (
        "2025-10-26", "Air/drone strike", "Kolondieba")


def test_the_readme_loading_snippet_runs(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    readme = (root / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Using a release", 1)[1].split("\n## ", 1)[0]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    assert code is not None
    monkeypatch.chdir(root)
    exec(compile(code.group(1), "README.md", "exec"), {})
