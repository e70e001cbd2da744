"""Generate a synthetic dataset repository for the benchmarks: French news pages + annotations.

``python benchmarks/generate.py --docs 10000 --out benchmarks/corpus/10k`` writes a complete
project that ``sahelevents --root benchmarks/corpus/10k validate`` accepts:

* ``codebook/`` and ``schema/`` copied from this repository;
* ``seeds/<doc>.txt``: French news pages written from templates (no copied text): a headline,
  a dateline, a byline, an article reporting 3 to 7 incidents (5 on average) with varied
  actors (the aliases of ``codebook/actors.yaml``), places (``codebook/places.yaml``), dates
  ("le 12 mars 2024", "ce dimanche", "jeudi dernier", "mi-mars 2024"), casualty counts
  (digits, French number words, the codebook's vague quantities, sums), background sentences
  that must not become events (floods, commemorations, threats, events abroad), and page
  furniture: navigation, "Lire aussi" teasers, share lines, a comment form, a cookie banner;
* ``seeds/sources.yaml``: every page registered (``SourceRegistry`` model, ``dump_yaml``);
* ``annotations/<doc>.yaml``: one event per reported incident, coded as an annotator would
  (canonical actor names valid on the event date, gazetteer places, sentence ids and quotes
  that exist in the text as :func:`sahelevents.sentences.segment` splits it), plus rejected
  suggestions for the background sentences and ``same_as`` links between articles that
  report the same incident.

Everything is deterministic for a ``--seed``: the same command gives byte-identical files,
and the first N documents of a larger corpus are the N documents of the smaller one.

How it stays fast (100,000 documents in a couple of minutes on two cores):

1. *Planning* (one process, in document order): what each article reports - dates,
   actors, places, casualties, links. Cheap, and the only step with state across
   documents (no two unlinked incidents share day, place, type and actors, so the validator's
   duplicate warning stays quiet; follow-up articles link to an earlier one).
2. *Rendering* (``--jobs`` processes): each page is assembled sentence by sentence, so the
   generator knows every sentence's offsets without running the (slow) segmenter; the
   annotation file is written by a small YAML emitter (values are quoted whenever a YAML
   1.1 tool could retype them, like ``sahelevents.yamlio.dump_yaml`` does).
3. *Verification*: a sample of pages (``--verify``, every page with ``--verify all``) is
   segmented by the real :func:`~sahelevents.sentences.segment`; generation fails if any
   sentence boundary or evidence sentence differs from what the generator predicted.

``--events N`` sizes the corpus by accepted events instead (N / 4.6 documents, see
:data:`MEAN_ACCEPTED_EVENTS`) for the release benchmark.
"""

from __future__ import annotations

import argparse
import calendar
import datetime as dt
import hashlib
import json
import multiprocessing
import re
import shutil
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from random import Random
from typing import Any

from sahelevents.codebook import ActorEntry, Codebook
from sahelevents.gazetteer import Gazetteer
from sahelevents.models import ActorGroup, SourceDocument, SourceRegistry
from sahelevents.project import Project
from sahelevents.sentences import segment
from sahelevents.sources import REGISTRY_HEADER
from sahelevents.workspace import Workspace
from sahelevents.yamlio import dump_yaml, load_yaml_file

REPO = Path(__file__).resolve().parents[1]
SCHEMA_COMMENT = "# yaml-language-server: $schema=../schema/annotation.schema.json"
#: Incidents per article are drawn uniformly from 3..7; about 92% of them are accepted
#: (the rest are open suggestions), plus rejected suggestions for background sentences.
EVENTS_PER_DOC = (3, 4, 5, 6, 7)
MEAN_ACCEPTED_EVENTS = 4.6
FIRST_DAY = dt.date(2016, 3, 1)
LAST_DAY = dt.date(2025, 9, 30)

# -- French vocabulary ----------------------------------------------------------------------

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
          "octobre", "novembre", "décembre")
WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_UNITS = ("zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix",
          "onze", "douze", "treize", "quatorze", "quinze", "seize", "dix-sept", "dix-huit",
          "dix-neuf")
_TENS = {2: "vingt", 3: "trente", 4: "quarante", 5: "cinquante", 6: "soixante"}


def french_number(n: int) -> str:
    """French words for 0..99 ("vingt-et-un", "soixante-douze", "quatre-vingt-dix-neuf")."""
    if not 0 <= n <= 99:
        raise ValueError(f"{n} is outside 0..99")
    if n < 20:
        return _UNITS[n]
    if n < 70:
        tens, unit = divmod(n, 10)
        if unit == 0:
            return _TENS[tens]
        return f"{_TENS[tens]}-et-un" if unit == 1 else f"{_TENS[tens]}-{_UNITS[unit]}"
    if n < 80:
        return "soixante-et-onze" if n == 71 else f"soixante-{_UNITS[n - 60]}"
    return "quatre-vingts" if n == 80 else f"quatre-vingt-{_UNITS[n - 80]}"


def french_date(day: dt.date, *, year: bool = True, weekday: bool = False) -> str:
    number = "1er" if day.day == 1 else str(day.day)
    text = f"{number} {MONTHS[day.month - 1]}"
    if year:
        text += f" {day.year}"
    return f"{WEEKDAYS[day.weekday()]} {text}" if weekday else text


_FEMININE_HEADS = frozenset({
    "armée", "milice", "milices", "gendarmerie", "police", "population", "garde", "force",
    "aviation", "katiba", "coordination", "branche", "faction", "foule", "vindicte", "mission",
    "province", "société", "task", "junte", "confédération", "alliance", "plateforme",
})
_PLURAL_ACRONYMS = frozenset({"FAMa", "FDS", "VDP", "GAT", "BIR"})
_ENGLISH = frozenset({"of", "for", "the", "and", "in", "militia", "group", "state", "province",
                      "movement", "council", "mission", "united", "training", "joint",
                      "liberation", "support", "volunteers", "framework", "faction"})


_CONTRACTED_DE = {"le ": "du ", "les ": "des "}
_CONTRACTED_A = {"le ": "au ", "les ": "aux "}


@dataclass(frozen=True, slots=True)
class Mention:
    """How an actor alias is written in a sentence: its article and verb agreement."""

    alias: str
    article: str  # "le ", "la ", "l'", "les " or "" (proper names)
    plural: bool

    def form(self, mode: str) -> tuple[str, str]:
        """(prefix, alias) for ``mode``: "def" (les FAMa), "de" (des FAMa), "a" (aux FAMa)."""
        if mode == "bare" or not self.article:
            prefix = {"de": "de ", "a": "à "}.get(mode, "")
            if mode == "de" and self.alias[:1].lower() in "aeéèiouyh":
                prefix = "d'"
            return prefix, self.alias
        if mode == "de":
            return _CONTRACTED_DE.get(self.article, "de " + self.article), self.alias
        if mode == "a":
            return _CONTRACTED_A.get(self.article, "à " + self.article), self.alias
        return self.article, self.alias


def mention_for(alias: str) -> Mention:
    words = alias.split()
    head = words[0].lower()
    acronym = " " not in alias and sum(ch.isupper() for ch in alias) >= 2
    if acronym:
        plural = alias in _PLURAL_ACRONYMS
        article = "les " if plural else ("l'" if alias[0] in "AEIOUÉ" else "le ")
        return Mention(alias, article, plural)
    if len(words) == 1 and alias[0].isupper():
        return Mention(alias, "", False)  # Wagner, Barkhane, Daech
    plural = head.endswith(("s", "x")) and head not in {"ansar", "corps"}
    if plural:
        return Mention(alias, "les ", True)
    if head[0] in "aeéèêiouyh" or head.startswith("é"):
        return Mention(alias, "l'", False)
    return Mention(alias, "la " if head in _FEMININE_HEADS else "le ", False)


