"""Annotation files: locating them, reading them leniently, and their header comment.

One YAML file per source document: ``annotations/<doc_id>.yaml`` is the primary coding;
``annotations/coders/<coder>/<doc_id>.yaml`` are double-coding copies (validated like any
file, never compiled into releases, left out of cross-file checks).

:func:`load_annotation` runs the YAML and schema stages. When the file as a whole fails its
schema, each event is still validated on its own, so that one bad event does not hide the
codebook and provenance problems of the others; the header values later stages need (source,
codebook version, declared new actors) are likewise kept when they are individually valid.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sahelevents.issues import Issue, UserError
from sahelevents.modelio import validate_model
from sahelevents.models import AnnotatedEvent, AnnotationFile, NewActor
from sahelevents.workspace import Workspace
from sahelevents.yamlio import MAX_BYTES, LoadedYaml, load_yaml_file

SCHEMA_FILE = "annotation.schema.json"
#: The first line of a primary annotation file (``annotations/<doc>.yaml``): editors running
#: the YAML language server check the file against the schema as the annotator types.
SCHEMA_COMMENT = f"# yaml-language-server: $schema=../schema/{SCHEMA_FILE}"

CODERS_DIR = "coders"

#: Fields of a release row that follow from the coded fields and must never be typed by hand,
#: with where each one comes from (used in the S002 message).
DERIVED_FIELDS: dict[str, str] = {
    "event_id_cnty": "assigned at release time from the id ledger",
    "year": "derived from event_date",
    "disorder_type": "derived from sub_event_type by the codebook",
    "inter1": "derived from actor1 by codebook/actors.yaml",
    "inter2": "derived from actor2 by codebook/actors.yaml",
    "interaction": "derived from the actors' inter codes by the codebook",
    "iso": "derived from the location by the gazetteer and the codebook's countries",
    "iso3": "derived from the location by the gazetteer",
    "country": "derived from the location by the gazetteer",
    "region": "derived from the location's country by the codebook",
    "admin1": "derived from the location by the gazetteer",
    "admin2": "derived from the location by the gazetteer",
    "admin3": "derived from the location by the gazetteer",
    "latitude": "derived from the location by the gazetteer",
    "longitude": "derived from the location by the gazetteer",
    "source": "taken from the source registry (seeds/sources.yaml)",
    "source_scale": "taken from the source registry (seeds/sources.yaml)",
    "timestamp": "set at release time",
}

_DOC_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_SEMVER = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")
_EVENT_FIELD = re.compile(r"^events\[(\d+)\]\.([A-Za-z0-9_]+)$")
_REQUIRED_EVENT_FIELDS = frozenset({"id", "decision"})


@dataclass
class LoadedAnnotation:
    """An annotation file after the YAML and schema stages.

    ``model`` is the validated file, or None when any part of it failed. ``events`` holds
    ``(index in the file, event)`` for every event that is valid on its own, whether or not
    the whole file is - if need be without its invalid fields, named in ``dropped[index]``
    (already reported; later stages must not call them missing). ``source``,
    ``source_sha256``, ``codebook_version`` and ``new_actors`` are the header values that are
    individually valid.
    """

    path: Path
    display: str
    loaded: LoadedYaml
    model: AnnotationFile | None = None
    events: list[tuple[int, AnnotatedEvent]] = field(default_factory=list)
    source: str | None = None
    source_sha256: str | None = None
    codebook_version: str | None = None
    new_actors: list[tuple[int, NewActor]] = field(default_factory=list)
    dropped: dict[int, frozenset[str]] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)

    @property
    def raw_events(self) -> list[Any]:
        data = self.loaded.data
        events = data.get("events") if isinstance(data, dict) else None
        return events if isinstance(events, list) else []


def load_annotation(path: Path, ws: Workspace | None = None, *, display: str | None = None,
                    max_bytes: int = MAX_BYTES) -> LoadedAnnotation:
    """Read ``path`` through the YAML and schema stages. Never raises on bad content."""
    if display is None:
        display = display_path(ws, path) if ws is not None else str(path)
    loaded = load_yaml_file(path, display, max_bytes=max_bytes)
    result = LoadedAnnotation(path=path, display=display, loaded=loaded,
                              issues=list(loaded.issues))
    if loaded.data is None:
        return result
    if not isinstance(loaded.data, dict):
        kind = "a list" if isinstance(loaded.data, list) else "a single value"
        result.issues.append(loaded.issue_at(
            "Y011", f"the file is {kind}; an annotation file is a mapping starting with "
            "source:, source_sha256:, codebook_version:, coders:, status: and events:", ()))
        return result
    model, schema_issues = validate_model(loaded, AnnotationFile)
    result.issues.extend(_explain_derived(schema_issues))
    if model is not None:
        result.model = model
        result.events = list(enumerate(model.events))
        result.source, result.source_sha256 = model.source, model.source_sha256
        result.codebook_version = model.codebook_version
        result.new_actors = list(enumerate(model.new_actors))
        return result
    _salvage(result, loaded.data)
    return result


def _salvage(result: LoadedAnnotation, data: dict[str, Any]) -> None:
    """Keep every header value and event that is valid on its own (the file is not)."""
    source = data.get("source")
    result.source = source if isinstance(source, str) and _DOC_ID.match(source) else None
    sha = data.get("source_sha256")
    result.source_sha256 = sha if isinstance(sha, str) and _SHA256.match(sha) else None
    version = data.get("codebook_version")
    result.codebook_version = (version if isinstance(version, str) and _SEMVER.match(version)
                               else None)
    actors = data.get("new_actors")
    for index, item in enumerate(actors if isinstance(actors, list) else []):
        try:
            result.new_actors.append((index, NewActor.model_validate(item)))
        except ValidationError:
            continue  # already reported, located, by the whole-file validation
    events = data.get("events")
    for index, item in enumerate(events if isinstance(events, list) else []):
        salvaged = _salvage_event(item)
        if salvaged is not None:
            result.events.append((index, salvaged[0]))
            if salvaged[1]:
                result.dropped[index] = salvaged[1]


def _salvage_event(item: Any) -> tuple[AnnotatedEvent, frozenset[str]] | None:
    """The event, or the event without its invalid fields (and their names).

    Dropping a bad field (``fatalites: 3``, ``evidence`` with a malformed sentence id) lets
    the later stages still check the event's other fields. An event whose id or decision is
    invalid cannot be checked at all.
    """
    try:
        return AnnotatedEvent.model_validate(item), frozenset()
    except ValidationError as exc:
        if not isinstance(item, dict):
            return None
        bad = frozenset(str(e["loc"][0]) for e in exc.errors() if e["loc"])
        if not bad or bad & _REQUIRED_EVENT_FIELDS:
            return None
        try:
            kept = {k: v for k, v in item.items() if k not in bad}
            return AnnotatedEvent.model_validate(kept), bad
        except ValidationError:
            return None


def _explain_derived(issues: list[Issue]) -> list[Issue]:
    """Replace the generic "unknown field" message of derived fields by what to do."""
    out = []
    for found in issues:
        match = _EVENT_FIELD.match(found.yaml_path) if found.code == "S002" else None
        if match and match.group(2) in DERIVED_FIELDS:
            name = match.group(2)
            found = dataclasses.replace(
                found, message=f"'{name}' is {DERIVED_FIELDS[name]}; it is never typed in an "
                "annotation file: remove it")
        out.append(found)
    return out


# -- Where annotation files are ------------------------------------------------------------


def annotation_paths(ws: Workspace, paths: Sequence[Path] | None = None) -> list[Path]:
    """The files to check: ``paths`` with folders expanded to their ``*.yaml`` files.

    ``None`` means every annotation file of the project. A path that does not exist is a
    usage error.
    """
    if paths is None:
        return [Path(p) for p in all_annotation_files(ws)]
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*.yaml") if p.is_file()))
        elif path.is_file():
            found.append(path)
        else:
            raise UserError(f"{path}: no such file or folder")
    unique: dict[str, Path] = {}
    for path in found:
        unique.setdefault(os.path.abspath(path), path)
    return list(unique.values())


def all_annotation_files(ws: Workspace) -> list[str]:
    """Every ``*.yaml`` under ``annotations/`` (coders' copies included), in name order.

    ``os.walk``, string sorting and strings: listing ten thousand files with ``Path.rglob``
    and sorting ``Path`` objects costs half a second, and a warm validation never needs the
    ``Path`` of an unchanged file.
    """
    top = str(ws.project.annotations_dir)
    found: list[str] = []
    for folder, subfolders, files in os.walk(top):
        subfolders.sort()
        found.extend(os.path.join(folder, name) for name in files if name.endswith(".yaml"))
    return sorted(found)


def _inside(path: Path, folder: Path) -> Path | None:
    """``path`` relative to ``folder``, or None. Cheap lexical test first (validating ten
    thousand files calls this for each), then with symbolic links resolved."""
    try:
        return Path(os.path.abspath(path)).relative_to(os.path.abspath(folder))
    except ValueError:
        pass
    try:
        return path.resolve().relative_to(folder.resolve())
    except ValueError:
        return None


def display_path(ws: Workspace, path: Path) -> str:
    """How a file is named in reports: relative to the project root when inside it."""
    relative = _inside(path, ws.project.root)
    return relative.as_posix() if relative is not None else str(path)


def is_primary(ws: Workspace, path: Path) -> bool:
    """True for ``annotations/<doc>.yaml``; false for coders' copies and files elsewhere."""
    relative = _inside(path, ws.project.annotations_dir)
    return relative is not None and len(relative.parts) == 1


def in_annotations(ws: Workspace, path: Path) -> bool:
    """True for any file under ``annotations/`` (primary or a coder's copy)."""
    return _inside(path, ws.project.annotations_dir) is not None


def primary_path(ws: Workspace, doc_id: str) -> Path:
    return ws.project.annotations_dir / f"{doc_id}.yaml"


def coder_path(ws: Workspace, coder: str, doc_id: str) -> Path:
    return ws.project.annotations_dir / CODERS_DIR / coder / f"{doc_id}.yaml"


def schema_comment_for(ws: Workspace, path: Path) -> str:
    """The ``yaml-language-server`` comment for a file at ``path`` (relative schema path)."""
    schema = ws.project.schema_dir / SCHEMA_FILE
    relative = os.path.relpath(schema.resolve(), path.parent.resolve())
    return f"# yaml-language-server: $schema={Path(relative).as_posix()}"


def new_annotation_header(ws: Workspace, doc_id: str, coders: Sequence[str], *,
                          status: str = "draft") -> dict[str, Any]:
    """The header of a new annotation file for ``doc_id`` (events to be appended)."""
    meta = ws.registry.by_id.get(doc_id)
    if meta is None:
        raise UserError(f"unknown document '{doc_id}'; register it with `sahelevents sources "
                        "add`")
    if not coders:
        raise UserError("an annotation file needs at least one coder")
    return {
        "source": doc_id,
        "source_sha256": meta.sha256,
        "codebook_version": ws.codebook.version,
        "coders": list(coders),
        "status": status,
        "new_actors": [],
        "events": [],
    }
