"""Extraction rules as data: the YAML files of ``codebook/rules/``, loaded, checked, matched.

A rule proposes one ACLED sub-event type when one of its French *trigger* patterns matches a
sentence and its context allows it:

* ``requires``: context sets that must all match (each: at least one of its patterns);
* ``forbids``: context sets none of which may match (negation, future and conditional,
  generic talk about terrorism, commemorations, natural disasters, court cases, ...).

A context set is either named (shared, defined once in any rule file under ``contexts:``) or
written inline. It may be limited to a window of characters before/after the trigger, so that
"en préparation d'une attaque" vetoes the word *attaque* but not the air strike reported
earlier in the same sentence.

Patterns are Python regular expressions matched on *folded* text (lower case, no accents,
typographic apostrophes and dashes unified, runs of spaces collapsed, see
:func:`fold_for_match`); offsets are mapped back to the original sentence.

``priority`` must equal the codebook rank of the sub-event type (ACLED's hierarchy, 1 wins);
``outranks`` names the rare exceptions (a protest that turns violent is a riot).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sahelevents.codebook import Codebook
from sahelevents.extract.literals import LiteralFinder, may_match, required_literals
from sahelevents.issues import DataError, Issue, issue
from sahelevents.modelio import validate_model
from sahelevents.models import ContextSet, DefaultActors, Rule, RuleFile
from sahelevents.textnorm import fold_with_map
from sahelevents.yamlio import LoadedYaml, load_yaml_file

__all__ = [
    "CompiledContext",
    "CompiledRule",
    "ContextSet",
    "DefaultActors",
    "Rule",
    "RuleFile",
    "RuleHit",
    "RuleSet",
    "RuleVeto",
    "check_rules",
    "fold_for_match",
    "load_rules",
    "match_sentence",
]

#: Sentence kinds a rule may read at all: datelines, bylines and page furniture never.
ELIGIBLE_KINDS: tuple[str, ...] = ("title", "heading", "body", "teaser")


# -- Folding --------------------------------------------------------------------------------

_SPACE_RUN = re.compile(r" {2,}")


def fold_for_match(text: str) -> tuple[str, Sequence[int]]:
    """Folded text (see :func:`textnorm.fold_with_map`) with runs of spaces collapsed.

    Returns the folded string and ``mapping`` where ``mapping[i]`` is the offset in ``text``
    of folded character ``i``; one extra entry maps the end.
    """
    folded, mapping = fold_with_map(text)
    if "  " not in folded:
        return folded, mapping
    chars: list[str] = []
    kept: list[int] = []
    previous_space = False
    for char, offset in zip(folded, mapping, strict=False):
        if char == " " and previous_space:
            continue
        previous_space = char == " "
        chars.append(char)
        kept.append(offset)
    kept.append(mapping[-1])
    return "".join(chars), kept


def span_back(mapping: Sequence[int], start: int, end: int) -> tuple[int, int]:
    """Offsets in the original text of the folded span ``[start, end)``."""
    if end <= start:
        return mapping[start], mapping[start]
    return mapping[start], mapping[end - 1] + 1


# -- Compiled forms -------------------------------------------------------------------------

_LOCATIVE = r"(?:a|au|aux|en|dans|vers|de|du|depuis)\s+(?:l'|la\s+|le\s+|les\s+)?"


@dataclass(frozen=True, slots=True)
class CompiledContext:
    name: str
    patterns: tuple[re.Pattern[str], ...]
    before: int | None
    after: int | None
    #: Per pattern, strings one of which its every match contains (see
    #: :func:`literals.required_literals`): a window with none of them is not searched.
    literals: tuple[frozenset[str] | None, ...] = field(init=False, compare=False, repr=False)
    #: Every pattern's literals, or None when a pattern has none (then it always runs).
    _any_literal: frozenset[str] | None = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        literals = tuple(required_literals(p) for p in self.patterns)
        object.__setattr__(self, "literals", literals)
        object.__setattr__(self, "_any_literal", None if None in literals else
                           frozenset(literal for found in literals for literal in found or ()))

    def search(self, folded: str, start: int, end: int,
               present: frozenset[str] | None = None) -> re.Match[str] | None:
        """First match inside the window around the folded trigger span ``[start, end)``.

        The window runs from ``before`` characters before the trigger to ``after`` characters
        after it, trigger included; ``^`` and ``$`` anchor at the window's edges, so a
        pattern can say "right before the trigger" (``...$`` with ``after: 0``).
        ``present``, the patterns' literals found in ``folded`` when the caller knows them,
        rules out patterns without testing the window for their literals.
        """
        if (present is not None and self._any_literal is not None
                and present.isdisjoint(self._any_literal)):
            return None
        low = 0 if self.before is None else max(0, start - self.before)
        high = len(folded) if self.after is None else min(len(folded), end + self.after)
        window = folded[low:high]
        for pattern, literals in zip(self.patterns, self.literals, strict=True):
            if literals is not None and (present.isdisjoint(literals) if present is not None
                                         else not may_match(literals, window)):
                continue
            found = pattern.search(window)
            if found is not None:
                return found
        return None


@dataclass(frozen=True, slots=True)
class CompiledRule:
    spec: Rule
    triggers: tuple[re.Pattern[str], ...]
    requires: tuple[CompiledContext, ...]
    forbids: tuple[CompiledContext, ...]
    #: Per trigger, strings one of which its every match contains (None: always tried).
    trigger_literals: tuple[frozenset[str] | None, ...] = field(init=False, compare=False,
                                                                repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "trigger_literals",
                           tuple(required_literals(t) for t in self.triggers))

    @property
    def id(self) -> str:
        return self.spec.id


@dataclass(frozen=True, slots=True)
class RuleSet:
    """Every rule of a rules folder, compiled; picklable so it can cross process pools."""

    rules: tuple[CompiledRule, ...]
    contexts: dict[str, CompiledContext]
    foreign_places: tuple[str, ...]
    files: tuple[str, ...] = ()

    #: Most sentences can fire no trigger, and a search per trigger (or one search for an
    #: alternation of all of them) costs far more than finding, in one pass, which of the
    #: triggers' required literals the sentence holds (the same for the context patterns,
    #: read only in sentences where a trigger matched).
    _trigger_literals: LiteralFinder = field(init=False, compare=False, repr=False)
    #: Per literal of ``_trigger_literals`` (by position), the (rule index, trigger index)
    #: of the triggers that require it.
    _triggers_at: tuple[tuple[tuple[int, int], ...], ...] = field(init=False, compare=False,
                                                                  repr=False)
    #: triggers without required literals: tried on every sentence.
    _unfiltered: tuple[tuple[int, int], ...] = field(init=False, compare=False, repr=False)
    #: Per rule, the sentence kinds it reads (``spec.sentence_kinds`` as a set).
    _kinds: tuple[frozenset[str], ...] = field(init=False, compare=False, repr=False)
    _context_literals: LiteralFinder = field(init=False, compare=False, repr=False)
    #: Every distinct context of the rules; rules refer to them by position.
    _all_contexts: tuple[CompiledContext, ...] = field(init=False, compare=False, repr=False)
    #: Per rule, the positions of its ``forbids`` and of its ``requires`` contexts.
    _rule_contexts: tuple[tuple[tuple[int, ...], tuple[int, ...]], ...] = field(
        init=False, compare=False, repr=False)
    #: The patterns of every distinct context, one after the other, and per context the
    #: positions of its own patterns in that list.
    _all_patterns: tuple[re.Pattern[str], ...] = field(init=False, compare=False, repr=False)
    _context_patterns: tuple[frozenset[int], ...] = field(init=False, compare=False,
                                                          repr=False)
    #: Per rule, the positions of the patterns of all its ``forbids`` contexts.
    _forbidden_patterns: tuple[frozenset[int], ...] = field(init=False, compare=False,
                                                            repr=False)
    #: context literal -> positions of the patterns that require it.
    _patterns_of: dict[str, frozenset[int]] = field(init=False, compare=False, repr=False)
    #: positions of the patterns without required literals (always searched).
    _unfiltered_patterns: frozenset[int] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        triggers_of: dict[str, list[tuple[int, int]]] = {}
        unfiltered: list[tuple[int, int]] = []
        for rule_index, rule in enumerate(self.rules):
            for trigger_index, literals in enumerate(rule.trigger_literals):
                if literals is None:
                    unfiltered.append((rule_index, trigger_index))
                for literal in literals or ():
                    triggers_of.setdefault(literal, []).append((rule_index, trigger_index))
        finder = LiteralFinder(triggers_of)
        object.__setattr__(self, "_trigger_literals", finder)
        object.__setattr__(self, "_triggers_at", tuple(
            tuple(triggers_of[literal]) for literal in finder.literals))
        object.__setattr__(self, "_unfiltered", tuple(unfiltered))
        object.__setattr__(self, "_kinds",
                           tuple(frozenset(rule.spec.sentence_kinds) for rule in self.rules))
        # Contexts are shared between rules (named sets): one position per object.
        positions: dict[int, int] = {}
        distinct: list[CompiledContext] = []

        def position(context: CompiledContext) -> int:
            if id(context) not in positions:
                positions[id(context)] = len(distinct)
                distinct.append(context)
            return positions[id(context)]

        object.__setattr__(self, "_rule_contexts", tuple(
            (tuple(position(c) for c in rule.forbids), tuple(position(c) for c in rule.requires))
            for rule in self.rules))
        patterns: list[re.Pattern[str]] = []
        context_patterns: list[frozenset[int]] = []
        patterns_of: dict[str, set[int]] = {}
        unfiltered_patterns: set[int] = set()
        for context in distinct:
            own: set[int] = set()
            for pattern, literals in zip(context.patterns, context.literals, strict=True):
                own.add(len(patterns))
                if literals is None:
                    unfiltered_patterns.add(len(patterns))
                for literal in literals or ():
                    patterns_of.setdefault(literal, set()).add(len(patterns))
                patterns.append(pattern)
            context_patterns.append(frozenset(own))
        object.__setattr__(self, "_all_contexts", tuple(distinct))
        object.__setattr__(self, "_all_patterns", tuple(patterns))
        object.__setattr__(self, "_context_patterns", tuple(context_patterns))
        object.__setattr__(self, "_patterns_of",
                           {literal: frozenset(found) for literal, found in patterns_of.items()})
        object.__setattr__(self, "_unfiltered_patterns", frozenset(unfiltered_patterns))
        object.__setattr__(self, "_forbidden_patterns", tuple(
            frozenset().union(*(context_patterns[index] for index in forbids))
            for forbids, _ in self._rule_contexts))
        object.__setattr__(self, "_context_literals", LiteralFinder(patterns_of))

    def by_id(self, rule_id: str) -> CompiledRule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    @property
    def ids(self) -> list[str]:
        return [r.id for r in self.rules]

    def hits(self, text: str, kind: str, folded: tuple[str, Sequence[int]]
             ) -> tuple[tuple[CompiledRule, RuleHit], ...]:
        """What every rule that reads sentences of ``kind`` fires in ``text`` (folded by
        :func:`fold_for_match`), rule by rule: :func:`match_sentence`'s hits.

        The same computation as :func:`_match` rule by rule (tests/test_extract_fast_paths.py
        holds it to a plain search of every pattern), done for the whole rule set at once:
        every sentence is read by every rule, and the per-rule calls, sets and sorts cost
        more than the few regex searches most sentences need.
        """
        folded_text, mapping = folded
        pairs = set(self._unfiltered)
        triggers_at = self._triggers_at
        for found in self._trigger_literals.indexes(folded_text):
            pairs.update(triggers_at[found])
        if not pairs:
            return ()
        kinds = self._kinds
        rules = self.rules
        hits: list[tuple[CompiledRule, RuleHit]] = []
        # The contexts' literals (and so the context patterns that can match) are looked for
        # once, when a trigger first matches.
        possible: set[int] | None = None
        current = -1
        claimed: list[tuple[int, int]] = []
        rule_hits: list[RuleHit] = []
        rule: CompiledRule | None = None
        # (rule, trigger) pairs in order: rule by rule, each rule's triggers in order. A rule's
        # hits are flushed when the next rule starts and after the loop (itertools.groupby
        # reads better but made this loop 3-8% slower, measured on 28,113 sentences).
        for rule_index, trigger_index in sorted(pairs):
            if rule_index != current:
                if rule is not None and rule_hits:
                    rule_hits.sort(key=_start)
                    hits.extend((rule, hit) for hit in rule_hits)
                current = rule_index
                claimed = []
                rule_hits = []
                rule = rules[rule_index] if kind in kinds[rule_index] else None
            if rule is None:
                continue
            for match in rule.triggers[trigger_index].finditer(folded_text):
                f_start, f_end = match.span()
                if f_end == f_start or (claimed and any(f_start < e and s < f_end
                                                        for s, e in claimed)):
                    continue
                claimed.append((f_start, f_end))
                if possible is None:
                    possible = set(self._unfiltered_patterns)
                    for literal in self._context_literals.present(folded_text):
                        possible |= self._patterns_of[literal]
                if self._fires(rule_index, folded_text, f_start, f_end, possible):
                    start, end = span_back(mapping, f_start, f_end)
                    rule_hits.append(RuleHit(rule.id, start, end, text[start:end]))
        if rule is not None and rule_hits:
            rule_hits.sort(key=_start)
            hits.extend((rule, hit) for hit in rule_hits)
        return tuple(hits)

    def _fires(self, rule_index: int, folded: str, start: int, end: int,
               possible: set[int]) -> bool:
        """:func:`_context_verdict` is None: no forbidden context matches and every required
        one does.

        Only the context patterns in ``possible`` (their required literals are in the
        sentence) are searched, as :meth:`CompiledContext.search` does with ``present``;
        whether a context matches does not depend on which of its patterns is tried first.
        """
        forbids, requires = self._rule_contexts[rule_index]
        # Mostly none of the patterns of a rule's many forbidden contexts can match.
        if not self._forbidden_patterns[rule_index].isdisjoint(possible):
            for index in forbids:
                candidates = self._context_patterns[index] & possible
                if candidates and self._found(index, candidates, folded, start, end):
                    return False
        for index in requires:
            candidates = self._context_patterns[index] & possible
            if not candidates or not self._found(index, candidates, folded, start, end):
                return False
        return True

    def _found(self, index: int, candidates: Iterable[int], folded: str, start: int,
               end: int) -> bool:
        """Whether one of the ``candidates`` patterns of context ``index`` matches in its
        window around the folded trigger span ``[start, end)``."""
        context = self._all_contexts[index]
        before, after = context.before, context.after
        low = 0 if before is None else max(0, start - before)
        high = len(folded) if after is None else min(len(folded), end + after)
        window = folded[low:high]
        patterns = self._all_patterns
        # A loop, not any() over a generator: there is mostly one candidate.
        for position in candidates:
            if patterns[position].search(window) is not None:
                break
        else:
            return False
        return True


def _start(hit: RuleHit) -> int:
    return hit.start


@dataclass(frozen=True, slots=True)
class RuleHit:
    """A trigger of ``rule`` that fired; offsets are into the sentence text."""

    rule: str
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class RuleVeto:
    """A trigger that matched but whose context stopped it, and why."""

    rule: str
    start: int
    end: int
    text: str
    reason: str  # "forbids <context>" or "requires <context>"
    context_text: str  # what the forbidden pattern matched ("" for a missing requirement)


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _places_pattern(places: Iterable[str]) -> str:
    from sahelevents.textnorm import fold

    names = sorted({fold(p) for p in places}, key=len, reverse=True)
    alternatives = "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in names)
    return rf"\b{_LOCATIVE}(?:{alternatives})(?![\w'])"


def _compile_context(context: ContextSet) -> CompiledContext:
    sources = list(context.patterns)
    if context.places:
        sources.append(_places_pattern(context.places))
    return CompiledContext(context.name, tuple(_compile(p) for p in sources), context.before,
                           context.after)


# -- Matching -------------------------------------------------------------------------------


def match_sentence(rule: CompiledRule, text: str, folded: tuple[str, Sequence[int]] | None = None
                   ) -> tuple[list[RuleHit], list[RuleVeto]]:
    """Triggers of ``rule`` in one sentence: those that fire, and those vetoed by context."""
    folded = folded if folded is not None else fold_for_match(text)
    possible = {index for index, literals in enumerate(rule.trigger_literals)
                if may_match(literals, folded[0])}
    return _match(rule, text, folded, possible, None)


def _match(rule: CompiledRule, text: str, folded: tuple[str, Sequence[int]],
           possible: Container[int], context_literals: Callable[[], frozenset[str]] | None
           ) -> tuple[list[RuleHit], list[RuleVeto]]:
    """:func:`match_sentence`, trying only the triggers in ``possible`` (the others have
    none of their required literals in the sentence, so they cannot match);
    ``context_literals`` gives the contexts' literals found in the sentence."""
    folded_text, mapping = folded
    hits: list[RuleHit] = []
    vetoes: list[RuleVeto] = []
    claimed: list[tuple[int, int]] = []
    for index, trigger in enumerate(rule.triggers):
        if index not in possible:
            continue
        for found in trigger.finditer(folded_text):
            f_start, f_end = found.span()
            if f_end == f_start or any(f_start < e and s < f_end for s, e in claimed):
                continue
            claimed.append((f_start, f_end))
            start, end = span_back(mapping, f_start, f_end)
            present = context_literals() if context_literals is not None else None
            reason, context_text = _context_verdict(rule, folded_text, f_start, f_end, present)
            if reason is None:
                hits.append(RuleHit(rule.id, start, end, text[start:end]))
            else:
                vetoes.append(RuleVeto(rule.id, start, end, text[start:end], reason,
                                       context_text))
    hits.sort(key=lambda h: h.start)
    vetoes.sort(key=lambda v: v.start)
    return hits, vetoes


