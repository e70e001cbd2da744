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
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from sahelevents.annotations import (
    LoadedAnnotation,
    all_annotation_files,
    annotation_paths,
    is_primary,
    load_annotation,
)
from sahelevents.issues import DataError
from sahelevents.models import CODED_FIELDS
from sahelevents.project import Project
from sahelevents.release.cache import (
    CompileCache,
    Tables,
    content_digest,
    context_key,
    file_key,
)
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
from sahelevents.release.tables import (
    EVENT_SCHEMA,
    SENTENCE_SCHEMA,
    SOURCE_SCHEMA,
    in_row_groups,
)
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

    events: pl.DataFrame  # MEMBER_SCHEMA: one row per release event (until take_frame)
    groups: pl.DataFrame  # for the ledger: prefix, refs, event_date (aligned with events)
    sentences: pl.DataFrame
    sources: pl.DataFrame
    coded_documents: list[str]
    coders: list[str]
    files_compiled: int = 0
    files_from_cache: int = 0

    def take_frame(self, event_ids: Sequence[str], timestamp: int) -> pl.DataFrame:
        """The release's event frame, with ``event_ids`` (aligned with ``groups``), in
        release order: chronological, then by id (prefix, number), stable across releases.

        The rows are handed over: ``events`` and ``groups`` are emptied, and the frame is
        ordered column by column, each column let go once it is gathered, so the rows are
        held once and a column at a time, not twice (1,000,000 events: ~0.8 GB). Each
        column is gathered in the chunks ``events.parquet`` is written from.

        The ids and the timestamp join the frame once it is gathered, in the same chunks:
        given a column of one chunk, a frame of the many chunks compiling appends made
        polars copy every column into one first (+0.8 GB at a million events, the height
        of a first release)."""
        ids = pl.Series("event_id_cnty", list(event_ids), dtype=pl.String)
        order = pl.DataFrame([self.events.get_column("event_date"), ids]).select(
            pl.arg_sort_by("event_date", pl.col("event_id_cnty").str.slice(0, 3),
                           pl.col("event_id_cnty").str.slice(3).cast(pl.Int64))).to_series()
        held = [columns_of(self.events, [name for name in EVENT_SCHEMA if name in self.events])]
        self.events, self.groups = self.events.clear(), self.groups.clear()
        frame = rebuilt(held, lambda column: in_row_groups(column, order))
        stamps = pl.repeat(timestamp, len(ids), dtype=pl.Int64, eager=True).alias("timestamp")
        return frame.with_columns(in_row_groups(ids, order), in_row_groups(stamps)).select(
            list(EVENT_SCHEMA))


def columns_of(frame: pl.DataFrame, names: Iterable[str]) -> pl.DataFrame:
    """The columns ``names`` of ``frame``, not copied. A frame's ``select`` copies every column
    it picks into one chunk when the frame's columns are cut into different chunks, as the
    rows compiled while results arrive can be (see :func:`rebuilt`)."""
    return pl.DataFrame([frame.get_column(name) for name in names])


def rebuilt(handed_over: list[pl.DataFrame],
            make: Callable[[pl.Series], pl.Series]) -> pl.DataFrame:
    """The one frame of ``handed_over`` with each column replaced by ``make(column)``
    (a filter, a gather), column by column, each original column let go once its new one
    is made: the rows are never held twice (a million events: ~0.9 GB for the members).

    The frame comes in a list that is emptied: the caller must hold no other reference
    to it (``held = [frame]; del frame``), or no column could be let go.

    The columns are taken out of the frame, not dropped from it one by one: a frame whose
    columns are cut into different chunks is copied whole by each ``drop`` to line them
    up, ~0.6 GB at the height of a first release of a million events.
    """
    columns = handed_over.pop().get_columns()
    for position in range(len(columns)):
        columns[position] = make(columns[position])  # the original goes as it is replaced
    return pl.DataFrame(columns)


# -- Per-file compilation, cached and parallel ----------------------------------------------


#: A file to compile: its path and its document's registry entry as JSON ("" when unknown).
Work = tuple[Path, str]


def _compile_batch(ws: Workspace, loader: SentenceLoader | None, context: str | None,
                   work: Sequence[Work]) -> Tables:
    """The rows of ``work``, keyed like the compile cache's with ``context`` (by path
    without: rows that are never cached)."""
    batch = MemberBatch()
    compiler = FileCompiler(ws, loader)
    for path, entry in work:
        loaded = load_annotation(path, ws)
        raw = loaded.loaded.raw
        # Keyed by the bytes compiled here: a file edited after compile_files chose it
        # cannot leave rows under the key of its earlier content.
        key = (file_key(context, entry, content_digest(raw))
               if context is not None and raw is not None else path.as_posix())
        compiler.compile_loaded(loaded, key, batch)
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


