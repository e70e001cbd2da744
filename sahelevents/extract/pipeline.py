"""The extractor: a pure function of one document and the codebook, rules and gazetteer.

:func:`extract` reads nothing and writes nothing; every input is picklable, so ``suggest``
can map it over documents in a process pool (and, later, over an archive on a cluster).

Dates are resolved per story. The main article (story 0) uses the publication date the
caller passes (and ``context_year`` for dates written without a year). A teaser (story > 0)
is another article with its own date: it uses its own dateline ("Publié samedi 27 septembre
2025"), else the year of the nearest explicit date among the page's other teasers (a teaser
without a year on a 2025 page is in 2025), and the page's publication date only when the
teasers give no date at all.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from functools import lru_cache
from typing import Any, TypeVar

from sahelevents.codebook import Codebook
from sahelevents.extract.actors import ActorMention, actor_matcher, find_actors
from sahelevents.extract.assemble import Context, Suggestion, assemble, sentence_info
from sahelevents.extract.dates import DateMention, find_dates, resolve_dates, scan_dates
from sahelevents.extract.fatalities import CASUALTY_CUE, CasualtyMention, find_casualties
from sahelevents.extract.literals import LiteralFinder, required_literals
from sahelevents.extract.numbers import fold_text
from sahelevents.extract.places import PlaceMention, country_cues, find_places
from sahelevents.extract.rules import ELIGIBLE_KINDS, CompiledRule, RuleHit, RuleSet, fold_for_match
from sahelevents.gazetteer import Gazetteer
from sahelevents.sentences import Sentence
from sahelevents.textnorm import fold

__all__ = ["extract", "story_date_context"]

_WORD = re.compile(r"[\w'-]+")


def extract(doc_id: str, text: str, sentences: Sequence[Sentence], codebook: Codebook,
            gazetteer: Gazetteer, rules: RuleSet, published: dt.date | None,
            context_year: int | None) -> list[Suggestion]:
    """Event suggestions for one document.

    ``published`` is the latest day the article can report (its publication date, or the
    last day of its month when only the month is known); ``context_year`` is the year for
    dates written without one, when the publication year is uncertain.
    """
    misplaced = next((s.id for s in sentences if text[s.start:s.end] != s.text), None)
    if misplaced is not None:  # offsets would point at the wrong words in every trace
        raise ValueError(f"sentence {misplaced} does not match the text of {doc_id}")
    eligible = [s for s in sentences if s.kind in ELIGIBLE_KINDS]
    memo = _memo_for(codebook, gazetteer, rules)
    countries = _country_context(sentences, codebook, named=memo.countries.__getitem__)
    headlines = _headlines(sentences)
    cues = country_cues(codebook)
    _add_place_countries(countries, eligible, gazetteer, codebook, rules.foreign_places, cues)
    reader = _Reader(countries, sentences, published, context_year, memo)
    hits = memo.hits
    infos = [sentence_info(sentence, sentence.id in headlines, hits[sentence.text, sentence.kind],
                           reader) for sentence in eligible]
    ctx = Context(doc_id, codebook, gazetteer, countries, reader.latest)
    return assemble(infos, ctx)


class _Reader:
    """The extractors of one document (:class:`SentenceReader`): the assembler asks for the
    dates, actors, places and casualties of a sentence when it first needs them."""

    def __init__(self, countries: dict[int, list[str]], sentences: Sequence[Sentence],
                 published: dt.date | None, context_year: int | None,
                 memo: SentenceMemo) -> None:
        self._countries = countries
        self._sentences = sentences
        self._published = published
        self._context_year = context_year
        self._story_dates: dict[int, tuple[dt.date | None, int | None]] = {}
        self._memo = memo

    def story_dates(self, story: int) -> tuple[dt.date | None, int | None]:
        """:func:`story_date_context` of ``story``."""
        if story not in self._story_dates:
            self._story_dates[story] = story_date_context(
                story, self._sentences, self._published, self._context_year,
                dates_of=self._dates_without_reference)
        return self._story_dates[story]

    def _resolved(self, text: str, reference: dt.date | None, year: int | None
                  ) -> tuple[DateMention, ...]:
        # The expressions of a text do not depend on the reference day, which differs from
        # page to page: they are found once per text, and resolved (cheap) per reference;
        # most texts have none, and take no place in the dates table.
        if not self._memo.date_expressions[text]:
            return ()
        return self._memo.dates[text, reference, year]

    def _dates_without_reference(self, text: str) -> Sequence[DateMention]:
        # Teasers and datelines come back on many pages: read through the memo.
        return self._resolved(text, None, None)

    def latest(self, story: int) -> dt.date | None:
        return self.story_dates(story)[0]

    def dates(self, sentence: Sentence) -> tuple[DateMention, ...]:
        # The assembler asks for a story's latest day before any of its dates: the story's
        # reference is known by then.
        known = self._story_dates.get(sentence.story)
        reference, year = known if known is not None else self.story_dates(sentence.story)
        return self._resolved(sentence.text, reference, year)

    def actors(self, sentence: Sentence) -> tuple[ActorMention, ...]:
        return self._memo.actors[sentence.text]

    def places(self, sentence: Sentence) -> tuple[PlaceMention, ...]:
        story_countries = self._countries.get(sentence.story) or self._countries.get(0, [])
        return self._memo.places[sentence.text, tuple(story_countries)]

    def casualties(self, sentence: Sentence) -> tuple[CasualtyMention, ...]:
        return self._memo.casualties[sentence.text]


K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Answers(dict[K, V]):
    """One extractor's answers by key: a key not there yet is computed by ``compute`` and
    kept, at most ``limit`` answers (the table starts again when full; 0 keeps none).

    A dict whose ``__missing__`` computes: an answer already there is found by the dict
    lookup alone, with no Python call (a generic ``memo.get(table, key, compute)`` cost
    more than some of the answers it saved).
    """

    __slots__ = ("_compute", "limit")

    def __init__(self, compute: Callable[[K], V], limit: int) -> None:
        super().__init__()
        self._compute = compute
        self.limit = limit

    def __missing__(self, key: K) -> V:
        value = self._compute(key)
        if self.limit:
            if len(self) >= self.limit:
                self.clear()
            self[key] = value
        return value


class SentenceMemo:
    """The sentence-level extractors of one process, with their answers kept by sentence
    text (and the story's reference date or countries where the answer depends on them).

    Pages repeat sentences: site furniture the segmenter keeps, teasers shown on many pages,
    agency formulas ("Les circonstances exactes de l'incident restent à préciser."); in the
    synthetic benchmark corpus 59% of the eligible sentences of 1,000 pages occur more than
    once. The extractors are pure functions of these keys (and of the codebook, gazetteer
    and rules the memo is built for), and their mentions carry offsets into the sentence, so
    an answer is reused as it is. Each table holds at most ``limit`` answers: memory stays
    flat over any number of documents.
    """

    def __init__(self, codebook: Codebook, gazetteer: Gazetteer, rules: RuleSet,
                 limit: int) -> None:
        matcher = actor_matcher(codebook)
        cues = country_cues(codebook)
        foreign = rules.foreign_places
        vague = codebook.vague_quantities
        #: text -> fold_for_match(text): rules, actors and the country scan read it.
        self.fold = Answers(fold_for_match, limit)
        fold = self.fold
        #: (text, sentence kind) -> rule hits.
        self.hits: Answers[tuple[str, str], tuple[tuple[CompiledRule, RuleHit], ...]] = Answers(
            lambda key: rules.hits(key[0], key[1], fold[key[0]]), limit)
        #: text -> ISO3 of the country names in it.
        self.countries: Answers[str, tuple[str, ...]] = Answers(
            lambda text: _countries_named(text, fold[text][0], codebook), limit)
        #: text -> its date expressions, not resolved.
        self.date_expressions = Answers(scan_dates, limit)
        expressions = self.date_expressions
        #: (text, reference day, year for dates without one) -> resolved dates.
        self.dates: Answers[tuple[str, dt.date | None, int | None], tuple[DateMention, ...]] = (
            Answers(lambda key: tuple(resolve_dates(key[0], expressions[key[0]], key[1],
                                                    context_year=key[2])), limit))
        self.actors: Answers[str, tuple[ActorMention, ...]] = Answers(
            lambda text: tuple(find_actors(text, matcher, fold[text])), limit)
        #: (text, the story's countries) -> places.
        self.places: Answers[tuple[str, tuple[str, ...]], tuple[PlaceMention, ...]] = Answers(
            lambda key: tuple(find_places(key[0], gazetteer, codebook, key[1], foreign,
                                          countries=cues)), limit)
        self.casualties: Answers[str, tuple[CasualtyMention, ...]] = Answers(
            lambda text: _casualties(text, vague), limit)

    def tables(self) -> dict[str, Answers[Any, Any]]:
        return {name: value for name, value in vars(self).items()
                if isinstance(value, Answers)}


def _casualties(text: str, vague: dict[str, int]) -> tuple[CasualtyMention, ...]:
    if _CASUALTY_HINT is not None and not _CASUALTY_HINT.holds_any(fold_text(text)):
        return ()  # no word a casualty cue needs: no quantity is a casualty
    return tuple(find_casualties(text, vague))


#: Answers kept per extractor: under 10 MB over the eight tables. The sentences that repeat
#: are few and come back often, so larger tables save no measurable time (20,000 gave the
#: same CPU on 2,000 pages and held ~4x the memory).
MEMO_LIMIT = 4096
_MEMOS: dict[tuple[int, int, int], tuple[Codebook, Gazetteer, RuleSet, SentenceMemo]] = {}


def _memo_for(codebook: Codebook, gazetteer: Gazetteer, rules: RuleSet) -> SentenceMemo:
    """The memo of these extractors (a run has one set; the objects are kept alive with it,
    so that their ids are not reused)."""
    key = (id(codebook), id(gazetteer), id(rules))
    found = _MEMOS.get(key)
    if found is None:
        if len(_MEMOS) >= 4:
            _MEMOS.clear()
        found = _MEMOS[key] = (codebook, gazetteer, rules,
                               SentenceMemo(codebook, gazetteer, rules, MEMO_LIMIT))
    return found[3]


# Every casualty cue holds one of the literals extract.literals reads from its pattern: a
# sentence with none of them has no casualty, and its quantities need not be looked for.
# One native scan for the ~80 literals (0.7 µs), where their trie pattern took ~4 µs.
_CASUALTY_LITERALS = required_literals(CASUALTY_CUE)
_CASUALTY_HINT = LiteralFinder(_CASUALTY_LITERALS) if _CASUALTY_LITERALS else None


def _add_place_countries(countries: dict[int, list[str]], sentences: Sequence[Sentence],
                         gazetteer: Gazetteer, codebook: Codebook, foreign: Sequence[str],
                         cues: dict[str, str]) -> None:
    """Stories naming no country get the countries of the places they name."""
    page: Counter[str] = Counter()
    found: dict[int, Counter[str]] = {}
    for sentence in sentences:
        if countries.get(sentence.story):
            continue
        for mention in find_places(sentence.text, gazetteer, codebook, (), foreign,
                                   countries=cues):
            if mention.place is not None and not gazetteer.is_ambiguous(mention.place.name):
                found.setdefault(sentence.story, Counter())[mention.place.country] += 1
                page[mention.place.country] += 1
    for story, counter in found.items():
        countries[story] = [iso3 for iso3, _ in counter.most_common()]
    if not countries.get(0) and page:
        countries[0] = [iso3 for iso3, _ in page.most_common()]


def _headlines(sentences: Sequence[Sentence]) -> set[str]:
    """Titles, headings and the first sentence of each teaser story."""
    out = {s.id for s in sentences if s.kind in ("title", "heading")}
    seen: set[int] = set()
    for sentence in sentences:
        if sentence.kind == "teaser" and sentence.story not in seen:
            seen.add(sentence.story)
            out.add(sentence.id)
    return out


# Words repeat across sentences and pages: each is folded once per process.
_fold_word = lru_cache(maxsize=1 << 16)(fold)


@lru_cache(maxsize=4)  # one codebook per run
def _first_words(codebook: Codebook) -> frozenset[str]:
    return frozenset(key.split(" ")[0] for key in country_cues(codebook))


@lru_cache(maxsize=4)  # one codebook per run
def _cue_constants(codebook: Codebook) -> tuple[int, frozenset[str]]:
    """(most words in a country name, the ISO3 of the core countries)."""
    longest = max((len(k.split()) for k in country_cues(codebook)), default=1)
    return longest, frozenset(c.iso3 for c in codebook.data.countries if c.scope == "core")


@lru_cache(maxsize=4)
def _first_word_finder(first_words: frozenset[str]) -> LiteralFinder | None:
    """A search for any of ``first_words`` as a substring (None when one is empty): one
    native scan (~1 µs), where a trie pattern tried at every position took ~5 µs."""
    if not first_words or "" in first_words:
        return None
    return LiteralFinder(first_words)


#: The word characters ([\w'-]) that fold() and fold_for_match() fold differently (fold
#: unifies the apostrophe after NFKD, fold_for_match before): tests/test_extract_speed_*.py
#: checks every character.
_FOLD_APART = frozenset("\u0149")


def _country_context(sentences: Sequence[Sentence], codebook: Codebook,
                     named: Callable[[str], tuple[str, ...]] | None = None
                     ) -> dict[int, list[str]]:
    """Story -> countries (ISO3) named in it, most named first; core countries win ties.

    ``named`` gives the :func:`_countries_named` of a sentence text, when the caller keeps
    them.
    """
    if named is None:

        def named(text: str) -> tuple[str, ...]:
            return _countries_named(text, fold_for_match(text)[0], codebook)

    _longest, core = _cue_constants(codebook)
    counts: dict[int, Counter[str]] = {}
    for sentence in sentences:
        if sentence.kind not in ELIGIBLE_KINDS:
            continue
        found = counts.get(sentence.story)
        if found is None:
            found = Counter()
            counts[sentence.story] = found
        names = named(sentence.text)
        if names:  # most sentences name no country (Counter.update costs a call anyway)
            found.update(names)
    ranked: dict[int, list[str]] = {}
    for story, counter in counts.items():
        ranked[story] = sorted(counter, key=lambda iso3: (-counter[iso3], iso3 not in core,
                                                          iso3))
    page = Counter[str]()
    for counter in counts.values():
        page.update(counter)
    for story in ranked:
        if not ranked[story]:
            ranked[story] = sorted(page, key=lambda iso3: (-page[iso3], iso3 not in core, iso3))
    return ranked


def _countries_named(text: str, folded_text: str, codebook: Codebook) -> tuple[str, ...]:
    """The ISO3 of each country name in a sentence, in order (``folded_text`` is its
    :func:`fold_for_match`)."""
    first_words = _first_words(codebook)
    starts = _first_word_finder(first_words)
    # Most sentences name no country. A name found by the scan below starts with a word of
    # first_words, part of the folding of a word of the sentence; word characters fold
    # alike in fold() and fold_for_match() but for _FOLD_APART, so (spaces aside) that word
    # is in the sentence's fold_for_match: a sentence without any of them is not scanned.
    if (starts is not None and not starts.holds_any(folded_text)
            and _FOLD_APART.isdisjoint(text)):
        return ()
    cues = country_cues(codebook)
    longest, _core = _cue_constants(codebook)
    found: list[str] = []
    words = list(map(_fold_word, _WORD.findall(text)))
    for i, word in enumerate(words):
        if word not in first_words and " " not in word:
            continue  # no country name starts with this word
        for size in range(longest, 0, -1):
            key = " ".join(words[i:i + size])
            if key in cues:
                found.append(cues[key])
                break
    return tuple(found)


def story_date_context(story: int, sentences: Sequence[Sentence], published: dt.date | None,
                       context_year: int | None, *,
                       dates_of: Callable[[str], Sequence[DateMention]] | None = None
                       ) -> tuple[dt.date | None, int | None]:
    """(reference day, year for dates without one) of a story of the page.

    ``dates_of`` gives ``find_dates(text, None)`` of a sentence text, when the caller keeps
    them.
    """
    if story == 0:
        return published, context_year
    if dates_of is None:

        def dates_of(text: str) -> Sequence[DateMention]:
            return find_dates(text, None)

    def explicit(sentence: Sentence) -> list[DateMention]:
        """Dates written with their year in one sentence."""
        return [d for d in dates_of(sentence.text) if d.kind in ("absolute", "range")
                and _YEAR.search(d.text)]

    own_datelines = [d for s in sentences if s.story == story and s.kind == "dateline"
                     for d in explicit(s)]
    if own_datelines:
        day = own_datelines[0].value
        return day, day.year
    own = [d for s in sentences if s.story == story and s.kind in ELIGIBLE_KINDS
           for d in explicit(s)]
    if own:
        return None, own[0].value.year
    # The nearest explicit date among the page's other teasers and their datelines.
    index = min(s.index for s in sentences if s.story == story)
    nearby = sorted(((abs(s.index - index), d) for s in sentences
                     if s.story > 0 and s.story != story for d in explicit(s)),
                    key=lambda pair: pair[0])
    if nearby:
        return None, nearby[0][1].value.year
    return published, context_year


_YEAR = re.compile(r"\d{4}")
