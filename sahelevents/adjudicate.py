"""Adjudication: merge the independent codings of one document into one file to review.

``sahelevents adjudicate DOC`` aligns the events of every coding of DOC as
:mod:`sahelevents.agreement` does (here rejected and undecided events too: a rejected
suggestion aligns with the same suggestion in the other files) and writes one merged file:

* a field on which every coder who coded the event agrees is taken as it is;
* a field on which they differ is cleared - null, or for the fields that cannot be null the
  part they share (lists: the values every coder listed; ``civilian_targeting``: false) - and
  marked for the reviewer with an end-of-line YAML comment giving every coder's value::

      fatalities:  # ADJUDICATE: awa: 64 | fatou: 15 | ibrahim: 60

* an event that not every coder accepted, or that has a marked field, gets
  ``decision: suggested`` with the coders' decisions marked on that line; an event every
  coder accepted with every field agreeing stays accepted; one every coder who has it
  rejected stays rejected (with their reasons);
* evidence is the union of the coders' evidence (a reviewer may prune it); ``coders`` lists
  every coder; ``status`` is ``draft`` while marks remain.

So an unresolved merge can never reach a release: marked events are ``suggested`` (releases
compile accepted events only), and accepting one without filling its cleared fields fails
validation (C014, accepted event incomplete). Once the reviewer fills each marked field,
deletes the ``# ADJUDICATE`` comments and accepts or rejects each event, the file validates
like any other; ``sahelevents adjudicate DOC --check`` lists the marks still left.

The merge is written with ruamel's round-trip mode. Each merged event is built on one coder's
event (the first accepted one, in coding order) and keeps its comments and key order; it takes
the id of the first coding's event (the primary's, which other documents' ``same_as`` name).
The header is the first coding's; its leading comment block is replaced by the schema line
and a note on where the merge came from.

Where it goes: printed by default; ``--write`` writes ``annotations/<doc>.yaml``. When the
primary file was one coder's independent coding, it is first copied to
``annotations/coders/<coder>/<doc>.yaml``, so every input stays on disk and the agreement
figures of the document do not change after adjudication (an adjudicated primary, whose coders
all have their own files, is not counted as a coding). An adjudicated primary is never
overwritten without ``--force``: that would discard the reviewer's resolutions.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from typing import Any

from sahelevents.agreement import (
    Coding,
    Unit,
    align,
    all_events,
    codings,
    comparable,
    doc_id_of,
)
from sahelevents.annotations import coder_path, primary_path, schema_comment_for
from sahelevents.issues import DataError, UserError
from sahelevents.models import CODED_FIELDS, AnnotatedEvent, AnnotationFile
from sahelevents.workspace import Workspace
from sahelevents.yamlio import atomic_write_text, load_yaml, roundtrip_yaml

MARKER = "ADJUDICATE"
WIDTH = 100
EVENT_INDENT = 4  # column of an event's keys (roundtrip_yaml: sequence indent 4, offset 2)
_MARK_LINE = re.compile(rf"#\s*{MARKER}\b:?\s*(.*)$")
#: Plain scalars a YAML 1.1 tool would retype (see yamlio): written in quotes.
_RETYPED = re.compile(r"(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|true|false|null|~"
                      r"|[-+]?[0-9][0-9_:.]*|[0-9]{4}-[0-9]{2}-[0-9]{2}.*)")
_EVENT_KEYS: tuple[str, ...] = tuple(AnnotatedEvent.model_fields)
_FILE_KEYS: tuple[str, ...] = tuple(AnnotationFile.model_fields)
_LIST_FIELDS = frozenset({"assoc_actor_1", "assoc_actor_2", "tags"})


@dataclass(frozen=True)
class Adjudication:
    doc: str
    text: str
    codings: list[Coding]
    events: int
    marks: int  # ADJUDICATE marks left for the reviewer


# -- ruamel helpers ---------------------------------------------------------------------------


def _yaml_value(value: Any) -> Any:
    """Plain data -> ruamel nodes: block mappings, flow lists of scalars, safe quoting."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import SingleQuotedScalarString

    if isinstance(value, dict):
        return CommentedMap((k, _yaml_value(v)) for k, v in value.items())
    if isinstance(value, list | tuple):
        seq = CommentedSeq(_yaml_value(v) for v in value)
        if all(not isinstance(v, dict | list) for v in value):
            seq.fa.set_flow_style()
        return seq
    if isinstance(value, str) and _RETYPED.fullmatch(value):
        return SingleQuotedScalarString(value)
    return value


