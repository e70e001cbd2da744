"""The validation cache saves work and never hides an error."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from validator_project import CASES_DIR, SEED, build_project

import sahelevents.validate as validate_module
from sahelevents.cli import cli
from sahelevents.issues import Report
from sahelevents.project import Project
from sahelevents.validate import Companion, check_file, validate_paths
from sahelevents.validate.cache import ValidationCache
from sahelevents.validate.context import CheckContext
from sahelevents.validate.results import FileResult, FileTask
from sahelevents.workspace import Workspace

VALID = CASES_DIR / "valid_minimal.yaml"
D001 = "001_a83d49f01d9bfc40"


def _workspace(root: Path) -> Workspace:
    # Curated places only (the cases use Gao and Kidal): a workspace per test stays cheap.
    return Workspace(Project(root), use_geonames=False)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_project(tmp_path_factory.mktemp("template"))


@pytest.fixture()
def ws(template: Path, tmp_path: Path) -> Iterator[Workspace]:
    shutil.copytree(template, tmp_path / "project")
    project = _workspace(tmp_path / "project")
    shutil.copy(VALID, project.project.annotations_dir / f"{SEED}.yaml")
    yield project


@pytest.fixture()
def computed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files the per-file stages actually ran on (not served from the cache)."""
    seen: list[str] = []

    def counting(ctx: CheckContext, task: FileTask,
                 companion: Companion | None = None) -> FileResult:
        seen.append(task.display)
        return check_file(ctx, task, companion)

    monkeypatch.setattr(validate_module, "check_file", counting)
    return seen


def _codes(report: Report) -> list[str]:
    return sorted(i.code for i in report.issues)


def test_unchanged_inputs_are_not_checked_again(ws: Workspace, computed: list[str]) -> None:
    first = validate_paths(ws)
    assert computed == [f"annotations/{SEED}.yaml"]
    second = validate_paths(ws)
    assert computed == [f"annotations/{SEED}.yaml"]
    assert second.issues == first.issues and second.files_checked == 1


def test_a_changed_file_is_checked_again_and_its_error_shown(ws: Workspace,
                                                             computed: list[str]) -> None:
    target = ws.project.annotations_dir / f"{SEED}.yaml"
    assert validate_paths(ws).valid
    target.write_text(target.read_text(encoding="utf-8").replace("Battles", "Battle"),
                      encoding="utf-8")
    report = validate_paths(ws)
    assert _codes(report) == ["C001"]
    assert len(computed) == 2


@pytest.mark.parametrize("changed", ["codebook/actors.yaml", "codebook/codebook.yaml",
                                     "codebook/places.yaml", "seeds/sources.yaml"])
