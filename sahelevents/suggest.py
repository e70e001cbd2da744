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
from typing import Any

from sahelevents.annotate import MergeResult, merge_suggestions
from sahelevents.codebook import Codebook
from sahelevents.extract.assemble import Suggestion
from sahelevents.extract.pipeline import extract
from sahelevents.extract.rules import RuleSet, load_rules
from sahelevents.gazetteer import Gazetteer
from sahelevents.issues import UserError
from sahelevents.models import SourceDocument
from sahelevents.sentences import Sentence, segment
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


def _extract_in_worker(doc_id: str, text: str, sentences: list[Sentence],
                       published: dt.date | None, context_year: int | None
                       ) -> list[Suggestion]:
    return extract(doc_id, text, sentences, _WORKER["codebook"], _WORKER["gazetteer"],
                   _WORKER["rules"], published, context_year)


# -- Driver ---------------------------------------------------------------------------------


def _task(ws: Workspace, doc_id: str) -> tuple[str, str, list[Sentence], dt.date | None,
                                               int | None]:
    # Read through the registry, not Workspace.document/sentences: those cache every
    # document, and a long run must not keep the whole corpus in memory.
    document = ws.registry.document(doc_id)
    published, context_year = reference_dates(document.meta)
    return doc_id, document.text, segment(doc_id, document.text), published, context_year


def extract_documents(ws: Workspace, doc_ids: Sequence[str], rules: RuleSet, *, jobs: int = 1
                      ) -> Iterator[tuple[str, list[Suggestion]]]:
    """(doc id, suggestions) for each document, in the order given."""
    if jobs <= 1:
        for doc_id in doc_ids:
            _, text, sentences, published, context_year = _task(ws, doc_id)
            yield doc_id, extract(doc_id, text, sentences, ws.codebook, ws.gazetteer, rules,
                                  published, context_year)
        return
    gazetteer = ws.gazetteer
    _ = gazetteer.index  # build the index once, before it is copied to the workers
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker,
                             initargs=(ws.codebook, gazetteer, rules)) as pool:
        pending: deque[tuple[str, Future[list[Suggestion]]]] = deque()
        remaining = iter(doc_ids)
        for doc_id in remaining:
            pending.append((doc_id, pool.submit(_extract_in_worker, *_task(ws, doc_id))))
            if len(pending) >= 2 * jobs:
                break
        while pending:
            doc_id, future = pending.popleft()
            next_doc = next(remaining, None)
            if next_doc is not None:
                pending.append((next_doc, pool.submit(_extract_in_worker,
                                                      *_task(ws, next_doc))))
            yield doc_id, future.result()


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
    for doc_id, suggestions in extract_documents(ws, wanted, ruleset, jobs=jobs):
        path = ws.project.annotations_dir / f"{doc_id}.yaml"
        merge = merge_suggestions(
            path, doc_id, ws.registry.by_id[doc_id].sha256, suggestions,
            codebook_version=ws.codebook.version, coder=coder, dry_run=dry_run,
            display=ws.project.relative(path))
        yield DocumentOutcome(doc_id, len(suggestions), merge)
