"""``sahelevents suggest``: run the extractor over documents and merge into annotation files.

Documents are processed one by one (or by ``jobs`` worker processes), each read, extracted,
merged into its file and written on its own, and reported in the order they were asked for;
at most a few documents per worker are in flight, so memory does not grow with the size of
the corpus. The extractor (:func:`sahelevents.extract.pipeline.extract`) is pure: workers
receive the workspace and rules once, then only document ids.
"""

from __future__ import annotations

import calendar
import datetime as dt
import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from sahelevents.annotate import MergeResult, merge_suggestions
from sahelevents.extract.assemble import Suggestion
from sahelevents.extract.pipeline import extract
from sahelevents.extract.rules import RuleSet, load_rules
from sahelevents.issues import DataError, UserError
from sahelevents.models import SourceDocument
from sahelevents.sentences import segment
from sahelevents.sources import changed_since_registered, sha256_bytes
from sahelevents.workspace import Workspace

__all__ = ["DocumentOutcome", "extract_documents", "reference_dates", "suggest_documents"]


@dataclass(frozen=True)
class DocumentOutcome:
    """What suggest did to one document. ``merge`` holds the file's text (for
    :meth:`MergeResult.diff`) in a dry run only: once the file is written it is dropped
    (:meth:`MergeResult.without_text`)."""

    doc: str
    suggestions: int
    merge: MergeResult


def reference_dates(meta: SourceDocument) -> tuple[dt.date | None, int | None]:
    """(latest possible event day, year for dates without one) from the registry entry.

    A publication date known to the month only ("2023-09-01", precision month) means "some
    day of September 2023": events up to its last day are possible, and a date written
    without a year is in 2023.
    """
    if not meta.published:
        return None, None
    published = dt.date.fromisoformat(meta.published)
    if meta.published_precision == "month":
        last = calendar.monthrange(published.year, published.month)[1]
        return published.replace(day=last), published.year
    if meta.published_precision == "year":
        return published.replace(month=12, day=31), published.year
    return published, None


# -- Per document -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Source:
    """One document as the extractor needs it."""

    doc_id: str
    text: str
    published: dt.date | None
    context_year: int | None
    sha256: str


def _source(ws: Workspace, doc_id: str) -> _Source:
    # Read through the registry, not Workspace.document/sentences: those cache every
    # document, and a long run must not keep the whole corpus in memory.
    document = ws.registry.document(doc_id)
    # The file records the registered hash as the text it was coded on: a text that changed
    # since would get offsets into other words (a few µs a page).
    actual = sha256_bytes(document.text.encode("utf-8"))
    if actual != document.meta.sha256:
        raise DataError(
            f"{ws.project.relative(document.path)}: R001 {doc_id} "
            f"{changed_since_registered(document.meta, actual)}: restore the original text, "
            "or register the corrected one as a new document; suggest coded nothing from it")
    published, context_year = reference_dates(document.meta)
    return _Source(doc_id, document.text, published, context_year, document.meta.sha256)


def _extract_one(ws: Workspace, rules: RuleSet, source: _Source) -> list[Suggestion]:
    return extract(source.doc_id, source.text, segment(source.doc_id, source.text),
                   ws.codebook, ws.gazetteer, rules, source.published, source.context_year)


def _suggest_one(ws: Workspace, rules: RuleSet, doc_id: str, coder: str, write: bool
                 ) -> tuple[int, MergeResult]:
    """Read, segment, extract, merge and (with ``write``) write one document: the whole
    per-document work, so that worker processes share all of it."""
    source = _source(ws, doc_id)
    suggestions = _extract_one(ws, rules, source)
    path = ws.project.annotations_dir / f"{doc_id}.yaml"
    merge = merge_suggestions(path, doc_id, source.sha256, suggestions,
                              codebook_version=ws.codebook.version, coder=coder,
                              dry_run=True, display=ws.project.relative(path))
    if write:
        # A file an annotator may have edited is fsynced before it replaces the old one.
        # A new file holds nothing to lose: it is written whole under a temporary name
        # and renamed (never seen half-written), and suggest_documents makes every new
        # file durable with one sync at the end of the run instead of waiting for the
        # disk once per file.
        merge.write(durable=not merge.created)
        # Once written, the file's text (~9 KB) is not needed: a worker would pickle and
        # pipe it to the driver for nothing. A dry run keeps it, for the diffs.
        merge = merge.without_text()
    return len(suggestions), merge


# -- Worker processes -----------------------------------------------------------------------

# Workers receive the workspace (codebook, gazetteer, registry) and the rules once, then only
# document ids: they read the texts and write the files themselves. (Writing in the driver
# cost it ~2 ms per document in handing results and files between threads and processes,
# CPU the workers need on a 2-core machine.)
_WORKER: dict[str, Any] = {}


def _init_worker(ws: Workspace, rules: RuleSet) -> None:
    _WORKER.update(ws=ws, rules=rules)


def _suggest_in_worker(doc_ids: Sequence[str], coder: str, write: bool
                       ) -> list[tuple[int, MergeResult]]:
    ws, rules = _WORKER["ws"], _WORKER["rules"]
    return [_suggest_one(ws, rules, doc_id, coder, write) for doc_id in doc_ids]


