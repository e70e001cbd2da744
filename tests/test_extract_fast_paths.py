"""The extractor's shortcuts give what the plain computations they replace give.

Each shortcut (literal tests before regex searches, tries instead of alternations, the rule
set's one-pass trigger test, the actor offsets, the country-name scan) is compared with a
straightforward reference written here, on the seeds, on a generated corpus and on generated
text, so that a shortcut that drifts from its reference fails a test.
"""

from __future__ import annotations

import pickle
import re
from bisect import bisect_left
from collections import Counter

import pytest
from generated_corpus import seed_and_generated_sentences
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sahelevents.extract import actors, assemble, pipeline
from sahelevents.extract.literals import LiteralFinder, literal_alternation, required_literals
from sahelevents.extract.places import country_cues
from sahelevents.extract.rules import (
    ELIGIBLE_KINDS,
    CompiledContext,
    CompiledRule,
    RuleHit,
    RuleSet,
    RuleVeto,
    fold_for_match,
    load_rules,
    match_sentence,
    span_back,
)
from sahelevents.sentences import Sentence
from sahelevents.textnorm import fold
from sahelevents.workspace import Workspace


@pytest.fixture(scope="module")
def rules(ws: Workspace) -> RuleSet:
    return load_rules(ws.project.rules_dir, ws.codebook)


@pytest.fixture(scope="module")
def corpus_sentences(ws: Workspace, tmp_path_factory: pytest.TempPathFactory
                     ) -> list[Sentence]:
    return seed_and_generated_sentences(ws, tmp_path_factory.mktemp("fast") / "p")


# -- Literal tests before searches ----------------------------------------------------------

_PIECES = ["a", "b", "ab", "ba", "aa", " ", "'", "-", "x"]
_ATOMS = st.sampled_from([
    "a", "b", "ab", "ba", "[ab]", "[a']", r"\w", r"\s+", r"\b", ".", "(?:a|b)", "(?:ab|ba|a)",
    "(?=a)", "(?!b)", "x", "'", "-", r"\-", "(?i:a)"])


@st.composite
def _patterns(draw: st.DrawFn, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        if depth < 2 and draw(st.booleans()):
            inner = "|".join(draw(st.lists(_patterns(depth + 1), min_size=1, max_size=3)))
            # Groups are repeated at most once more: nested unbounded repeats could make a
            # search backtrack for minutes.
            repeat = draw(st.sampled_from(["", "?", "{2}"]))
            parts.append(f"(?:{inner}){repeat}")
        else:
            repeat = draw(st.sampled_from(["", "", "?", "*", "+", "{1,2}", "{2}", "{0,3}"]))
            parts.append(f"(?:{draw(_ATOMS)}){repeat}")
    return "".join(parts)


@given(pattern=_patterns(), texts=st.lists(
    st.lists(st.sampled_from(_PIECES), max_size=10).map("".join), min_size=1, max_size=8))
@example(pattern=r"\bl(?:es|'|a)\s+x", texts=["les x", "l' x", "la  x", "le x"])
@example(pattern=r"(?:ab){1,3}a?", texts=["ab", "aab", "b"])
def test_a_pattern_matches_only_where_its_required_literals_are(pattern: str,
                                                                texts: list[str]) -> None:
    compiled = re.compile(pattern)
    literals = required_literals(compiled)
    for text in texts:
        if compiled.search(text) is not None:
            assert literals is None or any(literal in text for literal in literals)


def test_the_rules_have_required_literals_and_they_hold_on_real_sentences(
        rules: RuleSet, corpus_sentences: list[Sentence]) -> None:
    triggers = [t for rule in rules.rules for t in rule.triggers]
    assert all(required_literals(t) is not None for t in triggers)  # none is always searched
    patterns = triggers + [p for context in rules.contexts.values() for p in context.patterns]
    literals = [required_literals(p) for p in patterns]
    for sentence in corpus_sentences:
        folded = fold_for_match(sentence.text)[0]
        for pattern, found in zip(patterns, literals, strict=True):
            if pattern.search(folded) is not None:
                assert found is None or any(literal in folded for literal in found)


@given(literals=st.lists(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=4)
                         .map("".join), max_size=10),
       text=st.lists(st.sampled_from(_PIECES), max_size=20).map("".join))
def test_the_literal_finder_finds_every_literal_in_the_text(literals: list[str],
                                                           text: str) -> None:
    finder = LiteralFinder(literals)
    expected = {lit for lit in literals if lit in text}
    assert finder.present(text) == expected
    assert {finder.literals[index] for index in finder.indexes(text)} == expected
    occurrences = finder.occurrences(text)  # offsets are character offsets of the text
    assert all(text[start:end] == finder.literals[index] for index, start, end in occurrences)
    assert len(occurrences) == sum(text[i:].startswith(lit) for lit in finder.literals
                                   for i in range(len(text)))
    # Rule sets cross process pools: the finder is rebuilt from its literals.
    assert pickle.loads(pickle.dumps(finder)).present(text) == expected


