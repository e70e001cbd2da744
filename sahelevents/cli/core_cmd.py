"""Foundation commands: codebook, schema, sources, sentences, actor and place look-ups."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from sahelevents.cli.common import workspace
from sahelevents.issues import DataError, UserError
from sahelevents.render import render_codebook
from sahelevents.schemas import drifted, write_schemas
from sahelevents.sentences import KINDS
from sahelevents.workspace import Workspace
from sahelevents.yamlio import atomic_write_text


def _event_types(ws: Workspace) -> dict[str, list[str]]:
    return {t.name: [s.name for s in t.sub_event_types]
            for t in ws.codebook.event_types.values()}


@click.group(invoke_without_command=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@click.pass_context
def codebook(ctx: click.Context, fmt: str) -> None:
    """List the event types and sub-event types in ACLED's hierarchy order."""
    if ctx.invoked_subcommand is not None:
        return
    ws = workspace(ctx)
    cb = ws.codebook
    if fmt == "json":
        click.echo(json.dumps({
            "version": cb.version,
            "event_types": [{"name": t.name, "rank": t.rank, "sub_event_types": [
                {"name": s.name, "rank": s.rank, "disorder_type": s.disorder_type}
                for s in t.sub_event_types]} for t in cb.event_types.values()]},
            indent=2, ensure_ascii=False))
        return
    click.echo(f"codebook {cb.version}: {len(cb.event_types)} event types, "
               f"{len(cb.sub_event_types)} sub-event types (hierarchy order)")
    for event_type in cb.event_types.values():
        click.secho(f"{event_type.rank}. {event_type.name}", bold=True)
        for sub in event_type.sub_event_types:
            click.echo(f"   {sub.rank:>2}. {sub.name}  [{sub.disorder_type}]")


@codebook.command("render")
@click.option("--write", is_flag=True, help="Write codebook/CODEBOOK.md.")
@click.option("--check", is_flag=True, help="Exit 1 if codebook/CODEBOOK.md is out of date.")
@click.pass_context
def codebook_render(ctx: click.Context, write: bool, check: bool) -> None:
    """Render the codebook as Markdown (to stdout, or --write / --check the committed file)."""
    ws = workspace(ctx)
    text = render_codebook(ws.codebook, ws.places)
    target = ws.project.codebook_dir / "CODEBOOK.md"
    if check:
        current = target.read_text(encoding="utf-8") if target.exists() else ""
        if current != text:
            raise DataError(f"{ws.project.relative(target)} is out of date; run "
                            "`sahelevents codebook render --write`")
        click.echo(f"{ws.project.relative(target)} is up to date")
    elif write:
        atomic_write_text(target, text)
        click.echo(f"wrote {ws.project.relative(target)}")
    else:
        click.echo(text, nl=False)


@click.command()
@click.option("--write", is_flag=True, help="Regenerate schema/*.schema.json.")
@click.option("--check", is_flag=True, help="Exit 1 if the committed schemas drifted.")
@click.pass_context
def schema(ctx: click.Context, write: bool, check: bool) -> None:
    """Generate the JSON Schemas from the models (draft 2020-12)."""
    ws = workspace(ctx)
    types = _event_types(ws)
    if write:
        for path in write_schemas(ws.project.schema_dir, event_types=types):
            click.echo(f"wrote {ws.project.relative(path)}")
        return
    stale = drifted(ws.project.schema_dir, event_types=types)
    if stale:
        raise DataError(f"schemas out of date: {', '.join(stale)}; run "
                        "`sahelevents schema --write`")
    click.echo("schemas up to date")
    if not check:
        click.echo(f"({ws.project.relative(ws.project.schema_dir)}/*.schema.json)")


@click.group()
def sources() -> None:
    """Register source documents and check that they never change."""


@sources.command("add")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--id", "doc_id", help="Document id (default: the file name without .txt).")
@click.option("--outlet", help="Newspaper or site.")
@click.option("--title", help="Article title.")
@click.option("--url", help="Article URL, if stated.")
@click.option("--published", help="Publication date YYYY-MM-DD (not the scrape date).")
@click.option("--published-precision", type=click.Choice(["day", "month", "year", "unknown"]),
              default=None)
