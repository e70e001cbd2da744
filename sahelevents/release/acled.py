"""Read ACLED exports into the project's event records and check each row by the codebook.

Layouts read (detected from the header):

* **current** (API v4, 2023-): the 31 columns of ``models.ACLED_COLUMNS``; ``inter1``,
  ``inter2`` and ``interaction`` as text (``State forces``, ``State forces-Rebel group``)
  or as numeric codes (``1``, ``0``, ``12``); dates ``2023-03-01`` or ``01 March 2023``.
  A sahelevents release CSV is this layout plus the provenance columns; its
  spreadsheet-safety quotes are removed, so it reads back without loss.
* **2019-2022**: ``data_id, iso, event_id_cnty, event_id_no_cnty, ...`` and ``iso3``; no
  ``disorder_type``, ``civilian_targeting`` or ``tags`` (the first is derived from the
  sub-event type, the others are left empty).
* **monadic** exports of either layout: one row per actor and no ``actor2`` block. The two
  rows of a dyadic event (same ``event_id_cnty``) are merged back into one record, the
  second row's actor becoming ``actor2``.
* Legacy 2019 exports without ``sub_event_type`` are read, but every row is reported: their
  event types are not ACLED's current ones.

Each row is checked against the codebook: event and sub-event types, disorder type, inter
codes and interaction, precisions 1-3, fatalities >= 0, the country (known, with matching
``iso``/``iso3`` and region), coordinates, and the year of the date. Rows that do not conform
are reported with their row number (the header is row 1, as in a spreadsheet) and column;
the records returned are the conforming rows.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from sahelevents.codebook import Codebook
from sahelevents.issues import DataError
from sahelevents.models import ACLED_COLUMNS
from sahelevents.release.tables import (
    LIST_SEPARATOR,
    PROVENANCE_CSV_COLUMNS,
    read_csv_strings,
)

REQUIRED_COLUMNS = ("event_id_cnty", "event_date", "event_type", "actor1", "inter1",
                    "country", "location", "latitude", "longitude", "fatalities")
CIVILIAN_TARGETING = "Civilian targeting"
_CIVILIAN_TARGETING_FORMS = {"civilian targeting": CIVILIAN_TARGETING,
                             "civilians targeted": CIVILIAN_TARGETING}
_MONTHS = {name.lower(): number for number, names in enumerate((
    ("January", "Jan"), ("February", "Feb"), ("March", "Mar"), ("April", "Apr"),
    ("May", "May"), ("June", "Jun"), ("July", "Jul"), ("August", "Aug"),
    ("September", "Sep", "Sept"), ("October", "Oct"), ("November", "Nov"),
    ("December", "Dec")), start=1) for name in names}
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_TEXT_DATE = re.compile(r"^(\d{1,2})[ -]([A-Za-z]+)\.?[ -](\d{4}|\d{2})$")
#: Two-digit years (``16-Feb-21``, as spreadsheets re-save ACLED exports): ACLED starts in
#: 1997, so 90-99 are 1990s and 00-89 are 2000s.
_CENTURY_PIVOT = 90


@dataclass(frozen=True, slots=True)
class RowProblem:
    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    file: str
    layout: str
    inter_form: str
    rows: int
    records: list[dict[str, Any]] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def bad_rows(self) -> list[int]:
        return sorted({p.row for p in self.problems})

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "layout": self.layout, "inter_form": self.inter_form,
                "rows": self.rows, "events": len(self.records),
                "rows_not_conforming": len(self.bad_rows),
                "problems": [asdict(p) for p in self.problems]}


def parse_date(text: str) -> str | None:
    """``2023-03-01``, ``01 March 2023``, ``16-Feb-21`` -> ISO ``YYYY-MM-DD`` (None if not)."""
    import datetime as dt

    text = text.strip()
    match = _ISO_DATE.match(text)
    if match:
        parts = (int(match.group(1)), int(match.group(2)), int(match.group(3)))
    else:
        match = _TEXT_DATE.match(text)
        month = _MONTHS.get(match.group(2).lower()) if match else None
        if match is None or month is None:
            return None
        year = int(match.group(3))
        if len(match.group(3)) == 2:
            year += 1900 if year >= _CENTURY_PIVOT else 2000
        parts = (year, month, int(match.group(1)))
    try:
        return dt.date(*parts).isoformat()
    except ValueError:
        return None


class _Row:
    """One CSV row being converted: typed getters that record problems."""

    def __init__(self, number: int, values: dict[str, str], problems: list[RowProblem]) -> None:
        self.number = number
        self.values = values
        self.problems = problems
        self.ok = True

    def problem(self, column: str, message: str) -> None:
        self.ok = False
        self.problems.append(RowProblem(self.number, column, message))

    def text(self, column: str, *, required: bool = False) -> str:
        value = self.values.get(column, "")
        if required and not value.strip():
            self.problem(column, "is empty")
        return value

    def integer(self, column: str, low: int | None = None, high: int | None = None,
                *, default: int | None = None) -> int | None:
        raw = self.values.get(column)
        if raw is None or raw.strip() == "":
            if default is not None:
                return default
            self.problem(column, "is empty")
            return None
        try:
            number = int(float(raw)) if re.fullmatch(r"-?\d+\.0*", raw.strip()) else int(raw)
        except ValueError:
            self.problem(column, f"{raw!r} is not a whole number")
            return None
        if (low is not None and number < low) or (high is not None and number > high):
            bounds = f"{low}..{high}" if high is not None else f">= {low}"
            self.problem(column, f"{number} is out of range ({bounds})")
        return number

    def decimal(self, column: str, low: float, high: float) -> float | None:
        raw = self.values.get(column, "")
        try:
            value = float(raw)
        except ValueError:
            self.problem(column, f"{raw!r} is not a number")
            return None
        if not low <= value <= high:
            self.problem(column, f"{value} is out of range ({low}..{high})")
        return value


class _Converter:
    def __init__(self, codebook: Codebook, columns: list[str]) -> None:
        self.codebook = codebook
        self.columns = set(columns)
        self.labels = codebook.inter_labels
        self.by_label = {label.casefold(): code for code, label in self.labels.items()}
        self.monadic = "actor2" not in self.columns
        self.release_csv = all(c in self.columns for c in PROVENANCE_CSV_COLUMNS)
        self.numeric_inter = 0
        self.text_inter = 0

    def inter(self, row: _Row, column: str, *, optional: bool) -> int | None:
        raw = row.values.get(column, "").strip()
        if raw in ("", "0"):
            if not optional:
                row.problem(column, "is empty; every event has an actor1 type")
            return None
        if raw.isdigit():
            self.numeric_inter += 1
            code = int(raw)
            if code not in self.labels:
                row.problem(column, f"{raw} is not an inter code (1-8)")
                return None
            return code
        self.text_inter += 1
        known = self.by_label.get(raw.casefold())
        if known is None:
            row.problem(column, f"{raw!r} is not an inter label (one of "
                        f"{', '.join(self.labels.values())})")
        return known

    def convert(self, row: _Row) -> dict[str, Any] | None:
        cb = self.codebook
        record: dict[str, Any] = {"event_id_cnty": row.text("event_id_cnty", required=True)}
        written = row.text("event_date", required=True)
        event_date = parse_date(written)
        if event_date is None and written:
            row.problem("event_date", f"{written!r} is not a date (YYYY-MM-DD or "
                        "'01 March 2023')")
        record["event_date"] = event_date
        year: int | None = row.integer("year", default=int(event_date[:4]) if event_date
                                       else 0)
        if event_date and year is not None and year != int(event_date[:4]):
            row.problem("year", f"{year} is not the year of event_date {event_date}")
        record["year"] = year
        record["time_precision"] = row.integer("time_precision", 1, 3)

        event_type = row.text("event_type", required=True)
        if "sub_event_type" not in self.columns:
            row.problem("sub_event_type", "missing column: a pre-2019 export whose event "
                        "types are not ACLED's current ones")
        sub_event_type = row.text("sub_event_type")
        pair = cb.sub_event_types.get(sub_event_type)
        if event_type and event_type not in cb.event_types:
            row.problem("event_type", f"{event_type!r} is not an event type of the codebook")
        elif pair is None and "sub_event_type" in self.columns:
            row.problem("sub_event_type", f"{sub_event_type!r} is not a sub-event type of "
                        "the codebook")
        elif pair is not None and pair[0].name != event_type:
            row.problem("sub_event_type", f"{sub_event_type!r} belongs to {pair[0].name!r}, "
                        f"not {event_type!r}")
        consistent = pair is not None and pair[0].name == event_type
        disorder = pair[1].disorder_type if pair else ""
        if "disorder_type" in self.columns:
            written_disorder = row.text("disorder_type")
            if consistent and written_disorder != disorder:
                row.problem("disorder_type", f"{written_disorder!r} should be {disorder!r} "
                            f"for {sub_event_type!r}")
            disorder = written_disorder
        record.update(disorder_type=disorder, event_type=event_type,
                      sub_event_type=sub_event_type)

        record["actor1"] = row.text("actor1", required=True)
        record["assoc_actor_1"] = row.text("assoc_actor_1")
        inter1 = self.inter(row, "inter1", optional=False)
        record["inter1"] = self.labels.get(inter1 or 0, "")
        record["actor2"] = row.text("actor2")
        record["assoc_actor_2"] = row.text("assoc_actor_2")
        inter2 = self.inter(row, "inter2", optional=True)
        record["inter2"] = self.labels.get(inter2 or 0, "")
        if not self.monadic:
            if record["actor2"] and inter2 is None:
                row.problem("inter2", f"actor2 {record['actor2']!r} has no inter code")
            if not record["actor2"] and inter2 is not None:
                row.problem("inter2", "is set but actor2 is empty")
        record["interaction"] = self._interaction(row, inter1, inter2)
        targeting = row.text("civilian_targeting").strip()
        record["civilian_targeting"] = _CIVILIAN_TARGETING_FORMS.get(targeting.casefold(),
                                                                     targeting)
        if record["civilian_targeting"] not in ("", CIVILIAN_TARGETING):
            row.problem("civilian_targeting", f"{targeting!r} should be "
                        f"{CIVILIAN_TARGETING!r} or empty")

        self._country(row, record)
        for column in ("admin1", "admin2", "admin3"):
            record[column] = row.text(column)
        record["location"] = row.text("location", required=True)
        record["latitude"] = row.decimal("latitude", -90, 90)
        record["longitude"] = row.decimal("longitude", -180, 180)
        record["geo_precision"] = row.integer("geo_precision", 1, 3)
        record["source"] = row.text("source")
        record["source_scale"] = row.text("source_scale")
        record["notes"] = row.text("notes")
        record["fatalities"] = row.integer("fatalities", 0)
        record["tags"] = row.text("tags")
        record["timestamp"] = row.integer("timestamp", 0, default=0)
        record["source_ids"] = _split(row.text("source_ids"))
        record["sentence_ids"] = _split(row.text("sentence_ids"))
        record["evidence_quotes"] = self._quotes(row)
        return record if row.ok else None

    def _interaction(self, row: _Row, inter1: int | None, inter2: int | None) -> str:
        raw = row.text("interaction").strip()
        if inter1 is None:
            return raw
        if self.monadic:
            if raw.isdigit():
                return _numeric_interaction_text(self.codebook, raw) or raw
            return raw
        code, text = self.codebook.interaction(inter1, inter2)
        if raw.isdigit():
            if int(raw) != code:
                row.problem("interaction", f"{raw} does not match inter1/inter2 "
                            f"(expected {code})")
        elif raw != text:
            row.problem("interaction", f"{raw!r} does not match inter1/inter2 "
                        f"(expected {text!r})")
        return text

    def _country(self, row: _Row, record: dict[str, Any]) -> None:
        name = row.text("country", required=True)
        country = self.codebook.country_named(name) if name else None
        record["country"] = name
        record["region"] = row.text("region")
        iso = row.integer("iso", 1, 999)
        record["iso"] = iso
        if name and country is None:
            row.problem("country", f"{name!r} is not a country of the codebook")
            return
        if country is None:
            return
        if iso is not None and iso != country.iso:
            row.problem("iso", f"{iso} is not the ISO code of {country.name} ({country.iso})")
        iso3 = row.values.get("iso3", "").strip()
        if iso3 and iso3 != country.iso3:
            row.problem("iso3", f"{iso3!r} is not the ISO3 code of {country.name}")
        if record["region"] and record["region"] != country.region:
            row.problem("region", f"{record['region']!r} is not the region of {country.name} "
                        f"({country.region!r})")

    def _quotes(self, row: _Row) -> list[str]:
        raw = row.text("evidence_quotes")
        if not raw:
            return []
        try:
            quotes = json.loads(raw)
        except ValueError:
            row.problem("evidence_quotes", "is not a JSON array")
            return []
        if not isinstance(quotes, list) or not all(isinstance(q, str) for q in quotes):
            row.problem("evidence_quotes", "is not a JSON array of texts")
            return []
        return quotes


def _numeric_interaction_text(codebook: Codebook, raw: str) -> str | None:
    number = int(raw)
    low, high = divmod(number, 10)
    if low not in codebook.inter_labels or (high and high not in codebook.inter_labels):
        return None
    return codebook.interaction(low, high or None)[1]


def _split(text: str) -> list[str]:
    return text.split(LIST_SEPARATOR) if text else []


def _layout(columns: list[str], converter: _Converter) -> str:
    if converter.release_csv:
        name = "sahelevents release"
    elif "disorder_type" in columns:
        name = "current"
    elif "sub_event_type" not in columns:
        name = "pre-2019 (no sub_event_type)"
    else:
        name = "2019-2022"
    return f"{name}, monadic" if converter.monadic else name


def _merge_monadic(records: list[tuple[int, dict[str, Any]]],
                   problem: Callable[[int, str, str], None]) -> list[dict[str, Any]]:
    merged: dict[str, dict[str, Any]] = {}
    counts: dict[str, int] = {}
    for number, record in records:
        key = record["event_id_cnty"]
        counts[key] = counts.get(key, 0) + 1
        if key not in merged:
            merged[key] = record
        elif counts[key] == 2:
            first = merged[key]
            first.update(actor2=record["actor1"], assoc_actor_2=record["assoc_actor_1"],
                         inter2=record["inter1"])
        else:
            problem(number, "event_id_cnty", f"{key} has more than two actor rows")
    return list(merged.values())


def import_acled(path: Path, codebook: Codebook) -> ImportResult:
    """Read ``path`` (an ACLED export or a release CSV) and check every row."""
    try:
        raw = path.read_bytes()
        raw.decode("utf-8")
    except OSError as exc:
        raise DataError(f"{path}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not UTF-8 (invalid byte at offset {exc.start}); ACLED "
                        "exports are UTF-8") from None
    try:
        header_only = read_csv_strings(raw, restore_cells=False)
    except pl.exceptions.PolarsError as exc:
        raise DataError(f"{path}: not a readable CSV: {exc}") from None
    columns = header_only.columns
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise DataError(f"{path}: not an ACLED export: no column {', '.join(missing)}")
    converter = _Converter(codebook, columns)
    frame = (read_csv_strings(raw, restore_cells=True) if converter.release_csv
             else header_only)
    problems: list[RowProblem] = []
    converted: list[tuple[int, dict[str, Any]]] = []
    for index, values in enumerate(frame.iter_rows(named=True)):
        row = _Row(index + 2, values, problems)
        record = converter.convert(row)
        if record is not None:
            converted.append((row.number, record))
    if converter.monadic:
        records = _merge_monadic(
            converted, lambda n, c, m: problems.append(RowProblem(n, c, m)))
    else:
        records = [record for _, record in converted]
    inter_form = ("numeric" if converter.numeric_inter and not converter.text_inter
                  else "text" if not converter.numeric_inter else "mixed")
    ordered = {column: None for column in (*ACLED_COLUMNS, *PROVENANCE_CSV_COLUMNS)}
    records = [{**ordered, **record} for record in records]
    problems.sort(key=lambda p: (p.row, p.column))
    return ImportResult(str(path), _layout(columns, converter), inter_form, frame.height,
                        records, problems)


def write_records(records: list[dict[str, Any]], path: Path) -> None:
    """The converted records as JSON lines (one event per line)."""
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
