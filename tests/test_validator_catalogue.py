"""The issue catalogue is complete: every validator code is exercised and explained."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from validator_project import CASES_DIR, cases

from sahelevents.cli import cli
from sahelevents.issues import ALIASES, CATALOGUE
from sahelevents.reporters import explain, explain_list

VALIDATOR_STAGES = {"yaml", "schema", "codebook", "provenance", "cross"}
VALIDATOR_CODES = sorted(c.code for c in CATALOGUE.values() if c.stage in VALIDATOR_STAGES)


def test_every_validator_code_is_exercised_by_a_case() -> None:
    exercised = {code for files in cases().values() for f in files for _, _, code in f.expected}
    missing = [code for code in VALIDATOR_CODES if code not in exercised]
    assert not missing, f"no case in tests/validator_cases/ expects {missing}"


def test_case_names_start_with_a_real_code_or_valid() -> None:
    for entry in CASES_DIR.iterdir():
        if entry.name == "README.md":
            continue
        head = entry.name.split("_")[0]
        assert head == "valid" or head in CATALOGUE, f"{entry.name}: unknown code {head}"


def test_a_case_named_after_a_code_expects_it() -> None:
    for name, files in cases().items():
        head = name.split("_")[0]
        if head in CATALOGUE:
            codes = {code for f in files for _, _, code in f.expected}
            assert head in codes, f"{name} is named after {head} but does not expect it"


def test_codes_and_slugs_are_unique_and_well_formed() -> None:
    slugs = [c.slug for c in CATALOGUE.values()]
    assert len(slugs) == len(set(slugs))
    for code, entry in CATALOGUE.items():
        assert code == entry.code
        assert re.fullmatch(r"[A-Z]\d{3}", code)
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", entry.slug)
    assert not set(ALIASES) & set(CATALOGUE), "an alias must not shadow a live code"


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_explain_documents_every_code(code: str) -> None:
    entry = CATALOGUE[code]
    text = explain(code)
    for part in (entry.code, entry.slug, entry.title, entry.stage, str(entry.severity)):
        assert part in text
    flat = " ".join(text.split())
    assert " ".join(entry.description.split()) in flat
    assert " ".join(entry.fix.split()) in flat


def test_explain_command() -> None:
    runner = CliRunner()
    shown = runner.invoke(cli, ["explain", "c003"])
    assert shown.exit_code == 0, shown.output
    assert "C003 unknown-actor" in shown.output
    listed = runner.invoke(cli, ["explain", "--list"])
    assert listed.exit_code == 0
    assert [line.split()[0] for line in listed.output.splitlines()] == list(CATALOGUE)
    assert listed.output == explain_list()
    unknown = runner.invoke(cli, ["explain", "Z999"])
    assert unknown.exit_code == 2
    assert "unknown issue code" in unknown.output
