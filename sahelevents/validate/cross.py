"""Stage 5, across files: event references, ``same_as`` links and probable duplicates.

Runs on the summaries of every *primary* annotation file of the project (coders' copies are
other codings of the same document, not other events), so it always sees the whole dataset
even when only some files were asked for; issues are then kept for the files asked for.

* X001: two primary files claim the same document, so their event refs ``DOC#id`` collide.
* X002: a ``same_as`` target does not exist (or is in the same document).
* X005: a ``same_as`` link involves an event that is not accepted (a target that fails its
  own validation is not compared: its file reports why).
* X003: linked events disagree on date, location or event type.
* X004: accepted events of different documents with the same day, place, type and actors,
  not connected by ``same_as`` links, are probably one event (warning).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import NamedTuple

from sahelevents.issues import Issue, issue
from sahelevents.validate.results import EventSummary, FileSummary, LinkSummary


class _Located(NamedTuple):
    """An event, its file and its ``DOC#id`` reference (a tuple: there is one per event)."""

    file: FileSummary
    event: EventSummary
    ref: str


class _Links:
    """Union-find over event refs: which events ``same_as`` links put together."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, ref: str) -> str:
        root = ref
        while self.parent.get(root, root) != root:
            root = self.parent[root]
        while ref != root:  # path compression
            self.parent[ref], ref = root, self.parent.get(ref, ref)
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _event_issue(code: str, message: str, where: _Located, *, line: int = 0, column: int = 0,
                 path: str = "") -> Issue:
    return issue(code, message, where.file.file, line=line or where.event.line,
                 column=column or where.event.column, yaml_path=path or where.event.yaml_path,
                 doc=where.file.doc)


def _link_issue(code: str, message: str, here: _Located, link: LinkSummary) -> Issue:
    return _event_issue(code, message, here, line=link.line, column=link.column,
                        path=link.yaml_path)


def check_cross(summaries: Iterable[FileSummary]) -> Iterator[Issue]:
    primaries = sorted((s for s in summaries if s.primary and s.doc), key=lambda s: s.file)
    index: dict[str, _Located] = {}
    linking: list[_Located] = []  # events with same_as links, in the index's order
    # The loop runs once per event of the dataset (fifty thousand in ten thousand files),
    # on every validation, cached or not: it stays lean.
    for summary in primaries:
        prefix = f"{summary.doc}#"
        for event in summary.events:
            ref = prefix + event.id
            first = index.get(ref)
            if first is None:
                here = index[ref] = _Located(summary, event, ref)
                if event.same_as:
                    linking.append(here)
            elif first.file.file != summary.file:
                yield _event_issue("X001", f"event {ref} is also defined in "
                                   f"{first.file.file} (line {first.event.line}): two files "
                                   f"annotate '{summary.doc}'; keep one",
                                   _Located(summary, event, ref), path=f"{event.yaml_path}.id")
    links = _Links()
    for here in linking:
        for link in here.event.same_as:
            yield from _check_link(here, link, index, links)
    yield from _probable_duplicates(index, links)


def _check_link(here: _Located, link: LinkSummary, index: dict[str, _Located],
                links: _Links) -> Iterator[Issue]:
    target_doc, _, target_id = link.target.rpartition("#")
    if target_doc == here.file.doc:
        yield _link_issue("X002", f"same_as {link.target} names an event of this same "
                           "document: same_as links reports of one event in different "
                           "documents (merge the two events instead)", here, link)
        return
    target = index.get(link.target)
    if target is None:
        known = [r for r in index if r.startswith(f"{target_doc}#")]
        reason = (f"'{target_doc}' has no event '{target_id}' (its events: "
                  f"{', '.join(sorted(r.partition('#')[2] for r in known))})" if known
                  else f"there is no annotation file for '{target_doc}'")
        yield _link_issue("X002", f"same_as {link.target} not found: {reason}", here, link)
        return
    links.union(here.ref, target.ref)
    if target.event.decision == "invalid":
        return  # the target's own errors are reported in its file; comparing would be noise
    not_accepted = [f"{w.ref} is {w.event.decision}" for w in (here, target)
                    if w.event.decision != "accepted"]
    if not_accepted:
        yield _link_issue("X005", f"same_as links only accepted events, but "
                           f"{' and '.join(not_accepted)}: accept both or remove the link",
                           here, link)
        return
    mine, theirs = here.event, target.event
    differences = [
        f"{label} {getattr(mine, label)!r} here, {getattr(theirs, label)!r} there"
        for label, differ in (
            ("event_date", mine.event_date != theirs.event_date),
            ("location", _place(mine) != _place(theirs)),
            ("event_type", mine.event_type != theirs.event_type))
        if differ
    ]
    if differences:
        yield _link_issue("X003", f"{here.ref} and {target.ref} (in {target.file.file}) are "
                           f"linked but disagree: {'; '.join(differences)}. Make them agree, "
                           "or remove the link if they are different events", here, link)


def _place(event: EventSummary) -> str | None:
    """Compare resolved places, so 'Gao' and 'Gao, Mali' agree; fall back to the text."""
    return event.place or event.location


def _probable_duplicates(index: dict[str, _Located], links: _Links) -> Iterator[Issue]:
    # One entry per accepted event of the dataset, a million at archive scale, held at the
    # height of a first release: each is keyed by the hash of what two reports of one event
    # share, not by that tuple and its frozenset (~290 bytes each), and a list is made only
    # when a second event comes. Within a bucket the events are grouped by the key itself.
    buckets: dict[int, _Located | list[_Located]] = {}
    for here in index.values():
        event = here.event
        if (event.decision != "accepted" or not event.event_date or not event.place
                or not event.event_type):
            continue
        bucket = hash(_same_event_key(event))
        found = buckets.get(bucket)
        if found is None:
            buckets[bucket] = here
        elif isinstance(found, list):
            found.append(here)
        else:
            buckets[bucket] = [found, here]
    for found in buckets.values():
        if not isinstance(found, list):
            continue
        groups: dict[tuple[str | None, str | None, str | None, frozenset[str | None]],
                     list[_Located]] = {}
        for here in found:
            groups.setdefault(_same_event_key(here.event), []).append(here)
        for members in groups.values():
            yield from _duplicates_in(members, links)


def _same_event_key(event: EventSummary
                    ) -> tuple[str | None, str | None, str | None, frozenset[str | None]]:
    """What two reports of one event share: day, place, type and actors (either way round)."""
    return (event.event_date, event.place, event.event_type,
            frozenset((event.actor1, event.actor2)))


def _duplicates_in(members: list[_Located], links: _Links) -> Iterator[Issue]:
    """X004 for each event of ``members`` (events with the same key) that has an earlier one
    in another document, not linked to it."""
    members.sort(key=lambda m: m.ref)
    for position, later in enumerate(members):
        for earlier in members[:position]:
            if earlier.file.doc == later.file.doc:
                continue
            if links.find(earlier.ref) == links.find(later.ref):
                continue
            yield _event_issue(
                "X004", f"{later.ref} looks like {earlier.ref} (in {earlier.file.file}): "
                f"same day, place, type and actors. If it is the same event add "
                f"`same_as: [{earlier.ref}]`; otherwise ignore this warning", later)
            break
