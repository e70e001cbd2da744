"""The release tables: their columns, types and how each is written to and read from disk.

One place defines every column of every table, so the writers, ``load_release``,
``acled-import``, the Table Schemas of ``datapackage.json`` and the docs cannot drift apart.

CSV conventions (``events.csv``, ``sources.csv``, ``event-ids.csv``)
--------------------------------------------------------------------
* UTF-8 without byte-order mark, LF line ends, comma separator, a header row.
* A value is double-quoted only when it must be: it holds a comma, a double quote, a line
  feed or a carriage return (``"`` inside is doubled). ACLED's own export quotes every value
  that holds a space; both read the same in every CSV reader.
* An empty cell is an empty text (``assoc_actor_1`` of an event without associated actors);
  the release tables have no missing values otherwise.
* **Spreadsheet safety.** A text cell whose value starts with ``=``, ``+``, ``-``, ``@``, a
  tab or a carriage return would run as a formula when the CSV is opened in a spreadsheet.
  In the CSV files only, such a value is written with a single quote ``'`` in front; so that
  the change can always be undone, a value that itself starts with ``'`` gets one too.
  Reading a release CSV back (``load_release``, ``acled-import``) removes exactly one leading
  ``'`` from every text cell. Numbers (``latitude`` -7.98, ``fatalities``) are never touched.
  JSONL and Parquet files keep the exact values.
* List columns: ``source_ids`` and ``sentence_ids`` are joined with ``"; "`` (ids never hold
  it); ``evidence_quotes`` is a JSON array of the quotes, because a quote may hold any text.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import polars as pl

from sahelevents.models import ACLED_COLUMNS, EventRecord

#: Characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection"),
#: plus the quote that marks a neutralised cell (so the marking is reversible).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
NEUTRALISER = "'"
_NEEDS_NEUTRALISING = r"^[=+\-@\t\r']"

LIST_SEPARATOR = "; "

EVIDENCE_STRUCT = pl.Struct({
    "doc": pl.String, "sentence": pl.String, "start": pl.Int64, "end": pl.Int64,
    "quote": pl.String, "source_sha256": pl.String,
})

_INTEGER_COLUMNS = ("year", "time_precision", "iso", "geo_precision", "fatalities", "timestamp")
_FLOAT_COLUMNS = ("latitude", "longitude")


def _acled_dtype(column: str) -> pl.DataType:
    if column == "event_date":
        return pl.Date()
    if column in _INTEGER_COLUMNS:
        return pl.Int64()
    if column in _FLOAT_COLUMNS:
        return pl.Float64()
    return pl.String()


#: Every column of a full event record (``events.parquet``, ``events.jsonl``), in the order
#: of :class:`sahelevents.models.EventRecord`. ``event_date`` is a date in Parquet and in
#: frames, and ``YYYY-MM-DD`` text in JSONL and CSV.
EVENT_SCHEMA: dict[str, pl.DataType] = {
    **{column: _acled_dtype(column) for column in ACLED_COLUMNS},
    "source_ids": pl.List(pl.String),
    "sentence_ids": pl.List(pl.String),
    "evidence": pl.List(EVIDENCE_STRUCT),
    "annotation_refs": pl.List(pl.String),
    "changed_fields": pl.List(pl.String),
    "codebook_version": pl.String(),
}
assert tuple(EVENT_SCHEMA) == tuple(EventRecord.model_fields), "EVENT_SCHEMA drifted"

PROVENANCE_CSV_COLUMNS = ("source_ids", "sentence_ids", "evidence_quotes")
#: The columns of ``events.csv``: ACLED's 31, then provenance.
EVENT_CSV_COLUMNS: tuple[str, ...] = (*ACLED_COLUMNS, *PROVENANCE_CSV_COLUMNS)
#: ``events.csv`` as a frame (what ``load_release`` returns for that file).
EVENT_CSV_SCHEMA: dict[str, pl.DataType] = {
    **{column: EVENT_SCHEMA[column] for column in ACLED_COLUMNS},
    "source_ids": pl.List(pl.String),
    "sentence_ids": pl.List(pl.String),
    "evidence_quotes": pl.List(pl.String),
}

SOURCE_SCHEMA: dict[str, pl.DataType] = {
    "source_id": pl.String(), "outlet": pl.String(), "title": pl.String(), "url": pl.String(),
    "published": pl.String(), "published_precision": pl.String(),
    "published_note": pl.String(), "source_scale": pl.String(), "country": pl.String(),
    "language": pl.String(), "file": pl.String(), "sha256": pl.String(),
    "events": pl.Int64(),
}

SENTENCE_SCHEMA: dict[str, pl.DataType] = {
    "id": pl.String(), "doc": pl.String(), "start": pl.Int64(), "end": pl.Int64(),
    "text": pl.String(), "kind": pl.String(),
}

EVENT_ID_SCHEMA: dict[str, pl.DataType] = {
    "event_id": pl.String(), "ref": pl.String(), "status": pl.String(),
    "release": pl.String(),
}


# -- Spreadsheet safety ---------------------------------------------------------------------


def neutralise(value: str) -> str:
    """The CSV form of one text cell (see the module docstring)."""
    if value and (value[0] in FORMULA_TRIGGERS or value[0] == NEUTRALISER):
        return NEUTRALISER + value
    return value


def restore(value: str) -> str:
    """Undo :func:`neutralise`."""
    return value[1:] if value.startswith(NEUTRALISER) else value


def _neutralise_expr(column: str) -> pl.Expr:
    col = pl.col(column)
    return (pl.when(col.str.contains(_NEEDS_NEUTRALISING)).then(pl.lit(NEUTRALISER) + col)
            .otherwise(col).alias(column))


def _restore_expr(column: str) -> pl.Expr:
    col = pl.col(column)
    return (pl.when(col.str.starts_with(NEUTRALISER)).then(col.str.slice(1))
            .otherwise(col).alias(column))


# -- Writing --------------------------------------------------------------------------------


def _json_string_list(column: pl.Expr) -> pl.Expr:
    """A list[str] column as JSON array text, using polars' own JSON encoder (fast)."""
    encoded = pl.struct(column.alias("v")).struct.json_encode()
    return encoded.str.strip_prefix('{"v":').str.strip_suffix("}")


