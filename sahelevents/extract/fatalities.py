"""Casualty counts in French news text: who was killed, wounded, abducted or went missing.

A casualty is a quantity (see :mod:`sahelevents.extract.numbers`) tied to a casualty word:
an outcome noun after it ("23 morts", "une cinquantaine de blessés"), a group noun followed by
an outcome participle ("49 civils décédés", "3 soldats ont été tués"), or an outcome verb or
noun before it ("tuant 12 civils", "l'enlèvement de 5 personnes"). A group noun with no
outcome of its own borrows one from a coordinated neighbour ("49 civils décédés et
15 militaires"). Anything else ("24.000 nouveaux soldats", "9 ans", "20.000 sinistrés") is not
a casualty.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Final

from sahelevents.extract.numbers import QuantityMention, find_quantities, fold_text

__all__ = ["CASUALTY_CUE", "CasualtyMention", "find_casualties", "killed_total"]


@dataclass(frozen=True, slots=True)
class CasualtyMention:
    """One casualty count; ``text == source[start:end]`` covers the quantity and its cue."""

    start: int
    end: int
    text: str
    quantity: QuantityMention
    outcome: str  # "killed" | "wounded" | "abducted" | "missing"
    group: str  # "civilians" | "military" | "attackers" | "unknown"
    breakdown: bool  # part of a preceding total ("dont 49 civils décédés et 15 militaires")


_END: Final = r"(?!\w)"

# Group nouns (folded text). Order inside each alternation: longest first.
_GROUP_PATTERNS: Final[Mapping[str, str]] = {
    "attackers": (
        r"hommes\s+armes|individus\s+armes|terroristes?|assaillants?|d?jihadistes?"
        r"|islamistes?|insurges?|rebelles?|combattants?|kamikazes?|bandits?\s+armes"
    ),
    "military": (
        r"elements?\s+(?:des\s+fama|des\s+forces(?:\s+armees)?|de\s+l'armee)|militaires?"
        r"|soldats?|gendarmes?|policiers?|vdp|volontaires\s+pour\s+la\s+defense\s+de\s+la\s+patrie"
        r"|fama|fds|casques\s+bleus|gardes?|douaniers?|agents?|membres\s+des\s+forces"
        r"|(?:sous-)?officiers?"
    ),
    "civilians": (
        r"civils?|civiles?|habitants?|villageois|femmes|enfants?|fideles|passagers?"
        r"|orpailleurs?|bergers?|eleveurs?|commercants?|eleves|chauffeurs?|agriculteurs?"
        r"|deplaces|refugies|pelerins?|enseignants?|(?:travailleurs\s+)?humanitaires?"
        r"|ouvriers?|employes?|ressortissants?|touristes?|expatries?|notables?|imams?"
        r"|chefs?\s+(?:de\s+village|coutumiers?|religieux)|conseillers?\s+municipaux|maires?"
        r"|manifestants?|protestataires|marcheurs|grevistes"
    ),
    # "autres" alone ("blessé 3 autres.") only at the end of its phrase: not "2 autres pays".
    "unknown": r"personnes?|individus|hommes|corps|cadavres|emeutiers|d'entre\s+(?:eux|elles)"
    r"|autres(?=\s*(?:[^\w\s]|$)|\s+(?:et|ont|sont|a|y|auraient|seraient|dont)(?!\w))",
}
_GROUP_ORDER: Final = ("attackers", "military", "civilians", "unknown")
_GROUP: Final = "|".join(f"(?P<g_{name}>{_GROUP_PATTERNS[name]}){_END}" for name in _GROUP_ORDER)

# Outcome participles / verb phrases that follow a group noun.
_PARTICIPLES: Final[Mapping[str, str]] = {
    "killed": (
        r"tue(?:e|s|es)?|decede(?:e|s|es)?|morte?s?|assassine(?:e|s|es)?|execute(?:e|s|es)?"
        r"|massacre(?:e|s|es)?|egorge(?:e|s|es)?|calcine(?:e|s|es)?|abattu(?:e|s|es)?"
        r"|neutralise(?:e|s|es)?|peri|succombe|perdu\s+la\s+vie|trouve\s+la\s+mort"
        r"|laisse\s+la\s+vie|sans\s+vie"
        r"|tombe(?:e|s|es)?\s+(?:au\s+combat|sur\s+le\s+champ\s+d'honneur)"
    ),
    "wounded": r"blesse(?:e|s|es)?",
    "abducted": (
        r"enleve(?:e|s|es)?|kidnappe(?:e|s|es)?|pris(?:es?)?\s+en\s+otages?"
        r"|sequestre(?:e|s|es)?"
    ),
    "missing": r"(?:porte(?:e|s|es)?\s+)?disparu(?:e|s|es)?",
}
_OUTCOME_ORDER: Final = ("killed", "wounded", "abducted", "missing")
_PARTICIPLE: Final = "|".join(
    f"(?P<p_{name}>{_PARTICIPLES[name]}){_END}" for name in _OUTCOME_ORDER
)
# Outcome nouns that directly follow the quantity ("23 morts", "une dizaine de victimes").
_NOUNS: Final[Mapping[str, str]] = {
    "killed": r"morts?|tues|victimes?|deces|cadavres|corps\s+sans\s+vie|neutralises|abattus",
    "wounded": r"blesses?",
    "abducted": r"otages?|enleves|kidnappes",
    "missing": r"(?:portes\s+)?disparus",
}
_NOUN: Final = "|".join(f"(?P<n_{name}>{_NOUNS[name]}){_END}" for name in _OUTCOME_ORDER)
# An outcome noun may carry its group as an adjective: "victimes civiles", "morts militaires".
_NOUN_GROUP: Final = rf"(?:\s+(?:(?P<a_civilians>civil(?:e)?s?)|(?P<a_military>militaires)){_END})?"

# Words allowed between a quantity and its noun: "de nos soldats", "des assaillants".
_FILLER: Final = (
    r"\s*(?:d'|de\s+|des\s+|du\s+|parmi\s+les\s+)?"
    r"(?:(?:nos|leurs|ses|autres|jeunes|nouveaux|nouvelles|pauvres|innocents|innocentes"
    r"|paisibles|presumes|presumees|simples)\s+){0,2}"
)
# An auxiliary before a participle: "ont été tués", "auraient tous été enlevés".
_AUX: Final = (
    r"(?:(?:ont|a|auraient|aurait|avaient|avait|sont|est|seraient|serait|etaient|etait"
    r"|y\s+ont|y\s+a)\s+(?:(?:tous|toutes|ete|malheureusement|egalement|aussi)\s+){0,2})?"
)
# Up to three plain words between the group noun and its participle ("15 soldats maliens
# ont été tués", "3 civils de la commune enlevés"), never across a coordination.
_GAP: Final = r"(?:\s+(?!(?:et|ou|dont|mais|ainsi)(?!\w))[^\W\d_]+(?:'[^\W\d_]+)?){0,3}?"

_AFTER_RE: Final = re.compile(
    rf"{_FILLER}(?:{_NOUN}){_NOUN_GROUP}"
    rf"|{_FILLER}(?:{_GROUP})(?:{_GAP}\s+{_AUX}(?:{_PARTICIPLE}))?",
)
# An outcome cue just before the quantity: "tuant 12 civils", "l'enlèvement de 5 personnes".
_BEFORE: Final[Mapping[str, str]] = {
    "killed": (
        r"tu(?:ant|e|er|ent)|abattu|abattant|execute|executant|neutralise|neutralisant"
        r"|assassine|massacre|coute\s+la\s+vie\s+a|(?:la\s+)?mort\s+de|(?:le\s+)?deces\s+de"
        r"|l'assassinat\s+de|(?:le\s+)?massacre\s+de"
    ),
    "wounded": r"bless(?:ant|e|er|ent)",
    "abducted": (
        r"enlev(?:ant|e|er|ent)|kidnapp(?:ant|e|er|ent)|l'enlevement\s+de|(?:le\s+)?rapt\s+de"
        r"|pris\s+en\s+otage|(?:la\s+)?prise\s+en\s+otage\s+de|sequestr(?:ant|e)"
    ),
    "missing": r"(?:la\s+)?disparition\s+de",
}
_BEFORE_RE: Final = re.compile(
    r"(?<!\w)(?:"
    + "|".join(f"(?P<b_{name}>{_BEFORE[name]})" for name in _OUTCOME_ORDER)
    + r")\s+$",
)
_BEFORE_WINDOW: Final = 40  # longer than any cue, so the anchored search sees all of it
_BREAKDOWN_RE: Final = re.compile(
    r"(?<!\w)(?:dont|parmi\s+(?:lesquels|lesquelles|eux|elles|les\s+victimes|les\s+morts))"
    r"\s*,?\s*$",
)
# Coordination between two counts: "49 civils décédés et 15 militaires", "12 soldats, 3 civils".
_COORD_RE: Final = re.compile(r"\s*(?:[,;]\s*)?(?:(?:et|ainsi\s+que|ou)\s+)?")
#: What a casualty cue after a quantity looks like (see :func:`_read`).
CASUALTY_CUE: Final = _AFTER_RE
_ATTACH_WINDOW: Final = 200  # a "dont" part belongs to a total at most this far back
_KILLED_ATTACKERS_RE: Final = re.compile(r"neutralis|abattu")


@dataclass(frozen=True, slots=True)
class _Partial:
    """A quantity with whatever cues were found around it; outcome may still be missing."""

    start: int
    end: int
    quantity: QuantityMention
    outcome: str | None
    group: str | None
    breakdown: bool


def _named(match: re.Match[str], prefix: str) -> str | None:
    for name, value in match.groupdict().items():
        if value is not None and name.startswith(prefix):
            return name.removeprefix(prefix)
    return None


def _read(folded: str, quantity: QuantityMention) -> _Partial | None:
    """Cues around one quantity, or None when it is plainly not about people."""
    start, end = quantity.start, quantity.end
    after = _AFTER_RE.match(folded, end)
    if after is None:
        return None
    outcome = _named(after, "n_") or _named(after, "p_")
    group = _named(after, "g_") or _named(after, "a_")
    before = _BEFORE_RE.search(folded, max(0, start - _BEFORE_WINDOW), start)
    if before is not None:
        start = before.start()
        outcome = outcome or _named(before, "b_")
    if (
        group is None
        and outcome is not None
        and _KILLED_ATTACKERS_RE.search(folded, start, after.end())
    ):
        group = "attackers"  # "neutralisés"/"abattus" with no group noun name the attackers
    breakdown = _BREAKDOWN_RE.search(
        folded, max(0, quantity.start - _BEFORE_WINDOW), quantity.start
    )
    return _Partial(start, after.end(), quantity, outcome, group, breakdown is not None)


def _coordinated(folded: str, left: _Partial, right: _Partial) -> bool:
    return _COORD_RE.fullmatch(folded, left.end, right.start) is not None


def _resolve(folded: str, partials: list[_Partial]) -> list[_Partial]:
    """Fill missing outcomes from coordinated neighbours; propagate "dont" along the list."""
    resolved = list(partials)
    for i in range(1, len(resolved)):
        cur, prev = resolved[i], resolved[i - 1]
        if not _coordinated(folded, prev, cur) or cur.outcome not in (None, prev.outcome):
            continue
        # "dont 49 civils décédés et 15 militaires": the whole list is the breakdown, and the
        # bare "15 militaires" shares the outcome stated for the 49.
        outcome = cur.outcome or prev.outcome
        resolved[i] = replace(cur, outcome=outcome, breakdown=cur.breakdown or prev.breakdown)
    # "12 soldats et 3 civils ont été tués": the first borrows from the second.
    for i in range(len(resolved) - 2, -1, -1):
        cur, nxt = resolved[i], resolved[i + 1]
        if cur.outcome is None and nxt.outcome is not None and _coordinated(folded, cur, nxt):
            resolved[i] = replace(cur, outcome=nxt.outcome)
    # "60 morts dont 3 enfants": a breakdown part borrows the outcome of the total before it.
    for i, cur in enumerate(resolved):
        if cur.outcome is not None or not cur.breakdown:
            continue
        for prev in reversed(resolved[:i]):
            if prev.outcome is not None and cur.start - prev.end <= _ATTACH_WINDOW:
                resolved[i] = replace(cur, outcome=prev.outcome)
                break
    return resolved


def find_casualties(text: str, vague_quantities: Mapping[str, int]) -> list[CasualtyMention]:
    """All casualty counts in ``text``, sorted and non-overlapping.

    ``vague_quantities`` is passed to :func:`~sahelevents.extract.numbers.find_quantities`.
    """
    folded = fold_text(text)
    partials: list[_Partial] = []
    last_end = 0
    for quantity in find_quantities(text, vague_quantities):
        if quantity.start < last_end:
            continue  # already inside the previous mention's noun phrase
        partial = _read(folded, quantity)
        if partial is None:
            continue
        if partial.start < last_end:  # a leading cue may not reach into the previous mention
            partial = replace(partial, start=quantity.start)
        partials.append(partial)
        last_end = partial.end
    mentions: list[CasualtyMention] = []
    for partial in _resolve(folded, partials):
        if partial.outcome is None:
            continue  # a group with no outcome anywhere: "24.000 nouveaux soldats"
        mentions.append(
            CasualtyMention(
                partial.start,
                partial.end,
                text[partial.start : partial.end],
                partial.quantity,
                partial.outcome,
                partial.group or "unknown",
                partial.breakdown,
            )
        )
    return mentions


def killed_total(mentions: Sequence[CasualtyMention]) -> tuple[int, list[CasualtyMention]]:
    """Number killed and the mentions it was computed from, the ACLED conservative way.

    Each "dont" part is attached to the nearest preceding non-breakdown killed total (within
    a few sentences). When that total is vague ("une soixantaine", "près de 60") and all its
    parts are exact, the exact sum of the parts replaces it (60 -> 49 + 15 = 64); otherwise
    the total stands and its parts are not added again. Separate totals are summed, counting
    a repeated (value, group) once: a headline and its body usually repeat the same figure.
    """
    killed = sorted((m for m in mentions if m.outcome == "killed"), key=lambda m: m.start)
    totals: list[tuple[CasualtyMention | None, list[CasualtyMention]]] = []
    for mention in killed:
        head = totals[-1][0] if totals else None
        if mention.breakdown and head is not None and mention.start - head.end <= _ATTACH_WINDOW:
            totals[-1][1].append(mention)
        elif mention.breakdown:
            totals.append((None, [mention]))  # parts with no announced total count alone
        else:
            totals.append((mention, []))
    used: list[CasualtyMention] = []
    seen: set[tuple[int, str]] = set()
    total = 0
    for head, parts in totals:
        exact_parts = bool(parts) and not any(p.quantity.approximate for p in parts)
        if head is None or (head.quantity.approximate and exact_parts):
            chosen = parts
        else:
            key = (head.quantity.value, head.group)
            if key in seen:
                continue  # the same figure reported again
            seen.add(key)
            chosen = [head]
        total += sum(m.quantity.value for m in chosen)
        used.extend(chosen)
    return total, used
