"""How hits and fields become events: stories, headlines, datelines, hierarchy, places."""

from __future__ import annotations

import datetime as dt

import pytest

from sahelevents.extract.assemble import Suggestion, suggestion_key
from sahelevents.extract.pipeline import extract
from sahelevents.extract.rules import RuleSet, load_rules
from sahelevents.sentences import segment
from sahelevents.workspace import Workspace


@pytest.fixture(scope="module")
def rules(ws: Workspace) -> RuleSet:
    return load_rules(ws.project.rules_dir, ws.codebook)


def _run(ws: Workspace, rules: RuleSet, text: str, published: dt.date | None = None
         ) -> list[Suggestion]:
    return extract("doc", text, segment("doc", text), ws.codebook, ws.gazetteer, rules,
                   published, None)


def test_fields_never_cross_a_teaser_boundary(ws: Workspace, rules: RuleSet) -> None:
    text = ("Sécurité au centre\n\n"
            "Des hommes armés ont attaqué le village de Dinangourou, tuant cinq civils.\n\n"
            "Lire aussi : Un autre sujet\n\n"
            "Le 3 mai 2024, une réunion s'est tenue à Bamako.\n")
    kinds = [(s.kind, s.story) for s in segment("doc", text)]
    assert kinds[-1] == ("teaser", 1)
    assert _run(ws, rules, text) == []  # the teaser's date never dates the article's attack


def test_a_dateline_never_dates_an_event(ws: Workspace, rules: RuleSet) -> None:
    text = ("28 décembre 2024, 2:31 am\n\nViolences au centre\n\n"
            "Mardi, des hommes armés ont tué trois villageois à Dinangourou.\n")
    assert _run(ws, rules, text) == []
    (event,) = _run(ws, rules, text, published=dt.date(2024, 5, 10))
    assert event.value("event_date") == "2024-05-07"


def test_a_headline_repeating_the_body_gives_one_event(ws: Workspace, rules: RuleSet) -> None:
    text = ("Attaque contre le poste militaire de Boni\n\n"
            "Le 4 mai 2024, des jihadistes ont attaqué le poste militaire de Boni, tuant deux "
            "soldats.\n")
    (event,) = _run(ws, rules, text)
    assert event.fields["sub_event_type"].sentence == "doc#s2"
    assert event.value("fatalities") == 2


def test_co_occurring_tactics_make_one_event_of_the_highest_type(
        ws: Workspace, rules: RuleSet) -> None:
    text = ("Combats à Boni\n\n"
            "Le 4 mai 2024, des jihadistes ont attaqué le camp militaire de Boni ; l'aviation a "
            "mené des frappes aériennes contre les assaillants.\n")
    (event,) = _run(ws, rules, text)
    assert event.value("sub_event_type") == "Armed clash"
    assert {"battle-attack", "air-strike"} <= set(event.rules)


def test_same_day_in_two_places_gives_two_events(ws: Workspace, rules: RuleSet) -> None:
    text = ("Deux attaques\n\n"
            "Le 4 mai 2024, des hommes armés ont tué deux civils à Djibo. Des hommes armés ont "
            "aussi tué trois civils à Dori.\n")
    events = _run(ws, rules, text)
    assert sorted((e.value("location"), e.value("event_date"), e.value("fatalities"))
                  for e in events) == [("Djibo", "2024-05-04", 2), ("Dori", "2024-05-04", 3)]


def test_keys_are_content_derived_and_stable(ws: Workspace, rules: RuleSet) -> None:
    text = ("Attaque\n\nLe 4 mai 2024, des hommes armés ont tué deux civils à Djibo.\n")
    (first,) = _run(ws, rules, text)
    (again,) = _run(ws, rules, text)
    assert first.key == again.key == suggestion_key(
        "doc", "Attack", [first.value("actor1"), first.value("actor2")], "Djibo", "2024-05-04")
    assert first.local_id == f"s-{first.key[:8]}"


def test_sentences_must_match_the_text(ws: Workspace, rules: RuleSet) -> None:
    text = "Titre\n\nLe 4 mai 2024, des hommes armés ont tué deux civils à Djibo.\n"
    with pytest.raises(ValueError, match="does not match"):
        extract("doc", text.upper(), segment("doc", text), ws.codebook, ws.gazetteer, rules,
                None, None)
