"""From rule hits and field mentions to event suggestions, the ACLED way.

One suggestion is one (actors, place, day). The assembler

1. drops hits in headlines when the story's body has hits of its own (a headline sums up
   the body: "Attaque contre le convoi ... : des terroristes frappés par les FAMa" is the
   strike told below it, not a second event);
2. dates each hit: a date in its sentence (the one nearest the trigger), else the nearest
   date of its paragraph; a hit with no date joins the previous event of its story as
   support, or is dropped (ACLED codes nothing without a date);
3. groups hits of one story, day, place and perpetrator into one event whose sub-event type
   is the highest in ACLED's hierarchy (lowest rank; ``outranks`` for the exceptions), and
   splits a short date range into one event per day (fatalities split, remainder first);
4. fills each field from, in order: the hit sentences, the story's other sentences that
   mention the same day, the other sentences of the hit paragraphs; never from another
   story, never from datelines, bylines or page furniture;
5. drops events whose only place is abroad.

Every field records the sentence, the document span and the rule or extractor that set it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, Generic, Protocol, TypeVar, overload

from sahelevents.codebook import ActorEntry, Codebook
from sahelevents.extract.actors import ActorMention
from sahelevents.extract.dates import DateMention
from sahelevents.extract.fatalities import CasualtyMention, killed_total
from sahelevents.extract.places import PlaceMention
from sahelevents.extract.rules import CompiledRule, RuleHit
from sahelevents.gazetteer import Gazetteer
from sahelevents.models import AnnotatedEvent
from sahelevents.sentences import Sentence
from sahelevents.textnorm import fold

__all__ = [
    "EvidenceItem",
    "SentenceInfo",
    "SentenceReader",
    "Suggestion",
    "TracedValue",
    "assemble",
    "sentence_info",
    "suggestion_key",
]

#: Extractor names written in ``FieldTrace.rule`` for fields not set by a rule.
DATES, ACTORS, PLACES, FATALITIES, CODEBOOK, TEMPLATE = (
    "extract.dates", "extract.actors", "extract.places", "extract.fatalities",
    "codebook", "extract.notes")
MAX_SPLIT_DAYS = 7
_ARMED_INTERS = frozenset({1, 2, 3, 4, 8})
_REMOTE = frozenset({"Explosions/Remote violence"})


@dataclass(frozen=True, slots=True)
class TracedValue:
    """A suggested value and where it came from (document offsets)."""

    value: Any
    rule: str
    sentence: str | None = None
    start: int | None = None
    end: int | None = None

    def trace(self) -> dict[str, Any]:
        """The ``FieldTrace`` mapping written in annotation files."""
        out: dict[str, Any] = {"value": self.value}
        if self.sentence is not None:
            out.update(sentence=self.sentence, start=self.start, end=self.end)
        out["rule"] = self.rule
        return out


# A page's events hold ~40 traced values: built through the slots' own setters, as
# sentences.segment builds sentences, for half the cost of the frozen __init__ (which sets each
# field through object.__setattr__).
_TRACED_SETTERS = tuple(getattr(TracedValue, name).__set__
                        for name in ("value", "rule", "sentence", "start", "end"))


def _traced_value(value: Any, rule: str, sentence: str | None, start: int | None,
                  end: int | None) -> TracedValue:
    """``TracedValue(value, rule, sentence, start, end)``, built faster."""
    traced = object.__new__(TracedValue)
    set_value, set_rule, set_sentence, set_start, set_end = _TRACED_SETTERS
    set_value(traced, value)
    set_rule(traced, rule)
    set_sentence(traced, sentence)
    set_start(traced, start)
    set_end(traced, end)
    return traced


@dataclass(frozen=True, slots=True)
class EvidenceItem:
    sentence: str
    quote: str
    fields: tuple[str, ...]
    start: int
    end: int


@dataclass(frozen=True)
class Suggestion:
    """One proposed event: every coded field with its trace, the evidence, a confidence."""

    doc: str
    key: str
    rules: tuple[str, ...]
    confidence: float
    fields: dict[str, TracedValue]
    evidence: tuple[EvidenceItem, ...]

    def value(self, name: str) -> Any:
        traced = self.fields.get(name)
        return traced.value if traced is not None else None

    @property
    def local_id(self) -> str:
        return f"s-{self.key[:8]}"

    def as_event(self, local_id: str | None = None) -> AnnotatedEvent:
        """The suggestion as a validated annotation-file event."""
        return AnnotatedEvent.model_validate(self.event_payload(local_id))

    def event_payload(self, local_id: str | None = None) -> dict[str, Any]:
        """The event as an annotation-file mapping with ``decision: suggested``."""
        payload: dict[str, Any] = {
            "id": local_id or self.local_id,
            "decision": "suggested",
            "origin": {"rules": list(self.rules), "key": self.key,
                       "confidence": self.confidence},
        }
        for name in ("event_date", "time_precision", "event_type", "sub_event_type", "actor1",
                     "assoc_actor_1", "actor2", "assoc_actor_2", "location", "geo_precision",
                     "fatalities", "civilian_targeting", "notes"):
            value = self.value(name)
            if value is None or value == []:
                continue
            payload[name] = value
        payload["evidence"] = [
            {"sentence": e.sentence, "quote": e.quote, "fields": list(e.fields)}
            for e in self.evidence]
        payload["suggested"] = {name: traced.trace() for name, traced in self.fields.items()}
        return payload


class SentenceReader(Protocol):
    """The extractors of one document (see :func:`sahelevents.extract.pipeline.extract`)."""

    def dates(self, sentence: Sentence) -> tuple[DateMention, ...]: ...

    def actors(self, sentence: Sentence) -> tuple[ActorMention, ...]: ...

    def places(self, sentence: Sentence) -> tuple[PlaceMention, ...]: ...

    def casualties(self, sentence: Sentence) -> tuple[CasualtyMention, ...]: ...


_T = TypeVar("_T")


class _lazy(Generic[_T]):  # lower case: used like functools.cached_property
    """:func:`functools.cached_property` without its lock: it is read tens of thousands of
    times per corpus, and Python 3.11 takes an ``RLock`` on every first read. The value is
    stored in the instance's ``__dict__``, where later reads find it without this
    descriptor (a frozen dataclass forbids ``setattr``, not ``__dict__``)."""

    def __init__(self, compute: Callable[[Any], _T]) -> None:
        self._compute = compute
        self._name = compute.__name__
        self.__doc__ = compute.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> _lazy[_T]: ...

    @overload
    def __get__(self, instance: object, owner: type | None = None) -> _T: ...

    def __get__(self, instance: object | None, owner: type | None = None) -> _T | _lazy[_T]:
        if instance is None:
            return self
        value = self._compute(instance)
        instance.__dict__[self._name] = value
        return value


@dataclass(frozen=True)
class SentenceInfo:
    """What the extractors found in one eligible sentence (offsets into its text).

    Rule hits are looked for in every sentence. The other findings are read only from the
    stories and paragraphs around hits, so each is extracted when first asked for (most
    sentences are never asked).
    """

    sentence: Sentence
    headline: bool
    hits: tuple[tuple[CompiledRule, RuleHit], ...]
    reader: SentenceReader = field(compare=False, repr=False)

    @_lazy
    def dates(self) -> tuple[DateMention, ...]:
        return self.reader.dates(self.sentence)

    @_lazy
    def actors(self) -> tuple[ActorMention, ...]:
        return self.reader.actors(self.sentence)

    @_lazy
    def places(self) -> tuple[PlaceMention, ...]:
        return self.reader.places(self.sentence)

    @_lazy
    def casualties(self) -> tuple[CasualtyMention, ...]:
        return self.reader.casualties(self.sentence)


def sentence_info(sentence: Sentence, headline: bool,
                  hits: tuple[tuple[CompiledRule, RuleHit], ...],
                  reader: SentenceReader) -> SentenceInfo:
    """``SentenceInfo(sentence, headline, hits, reader)``, in a third of the time: a page has
    ~28 eligible sentences, and the frozen ``__init__`` sets each field through
    ``object.__setattr__``. The fields go into ``__dict__``, as ``__init__`` puts them."""
    info = object.__new__(SentenceInfo)
    info.__dict__.update(sentence=sentence, headline=headline, hits=hits, reader=reader)
    return info


# json.dumps with these options builds a new encoder on every call.
_KEY_JSON = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def suggestion_key(doc: str, sub_event_type: str, actors: Sequence[str | None],
                   place: str | None, date: str | None) -> str:
    """sha256 of the canonical JSON of what identifies an event, first 16 hex digits."""
    payload = {"doc": doc, "sub_event_type": sub_event_type, "actors": list(actors),
               "place": place, "date": date}
    text = _KEY_JSON.encode(payload)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


# -- Dating hits ----------------------------------------------------------------------------

# A date right after these words is not the date of an event ("depuis le 8 septembre",
# "un communiqué publié le 10 mai").
_NOT_EVENT_DATE = re.compile(
    r"(?:\b(?:depuis|jusqu'|jusqu'a|jusqu'au|d'ici|a\s+partir\s+d|a\s+compter\s+d)\s*"
    r"(?:le|la|l'|au|du|de|ce|cette)?\s*"
    r"|\b(?:publie\w*|diffuse\w*|communique|rapport|note|tweet|lettre|declaration"
    r"|date|signee?s?|mis\s+en\s+ligne|paru\w*)\s+(?:\w+\s+){0,3}?(?:le|du|ce|en\s+date\s+du)\s*"
    r"|\b(?:prevue?s?|programmee?s?)\s+(?:pour\s+)?(?:le|du|au)\s*)$")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


def usable_dates(text: str, dates: Iterable[DateMention], latest: dt.date | None
                 ) -> list[DateMention]:
    """Dates of a sentence that can date an event (weekday-checked, not after ``latest``)."""
    out: list[DateMention] = []
    for mention in dates:
        if _after_non_event_words(text[max(0, mention.start - 60):mention.start]):
            continue
        if latest is not None and mention.value > latest:
            continue
        if mention.value.year < 1997:
            continue
        out.append(mention)
    return out


# The same sentences are dated on every page that repeats them (teasers, agency formulas),
# and a story's sentences once per event: the two tests below keep their answers.
@lru_cache(maxsize=4096)
def _after_non_event_words(before: str) -> bool:
    """Whether ``before`` (the text before a date) ends with words after which a date is
    not the date of an event."""
    return _NOT_EVENT_DATE.search(fold(before)) is not None


@dataclass
class _Anchor:
    """One rule hit that belongs to an event."""

    rule: CompiledRule
    hit: RuleHit
    info: SentenceInfo


@dataclass
class _Cluster:
    story: int
    day: dt.date
    date: DateMention
    date_info: SentenceInfo
    anchors: list[_Anchor] = field(default_factory=list)
    support: list[SentenceInfo] = field(default_factory=list)  # dateless hits joined later
    place_id: str | None = None
    agent_group: str | None = None
    split: tuple[int, int] = (0, 1)  # (index of this day, number of days)


# "Le même jour, à Boni, ...": a new event on the day of the event told just before.
_SAME_DAY = re.compile(r"\b(?:le|ce|du|au)\s+meme\s+jour\b|\ble\s+jour\s+meme\b"
                       r"|\ble\s+meme\s+(?:matin|soir|apres-midi)\b")


@lru_cache(maxsize=4096)
def _tells_the_same_day(text: str) -> bool:
    """Whether a sentence tells an event of the day told just before ("le même jour")."""
    return _SAME_DAY.search(fold(text)) is not None


def _date_for(info: SentenceInfo, hit: RuleHit, paragraph: Sequence[SentenceInfo],
              dates: dict[str, list[DateMention]], story: Sequence[SentenceInfo] = ()
              ) -> tuple[DateMention | None, SentenceInfo | None]:
    own = dates[info.sentence.id]
    if own:
        nearest = min(own, key=lambda d: (abs(d.start - hit.start), d.precision))
        return nearest, info
    if _tells_the_same_day(info.sentence.text):
        before = [s for s in story if s.sentence.index < info.sentence.index
                  and dates[s.sentence.id]]
        if before:
            return dates[before[-1].sentence.id][-1], before[-1]
    # Nearest sentence of the same paragraph; the one before wins a tie (the date usually
    # comes first: "Les évènements du 7 septembre 2023. La double attaque ...").
    others = sorted((s for s in paragraph if s is not info and dates[s.sentence.id]),
                    key=lambda s: (abs(s.sentence.index - info.sentence.index),
                                   s.sentence.index > info.sentence.index))
    if others:
        return dates[others[0].sentence.id][0], others[0]
    return None, None


def _agent_group(info: SentenceInfo, ctx: Context, day: dt.date,
                 country: str | None) -> str | None:
    for mention in info.actors:
        if mention.role in ("agent", "claimed"):
            entry = ctx.resolve_actor(mention.alias, day, country)
            if entry is not None and entry.inter != 7:
                return entry.group.id
    return None


def _best_place(infos: Iterable[SentenceInfo]) -> PlaceMention | None:
    found = [p for info in infos for p in info.places if p.place is not None]
    return min(found, key=lambda p: p.precision) if found else None


def _only_abroad(info: SentenceInfo) -> bool:
    return any(p.foreign for p in info.places) and not any(
        p.place is not None for p in info.places)


def _days(mention: DateMention) -> list[dt.date]:
    if mention.end_value is None:
        return [mention.value]
    span = (mention.end_value - mention.value).days + 1
    if span > MAX_SPLIT_DAYS:
        return [mention.value]
    return [mention.value + dt.timedelta(days=i) for i in range(span)]


def _rank(codebook: Codebook, rule: CompiledRule) -> int:
    return codebook.hierarchy_rank(rule.spec.sub_event_type)


def _winner(anchors: Sequence[_Anchor], codebook: Codebook) -> _Anchor:
    """The anchor whose sub-event type wins by ACLED's hierarchy and the rules' exceptions."""
    # Whether a rule is outranked depends on the other rules only: decided once per rule,
    # not once per pair of anchors (several hits of one rule often make one event).
    rules = {anchor.rule.id: anchor.rule.spec for anchor in anchors}
    beaten = {rule_id for rule_id, spec in rules.items()
              if any(spec.event_type in other.outranks or spec.sub_event_type in other.outranks
                     for other_id, other in rules.items() if other_id != rule_id)}
    candidates = [a for a in anchors if a.rule.id not in beaten] or list(anchors)
    return min(candidates, key=lambda a: (_rank(codebook, a.rule), -a.rule.spec.confidence,
                                          a.info.sentence.index))


# -- The assembler --------------------------------------------------------------------------


@dataclass
class Context:
    doc: str
    codebook: Codebook
    gazetteer: Gazetteer
    countries: dict[int, list[str]]  # story -> ISO3 country context, most likely first
    latest: Callable[[int], dt.date | None]  # story -> no event after this day
    # resolve_actor's answers: every event of a story resolves the same mentions again.
    _resolved: dict[tuple[str, dt.date | None, str | None], ActorEntry | None] = field(
        default_factory=dict, repr=False, compare=False)

    def resolve_actor(self, alias: str, day: dt.date | None, country: str | None
                      ) -> ActorEntry | None:
        """:meth:`Codebook.resolve_actor`, once per document for each question."""
        key = (alias, day, country)
        if key in self._resolved:
            return self._resolved[key]
        entry = self._resolved[key] = self.codebook.resolve_actor(alias, day, country)
        return entry


def assemble(infos: Sequence[SentenceInfo], ctx: Context) -> list[Suggestion]:
    """Suggestions of one document from the per-sentence findings."""
    suggestions: list[Suggestion] = []
    for story in sorted({info.sentence.story for info in infos}):
        story_infos = [i for i in infos if i.sentence.story == story]
        if not any(info.hits for info in story_infos):
            continue  # no hit, no event: its sentences need not be read
        latest = ctx.latest(story)
        dates = {info.sentence.id: usable_dates(info.sentence.text, info.dates, latest)
                 for info in story_infos}
        clusters = _clusters(story_infos, dates, ctx)
        for cluster in clusters:
            own = {a.info.sentence.id for a in cluster.anchors}
            # Sentences that tell another event of the story give this one no field.
            elsewhere = {a.info.sentence.id for other in clusters if other is not cluster
                         for a in other.anchors} - own
            built = _build(cluster, story_infos, dates, ctx, elsewhere)
            if built is not None:
                suggestions.append(built)
    unique: dict[str, Suggestion] = {}
    for suggestion in suggestions:
        unique.setdefault(suggestion.key, suggestion)
    return sorted(unique.values(), key=lambda s: (s.evidence[0].start if s.evidence else 0,
                                                  str(s.value("event_date")), s.key))


def _clusters(story_infos: list[SentenceInfo], dates: dict[str, list[DateMention]],
              ctx: Context) -> list[_Cluster]:
    body_hits = any(info.hits for info in story_infos if not info.headline)
    country = _country(ctx, story_infos[0].sentence.story)
    clusters: list[_Cluster] = []
    for info in story_infos:
        if info.headline and body_hits:
            continue
        if not info.hits or _only_abroad(info):
            continue
        paragraph = [s for s in story_infos if s.sentence.paragraph == info.sentence.paragraph]
        for rule, hit in info.hits:
            date, date_info = _date_for(info, hit, paragraph, dates, story_infos)
            if date is None or date_info is None:
                # No date of its own: support for the event told just before, if any.
                previous = [c for c in clusters
                            if c.anchors[0].info.sentence.index < info.sentence.index]
                if previous and info not in previous[-1].support:
                    previous[-1].support.append(info)
                continue
            place = _best_place([info])
            for index, day in enumerate(days := _days(date)):
                agent = _agent_group(info, ctx, day, country)
                anchor = _Anchor(rule, hit, info)
                target = next((c for c in clusters if c.day == day and _compatible(
                    c, place.place.id if place and place.place else None, agent)), None)
                if target is None:
                    target = _Cluster(info.sentence.story, day, date, date_info,
                                      split=(index, len(days)))
                    clusters.append(target)
                target.anchors.append(anchor)
                if place is not None and place.place is not None and target.place_id is None:
                    target.place_id = place.place.id
                if agent is not None and (target.agent_group is None
                                          or _unidentified(target.agent_group)):
                    target.agent_group = agent
    return clusters


def _unidentified(group_id: str | None) -> bool:
    return bool(group_id) and str(group_id).endswith("-unidentified-armed-group")


def _compatible(cluster: _Cluster, place_id: str | None, agent: str | None) -> bool:
    if place_id and cluster.place_id and place_id != cluster.place_id:
        return False
    # "Des hommes armés ont tendu une embuscade ... revendiquée par le JNIM": unidentified
    # attackers and the group that claimed the attack are the same perpetrator.
    if _unidentified(agent) or _unidentified(cluster.agent_group):
        return True
    return not (agent and cluster.agent_group and agent != cluster.agent_group)


def _country(ctx: Context, story: int) -> str | None:
    found = ctx.countries.get(story) or ctx.countries.get(0) or []
    return found[0] if found else None


def _tiers(cluster: _Cluster, story_infos: list[SentenceInfo],
           dates: dict[str, list[DateMention]], elsewhere: set[str]
           ) -> list[list[SentenceInfo]]:
    """Sentences to read fields from, most reliable first."""
    taken: set[str] = set(elsewhere)
    hit_infos: list[SentenceInfo] = []
    for anchor in cluster.anchors:
        if anchor.info.sentence.id not in taken:
            taken.add(anchor.info.sentence.id)
            hit_infos.append(anchor.info)
    support = {info.sentence.id for info in cluster.support} | {
        cluster.date_info.sentence.id}
    linked: list[SentenceInfo] = []
    for info in story_infos:
        sentence_id = info.sentence.id
        if sentence_id in taken:
            continue
        own = dates[sentence_id]
        if sentence_id in support or (own and any(
                d.value == cluster.day or (d.end_value and d.value <= cluster.day <= d.end_value)
                for d in own)):
            taken.add(sentence_id)
            linked.append(info)
    paragraphs = {i.sentence.paragraph for i in hit_infos}
    neighbours = [i for i in story_infos if i.sentence.paragraph in paragraphs
                  and i.sentence.id not in taken]
    return [hit_infos, linked, neighbours]


@dataclass(frozen=True)
class _Candidate:
    entry: ActorEntry
    mention: ActorMention
    info: SentenceInfo
    tier: int
    role: str


def _actor_candidates(tiers: list[list[SentenceInfo]], ctx: Context, day: dt.date,
                      country: str | None) -> list[_Candidate]:
    out: list[_Candidate] = []
    for tier, infos in enumerate(tiers):
        for info in infos:
            for mention in info.actors:
                entry = ctx.resolve_actor(mention.alias, day, country)
                if entry is None:
                    continue
                role = mention.role
                # The casualties are read only when needed: many sentences are read for their
                # actors alone.
                if role == "mention" and any(c.start <= mention.start and mention.end <= c.end
                                             for c in info.casualties):
                    role = "target"  # "15 militaires" in a death toll were the ones hit
                out.append(_Candidate(entry, mention, info, tier, role))
    return out


def _pick(candidates: Iterable[_Candidate], *, roles: Sequence[str], allowed: Sequence[int],
          exclude_groups: set[str], exclude_inters: Iterable[int] = ()) -> _Candidate | None:
    banned = set(exclude_inters)
    pool = [c for c in candidates if c.role in roles and c.entry.group.id not in exclude_groups
            and (not allowed or c.entry.inter in allowed) and c.entry.inter not in banned]
    if not pool:
        return None
    order = {role: i for i, role in enumerate(roles)}
    return min(pool, key=lambda c: (c.role != "claimed", c.tier, order[c.role],
                                    c.info.sentence.index, c.mention.start))


def _build(cluster: _Cluster, story_infos: list[SentenceInfo],
           dates: dict[str, list[DateMention]], ctx: Context,
           elsewhere: set[str]) -> Suggestion | None:
    codebook = ctx.codebook
    winner = _winner(cluster.anchors, codebook)
    spec = winner.rule.spec
    event_type, sub = codebook.sub_event_types[spec.sub_event_type]
    tiers = _tiers(cluster, story_infos, dates, elsewhere)
    country = _country(ctx, cluster.story)
    day = cluster.day
    fields: dict[str, TracedValue] = {}
    penalties: list[float] = []

    def traced(value: Any, rule: str, info: SentenceInfo | None = None,
               start: int | None = None, end: int | None = None) -> TracedValue:
        if info is None or start is None or end is None:
            return _traced_value(value, rule, None, None, None)
        base = info.sentence.start
        return _traced_value(value, rule, info.sentence.id, base + start, base + end)

    # Place first: an event whose place is abroad is dropped.
    place_mention: PlaceMention | None = None
    place_info: SentenceInfo | None = None
    for tier in tiers:
        best = _best_place(tier)
        if best is not None:
            place_mention = best
            place_info = next(i for i in tier if best in i.places)
            break
        if tier is tiers[0] and any(_only_abroad(i) for i in tier):
            return None

    # Date.
    date_mention, date_info = cluster.date, cluster.date_info
    date_start, date_end = date_mention.start, date_mention.end
    iso_day = day.isoformat()
    fields["event_date"] = traced(iso_day, DATES, date_info, date_start, date_end)
    precision = 1 if cluster.split[1] > 1 else date_mention.precision
    fields["time_precision"] = traced(precision, DATES, date_info, date_start, date_end)
    if date_info not in tiers[0]:
        penalties.append(0.95)

    # Event type.
    fields["event_type"] = traced(event_type.name, spec.id, winner.info, winner.hit.start,
                                  winner.hit.end)
    fields["sub_event_type"] = traced(sub.name, spec.id, winner.info, winner.hit.start,
                                      winner.hit.end)

    # Actors.
    candidates = _actor_candidates(tiers, ctx, day, country)
    is_battle = event_type.name == "Battles"
    actor1 = _pick(candidates, roles=("claimed", "agent"), allowed=spec.actor1_inter,
                   exclude_groups=set(), exclude_inters=(7,))
    if actor1 is None and is_battle:
        actor1 = _pick([c for c in candidates if c.tier == 0], roles=("mention",),
                       allowed=sorted(_ARMED_INTERS), exclude_groups=set())
    if actor1 is None and spec.actor1_inter:
        actor1 = _pick(candidates, roles=("mention", "target"), allowed=spec.actor1_inter,
                       exclude_groups=set())
    used = {actor1.entry.group.id} if actor1 else set()
    actor2_allowed = spec.actor2_inter or (sorted(_ARMED_INTERS) if is_battle else [])
    actor2 = _pick(candidates, roles=("target",), allowed=actor2_allowed, exclude_groups=used)
    if actor2 is None and (is_battle or spec.actor2_inter or event_type.name in _REMOTE):
        # A plain mention in the hit sentence: the other side of a battle, or the victims.
        actor2 = _pick([c for c in candidates if c.tier == 0], roles=("mention",),
                       allowed=actor2_allowed, exclude_groups=used)
    if actor2 is None and event_type.name == "Protests":
        # The force that dispersed or fired on the demonstrators.
        actor2 = _pick(candidates, roles=("claimed", "agent"), allowed=[], exclude_groups=used,
                       exclude_inters=(6, 7))
    if actor1 is not None:
        fields["actor1"] = traced(actor1.entry.name, ACTORS, actor1.info,
                                  actor1.mention.start, actor1.mention.end)
    else:
        # The winner's default, else the default of another rule that fired for the event.
        for anchor in sorted(cluster.anchors, key=lambda a: a is not winner):
            alias = anchor.rule.spec.default_actors.actor1
            entry = ctx.resolve_actor(alias, day, country) if alias else None
            if entry is not None and entry.group.id not in used:
                fields["actor1"] = traced(entry.name, f"{anchor.rule.id}/default")
                used = {entry.group.id}
                penalties.append(0.9)
                break
    if actor2 is not None:
        fields["actor2"] = traced(actor2.entry.name, ACTORS, actor2.info, actor2.mention.start,
                                  actor2.mention.end)
        used.add(actor2.entry.group.id)
    elif spec.default_actors.actor2:
        entry = ctx.resolve_actor(spec.default_actors.actor2, day, country)
        if entry is not None and entry.group.id not in used:
            fields["actor2"] = traced(entry.name, f"{spec.id}/default")
            used.add(entry.group.id)
    if "actor1" not in fields:
        penalties.append(0.8)
    assoc1 = _associates(candidates, ("claimed", "agent"), used,
                         allowed=spec.actor1_inter, civilians=False)
    used |= {c.entry.group.id for c in assoc1}
    assoc2 = _associates(candidates, ("target",), used, allowed=spec.actor2_inter,
                         civilians=not is_battle)
    if assoc1:
        first = assoc1[0]
        fields["assoc_actor_1"] = traced([c.entry.name for c in assoc1], ACTORS, first.info,
                                         first.mention.start, first.mention.end)
    if assoc2:
        first = assoc2[0]
        fields["assoc_actor_2"] = traced([c.entry.name for c in assoc2], ACTORS, first.info,
                                         first.mention.start, first.mention.end)

    # Place fields.
    if place_mention is not None and place_mention.place is not None and place_info:
        place = place_mention.place
        name = place.name
        if ctx.gazetteer.is_ambiguous(name):
            country_name = codebook.countries[place.country].name
            name = f"{name}, {country_name}"
        fields["location"] = traced(name, PLACES, place_info, place_mention.start,
                                    place_mention.end)
        fields["geo_precision"] = traced(place_mention.precision, PLACES, place_info,
                                         place_mention.start, place_mention.end)
    else:
        penalties.append(0.85)
        area = next((p for info in tiers[0] for p in info.places
                     if p.place is None and not p.foreign and p.precision == 3), None)
        if area is not None:
            # "dans le nord du pays": only the region is known; the coder names its town.
            area_info = next(i for i in tiers[0] if area in i.places)
            fields["geo_precision"] = traced(3, PLACES, area_info, area.start, area.end)

    # Fatalities: hit sentences and sentences of the same day.
    fields["fatalities"], breakdown = _fatalities(tiers[0] + tiers[1], cluster)

    targeting = sub.civilian_targeting == "always" or (
        sub.civilian_targeting == "sometimes" and actor2 is not None
        and actor2.entry.inter == 7)
    fields["civilian_targeting"] = TracedValue(targeting, CODEBOOK)
    fields["notes"] = TracedValue(_note(fields, cluster, breakdown), TEMPLATE)

    rules = tuple(dict.fromkeys([winner.rule.id, *(a.rule.id for a in cluster.anchors)]))
    confidence = spec.confidence
    agreeing = len({a.info.sentence.id for a in cluster.anchors}) - 1
    confidence = min(0.99, confidence + 0.05 * min(agreeing, 2))
    if all(a.info.headline for a in cluster.anchors):
        penalties.append(0.85)
    for factor in penalties:
        confidence *= factor
    key = suggestion_key(ctx.doc, sub.name, [fields["actor1"].value if "actor1" in fields
                                             else None,
                                             fields["actor2"].value if "actor2" in fields
                                             else None],
                         fields["location"].value if "location" in fields else None, iso_day)
    evidence = _evidence(fields, story_infos)
    return Suggestion(ctx.doc, key, rules, round(confidence, 2), fields, evidence)


def _associates(candidates: Sequence[_Candidate], roles: Sequence[str], used: set[str], *,
                allowed: Sequence[int], civilians: bool) -> list[_Candidate]:
    out: list[_Candidate] = []
    seen = set(used)
    for candidate in sorted(candidates, key=lambda c: (c.tier, c.info.sentence.index,
                                                       c.mention.start)):
        group = candidate.entry.group.id
        if candidate.tier != 0 or candidate.role not in roles or group in seen:
            continue
        if allowed and candidate.entry.inter not in allowed:
            continue
        if candidate.entry.inter == 7 and not civilians:
            continue  # ACLED never lists civilians among the associated actors of a battle
        seen.add(group)
        out.append(candidate)
    return out


_GROUP_LABELS = {"civilians": "civilians", "military": "military", "attackers": "attackers",
                 "unknown": "unspecified"}


def _fatalities(infos: Sequence[SentenceInfo], cluster: _Cluster
                ) -> tuple[TracedValue, str]:
    """Killed, the ACLED conservative way, and the split by group when parts were added."""
    mentions: list[tuple[CasualtyMention, SentenceInfo]] = []
    for info in infos:
        base = info.sentence.start
        for casualty in info.casualties:
            shifted = replace(casualty, start=casualty.start + base, end=casualty.end + base)
            mentions.append((shifted, info))
    if not mentions:
        return TracedValue(0, FATALITIES), ""
    mentions.sort(key=lambda pair: pair[0].start)
    total, used = killed_total([m for m, _ in mentions])
    if not used:
        return TracedValue(0, FATALITIES), ""
    breakdown = ""
    if len(used) > 1:
        breakdown = ", ".join(f"{m.quantity.value} {_GROUP_LABELS.get(m.group, m.group)}"
                              for m in used)
    index, count = cluster.split
    if count > 1:
        share = total // count + (total % count if index == 0 else 0)
        breakdown = f"{total} over {count} days, {share} coded on this day" + (
            f"; {breakdown}" if breakdown else "")
        total = share
    owner = next(info for m, info in mentions if m == used[0])
    same = [m for m in used if m.start >= owner.sentence.start and m.end <= owner.sentence.end]
    start = min(m.start for m in same)
    end = max(m.end for m in same)
    return TracedValue(total, FATALITIES, owner.sentence.id, start, end), breakdown


def _evidence(fields: dict[str, TracedValue], infos: Sequence[SentenceInfo]
              ) -> tuple[EvidenceItem, ...]:
    by_sentence: dict[str, list[tuple[str, TracedValue]]] = {}
    for name, traced in fields.items():
        if traced.sentence is not None:
            by_sentence.setdefault(traced.sentence, []).append((name, traced))
    sentences = {info.sentence.id: info.sentence for info in infos}
    items: list[EvidenceItem] = []
    for sentence_id, entries in by_sentence.items():
        sentence = sentences[sentence_id]
        start = min(t.start for _, t in entries if t.start is not None)
        end = max(t.end for _, t in entries if t.end is not None)
        quote = sentence.text[start - sentence.start:end - sentence.start]
        items.append(EvidenceItem(sentence_id, quote, tuple(dict.fromkeys(n for n, _ in entries)),
                                  start, end))
    items.sort(key=lambda e: e.start)
    return tuple(items)


def _note(fields: dict[str, TracedValue], cluster: _Cluster, breakdown: str) -> str:
    """A draft ACLED-style note, for the annotator to rewrite."""
    day = cluster.day
    month = _MONTHS[day.month - 1]
    when = f"{day.day} {month} {day.year}"
    if fields["time_precision"].value == 2:
        when = f"around {when} (as reported)"
    elif fields["time_precision"].value == 3:
        when = f"in {month} {day.year} (as reported)"
    actor1 = fields["actor1"].value if "actor1" in fields else "unidentified actors"
    actor2 = f" against {fields['actor2'].value}" if "actor2" in fields else ""
    where = f" in {fields['location'].value}" if "location" in fields else ""
    killed = fields["fatalities"].value
    toll = f" {killed} reported killed" if killed else ""
    toll = f"{toll} ({breakdown})." if breakdown else (f"{toll}." if toll else "")
    kind = fields["sub_event_type"].value
    prefix = "On" if when[0].isdigit() else ""
    opening = f"{prefix} {when}".strip()
    return (f"{opening[0].upper()}{opening[1:]}, {actor1}: {kind}{actor2}{where}.{toll} "
            "[draft from rules: check and rewrite]")
