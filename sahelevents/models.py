"""Typed records for every file sahelevents reads or writes.

These pydantic models are the single source of truth for the formats: the JSON Schemas in
``schema/`` are generated from them (``sahelevents schema --write``) and a test fails when
the committed schemas drift. All models forbid unknown fields, so a typo is an error with a
"did you mean" suggestion rather than a silently ignored key.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

# -- Shared value types ---------------------------------------------------------------------

DocId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")]
LocalEventId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]
SentenceId = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}#s[0-9]+$")
]
EventRef = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}#[a-z0-9][a-z0-9-]{0,63}$")
]
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
SemVer = Annotated[
    str, StringConstraints(pattern=r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")
]
IsoDate = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
ISO3 = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
NonEmpty = Annotated[str, StringConstraints(min_length=1)]
Precision = Annotated[int, Field(ge=1, le=3)]
InterCode = Annotated[int, Field(ge=1, le=8)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False, populate_by_name=True,
                              defer_build=True)


# -- Codebook -------------------------------------------------------------------------------


class DisorderType(Strict):
    name: NonEmpty
    definition: NonEmpty


class SubEventType(Strict):
    name: NonEmpty
    rank: Annotated[int, Field(ge=1)]
    disorder_type: NonEmpty
    definition: NonEmpty
    include: list[str] = []
    exclude: list[str] = []
    civilian_targeting: Literal["never", "always", "sometimes"]


class EventType(Strict):
    name: NonEmpty
    rank: Annotated[int, Field(ge=1)]
    definition: NonEmpty
    sub_event_types: list[SubEventType]


class InterCodeEntry(Strict):
    code: InterCode
    label: NonEmpty
    definition: NonEmpty
    naming: str = ""


class InteractionRule(Strict):
    rule: NonEmpty


class PrecisionLevel(Strict):
    code: Precision
    label: NonEmpty
    definition: NonEmpty


class VagueQuantity(Strict):
    phrase: NonEmpty
    value: Annotated[int, Field(ge=0)]


class FatalityConventions(Strict):
    conventions: list[NonEmpty]
    vague_quantities: list[VagueQuantity]


class Country(Strict):
    name: NonEmpty
    iso: Annotated[int, Field(ge=1, le=999)]
    iso2: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
    iso3: ISO3
    region: NonEmpty
    event_id_prefix: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
    scope: Literal["core", "neighbour"]
    french_names: list[NonEmpty] = []


class Rename(Strict):
    since: SemVer
    kind: Literal["event_type", "sub_event_type", "actor"]
    old: NonEmpty
    new: NonEmpty


class CodebookFile(Strict):
    version: SemVer
    title: NonEmpty
    description: str = ""
    disorder_types: list[DisorderType]
    event_types: list[EventType]
    inter_codes: list[InterCodeEntry]
    interaction: InteractionRule
    time_precision: list[PrecisionLevel]
    geo_precision: list[PrecisionLevel]
    fatalities: FatalityConventions
    countries: list[Country]
    renames: list[Rename] = []


# -- Actors ---------------------------------------------------------------------------------


class ActorName(Strict):
    name: NonEmpty
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    inter: InterCode | None = None


class ActorGroup(Strict):
    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$")]
    inter: InterCode
    country: ISO3 | None = None
    aliases: list[NonEmpty] = []
    names: Annotated[list[ActorName], Field(min_length=1)]
    notes: str | None = None


class ActorsFile(Strict):
    version: SemVer
    actors: list[ActorGroup]


# -- Places ---------------------------------------------------------------------------------


class CuratedPlace(Strict):
    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$")]
    name: NonEmpty
    alternate_names: list[NonEmpty] = []
    country: ISO3
    admin1: str | None = None
    admin2: str | None = None
    admin3: str | None = None
    latitude: Annotated[float, Field(ge=-90, le=90)]
    longitude: Annotated[float, Field(ge=-180, le=180)]
    kind: Literal["town", "village", "district", "region", "forest", "camp", "area"] = "town"
    source: NonEmpty


class PlacesFile(Strict):
    version: SemVer
    admin1: dict[str, dict[str, str]] = {}
    places: list[CuratedPlace]


# -- Sources --------------------------------------------------------------------------------


class SourceDocument(Strict):
    id: DocId
    file: NonEmpty = Field(description="Path of the text, relative to the registry file.")
    sha256: Sha256
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")] = "fr"
    outlet: str | None = None
    title: str | None = None
    url: str | None = None
    published: IsoDate | None = Field(
        default=None, description="Publication date of the article (not the scrape date).")
    published_precision: Literal["day", "month", "year", "unknown"] = "unknown"
    published_note: str = Field(default="", description="How the publication date was inferred.")
    source_scale: str | None = Field(default=None, description="ACLED source_scale of the outlet.")
    country: ISO3 | None = Field(default=None, description="Main country the document covers.")
    notes: str | None = None


class SourceRegistry(Strict):
    version: SemVer = "1.0.0"
    newline: Literal["lf"] = Field(
        default="lf", description="Registered texts use LF line ends; `sources add` converts "
        "CRLF/CR once, before hashing.")
    documents: list[SourceDocument] = []


# -- Annotation files -----------------------------------------------------------------------

EventTypeName = str  # enumerated in the generated schema from the codebook
FieldName = Literal[
    "event_date", "time_precision", "event_type", "sub_event_type", "actor1", "assoc_actor_1",
    "actor2", "assoc_actor_2", "location", "geo_precision", "fatalities", "civilian_targeting",
    "tags", "notes",
]
CODED_FIELDS: tuple[str, ...] = (
    "event_date", "time_precision", "event_type", "sub_event_type", "actor1", "assoc_actor_1",
    "actor2", "assoc_actor_2", "location", "geo_precision", "fatalities", "civilian_targeting",
    "tags", "notes",
)
REQUIRED_WHEN_ACCEPTED: tuple[str, ...] = (
    "event_date", "time_precision", "event_type", "sub_event_type", "actor1", "location",
    "geo_precision", "fatalities",
)


class Evidence(Strict):
    sentence: SentenceId
    quote: str | None = Field(default=None, description="Exact text inside the sentence.")
    fields: list[FieldName] = Field(default=[], description="Fields this sentence supports.")


class FieldTrace(Strict):
    """Where a suggested value came from: the rule, the sentence and the character span."""

    value: Any = None
    sentence: SentenceId | None = None
    start: Annotated[int, Field(ge=0)] | None = None
    end: Annotated[int, Field(ge=0)] | None = None
    rule: NonEmpty


class RuleOrigin(Strict):
    rules: Annotated[list[NonEmpty], Field(min_length=1)]
    key: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{12,64}$")] = Field(
        description="Content key of the suggestion; suggest never re-adds a known key.")
    confidence: Annotated[float, Field(ge=0, le=1)]


class NewActor(Strict):
    name: NonEmpty
    inter: InterCode
    country: ISO3 | None = None
    note: str | None = None


class AnnotatedEvent(Strict):
    id: LocalEventId
    decision: Literal["suggested", "accepted", "rejected"]
    reason: str | None = Field(default=None, description="Required when decision is rejected.")
    origin: Literal["manual"] | RuleOrigin = "manual"
    event_date: IsoDate | None = None
    time_precision: Precision | None = None
    event_type: EventTypeName | None = None
    sub_event_type: str | None = None
    actor1: str | None = None
    assoc_actor_1: list[NonEmpty] = []
    actor2: str | None = None
    assoc_actor_2: list[NonEmpty] = []
    location: str | None = Field(default=None, description="Gazetteer place: 'Gao' or 'Gao, Mali'.")
    geo_precision: Precision | None = None
    fatalities: Annotated[int, Field(ge=0)] | None = None
    civilian_targeting: bool = False
    tags: list[NonEmpty] = []
    notes: str | None = None
    evidence: list[Evidence] = []
    same_as: list[EventRef] = []
    suggested: dict[FieldName, FieldTrace] | None = Field(
        default=None, description="What the rules proposed, field by field (kept to measure "
        "and to show what a coder changed).")


class AnnotationFile(Strict):
    source: DocId
    source_sha256: Sha256
    codebook_version: SemVer
    coders: Annotated[list[NonEmpty], Field(min_length=1)]
    status: Literal["draft", "coded", "reviewed"]
    new_actors: list[NewActor] = []
    events: list[AnnotatedEvent] = []


# -- Release records ------------------------------------------------------------------------


class EvidenceRecord(Strict):
    doc: DocId
    sentence: SentenceId
    start: Annotated[int, Field(ge=0)]
    end: Annotated[int, Field(ge=0)]
    quote: str
    source_sha256: Sha256


class EventRecord(Strict):
    """One row of a release: ACLED's 31 columns, then provenance."""

    event_id_cnty: NonEmpty
    event_date: IsoDate
    year: int
    time_precision: Precision
    disorder_type: NonEmpty
    event_type: NonEmpty
    sub_event_type: NonEmpty
    actor1: NonEmpty
    assoc_actor_1: str
    inter1: NonEmpty
    actor2: str
    assoc_actor_2: str
    inter2: str
    interaction: NonEmpty
    civilian_targeting: str
    iso: int
    region: NonEmpty
    country: NonEmpty
    admin1: str
    admin2: str
    admin3: str
    location: NonEmpty
    latitude: float
    longitude: float
    geo_precision: Precision
    source: str
    source_scale: str
    notes: str
    fatalities: Annotated[int, Field(ge=0)]
    tags: str
    timestamp: int
    source_ids: list[DocId]
    sentence_ids: list[SentenceId]
    evidence: list[EvidenceRecord]
    annotation_refs: list[EventRef]
    changed_fields: list[str] = []
    codebook_version: SemVer