def _put(node: Any, key: str, value: Any, order: tuple[str, ...]) -> None:
    """Set ``node[key]``, inserting a new key where the model's field order puts it."""
    if key in node:
        node[key] = value
        return
    rank = order.index(key) if key in order else len(order)
    position = sum(1 for existing in node
                   if (order.index(existing) if existing in order else len(order)) < rank)
    node.insert(position, key, value)


def _mark(node: Any, key: str, values: dict[str, Any], indent: int = EVENT_INDENT) -> None:
    """Mark ``key`` for the reviewer with every coder's value: at the end of the line when
    it fits, else in a comment block above the key (long notes)."""
    shown = " | ".join(f"{coder}: {_show(value)}" for coder, value in values.items())
    if indent + len(key) + len(shown) + len(MARKER) + 6 <= WIDTH:
        node.yaml_add_eol_comment(f"{MARKER}: {shown}", key)
        return
    lines = [f"{MARKER} {key}, every coder's value:"]
    for coder, value in values.items():
        lines += textwrap.wrap(f"{coder}: {_show(value)}", WIDTH - indent - 2,
                               initial_indent="  ", subsequent_indent="    ")
    node.yaml_set_comment_before_after_key(key, before="\n".join(lines), indent=indent)
    node.yaml_add_eol_comment(f"{MARKER}: every coder's value above", key)


def _show(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)


# -- merging ----------------------------------------------------------------------------------


@dataclass
class _Member:
    coding: Coding
    event: AnnotatedEvent
    node: Any  # the event's ruamel mapping in its own file


def _load_nodes(coding: Coding) -> Any:
    return roundtrip_yaml().load(coding.path.read_text(encoding="utf-8"))


def merge(ws: Workspace, doc: str) -> Adjudication:
    """Merge every coding of ``doc`` (see the module doc); nothing is written."""
    doc = doc_id_of(doc)
    found, _ = codings(ws, doc)
    if len(found) < 2:
        shown = ", ".join(c.display for c in found) or "no annotation file"
        raise UserError(f"{doc} is not double-coded ({shown}); nothing to adjudicate")
    hashes = {c.data.source_sha256 for c in found}
    if len(hashes) > 1:
        listed = "; ".join(f"{c.display}: {c.data.source_sha256[:12]}" for c in found)
        raise DataError(f"the codings of {doc} were made on different versions of the source "
                        f"({listed}); bring them up to date first (`sahelevents validate`)")
    trees = [_load_nodes(c) for c in found]
    units = align(doc, [(c.coder, all_events(c)) for c in found])
    merged_events: list[Any] = []
    used_ids: set[str] = set()
    marks = 0
    for unit in units:
        members = [_Member(coding, unit.events[coding.coder][1],
                           trees[i]["events"][unit.events[coding.coder][0]])
                   for i, coding in enumerate(found) if coding.coder in unit.events]
        node, count = _merge_unit(unit, members, found, used_ids)
        merged_events.append(node)
        marks += count
    base = trees[0]
    marks += _merge_header(base, found, merged_events, marks)
    text = _render(ws, doc, base, found)
    return Adjudication(doc, text, found, len(merged_events), marks)


def adjudicate(ws: Workspace, doc: str) -> str:
    """The merged file of ``doc`` as text (see :func:`merge`)."""
    return merge(ws, doc).text


def _merge_unit(unit: Unit, members: list[_Member], found: list[Coding], used_ids: set[str]
                ) -> tuple[Any, int]:
    """The merged event of one aligned unit and the number of marks it carries."""
    coding_members = [m for m in members if m.event.decision != "rejected"]
    accepted = [m for m in coding_members if m.event.decision == "accepted"]
    # The base event gives the node (its comments, key order); agreeing values are its own.
    base = (accepted or coding_members or members)[0]
    node = base.node
    marks = 0
    if coding_members:
        for name in CODED_FIELDS:
            values = {m.coding.coder: getattr(m.event, name) for m in coding_members}
            if len({repr(comparable(name, v)) for v in values.values()}) > 1:
                _put(node, name, _yaml_value(_cleared(name, list(values.values()))),
                     _EVENT_KEYS)
                _mark(node, name, values)
                marks += 1
        marks += _merge_links(node, coding_members)
        _merge_origin(node, base, coding_members)
    _merge_evidence(node, base, coding_members or members)
    if not coding_members:
        _put(node, "decision", "rejected", _EVENT_KEYS)
        reasons = {m.coding.coder: m.event.reason for m in members if m.event.reason}
        if len(set(reasons.values())) > 1:
            _put(node, "reason", " | ".join(f"{c}: {r}" for c, r in reasons.items()),
                 _EVENT_KEYS)
    elif marks == 0 and len(accepted) == len(found):
        _put(node, "decision", "accepted", _EVENT_KEYS)
    else:
        _put(node, "decision", "suggested", _EVENT_KEYS)
        decisions = {c.coder: _decision_of(c, members) for c in found}
        if len(set(decisions.values())) > 1:
            _mark(node, "decision", decisions)
            marks += 1
    # The id of the first coding's event (the primary's, when it has one): references from
    # other documents (same_as) name the primary's ids.
    first_id = members[0].event.id
    event_id, suffix = first_id, 2
    while event_id in used_ids:
        event_id = f"{first_id[:60]}-{suffix}"
        suffix += 1
    used_ids.add(event_id)
    node["id"] = event_id
    return node, marks


