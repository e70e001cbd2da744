"""Merging suggestions into annotation files never undoes a person's work."""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sahelevents.annotate import SCHEMA_COMMENT, MergeResult, _appended_text, merge_suggestions
from sahelevents.annotation_writer import list_items_text
from sahelevents.cli import cli
from sahelevents.extract.assemble import EvidenceItem, Suggestion, TracedValue, suggestion_key
from sahelevents.extract.rules import RuleSet, load_rules
from sahelevents.issues import DataError
from sahelevents.modelio import validate_model
from sahelevents.models import AnnotationFile, RuleOrigin
from sahelevents.project import Project
from sahelevents.suggest import suggest_documents
from sahelevents.workspace import Workspace
from sahelevents.yamlio import load_yaml, roundtrip_yaml

ROOT = Path(__file__).resolve().parents[1]
DOC = "002_6e87b541723d2159"
SHA = "5f8b376c153fcea6816644f248758aff9ad5a7091fc56078f22217f2d3845dfa"


@pytest.fixture(scope="module")
def _shared_project(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = tmp_path_factory.mktemp("project")
    for folder in ("codebook", "seeds"):
        shutil.copytree(ROOT / folder, root / folder)
    return Workspace(Project(root))


@pytest.fixture()
def project(_shared_project: Workspace) -> Workspace:
    """A copy of the repository's codebook and seeds, with an empty annotations folder (the
    codebook, gazetteer and rules are loaded once for the module)."""
    folder = _shared_project.project.annotations_dir
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    return _shared_project


_RULES: dict[Path, RuleSet] = {}


def _rules(ws: Workspace) -> RuleSet:
    folder = ws.project.rules_dir
    if folder not in _RULES:  # loaded once per project: the tests are about merging
        _RULES[folder] = load_rules(folder, ws.codebook)
    return _RULES[folder]


def _new_file(tmp_path: Path) -> Path:
    """A path no earlier example wrote: hypothesis runs every example in one ``tmp_path``,
    and a name made from ``id()`` may come back once its object is freed."""
    return Path(tempfile.mkdtemp(dir=tmp_path)) / f"{DOC}.yaml"


def _suggest(ws: Workspace, *docs: str, dry_run: bool = False) -> list[int]:
    outcomes = suggest_documents(ws, list(docs) or None, coder="ada", dry_run=dry_run,
                                 rules=_rules(ws))
    return [len(o.merge.added) for o in outcomes]


def _file(ws: Workspace, doc: str = DOC) -> Path:
    return ws.project.annotations_dir / f"{doc}.yaml"


def _forbid_round_trip(monkeypatch: pytest.MonkeyPatch, why: str) -> None:
    """Make any use of ruamel's round trip by annotate fail the test with ``why``."""
    def round_trip() -> None:
        raise AssertionError(why)

    monkeypatch.setattr("sahelevents.annotate.roundtrip_yaml", round_trip)


def test_new_file_has_the_header_and_validates(project: Workspace) -> None:
    assert _suggest(project, DOC) == [1]
    text = _file(project).read_text(encoding="utf-8")
    assert text.splitlines()[0] == f"# {SCHEMA_COMMENT}"
    loaded = load_yaml(text.encode(), "x")
    assert loaded.issues == []  # no YAML 1.1 ambiguity warning either: dates are quoted
    instance, issues = validate_model(loaded, AnnotationFile)
    assert issues == [] and instance is not None
    assert (instance.source, instance.source_sha256, instance.coders, instance.status) == (
        DOC, SHA, ["ada"], "draft")
    (event,) = instance.events
    assert isinstance(event.origin, RuleOrigin)
    assert event.decision == "suggested" and event.id == f"s-{event.origin.key[:8]}"
    assert "event_date: '2023-09-07'" in text


def test_suggest_twice_changes_nothing(project: Workspace,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    _suggest(project)
    first = {p.name: p.read_bytes() for p in project.project.annotations_dir.iterdir()}
    # Nothing to add: each file is read once, without ruamel's round trip (~10x the rest of
    # a document's work on a coded archive).
    _forbid_round_trip(monkeypatch, "a file with nothing to add was loaded for a round trip")
    assert _suggest(project) == [0] * len(first)
    assert {p.name: p.read_bytes() for p in project.project.annotations_dir.iterdir()} == first


def test_hand_edits_and_comments_survive(project: Workspace) -> None:
    _suggest(project, DOC)
    path = _file(project)
    text = path.read_text(encoding="utf-8")
    edited = (text.replace("status: draft", "status: coded  # reviewed on paper first")
              .replace("decision: suggested", "decision: accepted")
              .replace("    fatalities: 64\n", "    # ACLED: lowest figure reported\n"
                       "    fatalities: 60\n")
              .replace("    event_date: '2023-09-07'\n", "    event_date: '2023-09-07'\n"
                       "    same_as: []\n"))
    edited += "# end of file: kept by hand\n"
    path.write_text(edited, encoding="utf-8")
    assert _suggest(project, DOC) == [0]
    assert path.read_text(encoding="utf-8") == edited


_HANDMADE = (f"# {SCHEMA_COMMENT}\n"
             "# Coded by hand before the rules existed.\n"
             f"source: {DOC}\nsource_sha256: {SHA}\ncodebook_version: 1.0.0\n"
             "coders: [bea]   # flow style kept\nstatus: draft\n"
             "events:\n"
             "- id: manual-1   # dash at column 0 kept\n"
             "  decision: accepted\n"
             "  origin: manual\n"
             "  event_date: '2023-09-08'\n")


def test_new_suggestions_are_appended_after_human_content(project: Workspace) -> None:
    path = _file(project)
    path.write_text(_HANDMADE, encoding="utf-8")
    assert _suggest(project, DOC) == [1]
    text = path.read_text(encoding="utf-8")
    assert text.startswith(_HANDMADE)
    instance, issues = validate_model(load_yaml(text.encode(), "x"), AnnotationFile)
    assert issues == [] and instance is not None
    assert [(e.id[:2], e.decision) for e in instance.events] == [("ma", "accepted"),
                                                                  ("s-", "suggested")]


def test_edited_files_are_fsynced_and_new_files_synced_once(
        project: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file a person wrote is on disk before it is replaced; new files, which hold nothing
    to lose, are made durable together by one sync at the end of the run."""
    calls: list[str] = []
    monkeypatch.setattr(os, "fsync", lambda descriptor: calls.append("fsync"))
    monkeypatch.setattr(os, "sync", lambda: calls.append("sync"))
    assert sum(_suggest(project)) >= 2  # new files for two of the five seeds
    assert calls == ["sync"]
    calls.clear()
    _file(project).write_text(_HANDMADE, encoding="utf-8")
    assert _suggest(project, DOC) == [1]
    assert calls == ["fsync"]
    calls.clear()
    assert _suggest(project, DOC) == [0]  # nothing written, nothing to sync
    assert calls == []


def test_new_files_are_synced_when_a_run_stops_on_a_broken_file(
        project: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(os, "sync", lambda: calls.append("sync"))
    broken = _file(project, "004_487faec90e07874a")
    broken.write_text("source: [unclosed\n", encoding="utf-8")
    with pytest.raises(DataError, match="untouched"):
        _suggest(project, DOC, "004_487faec90e07874a")
    assert _file(project).is_file() and calls == ["sync"]


def test_a_document_named_twice_is_suggested_once(project: Workspace) -> None:
    assert _suggest(project, DOC, DOC) == [1]


def test_a_rejected_suggestion_never_comes_back(project: Workspace) -> None:
    _suggest(project, DOC)
    path = _file(project)
    text = path.read_text(encoding="utf-8").replace(
        "decision: suggested", "decision: rejected\n    reason: already coded from the "
        "government communiqué")
    path.write_text(text, encoding="utf-8")
    assert _suggest(project, DOC) == [0]
    # Even when the rules change the details (a new key), the same event stays rejected.
    loaded = load_yaml(text.encode(), "x").data
    old_key = loaded["events"][0]["origin"]["key"]
    renamed = text.replace(f"key: {old_key}", "key: 0000aaaa0000aaaa")
    path.write_text(renamed, encoding="utf-8")
    assert _suggest(project, DOC) == [0]
    assert path.read_text(encoding="utf-8") == renamed


def test_accepted_and_changed_fields_are_never_overwritten(project: Workspace) -> None:
    _suggest(project, DOC)
    path = _file(project)
    text = (path.read_text(encoding="utf-8")
            .replace("decision: suggested", "decision: accepted")
            .replace("    actor2: Military Forces of Mali (2021-)\n",
                     "    actor2: Civilians (Mali)\n"))
    path.write_text(text, encoding="utf-8")
    assert _suggest(project, DOC) == [0]
    data = load_yaml(path.read_bytes(), "x").data
    assert data["events"][0]["actor2"] == "Civilians (Mali)"
    assert len(data["events"]) == 1


def test_dry_run_writes_nothing(project: Workspace) -> None:
    outcomes = list(suggest_documents(project, [DOC], coder="ada", dry_run=True,
                                      rules=_rules(project)))
    assert not _file(project).exists()
    diff = outcomes[0].merge.diff()
    assert diff.startswith("--- /dev/null\n+++ b/annotations/")
    assert "+    event_date: '2023-09-07'" in diff
    _suggest(project, DOC)
    before = _file(project).read_bytes()
    again = list(suggest_documents(project, [DOC], coder="ada", dry_run=True,
                                   rules=_rules(project)))
    assert again[0].merge.diff() == "" and _file(project).read_bytes() == before


def test_a_result_without_its_text_keeps_its_flags_and_cannot_write(
        project: Workspace) -> None:
    merge = next(suggest_documents(project, [DOC], coder="ada", dry_run=True,
                                   rules=_rules(project))).merge
    light = merge.without_text()
    assert (light.before, light.after) == ("", "")
    assert (light.changed, light.created, light.added, light.display) == (
        True, True, merge.added, merge.display)
    for use in (light.write, light.diff):
        with pytest.raises(ValueError, match="no longer holds its text"):
            use()
    assert not _file(project).exists()
    _suggest(project, DOC)
    unchanged = merge_suggestions(_file(project), DOC, SHA, [], codebook_version="1.0.0",
                                  coder="ada", dry_run=True)
    assert not unchanged.changed and not unchanged.without_text().changed


@pytest.mark.parametrize("broken", [
    "source: [unclosed\n",
    "source: x\nsource: y\n",  # duplicate key
    "- just\n- a list\n",
    "events:\n\t- id: x\n",  # tab
    "events: 3\n",
])
def test_a_broken_file_is_refused_and_left_untouched(project: Workspace, broken: str) -> None:
    path = _file(project)
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(DataError, match="untouched"):
        _suggest(project, DOC)
    assert path.read_text(encoding="utf-8") == broken


def test_a_file_coded_on_another_version_of_the_source_is_refused(project: Workspace) -> None:
    path = _file(project)
    stale = f"source: {DOC}\nsource_sha256: {'0' * 64}\nevents: []\n"
    path.write_text(stale, encoding="utf-8")
    with pytest.raises(DataError, match="another version"):
        _suggest(project, DOC)
    assert path.read_text(encoding="utf-8") == stale


def test_a_source_changed_since_it_was_registered_is_not_coded(project: Workspace) -> None:
    text_file = project.registry.document(DOC).path
    original = text_file.read_bytes()
    try:
        text_file.write_bytes(original + "Une phrase ajoutée.\n".encode())
        for jobs in ("1", "2"):
            result = CliRunner().invoke(cli, ["--root", str(project.project.root), "suggest",
                                              "--jobs", jobs, DOC])
            assert result.exit_code == 1, result.output
            assert f"seeds/{text_file.name}: R001 {DOC} changed since it was registered" in (
                result.output)
            assert "suggest coded nothing from it" in result.output
            assert "Traceback" not in result.output
            assert not _file(project).exists()
    finally:
        text_file.write_bytes(original)
    assert _suggest(project, DOC)  # the original text is coded again


def test_cli_suggest_dry_run_and_coder(project: Workspace) -> None:
    runner = CliRunner()
    root = str(project.project.root)
    result = runner.invoke(cli, ["--root", root, "suggest", "--dry-run", DOC])
    assert result.exit_code == 0, result.output
    assert "+++ b/annotations/002_6e87b541723d2159.yaml" in result.output
    assert not _file(project).exists()
    result = runner.invoke(cli, ["--root", root, "suggest", DOC],
                           env={"SAHELEVENTS_CODER": "chloe"})
    assert result.exit_code == 0, result.output
    assert "- chloe" in _file(project).read_text(encoding="utf-8")
    result = runner.invoke(cli, ["--root", root, "suggest", "no-such-doc"])
    assert result.exit_code == 2 and "unknown document" in result.output


# -- Property: any merge sequence is idempotent and keeps every value exact ---------------

_TRICKY = st.sampled_from(["yes", "NO", "on", "Y", "n", "12:30", "0012", "2024-05-01",
                           "null", "1e5", "a: b", "#hash", "  lead", "trail  ",
                           "Atlantique  Nord", "«\u00a0guillemets\u00a0»", "N’Djamena",
                           "x" * 150])
_TEXT = st.one_of(_TRICKY, st.text(st.characters(codec="utf-8",
                                                 exclude_categories=("Cs", "Cc")),
                                   min_size=1, max_size=60))


# Words and sentences like the ones suggest writes (long ones fold across lines).
_PROSE = st.lists(st.from_regex(r"[A-Za-zéèàçÉ'’0-9-]{1,12}", fullmatch=True), min_size=1,
                  max_size=25).map(" ".join)
_ANY_CONFIDENCE = st.floats(0, 1)


def _suggestion(*, actor: str, place: str, day: str, sentence: int, fatalities: int,
                notes: str | None, quote: str, confidence: float) -> Suggestion:
    """An Attack suggestion of DOC, dated by sentence ``sentence``."""
    cited = f"{DOC}#s{sentence}"
    key = suggestion_key(DOC, "Attack", [actor, None], place, day)
    fields = {
        "event_date": TracedValue(day, "extract.dates", cited, 10, 20),
        "event_type": TracedValue("Violence against civilians", "vac-attack", cited, 0, 5),
        "sub_event_type": TracedValue("Attack", "vac-attack", cited, 0, 5),
        "actor1": TracedValue(actor, "extract.actors"),
        "location": TracedValue(place, "extract.places"),
        "fatalities": TracedValue(fatalities, "extract.fatalities"),
    }
    if notes is not None:
        fields["notes"] = TracedValue(notes, "extract.notes")
    return Suggestion(DOC, key, ("vac-attack",), confidence, fields,
                      (EvidenceItem(cited, quote, ("event_date",), 0, len(quote)),))


@st.composite
def _suggestions(draw: st.DrawFn, text: st.SearchStrategy[str] = _TEXT,
                 confidence: st.SearchStrategy[float] = _ANY_CONFIDENCE) -> Suggestion:
    actor = draw(text)
    place = draw(text)
    day = draw(st.dates(dt.date(1997, 1, 1), dt.date(2030, 12, 31))).isoformat()
    sentence = draw(st.integers(1, 40))
    fatalities = draw(st.integers(0, 500))
    notes = draw(text)
    quote = draw(text)
    return _suggestion(actor=actor, place=place, day=day, sentence=sentence,
                       fatalities=fatalities, notes=notes, quote=quote,
                       confidence=draw(confidence))


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batches=st.lists(st.lists(_suggestions(), max_size=3), min_size=1, max_size=3))
def test_merging_is_idempotent_and_exact(tmp_path: Path, batches: list[list[Suggestion]]) -> None:
    path = _new_file(tmp_path)
    for batch in batches:
        merge_suggestions(path, DOC, SHA, batch, codebook_version="1.0.0", coder="ada")
    if not path.exists():
        return
    text = path.read_bytes()
    for batch in batches:  # everything again: nothing new
        result = merge_suggestions(path, DOC, SHA, batch, codebook_version="1.0.0", coder="ada")
        assert result.added == [] and not result.written
    assert path.read_bytes() == text
    loaded = load_yaml(text, "x")
    assert [i.code for i in loaded.issues] == []
    events = {e["origin"]["key"]: e for e in loaded.data["events"]}
    first: dict[str, Suggestion] = {}
    for suggestion in (s for batch in batches for s in batch):
        first.setdefault(suggestion.key, suggestion)
    for key, suggestion in first.items():
        if key not in events:
            continue  # an earlier suggestion of the same day and evidence covered it
        event = events[key]
        assert event["actor1"] == suggestion.value("actor1")
        assert event["location"] == suggestion.value("location")
        assert event["notes"] == suggestion.value("notes")
        assert event["event_date"] == suggestion.value("event_date")
        assert event["evidence"][0]["quote"] == suggestion.evidence[0].quote


# -- Appending to a file suggest wrote: the same bytes as ruamel's round trip ---------------


# Mostly values the fast writer writes, some it leaves to ruamel.
_LIKE_SUGGEST = st.one_of(_suggestions(_PROSE, st.sampled_from([0.55, 0.7, 0.85, 0.9])),
                          _suggestions())


def _dashes_at(text: str, column: int) -> str:
    """``text`` as ruamel writes it with every list's dashes ``column`` past its key."""
    rt = roundtrip_yaml()
    rt.indent(mapping=2, sequence=column + 2, offset=column)
    buffer = io.StringIO()
    rt.dump(rt.load(text), buffer)
    return buffer.getvalue()


# What annotators put around the events list: (after its key, up to its first event; after
# its last event).
_SURROUNDINGS = [
    pytest.param("\n", "# checked by Ada\n", id="a-comment-at-the-end"),
    pytest.param("\n", "\n", id="a-blank-line-at-the-end"),
    pytest.param("\n", "\n# end\n\n", id="blank-lines-and-a-comment-at-the-end"),
    pytest.param("\n", "  # end of the events\n", id="a-comment-at-the-dashes"),
    pytest.param("\n", "status: review\n", id="a-key-after-the-events"),
    pytest.param("\n  # suggested by the rules\n", "", id="a-comment-before-the-first-event"),
    pytest.param(" # from the rules\n", "", id="a-comment-after-the-key"),
    pytest.param(" # from the rules\n\n", "# todo: the second attack\nstatus: review\n# end\n",
                 id="all-of-them"),
]


def _surrounded(text: str, head: str, tail: str) -> str:
    """``text`` (a file suggest wrote) with ``head`` after its events key (the rest of its
    line, and any lines before the first event) and ``tail`` after its last event."""
    if "status:" in tail:  # moved after the events
        text = text.replace("status: draft\n", "")
    return text.replace("\nevents:\n", "\nevents:" + head) + tail


def _merged_both_ways(path: Path, first: list[Suggestion], then: list[Suggestion],
                      dash_column: int, head: str = "\n", tail: str = ""
                      ) -> tuple[MergeResult, MergeResult]:
    """Merge ``then`` (dry runs) into the file ``first`` makes, its dashes at ``dash_column``
    and ``head`` and ``tail`` around its events: without the round trip when it can, and
    with it."""
    merge_suggestions(path, DOC, SHA, first, codebook_version="1.0.0", coder="ada")
    text = path.read_text(encoding="utf-8")
    if dash_column != 2:  # as suggest writes files, or indented otherwise by hand
        text = _dashes_at(text, dash_column)
    path.write_text(_surrounded(text, head, tail), encoding="utf-8")
    fast = merge_suggestions(path, DOC, SHA, then, codebook_version="1.0.0", coder="ada",
                             dry_run=True)
    with patch("sahelevents.annotate._appended_text", return_value=None):
        round_trip = merge_suggestions(path, DOC, SHA, then, codebook_version="1.0.0",
                                       coder="ada", dry_run=True)
    return fast, round_trip


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=st.lists(_LIKE_SUGGEST, min_size=1, max_size=3),
       then=st.lists(_LIKE_SUGGEST, min_size=1, max_size=3),
       dash_column=st.sampled_from([2, 0, 4]))
def test_appending_writes_what_the_round_trip_writes(tmp_path: Path, first: list[Suggestion],
                                                     then: list[Suggestion],
                                                     dash_column: int) -> None:
    appended, round_trip = _merged_both_ways(_new_file(tmp_path), first, then, dash_column)
    assert appended.added == round_trip.added
    if appended.after != round_trip.after:
        # Only where ruamel rewrote a value already in the file (it writes a float like
        # 3.038366683810563e-279 otherwise) and appending left it as it was.
        assert appended.after.startswith(appended.before)
        assert not round_trip.after.startswith(round_trip.before)
        assert (load_yaml(appended.after.encode(), "x").data["events"][-len(appended.added):]
                == load_yaml(round_trip.after.encode(), "x").data["events"][
                    -len(round_trip.added):])


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=st.lists(_LIKE_SUGGEST, min_size=1, max_size=3),
       then=st.lists(_LIKE_SUGGEST, min_size=1, max_size=3),
       dash_column=st.sampled_from([2, 0, 4]),
       surroundings=st.sampled_from([param.values for param in _SURROUNDINGS]))
def test_around_the_events_new_events_read_as_the_round_trip_writes_them(
        tmp_path: Path, first: list[Suggestion], then: list[Suggestion], dash_column: int,
        surroundings: tuple[str, str]) -> None:
    # Comments at the dashes follow them.
    head, tail = (part.replace("  #", " " * dash_column + "#") for part in surroundings)
    path = _new_file(tmp_path)
    inserted, round_trip = _merged_both_ways(path, first, then, dash_column, head, tail)
    existing = load_yaml(path.read_bytes(), "x").data
    count = len(existing["events"])

    def read(text: str) -> dict[str, Any]:
        return load_yaml(text.encode(), "x").data

    assert inserted.added == round_trip.added
    assert read(inserted.after)["events"][count:] == read(round_trip.after)["events"][count:]
    if inserted.after != round_trip.after:  # inserted (a value may send it to the round trip)
        # Nothing else changed (the round trip may rewrite a float it cannot write back).
        assert read(inserted.after) == {
            **existing, "events": existing["events"] + read(inserted.after)["events"][count:]}
        assert inserted.after.endswith(tail)


def _plain_suggestion(day: str, sentence: int, notes: str | None = None) -> Suggestion:
    """A suggestion whose every value the fast writer writes."""
    return _suggestion(actor="Unidentified Armed Group (Mali)", place="Gao", day=day,
                       sentence=sentence, fatalities=3, notes=notes,
                       quote="Des hommes armés ont attaqué le village.", confidence=0.75)


@pytest.mark.parametrize("dash_column", [2, 0, 4])
def test_a_file_whose_events_end_it_gets_new_events_without_the_round_trip(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dash_column: int) -> None:
    path = tmp_path / f"{DOC}.yaml"
    merge_suggestions(path, DOC, SHA, [_plain_suggestion("2024-05-01", 3)],
                      codebook_version="1.0.0", coder="ada")
    if dash_column != 2:
        path.write_text(_dashes_at(path.read_text(encoding="utf-8"), dash_column),
                        encoding="utf-8")
    before = path.read_text(encoding="utf-8")
    assert f"\nevents:\n{' ' * dash_column}- id: " in before
    _forbid_round_trip(monkeypatch, "a file whose events end it went through the round trip")
    result = merge_suggestions(path, DOC, SHA, [_plain_suggestion("2024-05-02", 4)],
                               codebook_version="1.0.0", coder="ada")
    after = path.read_text(encoding="utf-8")
    assert result.written and len(result.added) == 1 and after.startswith(before)
    # The new event is indented like the others, and so are the lists inside it.
    assert f"\n{' ' * dash_column}- id: {result.added[0]}\n" in after
    assert f"\n{' ' * (dash_column + 4 + dash_column)}- vac-attack\n" in after
    assert [e["event_date"] for e in load_yaml(after.encode(), "x").data["events"]] == [
        "2024-05-01", "2024-05-02"]


@pytest.mark.parametrize(("head", "tail"), _SURROUNDINGS)
def test_what_surrounds_the_events_stays_where_it_is(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, head: str, tail: str) -> None:
    path = tmp_path / f"{DOC}.yaml"
    merge_suggestions(path, DOC, SHA, [_plain_suggestion("2024-05-01", 3)],
                      codebook_version="1.0.0", coder="ada")
    before = _surrounded(path.read_text(encoding="utf-8"), head, tail)
    path.write_text(before, encoding="utf-8")
    assert not load_yaml(before.encode(), "x").issues
    _forbid_round_trip(monkeypatch, "a file with comments around its events was round-tripped")
    new = _plain_suggestion("2024-05-02", 4)
    result = merge_suggestions(path, DOC, SHA, [new], codebook_version="1.0.0", coder="ada")
    after = path.read_text(encoding="utf-8")
    # The new event inserted right after the last one; every other byte as it was.
    items = list_items_text([new.event_payload(result.added[0])])
    assert result.written and items is not None and items in after
    at = after.index(items)
    assert after[:at] + after[at + len(items):] == before
    assert after.endswith(items + tail) and f"\nevents:{head}" in after
    events = load_yaml(after.encode(), "x").data["events"]
    assert [e["event_date"] for e in events] == ["2024-05-01", "2024-05-02"]


@pytest.mark.parametrize("layout", [
    pytest.param(lambda text: text[:text.index("\nevents:\n")] + "\nevents: []\n",
                 id="an-empty-flow-list"),
    pytest.param(lambda text: text.rstrip("\n"), id="no-line-break-after-the-last-event"),
])
def test_files_in_another_layout_go_through_the_round_trip(
        tmp_path: Path, layout: Callable[[str], str]) -> None:
    path = tmp_path / f"{DOC}.yaml"
    merge_suggestions(path, DOC, SHA, [_plain_suggestion("2024-05-01", 3)],
                      codebook_version="1.0.0", coder="ada")
    text = layout(path.read_text(encoding="utf-8"))
    path.write_text(text, encoding="utf-8")
    loaded = load_yaml(text.encode(), "x")
    assert not loaded.issues
    new = _plain_suggestion("2024-05-02", 4)
    assert _appended_text(text, loaded.data, [new.event_payload()], "x") is None
    result = merge_suggestions(path, DOC, SHA, [new], codebook_version="1.0.0", coder="ada")
    assert result.written
    events = load_yaml(path.read_bytes(), "x").data["events"]
    assert events[-1]["event_date"] == "2024-05-02"


@pytest.mark.parametrize("garble", [
    pytest.param(lambda items: items.replace("2024-05-02", "2024-05-03"), id="other-data"),
    # The same data, but "yes" unquoted is a boolean to YAML 1.1 tools: a warning.
    pytest.param(lambda items: items.replace("notes: 'yes'", "notes: yes"), id="a-warning"),
    pytest.param(lambda items: items + "  - [unclosed\n", id="not-yaml"),
])
def test_appended_text_that_does_not_read_back_is_not_used(
        tmp_path: Path, garble: Callable[[str], str], monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / f"{DOC}.yaml"
    merge_suggestions(path, DOC, SHA, [_plain_suggestion("2024-05-01", 3)],
                      codebook_version="1.0.0", coder="ada")
    text = path.read_text(encoding="utf-8")
    new = _plain_suggestion("2024-05-02", 4, notes="yes")
    payload = new.event_payload()
    written = list_items_text([payload])
    assert written is not None and "notes: 'yes'" in written
    monkeypatch.setattr("sahelevents.annotate.list_items_text",
                        lambda items, dash_column: garble(written))
    assert _appended_text(text, load_yaml(text.encode(), "x").data, [payload], "x") is None
    result = merge_suggestions(path, DOC, SHA, [new], codebook_version="1.0.0", coder="ada")
    events = load_yaml(path.read_bytes(), "x").data["events"]  # the round trip's
    assert result.written and [e["event_date"] for e in events] == ["2024-05-01", "2024-05-02"]
    assert events[1]["notes"] == "yes"
