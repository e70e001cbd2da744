"""Every example file of tests/validator_cases/ gets exactly the (line, code) pairs it declares.

Wording is free to change; codes and locations are the contract.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from validator_project import REPO, SEED, CaseFile, build_project, cases

from sahelevents.issues import Severity, lookup
from sahelevents.project import Project
from sahelevents.validate import validate_paths
from sahelevents.workspace import Workspace
from sahelevents.yamlio import MAX_BYTES

CASES = cases()
EXAMPLE = REPO / "docs" / "examples" / "annotation-example.yaml"


@pytest.fixture(scope="module")
def project_ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return Workspace(Project(build_project(tmp_path_factory.mktemp("project"))))


def _place(ws: Workspace, files: list[CaseFile]) -> None:
    """Make the project's annotations/ hold exactly ``files``."""
    annotations = ws.project.annotations_dir
    shutil.rmtree(annotations)
    annotations.mkdir()
    for case in files:
        target = ws.project.root / case.target
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(case.raw)


@pytest.mark.parametrize("name", sorted(CASES))
def test_case_reports_exactly_the_declared_issues(project_ws: Workspace, name: str) -> None:
    files = CASES[name]
    _place(project_ws, files)
    limit = min((f.max_bytes for f in files if f.max_bytes is not None), default=MAX_BYTES)
    report = validate_paths(project_ws, cache=False, max_bytes=limit)
    expected = set().union(*(f.expected for f in files))
    got = {(i.file, i.line, i.code) for i in report.issues}
    assert got == expected, "\n".join(f"{i.file}:{i.line}:{i.column} {i.code} {i.message}"
                                      for i in report)
    only_warnings = all(lookup(code).severity is Severity.WARNING for _, _, code in got)
    assert report.valid == only_warnings
    assert report.files_checked == len(files)


def test_the_documented_example_is_valid_in_annotations(project_ws: Workspace) -> None:
    _place(project_ws, [])
    shutil.copy(EXAMPLE, project_ws.project.annotations_dir / f"{SEED}.yaml")
    report = validate_paths(project_ws, cache=False)
    assert not report.issues, "\n".join(f"{i.line} {i.code} {i.message}" for i in report)
    assert report.files_checked == 1


def test_a_file_outside_annotations_is_not_held_to_its_name(project_ws: Workspace) -> None:
    _place(project_ws, [])
    report = validate_paths(project_ws, [EXAMPLE], cache=False)
    assert not report.issues
    assert report.files_checked == 1


def test_a_coders_copy_is_held_to_its_name(project_ws: Workspace, tmp_path: Path) -> None:
    _place(project_ws, [])
    copy = project_ws.project.annotations_dir / "coders" / "bob" / "other.yaml"
    copy.parent.mkdir(parents=True)
    shutil.copy(EXAMPLE, copy)
    report = validate_paths(project_ws, cache=False)
    assert [(i.code, i.file) for i in report.issues] == [
        ("P009", "annotations/coders/bob/other.yaml")]
