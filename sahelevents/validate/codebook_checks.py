"""Stage 3, codebook: every coded value means what the codebook says it means.

Checked for each event that is valid on its own (see ``load_annotation``): types and their
hierarchy, actors and their names on the event date, the ACLED pairings (civilians as
victims, protesters as protest actors), the date against the source and ACLED's coverage,
time precision, and the location against the gazetteer. Rejected events are not checked:
a rejection often is precisely that a value is out of scope. Completeness (C014) is asked only
of accepted events.

An annotation file coded under an older codebook validates with C016 warnings where it uses
a name the codebook renamed since; every later check uses the new name.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field

from sahelevents.annotations import LoadedAnnotation
from sahelevents.codebook import Codebook
from sahelevents.issues import Issue
from sahelevents.models import REQUIRED_WHEN_ACCEPTED, AnnotatedEvent, NewActor, Rename
from sahelevents.textnorm import fold
from sahelevents.validate.context import COVERAGE_START, CheckContext, month_end, parse_version
from sahelevents.yamlio import YamlPath

VIOLENCE_AGAINST_CIVILIANS = "Violence against civilians"
PROTESTS = "Protests"
RIOTS = "Riots"
PEACEFUL_PROTEST = "Peaceful protest"
EXCESSIVE_FORCE = "Excessive force against protesters"
INTER_RIOTERS, INTER_PROTESTERS, INTER_CIVILIANS = 5, 6, 7
ACTOR_FIELDS = ("actor1", "assoc_actor_1", "actor2", "assoc_actor_2")


@dataclass
class EventFacts:
    """An event's values after renames, with what the codebook and gazetteer made of them."""

    index: int
    event: AnnotatedEvent
    event_type: str | None
    sub_event_type: str | None
    actor1: str | None
    actor2: str | None
    assoc_actor_1: list[str] = field(default_factory=list)
    assoc_actor_2: list[str] = field(default_factory=list)
    day: dt.date | None = None
    place_id: str | None = None
    dropped: frozenset[str] = frozenset()  # invalid fields, reported by the schema stage

    @property
    def path(self) -> YamlPath:
        return ("events", self.index)


