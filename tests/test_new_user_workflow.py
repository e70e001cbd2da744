"""Issue 6's acceptance: a sixth article (tests/data/article_douentza.txt, written for this
test) goes from registration to a release by the steps of docs/coding-guide.md only."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from click.testing import CliRunner

import sahelevents
from sahelevents.cli import cli

ARTICLE = Path(__file__).resolve().parent / "data" / "article_douentza.txt"


@pytest.fixture()
def project(tmp_path: Path, root: Path) -> Path:
    for folder in ("codebook", "schema", "seeds", "annotations", "releases"):
        shutil.copytree(root / folder, tmp_path / folder)
    return tmp_path


def run(project: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--root", str(project), *args])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result.output


def review(path: Path) -> None:
    """What the coder does in the editor: check each suggestion, accept it, rewrite notes."""
    text = path.read_text(encoding="utf-8")
    assert text.count("decision: suggested") == 3
    text = text.replace("status: draft", "status: reviewed")
    text = text.replace("decision: suggested", "decision: accepted")
    lines = []
    skipping = False
    for line in text.splitlines():
        # the draft notes from the rules are replaced by the coder's own
        if line.startswith("    notes:"):
            lines.append("    notes: Coded from the article of 10 March 2025.")
            skipping = True
            continue
        if skipping and line.startswith("      ") and not line.lstrip().startswith("-"):
            continue
        skipping = False
        lines.append(line)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_a_new_article_goes_from_registration_to_a_release(project: Path) -> None:
    run(project, "sources", "add", str(ARTICLE), "--published", "2025-03-10",
        "--published-note", "Stated: 'Publié lundi 10 mars 2025 à 09:15'", "--country", "MLI",
        "--title", "Mali : Une embuscade meurtrière contre l’armée près de Douentza")
    sentences = run(project, "sentences", "article_douentza")
    assert "article_douentza#s4" in sentences and "teaser" in sentences
    run(project, "suggest", "article_douentza", "--coder", "mariam")
    annotation = project / "annotations" / "article_douentza.yaml"
    suggested = annotation.read_text(encoding="utf-8")
    # the three events of the article, and nothing for the floods teaser
    assert "sub_event_type: Armed clash" in suggested
    assert "actor1: 'JNIM: Group for Support of Islam and Muslims'" in suggested
    assert "fatalities: 12" in suggested
    assert "sub_event_type: Abduction/forced disappearance" in suggested
    assert "sub_event_type: Peaceful protest" in suggested and "event_date: '2025-03-06'" in (
        suggested)
    assert "Mopti" not in suggested
    review(annotation)
    run(project, "validate")
    run(project, "release", "0.2.0")
    folder = project / "releases" / "0.2.0"
    frame = sahelevents.load_release(folder)
    assert sorted(frame["event_id_cnty"].to_list()) == ["MLI1", "MLI2", "MLI3", "MLI4"]
    assert len(pd.read_csv(folder / "events.csv")) == 4
    assert duckdb.sql(f"select count(*) from read_parquet('{folder}/events.parquet')"
                      ).fetchall() == [(4,)]
    changelog = (folder / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "MLI2" in changelog and "MLI1" not in changelog.split("Added")[1].split("\n\n")[1]
    for line in (folder / "events.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        for evidence in record["evidence"]:
            source = (project / "seeds" / f"{evidence['doc']}.txt").read_text(encoding="utf-8")
            assert source[evidence["start"]:evidence["end"]] == evidence["quote"]
