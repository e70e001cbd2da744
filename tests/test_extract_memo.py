"""The per-process memo of sentence-level answers changes no suggestion.

``extract`` reuses what the rules, dates, actors, places and casualty extractors found in a
sentence it saw before (pages repeat sentences). These tests extract the same pages with
the memo off, cold, warm and nearly full (tables emptied every few answers) and expect the
same suggestions every time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from generated_corpus import seed_and_generated_documents

from sahelevents.extract import pipeline
from sahelevents.extract.assemble import Suggestion
from sahelevents.extract.pipeline import Answers, extract
from sahelevents.extract.rules import RuleSet, load_rules
from sahelevents.sentences import Sentence, segment
from sahelevents.suggest import reference_dates
from sahelevents.workspace import Workspace

_Page = tuple[str, str, list[Sentence], dt.date | None, int | None]


@pytest.fixture(scope="module")
def pages(ws: Workspace, tmp_path_factory: pytest.TempPathFactory) -> list[_Page]:
    """The seeds and a generated project of 40 pages, as ``extract`` takes them."""
    found: list[_Page] = []
    for document in seed_and_generated_documents(ws, tmp_path_factory.mktemp("memo") / "p"):
        published, year = reference_dates(document.meta)
        found.append((document.meta.id, document.text,
                      segment(document.meta.id, document.text), published, year))
    return found


@pytest.fixture(scope="module")
def rules(ws: Workspace) -> RuleSet:
    return load_rules(ws.project.rules_dir, ws.codebook)


def _extract_all(ws: Workspace, rules: RuleSet, pages: list[_Page]
                 ) -> list[list[Suggestion]]:
    return [extract(doc, text, sentences, ws.codebook, ws.gazetteer, rules, published, year)
            for doc, text, sentences, published, year in pages]


@pytest.fixture()
def fresh_memo(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(pipeline, "_MEMOS", {})
    yield


def test_the_memo_changes_no_suggestion(ws: Workspace, rules: RuleSet, pages: list[_Page],
                                        fresh_memo: None, monkeypatch: pytest.MonkeyPatch
                                        ) -> None:
    monkeypatch.setattr(pipeline, "MEMO_LIMIT", 0)
    plain = _extract_all(ws, rules, pages)
    assert sum(map(len, plain)) > 40  # the pages do hold events
    for limit in (20_000, 7):
        monkeypatch.setattr(pipeline, "MEMO_LIMIT", limit)
        monkeypatch.setattr(pipeline, "_MEMOS", {})
        assert _extract_all(ws, rules, pages) == plain, f"cold memo, limit {limit}"
        assert _extract_all(ws, rules, pages) == plain, f"warm memo, limit {limit}"
    # In reverse order the memo holds the answers of later pages first.
    monkeypatch.setattr(pipeline, "MEMO_LIMIT", 20_000)
    monkeypatch.setattr(pipeline, "_MEMOS", {})
    assert _extract_all(ws, rules, pages[::-1]) == plain[::-1]


def test_a_repeated_sentence_is_dated_from_its_own_page(ws: Workspace, rules: RuleSet,
                                                        fresh_memo: None) -> None:
    """"Hier" is the day before each page's own publication date, memo or not."""
    text = "Hier, des hommes armés ont attaqué des civils à Mopti, faisant trois morts."
    days = []
    for published in (dt.date(2023, 5, 10), dt.date(2024, 2, 2)):
        suggestions = extract("doc", text, segment("doc", text), ws.codebook, ws.gazetteer,
                              rules, published, None)
        days.append([s.value("event_date") for s in suggestions])
    assert days == [["2023-05-09"], ["2024-02-01"]]


def test_story_dates_read_through_the_memo_are_those_found_directly(
        ws: Workspace, rules: RuleSet, pages: list[_Page], fresh_memo: None) -> None:
    """The teasers' reference dates: the memo's dates (read once per text) or find_dates."""
    memo = pipeline._memo_for(ws.codebook, ws.gazetteer, rules)
    checked = 0
    for _doc, _text, sentences, published, year in pages:
        reader = pipeline._Reader({}, sentences, published, year, memo)
        for story in sorted({s.story for s in sentences}):
            direct = pipeline.story_date_context(story, sentences, published, year)
            assert reader.story_dates(story) == direct
            checked += story > 0 and direct != (published, year)
    assert checked > 10  # teasers with dates of their own or of their neighbours


def test_memo_tables_stay_within_their_limit() -> None:
    computed: list[str] = []

    def compute(key: str) -> str:
        computed.append(key)
        return key.upper()

    table = Answers(compute, 3)
    for key in "abcabcdab":
        assert table[key] == key.upper()
    # a, b, c computed; d finds the table full and starts it again; a and b are gone
    assert computed == ["a", "b", "c", "d", "a", "b"]
    assert len(table) == 3
    off = Answers(compute, 0)
    for key in "aa":
        assert off[key] == "A"
    assert computed[-2:] == ["a", "a"]  # a limit of 0 keeps nothing
    assert not off


def test_memo_answers_cannot_be_changed_by_a_caller(ws: Workspace, rules: RuleSet,
                                                    fresh_memo: None) -> None:
    text = "Le 3 mars 2023, les FAMa ont repoussé une attaque du JNIM à Boni."
    extract("d1", text, segment("d1", text), ws.codebook, ws.gazetteer, rules,
            dt.date(2023, 3, 4), None)
    (memo,) = [entry[3] for entry in pipeline._MEMOS.values()]
    tables = memo.tables()
    assert set(tables) == {"fold", "hits", "countries", "date_expressions", "dates", "actors",
                           "places", "casualties"}
    assert all(tables.values())  # each was asked
    for name, answers in tables.items():
        for answer in answers.values():
            assert isinstance(answer, tuple), name
