"""Actor mentions: codebook names and aliases found in a sentence, with their role.

An alias is matched as a whole phrase on folded text (see :func:`rules.fold_for_match`);
short all-capital abbreviations ("FAN", "GAT", "EIS") only match in capitals, so that the
French words they spell are not taken for armed groups. The longest alias wins ("Forces
armées maliennes" before "forces armées").

The role comes from French cues around the mention:

============  ==========================================================================
claimed       "revendiqué(e)s par X", "attribué à X": the perpetrator, by its own claim
agent         "par X", "X ont attaqué / ont mené / ont tué", "entre X et ..."
target        "contre X", "visant X", "ciblant X", "frappes sur X", "X ont été tués",
              "le camp des X"
mention       anything else
============  ==========================================================================

Mentions keep the matched alias; the assembler resolves it to the canonical name valid on
the event date and in the article's country (``Codebook.resolve_actor``), so that generic
words such as "civils" or "militaires" become ``Civilians (Mali)`` or ``Military Forces of
Mali (2021-)`` in a Malian story.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from sahelevents.codebook import Codebook
from sahelevents.extract.literals import literal_alternation, required_literals
from sahelevents.extract.numbers import fold_text
from sahelevents.extract.rules import fold_for_match, span_back
from sahelevents.textnorm import fold

__all__ = ["ActorMatcher", "ActorMention", "actor_matcher", "find_actors"]

ROLES = ("claimed", "agent", "target", "mention")


@dataclass(frozen=True, slots=True)
class ActorMention:
    """One actor named in a sentence; offsets are into the sentence text."""

    start: int
    end: int
    text: str
    alias: str  # folded alias or name that matched
    role: str  # one of ROLES
    cue: str  # the words that decided the role ("" for a plain mention)


_ARTICLE = r"(?:(?:les|le|la|l'|des|du|de|d'|un|une|ses|leurs?|nos|ces|cette|ce)\s*)?"
_CLAIMED_BEFORE = re.compile(
    r"\b(?:revendique(?:e|s|es)?|attribue(?:e|s|es)?|imputee?s?)\s+(?:\w+\s+){0,2}?"
    rf"(?:par|a|aux|au)\s+{_ARTICLE}(?:\w+\s+)?$")
_AGENT_BEFORE = re.compile(
    r"(?:\b(?:par|commise?s?\s+par|perpetree?s?\s+par|menee?s?\s+par|de\s+la\s+part\s+d(?:e|es|u)"
    r"|(?:aux|entre\s+les)\s+mains\s+d(?:e|es|u))"
    rf"\s+{_ARTICLE}(?:presume(?:e|s|es)?\s+|supposes?\s+)?$"
    rf"|\b(?:entre|oppose|opposant|opposent|opposaient)\s+{_ARTICLE}(?:\w+\s+)?$)")
# "escorté par l'armée", "appuyés par l'aviation": an ally or an escort, not the perpetrator.
_ALLY_BEFORE = re.compile(
    r"\b(?:escort|accompagn|protege|soutenu|appuye|encadre|forme|equipe|finance|arme|aide|epaule)"
    r"\w*\s+par\s+\S*\s*$")
_TARGET_BEFORE = re.compile(
    r"(?:\b(?:contre|visant|ciblant|vise|cible|sur|bombarde|frappe|pilonne|attaque|a\s+l'encontre"
    r"\s+d(?:e|es|u)|aux\s+trousses\s+d(?:e|es|u))"
    rf"\s+{_ARTICLE}(?:[\w']+\s+(?:de\s+|d'|des\s+|du\s+)?){{0,2}}$"
    r"|\b(?:camps?|postes?|positions?|bases?|patrouilles?|convois?|elements|unites?|detachements?"
    r"|vehicules?|garnisons?|casernes?)\s+(?:\w+\s+)?(?:des|du|de\s+la|de\s+l'|de|d')\s*$"
    r"|\b(?:repris|reprise|arrache|libere)\s+.{1,40}?\s(?:a|aux|au)\s+" + _ARTICLE + "$"
    r"|\b(?:entre|oppose|opposant|opposent|opposaient)\s+.{1,60}?\s(?:et|a|aux|au)\s+"
    + _ARTICLE + "$)")
# Between a generic mention and the group it belongs to: "soldats de l'armée malienne".
_OF_GROUP = re.compile(r"\s+(?:de\s+la|de\s+l'|du|des|de)\s*")
_ACTIVE_VERBS = (
    r"attaque|tue|abattu|mene|lance|execute|enleve|kidnappe|frappe|bombarde|cible|pris|ouvert"
    r"|incendie|pille|assassine|neutralise|detruit|repousse|riposte|arrete|interpelle|tire"
    r"|vise|investi|occupe|massacre|tendu|effectue|conduit|opere|mitraille|egorge|brule"
    r"|saccage|vole|emporte|detone|pose|fait\s+exploser|reprend|repris|libere|chasse|deloge"
    r"|disperse|matraque|sequestre|viole|installe|rallie|fusionne|signe|intercepte|saisi"
    r"|desamorce|manifeste|marche|proteste|caillasse|erige|lynche|battu|affronte|accroche"
    r"|empare|retire|quitte|evacue|remis|retrocede|etabli|implante|cree|forme|construit"
    r"|acheve|conclu|paraphe|reussi|procede"
)
_AGENT_AFTER = re.compile(
    r"^\s*(?:\([^)]{1,30}\)\s*)?(?:,[^,]{1,80},\s*)?"
    r"(?:(?:ont|a|avaient|avait|auraient|aurait|se\s+sont|s'est|sont|est)\s+(?!ete\b)"
    r"(?:\w+\s+){0,2}?(?:" + _ACTIVE_VERBS + r")\w*"
    r"|(?:attaquent|tuent|frappent|bombardent|enlevent|pillent|manifestent|marchent))\b")
_TARGET_AFTER = re.compile(
    r"^\s*(?:\([^)]{1,30}\)\s*)?(?:\w+\s+){0,2}?(?:(?:ont|a|sont|est|auraient|aurait|avaient"
    r"|avait)\s+(?:\w+\s+)?ete\s+(?:\w+\s+)?)?(?:tue|attaque|enleve|blesse|cible|vise|abattu"
    r"|execute|kidnappe|pris|frappe|arrete|interpelle|decede|mort|massacre|egorge|assassine"
    r"|disperse|viole|sequestre|neutralise|otage)\w*\b")


@dataclass(frozen=True)
class ActorMatcher:
    """Compiled alias patterns of one codebook (built once per process, see actor_matcher)."""

    folded_pattern: re.Pattern[str] | None
    capital_pattern: re.Pattern[str] | None
    capital_aliases: frozenset[str]

    def find(self, text: str) -> list[ActorMention]:
        return find_actors(text, self)


def _is_abbreviation(alias: str) -> bool:
    letters = [c for c in alias if c.isalpha()]
    return len(alias) <= 5 and bool(letters) and all(c.isupper() for c in letters)


@lru_cache(maxsize=8)
def _build(aliases: tuple[str, ...]) -> ActorMatcher:
    folded_keys: list[str] = []
    capital_keys: list[str] = []
    for alias in aliases:
        if _is_abbreviation(alias):
            capital_keys.append(fold_text(alias))
        else:
            key = fold(alias)
            if len(key) >= 3:
                folded_keys.append(key)
    # Hundreds of aliases: as a trie, not an alternation that re would try one by one at
    # every position of every sentence.
    folded = (re.compile(rf"(?<![\w-])(?:{literal_alternation(folded_keys)})(?![\w-])")
              if folded_keys else None)
    capital = (re.compile(rf"(?<![\w-])(?:{literal_alternation(capital_keys)})(?![\w-])")
               if capital_keys else None)
    return ActorMatcher(folded, capital, frozenset(fold(k) for k in capital_keys))


@lru_cache(maxsize=4)  # one codebook per run: built once, not per document
def actor_matcher(codebook: Codebook) -> ActorMatcher:
    """The matcher for ``codebook`` (cached by the set of aliases)."""
    aliases: list[str] = []
    for group in codebook.actors_data.actors:
        aliases.extend(group.aliases)
        aliases.extend(n.name for n in group.names)
    return _build(tuple(sorted(set(aliases))))


def find_actors(text: str, matcher: ActorMatcher,
                folded_text: tuple[str, Sequence[int]] | None = None) -> list[ActorMention]:
    """Actor mentions of one sentence, sorted, non-overlapping, each with its role.

    ``folded_text`` is ``fold_for_match(text)`` when the caller already has it.
    """
    folded, mapping = folded_text if folded_text is not None else fold_for_match(text)
    spans: list[tuple[int, int, str]] = []  # folded start, end, folded alias
    if matcher.folded_pattern is not None:
        for found in matcher.folded_pattern.finditer(folded):
            spans.append((found.start(), found.end(), " ".join(found.group().split())))
    if matcher.capital_pattern is not None:
        # Abbreviations are matched in the original capitals (fold_text keeps length).
        same_length = fold_text(text)
        for found in matcher.capital_pattern.finditer(same_length):
            f_start = _folded_index(mapping, found.start())
            f_end = _folded_index(mapping, found.end())
            if f_start is None or f_end is None:
                continue
            spans.append((f_start, f_end, fold(found.group())))
    spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    kept: list[tuple[int, int, str]] = []
    for span in spans:
        if kept and span[0] < kept[-1][1]:
            continue
        kept.append(span)
    mentions: list[ActorMention] = []
    skip_role: set[int] = set()
    for index, (f_start, f_end, alias) in enumerate(kept):
        role, cue = _role(folded, f_start, f_end)
        if index in skip_role:
            role, cue = mentions[-1].role, mentions[-1].cue
            mentions.pop()  # "les jihadistes de la katiba Macina": the named group stands
        start, end = span_back(mapping, f_start, f_end)
        mentions.append(ActorMention(start, end, text[start:end], alias, role, cue))
        following = kept[index + 1] if index + 1 < len(kept) else None
        if following is not None and _OF_GROUP.fullmatch(folded, f_end, following[0]):
            skip_role.add(index + 1)
    return mentions


def _folded_index(mapping: Sequence[int], offset: int) -> int | None:
    """The first folded character that comes from ``offset`` of the text, if any (the
    mapping of :func:`fold_for_match` never decreases)."""
    index = bisect_left(mapping, offset)
    return index if index < len(mapping) and mapping[index] == offset else None


def _hint(pattern: re.Pattern[str]) -> re.Pattern[str] | None:
    """A search for the literals one of which every match of ``pattern`` contains."""
    literals = required_literals(pattern)
    return (re.compile(literal_alternation(literals, spaces_match_runs=False))
            if literals else None)


# The patterns searched before a mention end at it ("$"), so re tries them at each of the
# 70 positions before it; a search for the words each needs (a trie whose branches start
# with plain characters, which re scans for quickly) rules most of them out first.
_CLAIMED_HINT = _hint(_CLAIMED_BEFORE)
_AGENT_HINT = _hint(_AGENT_BEFORE)
_ALLY_HINT = _hint(_ALLY_BEFORE)
_TARGET_HINT = _hint(_TARGET_BEFORE)


def _search(pattern: re.Pattern[str], hint: re.Pattern[str] | None, text: str
            ) -> re.Match[str] | None:
    """``pattern.search(text)``, not tried when ``text`` lacks the words it needs."""
    if hint is not None and hint.search(text) is None:
        return None
    return pattern.search(text)


def _role(folded: str, start: int, end: int) -> tuple[str, str]:
    before = folded[max(0, start - 70):start]
    after = folded[end:end + 90]
    claimed = _search(_CLAIMED_BEFORE, _CLAIMED_HINT, before)
    if claimed:
        return "claimed", claimed.group().strip()
    agent = _search(_AGENT_BEFORE, _AGENT_HINT, before)
    if agent and not _search(_ALLY_BEFORE, _ALLY_HINT, before):
        return "agent", agent.group().strip()
    target = _search(_TARGET_BEFORE, _TARGET_HINT, before)
    if target:
        return "target", target.group().strip()
    active = _AGENT_AFTER.match(after)
    if active:
        return "agent", active.group().strip()
    passive = _TARGET_AFTER.match(after)
    if passive:
        return "target", passive.group().strip()
    return "mention", ""