def usable_aliases(group: ActorGroup) -> list[str]:
    """Aliases a French article would write: no English forms, no people's names."""
    keep = []
    for alias in group.aliases:
        words = alias.split()
        if any(w.lower() in _ENGLISH for w in words) or any(c in alias for c in ".()0123456789"):
            continue
        if len(words) >= 2 and all(w[0].isupper() for w in words) and not any(
                w.isupper() for w in words):
            continue  # "Oumar Diarra", "Iyad Ag Ghaly": people, not the group itself
        keep.append(alias)
    return keep or list(group.aliases)


# -- Scenarios: which incidents an article reports ------------------------------------------

STATE, POLICE, ARMED, CIVILIANS, PROTESTERS, RIOTERS = (
    "state", "police", "armed", "civilians", "protesters", "rioters")


@dataclass(frozen=True, slots=True)
class Scenario:
    key: str
    weight: int
    event_type: str
    sub_event_type: str
    actor1: str
    actor2: str | None
    civilian_targeting: bool
    max_fatalities: int
    victims: str  # who dies: "state", "armed", "civilians" or "none"


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("clash-state", 18, "Battles", "Armed clash", STATE, ARMED, False, 40, "armed"),
    Scenario("clash-armed", 9, "Battles", "Armed clash", ARMED, STATE, False, 40, "state"),
    Scenario("overtake", 2, "Battles", "Non-state actor overtakes territory", ARMED, STATE,
             False, 20, "state"),
    Scenario("regain", 2, "Battles", "Government regains territory", STATE, ARMED, False, 20,
             "armed"),
    Scenario("vac-armed", 17, "Violence against civilians", "Attack", ARMED, CIVILIANS, True,
             60, "civilians"),
    Scenario("vac-state", 4, "Violence against civilians", "Attack", STATE, CIVILIANS, True, 30,
             "civilians"),
    Scenario("abduction", 6, "Violence against civilians", "Abduction/forced disappearance",
             ARMED, CIVILIANS, True, 0, "none"),
    Scenario("airstrike", 8, "Explosions/Remote violence", "Air/drone strike", STATE, ARMED,
             False, 30, "armed"),
    Scenario("ied-state", 7, "Explosions/Remote violence", "Remote explosive/landmine/IED", ARMED,
             STATE, False, 15, "state"),
    Scenario("ied-civilians", 3, "Explosions/Remote violence", "Remote explosive/landmine/IED",
             ARMED, CIVILIANS, True, 15, "civilians"),
    Scenario("shelling", 2, "Explosions/Remote violence", "Shelling/artillery/missile attack",
             ARMED, STATE, False, 10, "state"),
    Scenario("protest", 6, "Protests", "Peaceful protest", PROTESTERS, None, False, 0, "none"),
    Scenario("protest-intervention", 2, "Protests", "Protest with intervention", PROTESTERS,
             POLICE, False, 0, "none"),
    Scenario("riot", 2, "Riots", "Violent demonstration", RIOTERS, POLICE, False, 3, "civilians"),
    Scenario("arrests", 3, "Strategic developments", "Arrests", POLICE, None, False, 0, "none"),
    Scenario("looting", 3, "Strategic developments", "Looting/property destruction", ARMED,
             CIVILIANS, False, 0, "none"),
)
SCENARIO_BY_KEY = {s.key: s for s in SCENARIOS}

COUNTRIES = {  # ISO3 -> (weight, actor id prefix, name for qualified locations)
    "MLI": (45, "mali", "Mali"), "BFA": (25, "burkina", "Burkina Faso"),
    "NER": (15, "niger", "Niger"), "TCD": (8, "chad", "Tchad"), "MRT": (7, "mauritania",
                                                                     "Mauritanie"),
}
ARMED_GROUPS = {  # in order of how often the press names them
    "MLI": ("jnim", "islamic-state-sahel", "mali-unidentified-armed-group", "katiba-macina",
            "fla", "csp", "ansar-dine", "katiba-serma"),
    "BFA": ("jnim", "burkina-unidentified-armed-group", "ansaroul-islam", "islamic-state-sahel"),
    "NER": ("islamic-state-sahel", "niger-unidentified-armed-group", "jnim",
            "islamic-state-west-africa", "boko-haram-jas"),
    "TCD": ("boko-haram-jas", "chad-unidentified-armed-group", "islamic-state-west-africa",
            "fact"),
    "MRT": ("mauritania-unidentified-armed-group", "aqim"),
}
ALLIES = {"MLI": ("wagner", "africa-corps"), "BFA": ("burkina-vdp",)}
# Non-events an annotator rejects (reason shown in the file).
NEGATIVES = {
    "floods": "Catastrophe naturelle (inondations) sans violence politique.",
    "commemoration": "Commémoration d'une attaque passée, pas un nouvel événement.",
    "threat": "Menace ou projet, rien ne s'est produit.",
    "abroad": "Événement hors de la zone couverte.",
}
CODERS = ("aminata", "ibrahim", "fatoumata", "moussa", "awa", "souleymane")
OUTLETS = (("Le Sahel Quotidien", "National"), ("L'Écho du Gourma", "Subnational"),
           ("Info Sahel Hebdo", "Regional"), ("La Voix du Liptako", "Subnational"),
           ("Le Républicain du Nord", "National"), ("Sahel Actu Plus", "Regional"),
           ("Le Messager du Fleuve", "National"), ("Horizon Sahel", "Regional"))
JOURNALISTS = ("Aminata KONÉ", "Boubacar TRAORÉ", "Issa OUÉDRAOGO", "Mariam DIALLO",
               "Hamidou SANKARA", "Zeinabou MAÏGA", "Abdoulaye SOW", "Fatimata SAWADOGO",
               "Moussa KEÏTA", "Ramatou ISSOUFOU", "Ousmane CISSÉ", "Halimatou BARRY")


@dataclass(frozen=True, slots=True)
class PlaceChoice:
    location: str  # as written in the annotation ("Boni" or "Gao, Mali")
    spellings: tuple[str, ...]  # as written in the text ("Ségou", "Segou")
    country: str


@dataclass(frozen=True, slots=True)
class Casualties:
    """What the text says about the dead, and the number an annotator codes."""

    style: str  # digits, words, vague, atleast, sum, zero
    total: int
    vague: str = ""  # the codebook phrase for style "vague"
    parts: tuple[int, int] = (0, 0)  # style "sum": victims, then the other side


@dataclass(frozen=True, slots=True)
class PlannedEvent:
    local_id: str
    decision: str  # accepted, suggested, rejected
    scenario: str  # a Scenario key, or a NEGATIVES key for rejected events
    event_date: dt.date
    time_precision: int
    actor1: str
    actor1_group: str
    actor2: str | None
    actor2_group: str | None
    assoc_actor_1: tuple[str, ...]
    assoc_group: str | None
    place: PlaceChoice
    geo_precision: int
    casualties: Casualties
    same_as: tuple[str, ...] = ()
    rule: str | None = None  # rule that suggested it (origin), when the codebook has rules
    suggested_fatalities: int | None = None  # what the rule proposed (a coder may correct it)
    confidence: float = 0.0


@dataclass(frozen=True, slots=True)
class PlannedDocument:
    index: int
    doc_id: str
    country: str
    published: dt.date
    published_precision: str  # "day" or "month"
    outlet: str
    source_scale: str
    coders: tuple[str, ...]
    status: str
    events: tuple[PlannedEvent, ...]


# -- Planning -------------------------------------------------------------------------------