@click.option("--published-note", help="How the publication date was inferred.")
@click.option("--country", help="ISO3 of the main country the article covers.")
@click.option("--source-scale", help="ACLED source scale of the outlet (National, ...).")
@click.pass_context
def sources_add(ctx: click.Context, /, files: tuple[Path, ...], doc_id: str | None,
                **fields: str | None) -> None:
    """Register FILES (UTF-8 text): copy them into seeds/ and record their sha256."""
    if doc_id and len(files) > 1:
        raise UserError("--id names one document; register files one at a time")
    if fields.get("published"):
        try:
            dt.date.fromisoformat(str(fields["published"]))
        except ValueError:
            raise UserError(f"--published {fields['published']!r} is not YYYY-MM-DD") from None
        fields["published_precision"] = fields.get("published_precision") or "day"
    ws = workspace(ctx)
    for path in files:
        meta = ws.registry.add(path, doc_id=doc_id, **fields)
        click.echo(f"registered {meta.id} ({meta.sha256[:12]}...) as "
                   f"{ws.project.relative(ws.registry.file_of(meta))}")


@sources.command("check")
@click.pass_context
def sources_check(ctx: click.Context) -> None:
    """Report every registered file whose sha256 no longer matches (exit 1)."""
    ws = workspace(ctx)
    problems = ws.registry.check()
    for problem in problems:
        click.echo(f"{ws.project.relative(ws.project.registry_file)}: {problem.code} "
                   f"{problem.message}")
    if problems:
        ctx.exit(1)
    click.echo(f"{len(ws.registry.data.documents)} documents, all hashes match")


@sources.command("list")
@click.pass_context
def sources_list(ctx: click.Context) -> None:
    """List registered documents."""
    ws = workspace(ctx)
    for meta in ws.registry.data.documents:
        click.echo(f"{meta.id}\t{meta.published or '?'}\t{meta.outlet or '?'}\t"
                   f"{meta.title or ''}")


@click.command()
@click.argument("doc")
@click.option("--format", "fmt", type=click.Choice(["table", "jsonl"]), default="table",
              show_default=True)
@click.option("--kind", "kinds", multiple=True, type=click.Choice(KINDS),
              help="Only sentences of these kinds (repeatable).")
@click.pass_context
def sentences(ctx: click.Context, doc: str, fmt: str, kinds: tuple[str, ...]) -> None:
    """Print the sentences of DOC with their ids, offsets, kinds and stories."""
    ws = workspace(ctx)
    for sentence in ws.sentences(doc):
        if kinds and sentence.kind not in kinds:
            continue
        if fmt == "jsonl":
            click.echo(json.dumps(sentence.to_dict(), ensure_ascii=False))
        else:
            text = sentence.text if len(sentence.text) <= 90 else sentence.text[:87] + "..."
            click.echo(f"{sentence.id:<28} {sentence.start:>6}-{sentence.end:<6} "
                       f"{sentence.kind:<9} {sentence.story:>2}  {text}")


@click.command()
@click.argument("name")
@click.option("--date", "day", help="Event date YYYY-MM-DD (names depend on the period).")
@click.option("--country", help="ISO3 of the country in context.")
@click.pass_context
def actor(ctx: click.Context, name: str, day: str | None, country: str | None) -> None:
    """Resolve an actor alias (FAMa, GSIM, casques bleus ...) to its ACLED name."""
    ws = workspace(ctx)
    when = None
    if day:
        try:
            when = dt.date.fromisoformat(day)
        except ValueError:
            raise UserError(f"--date {day!r} is not YYYY-MM-DD") from None
    entry = ws.codebook.resolve_actor(name, when, country)
    if entry is None:
        raise DataError(f"no actor named {name!r} in codebook/actors.yaml")
    click.echo(f"{entry.name}\tinter {entry.inter} ({ws.codebook.inter_labels[entry.inter]})"
               f"\t{entry.valid_from or ''}..{entry.valid_to or ''}\tgroup {entry.group.id}")


@click.command()
@click.argument("name")
@click.option("--country", "countries", multiple=True, help="ISO3 of a country in context.")
@click.option("--all", "show_all", is_flag=True, help="Show every candidate.")
@click.pass_context
def place(ctx: click.Context, name: str, countries: tuple[str, ...], show_all: bool) -> None:
    """Look a place up in the gazetteer (ignores case and accents)."""
    ws = workspace(ctx)
    found = ws.gazetteer.lookup(name, countries or ("MLI",))
    if not found:
        hint = ws.gazetteer.suggestions(name)
        more = f"; did you mean {', '.join(hint)}?" if hint else ""
        raise DataError(f"no place named {name!r}{more}")
    for candidate in found if show_all else found[:1]:
        p = ws.gazetteer.with_admin(candidate)
        click.echo(f"{p.name}\t{p.country}\t{p.admin1}\t{p.admin2}\t{p.latitude:.4f}\t"
                   f"{p.longitude:.4f}\t{p.source}")


COMMANDS = [codebook, schema, sources, sentences, actor, place]
