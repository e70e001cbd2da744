"""Merge rule suggestions into an annotation file without ever undoing a person's work.

``annotations/<doc>.yaml`` is edited by hand. Merging suggestions into it

* keeps comments, key order, quoting and the annotators' edits as they are. The new events
  are written right after the last event, indented like the events, and every other byte
  of the file stays as it was: comments, blank lines and keys after the events list stay
  after it (where the list ends the file, these are the bytes ruamel.yaml's round trip
  would write; the round trip re-folds long lines written by hand). The result is read
  back before it is used; a file it does not fit (a flow list ``events: [...]``, a value
  that would not read back the same) is round-tripped with ruamel.yaml, in the file's own
  indentation;
* only *appends* events: an existing event is never modified, so a field an annotator
  accepted or changed is never overwritten;
* is idempotent: a suggestion whose ``origin.key`` is already in the file (whatever its
  decision) is skipped, and so is one that repeats an event already there (same event type,
  a shared evidence sentence, and the same date, or a rejection): a rejected suggestion never
  comes back, even after the rules changed the details;
* refuses, leaving the file untouched, when the file is not valid YAML, is not an annotation
  file of this document, or was coded on another version of the source text;
* writes atomically, quoting dates and every string a YAML 1.1 tool would retype.

A new file gets the header annotators expect: the ``yaml-language-server`` schema line, the
source id and hash, the codebook version, the coder and ``status: draft``. Having nothing to
preserve, it is written without ruamel.yaml when it can be, in the same bytes
(:mod:`sahelevents.annotation_writer`).
"""

from __future__ import annotations

import difflib
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sahelevents.annotation_writer import list_items_text, new_file_text, quoting_style
from sahelevents.extract.assemble import Suggestion
from sahelevents.issues import DataError
from sahelevents.yamlio import atomic_write_text, load_yaml, roundtrip_yaml

__all__ = ["SCHEMA_COMMENT", "MergeResult", "merge_suggestions", "ruamel_new_file_text",
           "yaml_safe_value"]

SCHEMA_COMMENT = "yaml-language-server: $schema=../schema/annotation.schema.json"


@dataclass
class MergeResult:
    """What merging did to one annotation file (or would do, with ``dry_run``)."""

    path: Path
    display: str
    doc: str
    before: str
    after: str
    created: bool
    added: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # keys of suggestions not added
    written: bool = False
    # Set by without_text(), which drops before and after: whether the text changed.
    _changed: bool | None = field(default=None, repr=False)

    @property
    def changed(self) -> bool:
        return self.before != self.after if self._changed is None else self._changed

    def without_text(self) -> MergeResult:
        """This result without the file's text before and after (``changed`` is kept): what
        a worker process sends back once it has written the file. The driver needs only the
        flags and keys, and the text is ~9 KB a document to pickle and pipe."""
        return replace(self, before="", after="", _changed=self.changed)

    def _require_text(self) -> None:
        if self._changed is not None:
            raise ValueError(f"the merge result of {self.display} no longer holds its text")

    def write(self, *, durable: bool = True) -> None:
        """Write the merged text to the file (atomically), if it changed; ``durable=False``
        leaves the fsync to the caller (see :func:`atomic_write_text`)."""
        self._require_text()
        if self.changed:
            atomic_write_text(self.path, self.after, durable=durable)
            self.written = True

    def diff(self) -> str:
        """Unified diff of the file, as ``git diff`` would show it."""
        self._require_text()
        return "".join(difflib.unified_diff(
            self.before.splitlines(keepends=True), self.after.splitlines(keepends=True),
            fromfile="/dev/null" if self.created else f"a/{self.display}",
            tofile=f"b/{self.display}"))


