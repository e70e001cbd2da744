"""The extractor's second round of shortcuts give what the plain computations give.

Each shortcut is compared with the straightforward computation it replaces, written here:
on the seeds, on a generated corpus, and on generated text.

* ``fold_for_match``'s identity mapping as a range and ``fold_with_map``'s translation
  table for text beyond its fast path;
* the country scan's search for the first words of country names in the folded sentence;
* the date patterns' tests for the words they need (anchor hints, per-pattern tests);
* the quantity patterns' digit tests, the digit pattern written to start with a digit, the
  vague quantities' words looked for first and their cached pattern;
* the casualty cues' words, looked for before any quantity;
* the case-sensitive place cues on ASCII text;
* the actor roles' searches, tried only when the words they need are there.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator

import pytest
from generated_corpus import seed_and_generated_sentences
from hypothesis import given, settings
from hypothesis import strategies as st

from sahelevents import textnorm
from sahelevents.extract import actors, dates, fatalities, numbers, pipeline, places
from sahelevents.extract.numbers import fold_text
from sahelevents.extract.rules import fold_for_match
from sahelevents.sentences import Sentence
from sahelevents.workspace import Workspace


@pytest.fixture(scope="module")
def corpus_sentences(ws: Workspace, tmp_path_factory: pytest.TempPathFactory
                     ) -> list[Sentence]:
    return seed_and_generated_sentences(ws, tmp_path_factory.mktemp("speed") / "p")


_FRENCH = st.text(alphabet="abcdeéèêàçôùœ ABCÉÀ’'«»-–\u00a0\t\n0123456789.,©`ﬁŉß", max_size=60)


# -- Folding --------------------------------------------------------------------------------


def _plain_fold_for_match(text: str) -> tuple[str, list[int]]:
    """fold_with_map, then every space that follows a space dropped, with its offset
    (stated by position, independently of how fold_for_match walks the text)."""
    folded, mapping = textnorm.fold_with_map(text)
    kept = [i for i, char in enumerate(folded)
            if not (char == " " and i > 0 and folded[i - 1] == " ")]
    return "".join(folded[i] for i in kept), [mapping[i] for i in kept] + [mapping[-1]]


@settings(max_examples=500)
@given(text=st.text(max_size=60) | _FRENCH)
def test_fold_for_match_equals_its_plain_definition(text: str) -> None:
    folded, mapping = fold_for_match(text)
    assert (folded, list(mapping)) == _plain_fold_for_match(text)


def test_fold_for_match_on_real_sentences(corpus_sentences: list[Sentence]) -> None:
    for sentence in corpus_sentences:
        folded, mapping = fold_for_match(sentence.text)
        assert (folded, list(mapping)) == _plain_fold_for_match(sentence.text)


def _characters(low: int, high: int) -> Iterator[str]:
    for code in range(low, high):
        if not 0xD800 <= code < 0xE000:
            yield chr(code)


# -- Country names --------------------------------------------------------------------------

_WORD_CHAR = re.compile(r"[\w'-]")


def _fold_per_character(char: str) -> str:
    """What fold() makes of one character inside a word (before spaces are handled)."""
    folded = char.translate(textnorm._LATIN)
    if not folded.isascii():
        folded = textnorm._BEYOND_LATIN.sub(lambda found: textnorm._strip_char(found.group()),
                                            folded)
    return folded.casefold()


def test_word_characters_fold_alike_but_for_the_listed_ones() -> None:
    """The country scan's shortcut: fold() and fold_for_match() agree on word characters
    (but for pipeline._FOLD_APART), so a word's folding is in the folded sentence."""
    apart = {char for char in _characters(0, 0x30000)
             if _WORD_CHAR.fullmatch(char)
             and _fold_per_character(char) != textnorm._piece(char)}
    assert apart == set(pipeline._FOLD_APART)


def _plain_country_ranking(sentences: list[Sentence], ws: Workspace) -> dict[int, list[str]]:
    """_country_context without its search for first words: every word of every sentence."""
    cues = places.country_cues(ws.codebook)
    core = {c.iso3 for c in ws.codebook.data.countries if c.scope == "core"}
    longest = max(len(k.split()) for k in cues)
    counts: dict[int, dict[str, int]] = {}
    for sentence in sentences:
        if sentence.kind not in ("title", "heading", "body", "teaser"):
            continue
        counter = counts.setdefault(sentence.story, {})
        words = [textnorm.fold(w) for w in re.findall(r"[\w'-]+", sentence.text)]
        for i in range(len(words)):
            for size in range(longest, 0, -1):
                key = " ".join(words[i:i + size])
                if key in cues:
                    counter[cues[key]] = counter.get(cues[key], 0) + 1
                    break
    page: dict[str, int] = {}
    for counter in counts.values():
        for iso3, count in counter.items():
            page[iso3] = page.get(iso3, 0) + count
    ranked: dict[int, list[str]] = {}
    for story, counter in counts.items():
        found = counter or page
        ranked[story] = sorted(found, key=lambda iso3: (-found[iso3], iso3 not in core, iso3))
    return ranked


