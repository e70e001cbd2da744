"""Helpers shared by the command modules (the only other place that knows click)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from sahelevents.workspace import Workspace


def workspace(ctx: click.Context) -> Workspace:
    root: Path | None = (ctx.obj or {}).get("root")
    return Workspace.find(root)


def quiet(ctx: click.Context) -> bool:
    return bool((ctx.obj or {}).get("quiet"))


def progress_enabled(ctx: click.Context) -> bool:
    """Progress bars only for a person at a terminal: not in CI, not with --quiet."""
    import os

    return not quiet(ctx) and sys.stderr.isatty() and not os.environ.get("CI")
