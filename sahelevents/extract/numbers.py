"""Quantities in French news text: digits, number words and vague phrases, with exact spans.

Every number in the text is reported (years and day numbers included): deciding which ones
count people is the job of :mod:`sahelevents.extract.fatalities`. Only clock times
(``2:31``, ``18h30``), decimals, ordinals (``1er``) and slash dates are skipped, because they
are never counts of anything.

All matching runs on :func:`fold_text`, a same-length folding of the input, so a match's
offsets are offsets into the original string with no mapping table.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import Final

from text_to_num import text2num

from sahelevents.extract.literals import LiteralFinder, literal_alternation, required_literals

__all__ = ["QuantityMention", "find_quantities", "fold_text", "parse_number"]

# text2num is a compiled extension without type information: give it a signature once.
_text2num: Final[Callable[[str, str], int]] = text2num


@dataclass(frozen=True, slots=True)
class QuantityMention:
    """One quantity; ``text == source[start:end]`` and includes a leading hedge ("au moins")."""

    start: int
    end: int
    text: str
    value: int
    approximate: bool  # vague phrase ("une soixantaine") or hedge ("près de", "environ")
    at_least: bool  # "au moins", "plus de", "plus d'une dizaine"


def _build_fold_table() -> dict[int, str]:
    # One character in, one character out: offsets found in the folded text stay valid.
    table: dict[int, str] = {}
    for code in range(0x0080, 0x0250):
        decomposed = unicodedata.normalize("NFD", chr(code))
        if (
            len(decomposed) > 1
            and decomposed[0].isascii()
            and decomposed[0].isalpha()
            and all(unicodedata.combining(ch) for ch in decomposed[1:])
        ):
            table[code] = decomposed[0].lower()
    for char in "\u2019\u2018\u02bc\u2032\u00b4":
        table[ord(char)] = "'"
    for char in "\u00a0\u202f\u2009\u2007\u2002\u2003\u2004\u2005\u2006\u2008\u200a":
        table[ord(char)] = " "
    for char in "\u2010\u2011\u2012\u2013\u2014\u2212":
        table[ord(char)] = "-"
    return table


_FOLD_TABLE: Final[Mapping[int, str]] = _build_fold_table()
_NON_ASCII_RE: Final = re.compile(r"[^\x00-\x7f]")


@lru_cache(maxsize=512)  # dates, quantities, casualties, places and actors fold each sentence
def fold_text(text: str) -> str:
    """Lower-case, strip accents, unify apostrophes, spaces and dashes; ``len`` is preserved.

    Every pattern in this package runs on this folding, so matches are case- and
    accent-insensitive and their offsets index the original text directly. Only non-ASCII
    characters go through the table (a full ``str.translate`` is twice as slow on news text).
    Text in decomposed form (NFD) keeps its combining marks: normalise to NFC first.
    """
    folded = text
    if not text.isascii():
        # Each distinct character beyond ASCII replaced once (every piece is ASCII, so none
        # is replaced twice): 2.9 -> 2.1 µs on a sentence, where a callback per character
        # (re.sub) or a table look-up per character (str.translate) cost more.
        for char in set(_NON_ASCII_RE.findall(text)):
            piece = _FOLD_TABLE.get(ord(char))
            if piece is not None:
                folded = folded.replace(char, piece)
    folded = folded.lower()
    if len(folded) != len(text):
        # A character whose lower case is longer (none left after the table today) would
        # shift every offset; keep such characters as they are.
        folded = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in folded)
    return folded


# Number words text2num understands; matched whole-word on folded text. Written as a trie
# (literal_alternation), which re walks in one pass per position where it tried the
# alternatives one by one; a whole word followed by (?!\w) has one reading, so the order of
# the alternatives never mattered.
_NUMBER_WORDS: Final = literal_alternation((
    "zero", "une", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf",
    "dix", "onze", "douze", "treize", "quatorze", "quinze", "seize", "vingts", "vingt",
    "trente", "quarante", "cinquante", "soixante", "cents", "cent", "mille", "millions",
    "million", "milliards", "milliard"), spaces_match_runs=False)
_WORD: Final = rf"(?:{_NUMBER_WORDS})(?!\w)"
_WORD_RUN_RE: Final = re.compile(rf"(?<!\w){_WORD}(?:(?:\s+|-)(?:et(?:\s+|-))?{_WORD})*")
_TOKEN_RE: Final = re.compile(r"[a-z]+")

# ASCII digits only ([0-9], not \d): other scripts' digits are not numbers in this press.
# Not glued to letters ("1er", "G5", "18h30"), decimals ("2,5"), clock times or slash dates.
_DIGITS: Final = r"[0-9]{1,3}(?:(?:\.| )[0-9]{3})+(?![0-9])|[0-9]+"
# Written to start with the first digit: re skips ahead to a character of a pattern's first
# set, but tries a pattern that starts with an assertion at every position (3.1 -> 1.3 µs on
# a sentence). The look-behinds, moved after that digit, test the same characters before it
# (tests/test_extract_speed_paths.py holds the pattern to the plain one).
_DIGIT_RE: Final = re.compile(
    r"[0-9](?<![\w/][0-9])(?<![0-9][.,:][0-9])"
    r"(?:[0-9]{0,2}(?:(?:\.| )[0-9]{3})+(?![0-9])|[0-9]*)(?!\w|[.,:/][0-9])")
_ANY_DIGIT: Final = re.compile("[0-9]")
_MULTIPLIERS: Final[Mapping[str, int]] = {
    "mille": 1_000,
    "million": 1_000_000,
    "millions": 1_000_000,
    "milliard": 1_000_000_000,
    "milliards": 1_000_000_000,
}
# "2 millions", "2,5 millions de déplacés": a digit count scaled by a word.
_SCALED_RE: Final = re.compile(
    r"(?<![\w/.,:])(?P<num>[0-9]+(?:,[0-9]+)?)\s+(?P<mult>mille|millions?|milliards?)(?!\w)",
)

# Hedges that may precede a quantity; the span of the mention is extended over them.
_AT_LEAST: Final = (
    r"au\s+moins|au\s+minimum|pas\s+moins\s+d(?:e\s+|')|un\s+peu\s+plus\s+d(?:e\s+|')"
    r"|plus\s+d(?:e\s+|')|au\s+bas\s+mot"
)
_APPROX: Final = (
    r"pres\s+d(?:e\s+|')|environ|quelque|autour\s+d(?:e\s+|')|approximativement"
    r"|a\s+peu\s+pres|presque|moins\s+d(?:e\s+|')|jusqu'a"
)
_HEDGE_RE: Final = re.compile(rf"(?<!\w)(?:(?P<least>{_AT_LEAST})|(?P<approx>{_APPROX}))\s*$")
_HEDGE_WINDOW: Final = 32  # longer than any hedge, so the anchored search sees all of it
# Beyond 15 digits a run is an identifier, not a count (and int() refuses over 4300 digits).
_MAX_DIGITS: Final = 15
# More tokens than the longest number phrase ("neuf cent quatre-vingt-dix-neuf mille ...").
_MAX_WORDS: Final = 24


def _digits_value(token: str) -> int | None:
    compact = token.replace(".", "").replace(" ", "")
    if len(compact) > _MAX_DIGITS or not (compact.isascii() and compact.isdigit()):
        return None
    return int(compact)


@lru_cache(maxsize=4096)  # "un", "une", "deux": the same few words in every text
def _words_value(folded: str) -> int | None:
    if not folded.isascii():  # text2num only knows the ASCII spelling we fold to
        return None
    # text2num wants the accent on "zéro" (the only accented French number word).
    tokens = ["zéro" if tok == "zero" else tok for tok in re.split(r"[\s-]+", folded)]
    try:
        return _text2num(" ".join(tokens), "fr")
    except ValueError:
        return None


def _scaled_value(number: str, multiplier: str) -> int | None:
    factor = _MULTIPLIERS.get(multiplier)
    if factor is None:
        return None
    whole, _, fraction = number.partition(",")
    if len(whole) > _MAX_DIGITS or len(fraction) > _MAX_DIGITS:
        return None
    # Integer arithmetic: "2,5 millions" must be exactly 2 500 000, not a float rounding.
    scaled = int(whole) * factor
    if fraction:
        scaled += int(fraction) * factor // 10 ** len(fraction)
    return scaled


_WHOLE_DIGITS_RE: Final = re.compile(rf"(?:{_DIGITS})")
_WHOLE_SCALED_RE: Final = re.compile(r"([0-9]+(?:,[0-9]+)?)\s+(mille|millions?|milliards?)")
_WHOLE_WORDS_RE: Final = re.compile(_WORD_RUN_RE.pattern.removeprefix(r"(?<!\w)"))


def parse_number(token: str) -> int | None:
    """Value of one number token, or ``None``.

    Accepts digits with ``.`` or space thousands separators (``"24.000"``, ``"24 000"`` with
    any Unicode space), number words (``"vingt-trois"``, ``"vingt et un"``, ``"une"``) and a
    digit count scaled by a word (``"2,5 millions"``). Decimals, ordinals and anything else
    give ``None``.
    """
    folded = fold_text(token).strip()
    if _WHOLE_DIGITS_RE.fullmatch(folded):
        return _digits_value(folded)
    scaled = _WHOLE_SCALED_RE.fullmatch(folded)
    if scaled:
        return _scaled_value(scaled.group(1), scaled.group(2))
    if _WHOLE_WORDS_RE.fullmatch(folded):
        return _words_value(folded)
    return None


@dataclass(frozen=True, slots=True)
class _Candidate:
    start: int
    end: int
    value: int
    vague: bool


# The pattern of the vague phrases (None when there are none), their folded-key lookup table,
# and the words one of which every match holds (None: none known).
_VaguePhrases = tuple[re.Pattern[str] | None, dict[str, int], LiteralFinder | None]


def _vague_pattern(phrases: Mapping[str, int]) -> _VaguePhrases:
    """Alternation of the phrases, longest first, a folded-key lookup table, and the words
    that rule out the pattern on most sentences."""
    # Every sentence passes the codebook's one mapping: sorting it for the cache key of
    # _vague_pattern_of each time costs more than comparing it with the last one seen.
    for given, copy, built in _LAST_VAGUE:
        if given is phrases and copy == phrases:
            return built
    built = _vague_pattern_of(tuple(sorted(phrases.items())))
    _LAST_VAGUE[:] = [(phrases, dict(phrases), built)]
    return built


# The mapping last given to _vague_pattern, a copy of it as it was then, and its result.
_LAST_VAGUE: list[tuple[Mapping[str, int], dict[str, int], _VaguePhrases]] = []


@lru_cache(maxsize=8)
def _vague_pattern_of(phrases: tuple[tuple[str, int], ...]) -> _VaguePhrases:
    # One codebook per run: built once per process instead of once per sentence.
    lookup: dict[str, int] = {}
    for phrase, value in phrases:
        key = _phrase_key(fold_text(phrase))
        if key:
            lookup.setdefault(key, value)
    if not lookup:
        return None, lookup, None
    alternatives = []
    for key in sorted(lookup, key=len, reverse=True):
        words = key.replace("'", "' ").split()
        # "d'une": no space needed after an elided article, one or more between other words.
        parts = [re.escape(words[0])]
        for previous, word in pairwise(words):
            parts.append((r"\s*" if previous.endswith("'") else r"\s+") + re.escape(word))
        alternatives.append("".join(parts))
    # The pattern string is stable for a given codebook, so re's own cache compiles it once.
    pattern = re.compile(rf"(?<!\w)(?:{'|'.join(alternatives)})(?!\w)")
    # One native scan for the ~20 words every match holds (0.5 µs) rules the pattern out
    # on four sentences in five, where the pattern is tried at every position (2.8 µs).
    needed = required_literals(pattern)
    return pattern, lookup, None if needed is None else LiteralFinder(needed)


def _phrase_key(folded: str) -> str:
    return " ".join(folded.split()).replace("' ", "'")


def _word_candidates(folded: str, match: re.Match[str]) -> list[_Candidate]:
    """Split a run of number words into the longest pieces text2num accepts."""
    whole = _words_value(match.group())
    if whole is not None:
        return [_Candidate(match.start(), match.end(), whole, vague=False)]
    # "deux et trois", "un un": parse greedily from the left, longest prefix first.
    tokens = list(_TOKEN_RE.finditer(folded, match.start(), match.end()))
    found: list[_Candidate] = []
    i = 0
    while i < len(tokens):
        # Bounded look-ahead keeps a pathological run ("un un un ...") linear.
        for j in range(min(len(tokens), i + _MAX_WORDS), i, -1):
            first, last = tokens[i], tokens[j - 1]
            if first.group() == "et" or last.group() == "et":
                continue
            value = _words_value(folded[first.start() : last.end()])
            if value is not None:
                found.append(_Candidate(first.start(), last.end(), value, vague=False))
                i = j
                break
        else:
            i += 1
    return found


def _is_article_of(folded: str, cand: _Candidate, vague_starts: set[int]) -> bool:
    """True for the "un" of "un bon nombre": an article before a vague phrase, not a count."""
    if cand.vague or folded[cand.start : cand.end] not in ("un", "une"):
        return False
    following = folded[cand.end : cand.end + 8]
    gap = len(following) - len(following.lstrip())
    return gap > 0 and cand.end + gap in vague_starts


def find_quantities(text: str, vague_quantities: Mapping[str, int]) -> list[QuantityMention]:
    """All quantities in ``text``, sorted and non-overlapping.

    ``vague_quantities`` maps lower-case French phrases ("une dizaine": 10) to the value the
    codebook assigns them; they are matched case- and accent-insensitively, longest first.
    """
    folded = fold_text(text)
    candidates: list[_Candidate] = []
    pattern, lookup, words = _vague_pattern(vague_quantities)
    if pattern is not None and (words is None or words.holds_any(folded)):
        for match in pattern.finditer(folded):
            value = lookup.get(_phrase_key(match.group()))
            if value is not None:
                candidates.append(_Candidate(match.start(), match.end(), value, vague=True))
    # Both patterns need a digit, which most sentences lack (and the scaled one "mill").
    if _ANY_DIGIT.search(folded) is not None:
        if "mill" in folded:
            for match in _SCALED_RE.finditer(folded):
                value = _scaled_value(match.group("num"), match.group("mult"))
                if value is not None:
                    candidates.append(_Candidate(match.start(), match.end(), value,
                                                 vague=False))
        for match in _DIGIT_RE.finditer(folded):
            value = _digits_value(match.group())
            if value is not None:
                candidates.append(_Candidate(match.start(), match.end(), value, vague=False))
    for match in _WORD_RUN_RE.finditer(folded):
        candidates.extend(_word_candidates(folded, match))

    # Earliest start wins, then the longest: "une dizaine" beats "une", "2 millions" beats "2".
    candidates.sort(key=lambda c: (c.start, -c.end, not c.vague))
    vague_starts = {c.start for c in candidates if c.vague}
    mentions: list[QuantityMention] = []
    last_end = 0
    for cand in candidates:
        if cand.start < last_end or _is_article_of(folded, cand, vague_starts):
            continue
        start, approximate, at_least = cand.start, cand.vague, False
        hedge = _HEDGE_RE.search(folded, max(last_end, cand.start - _HEDGE_WINDOW), cand.start)
        if hedge:
            start = hedge.start()
            at_least = hedge.group("least") is not None
            approximate = approximate or hedge.group("approx") is not None
        mentions.append(
            QuantityMention(
                start, cand.end, text[start : cand.end], cand.value, approximate, at_least
            )
        )
        last_end = cand.end
    return mentions
