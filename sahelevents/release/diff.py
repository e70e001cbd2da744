"""Event-level difference of two releases: ids added, removed, and changed (which fields).

Events are matched by ``event_id_cnty``. An event has changed when any column other than
``timestamp`` differs (``timestamp`` records when an event last changed, so it follows from
the others). Only the columns both releases have are compared, so a CSV-only release can be
compared with a full one. The comparison is column-wise in polars (a million events take a
second or two).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from sahelevents.release.ids import id_sort_key
from sahelevents.release.load import full_events

IGNORED = ("timestamp",)


@dataclass
class ReleaseDiff:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: dict[str, list[str]] = field(default_factory=dict)
    unchanged: int = 0

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def to_dict(self) -> dict[str, Any]:
        return {"added": self.added, "removed": self.removed,
                "changed": [{"event_id_cnty": k, "fields": v} for k, v in self.changed.items()],
                "unchanged": self.unchanged}


def diff_frames(old: pl.DataFrame, new: pl.DataFrame) -> ReleaseDiff:
    key = "event_id_cnty"
    old_ids = set(old[key].to_list())
    new_ids = set(new[key].to_list())
    compared = [c for c in new.columns if c in old.columns and c != key and c not in IGNORED]
    joined = old.select(key, *compared).join(new.select(key, *compared), on=key, how="inner",
                                             suffix="__new")
    flags = joined.select(
        pl.col(key), *[pl.col(c).ne_missing(pl.col(f"{c}__new")).alias(c) for c in compared])
    differing = flags.filter(pl.any_horizontal(compared)) if compared else flags.clear()
    changed: dict[str, list[str]] = {}
    for column in compared:  # one vectorised filter per column, no per-row Python work
        for event_id in differing.filter(pl.col(column))[key].to_list():
            changed.setdefault(event_id, []).append(column)
    unchanged = joined.height - differing.height
    return ReleaseDiff(
        added=sorted(new_ids - old_ids, key=id_sort_key),
        removed=sorted(old_ids - new_ids, key=id_sort_key),
        changed={k: changed[k] for k in sorted(changed, key=id_sort_key)},
        unchanged=unchanged)


def diff_releases(old: Path, new: Path) -> ReleaseDiff:
    """Compare two release folders (or events files)."""
    return diff_frames(full_events(old), full_events(new))


def compress_ids(ids: list[str]) -> list[str]:
    """``[MLI1, MLI2, MLI3, MLI7]`` -> ``["MLI1-MLI3", "MLI7"]`` (ids sorted by prefix, number)."""
    out: list[str] = []
    run: list[tuple[str, int, str]] = []

    def flush() -> None:
        if run:
            out.append(run[0][2] if len(run) == 1 else f"{run[0][2]}-{run[-1][2]}")
            run.clear()

    for event_id in sorted(ids, key=id_sort_key):
        prefix, number = id_sort_key(event_id)
        if run and not (run[-1][0] == prefix and run[-1][1] + 1 == number):
            flush()
        run.append((prefix, number, event_id))
    flush()
    return out