def _worker_batch(context: str | None, work: Sequence[Work]) -> Tables:
    assert _worker is not None, "worker not initialised"
    return _compile_batch(_worker[0], _worker[1], context, work)


def _compile_files(ws: Workspace, loader: SentenceLoader | None, context: str | None,
                   work: list[Work], jobs: int) -> Tables:
    if jobs <= 1 or len(work) < PARALLEL_MIN_FILES:
        # Batches bound the Python objects alive at once (a frame holds rows compactly).
        parts = [_compile_batch(ws, loader, context, work[i:i + BATCH_FILES])
                 for i in range(0, len(work), BATCH_FILES)]
        return _concat(parts)
    size = max(16, min(BATCH_FILES, len(work) // (jobs * 8)))
    chunks = [work[i:i + size] for i in range(0, len(work), size)]
    # "spawn": forking a process that runs polars' thread pool can deadlock.
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(jobs, mp_context=spawn, initializer=_start_worker,
                             initargs=(str(ws.project.root), ws.use_geonames,
                                       loader is not None)) as pool:
        parts = list(pool.map(_worker_batch, [context] * len(chunks), chunks))
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
        self._rows: Tables | None = None

    def on_file(self, ctx: CheckContext, annotation: LoadedAnnotation) -> MemberBatch | None:
        model, raw = annotation.model, annotation.loaded.raw
        if model is None or raw is None:
            return None
        if self._compiler is None:
            self._compiler = FileCompiler(ctx.ws)
        entry = ctx.registry.get(annotation.path.stem)
        key = file_key(self.context, entry[0] if entry is not None else "",
                       content_digest(raw))
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
            self._keep_batch()

    def _keep_batch(self) -> None:
        # One set of tables, extended batch by batch (chunks appended, not copied), rather
        # than a set per batch: each set leaves a few small Python objects that live as long
        # as it does, and a hundred sets of them, made at intervals while the validation
        # results arrive, end up spread over the memory of those results; once the results
        # are let go, those few objects keep most of that memory from being returned.
        batch = self._batch.frames()
        self._rows = batch if self._rows is None else _concat([self._rows, batch])
        self._batch = MemberBatch()

    def take(self) -> Tables | None:
        """The rows received so far (None: none), handed over: the companion lets go of
        them, so that they live no longer than the tables they go into (a million events:
        ~1.3 GB, while whoever made the companion holds it to the end of the release)."""
        if self._batch.files["__file"]:
            self._keep_batch()
        rows, self._rows = self._rows, None
        return rows


def _concat(parts: Sequence[Tables]) -> Tables:
    # Chunks appended, not copied into one: a copy would hold every row twice for a moment
    # (a million events: +1.3 GB at the release's peak). The steps that read the tables
    # make their own contiguous columns.
    members, files, sentences = ([part[i] for part in parts] for i in range(3))
    return (pl.concat(members, rechunk=False), pl.concat(files, rechunk=False),
            pl.concat(sentences, rechunk=False))


def compile_files(ws: Workspace, paths: Iterable[Path] | None = None, *,
                  sentence_loader: SentenceLoader | None = None, cache: bool = False,
                  jobs: int = 1, precompiled: CompileAlongside | None = None
                  ) -> tuple[Tables, int, int]:
    """Rows of every primary file: (tables, files compiled now, files from the cache).

    ``precompiled`` holds rows compiled earlier in the run, keyed like the cache's: used
    for the files whose key they hold, and counted as compiled now."""
    # Strings, not Paths, until a file has to be compiled: a release of 1,000,000 events
    # looks at 217,000 files, most of them unchanged. Sorted by path components, as Paths
    # sort: the order files are compiled in is the order the ledger numbers new events.
    if paths is None:
        candidates = all_annotation_files(ws)
    else:
        candidates = [str(p) for p in annotation_paths(ws, list(paths))]
    candidates.sort(key=lambda name: name.split(os.sep))
    # is_primary resolves paths: once per folder, not per file (20,000 files: 1 s).
    folders: dict[str, bool] = {}
    for name in candidates:
        folder = os.path.dirname(name)
        if folder not in folders:
            folders[folder] = is_primary(ws, Path(name))
    keyed_by_cache = cache or precompiled is not None
    context = context_key(ws) if keyed_by_cache else None
    registry = ws.registry.by_id if keyed_by_cache else {}
    digest_of = _content_digests(ws) if keyed_by_cache else None
    keyed: list[tuple[Path, str, str]] = []  # (path, registry entry, key)
    for name in candidates:
        if not folders[os.path.dirname(name)]:
            continue
        if context is None or digest_of is None:
            if os.path.isfile(name):
                keyed.append((Path(name), "", Path(name).as_posix()))
            continue
        content = digest_of(name)
        if content is None:
            continue  # removed since it was listed
        meta = registry.get(os.path.basename(name)[:-len(".yaml")])
        entry = meta.model_dump_json() if meta is not None else ""
        keyed.append((Path(name), entry, file_key(context, entry, content)))
    wanted = [k for _, _, k in keyed]
    rows = precompiled.take() if precompiled is not None else None
    early, made_early = _only(rows, wanted) if rows is not None else (None, set[str]())
    del rows
    store = CompileCache(ws.project.root) if cache else None
    cached = (store.load([k for k in wanted if k not in made_early])
              if store is not None else None)
    known = made_early | (set(cached[1]["__file"].to_list()) if cached is not None else set())
    todo = [(path, entry) for path, entry, key in keyed if key not in known]
    fresh = _compile_files(ws, sentence_loader, context, todo, jobs) if todo else None
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


def _content_digests(ws: Workspace) -> Callable[[str], str | None]:
    """sha256 of an annotation file by its path (None: it no longer exists), from the
    validation cache's digests: a file whose stat signature is unchanged is not read."""
    from sahelevents.validate.cache import Digests, ValidationCache

    store = ValidationCache(ws.project.root)
    digests = Digests(store, ws.project.root)
    store.close()  # the digests are read; a file not known is hashed, never stored

    def digest_of(name: str) -> str | None:
        content = digests.of(os.path.abspath(name))  # the validator's keys are absolute
        if content != "missing":
            return content
        if os.path.exists(name):
            raise DataError(f"{ws.project.relative(Path(name))}: cannot be read")
        return None

    return digest_of


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


def merge_linked(handed_over: list[pl.DataFrame]) -> pl.DataFrame:
    """Members -> events: linked members merged into one row each (see module docstring).

    The members come as the one frame of ``handed_over`` (see :func:`rebuilt`). Their
    columns may be cut into different chunks: rows are taken column by column, since a
    frame's ``filter`` would first copy every column to line them up (~0.6 GB for a million
    events)."""
    members = handed_over[0]
    with_links = members.get_column("__same_as").list.len() > 0
    linked = pl.DataFrame([members.get_column(name).filter(with_links)
                           for name in ("__ref", "__same_as")])
    if linked.is_empty():
        return handed_over.pop()
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
    involved = members.get_column("__ref").is_in(
        pl.Series(sorted(parent), dtype=pl.String).implode())
    rows = {row["__ref"]: row for row in pl.DataFrame(
        [column.filter(involved) for column in members.get_columns()]).iter_rows(named=True)}
    merged = [_merge_rows([rows[ref] for ref in group]) for group in groups.values()]
    unlinked = ~involved
    del members, linked, rows, involved
    return pl.concat([rebuilt(handed_over, lambda column: column.filter(unlinked)),
                      pl.DataFrame(merged, schema=MEMBER_SCHEMA)])


# -- The whole compilation ------------------------------------------------------------------


def compile_events(ws: Workspace, paths: Iterable[Path] | None = None, *,
                   sentence_loader: SentenceLoader | None = None, cache: bool = False,
                   jobs: int = 1, precompiled: CompileAlongside | None = None
                   ) -> CompiledEvents:
    """Compile every accepted event of the primary annotation files.

    ``sentence_loader(doc_id, text)`` segments a document (default: the workspace's
    segmenter; the release passes the validation cache's). With ``cache`` the rows of files
    that did not change are reused (:mod:`~sahelevents.release.cache`); ``jobs`` > 1
    compiles changed files in that many processes. ``precompiled``: see
    :func:`compile_files`.
    """
    tables, compiled, from_cache = compile_files(
        ws, paths, sentence_loader=sentence_loader, cache=cache, jobs=jobs,
        precompiled=precompiled)
    # The tables are handed over to the step that copies them, which lets each column go
    # once copied (see rebuilt): for a million events the members are ~0.9 GB and the
    # cited sentences ~0.4 GB.
    files, cited = tables[1], tables[2]
    held = [tables[0]]
    del tables
    events = merge_linked(held)
    groups = pl.DataFrame([events.get_column("__prefix").alias("prefix"),  # (columns_of)
                           events.get_column("annotation_refs").alias("refs"),
                           events.get_column("event_date").cast(pl.String)])
    documents = sorted(set(files["doc"].to_list()))
    coders = sorted(set(files["coders"].explode().drop_nulls().to_list()))
    counts = (events.select(pl.col("source_ids").explode().alias("doc")).group_by("doc")
              .agg(pl.len().alias("events")))
    # A sentence is cited once per file, and each document has one primary file: the ids
    # are unique but for odd cases, and unique() copies the table (0.4 GB for a million
    # events) even when it removes nothing.
    if cited["id"].n_unique() != cited.height:
        cited = cited.unique("id")
    order = cited.select(pl.arg_sort_by("doc", "index")).to_series()
    held = [columns_of(cited, SENTENCE_SCHEMA)]
    del cited
    sentences = rebuilt(held, lambda column: column.gather(order))
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
