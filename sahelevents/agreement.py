"""Inter-annotator agreement between independent codings of the same documents.

Layout of double coding (see ``docs/double-coding.md``)::

    annotations/<doc>.yaml                  the primary coding (its header names its coders)
    annotations/coders/<coder>/<doc>.yaml   another coder's independent coding of <doc>

A document is double-coded when two or more of these files exist for it. The primary counts
as the coding of the coder(s) its header lists, unless every one of them also has a file under
``coders/``: then the primary is the adjudicated result of those codings (``sahelevents
adjudicate --write`` leaves it that way), and counting it would compare the merge with its own
inputs. So the figures of a document are the same before and after adjudication.

How events are aligned (:func:`align`). Two events of different coders *may* be the same
event when they come from the same suggestion (same ``origin.key``), cite at least one common
evidence sentence, or (neither being rejected) have the same date, place and event type. A
possible pair scores::

    8 * same suggestion key + 4 * Jaccard(evidence sentences)
      + same event_date + same location + same event_type

(maximum 15) and pairs are taken greedily, best score first, one-to-one; ties go to the
events that come first in their files. Greedy is exact in the usual case (each coder's events
of one article cite different sentences) and needs no solver; with three or more coders the
codings are added one by one (primary first, then coder folders by name), each event joining
the group whose best member it matches best. Rejected events align only through their
suggestion key: a rejection is a decision about a suggestion, not a claim about an event.

What is measured:

* **events found** - between each pair of coders, on accepted events: matched events, events
  only one found, precision and recall (the first coder as reference) and F1;
* **fields** - Krippendorff's alpha per field over the aligned accepted events, with the
  ``krippendorff`` package: nominal for event_type, sub_event_type, time_precision,
  geo_precision, actor1, actor2, location and event_date, interval for fatalities;
* **decisions** - Cohen's kappa between each pair of coders on accept/reject decisions of the
  same suggestions (same ``origin.key``, decided by both);
* a **confusion matrix** of event types per pair (with a "(no event)" row and column for
  events only one coder found), and **per-coder counts**.

Degenerate cases are decided, not left to a division by zero: when every pairable value of a
field is the same (no variation), alpha is 1.0 - every coder agreed on every aligned event,
although Krippendorff calls alpha undefined there (the ``krippendorff`` package raises); the
report flags it (``note``). With no aligned event, alpha is ``None`` ("n/a"). Cohen's kappa
uses the same convention when both coders made one and the same decision on every item.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

from sahelevents.annotations import CODERS_DIR, primary_path
from sahelevents.issues import DataError, Issue, UserError
from sahelevents.modelio import validate_model
from sahelevents.models import AnnotatedEvent, AnnotationFile, RuleOrigin
from sahelevents.textnorm import fold
from sahelevents.workspace import Workspace
from sahelevents.yamlio import load_yaml_file

#: Nominal fields compared with Krippendorff's alpha, in report order.
NOMINAL_FIELDS: tuple[str, ...] = (
    "event_type", "sub_event_type", "event_date", "time_precision", "actor1", "actor2",
    "location", "geo_precision",
)
#: Fields compared on an interval scale. Interval rather than ratio: the ratio metric makes
#: 0 vs 1 death as large a disagreement as 0 vs 100, and small counts are the common case.
INTERVAL_FIELDS: tuple[str, ...] = ("fatalities",)
#: Fields where "none" is itself a coding decision (no second actor), not a missing value.
NONE_IS_A_VALUE: frozenset[str] = frozenset({"actor2"})
NO_VALUE = "(none)"
NO_EVENT = "(no event)"

Level = Literal["nominal", "interval"]

LEVELS: tuple[tuple[Level, tuple[str, ...]], ...] = (("nominal", NOMINAL_FIELDS),
                                                    ("interval", INTERVAL_FIELDS))

KEY_WEIGHT = 8.0
EVIDENCE_WEIGHT = 4.0


# -- Codings ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Coding:
    """One coder's (or one team's) annotation file of one document."""

    doc: str
    coder: str
    path: Path
    display: str
    data: AnnotationFile
    is_primary: bool

    @property
    def names(self) -> list[str]:
        """The coder names this coding stands for (a primary may list several)."""
        return list(self.data.coders) if self.is_primary else [self.coder]


def coder_files(ws: Workspace, doc: str) -> dict[str, Path]:
    """Coder name -> ``annotations/coders/<coder>/<doc>.yaml``, for the coders who have one."""
    folder = ws.project.annotations_dir / CODERS_DIR
    if not folder.is_dir():
        return {}
    return {path.parent.name: path for path in sorted(folder.glob(f"*/{doc}.yaml"))
            if path.is_file()}


def load_coding(ws: Workspace, path: Path, *, doc: str, coder: str | None,
                is_primary: bool) -> Coding:
    """Read one annotation file at the YAML and schema stages, or raise :class:`DataError`."""
    display = ws.project.relative(path)
    loaded = load_yaml_file(path, display)
    issues: list[Issue] = [i for i in loaded.issues if i.severity == "error"]
    model = None
    if loaded.data is not None and not issues:
        model, issues = validate_model(loaded, AnnotationFile, doc=doc)
    if model is None or issues:
        raise DataError.from_issues(issues, f"{display}: cannot load", limit=3,
                                    hint=" (run `sahelevents validate` on it)")
    if model.source != doc:
        raise DataError(f"{display}: source is {model.source!r} but the file name says {doc!r}")
    label = "+".join(model.coders) if is_primary else str(coder)
    return Coding(doc, label, path, display, model, is_primary)


def codings(ws: Workspace, doc: str) -> tuple[list[Coding], Coding | None]:
    """The independent codings of ``doc`` (primary first, then coders by name) and, when
    the primary is an adjudicated file rather than a coding, that primary apart."""
    own = coder_files(ws, doc)
    found: list[Coding] = []
    adjudicated: Coding | None = None
    path = primary_path(ws, doc)
    if path.is_file():
        primary = load_coding(ws, path, doc=doc, coder=None, is_primary=True)
        if all(name in own for name in primary.data.coders):
            adjudicated = primary
        else:
            found.append(primary)
    for coder, coder_path in own.items():
        coding = load_coding(ws, coder_path, doc=doc, coder=coder, is_primary=False)
        if any(coding.coder == other.coder for other in found):
            raise DataError(f"{coding.display}: coder {coding.coder!r} also codes "
                            f"{found[0].display}; one coder, one coding per document")
        found.append(coding)
    return found, adjudicated


def double_coded_documents(ws: Workspace) -> list[str]:
    """Documents with a file under ``annotations/coders/`` (the candidates to compare)."""
    folder = ws.project.annotations_dir / CODERS_DIR
    if not folder.is_dir():
        return []
    return sorted({path.stem for path in folder.glob("*/*.yaml") if path.is_file()})


_DOC_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")


def doc_id_of(argument: str) -> str:
    """Accept ``DOC`` or a path to one of its annotation files."""
    doc = Path(argument).stem if argument.endswith((".yaml", ".yml")) else argument
    if not _DOC_ID.fullmatch(doc):
        raise UserError(f"{argument!r} is not a document id (letters, digits, _ . -)")
    return doc


# -- Alignment --------------------------------------------------------------------------------


def _key(event: AnnotatedEvent) -> str | None:
    return event.origin.key if isinstance(event.origin, RuleOrigin) else None


def comparable(field_name: str, value: Any) -> Any:
    """The form in which two coders' values are compared: places ignore case and accents,
    lists ignore order."""
    if value is None:
        return None
    if field_name == "location" and isinstance(value, str):
        return fold(value)
    if isinstance(value, list):
        return tuple(sorted(str(v) for v in value))
    return value


def _same(field_name: str, a: AnnotatedEvent, b: AnnotatedEvent) -> bool:
    va, vb = getattr(a, field_name), getattr(b, field_name)
    return va is not None and comparable(field_name, va) == comparable(field_name, vb)


def match_score(a: AnnotatedEvent, b: AnnotatedEvent) -> float:
    """How surely ``a`` and ``b`` are the same event; 0 when they cannot be (module doc)."""
    same_key = _key(a) is not None and _key(a) == _key(b)
    sentences_a = {e.sentence for e in a.evidence}
    sentences_b = {e.sentence for e in b.evidence}
    union = sentences_a | sentences_b
    overlap = len(sentences_a & sentences_b) / len(union) if union else 0.0
    same_date, same_place, same_type = (_same("event_date", a, b), _same("location", a, b),
                                        _same("event_type", a, b))
    rejected = "rejected" in (a.decision, b.decision)
    if not same_key and (rejected or not (overlap > 0 or (same_date and same_place
                                                            and same_type))):
        return 0.0
    return (KEY_WEIGHT * same_key + EVIDENCE_WEIGHT * overlap + same_date + same_place
            + same_type)


@dataclass
class Unit:
    """Events of different coders aligned as one event: coder -> (index in file, event)."""

    doc: str
    events: dict[str, tuple[int, AnnotatedEvent]] = field(default_factory=dict)

    def ref(self, coder: str) -> str:
        return f"{self.doc}#{self.events[coder][1].id}"


def align(doc: str, coded: Sequence[tuple[str, Sequence[tuple[int, AnnotatedEvent]]]]
          ) -> list[Unit]:
    """Group the events of several coders one-to-one (greedy, best score first).

    ``coded`` lists (coder, [(index, event)]) in coding order; units come out in that order.
    """
    units: list[Unit] = []
    for coder, events in coded:
        candidates: list[tuple[float, int, int]] = []
        for u, unit in enumerate(units):
            for position, (_, event) in enumerate(events):
                score = max(match_score(member, event) for _, member in unit.events.values())
                if score > 0:
                    candidates.append((-score, u, position))
        taken_units: set[int] = set()
        taken_events: set[int] = set()
        for _, u, position in sorted(candidates):
            if u in taken_units or position in taken_events:
                continue
            units[u].events[coder] = events[position]
            taken_units.add(u)
            taken_events.add(position)
        for position, item in enumerate(events):
            if position not in taken_events:
                units.append(Unit(doc, {coder: item}))
    return units


def accepted_events(coding: Coding) -> list[tuple[int, AnnotatedEvent]]:
    return [(i, e) for i, e in enumerate(coding.data.events) if e.decision == "accepted"]


def all_events(coding: Coding) -> list[tuple[int, AnnotatedEvent]]:
    return list(enumerate(coding.data.events))


# -- Statistics -------------------------------------------------------------------------------


def cohen_kappa(pairs: Sequence[tuple[str, str]]) -> float | None:
    """Cohen's kappa of two raters' labels, ``(p_o - p_e) / (1 - p_e)``, computed exactly.

    Written out rather than imported: the maintained implementations live in scikit-learn
    and statsmodels, far too heavy a dependency for one formula. Returns None for no items,
    and 1.0 when both raters gave one and the same label to every item (p_e = 1: kappa is
    0/0; the raters agreed on everything, as with alpha's no-variation case).
    """
    n = len(pairs)
    if n == 0:
        return None
    first = Counter(a for a, _ in pairs)
    second = Counter(b for _, b in pairs)
    observed = Fraction(sum(a == b for a, b in pairs), n)
    expected = sum((Fraction(first[label], n) * Fraction(second[label], n)
                    for label in first.keys() | second.keys()), Fraction(0))
    if expected == 1:
        return 1.0
    return float((observed - expected) / (1 - expected))


@dataclass(frozen=True)
class FieldAgreement:
    field: str
    level: Level
    alpha: float | None
    units: int  # aligned events with a value from at least two coders
    agreeing: int  # of which every coder gave the same value
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "level": self.level, "alpha": self.alpha,
                "units": self.units, "agreeing_units": self.agreeing, "note": self.note}


def krippendorff_alpha(table: Sequence[Sequence[Any]], level: Level, field_name: str = ""
                       ) -> FieldAgreement:
    """Alpha over a coders x units table of values (None = missing).

    Nominal values are mapped to integer codes first (the package wants numbers or a fixed
    domain); units with fewer than two values cannot be paired and are dropped first, so the
    no-variation test looks only at values that are compared.
    """
    columns = [list(column) for column in zip(*table, strict=True)] if table else []
    pairable = [column for column in columns if sum(v is not None for v in column) >= 2]
    agreeing = sum(len({repr(v) for v in column if v is not None}) == 1 for column in pairable)
    if not pairable:
        return FieldAgreement(field_name, level, None, 0, 0, "no aligned event coded by two "
                              "coders")
    distinct = sorted({repr(v) for column in pairable for v in column if v is not None})
    if len(distinct) == 1:
        return FieldAgreement(field_name, level, 1.0, len(pairable), agreeing,
                              "no variation (taken as 1.0)")
    # numpy and krippendorff load in ~0.5 s: imported here so the CLI starts fast
    import krippendorff
    import numpy as np

    if level == "nominal":
        codes = {value: float(index) for index, value in enumerate(distinct)}
        rows = [[np.nan if v is None else codes[repr(v)] for v in row]
                for row in zip(*pairable, strict=True)]
    else:
        rows = [[np.nan if v is None else float(v) for v in row]
                for row in zip(*pairable, strict=True)]
    value = float(krippendorff.alpha(reliability_data=np.array(rows, dtype=float),
                                     level_of_measurement=level))
    return FieldAgreement(field_name, level, value, len(pairable), agreeing)


def f1_score(matched: int, first: int, second: int) -> tuple[float | None, float | None,
                                                             float | None]:
    """(precision, recall, F1) of ``second`` against ``first`` as reference."""
    precision = matched / second if second else None
    recall = matched / first if first else None
    f1 = 2 * matched / (first + second) if first + second else None
    return precision, recall, f1


# -- The report -------------------------------------------------------------------------------


@dataclass
class CoderCounts:
    documents: int = 0
    events: int = 0
    accepted: int = 0
    rejected: int = 0
    suggested: int = 0

    def add(self, coding: Coding) -> None:
        self.documents += 1
        for event in coding.data.events:
            self.events += 1
            setattr(self, event.decision, getattr(self, event.decision) + 1)


@dataclass
class PairEvents:
    coders: tuple[str, str]
    matched: int = 0
    only_first: int = 0
    only_second: int = 0

    @property
    def scores(self) -> tuple[float | None, float | None, float | None]:
        return f1_score(self.matched, self.matched + self.only_first,
                        self.matched + self.only_second)

    def to_dict(self) -> dict[str, Any]:
        precision, recall, f1 = self.scores
        return {"coders": list(self.coders), "matched": self.matched,
                "only_first": self.only_first, "only_second": self.only_second,
                "precision": precision, "recall": recall, "f1": f1}


@dataclass
class PairDecisions:
    coders: tuple[str, str]
    pairs: list[tuple[str, str]] = field(default_factory=list)
    undecided: int = 0  # shared suggestions that one of the two left "suggested"

    @property
    def kappa(self) -> float | None:
        return cohen_kappa(self.pairs)

    def to_dict(self) -> dict[str, Any]:
        table = Counter(f"{a}/{b}" for a, b in self.pairs)
        return {"coders": list(self.coders), "items": len(self.pairs),
                "agreeing": sum(a == b for a, b in self.pairs), "undecided": self.undecided,
                "kappa": self.kappa, "table": dict(sorted(table.items()))}


@dataclass
class Confusion:
    coders: tuple[str, str]
    cells: Counter[tuple[str, str]] = field(default_factory=Counter)

    @property
    def labels(self) -> list[str]:
        names = {name for pair in self.cells for name in pair} - {NO_EVENT}
        return [*sorted(names), NO_EVENT]

    def matrix(self) -> list[list[int]]:
        return [[self.cells[(row, column)] for column in self.labels] for row in self.labels]

    def to_dict(self) -> dict[str, Any]:
        return {"coders": list(self.coders), "rows": self.coders[0], "columns": self.coders[1],
                "labels": self.labels, "matrix": self.matrix()}


@dataclass
class Disagreement:
    """One aligned event on which coders differ, or an event not every coder found."""

    doc: str
    events: dict[str, str]  # coder -> local event id
    missing: dict[str, str]  # coder who did not accept it -> what they did instead
    fields: dict[str, dict[str, Any]]  # field -> coder -> value

    def to_dict(self) -> dict[str, Any]:
        return {"doc": self.doc, "events": self.events, "missing": self.missing,
                "fields": self.fields}


@dataclass
class AgreementReport:
    documents: list[str]
    codings: list[Coding]
    coders: list[str]
    counts: dict[str, CoderCounts]
    events: list[PairEvents]
    fields: list[FieldAgreement]
    decisions: list[PairDecisions]
    confusion: list[Confusion]
    disagreements: list[Disagreement]

    def field(self, name: str) -> FieldAgreement:
        return next(f for f in self.fields if f.field == name)

    def pair(self, first: str, second: str) -> PairEvents:
        return next(p for p in self.events if p.coders == (first, second))

    def decisions_of(self, first: str, second: str) -> PairDecisions:
        return next(p for p in self.decisions if p.coders == (first, second))

    def to_dict(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "coders": self.coders,
            "codings": [{"doc": c.doc, "coder": c.coder, "file": c.display,
                         "primary": c.is_primary} for c in self.codings],
            "counts": {coder: vars(counts) for coder, counts in self.counts.items()},
            "events": [p.to_dict() for p in self.events],
            "fields": [f.to_dict() for f in self.fields],
            "decisions": [p.to_dict() for p in self.decisions],
            "event_types": [c.to_dict() for c in self.confusion],
            "disagreements": [d.to_dict() for d in self.disagreements],
        }


def _field_value(event: AnnotatedEvent, name: str) -> Any:
    value = getattr(event, name)
    if value is None and name in NONE_IS_A_VALUE:
        return NO_VALUE
    return comparable(name, value)


def _shown(event: AnnotatedEvent, name: str) -> Any:
    value = getattr(event, name)
    return NO_VALUE if value is None else value


def agreement(ws: Workspace, docs: Iterable[str] | None = None) -> AgreementReport:
    """Compare the codings of ``docs`` (default: every double-coded document)."""
    named = [doc_id_of(d) for d in docs] if docs is not None else []
    per_doc: dict[str, list[Coding]] = {}
    for doc in dict.fromkeys(named or double_coded_documents(ws)):
        found, _ = codings(ws, doc)
        if len(found) >= 2:
            per_doc[doc] = found
        elif named:  # asked for by name: say why it cannot be compared
            shown = ", ".join(c.display for c in found) or "no annotation file"
            raise UserError(f"{doc} is not double-coded ({shown}); a second coder's file goes "
                            f"in annotations/{CODERS_DIR}/<coder>/{doc}.yaml")
    if not per_doc:  # by default, documents with one coding so far are passed over
        raise UserError("no double-coded document: put a second coder's file in "
                        f"annotations/{CODERS_DIR}/<coder>/<doc>.yaml")
    coders = list(dict.fromkeys(c.coder for found in per_doc.values() for c in found))
    counts = {coder: CoderCounts() for coder in coders}
    pairs = list(itertools.combinations(coders, 2))
    events = {pair: PairEvents(pair) for pair in pairs}
    decisions = {pair: PairDecisions(pair) for pair in pairs}
    confusion = {pair: Confusion(pair) for pair in pairs}
    columns: list[dict[str, AnnotatedEvent]] = []
    disagreements: list[Disagreement] = []
    met: set[tuple[str, str]] = set()
    for doc, found in per_doc.items():
        for coding in found:
            counts[coding.coder].add(coding)
        met.update(p if p in events else (p[1], p[0])
                   for p in itertools.combinations([c.coder for c in found], 2))
        units = align(doc, [(c.coder, accepted_events(c)) for c in found])
        present = [c.coder for c in found]
        for unit in units:
            by_coder = {coder: event for coder, (_, event) in unit.events.items()}
            columns.append(by_coder)
            for pair in itertools.combinations(present, 2):
                a, b = pair if pair in events else pair[::-1]
                _count_pair(events[(a, b)], confusion[(a, b)], by_coder.get(a),
                            by_coder.get(b))
            disagreement = _disagreement(unit, found)
            if disagreement is not None:
                disagreements.append(disagreement)
        _count_decisions(found, decisions)
    fields = [krippendorff_alpha([[_field_value(col[c], name) if c in col else None
                                   for col in columns] for c in coders], level, name)
              for level, names in LEVELS for name in names]
    used = [pair for pair in pairs if pair in met]
    return AgreementReport(
        documents=list(per_doc), codings=[c for found in per_doc.values() for c in found],
        coders=coders, counts=counts, events=[events[p] for p in used], fields=fields,
        decisions=[decisions[p] for p in used], confusion=[confusion[p] for p in used],
        disagreements=disagreements)


def _count_pair(pair: PairEvents, matrix: Confusion, a: AnnotatedEvent | None,
                b: AnnotatedEvent | None) -> None:
    if a is not None and b is not None:
        pair.matched += 1
    elif a is not None:
        pair.only_first += 1
    elif b is not None:
        pair.only_second += 1
    else:
        return
    matrix.cells[(_type_label(a), _type_label(b))] += 1


def _type_label(event: AnnotatedEvent | None) -> str:
    if event is None:
        return NO_EVENT
    return event.event_type or NO_VALUE


def _disagreement(unit: Unit, found: list[Coding]) -> Disagreement | None:
    missing = {coding.coder: _instead(coding, unit) for coding in found
               if coding.coder not in unit.events}
    differing: dict[str, dict[str, Any]] = {}
    for name in (*NOMINAL_FIELDS, *INTERVAL_FIELDS):
        values = {coder: _field_value(event, name) for coder, (_, event) in unit.events.items()}
        if len({repr(v) for v in values.values()}) > 1:
            differing[name] = {coder: _shown(event, name)
                               for coder, (_, event) in unit.events.items()}
    if not missing and not differing:
        return None
    return Disagreement(unit.doc, {coder: event.id for coder, (_, event) in unit.events.items()},
                        missing, differing)


def _instead(coding: Coding, unit: Unit) -> str:
    """What a coder who did not accept this event did with the same suggestion."""
    keys = {_key(event) for _, event in unit.events.values()} - {None}
    for event in coding.data.events:
        if _key(event) in keys:
            if event.decision == "rejected":
                return f"rejected {event.id}: {event.reason or '(no reason)'}"
            return f"left {event.id} {event.decision}"
    return "no such event"


def _count_decisions(found: list[Coding], decisions: dict[tuple[str, str], PairDecisions]
                     ) -> None:
    by_key: list[dict[str, str]] = []
    for coding in found:
        keyed: dict[str, str] = {}
        for event in coding.data.events:
            key = _key(event)
            if key is not None:
                keyed.setdefault(key, event.decision)
        by_key.append(keyed)
    for (i, first), (j, second) in itertools.combinations(enumerate(found), 2):
        pair = (first.coder, second.coder)
        swapped = pair not in decisions
        target = decisions[pair[::-1] if swapped else pair]
        for key in sorted(by_key[i].keys() & by_key[j].keys()):
            a, b = by_key[i][key], by_key[j][key]
            if swapped:
                a, b = b, a
            if "suggested" in (a, b):
                target.undecided += 1
            else:
                target.pairs.append((a, b))


# -- Text rendering ---------------------------------------------------------------------------


def _figure(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]], indent: str = "  ") -> list[str]:
    cells = [[str(c) for c in header], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = []
    for row in cells:
        first = row[0].ljust(widths[0])
        rest = [cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)]
        lines.append((indent + "  ".join([first, *rest])).rstrip())
    return lines


def render_text(report: AgreementReport) -> str:
    """The report for a person at a terminal (``sahelevents agreement``)."""
    out: list[str] = []
    docs = len(report.documents)
    out.append(f"Agreement on {docs} double-coded document{'s' if docs != 1 else ''}, "
               f"{len(report.coders)} coders: {', '.join(report.coders)}")
    for coding in report.codings:
        role = "primary" if coding.is_primary else "coder file"
        out.append(f"  {coding.coder:<12} {coding.display}  ({role})")
    out += ["", "Per coder (all events in their files)"]
    out += _table(["coder", "documents", "events", "accepted", "rejected", "suggested"],
                  [[coder, c.documents, c.events, c.accepted, c.rejected, c.suggested]
                   for coder, c in report.counts.items()])
    out += ["", "Events found (accepted events; precision and recall take coder A as the "
            "reference)"]
    rows = []
    for pair in report.events:
        precision, recall, f1 = pair.scores
        rows.append([f"{pair.coders[0]} (A) ~ {pair.coders[1]} (B)", pair.matched,
                     pair.only_first, pair.only_second, _figure(precision), _figure(recall),
                     _figure(f1)])
    out += _table(["coders", "both", "only A", "only B", "precision", "recall", "F1"], rows)
    out += ["", "Field agreement on aligned events (Krippendorff's alpha)"]
    out += _table(["field", "level", "alpha", "units", "agreeing", ""],
                  [[f.field, f.level, _figure(f.alpha), f.units, f.agreeing,
                    f"  {f.note}" if f.note else ""] for f in report.fields])
    out += ["", "Accept/reject decisions on the same suggestions (Cohen's kappa)"]
    out += _table(["coders", "items", "agreeing", "undecided", "kappa"],
                  [[" ~ ".join(p.coders), len(p.pairs), sum(a == b for a, b in p.pairs),
                    p.undecided, _figure(p.kappa)] for p in report.decisions])
    for matrix in report.confusion:
        out += ["", f"Event types (rows {matrix.coders[0]}, columns {matrix.coders[1]})"]
        labels = matrix.labels
        short = [str(i + 1) for i in range(len(labels))]
        out += _table(["", *short], [[f"{i + 1} {label}", *row] for i, (label, row)
                                     in enumerate(zip(labels, matrix.matrix(), strict=True))])
    out += ["", "To adjudicate (aligned events that differ, events not every coder accepted)"
            if report.disagreements else "Nothing to adjudicate: the coders agree"]
    for item in report.disagreements:
        out.append(f"  {item.doc}: " + " ~ ".join(f"{coder} {event_id}" for coder, event_id
                                                   in item.events.items()))
        for coder, instead in item.missing.items():
            out.append(f"    {coder}: {instead}")
        for name, values in item.fields.items():
            shown = " | ".join(f"{coder}: {value}" for coder, value in values.items())
            out.append(f"    {name}: {shown}")
    return "\n".join(out) + "\n"


__all__ = [
    "AgreementReport", "Coding", "FieldAgreement", "agreement", "align", "codings",
    "cohen_kappa", "krippendorff_alpha", "match_score", "render_text",
]