class Vocabulary:
    """The codebook data the generator draws from, indexed once."""

    def __init__(self, ws: Workspace) -> None:
        self.codebook: Codebook = ws.codebook
        self.version = ws.codebook.version
        self.groups = self.codebook.actor_groups
        self.aliases = {gid: usable_aliases(g) for gid, g in self.groups.items()}
        for gid, aliases in self.aliases.items():
            if gid.endswith(("-civilians", "-protesters", "-rioters")):
                # written after "des" / "de": only plural nouns read as French
                plural = [a for a in aliases if a.split()[0].endswith(("s", "x"))]
                self.aliases[gid] = plural or aliases
        gazetteer: Gazetteer = ws.gazetteer
        self.places: dict[str, list[PlaceChoice]] = {iso3: [] for iso3 in COUNTRIES}
        for place in gazetteer.places:
            if not place.curated or place.country not in COUNTRIES or place.kind == "region":
                continue
            location = place.name
            if gazetteer.is_ambiguous(place.name):
                location = f"{place.name}, {self.codebook.countries[place.country].name}"
            resolved = gazetteer.resolve(location, (place.country,))
            if resolved is None or resolved.id != place.id:
                continue  # a name the gazetteer would send elsewhere: not a fair test
            spellings = tuple(dict.fromkeys(
                n for n in (place.name, *place.alternate_names)
                if not n.lower().startswith(("forêt", "zone", "camp", "district", "région"))))
            self.places[place.country].append(PlaceChoice(location, spellings, place.country))
        self.vague = sorted((phrase, value) for phrase, value in
                            self.codebook.vague_quantities.items() if 3 <= value <= 60)
        self.rule_ids = rule_ids(ws.project)

    def valid(self, group_id: str, day: dt.date) -> ActorEntry | None:
        group = self.groups.get(group_id)
        if group is None:
            return None
        entry = self.codebook.name_on(group, day)
        return entry if entry.valid_on(day) else None


def rule_ids(project: Project) -> dict[str, list[str]]:
    """Sub-event type -> ids of the extraction rules proposing it (codebook/rules/*.yaml).

    Empty when the project has no rules: every generated event is then coded by hand.
    """
    found: dict[str, set[str]] = {}
    if not project.rules_dir.is_dir():
        return {}
    for path in sorted(project.rules_dir.rglob("*.yaml")):
        data = load_yaml_file(path).data
        items = data.get("rules") if isinstance(data, dict) else None
        for item in items if isinstance(items, list) else []:
            if (isinstance(item, dict) and isinstance(item.get("id"), str)
                    and isinstance(item.get("sub_event_type"), str)):
                found.setdefault(item["sub_event_type"], set()).add(item["id"])
    return {sub: sorted(ids) for sub, ids in sorted(found.items())}