# -- Tries instead of alternations ---------------------------------------------------------


def _longest_first(keys: set[str]) -> str:
    """The alternation the trie replaces (what actors.py wrote before)."""
    ordered = sorted(keys, key=lambda k: (-len(k), k))
    return "(?:" + "|".join(re.escape(k).replace(r"\ ", r"\s+") for k in ordered) + ")"


def _spans(pattern: str, text: str) -> list[tuple[int, int]]:
    return [m.span() for m in re.finditer(rf"(?<![\w-])(?:{pattern})(?![\w-])", text)]


_KEY_PIECES = ["a", "b", "ab", "a b", " ", "'", "-", "é", "a\tb"]


@given(keys=st.sets(st.lists(st.sampled_from(_KEY_PIECES), min_size=1, max_size=4)
                    .map("".join), min_size=1, max_size=10),
       text=st.lists(st.sampled_from([*_KEY_PIECES, "  ", "\n", "c"]), max_size=25)
       .map("".join))
def test_a_trie_matches_what_the_longest_first_alternation_matches(keys: set[str],
                                                                   text: str) -> None:
    assert _spans(literal_alternation(keys), text) == _spans(_longest_first(keys), text)


def test_the_actor_trie_finds_what_the_alternation_found(ws: Workspace,
                                                         corpus_sentences: list[Sentence]
                                                         ) -> None:
    matcher = actors.actor_matcher(ws.codebook)
    assert matcher.folded_pattern is not None
    aliases = {fold(a) for group in ws.codebook.actors_data.actors
               for a in (*group.aliases, *(n.name for n in group.names))
               if not actors._is_abbreviation(a) and len(fold(a)) >= 3}
    reference = re.compile(rf"(?<![\w-]){_longest_first(aliases)}(?![\w-])")
    for sentence in corpus_sentences:
        folded = fold_for_match(sentence.text)[0]
        assert ([m.span() for m in matcher.folded_pattern.finditer(folded)]
                == [m.span() for m in reference.finditer(folded)])


@given(mapping=st.lists(st.integers(0, 3), max_size=30).map(
    lambda steps: [sum(steps[:i]) for i in range(len(steps) + 1)]),
    offset=st.integers(0, 60))
def test_an_actor_offset_maps_to_the_first_folded_character_from_it(mapping: list[int],
                                                                     offset: int) -> None:
    first: dict[int, int] = {}
    for index, original in enumerate(mapping):
        first.setdefault(original, index)
    assert actors._folded_index(mapping, offset) == first.get(offset)
    assert bisect_left(mapping, offset) <= len(mapping)


# -- Rule hits ------------------------------------------------------------------------------


def _window(context: CompiledContext, folded: str, start: int, end: int) -> str:
    low = 0 if context.before is None else max(0, start - context.before)
    high = len(folded) if context.after is None else min(len(folded), end + context.after)
    return folded[low:high]


def _first_match(context: CompiledContext, window: str) -> re.Match[str] | None:
    return next((m for p in context.patterns if (m := p.search(window)) is not None), None)


def _plain_match(rule: CompiledRule, text: str) -> tuple[list[RuleHit], list[RuleVeto]]:
    """Every trigger and every context pattern searched, no literal test anywhere."""
    folded, mapping = fold_for_match(text)
    hits: list[RuleHit] = []
    vetoes: list[RuleVeto] = []
    claimed: list[tuple[int, int]] = []
    for trigger in rule.triggers:
        for found in trigger.finditer(folded):
            f_start, f_end = found.span()
            if f_end == f_start or any(f_start < e and s < f_end for s, e in claimed):
                continue
            claimed.append((f_start, f_end))
            start, end = span_back(mapping, f_start, f_end)
            reason, context_text = None, ""
            for context in rule.forbids:
                forbidden = _first_match(context, _window(context, folded, f_start, f_end))
                if forbidden is not None:
                    reason, context_text = f"forbids {context.name}", forbidden.group()
                    break
            else:
                for context in rule.requires:
                    if _first_match(context, _window(context, folded, f_start, f_end)) is None:
                        reason = f"requires {context.name}"
                        break
            if reason is None:
                hits.append(RuleHit(rule.id, start, end, text[start:end]))
            else:
                vetoes.append(RuleVeto(rule.id, start, end, text[start:end], reason,
                                       context_text))
    hits.sort(key=lambda h: h.start)
    vetoes.sort(key=lambda v: v.start)
    return hits, vetoes


