"""Every rule's case file runs: one test per French sentence that must (not) fire."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from sahelevents.extract.rulecases import RuleCase, load_case_files, run_case
from sahelevents.extract.rules import RuleSet, load_rules
from sahelevents.workspace import Workspace

CASES_DIR = Path(__file__).resolve().parent / "rule_cases"
CASE_FILES, CASE_ISSUES = load_case_files(CASES_DIR)
CASES = [(f.data.rule, case) for f in CASE_FILES for case in f.data.cases]


@pytest.fixture(scope="module")
def rules(ws: Workspace) -> RuleSet:
    return load_rules(ws.project.rules_dir, ws.codebook)


def test_case_files_are_valid() -> None:
    assert not CASE_ISSUES, "\n".join(f"{i.file}:{i.line}: {i.code} {i.message}"
                                      for i in CASE_ISSUES)


def test_every_rule_has_a_case_file(rules: RuleSet) -> None:
    covered = {f.data.rule for f in CASE_FILES}
    assert sorted(set(rules.ids) - covered) == []
    assert sorted(covered - set(rules.ids)) == [], "case files for rules that do not exist"


def test_every_case_file_has_both_kinds_of_case() -> None:
    lacking = [f.data.rule for f in CASE_FILES
               if {c.fires for c in f.data.cases} != {True, False}]
    assert lacking == []


def test_at_least_twenty_cases_per_event_type_family(ws: Workspace, rules: RuleSet) -> None:
    family = {r.id: r.spec.event_type for r in rules.rules}
    counts = Counter(family[rule_id] for rule_id, _ in CASES if rule_id in family)
    assert {name: counts[name] for name in ws.codebook.event_types if counts[name] < 20} == {}


@pytest.mark.parametrize(("rule_id", "case"), CASES,
                         ids=[f"{rule_id}/{case.id}" for rule_id, case in CASES])
def test_rule_case(rule_id: str, case: RuleCase, ws: Workspace, rules: RuleSet) -> None:
    result = run_case(rule_id, case, ws.codebook, ws.gazetteer, rules)
    assert result.ok, f"{'; '.join(result.problems)}\nsuggestions: {result.suggestions}"


def test_cli_rules_test_and_list(tmp_path: Path, root: Path) -> None:
    from click.testing import CliRunner

    from sahelevents.cli import cli

    runner = CliRunner()
    result = runner.invoke(cli, ["--root", str(root), "rules", "list"])
    assert result.exit_code == 0 and "vac-attack" in result.output
    failing = tmp_path / "cases"
    failing.mkdir()
    (failing / "vac-attack.yaml").write_text(
        "rule: vac-attack\ncases:\n  - id: wrong-expectation\n    text: Le 4 mai 2024, des "
        "hommes armés ont tué deux civils à Djibo.\n    fires: false\n", encoding="utf-8")
    result = runner.invoke(cli, ["--root", str(root), "rules", "test", "--cases", str(failing)])
    assert result.exit_code == 1
    assert "FAIL vac-attack/wrong-expectation: rule vac-attack fired but must not" in (
        result.output)
    assert "has no case file" in result.output  # the other rules are not covered there
