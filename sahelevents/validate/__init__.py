"""``sahelevents validate``: every issue of every annotation file, in five stages.

1. YAML (:mod:`sahelevents.yamlio`, through :func:`sahelevents.annotations.load_annotation`)
2. schema (the models, then :mod:`.schema`)
3. codebook (:mod:`.codebook_checks`)
4. provenance (:mod:`.provenance`)
5. across files (:mod:`.cross`)

Stages 1-4 look at one file at a time; their results are cached (:mod:`.cache`) and can run
in worker processes (``jobs``). Stage 5 always reruns, from small per-file summaries, over
every primary file of the project - also when only some files were asked for, so that a
``same_as`` link to a file that was not asked for is still checked. A caller can have more
work done on each file checked, with the annotation the checks parsed (a :class:`Companion`:
``release`` compiles the file's rows there).
"""

from __future__ import annotations

import gc
import marshal
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from sahelevents.annotations import (
    LoadedAnnotation,
    all_annotation_files,
    annotation_paths,
    display_path,
    in_annotations,
    is_primary,
    load_annotation,
)
from sahelevents.issues import Issue, Report, format_yaml_path
from sahelevents.sentences import segment
from sahelevents.validate.cache import ResultKeys, ValidationCache
from sahelevents.validate.codebook_checks import EventFacts, check_codebook
from sahelevents.validate.context import CheckContext
from sahelevents.validate.cross import check_cross
from sahelevents.validate.provenance import check_provenance
from sahelevents.validate.results import (
    EventSummary,
    Extras,
    FileResult,
    FileSummary,
    FileTask,
    LinkSummary,
    issue_from_json,
    issue_to_json,
)
from sahelevents.validate.schema import check_schema
from sahelevents.workspace import Workspace
from sahelevents.yamlio import MAX_BYTES, collection_paused, freeze, frozen

__all__ = ["Companion", "FileTask", "check_file", "validate_paths"]

#: Below this many files to check, worker processes cost more than they save.
_MIN_FILES_PER_WORKER = 8
#: Cache entries computed by a run that are written before its end, this many at a time.
_PENDING_LIMIT = 2000
#: Files a worker checks before it sends their results back in one message. Past this
#: size a task's results (rows compiled alongside, segmentations, summaries) are held twice
#: in transit, gathered in the worker and unpickled in the parent, and the progress bar
#: moves in large steps: a first release of 217,000 files had tasks of 13,600 files.
_MAX_FILES_PER_TASK = 500


class Companion(Protocol):
    """Work a run does on each file it checks now, with the annotation the checks parsed.

    A release compiles every file it validates: done here, a first release (a clean clone
    in CI) parses each file once instead of twice, in the validator's worker processes.
    :meth:`on_file` runs where the file is checked (a worker, with ``jobs``) and only for a
    primary file without errors; what it returns travels back with the file's result and is
    handed to :meth:`receive` in the calling process, in the order results arrive. With
    spawned (not forked) workers the companion is pickled to them.
    """

    def on_file(self, ctx: CheckContext, annotation: LoadedAnnotation) -> Any: ...

    def receive(self, payload: Any) -> None: ...


def check_file(ctx: CheckContext, task: FileTask,
               companion: Companion | None = None) -> FileResult:
    """Stages 1-4 of one file (only what its summary needs when ``task.full`` is false)."""
    annotation = load_annotation(Path(task.path), display=task.display,
                                 max_bytes=task.max_bytes)
    issues: list[Issue] = list(annotation.issues)
    facts: list[EventFacts] = []
    if annotation.loaded.data is not None:
        issues.extend(check_schema(annotation))
        codebook_issues, facts = check_codebook(annotation, ctx)
        issues.extend(codebook_issues)
        if task.full:
            issues.extend(check_provenance(annotation, ctx,
                                           check_file_name=task.in_annotations))
    summary = _summary(annotation, facts, task)
    result = FileResult(summary, _unique(issues) if task.full else None)
    if (companion is not None and task.full and task.primary and annotation.model is not None
            and not any(i.severity == "error" for i in issues)):
        result.payload = companion.on_file(ctx, annotation)
    return result