def _assert_same_hits(rules: RuleSet, text: str, kind: str) -> None:
    expected = []
    for rule in rules.rules:
        plain_hits, plain_vetoes = _plain_match(rule, text)
        assert match_sentence(rule, text) == (plain_hits, plain_vetoes)
        if kind in rule.spec.sentence_kinds:
            expected.extend((rule, hit) for hit in plain_hits)
    assert rules.hits(text, kind, fold_for_match(text)) == tuple(expected)


def test_rule_hits_on_real_sentences(rules: RuleSet, corpus_sentences: list[Sentence]) -> None:
    for sentence in corpus_sentences:
        if sentence.kind in ELIGIBLE_KINDS:
            _assert_same_hits(rules, sentence.text, sentence.kind)


_WORDS = ["attaque", "attaqué", "ont", "a", "été", "tué", "tués", "les", "des", "jihadistes",
          "ne", "pas", "jamais", "civils", "l'armée", "frappes", "aériennes", "drones",
          "embuscade", "contre", "village", "prévu", "commémoration", "sit-in", "manifestants",
          "dispersé", "enlevés", "à", "Kidal", "Mali", "le", "3", "mai", "2024", ",", "."]


@settings(max_examples=300)
@given(words=st.lists(st.sampled_from(_WORDS), min_size=1, max_size=25),
       kind=st.sampled_from(ELIGIBLE_KINDS))
def test_rule_hits_on_generated_sentences(rules: RuleSet, words: list[str], kind: str) -> None:
    _assert_same_hits(rules, " ".join(words), kind)


# -- Country names --------------------------------------------------------------------------


def _plain_country_ranking(text: str, cues: dict[str, str], core: set[str]) -> list[str]:
    """The scan _country_context shortcuts: every word, every length; then the ranking."""
    longest = max(len(k.split()) for k in cues)
    words = [fold(w) for w in re.findall(r"[\w'-]+", text)]
    counter: Counter[str] = Counter()
    for i in range(len(words)):
        for size in range(longest, 0, -1):
            key = " ".join(words[i:i + size])
            if key in cues:
                counter[cues[key]] += 1
                break
    return sorted(counter, key=lambda iso3: (-counter[iso3], iso3 not in core, iso3))


@settings(max_examples=200)
@given(words=st.lists(st.sampled_from(["Burkina", "Faso", "burkinabè", "Mali", "maliens",
                                       "Niger", "Nigeria", "Côte", "d'Ivoire", "le", "au",
                                       "Tchad", "ﬁ", "l’armée", "de", "la", "République"]),
                      max_size=30))
def test_country_names_are_counted_as_by_a_scan_of_every_word(ws: Workspace,
                                                              words: list[str]) -> None:
    text = " ".join(words) or "vide"
    sentence = Sentence("doc#s1", "doc", 0, 0, len(text), text, "body", 0, 0)
    core = {c.iso3 for c in ws.codebook.data.countries if c.scope == "core"}
    expected = _plain_country_ranking(text, country_cues(ws.codebook), core)
    assert pipeline._country_context([sentence], ws.codebook)[0] == expected


@given(value=st.one_of(st.integers(), st.text(max_size=5), st.lists(st.text(max_size=3))),
       rule=st.text(max_size=8), sentence=st.one_of(st.none(), st.text(max_size=8)),
       start=st.one_of(st.none(), st.integers(0, 99)), end=st.one_of(st.none(), st.integers(0, 99)))
def test_traced_values_built_fast_are_those_init_builds(value: object, rule: str,
                                                        sentence: str | None, start: int | None,
                                                        end: int | None) -> None:
    fast = assemble._traced_value(value, rule, sentence, start, end)
    plain = assemble.TracedValue(value, rule, sentence, start, end)
    assert type(fast) is assemble.TracedValue
    assert fast == plain and repr(fast) == repr(plain) and fast.trace() == plain.trace()
    with pytest.raises(AttributeError):
        fast.value = 1  # type: ignore[misc]  # still frozen


def test_sentence_infos_built_fast_are_those_init_builds() -> None:
    sentence = Sentence("d#s1", "d", 1, 0, 5, "Texte", "body", 1, 0)

    class Reader:
        def dates(self, _s: Sentence) -> tuple[()]:
            return ()

        actors = places = casualties = dates

    reader = Reader()
    fast = assemble.sentence_info(sentence, True, (), reader)
    plain = assemble.SentenceInfo(sentence, True, (), reader)
    assert type(fast) is assemble.SentenceInfo and fast == plain and repr(fast) == repr(plain)
    assert vars(fast) == vars(plain)
    assert (fast.dates, fast.actors, fast.places, fast.casualties) == ((), (), (), ())
    with pytest.raises(AttributeError):
        fast.headline = False  # type: ignore[misc]
