"""Dates in French news text, resolved to calendar days with an ACLED time precision.

Precision follows the ACLED codebook: 1 = exact day, 2 = the week / a few days are known,
3 = only the month is known (month midpoint, or first/last day for "début"/"fin"). Less
precise expressions (a year alone, "l'année dernière") are not reported.

Matching runs on the same-length :func:`~sahelevents.extract.numbers.fold_text`, so accents
and case never matter and every offset is an offset into the caller's text.
"""

from __future__ import annotations

import calendar
import datetime
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from sahelevents.extract.literals import LiteralFinder
from sahelevents.extract.numbers import fold_text

__all__ = ["DateExpression", "DateMention", "find_dates", "resolve_dates", "scan_dates"]

_MIN_YEAR: Final = 1900
_MAX_YEAR: Final = 2100
_WEEK_SPAN: Final = 7  # a range of at most this many days is "week known" (precision 2)


@dataclass(frozen=True, slots=True)
class DateMention:
    """One date expression; ``text == source[start:end]``."""

    start: int
    end: int
    text: str
    value: datetime.date  # resolved date (first day for ranges)
    end_value: datetime.date | None  # last day for ranges, else None
    precision: int  # ACLED time_precision: 1 day, 2 week / few days, 3 month
    kind: str  # "absolute" | "partial" | "relative" | "month" | "range" | "week"


_MONTHS: Final[Mapping[str, int]] = {
    "janvier": 1,
    "fevrier": 2,
    "mars": 3,
    "avril": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "aout": 8,
    "septembre": 9,
    "octobre": 10,
    "novembre": 11,
    "decembre": 12,
    # Abbreviations only with their dot: bare "sept" is the number seven.
    "janv.": 1,
    "fevr.": 2,
    "fev.": 2,
    "avr.": 4,
    "juil.": 7,
    "sept.": 9,
    "oct.": 10,
    "nov.": 11,
    "dec.": 12,
}
_WEEKDAYS: Final[Mapping[str, int]] = {
    "lundi": 0,
    "mardi": 1,
    "mercredi": 2,
    "jeudi": 3,
    "vendredi": 4,
    "samedi": 5,
    "dimanche": 6,
}

_FULL_MONTH: Final = r"(?:janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre"
_FULL_MONTH_RE: Final = _FULL_MONTH + r"|novembre|decembre)(?!\w)"
_MONTH: Final = rf"(?:{_FULL_MONTH_RE}|(?:janv|fevr|fev|avr|juil|sept|oct|nov|dec)\.)"
_WD: Final = r"(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)(?!\w)"
# Day numbers: not part of a longer number, decimal or clock time; "1er" allowed.
_DAY: Final = r"(?<![\w.,:/])[0-9]{1,2}(?:er|re|ᵉʳ)?(?!\w)"
_YEAR: Final = r"[0-9]{4}(?![0-9])"
_LAST: Final = r"derni(?:er|ere)(?!\w)|passee?(?!\w)"