def _summary(annotation: LoadedAnnotation, facts: list[EventFacts], task: FileTask
             ) -> FileSummary:
    loaded = annotation.loaded
    by_index = {f.index: f for f in facts}
    events: list[EventSummary] = []
    for index, raw in enumerate(annotation.raw_events):
        local_id = raw.get("id") if isinstance(raw, dict) else None
        if not isinstance(local_id, str):
            continue
        path = ("events", index)
        line, column = loaded.locate(path)
        fact = by_index.get(index)
        if fact is None:  # invalid on its own: known to exist, not compared
            events.append(EventSummary(local_id, "invalid", line, column,
                                       format_yaml_path(path)))
            continue
        event = fact.event
        links = tuple(
            LinkSummary(target, *loaded.locate((*path, "same_as", number)),
                        format_yaml_path((*path, "same_as", number)))
            for number, target in enumerate(event.same_as))
        events.append(EventSummary(
            id=event.id, decision=event.decision, line=line, column=column,
            yaml_path=format_yaml_path(path), event_date=event.event_date,
            event_type=fact.event_type, place=fact.place_id, location=event.location,
            actor1=fact.actor1, actor2=fact.actor2, same_as=links))
    return FileSummary(task.display, annotation.source, task.primary, tuple(events))


def _unique(issues: list[Issue]) -> list[Issue]:
    return list(dict.fromkeys(issues))


# -- Running --------------------------------------------------------------------------------

@dataclass(slots=True)
class _Run:
    """What checking a file needs besides the file: shared look-ups, the cache, and the
    cache keys when they are made after the checks rather than before (a first run)."""

    ctx: CheckContext
    store: ValidationCache | None = None
    late_keys: ResultKeys | None = None
    companion: Companion | None = None

    def check(self, task: FileTask) -> FileResult:
        result = check_file(self.ctx, task, self.companion)
        if self.store is not None:
            extras = Extras(self.store.take_pending())
            if self.late_keys is not None:
                extras.key, extras.assumed_doc = self.late_keys.key(task)
                extras.digests = self.late_keys.digests.take_recorded()
            result.extras = extras
        return result


_worker_run: _Run | None = None


def _context(ws: Workspace, store: ValidationCache | None) -> CheckContext:
    if store is None:
        return CheckContext(ws)
    return CheckContext(ws, sentence_loader=store.sentences,
                        registry=lambda: store.registry_entries(ws))


def _init_worker(root: Path, use_geonames: bool, use_cache: bool, late_keys: bool,
                 companion: Companion | None) -> None:
    """Build the worker's context when processes are spawned rather than forked."""
    global _worker_run
    if _worker_run is None:
        from sahelevents.project import Project

        ws = Workspace(Project(root), use_geonames=use_geonames)
        store = ValidationCache(root, defer_writes=True) if use_cache else None
        run = _Run(_context(ws, store), store, companion=companion)
        if store is not None and late_keys:
            run.late_keys = ResultKeys(ws, store)
        _warm(run.ctx)
        freeze()  # for the worker's life, as in the parent (see _compute)
        _worker_run = run


def _run_in_worker(task: FileTask) -> FileResult:
    assert _worker_run is not None, "worker not initialised"
    return _worker_run.check(task)


Progress = Callable[[int, int], None]
Arrived = Callable[[FileResult], None]


def _counted(results: Iterable[FileResult], total: int, progress: Progress | None,
             arrived: Arrived) -> None:
    """Hand each result on as it arrives (in the order of the tasks)."""
    for done, result in enumerate(results, start=1):
        arrived(result)
        if progress is not None:
            progress(done, total)


def _compute(run: _Run, tasks: list[FileTask], jobs: int, progress: Progress | None,
             arrived: Arrived) -> None:
    """Check ``tasks``, handing each result to ``arrived`` as soon as it is made: what
    comes with it (cache entries, a companion's payload) is never all alive at once."""
    if not tasks:
        return
    if _in_workers(tasks, jobs):
        _warm(run.ctx)  # loaded once, before the workers fork; a few files load what they use
    # The codebook, gazetteer, registry and cached results live as long as the run: moved
    # out of the collector's sight, they are not traversed again and again while each file's
    # short-lived values are collected, and forked workers do not copy their pages by
    # touching their reference counts' neighbours. Checking files is the one part of a run
    # that makes garbage with cycles (exceptions and their frames), so the collector runs
    # here even when the caller paused it.
    paused = not gc.isenabled()
    try:
        with frozen():  # before the collector is enabled: what was built meanwhile is not walked
            gc.enable()
            _check_all(run, tasks, jobs, progress, arrived)
    finally:
        if paused:
            gc.disable()


