"""`sahelevents validate / explain / migrate` as a user and a CI job see them."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result
from validator_project import CASES_DIR, REPO, SEED, build_project

from sahelevents.cli import cli
from sahelevents.validate import validate_paths
from sahelevents.workspace import Workspace

VALID = CASES_DIR / "valid_minimal.yaml"
INVALID = CASES_DIR / "C003_unknown_actor.yaml"
WARNING_ONLY = CASES_DIR / "C020_same_actor_both_sides.yaml"
OLD_CODEBOOK = CASES_DIR / "C016_renamed_value.yaml"

# GitHub's workflow-command grammar: ::command k=v,k=v::message, where property values have
# '%', '\r', '\n', ':' and ',' escaped and the message has '%', '\r' and '\n' escaped.
_PROPERTY = r"(?:file|line|col|endLine|endColumn|title)=(?:[^%,:\r\n]|%25|%0D|%0A|%3A|%2C)*"
GITHUB_COMMAND = re.compile(rf"::(?:error|warning|notice)(?: {_PROPERTY}(?:,{_PROPERTY})*)?"
                            r"::(?:[^%\r\n]|%25|%0D|%0A)*")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_project(tmp_path_factory.mktemp("cli"))


def _use(project: Path, *files: tuple[Path, str]) -> None:
    folder = project / "annotations"
    shutil.rmtree(folder)
    folder.mkdir()
    for source, name in files:
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, target)


def _run(project: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, ["--root", str(project), *args], env=env)


def test_valid_files_exit_0(project: Path) -> None:
    _use(project, (VALID, f"{SEED}.yaml"))
    result = _run(project, "validate", "--no-cache")
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("0 errors, 0 warnings in 1 file")


def test_invalid_files_exit_1_and_name_file_line_column(project: Path) -> None:
    _use(project, (INVALID, f"{SEED}.yaml"))
    result = _run(project, "validate")
    assert result.exit_code == 1
    assert re.search(rf"^annotations/{SEED}\.yaml:13:13: error C003 \[unknown-actor\] "
                     r"events\[0\]\.actor1: ", result.output, re.MULTILINE)
    assert "2 errors, 0 warnings in 1 file" in result.output
    assert "\033[" not in result.output  # not a terminal: no colour


def test_warnings_pass_unless_strict(project: Path) -> None:
    _use(project, (WARNING_ONLY, f"{SEED}.yaml"))
    assert _run(project, "validate").exit_code == 0
    assert _run(project, "validate", "--strict").exit_code == 1


def test_usage_errors_exit_2(project: Path) -> None:
    _use(project, (VALID, f"{SEED}.yaml"))
    missing = _run(project, "validate", str(project / "nope.yaml"))
    assert missing.exit_code == 2
    assert "no such file" in missing.output
    assert "Traceback" not in missing.output
    assert _run(project, "validate", "--format", "xml").exit_code == 2
    assert _run(project, "validate", "--jobs", "0").exit_code == 2


def test_json_output_parses(project: Path) -> None:
    _use(project, (INVALID, f"{SEED}.yaml"), (VALID, "coders/bob/" + f"{SEED}.yaml"))
    result = _run(project, "validate", "--format", "json")
    assert result.exit_code == 1
    payload = json.loads(result.output)
    assert payload["valid"] is False
    assert payload["files_checked"] == 2
    assert payload["errors"] == 2 and payload["warnings"] == 0
    first = payload["issues"][0]
    assert {first["code"], first["line"], first["path"]} == {"C003", 13, "events[0].actor1"}
    assert first["file"] == f"annotations/{SEED}.yaml"


def test_github_output_is_workflow_commands(project: Path, tmp_path: Path) -> None:
    # Messages with ':', ',', '%' and a newline-carrying value, in a file name with a comma.
    text = INVALID.read_text(encoding="utf-8").replace(
        "Unknown Militia of Nowhere", "'100% Militia, the: first'")
    odd = tmp_path / "odd, name: 1.yaml"
    odd.write_text(text, encoding="utf-8")
    _use(project, (INVALID, f"{SEED}.yaml"), (WARNING_ONLY, "coders/x/" + f"{SEED}.yaml"))
    result = _run(project, "validate", "--format", "github", str(project / "annotations"),
                  str(odd))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 5, result.stdout
    for line in lines:
        assert GITHUB_COMMAND.fullmatch(line), line
    assert any(line.startswith("::warning ") for line in lines), result.stdout
    assert any("unknown actor '100%25 Militia, the: first'" in line for line in lines)
    assert "file=" + str(odd).replace(",", "%2C").replace(":", "%3A") in result.stdout
    assert "4 errors, 1 warning in 3 files" in result.stderr


def test_no_color_and_forced_terminal(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sahelevents.cli import validate_cmd

    _use(project, (INVALID, f"{SEED}.yaml"))
    monkeypatch.setattr(validate_cmd, "_color", lambda: True)
    coloured = _run(project, "validate")
    assert "\033[1;31merror\033[0m" in coloured.output
    monkeypatch.undo()
    monkeypatch.setattr("sys.stdout.isatty", lambda: True, raising=False)
    assert validate_cmd._color() is True
    monkeypatch.setenv("NO_COLOR", "1")
    assert validate_cmd._color() is False


def test_migrate_dry_run_then_write(project: Path) -> None:
    _use(project, (OLD_CODEBOOK, f"{SEED}.yaml"))
    target = project / "annotations" / f"{SEED}.yaml"
    before = target.read_text(encoding="utf-8")
    assert _run(project, "validate").exit_code == 0  # C016 warnings only
    dry = _run(project, "migrate", "--dry-run", str(target))
    assert dry.exit_code == 0, dry.output
    assert target.read_text(encoding="utf-8") == before
    assert "-codebook_version: 0.9.0" in dry.stdout
    assert "+codebook_version: 1.0.0" in dry.stdout
    assert "+    event_type: Explosions/Remote violence  # expect: C016" in dry.stdout
    written = _run(project, "migrate", str(target))
    assert written.exit_code == 0
    after = _run(project, "validate", "--strict", "--format", "json")
    assert json.loads(after.stdout)["issues"] == []
    again = _run(project, "migrate", "--dry-run", str(target))
    assert "would change 0 files" in again.stderr


def test_migrate_refuses_a_broken_file(project: Path) -> None:
    _use(project, (CASES_DIR / "Y001_syntax_error.yaml", f"{SEED}.yaml"))
    result = _run(project, "migrate", str(project / "annotations" / f"{SEED}.yaml"))
    assert result.exit_code == 1
    assert "cannot migrate" in result.output
    assert "Traceback" not in result.output


def test_the_format_doc_embeds_the_example_file() -> None:
    doc = (REPO / "docs" / "annotation-format.md").read_text(encoding="utf-8")
    embedded = re.search(r"<!-- example: docs/examples/annotation-example.yaml -->\n```yaml\n"
                         r"(.*?)```\n<!-- /example -->", doc, re.DOTALL)
    assert embedded is not None
    example = (REPO / "docs" / "examples" / "annotation-example.yaml").read_text(
        encoding="utf-8")
    assert embedded.group(1) == example


def test_the_pre_commit_hook_runs_the_validator_on_annotation_files() -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (hook,) = hooks
    assert hook["id"] == "sahelevents-validate"
    assert hook["entry"] == "sahelevents validate"
    assert hook["language"] == "python" and hook["pass_filenames"] is True
    pattern = re.compile(hook["files"])
    assert pattern.search("annotations/002_6e87b541723d2159.yaml")
    assert pattern.search("annotations/coders/bob/002_6e87b541723d2159.yaml")
    assert not pattern.search("seeds/sources.yaml")
    assert not pattern.search("annotations/notes.md")


def test_the_repository_annotations_are_valid(ws: Workspace) -> None:
    """The project's own CI validates its annotations (tests run in CI)."""
    report = validate_paths(ws, cache=False)
    assert report.valid, "\n".join(f"{i.file}:{i.line}: {i.code} {i.message}" for i in report)
