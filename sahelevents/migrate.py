"""``sahelevents migrate``: rewrite an annotation file to the current codebook version.

The codebook lists its renames (``renames:`` in codebook.yaml: event types, sub-event types
and actor names, each with the version since which the new name holds). Migrating a file
applies every rename made after the file's ``codebook_version`` and sets that version to the
current one.

The file is edited in place, value by value, at the positions the YAML loader recorded:
comments, key order, quoting and layout stay exactly as the annotator left them, and the diff
shows only the renamed values. If a value cannot be located safely (an unusual multi-line
scalar, say), the file is rewritten with ruamel.yaml's round trip instead, which also keeps
comments. Either way the result is parsed again and must hold exactly the expected data.
"""

from __future__ import annotations

import difflib
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sahelevents.issues import DataError
from sahelevents.models import Rename
from sahelevents.spans import LineIndex
from sahelevents.workspace import Workspace
from sahelevents.yamlio import LoadedYaml, YamlPath, atomic_write_text, load_yaml, roundtrip_yaml

_SEMVER = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")
_KIND_FIELDS: dict[str, tuple[str, ...]] = {
    "event_type": ("event_type",),
    "sub_event_type": ("sub_event_type",),
    "actor": ("actor1", "actor2", "assoc_actor_1", "assoc_actor_2"),
}
# After a plain scalar, one of these ends it (end of line, a comment, flow punctuation).
_PLAIN_END = re.compile(r"[ \t]*(?:#.*)?$|[ \t]*[,\]}]", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Edit:
    path: YamlPath
    old: str
    new: str


def _version(text: str) -> tuple[int, int, int]:
    major, minor, patch = (int(p) for p in text.split("."))
    return major, minor, patch


def planned_edits(data: dict[str, Any], renames: list[Rename], current: str) -> list[Edit]:
    """Every value to change: renamed names, then the codebook version."""
    edits: list[Edit] = []
    events = data.get("events")
    for index, event in enumerate(events if isinstance(events, list) else []):
        if not isinstance(event, dict):
            continue
        for kind, fields in _KIND_FIELDS.items():
            for name in fields:
                value = event.get(name)
                items = list(enumerate(value)) if isinstance(value, list) else [(None, value)]
                for position, item in items:
                    if not isinstance(item, str):
                        continue
                    new = item
                    for rename in renames:
                        if rename.kind == kind and rename.old == new:
                            new = rename.new
                    if new != item:
                        path: YamlPath = ("events", index, name)
                        edits.append(Edit(path if position is None else (*path, position),
                                          item, new))
    edits.append(Edit(("codebook_version",), str(data["codebook_version"]), current))
    return edits


def _expected(data: Any, edits: list[Edit]) -> Any:
    expected = json.loads(json.dumps(data))
    for edit in edits:
        target = expected
        for part in edit.path[:-1]:
            target = target[part]
        target[edit.path[-1]] = edit.new
    return expected


def _scalar_extent(text: str, start: int, old: str) -> tuple[int, str] | None:
    """(end offset, quoting style) of the scalar at ``start`` if it reads as ``old``."""
    first = text[start:start + 1]
    if first == "'":
        end = start + 1
        while True:
            end = text.find("'", end)
            if end == -1:
                return None
            if text.startswith("''", end):
                end += 2
                continue
            break
        written = text[start + 1:end].replace("''", "'")
        return (end + 1, "'") if written == old else None
    if first == '"':
        match = re.compile(r'"(?:[^"\\\n]|\\.)*"').match(text, start)
        if match is None:
            return None
        try:
            written = yaml.safe_load(match.group())
        except yaml.YAMLError:
            return None
        return (match.end(), '"') if written == old else None
    if not text.startswith(old, start) or "\n" in old:
        return None
    end = start + len(old)
    return (end, "") if _PLAIN_END.match(text, end) else None


def _render(value: str, style: str) -> str:
    if style == '"':
        return json.dumps(value, ensure_ascii=False)
    if style == "":
        try:
            plain_ok = yaml.safe_load(value) == value
        except yaml.YAMLError:
            plain_ok = False
        if plain_ok and not re.search(r"[,\[\]{}#]|: |^[-?!&*'\"%@`|>]", value):
            return value
    return "'" + value.replace("'", "''") + "'"


def _edit_in_place(loaded: LoadedYaml, text: str, edits: list[Edit]) -> str | None:
    lines = LineIndex(text)
    replacements: list[tuple[int, int, str]] = []
    for edit in edits:
        position = loaded.position(edit.path)
        if position is None:
            return None
        line, column = position
        start = lines.offset(line, column)
        extent = _scalar_extent(text, start, edit.old)
        if extent is None:
            return None
        end, style = extent
        replacements.append((start, end, _render(edit.new, style)))
    for start, end, new in sorted(replacements, reverse=True):
        text = text[:start] + new + text[end:]
    return text


def _round_trip(text: str, edits: list[Edit]) -> str:
    rt = roundtrip_yaml()
    document = rt.load(text)
    for edit in edits:
        target = document
        for part in edit.path[:-1]:
            target = target[part]
        target[edit.path[-1]] = edit.new
    out = io.StringIO()
    rt.dump(document, out)
    return out.getvalue()


def migrated_text(text: str, display: str, ws: Workspace) -> str:
    """The text of an annotation file migrated to the current codebook (maybe unchanged)."""
    loaded = load_yaml(text.encode("utf-8"), display)
    errors = [i for i in loaded.issues if i.severity == "error"]
    if errors or not isinstance(loaded.data, dict):
        first = errors[0] if errors else None
        where = f"{first.line}:{first.column}: {first.code} {first.message}" if first else (
            "not an annotation file")
        raise DataError(f"{display}: cannot migrate ({where}); fix it first "
                        "(`sahelevents validate` shows every problem)")
    declared = loaded.data.get("codebook_version")
    if not isinstance(declared, str) or not _SEMVER.match(declared):
        raise DataError(f"{display}: codebook_version {declared!r} is not a version like 1.0.0")
    codebook = ws.codebook
    current = _version(codebook.version)
    if _version(declared) > current:
        raise DataError(f"{display}: codebook_version {declared} is newer than the codebook "
                        f"({codebook.version}); nothing to migrate")
    if _version(declared) == current:
        return text
    renames = sorted((r for r in codebook.data.renames
                      if _version(declared) < _version(r.since) <= current),
                     key=lambda r: _version(r.since))
    edits = planned_edits(loaded.data, renames, codebook.version)
    expected = _expected(loaded.data, edits)
    source = loaded.text if loaded.text is not None else text
    in_place = _edit_in_place(loaded, source, edits)
    if in_place is not None and load_yaml(in_place.encode("utf-8"), display).data == expected:
        return in_place
    try:
        rewritten = _round_trip(source, edits)
    except Exception:  # ruamel's own errors: fall through to the clean message below
        rewritten = None
    if rewritten is not None and load_yaml(rewritten.encode("utf-8"), display).data == expected:
        return rewritten
    raise DataError(f"{display}: migration could not be applied safely; apply these renames "
                    "by hand: " + "; ".join(f"{e.old} -> {e.new}" for e in edits))


def migrate_file(path: Path, ws: Workspace, *, dry_run: bool) -> str:
    """Migrate ``path``; return the unified diff ("" when nothing changes)."""
    display = ws.project.relative(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(f"{display}: cannot read: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataError(f"{display}: not UTF-8 text") from None
    new = migrated_text(text, display, ws)
    if new == text:
        return ""
    diff = "".join(difflib.unified_diff(text.splitlines(keepends=True),
                                        new.splitlines(keepends=True),
                                        fromfile=f"a/{display}", tofile=f"b/{display}"))
    if not dry_run:
        atomic_write_text(path, new)
    return diff