def _unsigned_zero(column: str) -> pl.Expr:
    """-0.0 would be written "-0.0"; a coordinate has no sign at zero."""
    col = pl.col(column)
    return pl.when(col == 0.0).then(pl.lit(0.0)).otherwise(col).alias(column)


def events_csv_frame(events: pl.DataFrame) -> pl.DataFrame:
    """The ``events.csv`` columns of a full event frame (lists still lists)."""
    return events.select(
        *[pl.col(column) for column in ACLED_COLUMNS],
        pl.col("source_ids"), pl.col("sentence_ids"),
        pl.col("evidence").list.eval(pl.element().struct.field("quote"))
        .alias("evidence_quotes"),
    )


def write_csv(frame: pl.DataFrame, path: Path) -> None:
    """Write ``frame`` with the release CSV conventions (module docstring)."""
    text_columns = []
    expressions = []
    for name, dtype in frame.schema.items():
        if isinstance(dtype, pl.List):
            if name == "evidence_quotes":
                expressions.append(_json_string_list(pl.col(name)).alias(name))
            else:
                expressions.append(pl.col(name).list.join(LIST_SEPARATOR).alias(name))
            text_columns.append(name)
        elif dtype == pl.String:
            expressions.append(pl.col(name))
            text_columns.append(name)
        elif dtype == pl.Float64:
            expressions.append(_unsigned_zero(name))
        else:
            expressions.append(pl.col(name))
    out = frame.select(expressions).with_columns(
        [_neutralise_expr(name) for name in text_columns])
    # Empty text is written as an empty cell (polars writes null as empty and "" as '""').
    out = out.with_columns([
        pl.when(pl.col(name) == "").then(None).otherwise(pl.col(name)).alias(name)
        for name in text_columns])
    out.write_csv(path, include_header=True, separator=",", line_terminator="\n",
                  quote_char='"', quote_style="necessary", date_format="%Y-%m-%d",
                  include_bom=False)


def write_jsonl(frame: pl.DataFrame, path: Path) -> None:
    """One JSON object per line, keys in column order, UTF-8 (non-ASCII kept as is)."""
    out = frame.with_columns([_unsigned_zero(name) for name, dtype in frame.schema.items()
                              if dtype == pl.Float64])
    out.write_ndjson(path)


#: Rows per row group of ``events.parquet``: readers skip a group at a time by its statistics.
ROW_GROUP_ROWS = 100_000


def in_row_groups(column: pl.Series, order: pl.Series | None = None) -> pl.Series:
    """``column`` (gathered by the positions ``order`` when given) as chunks of
    ``ROW_GROUP_ROWS`` rows, each holding only its own values.

    Polars' Parquet writer cuts a frame into row groups by slicing it, and a slice of a
    nested column still carries all of the column's values into the writer: writing the
    1,000,000 rows of ``events.parquet`` took 1.24 GB above the frame for its ``evidence``
    column (a list of structs) alone. Written from chunks made here, that column took 0.19
    GB, and the file is smaller (pages hold only their group's values). Frames of one
    group are written exactly as before.
    """
    if order is None:
        if len(column) <= ROW_GROUP_ROWS:
            return column  # one group: nothing is cut
        order = pl.int_range(0, len(column), dtype=pl.UInt32, eager=True)
    if len(order) <= ROW_GROUP_ROWS:
        return column.gather(order)
    return pl.concat([column.gather(order.slice(start, ROW_GROUP_ROWS))
                      for start in range(0, len(order), ROW_GROUP_ROWS)], rechunk=False)


