"""Dates: absolute, partial, month, range and relative forms; ACLED precision; spans."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sahelevents.extract.dates import DateMention, find_dates

D = datetime.date
MONDAY = D(2024, 5, 27)  # the Rwanda symposium article (seed 004) was published that day
SEEDS = Path(__file__).resolve().parents[1] / "seeds"

# (text, reference, context_year, [(text, value, end_value, precision, kind), ...])
Row = tuple[str, D | None, int | None, list[tuple[str, D, D | None, int, str]]]
CASES: list[Row] = [
    # absolute
    ("9 mai 2024", None, None, [("9 mai 2024", D(2024, 5, 9), None, 1, "absolute")]),
    (
        "arrivée le jeudi 9 mai 2024 à Nouakchott",
        None,
        None,
        [("jeudi 9 mai 2024", D(2024, 5, 9), None, 1, "absolute")],
    ),
    ("le 1er août 2022", None, None, [("1er août 2022", D(2022, 8, 1), None, 1, "absolute")]),
    ("a voté le 30 juin 2023", None, None, [("30 juin 2023", D(2023, 6, 30), None, 1, "absolute")]),
    (
        "28 décembre 2024, 2:31 am",
        None,
        None,
        [("28 décembre 2024", D(2024, 12, 28), None, 1, "absolute")],
    ),
    ("Arrêté du 13/10/2025", None, None, [("13/10/2025", D(2025, 10, 13), None, 1, "absolute")]),
    ("publié le 2025-10-13", None, None, [("2025-10-13", D(2025, 10, 13), None, 1, "absolute")]),
    (
        "Le 8 août 2022, le ministre",
        None,
        None,
        [("8 août 2022", D(2022, 8, 8), None, 1, "absolute")],
    ),
    (
        "aux évènements du 7 septembre 2023.",
        None,
        None,
        [("7 septembre 2023", D(2023, 9, 7), None, 1, "absolute")],
    ),
    ("le 12 sept. 2023", None, None, [("12 sept. 2023", D(2023, 9, 12), None, 1, "absolute")]),
    (
        "Publié lundi 27 mai 2024 à 06:58",
        None,
        None,
        [("lundi 27 mai 2024", D(2024, 5, 27), None, 1, "absolute")],
    ),
    # accents and case
    ("3 Fevrier 2020", None, None, [("3 Fevrier 2020", D(2020, 2, 3), None, 1, "absolute")]),
    ("3 FÉVRIER 2020", None, None, [("3 FÉVRIER 2020", D(2020, 2, 3), None, 1, "absolute")]),
    ("15 Aout 2021", None, None, [("15 Aout 2021", D(2021, 8, 15), None, 1, "absolute")]),
    # partial: the reference's year, one year back if that would be after the reference
    (
        "les attentats du 7 septembre",
        D(2025, 10, 28),
        None,
        [("7 septembre", D(2025, 9, 7), None, 1, "partial")],
    ),
    (
        "trois jours de deuil depuis le 8 septembre",
        D(2023, 9, 12),
        None,
        [("8 septembre", D(2023, 9, 8), None, 1, "partial")],
    ),
    (
        "ce dimanche 26 octobre des frappes",
        D(2025, 10, 28),
        None,
        [("ce dimanche 26 octobre", D(2025, 10, 26), None, 1, "partial")],
    ),
    (
        "ont pris fin, le jeudi 25 septembre, à l'école",
        D(2025, 9, 29),
        None,
        [("jeudi 25 septembre", D(2025, 9, 25), None, 1, "partial")],
    ),
    (
        "le jeudi 18 septembre dernier",
        D(2025, 9, 22),
        None,
        [("jeudi 18 septembre dernier", D(2025, 9, 18), None, 1, "partial")],
    ),
    ("le 20 décembre", MONDAY, None, [("20 décembre", D(2023, 12, 20), None, 1, "partial")]),
    # context_year wins over the reference (a teaser on a page of a known year)
    ("le 20 décembre", MONDAY, 2022, [("20 décembre", D(2022, 12, 20), None, 1, "partial")]),
    ("le 8 septembre", None, 2023, [("8 septembre", D(2023, 9, 8), None, 1, "partial")]),
    # month precision
    ("En novembre 2022", None, None, [("En novembre 2022", D(2022, 11, 15), None, 3, "month")]),
    (
        "En Novembre 2022, la Russie",
        None,
        None,
        [("En Novembre 2022", D(2022, 11, 15), None, 3, "month")],
    ),
    ("EN NOVEMBRE 2022", None, None, [("EN NOVEMBRE 2022", D(2022, 11, 15), None, 3, "month")]),
    ("novembre 2022", None, None, [("novembre 2022", D(2022, 11, 15), None, 3, "month")]),
    ("en mai dernier", MONDAY, None, [("en mai dernier", D(2024, 5, 15), None, 3, "month")]),
    (
        "en novembre dernier",
        MONDAY,
        None,
        [("en novembre dernier", D(2023, 11, 15), None, 3, "month")],
    ),
    ("début mars 2024", None, None, [("début mars 2024", D(2024, 3, 1), None, 3, "month")]),
    ("fin mars", MONDAY, None, [("fin mars", D(2024, 3, 31), None, 3, "month")]),
    ("fin février 2024", None, None, [("fin février 2024", D(2024, 2, 29), None, 3, "month")]),
    ("à la mi-avril 2023", None, None, [("à la mi-avril 2023", D(2023, 4, 15), None, 3, "month")]),
    ("au mois d'avril", MONDAY, None, [("au mois d'avril", D(2024, 4, 15), None, 3, "month")]),
    (
        "au début du mois de janvier 2024",
        None,
        None,
        [("au début du mois de janvier 2024", D(2024, 1, 1), None, 3, "month")],
    ),
    # ranges: precision 2 up to 7 days, else 3
    (
        "s'est déroulée du 22 au 24 mai dernier à Kigali",
        MONDAY,
        None,
        [("du 22 au 24 mai dernier", D(2024, 5, 22), D(2024, 5, 24), 2, "range")],
    ),
    (
        "tenue à Bamako du 1er au 5 août",
        D(2022, 8, 8),
        None,
        [("du 1er au 5 août", D(2022, 8, 1), D(2022, 8, 5), 2, "range")],
    ),
    (
        "prévue du 25 au 27 mai 2024 à Kigali",
        MONDAY,
        None,
        [("du 25 au 27 mai 2024", D(2024, 5, 25), D(2024, 5, 27), 2, "range")],
    ),
    (
        "du 1er au 20 mai 2024",
        None,
        None,
        [("du 1er au 20 mai 2024", D(2024, 5, 1), D(2024, 5, 20), 3, "range")],
    ),
    (
        "du 28 décembre au 3 janvier 2024",
        None,
        None,
        [("du 28 décembre au 3 janvier 2024", D(2023, 12, 28), D(2024, 1, 3), 2, "range")],
    ),
    (
        "du samedi 25 au dimanche 26 mai 2024",
        None,
        None,
        [("du samedi 25 au dimanche 26 mai 2024", D(2024, 5, 25), D(2024, 5, 26), 2, "range")],
    ),
    (
        "entre le 3 et le 5 mai 2024",
        None,
        None,
        [("entre le 3 et le 5 mai 2024", D(2024, 5, 3), D(2024, 5, 5), 2, "range")],
    ),
    # a night is coded to the day it began
    (
        "dans la nuit du 12 au 13 mai 2024",
        None,
        None,
        [("nuit du 12 au 13 mai 2024", D(2024, 5, 12), None, 1, "absolute")],
    ),
    # relative to the reference (Monday 27 May 2024)
    ("hier", MONDAY, None, [("hier", D(2024, 5, 26), None, 1, "relative")]),
    ("avant-hier", MONDAY, None, [("avant-hier", D(2024, 5, 25), None, 1, "relative")]),
    ("aujourd'hui", MONDAY, None, [("aujourd'hui", MONDAY, None, 1, "relative")]),
    ("aujourd’hui", MONDAY, None, [("aujourd’hui", MONDAY, None, 1, "relative")]),
    ("ce dimanche", MONDAY, None, [("ce dimanche", D(2024, 5, 26), None, 1, "relative")]),
    ("dimanche", MONDAY, None, [("dimanche", D(2024, 5, 26), None, 1, "relative")]),
    ("lundi", MONDAY, None, [("lundi", MONDAY, None, 1, "relative")]),
    ("Mercredi, le ministère", MONDAY, None, [("Mercredi", D(2024, 5, 22), None, 1, "relative")]),
    ("jeudi dernier", MONDAY, None, [("jeudi dernier", D(2024, 5, 23), None, 1, "relative")]),
    ("vendredi dernier", MONDAY, None, [("vendredi dernier", D(2024, 5, 24), None, 1, "relative")]),
    ("lundi dernier", MONDAY, None, [("lundi dernier", D(2024, 5, 20), None, 1, "relative")]),
    ("lundi prochain", MONDAY, None, [("lundi prochain", D(2024, 6, 3), None, 1, "relative")]),
    (
        "dans la nuit de samedi à dimanche",
        MONDAY,
        None,
        [("nuit de samedi à dimanche", D(2024, 5, 25), None, 1, "relative")],
    ),
    (
        "la semaine dernière",
        MONDAY,
        None,
        [("la semaine dernière", D(2024, 5, 23), None, 2, "week")],
    ),
    (
        "la semaine dernière",
        D(2024, 5, 26),  # a Sunday: last week is 13-19 May
        None,
        [("la semaine dernière", D(2024, 5, 16), None, 2, "week")],
    ),
    (
        "le week-end dernier",
        MONDAY,
        None,
        [("le week-end dernier", D(2024, 5, 25), None, 2, "week")],
    ),
    ("le mois dernier", MONDAY, None, [("le mois dernier", D(2024, 4, 15), None, 3, "month")]),
    (
        "le mois dernier",
        D(2024, 1, 3),
        None,
        [("le mois dernier", D(2023, 12, 15), None, 3, "month")],
    ),
    # the seed paragraph: one mention per expression, none for "trois jours"
    (
        "Cette rencontre s'est déroulée du 22 au 24 mai dernier à Kigali. Le ministre a "
        "participé, vendredi dernier, au panel.",
        MONDAY,
        None,
        [
            ("du 22 au 24 mai dernier", D(2024, 5, 22), D(2024, 5, 24), 2, "range"),
            ("vendredi dernier", D(2024, 5, 24), None, 1, "relative"),
        ],
    ),
]


@pytest.mark.parametrize(("text", "reference", "context_year", "expected"), CASES)
def test_find_dates(
    text: str,
    reference: D | None,
    context_year: int | None,
    expected: list[tuple[str, D, D | None, int, str]],
) -> None:
    found = find_dates(text, reference, context_year=context_year)
    assert [(m.text, m.value, m.end_value, m.precision, m.kind) for m in found] == expected
    for m in found:
        assert text[m.start : m.end] == m.text


@pytest.mark.parametrize(
    ("text", "reference"),
    [
        ("le 31 février 2024", MONDAY),  # impossible date: no mention, not "février 2024"
        ("le 30 février", MONDAY),
        ("le 29 février", D(2025, 3, 1)),  # 2025 has no 29 February
        ("le 45 mai 2024", MONDAY),
        ("le 9 mai 1850", MONDAY),  # outside 1900-2100
        ("en mars 2150", MONDAY),
        ("le 32/13/2024", MONDAY),
        ("mars", MONDAY),  # a bare month name is not a date
        ("en 2024", MONDAY),  # a year alone is below ACLED precision
        ("chaque lundi", MONDAY),
        ("tous les dimanches", MONDAY),
        ("la maison du maire", MONDAY),
        ("il est 2:31 am", MONDAY),
        # relative expressions need a reference
        ("hier", None),
        ("vendredi dernier", None),
        ("la semaine dernière", None),
        ("le mois dernier", None),
        ("dans la nuit de samedi à dimanche", None),
        ("le 7 septembre", None),  # no year and nothing to take it from
        ("en mai dernier", None),
    ],
)
def test_no_mention(text: str, reference: D | None) -> None:
    assert find_dates(text, reference) == []


def test_weekday_and_date_are_one_mention() -> None:
    [mention] = find_dates("le vendredi 9 mai 2025", MONDAY)
    assert mention == DateMention(3, 22, "vendredi 9 mai 2025", D(2025, 5, 9), None, 1, "absolute")


def test_partial_date_after_the_reference_steps_back_a_year() -> None:
    [mention] = find_dates("le 28 mai", MONDAY)
    assert mention.value == D(2023, 5, 28)
    [same_day] = find_dates("le 27 mai", MONDAY)
    assert same_day.value == MONDAY


def test_seed_pages() -> None:
    seed = (SEEDS / "002_6e87b541723d2159.txt").read_text(encoding="utf-8")
    found = [(m.text, m.value, m.precision) for m in find_dates(seed, D(2024, 12, 28))]
    assert ("7 septembre 2023", D(2023, 9, 7), 1) in found
    assert ("En Novembre 2022", D(2022, 11, 15), 3) in found
    # "depuis le 8 septembre" takes the year of the nearest explicit date when the caller says so
    [eight] = [m for m in find_dates(seed, None, context_year=2023) if m.text == "8 septembre"]
    assert eight.value == D(2023, 9, 8)
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        _check_spans(text, find_dates(text, MONDAY))


# --- properties -------------------------------------------------------------------------------

MONTH_SPELLINGS = {
    1: ["janvier", "Janvier", "JANVIER", "janv."],
    2: ["février", "fevrier", "Février", "FEVRIER", "févr."],
    3: ["mars", "Mars"],
    4: ["avril", "Avril", "avr."],
    5: ["mai", "Mai"],
    6: ["juin", "JUIN"],
    7: ["juillet", "juil."],
    8: ["août", "aout", "Aout", "AOÛT"],
    9: ["septembre", "Septembre", "sept."],
    10: ["octobre", "oct."],
    11: ["novembre", "Novembre", "nov."],
    12: ["décembre", "decembre", "Décembre", "déc."],
}
WEEKDAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]


def _check_spans(text: str, mentions: list[DateMention]) -> None:
    previous_end = 0
    for mention in mentions:
        assert text[mention.start : mention.end] == mention.text
        assert previous_end <= mention.start < mention.end
        assert 1 <= mention.precision <= 3
        assert 1900 <= mention.value.year <= 2100
        assert mention.end_value is None or mention.end_value >= mention.value
        previous_end = mention.end


@given(
    st.text(),
    st.none() | st.dates(),
    st.none() | st.integers(-10_000, 10_000),
)
def test_any_text_gives_valid_spans(
    text: str, reference: D | None, context_year: int | None
) -> None:
    _check_spans(text, find_dates(text, reference, context_year=context_year))


_DATE_WORDS = st.sampled_from(
    ["du", "au", "le", "en", "fin", "début", "mi-", "dernier", "hier", "nuit", "de", "à", "mai",
     "Août", "samedi", "dimanche", "semaine", "week-end", "mois", "1er", "31", "9", "2024",
     "13/10/2025", "1850", ",", " ", "  ", "\n", "prochain", "ce"]
)  # fmt: skip


@given(st.lists(_DATE_WORDS, max_size=14), st.none() | st.dates())
def test_date_like_text_gives_valid_spans(words: list[str], reference: D | None) -> None:
    text = " ".join(words)
    _check_spans(text, find_dates(text, reference))


@given(
    st.dates(D(1900, 1, 1), D(2100, 12, 31)),
    st.data(),
    st.booleans(),
    st.booleans(),
)
def test_day_month_year_round_trip(
    day: D, data: st.DataObject, with_weekday: bool, with_article: bool
) -> None:
    month = data.draw(st.sampled_from(MONTH_SPELLINGS[day.month]))
    number = "1er" if day.day == 1 and data.draw(st.booleans()) else str(day.day)
    written = f"{number} {month} {day.year}"
    if with_weekday:
        written = f"{WEEKDAYS[day.weekday()]} {written}"
    text = f"{'Le ' if with_article else ''}{written}, des hommes armés ont attaqué."
    [mention] = find_dates(text, None)
    assert (mention.text, mention.value, mention.precision, mention.kind) == (
        written,
        day,
        1,
        "absolute",
    )


@given(st.dates(D(1901, 1, 1), D(2100, 12, 31)), st.dates(D(1901, 1, 1), D(2100, 12, 31)))
def test_partial_dates_resolve_within_a_year_before_the_reference(day: D, reference: D) -> None:
    found = find_dates(f"le {day.day} {MONTH_SPELLINGS[day.month][0]}", reference)
    if not found:  # only 29 February in a year that has none
        assert (day.month, day.day) == (2, 29)
        return
    [mention] = found
    assert (mention.value.month, mention.value.day) == (day.month, day.day)
    assert reference - datetime.timedelta(days=366) < mention.value <= reference


@given(st.dates(D(1901, 1, 1), D(2100, 12, 31)), st.integers(0, 6))
def test_weekdays_resolve_in_the_week_before_the_reference(reference: D, weekday: int) -> None:
    [bare] = find_dates(WEEKDAYS[weekday], reference)
    [last] = find_dates(f"{WEEKDAYS[weekday]} dernier", reference)
    assert bare.value.weekday() == last.value.weekday() == weekday
    assert 0 <= (reference - bare.value).days <= 6
    assert 1 <= (reference - last.value).days <= 7


def test_written_weekday_picks_the_year_that_agrees() -> None:
    # On a page published in May 2024, a 2025 teaser says "ce dimanche 26 octobre":
    # 26 October 2024 is a Saturday, 26 October 2025 a Sunday.
    (mention,) = find_dates("ce dimanche 26 octobre", datetime.date(2024, 5, 27))
    assert mention.value == datetime.date(2025, 10, 26)
    (plain,) = find_dates("le 26 octobre", datetime.date(2024, 5, 27))
    assert plain.value == datetime.date(2023, 10, 26)
