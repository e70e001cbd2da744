"""``validate``, ``explain`` and ``migrate``: the gate in front of the dataset."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from sahelevents.annotations import annotation_paths
from sahelevents.cli.common import ProgressBar, quiet, workspace
from sahelevents.issues import ALIASES, CATALOGUE, UserError
from sahelevents.migrate import migrate_file
from sahelevents.reporters import FORMATS, explain, explain_list, render, summary_line
from sahelevents.validate import validate_paths
from sahelevents.yamlio import MAX_BYTES


def _color() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text for people, json for programs, github for GitHub Actions annotations.")
@click.option("--no-cache", is_flag=True,
              help="Check every file again instead of reusing results of unchanged inputs "
              "(the cache folder is neither read nor written).")
@click.option("--max-bytes", type=click.IntRange(min=1), default=MAX_BYTES, show_default=True,
              help="Files larger than this are rejected unread.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=1, show_default=True,
              help="Worker processes for the per-file checks.")
@click.option("--strict", is_flag=True, help="Warnings fail too (exit 1).")
@click.pass_context
def validate(ctx: click.Context, paths: tuple[Path, ...], fmt: str, no_cache: bool,
             max_bytes: int, jobs: int, strict: bool) -> None:
    """Check annotation files (default: everything under annotations/).

    PATHS are files or folders. Exit 0 when valid, 1 when an error (or, with --strict, a
    warning) was found, 2 on a usage error. `sahelevents explain CODE` explains a code.
    """
    ws = workspace(ctx, use_cache=not no_cache)
    bar = ProgressBar(ctx, "file")
    try:
        report = validate_paths(ws, list(paths) if paths else None, cache=not no_cache,
                                max_bytes=max_bytes, jobs=jobs, progress=bar)
    finally:
        bar.close()
    color = _color() and fmt == "text"
    click.echo(render(report, fmt, color=color), nl=False, color=color)
    if fmt == "github" and not quiet(ctx):
        click.echo(summary_line(report), err=True)
    failed = not report.valid or (strict and bool(report.warnings))
    ctx.exit(1 if failed else 0)


@click.command("explain")
@click.argument("code", required=False)
@click.option("--list", "show_list", is_flag=True, help="List every issue code.")
def explain_cmd(code: str | None, show_list: bool) -> None:
    """Explain an issue code (C003, P004 ...): what it means and how to fix it."""
    if show_list or code is None:
        if code is not None:
            raise UserError("give a CODE or --list, not both")
        click.echo(explain_list(), nl=False)
        return
    if code.upper() not in CATALOGUE and code.upper() not in ALIASES:
        raise UserError(f"unknown issue code {code!r}; `sahelevents explain --list` lists them")
    color = _color()
    click.echo(explain(code, color=color), nl=False, color=color)


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show the changes as a diff; write nothing.")
@click.pass_context
def migrate(ctx: click.Context, paths: tuple[Path, ...], dry_run: bool) -> None:
    """Rewrite annotation files to the current codebook version (applies its renames)."""
    ws = workspace(ctx)
    changed = 0
    for path in annotation_paths(ws, list(paths)):
        diff = migrate_file(path, ws, dry_run=dry_run)
        if diff:
            changed += 1
            if dry_run:
                click.echo(diff, nl=False)
            elif not quiet(ctx):
                click.echo(f"migrated {ws.project.relative(path)}")
    if not quiet(ctx):
        verb = "would change" if dry_run else "changed"
        click.echo(f"{verb} {changed} file{'' if changed == 1 else 's'} to codebook "
                   f"{ws.codebook.version}", err=dry_run)


COMMANDS = [validate, explain_cmd, migrate]
