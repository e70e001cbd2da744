"""Double coding: agreement figures against hand computations, and adjudication round trips.

The constructed disagreements use a synthetic document id (agreement needs only files that
pass the schema); the adjudication and documentation tests use the worked example of
``docs/examples/double-coding/`` on seed 002, in a temporary copy of the project.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sahelevents.adjudicate import merge, pending_marks, write_adjudication
from sahelevents.agreement import (
    NO_EVENT,
    agreement,
    align,
    cohen_kappa,
    krippendorff_alpha,
    match_score,
    render_text,
)
from sahelevents.cli import cli
from sahelevents.issues import UserError
from sahelevents.modelio import validate_model
from sahelevents.models import AnnotatedEvent, AnnotationFile
from sahelevents.project import Project
from sahelevents.validate import validate_paths
from sahelevents.workspace import Workspace
from sahelevents.yamlio import dump_yaml, load_yaml, roundtrip_yaml

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "docs" / "examples" / "double-coding"
GUIDE = REPO / "docs" / "double-coding.md"
SEED = "002_6e87b541723d2159"
DOC = "t001"
SHA = "0" * 64


# -- helpers ----------------------------------------------------------------------------------


def _project(tmp_path: Path, *, example: bool = False) -> Workspace:
    for name in ("codebook", "seeds"):
        shutil.copytree(REPO / name, tmp_path / name)
    if example:
        shutil.copytree(EXAMPLE / "annotations", tmp_path / "annotations")
    else:
        (tmp_path / "annotations").mkdir()
    return Workspace(Project(tmp_path))


def _write(ws: Workspace, coder: str | None, events: list[dict[str, Any]], *,
           coders: list[str] | None = None, doc: str = DOC) -> Path:
    folder = ws.project.annotations_dir
    path = folder / f"{doc}.yaml" if coder is None else folder / "coders" / coder / f"{doc}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"source": doc, "source_sha256": SHA, "codebook_version": "1.0.0",
            "coders": coders or [coder or "ann"], "status": "coded", "events": events}
    path.write_text(dump_yaml(data), encoding="utf-8")
    return path


def _event(event_id: str, sentence: int, event_type: str, fatalities: int, *,
           geo_precision: int | None = 1, actor2: str | None = "Civilians (Mali)",
           decision: str = "accepted", key: str | None = None, **more: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "id": event_id, "decision": decision, "event_date": "2023-09-07", "time_precision": 1,
        "event_type": event_type, "sub_event_type": "Attack",
        "actor1": "JNIM: Group for Support of Islam and Muslims", "actor2": actor2,
        "location": "Gao", "geo_precision": geo_precision, "fatalities": fatalities,
        "evidence": [{"sentence": f"{DOC}#s{sentence}"}], **more}
    if key is not None:
        event["origin"] = {"rules": ["test.rule"], "key": key, "confidence": 0.5}
    if decision == "rejected":
        event["reason"] = "not an event"
    return event


def _model(data: dict[str, Any]) -> AnnotatedEvent:
    return AnnotatedEvent.model_validate(data)


# -- statistics by hand -----------------------------------------------------------------------


def test_cohen_kappa_of_a_two_by_two_table() -> None:
    # A\B        accepted rejected
    # accepted       4        1        A: 5 accepted, 5 rejected
    # rejected       2        3        B: 6 accepted, 4 rejected
    # p_o = (4 + 3) / 10 = 0.7; p_e = 0.5 * 0.6 + 0.5 * 0.4 = 0.5
    # kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4
    table = ([("accepted", "accepted")] * 4 + [("accepted", "rejected")]
             + [("rejected", "accepted")] * 2 + [("rejected", "rejected")] * 3)
    assert cohen_kappa(table) == pytest.approx(0.4)
    # total disagreement on balanced labels: p_o = 0, p_e = 0.5 -> kappa = -1
    assert cohen_kappa([("accepted", "rejected"), ("rejected", "accepted")]) == -1.0


def test_cohen_kappa_degenerate_cases() -> None:
    assert cohen_kappa([]) is None
    # p_e = 1 (one label everywhere, both raters): 0/0, taken as perfect agreement
    assert cohen_kappa([("rejected", "rejected")] * 3) == 1.0
    # one rater always accepts, the other not always: p_o = 2/3, p_e = 2/3 -> kappa 0
    pairs = [("accepted", "accepted")] * 2 + [("accepted", "rejected")]
    assert cohen_kappa(pairs) == pytest.approx(0.0)


def test_krippendorff_alpha_degenerate_cases() -> None:
    same = krippendorff_alpha([["a", "a"], ["a", "a"]], "nominal", "x")
    assert same.alpha == 1.0 and same.units == 2 and "no variation" in same.note
    # one value per unit: nothing can be paired
    lonely = krippendorff_alpha([["a", None], [None, "b"]], "nominal", "x")
    assert lonely.alpha is None and lonely.units == 0
    # the only pairable unit agrees; the other values are unpaired: no variation, 1.0
    assert krippendorff_alpha([[1, 7], [1, None]], "interval", "x").alpha == 1.0


# -- the constructed set of disagreements -----------------------------------------------------


@pytest.fixture()
def disagreeing(tmp_path: Path) -> Workspace:
    """Coder A (primary, 'ann') and coder B ('bob'): four aligned events, 1 + 2 unmatched."""
    ws = _project(tmp_path)
    _write(ws, None, [
        _event("a1", 1, "Battles", 10),
        _event("a2", 2, "Battles", 0),
        _event("a3", 3, "Violence against civilians", 5, geo_precision=None),
        _event("a4", 4, "Explosions/Remote violence", 3, geo_precision=3),
        _event("a5", 5, "Protests", 0),
    ])
    _write(ws, "bob", [
        _event("b1", 1, "Battles", 12),
        _event("b2", 2, "Violence against civilians", 0, geo_precision=2),
        _event("b3", 3, "Violence against civilians", 5, geo_precision=2),
        _event("b4", 4, "Explosions/Remote violence", 1, geo_precision=3, actor2=None),
        _event("b6", 6, "Riots", 0),
        _event("b7", 7, "Battles", 2),
    ])
    return ws


def test_event_level_precision_recall_f1_by_hand(disagreeing: Workspace) -> None:
    report = agreement(disagreeing)
    pair = report.pair("ann", "bob")
    # matched 4 (s1-s4); only A: a5; only B: b6, b7. |A| = 5, |B| = 6
    # precision = 4/6, recall = 4/5, F1 = 2 * 4 / (5 + 6) = 8/11
    assert (pair.matched, pair.only_first, pair.only_second) == (4, 1, 2)
    precision, recall, f1 = pair.scores
    assert precision == pytest.approx(4 / 6)
    assert recall == pytest.approx(4 / 5)
    assert f1 == pytest.approx(8 / 11)


def test_alpha_nominal_by_hand_from_the_coincidence_matrix(disagreeing: Workspace) -> None:
    # event_type on the 4 aligned units (B = Battles, V = Violence, E = Explosions):
    #   u1 B/B, u2 B/V, u3 V/V, u4 E/E. Each unit has 2 values: each ordered pair adds
    #   1/(2-1) = 1 to the coincidence matrix: o_BB = 2, o_BV = o_VB = 1, o_VV = 2, o_EE = 2
    #   n_B = 3, n_V = 3, n_E = 2, n = 8
    #   alpha = 1 - (n - 1) * sum(o off the diagonal) / sum(n_c * n_k, c != k)
    #         = 1 - 7 * 2 / (2 * (3*3 + 3*2 + 3*2)) = 1 - 14/42 = 2/3
    event_type = agreement(disagreeing).field("event_type")
    assert event_type.alpha == pytest.approx(2 / 3)
    assert (event_type.units, event_type.agreeing) == (4, 3)


def test_alpha_nominal_with_a_missing_value_by_hand(disagreeing: Workspace) -> None:
    # geo_precision: u1 1/1, u2 1/2, u3 missing/2 (not pairable, dropped), u4 3/3
    #   o_11 = 2, o_12 = o_21 = 1, o_33 = 2; n_1 = 3, n_2 = 1, n_3 = 2, n = 6
    #   alpha = 1 - 5 * 2 / (2 * (3*1 + 3*2 + 1*2)) = 1 - 10/22 = 6/11
    geo = agreement(disagreeing).field("geo_precision")
    assert geo.alpha == pytest.approx(6 / 11)
    assert geo.units == 3


def test_alpha_interval_for_fatalities_by_hand(disagreeing: Workspace) -> None:
    # fatalities: u1 10/12, u2 0/0, u3 5/5, u4 3/1; interval distance (c - k)^2
    #   observed: sum of o_ck * d^2 = 2 * (10-12)^2 + 2 * (3-1)^2 = 16
    #   expected: over all ordered pairs of the 8 pooled values,
    #     sum (x_i - x_j)^2 = 2 n sum(x^2) - 2 (sum x)^2 = 2*8*304 - 2*36^2 = 2272
    #   alpha = 1 - (n - 1) * 16 / 2272 = 1 - 112/2272 = 135/142
    fatalities = agreement(disagreeing).field("fatalities")
    assert fatalities.level == "interval"
    assert fatalities.alpha == pytest.approx(135 / 142)


def test_no_second_actor_is_a_value_not_a_missing_one(disagreeing: Workspace) -> None:
    # actor2: Civilians on u1-u3 for both; u4 Civilians / (none). Four pairable units:
    #   o_CC = 6, o_CN = o_NC = 1; n_C = 7, n_N = 1, n = 8
    #   alpha = 1 - 7 * 2 / (2 * 7 * 1) = 0
    actor2 = agreement(disagreeing).field("actor2")
    assert actor2.units == 4
    assert actor2.alpha == pytest.approx(0.0)


def test_confusion_matrix_of_event_types(disagreeing: Workspace) -> None:
    matrix = agreement(disagreeing).confusion[0]
    assert matrix.coders == ("ann", "bob")
    cells = {(row, column): count for row, counts in zip(matrix.labels, matrix.matrix(),
                                                         strict=True)
             for column, count in zip(matrix.labels, counts, strict=True) if count}
    assert cells == {
        ("Battles", "Battles"): 1,
        ("Battles", "Violence against civilians"): 1,
        ("Violence against civilians", "Violence against civilians"): 1,
        ("Explosions/Remote violence", "Explosions/Remote violence"): 1,
        ("Protests", NO_EVENT): 1,
        (NO_EVENT, "Riots"): 1,
        (NO_EVENT, "Battles"): 1,
    }
    assert matrix.labels[-1] == NO_EVENT


def test_kappa_on_decisions_of_the_same_suggestions(tmp_path: Path) -> None:
    ws = _project(tmp_path)
    # the table of test_cohen_kappa_of_a_two_by_two_table, as decisions on keyed suggestions,
    # plus one suggestion bob left undecided and one only ann has (both left out)
    plan = (["accepted/accepted"] * 4 + ["accepted/rejected"] + ["rejected/accepted"] * 2
            + ["rejected/rejected"] * 3 + ["accepted/suggested"])
    ann, bob = [], []
    for number, pair in enumerate(plan, start=1):
        first, second = pair.split("/")
        key = f"{number:012x}"
        ann.append(_event(f"e{number}", number, "Battles", 1, decision=first, key=key))
        bob.append(_event(f"e{number}", number, "Battles", 1, decision=second, key=key))
    ann.append(_event("e99", 99, "Battles", 1, decision="rejected", key="f" * 12))
    _write(ws, None, ann)
    _write(ws, "bob", bob)
    decisions = agreement(ws).decisions_of("ann", "bob")
    assert len(decisions.pairs) == 10
    assert decisions.undecided == 1
    assert decisions.kappa == pytest.approx(0.4)


# -- perfect agreement ------------------------------------------------------------------------


def _rich_coding() -> list[dict[str, Any]]:
    """Events varied in every compared field, so alpha is computed, not a no-variation 1."""
    return [
        _event("e1", 1, "Battles", 10, key="a" * 12),
        _event("e2", 2, "Violence against civilians", 0, geo_precision=2, key="b" * 12),
        _event("e3", 3, "Explosions/Remote violence", 3, geo_precision=3, actor2=None,
               time_precision=2, event_date="2023-09-10", location="Tombouctou"),
        _event("e4", 4, "Riots", 25, actor1="Rioters (Mali)", sub_event_type="Mob violence"),
        _event("e5", 5, "Battles", 0, decision="rejected", key="c" * 12),
    ]


def test_agreement_of_a_file_with_itself_is_perfect(tmp_path: Path) -> None:
    ws = _project(tmp_path)
    _write(ws, None, _rich_coding(), coders=["ann"])
    _write(ws, "bob", _rich_coding())
    report = agreement(ws)
    assert report.pair("ann", "bob").scores == (1.0, 1.0, 1.0)
    for field in report.fields:
        assert field.alpha == 1.0, field
        assert field.units == 4
    computed = [f.field for f in report.fields if not f.note]
    assert {"event_type", "fatalities", "geo_precision", "actor2"} <= set(computed)
    assert report.decisions_of("ann", "bob").kappa == 1.0
    assert not report.disagreements
    assert "Nothing to adjudicate" in render_text(report)


def test_merging_identical_codings_accepts_everything(tmp_path: Path) -> None:
    ws = _project(tmp_path)
    _write(ws, None, _rich_coding(), coders=["ann"])
    _write(ws, "bob", _rich_coding())
    result = merge(ws, DOC)
    assert result.marks == 0 and pending_marks(result.text) == []
    model, issues = validate_model(load_yaml(result.text.encode(), "m.yaml"), AnnotationFile)
    assert model is not None and not issues
    assert [e.decision for e in model.events] == ["accepted"] * 4 + ["rejected"]
    assert model.status == "coded" and model.coders == ["ann", "bob"]


# -- alignment --------------------------------------------------------------------------------


def test_alignment_prefers_the_same_suggestion_then_evidence() -> None:
    whole = _model(_event("a1", 5, "Battles", 64, key="1" * 12))
    camp = _model(_event("b1", 5, "Battles", 15, key="1" * 12))
    boat = _model(_event("b2", 5, "Violence against civilians", 49))
    assert match_score(whole, camp) > match_score(whole, boat) > 0
    units = align(DOC, [("a", [(0, whole)]), ("b", [(0, boat), (1, camp)])])
    assert [sorted((c, e.id) for c, (_, e) in u.events.items()) for u in units] == [
        [("a", "a1"), ("b", "b1")], [("b", "b2")]]


def test_alignment_without_shared_evidence_needs_date_place_and_type() -> None:
    first = _model(_event("a1", 1, "Battles", 1))
    same = _model(_event("b1", 2, "Battles", 3))
    other_place = _model(_event("b2", 2, "Battles", 3, location="Kidal"))
    assert match_score(first, same) == 3.0
    assert match_score(first, other_place) == 0.0
    # a rejection aligns only with the same suggestion
    rejected = _model(_event("b3", 1, "Battles", 1, decision="rejected", key="2" * 12))
    assert match_score(first, rejected) == 0.0


# -- the worked example and adjudication ------------------------------------------------------


@pytest.fixture()
def example(tmp_path: Path) -> Workspace:
    return _project(tmp_path, example=True)


def test_the_guide_shows_the_real_report_of_the_example(example: Workspace) -> None:
    text = GUIDE.read_text(encoding="utf-8")
    shown = re.search(r"<!-- agreement-report -->\n```text\n(.*?)```", text, re.S)
    assert shown, "docs/double-coding.md lost its agreement report block"
    assert shown.group(1) == render_text(agreement(example)), (
        "the report in docs/double-coding.md is out of date: paste the output of "
        "`sahelevents agreement` on docs/examples/double-coding")
    # the excerpt of the merged file ('...' elides) is made of lines of the real merge
    excerpt = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    merged = merge(example, SEED).text.split("\n")
    assert [line for line in excerpt.split("\n") if line and "..." not in line
            and line not in merged] == []


def test_example_figures(example: Workspace) -> None:
    report = agreement(example)
    assert report.coders == ["awa", "fatou", "ibrahim"]
    # fatou split the double attack: 1 matched, 1 event only she found -> F1 = 2/3
    assert report.pair("awa", "fatou").scores[2] == pytest.approx(2 / 3)
    assert report.pair("awa", "ibrahim").scores == (1.0, 1.0, 1.0)
    # one aligned unit with 64 / 15 / 60: any variation inside a single unit gives alpha 0
    assert report.field("fatalities").alpha == pytest.approx(0.0)
    # decisions awa/fatou on 3 suggestions: acc/acc, rej/acc, rej/rej -> p_o = 2/3,
    # p_e = 1/3 * 2/3 + 2/3 * 1/3 = 4/9 -> kappa = (2/9) / (5/9) = 0.4
    assert report.decisions_of("awa", "fatou").kappa == pytest.approx(0.4)


def _marked_fields(text: str) -> set[str]:
    return {what.split(":")[0] for _, what in pending_marks(text)}


def test_adjudication_keeps_agreement_and_marks_every_disagreement(example: Workspace) -> None:
    result = merge(example, SEED)
    model, issues = validate_model(load_yaml(result.text.encode(), "m.yaml"), AnnotationFile)
    assert model is not None and not issues
    merged = {e.id: e for e in model.events}
    whole = merged["e1"]
    assert whole.decision == "suggested"
    assert (whole.event_type, whole.sub_event_type, whole.location) == (
        "Battles", "Armed clash", "Bamba")
    assert whole.fatalities is None and whole.notes is None
    assert "fatalities:  # ADJUDICATE: awa: 64 | fatou: 15 | ibrahim: 60" in result.text
    # only fatou accepted the boat attack; the others rejected the same suggestion
    assert merged["e2"].decision == "suggested" and merged["e2"].fatalities == 49
    assert "fatou: accepted" in result.text and "awa: rejected (The claim" in result.text
    # everyone rejected e3: it stays rejected, with every reason
    assert merged["e3"].decision == "rejected" and "ibrahim: Negated" in str(
        merged["e3"].reason)
    assert _marked_fields(result.text) == {"fatalities", "notes", "decision"}
    assert model.status == "draft" and model.coders == ["awa", "fatou", "ibrahim"]
    # evidence is the union: ibrahim's quote joins awa's three
    assert len(whole.evidence) == 4
    # a comment of the base coding survives the round trip
    assert "# The two attacks of 7 September 2023 coded as one event" in result.text


def _resolve(text: str, values: dict[str, dict[str, Any]]) -> str:
    """What a reviewer does: set the values, delete the marks, decide each event."""
    rt = roundtrip_yaml()
    data = rt.load(text)
    for event in data["events"]:
        for key, value in values.get(event["id"], {}).items():
            event[key] = value
        for key in list(event):
            event.ca.items.pop(key, None)
    data["status"] = "reviewed"
    from io import StringIO

    out = StringIO()
    rt.dump(data, out)
    return out.getvalue()


def _errors(ws: Workspace, path: Path) -> list[str]:
    report = validate_paths(ws, [path], cache=False)
    return [f"{i.code} {i.yaml_path}" for i in report.errors]


def test_merged_file_validates_only_once_resolved(example: Workspace) -> None:
    result, written = write_adjudication(example, SEED)
    primary = example.project.annotations_dir / f"{SEED}.yaml"
    assert written[-1] == primary
    # unresolved, as written: valid (marked events are only suggestions) ...
    assert _errors(example, primary) == []
    # ... but accepting without resolving is refused by the validator
    hasty = _resolve(result.text, {"e1": {"decision": "accepted"}})
    primary.write_text(hasty, encoding="utf-8")
    assert _errors(example, primary) == ["C014 events[0]"]
    # resolved: ACLED splits the two places, so fatou's coding wins
    resolved = _resolve(result.text, {
        "e1": {"decision": "accepted", "fatalities": 15,
               "notes": "On 7 September 2023, JNIM attacked the army camp at Bamba."},
        "e2": {"decision": "accepted"},
    })
    primary.write_text(resolved, encoding="utf-8")
    assert _errors(example, primary) == []
    assert pending_marks(resolved) == []


def test_write_keeps_every_coding_and_the_figures(example: Workspace) -> None:
    before = agreement(example).to_dict()
    _, written = write_adjudication(example, SEED)
    kept = example.project.annotations_dir / "coders" / "awa" / f"{SEED}.yaml"
    assert written == [kept, example.project.annotations_dir / f"{SEED}.yaml"]
    assert kept.read_text(encoding="utf-8").startswith(
        "# yaml-language-server: $schema=../../../schema/annotation.schema.json\n")
    after = agreement(example).to_dict()
    for key in ("coders", "counts", "events", "fields", "decisions", "event_types"):
        assert after[key] == before[key], key
    # the adjudicated primary is not a coding any more, and is not overwritten by accident
    with pytest.raises(UserError, match="already an adjudicated file"):
        write_adjudication(example, SEED)
    write_adjudication(example, SEED, force=True)


def test_events_only_one_coder_found_keep_unique_ids(tmp_path: Path) -> None:
    ws = _project(tmp_path)
    _write(ws, None, [_event("x1", 1, "Battles", 2)])
    _write(ws, "bob", [_event("x1", 2, "Riots", 0, location="Kidal")])
    result = merge(ws, DOC)
    model, issues = validate_model(load_yaml(result.text.encode(), "m.yaml"), AnnotationFile)
    assert model is not None and not issues
    assert [(e.id, e.decision, e.event_type) for e in model.events] == [
        ("x1", "suggested", "Battles"), ("x1-2", "suggested", "Riots")]
    assert _marked_fields(result.text) == {"decision"}
    assert "decision: suggested  # ADJUDICATE: ann: accepted | bob: (no event)" in result.text


def test_a_primary_coded_by_a_team_is_not_overwritten(tmp_path: Path) -> None:
    ws = _project(tmp_path)
    _write(ws, None, _rich_coding(), coders=["ann", "cy"])
    _write(ws, "bob", _rich_coding())
    with pytest.raises(UserError, match="several coders"):
        write_adjudication(ws, DOC)
    target = tmp_path / "merged.yaml"
    write_adjudication(ws, DOC, output=target)
    assert target.is_file()


def test_a_single_coding_is_not_double_coded(tmp_path: Path) -> None:
    ws = _project(tmp_path)
    _write(ws, None, _rich_coding())
    with pytest.raises(UserError, match="not double-coded"):
        agreement(ws, [DOC])
    with pytest.raises(UserError, match="no double-coded document"):
        agreement(ws)
    # by default, a document with one coding so far is passed over, not an error
    _write(ws, "bob", _rich_coding(), doc="t002")
    _write(ws, "bob", _rich_coding())
    assert agreement(ws).documents == [DOC]


# -- command line -----------------------------------------------------------------------------


def test_cli_agreement_and_adjudicate(example: Workspace) -> None:
    root = str(example.project.root)
    runner = CliRunner()
    shown = runner.invoke(cli, ["--root", root, "agreement", "--format", "json"])
    assert shown.exit_code == 0, shown.output
    assert '"coders": [\n    "awa",' in shown.output
    printed = runner.invoke(cli, ["--root", root, "adjudicate", SEED])
    assert printed.exit_code == 0 and "# ADJUDICATE" in printed.output
    written = runner.invoke(cli, ["--root", root, "adjudicate", SEED, "--write"])
    assert written.exit_code == 0 and "3 mark(s) to resolve" in written.output
    check = runner.invoke(cli, ["--root", root, "adjudicate", f"annotations/{SEED}.yaml",
                                "--check"])
    assert check.exit_code == 1 and "fatalities: awa: 64" in check.output
    again = runner.invoke(cli, ["--root", root, "adjudicate", SEED, "--write"])
    assert again.exit_code == 2 and "Traceback" not in again.output
