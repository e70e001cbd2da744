"""Records passed between the per-file stages, the cache and the cross-file stage.

The per-file stages produce a :class:`FileResult`: the file's issues and a small
:class:`FileSummary` of its events (what the cross-file stage compares). Both round-trip
through plain JSON so they can be cached and sent between processes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sahelevents.issues import Issue, Severity


@dataclass(frozen=True, slots=True)
class FileTask:
    """One file to check. ``full=False`` asks only for the summary the cross stage needs."""

    path: str
    absolute: str  # os.path.abspath(path), made once: ten thousand files need it often
    display: str
    primary: bool
    in_annotations: bool
    full: bool
    max_bytes: int


class LinkSummary(NamedTuple):
    """One ``same_as`` entry and where it is written."""

    target: str
    line: int
    column: int
    yaml_path: str


# Summaries are named tuples, not dataclasses: a warm run of ten thousand files rebuilds
# fifty thousand of them from the cache, and a tuple is built several times faster.
class EventSummary(NamedTuple):
    """What the cross-file stage needs of one event (values after codebook renames)."""

    id: str
    decision: str
    line: int
    column: int
    yaml_path: str
    event_date: str | None = None
    event_type: str | None = None
    place: str | None = None  # gazetteer place id when the location resolved
    location: str | None = None
    actor1: str | None = None
    actor2: str | None = None
    same_as: tuple[LinkSummary, ...] = ()

    def to_json(self) -> list[Any]:
        # A list, not a mapping: ten thousand cached files hold fifty thousand of these.
        return [*self[:11], [list(link) for link in self.same_as]]

    @classmethod
    def from_json(cls, data: Sequence[Any]) -> EventSummary:
        # Entries come from our own cache, checksummed: the values already have their types
        # (a damaged entry fails the checksum or raises here, and is recomputed). ``data`` is
        # not changed: the cache writes it again into its next snapshot.
        if len(data) != 12:
            raise ValueError("not an event summary")
        links = data[11]
        if links:
            return cls._make((*data[:11], tuple(LinkSummary._make(link) for link in links)))
        # The cache's snapshot stores tuples, ending in an empty tuple when there is no link:
        # such a tuple already is the summary's value.
        return cls._make(data if type(data) is tuple else (*data[:11], ()))


_event_from_json = EventSummary.from_json


class FileSummary(NamedTuple):
    file: str
    doc: str | None
    primary: bool
    events: tuple[EventSummary, ...] = ()

    def to_json(self) -> list[Any]:
        return [self.file, self.doc, self.primary, [e.to_json() for e in self.events]]

    @classmethod
    def from_json(cls, data: Sequence[Any]) -> FileSummary:
        file, doc, primary, events = data
        return cls(str(file), _opt(doc), bool(primary), tuple(map(_event_from_json, events)))

    def sharing(self, strings: dict[str, str]) -> FileSummary:
        """This summary with each string value replaced by the equal one in ``strings`` (and
        added there when new).

        Every summary unpickled from a worker brings its own copies of the same few hundred
        decisions, types, dates, places, actors and paths: 4.0 million strings, 210,000 of
        them distinct, took 243 MB of the parent's memory for 100,000 files until the
        release was written. Shared, they take 13 MB.
        """
        share = strings.setdefault
        return FileSummary(share(self.file, self.file),
                           None if self.doc is None else share(self.doc, self.doc),
                           self.primary,
                           tuple([EventSummary._make([value if type(value) is not str
                                                      else share(value, value)
                                                      for value in event])
                                  for event in self.events]))


@dataclass(slots=True)
class Extras:
    """What a worker computed besides a result: the parent stores it in its one write."""

    cache_entries: dict[str, Any] = field(default_factory=dict)  # segmentations
    #: The result's cache key and the source id it assumed, when the worker made it.
    key: str | None = None
    assumed_doc: str | None = None
    digests: dict[str, list[Any]] = field(default_factory=dict)  # files hashed on the way


@dataclass(slots=True)
class FileResult:
    """The per-file stages' outcome. ``issues`` is None for a summary-only result."""

    summary: FileSummary
    issues: list[Issue] | None = field(default_factory=list)
    #: What the checks computed on the way, for the parent to store; never cached itself.
    extras: Extras | None = None
    #: What a run's companion made of the file (see ``validate.Companion``); never cached.
    payload: Any = None

    def to_json(self) -> list[Any]:
        """``[summary, issues]`` of lists and scalars: JSON, and what the cache marshals."""
        return [self.summary.to_json(),
                None if self.issues is None else [issue_to_json(i) for i in self.issues]]

    @classmethod
    def from_json(cls, data: Sequence[Any]) -> FileResult:
        summary, issues = data
        return cls(summary=FileSummary.from_json(summary),
                   issues=None if issues is None else [issue_from_json(i) for i in issues])


def issue_to_json(found: Issue) -> list[Any]:
    return [found.code, found.message, found.file, found.line, found.column, found.yaml_path,
            str(found.severity), found.doc, list(found.span) if found.span else None]


def issue_from_json(data: Sequence[Any]) -> Issue:
    code, message, file, line, column, yaml_path, severity, doc, span = data
    return Issue(str(code), str(message), str(file), int(line), int(column), str(yaml_path),
                 Severity(severity), _opt(doc),
                 (int(span[0]), int(span[1])) if span else None)


def _opt(value: Any) -> str | None:
    return None if value is None else str(value)
