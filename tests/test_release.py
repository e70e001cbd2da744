"""Releases of a small project: content, provenance, determinism, safety and the CLI."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from release_project import HOSTILE_NOTES, gao_events, make_project, write_annotation
from release_project import annotation as annotation_file

from sahelevents.cli import cli
from sahelevents.issues import DataError, UserError
from sahelevents.models import ACLED_COLUMNS, EventRecord
from sahelevents.project import Project
from sahelevents.release import publish, tables
from sahelevents.release.load import load_release
from sahelevents.release.tables import frame_records
from sahelevents.workspace import Workspace

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, Path]:
    ws = make_project(tmp_path_factory.mktemp("project"))
    outcome = publish.build(ws, version="0.1.0")
    assert outcome.ok, [i.message for i in outcome.report.errors]
    assert outcome.path is not None
    return ws, outcome.path


def _events(folder: Path) -> dict[str, dict[str, Any]]:
    lines = (folder / "events.jsonl").read_text(encoding="utf-8").splitlines()
    return {row["event_id_cnty"]: row for row in map(json.loads, lines)}


# -- Content --------------------------------------------------------------------------------


def test_release_holds_every_file(built: tuple[Workspace, Path]) -> None:
    _, folder = built
    names = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert {"events.csv", "events.jsonl", "events.parquet", "sources.csv", "sentences.jsonl",
            "event-ids.csv", "datapackage.json", "SHA256SUMS", "CHANGELOG.md", "README.md",
            "CITATION.cff", "codebook/codebook.yaml", "codebook/actors.yaml",
            "codebook/places.yaml", "schema/annotation.schema.json"} <= names


def test_csv_has_acled_columns_then_provenance_lf_no_bom(built: tuple[Workspace, Path]) -> None:
    _, folder = built
    raw = (folder / "events.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" not in raw
    header = raw.split(b"\n", 1)[0].decode().split(",")
    assert header == [*ACLED_COLUMNS, "source_ids", "sentence_ids", "evidence_quotes"]


def test_linked_reports_are_one_row_and_coders_copies_are_not_compiled(
        built: tuple[Workspace, Path]) -> None:
    _, folder = built
    events = _events(folder)
    assert len(events) == 3  # gao_attaque#e1 + gao_suite#e1 merged; kidal once (not bob's)
    gao = next(e for e in events.values() if "gao_attaque#e1" in e["annotation_refs"])
    assert gao["annotation_refs"] == ["gao_attaque#e1", "gao_suite#e1"]
    assert gao["source_ids"] == ["gao_attaque", "gao_suite"]
    assert gao["source"] == "Le Sahélien; Radio Kayira"
    assert gao["source_scale"] == "National-Subnational"
    assert gao["fatalities"] == 12  # the lower of the two reports
    assert {e["doc"] for e in gao["evidence"]} == {"gao_attaque", "gao_suite"}
    kidal = next(e for e in events.values() if e["location"] == "Kidal")
    assert kidal["notes"] != "Bob's reading of the march."


def test_derived_columns_follow_the_codebook(built: tuple[Workspace, Path]) -> None:
    _, folder = built
    by_type = {e["event_type"]: e for e in _events(folder).values()}
    battle = by_type["Battles"]
    assert (battle["inter1"], battle["inter2"], battle["interaction"]) == (
        "Rebel group", "State forces", "State forces-Rebel group")
    assert (battle["iso"], battle["country"], battle["region"], battle["year"]) == (
        466, "Mali", "Western Africa", 2023)
    assert (battle["latitude"], battle["longitude"]) == (16.2717, -0.0447)
    assert battle["disorder_type"] == "Political violence"
    assert battle["event_id_cnty"].startswith("MLI")
    abduction = by_type["Violence against civilians"]
    assert abduction["event_id_cnty"].startswith("BFO")
    assert (abduction["country"], abduction["iso"]) == ("Burkina Faso", 854)
    assert abduction["civilian_targeting"] == "Civilian targeting"
    assert abduction["interaction"] == "Political militia-Civilians"
    protest = by_type["Protests"]
    assert (protest["actor2"], protest["inter2"], protest["interaction"]) == (
        "", "", "Protesters only")
    assert protest["assoc_actor_1"] == "Women (Mali)"
    assert protest["disorder_type"] == "Demonstrations"
    for record in _events(folder).values():
        EventRecord.model_validate(record)


def test_changed_fields_compare_the_suggestion_with_the_accepted_values(
        built: tuple[Workspace, Path]) -> None:
    _, folder = built
    gao = next(e for e in _events(folder).values() if e["event_type"] == "Battles")
    # suggested 10 fatalities (coder: 15), same date, type and place; the rules proposed no
    # actors, precisions or notes, which the coder then filled in.
    assert "fatalities" in gao["changed_fields"]
    assert not {"event_date", "event_type", "location"} & set(gao["changed_fields"])
    assert {"actor1", "notes"} <= set(gao["changed_fields"])
    protest = next(e for e in _events(folder).values() if e["event_type"] == "Protests")
    assert protest["changed_fields"] == []  # coded by hand: nothing suggested


def test_every_quote_is_the_source_text_at_its_offsets(built: tuple[Workspace, Path]) -> None:
    ws, folder = built
    count = 0
    for event in _events(folder).values():
        for evidence in event["evidence"]:
            document = ws.document(evidence["doc"])
            assert document.text[evidence["start"]:evidence["end"]] == evidence["quote"]
            assert evidence["source_sha256"] == hashlib.sha256(
                document.text.encode()).hexdigest()
            count += 1
    assert count == 5
    gao = next(e for e in _events(folder).values() if e["event_type"] == "Battles")
    # The annotation quoted "15  morts" (two spaces): the release quotes the text itself.
    assert "15 morts" in [e["quote"] for e in gao["evidence"]]
    for line in (folder / "sentences.jsonl").read_text(encoding="utf-8").splitlines():
        sentence = json.loads(line)
        assert ws.document(sentence["doc"]).text[sentence["start"]:sentence["end"]] == \
            sentence["text"]


def test_spreadsheet_safety_applies_to_the_csv_only(built: tuple[Workspace, Path]) -> None:
    _, folder = built
    text = (folder / "events.csv").read_text(encoding="utf-8")
    assert "\"'=HYPERLINK(\"\"http://x\"\")" in text
    assert ",'-local source; +3 civilians," in text
    assert ",-0.0447," in text  # numbers are never prefixed
    abduction = next(e for e in _events(folder).values() if e["country"] == "Burkina Faso")
    assert abduction["notes"] == HOSTILE_NOTES
    parquet = pl.read_parquet(folder / "events.parquet")
    assert HOSTILE_NOTES in parquet["notes"].to_list()
    assert HOSTILE_NOTES in load_release(folder / "events.csv")["notes"].to_list()


# -- Checks by other tools ------------------------------------------------------------------


def test_frictionless_validates_the_data_package(built: tuple[Workspace, Path]) -> None:
    from frictionless import validate

    _, folder = built
    report = validate(str(folder / "datapackage.json"))
    assert report.valid, report.flatten(["title", "message"])
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    assert package["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    events = next(r for r in package["resources"] if r["path"] == "events.csv")
    assert events["schema"]["primaryKey"] == ["event_id_cnty"]
    assert events["hash"] == "sha256:" + hashlib.sha256(
        (folder / "events.csv").read_bytes()).hexdigest()


def test_frictionless_catches_a_value_outside_the_table_schema(
        built: tuple[Workspace, Path], tmp_path: Path) -> None:
    from frictionless import validate

    _, folder = built
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    csv_text = (copy / "events.csv").read_text(encoding="utf-8")
    (copy / "events.csv").write_text(csv_text.replace(",Battles,", ",Battle,"),
                                     encoding="utf-8")
    descriptor = json.loads((copy / "datapackage.json").read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        if resource["path"] == "events.csv":
            data = (copy / "events.csv").read_bytes()
            resource["bytes"] = len(data)
            resource["hash"] = "sha256:" + hashlib.sha256(data).hexdigest()
    (copy / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    report = validate(str(copy / "datapackage.json"))
    assert not report.valid
    assert "constraint-error" in {e.type for task in report.tasks for e in task.errors}


@pytest.mark.skipif(shutil.which("sha256sum") is None, reason="needs coreutils sha256sum")
def test_sha256sums_checks_out(built: tuple[Workspace, Path]) -> None:
    _, folder = built
    result = subprocess.run(["sha256sum", "-c", "--strict", "SHA256SUMS"], cwd=folder,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    listed = [line.split("  ", 1)[1] for line in
              (folder / "SHA256SUMS").read_text(encoding="utf-8").splitlines()]
    assert listed == sorted(listed)
    assert "SHA256SUMS" not in listed and "datapackage.json" in listed


def test_csv_loads_in_pandas_duckdb_and_polars(built: tuple[Workspace, Path]) -> None:
    import duckdb
    import pandas as pd

    _, folder = built
    path = folder / "events.csv"
    ids = sorted(json.loads(line)["event_id_cnty"] for line in
                 (folder / "events.jsonl").read_text(encoding="utf-8").splitlines())
    frame = pd.read_csv(path, keep_default_na=False, na_values=[])
    assert sorted(frame["event_id_cnty"]) == ids
    assert list(frame.columns[:31]) == list(ACLED_COLUMNS)
    rows = duckdb.sql(f"SELECT event_id_cnty FROM read_csv('{path}', header = true)").fetchall()
    assert sorted(r[0] for r in rows) == ids
    assert sorted(pl.read_csv(path, empty_string_is_null=False)["event_id_cnty"]) == ids
    assert sorted(load_release(folder)["event_id_cnty"]) == ids
    parquet = duckdb.sql(f"SELECT count(*) FROM '{folder / 'events.parquet'}'").fetchall()[0]
    assert parquet == (len(ids),)
    assert len(pd.read_parquet(folder / "events.parquet")) == len(ids)


def test_load_release_tables(built: tuple[Workspace, Path]) -> None:
    _, folder = built
    events = load_release(folder)
    assert events.schema["event_date"] == pl.Date
    assert frame_records(events) == [EventRecord.model_validate(e) for e in sorted(
        _events(folder).values(), key=lambda e: events["event_id_cnty"].to_list().index(
            e["event_id_cnty"]))]
    evidence = load_release(folder, "evidence")
    assert evidence.columns == ["event_id_cnty", "doc", "sentence", "start", "end", "quote",
                                "source_sha256"]
    assert evidence.height == 5
    assert load_release(folder, "sources")["source_id"].to_list() == [
        "gao_attaque", "gao_suite", "kidal_marche"]
    assert load_release(folder, "sentences").height == 5
    assert set(load_release(folder, "event_ids")["status"]) == {"active"}
    with pytest.raises(UserError):
        load_release(folder, "nothing")


# -- Determinism and safety -----------------------------------------------------------------


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_building_twice_gives_identical_bytes(tmp_path: Path) -> None:
    ws = make_project(tmp_path)
    first = publish.build(ws)
    assert first.path is not None
    before = _tree(first.path)
    second = publish.build(Workspace(Project(tmp_path), use_geonames=False))
    assert second.path is not None
    assert _tree(second.path) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".build")] == []


def test_release_date_comes_from_date_epoch_or_publications(tmp_path: Path,
                                                            monkeypatch: Any) -> None:
    ws = make_project(tmp_path)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    made = publish.assemble(ws, "0.1.0")
    assert made.clock.date.isoformat() == "2023-10-03"  # latest cited publication
    assert set(made.events["timestamp"]) == {1696291200}
    assert publish.assemble(ws, "0.1.0", date="2024-01-31").clock.timestamp == 1706659200
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    made = publish.assemble(ws, "0.1.0")
    assert (made.clock.timestamp, made.clock.date.isoformat()) == (1700000000, "2023-11-14")
    with pytest.raises(UserError):
        publish.assemble(ws, "0.1.0", date="31/01/2024")


def test_release_refuses_existing_bad_and_older_versions(tmp_path: Path) -> None:
    make_project(tmp_path)
    runner = CliRunner()
    root = ["--root", str(tmp_path)]
    first = runner.invoke(cli, [*root, "release", "0.2.0"])
    assert first.exit_code == 0, first.output
    assert "released 0.2.0" in first.output
    snapshot = _tree(tmp_path / "releases" / "0.2.0")
    again = runner.invoke(cli, [*root, "release", "0.2.0"])
    assert again.exit_code == 1
    assert "never overwritten" in again.output
    assert _tree(tmp_path / "releases" / "0.2.0") == snapshot
    assert runner.invoke(cli, [*root, "release", "v1"]).exit_code == 2
    older = runner.invoke(cli, [*root, "release", "0.1.9"])
    assert older.exit_code == 2 and "increasing version order" in older.output
    check = runner.invoke(cli, [*root, "release", "0.2.0", "--check"])
    assert check.exit_code == 0 and "byte for byte" in check.output


def test_release_refuses_when_validation_fails(tmp_path: Path) -> None:
    ws = make_project(tmp_path)
    broken = gao_events()
    broken[0]["event_type"] = "Battle"
    sha = ws.registry.by_id["gao_attaque"].sha256
    write_annotation(tmp_path, annotation_file("gao_attaque", sha, broken))
    result = CliRunner().invoke(cli, ["--root", str(tmp_path), "release", "0.1.0"])
    assert result.exit_code == 1
    assert "C001" in result.output and "release 0.1.0 refused" in result.output
    assert not (tmp_path / "releases" / "0.1.0").exists()
    built = CliRunner().invoke(cli, ["--root", str(tmp_path), "build"])
    assert built.exit_code == 1 and not (tmp_path / "build").exists()


def test_a_crash_while_writing_leaves_no_release(tmp_path: Path, monkeypatch: Any) -> None:
    ws = make_project(tmp_path)

    def explode(frame: pl.DataFrame, path: Path) -> None:
        path.write_text("half", encoding="utf-8")
        raise OSError("disk full")

    monkeypatch.setattr(publish, "write_parquet", explode)
    with pytest.raises(OSError, match="disk full"):
        publish.release(ws, "0.1.0", validate=False)
    releases = tmp_path / "releases"
    assert list(releases.iterdir()) == []  # neither 0.1.0 nor a temporary folder
    monkeypatch.setattr(publish, "write_parquet", tables.write_parquet)
    assert publish.release(ws, "0.1.0", validate=False).ok


_KILLED_RELEASE = """
import sys, time
from pathlib import Path
from sahelevents.project import Project
from sahelevents.release import publish
from sahelevents.workspace import Workspace

