"""Rule case files: French sentences a rule must fire on, and sentences it must leave alone.

One YAML file per rule, ``<rule-id>.yaml``, in a cases folder (``tests/rule_cases/``)::

    rule: vac-attack
    cases:
      - id: village-night-raid
        text: "Dans la nuit de samedi à dimanche, des hommes armés ont tué six villageois à ..."
        published: '2024-03-11'
        fires: true
        expect: {sub_event_type: Attack, event_date: '2024-03-09', fatalities: 6}
      - id: floods
        text: "Les inondations ont fait 12 morts à Mopti."
        fires: false

A case text is run through the whole extractor as a one-article document (a neutral title
line is added so the text is article body). ``fires: true`` passes when a suggestion lists
the rule among its origin rules and, if ``expect`` is given, one such suggestion has every
expected value. ``fires: false`` passes when no suggestion lists the rule; ``nothing: true``
also requires that no rule proposes anything at all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from sahelevents.codebook import Codebook
from sahelevents.extract.assemble import Suggestion
from sahelevents.extract.pipeline import extract
from sahelevents.extract.rules import RuleSet
from sahelevents.gazetteer import Gazetteer
from sahelevents.issues import Issue
from sahelevents.modelio import validate_model
from sahelevents.sentences import segment
from sahelevents.yamlio import load_yaml_file

__all__ = ["CaseFile", "CaseResult", "RuleCase", "load_case_files", "run_case", "run_cases"]

CASE_TITLE = "Dépêche de test"
Name = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$")]
IsoDate = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CaseExpectation(_Strict):
    """Values one suggestion of the rule must have (unset fields are not checked)."""

    event_type: str | None = None
    sub_event_type: str | None = None
    event_date: IsoDate | None = None
    time_precision: Annotated[int, Field(ge=1, le=3)] | None = None
    actor1: str | None = None
    actor2: str | None = None
    assoc_actor_1: list[str] | None = None
    location: str | None = None
    geo_precision: Annotated[int, Field(ge=1, le=3)] | None = None
    fatalities: Annotated[int, Field(ge=0)] | None = None
    civilian_targeting: bool | None = None


class RuleCase(_Strict):
    id: Name
    text: Annotated[str, StringConstraints(min_length=1)]
    published: IsoDate | None = Field(default=None, description="Publication date of the text.")
    fires: bool
    expect: CaseExpectation | None = None
    nothing: bool = Field(default=False, description="With fires: false, no rule may fire.")
    note: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> RuleCase:
        if self.expect is not None and not self.fires:
            raise ValueError("expect is only for cases that fire")
        if self.nothing and self.fires:
            raise ValueError("nothing is only for cases that do not fire")
        return self


class CaseFile(_Strict):
    rule: Name
    cases: Annotated[list[RuleCase], Field(min_length=1)]


@dataclass(frozen=True)
class LoadedCases:
    path: Path
    data: CaseFile


@dataclass
class CaseResult:
    rule: str
    case: str
    ok: bool
    problems: list[str] = field(default_factory=list)
    suggestions: list[dict[str, Any]] = field(default_factory=list)


def load_case_files(folder: Path) -> tuple[list[LoadedCases], list[Issue]]:
    """Every case file of ``folder`` (sorted), with the issues of the ones that are broken."""
    loaded_files: list[LoadedCases] = []
    issues: list[Issue] = []
    for path in sorted(folder.glob("*.yaml")):
        loaded = load_yaml_file(path)
        errors = [i for i in loaded.issues if i.severity == "error"]
        if errors or loaded.data is None:
            issues.extend(errors)
            continue
        instance, model_issues = validate_model(loaded, CaseFile)
        issues.extend(model_issues)
        if instance is None:
            continue
        if instance.rule != path.stem:
            issues.append(loaded.issue_at("S005", f"case file for rule '{instance.rule}' must be "
                                          f"named {instance.rule}.yaml", ("rule",)))
        ids = [c.id for c in instance.cases]
        for index, case_id in enumerate(ids):
            if ids.index(case_id) != index:
                issues.append(loaded.issue_at("S006", f"case id '{case_id}' is repeated",
                                              ("cases", index, "id")))
        loaded_files.append(LoadedCases(path, instance))
    return loaded_files, issues


def case_document(case: RuleCase) -> str:
    return f"{CASE_TITLE}\n\n{case.text.strip()}\n"


def run_case(rule_id: str, case: RuleCase, codebook: Codebook, gazetteer: Gazetteer,
             rules: RuleSet) -> CaseResult:
    doc_id = f"case-{rule_id}-{case.id}"
    text = case_document(case)
    published = dt.date.fromisoformat(case.published) if case.published else None
    suggestions = extract(doc_id, text, segment(doc_id, text), codebook, gazetteer, rules,
                          published, None)
    result = CaseResult(rule_id, case.id, True,
                        suggestions=[_summary(s) for s in suggestions])
    own = [s for s in suggestions if rule_id in s.rules]
    if case.fires:
        if not own:
            result.problems.append(f"rule {rule_id} did not fire")
        elif case.expect is not None:
            mismatches = [_mismatches(s, case.expect) for s in own]
            if all(mismatches):
                best = min(mismatches, key=len)
                result.problems.extend(best)
    else:
        if own:
            result.problems.append(f"rule {rule_id} fired but must not")
        if case.nothing and suggestions:
            fired = sorted({r for s in suggestions for r in s.rules})
            result.problems.append(f"{len(suggestions)} suggestion(s) from {fired} but nothing "
                                   "may fire")
    result.ok = not result.problems
    return result


def run_cases(folder: Path, codebook: Codebook, gazetteer: Gazetteer, rules: RuleSet
              ) -> tuple[list[CaseResult], list[str]]:
    """Every case of every file, and the problems of the folder itself (missing files...)."""
    files, issues = load_case_files(folder)
    problems = [f"{i.file}:{i.line}:{i.column}: {i.code} {i.message}" for i in issues]
    covered = {f.data.rule for f in files}
    for rule_id in rules.ids:
        if rule_id not in covered:
            problems.append(f"rule {rule_id} has no case file {rule_id}.yaml in {folder}")
    for loaded in files:
        if loaded.data.rule not in rules.ids:
            problems.append(f"{loaded.path.name}: no rule '{loaded.data.rule}' in the rules")
    results = [run_case(f.data.rule, case, codebook, gazetteer, rules)
               for f in files if f.data.rule in rules.ids for case in f.data.cases]
    return results, problems


def _mismatches(suggestion: Suggestion, expect: CaseExpectation) -> list[str]:
    out: list[str] = []
    for name, wanted in expect.model_dump(exclude_none=True).items():
        got = suggestion.value(name)
        if name == "assoc_actor_1":
            got = got or []
        if got != wanted:
            out.append(f"{name}: expected {wanted!r}, got {got!r}")
    return out


def _summary(suggestion: Suggestion) -> dict[str, Any]:
    keys = ("event_date", "sub_event_type", "actor1", "actor2", "location", "geo_precision",
            "fatalities")
    return {"rules": list(suggestion.rules), **{k: suggestion.value(k) for k in keys}}