def write_parquet(frame: pl.DataFrame, path: Path) -> None:
    """Parquet with fixed settings, so equal frames give equal bytes (no timestamps).

    A frame of more than ``ROW_GROUP_ROWS`` rows is best made of chunks by
    :func:`in_row_groups` (see there)."""
    frame.write_parquet(path, compression="zstd", compression_level=3, statistics=True,
                        row_group_size=ROW_GROUP_ROWS)


# -- Reading --------------------------------------------------------------------------------


def read_csv_strings(source: Path | bytes, *, restore_cells: bool) -> pl.DataFrame:
    """Read a CSV with every column as text, empty cells as empty text."""
    data = source.read_bytes() if isinstance(source, Path) else source
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    frame = pl.read_csv(io.BytesIO(data), infer_schema=False, empty_string_is_null=False,
                        quote_char='"', separator=",", has_header=True, raise_if_empty=False)
    if restore_cells:
        frame = frame.with_columns([_restore_expr(name) for name in frame.columns])
    return frame


def typed_from_csv(frame: pl.DataFrame, schema: Mapping[str, pl.DataType]) -> pl.DataFrame:
    """Cast the text columns of a release CSV to ``schema`` (lists split, JSON decoded)."""
    expressions = []
    for name in frame.columns:
        dtype = schema.get(name, pl.String())
        col = pl.col(name)
        if name == "evidence_quotes":
            expressions.append(
                pl.when(col == "").then(pl.lit("[]")).otherwise(col)
                .str.json_decode(pl.List(pl.String)).alias(name))
        elif isinstance(dtype, pl.List):
            expressions.append(
                pl.when(col == "").then(pl.lit([], dtype=dtype))
                .otherwise(col.str.split(LIST_SEPARATOR)).alias(name))
        elif dtype == pl.Date:
            expressions.append(col.str.to_date("%Y-%m-%d", strict=True).alias(name))
        elif dtype != pl.String:
            expressions.append(col.cast(dtype, strict=True).alias(name))
        else:
            expressions.append(col)
    return frame.select(expressions)


def read_release_csv(path: Path, schema: Mapping[str, pl.DataType]) -> pl.DataFrame:
    return typed_from_csv(read_csv_strings(path, restore_cells=True), schema)


def read_events_jsonl(path: Path) -> pl.DataFrame:
    json_schema = {**EVENT_SCHEMA, "event_date": pl.String()}
    frame = pl.read_ndjson(path, schema=json_schema)
    return frame.with_columns(pl.col("event_date").str.to_date("%Y-%m-%d"))


def read_sentences_jsonl(path: Path) -> pl.DataFrame:
    return pl.read_ndjson(path, schema=SENTENCE_SCHEMA)


# -- Records <-> frames ---------------------------------------------------------------------


def records_frame(records: Sequence[EventRecord]) -> pl.DataFrame:
    """A frame of validated records (tests and small inputs; the compiler builds columns)."""
    columns: dict[str, list[Any]] = {name: [] for name in EVENT_SCHEMA}
    for record in records:
        data = record.model_dump(mode="python")
        for name in EVENT_SCHEMA:
            columns[name].append(data[name])
    columns["event_date"] = [_date(value) for value in columns["event_date"]]
    return pl.DataFrame(columns, schema=EVENT_SCHEMA)


def _date(text: str) -> Any:
    import datetime as dt

    return dt.date.fromisoformat(text)


def frame_records(frame: pl.DataFrame) -> list[EventRecord]:
    """Full event frame -> validated records (the reverse of :func:`records_frame`)."""
    out = []
    for row in frame.iter_rows(named=True):
        row["event_date"] = row["event_date"].isoformat()
        out.append(EventRecord.model_validate(row))
    return out


def csv_projection(record: EventRecord) -> dict[str, Any]:
    """What ``events.csv`` holds of one record, typed as ``load_release`` returns it."""
    data = record.model_dump(mode="python")
    out = {column: data[column] for column in ACLED_COLUMNS}
    out["source_ids"] = list(record.source_ids)
    out["sentence_ids"] = list(record.sentence_ids)
    out["evidence_quotes"] = [e.quote for e in record.evidence]
    return out


