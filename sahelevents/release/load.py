"""Load a release (or one of its files) as a polars DataFrame.

``load_release(path)`` takes a release folder (``releases/0.1.0``) or a file in it:

===============  =================================================================
table            file read from a folder
===============  =================================================================
``events``       ``events.parquet``, else ``events.jsonl``, else ``events.csv``
``events_csv``   ``events.csv`` (the 31 ACLED columns and the provenance columns)
``evidence``     one row per evidence span: ``event_id_cnty`` + the evidence fields
``sources``      ``sources.csv``
``sentences``    ``sentences.jsonl``
``event_ids``    ``event-ids.csv`` (the id ledger)
===============  =================================================================

Types are the same whatever the file: ``event_date`` is a date, counts and codes are
integers, coordinates floats, list columns lists. CSV cells are read back exactly (the
spreadsheet-safety quote is removed, empty cells are empty text).
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path

import polars as pl

from sahelevents.issues import DataError, UserError
from sahelevents.release.ids import LEDGER_FILE
from sahelevents.release.tables import (
    EVENT_CSV_SCHEMA,
    EVENT_ID_SCHEMA,
    EVENT_SCHEMA,
    SOURCE_SCHEMA,
    read_events_jsonl,
    read_release_csv,
    read_sentences_jsonl,
)

TABLES = ("events", "events_csv", "evidence", "sources", "sentences", "event_ids")


def _events_file(folder: Path) -> Path:
    for name in ("events.parquet", "events.jsonl", "events.csv"):
        if (folder / name).is_file():
            return folder / name
    raise DataError(f"{folder}: no events.parquet, events.jsonl or events.csv: not a release")


def read_file(path: Path) -> pl.DataFrame:
    """Read one release file, typed by its name."""
    name = path.name
    try:
        if name.endswith(".parquet"):
            return pl.read_parquet(path)
        if name == "sentences.jsonl":
            return read_sentences_jsonl(path)
        if name.endswith(".jsonl"):
            return read_events_jsonl(path)
        if name == "sources.csv":
            return read_release_csv(path, SOURCE_SCHEMA)
        if name == LEDGER_FILE:
            return read_release_csv(path, EVENT_ID_SCHEMA)
        if name.endswith(".csv"):
            return read_release_csv(path, EVENT_CSV_SCHEMA)
    except OSError as exc:
        raise DataError(f"{path}: cannot read: {exc.strerror}") from None
    except pl.exceptions.PolarsError as exc:
        raise DataError(f"{path}: not a readable release file: {exc}") from None
    raise UserError(f"{path}: not a release file (.csv, .jsonl or .parquet)")


def load_release(path: str | PathLike[str], table: str = "events") -> pl.DataFrame:
    """A release table as a DataFrame (see the module docstring for ``table``)."""
    target = Path(path)
    if target.is_file():
        return read_file(target)
    if not target.is_dir():
        raise UserError(f"{target}: no such release folder or file")
    if table not in TABLES:
        raise UserError(f"unknown table {table!r}; choose one of {', '.join(TABLES)}")
    if table == "events":
        return read_file(_events_file(target))
    if table == "events_csv":
        return read_file(target / "events.csv")
    if table == "evidence":
        events = read_file(_events_file(target))
        if "evidence" not in events.columns:
            raise DataError(f"{target}: the evidence spans are in events.parquet or "
                            "events.jsonl, which this release lacks")
        return (events.select("event_id_cnty", "evidence").explode("evidence")
                .drop_nulls("evidence").unnest("evidence"))
    file = {"sources": "sources.csv", "sentences": "sentences.jsonl",
            "event_ids": LEDGER_FILE}[table]
    return read_file(target / file)


def full_events(path: Path) -> pl.DataFrame:
    """Every column of the events (Parquet or JSONL); CSV-only releases give fewer."""
    frame = load_release(path)
    return frame.select([c for c in EVENT_SCHEMA if c in frame.columns]
                        + [c for c in frame.columns if c not in EVENT_SCHEMA])