def _decision_of(coding: Coding, members: list[_Member]) -> str:
    for member in members:
        if member.coding is coding:
            event = member.event
            if event.decision == "rejected" and event.reason:
                return f"rejected ({event.reason})"
            return event.decision
    return "(no event)"


def _cleared(name: str, values: list[Any]) -> Any:
    """What a disputed field holds until the reviewer decides."""
    if name in _LIST_FIELDS:
        shared = [v for v in values[0] if all(v in other for other in values[1:])]
        return shared
    if name == "civilian_targeting":
        return False
    return None


def _merge_links(node: Any, members: list[_Member]) -> int:
    values = {m.coding.coder: list(m.event.same_as) for m in members}
    union = list(dict.fromkeys(ref for refs in values.values() for ref in refs))
    if not union:
        return 0
    _put(node, "same_as", _yaml_value(union), _EVENT_KEYS)
    if len({tuple(sorted(v)) for v in values.values()}) > 1:
        _mark(node, "same_as", values)
        return 1
    return 0


def _merge_origin(node: Any, base: _Member, members: list[_Member]) -> None:
    """Keep a suggestion key when the base event is manual, so `suggest` never re-adds it."""
    if base.event.origin != "manual":
        return
    for member in members:
        if member.event.origin != "manual":
            _put(node, "origin", _yaml_value(member.event.origin.model_dump(mode="json")),
                 _EVENT_KEYS)
            if member.event.suggested is not None and "suggested" not in node:
                _put(node, "suggested", _yaml_value(
                    {k: v.model_dump(mode="json", exclude_none=True)
                     for k, v in member.event.suggested.items()}), _EVENT_KEYS)
            return


def _merge_evidence(node: Any, base: _Member, members: list[_Member]) -> None:
    """Evidence is the union of the coders' evidence (same sentence and quote: fields joined)."""
    merged: dict[tuple[str, str | None], list[str]] = {}
    for member in [base, *(m for m in members if m is not base)]:
        for evidence in member.event.evidence:
            fields = merged.setdefault((evidence.sentence, evidence.quote), [])
            fields.extend(f for f in evidence.fields if f not in fields)
    own = {(e.sentence, e.quote): sorted(e.fields) for e in base.event.evidence}
    if own == {key: sorted(fields) for key, fields in merged.items()}:
        return  # nothing to add: keep the base node as written, comments included
    entries = []
    for (sentence, quote), fields in merged.items():
        entry: dict[str, Any] = {"sentence": sentence}
        if quote is not None:
            entry["quote"] = quote
        if fields:
            entry["fields"] = sorted(fields, key=CODED_FIELDS.index)
        entries.append(entry)
    _put(node, "evidence", _yaml_value(entries), _EVENT_KEYS)


