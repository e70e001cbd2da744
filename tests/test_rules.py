"""Rule files: located errors when they are wrong, and the context-window semantics."""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import pytest

from sahelevents.extract.rules import (
    RuleFile,
    check_rules,
    load_rules,
    match_sentence,
)
from sahelevents.issues import DataError
from sahelevents.workspace import Workspace

GOOD_RULE = """\
version: 1.0.0
rules:
  - id: demo
    description: A demonstration rule.
    event_type: Violence against civilians
    sub_event_type: Attack
    priority: 16
    confidence: 0.5
    triggers: ['\\battaque\\b']
    forbids: [shared]
    default_actors: {actor2: civils}
"""
CONTEXTS = """\
version: 1.0.0
contexts:
  - name: shared
    description: A shared context.
    before: 10
    after: 0
    patterns: ['\\bpas\\s+[\\w-]+$']
"""


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    (tmp_path / "contexts.yaml").write_text(CONTEXTS, encoding="utf-8")
    (tmp_path / "demo.yaml").write_text(GOOD_RULE, encoding="utf-8")
    return tmp_path


def _issues(folder: Path, ws: Workspace) -> list[tuple[str, int, str]]:
    _, issues = check_rules(folder, ws.codebook)
    return [(Path(i.file).name, i.line, i.code) for i in issues]


def test_a_good_folder_loads_and_pickles(folder: Path, ws: Workspace) -> None:
    ruleset = load_rules(folder, ws.codebook)
    assert ruleset.ids == ["demo"]
    assert pickle.loads(pickle.dumps(ruleset)).ids == ["demo"]


@pytest.mark.parametrize(("old", "new", "line", "code"), [
    ("sub_event_type: Attack", "sub_event_type: Atack", 6, "C002"),
    ("event_type: Violence against civilians", "event_type: Battles", 6, "C002"),
    ("priority: 16", "priority: 3", 7, "S004"),
    ("triggers: ['\\battaque\\b']", "triggers: ['(attaque']", 9, "S005"),
    ("triggers: ['\\battaque\\b']", "triggers: ['Attaque']", 9, "S005"),
    ("forbids: [shared]", "forbids: [sharde]", 10, "S004"),
    ("default_actors: {actor2: civils}", "default_actors: {actor2: martiens}", 11, "C003"),
    ("confidence: 0.5", "confidance: 0.5", 8, "S002"),
])
def test_mistakes_are_located(folder: Path, ws: Workspace, old: str, new: str, line: int,
                              code: str) -> None:
    path = folder / "demo.yaml"
    path.write_text(GOOD_RULE.replace(old, new), encoding="utf-8")
    assert ("demo.yaml", line, code) in _issues(folder, ws)
    with pytest.raises(DataError, match=rf"demo.yaml:{line}:\d+: {code}"):
        load_rules(folder, ws.codebook)


def test_duplicate_rule_ids_across_files(folder: Path, ws: Workspace) -> None:
    shutil.copy(folder / "demo.yaml", folder / "demo-copy.yaml")
    assert ("demo.yaml", 3, "S004") in _issues(folder, ws)


def test_window_anchors_the_context_at_the_trigger(folder: Path, ws: Workspace) -> None:
    (rule,) = load_rules(folder, ws.codebook).rules
    hits, vetoes = match_sentence(rule, "Il n'y a pas attaque ce jour.")
    assert hits == [] and [v.reason for v in vetoes] == ["forbids shared"]
    # The negation is there, but more than 10 characters before the trigger: it fires.
    hits, _ = match_sentence(rule, "Il ne dort pas la nuit depuis l'attaque du village.")
    assert [h.text for h in hits] == ["attaque"]


def test_offsets_map_back_through_folding(folder: Path, ws: Workspace) -> None:
    (rule,) = load_rules(folder, ws.codebook).rules
    text = "Évènements   graves : l’ATTAQUE  du marché."
    (hit,) = match_sentence(rule, text)[0]
    assert text[hit.start:hit.end] == "ATTAQUE"


def test_repository_rules_load(ws: Workspace) -> None:
    ruleset = load_rules(ws.project.rules_dir, ws.codebook)
    assert len(ruleset.rules) >= 20
    assert "Paris" in ruleset.foreign_places
    assert RuleFile.model_json_schema()["additionalProperties"] is False
