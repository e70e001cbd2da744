"""Casualties: outcome and group cues, coordination, "dont" breakdowns and the killed total."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sahelevents.extract.fatalities import CasualtyMention, find_casualties, killed_total
from sahelevents.extract.numbers import QuantityMention

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
VAGUE = {
    "quelques": 3,
    "plusieurs": 3,
    "une dizaine": 10,
    "de nombreux": 10,
    "des dizaines": 12,
    "une vingtaine": 20,
    "une cinquantaine": 50,
    "une soixantaine": 60,
    "une centaine": 100,
}

SEED_ATTACK = (
    "La double attaque terroriste a causé une soixantaine de morts et une cinquantaine de "
    "blessés dans le camp malien dont 49 civils décédés et 15 militaires."
)
SEED_FLOODS = (
    "Saison des pluies : Les inondations font 23 morts 34 blessés et plus de 20.000 sinistrés"
)

# (text, [(mention text, value, outcome, group, breakdown), ...])
Row = tuple[str, list[tuple[str, int, str, str, bool]]]
CASES: list[Row] = [
    (
        SEED_ATTACK,
        [
            ("une soixantaine de morts", 60, "killed", "unknown", False),
            ("une cinquantaine de blessés", 50, "wounded", "unknown", False),
            ("49 civils décédés", 49, "killed", "civilians", True),
            ("15 militaires", 15, "killed", "military", True),
        ],
    ),
    (
        SEED_FLOODS,
        [
            ("23 morts", 23, "killed", "unknown", False),
            ("34 blessés", 34, "wounded", "unknown", False),
        ],
    ),
    ("au moins 12 morts", [("au moins 12 morts", 12, "killed", "unknown", False)]),
    (
        "12 tués et 5 blessés",
        [
            ("12 tués", 12, "killed", "unknown", False),
            ("5 blessés", 5, "wounded", "unknown", False),
        ],
    ),
    ("3 décès", [("3 décès", 3, "killed", "unknown", False)]),
    ("des dizaines de victimes", [("des dizaines de victimes", 12, "killed", "unknown", False)]),
    ("4 victimes civiles", [("4 victimes civiles", 4, "killed", "civilians", False)]),
    (
        "20 personnes ont perdu la vie",
        [("20 personnes ont perdu la vie", 20, "killed", "unknown", False)],
    ),
    ("5 corps sans vie", [("5 corps sans vie", 5, "killed", "unknown", False)]),
    ("trois villageois sans vie", [("trois villageois sans vie", 3, "killed", "civilians", False)]),
    (
        "15 soldats maliens ont été tués",
        [("15 soldats maliens ont été tués", 15, "killed", "military", False)],
    ),
    ("deux gendarmes tués", [("deux gendarmes tués", 2, "killed", "military", False)]),
    ("sept policiers blessés", [("sept policiers blessés", 7, "wounded", "military", False)]),
    ("6 VDP tués", [("6 VDP tués", 6, "killed", "military", False)]),
    (
        "plusieurs éléments des FAMa ont perdu la vie",
        [("plusieurs éléments des FAMa ont perdu la vie", 3, "killed", "military", False)],
    ),
    ("l'un des soldats a été tué", [("un des soldats a été tué", 1, "killed", "military", False)]),
    (
        "Une dizaine de terroristes neutralisés",
        [("Une dizaine de terroristes neutralisés", 10, "killed", "attackers", False)],
    ),
    ("5 assaillants abattus", [("5 assaillants abattus", 5, "killed", "attackers", False)]),
    ("12 jihadistes tués", [("12 jihadistes tués", 12, "killed", "attackers", False)]),
    ("4 djihadistes tués", [("4 djihadistes tués", 4, "killed", "attackers", False)]),
    ("3 hommes armés tués", [("3 hommes armés tués", 3, "killed", "attackers", False)]),
    (
        "une vingtaine de neutralisés",
        [("une vingtaine de neutralisés", 20, "killed", "attackers", False)],
    ),
    # outcome cue before the quantity
    ("ont tué 7 civils", [("tué 7 civils", 7, "killed", "civilians", False)]),
    ("tuant 3 habitants", [("tuant 3 habitants", 3, "killed", "civilians", False)]),
    (
        "l'enlèvement de 5 personnes",
        [("l'enlèvement de 5 personnes", 5, "abducted", "unknown", False)],
    ),
    # abducted and missing
    ("4 femmes enlevées", [("4 femmes enlevées", 4, "abducted", "civilians", False)]),
    ("3 humanitaires kidnappés", [("3 humanitaires kidnappés", 3, "abducted", "civilians", False)]),
    ("deux otages", [("deux otages", 2, "abducted", "unknown", False)]),
    (
        "12 passagers ont été pris en otage",
        [("12 passagers ont été pris en otage", 12, "abducted", "civilians", False)],
    ),
    ("4 disparus", [("4 disparus", 4, "missing", "unknown", False)]),
    ("9 soldats portés disparus", [("9 soldats portés disparus", 9, "missing", "military", False)]),
    # coordination: a bare group borrows its neighbour's outcome, in either direction
    (
        "12 soldats et 3 civils ont été tués",
        [
            ("12 soldats", 12, "killed", "military", False),
            ("3 civils ont été tués", 3, "killed", "civilians", False),
        ],
    ),
    (
        "Des hommes armés ont tué 7 civils et blessé 3 autres.",
        [
            ("tué 7 civils", 7, "killed", "civilians", False),
            ("blessé 3 autres", 3, "wounded", "unknown", False),
        ],
    ),
    (
        "une soixantaine de morts et une cinquantaine de blessés",
        [
            ("une soixantaine de morts", 60, "killed", "unknown", False),
            ("une cinquantaine de blessés", 50, "wounded", "unknown", False),
        ],
    ),
    # a "dont" part with no outcome of its own takes the total's
    (
        "L'attaque a fait 20 morts, dont 3 enfants.",
        [
            ("20 morts", 20, "killed", "unknown", False),
            ("3 enfants", 3, "killed", "civilians", True),
        ],
    ),
    # not casualties
    ("le recrutement de 24.000 nouveaux soldats et 9000 agents de sécurité", []),
    ("plus de 20.000 sinistrés", []),
    ("Après une mission de 9 ans", []),
    ("trois jours de deuil national depuis le 8 septembre", []),
    ("une peine de 2 ans d'emprisonnement et une amende de 500 000 F cfa", []),
    ("Plus d'une dizaine de refuges terroristes détruite", []),
    ("les réparations aux victimes des crimes", []),
    ("le 7 septembre 2023, 3 véhicules", []),
    ("15 soldats ont été déployés", []),
    ("3 autres pays", []),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_find_casualties(text: str, expected: list[tuple[str, int, str, str, bool]]) -> None:
    found = find_casualties(text, VAGUE)
    got = [(m.text, m.quantity.value, m.outcome, m.group, m.breakdown) for m in found]
    assert got == expected
    _check_spans(text, found)


def test_at_least_and_approximate_come_from_the_quantity() -> None:
    [at_least] = find_casualties("au moins 12 morts", VAGUE)
    assert at_least.quantity.at_least and not at_least.quantity.approximate
    [near] = find_casualties("près de 30 morts", VAGUE)
    assert near.quantity.approximate and not near.quantity.at_least


# (text, total, texts of the mentions used)
TOTALS: list[tuple[str, int, list[str]]] = [
    # a vague total replaced by its exact breakdown (codebook: 64, not 60)
    (SEED_ATTACK, 64, ["49 civils décédés", "15 militaires"]),
    (SEED_FLOODS, 23, ["23 morts"]),
    # an exact total stands; its parts are not added again
    ("20 morts, dont 12 civils et 8 soldats", 20, ["20 morts"]),
    ("20 morts, dont 3 enfants", 20, ["20 morts"]),
    # a vague breakdown does not replace a vague total
    ("une soixantaine de morts dont une dizaine de soldats", 60, ["une soixantaine de morts"]),
    # separate counts are summed; the same figure repeated counts once
    ("5 soldats tués et 3 civils tués", 8, ["5 soldats tués", "3 civils tués"]),
    ("Mali : 23 morts. Les inondations ont fait 23 morts.", 23, ["23 morts"]),
    ("12 morts et 40 blessés", 12, ["12 morts"]),
    ("34 blessés et 3 otages", 0, []),
    ("", 0, []),
]


@pytest.mark.parametrize(("text", "total", "used"), TOTALS)
def test_killed_total(text: str, total: int, used: list[str]) -> None:
    value, mentions = killed_total(find_casualties(text, VAGUE))
    assert (value, [m.text for m in mentions]) == (total, used)


def test_killed_total_of_seed_attack_keeps_the_breakdown_groups() -> None:
    value, used = killed_total(find_casualties(SEED_ATTACK, VAGUE))
    assert value == 64
    assert [(m.quantity.value, m.group, m.breakdown) for m in used] == [
        (49, "civilians", True),
        (15, "military", True),
    ]


def test_killed_total_of_parts_without_a_total() -> None:
    quantity = QuantityMention(5, 7, "12", 12, approximate=False, at_least=False)
    part = CasualtyMention(5, 18, "12 civils tués", quantity, "killed", "civilians", True)
    assert killed_total([part]) == (12, [part])


def test_seed_pages() -> None:
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        _check_spans(text, find_casualties(text, VAGUE))
    seed = (SEEDS / "004_487faec90e07874a.txt").read_text(encoding="utf-8")
    found = [(m.text, m.outcome) for m in find_casualties(seed, VAGUE)]
    assert found == [("23 morts", "killed"), ("34 blessés", "wounded")]
    seed = (SEEDS / "002_6e87b541723d2159.txt").read_text(encoding="utf-8")
    assert killed_total(find_casualties(seed, VAGUE))[0] == 64


# --- properties -------------------------------------------------------------------------------


def _check_spans(text: str, mentions: list[CasualtyMention]) -> None:
    previous_end = 0
    for mention in mentions:
        assert text[mention.start : mention.end] == mention.text
        assert previous_end <= mention.start < mention.end
        assert mention.start <= mention.quantity.start < mention.quantity.end <= mention.end
        assert mention.outcome in {"killed", "wounded", "abducted", "missing"}
        assert mention.group in {"civilians", "military", "attackers", "unknown"}
        previous_end = mention.end


@given(st.text())
def test_any_text_gives_valid_spans(text: str) -> None:
    mentions = find_casualties(text, VAGUE)
    _check_spans(text, mentions)
    total, used = killed_total(mentions)
    assert total == sum(m.quantity.value for m in used)


_WORDS = st.sampled_from(
    ["12", "une dizaine", "morts", "tués", "blessés", "civils", "soldats", "dont", "et", ",",
     "ont été", "au moins", "plus de", "tuant", "enlevés", "l'enlèvement de", "autres", "de",
     "neutralisés", "disparus", "24.000", "sans vie", "victimes", "."]
)  # fmt: skip


@given(st.lists(_WORDS, max_size=16))
def test_casualty_like_text_gives_valid_spans(words: list[str]) -> None:
    text = " ".join(words)
    mentions = find_casualties(text, VAGUE)
    _check_spans(text, mentions)
    total, used = killed_total(mentions)
    assert total == sum(m.quantity.value for m in used)
    assert all(m.outcome == "killed" for m in used)


@given(
    st.integers(1, 10_000),
    st.sampled_from(["morts", "tués", "personnes tuées", "civils tués", "soldats tués"]),
)
def test_a_single_death_toll_is_the_total(count: int, noun: str) -> None:
    text = f"L'attaque a fait {count} {noun} selon un bilan officiel."
    total, used = killed_total(find_casualties(text, VAGUE))
    assert total == count
    assert [m.quantity.value for m in used] == [count]


def test_protesters_and_rioters_are_counted_as_people() -> None:
    killed, used = killed_total(find_casualties("Trois manifestants ont été tués par la police.",
                                                {}))
    assert killed == 3 and used[0].group == "civilians"
    killed, _ = killed_total(find_casualties("Deux émeutiers sont morts.", {}))
    assert killed == 2