def test_a_changed_input_invalidates_results(ws: Workspace, computed: list[str],
                                             changed: str) -> None:
    validate_paths(ws)
    path = ws.project.root / changed
    path.write_text(path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    validate_paths(_workspace(ws.project.root))
    expected = 1 if changed == "seeds/sources.yaml" else 2  # sources: its entry is the key
    assert len(computed) == expected


def test_a_changed_registry_entry_invalidates_the_file(ws: Workspace) -> None:
    assert validate_paths(ws).valid
    registry = ws.project.registry_file
    text = registry.read_text(encoding="utf-8")
    registry.write_text(text.replace("published: '2023-09-01'", "published: '2023-08-01'", 1),
                        encoding="utf-8")
    report = validate_paths(_workspace(ws.project.root))
    assert _codes(report) == ["C009"]


def test_a_changed_source_text_is_reported(ws: Workspace) -> None:
    assert validate_paths(ws).valid
    text = ws.project.seeds_dir / f"{SEED}.txt"
    text.write_text("Nouveau texte.\n" + text.read_text(encoding="utf-8"), encoding="utf-8")
    report = validate_paths(_workspace(ws.project.root))
    assert "P002" in _codes(report) and "R001" in _codes(report)


def _validate_with_one_error(ws: Workspace) -> None:
    """Give the seed's annotation file one error (C001) and validate: the cache now holds it."""
    target = ws.project.annotations_dir / f"{SEED}.yaml"
    target.write_text(target.read_text(encoding="utf-8").replace("Battles", "Battle"),
                      encoding="utf-8")
    assert _codes(validate_paths(ws)) == ["C001"]


def test_a_corrupt_cache_is_ignored(ws: Workspace, computed: list[str]) -> None:
    _validate_with_one_error(ws)
    database = ValidationCache(ws.project.root).path
    database.write_bytes(b"this is not a database" * 100)
    for suffix in ("-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    assert _codes(validate_paths(ws)) == ["C001"]
    assert len(computed) == 2


def test_a_tampered_entry_is_ignored(ws: Workspace, computed: list[str]) -> None:
    _validate_with_one_error(ws)
    store = ValidationCache(ws.project.root)
    connection = sqlite3.connect(store.path)
    with connection:  # drop the issue from the stored result, keep the old checksum
        connection.execute(f"UPDATE {store.TABLE} SET data = replace(data, 'C001', 'C000') "
                           "WHERE key LIKE 'r:%' OR key LIKE 'snapshot%'")
    connection.close()
    assert _codes(validate_paths(ws)) == ["C001"]
    assert len(computed) == 2


def test_a_tampered_or_foreign_marshalled_entry_is_ignored(
        ws: Workspace, computed: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import sahelevents.validate.cache as cache_module

    monkeypatch.setattr(cache_module, "_MIN_LOOSE", 0)  # every run writes a snapshot
    _validate_with_one_error(ws)
    store = ValidationCache(ws.project.root)
    connection = sqlite3.connect(store.path)
    (blob,) = connection.execute(f"SELECT data FROM {store.TABLE} WHERE key = 'snapshot:0'"
                                 ).fetchone()
    assert isinstance(blob, bytes) and b"C001" in blob  # marshalled, the issue inside
    with connection:  # the issue changed in the bytes, the old checksum kept
        connection.execute(f"UPDATE {store.TABLE} SET data = ? WHERE key = 'snapshot:0'",
                           (blob.replace(b"C001", b"C000"),))
    assert _codes(validate_paths(ws)) == ["C001"]
    assert len(computed) == 2
    # Written by another Python (its checksum salt differs): recomputed, not misread.
    with connection:
        connection.execute(f"UPDATE {store.TABLE} SET checksum = ? WHERE key = 'snapshot:0'",
                           (cache_checksum_of_other_python("snapshot:0", blob),))
    connection.close()
    assert _codes(validate_paths(ws)) == ["C001"]
    assert len(computed) == 3


def cache_checksum_of_other_python(key: str, blob: bytes) -> str:
    import sahelevents.validate.cache as cache_module

    digest = hashlib.sha256(f"{cache_module.FORMAT}\0marshal 4 python 2.7\0{key}\0".encode())
    digest.update(blob)
    return digest.hexdigest()


def test_no_cache_writes_nothing(ws: Workspace) -> None:
    validate_paths(Workspace(ws.project, use_geonames=False, use_cache=False), cache=False)
    assert not ws.project.cache_dir.exists()
    result = CliRunner().invoke(cli, ["--root", str(ws.project.root), "validate", "--no-cache"])
    assert result.exit_code == 0, result.output
    assert not ws.project.cache_dir.exists()
    validate_paths(ws)
    assert ws.project.cache_dir.exists()


def test_cross_file_checks_run_even_when_every_file_is_cached(ws: Workspace,
                                                              computed: list[str]) -> None:
    folder = CASES_DIR / "X004_probable_duplicate"
    shutil.rmtree(ws.project.annotations_dir)
    ws.project.annotations_dir.mkdir()
    for name in ("a.yaml", "b.yaml"):
        text = (folder / name).read_text(encoding="utf-8")
        doc = D001 if name == "a.yaml" else "004_487faec90e07874a"
        (ws.project.annotations_dir / f"{doc}.yaml").write_text(text, encoding="utf-8")
    assert _codes(validate_paths(ws)) == ["X004"]
    assert _codes(validate_paths(ws)) == ["X004"]
    assert len(computed) == 2
    # Asked for one file only: the other is still read (its summary) to find the duplicate.
    one = validate_paths(ws, [ws.project.annotations_dir / "004_487faec90e07874a.yaml"])
    assert _codes(one) == ["X004"] and one.files_checked == 1
    other = validate_paths(ws, [ws.project.annotations_dir / f"{D001}.yaml"])
    assert _codes(other) == []


def _coder_copies(ws: Workspace, count: int, broken_every: int) -> str:
    """``count`` coders' copies of the valid annotation file, one in ``broken_every`` with an
    unknown event type (C001); returns the valid text."""
    text = VALID.read_text(encoding="utf-8")
    for number in range(count):
        variant = text.replace("Battles", "Battle") if number % broken_every == 0 else text
        coder = ws.project.annotations_dir / "coders" / f"c{number:02d}" / f"{SEED}.yaml"
        coder.parent.mkdir(parents=True)
        coder.write_text(variant, encoding="utf-8")
    return text


def test_worker_processes_give_the_same_report(ws: Workspace) -> None:
    _coder_copies(ws, 20, broken_every=5)
    serial = validate_paths(ws, cache=False, jobs=1)
    parallel = validate_paths(ws, cache=False, jobs=2)
    assert list(parallel) == list(serial)
    assert _codes(serial) == ["C001"] * 4
    assert serial.files_checked == 21


@pytest.mark.parametrize("jobs", [1, 2])
def test_entries_written_during_the_run_serve_the_next_one(
        ws: Workspace, computed: list[str], monkeypatch: pytest.MonkeyPatch, jobs: int) -> None:
    """A long run writes its segmentations as it goes (not all at its end); what it wrote
    serves the next run like a single write would."""
    text = _coder_copies(ws, 20, broken_every=5)
    monkeypatch.setattr(validate_module, "_PENDING_LIMIT", 1)
    monkeypatch.setattr(validate_module, "_MIN_FILES_PER_WORKER", 1)
    writes: list[list[str]] = []
    original = ValidationCache.write

    def recording(self: ValidationCache, items: dict[str, object]) -> None:
        writes.append(sorted(items))
        original(self, items)

    monkeypatch.setattr(ValidationCache, "write", recording)
    first = validate_paths(ws, jobs=jobs)
    assert len(writes) >= 2 and any(k.startswith("s:") for k in writes[-2])
    if jobs > 1:  # the registry's entry, made before the workers fork, is written then
        assert [k[:2] for k in writes[0]] == ["g:"]
    assert _codes(first) == ["C001"] * 4
    # One file changes: checked again (in this process), its document's sentences come
    # from the entry written during the first run.
    primary = ws.project.annotations_dir / f"{SEED}.yaml"
    primary.write_text(text + "# edited\n", encoding="utf-8")
    segmented: list[str] = []
    monkeypatch.setattr("sahelevents.validate.cache.segment",
                        lambda doc, body: segmented.append(doc) or [])
    checked_before = len(computed)
    again = validate_paths(_workspace(ws.project.root), jobs=jobs)
    assert list(again) == list(first)
    assert len(computed) == checked_before + 1 and segmented == []


def test_workers_take_bounded_tasks_and_report_in_order(
        ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """Large runs go to the workers in tasks of a bounded size (a task's results travel in
    one message); however the files are cut up, the report is the same, in file order."""
    assert validate_module._task_size(40, 2) == 2  # eight tasks per worker
    assert validate_module._task_size(3, 2) == 1
    assert validate_module._task_size(217_391, 2) == validate_module._MAX_FILES_PER_TASK
    _coder_copies(ws, 12, broken_every=3)
    alone = validate_paths(_workspace(ws.project.root), jobs=1, cache=False)
    monkeypatch.setattr(validate_module, "_MIN_FILES_PER_WORKER", 1)
    monkeypatch.setattr(validate_module, "_MAX_FILES_PER_TASK", 1)
    shared = validate_paths(_workspace(ws.project.root), jobs=2, cache=False)
    assert list(shared) == list(alone) and _codes(alone) == ["C001"] * 4


def _stored_keys(store: ValidationCache) -> list[str]:
    connection = sqlite3.connect(store.path)
    try:
        return sorted(str(key) for (key,) in connection.execute(f"SELECT key FROM {store.TABLE}"))
    finally:
        connection.close()


def test_results_of_files_changed_since_the_snapshot_are_kept_apart_then_folded_in(
        ws: Workspace, computed: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import sahelevents.validate.cache as cache_module

    monkeypatch.setattr(cache_module, "_MIN_LOOSE", 1)
    first, second = (ws.project.annotations_dir / name for name in (f"{SEED}.yaml",
                                                                     f"{D001}.yaml"))
    shutil.copy(CASES_DIR / "valid_minimal.yaml", second)
    second.write_text(second.read_text(encoding="utf-8").replace(SEED, D001), encoding="utf-8")
    store = ValidationCache(ws.project.root)
    before = _codes(validate_paths(ws))  # 2 fresh results > 1: a snapshot, nothing loose
    assert not [k for k in _stored_keys(store) if k.startswith("r:")]
    first.write_text(first.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    assert _codes(validate_paths(ws)) == before  # 1 fresh result: a loose row
    assert len([k for k in _stored_keys(store) if k.startswith("r:")]) == 1
    checked = len(computed)
    assert _codes(validate_paths(ws)) == before  # read back from the loose row
    assert len(computed) == checked
    second.write_text(second.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    assert _codes(validate_paths(ws)) == before  # 1 loose + 1 fresh > 1: a new snapshot
    assert len(computed) == checked + 1
    assert not [k for k in _stored_keys(store) if k.startswith("r:")]
    assert _codes(validate_paths(ws)) == before
    assert len(computed) == checked + 1


def test_a_run_closes_its_connection_and_a_closed_cache_reopens(
        ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """Its page cache and statements are not left for the collector to find; a later use
    opens a new connection."""
    made: list[ValidationCache] = []
    original = ValidationCache.__init__

    def recording(self: ValidationCache, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)  # type: ignore[arg-type]
        made.append(self)

    monkeypatch.setattr(ValidationCache, "__init__", recording)
    assert validate_paths(ws).valid
    assert made and all(store._connection is None for store in made)
    store = made[0]
    assert store.read(_stored_keys(store)) and store._connection is not None
    store.close()
    assert store._connection is None


def test_a_snapshot_is_written_in_parts_and_a_part_of_another_snapshot_is_not_read(
        ws: Workspace, computed: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import sahelevents.validate.cache as cache_module

    monkeypatch.setattr(cache_module, "_MIN_LOOSE", 0)  # every run writes a snapshot
    monkeypatch.setattr(cache_module, "_SNAPSHOT_PART", 1)  # of one result per part
    seed = ws.project.annotations_dir / f"{SEED}.yaml"
    for doc in (D001, "004_487faec90e07874a"):
        (ws.project.annotations_dir / f"{doc}.yaml").write_text(
            seed.read_text(encoding="utf-8").replace(SEED, doc), encoding="utf-8")
    store = ValidationCache(ws.project.root)
    before = _codes(validate_paths(ws))
    parts = ["snapshot", "snapshot:0", "snapshot:1", "snapshot:2"]
    assert [k for k in _stored_keys(store) if k.startswith("snapshot")] == parts
    assert len(computed) == 3
    assert _codes(validate_paths(ws)) == before and len(computed) == 3  # every part read
    connection = sqlite3.connect(store.path)
    old_parts = connection.execute(f"SELECT key, checksum, data FROM {store.TABLE} "
                                   "WHERE key LIKE 'snapshot:%'").fetchall()
    seed.write_text(seed.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    assert _codes(validate_paths(ws)) == before and len(computed) == 4  # a new snapshot
    with connection:  # the old snapshot's parts put back: intact, but not of this head
        connection.executemany(f"INSERT OR REPLACE INTO {store.TABLE} VALUES (?, ?, ?)",
                               old_parts)
    connection.close()
    assert _codes(validate_paths(ws)) == before and len(computed) == 7  # none of them read
    # A smaller snapshot leaves no part of the larger one behind.
    for doc in (D001, "004_487faec90e07874a"):
        (ws.project.annotations_dir / f"{doc}.yaml").unlink()
    seed.write_text(seed.read_text(encoding="utf-8") + "# edited again\n", encoding="utf-8")
    validate_paths(ws)
    assert [k for k in _stored_keys(store) if k.startswith("snapshot")] == parts[:2]


def test_the_digests_are_written_in_parts_and_read_back_whole(
        ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    import sahelevents.validate.cache as cache_module
    from sahelevents.validate.cache import Digests

    monkeypatch.setattr(cache_module, "_DIGESTS_PART", 2)  # of two files per part
    # Files changed in the last two seconds are not recorded (the next write could keep
    # their stat signature): here every file was just copied.
    monkeypatch.setattr(cache_module, "_RACY_NS", -10**12)
    seed = ws.project.annotations_dir / f"{SEED}.yaml"
    for doc in (D001, "004_487faec90e07874a"):
        (ws.project.annotations_dir / f"{doc}.yaml").write_text(
            seed.read_text(encoding="utf-8").replace(SEED, doc), encoding="utf-8")
    validate_paths(ws)
    store = ValidationCache(ws.project.root)
    digests = Digests(store, ws.project.root)
    annotations = sorted(str(p) for p in ws.project.annotations_dir.glob("*.yaml"))
    assert len(annotations) == 3 and set(annotations) <= set(digests.known)
    parts = [k for k in _stored_keys(store) if k.startswith(digests.key)]
    count = (len(digests.known) + 1) // 2
    assert parts == sorted([digests.key] + [f"{digests.key}:{n}" for n in range(count)])
    for path in annotations:  # read back, each file's digest is its content's
        assert digests.known[path][4] == hashlib.sha256(Path(path).read_bytes()).hexdigest()
    # A smaller set of files leaves no part of the larger one behind.
    for path in annotations[1:]:
        Path(path).unlink()
    digests.known = {path: digests.known[path] for path in annotations[:1]}
    digests.changed = True
    digests.save()
    assert [k for k in _stored_keys(store) if k.startswith(digests.key)] == [
        digests.key, f"{digests.key}:0"]
    assert list(Digests(store, ws.project.root).known) == annotations[:1]
    store.close()
