"""The command-line interface: a thin layer over the library.

Every command parses its options, calls one library function, renders the result and picks
the exit code: 0 ok, 1 data invalid, 2 usage error. User errors print one clean line; a
traceback never reaches a user (set SAHELEVENTS_DEBUG=1 to see one when reporting a bug).

Commands live in ``sahelevents/cli/*_cmd.py``; each module exposes ``COMMANDS``. They are
imported only when invoked (``LAZY_COMMANDS``), so ``sahelevents validate`` does not pay for
loading the extraction rules or numpy; ``tests/test_cli.py`` keeps the table complete.
"""

from __future__ import annotations

import gc
import importlib
import os
import sys
from pathlib import Path
from typing import Any

import click

from sahelevents import __version__
from sahelevents.issues import UserError

#: command name -> module (under sahelevents.cli) defining it in its COMMANDS list.
LAZY_COMMANDS: dict[str, str] = {
    "acled-import": "release_cmd", "actor": "core_cmd", "adjudicate": "agreement_cmd",
    "agreement": "agreement_cmd", "build": "release_cmd", "codebook": "core_cmd",
    "diff": "release_cmd", "evaluate": "suggest_cmd", "explain": "validate_cmd",
    "migrate": "validate_cmd", "place": "core_cmd", "release": "release_cmd",
    "rules": "suggest_cmd", "schema": "core_cmd", "sentences": "core_cmd",
    "sources": "core_cmd", "suggest": "suggest_cmd", "validate": "validate_cmd",
}


def load_command(name: str) -> click.Command | None:
    module_name = LAZY_COMMANDS.get(name)
    if module_name is None:
        return None
    module = importlib.import_module(f"{__name__}.{module_name}")
    for command in getattr(module, "COMMANDS", []):
        if command.name == name:
            return command  # type: ignore[no-any-return]
    return None


class _Group(click.Group):
    """Loads commands on demand; turns library errors into one clean line and exit code."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(LAZY_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return load_command(cmd_name)

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


#: The setting of polars' allocator (jemalloc, set up from this variable when polars is
#: loaded; polars puts its own setting, 0.5 s and 1 s, before the variable's value) that
#: returns freed pages to the system at once.
ALLOCATOR_SETTING = ("_RJEM_MALLOC_CONF", "dirty_decay_ms:0,muzzy_decay_ms:0")


def return_freed_memory_at_once() -> None:
    """Have polars' allocator give memory back as soon as it is freed (unless the user set
    the variable, or polars is already loaded and the setting would be too late).

    A release copies its large tables column by column, letting each original column go as
    its copy is made (``release.compile.rebuilt``); kept even for half a second, the freed
    columns of one step were still held when the next step allocated. In the first release
    of a million events, the compile stage rose 730 MB over its start with polars' own
    setting and 600 MB with this one (whole release: 3,981 -> 3,794 MB, in-process).
    """
    name, value = ALLOCATOR_SETTING
    if "polars" not in sys.modules:
        os.environ.setdefault(name, value)


def main() -> None:
    """Console-script entry point."""
    # A command loads the codebook, gazetteer and registry once and then builds many small
    # acyclic values (parsed files, rows, summaries). CPython's default collector walks the
    # long-lived objects again every few hundred allocations; collecting the young
    # generation every 100,000 allocations instead (as mypy does) removes that overhead,
    # and reference counting still frees nearly everything at once.
    gc.set_threshold(100_000, 50, 100)
    return_freed_memory_at_once()
    try:
        cli.main(prog_name="sahelevents")
    except BrokenPipeError:  # e.g. `sahelevents sentences DOC | head`
        sys.stderr.close()
        sys.exit(0)
