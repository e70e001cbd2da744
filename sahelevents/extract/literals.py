"""Literal strings in regular expressions: cheap tests before costly searches.

Python's ``re`` tries every branch of an alternation at every position of the text, so a
search for one of 600 actor names, or for any of 180 rule triggers, costs far more than the
text's length suggests. Three helpers make such searches cheap without changing a result:

* :func:`required_literals` reads a compiled pattern and returns strings one of which every
  match contains: when none is in the text (a ``str`` substring test, fast in C), the
  pattern cannot match there and the search can be skipped;
* :func:`literal_alternation` writes an alternation of literal keys as a trie
  (``"ab|ac"`` as ``"a(?:b|c)"``), which ``re`` walks in one pass per position, and which
  matches exactly what the longest-first alternation of the keys matches;
* :class:`LiteralFinder` tells which of many literals a text holds, in one native scan,
  so that the rules search only the triggers whose literals are there.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from itertools import product
from typing import Any

from ahocorasick_rs import AhoCorasick

__all__ = ["LiteralFinder", "literal_alternation", "may_match", "required_literals"]

# Tests on these internals are in tests/test_extract_literals.py; a pattern they cannot read
# gets no literals (it is then always searched), so a change of Python can cost speed, never
# a match.
from re import _constants as _sre  # type: ignore[attr-defined]
from re import _parser as _sre_parse  # type: ignore[attr-defined]

# A product of alternatives ("l" + "es|'|a") is expanded up to this many strings; a plain
# alternation (a list of place names) up to the second limit.
_MAX_STRINGS = 64
_MAX_ALTERNATIVES = 4096
_MAX_REPEAT = 3  # "a{1,3}" expands to a, aa, aaa; longer repeats are not expanded
_ZERO_WIDTH = frozenset({_sre.AT, _sre.ASSERT, _sre.ASSERT_NOT})
_REPEATS = frozenset({_sre.MAX_REPEAT, _sre.MIN_REPEAT, getattr(_sre, "POSSESSIVE_REPEAT", None)})

Strings = frozenset[str]


def required_literals(pattern: re.Pattern[str]) -> Strings | None:
    """Non-empty strings one of which is a substring of every match of ``pattern``, or None
    when the pattern has no such set (``\\w+``) or uses what this reader does not know."""
    if pattern.flags & re.IGNORECASE:
        return None
    try:
        parsed = _sre_parse.parse(pattern.pattern, pattern.flags)
        return _necessary(list(parsed))
    except Exception:  # an unknown construct: no literal test, the pattern always runs
        return None


def may_match(literals: Strings | None, text: str) -> bool:
    """False only when a pattern with these :func:`required_literals` cannot match ``text``."""
    return literals is None or any(literal in text for literal in literals)


def _exact(items: Sequence[tuple[Any, Any]]) -> Strings | None:
    """Every string the sequence ``items`` can match (a superset: assertions are ignored), or
    None when there are too many or the set is not finite."""
    strings: Strings = frozenset({""})
    for op, av in items:
        if op in _ZERO_WIDTH:
            continue
        found = _exact_item(op, av)
        if found is None or len(strings) * len(found) > _MAX_STRINGS:
            return None
        strings = frozenset(a + b for a, b in product(strings, found))
    return strings


def _exact_item(op: Any, av: Any) -> Strings | None:
    if op is _sre.LITERAL:
        return frozenset({chr(av)})
    if op is _sre.IN:
        if len(av) <= 8 and all(kind is _sre.LITERAL for kind, _ in av):
            return frozenset(chr(code) for _, code in av)
        return None
    if op is _sre.BRANCH:
        union: set[str] = set()
        for alternative in av[1]:
            found = _exact(list(alternative))
            if found is None:
                return None
            union |= found
        return frozenset(union) if len(union) <= _MAX_ALTERNATIVES else None
    if op is _sre.SUBPATTERN:
        _group, add_flags, _del_flags, sub = av
        return None if add_flags & re.IGNORECASE else _exact(list(sub))
    if op in _REPEATS:
        low, high, sub = av
        once = _exact(list(sub))
        if once is None or high > _MAX_REPEAT:
            return None
        strings: set[str] = set()
        for count in range(low, high + 1):
            for parts in product(once, repeat=count):
                strings.add("".join(parts))
        return frozenset(strings) if len(strings) <= _MAX_STRINGS else None
    return None


def _necessary(items: Sequence[tuple[Any, Any]]) -> Strings | None:
    """The most selective of the literal sets every match of the sequence must contain."""
    candidates: list[Strings] = []
    run: Strings = frozenset({""})  # strings the current run of exact items can match

    def close_run() -> None:
        if run != {""}:
            candidates.append(run)

    for op, av in items:
        if op in _ZERO_WIDTH:
            continue  # matches nothing, so the items around it are adjacent in the text
        exact = _exact_item(op, av)
        if exact is not None and "" not in exact:
            if len(run) * len(exact) <= _MAX_STRINGS:
                run = frozenset(a + b for a, b in product(run, exact))
                continue
            close_run()
            run = exact
            continue
        close_run()
        run = frozenset({""})
        inner = _necessary_item(op, av)
        if inner is not None:
            candidates.append(inner)
    close_run()
    usable = [c for c in candidates if "" not in c]
    if not usable:
        return None
    return max(usable, key=lambda strings: (min(map(len, strings)), -len(strings)))


def _necessary_item(op: Any, av: Any) -> Strings | None:
    if op is _sre.SUBPATTERN:
        _group, add_flags, _del_flags, sub = av
        return None if add_flags & re.IGNORECASE else _necessary(list(sub))
    if op is _sre.BRANCH:
        union: set[str] = set()
        for alternative in av[1]:
            found = _necessary(list(alternative))
            if found is None:
                return None
            union |= found
        return frozenset(union) if len(union) <= _MAX_ALTERNATIVES else None
    if op in _REPEATS:
        low, _high, sub = av
        return _necessary(list(sub)) if low >= 1 else None
    return None


class LiteralFinder:
    """Which of many literal strings occur in a text, found in one pass.

    An Aho-Corasick automaton (``ahocorasick_rs``) reports every occurrence of every literal,
    overlapping ones included, in one scan in native code: about 1.5 µs for a sentence,
    where a trie pattern inside a lookahead, tried by ``re`` at every position, took 9 µs.
    """

    def __init__(self, literals: Iterable[str]) -> None:
        #: The literals, each at the position :meth:`indexes` reports.
        self.literals: tuple[str, ...] = tuple(sorted({literal for literal in literals
                                                       if literal}))
        self._automaton = AhoCorasick(list(self.literals)) if self.literals else None

    def occurrences(self, text: str) -> list[tuple[int, int, int]]:
        """(position in :attr:`literals`, start, end) of every occurrence in ``text``."""
        if self._automaton is None:
            return []
        return self._automaton.find_matches_as_indexes(text, overlapping=True)

    def holds_any(self, text: str) -> bool:
        """Whether one of the literals occurs in ``text``."""
        return self._automaton is not None and bool(self._automaton.find_matches_as_indexes(text))

    def indexes(self, text: str) -> set[int]:
        """Positions in :attr:`literals` of the literals found in ``text``."""
        return {found[0] for found in self.occurrences(text)}

    def present(self, text: str) -> set[str]:
        """The literals found in ``text``."""
        if self._automaton is None:
            return set()
        return set(self._automaton.find_matches_as_strings(text, overlapping=True))

    # The automaton does not pickle (rule sets cross process pools): it is built again.
    def __getstate__(self) -> tuple[str, ...]:
        return self.literals

    def __setstate__(self, literals: tuple[str, ...]) -> None:
        self.__init__(literals)  # type: ignore[misc]


def literal_alternation(keys: Iterable[str], *, spaces_match_runs: bool = True) -> str:
    """A pattern matching what ``"|".join(escaped keys, longest first)`` matches, written as
    a trie; with ``spaces_match_runs`` a space in a key matches any run of whitespace
    (``\\s+``), else only itself.

    At one position, the longest-first alternation takes the longest key that matches (and
    satisfies what follows the group). In the trie the children of a node start with
    different characters - or with whitespace, which no other child starts with - so at most
    one child can go on, and a node tries it before ending there: the same longest-first
    order, the same backtracking to shorter keys. Keys with other whitespace than single
    spaces would break that argument when spaces match runs: they get the plain alternation.
    """
    unique = set(keys)
    space = r"\s+" if spaces_match_runs else " "
    if spaces_match_runs and any(_OTHER_WHITESPACE.search(key) for key in unique):
        ordered = sorted(unique, key=lambda k: (-len(k), k))
        return "(?:" + "|".join(re.escape(k).replace(r"\ ", space) for k in ordered) + ")"
    trie: dict[str, Any] = {}
    for key in unique:
        node = trie
        for char in key:
            node = node.setdefault(char, {})
        node[""] = {}  # a key ends here
    return _trie_pattern(trie, space)


_OTHER_WHITESPACE = re.compile(r"[^\S ]")


def _trie_pattern(node: dict[str, Any], space: str) -> str:
    branches = [(space if char == " " else re.escape(char)) + _trie_pattern(child, space)
                for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    ends_here = "" in node
    if len(branches) == 1 and not ends_here:
        return branches[0]
    body = "|".join(branches)
    return f"(?:{body})?" if ends_here else f"(?:{body})"