_RANGE_RE: Final = re.compile(
    rf"(?<!\w)(?:(?P<night>nuit)\s+)?(?:du|entre\s+le)\s+(?:(?P<wd1>{_WD})\s+)?(?P<d1>{_DAY})"
    rf"(?:\s+(?P<m1>{_MONTH})(?:\s+(?P<y1>{_YEAR}))?)?"
    rf"\s+(?:au|et\s+le)\s+(?:(?P<wd2>{_WD})\s+)?(?P<d2>{_DAY})\s+(?P<m2>{_MONTH})"
    rf"(?:\s+(?P<y2>{_YEAR})|\s+(?P<last>{_LAST}))?",
)
_FULL_RE: Final = re.compile(
    rf"(?:(?<!\w)(?:ce\s+)?(?P<wd>{_WD}),?\s+)?(?P<d>{_DAY})\s+(?P<m>{_MONTH})"
    rf"(?:,?\s+(?P<y>{_YEAR})|\s+(?P<last>{_LAST}))?",
)
_NUMERIC_RE: Final = re.compile(
    r"(?<![\w.,:/-])(?:(?P<d>[0-9]{1,2})(?P<sep>[/.-])(?P<m>[0-9]{1,2})(?P=sep)(?P<y>[0-9]{4})"
    r"|(?P<iy>[0-9]{4})-(?P<im>[0-9]{2})-(?P<id>[0-9]{2}))(?![0-9]|[/.-][0-9])",
)
# "En novembre 2022", "début mars 2024", "fin mars", "mi-mai", "au mois d'avril", "mai dernier".
_MONTH_ONLY_RE: Final = re.compile(
    r"(?:(?<!\w)(?P<pre>"
    r"(?:au\s+debut|a\s+la\s+fin|a\s+la\s+mi|au\s+cours|courant|fin|debut|au|le)"
    r"(?:\s+du)?\s+mois\s+(?:de\s+|d')"
    r"|(?:au\s+debut|a\s+la\s+fin)\s+(?:de\s+|d')"
    r"|(?:en|depuis|des|debut|fin|courant)\s+"
    r"|(?:a\s+la\s+)?mi\s*-?\s*"
    r"))?"
    rf"(?<!\w)(?P<m>{_FULL_MONTH_RE})(?:\s+(?P<y>{_YEAR})|\s+(?P<last>{_LAST}))?",
)
_RELATIVE_DAY_RE: Final = re.compile(r"(?<![\w-])(?P<rel>avant[-\s]hier|hier|aujourd'\s?hui)(?!\w)")
_NIGHT_RE: Final = re.compile(
    rf"(?<!\w)nuit\s+(?:de|du)\s+(?P<wd1>{_WD})\s+(?:a|au)\s+(?P<wd2>{_WD})"
    rf"(?:\s+(?:{_LAST}))?",
)
_WEEKDAY_RE: Final = re.compile(
    rf"(?<!\w)(?:(?P<ce>ce)\s+)?(?P<wd>{_WD})(?:\s+(?P<mod>{_LAST}|prochain(?!\w)))?"
)
# Habitual weekdays ("chaque lundi", "tous les lundis") are not dates.
_HABITUAL_RE: Final = re.compile(r"(?<!\w)(?:chaque|tous\s+les|le\s+meme)\s+$")
_LAST_WEEK_RE: Final = re.compile(r"(?<!\w)(?:la\s+)?semaine\s+(?:derniere|passee)(?!\w)")
_LAST_WEEKEND_RE: Final = re.compile(r"(?<!\w)(?:le\s+)?week\s*-?\s*end\s+(?:dernier|passe)(?!\w)")
_LAST_MONTH_RE: Final = re.compile(r"(?<!\w)(?:le\s+)?mois\s+(?:dernier|passe)(?!\w)")


@dataclass(frozen=True, slots=True)
class _Resolved:
    value: datetime.date
    end_value: datetime.date | None
    precision: int
    kind: str


@dataclass(frozen=True, slots=True)
class _Context:
    reference: datetime.date | None
    context_year: int | None


def _day_number(raw: str) -> int:
    digits = raw.lower().removesuffix("er").removesuffix("re").removesuffix("ᵉʳ")
    return int(digits)


def _month_number(raw: str) -> int | None:
    return _MONTHS.get(raw.lower())


def _make_date(year: int, month: int, day: int) -> datetime.date | None:
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        return None
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _year_for(month: int, day: int, ctx: _Context) -> int | None:
    """Year of a date written without one (see :func:`find_dates`)."""
    if ctx.context_year is not None:
        return ctx.context_year
    if ctx.reference is None:
        return None
    year = ctx.reference.year
    # Tuple comparison, not date(): "29 février" must not fail before we pick the year.
    if (month, day) > (ctx.reference.month, ctx.reference.day):
        year -= 1
    return year


def _weekday_on_or_before(reference: datetime.date, weekday: int) -> datetime.date:
    return reference - datetime.timedelta(days=(reference.weekday() - weekday) % 7)