def _check_all(run: _Run, tasks: list[FileTask], jobs: int, progress: Progress | None,
               arrived: Arrived) -> None:
    if not _in_workers(tasks, jobs):
        _counted(map(run.check, tasks), len(tasks), progress, arrived)
        return
    global _worker_run
    pool: ProcessPoolExecutor
    # Entries this process has pending (the registry's, made by _warm) are written now: a
    # forked worker must not hand them back, and kept for the run's last write they were
    # written beside every result (the marshalled registry of 217,000 documents and
    # SQLite's copy of it: +340 MB at the first release's height).
    if run.store is not None:
        run.store.write(run.store.take_pending())
    if sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods():
        # Forked workers inherit the loaded codebook, gazetteer and registry for free.
        _worker_run = run
        pool = ProcessPoolExecutor(max_workers=jobs,
                                   mp_context=multiprocessing.get_context("fork"))
    else:
        ws = run.ctx.ws
        pool = ProcessPoolExecutor(
            max_workers=jobs, mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(ws.project.root, ws.use_geonames, run.store is not None,
                      run.late_keys is not None, run.companion))
    try:
        with pool:
            _counted(pool.map(_run_in_worker, tasks, chunksize=_task_size(len(tasks), jobs)),
                     len(tasks), progress, arrived)
    finally:
        _worker_run = None


