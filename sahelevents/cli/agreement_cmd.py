"""Double coding: `agreement` between coders and `adjudicate` of their codings."""

from __future__ import annotations

import json
from pathlib import Path

import click

from sahelevents.adjudicate import check_resolved, merge, write_adjudication
from sahelevents.agreement import agreement as compute_agreement
from sahelevents.agreement import render_text
from sahelevents.cli.common import quiet, workspace


@click.command()
@click.argument("docs", nargs=-1)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@click.pass_context
def agreement(ctx: click.Context, docs: tuple[str, ...], fmt: str) -> None:
    """Inter-coder agreement on DOCS (default: every double-coded document).

    A document is double-coded when annotations/coders/<coder>/<doc>.yaml exists beside
    annotations/<doc>.yaml, or two coder files exist. Reports events found by both coders
    (precision, recall, F1), Krippendorff's alpha per field, Cohen's kappa on accept/reject
    decisions, a confusion matrix of event types and what is left to adjudicate.
    """
    report = compute_agreement(workspace(ctx), list(docs) or None)
    if fmt == "json":
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(render_text(report), nl=False)


@click.command()
@click.argument("doc")
@click.option("--write", is_flag=True,
              help="Write annotations/DOC.yaml (a primary that is one coder's coding is first "
              "kept as annotations/coders/<coder>/DOC.yaml).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the merged file here instead.")
@click.option("--force", is_flag=True,
              help="With --write: overwrite an adjudicated primary (discards resolutions).")
@click.option("--check", is_flag=True,
              help="List the ADJUDICATE marks left in annotations/DOC.yaml (exit 1 if any).")
@click.pass_context
def adjudicate(ctx: click.Context, doc: str, write: bool, output: Path | None, force: bool,
               check: bool) -> None:
    """Merge the codings of DOC: agreed fields are kept, disagreements marked for a reviewer.

    Without --write or --output the merged file is printed. Marked events stay `suggested`
    (never released) until the reviewer fills in each marked field and accepts or rejects
    them; `--check` then confirms that no mark is left.
    """
    ws = workspace(ctx)
    if check:
        marks = check_resolved(ws, doc)
        shown = ws.project.relative(ws.project.annotations_dir / f"{Path(doc).stem}.yaml")
        for line, what in marks:
            click.echo(f"{shown}:{line}: {what}")
        if marks:
            ctx.exit(1)
        click.echo(f"{shown}: no adjudication mark left")
        return
    if not write and output is None:
        click.echo(merge(ws, doc).text, nl=False)
        return
    result, written = write_adjudication(ws, doc, output=output, force=force)
    if not quiet(ctx):
        for path in written:
            click.echo(f"wrote {ws.project.relative(path)}")
        left = (f"{result.marks} mark(s) to resolve" if result.marks
                else "the coders agree on everything")
        click.echo(f"{result.events} events merged from {len(result.codings)} codings; {left}")


COMMANDS = [agreement, adjudicate]