real = publish.write_parquet
def slow(frame, path):
    real(frame, path)
    Path(sys.argv[2]).write_text("midway")
    time.sleep(60)
publish.write_parquet = slow
publish.release(Workspace(Project(Path(sys.argv[1])), use_geonames=False), "0.1.0",
                validate=False)
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_killed_release_leaves_no_release_folder(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    ws = make_project(project)
    marker = tmp_path / "midway"
    process = subprocess.Popen([sys.executable, "-c", _KILLED_RELEASE, str(project),
                                str(marker)], cwd=tmp_path)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert marker.exists(), "the release never got midway"
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    releases = project / "releases"
    assert not (releases / "0.1.0").exists()
    leftovers = [p.name for p in releases.iterdir()]
    assert len(leftovers) == 1 and leftovers[0].startswith(".0.1.0.partial-")
    # The next run removes the stale folder and publishes.
    assert publish.release(ws, "0.1.0", validate=False).ok
    assert sorted(p.name for p in releases.iterdir()) == ["0.1.0"]


# -- Ids, changes and diff across releases --------------------------------------------------


@pytest.mark.parametrize("row_group_rows", [100_000, 1])
def test_ids_are_stable_retired_never_reused_and_changes_are_logged(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, row_group_rows: int) -> None:
    from sahelevents.release import tables

    # 1: every event a row group of its own, as a million events are cut into ten groups.
    monkeypatch.setattr(tables, "ROW_GROUP_ROWS", row_group_rows)
    ws = make_project(tmp_path)
    first = publish.release(ws, "0.1.0", validate=False)
    assert first.release is not None
    ids_before = {tuple(e["annotation_refs"]): e["event_id_cnty"]
                  for e in _events(tmp_path / "releases" / "0.1.0").values()}
    assert sorted(ids_before.values()) == ["BFO1", "MLI1", "MLI2"]

    # 0.2.0: kidal's protest is rejected, the Gao fatalities change, a new event appears.
    sha = {d: ws.registry.by_id[d].sha256 for d in ("gao_attaque", "kidal_marche")}
    write_annotation(tmp_path, annotation_file("gao_attaque", sha["gao_attaque"],
                                               gao_events(fatalities=9)))
    kidal = tmp_path / "annotations" / "kidal_marche.yaml"
    kidal.write_text(kidal.read_text(encoding="utf-8").replace(
        "decision: accepted", "decision: rejected\n  reason: Not in scope."), encoding="utf-8")
    second_ws = Workspace(Project(tmp_path), use_geonames=False)
    new_event = {**gao_events()[0], "id": "e3", "event_date": "2023-09-08",
                 "suggested": None, "notes": "On 8 September 2023, a second attack on Gao."}
    new_event.pop("suggested")
    write_annotation(tmp_path, annotation_file(
        "gao_attaque", sha["gao_attaque"], [*gao_events(fatalities=9), new_event]))
    second = publish.release(second_ws, "0.2.0", date="2023-12-01", validate=False)
    assert second.release is not None
    events = _events(tmp_path / "releases" / "0.2.0")
    ids_after = {tuple(e["annotation_refs"]): e["event_id_cnty"] for e in events.values()}
    gao_refs = ("gao_attaque#e1", "gao_suite#e1")
    assert ids_after[gao_refs] == ids_before[gao_refs] == "MLI1"
    assert ids_after[("gao_attaque#e3",)] == "MLI3"  # MLI2 is retired, never reused
    diff = second.release.diff
    assert (diff.added, diff.removed) == (["MLI3"], ["MLI2"])
    assert diff.changed == {"MLI1": ["fatalities"]}
    assert events["MLI1"]["fatalities"] == 9
    # Unchanged events keep the timestamp of the release that last changed them.
    assert events["BFO1"]["timestamp"] == 1696291200
    assert events["MLI1"]["timestamp"] == events["MLI3"]["timestamp"] == 1701388800
    parquet = tmp_path / "releases" / "0.2.0" / "events.parquet"
    in_parquet = pl.read_parquet(parquet)
    assert in_parquet["event_id_cnty"].to_list() == list(events)
    assert in_parquet["timestamp"].to_list() == [e["timestamp"] for e in events.values()]
    groups = pq.ParquetFile(parquet).metadata.num_row_groups
    assert groups == (len(events) if row_group_rows == 1 else 1)
    ledger = (tmp_path / "releases" / "0.2.0" / "event-ids.csv").read_text(encoding="utf-8")
    assert "MLI2,kidal_marche#e1,retired,0.2.0" in ledger
    changelog = (tmp_path / "releases" / "0.2.0" / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "### Added (1)\n\nMLI3" in changelog and "- MLI1: fatalities" in changelog
    assert "### Removed (1)\n\nMLI2" in changelog
    assert "## 0.1.0 (2023-10-03)" in changelog  # earlier sections are kept

    result = CliRunner().invoke(cli, ["--root", str(tmp_path), "diff", "0.1.0", "0.2.0"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "0.1.0 -> 0.2.0: 1 added, 1 changed, 1 removed, 1 unchanged",
        "+ MLI3", "~ MLI1: fatalities", "- MLI2"]
    as_json = CliRunner().invoke(cli, ["diff", str(tmp_path / "releases" / "0.1.0"),
                                       str(tmp_path / "releases" / "0.2.0"), "--format",
                                       "json"])
    assert json.loads(as_json.output)["added"] == ["MLI3"]


def test_a_missing_ledger_is_refused_not_renumbered(tmp_path: Path) -> None:
    ws = make_project(tmp_path)
    assert publish.release(ws, "0.1.0", validate=False).ok
    (tmp_path / "releases" / "0.1.0" / "event-ids.csv").unlink()
    with pytest.raises(DataError, match=r"event-ids\.csv is missing"):
        publish.release(ws, "0.2.0", validate=False)


def test_build_cli_prints_a_summary(tmp_path: Path) -> None:
    make_project(tmp_path)
    result = CliRunner().invoke(cli, ["--root", str(tmp_path), "build", "--date",
                                      "2024-01-01"])
    assert result.exit_code == 0, result.output
    assert "validated 4 files" in result.output
    assert "compiled 3 events from 3 annotation files as release 0.1.0 (2024-01-01) into " \
           "build/" in result.output
    assert (tmp_path / "build" / "events.csv").is_file()


def test_summaries_count_in_the_singular_too() -> None:
    from sahelevents.reporters import plural

    assert [plural(n, "annotation file") for n in (0, 1, 2)] == [
        "0 annotation files", "1 annotation file", "2 annotation files"]