def _task_size(files: int, jobs: int) -> int:
    """Files per worker task: eight tasks per worker, so that a short run is shared evenly
    (a task costs the parent ~0.5 ms), and no more than ``_MAX_FILES_PER_TASK``."""
    return max(1, min(_MAX_FILES_PER_TASK, files // (jobs * 8)))


def _in_workers(tasks: list[FileTask], jobs: int) -> bool:
    return jobs > 1 and len(tasks) >= _MIN_FILES_PER_WORKER * 2


def _warm(ctx: CheckContext) -> None:
    ws = ctx.ws
    _ = ws.codebook.actor_entries, ws.codebook.alias_index, ws.codebook.sub_event_types
    _ = ws.gazetteer.index, ctx.registry
    segment("warm-up", "Le segmenteur est chargé une fois. Les processus en héritent.")


def _results(ctx: CheckContext, tasks: list[FileTask], store: ValidationCache | None,
             jobs: int, progress: Progress | None = None,
             companion: Companion | None = None) -> list[FileResult]:
    """Results of ``tasks`` in order: from the cache where possible, else computed."""
    run = _Run(ctx, store, companion=companion)
    keyed: list[tuple[str | None, str | None]] = [(None, None)] * len(tasks)
    cached: dict[str, FileResult] = {}
    keys: ResultKeys | None = None
    if store is not None:
        keys = ResultKeys(ctx.ws, store)
        if store.holds_results(keys.inputs):
            keyed = [keys.key(task) for task in tasks]
            cached = store.results(keys.inputs, (k for k, _ in keyed if k is not None))
        else:  # nothing to look up: the workers make the keys as they check the files
            run.late_keys = keys
    results: list[FileResult | None] = []
    todo: list[int] = []
    for position, (key, _) in enumerate(keyed):
        hit = cached.get(key) if key is not None else None
        if hit is not None and (hit.issues is not None or not tasks[position].full):
            results.append(hit)
        else:
            results.append(None)
            todo.append(position)
    fresh: dict[str, FileResult] = {}
    positions = iter(todo)
    strings: dict[str, str] = {}  # one object per distinct string of the summaries

    def arrived(result: FileResult) -> None:
        position = next(positions)
        result.summary = result.summary.sharing(strings)
        results[position] = result
        if result.payload is not None:
            assert companion is not None
            companion.receive(result.payload)
            result.payload = None
        extras, result.extras = result.extras, None
        if extras is not None and store is not None and keys is not None:
            store.pending.update(extras.cache_entries)
            keys.digests.merge(extras.digests)
            if run.late_keys is not None:
                keyed[position] = (extras.key, extras.assumed_doc)
            if len(store.pending) >= _PENDING_LIMIT:
                # Segmentations are large (~7.5 KB a page, 0.75 GB for 100,000 files) and
                # keyed by content: written as the run goes, not held for its one last write.
                store.write(store.take_pending())
        key, assumed_doc = keyed[position]
        # Store only when the key covered the source the checks actually used.
        if key is not None and assumed_doc == result.summary.doc:
            fresh[key] = result

    _compute(run, [tasks[p] for p in todo], jobs, progress, arrived)
    if store is not None and keys is not None:
        store.store_results(keys.inputs, fresh, (k for k, _ in keyed if k is not None))
        keys.digests.save()
    return [r for r in results if r is not None]


class _Locator:
    """Display name and kind of many paths, by string operations on absolute paths.

    ``Path.resolve`` on every file costs more than validating ten thousand cached files;
    only a path outside the project (or reached through a link) takes the slow way.
    """

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.root = os.path.abspath(ws.project.root) + os.sep
        self.annotations = os.path.abspath(ws.project.annotations_dir) + os.sep

    def task(self, path: Path | str, *, full: bool, max_bytes: int) -> FileTask:
        absolute = os.path.abspath(path)
        if absolute.startswith(self.root):
            display = absolute[len(self.root):].replace(os.sep, "/")
            inside = absolute.startswith(self.annotations)
            primary = inside and os.sep not in absolute[len(self.annotations):]
        else:
            display = display_path(self.ws, Path(path))
            inside = in_annotations(self.ws, Path(path))
            primary = is_primary(self.ws, Path(path))
        return FileTask(os.fspath(path), absolute, display, primary, inside, full, max_bytes)


def validate_paths(ws: Workspace, paths: Sequence[Path] | None = None, *, cache: bool = True,
                   max_bytes: int = MAX_BYTES, jobs: int = 1,
                   progress: Progress | None = None,
                   companion: Companion | None = None) -> Report:
    """Validate annotation files (``None``: every file under ``annotations/``).

    ``progress(done, total)`` is called as files not found in the cache are checked. With
    ``cache=False`` and a workspace made with ``use_cache=False`` nothing touches the
    project's cache folder. ``companion`` also works on each file checked now (see
    :class:`Companion`).
    """
    # Outside the per-file checks (see _compute), a run builds values that live until its
    # report is made and hold no cycles: tens of thousands of cached results, keys and
    # summaries. Left running, the collector walks them again and again as they grow.
    with collection_paused():
        return _validate_paths(ws, paths, cache=cache, max_bytes=max_bytes, jobs=jobs,
                               progress=progress, companion=companion)


def _validate_paths(ws: Workspace, paths: Sequence[Path] | None, *, cache: bool,
                    max_bytes: int, jobs: int, progress: Progress | None,
                    companion: Companion | None) -> Report:
    everything = all_annotation_files(ws)
    requested: Sequence[Path | str] = (everything if paths is None
                                       else annotation_paths(ws, paths))
    store = ValidationCache(ws.project.root, defer_writes=True) if cache else None
    ctx = _context(ws, store)
    locate = _Locator(ws)
    asked = [locate.task(path, full=True, max_bytes=max_bytes) for path in requested]
    asked_files = {t.display for t in asked}
    others: list[FileTask] = []
    if paths is not None:  # the cross stage needs every other primary file's summary
        asked_paths = {t.absolute for t in asked}
        others = [t for t in (locate.task(path, full=False, max_bytes=max_bytes)
                              for path in everything if os.path.abspath(path) not in asked_paths)
                  if t.primary and t.display not in asked_files]
    try:
        results = _results(ctx, asked + others, store, jobs, progress, companion)
    finally:
        if store is not None:
            store.close()
    found: list[Issue] = []
    for result in results[:len(asked)]:
        found.extend(result.issues or [])
    found.extend(i for i in check_cross(r.summary for r in results) if i.file in asked_files)
    # The issues are made again once the results are let go, not kept as they came: made
    # among the results (unpickled with them, or by the cross stage), the few that outlive
    # them would hold on to much of the memory the results leave behind (with the objects
    # of the rows compiled alongside, see CompileAlongside: 0.6 GB for the rest of a first
    # release of a million events). Marshalled, they wait outside it.
    packed = marshal.dumps([issue_to_json(i) for i in _unique(found)])
    del results, found
    return Report([issue_from_json(i) for i in marshal.loads(packed)],
                  files_checked=len(asked))
