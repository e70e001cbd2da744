"""Problems as data: stable issue codes, located issue records and a report.

Every check in sahelevents yields :class:`Issue` records; reporters (text, JSON, GitHub)
are projections of the same list. Codes are stable: a retired code is never reused, and a
renamed check keeps its old code as an alias (``ALIASES``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class IssueCode:
    """One entry of the catalogue: what ``sahelevents explain CODE`` prints."""

    code: str
    slug: str
    stage: str
    severity: Severity
    title: str
    description: str
    fix: str


def _code(code: str, slug: str, stage: str, severity: Severity, title: str, description: str,
          fix: str) -> IssueCode:
    return IssueCode(code, slug, stage, severity, title, description, fix)


E, W = Severity.ERROR, Severity.WARNING

#: The catalogue. Stages: Y yaml, S schema, C codebook, P provenance, X across files,
#: R registry/sources, L release. Order is the order of ``sahelevents explain --list``.
CATALOGUE: dict[str, IssueCode] = {
    c.code: c
    for c in [
        # -- YAML ------------------------------------------------------------------------
        _code("Y001", "yaml-syntax", "yaml", E, "YAML syntax error",
              "The file is not valid YAML; nothing else in it can be checked.",
              "Look at the line shown and the one before it: an unclosed quote, a missing "
              "colon or a wrong indent are the usual causes."),
        _code("Y002", "duplicate-key", "yaml", E, "Duplicate key",
              "A mapping repeats a key. YAML loaders silently keep only the last value, so "
              "the first one would be lost.",
              "Delete or rename one of the two keys."),
        _code("Y003", "tab-indent", "yaml", E, "Tab character in indentation",
              "YAML forbids tabs for indentation.",
              "Replace the tab with spaces (two per level). Set your editor to insert spaces."),
        _code("Y004", "ambiguous-scalar", "yaml", W, "Unquoted value YAML 1.1 would retype",
              "Values such as no, yes, on, off, 12:30, 0012 or an unquoted date are read by "
              "some YAML tools as booleans, sexagesimal or octal numbers or timestamps. "
              "sahelevents keeps them as written, but other tools would not.",
              "Quote the value (for example 'NO' or '2023-09-07')."),
        _code("Y005", "alias-limit", "yaml", E, "Too many anchors/aliases",
              "The file expands into more nodes than the limit allows (an 'alias bomb'), or "
              "uses aliases in a way that would multiply its size. It is rejected unexpanded.",
              "Write the values out; annotation files never need anchors or aliases."),
        _code("Y006", "file-too-large", "yaml", E, "File too large",
              "The file is larger than the configured size limit and is not parsed.",
              "Split the document's events, or raise --max-bytes if the file is legitimate."),
        _code("Y007", "invalid-utf8", "yaml", E, "Invalid UTF-8",
              "The file contains bytes that are not valid UTF-8.",
              "Re-save the file as UTF-8 (without BOM)."),
        _code("Y008", "byte-order-mark", "yaml", W, "Byte-order mark",
              "The file starts with a UTF-8 byte-order mark, which some tools mishandle.",
              "Re-save the file as UTF-8 without BOM."),
        _code("Y009", "nul-byte", "yaml", E, "NUL byte",
              "The file contains a NUL (0x00) character: it is binary or corrupted.",
              "Restore the file from version control or re-save it as text."),
        _code("Y010", "unsupported-tag", "yaml", E, "Unsupported YAML tag",
              "Explicit tags (!!python/object, !custom ...) are not allowed: they can run "
              "code in some loaders and change how values are read.",
              "Remove the tag and write the plain value."),
        _code("Y011", "not-a-mapping", "yaml", E, "Top level is not a mapping",
              "The file must be a YAML mapping (key: value pairs) at the top level.",
              "Start the file with the header keys (source, source_sha256, ...)."),
        _code("Y012", "empty-file", "yaml", E, "Empty file",
              "The file holds no YAML document.",
              "Run `sahelevents suggest DOC` to create a skeleton, or copy the example."),
        # -- Schema ----------------------------------------------------------------------
        _code("S001", "missing-field", "schema", E, "Required field missing",
              "A field the format requires is absent.", "Add the field shown."),
        _code("S002", "unknown-field", "schema", E, "Unknown field",
              "A field name is not part of the format (often a typo).",
              "Use the suggested name, or remove the field."),
        _code("S003", "wrong-type", "schema", E, "Wrong type",
              "A value has the wrong type (text where a number is expected, a single value "
              "where a list is expected ...).", "Write the value in the expected type."),
        _code("S004", "not-allowed-value", "schema", E, "Value not allowed",
              "A value is not one of the allowed values, or outside the allowed range.",
              "Pick one of the values listed in the message."),
        _code("S005", "bad-format", "schema", E, "Badly formatted value",
              "A value does not have the required form (a date as YYYY-MM-DD, a sentence id as "
              "doc#s12, a sha256 as 64 hex digits ...).", "Rewrite the value in the form shown."),
        _code("S006", "duplicate-local-id", "schema", E, "Event id repeated in the file",
              "Two events of the same file have the same id.",
              "Give each event its own id (e1, e2, ...)."),
        _code("S007", "rejection-without-reason", "schema", E, "Rejected without a reason",
              "A suggestion was rejected but the reason is empty; reviewers and rule authors "
              "need it.", "Add `reason:` saying why this is not an ACLED event."),
        # -- Codebook --------------------------------------------------------------------
        _code("C001", "unknown-event-type", "codebook", E, "Unknown event type",
              "The event type is not one of the codebook's six.", "Use a name from the codebook."),
        _code("C002", "sub-event-mismatch", "codebook", E, "Sub-event type not in event type",
              "The sub-event type does not belong to the event type.",
              "Change the sub-event type, or the event type, as suggested."),
        _code("C003", "unknown-actor", "codebook", E, "Unknown actor",
              "The actor is neither in codebook/actors.yaml nor declared under new_actors.",
              "Use the canonical name suggested, or declare it under new_actors with its "
              "inter code."),
        _code("C004", "actor-name-out-of-period", "codebook", E, "Actor name not valid on date",
              "ACLED names some actors by period (Military Forces of Mali (2021-)); this name "
              "is not valid on the event date.", "Use the name valid on the event date."),
        _code("C005", "vac-target-not-civilians", "codebook", E,
              "Violence against civilians without civilian target",
              "In Violence against civilians, actor 2 must be civilians (inter code 7).",
              "Put the civilians as actor2, or change the event type."),
        _code("C006", "protest-actor", "codebook", E, "Protest without protesters",
              "Protests have protesters (inter 6) as actor 1; Riots have rioters (inter 5) or "
              "protesters.", "Use Protesters (Country) as actor1, or change the event type."),
        _code("C007", "peaceful-protest-fatalities", "codebook", E,
              "Peaceful protest with fatalities",
              "A peaceful protest cannot have fatalities.",
              "Set fatalities to 0, or code Excessive force against protesters / a riot."),
        _code("C008", "invalid-date", "codebook", E, "Invalid event date",
              "The event date is not a real calendar date.", "Write a real date as YYYY-MM-DD."),
        _code("C009", "date-after-publication", "codebook", E, "Event after publication",
              "The event date is after the source's publication date.",
              "Check the year: relative dates ('jeudi dernier') count back from the "
              "publication date."),
        _code("C010", "date-before-coverage", "codebook", E, "Event before 1997",
              "ACLED coverage starts in 1997.", "Check the year."),
        _code("C011", "time-precision-mismatch", "codebook", E, "Time precision does not fit",
              "With time precision 3 (month) the date must be the 1st, 15th or last day of "
              "the month; precision must be 1, 2 or 3.",
              "Use precision 1 for an exact day, 2 for a known week, 3 for a month."),
        _code("C012", "unknown-location", "codebook", E, "Location not in the gazetteer",
              "The location does not resolve to a gazetteer place.",
              "Use the suggested spelling, qualify it ('Gao, Mali'), or add the place to "
              "codebook/places.yaml."),
        _code("C013", "ambiguous-location", "codebook", W, "Ambiguous location",
              "The name matches places in several countries; the one chosen may be wrong.",
              "Qualify the location with its country, e.g. 'Gao, Burkina Faso'."),
        _code("C014", "missing-coded-field", "codebook", E, "Accepted event incomplete",
              "An accepted event must have event_date, time_precision, event_type, "
              "sub_event_type, actor1, location, geo_precision and fatalities.",
              "Fill in the field, or leave the event as suggested."),
        _code("C015", "out-of-scope-country", "codebook", E, "Location outside the countries",
              "The location is in a country the codebook does not cover.",
              "Reject the event: events abroad are not coded."),
        _code("C016", "renamed-value", "codebook", W, "Value renamed in a newer codebook",
              "The file uses a name the current codebook renamed.",
              "Run `sahelevents migrate FILE` to rewrite it."),
        _code("C017", "codebook-version", "codebook", E, "Unknown codebook version",
              "The file declares a codebook version newer than, or unknown to, this tool.",
              "Update sahelevents, or fix codebook_version."),
        _code("C018", "actor-inter-conflict", "codebook", E, "New actor conflicts",
              "A declared new actor has the name of a codebook actor, or an invalid inter code.",
              "Remove it from new_actors and use the codebook entry."),
        _code("C019", "civilian-targeting-mismatch", "codebook", W,
              "Civilian targeting does not fit the type",
              "Violence against civilians is always civilian targeting; Battles never are.",
              "Set civilian_targeting as the codebook says for this sub-event type."),
        _code("C020", "same-actor-both-sides", "codebook", W, "Same actor on both sides",
              "actor1 and actor2 are the same.", "Check the actors."),
        # -- Provenance ------------------------------------------------------------------
        _code("P001", "unregistered-source", "provenance", E, "Source not registered",
              "The file's source id is not in the source registry.",
              "Register the document with `sahelevents sources add FILE`."),
        _code("P002", "stale-source", "provenance", E, "Source changed after coding",
              "The source text's sha256 differs from the one recorded when it was coded.",
              "Check each quote against the new text (the report says where each moved), "
              "then update source_sha256."),
        _code("P003", "unknown-sentence", "provenance", E, "Cited sentence does not exist",
              "The evidence cites a sentence id the document does not have.",
              "List sentences with `sahelevents sentences DOC` and cite an existing one."),
        _code("P004", "quote-not-in-sentence", "provenance", E, "Quote not in sentence",
              "The quote is not found inside the cited sentence.",
              "Copy the quote exactly from the sentence, or cite the right sentence."),
        _code("P005", "quote-moved", "provenance", W, "Quote found elsewhere",
              "In a changed source, the quote was found at another place.",
              "Update the sentence id as shown."),
        _code("P006", "no-evidence", "provenance", E, "Accepted event without evidence",
              "Every accepted event cites at least one sentence.",
              "Add an evidence entry with the sentence id."),
        _code("P007", "source-file-missing", "provenance", E, "Source file missing",
              "The registry lists the document but its file is missing or unreadable.",
              "Restore the file under seeds/."),
        _code("P008", "evidence-in-furniture", "provenance", W, "Evidence in page furniture",
              "The cited sentence is page furniture (navigation, cookie banner ...).",
              "Cite a sentence of the article itself."),
        _code("P009", "file-name-mismatch", "provenance", E, "File name does not match source",
              "annotations/<doc_id>.yaml must hold the annotations of <doc_id>.",
              "Rename the file or fix the source field."),
        # -- Across files ----------------------------------------------------------------
        _code("X001", "duplicate-event-id", "cross", E, "Duplicate event id",
              "Two events share a release id.", "Give one of them a new id."),
        _code("X002", "same-as-target-missing", "cross", E, "same_as target not found",
              "The event named by same_as does not exist.",
              "Use DOC#EVENT of an existing event."),
        _code("X003", "same-as-conflict", "cross", E, "Linked events disagree",
              "Events linked by same_as disagree on date, location or type.",
              "Make the fields agree, or remove the link if they are different events."),
        _code("X004", "probable-duplicate", "cross", W, "Probable unlinked duplicate",
              "Two events in different documents have the same day, place, type and actors "
              "but are not linked by same_as.",
              "If they are the same event, add same_as; otherwise ignore."),
        _code("X005", "same-as-not-accepted", "cross", E, "same_as links a non-accepted event",
              "Only accepted events can be linked.", "Accept both events or remove the link."),
        # -- Registry --------------------------------------------------------------------
        _code("R001", "source-hash-mismatch", "sources", E, "Registered file changed",
              "A registered document no longer has its recorded sha256. Registered documents "
              "never change: annotations point into their exact text.",
              "Restore the original file; register a corrected text as a new document."),
        _code("R002", "source-not-utf8", "sources", E, "Source is not UTF-8 text",
              "Sources must be UTF-8 text without NUL bytes.", "Convert the file to UTF-8."),
        _code("R003", "source-duplicate", "sources", E, "Document already registered",
              "The same content or id is already registered.", "Nothing to do."),
    ]
}

#: Old codes kept working after a rename: alias -> current code.
ALIASES: dict[str, str] = {}


def lookup(code: str) -> IssueCode:
    code = code.upper()
    return CATALOGUE[ALIASES.get(code, code)]


@dataclass(frozen=True, slots=True)
class Issue:
    """One located problem. ``line``/``column`` are 1-based; 0 means unknown."""

    code: str
    message: str
    file: str
    line: int = 0
    column: int = 0
    yaml_path: str = ""
    severity: Severity = Severity.ERROR
    doc: str | None = None
    span: tuple[int, int] | None = None

    @property
    def slug(self) -> str:
        return lookup(self.code).slug

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.file, self.line, self.column, self.code)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "code": self.code,
            "slug": self.slug,
            "severity": str(self.severity),
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "path": self.yaml_path,
        }
        if self.doc is not None:
            data["doc"] = self.doc
        if self.span is not None:
            data["span"] = list(self.span)
        return data


def issue(code: str, message: str, file: str, *, line: int = 0, column: int = 0,
          yaml_path: str = "", doc: str | None = None,
          span: tuple[int, int] | None = None) -> Issue:
    """Build an issue whose severity comes from the catalogue."""
    entry = lookup(code)
    return Issue(entry.code, message, file, line, column, yaml_path, entry.severity, doc, span)


@dataclass
class Report:
    """Every issue of every file checked in one run; ``valid`` is derived, never stored."""

    issues: list[Issue] = field(default_factory=list)
    files_checked: int = 0

    def extend(self, issues: Iterable[Issue]) -> None:
        self.issues.extend(issues)

    def __iter__(self) -> Iterator[Issue]:
        return iter(sorted(self.issues, key=Issue.sort_key))

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity is Severity.WARNING]

    @property
    def valid(self) -> bool:
        return not self.errors


def format_yaml_path(path: tuple[str | int, ...]) -> str:
    """``("events", 2, "actor1")`` -> ``events[2].actor1``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


class UserError(Exception):
    """A problem the user can fix (bad argument, missing file): one clean line, exit 2."""

    exit_code = 2


class DataError(UserError):
    """Input data is invalid: one clean line, exit 1."""

    exit_code = 1

    @classmethod
    def from_issues(cls, issues: list[Issue], fallback: str, *, limit: int = 5,
                    hint: str = "") -> DataError:
        """One line naming the first ``limit`` located issues (``fallback`` when none)."""
        shown = "; ".join(f"{i.file}:{i.line}:{i.column}: {i.code} {i.message}"
                          for i in issues[:limit])
        more = f" (+{len(issues) - limit} more)" if len(issues) > limit else ""
        return cls(f"{shown or fallback}{more}{hint}")
