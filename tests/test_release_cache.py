"""The compile cache (reused, never stale, damage-proof) and parallel compilation."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import polars as pl
import pytest
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


def test_the_registry_read_from_the_validation_cache_is_the_parsed_one(tmp_path: Path) -> None:
    """A release after the first takes the registry from the validator's cache (whole
    dumps: every field set), its documents sharing one set of field names: the same
    documents as parsing the file gives."""
    from sahelevents.models import SourceDocument

    ws = make_project(tmp_path)
    assert publish.build(ws, version="0.1.0").path is not None  # fills the cache
    parsed = ws.registry.by_id
    cached = Workspace(Project(tmp_path), use_geonames=False)
    publish._prime_registry(cached)
    assert "registry" in vars(cached)  # provided, not parsed
    documents = cached.registry.by_id
    assert documents == parsed and len(documents) > 1
    every_field = set(SourceDocument.model_fields)
    for name, document in documents.items():
        assert document.model_dump_json() == parsed[name].model_dump_json()
        assert document.model_fields_set == every_field
    assert len({id(d.model_fields_set) for d in documents.values()}) == 1
    first = next(iter(documents.values()))
    first.title = "Titre corrigé"  # assignment leaves the other documents alone
    assert all(d.model_fields_set == every_field for d in documents.values())
    assert sum(d.title == "Titre corrigé" for d in documents.values()) == 1


def test_a_damaged_cache_costs_time_not_correctness(tmp_path: Path) -> None:
    ws = make_project(tmp_path)
    first = publish.build(ws, version="0.1.0")
    assert first.path is not None
    reference = _tree(first.path)
    tables = sorted((tmp_path / ".sahelevents-cache" / "release" / "current").iterdir())
    assert [t.name for t in tables] == ["files.arrow", "members.arrow", "sentences.arrow"]
    for damage in (lambda data: b"not a table", lambda data: data[:len(data) // 2]):
        for table in tables:
            table.write_bytes(damage(table.read_bytes()))
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


def test_rows_compiled_by_workers_serve_the_next_release(tmp_path: Path,
                                                       monkeypatch: Any) -> None:
    """Worker processes key their rows as compile_files looks them up."""
    from sahelevents.release import compile as compile_module

    ws = make_project(tmp_path)
    monkeypatch.setattr(compile_module, "PARALLEL_MIN_FILES", 1)
    first = publish.assemble(ws, "0.1.0", jobs=2)
    assert (first.compiled.files_compiled, first.compiled.files_from_cache) == (3, 0)
    again = publish.assemble(Workspace(Project(tmp_path), use_geonames=False), "0.1.0", jobs=2)
    assert (again.compiled.files_compiled, again.compiled.files_from_cache) == (0, 3)
    assert again.events.equals(first.events)


def test_rows_are_keyed_by_the_bytes_compiled(tmp_path: Path) -> None:
    """A file edited after its key was planned leaves no rows under that key."""
    from sahelevents.release.cache import content_digest, context_key, file_key
    from sahelevents.release.compile import _compile_batch

    ws = make_project(tmp_path)
    path = tmp_path / "annotations" / "gao_attaque.yaml"
    meta = ws.registry.by_id["gao_attaque"]
    entry, context = meta.model_dump_json(), context_key(ws)
    planned = file_key(context, entry, content_digest(path.read_bytes()))
    write_annotation(tmp_path, annotation_file("gao_attaque", meta.sha256,
                                               gao_events(fatalities=4)))
    files = _compile_batch(ws, None, context, [(path, entry)])[1]
    assert files["__file"].to_list() == [
        file_key(context, entry, content_digest(path.read_bytes()))]
    assert planned not in files["__file"].to_list()


def _no_second_compilation(monkeypatch: Any) -> list[int]:
    """Files compiled after validation (the companion should have compiled them all)."""
    from sahelevents.release import compile as compile_module

    compiled_after: list[int] = []
    original = compile_module._compile_files

    def counting(ws: Workspace, loader: Any, context: str | None, work: list[Any],
                 jobs: int) -> Any:
        compiled_after.append(len(work))
        return original(ws, loader, context, work, jobs)

    monkeypatch.setattr(compile_module, "_compile_files", counting)
    return compiled_after


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_cold_build_parses_each_file_once(tmp_path: Path, monkeypatch: Any,
                                            jobs: int) -> None:
    """Validation compiles the rows of each file it parses (in its workers with jobs > 1):
    the release then compiles nothing again, and its files are those of a release compiled
    apart from validation."""
    from sahelevents import validate as validate_module

    ws = make_project(tmp_path)
    reference = publish.assemble(ws, "0.1.0", cache=False)
    monkeypatch.setattr(validate_module, "_MIN_FILES_PER_WORKER", 1)  # workers for 3 files
    compiled_after = _no_second_compilation(monkeypatch)
    cold = publish.build(Workspace(Project(tmp_path), use_geonames=False), version="0.1.0",
                         jobs=jobs)
    assert cold.release is not None and cold.path is not None
    assert compiled_after == []
    assert (cold.release.compiled.files_compiled, cold.release.compiled.files_from_cache) == (
        3, 0)
    assert cold.release.events.drop("timestamp").equals(reference.events.drop("timestamp"))
    assert cold.release.compiled.sentences.equals(reference.compiled.sentences)
    # What was compiled alongside filled the compile cache: the next build reuses it all.
    warm = publish.build(Workspace(Project(tmp_path), use_geonames=False), version="0.1.0")
    assert warm.release is not None and warm.path is not None
    assert (warm.release.compiled.files_compiled, warm.release.compiled.files_from_cache) == (
        0, 3)
    assert _tree(warm.path) == _tree(cold.path)


def test_spawned_validation_workers_compile_alongside_too(tmp_path: Path,
                                                         monkeypatch: Any) -> None:
    """Where workers are spawned, not forked (macOS, Windows), the companion is pickled to
    them and their rows come back the same."""
    import multiprocessing

    from sahelevents import validate as validate_module

    ws = make_project(tmp_path)
    reference = publish.assemble(ws, "0.1.0", cache=False)
    monkeypatch.setattr(validate_module, "_MIN_FILES_PER_WORKER", 1)
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    methods: list[str | None] = []
    get_context = multiprocessing.get_context

    def recording(method: str | None = None) -> Any:
        methods.append(method)
        return get_context(method)

    monkeypatch.setattr(multiprocessing, "get_context", recording)
    compiled_after = _no_second_compilation(monkeypatch)
    cold = publish.build(Workspace(Project(tmp_path), use_geonames=False), version="0.1.0",
                         jobs=2)
    assert cold.release is not None and compiled_after == []
    assert methods == ["spawn"]
    assert cold.release.events.drop("timestamp").equals(reference.events.drop("timestamp"))


def test_rows_compiled_alongside_are_never_stale(tmp_path: Path, monkeypatch: Any) -> None:
    """Rows keyed by the bytes validation parsed are not used once the file has changed."""
    from sahelevents.release.compile import CompileAlongside, compile_events

    ws = make_project(tmp_path)
    alongside = CompileAlongside(ws)
    report = publish.validate_project(ws, companion=alongside)
    assert report.valid
    sha = ws.registry.by_id["gao_attaque"].sha256
    write_annotation(tmp_path, annotation_file("gao_attaque", sha, gao_events(fatalities=4)))
    compiled_after = _no_second_compilation(monkeypatch)
    compiled = compile_events(ws, precompiled=alongside)
    assert 4 in compiled.events["fatalities"].to_list()
    assert 15 not in compiled.events.filter(
        pl.col("source_ids").list.contains("gao_attaque"))["fatalities"].to_list()
    assert compiled.files_compiled == 3
    assert compiled_after == [1]  # two from the early rows, one compiled now


def test_a_file_with_errors_is_not_compiled_alongside(tmp_path: Path) -> None:
    from sahelevents.release.compile import CompileAlongside

    ws = make_project(tmp_path)
    sha = ws.registry.by_id["gao_attaque"].sha256
    events = gao_events()
    events[0]["event_type"] = "Not a type"
    write_annotation(tmp_path, annotation_file("gao_attaque", sha, events))
    alongside = CompileAlongside(ws)
    report = publish.validate_project(ws, companion=alongside)
    assert not report.valid
    tables = alongside.take()
    assert tables is not None
    assert sorted(tables[1]["doc"].to_list()) == sorted(
        p.stem for p in (tmp_path / "annotations").glob("*.yaml") if p.stem != "gao_attaque")
    assert alongside.take() is None  # handed over once: the companion keeps no rows


def test_the_companion_sent_to_spawned_workers_carries_no_rows(tmp_path: Path) -> None:
    from sahelevents.release.compile import CompileAlongside

    ws = make_project(tmp_path)
    alongside = CompileAlongside(ws)
    publish.validate_project(ws, companion=alongside)
    copy = pickle.loads(pickle.dumps(alongside))
    assert copy.context == alongside.context
    assert copy.take() is None


def test_batches_extended_file_by_file_equal_one_batch(tmp_path: Path) -> None:
    from sahelevents.release.members import FileCompiler, MemberBatch

    ws = make_project(tmp_path)
    compiler = FileCompiler(ws)
    whole, pieces = MemberBatch(), MemberBatch()
    for path in sorted((tmp_path / "annotations").glob("*.yaml")):
        compiler.compile_file(path, path.stem, whole)
        one = MemberBatch()
        compiler.compile_file(path, path.stem, one)
        pieces.extend(one)
    for mine, theirs in zip(whole.frames(), pieces.frames(), strict=True):
        assert mine.equals(theirs)


def test_frames_are_rebuilt_column_by_column_from_a_frame_handed_over() -> None:
    from sahelevents.release.compile import rebuilt

    frame = pl.DataFrame({
        "id": ["c", "a", "b", "d"],
        "count": [3, 1, 2, 4],
        "spans": [[{"start": 3, "end": 4}], [], [{"start": 1, "end": 2}], None],
    })
    order = frame.select(pl.arg_sort_by("id")).to_series()
    keep = pl.Series([True, False, True, True])
    expected_sorted, expected_kept = frame.sort("id"), frame.filter(keep)
    held = [frame.clone()]
    assert rebuilt(held, lambda column: column.gather(order)).equals(expected_sorted)
    assert held == []  # handed over: nothing of the original is left with the caller
    held = [frame.clone()]
    assert rebuilt(held, lambda column: column.filter(keep)).equals(expected_kept)
    assert rebuilt([frame.clear()], lambda column: column.filter(pl.Series([], dtype=pl.Boolean))
                   ).schema == frame.schema


def test_a_frame_whose_columns_are_chunked_apart_is_rebuilt_without_lining_them_up() -> None:
    from sahelevents.release.compile import columns_of, rebuilt

    frame = pl.concat([pl.DataFrame({"id": [f"e{i}", f"f{i}"], "count": [i, i + 1],
                                     "note": ["x", None]}) for i in range(3)], rechunk=False)
    frame = frame.with_columns(frame.get_column("note").rechunk())  # one column in one chunk
    assert frame.n_chunks("all") == [3, 3, 1]
    # Dropping a column from such a frame copies the others into one chunk each.
    same = rebuilt([frame.clone()], lambda column: column)
    assert same.equals(frame) and same.n_chunks("all") == [3, 3, 1]
    # So does select, even of columns cut alike.
    picked = columns_of(frame, ["note", "id"])
    assert picked.equals(frame.select("note", "id")) and picked.n_chunks("all") == [1, 3]


def test_event_columns_are_cut_into_the_row_groups_of_events_parquet(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pyarrow.parquet as pq

    from sahelevents.release import tables

    monkeypatch.setattr(tables, "ROW_GROUP_ROWS", 2)
    frame = pl.DataFrame({
        "id": ["c", "a", "e", "b", "d"],
        "evidence": [[{"quote": "c", "start": 3}], [], [{"quote": "e", "start": 5}] * 2,
                     [{"quote": "b", "start": 2}], None],
    })
    order = frame.select(pl.arg_sort_by("id")).to_series()
    cut = pl.DataFrame([tables.in_row_groups(column, order) for column in frame.iter_columns()])
    assert cut.equals(frame.sort("id")) and cut.n_chunks("all") == [3, 3]
    again = pl.DataFrame([tables.in_row_groups(column) for column in frame.iter_columns()])
    assert again.equals(frame) and again.n_chunks("all") == [3, 3]
    tables.write_parquet(cut, tmp_path / "events.parquet")
    metadata = pq.ParquetFile(tmp_path / "events.parquet").metadata
    assert [metadata.row_group(i).num_rows for i in range(metadata.num_row_groups)] == [2, 2, 1]
    assert pl.read_parquet(tmp_path / "events.parquet").equals(cut)
    short = frame.get_column("id").head(2)
    assert tables.in_row_groups(short) is short  # one group: nothing to cut