class CodebookStage:
    """Runs the codebook checks of one annotation file."""

    def __init__(self, annotation: LoadedAnnotation, ctx: CheckContext) -> None:
        self.annotation = annotation
        self.loaded = annotation.loaded
        self.ctx = ctx
        self.codebook: Codebook = ctx.ws.codebook
        self.country = ctx.document_country(annotation.source)
        self.new_actors: dict[str, NewActor] = {a.name: a for _, a in annotation.new_actors}
        self.renames: list[Rename] = []
        self.issues: list[Issue] = []
        self.facts: list[EventFacts] = []

    def run(self) -> tuple[list[Issue], list[EventFacts]]:
        self._check_version()
        self._check_new_actors()
        for index, event in self.annotation.events:
            facts = self._renamed(index, event)
            self.facts.append(facts)
            if event.decision == "rejected":
                continue
            self._check_event(facts)
        return self.issues, self.facts

    def _issue(self, code: str, message: str, path: YamlPath, *, key: bool = False) -> None:
        self.issues.append(self.loaded.issue_at(code, message, path, key=key))

    # -- Header ------------------------------------------------------------------------------

    def _check_version(self) -> None:
        declared = self.annotation.codebook_version
        if declared is None:
            return
        if parse_version(declared) > self.ctx.current_version:
            self._issue("C017", f"codebook_version {declared} is newer than this tool's "
                        f"codebook ({self.codebook.version}); update sahelevents or the "
                        "codebook, or fix the version", ("codebook_version",))
            return
        self.renames = self.ctx.renames_since(declared)

    def _check_new_actors(self) -> None:
        for index, actor in self.annotation.new_actors:
            known = self.codebook.actor_entries.get(actor.name)
            alias = self.codebook.resolve_actor(actor.name)
            if known is not None or alias is not None:
                canonical = known.name if known is not None else alias.name if alias else ""
                self._issue("C018", f"new actor '{actor.name}' is already in the codebook as "
                            f"'{canonical}'; remove it from new_actors and use that name",
                            ("new_actors", index, "name"))

    # -- Renames -----------------------------------------------------------------------------

    def _rename(self, kind: str, value: str | None, path: YamlPath) -> str | None:
        if value is None:
            return None
        current = value
        for rename in self.renames:
            if rename.kind == kind and rename.old == current:
                self._issue("C016", f"'{current}' is called '{rename.new}' since codebook "
                            f"{rename.since}; run `sahelevents migrate "
                            f"{self.annotation.display}` to rewrite the file", path)
                current = rename.new
        return current

    def _renamed(self, index: int, event: AnnotatedEvent) -> EventFacts:
        base: YamlPath = ("events", index)
        facts = EventFacts(
            index=index, event=event,
            event_type=self._rename("event_type", event.event_type, (*base, "event_type")),
            sub_event_type=self._rename("sub_event_type", event.sub_event_type,
                                        (*base, "sub_event_type")),
            actor1=self._rename("actor", event.actor1, (*base, "actor1")),
            actor2=self._rename("actor", event.actor2, (*base, "actor2")),
            assoc_actor_1=[self._rename("actor", a, (*base, "assoc_actor_1", i)) or a
                           for i, a in enumerate(event.assoc_actor_1)],
            assoc_actor_2=[self._rename("actor", a, (*base, "assoc_actor_2", i)) or a
                           for i, a in enumerate(event.assoc_actor_2)],
        )
        facts.day = _real_date(event.event_date)
        facts.dropped = self.annotation.dropped.get(index, frozenset())
        return facts

    # -- One event ---------------------------------------------------------------------------

    def _check_event(self, facts: EventFacts) -> None:
        event = facts.event
        if event.decision == "accepted":
            missing = [name for name in REQUIRED_WHEN_ACCEPTED
                       if getattr(event, name) is None and name not in facts.dropped]
            if missing:
                self._issue("C014", f"accepted event without {', '.join(missing)}: fill "
                            f"{'it' if len(missing) == 1 else 'them'} in, or set decision: "
                            "suggested until the event is complete", facts.path)
        self._check_types(facts)
        self._check_date(facts)
        inters = self._check_actors(facts)
        self._check_pairings(facts, inters)
        self._check_location(facts)

    def _check_types(self, facts: EventFacts) -> None:
        path = facts.path
        event_type, sub = facts.event_type, facts.sub_event_type
        types = self.codebook.event_types
        if event_type is not None and event_type not in types:
            self._issue("C001", f"unknown event type '{event_type}'"
                        f"{self._hint('event_type', event_type, list(types))}",
                        (*path, "event_type"))
            event_type = None
        if sub is None:
            return
        owner = self.codebook.sub_event_types.get(sub)
        if owner is None:
            choices = ([s.name for s in types[event_type].sub_event_types] if event_type
                       else list(self.codebook.sub_event_types))
            self._issue("C002", f"unknown sub-event type '{sub}'"
                        f"{self._hint('sub_event_type', sub, choices)}",
                        (*path, "sub_event_type"))
            return
        if event_type is not None and owner[0].name != event_type:
            allowed = ", ".join(s.name for s in types[event_type].sub_event_types)
            self._issue("C002", f"'{sub}' is a sub-event type of '{owner[0].name}', not of "
                        f"'{event_type}': change event_type to '{owner[0].name}', or use one "
                        f"of: {allowed}", (*path, "sub_event_type"))
            return
        rule = owner[1].civilian_targeting
        targeted = facts.event.civilian_targeting
        if rule == "always" and not targeted:
            self._issue("C019", f"'{sub}' always targets civilians: set civilian_targeting: "
                        "true", (*path, "civilian_targeting") if "civilian_targeting"
                        in facts.event.model_fields_set else path)
        elif rule == "never" and targeted:
            self._issue("C019", f"'{sub}' never counts as civilian targeting: set "
                        "civilian_targeting: false (or code the attack on civilians as its "
                        "own event)", (*path, "civilian_targeting"))

    def _hint(self, kind: str, value: str, choices: list[str]) -> str:
        rename = self.ctx.rename_of(kind, value)
        if rename is not None:
            return f"; it was renamed '{rename.new}' in codebook {rename.since}"
        folded = {fold(c): c for c in choices}
        if fold(value) in folded:
            return f"; did you mean '{folded[fold(value)]}'? (names are case-sensitive)"
        match = difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
        if match:
            return f"; did you mean '{match[0]}'?"
        return f"; allowed: {', '.join(choices)}" if len(choices) <= 10 else ""

    def _check_date(self, facts: EventFacts) -> None:
        written = facts.event.event_date
        if written is None:
            return
        path = (*facts.path, "event_date")
        day = facts.day
        if day is None:
            self._issue("C008", f"'{written}' is not a real calendar date (check the day and "
                        "the month)", path)
            return
        if day < COVERAGE_START:
            self._issue("C010", f"{written} is before {COVERAGE_START.isoformat()}, where "
                        "ACLED coverage starts: check the year", path)
        source = self.annotation.source
        cited = [evidence.sentence for evidence in facts.event.evidence]
        bound = self.ctx.event_bound(source, cited) if source else None
        if bound is not None and day > bound[0]:
            self._issue("C009", f"{written} is after the source was {bound[1]}: check the "
                        "year, and count relative dates ('jeudi dernier') back from the "
                        "publication date", path)
        precision = facts.event.time_precision
        if precision == 3 and day.day not in (1, 15, month_end(day)):
            self._issue("C011", f"time_precision 3 (month) needs the 1st, 15th or last day of "
                        f"the month, not {written}: write {day.replace(day=15).isoformat()} "
                        "(or use precision 1 or 2 if the day or week is known)",
                        (*facts.path, "time_precision"))

    def _check_actors(self, facts: EventFacts) -> dict[str, int]:
        """Check every actor; return the inter code of actor1/actor2 when known."""
        inters: dict[str, int] = {}
        base = facts.path
        for name, path, role in (
                (facts.actor1, (*base, "actor1"), "actor1"),
                (facts.actor2, (*base, "actor2"), "actor2"),
                *(((a, (*base, "assoc_actor_1", i), "") for i, a in
                   enumerate(facts.assoc_actor_1))),
                *(((a, (*base, "assoc_actor_2", i), "") for i, a in
                   enumerate(facts.assoc_actor_2)))):
            if name is None:
                continue
            inter = self._check_actor(name, facts.day, path)
            if inter is not None and role:
                inters[role] = inter
        if facts.actor1 is not None and facts.actor1 == facts.actor2:
            self._issue("C020", f"actor1 and actor2 are both '{facts.actor1}': an actor "
                        "does not fight itself (check who was targeted)", (*base, "actor2"))
        return inters

    def _check_actor(self, name: str, day: dt.date | None, path: YamlPath) -> int | None:
        entry = self.codebook.actor_entries.get(name)
        if entry is not None:
            if day is not None and not entry.valid_on(day):
                valid = self.codebook.name_on(entry.group, day)
                if valid.name != name:
                    period = f"{entry.valid_from or '...'} to {entry.valid_to or 'today'}"
                    self._issue("C004", f"'{name}' is the name for {period}; on "
                                f"{day.isoformat()} the actor is '{valid.name}'", path)
                    return valid.inter
            return entry.inter
        declared = self.new_actors.get(name)
        if declared is not None:
            return declared.inter
        self._issue("C003", f"unknown actor '{name}'{self._actor_hint(name, day)}", path)
        return None

    def _actor_hint(self, name: str, day: dt.date | None) -> str:
        rename = self.ctx.rename_of("actor", name)
        if rename is not None:
            return f"; it was renamed '{rename.new}' in codebook {rename.since}"
        alias = self.codebook.resolve_actor(name, day, self.country)
        if alias is not None:
            return f"; did you mean '{alias.name}'? (use the canonical name, not an alias)"
        names = list(self.codebook.actor_entries)
        if day is not None:
            names = [n for n in names if self.codebook.actor_entries[n].valid_on(day)] or names
        match = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
        if match:
            return f"; did you mean '{match[0]}'?"
        return "; use a name from codebook/actors.yaml or declare it under new_actors with " \
               "its inter code"

    def _check_pairings(self, facts: EventFacts, inters: dict[str, int]) -> None:
        base = facts.path
        event = facts.event
        if facts.event_type == VIOLENCE_AGAINST_CIVILIANS:
            if facts.actor2 is None:
                if event.decision == "accepted" and "actor2" not in facts.dropped:
                    self._issue("C005", "Violence against civilians needs the civilians as "
                                "actor2 (e.g. 'Civilians (Mali)')", base)
            elif "actor2" in inters and inters["actor2"] != INTER_CIVILIANS:
                self._issue("C005", f"in Violence against civilians actor2 must be civilians "
                            f"(inter 7), not '{facts.actor2}' (inter {inters['actor2']}); "
                            "swap the actors or change the event type", (*base, "actor2"))
        if facts.event_type == PROTESTS and "actor1" in inters:
            sides = {inters["actor1"], inters.get("actor2")}
            if facts.sub_event_type == EXCESSIVE_FORCE:
                ok = INTER_PROTESTERS in sides
            else:
                ok = inters["actor1"] == INTER_PROTESTERS
            if not ok:
                self._issue("C006", f"Protests have protesters (inter 6) as actor1, not "
                            f"'{facts.actor1}': use 'Protesters (Country)', or change the "
                            "event type", (*base, "actor1"))
        if facts.event_type == RIOTS and "actor1" in inters and inters["actor1"] not in (
                INTER_RIOTERS, INTER_PROTESTERS):
            self._issue("C006", f"Riots have rioters (inter 5) or protesters (inter 6) as "
                        f"actor1, not '{facts.actor1}'", (*base, "actor1"))
        if facts.sub_event_type == PEACEFUL_PROTEST and event.fatalities:
            self._issue("C007", f"a peaceful protest has no fatalities (got "
                        f"{event.fatalities}): set 0, or code 'Excessive force against "
                        "protesters' or a riot", (*base, "fatalities"))

    def _check_location(self, facts: EventFacts) -> None:
        location = facts.event.location
        if location is None:
            return
        path = (*facts.path, "location")
        match = self.ctx.place(location, self.country)
        if match.place is None:
            hint = (f" (did you mean {', '.join(repr(s) for s in match.suggestions)}?)"
                    if match.suggestions else "")
            self._issue("C012", f"'{location}' is not in the gazetteer{hint}; fix the "
                        "spelling, qualify it ('Gao, Mali') or add the place to "
                        "codebook/places.yaml", path)
            return
        place = match.place
        facts.place_id = place.id
        country = self.codebook.countries.get(place.country)
        if match.ambiguous_countries:
            others = ", ".join(match.ambiguous_countries)
            self._issue("C013", f"'{location}' names places in several countries ({others}); "
                        f"it was read as {place.name}, {country.name if country else ''}: "
                        f"write '{place.name}, <country>' to make the choice explicit", path)
        if country is None or country.scope != "core":
            where = country.name if country else place.country
            self._issue("C015", f"'{location}' is in {where}, outside the countries this "
                        "dataset codes: events abroad are not coded (reject the event with "
                        "that reason)", path)


def _real_date(written: str | None) -> dt.date | None:
    if written is None:
        return None
    try:
        return dt.date.fromisoformat(written)
    except ValueError:
        return None


def check_codebook(annotation: LoadedAnnotation, ctx: CheckContext
                   ) -> tuple[list[Issue], list[EventFacts]]:
    return CodebookStage(annotation, ctx).run()
