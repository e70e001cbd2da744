"""The codebook as an indexed, read-only object: types, inter codes, countries, actors.

Loaded once per run from ``codebook/codebook.yaml`` and ``codebook/actors.yaml``; both are
validated against their models, and a broken codebook stops the run with located messages
(every later check would otherwise be wrong).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from sahelevents.issues import DataError, Issue
from sahelevents.modelio import validate_model
from sahelevents.models import (
    ActorGroup,
    ActorName,
    ActorsFile,
    CodebookFile,
    Country,
    EventType,
    SubEventType,
)
from sahelevents.textnorm import fold
from sahelevents.yamlio import MAX_BYTES, load_yaml_file

M = TypeVar("M", bound=BaseModel)


def load_model_file(path: Path, model: type[M], display: str | None = None, *,
                    max_bytes: int = MAX_BYTES) -> M:
    """Load a YAML file into ``model`` or raise :class:`DataError` listing every issue."""
    loaded = load_yaml_file(path, display, max_bytes=max_bytes)
    issues: list[Issue] = [i for i in loaded.issues if i.severity == "error"]
    instance = None
    if loaded.data is not None and not issues:
        instance, issues = validate_model(loaded, model)
    if instance is None or issues:
        raise DataError.from_issues(issues, f"{path}: cannot load")
    return instance


@dataclass(frozen=True, slots=True)
class ActorEntry:
    """One canonical ACLED name with its validity period and inter code."""

    name: str
    group: ActorGroup
    inter: int
    valid_from: dt.date | None
    valid_to: dt.date | None

    def valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to)


class Codebook:
    def __init__(self, codebook: CodebookFile, actors: ActorsFile) -> None:
        self.data = codebook
        self.actors_data = actors
        self.version = codebook.version
        # resolve_actor's folded texts: the same aliases are resolved for every event.
        self._folded_names: dict[str, str] = {}

    @classmethod
    def load(cls, codebook_path: Path, actors_path: Path) -> Codebook:
        return cls(load_model_file(codebook_path, CodebookFile),
                   load_model_file(actors_path, ActorsFile))

    # -- Event taxonomy ----------------------------------------------------------------------

    @cached_property
    def event_types(self) -> dict[str, EventType]:
        return {t.name: t for t in sorted(self.data.event_types, key=lambda t: t.rank)}

    @cached_property
    def sub_event_types(self) -> dict[str, tuple[EventType, SubEventType]]:
        return {s.name: (t, s) for t in self.event_types.values() for s in t.sub_event_types}

    def sub_event(self, name: str) -> SubEventType | None:
        pair = self.sub_event_types.get(name)
        return pair[1] if pair else None

    def disorder_type(self, sub_event_type: str) -> str:
        return self.sub_event_types[sub_event_type][1].disorder_type

    def hierarchy_rank(self, sub_event_type: str) -> int:
        """Lower wins: ACLED's order for co-occurring tactics of one event."""
        return self.sub_event_types[sub_event_type][1].rank

    # -- Inter codes -------------------------------------------------------------------------

    @cached_property
    def inter_labels(self) -> dict[int, str]:
        return {c.code: c.label for c in self.data.inter_codes}

    def interaction(self, inter1: int, inter2: int | None) -> tuple[int, str]:
        """ACLED interaction: lower code first; one-sided events are ``X0`` / ``X only``."""
        if not inter2:
            return inter1 * 10, f"{self.inter_labels[inter1]} only"
        low, high = sorted((inter1, inter2))
        return low * 10 + high, f"{self.inter_labels[low]}-{self.inter_labels[high]}"

    # -- Countries and fatalities ------------------------------------------------------------

    @cached_property
    def countries(self) -> dict[str, Country]:
        """By ISO3."""
        return {c.iso3: c for c in self.data.countries}

    @cached_property
    def countries_by_iso2(self) -> dict[str, Country]:
        return {c.iso2: c for c in self.data.countries}

    def country_named(self, name: str) -> Country | None:
        key = fold(name)
        for country in self.data.countries:
            if key in {fold(country.name), fold(country.iso3)} | {
                    fold(n) for n in country.french_names}:
                return country
        return None

    @cached_property
    def vague_quantities(self) -> dict[str, int]:
        return {v.phrase: v.value for v in self.data.fatalities.vague_quantities}

    # -- Actors ------------------------------------------------------------------------------

    @cached_property
    def actor_entries(self) -> dict[str, ActorEntry]:
        """Every canonical name (of every period) -> its entry."""
        entries: dict[str, ActorEntry] = {}
        for group in self.actors_data.actors:
            for period in group.names:
                entries[period.name] = _entry(group, period)
        return entries

    @cached_property
    def actor_groups(self) -> dict[str, ActorGroup]:
        return {g.id: g for g in self.actors_data.actors}

    @cached_property
    def alias_index(self) -> dict[str, list[ActorGroup]]:
        """Folded alias or canonical name -> the groups it may denote."""
        index: dict[str, list[ActorGroup]] = {}
        for group in self.actors_data.actors:
            keys = {fold(a) for a in group.aliases} | {fold(n.name) for n in group.names}
            for key in keys:
                index.setdefault(key, []).append(group)
        return index

    @cached_property
    def _entries_of(self) -> dict[str, tuple[ActorGroup, tuple[ActorEntry, ...]]]:
        """Group id -> (the group, its entries period by period): name_on is asked for
        every actor mention of every suggested event."""
        return {g.id: (g, tuple(_entry(g, p) for p in g.names))
                for g in self.actors_data.actors}

    def name_on(self, group: ActorGroup, day: dt.date | None) -> ActorEntry:
        """The group's canonical name valid on ``day`` (the latest name when unknown)."""
        known = self._entries_of.get(group.id)
        entries = (known[1] if known is not None and known[0] is group
                   else tuple(_entry(group, p) for p in group.names))
        if day is not None:
            for entry in entries:
                if entry.valid_on(day):
                    return entry
            # Before the first or after the last period: nearest period, so a label exists.
            if entries[0].valid_from and day < entries[0].valid_from:
                return entries[0]
        return entries[-1]

    def resolve_actor(self, text: str, day: dt.date | None = None,
                      country: str | None = None) -> ActorEntry | None:
        """Resolve an alias or name to the canonical name valid on ``day``.

        ``country`` (ISO3) breaks ties between groups sharing an alias ("civils" is
        ``Civilians (Mali)`` in a Malian context).
        """
        key = self._folded_names.get(text)
        if key is None:
            if len(self._folded_names) >= 4096:  # bounded: the text may be anyone's
                self._folded_names.clear()
            key = self._folded_names[text] = fold(text)
        groups = self.alias_index.get(key, [])
        if not groups:
            return None
        if len(groups) > 1 and country:
            local = [g for g in groups if g.country == country]
            groups = local or groups
        return self.name_on(groups[0], day)


def _entry(group: ActorGroup, period: ActorName) -> ActorEntry:
    return ActorEntry(period.name, group, period.inter or group.inter, period.valid_from,
                      period.valid_to)
