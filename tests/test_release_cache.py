"""The compile cache (reused, never stale, damage-proof) and parallel compilation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from release_project import annotation as annotation_file
from release_project import gao_events, make_project, write_annotation

from sahelevents.project import Project
from sahelevents.release import publish
from sahelevents.workspace import Workspace


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_compile_cache_is_reused_and_never_stale(tmp_path: Path) -> None:
    ws = make_project(tmp_path)
    cold = publish.build(ws, version="0.1.0")
    assert cold.release is not None and cold.path is not None
    assert (cold.release.compiled.files_compiled, cold.release.compiled.files_from_cache) == (
        3, 0)
    reference = _tree(cold.path)
    warm = publish.build(Workspace(Project(tmp_path), use_geonames=False), version="0.1.0")
    assert warm.release is not None and warm.path is not None
    assert (warm.release.compiled.files_compiled, warm.release.compiled.files_from_cache) == (
        0, 3)
    assert _tree(warm.path) == reference
    # One file changes: only it is compiled again, and its new values are in the release.
    sha = ws.registry.by_id["gao_attaque"].sha256
    write_annotation(tmp_path, annotation_file("gao_attaque", sha, gao_events(fatalities=4)))
    changed = publish.build(Workspace(Project(tmp_path), use_geonames=False), version="0.1.0")
    assert changed.release is not None
    assert (changed.release.compiled.files_compiled,
            changed.release.compiled.files_from_cache) == (1, 2)
    assert 4 in changed.release.events["fatalities"].to_list()
    # A codebook change invalidates every file (an inter label renamed here).
    codebook = tmp_path / "codebook" / "codebook.yaml"
    codebook.write_text(codebook.read_text(encoding="utf-8").replace(
        "label: Rebel group", "label: Rebel groups"), encoding="utf-8")
    renamed = publish.build(Workspace(Project(tmp_path), use_geonames=False),
                            version="0.1.0", validate=False)
    assert renamed.release is not None
    assert renamed.release.compiled.files_from_cache == 0
    assert "Rebel groups" in renamed.release.events["inter1"].to_list()


def test_a_damaged_cache_costs_time_not_correctness(tmp_path: Path) -> None:
    ws = make_project(tmp_path)
    first = publish.build(ws, version="0.1.0")
    assert first.path is not None
    reference = _tree(first.path)
    for table in (tmp_path / ".sahelevents-cache" / "release" / "current").iterdir():
        table.write_bytes(b"not parquet")
    again = publish.build(Workspace(Project(tmp_path), use_geonames=False), version="0.1.0")
    assert again.release is not None and again.path is not None
    assert again.release.compiled.files_from_cache == 0
    assert _tree(again.path) == reference


def test_parallel_compilation_gives_the_same_release(tmp_path: Path, monkeypatch: Any) -> None:
    from sahelevents.release import compile as compile_module

    ws = make_project(tmp_path)
    serial = publish.assemble(ws, "0.1.0", cache=False)
    monkeypatch.setattr(compile_module, "PARALLEL_MIN_FILES", 1)
    parallel = publish.assemble(ws, "0.1.0", cache=False, jobs=2)
    assert parallel.events.equals(serial.events)
    assert parallel.compiled.sentences.equals(serial.compiled.sentences)
