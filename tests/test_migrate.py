"""`migrate` applies the codebook's renames and changes nothing else."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
from validator_project import SEED, build_project

from sahelevents.issues import DataError
from sahelevents.migrate import migrate_file
from sahelevents.project import Project
from sahelevents.validate import validate_paths
from sahelevents.workspace import Workspace

OLD_FILE = """\
# yaml-language-server: $schema=../schema/annotation.schema.json
# Coded in 2022 under codebook 0.9.0.
source: 002_6e87b541723d2159
source_sha256: 5f8b376c153fcea6816644f248758aff9ad5a7091fc56078f22217f2d3845dfa
codebook_version: 0.9.0   # the version this file was coded with
coders: [ann]
status: coded
events:
- id: e1   # indentless list, as PyYAML writes it
  decision: accepted
  event_date: '2023-09-07'
  time_precision: 1
  event_type: "Remote violence"   # double-quoted
  sub_event_type: Air/drone strike
  actor1: 'JNIM: Jamaah Nusrat al Islam wal Muslimin'
  assoc_actor_1: [Katiba Macina, 'JNIM: Jamaah Nusrat al Islam wal Muslimin']
  actor2: Military Forces of Mali (2021-)
  location: Gao
  geo_precision: 3
  fatalities: 64
  evidence:
  - sentence: 002_6e87b541723d2159#s5
    quote: une soixantaine de morts
- id: e2
  decision: accepted
  event_date: '2023-09-07'
  time_precision: 1
  event_type: Battles
  sub_event_type: Armed clashes
  actor1: 'JNIM: Group for Support of Islam and Muslims'
  actor2: Military Forces of Mali (2021-)
  location: Kidal
  geo_precision: 3
  fatalities: 64
  evidence:
  - sentence: 002_6e87b541723d2159#s5
"""


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return Workspace(Project(build_project(tmp_path_factory.mktemp("migrate"))),
                     use_geonames=False)


def _write(ws: Workspace, text: str) -> Path:
    path = ws.project.annotations_dir / f"{SEED}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _changed_lines(before: str, after: str) -> list[str]:
    return [line for line in difflib.ndiff(before.splitlines(), after.splitlines())
            if line.startswith(("- ", "+ "))]


def test_only_renamed_values_and_the_version_change(ws: Workspace) -> None:
    path = _write(ws, OLD_FILE)
    assert {i.code for i in validate_paths(ws, [path], cache=False).issues} == {"C016"}
    diff = migrate_file(path, ws, dry_run=False)
    after = path.read_text(encoding="utf-8")
    assert _changed_lines(OLD_FILE, after) == [
        "- codebook_version: 0.9.0   # the version this file was coded with",
        "+ codebook_version: 1.0.0   # the version this file was coded with",
        '-   event_type: "Remote violence"   # double-quoted',
        '+   event_type: "Explosions/Remote violence"   # double-quoted',
        "-   actor1: 'JNIM: Jamaah Nusrat al Islam wal Muslimin'",
        "+   actor1: 'JNIM: Group for Support of Islam and Muslims'",
        "-   assoc_actor_1: [Katiba Macina, 'JNIM: Jamaah Nusrat al Islam wal Muslimin']",
        "+   assoc_actor_1: [Katiba Macina, 'JNIM: Group for Support of Islam and Muslims']",
        "-   sub_event_type: Armed clashes",
        "+   sub_event_type: Armed clash",
    ]
    assert diff.startswith(f"--- a/annotations/{SEED}.yaml\n+++ b/annotations/{SEED}.yaml\n")
    assert validate_paths(ws, [path], cache=False).issues == []
    assert migrate_file(path, ws, dry_run=False) == ""  # idempotent


def test_dry_run_writes_nothing(ws: Workspace) -> None:
    path = _write(ws, OLD_FILE)
    assert migrate_file(path, ws, dry_run=True)
    assert path.read_text(encoding="utf-8") == OLD_FILE


def test_an_unusual_scalar_falls_back_to_a_round_trip_that_keeps_comments(
        ws: Workspace) -> None:
    text = OLD_FILE.replace(
        "  actor1: 'JNIM: Jamaah Nusrat al Islam wal Muslimin'\n",
        "  actor1: >-  # folded over two lines\n    JNIM: Jamaah Nusrat al Islam\n"
        "    wal Muslimin\n")
    path = _write(ws, text)
    migrate_file(path, ws, dry_run=False)
    after = path.read_text(encoding="utf-8")
    assert "# Coded in 2022 under codebook 0.9.0." in after
    assert "# indentless list, as PyYAML writes it" in after
    assert "Jamaah" not in after
    assert validate_paths(ws, [path], cache=False).issues == []


def test_a_newer_or_broken_file_is_refused(ws: Workspace) -> None:
    path = _write(ws, OLD_FILE.replace("0.9.0", "9.0.0"))
    with pytest.raises(DataError, match="newer than the codebook"):
        migrate_file(path, ws, dry_run=True)
    path = _write(ws, "source: [unclosed\n")
    with pytest.raises(DataError, match="cannot migrate"):
        migrate_file(path, ws, dry_run=True)


def test_a_current_file_is_left_alone(ws: Workspace) -> None:
    current = OLD_FILE.replace("0.9.0", "1.0.0")
    path = _write(ws, current)
    assert migrate_file(path, ws, dry_run=False) == ""
    assert path.read_text(encoding="utf-8") == current
