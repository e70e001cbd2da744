"""Release commands: build (the main command), release, diff and acled-import."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from sahelevents.cli.common import quiet, workspace
from sahelevents.issues import Report, UserError
from sahelevents.reporters import plural
from sahelevents.workspace import Workspace

if TYPE_CHECKING:
    from sahelevents.release.publish import AssembledRelease


def _print_report(ws: Workspace, report: Report, *, limit: int = 50) -> None:
    errors = sorted(report.errors, key=lambda i: i.sort_key())
    for found in errors[:limit]:
        where = f"{found.file}:{found.line}:{found.column}" if found.line else found.file
        click.echo(f"{where}: {found.code} {found.message}", err=True)
    if len(errors) > limit:
        click.echo(f"... and {len(errors) - limit} more errors (run `sahelevents validate`)",
                   err=True)


def _refused(ws: Workspace, report: Report, what: str) -> None:
    _print_report(ws, report)
    click.secho(f"{what} refused: {len(report.errors)} validation errors in "
                f"{report.files_checked} files; fix them (`sahelevents validate`) first",
                fg="red", err=True)


_JOBS = click.option("--jobs", "-j", type=click.IntRange(min=1), default=1, show_default=True,
                     help="Processes for validating and compiling changed files.")


def _files(made: AssembledRelease) -> str:
    compiled = made.compiled
    total = compiled.files_compiled + compiled.files_from_cache
    cached = f" ({compiled.files_from_cache} from the cache)" if compiled.files_from_cache else ""
    return f"{plural(total, 'annotation file')}{cached}"


@click.command("build")
@click.option("--version", "version", metavar="X.Y.Z",
              help="Version to build (default: the patch after the latest release).")
@click.option("--date", "day", metavar="YYYY-MM-DD", help="Release date (see docs).")
@_JOBS
@click.pass_context
def build_cmd(ctx: click.Context, version: str | None, day: str | None, jobs: int) -> None:
    """Validate every annotation file and compile the release preview into build/."""
    from sahelevents.release.publish import build

    ws = workspace(ctx)
    outcome = build(ws, version=version, date=day, jobs=jobs)
    if outcome.release is None or outcome.path is None:
        _refused(ws, outcome.report, "build")
        ctx.exit(1)
        return
    made = outcome.release
    if not quiet(ctx):
        click.echo(f"validated {plural(outcome.report.files_checked, 'file')} "
                   f"({plural(len(outcome.report.warnings), 'warning')})")
        click.echo(f"compiled {plural(made.count, 'event')} from {_files(made)} as release "
                   f"{made.version} ({made.clock.date}) into "
                   f"{ws.project.relative(outcome.path)}/ ({len(outcome.files)} files)")
        if made.previous:
            click.echo(f"since {made.previous}: {len(made.diff.added)} added, "
                       f"{len(made.diff.changed)} changed, {len(made.diff.removed)} removed")


@click.command("release")
@click.argument("version")
@click.option("--date", "day", metavar="YYYY-MM-DD",
              help="Release date (default: SOURCE_DATE_EPOCH, else the latest publication "
                   "date of the cited documents).")
@click.option("--check", is_flag=True,
              help="Rebuild the published VERSION and exit 1 if any file differs.")
@_JOBS
@click.pass_context
def release_cmd(ctx: click.Context, version: str, day: str | None, check: bool,
                jobs: int) -> None:
    """Publish releases/VERSION/ (semver) from the accepted events; never overwrites."""
    from sahelevents.release.publish import check_release, release

    ws = workspace(ctx)
    if check:
        differing = check_release(ws, version)
        for name in differing:
            click.echo(f"differs: {name}")
        if differing:
            click.secho(f"release {version} does not rebuild identically "
                        f"({len(differing)} files differ)", fg="red", err=True)
            ctx.exit(1)
        click.echo(f"release {version} rebuilds byte for byte")
        return
    outcome = release(ws, version, date=day, jobs=jobs)
    if outcome.release is None or outcome.path is None:
        _refused(ws, outcome.report, f"release {version}")
        ctx.exit(1)
        return
    made = outcome.release
    if not quiet(ctx):
        since = (f"; since {made.previous}: {len(made.diff.added)} added, "
                 f"{len(made.diff.changed)} changed, {len(made.diff.removed)} removed"
                 if made.previous else "")
        click.echo(f"released {made.version} ({made.clock.date}, {made.clock.origin}): "
                   f"{plural(made.count, 'event')} from {_files(made)} in "
                   f"{ws.project.relative(outcome.path)}/ ({len(outcome.files)} files){since}")


def _release_path(ws_root: Workspace | None, text: str) -> Path:
    path = Path(text)
    if path.exists():
        return path
    if ws_root is not None:
        candidate = ws_root.project.releases_dir / text
        if candidate.exists():
            return candidate
    raise UserError(f"{text}: neither a path nor a published release version")


@click.command("diff")
@click.argument("old")
@click.argument("new")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@click.pass_context
def diff_cmd(ctx: click.Context, old: str, new: str, fmt: str) -> None:
    """Event-level difference of two releases (folders, events files or versions)."""
    from sahelevents.release.diff import diff_releases

    ws: Workspace | None
    try:
        ws = workspace(ctx)
    except UserError:
        ws = None  # plain paths work outside a project
    difference = diff_releases(_release_path(ws, old), _release_path(ws, new))
    if fmt == "json":
        click.echo(json.dumps({"old": old, "new": new, **difference.to_dict()},
                              ensure_ascii=False, indent=2))
        return
    click.echo(f"{old} -> {new}: {len(difference.added)} added, {len(difference.changed)} "
               f"changed, {len(difference.removed)} removed, {difference.unchanged} unchanged")
    for event_id in difference.added:
        click.echo(f"+ {event_id}")
    for event_id, fields in difference.changed.items():
        click.echo(f"~ {event_id}: {', '.join(fields)}")
    for event_id in difference.removed:
        click.echo(f"- {event_id}")


@click.command("acled-import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the converted records as JSON lines to this file.")
@click.option("--limit", default=50, show_default=True,
              help="Problems shown in text format (all are in JSON).")
@click.pass_context
def acled_import_cmd(ctx: click.Context, file: Path, fmt: str, output: Path | None,
                     limit: int) -> None:
    """Read an ACLED export (any layout) and check every row against the codebook."""
    from sahelevents.release.acled import import_acled, write_records

    ws = workspace(ctx)
    result = import_acled(file, ws.codebook)
    if output is not None:
        write_records(result.records, output)
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(f"{file}: {result.layout} layout, {result.rows} rows -> "
                   f"{len(result.records)} events; {len(result.bad_rows)} rows do not "
                   "conform to the codebook")
        for problem in result.problems[:limit]:
            click.echo(f"row {problem.row}, {problem.column}: {problem.message}")
        if len(result.problems) > limit:
            click.echo(f"... and {len(result.problems) - limit} more (--format json lists "
                       "all)")
    if result.problems:
        ctx.exit(1)


COMMANDS = [build_cmd, release_cmd, diff_cmd, acled_import_cmd]