def json_line(data: Mapping[str, Any]) -> str:
    """One JSONL line as Python writes it (for small tables written outside polars)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


# -- What each column means (Table Schemas in datapackage.json, docs/release-format.md) -----

EVENT_COLUMN_DOCS: dict[str, str] = {
    "event_id_cnty": "Event id: the country's prefix and a number (MLI12); stable across "
                     "releases, never reused.",
    "event_date": "Day of the event, YYYY-MM-DD.",
    "year": "Year of event_date.",
    "time_precision": "1 exact day, 2 week known (middle day), 3 month known (middle day).",
    "disorder_type": "Political violence, Demonstrations, Strategic developments, or "
                     "'Political violence; Demonstrations'.",
    "event_type": "ACLED event type.",
    "sub_event_type": "ACLED sub-event type.",
    "actor1": "Main actor (the perpetrator in Violence against civilians).",
    "assoc_actor_1": "Actors associated with actor1, '; '-separated.",
    "inter1": "Type of actor1 (State forces, Rebel group, ...).",
    "actor2": "Other actor; empty for one-sided events.",
    "assoc_actor_2": "Actors associated with actor2, '; '-separated.",
    "inter2": "Type of actor2; empty for one-sided events.",
    "interaction": "The two actor types, lower code first ('State forces-Rebel group'); "
                   "'X only' for one-sided events.",
    "civilian_targeting": "'Civilian targeting' when civilians were the main target, else "
                          "empty.",
    "iso": "ISO 3166 numeric code of the country.",
    "region": "Region of the country (ACLED's regions).",
    "country": "Country of the location.",
    "admin1": "First-level administrative unit.",
    "admin2": "Second-level administrative unit.",
    "admin3": "Third-level administrative unit.",
    "location": "Name of the place, as in the gazetteer.",
    "latitude": "Latitude of the place, WGS 84 (EPSG:4326), 4 decimals.",
    "longitude": "Longitude of the place, WGS 84 (EPSG:4326), 4 decimals.",
    "geo_precision": "1 the named place, 2 near it or a part of a region, 3 a larger region.",
    "source": "Outlets that reported the event, '; '-separated (a document id when the "
              "outlet is not known).",
    "source_scale": "Scales of the sources, '-'-joined (National-International).",
    "notes": "Short description of the event.",
    "fatalities": "Reported fatalities, the most conservative figure; 0 when none or unknown.",
    "tags": "Additional tags, '; '-separated.",
    "timestamp": "Unix time (UTC) of the release in which this event last changed.",
    "source_ids": "Ids of the source documents (sources.csv), '; '-separated.",
    "sentence_ids": "Ids of the cited sentences (sentences.jsonl), '; '-separated.",
    "evidence_quotes": "JSON array of the quoted evidence passages.",
    "evidence": "Evidence spans: document, sentence, start/end offsets in the document text, "
                "quote and the document's sha256.",
    "annotation_refs": "The annotated events merged into this row (<doc>#<local id>).",
    "changed_fields": "Fields a coder changed from the rule-based suggestion.",
    "codebook_version": "Version of the codebook the event was compiled with.",
}

SOURCE_COLUMN_DOCS: dict[str, str] = {
    "source_id": "Document id in the source registry.",
    "outlet": "Newspaper or site, when known.",
    "title": "Title of the article.",
    "url": "Address of the article, when known.",
    "published": "Publication date YYYY-MM-DD (first day of the month/year when only that "
                 "is known).",
    "published_precision": "day, month, year or unknown.",
    "published_note": "How the publication date was established.",
    "source_scale": "ACLED source scale of the outlet.",
    "country": "ISO3 code of the main country the document covers.",
    "language": "Language of the document (ISO 639-1).",
    "file": "File name of the text in the source registry.",
    "sha256": "sha256 of the registered text; offsets of the evidence point into it.",
    "events": "Number of events of this release citing the document (0: coded, no event).",
}

SENTENCE_COLUMN_DOCS: dict[str, str] = {
    "id": "Sentence id <doc>#s<n>.",
    "doc": "Document id.",
    "start": "Offset of the sentence's first character in the document text (code points).",
    "end": "Offset just after its last character.",
    "text": "The sentence, exactly as in the document.",
    "kind": "title, body, heading, dateline, byline, teaser or furniture.",
}

EVENT_ID_COLUMN_DOCS: dict[str, str] = {
    "event_id": "Event id.",
    "ref": "Annotated event <doc>#<local id> the id was given to.",
    "status": "active, or retired (the pair is no longer in use; the id is never reused).",
    "release": "Release in which the pair got its status.",
}
