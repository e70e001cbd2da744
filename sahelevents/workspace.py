"""Everything a command needs about one dataset repository, loaded lazily and once.

``Workspace`` ties the project folders to the codebook, gazetteer, source registry and the
sentences of each document. Commands build one and pass it down; nothing re-reads a file
another stage already read.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from pathlib import Path

from sahelevents.codebook import Codebook, load_model_file
from sahelevents.gazetteer import Gazetteer
from sahelevents.models import PlacesFile
from sahelevents.project import Project
from sahelevents.sentences import Sentence, segment
from sahelevents.sources import Document, Registry


class Workspace:
    """``use_cache=False``: nothing read from or written to the project's cache folder."""

    def __init__(self, project: Project, *, use_geonames: bool = True,
                 use_cache: bool = True) -> None:
        self.project = project
        self.use_geonames = use_geonames
        self.use_cache = use_cache
        self._documents: dict[str, Document] = {}
        self._sentences: dict[str, list[Sentence]] = {}

    @classmethod
    def find(cls, root: Path | None = None, *, use_cache: bool = True) -> Workspace:
        return cls(Project.find(root), use_cache=use_cache)

    @cached_property
    def codebook(self) -> Codebook:
        return Codebook.load(self.project.codebook_file, self.project.actors_file)

    @cached_property
    def places(self) -> PlacesFile:
        return load_model_file(self.project.places_file, PlacesFile)

    @cached_property
    def gazetteer(self) -> Gazetteer:
        return Gazetteer(self.places, self.codebook.data.countries,
                         use_geonames=self.use_geonames)

    @cached_property
    def registry(self) -> Registry:
        return Registry.load(self.project.registry_file,
                             cache_dir=self.project.cache_dir if self.use_cache else None)

    def document(self, doc_id: str) -> Document:
        if doc_id not in self._documents:
            self._documents[doc_id] = self.registry.document(doc_id)
        return self._documents[doc_id]

    def sentences(self, doc_id: str) -> list[Sentence]:
        if doc_id not in self._sentences:
            self._sentences[doc_id] = segment(doc_id, self.document(doc_id).text)
        return self._sentences[doc_id]

    def publication_date(self, doc_id: str) -> dt.date | None:
        meta = self.registry.by_id.get(doc_id)
        if meta is None or not meta.published:
            return None
        return dt.date.fromisoformat(meta.published)

    def annotation_files(self) -> list[Path]:
        folder = self.project.annotations_dir
        return sorted(folder.rglob("*.yaml")) if folder.is_dir() else []