def _weekday_before(reference: datetime.date, weekday: int) -> datetime.date:
    return reference - datetime.timedelta(days=(reference.weekday() - weekday) % 7 or 7)


def _weekday_after(reference: datetime.date, weekday: int) -> datetime.date:
    return reference + datetime.timedelta(days=(weekday - reference.weekday()) % 7 or 7)


def _range(match: re.Match[str], ctx: _Context) -> _Resolved | None:
    month2 = _month_number(match["m2"])
    month1 = _month_number(match["m1"]) if match["m1"] else month2
    if month1 is None or month2 is None:
        return None
    day1, day2 = _day_number(match["d1"]), _day_number(match["d2"])
    year2 = int(match["y2"]) if match["y2"] else _year_for(month2, day2, ctx)
    if year2 is None:
        return None
    if match["y1"]:
        year1 = int(match["y1"])
    else:
        # "du 28 décembre au 3 janvier 2024" starts in the previous year.
        year1 = year2 if (month1, day1) <= (month2, day2) else year2 - 1
    first, last = _make_date(year1, month1, day1), _make_date(year2, month2, day2)
    if first is None or last is None or last < first:
        return None
    kind = "absolute" if match["y2"] else "partial"
    if match["night"]:
        # "la nuit du 12 au 13 mai" is one night: ACLED codes the day the night began.
        return _Resolved(first, None, 1, kind)
    precision = 2 if (last - first).days + 1 <= _WEEK_SPAN else 3
    return _Resolved(first, last, precision, "range")


def _full(match: re.Match[str], ctx: _Context) -> _Resolved | None:
    month = _month_number(match["m"])
    if month is None:
        return None
    day = _day_number(match["d"])
    year = int(match["y"]) if match["y"] else _year_for(month, day, ctx)
    if year is None:
        return None
    value = _make_date(year, month, day)
    if value is None:
        return None
    weekday = _WEEKDAYS.get(match["wd"].lower()) if match["wd"] else None
    if not match["y"] and weekday is not None:
        value = _year_agreeing_with(value, weekday)
    return _Resolved(value, None, 1, "absolute" if match["y"] else "partial")


def _year_agreeing_with(value: datetime.date, weekday: int) -> datetime.date:
    """A year-less date whose written weekday disagrees with the guessed year moves to the
    nearest year that agrees ("dimanche 26 octobre" in a 2025 teaser on a 2024 page is
    2025-10-26, a Sunday, not 2024-10-26, a Saturday)."""
    if value.weekday() == weekday:
        return value
    for delta in (1, -1, 2, -2):
        candidate = _make_date(value.year + delta, value.month, value.day)
        if candidate is not None and candidate.weekday() == weekday:
            return candidate
    return value


def _numeric(match: re.Match[str], _ctx: _Context) -> _Resolved | None:
    if match["iy"]:
        value = _make_date(int(match["iy"]), int(match["im"]), int(match["id"]))
    else:
        # French order: day/month/year.
        value = _make_date(int(match["y"]), int(match["m"]), int(match["d"]))
    return None if value is None else _Resolved(value, None, 1, "absolute")


def _month_only(match: re.Match[str], ctx: _Context) -> _Resolved | None:
    month = _month_number(match["m"])
    if month is None:
        return None
    prefix = fold_text(match["pre"] or "").lower()
    if match["y"]:
        year: int | None = int(match["y"])
    elif ctx.context_year is not None:
        year = ctx.context_year
    elif ctx.reference is not None:
        # Compare months, not days: "en mai" written on 10 May is this May, not last year's.
        year = ctx.reference.year - 1 if month > ctx.reference.month else ctx.reference.year
    else:
        year = None
    if year is None:
        return None
    if "debut" in prefix:
        day = 1
    elif "fin" in prefix:
        day = calendar.monthrange(year, month)[1] if _MIN_YEAR <= year <= _MAX_YEAR else 1
    else:
        day = 15  # ACLED: month known only -> its midpoint
    value = _make_date(year, month, day)
    return None if value is None else _Resolved(value, None, 3, "month")