class Planner:
    """Plans articles in order; keeps the keys of every incident planned so far."""

    def __init__(self, vocabulary: Vocabulary, seed: int) -> None:
        self.vocab = vocabulary
        self.rng = Random(seed)
        self.taken: set[tuple[str, str, str, str, str]] = set()
        self.recent: list[tuple[str, PlannedEvent]] = []  # events later articles may follow up
        countries = list(COUNTRIES)
        self.country_weights = [COUNTRIES[c][0] for c in countries]
        self.countries = countries
        self.scenario_weights = [s.weight for s in SCENARIOS]

    def plan(self, index: int) -> PlannedDocument:
        rng = self.rng
        doc_id = f"syn{index:06d}"
        country = rng.choices(self.countries, self.country_weights)[0]
        follow_up = bool(self.recent) and rng.random() < 0.06
        if follow_up:
            earlier_doc, shared = rng.choice(self.recent[-200:])
            country = shared.place.country
            window_end = min(shared.event_date + dt.timedelta(days=rng.randint(1, 5)), LAST_DAY)
        else:
            span = (LAST_DAY - FIRST_DAY).days
            window_end = FIRST_DAY + dt.timedelta(days=rng.randint(20, span))
        month_precision = rng.random() < 0.08
        events: list[PlannedEvent] = []
        count = rng.choice(EVENTS_PER_DOC)
        for number in range(1, count + 1):
            local_id = f"e{number}"
            if follow_up and number == 1:
                events.append(_copy_event(shared, local_id, f"{earlier_doc}#{shared.local_id}"))
                continue
            events.append(self._event(local_id, country, window_end, month_precision))
        for _ in range(rng.choice((0, 0, 1, 1, 2))):
            events.append(self._negative(f"r{len(events) + 1}", country, window_end))
        latest = max(e.event_date for e in events if e.scenario in SCENARIO_BY_KEY)
        published = max(latest, window_end) + dt.timedelta(days=rng.choice((0, 0, 1, 1, 2, 3)))
        precision = "day"
        if month_precision:
            precision, published = "month", published.replace(day=1)
        outlet, scale = rng.choice(OUTLETS)
        coders = tuple(sorted(rng.sample(CODERS, rng.choice((1, 1, 1, 2)))))
        status = rng.choice(("coded", "coded", "reviewed", "draft"))
        doc = PlannedDocument(index, doc_id, country, published, precision, outlet, scale,
                              coders, status, tuple(events))
        for event in events:
            if event.decision == "accepted" and not event.same_as:
                self.recent.append((doc_id, event))
        del self.recent[:-400]
        return doc

    def _key(self, event_date: dt.date, location: str, event_type: str, actor1: str,
             actor2: str | None) -> tuple[str, str, str, str, str]:
        return (event_date.isoformat(), location, event_type, actor1, actor2 or "")

    def _event(self, local_id: str, country: str, window_end: dt.date,
               month_precision: bool) -> PlannedEvent:
        rng = self.rng
        vocab = self.vocab
        for _attempt in range(50):
            scenario = rng.choices(SCENARIOS, self.scenario_weights)[0]
            day, precision = self._date(window_end, month_precision)
            actor1_group = self._group(scenario.actor1, country, day)
            actor2_group = self._group(scenario.actor2, country, day) if scenario.actor2 else None
            if actor1_group is None or (scenario.actor2 and actor2_group is None):
                continue
            actor1 = vocab.valid(actor1_group, day)
            actor2 = vocab.valid(actor2_group, day) if actor2_group else None
            if actor1 is None or (actor2_group and actor2 is None):
                continue
            place = rng.choice(vocab.places[country])
            key = self._key(day, place.location, scenario.event_type, actor1.name,
                            actor2.name if actor2 else None)
            if key in self.taken:
                continue
            self.taken.add(key)
            assoc_group = None
            assoc: tuple[str, ...] = ()
            if scenario.actor1 == STATE and country in ALLIES and rng.random() < 0.25:
                ally = rng.choice(ALLIES[country])
                entry = vocab.valid(ally, day)
                if entry is not None:
                    assoc_group, assoc = ally, (entry.name,)
            casualties = self._casualties(scenario)
            rules = vocab.rule_ids.get(scenario.sub_event_type, [])
            decision = "accepted" if rng.random() < 0.92 or not rules else "suggested"
            rule = None
            suggested = None
            confidence = 0.0
            if rules and (decision == "suggested" or rng.random() < 0.3):
                rule = rng.choice(rules)
                confidence = round(rng.uniform(0.45, 0.95), 2)
                suggested = casualties.total
                if decision == "accepted" and rng.random() < 0.2:
                    suggested = max(0, casualties.total + rng.choice((-2, -1, 1, 3)))
            return PlannedEvent(
                local_id, decision, scenario.key, day, precision, actor1.name, actor1_group,
                actor2.name if actor2 else None, actor2_group, assoc, assoc_group, place,
                rng.choices((1, 2, 3), (70, 25, 5))[0], casualties, rule=rule,
                suggested_fatalities=suggested, confidence=confidence)
        raise RuntimeError(f"could not plan a distinct incident in {country} near {window_end}")

    def _negative(self, local_id: str, country: str, window_end: dt.date) -> PlannedEvent:
        rng = self.rng
        kind = rng.choice(sorted(NEGATIVES))
        day = window_end - dt.timedelta(days=rng.randint(0, 6))
        if kind == "commemoration":
            day -= dt.timedelta(days=365)
        place = rng.choice(self.vocab.places[country])
        count = rng.randint(2, 40)
        # the rule a careless extractor would fire on this sentence
        rules = self.vocab.rule_ids.get("Attack" if kind != "abroad" else "Armed clash", [])
        return PlannedEvent(local_id, "rejected", kind, day, 1, "", "", None, None, (), None,
                            place, 1, Casualties("digits", count),
                            rule=rng.choice(rules) if rules else None,
                            confidence=round(rng.uniform(0.2, 0.6), 2))

    def _date(self, window_end: dt.date, month_precision: bool) -> tuple[dt.date, int]:
        rng = self.rng
        roll = rng.random()
        if roll < 0.05:  # only the month is known: 1st, 15th or last day (ACLED)
            month_start = (window_end.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
            last = calendar.monthrange(month_start.year, month_start.month)[1]
            return month_start.replace(day=rng.choice((1, 15, last))), 3
        if roll < 0.12:  # the week is known: coded to the Monday of that week
            monday = window_end - dt.timedelta(days=window_end.weekday() + 7)
            return monday, 2
        back = rng.choice((0, 1, 1, 2, 2, 3, 4, 5, 6, 8, 10, 13))
        day = window_end - dt.timedelta(days=back)
        if month_precision and day.month != window_end.month:
            day = window_end.replace(day=1)
        return day, 1

    def _group(self, role: str | None, country: str, day: dt.date) -> str | None:
        rng = self.rng
        prefix = COUNTRIES[country][1]
        if role == STATE:
            return f"{prefix}-military"
        if role == POLICE:
            gendarmerie = f"{prefix}-gendarmerie"
            if gendarmerie in self.vocab.groups and rng.random() < 0.5:
                return gendarmerie
            return f"{prefix}-police"
        if role == CIVILIANS:
            return f"{prefix}-civilians"
        if role == PROTESTERS:
            return f"{prefix}-protesters"
        if role == RIOTERS:
            return f"{prefix}-rioters"
        if role == ARMED:
            candidates = [g for g in ARMED_GROUPS[country] if self.vocab.valid(g, day)]
            weights = [len(candidates) - i for i in range(len(candidates))]
            return rng.choices(candidates, weights)[0] if candidates else None
        return None

    def _casualties(self, scenario: Scenario) -> Casualties:
        rng = self.rng
        if scenario.max_fatalities == 0 or rng.random() < 0.12:
            return Casualties("zero", 0)
        style = rng.choices(("digits", "words", "vague", "atleast", "sum"),
                            (40, 20, 15, 15, 10))[0]
        if style == "vague":
            phrase, value = rng.choice([v for v in self.vocab.vague
                                        if v[1] <= max(scenario.max_fatalities, 3)])
            return Casualties("vague", value, vague=phrase)
        total = rng.randint(1, scenario.max_fatalities)
        if style == "sum" and total >= 3 and scenario.victims != "none":
            first = rng.randint(1, total - 1)
            return Casualties("sum", total, parts=(first, total - first))
        return Casualties("atleast" if style == "atleast" else
                          "words" if style == "words" else "digits", total)


def _copy_event(event: PlannedEvent, local_id: str, target: str) -> PlannedEvent:
    """The same incident told by a later article: same fields, linked by same_as."""
    return PlannedEvent(
        local_id, "accepted", event.scenario, event.event_date, event.time_precision,
        event.actor1, event.actor1_group, event.actor2, event.actor2_group, event.assoc_actor_1,
        event.assoc_group, event.place, event.geo_precision, event.casualties, same_as=(target,))


# -- Rendering: pages assembled sentence by sentence ----------------------------------------

_SLOT = re.compile(r"\{(\w+)(?:\|(\w+))?\}")


@dataclass
class Sentence:
    """One sentence of the page, with the spans of its slots (offsets inside the sentence)."""

    text: str
    slots: dict[str, tuple[int, int]] = field(default_factory=dict)


def fill(template: str, values: dict[str, Any]) -> Sentence:
    """Fill ``{slot}`` / ``{slot|mode}`` markers; record where each slot's core text lies.

    A value is a string, a (prefix, core) pair (only the core is the slot's span), or a
    :class:`Mention` rendered with ``mode`` (def, de, a, bare). ``{v_a1}`` style markers
    pick a verb form: values "ont|a" choose by the plurality of the mention ``a1``.
    """
    out: list[str] = []
    slots: dict[str, tuple[int, int]] = {}
    position = 0
    cursor = 0
    for match in _SLOT.finditer(template):
        literal = template[cursor:match.start()]
        out.append(literal)
        position += len(literal)
        name, mode = match.group(1), match.group(2) or "def"
        value = values[name]
        if isinstance(value, Mention):
            prefix, core = value.form(mode)
        elif isinstance(value, tuple):
            prefix, core = value
        else:
            prefix, core = "", str(value)
        if not out or not "".join(out).strip():  # sentence start: capital letter
            if prefix:
                prefix = prefix[0].upper() + prefix[1:]
            else:
                core = core[0].upper() + core[1:]
        out.append(prefix)
        position += len(prefix)
        slots.setdefault(name, (position, position + len(core)))
        out.append(core)
        position += len(core)
        cursor = match.end()
    out.append(template[cursor:])
    text = "".join(out)
    return Sentence(text[0].upper() + text[1:], slots)


def verb(mention: Mention, plural: str, singular: str) -> str:
    return plural if mention.plural else singular


EVENT_TEMPLATES: dict[str, tuple[str, ...]] = {
    "clash-state": (
        "{date}, {a1} {v1} repoussé une attaque {a2|de} {place}.",
        "{date}, des affrontements ont opposé {a1} et {a2} {place}.",
        "{a1} {v1} accroché des éléments {a2|de} {place} {date}, selon une source sécuritaire.",
        "{date}, une patrouille {a1|de} a riposté à une embuscade tendue par {a2} {place}.",
    ),
    "clash-armed": (
        "{date}, {a1} {v1} attaqué une position {a2|de} {place}.",
        "{a1} {v1} lancé un assaut contre le poste {a2|de} {place} {date}.",
        "L'attaque menée {date} par {a1} contre {a2} {place} a donné lieu à de violents "
        "combats.",
    ),
    "overtake": (
        "{date}, {a1} {v1} pris le contrôle d'un camp {a2|de} {place} après de violents combats.",
        "{a1} {v1} chassé {a2} de leurs positions {place} {date}.",
    ),
    "regain": (
        "{date}, {a1} {v1} repris le contrôle de positions tenues par {a2} {place}.",
        "{a1} {v1} reconquis {date} une localité occupée par {a2} {place}.",
    ),
    "vac-armed": (
        "{date}, {a1} {v1} attaqué des {a2|bare} {place}.",
        "{a1} s'en {v2} pris à des {a2|bare} {place} {date}.",
        "{date}, des {a2|bare} ont été visés par {a1} {place}.",
    ),
    "vac-state": (
        "{date}, des {a2|bare} ont été exécutés par {a1} {place}, selon des témoins.",
        "Des témoins accusent {a1} d'avoir tué des {a2|bare} {place} {date}.",
    ),
    "abduction": (
        "{date}, {a1} {v1} enlevé plusieurs {a2|bare} {place}.",
        "Des {a2|bare} ont été kidnappés {date} {place} par {a1}.",
    ),
    "airstrike": (
        "{date}, {a1} {v1} mené des frappes aériennes contre {a2} {place}.",
        "Des frappes de drones {a1|de} ont visé {a2} {place} {date}.",
        "{date}, une frappe aérienne {a1|de} a neutralisé des éléments {a2|de} {place}.",
    ),
    "ied-state": (
        "{date}, un véhicule {a2|de} a sauté sur un engin explosif improvisé posé par {a1} "
        "{place}.",
        "Un convoi {a2|de} a heurté une mine {place} {date}, une attaque attribuée à {a1}.",
    ),
    "ied-civilians": (
        "{date}, un car de transport de {a2|bare} a sauté sur un engin explosif {place}.",
        "Un engin explosif improvisé a touché un véhicule de {a2|bare} {place} {date}.",
    ),
    "shelling": (
        "{date}, {a1} {v1} tiré des obus contre le camp {a2|de} {place}.",
        "Des tirs d'obus attribués à {a1} ont visé la base {a2|de} {place} {date}.",
    ),
    "protest": (
        "{date}, des centaines de {a1|bare} ont marché pacifiquement {place} pour dénoncer "
        "l'insécurité.",
        "Des {a1|bare} se sont rassemblés {place} {date} pour réclamer le retour des services "
        "de l'État.",
    ),
    "protest-intervention": (
        "{date}, {a2} {v2} dispersé à coups de gaz lacrymogène des {a1|bare} {place}.",
        "Un sit-in de {a1|bare} a été dispersé par {a2} {place} {date}.",
    ),
    "riot": (
        "{date}, des {a1|bare} ont incendié le poste {a2|de} {place}.",
        "Des {a1|bare} ont saccagé des bâtiments publics {place} {date} avant l'intervention "
        "{a2|de}.",
    ),
    "arrests": (
        "{date}, {a1} {v1} interpellé plusieurs suspects {place}.",
        "Plusieurs personnes ont été arrêtées {place} {date} par {a1}.",
    ),
    "looting": (
        "{date}, {a1} {v1} pillé des boutiques et incendié des greniers {place}.",
        "Des greniers et du bétail de {a2|bare} ont été emportés {place} {date} par {a1}.",
    ),
}
NEGATIVE_TEMPLATES: dict[str, tuple[str, ...]] = {
    "floods": (
        "Par ailleurs, des inondations ont fait {n} morts {place} {date}.",
        "{date}, de fortes pluies ont provoqué l'effondrement de maisons {place}, faisant "
        "{n} morts.",
    ),
    "commemoration": (
        "{date}, {n} soldats avaient perdu la vie {place} ; une cérémonie d'hommage a eu lieu "
        "cette année.",
        "La population {place} a commémoré les {n} victimes de l'attaque du {date}.",
    ),
    "threat": (
        "Les groupes armés menacent de s'en prendre aux convois {place}, où {n} véhicules "
        "attendent une escorte.",
        "Une opération de grande envergure pourrait être lancée {place}, où {n} familles ont "
        "déjà fui.",
    ),
    "abroad": (
        "Au Nigeria voisin, une attaque a fait {n} morts {date} dans l'État de Borno.",
        "Au Soudan, des combats ont fait {n} morts {date}, loin de {place}.",
    ),
}
BACKGROUND = (
    "La zone est confrontée depuis plusieurs années à l'insécurité liée aux groupes armés.",
    "Les autorités ont réaffirmé leur détermination à poursuivre la lutte contre le terrorisme.",
    "Cette attaque intervient dans un contexte de recrudescence des attaques dans la région.",
    "Une enquête a été ouverte pour situer les responsabilités.",
    "Le gouverneur s'est rendu sur les lieux dans la soirée pour réconforter les familles.",
    "Des renforts ont été dépêchés dans la zone pour sécuriser les axes routiers.",
    "Les habitants dénoncent l'absence de l'État dans plusieurs communes rurales.",
    "Plusieurs écoles restent fermées en raison de la situation sécuritaire.",
    "Les déplacés affluent vers les centres urbains, où l'aide humanitaire peine à suivre.",
    "Le ministre de la Défense a présenté ses condoléances aux familles des victimes.",
    "Les circonstances exactes de l'incident restent à préciser.",
    "Selon un élu local joint par téléphone, la situation reste tendue.",
    "Les opérations de ratissage se poursuivent dans la zone.",
    "Cette région frontalière est devenue l'un des principaux foyers de violence du pays.",
    "Les marchés hebdomadaires tournent au ralenti depuis le début de l'année.",
    "Des organisations de la société civile appellent au dialogue intercommunautaire.",
)
HEADINGS = ("Une zone sous pression", "La riposte de l'armée", "Des populations inquiètes",
            "Un bilan encore provisoire", "Les réactions se multiplient", "Contexte sécuritaire")
QUOTES = (
    "« Nous ne laisserons aucun répit aux ennemis de la paix », a déclaré un officier.",
    "« La situation est sous contrôle », assure une source militaire.",
    "« Nous vivons dans la peur depuis des mois », confie un habitant.",
    "« Les villages se vident », témoigne un responsable communal.",
)
ATTRIBUTIONS = ("selon une source sécuritaire", "selon des sources locales",
                "d'après un communiqué de l'armée", "selon un élu local",
                "selon plusieurs témoins")


Cited = tuple[Sentence, list[str]]  # a cited sentence and the fields it supports


class Renderer:
    """Writes one planned article as a page, and its annotation file."""

    def __init__(self, vocabulary: Vocabulary, seed: int) -> None:
        self.vocab = vocabulary
        self.seed = seed

    # -- phrases ----------------------------------------------------------------------------

    def mention(self, rng: Random, group_id: str) -> Mention:
        return mention_for(rng.choice(self.vocab.aliases[group_id]))

    def date_phrase(self, rng: Random, event: PlannedEvent, doc: PlannedDocument) -> str:
        day = event.event_date
        if event.time_precision == 3:
            month = f"{MONTHS[day.month - 1]} {day.year}"
            if day.day == 1:
                return f"début {month}"
            if day.day == 15:
                return rng.choice((f"mi-{month}", f"à la mi-{month}", f"en {month}"))
            return f"fin {month}"
        if event.time_precision == 2:
            return f"au cours de la semaine du {french_date(day, year=rng.random() < 0.5)}"
        absolute = f"le {french_date(day, weekday=rng.random() < 0.3)}"
        if doc.published_precision != "day":
            return absolute
        delta = (doc.published - day).days
        same_year = day.year == doc.published.year
        options = [absolute, absolute]
        if same_year:
            options.append(f"le {french_date(day, year=False)}")
        name = WEEKDAYS[day.weekday()]
        if delta == 0:
            options += [f"ce {name}", "ce jour"]
        elif delta == 1:
            options += ["hier", f"ce {name}"]
        elif delta == 2:
            options += ["avant-hier", f"{name} dernier"]
        elif delta < 7:
            options += [f"{name} dernier", f"ce {name}"]
        return rng.choice(options)

    def place_phrase(self, rng: Random, event: PlannedEvent) -> tuple[str, str]:
        name = rng.choice(event.place.spellings)
        elided = "d'" if name[:1].lower() in "aeéèiouy" else "de "
        if event.geo_precision == 1:
            return rng.choice(("à ", "à ", "dans la localité " + elided)), name
        if event.geo_precision == 2:
            return rng.choice(("près " + elided, "dans les environs " + elided,
                               "non loin " + elided, "à une trentaine de kilomètres " + elided)
                              ), name
        return rng.choice(("dans la région " + elided, "dans le cercle " + elided)), name

    def casualties_sentence(self, rng: Random, event: PlannedEvent) -> Sentence:
        scenario = SCENARIO_BY_KEY[event.scenario]
        victims = {"state": ("soldats", "militaires"), "armed": ("terroristes", "assaillants"),
                   "civilians": ("civils", "villageois"), "none": ("personnes",)}[
            scenario.victims]
        noun = rng.choice(victims)
        c = event.casualties
        if c.style == "zero":
            return fill(rng.choice((
                "L'incident n'a pas fait de victime, {attrib}.",
                "Aucune perte en vie humaine n'a été signalée, {attrib}.",
            )), {"attrib": rng.choice(ATTRIBUTIONS)})
        if c.style == "sum":
            other = "militaires" if scenario.victims != "state" else "civils"
            phrase = f"{c.parts[0]} {noun} et {c.parts[1]} {other}"
            return fill("Le bilan fait état de {fat} tués.", {"fat": phrase})
        if c.style == "vague":
            joiner = " " if c.vague in ("quelques", "plusieurs", "de nombreux",
                                        "de nombreuses") else (
                " d'" if noun[0] in "aeiou" else " de ")
            if c.vague == "de nombreuses":
                noun = "personnes"
            phrase = f"{c.vague}{joiner}{noun}"
            return fill(rng.choice(("{fat} ont été tués, {attrib}.",
                                    "L'attaque a coûté la vie à {fat}, {attrib}.")),
                        {"fat": phrase, "attrib": rng.choice(ATTRIBUTIONS)})
        number = french_number(c.total) if c.style == "words" and c.total < 100 else str(c.total)
        if c.style == "atleast":
            number = f"au moins {number}"
        if c.total == 1:
            return fill("Le bilan fait état de {fat}.", {"fat": f"{number} mort"})
        template = rng.choice(("Le bilan provisoire fait état de {fat}.",
                               "L'attaque a fait {fat}, {attrib}.",
                               "{fat} ont perdu la vie, {attrib}."))
        phrase = f"{number} {noun}" if template.startswith("{fat}") else f"{number} morts"
        return fill(template, {"fat": phrase, "attrib": rng.choice(ATTRIBUTIONS)})

    def event_sentences(self, rng: Random, event: PlannedEvent, doc: PlannedDocument
                        ) -> list[Sentence]:
        a1 = self.mention(rng, event.actor1_group)
        values: dict[str, Any] = {"a1": a1, "date": self.date_phrase(rng, event, doc),
                                  "place": self.place_phrase(rng, event),
                                  "v1": verb(a1, "ont", "a"), "v2": verb(a1, "sont", "est")}
        if event.actor2_group:
            a2 = self.mention(rng, event.actor2_group)
            values["a2"] = a2
            if event.scenario == "protest-intervention":
                values["v2"] = verb(a2, "ont", "a")
        template = rng.choice(EVENT_TEMPLATES[event.scenario])
        sentences = [fill(template, values)]
        if event.assoc_group:
            ally = self.mention(rng, event.assoc_group)
            sentences.append(fill("{a1} {v1} reçu l'appui {ally|de} au cours de l'opération.",
                                  {"a1": a1, "v1": verb(a1, "ont", "a"), "ally": ally}))
        sentences.append(self.casualties_sentence(rng, event))
        return sentences

    def negative_sentence(self, rng: Random, event: PlannedEvent) -> Sentence:
        day = event.event_date
        values: dict[str, Any] = {"n": str(event.casualties.total),
                                  "date": f"le {french_date(day)}",
                                  "place": self.place_phrase(rng, event)}
        if event.scenario == "commemoration":
            values["date"] = f"il y a un an, le {french_date(day)}"
        return fill(rng.choice(NEGATIVE_TEMPLATES[event.scenario]), values)

    def title(self, rng: Random, event: PlannedEvent, doc: PlannedDocument) -> str:
        country = COUNTRIES[doc.country][2]
        place = event.place.spellings[0]
        scenario = SCENARIO_BY_KEY.get(event.scenario)
        what = {
            "Battles": "violents affrontements", "Violence against civilians": "des civils visés",
            "Explosions/Remote violence": "frappes et explosions",
            "Protests": "la population manifeste", "Riots": "la colère gronde",
            "Strategic developments": "la situation se tend",
        }[scenario.event_type if scenario else "Battles"]
        if event.casualties.total and rng.random() < 0.6:
            what = f"{event.casualties.total} morts dans une attaque"
        return f"{country} : {what} près de {place}"

    def teaser(self, rng: Random) -> str:
        iso3 = rng.choice(list(COUNTRIES))
        country = COUNTRIES[iso3][2]
        place = rng.choice(self.vocab.places[iso3]).spellings[0]
        count = rng.randint(2, 40)
        return rng.choice((
            f"{country} : {count} soldats tués dans une embuscade près de {place}",
            f"{country} : l'armée annonce avoir neutralisé {count} terroristes à {place}",
            f"{country} : des hommes armés enlèvent {count} personnes à {place}",
            f"{place} : les habitants manifestent contre l'insécurité",
        ))

    # -- pages ------------------------------------------------------------------------------

    def render(self, doc: PlannedDocument) -> RenderedDocument:
        rng = Random(f"{self.seed}/{doc.index}/page")
        page = Page()
        published = doc.published
        if rng.random() < 0.5:
            page.line([rng.choice(("Accueil > Sécurité", "Accueil > Actualité > Sahel",
                                   "Quitter la version mobile"))])
        hour, minute = rng.randint(6, 22), rng.randint(0, 59)
        dateline = (f"Publié le {french_date(published, weekday=True)} à {hour:02d}:{minute:02d}"
                    if doc.published_precision == "day" else
                    f"Publié en {MONTHS[published.month - 1]} {published.year}")
        main = next(e for e in doc.events if e.decision != "rejected")
        title = self.title(rng, main, doc)
        if rng.random() < 0.5:
            page.line([dateline])
            page.line([title])
        else:
            page.line([title])
            page.line([dateline])
        if rng.random() < 0.7:
            page.line([f"Par {rng.choice(JOURNALISTS)}"])
        evidence: dict[str, list[Cited]] = {}
        paragraphs = self._paragraphs(rng, doc, evidence)
        # a "Lire aussi" link inside the article, never right before the page's end
        teaser_at = (rng.randint(1, len(paragraphs) - 2)
                     if len(paragraphs) >= 3 and rng.random() < 0.4 else -1)
        for number, paragraph in enumerate(paragraphs):
            if number == teaser_at:
                page.line([f"Lire aussi : {self.teaser(rng)}"])
            if number and rng.random() < 0.15:
                page.line([rng.choice(HEADINGS)])
            page.line(paragraph)
        page.line([rng.choice(("Partagez", "Partager :", "Partagez sur Facebook"))])
        page.line(["Articles similaires"])
        for _ in range(rng.randint(2, 4)):
            page.line([self.teaser(rng)])
            day = published - dt.timedelta(days=rng.randint(1, 60))
            page.line([french_date(day)])
        page.line(["Laisser un commentaire"])
        page.line(["Votre adresse e-mail ne sera pas publiée.",
                   "Les champs obligatoires sont indiqués avec *"])
        page.line(["Ce site utilise des cookies pour améliorer votre expérience de navigation.",
                   "En poursuivant, vous acceptez leur utilisation.",
                   "Vous pouvez retirer votre consentement à tout moment."])
        page.line([f"© {published.year} {doc.outlet}.", "Tous droits réservés."])
        text = page.text()
        cited = {page.number_of(s) for items in evidence.values() for s, _ in items}
        return RenderedDocument(doc, text, title, page.spans, cited,
                                self._annotation(doc, page, evidence))

    def _paragraphs(self, rng: Random, doc: PlannedDocument,
                    evidence: dict[str, list[Cited]]
                    ) -> list[list[Sentence]]:
        """Body paragraphs; ``evidence`` maps event ids to their cited sentences (numbered by
        :class:`Page` once the page is laid out)."""
        paragraphs: list[list[Sentence]] = []
        for event in doc.events:
            if event.decision == "rejected":
                sentence = self.negative_sentence(rng, event)
                evidence[event.local_id] = [(sentence, ["event_date", "location"])]
                paragraphs.append([fill(rng.choice(BACKGROUND), {}), sentence])
                continue
            sentences = self.event_sentences(rng, event, doc)
            fields = ["event_date", "event_type", "sub_event_type", "actor1", "location"]
            if event.actor2:
                fields.insert(4, "actor2")
            cited: list[Cited] = [(sentences[0], fields)]
            if event.assoc_group:
                cited.append((sentences[1], ["assoc_actor_1"]))
            cited.append((sentences[-1], ["fatalities"]))
            evidence[event.local_id] = cited
            if rng.random() < 0.5:
                sentences.insert(rng.randint(1, len(sentences)), fill(rng.choice(BACKGROUND), {}))
            paragraphs.append(sentences)
        for _ in range(rng.randint(2, 4)):
            paragraphs.insert(rng.randint(1, len(paragraphs)),
                              [fill(s, {}) for s in rng.sample(BACKGROUND, rng.randint(1, 3))])
        if rng.random() < 0.4:
            paragraphs.insert(rng.randint(1, len(paragraphs)), [fill(rng.choice(QUOTES), {})])
        return paragraphs

    # -- annotation file --------------------------------------------------------------------

    def _annotation(self, doc: PlannedDocument, page: Page,
                    evidence: dict[str, list[Cited]]) -> str:
        rng = Random(f"{self.seed}/{doc.index}/annotation")
        events = []
        for event in doc.events:
            events.append(self._event_record(rng, doc, event, page, evidence[event.local_id]))
        data = {"source": doc.doc_id, "source_sha256": "", "codebook_version": self.vocab.version,
                "coders": list(doc.coders), "status": doc.status, "events": events}
        return emit_yaml(data, header=SCHEMA_COMMENT)

    def _event_record(self, rng: Random, doc: PlannedDocument, event: PlannedEvent, page: Page,
                      cited: list[Cited]) -> dict[str, Any]:
        record: dict[str, Any] = {"id": event.local_id, "decision": event.decision}
        if event.decision == "rejected":
            record["reason"] = NEGATIVES[event.scenario]
        if event.rule:
            key = hashlib.sha256(f"{doc.doc_id}/{event.local_id}/{event.rule}".encode()
                                 ).hexdigest()[:16]
            record["origin"] = {"rules": [event.rule], "key": key,
                                "confidence": event.confidence}
        else:
            record["origin"] = "manual"
        record["event_date"] = event.event_date.isoformat()
        record["time_precision"] = event.time_precision
        scenario = SCENARIO_BY_KEY.get(event.scenario)
        if scenario is not None:
            record["event_type"] = scenario.event_type
            record["sub_event_type"] = scenario.sub_event_type
            record["actor1"] = event.actor1
            if event.assoc_actor_1:
                record["assoc_actor_1"] = list(event.assoc_actor_1)
            if event.actor2:
                record["actor2"] = event.actor2
        record["location"] = event.place.location
        record["geo_precision"] = event.geo_precision
        record["fatalities"] = event.casualties.total
        if scenario is not None and scenario.civilian_targeting:
            record["civilian_targeting"] = True
        items = []
        for sentence, fields in cited:
            number = page.number_of(sentence)
            item: dict[str, Any] = {"sentence": f"{doc.doc_id}#s{number}"}
            quote = _quote(rng, sentence, fields)
            if quote:
                item["quote"] = quote
            item["fields"] = fields
            items.append(item)
        record["evidence"] = items
        if event.same_as:
            record["same_as"] = list(event.same_as)
        if event.rule and scenario is not None:
            record["suggested"] = self._traces(doc, event, page, cited)
        return record

    def _traces(self, doc: PlannedDocument, event: PlannedEvent, page: Page,
                cited: list[Cited]) -> dict[str, Any]:
        """What the rule proposed, field by field, with document offsets of the evidence."""
        main, last = cited[0][0], cited[-1][0]
        traces: dict[str, Any] = {}

        def trace(name: str, value: Any, sentence: Sentence, slot: str) -> None:
            span = sentence.slots.get(slot)
            entry: dict[str, Any] = {"value": value,
                                     "sentence": f"{doc.doc_id}#s{page.number_of(sentence)}"}
            if span is not None:
                base = page.offset_of(sentence)
                entry["start"], entry["end"] = base + span[0], base + span[1]
            entry["rule"] = event.rule
            traces[name] = entry

        trace("event_date", event.event_date.isoformat(), main, "date")
        trace("actor1", event.actor1, main, "a1")
        trace("location", event.place.location, main, "place")
        trace("fatalities", event.suggested_fatalities, last, "fat")
        return traces


_QUOTED_SLOTS = frozenset({"a1", "a2", "date", "place", "fat", "ally", "n"})


def _quote(rng: Random, sentence: Sentence, fields: list[str]) -> str | None:
    roll = rng.random()
    if roll < 0.2:
        return None
    spans = [span for name, span in sentence.slots.items() if name in _QUOTED_SLOTS]
    if roll < 0.6 and spans:
        return sentence.text[min(a for a, _ in spans):max(b for _, b in spans)]
    return sentence.text.rstrip(".")


class Page:
    """Lines of sentences; knows each sentence's number and offset once laid out."""

    def __init__(self) -> None:
        self.lines: list[list[Sentence]] = []
        self.spans: list[tuple[int, int]] = []
        self._numbers: dict[int, int] = {}
        self._offsets: dict[int, int] = {}

    def line(self, sentences: Sequence[Sentence | str]) -> None:
        self.lines.append([s if isinstance(s, Sentence) else Sentence(s) for s in sentences])

    def text(self) -> str:
        parts: list[str] = []
        position = 0
        for number, line in enumerate(self.lines):
            if number:
                parts.append("\n\n")
                position += 2
            for k, sentence in enumerate(line):
                if k:
                    parts.append(" ")
                    position += 1
                self.spans.append((position, position + len(sentence.text)))
                self._numbers[id(sentence)] = len(self.spans)
                self._offsets[id(sentence)] = position
                parts.append(sentence.text)
                position += len(sentence.text)
        parts.append("\n")
        return "".join(parts)

    def number_of(self, sentence: Sentence) -> int:
        return self._numbers[id(sentence)]

    def offset_of(self, sentence: Sentence) -> int:
        return self._offsets[id(sentence)]


@dataclass
class RenderedDocument:
    plan: PlannedDocument
    text: str
    title: str
    spans: list[tuple[int, int]]
    cited: set[int]  # numbers of the sentences the annotation file cites
    annotation: str  # with an empty source_sha256, filled in once the text is hashed


# -- A small, safe YAML emitter ---------------------------------------------------------------

_PLAIN = re.compile(r"[A-Za-zÀ-ÿ][\w .,'’()/+-]*", re.UNICODE)
_RESERVED = re.compile(r"(?i:y|n|yes|no|on|off|true|false|null|~)")


def yaml_scalar(value: Any) -> str:
    """A scalar as YAML; strings are plain only when every YAML loader reads them back as
    the same string, otherwise double-quoted (JSON string syntax is valid YAML)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value)
    if (_PLAIN.fullmatch(text) and not _RESERVED.fullmatch(text) and not text.endswith(" ")
            and " #" not in text):
        return text
    return json.dumps(text, ensure_ascii=False)


def _emit(value: Any, indent: int, out: list[str]) -> None:
    pad = " " * indent
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, dict | list) and item:
                out.append(f"{pad}{key}:")
                _emit(item, indent + 2, out)
            else:
                out.append(f"{pad}{key}: {'[]' if item == [] else yaml_scalar(item)}")
        return
    for item in value:
        if isinstance(item, dict) and item:
            lines: list[str] = []
            _emit(item, indent + 2, lines)
            out.append(f"{pad}- {lines[0][indent + 2:]}")
            out.extend(lines[1:])
        else:
            out.append(f"{pad}- {yaml_scalar(item)}")


def emit_yaml(data: dict[str, Any], *, header: str = "") -> str:
    """Block-style YAML for plain data (dicts, lists, scalars), in the given key order."""
    out: list[str] = [header] if header else []
    _emit(data, 0, out)
    return "\n".join(out) + "\n"


# -- The whole corpus ------------------------------------------------------------------------


@dataclass
class Summary:
    out: str
    documents: int
    accepted_events: int
    all_events: int
    text_bytes: int
    annotation_bytes: int
    seed: int
    verified_documents: int
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


_WORKER: Renderer | None = None  # set before the worker processes fork

Row = tuple[dict[str, Any], int, int, int, int]  # registry entry, accepted, events, bytes...


def _render_batch(args: tuple[str, list[PlannedDocument], list[int]]) -> list[Row]:
    """Render, write and (for the listed indices) verify documents; return registry rows."""
    out, docs, verify = args
    assert _WORKER is not None
    root = Path(out)
    rows = []
    for doc in docs:
        rendered = _WORKER.render(doc)
        data = rendered.text.encode("utf-8")
        digest = hashlib.sha256(data).hexdigest()
        (root / "seeds" / f"{doc.doc_id}.txt").write_bytes(data)
        annotation = rendered.annotation.replace('source_sha256: ""', f"source_sha256: {digest}",
                                                 1)
        (root / "annotations" / f"{doc.doc_id}.yaml").write_text(annotation, encoding="utf-8")
        if doc.index in verify:
            check_segmentation(rendered)
        accepted = sum(e.decision == "accepted" for e in doc.events)
        events = len(doc.events)
        meta = {
            "id": doc.doc_id, "file": f"{doc.doc_id}.txt", "sha256": digest, "language": "fr",
            "outlet": doc.outlet, "title": rendered.title,
            "url": f"https://{_slug(doc.outlet)}.example/{doc.published:%Y/%m}/{doc.doc_id}",
            "published": doc.published.isoformat(), "published_precision":
                doc.published_precision,
            "published_note": "Synthetic page (benchmarks/generate.py).",
            "source_scale": doc.source_scale, "country": doc.country,
        }
        rows.append((meta, accepted, events, len(data), len(annotation.encode("utf-8"))))
    return rows


def _slug(text: str) -> str:
    return re.sub(r"[^a-z]+", "-", text.lower().replace("é", "e").replace("'", "")).strip("-")


class SegmentationMismatch(Exception):
    pass


def check_segmentation(rendered: RenderedDocument) -> None:
    """The real segmenter must find exactly the sentences the generator laid out, and every
    cited sentence must be article body (story 0)."""
    found = segment(rendered.plan.doc_id, rendered.text)
    spans = [(s.start, s.end) for s in found]
    if spans != rendered.spans:
        first = next((i for i, (a, b) in enumerate(zip(spans, rendered.spans, strict=False))
                      if a != b), min(len(spans), len(rendered.spans)))
        got = found[first].text if first < len(found) else "<end>"
        want = (rendered.text[slice(*rendered.spans[first])] if first < len(rendered.spans)
                else "<end>")
        raise SegmentationMismatch(f"{rendered.plan.doc_id}: sentence {first + 1} is {got!r}, "
                                   f"the generator laid out {want!r}")
    for number in sorted(rendered.cited):
        sentence = found[number - 1]
        if sentence.kind != "body" or sentence.story != 0:
            raise SegmentationMismatch(f"{rendered.plan.doc_id}: cited sentence {number} is "
                                       f"{sentence.kind} (story {sentence.story}): "
                                       f"{sentence.text!r}")


def registry_yaml(entries: Sequence[dict[str, Any]], *, canonical: bool = False) -> str:
    """``seeds/sources.yaml`` for ``entries``, validated by the ``SourceRegistry`` model.

    ``canonical`` writes it with :func:`sahelevents.yamlio.dump_yaml` exactly as
    ``Registry.save`` does; the default writes the same data with :func:`emit_yaml`, ~25x
    faster (dump_yaml needs ~0.7 ms per document: over a minute for 100,000). A test checks
    that both load back to the same registry.
    """
    registry = SourceRegistry(documents=[SourceDocument.model_validate(e) for e in entries])
    payload = registry.model_dump(mode="json", exclude_defaults=False)
    if canonical:
        return dump_yaml(payload, header=REGISTRY_HEADER)
    return emit_yaml(payload, header=REGISTRY_HEADER.rstrip("\n"))


def plan_corpus(vocabulary: Vocabulary, seed: int, documents: int) -> Iterator[PlannedDocument]:
    planner = Planner(vocabulary, seed)
    for index in range(documents):
        yield planner.plan(index)


def _batches(items: Iterable[PlannedDocument], size: int) -> Iterator[list[PlannedDocument]]:
    batch: list[PlannedDocument] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def verify_indices(documents: int, verify: str) -> set[int]:
    """Which documents to segment for real: "all", "none", or a count spread evenly."""
    if verify == "all":
        return set(range(documents))
    count = min(int(verify), documents)
    if count <= 0:
        return set()
    step = documents / count
    return {int(i * step) for i in range(count)}


def generate(out: Path, documents: int, *, seed: int = 7, jobs: int = 1,
             verify: str = "25", source: Path = REPO, progress: bool = False) -> Summary:
    """Write a complete synthetic project of ``documents`` articles to ``out``."""
    started = time.perf_counter()
    if out.exists():
        shutil.rmtree(out)
    for folder in ("codebook", "schema"):
        shutil.copytree(source / folder, out / folder)
    (out / "seeds").mkdir(parents=True)
    (out / "annotations").mkdir()
    (out / "README.md").write_text(
        f"Synthetic benchmark corpus: {documents} documents, seed {seed}.\n"
        "Generated by benchmarks/generate.py; not real news. Do not commit.\n", encoding="utf-8")
    global _WORKER
    vocabulary = Vocabulary(Workspace(Project(out)))
    _WORKER = Renderer(vocabulary, seed)
    checked = verify_indices(documents, verify)
    rows: list[Row] = []
    tasks = ((str(out), batch, sorted(d.index for d in batch if d.index in checked))
             for batch in _batches(plan_corpus(vocabulary, seed, documents), 200))
    if jobs <= 1:
        for task in tasks:
            rows.extend(_render_batch(task))
            _report(progress, len(rows), documents)
    else:
        context = multiprocessing.get_context("fork")
        with context.Pool(jobs) as pool:
            for batch_rows in pool.imap(_render_batch, tasks):
                rows.extend(batch_rows)
                _report(progress, len(rows), documents)
    (out / "seeds" / "sources.yaml").write_text(registry_yaml([r[0] for r in rows]),
                                               encoding="utf-8")
    summary = Summary(
        out=str(out), documents=documents, accepted_events=sum(r[1] for r in rows),
        all_events=sum(r[2] for r in rows), text_bytes=sum(r[3] for r in rows),
        annotation_bytes=sum(r[4] for r in rows), seed=seed, verified_documents=len(checked),
        seconds=round(time.perf_counter() - started, 2))
    (out / "corpus.json").write_text(json.dumps(summary.to_dict(), indent=2) + "\n",
                                     encoding="utf-8")
    return summary


def _report(enabled: bool, done: int, total: int) -> None:
    if enabled:
        print(f"\r{done:,}/{total:,} documents", end="", file=sys.stderr, flush=True)
        if done == total:
            print(file=sys.stderr)


def parse_size(text: str) -> int:
    """"10000", "10k", "1m" -> an integer."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*", text)
    if not match:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (examples: 1000, 10k, 1m)")
    factor = {"": 1, "k": 1000, "m": 1_000_000}[match.group(2).lower()]
    return int(float(match.group(1)) * factor)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    size = parser.add_mutually_exclusive_group(required=True)
    size.add_argument("--docs", type=parse_size, help="number of documents (1000, 10k, 100k)")
    size.add_argument("--events", type=parse_size,
                      help=f"number of accepted events wanted (documents = events / "
                      f"{MEAN_ACCEPTED_EVENTS})")
    parser.add_argument("--out", type=Path, required=True, help="project folder to (re)create")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--jobs", type=int, default=max(1, multiprocessing.cpu_count()))
    parser.add_argument("--verify", default="25",
                        help="documents checked with the real segmenter: a count, 'all' or 0")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    documents = args.docs if args.docs is not None else round(args.events / MEAN_ACCEPTED_EVENTS)
    try:
        summary = generate(args.out, documents, seed=args.seed, jobs=args.jobs,
                           verify=args.verify, progress=not args.quiet and sys.stderr.isatty())
    except SegmentationMismatch as exc:
        print(f"error: the generator and the segmenter disagree: {exc}", file=sys.stderr)
        return 1
    if not args.quiet:
        print(json.dumps(summary.to_dict(), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