def _context_verdict(rule: CompiledRule, folded: str, start: int, end: int,
                     present: frozenset[str] | None) -> tuple[str | None, str]:
    for context in rule.forbids:
        found = context.search(folded, start, end, present)
        if found is not None:
            return f"forbids {context.name}", found.group()
    for context in rule.requires:
        if context.search(folded, start, end, present) is None:
            return f"requires {context.name}", ""
    return None, ""


# -- Loading --------------------------------------------------------------------------------


def load_rules(folder: Path, codebook: Codebook, *, display_root: Path | None = None
               ) -> RuleSet:
    """Load and check every ``*.yaml`` of ``folder``; raise :class:`DataError` if any is bad.

    File names in messages are relative to ``display_root`` when given.
    """
    ruleset, issues = check_rules(folder, codebook, display_root=display_root)
    errors = [i for i in issues if i.severity == "error"]
    if ruleset is None or errors:
        raise DataError.from_issues(errors, f"{folder}: no rules")
    return ruleset


@dataclass
class _Loaded:
    loaded: LoadedYaml
    data: RuleFile


def check_rules(folder: Path, codebook: Codebook, *, display_root: Path | None = None
                ) -> tuple[RuleSet | None, list[Issue]]:
    """Every issue of every rule file, located; the compiled rule set when there is none."""
    issues: list[Issue] = []
    files: list[_Loaded] = []
    paths = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    if not paths:
        return None, [issue("Y001", "no rule files (*.yaml) found", str(folder))]
    for path in paths:
        try:
            display = str(path.relative_to(display_root)) if display_root else str(path)
        except ValueError:
            display = str(path)
        loaded = load_yaml_file(path, display)
        errors = [i for i in loaded.issues if i.severity == "error"]
        issues.extend(loaded.issues)
        if errors or loaded.data is None:
            continue
        instance, model_issues = validate_model(loaded, RuleFile)
        issues.extend(model_issues)
        if instance is not None:
            files.append(_Loaded(loaded, instance))

    contexts: dict[str, CompiledContext] = {}
    context_origin: dict[str, str] = {}
    for entry in files:
        for index, context in enumerate(entry.data.contexts):
            where = ("contexts", index, "name")
            if context.name in contexts:
                issues.append(entry.loaded.issue_at(
                    "S004", f"context set '{context.name}' is already defined in "
                    f"{context_origin[context.name]}", where))
                continue
            compiled, problem = _try_compile_context(context)
            if problem:
                issues.append(entry.loaded.issue_at("S005", problem, ("contexts", index)))
                continue
            assert compiled is not None
            contexts[context.name] = compiled
            context_origin[context.name] = entry.loaded.file

    rules: list[CompiledRule] = []
    seen: dict[str, str] = {}
    for entry in files:
        for index, rule in enumerate(entry.data.rules):
            if rule.id in seen:
                issues.append(entry.loaded.issue_at(
                    "S004", f"rule id '{rule.id}' is already used in {seen[rule.id]}",
                    ("rules", index, "id")))
                continue
            seen[rule.id] = entry.loaded.file
            compiled_rule, rule_issues = _check_rule(rule, index, entry.loaded, contexts,
                                                     codebook)
            issues.extend(rule_issues)
            if compiled_rule is not None:
                rules.append(compiled_rule)
    if not any(entry.data.rules for entry in files) and not any(
            i.severity == "error" for i in issues):
        issues.append(issue("S001", "the rules folder defines no rule", str(folder)))
    if any(i.severity == "error" for i in issues):
        return None, issues
    abroad = contexts.get("abroad")
    foreign = _foreign_places(files)
    return RuleSet(tuple(rules), contexts, foreign if abroad else (),
                   tuple(e.loaded.file for e in files)), issues