def test_country_context_on_real_pages(ws: Workspace, corpus_sentences: list[Sentence]
                                       ) -> None:
    by_doc: dict[str, list[Sentence]] = {}
    for sentence in corpus_sentences:
        by_doc.setdefault(sentence.doc, []).append(sentence)
    for sentences in by_doc.values():
        assert (pipeline._country_context(sentences, ws.codebook)
                == _plain_country_ranking(sentences, ws))


@settings(max_examples=300)
@given(words=st.lists(st.sampled_from(
    ["Mali", "mALI", "Maliens", "Niger", "Nigérien", "Burkina", "Faso", "Côte", "d’Ivoire",
     "d'Ivoire", "Tchad", "ŉMali", "Maliŉ", "ﬁ", "l’armée", "«", "le", "au", "ǅ", "Ⅻ"]),
    max_size=20))
def test_country_context_on_generated_sentences(ws: Workspace, words: list[str]) -> None:
    text = " ".join(words) or "vide"
    sentence = Sentence("doc#s1", "doc", 0, 0, len(text), text, "body", 0, 0)
    assert (pipeline._country_context([sentence], ws.codebook)
            == _plain_country_ranking([sentence], ws))


# -- Dates ----------------------------------------------------------------------------------


# The anchors as one regular expression: what dates._anchors finds from the token scan.
_ANCHOR_REFERENCE = re.compile(
    rf"[0-9]+|(?<!\w)(?:{'|'.join(dates._ANCHOR_WORDS)})(?![a-z])")


def _tokens(folded: str) -> list[tuple[int, int, int]]:
    return dates._TOKEN_FINDER.occurrences(folded)


def _plain_candidates(folded: str, reference: datetime.date | None, year: int | None
                      ) -> list[tuple[int, int, int, object]]:
    """Every pattern on every segment around the anchors, no test first."""
    ctx = dates._Context(reference, year)
    out: list[tuple[int, int, int, object]] = []
    for lo, hi in dates._segments(folded, _tokens(folded)):
        for priority, (pattern, resolve, _tests) in enumerate(dates._PATTERNS):
            for match in pattern.finditer(folded, lo, hi):
                if pattern is dates._MONTH_ONLY_RE and not (
                        match["pre"] or match["y"] or match["last"]):
                    continue
                if pattern is dates._WEEKDAY_RE and dates._HABITUAL_RE.search(
                        folded, max(0, match.start() - 16), match.start()):
                    continue
                try:
                    resolved = resolve(match, ctx)
                except OverflowError:
                    resolved = None
                if resolved is not None and not dates._in_range(resolved):
                    resolved = None
                out.append((match.start(), match.end(), priority, resolved))
    return out


def _assert_same_dates(text: str, reference: datetime.date | None, year: int | None
                       ) -> None:
    folded = fold_text(text)
    tokens = _tokens(folded)
    assert dates._anchors(folded, tokens) == [
        found.span() for found in _ANCHOR_REFERENCE.finditer(folded)]
    for lo, hi in dates._segments(folded, tokens):  # the tokens of a window, as substrings
        window = folded[lo:hi]
        assert {dates._TOKENS[index] for index, start, end in tokens
                if lo <= start and end <= hi} == {t for t in dates._TOKENS if t in window}
    ctx = dates._Context(reference, year)
    segments = dates._segments(folded, tokens)
    assert ([(start, end, priority, dates._resolve(resolve, match, ctx)) for
             start, end, priority, resolve, match in dates._candidates(folded, segments, tokens)]
            == _plain_candidates(folded, reference, year))


def test_date_tests_on_real_sentences(corpus_sentences: list[Sentence]) -> None:
    reference = datetime.date(2024, 5, 17)
    for sentence in corpus_sentences:
        _assert_same_dates(sentence.text, reference, None)


