"""Assemble a release and write it safely: ``releases/VERSION/`` or the ``build/`` preview.

Rules
-----
* **Versions** are semver (``1.2.3``) and increase: a release must be newer than every
  published one (the id ledger and the changelog follow the version order).
* **A published release is never overwritten**: releasing an existing version is refused.
* **No half-written release**: files are written into a hidden sibling folder
  ``releases/.VERSION.partial-<pid>`` and the folder is renamed into place only when every
  file is written and flushed. A crash or ``kill -9`` leaves at most that hidden folder,
  which the next run removes (when its process is gone). ``build/`` is replaced the same way
  (the old ``build/`` is moved aside, the new one renamed in, the old one deleted).
* **Deterministic**: the same inputs give byte-identical files. Nothing reads the clock: the
  release date comes from ``--date YYYY-MM-DD``, else from ``SOURCE_DATE_EPOCH`` (the
  reproducible-builds convention, Unix seconds), else it is the latest publication date of
  the documents the release cites (of the coded documents when none is cited, of the
  registered ones when none is coded), or the latest event date if that is later (a teaser
  can report an event after its page's article). Each event's
  ``timestamp`` is that date (00:00 UTC) for events new or changed in this release, and the
  previous release's timestamp for unchanged events.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import re
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from sahelevents.issues import DataError, Report, UserError
from sahelevents.release.compile import (
    CompileAlongside,
    CompiledEvents,
    compile_events,
    rebuilt,
)
from sahelevents.release.diff import ReleaseDiff, diff_frames
from sahelevents.release.ids import LEDGER_FILE, Ledger, id_sort_key
from sahelevents.release.load import full_events
from sahelevents.release.members import SentenceLoader
from sahelevents.release.package import (
    ReleaseInfo,
    citation_text,
    read_created,
    release_files,
    render_changelog,
    render_citation,
    render_readme,
    write_checksums,
    write_datapackage,
)
from sahelevents.release.tables import (
    events_csv_frame,
    in_row_groups,
    write_csv,
    write_jsonl,
    write_parquet,
)
from sahelevents.workspace import Workspace

if TYPE_CHECKING:
    from sahelevents.validate import Companion

_SEMVER = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")


def parse_version(version: str) -> tuple[int, int, int]:
    match = _SEMVER.match(version)
    if match is None:
        raise UserError(f"version {version!r} is not semver MAJOR.MINOR.PATCH (e.g. 0.1.0)")
    return int(match.group(1)), int(match.group(2)), int(match.group(3))


def published_versions(releases_dir: Path) -> list[str]:
    """Published release folders, oldest first (hidden temporary folders ignored)."""
    if not releases_dir.is_dir():
        return []
    found = [p.name for p in releases_dir.iterdir() if p.is_dir() and _SEMVER.match(p.name)]
    return sorted(found, key=parse_version)


def next_version(releases_dir: Path) -> str:
    published = published_versions(releases_dir)
    if not published:
        return "0.1.0"
    major, minor, patch = parse_version(published[-1])
    return f"{major}.{minor}.{patch + 1}"


# -- Dates ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReleaseClock:
    date: dt.date
    timestamp: int
    origin: str


def _midnight(day: dt.date) -> int:
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())


def resolve_clock(ws: Workspace, explicit: str | None, compiled: CompiledEvents) -> ReleaseClock:
    if explicit:
        try:
            day = dt.date.fromisoformat(explicit)
        except ValueError:
            raise UserError(f"--date {explicit!r} is not YYYY-MM-DD") from None
        return ReleaseClock(day, _midnight(day), "--date")
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            seconds = int(epoch)
        except ValueError:
            raise UserError(f"SOURCE_DATE_EPOCH={epoch!r} is not a number of seconds") from None
        day = dt.datetime.fromtimestamp(seconds, dt.UTC).date()
        return ReleaseClock(day, seconds, "SOURCE_DATE_EPOCH")
    sources = compiled.sources
    registered = [d.published or "" for d in ws.registry.data.documents]
    for scope, dates in (
            ("cited", sources.filter(pl.col("events") > 0)["published"].to_list()),
            ("coded", sources["published"].to_list()),
            ("registered", registered)):
        known = [d for d in dates if d]
        if known:
            day = dt.date.fromisoformat(max(known))
            # A teaser on an older page can report a later event (seed 004: a 2024 article
            # page with 2025 teasers): a release is never dated before its latest event.
            latest_event = _latest_event_date(compiled)
            if latest_event is not None and latest_event > day:
                return ReleaseClock(latest_event, _midnight(latest_event),
                                    "latest event date (after every publication date)")
            return ReleaseClock(day, _midnight(day),
                                f"latest publication date of the {scope} documents")
    raise UserError("cannot date the release: no registered document has a publication "
                    "date; pass --date YYYY-MM-DD")


def _latest_event_date(compiled: CompiledEvents) -> dt.date | None:
    if compiled.events.height == 0 or "event_date" not in compiled.events.columns:
        return None
    latest = compiled.events["event_date"].max()
    return dt.date.fromisoformat(str(latest)) if latest is not None else None


# -- Assembling -----------------------------------------------------------------------------


@dataclass
class AssembledRelease:
    version: str
    events: pl.DataFrame
    compiled: CompiledEvents  # its rows were taken: they are ``events``
    ledger: Ledger
    clock: ReleaseClock
    previous: str | None
    diff: ReleaseDiff

    @property
    def count(self) -> int:
        return self.events.height


def _carry_timestamps(events: pl.DataFrame, previous: pl.DataFrame,
                      diff: ReleaseDiff) -> pl.DataFrame:
    """Unchanged events keep the timestamp of the release in which they last changed."""
    fresh = set(diff.added) | set(diff.changed)
    kept = (previous.select("event_id_cnty", pl.col("timestamp").alias("__previous"))
            .filter(~pl.col("event_id_cnty").is_in(list(fresh))))
    return (events.join(kept, on="event_id_cnty", how="left", maintain_order="left")
            .with_columns(pl.coalesce("__previous", "timestamp").alias("timestamp"))
            .drop("__previous"))


def _cached_sentence_loader(ws: Workspace) -> SentenceLoader:
    """Segmentations from the validation cache (computed and stored when missing)."""
    from sahelevents.validate.cache import ValidationCache

    return ValidationCache(ws.project.root).sentences


def _prime_registry(ws: Workspace) -> None:
    """Load the source registry from the validation cache when the workspace has not yet.

    Parsing the registry's YAML takes seconds for tens of thousands of documents; the
    validator keeps its entries keyed by the registry file's bytes, so they are never stale.
    ``Workspace.registry`` is a cached property: setting it is how its value is provided.
    """
    if "registry" in vars(ws):
        return
    from sahelevents.models import SourceDocument, SourceRegistry
    from sahelevents.sources import Registry
    from sahelevents.validate.cache import ValidationCache

    entries = ValidationCache(ws.project.root).registry_entries(ws)
    if "registry" in vars(ws):  # the cache was cold: registry_entries parsed the file
        return
    # Each entry is a whole model's dump, so every document has set every field: they share
    # one set of the field names (pydantic only ever adds names to it, all there already).
    # A set per document was ~240 MB of 217,000 documents, held to the end of the release.
    every_field = set(SourceDocument.model_fields)
    documents = []
    for meta, _ in entries.values():
        document = SourceDocument.model_validate_json(meta)
        if document.model_fields_set == every_field:
            object.__setattr__(document, "__pydantic_fields_set__", every_field)
        documents.append(document)
    vars(ws)["registry"] = Registry(ws.project.registry_file,
                                    SourceRegistry(documents=documents))


def assemble(ws: Workspace, version: str, *, date: str | None = None,
             clock: ReleaseClock | None = None, cache: bool = True,
             jobs: int = 1, precompiled: CompileAlongside | None = None
             ) -> AssembledRelease:
    """Compile the annotations into the events of release ``version`` (nothing written).

    ``cache`` reuses the validator's segmentations and the compile cache (rows of files
    that did not change); ``jobs`` compiles changed files in that many processes;
    ``precompiled`` holds rows compiled during validation.
    """
    parse_version(version)
    earlier = [v for v in published_versions(ws.project.releases_dir)
               if parse_version(v) < parse_version(version)]
    previous = earlier[-1] if earlier else None
    ledger = Ledger()
    previous_events: pl.DataFrame | None = None
    if previous is not None:
        folder = ws.project.releases_dir / previous
        ledger_file = folder / LEDGER_FILE
        if not ledger_file.is_file():
            raise DataError(f"{ws.project.relative(ledger_file)} is missing: the event ids of "
                            "the previous release cannot be kept; restore it from version "
                            "control")
        ledger = Ledger.read(ledger_file)
        previous_events = full_events(folder)
    if cache:
        _prime_registry(ws)
    compiled = compile_events(ws, sentence_loader=_cached_sentence_loader(ws) if cache else None,
                              cache=cache, jobs=jobs, precompiled=precompiled)
    ids, new_ledger = ledger.assign(compiled.groups, version)
    clock = clock or resolve_clock(ws, date, compiled)
    events = compiled.take_frame(ids, clock.timestamp)
    if previous_events is not None:
        diff = diff_frames(previous_events, events)
        # The join makes one chunk per column: cut again into the row groups it is written
        # in (see in_row_groups), each column let go as its new one is made.
        held = [_carry_timestamps(events, previous_events, diff)]
        del events
        events = rebuilt(held, in_row_groups)
    else:
        diff = ReleaseDiff(added=sorted(ids, key=id_sort_key))
    return AssembledRelease(version, events, compiled, new_ledger, clock, previous, diff)


# -- Writing --------------------------------------------------------------------------------


def _copy_snapshot(ws: Workspace, folder: Path) -> None:
    """The codebook files and JSON Schemas the release was made with."""
    codebook_dir = folder / "codebook"
    codebook_dir.mkdir()
    for path in sorted(ws.project.codebook_dir.glob("*.yaml")):
        shutil.copyfile(path, codebook_dir / path.name)
    schema_dir = folder / "schema"
    schema_dir.mkdir()
    committed = sorted(ws.project.schema_dir.glob("*.json"))
    if committed:
        for path in committed:
            shutil.copyfile(path, schema_dir / path.name)
        return
    # A project without committed schemas: the ones generated from the models.
    from sahelevents.schemas import SCHEMAS, render_schema

    types = {t.name: [s.name for s in t.sub_event_types]
             for t in ws.codebook.event_types.values()}
    for name in SCHEMAS:
        (schema_dir / f"{name}.schema.json").write_text(
            render_schema(name, event_types=types), encoding="utf-8", newline="\n")


def write_release_files(ws: Workspace, release: AssembledRelease, folder: Path) -> None:
    """Write every file of ``release`` into the empty folder ``folder``."""
    events = release.events
    write_csv(events_csv_frame(events), folder / "events.csv")
    write_jsonl(events, folder / "events.jsonl")
    write_parquet(events, folder / "events.parquet")
    write_csv(release.compiled.sources, folder / "sources.csv")
    write_jsonl(release.compiled.sentences, folder / "sentences.jsonl")
    release.ledger.write(folder / LEDGER_FILE)
    _copy_snapshot(ws, folder)
    info = ReleaseInfo(release.version, release.clock.date, release.clock.timestamp,
                       release.clock.origin, release.previous, release.compiled.coders,
                       ws.codebook)
    previous_log = None
    if release.previous is not None:
        log = ws.project.releases_dir / release.previous / "CHANGELOG.md"
        previous_log = log.read_text(encoding="utf-8") if log.is_file() else None
    _write_text(folder / "CHANGELOG.md",
                render_changelog(info, release.diff, events.height, previous_log))
    _write_text(folder / "CITATION.cff", render_citation(info))
    _write_text(folder / "README.md",
                render_readme(info, events, release.compiled.sources, citation_text(info)))
    documents = [ws.registry.by_id[d] for d in release.compiled.sources["source_id"].to_list()]
    write_datapackage(folder, info, documents, events.height)
    write_checksums(folder)


def _write_text(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8", newline="\n")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_TEMP = re.compile(r"^\.(?P<name>.+)\.(?:partial|old)-(?P<pid>[0-9]+)$")


def clean_stale(parent: Path) -> list[Path]:
    """Remove temporary folders left in ``parent`` by runs that were killed."""
    removed: list[Path] = []
    if not parent.is_dir():
        return removed
    for path in parent.iterdir():
        match = _TEMP.match(path.name)
        if match and path.is_dir() and not _alive(int(match.group("pid"))):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def _fsync_tree(folder: Path) -> None:
    for path in sorted(folder.rglob("*"), reverse=True):
        flags = os.O_RDONLY | (getattr(os, "O_DIRECTORY", 0) if path.is_dir() else 0)
        descriptor = os.open(path, flags)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def write_folder(target: Path, write: Callable[[Path], None], *, replace: bool) -> None:
    """Write a folder aside with ``write`` and rename it to ``target`` when complete.

    With ``replace`` an existing ``target`` is swapped out (``build/``); without it an
    existing ``target`` is refused (a published release).
    """
    parent = target.parent
    parent.mkdir(parents=True, exist_ok=True)
    clean_stale(parent)
    if target.exists() and not replace:
        raise DataError(f"{target.name} already exists; a published release is never "
                        "overwritten (release a new version)")
    temp = parent / f".{target.name}.partial-{os.getpid()}"
    shutil.rmtree(temp, ignore_errors=True)
    temp.mkdir()
    try:
        write(temp)
        _fsync_tree(temp)
        if target.exists() and replace:
            old = parent / f".{target.name}.old-{os.getpid()}"
            os.rename(target, old)
            os.rename(temp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            if target.exists():
                raise DataError(f"{target.name} appeared while the release was written; "
                                "it is left untouched")
            try:
                os.rename(temp, target)
            except OSError as exc:
                if exc.errno in (errno.EEXIST, errno.ENOTEMPTY):
                    raise DataError(f"{target.name} already exists; it is left "
                                    "untouched") from None
                raise
    finally:
        if temp.exists():
            shutil.rmtree(temp, ignore_errors=True)


# -- The commands' library functions --------------------------------------------------------


@dataclass
class ReleaseOutcome:
    """What ``release``/``build`` did: the validation report and, if valid, the result."""

    report: Report
    release: AssembledRelease | None = None
    path: Path | None = None
    files: Sequence[str] = ()

    @property
    def ok(self) -> bool:
        return self.report.valid and self.path is not None


def validate_project(ws: Workspace, jobs: int = 1,
                     companion: Companion | None = None) -> Report:
    """Validate every annotation file (cached), as ``sahelevents validate`` does."""
    from sahelevents.validate import validate_paths

    return validate_paths(ws, None, cache=True, jobs=jobs, companion=companion)


def _validated(ws: Workspace, validate: bool, jobs: int
               ) -> tuple[Report, CompileAlongside | None]:
    """The validation report and the rows of the files it checked now (compiled alongside:
    each file is parsed once)."""
    if not validate:
        return Report(), None
    alongside = CompileAlongside(ws)
    report = validate_project(ws, jobs, alongside)
    return report, alongside if report.valid else None


def release(ws: Workspace, version: str, *, date: str | None = None,
            validate: bool = True, jobs: int = 1) -> ReleaseOutcome:
    """Publish ``releases/VERSION/``; refuse when the annotations do not validate."""
    parse_version(version)
    releases_dir = ws.project.releases_dir
    target = releases_dir / version
    if target.exists():
        raise DataError(f"release {version} already exists in "
                        f"{ws.project.relative(releases_dir)}/; a published release is never "
                        "overwritten (release a new version)")
    published = published_versions(releases_dir)
    if published and parse_version(version) < parse_version(published[-1]):
        raise UserError(f"release {version} is older than the latest release "
                        f"{published[-1]}; releases are made in increasing version order")
    report, precompiled = _validated(ws, validate, jobs)
    if not report.valid:
        return ReleaseOutcome(report)
    assembled = assemble(ws, version, date=date, jobs=jobs,
                         precompiled=precompiled)
    write_folder(target, lambda folder: write_release_files(ws, assembled, folder),
                 replace=False)
    return ReleaseOutcome(report, assembled, target, release_files(target))


def build(ws: Workspace, *, version: str | None = None, date: str | None = None,
          validate: bool = True, jobs: int = 1) -> ReleaseOutcome:
    """Write the release that ``release VERSION`` would publish into ``build/``.

    ``version`` defaults to the patch after the latest release. Rebuilding a published
    version without ``--date`` reuses that release's date, so the files can be compared.
    """
    version = version or next_version(ws.project.releases_dir)
    parse_version(version)
    clock = None
    if date is None and not os.environ.get("SOURCE_DATE_EPOCH"):
        clock = published_clock(ws, version)
    report, precompiled = _validated(ws, validate, jobs)
    if not report.valid:
        return ReleaseOutcome(report)
    assembled = assemble(ws, version, date=date, clock=clock, jobs=jobs,
                         precompiled=precompiled)
    target = ws.project.build_dir
    write_folder(target, lambda folder: write_release_files(ws, assembled, folder),
                 replace=True)
    return ReleaseOutcome(report, assembled, target, release_files(target))


def published_clock(ws: Workspace, version: str) -> ReleaseClock | None:
    """The date and timestamp of published ``version`` (None if it is not published)."""
    created = read_created(ws.project.releases_dir / version)
    if created is None:
        return None
    day = dt.datetime.fromtimestamp(created, dt.UTC).date()
    return ReleaseClock(day, created, f"release {version}")


def check_release(ws: Workspace, version: str) -> list[str]:
    """Rebuild published ``version`` aside; the files that differ (empty: identical)."""
    published = ws.project.releases_dir / version
    if not published.is_dir():
        raise UserError(f"no release {version} in {ws.project.relative(ws.project.releases_dir)}/")
    # No cache: the check is a rebuild from the repository's files alone.
    assembled = assemble(ws, version, clock=published_clock(ws, version), cache=False)
    scratch = ws.project.root / f".check-{version}.partial-{os.getpid()}"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir()
    try:
        write_release_files(ws, assembled, scratch)
        names = sorted(set(release_files(scratch)) | set(release_files(published)))
        return [name for name in names
                if not (scratch / name).is_file() or not (published / name).is_file()
                or (scratch / name).read_bytes() != (published / name).read_bytes()]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