def _relative_day(match: re.Match[str], ctx: _Context) -> _Resolved | None:
    if ctx.reference is None:
        return None
    word = match["rel"].lower()
    back = 2 if word.startswith("avant") else 1 if word == "hier" else 0
    return _Resolved(ctx.reference - datetime.timedelta(days=back), None, 1, "relative")


def _night(match: re.Match[str], ctx: _Context) -> _Resolved | None:
    weekday = _WEEKDAYS.get(match["wd1"].lower())
    if ctx.reference is None or weekday is None:
        return None
    # "dans la nuit de samedi à dimanche": ACLED codes one day, and we take the day the night
    # began (samedi), resolved like a bare weekday: the latest one on or before the reference.
    return _Resolved(_weekday_on_or_before(ctx.reference, weekday), None, 1, "relative")


def _weekday(match: re.Match[str], ctx: _Context) -> _Resolved | None:
    weekday = _WEEKDAYS.get(match["wd"].lower())
    if ctx.reference is None or weekday is None:
        return None
    modifier = (match["mod"] or "").lower()
    if modifier.startswith("prochain"):
        value = _weekday_after(ctx.reference, weekday)
    elif modifier:
        value = _weekday_before(ctx.reference, weekday)  # "jeudi dernier": strictly before
    else:
        value = _weekday_on_or_before(ctx.reference, weekday)  # "(ce) dimanche"
    return _Resolved(value, None, 1, "relative")