_DATE_WORDS = ["le", "du", "au", "entre", "et", "nuit", "de", "lundi", "Dimanche", "mardi",
               "dernier", "prochain", "12", "1er", "3", "2024", "31", "mai", "Mai", "août",
               "déc.", "sept.", "septembre", "février", "hier", "aujourd'hui", "semaine",
               "passée", "week-end", "mois", "début", "fin", "mi-", "en", "12/05/2024",
               "2024-05-12", "chaque", "tous", "les", ",", "décidé", "dimension", "maintenant",
               "2mai", "G5", "_mai", "mai_", "semaines", "ém", "", "-", "12.05.2024"]


@settings(max_examples=400)
@given(words=st.lists(st.sampled_from(_DATE_WORDS), max_size=14),
       year=st.sampled_from([None, 2023]))
def test_date_tests_on_generated_text(words: list[str], year: int | None) -> None:
    _assert_same_dates(" ".join(words), datetime.date(2024, 5, 17), year)


@settings(max_examples=300)
@given(text=st.text(alphabet="0123456789 /.-_émaidunjvhrs", max_size=40))
def test_date_anchors_on_generated_characters(text: str) -> None:
    _assert_same_dates(text, datetime.date(2024, 5, 17), None)


def _plain_fold_text(text: str) -> str:
    """fold_text as first written: every character beyond ASCII through the table."""
    folded = "".join(numbers._FOLD_TABLE.get(ord(char), char) if not char.isascii() else char
                     for char in text).lower()
    if len(folded) != len(text):
        folded = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in folded)
    return folded


@settings(max_examples=500)
@given(text=st.text(max_size=60) | _FRENCH)
def test_fold_text_equals_its_plain_definition(text: str) -> None:
    assert fold_text.__wrapped__(text) == _plain_fold_text(text)
    assert all(piece.isascii() for piece in numbers._FOLD_TABLE.values())


# -- Quantities -----------------------------------------------------------------------------


@settings(max_examples=300)
@given(text=st.text(alphabet="0123456789 .,milerdsaou", max_size=30))
def test_digit_patterns_need_a_digit(text: str) -> None:
    if numbers._SCALED_RE.search(text) is not None:
        assert numbers._ANY_DIGIT.search(text) is not None and "mill" in text
    if numbers._DIGIT_RE.search(text) is not None:
        assert numbers._ANY_DIGIT.search(text) is not None


# The digit pattern as first written, look-behinds first (re then tries it at every position).
_PLAIN_DIGIT_RE = re.compile(rf"(?<![\w/])(?<![0-9][.,:])(?:{numbers._DIGITS})"
                             r"(?!\w|[.,:/][0-9])")


@settings(max_examples=500)
@given(text=st.text(alphabet="0123456789 .,:/milerdsaouG_\u00e9\u0660", max_size=30))
def test_the_digit_pattern_is_its_plain_form(text: str) -> None:
    assert ([m.span() for m in numbers._DIGIT_RE.finditer(text)]
            == [m.span() for m in _PLAIN_DIGIT_RE.finditer(text)])


def test_the_digit_pattern_on_real_sentences(corpus_sentences: list[Sentence]) -> None:
    for sentence in corpus_sentences:
        folded = fold_text(sentence.text)
        assert ([m.span() for m in numbers._DIGIT_RE.finditer(folded)]
                == [m.span() for m in _PLAIN_DIGIT_RE.finditer(folded)])


@settings(max_examples=300)
@given(words=st.lists(st.sampled_from(
    ["une", "un", "dizaine", "dizaines", "des", "plusieurs", "quelques", "centaines", "bon",
     "nombre", "d'une", "demi-douzaine", "de", "nombreux", "millier", "milliers", "grand",
     "poignee", "beaucoup", "x", "-", "'"]), max_size=8), glue=st.sampled_from([" ", "  ", ""]))
def test_sentences_without_the_vague_words_hold_no_vague_quantity(words: list[str],
                                                                   glue: str) -> None:
    text = glue.join(words)
    for phrases in ({"une dizaine": 10, "plusieurs": 3, "bon nombre": 20},
                    {"d'une centaine": 100}, {"beaucoup": 50, "des milliers": 2000}):
        pattern, _lookup, words = numbers._vague_pattern(phrases)
        assert pattern is not None and words is not None
        if pattern.search(text) is not None:
            assert words.holds_any(text)


def test_the_vague_pattern_follows_a_changed_mapping() -> None:
    phrases = {"une dizaine": 10}
    assert numbers.find_quantities("une dizaine de morts", phrases)[0].value == 10
    phrases["une dizaine"] = 12  # the same mapping, changed: not the cached pattern's table
    assert numbers.find_quantities("une dizaine de morts", phrases)[0].value == 12
    assert numbers._vague_pattern(phrases) == numbers._vague_pattern_of(
        tuple(sorted(phrases.items())))


