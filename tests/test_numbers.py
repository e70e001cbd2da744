"""Quantities: digits, French number words, vague phrases, hedges; spans and round trips."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sahelevents.extract.numbers import QuantityMention, find_quantities, fold_text, parse_number

# The shape the codebook provides (codebook.yaml fatalities.vague_quantities, as a mapping).
VAGUE = {
    "une poignée": 3,
    "quelques": 3,
    "plusieurs": 3,
    "une demi-douzaine": 6,
    "une dizaine": 10,
    "de nombreux": 10,
    "bon nombre": 10,
    "une douzaine": 12,
    "des dizaines": 12,
    "plusieurs dizaines": 12,
    "une vingtaine": 20,
    "une cinquantaine": 50,
    "une soixantaine": 60,
    "une centaine": 100,
    "des centaines": 100,
    "plusieurs centaines": 100,
    "un millier": 1000,
    "des milliers": 1000,
}

NBSP, NARROW = "\u00a0", "\u202f"


@pytest.mark.parametrize(
    ("token", "value"),
    [
        ("64", 64),
        ("0", 0),
        ("24.000", 24_000),
        ("24 000", 24_000),
        (f"24{NBSP}000", 24_000),
        (f"24{NARROW}000", 24_000),
        ("1.500.000", 1_500_000),
        ("vingt-trois", 23),
        ("Vingt-Trois", 23),
        ("trois", 3),
        ("un", 1),
        ("une", 1),
        ("cent", 100),
        ("deux cents", 200),
        ("vingt et un", 21),
        ("quatre-vingt-dix", 90),
        ("quatre vingt dix", 90),
        ("soixante et onze", 71),
        ("zéro", 0),
        ("deux mille", 2_000),
        ("2,5 millions", 2_500_000),
        ("3 millions", 3_000_000),
        (" 12 ", 12),
    ],
)
def test_parse_number(token: str, value: int) -> None:
    assert parse_number(token) == value


@pytest.mark.parametrize(
    "token",
    ["", "x", "1er", "2e", "2.5", "2,5", "12:30", "et", "vingt et", "morts", "24.00", "-3"],
)
def test_parse_number_rejects(token: str) -> None:
    assert parse_number(token) is None


# (text, [(mention text, value, approximate, at_least), ...])
QUANTITY_CASES: list[tuple[str, list[tuple[str, int, bool, bool]]]] = [
    ("64 morts", [("64", 64, False, False)]),
    ("plus de 20.000 sinistrés", [("plus de 20.000", 20_000, False, True)]),
    ("au moins 12 morts", [("au moins 12", 12, False, True)]),
    ("près de 300 déplacés", [("près de 300", 300, True, False)]),
    ("environ 40 personnes", [("environ 40", 40, True, False)]),
    ("une soixantaine de morts", [("une soixantaine", 60, True, False)]),
    ("Une Soixantaine de morts", [("Une Soixantaine", 60, True, False)]),
    ("PLUSIEURS blessés", [("PLUSIEURS", 3, True, False)]),
    ("plus d'une dizaine de refuges", [("plus d'une dizaine", 10, True, True)]),
    ("Plus d’une dizaine de refuges", [("Plus d’une dizaine", 10, True, True)]),
    ("des dizaines de victimes", [("des dizaines", 12, True, False)]),
    # Longest phrase first: "plusieurs dizaines", not "plusieurs" + "dizaines".
    ("plusieurs dizaines de morts", [("plusieurs dizaines", 12, True, False)]),
    ("une demi‑douzaine de blessés", [("une demi‑douzaine", 6, True, False)]),
    ("un millier de déplacés", [("un millier", 1000, True, False)]),
    # The article of a vague phrase is not a count of one.
    ("un bon nombre de morts", [("bon nombre", 10, True, False)]),
    ("au moins une dizaine", [("au moins une dizaine", 10, True, True)]),
    ("vingt-trois morts", [("vingt-trois", 23, False, False)]),
    ("vingt et un soldats", [("vingt et un", 21, False, False)]),
    ("quatre-vingt-dix civils", [("quatre-vingt-dix", 90, False, False)]),
    ("trois jours de deuil", [("trois", 3, False, False)]),
    ("deux et trois", [("deux", 2, False, False), ("trois", 3, False, False)]),
    (
        "24.000 nouveaux soldats et 9000 agents",
        [("24.000", 24_000, False, False), ("9000", 9_000, False, False)],
    ),
    (f"24{NARROW}000 soldats", [(f"24{NARROW}000", 24_000, False, False)]),
    ("3 500 personnes", [("3 500", 3_500, False, False)]),
    ("2,5 millions de déplacés", [("2,5 millions", 2_500_000, False, False)]),
    ("23 morts 34 blessés", [("23", 23, False, False), ("34", 34, False, False)]),
    # Clock times, decimals, ordinals and slash dates are not quantities.
    ("28 décembre 2024, 2:31 am", [("28", 28, False, False), ("2024", 2024, False, False)]),
    ("à 18h30 et 06:58", []),
    ("le 1er août", []),
    ("le taux de 2,5 et 3.7", []),
    ("le 13/10/2025", []),
    ("n°2025-4743/MM-SG", [("2025", 2025, False, False), ("4743", 4743, False, False)]),
    ("", []),
]


@pytest.mark.parametrize(("text", "expected"), QUANTITY_CASES)
def test_find_quantities(text: str, expected: list[tuple[str, int, bool, bool]]) -> None:
    found = find_quantities(text, VAGUE)
    assert [(q.text, q.value, q.approximate, q.at_least) for q in found] == expected
    for q in found:
        assert text[q.start : q.end] == q.text


def test_vague_phrases_are_the_callers() -> None:
    assert find_quantities("une dizaine de morts", {}) == [
        QuantityMention(0, 3, "une", 1, approximate=False, at_least=False)
    ]
    assert [q.value for q in find_quantities("Une Douzaine", {"une douzaine": 12})] == [12]
    assert [q.value for q in find_quantities("une  Quinzaine", {"Une quinzaine": 15})] == [15]


def test_fold_text_keeps_length_and_folds() -> None:
    text = "Février, AOÛT, l’armée\u202fİ"
    folded = fold_text(text)
    assert len(folded) == len(text)
    assert folded == "fevrier, aout, l'armee i"


# --- properties -------------------------------------------------------------------------------


def _check_spans(text: str, mentions: list[QuantityMention]) -> None:
    previous_end = 0
    for mention in mentions:
        assert text[mention.start : mention.end] == mention.text
        assert previous_end <= mention.start < mention.end
        previous_end = mention.end


@given(st.text())
def test_any_text_gives_valid_spans(text: str) -> None:
    _check_spans(text, find_quantities(text, VAGUE))


@given(st.text(alphabet="0123456789 .,:/-hunetdixcmlsDIXÉéà\u202f\u00a0'’", max_size=60))
def test_number_like_text_gives_valid_spans(text: str) -> None:
    _check_spans(text, find_quantities(text, VAGUE))


@given(st.text(max_size=30))
def test_parse_number_never_raises(token: str) -> None:
    value = parse_number(token)
    assert value is None or value >= 0


def _group_thousands(value: int, separator: str) -> str:
    return f"{value:,}".replace(",", separator)


@given(st.integers(0, 10**12), st.sampled_from([".", " ", NBSP, NARROW, ""]))
def test_digits_round_trip(value: int, separator: str) -> None:
    written = str(value) if separator == "" else _group_thousands(value, separator)
    assert parse_number(written) == value
    text = f"Le bilan fait état de {written} personnes."
    [mention] = find_quantities(text, VAGUE)
    assert (mention.value, mention.text) == (value, written)


_UNITS = [
    "zéro",
    "un",
    "deux",
    "trois",
    "quatre",
    "cinq",
    "six",
    "sept",
    "huit",
    "neuf",
    "dix",
    "onze",
    "douze",
    "treize",
    "quatorze",
    "quinze",
    "seize",
    "dix-sept",
    "dix-huit",
    "dix-neuf",
]
_TENS = {2: "vingt", 3: "trente", 4: "quarante", 5: "cinquante", 6: "soixante"}


def _below_100(n: int) -> str:
    if n < 20:
        return _UNITS[n]
    tens, unit = divmod(n, 10)
    if tens == 7:
        return "soixante et onze" if unit == 1 else f"soixante-{_UNITS[10 + unit]}"
    if tens == 8:
        return "quatre-vingts" if unit == 0 else f"quatre-vingt-{_UNITS[unit]}"
    if tens == 9:
        return f"quatre-vingt-{_UNITS[10 + unit]}"
    if unit == 0:
        return _TENS[tens]
    return f"{_TENS[tens]} et un" if unit == 1 else f"{_TENS[tens]}-{_UNITS[unit]}"


def spell(n: int) -> str:
    """French spelling of 0..999 (traditional rules: "vingt et un", "quatre-vingts", "cents")."""
    if n < 100:
        return _below_100(n)
    hundreds, rest = divmod(n, 100)
    head = "cent" if hundreds == 1 else f"{_UNITS[hundreds]} cent"
    if rest == 0:
        return head if hundreds == 1 else head + "s"
    return f"{head} {_below_100(rest)}"


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (21, "vingt et un"),
        (71, "soixante et onze"),
        (80, "quatre-vingts"),
        (99, "quatre-vingt-dix-neuf"),
        (200, "deux cents"),
        (201, "deux cent un"),
    ],
)
def test_speller_follows_french_rules(n: int, words: str) -> None:
    assert spell(n) == words


@given(st.integers(0, 999), st.sampled_from([str.lower, str.upper, str.capitalize]))
def test_words_round_trip(value: int, case: Callable[[str], str]) -> None:
    written = case(spell(value))
    assert parse_number(written) == value
    text = f"Le bilan : {written} morts, selon la mairie."
    [mention] = find_quantities(text, VAGUE)
    assert (mention.value, mention.text) == (value, written)