def _extract_in_worker(doc_ids: Sequence[str]) -> list[list[Suggestion]]:
    ws, rules = _WORKER["ws"], _WORKER["rules"]
    return [_extract_one(ws, rules, _source(ws, doc_id)) for doc_id in doc_ids]


# Documents go to the workers in chunks: a task costs the driver ~0.5 ms (queues, pickling,
# futures, waking the executor's threads), CPU taken from the workers when there are as many
# of them as cores. Over 10,000 documents the driver spent 1.9 s of CPU with 4 documents a
# task, 1.0 s with 16 and 0.8 s with 32, about 0.5 s of it start-up. A short run still
# gets at least 8 chunks per worker, so that no worker is left with much more than another.
_MAX_CHUNK = 32
_CHUNKS_PER_WORKER = 8
R = TypeVar("R")


def _chunk_size(documents: int, jobs: int) -> int:
    """Documents per task for ``documents`` shared among ``jobs`` workers."""
    return max(1, min(_MAX_CHUNK, documents // (jobs * _CHUNKS_PER_WORKER)))


def _bounded_map(ws: Workspace, rules: RuleSet, worker: Callable[..., list[R]],
                 doc_ids: Sequence[str], extra: tuple[Any, ...], jobs: int) -> Iterator[R]:
    """``worker(chunk, *extra)`` over chunks of ``doc_ids`` in ``jobs`` processes, results in
    document order, with at most ``2 * jobs`` chunks in flight so that memory does not grow
    with the corpus."""
    # Load what the workers share once, before it is copied to them.
    _ = ws.codebook, ws.registry.by_id, ws.gazetteer.index
    size = _chunk_size(len(doc_ids), jobs)
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker,
                             initargs=(ws, rules)) as pool:
        pending: deque[Future[list[R]]] = deque()
        for start in range(0, len(doc_ids), size):
            pending.append(pool.submit(worker, doc_ids[start:start + size], *extra))
            if len(pending) >= 2 * jobs:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()


# -- Driver ---------------------------------------------------------------------------------


def _suggest_all(ws: Workspace, doc_ids: Sequence[str], rules: RuleSet, *, coder: str,
                 dry_run: bool, jobs: int) -> Iterator[tuple[str, int, MergeResult]]:
    """(doc id, suggestions found, merge result) for each document, in the order given, once
    its file is written (unless ``dry_run``)."""
    if jobs <= 1:
        results: Iterator[tuple[int, MergeResult]] = (
            _suggest_one(ws, rules, doc_id, coder, not dry_run) for doc_id in doc_ids)
    else:
        results = _bounded_map(ws, rules, _suggest_in_worker, doc_ids, (coder, not dry_run),
                               jobs)
    for doc_id, (count, merge) in zip(doc_ids, results, strict=True):
        yield doc_id, count, merge


def extract_documents(ws: Workspace, doc_ids: Sequence[str], rules: RuleSet, *, jobs: int = 1
                      ) -> Iterator[tuple[str, list[Suggestion]]]:
    """(doc id, suggestions) for each document, in the order given; nothing is written."""
    if jobs <= 1:
        results: Iterator[list[Suggestion]] = (
            _extract_one(ws, rules, _source(ws, doc_id)) for doc_id in doc_ids)
    else:
        results = _bounded_map(ws, rules, _extract_in_worker, doc_ids, (), jobs)
    yield from zip(doc_ids, results, strict=True)


def suggest_documents(ws: Workspace, doc_ids: Sequence[str] | None = None, *, coder: str,
                      jobs: int = 1, dry_run: bool = False, rules: RuleSet | None = None,
                      on_start: Callable[[int], None] | None = None
                      ) -> Iterator[DocumentOutcome]:
    """Suggest events for ``doc_ids`` (default: every registered document), merging each
    document's suggestions into ``annotations/<doc>.yaml`` as soon as they are ready."""
    known = [d.id for d in ws.registry.data.documents]
    # Each document once: two workers must never write the same file.
    wanted = list(dict.fromkeys(doc_ids)) if doc_ids else known
    unknown = [d for d in wanted if d not in ws.registry.by_id]
    if unknown:
        raise UserError(f"unknown document(s): {', '.join(unknown)} (see "
                        f"{ws.project.relative(ws.project.registry_file)})")
    if jobs < 1:
        raise UserError("--jobs must be at least 1")
    ruleset = rules or load_rules(ws.project.rules_dir, ws.codebook,
                                  display_root=ws.project.root)
    if on_start is not None:
        on_start(len(wanted))
    created = False
    try:
        for doc_id, count, merge in _suggest_all(ws, wanted, ruleset, coder=coder,
                                                 dry_run=dry_run, jobs=jobs):
            created = created or (merge.written and merge.created)
            yield DocumentOutcome(doc_id, count, merge)
    finally:
        if created:
            # New files were written without an fsync each (see _suggest_one); also when
            # the run stops early, the ones already written are made durable.
            os.sync()
