"""One primary annotation file -> the release rows of its accepted events ("members").

This is the per-file half of compilation: a pure function of the file, its registered
source, the codebook, the gazetteer and the segmenter, so that its output can be cached by
content and computed in parallel (see :mod:`~sahelevents.release.compile` for the
cross-file half: ``same_as`` merging, ids, tables).

Every accepted event gets every release column, derived as if it were alone:

``disorder_type`` (codebook, by sub-event type), ``inter1``/``inter2`` (text labels of the
actors' inter codes, from ``codebook/actors.yaml`` or the file's ``new_actors``),
``interaction`` (codebook rule: lower code first, ``X only`` when one-sided),
``civilian_targeting`` (``Civilian targeting`` or empty), ``iso``/``region``/``country``
(codebook country of the gazetteer place), ``admin1..3``, ``location`` (the gazetteer's
name), ``latitude``/``longitude`` (4 decimals), ``year``, ``source`` (the registry's outlet,
else the document id), ``source_scale`` (the registry's), and the provenance columns:
evidence spans located in the document text, the cited sentences, and the fields a coder
changed from the rules' suggestion. Codebook renames newer than the file's
``codebook_version`` are applied (the validator warns about them).

Rows are accumulated column-wise (no per-row model validation) and turned into one polars
frame per batch of files.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from sahelevents.annotations import LoadedAnnotation, load_annotation
from sahelevents.gazetteer import Place
from sahelevents.issues import DataError
from sahelevents.models import CODED_FIELDS, AnnotatedEvent, NewActor, Rename, SourceDocument
from sahelevents.release.tables import EVENT_SCHEMA, EVIDENCE_STRUCT
from sahelevents.sentences import Sentence
from sahelevents.workspace import Workspace

CIVILIAN_TARGETING = "Civilian targeting"
LIST_SEPARATOR = "; "

SentenceLoader = Callable[[str, str], list[Sentence]]

CITED_FIELDS: dict[str, pl.DataType] = {
    "id": pl.String(), "doc": pl.String(), "index": pl.Int64(), "start": pl.Int64(),
    "end": pl.Int64(), "text": pl.String(), "kind": pl.String()}

#: Columns of a member row: the release columns (no id, no timestamp) and what merging and
#: caching need.
MEMBER_SCHEMA: dict[str, pl.DataType] = {
    "__file": pl.String(),  # cache key of the file
    "__ref": pl.String(),
    "__prefix": pl.String(),
    "__same_as": pl.List(pl.String),
    **{n: t for n, t in EVENT_SCHEMA.items() if n not in ("event_id_cnty", "timestamp")},
}
FILE_SCHEMA: dict[str, pl.DataType] = {
    "__file": pl.String(), "doc": pl.String(), "coders": pl.List(pl.String),
}
SENTENCE_ROW_SCHEMA: dict[str, pl.DataType] = {
    "__file": pl.String(), **CITED_FIELDS,
}

_LIST_COLUMNS = ("__same_as", "source_ids", "sentence_ids", "annotation_refs",
                 "changed_fields")
_EVIDENCE_FIELDS = tuple(EVIDENCE_STRUCT.to_schema())


def renames_after(renames: Sequence[Rename], version: str) -> tuple[Rename, ...]:
    def key(text: str) -> tuple[int, ...]:
        return tuple(int(part) for part in text.split("."))

    return tuple(sorted((r for r in renames if key(r.since) > key(version)),
                        key=lambda r: key(r.since)))


def locate_quote(sentence: Sentence, quote: str | None) -> tuple[int, int]:
    """Document offsets of ``quote`` inside ``sentence`` (the whole sentence if no quote).

    Spacing may differ between the quote and the text (the validator allows it); the span
    returned covers the text as it is, so ``text[start:end]`` is the exact passage.
    """
    if quote is None or not quote.strip():
        return sentence.start, sentence.end
    at = sentence.text.find(quote)
    if at >= 0:
        return sentence.start + at, sentence.start + at + len(quote)
    pattern = r"\s+".join(re.escape(word) for word in quote.split())
    found = re.search(pattern, sentence.text)
    if found is None:
        raise DataError(f"the quote {quote[:60]!r} is not in {sentence.id}; run "
                        "`sahelevents validate`")
    return sentence.start + found.start(), sentence.start + found.end()


def _normalised(value: Any) -> Any:
    if value is None or value == "" or value == [] or value is False:
        return None
    if isinstance(value, list | tuple):
        return tuple(str(v) for v in value)
    return value


def changed_fields(event: AnnotatedEvent) -> list[str]:
    """Fields whose accepted value differs from what the rules suggested.

    A field the rules did not propose counts as changed when the coder filled it in.
    """
    if event.suggested is None:
        return []
    final = event.model_dump(mode="python")
    changed = []
    for name in CODED_FIELDS:
        trace = event.suggested.get(name)  # type: ignore[call-overload]
        proposed = trace.value if trace is not None else None
        if _normalised(proposed) != _normalised(final.get(name)):
            changed.append(name)
    return changed


def unique(values: Iterable[str]) -> list[str]:
    """Distinct non-empty values, first occurrence first."""
    return list(dict.fromkeys(v for v in values if v))


@dataclass
class MemberBatch:
    """Rows of the members of a batch of files, accumulated column-wise."""

    columns: dict[str, list[Any]] = field(
        default_factory=lambda: {name: [] for name in MEMBER_SCHEMA if name != "evidence"})
    evidence: dict[str, list[Any]] = field(
        default_factory=lambda: {name: [] for name in ("__row", *_EVIDENCE_FIELDS)})
    files: dict[str, list[Any]] = field(
        default_factory=lambda: {name: [] for name in FILE_SCHEMA})
    sentences: dict[str, list[Any]] = field(
        default_factory=lambda: {name: [] for name in SENTENCE_ROW_SCHEMA})

    @property
    def count(self) -> int:
        return len(self.columns["__ref"])

    def extend(self, other: MemberBatch) -> None:
        """Append ``other``'s rows (its evidence renumbered to follow this batch's rows)."""
        offset = self.count
        for mine, theirs in ((self.columns, other.columns), (self.files, other.files),
                             (self.sentences, other.sentences)):
            for name, values in theirs.items():
                mine[name].extend(values)
        for name, values in other.evidence.items():
            if name == "__row":
                self.evidence[name].extend(row + offset for row in values)
            else:
                self.evidence[name].extend(values)

    def frames(self) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
        """(members, files, cited sentences) as frames.

        List columns arrive as ``"; "``-joined text split by polars, and the evidence as one
        flat table aggregated per member: building a million nested Python objects into
        polars directly takes minutes and gigabytes.
        """
        flat = {n: v for n, v in self.columns.items() if n not in _LIST_COLUMNS}
        frame = pl.DataFrame(flat, schema={n: MEMBER_SCHEMA[n] for n in flat})
        lists = pl.DataFrame({n: self.columns[n] for n in _LIST_COLUMNS},
                             schema={n: pl.String() for n in _LIST_COLUMNS})
        frame = frame.with_columns(lists.select(
            pl.when(pl.col(n) == "").then(pl.lit([], dtype=pl.List(pl.String)))
            .otherwise(pl.col(n).str.split(LIST_SEPARATOR)).alias(n)
            for n in _LIST_COLUMNS).get_columns())
        evidence = (pl.DataFrame(self.evidence, schema={"__row": pl.Int64(),
                                                        **EVIDENCE_STRUCT.to_schema()})
                    .group_by("__row", maintain_order=True)
                    .agg(pl.struct(*_EVIDENCE_FIELDS).alias("evidence")))
        frame = (frame.with_row_index("__row").with_columns(pl.col("__row").cast(pl.Int64))
                 .join(evidence, on="__row", how="left", maintain_order="left")
                 .with_columns(pl.col("evidence").fill_null(
                     pl.lit([], dtype=pl.List(EVIDENCE_STRUCT))))
                 .drop("__row"))
        members = frame.select(list(MEMBER_SCHEMA)).cast(MEMBER_SCHEMA)  # type: ignore[arg-type]
        files = pl.DataFrame(self.files, schema=FILE_SCHEMA)
        sentences = pl.DataFrame(self.sentences, schema=SENTENCE_ROW_SCHEMA)
        return members, files, sentences


class FileCompiler:
    """Compiles annotation files; memoises per process what many files share."""

    def __init__(self, ws: Workspace, sentence_loader: SentenceLoader | None = None) -> None:
        self.ws = ws
        self.codebook = ws.codebook
        self.sentence_loader = sentence_loader
        self.core = tuple(iso3 for iso3, c in self.codebook.countries.items()
                          if c.scope == "core")
        self._places: dict[tuple[str, str | None], Place] = {}

    def place(self, name: str, country: str | None) -> Place:
        key = (name, country)
        if key not in self._places:
            context = ((country,) if country else ()) + self.core
            found = self.ws.gazetteer.resolve(name, context)
            if found is None:
                raise DataError(f"location {name!r} is not in the gazetteer; run "
                                "`sahelevents validate`")
            self._places[key] = found
        return self._places[key]

    def sentences(self, doc: str) -> dict[str, Sentence]:
        text = self.ws.document(doc).text
        found = (self.sentence_loader(doc, text) if self.sentence_loader is not None
                 else self.ws.sentences(doc))
        return {s.id: s for s in found}

    def compile_file(self, path: Path, key: str, batch: MemberBatch) -> None:
        """Append the file's header and the rows of its accepted events to ``batch``."""
        self.compile_loaded(load_annotation(path, self.ws), key, batch)

    def compile_loaded(self, loaded: LoadedAnnotation, key: str, batch: MemberBatch, *,
                       meta: SourceDocument | None = None,
                       sentences: Mapping[str, Sentence] | None = None) -> None:
        """:meth:`compile_file` of an annotation already read (the validator's).

        ``meta`` and ``sentences`` are the document's registry entry and sentences when the
        caller has them (default: from the workspace and the sentence loader)."""
        model = loaded.model
        if model is None or any(i.severity == "error" for i in loaded.issues):
            raise DataError(f"{loaded.display}: the file does not validate; run "
                            "`sahelevents validate` and fix it before releasing")
        if meta is None:
            meta = self.ws.registry.by_id.get(model.source)
        if meta is None:
            raise DataError(f"{loaded.display}: document {model.source!r} is not registered; "
                            "run `sahelevents validate`")
        batch.files["__file"].append(key)
        batch.files["doc"].append(model.source)
        batch.files["coders"].append(list(model.coders))
        accepted = [e for e in model.events if e.decision == "accepted"]
        if not accepted:
            return
        context = _FileContext(
            doc=model.source, file=loaded.display, key=key, country=meta.country,
            outlet=meta.outlet or meta.id, scale=meta.source_scale or "", sha=meta.sha256,
            declared={a.name: a for a in model.new_actors},
            renames=renames_after(self.codebook.data.renames, model.codebook_version),
            sentences=sentences if sentences is not None else self.sentences(model.source))
        cited: dict[str, Sentence] = {}
        for event in accepted:
            self._add_event(context, event, batch, cited)
        for sentence in sorted(cited.values(), key=lambda s: s.index):
            for name, value in (("__file", key), ("id", sentence.id), ("doc", sentence.doc),
                                ("index", sentence.index), ("start", sentence.start),
                                ("end", sentence.end), ("text", sentence.text),
                                ("kind", sentence.kind)):
                batch.sentences[name].append(value)

    def _inter(self, ctx: _FileContext, ref: str, name: str, day: dt.date) -> int:
        entry = self.codebook.actor_entries.get(name)
        if entry is not None:
            return entry.inter
        declared = ctx.declared.get(name)
        if declared is not None:
            return declared.inter
        resolved = self.codebook.resolve_actor(name, day, ctx.country)
        if resolved is None:
            raise DataError(f"{ctx.file}: {ref}: unknown actor {name!r}; run "
                            "`sahelevents validate`")
        return resolved.inter

    def _add_event(self, ctx: _FileContext, event: AnnotatedEvent, batch: MemberBatch,
                   cited: dict[str, Sentence]) -> None:
        ref = f"{ctx.doc}#{event.id}"

        def required(name: str) -> Any:
            value = getattr(event, name)
            if value is None:
                raise DataError(f"{ctx.file}: {ref} is accepted but has no {name}; run "
                                "`sahelevents validate`")
            return value

        event_date: str = required("event_date")
        try:
            day = dt.date.fromisoformat(event_date)
        except ValueError:
            raise DataError(f"{ctx.file}: {ref}: event_date {event_date!r} is not a real "
                            "date") from None
        sub_event_type = ctx.rename("sub_event_type", required("sub_event_type"))
        event_type = ctx.rename("event_type", required("event_type"))
        pair = self.codebook.sub_event_types.get(sub_event_type)
        if pair is None or pair[0].name != event_type:
            raise DataError(f"{ctx.file}: {ref}: sub-event type {sub_event_type!r} is not "
                            f"one of {event_type!r}; run `sahelevents validate`")
        actor1 = ctx.rename("actor", required("actor1"))
        actor2 = ctx.rename("actor", event.actor2 or "")
        inter1 = self._inter(ctx, ref, actor1, day)
        inter2 = self._inter(ctx, ref, actor2, day) if actor2 else None
        place = self.place(required("location"), ctx.country)
        country = self.codebook.countries.get(place.country)
        if country is None:
            raise DataError(f"{ctx.file}: {ref}: {place.name} is in {place.country}, which "
                            "the codebook does not list")

        def associated(names: Sequence[str]) -> str:
            renamed = unique(ctx.rename("actor", n) for n in names)
            return LIST_SEPARATOR.join(n for n in renamed if n not in (actor1, actor2))

        row = batch.count
        cited_ids: list[str] = []
        seen: set[tuple[str, int, int]] = set()
        evidence = batch.evidence
        for entry in event.evidence:
            sentence = ctx.sentences.get(entry.sentence)
            if sentence is None:
                raise DataError(f"{ctx.file}: {ref}: no sentence {entry.sentence}; run "
                                "`sahelevents validate`")
            start, end = locate_quote(sentence, entry.quote)
            if (sentence.id, start, end) in seen:
                continue
            seen.add((sentence.id, start, end))
            cited[sentence.id] = sentence
            cited_ids.append(sentence.id)
            quote = sentence.text[start - sentence.start:end - sentence.start]
            for name, value in (("__row", row), ("doc", ctx.doc), ("sentence", sentence.id),
                                ("start", start), ("end", end), ("quote", quote),
                                ("source_sha256", ctx.sha)):
                evidence[name].append(value)
        values: dict[str, Any] = {
            "__file": ctx.key, "__ref": ref, "__prefix": country.event_id_prefix,
            "__same_as": LIST_SEPARATOR.join(event.same_as),
            "event_date": day, "year": day.year, "time_precision": required("time_precision"),
            "disorder_type": pair[1].disorder_type, "event_type": event_type,
            "sub_event_type": sub_event_type, "actor1": actor1,
            "assoc_actor_1": associated(event.assoc_actor_1),
            "inter1": self.codebook.inter_labels[inter1], "actor2": actor2,
            "assoc_actor_2": associated(event.assoc_actor_2),
            "inter2": self.codebook.inter_labels[inter2] if inter2 else "",
            "interaction": self.codebook.interaction(inter1, inter2)[1],
            "civilian_targeting": CIVILIAN_TARGETING if event.civilian_targeting else "",
            "iso": country.iso, "region": country.region, "country": country.name,
            "admin1": place.admin1, "admin2": place.admin2, "admin3": place.admin3,
            "location": place.name, "latitude": round(place.latitude, 4) + 0.0,
            "longitude": round(place.longitude, 4) + 0.0,
            "geo_precision": required("geo_precision"), "source": ctx.outlet,
            "source_scale": ctx.scale, "notes": event.notes or "",
            "fatalities": required("fatalities"),
            "tags": LIST_SEPARATOR.join(unique(event.tags)),
            "source_ids": ctx.doc, "sentence_ids": LIST_SEPARATOR.join(unique(cited_ids)),
            "annotation_refs": ref,
            "changed_fields": LIST_SEPARATOR.join(changed_fields(event)),
            "codebook_version": self.codebook.version,
        }
        columns = batch.columns
        for name, value in values.items():
            columns[name].append(value)


@dataclass(frozen=True)
class _FileContext:
    doc: str
    file: str
    key: str
    country: str | None
    outlet: str
    scale: str
    sha: str
    declared: Mapping[str, NewActor]
    renames: tuple[Rename, ...]
    sentences: Mapping[str, Sentence]

    def rename(self, kind: str, value: str) -> str:
        for rename in self.renames:
            if rename.kind == kind and rename.old == value:
                value = rename.new
        return value