def _foreign_places(files: list[_Loaded]) -> tuple[str, ...]:
    for entry in files:
        for context in entry.data.contexts:
            if context.name == "abroad":
                return tuple(context.places)
    return ()


def _try_compile_context(context: ContextSet) -> tuple[CompiledContext | None, str]:
    for pattern in context.patterns:
        problem = _regex_problem(pattern)
        if problem:
            return None, f"context '{context.name}': {problem}"
    return _compile_context(context), ""


def _regex_problem(pattern: str) -> str:
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        return f"{pattern!r} is not a valid regular expression: {exc}"
    if compiled.search(""):
        return f"{pattern!r} matches the empty string"
    if pattern != pattern.lower() and not re.search(r"\\[A-Z]", pattern):
        return f"{pattern!r} has capitals but is matched on lower-case folded text"
    return ""


def _check_rule(rule: Rule, index: int, loaded: LoadedYaml,
                contexts: dict[str, CompiledContext], codebook: Codebook
                ) -> tuple[CompiledRule | None, list[Issue]]:
    issues: list[Issue] = []
    base = ("rules", index)
    event_type = codebook.event_types.get(rule.event_type)
    pair = codebook.sub_event_types.get(rule.sub_event_type)
    if event_type is None:
        issues.append(loaded.issue_at("C001", f"unknown event type '{rule.event_type}'",
                                      (*base, "event_type")))
    if pair is None:
        issues.append(loaded.issue_at("C002", f"unknown sub-event type '{rule.sub_event_type}'",
                                      (*base, "sub_event_type")))
    elif event_type is not None and pair[0].name != rule.event_type:
        issues.append(loaded.issue_at(
            "C002", f"'{rule.sub_event_type}' belongs to '{pair[0].name}', not "
            f"'{rule.event_type}'", (*base, "sub_event_type")))
    elif pair[1].rank != rule.priority:
        issues.append(loaded.issue_at(
            "S004", f"priority {rule.priority} is not the codebook rank of "
            f"'{rule.sub_event_type}' ({pair[1].rank})", (*base, "priority")))
    triggers: list[re.Pattern[str]] = []
    for t_index, pattern in enumerate(rule.triggers):
        problem = _regex_problem(pattern)
        if problem:
            issues.append(loaded.issue_at("S005", problem, (*base, "triggers", t_index)))
        else:
            triggers.append(_compile(pattern))
    resolved: dict[str, list[CompiledContext]] = {"requires": [], "forbids": []}
    for field_name in ("requires", "forbids"):
        for c_index, reference in enumerate(getattr(rule, field_name)):
            where = (*base, field_name, c_index)
            if isinstance(reference, str):
                if reference not in contexts:
                    known = ", ".join(sorted(contexts)) or "none defined"
                    issues.append(loaded.issue_at(
                        "S004", f"unknown context set '{reference}' (known: {known})", where))
                else:
                    resolved[field_name].append(contexts[reference])
            else:
                compiled, problem = _try_compile_context(reference)
                if problem:
                    issues.append(loaded.issue_at("S005", problem, where))
                elif compiled is not None:
                    resolved[field_name].append(compiled)
    for role in ("actor1", "actor2"):
        alias = getattr(rule.default_actors, role)
        if alias is not None and codebook.resolve_actor(alias) is None:
            issues.append(loaded.issue_at(
                "C003", f"default {role} '{alias}' is not an actor name or alias",
                (*base, "default_actors", role)))
    for o_index, name in enumerate(rule.outranks):
        if name not in codebook.event_types and name not in codebook.sub_event_types:
            issues.append(loaded.issue_at(
                "C001", f"outranks: '{name}' is neither an event type nor a sub-event type",
                (*base, "outranks", o_index)))
    if issues:
        return None, issues
    return CompiledRule(rule, tuple(triggers), tuple(resolved["requires"]),
                        tuple(resolved["forbids"])), issues
