"""Helpers shared by the command modules (the only other place that knows click)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from sahelevents.workspace import Workspace


def workspace(ctx: click.Context, *, use_cache: bool = True) -> Workspace:
    root: Path | None = (ctx.obj or {}).get("root")
    return Workspace.find(root, use_cache=use_cache)


def quiet(ctx: click.Context) -> bool:
    return bool((ctx.obj or {}).get("quiet"))


def progress_enabled(ctx: click.Context) -> bool:
    """Progress bars only for a person at a terminal: not in CI, not with --quiet."""
    import os

    return not quiet(ctx) and sys.stderr.isatty() and not os.environ.get("CI")


class ProgressBar:
    """A tqdm bar fed by ``(done, total)`` callbacks; silent when progress is disabled."""

    def __init__(self, ctx: click.Context, unit: str) -> None:
        self.enabled = progress_enabled(ctx)
        self.unit = unit
        self._bar: Any = None

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self._bar is None:
            from tqdm import tqdm

            self._bar = tqdm(total=total, unit=self.unit, file=sys.stderr, leave=False)
        self._bar.update(done - self._bar.n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
