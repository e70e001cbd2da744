"""``suggest``'s fast paths give what the plain ones give, on a generated corpus.

* worker processes that only compute, with files written behind them by the driver, write
  what one process writing each file in turn writes;
* new annotation files written without ruamel.yaml are byte for byte what ruamel writes.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from generated_corpus import generate_project

from sahelevents import annotate, suggest
from sahelevents.extract.rules import RuleSet, load_rules
from sahelevents.project import Project
from sahelevents.suggest import suggest_documents
from sahelevents.workspace import Workspace


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_project(tmp_path_factory.mktemp("suggest") / "project")


@pytest.fixture(scope="module")
def rules(corpus: Path) -> RuleSet:
    ws = Workspace(Project(corpus))
    return load_rules(ws.project.rules_dir, ws.codebook)


def _new_project(corpus: Path, root: Path) -> Workspace:
    """The corpus's codebook and texts, no annotation file yet."""
    for name in ("codebook", "schema", "seeds"):
        shutil.copytree(corpus / name, root / name)
    (root / "annotations").mkdir()
    return Workspace(Project(root))


def _run(ws: Workspace, rules: RuleSet, *, jobs: int, dry_run: bool = False
         ) -> list[tuple[Any, ...]]:
    # Once a file is written its result holds no text (the files are compared instead); a
    # dry run keeps it, for the diffs.
    return [(o.doc, o.suggestions, o.merge.added, o.merge.skipped, o.merge.created,
             o.merge.display, o.merge.changed, o.merge.written,
             (o.merge.before, o.merge.after) if dry_run else None)
            for o in suggest_documents(ws, None, coder="ada", jobs=jobs, dry_run=dry_run,
                                       rules=rules)]


def _files(ws: Workspace) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(ws.project.annotations_dir.iterdir())}


def test_workers_write_what_one_process_writes(corpus: Path, rules: RuleSet,
                                               tmp_path: Path) -> None:
    one = _new_project(corpus, tmp_path / "one")
    two = _new_project(corpus, tmp_path / "two")
    assert _run(one, rules, jobs=1) == _run(two, rules, jobs=2)
    assert _files(one) == _files(two)
    assert len(_files(one)) == 40
    # Run again: every suggestion is in its file already, nothing changes.
    assert [o[2] for o in _run(two, rules, jobs=2)] == [[]] * 40
    assert _files(one) == _files(two)


def test_merging_into_annotated_files_is_the_same_with_workers(corpus: Path,
                                                               rules: RuleSet) -> None:
    ws = Workspace(Project(corpus))
    assert _run(ws, rules, jobs=1, dry_run=True) == _run(ws, rules, jobs=2, dry_run=True)


def test_new_files_are_those_ruamel_writes(corpus: Path, rules: RuleSet, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    ws = _new_project(corpus, tmp_path / "project")
    fast = _run(ws, rules, jobs=1, dry_run=True)
    monkeypatch.setattr(annotate, "new_file_text", lambda comment, document: None)
    assert _run(ws, rules, jobs=1, dry_run=True) == fast


@pytest.mark.parametrize(("documents", "jobs", "size"), [
    (0, 2, 1), (1, 2, 1), (40, 2, 2), (40, 4, 1), (500, 2, 31), (10_000, 2, 32),
    (10_000, 1, 32)])
def test_documents_go_to_workers_in_chunks_that_keep_them_all_busy(documents: int, jobs: int,
                                                                   size: int) -> None:
    # At least 8 chunks per worker while chunks are small, so that the last ones cannot
    # leave one worker with much more than another; at most 32 documents a chunk.
    assert suggest._chunk_size(documents, jobs) == size
