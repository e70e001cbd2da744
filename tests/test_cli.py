"""The CLI contract: every command has help, exit codes 0/1/2, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from sahelevents.cli import cli


def _subcommands(group: click.Group) -> dict[str, click.Command]:
    ctx = click.Context(group)
    return {name: group.get_command(ctx, name) for name in group.list_commands(ctx)}


def _all_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = []
    for name, command in sorted(_subcommands(group).items()):
        out.append((*prefix, name))
        if isinstance(command, click.Group):
            out.extend(_all_commands(command, (*prefix, name)))
    return out


def test_lazy_command_table_is_complete() -> None:
    """Every command a *_cmd module defines is in LAZY_COMMANDS under its own module."""
    import importlib
    import pkgutil

    import sahelevents.cli as package

    defined = {}
    for module in pkgutil.iter_modules(package.__path__):
        if module.name.endswith("_cmd"):
            loaded = importlib.import_module(f"sahelevents.cli.{module.name}")
            defined.update({c.name: module.name for c in loaded.COMMANDS})
    assert defined == package.LAZY_COMMANDS


@pytest.mark.parametrize("path", _all_commands(cli), ids=" ".join)
def test_every_command_has_help(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    command: click.Command | None = cli
    for part in path:
        assert isinstance(command, click.Group)
        command = _subcommands(command)[part]
    assert command is not None
    assert (command.help or "").strip(), f"{' '.join(path)} has no help text"


def test_every_command_is_documented_in_the_readme(root: Path) -> None:
    readme = (root / "README.md").read_text(encoding="utf-8")
    missing = [name for name in _subcommands(cli) if f"sahelevents {name}" not in readme]
    assert not missing


def test_codebook_lists_the_taxonomy(root: Path) -> None:
    result = CliRunner().invoke(cli, ["--root", str(root), "codebook"])
    assert result.exit_code == 0
    assert "6 event types, 25 sub-event types" in result.output
    assert "Remote explosive/landmine/IED" in result.output


def test_usage_errors_exit_2_and_user_errors_are_one_line(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["no-such-command"]).exit_code == 2
    result = runner.invoke(cli, ["--root", str(tmp_path), "codebook"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output and "no sahelevents project" in result.output


def test_unknown_actor_is_data_error(root: Path) -> None:
    result = CliRunner().invoke(cli, ["--root", str(root), "actor", "Zorglub"])
    assert result.exit_code == 1 and "Traceback" not in result.output


def test_python_dash_m_entry_point(root: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "sahelevents", "--version"], cwd=root,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "sahelevents" in done.stdout


@pytest.mark.parametrize(("before", "ours"), [
    ("", True),  # set before polars is loaded
    ("import os; os.environ['_RJEM_MALLOC_CONF'] = 'narenas:1'; ", False),  # the user's kept
    ("import polars; ", False),  # polars loaded, its allocator set up: ours would be too late
])
def test_the_allocator_setting_is_made_before_polars_loads_and_never_over_the_user(
        before: str, ours: bool) -> None:
    from sahelevents.cli import ALLOCATOR_SETTING

    name, value = ALLOCATOR_SETTING
    code = (f"{before}import os; from sahelevents.cli import return_freed_memory_at_once; "
            f"return_freed_memory_at_once(); import polars; print(os.environ.get({name!r}))")
    env = {k: v for k, v in os.environ.items() if k != name}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, check=True)
    # polars puts its own setting first; jemalloc takes the last value of each option.
    assert done.stdout.strip().endswith(value) is ours
    if "narenas" in before:
        assert done.stdout.strip().endswith(",narenas:1")
