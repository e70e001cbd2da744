"""Stable ACLED-style event ids (``MLI1``, ``BFO12``): a ledger shipped inside each release.

Design
------
* An id is the country's ``event_id_prefix`` from the codebook (Burkina Faso is ``BFO`` as in
  ACLED) followed by a number. Ids are **never typed in annotation files**: an annotation
  refers to its events by ``<doc_id>#<local id>`` (an *annotation ref*).
* Every release folder holds ``event-ids.csv``, the **ledger**: one row per
  ``(event_id, ref)`` pair with its ``status`` (``active`` or ``retired``) and the ``release``
  in which the pair got that status. Releases are made in increasing version order, so the
  ledger of the latest release is the ledger of record; the ledger is written into the
  release folder before the folder is renamed into place, so it is published atomically
  with the events that use it (no second file to forget or to half-write).
* Releasing assigns the ids:

  1. Events linked by ``same_as`` are one event and share one id.
  2. An event keeps the id its refs already have in the ledger (when its refs had several
     ids - two events published apart and linked later - the lowest number of the event's
     country prefix wins and the other ids retire). An event whose country changed gets a
     new id with the new prefix; its old id retires.
  3. Events not in the ledger get the next numbers of their prefix, in order of event date,
     then ref. The next number is one more than the highest number *ever* written in the
     ledger for that prefix, retired ones included, so **an id is never reused**, even
     for the same ref after its event was removed.
  4. Pairs of the previous ledger that are no longer in use are kept, marked ``retired``.

* Numbers are assigned only by ``sahelevents release``, which is run on the main branch.
  Coders on parallel branches never create ids, so their work never collides; ``build``
  computes the same provisional ids for preview without publishing them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from sahelevents.issues import DataError
from sahelevents.release.tables import EVENT_ID_SCHEMA, read_csv_strings, write_csv

LEDGER_FILE = "event-ids.csv"
ACTIVE, RETIRED = "active", "retired"

_EVENT_ID = re.compile(r"^([A-Z]{3})([1-9][0-9]*)$")
_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}#[a-z0-9][a-z0-9-]{0,63}$")
_SEMVER = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")


def split_id(event_id: str) -> tuple[str, int]:
    """``"MLI12"`` -> ``("MLI", 12)``."""
    match = _EVENT_ID.match(event_id)
    if match is None:
        raise ValueError(f"not an event id: {event_id!r}")
    return match.group(1), int(match.group(2))


def id_sort_key(event_id: str) -> tuple[str, int]:
    match = _EVENT_ID.match(event_id)
    return (match.group(1), int(match.group(2))) if match else (event_id, 0)


@dataclass(frozen=True, slots=True)
class EventGroup:
    """One release event as the ledger sees it: its prefix, refs and ordering key."""

    prefix: str
    refs: tuple[str, ...]  # sorted
    event_date: str


def _ordered(frame: pl.DataFrame) -> pl.DataFrame:
    """Rows by prefix, number, ref (so the file grows at the end and diffs stay small)."""
    return (frame.with_columns(pl.col("event_id").str.slice(0, 3).alias("__prefix"),
                               pl.col("event_id").str.slice(3).cast(pl.Int64).alias("__number"))
            .sort(["__prefix", "__number", "ref"]).drop("__prefix", "__number"))


class Ledger:
    """The ledger as a polars frame (a million rows are read, checked and merged in seconds)."""

    def __init__(self, frame: pl.DataFrame | None = None) -> None:
        empty = pl.DataFrame(schema=EVENT_ID_SCHEMA)
        self.frame = _ordered(frame.select(list(EVENT_ID_SCHEMA)) if frame is not None
                              else empty)

    @classmethod
    def read(cls, path: Path) -> Ledger:
        """Read and check a ledger; any malformed row is a :class:`DataError` with its row."""
        try:
            frame = read_csv_strings(path, restore_cells=True)
        except OSError as exc:
            raise DataError(f"{path}: cannot read the event id ledger: {exc.strerror}") from None
        except pl.exceptions.PolarsError as exc:
            raise DataError(f"{path}: not a readable CSV: {exc}") from None
        if tuple(frame.columns) != tuple(EVENT_ID_SCHEMA):
            raise DataError(f"{path}: expected the columns {', '.join(EVENT_ID_SCHEMA)}, got "
                            f"{', '.join(frame.columns)}")
        checks = [
            (~pl.col("event_id").str.contains(_EVENT_ID.pattern),
             "event_id {event_id!r} is not a prefix and a number"),
            (~pl.col("ref").str.contains(_REF.pattern), "ref {ref!r} is not <doc>#<local id>"),
            (~pl.col("status").is_in([ACTIVE, RETIRED]),
             f"status {{status!r}} is neither {ACTIVE} nor {RETIRED}"),
            (~pl.col("release").str.contains(_SEMVER.pattern),
             "release {release!r} is not a version"),
            (~pl.struct("event_id", "ref").is_first_distinct(),
             "the pair {event_id}/{ref} is listed twice"),
        ]
        numbered = frame.with_row_index("__row", offset=2)
        for condition, message in checks:
            bad = numbered.filter(condition)
            if bad.height:
                first = bad.row(0, named=True)
                raise DataError(f"{path}: row {first['__row']}: {message.format(**first)}")
        return cls(frame)

    def write(self, path: Path) -> None:
        write_csv(self.frame, path)

    def active_ids(self) -> dict[str, str]:
        """ref -> its active event id."""
        active = self.frame.filter(pl.col("status") == ACTIVE)
        return dict(zip(active["ref"].to_list(), active["event_id"].to_list(), strict=True))

    def highest_numbers(self) -> dict[str, int]:
        """prefix -> the highest number ever used (retired included)."""
        highest = (self.frame.select(pl.col("event_id").str.slice(0, 3).alias("prefix"),
                                     pl.col("event_id").str.slice(3).cast(pl.Int64)
                                     .alias("number"))
                   .group_by("prefix").agg(pl.col("number").max()))
        return dict(zip(highest["prefix"].to_list(), highest["number"].to_list(), strict=True))

    def assign(self, groups: Sequence[EventGroup] | pl.DataFrame,
               version: str) -> tuple[list[str], Ledger]:
        """The id of each group (in order) and the ledger after ``version``.

        ``groups`` is a list of :class:`EventGroup` or a frame with their columns
        (``prefix``, ``refs`` sorted, ``event_date`` as text). Column-wise throughout: a
        million events are numbered in a couple of seconds.
        """
        frame = _groups_frame(groups).with_row_index("group")
        pairs = frame.select("group", "prefix", pl.col("refs").alias("ref")).explode("ref")
        active = self.frame.filter(pl.col("status") == ACTIVE).select("ref", "event_id")
        # Rule 2: the lowest id of the group's prefix among its refs' ids...
        candidates = (pairs.join(active, on="ref", how="inner")
                      .filter(pl.col("event_id").str.slice(0, 3) == pl.col("prefix"))
                      .with_columns(pl.col("event_id").str.slice(3).cast(pl.Int64)
                                    .alias("number")))
        claims = (candidates.sort("number").group_by("group", maintain_order=True)
                  .agg(pl.col("event_id").first()))
        # ... and an event split in two: the part holding the id's first ref keeps it.
        winners = (candidates.join(claims, on=["group", "event_id"], how="inner")
                   .group_by("event_id", "group").agg(pl.col("ref").min())
                   .sort("ref").group_by("event_id", maintain_order=True)
                   .agg(pl.col("group").first()))
        kept_ids = frame.join(winners, on="group", how="left").sort("group")["event_id"]
        # Rule 3: new numbers after the highest ever used, by date then refs.
        highest = self.highest_numbers()
        fresh = (frame.filter(kept_ids.is_null())
                 .with_columns(pl.col("refs").list.join("\x01").alias("__order"))
                 .sort("event_date", "__order")
                 .with_columns((pl.int_range(pl.len()).over("prefix") + 1).alias("offset")))
        numbered = fresh.with_columns(
            (pl.col("prefix") + (pl.col("offset") + pl.col("prefix").replace_strict(
                highest, default=0, return_dtype=pl.Int64)).cast(pl.String))
            .alias("event_id")).select("group", "event_id")
        ids = (frame.select("group").join(
            pl.concat([winners.select("group", "event_id"), numbered]), on="group",
            how="left").sort("group")["event_id"])
        assert ids.null_count() == 0

        current = (pairs.join(frame.select("group").with_columns(ids.alias("event_id")),
                              on="group").select("event_id", "ref"))
        kept = self.frame.filter(pl.col("status") == ACTIVE).select(
            "event_id", "ref", pl.col("release").alias("__since"))
        in_use = (current.join(kept, on=["event_id", "ref"], how="left")
                  .with_columns(pl.lit(ACTIVE).alias("status"),
                                pl.col("__since").fill_null(version).alias("release"))
                  .drop("__since"))
        dropped = (self.frame.join(current, on=["event_id", "ref"], how="anti")
                   .with_columns(
                       pl.when(pl.col("status") == ACTIVE).then(pl.lit(version))
                       .otherwise(pl.col("release")).alias("release"),
                       pl.lit(RETIRED).alias("status")))
        return ids.to_list(), Ledger(pl.concat([in_use.select(list(EVENT_ID_SCHEMA)),
                                                dropped.select(list(EVENT_ID_SCHEMA))]))


def _groups_frame(groups: Sequence[EventGroup] | pl.DataFrame) -> pl.DataFrame:
    schema = {"prefix": pl.String(), "refs": pl.List(pl.String), "event_date": pl.String()}
    if isinstance(groups, pl.DataFrame):
        return groups.select(list(schema)).cast(schema)  # type: ignore[arg-type]
    return pl.DataFrame({"prefix": [g.prefix for g in groups],
                         "refs": [list(g.refs) for g in groups],
                         "event_date": [g.event_date for g in groups]}, schema=schema)
