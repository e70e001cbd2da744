"""The command-line interface: a thin layer over the library.

Every command parses its options, calls one library function, renders the result and picks
the exit code: 0 ok, 1 data invalid, 2 usage error. User errors print one clean line; a
traceback never reaches a user (set SAHELEVENTS_DEBUG=1 to see one when reporting a bug).

Commands live in ``sahelevents/cli/*_cmd.py``; each module exposes ``COMMANDS``.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
from pathlib import Path
from typing import Any

import click

from sahelevents import __version__
from sahelevents.issues import UserError


class _Group(click.Group):
    """Turns library errors into one clean line and the documented exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except UserError as exc:
            click.secho(f"error: {exc}", fg="red", err=True)
            ctx.exit(exc.exit_code)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)
        except BrokenPipeError:
            ctx.exit(0)
        except Exception as exc:
            if os.environ.get("SAHELEVENTS_DEBUG"):
                raise
            click.secho(f"internal error: {type(exc).__name__}: {exc} (this is a bug; rerun "
                        "with SAHELEVENTS_DEBUG=1 and report the traceback)", fg="red",
                        err=True)
            ctx.exit(3)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"],
                                           "max_content_width": 100})
@click.version_option(__version__, prog_name="sahelevents")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Dataset repository root (default: found from the current directory).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bars or summaries.")
@click.pass_context
def cli(ctx: click.Context, root: Path | None, quiet: bool) -> None:
    """Code ACLED-style political-violence events from French Sahel news."""
    ctx.ensure_object(dict)
    ctx.obj["root"] = root
    ctx.obj["quiet"] = quiet


def _register() -> None:
    for module in sorted(m.name for m in pkgutil.iter_modules(__path__)
                         if m.name.endswith("_cmd")):
        loaded = importlib.import_module(f"{__name__}.{module}")
        for command in getattr(loaded, "COMMANDS", []):
            cli.add_command(command)


_register()


def main() -> None:
    """Console-script entry point."""
    try:
        cli.main(prog_name="sahelevents")
    except BrokenPipeError:  # e.g. `sahelevents sentences DOC | head`
        sys.stderr.close()
        sys.exit(0)
