"""Rule-assisted extraction commands: suggest, evaluate, rules list / rules test."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from sahelevents.cli.common import progress_enabled, quiet, workspace
from sahelevents.evaluate import evaluate_workspace, render_text
from sahelevents.extract.rulecases import run_cases
from sahelevents.extract.rules import load_rules
from sahelevents.suggest import suggest_documents


@click.command()
@click.argument("docs", nargs=-1)
@click.option("--dry-run", is_flag=True,
              help="Print the diff each annotation file would get; write nothing.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=1, show_default=True,
              help="Worker processes for extraction.")
@click.option("--coder", envvar="SAHELEVENTS_CODER", default="unassigned", show_default=True,
              help="Coder recorded in new annotation files (env SAHELEVENTS_CODER).")
@click.pass_context
def suggest(ctx: click.Context, docs: tuple[str, ...], dry_run: bool, jobs: int,
            coder: str) -> None:
    """Propose events for DOCS (default: every registered document).

    Suggestions are appended to annotations/<doc>.yaml with decision `suggested`; comments,
    key order and every event already in the file are kept as they are, and a suggestion
    already there (even rejected) is never added again.
    """
    from tqdm import tqdm

    ws = workspace(ctx)
    total = len(dict.fromkeys(docs)) if docs else len(ws.registry.data.documents)
    outcomes = suggest_documents(ws, docs or None, coder=coder, jobs=jobs, dry_run=dry_run)
    added = suggested = changed = 0
    with tqdm(outcomes, total=total, unit="doc", file=sys.stderr,
              disable=not progress_enabled(ctx)) as bar:
        for outcome in bar:
            merge = outcome.merge
            suggested += outcome.suggestions
            added += len(merge.added)
            changed += merge.changed
            if dry_run:
                click.echo(merge.diff(), nl=False)
            elif merge.changed and not quiet(ctx):
                verb = "created" if merge.created else "updated"
                bar.write(f"{verb} {merge.display}: {len(merge.added)} new suggestion(s)",
                          file=sys.stderr)
    if not quiet(ctx):
        mode = "would change" if dry_run else "changed"
        click.echo(f"{total} document(s): {suggested} suggestion(s), {added} new; {mode} "
                   f"{changed} annotation file(s)", err=True)


@click.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@click.pass_context
def evaluate(ctx: click.Context, fmt: str) -> None:
    """Measure the rules against the annotators' decisions (precision, recall, F1 ...)."""
    report = evaluate_workspace(workspace(ctx))
    if fmt == "json":
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(render_text(report), nl=False)


@click.group()
def rules() -> None:
    """List the extraction rules or run their case files."""


@rules.command("list")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@click.pass_context
def rules_list(ctx: click.Context, fmt: str) -> None:
    """The rules of codebook/rules/, in hierarchy order."""
    ws = workspace(ctx)
    ruleset = load_rules(ws.project.rules_dir, ws.codebook, display_root=ws.project.root)
    ordered = sorted(ruleset.rules, key=lambda r: (r.spec.priority, r.id))
    if fmt == "json":
        click.echo(json.dumps([r.spec.model_dump(mode="json") for r in ordered], indent=2,
                              ensure_ascii=False))
        return
    for rule in ordered:
        spec = rule.spec
        click.echo(f"{spec.priority:>3}  {spec.id:<28} {spec.event_type} / {spec.sub_event_type}"
                   f"  (confidence {spec.confidence:.2f}, {len(spec.triggers)} trigger(s))")


@rules.command("test")
@click.option("--cases", "cases_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Folder of case files (default: tests/rule_cases).")
@click.pass_context
def rules_test(ctx: click.Context, cases_dir: Path | None) -> None:
    """Run every rule's case file; print the failures; exit 1 if any."""
    ws = workspace(ctx)
    folder = cases_dir or ws.project.root / "tests" / "rule_cases"
    ruleset = load_rules(ws.project.rules_dir, ws.codebook, display_root=ws.project.root)
    results, problems = run_cases(folder, ws.codebook, ws.gazetteer, ruleset)
    for problem in problems:
        click.secho(f"error: {problem}", fg="red", err=True)
    failures = [r for r in results if not r.ok]
    for failure in failures:
        click.echo(f"FAIL {failure.rule}/{failure.case}: {'; '.join(failure.problems)}")
        for suggestion in failure.suggestions:
            click.echo(f"    got {json.dumps(suggestion, ensure_ascii=False)}")
    passed = len(results) - len(failures)
    click.echo(f"{passed}/{len(results)} case(s) passed, {len(ruleset.rules)} rule(s)")
    if failures or problems:
        ctx.exit(1)


COMMANDS = [suggest, evaluate, rules]
