"""What the per-file checks share within one run: the workspace and memoised look-ups.

A :class:`CheckContext` is built once per run (and once per worker process); every look-up
that more than one file needs - a document's text and sentences, a place name, the renames
that apply to a codebook version - is computed once and kept.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import os
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TypeVar

from sahelevents.gazetteer import Place
from sahelevents.issues import DataError
from sahelevents.models import Rename, SourceDocument
from sahelevents.sentences import Sentence, segment
from sahelevents.sources import Document, read_text_strict
from sahelevents.workspace import Workspace

#: ACLED's coverage of Africa starts here; no event can be dated earlier.
COVERAGE_START = dt.date(1997, 1, 1)


def parse_version(text: str) -> tuple[int, int, int]:
    major, minor, patch = (int(part) for part in text.split("."))
    return major, minor, patch


@dataclass(frozen=True, slots=True)
class LoadedDocument:
    """A registered document as the checks need it, or why it cannot be read."""

    document: Document | None
    sha256: str  # of the text as it is on disk now ("" when unreadable)
    error: str = ""


@dataclass(frozen=True, slots=True)
class PlaceMatch:
    """How a location string resolved: the place, and whether the choice is uncertain."""

    place: Place | None
    ambiguous_countries: tuple[str, ...] = ()
    suggestions: tuple[str, ...] = ()


SentenceLoader = Callable[[str, str], list[Sentence]]

#: Documents (text and sentences) kept in memory at once. The files of one document (its
#: primary file and the coders' copies) are usually checked close together; keeping every
#: document of a large project would grow memory - and the garbage collector's work - with
#: the size of the corpus.
RECENT_DOCUMENTS = 256

_Value = TypeVar("_Value")


class _Recent(OrderedDict[str, _Value]):
    """A dict that forgets its least recently used entries beyond ``limit``."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def remember(self, key: str, value: _Value) -> _Value:
        self[key] = value
        if len(self) > self.limit:
            self.popitem(last=False)
        return value

    def recall(self, key: str) -> _Value | None:
        value = self.get(key)
        if value is not None:
            self.move_to_end(key)
        return value
#: doc id -> (its registry entry as JSON, the path of its text)
RegistryEntries = dict[str, tuple[str, str]]


def registry_entries(ws: Workspace) -> RegistryEntries:
    registry = ws.registry
    return {meta.id: (meta.model_dump_json(),
                      os.path.normpath(os.path.join(registry.path.parent, meta.file)))
            for meta in registry.data.documents}


