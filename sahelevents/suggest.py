"""``sahelevents suggest``: run the extractor over documents and merge into annotation files.

Documents are processed one by one (or by ``jobs`` worker processes) and each result is
merged as soon as it arrives, in the order the documents were asked for; at most ``2 ×
jobs`` documents are in flight, so memory does not grow with the size of the corpus. The
extractor (:func:`sahelevents.extract.pipeline.extract`) is pure: workers receive the
codebook, gazetteer and rules once, then only each document's text and sentences.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from sahelevents.annotate import MergeResult, merge_suggestions
from sahelevents.codebook import Codebook
from sahelevents.extract.assemble import Suggestion
from sahelevents.extract.pipeline import extract
from sahelevents.extract.rules import RuleSet, load_rules
from sahelevents.gazetteer import Gazetteer
from sahelevents.issues import UserError
from sahelevents.models import SourceDocument
from sahelevents.sentences import segment
from sahelevents.workspace import Workspace

__all__ = ["DocumentOutcome", "extract_documents", "reference_dates", "suggest_documents"]


@dataclass(frozen=True)
class DocumentOutcome:
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


# -- Worker side ----------------------------------------------------------------------------

_WORKER: dict[str, Any] = {}


def _init_worker(codebook: Codebook, gazetteer: Gazetteer, rules: RuleSet) -> None:
    _WORKER.update(codebook=codebook, gazetteer=gazetteer, rules=rules)


@dataclass(frozen=True)
class _MergeTarget:
    """Where and how one document's suggestions are merged (picklable, for the workers)."""

    path: Path
    display: str
    sha256: str
    codebook_version: str
    coder: str
    dry_run: bool


def _suggest_one(doc_id: str, text: str, published: dt.date | None, context_year: int | None,
                 target: _MergeTarget, codebook: Codebook, gazetteer: Gazetteer,
                 rules: RuleSet) -> tuple[int, MergeResult]:
    """Segment, extract and merge one document: the whole per-document job, so that worker
    processes share all of it (writing YAML costs more than extracting)."""
    sentences = segment(doc_id, text)
    suggestions = extract(doc_id, text, sentences, codebook, gazetteer, rules, published,
                          context_year)
    merge = merge_suggestions(target.path, doc_id, target.sha256, suggestions,
                              codebook_version=target.codebook_version, coder=target.coder,
                              dry_run=target.dry_run, display=target.display)
    return len(suggestions), merge


def _suggest_in_worker(doc_id: str, text: str, published: dt.date | None,
                       context_year: int | None, target: _MergeTarget
                       ) -> tuple[int, MergeResult]:
    return _suggest_one(doc_id, text, published, context_year, target, _WORKER["codebook"],
                        _WORKER["gazetteer"], _WORKER["rules"])


# -- Driver ---------------------------------------------------------------------------------


def _task(ws: Workspace, doc_id: str, coder: str, dry_run: bool
          ) -> tuple[str, str, dt.date | None, int | None, _MergeTarget]:
    # Read through the registry, not Workspace.document/sentences: those cache every
    # document, and a long run must not keep the whole corpus in memory.
    document = ws.registry.document(doc_id)
    published, context_year = reference_dates(document.meta)
    path = ws.project.annotations_dir / f"{doc_id}.yaml"
    target = _MergeTarget(path, ws.project.relative(path), document.meta.sha256,
                          ws.codebook.version, coder, dry_run)
    return doc_id, document.text, published, context_year, target


R = TypeVar("R")


def _bounded_map(ws: Workspace, rules: RuleSet, worker: Callable[..., R],
                 tasks: Iterator[tuple[Any, ...]], jobs: int) -> Iterator[R]:
    """``worker(*task)`` in ``jobs`` processes, results in task order, with at most
    ``2 * jobs`` tasks in flight so that memory does not grow with the corpus."""
    gazetteer = ws.gazetteer
    _ = gazetteer.index  # build the index once, before it is copied to the workers
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker,
                             initargs=(ws.codebook, gazetteer, rules)) as pool:
        pending: deque[Future[R]] = deque()
        for task in tasks:
            pending.append(pool.submit(worker, *task))
            if len(pending) >= 2 * jobs:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _suggest_all(ws: Workspace, doc_ids: Sequence[str], rules: RuleSet, *, coder: str,
                 dry_run: bool, jobs: int) -> Iterator[tuple[str, int, MergeResult]]:
    """(doc id, suggestions found, merge result) for each document, in the order given."""
    tasks = (_task(ws, doc_id, coder, dry_run) for doc_id in doc_ids)
    if jobs <= 1:
        results: Iterator[tuple[int, MergeResult]] = (
            _suggest_one(*task, ws.codebook, ws.gazetteer, rules) for task in tasks)
    else:
        results = _bounded_map(ws, rules, _suggest_in_worker, tasks, jobs)
    for doc_id, (count, merge) in zip(doc_ids, results, strict=True):
        yield doc_id, count, merge


def _extract_one(doc_id: str, text: str, published: dt.date | None, context_year: int | None,
                 codebook: Codebook, gazetteer: Gazetteer, rules: RuleSet
                 ) -> list[Suggestion]:
    return extract(doc_id, text, segment(doc_id, text), codebook, gazetteer, rules, published,
                   context_year)


def _extract_in_worker(doc_id: str, text: str, published: dt.date | None,
                       context_year: int | None) -> list[Suggestion]:
    return _extract_one(doc_id, text, published, context_year, _WORKER["codebook"],
                        _WORKER["gazetteer"], _WORKER["rules"])


def extract_documents(ws: Workspace, doc_ids: Sequence[str], rules: RuleSet, *, jobs: int = 1
                      ) -> Iterator[tuple[str, list[Suggestion]]]:
    """(doc id, suggestions) for each document, in the order given; nothing is written."""
    tasks = (_task(ws, doc_id, "", True)[:4] for doc_id in doc_ids)
    if jobs <= 1:
        results: Iterator[list[Suggestion]] = (
            _extract_one(*task, ws.codebook, ws.gazetteer, rules) for task in tasks)
    else:
        results = _bounded_map(ws, rules, _extract_in_worker, tasks, jobs)
    yield from zip(doc_ids, results, strict=True)


def suggest_documents(ws: Workspace, doc_ids: Sequence[str] | None = None, *, coder: str,
                      jobs: int = 1, dry_run: bool = False, rules: RuleSet | None = None,
                      on_start: Callable[[int], None] | None = None
                      ) -> Iterator[DocumentOutcome]:
    """Suggest events for ``doc_ids`` (default: every registered document), merging each
    document's suggestions into ``annotations/<doc>.yaml`` as soon as they are ready."""
    known = [d.id for d in ws.registry.data.documents]
    wanted = list(doc_ids) if doc_ids else known
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
    for doc_id, count, merge in _suggest_all(ws, wanted, ruleset, coder=coder,
                                             dry_run=dry_run, jobs=jobs):
        yield DocumentOutcome(doc_id, count, merge)