def yaml_safe_value(value: Any) -> Any:
    """``value`` ready for ruamel: strings that YAML 1.1 would read as something else
    (dates, ``yes``/``no``/``on``, ``12:30``, ``0012``, numbers, ``null``) are quoted, and
    long or oddly spaced text is double-quoted (see :func:`quoting_style`)."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

    if isinstance(value, str):
        style = quoting_style(value)
        if style == '"':
            return DoubleQuotedScalarString(value)
        return SingleQuotedScalarString(value) if style == "'" else value
    if isinstance(value, dict):
        mapping = CommentedMap()
        for key, item in value.items():
            mapping[key] = yaml_safe_value(item)
        return mapping
    if isinstance(value, (list, tuple)):
        sequence = CommentedSeq(yaml_safe_value(item) for item in value)
        return sequence
    return value


def merge_suggestions(path: Path, doc: str, source_sha256: str,
                      suggestions: Sequence[Suggestion], *, codebook_version: str, coder: str,
                      dry_run: bool = False, display: str | None = None) -> MergeResult:
    """Append the new suggestions to ``path`` (created if missing); see the module doc."""
    shown = display or str(path)
    exists = path.exists()
    before, existing = _read_checked(path, shown) if exists else ("", {})
    result = MergeResult(path, shown, doc, before, before, created=not exists)
    if exists:
        _check_header(existing, doc, source_sha256, shown)
        # What the file already covers is read from the validator's reading of it (the
        # project's one meaning of each value), and the file is written only when there is
        # something to add: a run over files that hold every suggestion already (re-running
        # suggest on a coded archive) reads each file once.
        added = _new_events(_Known.of(existing.get("events") or ()), suggestions, result)
        if not added:
            return result
        result.after = (_appended_text(before, existing, added, shown)
                        or _round_trip_text(before, added))
    else:
        # Nothing to preserve in a new file: written directly, unless it holds a value the
        # fast writer does not reproduce exactly.
        document = _new_file(doc, source_sha256, codebook_version, coder,
                             _new_events(_Known.of(()), suggestions, result))
        result.after = (new_file_text(SCHEMA_COMMENT, document)
                        or ruamel_new_file_text(document))
    if not dry_run:
        result.write()
    return result


def _new_events(known: _Known, suggestions: Sequence[Suggestion], result: MergeResult
                ) -> list[dict[str, Any]]:
    """The events of the suggestions the file does not cover yet, recorded in ``result``."""
    added: list[dict[str, Any]] = []
    for suggestion in suggestions:
        if known.covers(suggestion):
            result.skipped.append(suggestion.key)
            continue
        local_id = known.free_id(suggestion)
        payload = suggestion.event_payload(local_id)
        added.append(payload)
        known.add(payload)
        result.added.append(local_id)
    return added


def _round_trip_text(before: str, added: Sequence[dict[str, Any]]) -> str:
    """``before`` with ``added`` appended to its events by ruamel's round trip."""
    rt = roundtrip_yaml()
    _use_file_indentation(rt, before)
    data = rt.load(before)
    events = data.get("events")
    if events is None:
        from ruamel.yaml.comments import CommentedSeq

        events = CommentedSeq()
        data["events"] = events
    if hasattr(events, "fa"):
        events.fa.set_block_style()  # "events: []" written by hand becomes a block list
    events.extend(yaml_safe_value(event) for event in added)
    buffer = io.StringIO()
    rt.dump(data, buffer)
    return buffer.getvalue()


# The events list of a file: "events:" at column 0, then its items, their dashes at any
# column (suggest writes them at 2, hand-written files often at 0), maybe after blank or
# comment lines. The list runs up to the next line at column 0 that is neither a comment nor
# one of its items ("- ": the items' own when their dashes are at column 0; the loader refuses
# one elsewhere): another key or a document marker. The key's line may end in a comment.
_EVENTS_KEY = re.compile(r"events:[ \t]*(?:#[^\n]*)?\n")
_FIRST_ITEM = re.compile(r"(?:[ \t]*(?:#[^\n]*)?\n)*( *)- ")
_TOP_LEVEL_LINE = re.compile(r"^(?!- )[^ \n#]", re.MULTILINE)
# The lines the list ends with that belong to what follows it, not to its last item: blank
# lines and comments no deeper than the dashes ("# checked by Ada", "  # end of events").
_TRAILING_LINE = re.compile(r"[ \t]*\n?|(?P<indent> *)#[^\n]*\n?")
# Lines as YAML counts them (str.splitlines also breaks at "\x85", "\u2028" and others).
_LINE = re.compile(r"[^\n]*\n|[^\n]+")