class CheckContext:
    """Shared look-ups of one run.

    ``registry`` may give the registry's entries from a cache: parsing a registry of ten
    thousand documents takes seconds, and re-checking one changed file must not.
    """

    def __init__(self, ws: Workspace, *, sentence_loader: SentenceLoader | None = None,
                 registry: Callable[[], RegistryEntries] | None = None) -> None:
        self.ws = ws
        self._documents: _Recent[LoadedDocument] = _Recent(RECENT_DOCUMENTS)
        self._sentences: _Recent[dict[str, Sentence]] = _Recent(RECENT_DOCUMENTS)
        self._places: dict[tuple[str, str | None], PlaceMatch] = {}
        self._metas: _Recent[tuple[SourceDocument | None]] = _Recent(RECENT_DOCUMENTS)
        self._sentence_loader = sentence_loader
        self._registry_loader = registry or (lambda: registry_entries(ws))

    @cached_property
    def registry(self) -> RegistryEntries:
        return self._registry_loader()

    def meta(self, doc_id: str) -> SourceDocument | None:
        """The registry entry of ``doc_id`` (None when it is not registered)."""
        known = self._metas.recall(doc_id)
        if known is None:
            entry = self.registry.get(doc_id)
            known = self._metas.remember(doc_id, (
                SourceDocument.model_validate_json(entry[0]) if entry is not None else None,))
        return known[0]

    # -- Codebook ---------------------------------------------------------------------------

    @cached_property
    def current_version(self) -> tuple[int, int, int]:
        return parse_version(self.ws.codebook.version)

    @cached_property
    def core_countries(self) -> tuple[str, ...]:
        return tuple(iso3 for iso3, c in self.ws.codebook.countries.items() if c.scope == "core")

    def renames_since(self, version: str | None) -> list[Rename]:
        """Renames made after ``version`` (and not after the current codebook), oldest first."""
        if version is None:
            return []
        declared = parse_version(version)
        return sorted((r for r in self.ws.codebook.data.renames
                       if declared < parse_version(r.since) <= self.current_version),
                      key=lambda r: parse_version(r.since))

    def rename_of(self, kind: str, value: str) -> Rename | None:
        """The codebook rename whose old name is ``value`` (for hints), if any."""
        for rename in self.ws.codebook.data.renames:
            if rename.kind == kind and rename.old == value:
                return rename
        return None

    # -- Sources ----------------------------------------------------------------------------

    def document(self, doc_id: str) -> LoadedDocument:
        known = self._documents.recall(doc_id)
        if known is not None:
            return known
        meta, entry = self.meta(doc_id), self.registry.get(doc_id)
        if meta is None or entry is None:
            return self._documents.remember(doc_id, LoadedDocument(None, "", "not registered"))
        path = Path(entry[1])
        try:
            text = read_text_strict(path)
        except OSError as exc:
            reason = "is missing" if not path.exists() else f"cannot be read: {exc.strerror}"
            return self._documents.remember(doc_id, LoadedDocument(
                None, "", f"{self.ws.project.relative(path)} {reason}"))
        except DataError as exc:
            return self._documents.remember(doc_id, LoadedDocument(None, "", str(exc)))
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        return self._documents.remember(doc_id, LoadedDocument(Document(meta, path, text),
                                                               digest))

    def sentences(self, doc_id: str) -> dict[str, Sentence]:
        """Sentence id -> sentence of a readable registered document (segmented once)."""
        known = self._sentences.recall(doc_id)
        if known is not None:
            return known
        loaded = self.document(doc_id)
        if loaded.document is None:
            return self._sentences.remember(doc_id, {})
        text = loaded.document.text
        found = (self._sentence_loader(doc_id, text) if self._sentence_loader
                 else segment(doc_id, text))
        return self._sentences.remember(doc_id, {s.id: s for s in found})

    def publication_bound(self, doc_id: str) -> tuple[dt.date, str] | None:
        """The latest day the source can report on, and how it was stated.

        A publication date known to the month or year bounds events by the end of that month
        or year; an unknown precision gives no bound.
        """
        meta = self.meta(doc_id)
        if meta is None or not meta.published:
            return None
        try:
            published = dt.date.fromisoformat(meta.published)
        except ValueError:
            return None
        if meta.published_precision == "day":
            return published, f"published {published.isoformat()}"
        if meta.published_precision == "month":
            last = calendar.monthrange(published.year, published.month)[1]
            return published.replace(day=last), f"published in {published:%Y-%m}"
        if meta.published_precision == "year":
            return published.replace(month=12, day=31), f"published in {published.year}"
        return None

    def event_bound(self, doc_id: str, sentence_ids: Iterable[str]
                    ) -> tuple[dt.date, str] | None:
        """The latest day an event can have, given the sentences that report it.

        Teasers ("Lire aussi", lists of the author's articles) are other articles with their
        own dates: an event reported only in teasers is bounded by the teaser's own dateline
        ("Publié samedi 27 septembre 2025"), and by nothing when it has none, never by the
        date of the article the page is about.
        """
        known = self.sentences(doc_id)
        stories = {known[s].story for s in sentence_ids if s in known}
        if not stories or 0 in stories:
            return self.publication_bound(doc_id)
        # Imported here: the extractor's rules cost a tenth of a second to load, and only
        # events reported in teasers need them.
        from sahelevents.extract.pipeline import story_date_context

        ordered = sorted(known.values(), key=lambda sentence: sentence.index)
        days = [story_date_context(story, ordered, None, None)[0] for story in stories]
        if any(day is None for day in days):
            return None
        latest = max(day for day in days if day is not None)
        return latest, f"published {latest.isoformat()} (the teaser's own dateline)"

    def document_country(self, doc_id: str | None) -> str | None:
        meta = self.meta(doc_id) if doc_id else None
        return meta.country if meta is not None else None

    # -- Places -----------------------------------------------------------------------------

    def place(self, name: str, country: str | None) -> PlaceMatch:
        """Resolve a location: the document's country first, then the core countries."""
        key = (name, country)
        if key not in self._places:
            gazetteer = self.ws.gazetteer
            context = ((country,) if country else ()) + self.core_countries
            found = gazetteer.lookup(name, context)
            if not found:
                self._places[key] = PlaceMatch(None, suggestions=tuple(
                    gazetteer.suggestions(name)))
            else:
                countries = tuple(sorted({p.country for p in found}))
                chosen = gazetteer.with_admin(found[0])
                # Several countries share the name and the document's country does not
                # decide between them: the first candidate is only a guess.
                uncertain = len(countries) > 1 and chosen.country != country
                self._places[key] = PlaceMatch(chosen, countries if uncertain else ())
        return self._places[key]


def month_end(day: dt.date) -> int:
    return calendar.monthrange(day.year, day.month)[1]