def _merge_header(base: Any, found: list[Coding], events: list[Any], marks: int) -> int:
    from ruamel.yaml.comments import CommentedSeq

    added = 0
    names = list(dict.fromkeys(name for c in found for name in c.names))
    _put(base, "coders", _yaml_value(names), _FILE_KEYS)
    versions = {c.coder: c.data.codebook_version for c in found}
    if len(set(versions.values())) > 1:
        newest = max(versions.values(), key=lambda v: tuple(int(p) for p in v.split(".")))
        _put(base, "codebook_version", newest, _FILE_KEYS)
        _mark(base, "codebook_version", versions)
        added += 1
    declared: dict[str, Any] = {}
    conflicts: dict[str, Any] = {}
    for coding in found:
        for actor in coding.data.new_actors:
            known = declared.setdefault(actor.name, actor)
            if known != actor:
                conflicts[coding.coder] = actor.model_dump(mode="json", exclude_none=True)
    if declared:
        _put(base, "new_actors", _yaml_value(
            [a.model_dump(mode="json", exclude_none=True) for a in declared.values()]),
             _FILE_KEYS)
        if conflicts:
            _mark(base, "new_actors", {"differing declarations": conflicts}, indent=0)
            added += 1
    _put(base, "status", "draft" if marks + added else "coded", _FILE_KEYS)
    seq = CommentedSeq(events)
    _put(base, "events", seq, _FILE_KEYS)
    return added


def _render(ws: Workspace, doc: str, base: Any, found: list[Coding]) -> str:
    buffer = StringIO()
    roundtrip_yaml().dump(base, buffer)
    lines = buffer.getvalue().split("\n")
    while lines and lines[0].startswith("#"):  # the base file's own header comments
        lines.pop(0)
    head = [schema_comment_for(ws, primary_path(ws, doc)),
            "# Adjudication by `sahelevents adjudicate` of the codings",
            *(f"#   {c.display}" for c in found),
            f"# Resolve each {MARKER} mark: fill in the field and delete the comment, then "
            "accept or",
            "# reject the event. `sahelevents adjudicate DOC --check` lists the marks left."]
    return _without_trailing_spaces("\n".join(head + lines))


def _without_trailing_spaces(text: str) -> str:
    """ruamel leaves a space at the end of a line where it folds a long plain scalar; YAML
    ignores it there, but not inside a block scalar, so strip only if the data is unchanged."""
    stripped = "\n".join(line.rstrip() for line in text.split("\n"))
    if stripped == text:
        return text
    before = load_yaml(text.encode("utf-8"), "merge").data
    after = load_yaml(stripped.encode("utf-8"), "merge").data
    return stripped if before == after and after is not None else text


# -- writing and checking ---------------------------------------------------------------------


def pending_marks(text: str) -> list[tuple[int, str]]:
    """(line, field) of every adjudication mark left in an annotation file."""
    found = []
    for number, line in enumerate(text.split("\n"), start=1):
        if line.lstrip().startswith("#"):
            continue  # a comment line: the header, or the values of a long mark
        match = _MARK_LINE.search(line)
        if match:
            key = line.split(":", 1)[0].strip().lstrip("- ")
            found.append((number, f"{key}: {match.group(1)}"))
    return found


def write_adjudication(ws: Workspace, doc: str, *, output: Path | None = None,
                       force: bool = False) -> tuple[Adjudication, list[Path]]:
    """Write the merge to ``output`` or to the primary file; returns the files written."""
    doc = doc_id_of(doc)
    result = merge(ws, doc)
    if output is not None:
        atomic_write_text(output, result.text)
        return result, [output]
    _, adjudicated = codings(ws, doc)
    target = primary_path(ws, doc)
    written: list[Path] = []
    if adjudicated is not None and not force:
        raise UserError(f"{adjudicated.display} is already an adjudicated file (each of its "
                        "coders has a file under annotations/coders/); writing would discard "
                        "the reviewer's resolutions. Use --force to start over, or --output")
    primary = next((c for c in result.codings if c.is_primary), None)
    if primary is not None:
        if len(primary.data.coders) != 1:
            raise UserError(f"{primary.display} is the coding of several coders "
                            f"({', '.join(primary.data.coders)}); copy it to "
                            "annotations/coders/<coder>/ first, or write with --output")
        keep = coder_path(ws, primary.data.coders[0], doc)
        text = primary.path.read_text(encoding="utf-8")
        lines = text.split("\n")
        if lines and lines[0].startswith("# yaml-language-server:"):
            lines[0] = schema_comment_for(ws, keep)
        atomic_write_text(keep, "\n".join(lines))
        written.append(keep)
    atomic_write_text(target, result.text)
    written.append(target)
    return result, written


def check_resolved(ws: Workspace, doc: str) -> list[tuple[int, str]]:
    """The marks left in ``annotations/<doc>.yaml`` (empty once adjudication is done)."""
    path = primary_path(ws, doc_id_of(doc))
    if not path.is_file():
        raise UserError(f"{ws.project.relative(path)} does not exist")
    return pending_marks(path.read_text(encoding="utf-8"))