def _appended_text(before: str, existing: Mapping[str, Any], added: Sequence[dict[str, Any]],
                   shown: str) -> str | None:
    """``before`` with ``added`` written after its last event, every other byte left as it
    is: a comment, blank line or key after the events list stays after the new events.
    ``None`` for a file whose events are not a block list of items, or when the result
    would not read back as the file's data plus ``added`` (then the round trip writes it).

    Where the events list ends the file, ruamel's round trip writes the same bytes, at 1/20
    of its cost; where something follows the list, the round trip would put the new events
    after the comments that end the list and rewrite lines it re-folds.
    """
    events = existing.get("events")
    if not isinstance(events, list) or not events:
        return None
    key = _EVENTS_KEY.match(before, before.rfind("\nevents:") + 1)
    first = _FIRST_ITEM.match(before, key.end()) if key else None
    if first is None:
        return None
    dash_column = len(first.group(1))
    following = _TOP_LEVEL_LINE.search(before, first.end())
    at = _end_of_last_item(before, first.end(), following.start() if following else len(before),
                           dash_column)
    if at is None:
        return None
    items = list_items_text(added, dash_column=dash_column)
    if items is None:
        return None
    after = before[:at] + items + before[at:]
    # Read back as the validator reads it: any surprise, and the round trip writes it.
    loaded = load_yaml(after.encode("utf-8"), shown)
    first_new_line = before.count("\n", 0, at) + 1
    if (any(issue.line == 0 or issue.line >= first_new_line for issue in loaded.issues)
            or loaded.data != {**existing, "events": [*events, *added]}):
        return None
    return after


def _end_of_last_item(text: str, start: int, end: int, dash_column: int) -> int | None:
    """The offset just after the last line of the last item of a list whose lines run from
    ``start`` to ``end`` (the start of a line, or the end of ``text``), before the blank
    lines and shallow comments that end it; ``None`` when that line has no line break."""
    lines = _LINE.findall(text, start, end)
    at = end
    for line in reversed(lines):
        trailing = _TRAILING_LINE.fullmatch(line)
        if trailing is None or len(trailing["indent"] or "") > dash_column:
            break
        at -= len(line)
    else:
        return None  # only blank or comment lines: no item (cannot happen after "- ")
    return at if text[at - 1:at] == "\n" else None


def ruamel_new_file_text(document: Mapping[str, Any]) -> str:
    """A new annotation file as ruamel.yaml writes it: the reference of
    :func:`sahelevents.annotation_writer.new_file_text`."""
    data = yaml_safe_value(dict(document))
    data.yaml_set_start_comment(SCHEMA_COMMENT)
    data["events"].fa.set_block_style()
    buffer = io.StringIO()
    roundtrip_yaml().dump(data, buffer)
    return buffer.getvalue()


def _read_checked(path: Path, shown: str) -> tuple[str, dict[str, Any]]:
    """The file's text and data, or DataError when suggest must not touch it."""
    raw = path.read_bytes()
    loaded = load_yaml(raw, shown)
    errors = [i for i in loaded.issues if i.severity == "error"]
    if errors:
        first = errors[0]
        raise DataError(f"{first.file}:{first.line}:{first.column}: {first.code} "
                        f"{first.message}; fix the file first (suggest left it untouched)")
    if not isinstance(loaded.data, dict):
        raise DataError(f"{shown}: not an annotation file (the top level is not a mapping); "
                        "suggest left it untouched")
    events = loaded.data.get("events")
    if events is not None and not isinstance(events, list):
        line, column = loaded.locate(("events",))
        raise DataError(f"{shown}:{line}:{column}: S003 events: expected a list; suggest left "
                        "the file untouched")
    if events and not all(isinstance(e, dict) for e in events):
        raise DataError(f"{shown}: every entry of events must be a mapping; suggest left the "
                        "file untouched")
    return raw.decode("utf-8"), loaded.data