ACLED_COLUMNS: tuple[str, ...] = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2",
    "admin3", "location", "latitude", "longitude", "geo_precision", "source", "source_scale",
    "notes", "fatalities", "tags", "timestamp",
)


# -- Extraction rules (codebook/rules/*.yaml) -----------------------------------------------

RuleName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]*$")]
SentenceKind = Literal["title", "heading", "body", "teaser"]
class ContextSet(Strict):
    """Patterns describing a context; a rule requires or forbids it around its trigger."""

    name: RuleName
    description: str = ""
    patterns: list[NonEmpty] = Field(default=[], description="Regexes on folded text.")
    places: list[NonEmpty] = Field(
        default=[], description="Place names, matched after a locative cue ('à', 'au', 'en' ...)"
        "; the set named 'abroad' also tells the place extractor which places are foreign.")
    before: Annotated[int, Field(ge=0)] | None = Field(
        default=None, description="Look at most this many characters before the trigger "
        "(default: to the start of the sentence).")
    after: Annotated[int, Field(ge=0)] | None = Field(
        default=None, description="Look at most this many characters after the trigger "
        "(default: to the end of the sentence).")

    @model_validator(mode="after")
    def _has_patterns(self) -> ContextSet:
        if not self.patterns and not self.places:
            raise ValueError("a context set needs patterns or places")
        return self


