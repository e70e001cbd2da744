"""`evaluate` on a constructed set of reviewed suggestions, against figures worked out by hand.

Document A
  e1  air-strike, proposed Explosions, accepted as is except actor2 added  -> TP Explosions
  e2  vac-attack + battle-attack, proposed Battles, rejected              -> FP Battles
  e3  manual Violence against civilians, accepted                         -> miss VAC
  e4  protest-peaceful, still suggested                                   -> pending, ignored
Document B
  e5  vac-attack, proposed VAC, accepted but retyped Battles              -> FP VAC, miss Battles
  e6  battle-clash, proposed Battles, accepted, date and place corrected  -> TP Battles
A coder's double-coding copy (annotations/coders/...) is not evaluated.

Expected: Explosions P 1 R 1 F1 1; Battles TP 1 FP 1 miss 1 -> 0.5 / 0.5 / 0.5; VAC TP 0 FP 1
miss 1 -> 0 / 0 / 0; overall TP 2 FP 2 miss 2 -> 0.5 / 0.5 / 0.5. On the two matched events
(e1, e6): date 1/2, place 1/2, actors 1/2, fatalities 2/2. Rules: air-strike 1/1,
battle-clash 1/1, battle-attack 0/1, vac-attack 0/2.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from sahelevents.cli import cli
from sahelevents.evaluate import EvaluationReport, evaluate_files, render_text

SHA = "a" * 64
HEADER = "source: {doc}\nsource_sha256: " + SHA + "\ncodebook_version: 1.0.0\ncoders: [ada]\n" \
    "status: coded\nevents:\n"


def _trace(value: object, sentence: str | None = None) -> str:
    where = f", sentence: '{sentence}', start: 0, end: 4" if sentence else ""
    return f"{{value: {json.dumps(value)}{where}, rule: r}}"


def _event(local_id: str, decision: str, rules: list[str] | None, *, doc: str, sentence: int,
           event_type: str, proposed_type: str | None = None, date: str = "2024-05-01",
           proposed_date: str | None = None, location: str | None = "Boni",
           proposed_location: str | None = "Boni", actor1: str = "A", actor2: str | None = None,
           proposed_actor2: str | None = None, fatalities: int = 0) -> str:
    sid = f"{doc}#s{sentence}"
    lines = [f"  - id: {local_id}", f"    decision: {decision}"]
    if decision == "rejected":
        lines.append("    reason: not an event")
    if rules is None:
        lines.append("    origin: manual")
    else:
        key = hashlib.sha256(f"{doc}/{local_id}".encode()).hexdigest()[:16]
        lines.append(f"    origin: {{rules: {json.dumps(rules)}, key: '{key}', confidence: 0.7}}")
    lines += [f"    event_date: '{date}'", f"    event_type: {event_type}",
              f"    actor1: {actor1}", f"    fatalities: {fatalities}"]
    if location:
        lines.append(f"    location: {location}")
    if actor2:
        lines.append(f"    actor2: {actor2}")
    lines.append(f"    evidence: [{{sentence: '{sid}'}}]")
    if rules is not None:
        lines += ["    suggested:",
                  f"      event_type: {_trace(proposed_type or event_type, sid)}",
                  f"      event_date: {_trace(proposed_date or date, sid)}",
                  f"      actor1: {_trace('A')}",
                  f"      fatalities: {_trace(fatalities)}"]
        if proposed_location:
            lines.append(f"      location: {_trace(proposed_location)}")
        if proposed_actor2:
            lines.append(f"      actor2: {_trace(proposed_actor2)}")
    return "\n".join(lines) + "\n"


@pytest.fixture()
def annotations(tmp_path: Path) -> Path:
    folder = tmp_path / "annotations"
    (folder / "coders" / "bea").mkdir(parents=True)
    explosions, battles, vac = ("Explosions/Remote violence", "Battles",
                                "Violence against civilians")
    doc_a = HEADER.format(doc="doc-a") + "".join([
        _event("e1", "accepted", ["air-strike"], doc="doc-a", sentence=1,
               event_type=explosions, actor2="B"),
        _event("e2", "rejected", ["vac-attack", "battle-attack"], doc="doc-a", sentence=2,
               event_type=battles),
        _event("e3", "accepted", None, doc="doc-a", sentence=3, event_type=vac),
        _event("e4", "suggested", ["protest-peaceful"], doc="doc-a", sentence=4,
               event_type="Protests"),
    ])
    doc_b = HEADER.format(doc="doc-b") + "".join([
        _event("e5", "accepted", ["vac-attack"], doc="doc-b", sentence=1, event_type=battles,
               proposed_type=vac),
        _event("e6", "accepted", ["battle-clash"], doc="doc-b", sentence=2, event_type=battles,
               date="2024-05-02", proposed_date="2024-05-01", location="Gao",
               proposed_location=None),
    ])
    (folder / "doc-a.yaml").write_text(doc_a, encoding="utf-8")
    (folder / "doc-b.yaml").write_text(doc_b, encoding="utf-8")
    copy = HEADER.format(doc="doc-a") + _event(
        "e9", "rejected", ["air-strike"], doc="doc-a", sentence=1, event_type=explosions)
    (folder / "coders" / "bea" / "doc-a.yaml").write_text(copy, encoding="utf-8")
    return folder


def _report(folder: Path) -> EvaluationReport:
    return evaluate_files(sorted(p for p in folder.glob("*.yaml")))


def test_counts_and_scores_by_event_type(annotations: Path) -> None:
    report = _report(annotations)
    assert (report.files, report.suggestions, report.accepted, report.rejected,
            report.pending, report.manual) == (2, 5, 3, 1, 1, 1)
    figures = {name: (s.true_positives, s.false_positives, s.misses, s.precision, s.recall,
                      s.f1) for name, s in report.by_type.items()}
    assert figures == {
        "Explosions/Remote violence": (1, 0, 0, 1.0, 1.0, 1.0),
        "Battles": (1, 1, 1, 0.5, 0.5, 0.5),
        "Violence against civilians": (0, 1, 1, 0.0, 0.0, 0.0),
    }
    overall = report.overall
    assert (overall.true_positives, overall.false_positives, overall.misses,
            overall.precision, overall.recall, overall.f1) == (2, 2, 2, 0.5, 0.5, 0.5)


def test_field_accuracy_on_matched_events(annotations: Path) -> None:
    fields = {name: (s.correct, s.total) for name, s in _report(annotations).fields.items()}
    assert fields == {"date": (1, 2), "place": (1, 2), "geo precision": (2, 2),
                      "sub-event type": (2, 2), "actors": (1, 2), "fatalities": (2, 2)}


def test_precision_of_each_rule(annotations: Path) -> None:
    rules = {name: (s.true_positives, s.false_positives, s.precision)
             for name, s in _report(annotations).rules.items()}
    assert rules == {"air-strike": (1, 0, 1.0), "battle-clash": (1, 0, 1.0),
                     "battle-attack": (0, 1, 0.0), "vac-attack": (0, 2, 0.0)}


def test_a_rejected_suggestion_never_matches_even_with_a_manual_twin(tmp_path: Path) -> None:
    doc = HEADER.format(doc="doc-c") + "".join([
        _event("r1", "rejected", ["battle-clash"], doc="doc-c", sentence=1,
               event_type="Battles"),
        _event("m1", "accepted", None, doc="doc-c", sentence=1, event_type="Battles"),
    ])
    (tmp_path / "doc-c.yaml").write_text(doc, encoding="utf-8")
    score = evaluate_files([tmp_path / "doc-c.yaml"]).by_type["Battles"]
    assert (score.true_positives, score.false_positives, score.misses) == (0, 1, 1)


def test_unreadable_file_is_reported_not_fatal(annotations: Path) -> None:
    (annotations / "zz-broken.yaml").write_text("events: [\n", encoding="utf-8")
    report = _report(annotations)
    assert report.files == 2
    assert [(i.file.endswith("zz-broken.yaml"), i.code) for i in report.issues] == [
        (True, "Y001")]
    assert "skipped" in render_text(report)


def test_cli_json_and_text(annotations: Path) -> None:
    runner = CliRunner()
    root = str(annotations.parent)
    (annotations.parent / "codebook").mkdir()
    (annotations.parent / "codebook" / "codebook.yaml").touch()  # marks the project root
    result = runner.invoke(cli, ["--root", root, "evaluate", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["overall"]["f1"] == 0.5
    assert data["suggestions"] == {"total": 5, "accepted": 3, "rejected": 1, "pending": 1}
    assert [r["rule"] for r in data["rules"]] == ["air-strike", "battle-attack",
                                                  "battle-clash", "vac-attack"]
    result = runner.invoke(cli, ["--root", root, "evaluate"])
    assert result.exit_code == 0
    assert "Battles" in result.output and "vac-attack" in result.output
