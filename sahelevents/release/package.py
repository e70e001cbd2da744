"""The descriptive files of a release: datapackage.json, SHA256SUMS, CHANGELOG.md, the
README data card and CITATION.cff.

Everything here is a pure function of the release's content, version and date, so two builds
of the same inputs give the same bytes (no clock, no host name, no absolute path).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from sahelevents.codebook import Codebook
from sahelevents.models import SourceDocument
from sahelevents.release.diff import ReleaseDiff, compress_ids
from sahelevents.release.tables import (
    EVENT_COLUMN_DOCS,
    EVENT_CSV_COLUMNS,
    EVENT_ID_COLUMN_DOCS,
    EVENT_ID_SCHEMA,
    SENTENCE_COLUMN_DOCS,
    SOURCE_COLUMN_DOCS,
    SOURCE_SCHEMA,
)

DATASET_NAME = "sahelevents-events"
DATASET_TITLE = "Sahel political violence events coded from French-language news"
LICENSE = {"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0 International",
           "path": "https://creativecommons.org/licenses/by/4.0/"}
DATAPACKAGE_PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
SUMS_FILE = "SHA256SUMS"
DESCRIPTOR_FILE = "datapackage.json"
MAIN_FILES = ("events.csv", "events.jsonl", "events.parquet", "sources.csv",
              "sentences.jsonl", "event-ids.csv")

_FORMATS = {  # suffix -> (format, mediatype)
    ".csv": ("csv", "text/csv"),
    ".jsonl": ("jsonl", "application/jsonl"),
    ".parquet": ("parquet", "application/vnd.apache.parquet"),
    ".json": ("json", "application/json"),
    ".yaml": ("yaml", "application/yaml"),
    ".md": ("md", "text/markdown"),
    ".cff": ("cff", "application/yaml"),
}


@dataclass(frozen=True)
class ReleaseInfo:
    """What the descriptive files say about a release besides its tables."""

    version: str
    date: dt.date
    timestamp: int
    date_origin: str
    previous: str | None
    coders: Sequence[str]
    codebook: Codebook


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def release_files(folder: Path, *, exclude: Iterable[str] = ()) -> list[str]:
    """Every file of ``folder`` as a POSIX path relative to it, sorted."""
    skipped = set(exclude)
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                  if p.is_file() and p.relative_to(folder).as_posix() not in skipped)


def write_checksums(folder: Path) -> None:
    """``SHA256SUMS`` in ``sha256sum -c`` format, sorted by path, every file but itself."""
    lines = [f"{sha256_file(folder / name)}  {name}\n"
             for name in release_files(folder, exclude=[SUMS_FILE])]
    (folder / SUMS_FILE).write_text("".join(lines), encoding="utf-8", newline="\n")


# -- datapackage.json -----------------------------------------------------------------------


def _field(name: str, kind: str, description: str, **constraints: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"name": name, "type": kind, "description": description}
    if kind == "date":
        out["format"] = "%Y-%m-%d"
    if constraints:
        out["constraints"] = constraints
    return out


_REQUIRED_EVENT_COLUMNS = frozenset({
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "inter1", "interaction", "iso", "region", "country",
    "location", "latitude", "longitude", "geo_precision", "fatalities", "timestamp",
    "source_ids", "sentence_ids",
})


def events_table_schema(codebook: Codebook) -> dict[str, Any]:
    inter_labels = [codebook.inter_labels[k] for k in sorted(codebook.inter_labels)]
    enums: dict[str, list[Any]] = {
        "event_type": list(codebook.event_types),
        "sub_event_type": list(codebook.sub_event_types),
        "disorder_type": sorted({s.disorder_type for _, s in
                                 codebook.sub_event_types.values()}),
        "inter1": inter_labels, "inter2": inter_labels,
        "civilian_targeting": ["Civilian targeting"],
        "time_precision": [1, 2, 3], "geo_precision": [1, 2, 3],
    }
    kinds = {"event_date": "date", "year": "integer", "time_precision": "integer",
             "iso": "integer", "geo_precision": "integer", "fatalities": "integer",
             "timestamp": "integer", "latitude": "number", "longitude": "number",
             "evidence_quotes": "array"}
    fields = []
    for name in EVENT_CSV_COLUMNS:
        constraints: dict[str, Any] = {}
        if name in _REQUIRED_EVENT_COLUMNS:
            constraints["required"] = True
        if name in enums:
            constraints["enum"] = enums[name]
        if name == "event_id_cnty":
            constraints.update(unique=True, pattern="[A-Z]{3}[1-9][0-9]*")
        if name == "fatalities":
            constraints["minimum"] = 0
        if name == "latitude":
            constraints.update(minimum=-90, maximum=90)
        if name == "longitude":
            constraints.update(minimum=-180, maximum=180)
        fields.append(_field(name, kinds.get(name, "string"), EVENT_COLUMN_DOCS[name],
                             **constraints))
    return {"fields": fields, "primaryKey": ["event_id_cnty"], "missingValues": [""]}


def _simple_schema(columns: dict[str, pl.DataType], docs: dict[str, str],
                   key: list[str], required: Iterable[str]) -> dict[str, Any]:
    needed = set(required)
    fields = []
    for name, dtype in columns.items():
        kind = "integer" if dtype == pl.Int64 else "string"
        fields.append(_field(name, kind, docs[name],
                             **({"required": True} if name in needed else {})))
    return {"fields": fields, "primaryKey": key, "missingValues": [""]}


def _resource(folder: Path, path: str, codebook: Codebook) -> dict[str, Any]:
    file = folder / path
    suffix = Path(path).suffix
    kind, mediatype = _FORMATS.get(suffix, ("", "application/octet-stream"))
    stem = Path(path).stem
    name = (stem if path in ("events.csv", "sources.csv", "event-ids.csv", "sentences.jsonl")
            else path.replace("/", "-").replace(".", "-").replace("_", "-").lower())
    resource: dict[str, Any] = {"name": name, "path": path}
    if path == "events.csv":
        resource.update(type="table", title="Events (ACLED columns and provenance)",
                        schema=events_table_schema(codebook))
    elif path == "sources.csv":
        resource.update(type="table", title="Coded source documents",
                        schema=_simple_schema(SOURCE_SCHEMA, SOURCE_COLUMN_DOCS, ["source_id"],
                                              ["source_id", "sha256", "events"]))
    elif path == "event-ids.csv":
        resource.update(type="table", title="Event id ledger",
                        schema=_simple_schema(EVENT_ID_SCHEMA, EVENT_ID_COLUMN_DOCS,
                                              ["event_id", "ref"], EVENT_ID_SCHEMA))
    else:
        # JSONL, Parquet and documents are checked by size and hash only.
        resource["type"] = "file"
        if path == "sentences.jsonl":
            resource["description"] = "Every cited sentence: " + "; ".join(
                f"{k}: {v}" for k, v in SENTENCE_COLUMN_DOCS.items())
        elif path in ("events.jsonl", "events.parquet"):
            resource["description"] = ("Every event with all its columns, including the "
                                       "evidence spans (offsets into the source texts).")
    if kind:
        resource["format"] = kind
    resource["mediatype"] = mediatype
    if suffix != ".parquet":
        resource["encoding"] = "utf-8"
    if suffix == ".csv":
        resource["dialect"] = {"header": True, "delimiter": ",", "lineTerminator": "\n",
                               "quoteChar": '"', "doubleQuote": True}
    resource["bytes"] = file.stat().st_size
    resource["hash"] = f"sha256:{sha256_file(file)}"
    return resource


def write_datapackage(folder: Path, info: ReleaseInfo, documents: Sequence[SourceDocument],
                      event_count: int) -> None:
    """Frictionless Data Package v2 descriptor of every file but itself and SHA256SUMS."""
    paths = release_files(folder, exclude=[DESCRIPTOR_FILE, SUMS_FILE])
    ordered = [p for p in MAIN_FILES if p in paths] + [p for p in paths if p not in MAIN_FILES]
    created = dt.datetime.fromtimestamp(info.timestamp, dt.UTC)
    package: dict[str, Any] = {
        "$schema": DATAPACKAGE_PROFILE,
        "name": DATASET_NAME,
        "title": DATASET_TITLE,
        "description": (f"{event_count} political violence, demonstration and strategic "
                        "development events in the Sahel, coded from French-language news "
                        f"following ACLED's codebook (sahelevents codebook "
                        f"{info.codebook.version}); every value traces back to the sentence "
                        "it came from."),
        "version": info.version,
        "created": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "licenses": [LICENSE],
        "keywords": ["ACLED", "political violence", "conflict events", "Sahel", "Mali",
                     "Burkina Faso", "Niger", "French news"],
        "contributors": [{"title": coder, "roles": ["creator"]} for coder in info.coders],
        "sources": [_source(d) for d in documents],
        "resources": [_resource(folder, path, info.codebook) for path in ordered],
    }
    text = json.dumps(package, indent=2, ensure_ascii=False) + "\n"
    (folder / DESCRIPTOR_FILE).write_text(text, encoding="utf-8", newline="\n")


def _source(document: SourceDocument) -> dict[str, Any]:
    out: dict[str, Any] = {"title": document.title or document.id}
    if document.url:
        out["path"] = document.url
    out["version"] = f"sha256:{document.sha256}"
    return out


def read_created(folder: Path) -> int | None:
    """The release timestamp recorded in ``datapackage.json`` (for rebuilding a release)."""
    try:
        package = json.loads((folder / DESCRIPTOR_FILE).read_text(encoding="utf-8"))
        created = dt.datetime.strptime(package["created"], "%Y-%m-%dT%H:%M:%SZ")
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return int(created.replace(tzinfo=dt.UTC).timestamp())


# -- CHANGELOG.md ---------------------------------------------------------------------------

CHANGELOG_HEADER = (
    "# Changelog\n\n"
    "Event-level changes between releases of this dataset, newest first. Events are named by\n"
    "their `event_id_cnty`; an id is never reused. *Changed* lists the columns that differ\n"
    "from the previous release (`timestamp` aside). Generated by `sahelevents release`.\n")


def render_changelog(info: ReleaseInfo, diff: ReleaseDiff, total: int,
                     previous_changelog: str | None) -> str:
    lines = [CHANGELOG_HEADER, f"## {info.version} ({info.date.isoformat()})", ""]
    if info.previous is None:
        lines.append(f"First release: {total} events.")
    else:
        lines.append(f"Compared with {info.previous}: {len(diff.added)} added, "
                     f"{len(diff.changed)} changed, {len(diff.removed)} removed; "
                     f"{total} events in all.")
    for title, ids in (("Added", diff.added), ("Removed", diff.removed)):
        if ids:
            lines += ["", f"### {title} ({len(ids)})", "", ", ".join(compress_ids(ids))]
    if diff.changed:
        lines += ["", f"### Changed ({len(diff.changed)})", ""]
        lines += [f"- {event_id}: {', '.join(fields)}"
                  for event_id, fields in diff.changed.items()]
    body = "\n".join(lines) + "\n"
    if previous_changelog:
        start = previous_changelog.find("\n## ")
        if start >= 0:
            body += previous_changelog[start:]
    return body


# -- README.md data card --------------------------------------------------------------------


def _table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    for row in rows:
        out.append("| " + " | ".join(str(v) for v in row) + " |")
    return out


def _counts(events: pl.DataFrame, by: str) -> list[tuple[Any, int, int]]:
    if events.is_empty():
        return []
    grouped = (events.group_by(by).agg(pl.len().alias("n"), pl.col("fatalities").sum()
                                       .alias("f")).sort(["n", by], descending=[True, False]))
    return [(row[0], row[1], row[2]) for row in grouped.iter_rows()]


def render_readme(info: ReleaseInfo, events: pl.DataFrame, sources: pl.DataFrame,
                  citation: str) -> str:
    n = events.height
    fatalities = int(events["fatalities"].sum()) if n else 0
    cited = sources.filter(pl.col("events") > 0)
    published = [p for p in sources["published"].to_list() if p]
    first = str(events["event_date"].min()) if n else ""
    last = str(events["event_date"].max()) if n else ""
    imprecise_time = events.filter(pl.col("time_precision") > 1).height if n else 0
    imprecise_place = events.filter(pl.col("geo_precision") > 1).height if n else 0
    merged = events.filter(pl.col("annotation_refs").list.len() > 1).height if n else 0
    v = info.version
    lines = [
        f"# {DATASET_TITLE} - release {v}",
        "",
        f"Release {v} of {info.date.isoformat()}: **{n} events** and **{fatalities} reported "
        f"fatalities**, coded by people (with rule-based suggestions) from French-language "
        "news about the Sahel, following ACLED's event taxonomy and export format "
        f"(sahelevents codebook {info.codebook.version}). Every value traces back to the "
        "sentence of the article it came from.",
        "",
        "## Files",
        "",
        *_table(["file", "content"], [
            ("`events.csv`", "one row per event: ACLED's 31 columns in ACLED's order, then "
                             "`source_ids`, `sentence_ids`, `evidence_quotes`"),
            ("`events.jsonl`", "the same events with every column, including the evidence "
                               "spans (document, sentence, offsets, quote, document sha256)"),
            ("`events.parquet`", "the same as `events.jsonl`, typed (nested evidence)"),
            ("`sources.csv`", "the coded documents, with their registry metadata and sha256"),
            ("`sentences.jsonl`", "every cited sentence, with its offsets in its document"),
            ("`event-ids.csv`", "the id ledger: which annotated events each id stands for"),
            ("`codebook/`, `schema/`", "the codebook and JSON Schemas the release was made "
                                       "with"),
            ("`datapackage.json`", "Frictionless Data Package v2 descriptor (Table Schemas, "
                                   "sizes, sha256)"),
            ("`SHA256SUMS`", "checksums: `sha256sum -c SHA256SUMS`"),
            ("`CHANGELOG.md`", "event ids added, changed and removed, release by release"),
        ]),
        "",
        "## Counts",
        "",
        "By event type:",
        "",
        *_table(["event type", "events", "fatalities"], _counts(events, "event_type")),
        "",
        "By country:",
        "",
        *_table(["country", "events", "fatalities"], _counts(events, "country")),
        "",
        "By year:",
        "",
        *_table(["year", "events", "fatalities"],
                sorted(_counts(events, "year"), key=lambda r: r[0])),
        "",
        "## Coverage",
        "",
        f"- Documents coded: {sources.height}; {cited.height} of them report at least one "
        f"event{' (the others report none: diplomacy, statements ...)' if cited.height < sources.height else ''}.",  # noqa: E501
        f"- Publication dates of the documents: "
        f"{(min(published) + ' to ' + max(published)) if published else 'unknown'}.",
        f"- Event dates: {f'{first} to {last}' if n else 'none'}.",
        f"- Events reported by several documents (merged into one row): {merged}.",
        "",
        "## Known limits",
        "",
        "- Coverage is that of the coded articles, not of all events: a region or month "
        "without articles has no events here, which does not mean nothing happened.",
        "- Fatalities are the most conservative figure reported; reports are often revised "
        "later. 0 means none reported or unknown.",
        f"- {imprecise_time} events are dated to the week or month only (time_precision 2 "
        f"or 3), {imprecise_place} are placed near a town or in a region (geo_precision 2 "
        "or 3); their coordinates are those of the town or region used.",
        "- Places come from an offline gazetteer (GeoNames towns and curated entries); "
        "admin names follow ACLED's pre-reform units.",
        "- Actor names follow ACLED's conventions, including its dated labels of state "
        "forces; new actors may be declared by coders and are not in ACLED's list.",
        "- `event_date` is written YYYY-MM-DD (ACLED's API and codebook form); ACLED's "
        "export tool writes \"01 March 2023\".",
        "- `timestamp` is the release date of the release in which the event last "
        "changed, not an upload time.",
        "- `sentences.jsonl` and the evidence columns quote short passages of the "
        "articles for provenance; the articles themselves are not redistributed.",
        "",
        "## How to cite",
        "",
        citation,
        "",
        "`CITATION.cff` holds the same in machine-readable form.",
        "",
        "## How to load",
        "",
        "Python (polars, or `sahelevents.load_release`):",
        "",
        "```python",
        "import polars as pl",
        'events = pl.read_parquet("events.parquet")',
        "# from the CSV: empty cells are empty text (polars 1.x: "
        "missing_utf8_is_empty_string=True)",
        'events = pl.read_csv("events.csv", empty_string_is_null=False, try_parse_dates=True)',
        "",
        "import sahelevents",
        'events = sahelevents.load_release(".")  # typed; CSV cells restored exactly',
        "```",
        "",
        "pandas:",
        "",
        "```python",
        "import pandas as pd",
        'events = pd.read_csv("events.csv", keep_default_na=False, na_values=[],',
        '                     parse_dates=["event_date"])',
        'events = pd.read_parquet("events.parquet")',
        "```",
        "",
        "DuckDB (empty CSV cells read as NULL):",
        "",
        "```sql",
        "SELECT country, count(*) AS events, sum(fatalities) AS fatalities",
        "FROM read_csv('events.csv') GROUP BY country ORDER BY events DESC;",
        "-- one row per evidence span, from the Parquet file",
        "SELECT event_id_cnty, e.sentence, e.quote",
        "FROM 'events.parquet', unnest(evidence) AS t(e);",
        "```",
        "",
        "R:",
        "",
        "```r",
        'events <- read.csv("events.csv", fileEncoding = "UTF-8", na.strings = character(0))',
        '# or: events <- readr::read_csv("events.csv", na = character())',
        '# or: events <- arrow::read_parquet("events.parquet")',
        "```",
        "",
        "In `events.csv`, a text cell that starts with `=`, `+`, `-`, `@`, a tab, a carriage "
        "return or `'` is written with one `'` in front, so that no spreadsheet runs it as a "
        "formula; remove that first `'` to get the exact value (`load_release` does). "
        "`events.jsonl` and `events.parquet` hold the exact values.",
        "",
    ]
    return "\n".join(lines)


def citation_text(info: ReleaseInfo) -> str:
    authors = ", ".join(info.coders) if info.coders else "sahelevents contributors"
    return (f"{authors} ({info.date.year}). *{DATASET_TITLE}* (version {info.version}) "
            f"[data set]. Released {info.date.isoformat()}. Licence CC BY 4.0.")


def _yaml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted one


def render_citation(info: ReleaseInfo) -> str:
    authors = info.coders or ["sahelevents contributors"]
    lines = [
        "cff-version: 1.2.0",
        'message: "If you use this data set, please cite it as below."',
        "type: dataset",
        f"title: {_yaml_string(DATASET_TITLE)}",
        f"version: {_yaml_string(info.version)}",
        f"date-released: {_yaml_string(info.date.isoformat())}",
        "license: CC-BY-4.0",
        "authors:",
        *[f"  - name: {_yaml_string(a)}" for a in authors],
        "keywords:",
        *[f"  - {_yaml_string(k)}" for k in ("ACLED", "political violence", "Sahel",
                                              "event data", "French news")],
        f"abstract: {_yaml_string('Political violence, demonstration and strategic development events in the Sahel, coded from French-language news following ACLED conventions, with sentence-level provenance.')}",  # noqa: E501
    ]
    return "\n".join(lines) + "\n"
