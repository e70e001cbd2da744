"""Accepted annotations -> release rows: per-file compilation, cache, and ``same_as`` merging.

Only primary annotation files (``annotations/<doc>.yaml``) are compiled, never the
double-coding copies under ``annotations/coders/``. Each file's accepted events are compiled
into rows by :mod:`~sahelevents.release.members` (all derived columns), through the compile
cache (:mod:`~sahelevents.release.cache`) and, for many changed files, in parallel worker
processes (``jobs``). When the release validates the files first, each file checked then is
compiled by the validator, from the annotation it parsed (:class:`CompileAlongside`).

**One real event, one row.** Events linked by ``same_as`` (transitively, across documents)
become one row listing every source and every evidence sentence, as ACLED merges the reports
of one event. The row's coded fields come from its *representative* - the linked event with
the smallest ref ``<doc>#<id>`` - except:

* ``fatalities``: the lowest figure among the linked reports (ACLED: conflicting reports ->
  the most conservative number);
* ``assoc_actor_1``/``assoc_actor_2``/``tags``: the union, representative's first;
* ``notes``: the representative's, else the first linked event that has notes;
* ``source``/``source_scale``/``source_ids``: every document's outlet (``"; "``-joined) and
  distinct scale (``-``-joined, as ACLED compounds them: ``National-International``).

The validator has already refused links whose date, location or type disagree.
``event_id_cnty`` and ``timestamp`` are set when the release is assembled (``publish``).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from sahelevents.annotations import LoadedAnnotation, annotation_paths, is_primary
from sahelevents.issues import DataError
from sahelevents.models import CODED_FIELDS
from sahelevents.project import Project
from sahelevents.release.cache import CompileCache, Tables, context_key, file_key
from sahelevents.release.members import (
    FILE_SCHEMA,
    LIST_SEPARATOR,
    MEMBER_SCHEMA,
    SENTENCE_ROW_SCHEMA,
    FileCompiler,
    MemberBatch,
    SentenceLoader,
    unique,
)
from sahelevents.release.tables import EVENT_SCHEMA, SENTENCE_SCHEMA, SOURCE_SCHEMA
from sahelevents.workspace import Workspace

if TYPE_CHECKING:
    from sahelevents.validate.context import CheckContext

#: Below this many files to compile, starting worker processes costs more than it saves.
PARALLEL_MIN_FILES = 64
#: Files compiled into one batch of Python lists before it becomes a polars frame.
BATCH_FILES = 2000


@dataclass
class CompiledEvents:
    """Release rows before ids and timestamps, plus the tables that go with them."""

    events: pl.DataFrame  # MEMBER_SCHEMA: one row per release event
    groups: pl.DataFrame  # for the ledger: prefix, refs, event_date (aligned with events)
    sentences: pl.DataFrame
    sources: pl.DataFrame
    coded_documents: list[str]
    coders: list[str]
    files_compiled: int = 0
    files_from_cache: int = 0

    @property
    def count(self) -> int:
        return self.events.height

    def frame(self, event_ids: Sequence[str], timestamp: int) -> pl.DataFrame:
        """The full event frame with ``event_ids`` (aligned with ``groups``)."""
        return self.events.with_columns(
            pl.Series("event_id_cnty", list(event_ids), dtype=pl.String),
            pl.lit(timestamp, dtype=pl.Int64).alias("timestamp"),
        ).select(list(EVENT_SCHEMA))


# -- Per-file compilation, cached and parallel ----------------------------------------------


def _compile_batch(ws: Workspace, loader: SentenceLoader | None,
                   work: Sequence[tuple[Path, str]]) -> Tables:
    batch = MemberBatch()
    compiler = FileCompiler(ws, loader)
    for path, key in work:
        compiler.compile_file(path, key, batch)
    return batch.frames()


_worker: tuple[Workspace, SentenceLoader | None] | None = None


def _start_worker(root: str, use_geonames: bool, cached_sentences: bool) -> None:
    global _worker
    ws = Workspace(Project(Path(root)), use_geonames=use_geonames)
    loader = None
    if cached_sentences:
        from sahelevents.validate.cache import ValidationCache

        loader = ValidationCache(ws.project.root).sentences
    _worker = (ws, loader)


def _worker_batch(work: Sequence[tuple[Path, str]]) -> Tables:
    assert _worker is not None, "worker not initialised"
    return _compile_batch(_worker[0], _worker[1], work)


def _compile_files(ws: Workspace, loader: SentenceLoader | None,
                   work: list[tuple[Path, str]], jobs: int) -> Tables:
    if jobs <= 1 or len(work) < PARALLEL_MIN_FILES:
        # Batches bound the Python objects alive at once (a frame holds rows compactly).
        parts = [_compile_batch(ws, loader, work[i:i + BATCH_FILES])
                 for i in range(0, len(work), BATCH_FILES)]
        return _concat(parts)
    size = max(16, min(BATCH_FILES, len(work) // (jobs * 8)))
    chunks = [work[i:i + size] for i in range(0, len(work), size)]
    # "spawn": forking a process that runs polars' thread pool can deadlock.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_start_worker,
                             initargs=(str(ws.project.root), ws.use_geonames,
                                       loader is not None)) as pool:
        parts = list(pool.map(_worker_batch, chunks))
    return _concat(parts)


class CompileAlongside:
    """Compiles each file the validator checks, from the annotation it has just parsed.

    A :class:`~sahelevents.validate.Companion`: parsing is two thirds of compiling a file,
    so a first release (a clean clone in CI) would otherwise parse every file twice, the
    second time in one process. The rows are keyed like the compile cache's, from the bytes
    the validator parsed, and :func:`compile_files` takes them as compiled: a file that
    changed since cannot match its key and is compiled again.
    """

    def __init__(self, ws: Workspace) -> None:
        self.__setstate__({"context": context_key(ws)})

    def __getstate__(self) -> dict[str, Any]:
        # A spawned worker needs the key's context only; rows stay with the calling process.
        return {"context": self.context}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.context: str = state["context"]
        self._compiler: FileCompiler | None = None  # per process, built on first use
        self._batch = MemberBatch()
        self._files = 0
        self._parts: list[Tables] = []

    def on_file(self, ctx: CheckContext, annotation: LoadedAnnotation) -> MemberBatch | None:
        model, raw = annotation.model, annotation.loaded.raw
        if model is None or raw is None:
            return None
        if self._compiler is None:
            self._compiler = FileCompiler(ctx.ws)
        entry = ctx.registry.get(annotation.path.stem)
        key = file_key(self.context, entry[0] if entry is not None else "", raw)
        batch = MemberBatch()
        try:
            self._compiler.compile_loaded(annotation, key, batch,
                                          meta=ctx.meta(model.source),
                                          sentences=ctx.sentences(model.source))
        except DataError:
            return None  # compiled (and reported) again by compile_files
        return batch

    def receive(self, payload: MemberBatch) -> None:
        self._batch.extend(payload)
        self._files += 1
        if self._files % BATCH_FILES == 0:  # a frame holds rows more compactly than lists
            self._parts.append(self._batch.frames())
            self._batch = MemberBatch()

    def tables(self) -> Tables | None:
        """The rows received so far (None: none)."""
        if self._batch.files["__file"]:
            self._parts.append(self._batch.frames())
            self._batch = MemberBatch()
        if not self._parts:
            return None
        return _concat(self._parts)


def _concat(parts: Sequence[Tables]) -> Tables:
    return (pl.concat([p[0] for p in parts]), pl.concat([p[1] for p in parts]),
            pl.concat([p[2] for p in parts]))


def compile_files(ws: Workspace, paths: Iterable[Path] | None = None, *,
                  sentence_loader: SentenceLoader | None = None, cache: bool = False,
                  jobs: int = 1, precompiled: Tables | None = None
                  ) -> tuple[Tables, int, int]:
    """Rows of every primary file: (tables, files compiled now, files from the cache).

    ``precompiled`` holds rows compiled earlier in the run (:class:`CompileAlongside`),
    keyed like the cache's: used for the files whose key they hold, and counted as
    compiled now."""
    candidates = sorted(annotation_paths(ws, list(paths) if paths is not None else None))
    # is_primary resolves paths: once per folder, not per file (20,000 files: 1 s).
    folders: dict[Path, bool] = {}
    for path in candidates:
        if path.parent not in folders:
            folders[path.parent] = is_primary(ws, path.parent / path.name)
    primary = [p for p in candidates if folders[p.parent] and p.is_file()]
    keyed_by_cache = cache or precompiled is not None
    context = context_key(ws) if keyed_by_cache else ""
    registry = ws.registry.by_id if keyed_by_cache else {}
    keyed: list[tuple[Path, str]] = []
    for path in primary:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise DataError(f"{ws.project.relative(path)}: cannot read: {exc.strerror}") from None
        if keyed_by_cache:
            meta = registry.get(path.stem)
            key = file_key(context, meta.model_dump_json() if meta is not None else "", raw)
        else:
            key = path.as_posix()
        keyed.append((path, key))
    wanted = [k for _, k in keyed]
    early, made_early = (_only(precompiled, wanted) if precompiled is not None
                         else (None, set[str]()))
    store = CompileCache(ws.project.root) if cache else None
    cached = (store.load([k for k in wanted if k not in made_early])
              if store is not None else None)
    known = made_early | (set(cached[1]["__file"].to_list()) if cached is not None else set())
    todo = [(path, key) for path, key in keyed if key not in known]
    fresh = _compile_files(ws, sentence_loader, todo, jobs) if todo else None
    parts = [t for t in (cached, early, fresh) if t is not None]
    if not parts:
        empty = (pl.DataFrame(schema=MEMBER_SCHEMA), pl.DataFrame(schema=FILE_SCHEMA),
                 pl.DataFrame(schema=SENTENCE_ROW_SCHEMA))
        return empty, 0, 0
    tables = _concat(parts)
    if store is not None and (fresh is not None or early is not None or cached is None
                              or len(known) != len(keyed)):
        store.save(tables)
    from_cache = len(keyed) - len(todo) - len(made_early)
    return tables, len(keyed) - from_cache, from_cache


def _only(tables: Tables, keys: Sequence[str]) -> tuple[Tables | None, set[str]]:
    """The rows of ``tables`` whose file key is in ``keys`` (None: no file), and those keys."""
    held = set(tables[1]["__file"].to_list())
    wanted = set(keys)
    if held <= wanted:
        # The usual case: nothing to leave out, and no copy (a filter copies every column:
        # ~370 MB for 100,000 files, alive until the release is written).
        return (tables if held else None), held
    kept_keys = held & wanted
    if not kept_keys:
        return None, kept_keys
    series = pl.Series("__file", sorted(kept_keys), dtype=pl.String)
    members, files, sentences = (t.filter(pl.col("__file").is_in(series)) for t in tables)
    return (members, files, sentences), kept_keys


# -- same_as: one real event, one row -------------------------------------------------------


def _merge_rows(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """One row from the member rows of linked events (sorted by ref)."""
    rep = rows[0]
    merged = dict(rep)
    merged["fatalities"] = min(r["fatalities"] for r in rows)
    for name in ("assoc_actor_1", "assoc_actor_2"):
        names = unique(n for r in rows for n in r[name].split(LIST_SEPARATOR))
        merged[name] = LIST_SEPARATOR.join(
            n for n in names if n not in (rep["actor1"], rep["actor2"]))
    merged["tags"] = LIST_SEPARATOR.join(unique(t for r in rows
                                                for t in r["tags"].split(LIST_SEPARATOR)))
    merged["notes"] = next((r["notes"] for r in rows if r["notes"]), "")
    by_doc: dict[str, dict[str, Any]] = {}
    for row in rows:
        by_doc.setdefault(row["source_ids"][0], row)
    merged["source_ids"] = list(by_doc)
    merged["source"] = LIST_SEPARATOR.join(unique(r["source"] for r in by_doc.values()))
    merged["source_scale"] = "-".join(unique(r["source_scale"] for r in by_doc.values()))
    evidence: list[dict[str, Any]] = []
    seen: set[tuple[str, int, int]] = set()
    for row in rows:
        for span in row["evidence"]:
            if (span["sentence"], span["start"], span["end"]) not in seen:
                seen.add((span["sentence"], span["start"], span["end"]))
                evidence.append(span)
    merged["evidence"] = evidence
    merged["sentence_ids"] = unique(span["sentence"] for span in evidence)
    merged["annotation_refs"] = [r["__ref"] for r in rows]
    changed = {name for r in rows for name in r["changed_fields"]}
    merged["changed_fields"] = [name for name in CODED_FIELDS if name in changed]
    merged["__same_as"] = []
    return merged


def merge_linked(members: pl.DataFrame) -> pl.DataFrame:
    """Members -> events: linked members merged into one row each (see module docstring)."""
    linked = members.filter(pl.col("__same_as").list.len() > 0)
    if linked.is_empty():
        return members
    refs = set(members["__ref"].to_list())
    parent: dict[str, str] = {}

    def root(ref: str) -> str:
        parent.setdefault(ref, ref)
        while parent[ref] != ref:
            parent[ref] = parent[parent[ref]]
            ref = parent[ref]
        return ref

    for ref, targets in zip(linked["__ref"].to_list(), linked["__same_as"].to_list(),
                            strict=True):
        for target in targets:
            if target not in refs:
                raise DataError(f"{ref} is linked by same_as to {target}, which is not an "
                                "accepted event of a primary annotation file; run "
                                "`sahelevents validate`")
            a, b = root(ref), root(target)
            if a != b:
                parent[max(a, b)] = min(a, b)
    groups: dict[str, list[str]] = {}
    for ref in sorted(parent):
        groups.setdefault(root(ref), []).append(ref)
    involved = pl.Series(sorted(parent), dtype=pl.String)
    rows = {row["__ref"]: row for row in
            members.filter(pl.col("__ref").is_in(involved)).iter_rows(named=True)}
    merged = [_merge_rows([rows[ref] for ref in group]) for group in groups.values()]
    return pl.concat([members.filter(~pl.col("__ref").is_in(involved)),
                      pl.DataFrame(merged, schema=MEMBER_SCHEMA)])


# -- The whole compilation ------------------------------------------------------------------


def compile_events(ws: Workspace, paths: Iterable[Path] | None = None, *,
                   sentence_loader: SentenceLoader | None = None, cache: bool = False,
                   jobs: int = 1, precompiled: Tables | None = None) -> CompiledEvents:
    """Compile every accepted event of the primary annotation files.

    ``sentence_loader(doc_id, text)`` segments a document (default: the workspace's
    segmenter; the release passes the validation cache's). With ``cache`` the rows of files
    that did not change are reused (:mod:`~sahelevents.release.cache`); ``jobs`` > 1
    compiles changed files in that many processes. ``precompiled``: see
    :func:`compile_files`.
    """
    (members, files, cited), compiled, from_cache = compile_files(
        ws, paths, sentence_loader=sentence_loader, cache=cache, jobs=jobs,
        precompiled=precompiled)
    events = merge_linked(members)
    groups = events.select(pl.col("__prefix").alias("prefix"),
                           pl.col("annotation_refs").alias("refs"),
                           pl.col("event_date").cast(pl.String))
    documents = sorted(set(files["doc"].to_list()))
    coders = sorted(set(files["coders"].explode().drop_nulls().to_list()))
    counts = (events.select(pl.col("source_ids").explode().alias("doc")).group_by("doc")
              .agg(pl.len().alias("events")))
    sentences = (cited.unique("id").sort("doc", "index")
                 .select(list(SENTENCE_SCHEMA)))
    return CompiledEvents(
        events=events, groups=groups, sentences=sentences,
        sources=_source_table(ws, documents, dict(counts.iter_rows())),
        coded_documents=documents, coders=coders, files_compiled=compiled,
        files_from_cache=from_cache)


def _source_table(ws: Workspace, documents: Sequence[str],
                  events_by_doc: dict[str, int]) -> pl.DataFrame:
    """Every coded document (with a primary annotation file) and how many events cite it."""
    rows = []
    for doc in sorted(set(documents) | set(events_by_doc)):
        meta = ws.registry.by_id.get(doc)
        if meta is None:
            raise DataError(f"annotations/{doc}.yaml: document {doc!r} is not registered; run "
                            "`sahelevents validate`")
        rows.append((meta.id, meta.outlet or "", meta.title or "", meta.url or "",
                     meta.published or "", meta.published_precision, meta.published_note,
                     meta.source_scale or "", meta.country or "", meta.language, meta.file,
                     meta.sha256, events_by_doc.get(doc, 0)))
    return pl.DataFrame(rows, schema=SOURCE_SCHEMA, orient="row")
