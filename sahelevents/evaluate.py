"""``sahelevents evaluate``: how good were the rules' suggestions, judged by the annotators.

A *suggestion* is an event whose origin is a rule origin; it is *reviewed* once an annotator
accepted or rejected it (``suggested`` ones are pending and left out). The *gold* events are
all accepted events, whatever their origin. In each document:

* a reviewed, accepted suggestion matches an accepted event of the same event type (the
  type the rules proposed) whose evidence shares a sentence with it - usually the very event
  the annotator accepted; matches are one to one;
* a rejected suggestion, or one that matches nothing, is a false positive of the type it
  proposed; an accepted event no suggestion matched (added by hand, or whose type the
  annotator changed) is a miss of its type.

On matched pairs, the value the rules suggested (``suggested.<field>.value``) is compared
with the final value for the date, the place, the two actors and the fatalities. Each rule's
precision counts the reviewed suggestions it contributed to.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sahelevents.issues import Issue
from sahelevents.modelio import validate_model
from sahelevents.models import AnnotatedEvent, AnnotationFile, RuleOrigin
from sahelevents.workspace import Workspace
from sahelevents.yamlio import load_yaml_file

__all__ = [
    "EvaluationReport",
    "FieldScore",
    "RuleScore",
    "TypeScore",
    "evaluate_files",
    "evaluate_workspace",
    "render_text",
]

#: Field groups compared on matched events, and the event fields each group covers.
COMPARED: dict[str, tuple[str, ...]] = {
    "date": ("event_date",),
    "place": ("location",),
    "geo precision": ("geo_precision",),
    "sub-event type": ("sub_event_type",),
    "actors": ("actor1", "actor2"),
    "fatalities": ("fatalities",),
}


def _ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


@dataclass
class TypeScore:
    event_type: str
    true_positives: int = 0
    false_positives: int = 0
    misses: int = 0

    @property
    def precision(self) -> float | None:
        return _ratio(self.true_positives, self.true_positives + self.false_positives)

    @property
    def recall(self) -> float | None:
        return _ratio(self.true_positives, self.true_positives + self.misses)

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None or p + r == 0:
            return None if p is None or r is None else 0.0
        return round(2 * p * r / (p + r), 4)

    def to_dict(self) -> dict[str, Any]:
        return {"event_type": self.event_type, "true_positives": self.true_positives,
                "false_positives": self.false_positives, "misses": self.misses,
                "precision": self.precision, "recall": self.recall, "f1": self.f1}


@dataclass
class FieldScore:
    field: str
    correct: int = 0
    total: int = 0

    @property
    def accuracy(self) -> float | None:
        return _ratio(self.correct, self.total)

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "correct": self.correct, "total": self.total,
                "accuracy": self.accuracy}


@dataclass
class RuleScore:
    rule: str
    true_positives: int = 0
    false_positives: int = 0

    @property
    def precision(self) -> float | None:
        return _ratio(self.true_positives, self.true_positives + self.false_positives)

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "true_positives": self.true_positives,
                "false_positives": self.false_positives, "precision": self.precision}


@dataclass
class EvaluationReport:
    files: int = 0
    suggestions: int = 0
    accepted: int = 0
    rejected: int = 0
    pending: int = 0
    manual: int = 0
    by_type: dict[str, TypeScore] = field(default_factory=dict)
    fields: dict[str, FieldScore] = field(
        default_factory=lambda: {name: FieldScore(name) for name in COMPARED})
    rules: dict[str, RuleScore] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)

    @property
    def overall(self) -> TypeScore:
        total = TypeScore("all")
        for score in self.by_type.values():
            total.true_positives += score.true_positives
            total.false_positives += score.false_positives
            total.misses += score.misses
        return total

    def type_score(self, event_type: str) -> TypeScore:
        return self.by_type.setdefault(event_type, TypeScore(event_type))

    def rule_score(self, rule: str) -> RuleScore:
        return self.rules.setdefault(rule, RuleScore(rule))

    def to_dict(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "suggestions": {"total": self.suggestions, "accepted": self.accepted,
                            "rejected": self.rejected, "pending": self.pending},
            "manual_events": self.manual,
            "event_types": [s.to_dict() for _, s in sorted(self.by_type.items())],
            "overall": self.overall.to_dict(),
            "fields": [s.to_dict() for s in self.fields.values()],
            "rules": [s.to_dict() for _, s in sorted(self.rules.items())],
            "issues": [i.to_dict() for i in self.issues],
        }


def evaluate_workspace(ws: Workspace) -> EvaluationReport:
    """Evaluate the primary annotation files (coders' double-coding copies are left out)."""
    coders = ws.project.annotations_dir / "coders"
    paths = [p for p in ws.annotation_files() if coders not in p.parents]
    return evaluate_files(paths, display=ws.project.relative)


def evaluate_files(paths: Iterable[Path], display: Any = str) -> EvaluationReport:
    report = EvaluationReport()
    for path in paths:
        loaded = load_yaml_file(path, display(path))
        errors = [i for i in loaded.issues if i.severity == "error"]
        instance = None
        if not errors and loaded.data is not None:
            instance, errors = validate_model(loaded, AnnotationFile)
        if instance is None:
            report.issues.extend(errors[:1])  # the validator reports them all; one says why
            continue
        report.files += 1
        _evaluate_document(instance.events, report)
    return report


def _type_suggested(event: AnnotatedEvent) -> str | None:
    traced = (event.suggested or {}).get("event_type")
    if traced is not None and traced.value:
        return str(traced.value)
    return event.event_type


def _suggested_value(event: AnnotatedEvent, name: str) -> Any:
    traced = (event.suggested or {}).get(name)  # type: ignore[call-overload]
    return traced.value if traced is not None else None


def _sentences(event: AnnotatedEvent) -> set[str]:
    found = {e.sentence for e in event.evidence}
    for traced in (event.suggested or {}).values():
        if traced.sentence:
            found.add(traced.sentence)
    return found


def _evaluate_document(events: Sequence[AnnotatedEvent], report: EvaluationReport) -> None:
    suggestions = [e for e in events if isinstance(e.origin, RuleOrigin)]
    report.suggestions += len(suggestions)
    report.pending += sum(e.decision == "suggested" for e in suggestions)
    report.rejected += sum(e.decision == "rejected" for e in suggestions)
    report.accepted += sum(e.decision == "accepted" for e in suggestions)
    report.manual += sum(e.origin == "manual" and e.decision == "accepted" for e in events)
    gold = [e for e in events if e.decision == "accepted" and e.event_type]
    matched_gold: set[int] = set()
    for suggestion in suggestions:
        if suggestion.decision == "suggested":
            continue
        predicted = _type_suggested(suggestion) or "(no type)"
        partner = None
        if suggestion.decision == "accepted":
            partner = _partner(suggestion, predicted, gold, matched_gold)
        assert isinstance(suggestion.origin, RuleOrigin)
        for rule in suggestion.origin.rules:
            score = report.rule_score(rule)
            if partner is None:
                score.false_positives += 1
            else:
                score.true_positives += 1
        if partner is None:
            report.type_score(predicted).false_positives += 1
            continue
        matched_gold.add(id(partner))
        report.type_score(predicted).true_positives += 1
        _compare_fields(suggestion, partner, report)
    for event in gold:
        if id(event) not in matched_gold:
            report.type_score(str(event.event_type)).misses += 1


def _partner(suggestion: AnnotatedEvent, predicted: str, gold: Sequence[AnnotatedEvent],
             taken: set[int]) -> AnnotatedEvent | None:
    sentences = _sentences(suggestion)
    candidates = [g for g in gold if id(g) not in taken and g.event_type == predicted
                  and _sentences(g) & sentences]
    # The accepted suggestion itself first, then the event sharing the most sentences.
    candidates.sort(key=lambda g: (g is not suggestion, -len(_sentences(g) & sentences)))
    return candidates[0] if candidates else None


def _compare_fields(suggestion: AnnotatedEvent, final: AnnotatedEvent,
                    report: EvaluationReport) -> None:
    for group, names in COMPARED.items():
        proposed = tuple(_suggested_value(suggestion, name) for name in names)
        kept = tuple(getattr(final, name) for name in names)
        score = report.fields[group]
        score.total += 1
        score.correct += proposed == kept


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def render_text(report: EvaluationReport) -> str:
    """The report as a terminal table."""
    lines = [
        f"{report.files} annotation file(s); {report.suggestions} suggestion(s): "
        f"{report.accepted} accepted, {report.rejected} rejected, {report.pending} pending; "
        f"{report.manual} event(s) added by hand",
        "",
        f"{'event type':<30}{'TP':>5}{'FP':>5}{'miss':>6}{'precision':>11}{'recall':>8}"
        f"{'F1':>6}",
    ]
    for score in [*(s for _, s in sorted(report.by_type.items())), report.overall]:
        lines.append(f"{score.event_type:<30}{score.true_positives:>5}"
                     f"{score.false_positives:>5}{score.misses:>6}{_fmt(score.precision):>11}"
                     f"{_fmt(score.recall):>8}{_fmt(score.f1):>6}")
    lines += ["", "accuracy of suggested values on matched events:"]
    for field_score in report.fields.values():
        lines.append(f"  {field_score.field:<16}{field_score.correct:>4}/{field_score.total:<4}"
                     f"{_fmt(field_score.accuracy):>6}")
    lines += ["", "precision of each rule (reviewed suggestions it contributed to):"]
    if not report.rules:
        lines.append("  (no reviewed suggestion yet)")
    for _, rule in sorted(report.rules.items(), key=lambda item: (
            item[1].precision if item[1].precision is not None else 2, item[0])):
        lines.append(f"  {rule.rule:<30}{rule.true_positives:>4} correct /"
                     f"{rule.false_positives:>4} wrong  precision {_fmt(rule.precision)}")
    for problem in report.issues:
        lines.append(f"skipped {problem.file}:{problem.line}:{problem.column}: {problem.code} "
                     f"{problem.message}")
    return "\n".join(lines) + "\n"
