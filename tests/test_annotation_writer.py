"""New annotation files written without ruamel.yaml are byte for byte what ruamel writes."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sahelevents import annotate, annotation_writer
from sahelevents.annotate import SCHEMA_COMMENT, merge_suggestions, ruamel_new_file_text
from sahelevents.annotation_writer import new_file_text
from sahelevents.extract.rules import load_rules
from sahelevents.project import Project
from sahelevents.suggest import extract_documents
from sahelevents.workspace import Workspace
from sahelevents.yamlio import plain_reads_as_text

ROOT = Path(__file__).resolve().parents[1]

# Pieces that exercise ruamel's choices: quoting (indicators, YAML 1.1 and 1.2 look-alikes),
# escapes, whitespace a fold could lose, and words of every length around the 100 columns.
_PIECES = [
    " ", " ", " ", "  ", "mot", "Ménaka", "l'armée", "d’un", "«", "»", "a", "x" * 30,
    "y" * 79, "z" * 101, ":", ": ", "#", " #", "'", '"', "\\", "-", "- ", "?", "? ", "---",
    "...", ",", "[", "]", "{", "}", "&", "*", "!", "|", ">", "%", "@", "`", "~", "<<", "=",
    "0", "12", "2023-09-07", "12:30", "0o17", "0x1F", "1e5", ".5", "true", "null", "yes",
    "no", "\xa0", "\u202f", "\t", "\n", "\r", "\x85", "\u2028", "\ufeff", "\x01", "\x7f",
    "🙂", "é" * 3,
]
_TEXT = st.one_of(
    st.lists(st.sampled_from(_PIECES), max_size=40).map("".join),
    st.lists(st.sampled_from(["mot", "Kidal", "(2013-2020)", "d'une", " "]),
             max_size=60).map("".join),
    st.text(max_size=150),
)
_SCALAR = st.one_of(_TEXT, st.integers(), st.booleans(),
                    st.floats(allow_nan=False, allow_infinity=False),
                    st.sampled_from([0.7, 0.57, 0.85, 1.0, 0.1]))
_KEYS = st.sampled_from(["value", "sentence", "quote", "rule", "notes", "location", "k"])


def _event(values: list[Any], texts: list[str], nested: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": texts[0], "decision": "suggested",
        "origin": {"rules": texts[1:3], "key": texts[3], "confidence": values[0]},
        "event_date": texts[4], "fatalities": values[1], "notes": texts[5],
        "assoc_actor_1": texts[6:],
        "evidence": [{"sentence": texts[0], "quote": texts[1], "fields": [texts[2]]}],
        "suggested": {"notes": {"value": values[2], "rule": texts[3]},
                      "actor1": {"value": texts[6:8], "sentence": texts[4]}, **nested},
    }


def _document(events: list[dict[str, Any]], coder: str = "ada") -> dict[str, Any]:
    return {"source": "syn000001", "source_sha256": "ab" * 32, "codebook_version": "1.0.0",
            "coders": [coder], "status": "draft", "events": events}


def _assert_same_as_ruamel(document: dict[str, Any]) -> str | None:
    fast = new_file_text(SCHEMA_COMMENT, document)
    if fast is not None:
        assert fast == ruamel_new_file_text(document)
    return fast


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=st.lists(_SCALAR, min_size=3, max_size=3),
       texts=st.lists(_TEXT, min_size=7, max_size=9),
       nested=st.dictionaries(_KEYS, st.one_of(_SCALAR, st.lists(_TEXT, max_size=3)),
                              max_size=3),
       coder=_TEXT)
@example(values=[0.7, 3, "7 septembre 2023"], texts=["s-1", "vac-attack", "r", "1bee", "0o17",
                                                     "n " * 60, "1er", "x"], nested={},
         coder="unassigned")
def test_generated_values_are_written_as_ruamel_writes_them(
        values: list[Any], texts: list[str], nested: dict[str, Any], coder: str) -> None:
    _assert_same_as_ruamel(_document([_event(values, texts, nested)], coder))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(words=st.lists(st.sampled_from(["mot", "Tombouctou", "x" * 40, "l'armée", "d’un", "12",
                                       "(FAMa)", "é"]), min_size=1, max_size=50),
       separators=st.lists(st.sampled_from([" ", "  ", " ", "   "]), min_size=50,
                           max_size=50),
       key=_KEYS)
def test_folding_of_ordinary_text_takes_the_fast_path(words: list[str], separators: list[str],
                                                      key: str) -> None:
    """Text made of words, spaces and apostrophes, at every depth: never a fallback."""
    text = "".join(w + s for w, s in zip(words, separators, strict=False)).strip()
    event = {"id": "s-1", "notes": text, "suggested": {"notes": {key: text}},
             "evidence": [{"quote": text, "fields": [text]}]}
    assert _assert_same_as_ruamel(_document([event], coder=text)) is not None


def test_an_empty_events_list_and_typical_values() -> None:
    assert _assert_same_as_ruamel(_document([])) is not None
    event = {"id": "s-1bee3216", "event_date": "2023-09-07", "actor1": "JNIM: Group",
             "origin": {"rules": ["battle-attack"], "confidence": 0.57},
             "civilian_targeting": False, "fatalities": 64}
    assert _assert_same_as_ruamel(_document([event])) is not None


@pytest.mark.parametrize("value", ['a "quoted" word ' * 8, "back\\slash " * 10, "tab\there",
                                   "🙂", "---x", "0o17", "line\u2028separator"])
def test_what_the_fast_writer_cannot_reproduce_falls_back_to_ruamel(value: str) -> None:
    document = _document([{"id": "s-1", "notes": value}])
    assert new_file_text(SCHEMA_COMMENT, document) is None
    assert ruamel_new_file_text(document)  # merge_suggestions writes this one instead


_QUOTING_ALPHABET = [*"aAzZeEbBxXoO0123456789 #:',-._+?~&*!|>%@`\"\\[]{}éÀ’«",
                     "\xa0", "\u2028", "\t", "\n", "\x7f", "\x01", "\ufeff", "🙂"]


@settings(max_examples=1500, deadline=None)
@given(value=st.one_of(
    st.text(alphabet=st.sampled_from(_QUOTING_ALPHABET), max_size=12),
    st.lists(st.sampled_from(["syn000012#s5", "85391aca1f9aab90", "2024-06-27", "0x1f", "0b1",
                              "1e5", "0o17", "12", " ", "morts", "N'Gourma", ", ", "#", ":"]),
             max_size=4).map("".join)))
@example(value="syn000012#s5")
@example(value="85391aca1f9aab90")
@example(value="1e5")
@example(value="JNIM: Group")
@example(value="yes")
def test_quoting_shortcuts_agree_with_parsing(value: str) -> None:
    """The shortcuts of the quoting decision give what writing the value plain and parsing it
    back (with PyYAML and with our loader) gives, or what the regex they skip gives."""
    if annotation_writer._READS_BACK_AS_TEXT.fullmatch(value) and plain_reads_as_text(value):
        assert annotation_writer._plain_reads_back(value)
    if annotation_writer._ISO_DAY.fullmatch(value):
        assert not annotation_writer._plain_reads_back(value)
    fold_risk = annotation_writer._FOLD_RISK.search(value) is not None
    assert annotation_writer._fold_risk(value) == fold_risk
    if ": " in value and not fold_risk:  # what _plain_is_safe gets
        assert not annotation_writer._plain_reads_back(value)
    if value:
        assert annotation_writer._reads_as_text(value) == plain_reads_as_text(value)


def test_printable_text_has_no_whitespace_but_the_space() -> None:
    """What _fold_risk relies on to skip its regex."""
    every_character = "".join(map(chr, range(sys.maxunicode + 1)))
    other_whitespace = re.findall(r"[^\S ]", every_character)
    assert "\xa0" in other_whitespace
    assert not any(c.isprintable() for c in other_whitespace)


_WORDS = ["null", "Null", "true", "False", "yes", "No", "on", "OFF", "y", "n", "~", "nan"]


@settings(max_examples=1000, deadline=None)
@given(value=st.one_of(
    st.text(alphabet=st.sampled_from([*"abefoxyzAZ019#._- :'"]), max_size=14),
    st.lists(st.sampled_from(["syn000012#s5", "s-1bee", "0b", "0o", "0x", "1", "17", "e5",
                              "a", "f", "2024-06-27", "extract.dates", "-", *_WORDS]),
             max_size=4).map("".join),
    st.sampled_from(_WORDS),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=12)))
@example(value="0bb1e0f51ebf0078")
@example(value="4993970383081113")
@example(value="0o17")
@example(value="12e34")
@example(value="2024-06-27")
@example(value="Yes_no")
@example(value="f" * 80)
@example(value="f" * 81)
def test_style_shortcuts_agree_with_the_checks(value: str) -> None:
    """The ids _style finds plain (or single-quoted) without the checks: the checks agree,
    and so does parsing them written plain."""
    if annotation_writer._PLAIN_TOKEN.fullmatch(value):
        assert annotation_writer._checked_style(value) == ""
        assert annotation_writer._plain_reads_back(value)
    if annotation_writer._ISO_DAY.fullmatch(value):
        assert annotation_writer._checked_style(value) == "'"
    assert annotation_writer._style.__wrapped__(value) == annotation_writer._checked_style(value)


class _Text(str):
    pass


def test_the_line_caches_tell_types_apart() -> None:
    """The caches of rendered lines match 1 with True and "a" with a str subclass: only the
    built-in types may reach them."""
    for value, line in [(1, "k: 1\n"), (True, "k: true\n"), (1.0, "k: 1.0\n"),
                        ("battle-attack", "k: battle-attack\n")]:
        assert f"\n{line}" in (new_file_text(SCHEMA_COMMENT, {"k": value, "events": []}) or "")
        assert f"  - {line}" in (new_file_text(SCHEMA_COMMENT, {"k": [{"k": value}]}) or "")
    assert new_file_text(SCHEMA_COMMENT, {"k": _Text("battle-attack")}) is None
    assert new_file_text(SCHEMA_COMMENT, {"k": [_Text("battle-attack")]}) is None


@pytest.fixture(scope="module")
def seeds_project(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = tmp_path_factory.mktemp("project")
    for folder in ("codebook", "seeds"):
        shutil.copytree(ROOT / folder, root / folder)
    (root / "annotations").mkdir()
    return Workspace(Project(root))


def test_new_files_of_the_seeds_are_those_ruamel_writes(seeds_project: Workspace,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    ws = seeds_project
    rules = load_rules(ws.project.rules_dir, ws.codebook)
    docs = [d.id for d in ws.registry.data.documents]

    def new_files() -> list[str]:
        return [merge_suggestions(ws.project.annotations_dir / f"{doc}.yaml", doc,
                                  ws.registry.by_id[doc].sha256, suggestions,
                                  codebook_version="1.0.0", coder="ada", dry_run=True).after
                for doc, suggestions in extract_documents(ws, docs, rules)]

    fast = new_files()
    monkeypatch.setattr(annotate, "new_file_text", lambda comment, document: None)
    assert fast == new_files()
    assert any("events:\n  - id: s-" in text for text in fast)