def _check_header(data: Any, doc: str, source_sha256: str, shown: str) -> None:
    source = data.get("source")
    if source is not None and str(source) != doc:
        raise DataError(f"{shown}: annotates source '{source}', not '{doc}'; suggest left it "
                        "untouched")
    recorded = data.get("source_sha256")
    if recorded is not None and str(recorded) != source_sha256:
        raise DataError(f"{shown}: coded on another version of {doc} (sha256 "
                        f"{str(recorded)[:12]}..., now {source_sha256[:12]}...); run "
                        "`sahelevents validate` and update it before suggesting")


def _new_file(doc: str, source_sha256: str, codebook_version: str, coder: str,
              events: list[dict[str, Any]]) -> dict[str, Any]:
    return {"source": doc, "source_sha256": source_sha256,
            "codebook_version": codebook_version, "coders": [coder], "status": "draft",
            "events": events}


_KEY_LINE = re.compile(r"^( *)[^\s#-][^:#]*:\s*(?:#.*)?$")
_DASH_LINE = re.compile(r"^( *)- ")


def _use_file_indentation(rt: Any, text: str) -> None:
    """Indent new events like the existing lists (a hand-written file may put its dashes at
    the key's column, ruamel's default puts them two spaces in)."""
    previous: re.Match[str] | None = None
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        dash = _DASH_LINE.match(line)
        if dash and previous is not None:
            offset = len(dash.group(1)) - len(previous.group(1))
            if offset >= 0:
                rt.indent(mapping=2, sequence=offset + 2, offset=offset)
            return
        previous = _KEY_LINE.match(line)


@dataclass
class _Known:
    """Keys, ids and evidence of the events already in the file."""

    keys: set[str]
    ids: set[str]
    events: list[tuple[str, str | None, str | None, frozenset[str]]]  # decision, type, date, sents

    @classmethod
    def of(cls, events: Iterable[Any]) -> _Known:
        known = cls(set(), set(), [])
        for event in events:
            if isinstance(event, dict):
                known.add(event)
        return known

    def add(self, event: dict[str, Any] | Any) -> None:
        origin = event.get("origin")
        if isinstance(origin, dict) and origin.get("key") is not None:
            self.keys.add(str(origin["key"]))
        if event.get("id") is not None:
            self.ids.add(str(event["id"]))
        sentences = frozenset(str(e.get("sentence")) for e in event.get("evidence") or []
                              if isinstance(e, dict) and e.get("sentence"))
        event_type = event.get("event_type")
        date = event.get("event_date")
        self.events.append((str(event.get("decision")), str(event_type) if event_type else None,
                            str(date) if date else None, sentences))

    def covers(self, suggestion: Suggestion) -> bool:
        if suggestion.key in self.keys:
            return True
        sentences = {e.sentence for e in suggestion.evidence}
        event_type = suggestion.value("event_type")
        date = suggestion.value("event_date")
        for decision, known_type, known_date, known_sentences in self.events:
            if known_type != event_type or not sentences & known_sentences:
                continue
            if decision == "rejected" or known_date == date:
                return True
        return False

    def free_id(self, suggestion: Suggestion) -> str:
        for length in range(8, len(suggestion.key) + 1):
            candidate = f"s-{suggestion.key[:length]}"
            if candidate not in self.ids:
                return candidate
        raise DataError(f"event id s-{suggestion.key} is already used in the file")