def _monday(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def _last_week(_match: re.Match[str], ctx: _Context) -> _Resolved | None:
    if ctx.reference is None:
        return None
    # Thursday is the middle of the previous Monday-Sunday week.
    value = _monday(ctx.reference) - datetime.timedelta(days=4)
    return _Resolved(value, None, 2, "week")


def _last_weekend(_match: re.Match[str], ctx: _Context) -> _Resolved | None:
    if ctx.reference is None:
        return None
    # Saturday of the previous Monday-Sunday week (a Monday's "week-end dernier" = 2 days ago).
    value = _monday(ctx.reference) - datetime.timedelta(days=2)
    return _Resolved(value, None, 2, "week")


def _last_month(_match: re.Match[str], ctx: _Context) -> _Resolved | None:
    if ctx.reference is None:
        return None
    first_of_month = ctx.reference.replace(day=1)
    previous = first_of_month - datetime.timedelta(days=1)
    return _Resolved(previous.replace(day=15), None, 3, "month")


_Resolver = Callable[[re.Match[str], _Context], _Resolved | None]
# Each pattern with tests for substrings every match contains (each test: a tuple of strings,
# one of which the window must hold): they skip the pattern on most windows.
_DIGIT_TOKENS: Final = tuple("0123456789")
_MONTH_TOKENS: Final = ("janv", "fev", "mars", "avr", "mai", "juin", "juil", "aout", "sept",
                        "oct", "nov", "dec")
_FULL_MONTH_TOKENS: Final = ("janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet",
                             "aout", "septembre", "octobre", "novembre", "decembre")
_WEEKDAY_TOKENS: Final = tuple(_WEEKDAYS)
_SEPARATED_DIGITS: Final = tuple(f"{a}{sep}{b}" for a in _DIGIT_TOKENS for sep in "/.-"
                                 for b in _DIGIT_TOKENS)  # "[0-9][/.-][0-9]"
_Tests = tuple[tuple[str, ...], ...]
_PATTERNS: Final[tuple[tuple[re.Pattern[str], _Resolver, _Tests], ...]] = (
    (_RANGE_RE, _range, (_DIGIT_TOKENS, _MONTH_TOKENS, ("du", "entre"))),
    (_FULL_RE, _full, (_DIGIT_TOKENS, _MONTH_TOKENS)),
    (_NUMERIC_RE, _numeric, (_SEPARATED_DIGITS,)),
    (_MONTH_ONLY_RE, _month_only, (_FULL_MONTH_TOKENS,)),
    (_RELATIVE_DAY_RE, _relative_day, (("hier", "aujourd"),)),
    (_NIGHT_RE, _night, (("nuit",), _WEEKDAY_TOKENS)),
    (_WEEKDAY_RE, _weekday, (_WEEKDAY_TOKENS,)),
    (_LAST_WEEK_RE, _last_week, (("semaine",),)),
    (_LAST_WEEKEND_RE, _last_weekend, (("week",),)),
    (_LAST_MONTH_RE, _last_month, (("mois",),)),
)

# Every date expression contains one of these anchors: a run of digits, or one of these words
# standing alone on its left ((?<!\w)) and not followed by a letter. Patterns run only on
# windows around them: news text is mostly not dates, and each full-text regex scan costs as
# much as a parse.
_ANCHOR_WORDS: Final = (
    "janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout", "septembre",
    "octobre", "novembre", "decembre", "janv", "fevr", "fev", "avr", "juil", "sept", "oct",
    "nov", "dec", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
    "hier", "aujourd", "semaine", "week", "mois", "nuit")
# The anchor words and every test's strings, found with their offsets in one Aho-Corasick
# scan of the sentence (overlapping occurrences included): a dozen regex searches per
# sentence and window before.
_TOKEN_FINDER: Final = LiteralFinder([*_ANCHOR_WORDS, *(token for _, _, tests in _PATTERNS
                                                        for test in tests for token in test)])
_TOKENS: Final = _TOKEN_FINDER.literals
_DIGIT_INDEXES: Final = frozenset(_TOKENS.index(digit) for digit in _DIGIT_TOKENS)
_ANCHOR_WORD_INDEXES: Final = frozenset(_TOKENS.index(word) for word in _ANCHOR_WORDS)
_PATTERN_TESTS: Final = tuple(tuple(frozenset(_TOKENS.index(token) for token in test)
                                    for test in tests) for _, _, tests in _PATTERNS)
# Longer than any prefix before the first anchor of an expression ("au début du mois de") or
# suffix after its last one ("dernière"), and than any gap between two of its anchors.
_REACH: Final = 32

_Token = tuple[int, int, int]  # (index in _TOKENS, start, end)


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"  # what re's \w matches in a str pattern


def _anchors(folded: str, tokens: list[_Token]) -> list[tuple[int, int]]:
    """(start, end) of the anchors, in order: runs of digits, and anchor words alone on
    their left and not followed by a letter ([a-z])."""
    spans: list[tuple[int, int]] = []
    digits: list[int] = []
    for index, start, end in tokens:
        if index in _DIGIT_INDEXES:
            digits.append(start)
        elif index in _ANCHOR_WORD_INDEXES and (
                start == 0 or not _is_word_char(folded[start - 1])) and (
                end == len(folded) or not "a" <= folded[end] <= "z"):
            spans.append((start, end))
    if digits:
        digits.sort()
        run_start = previous = digits[0]
        for position in digits[1:]:
            if position != previous + 1:
                spans.append((run_start, previous + 1))
                run_start = position
            previous = position
        spans.append((run_start, previous + 1))
    spans.sort()
    return spans


def _segments(folded: str, tokens: list[_Token]) -> list[tuple[int, int]]:
    """The windows the patterns run on: each anchor with ``_REACH`` characters on both sides,
    overlapping ones merged."""
    out: list[tuple[int, int]] = []
    lo = hi = -1
    for anchor_start, anchor_end in _anchors(folded, tokens):
        start, end = max(0, anchor_start - _REACH), anchor_end + _REACH
        if start > hi:
            if hi >= 0:
                out.append((lo, min(hi, len(folded))))
            lo = start
        hi = max(hi, end)
    if hi >= 0:
        out.append((lo, min(hi, len(folded))))
    return out


def _in_range(resolved: _Resolved) -> bool:
    last = resolved.end_value or resolved.value
    return resolved.value.year >= _MIN_YEAR and last.year <= _MAX_YEAR


def _candidates(folded: str, segments: list[tuple[int, int]], tokens: list[_Token]
                ) -> list[tuple[int, int, int, _Resolver, re.Match[str]]]:
    """(start, end, pattern priority, resolver, match) of every pattern match around the
    anchors (``tokens``: the sentence's :data:`_TOKENS`)."""
    out: list[tuple[int, int, int, _Resolver, re.Match[str]]] = []
    for lo, hi in segments:
        found = {index for index, start, end in tokens if lo <= start and end <= hi}
        for priority, (pattern, resolve, _tests) in enumerate(_PATTERNS):
            # map over a bound method, not a generator: tried for every pattern and window
            if any(map(found.isdisjoint, _PATTERN_TESTS[priority])):
                continue  # a string every match holds is not in the window
            for match in pattern.finditer(folded, lo, hi):
                if pattern is _MONTH_ONLY_RE and not (match["pre"] or match["y"] or match["last"]):
                    continue  # a bare month name ("mars") is not a date
                if pattern is _WEEKDAY_RE and _HABITUAL_RE.search(
                    folded, max(0, match.start() - 16), match.start()
                ):
                    continue
                out.append((match.start(), match.end(), priority, resolve, match))
    return out


def _resolve(resolve: _Resolver, match: re.Match[str], ctx: _Context) -> _Resolved | None:
    try:
        resolved = resolve(match, ctx)
    except OverflowError:  # a reference near date.min/max: nothing to report
        return None
    return resolved if resolved is not None and _in_range(resolved) else None


#: One date expression of a sentence, before it is resolved against a reference day:
#: (start, end, resolver, match).
DateExpression = tuple[int, int, _Resolver, re.Match[str]]


def scan_dates(text: str) -> tuple[DateExpression, ...]:
    """The date expressions of ``text``, sorted and non-overlapping, not yet resolved: what
    :func:`find_dates` finds whatever the reference day (which only changes the dates they
    resolve to, and whether they resolve at all)."""
    folded = fold_text(text)
    tokens = _TOKEN_FINDER.occurrences(folded)
    segments = _segments(folded, tokens) if tokens else []
    if not segments:  # most sentences: no date anywhere
        return ()
    found = sorted(_candidates(folded, segments, tokens), key=lambda c: (c[0], -c[1], c[2]))
    expressions: list[DateExpression] = []
    last_end = 0
    for start, end, _priority, resolve, match in found:
        if start < last_end:
            continue
        # Earliest start, then longest span wins: "vendredi 9 mai" is one mention. A candidate
        # that cannot be resolved (31 février, "hier" with no reference) still claims its span,
        # so no shorter reading of the same words ("février 2024") slips through.
        last_end = end
        expressions.append((start, end, resolve, match))
    return tuple(expressions)


def resolve_dates(text: str, expressions: Iterable[DateExpression],
                  reference: datetime.date | None, *, context_year: int | None = None
                  ) -> list[DateMention]:
    """The dates of :func:`scan_dates`'s ``expressions`` of ``text``, as :func:`find_dates`
    resolves them."""
    ctx = _Context(reference, context_year)
    mentions: list[DateMention] = []
    for start, end, resolve, match in expressions:
        resolved = _resolve(resolve, match, ctx)
        if resolved is not None:
            mentions.append(DateMention(start, end, text[start:end], resolved.value,
                                        resolved.end_value, resolved.precision, resolved.kind))
    return mentions


def find_dates(
    text: str, reference: datetime.date | None, *, context_year: int | None = None
) -> list[DateMention]:
    """All date expressions in ``text``, sorted and non-overlapping.

    ``reference`` is the publication date (relative expressions need it; without it they
    give no mention). A date written without a year takes ``context_year`` when given, else
    the reference's year, stepping back one year if the date would fall after the reference.
    Impossible dates (31 février) and years outside 1900-2100 give no mention.
    """
    return resolve_dates(text, scan_dates(text), reference, context_year=context_year)
