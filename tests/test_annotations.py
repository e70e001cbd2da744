"""The annotation-file helpers: layout, header, schema comment and lenient loading."""

from __future__ import annotations

from pathlib import Path

import pytest
from validator_project import CASES_DIR, SEED, build_project

from sahelevents.annotations import (
    SCHEMA_COMMENT,
    annotation_paths,
    coder_path,
    is_primary,
    load_annotation,
    new_annotation_header,
    primary_path,
    schema_comment_for,
)
from sahelevents.issues import UserError
from sahelevents.models import AnnotationFile
from sahelevents.project import Project
from sahelevents.workspace import Workspace


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return Workspace(Project(build_project(tmp_path_factory.mktemp("ann"))), use_geonames=False)


def test_layout_and_schema_comments(ws: Workspace) -> None:
    primary, copy = primary_path(ws, SEED), coder_path(ws, "fatou", SEED)
    assert is_primary(ws, primary) and not is_primary(ws, copy)
    assert not is_primary(ws, CASES_DIR / "valid_minimal.yaml")
    assert schema_comment_for(ws, primary) == SCHEMA_COMMENT
    assert schema_comment_for(ws, copy) == (
        "# yaml-language-server: $schema=../../../schema/annotation.schema.json")


def test_new_header_is_a_valid_file(ws: Workspace) -> None:
    header = new_annotation_header(ws, SEED, ["ann"])
    model = AnnotationFile.model_validate(header)
    assert model.source_sha256 == ws.registry.by_id[SEED].sha256
    assert model.codebook_version == ws.codebook.version and model.status == "draft"
    with pytest.raises(UserError):
        new_annotation_header(ws, "nope", ["ann"])
    with pytest.raises(UserError):
        new_annotation_header(ws, SEED, [])


def test_folders_expand_to_yaml_files_once(ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    for name in ("a.yaml", "sub/b.yaml", "notes.md"):
        (tmp_path / name).write_text("x: 1\n", encoding="utf-8")
    found = annotation_paths(ws, [tmp_path, tmp_path / "a.yaml"])
    assert sorted(p.name for p in found) == ["a.yaml", "b.yaml"]
    with pytest.raises(UserError, match="no such file"):
        annotation_paths(ws, [tmp_path / "missing.yaml"])


def test_one_bad_event_does_not_hide_the_others(ws: Workspace, tmp_path: Path) -> None:
    text = (CASES_DIR / "valid_minimal.yaml").read_text(encoding="utf-8")
    events = text[text.index("  - id: e1"):]
    broken = (text + events.replace("id: e1", "id: e2").replace("decision: accepted",
                                                                "decision: maybe")
              + events.replace("id: e1", "id: e3").replace("fatalities: 64",
                                                           "fatalities: many"))
    path = tmp_path / f"{SEED}.yaml"
    path.write_text(broken, encoding="utf-8")
    loaded = load_annotation(path, ws)
    assert loaded.model is None
    assert [index for index, _ in loaded.events] == [0, 2]  # e2 has no valid decision
    assert loaded.dropped == {2: frozenset({"fatalities"})}
    assert loaded.source == SEED and loaded.codebook_version == "1.0.0"
    assert sorted(i.code for i in loaded.issues) == ["S003", "S004"]
