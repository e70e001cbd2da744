"""The repository's own data: every annotation validates, every generated file is current."""

from __future__ import annotations

from sahelevents.validate import validate_paths
from sahelevents.workspace import Workspace


def test_every_annotation_file_validates(ws: Workspace) -> None:
    report = validate_paths(ws, None, cache=False)
    assert report.files_checked >= 5
    problems = [f"{i.file}:{i.line}:{i.column} {i.code} {i.message}" for i in report.issues]
    assert not problems, "\n".join(problems)


def test_every_seed_has_a_reviewed_annotation_file(ws: Workspace) -> None:
    for meta in ws.registry.data.documents:
        text = (ws.project.annotations_dir / f"{meta.id}.yaml").read_text(encoding="utf-8")
        assert "status: reviewed" in text, meta.id
        assert "decision: suggested" not in text, meta.id