class DefaultActors(Strict):
    """Aliases (resolved in the article's country) used when no actor is found in the text."""

    actor1: NonEmpty | None = None
    actor2: NonEmpty | None = None


class Rule(Strict):
    id: RuleName
    description: NonEmpty
    event_type: NonEmpty
    sub_event_type: NonEmpty
    priority: Annotated[int, Field(ge=1)] = Field(
        description="The codebook rank of the sub-event type (ACLED hierarchy, 1 wins).")
    confidence: Annotated[float, Field(gt=0, le=1)]
    triggers: Annotated[list[NonEmpty], Field(min_length=1)]
    requires: list[RuleName | ContextSet] = []
    forbids: list[RuleName | ContextSet] = []
    sentence_kinds: list[SentenceKind] = ["title", "heading", "body", "teaser"]
    default_actors: DefaultActors = DefaultActors()
    actor1_inter: list[Annotated[int, Field(ge=1, le=8)]] = Field(
        default=[], description="Inter codes allowed for actor1 (empty: any).")
    actor2_inter: list[Annotated[int, Field(ge=1, le=8)]] = Field(
        default=[], description="Inter codes allowed for actor2 (empty: any).")
    outranks: list[NonEmpty] = Field(
        default=[], description="Event or sub-event types this rule beats whatever their "
        "rank, when both fire for one event (a protest that turns violent is a riot).")
    notes: str = ""


class RuleFile(Strict):
    """One file of ``codebook/rules/``: shared context sets and/or rules."""

    version: SemVer
    contexts: list[ContextSet] = []
    rules: list[Rule] = []