# -- Place cues -----------------------------------------------------------------------------


def _spans(pattern: re.Pattern[str], text: str) -> list[tuple[tuple[int, int], str | None]]:
    return [(m.span(), m.lastgroup) for m in pattern.finditer(text)]


def test_case_sensitive_cues_on_ascii_text(corpus_sentences: list[Sentence]) -> None:
    assert places._CUE_RE.groups == len(places._CUES)  # lastgroup names the cue
    for sentence in corpus_sentences:
        folded = fold_text(sentence.text)
        if folded.isascii():
            assert _spans(places._CUE_RE_ASCII, folded) == _spans(places._CUE_RE, folded)
            assert _spans(places._AREA_RE_ASCII, folded) == _spans(places._AREA_RE, folded)


@settings(max_examples=300)
@given(text=st.text(alphabet="abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ'-0123456789",
                    max_size=40)
       | st.lists(st.sampled_from(["dans", "la", "region", "de", "pres", "du", "cercle",
                                   "a", "au", "km", "nord", "pays", "Mali", "entre", "et",
                                   "camp", "militaire", "l'est", "sur", "l'axe"]),
                  max_size=12).map(" ".join))
def test_case_sensitive_cues_on_generated_text(text: str) -> None:
    folded = fold_text(text)
    assert _spans(places._CUE_RE_ASCII, folded) == _spans(places._CUE_RE, folded)
    assert _spans(places._AREA_RE_ASCII, folded) == _spans(places._AREA_RE, folded)


# -- Casualties -----------------------------------------------------------------------------


def test_casualties_on_real_sentences(ws: Workspace, corpus_sentences: list[Sentence]) -> None:
    vague = ws.codebook.vague_quantities
    for sentence in corpus_sentences:
        folded = fold_text(sentence.text)
        hint = pipeline._CASUALTY_HINT
        assert hint is not None
        if not hint.holds_any(folded):
            quantities = numbers.find_quantities(sentence.text, vague)
            assert all(fatalities.CASUALTY_CUE.match(folded, q.end) is None
                       for q in quantities)
            assert fatalities.find_casualties(sentence.text, vague) == []


@settings(max_examples=300)
@given(words=st.lists(st.sampled_from(
    ["3", "trois", "une", "dizaine", "de", "morts", "tués", "soldats", "civils", "ont", "été",
     "blessés", "personnes", "dont", "et", "enlevés", "autres", "parmi", "les", "victimes",
     "maison", "attaque"]), max_size=14))
def test_casualties_need_a_hint(ws: Workspace, words: list[str]) -> None:
    text = " ".join(words)
    hint = pipeline._CASUALTY_HINT
    assert hint is not None
    if not hint.holds_any(fold_text(text)):
        assert fatalities.find_casualties(text, ws.codebook.vague_quantities) == []


# -- Actor roles ----------------------------------------------------------------------------


def _plain_role(folded: str, start: int, end: int) -> tuple[str, str]:
    """actors._role with every pattern searched."""
    before = folded[max(0, start - 70):start]
    after = folded[end:end + 90]
    claimed = actors._CLAIMED_BEFORE.search(before)
    if claimed:
        return "claimed", claimed.group().strip()
    agent = actors._AGENT_BEFORE.search(before)
    if agent and not actors._ALLY_BEFORE.search(before):
        return "agent", agent.group().strip()
    target = actors._TARGET_BEFORE.search(before)
    if target:
        return "target", target.group().strip()
    active = actors._AGENT_AFTER.match(after)
    if active:
        return "agent", active.group().strip()
    passive = actors._TARGET_AFTER.match(after)
    if passive:
        return "target", passive.group().strip()
    return "mention", ""


def test_actor_roles_on_real_sentences(corpus_sentences: list[Sentence]) -> None:
    for sentence in corpus_sentences:
        folded = fold_for_match(sentence.text)[0]
        for position in range(0, len(folded) + 1, 7):
            assert actors._role(folded, position, position) == _plain_role(folded, position,
                                                                           position)


@settings(max_examples=300)
@given(words=st.lists(st.sampled_from(
    ["revendiquee", "attribue", "par", "les", "l'armee", "entre", "et", "contre", "visant",
     "le", "camp", "des", "escorte", "appuyes", "sur", "repris", "aux", "oppose", "ont",
     "attaque", "ete", "tues", "X"]), max_size=14))
def test_actor_roles_on_generated_text(words: list[str]) -> None:
    folded = " ".join(words)
    for position in range(len(folded) + 1):
        assert actors._role(folded, position, position) == _plain_role(folded, position,
                                                                       position)
