"""The per-file results: what the parent keeps of them and what the cache stores."""

from __future__ import annotations

import marshal

from hypothesis import given
from hypothesis import strategies as st

from sahelevents.validate.cache import _shared_strings
from sahelevents.validate.results import EventSummary, FileSummary, LinkSummary

# Few distinct values, as in a corpus: the same decisions, types and places again and again.
_words = st.sampled_from(["accepted", "rejected", "Battles", "Gao", "JNIM", "events[0]", "é"])
_maybe = st.none() | _words
_links = st.lists(st.builds(LinkSummary, _words, st.integers(1, 99), st.integers(1, 99),
                            _words), max_size=2).map(tuple)
_events = st.builds(EventSummary, _words, _words, st.integers(1, 999), st.integers(1, 99),
                    _words, _maybe, _maybe, _maybe, _maybe, _maybe, _maybe, _links)
_summaries = st.builds(FileSummary, _words, _maybe, st.booleans(),
                       st.lists(_events, max_size=5).map(tuple))


def _copied(summary: FileSummary) -> FileSummary:
    """The summary with every string a new object, as unpickled from a worker."""
    def fresh(value: object) -> object:
        return "".join(list(value)) if isinstance(value, str) else value
    return FileSummary(*(fresh(v) for v in summary[:3]),  # type: ignore[arg-type]
                       tuple(EventSummary._make([fresh(v) for v in event])
                             for event in summary.events))


@given(st.lists(_summaries, min_size=1, max_size=4))
def test_summaries_sharing_strings_are_equal_and_hold_one_object_per_string(
        summaries: list[FileSummary]) -> None:
    strings: dict[str, str] = {}
    shared = [_copied(summary).sharing(strings) for summary in summaries]
    assert shared == summaries
    assert all(type(event) is EventSummary for summary in shared for event in summary.events)
    seen: dict[str, int] = {}
    for summary in shared:
        for value in (summary.file, summary.doc, *(v for e in summary.events for v in e)):
            if isinstance(value, str):
                assert seen.setdefault(value, id(value)) == id(value)


@given(_summaries)
def test_a_summary_survives_the_snapshot_form(summary: FileSummary) -> None:
    stored = marshal.loads(marshal.dumps(_shared_strings(summary.to_json(), {}), 4))
    assert FileSummary.from_json(stored) == summary
