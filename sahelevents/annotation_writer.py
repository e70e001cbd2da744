"""How annotation files write their values, and new files written without ruamel.yaml.

Every string an annotation file gets is written in the style :func:`quoting_style` picks:
double quotes for long or oddly spaced text (they survive line folding exactly), single
quotes for text a YAML 1.1 tool would retype, plain otherwise.

Comments and hand edits must survive a merge into an existing file, which ruamel.yaml's round
trip does for any layout. But ``suggest`` on a new archive creates a file per document, and
re-run after a rule change appends events to files it wrote: ruamel costs ~25-40 ms a file,
more than extracting the events. :func:`new_file_text` (a new file) and
:func:`list_items_text` (events added to a file's events list) write the same bytes
directly, replaying what ruamel's emitter does with the settings of
:func:`sahelevents.yamlio.roundtrip_yaml` (width 100, mapping indent 2, sequence indent 4
with the dash at offset 2; a file's own offset for appended events): the same scalar
styles, the same line folding. They cover the shapes of events - mappings and lists of
strings, integers, booleans and plain decimal floats - and return ``None`` for anything
else (characters that need escapes, plain text ruamel would quote, ...), so that the
caller falls back to ruamel.
``tests/test_annotation_writer.py`` and ``tests/test_annotate.py`` hold them to ruamel's
output.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

import yaml

from sahelevents.yamlio import load_yaml, plain_reads_as_text

__all__ = ["list_items_text", "new_file_text", "quoting_style"]

# -- Quoting policy --------------------------------------------------------------------------

# Whitespace a plain or single-quoted scalar may lose when ruamel folds a long line.
_FOLD_RISK = re.compile(r"\s\s|[^\S ]|^\s|\s$")
_PLAIN_MAX = 80
# Text that is certainly a safe plain scalar: a letter first, no YAML indicator inside, no
# trailing space. Most values (names, rule ids, places) match and skip the parse below.
_INDICATOR = r":#'\"\\{}\[\],&*!|>%@`"
_CERTAINLY_PLAIN = re.compile(
    rf"[A-Za-zÀ-ÖØ-öø-ÿ](?:[^{_INDICATOR}\n\t]*[^{_INDICATOR}\s])?")


def quoting_style(value: str) -> str:
    """``'"'``, ``"'"`` or ``""`` (plain): how an annotation file writes ``value``."""
    if len(value) > _PLAIN_MAX or _fold_risk(value):
        # Long or oddly spaced text (quotes keep the source's "  " and non-breaking spaces).
        return '"'
    return "" if _plain_is_safe(value) else "'"


def _fold_risk(value: str) -> bool:
    """``_FOLD_RISK.search(value)``, without the regex for printable text (most text; the
    regex tries its four branches at every character of a long quote)."""
    if value.isprintable():  # then its only whitespace is the space (tested)
        return "  " in value or value.startswith(" ") or value.endswith(" ")
    return _FOLD_RISK.search(value) is not None


# Shortcuts of _plain_reads_back, each decided without parsing (tests/test_annotation_writer.py
# holds them to it). Text that every YAML loader reads as a plain string:
# * a letter first (or a digit, with a space later: no number, date or time has one without
#   a ":"), printable characters, no ":" and no " #" (they end a plain scalar), no space at
#   the end: the sentence ids ("syn000012#s5"), places ("Fada N'Gourma", "Lere, Mali") and
#   quotes of a document;
# * digits and lower-case letters, a digit first, that no loader reads as a number (binary,
#   hexadecimal, "1e5"): the suggestion keys ("85391aca1f9aab90").
_PRINTABLE_NO_COLON = r"\x20-\x39\x3b-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd"
_READS_BACK_AS_TEXT = re.compile(
    rf"(?:[A-Za-zÀ-ÖØ-öø-ÿ]|[0-9](?=.* ))(?!.* #)[{_PRINTABLE_NO_COLON}]*(?<! )"
    r"|(?!0[bx]|[0-9]+e[0-9]+\Z)[0-9][0-9a-z]*[a-z][0-9a-z]*")
# Text that starts with a letter reads as something else than a string only when it is one
# of the words YAML reads as a null or a boolean ("null", "yes", "False"...): none is longer.
_LONGEST_RETYPED_WORD = 5
# A day written the ISO way: a date to YAML 1.1 loaders, so never plain.
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@lru_cache(maxsize=8192)  # rule ids, actors, places and dates repeat across documents
def _plain_is_safe(value: str) -> bool:
    """Written plain, ``value`` reads back as itself with no warning, both with our strict
    loader (the validator's) and with a YAML 1.1 loader (PyYAML, many editors)."""
    if _CERTAINLY_PLAIN.fullmatch(value) and _reads_as_text(value):
        return True
    if _READS_BACK_AS_TEXT.fullmatch(value) and _reads_as_text(value):
        return True
    if _ISO_DAY.fullmatch(value) or ": " in value:
        # A date, or a mapping ("JNIM: Group for Support..."): no need to parse them.
        return False
    return _plain_reads_back(value)


def _reads_as_text(value: str) -> bool:
    """:func:`plain_reads_as_text`, without its regexes for text that starts with a letter
    and is longer than every YAML word (names and quotes): only a number or a date reads as
    something else."""
    return ((len(value) > _LONGEST_RETYPED_WORD and value[0].isalpha())
            or plain_reads_as_text(value))


def _plain_reads_back(value: str) -> bool:
    """The reference of :func:`_plain_is_safe`: parse ``value`` written plain."""
    try:
        if yaml.safe_load(value) != value:
            return False
    except yaml.YAMLError:
        return False
    loaded = load_yaml(f"v: {value}\n".encode(), "value")
    return not loaded.issues and isinstance(loaded.data, dict) and loaded.data.get("v") == value


# -- The writer of new files ----------------------------------------------------------------

_WIDTH = 100  # roundtrip_yaml(): width, indent(mapping=2, sequence=4, offset=2)
_MAPPING_INDENT = 2
# What a nested mapping adds to its parent's indentation ("pad", a string of spaces).
_MAPPING_PAD = " " * _MAPPING_INDENT
# The spaces before a list's dashes, past its key's column: ruamel's "offset". A list's items
# start two columns after the dash ("- "), ruamel's sequence indent being the offset + 2 (as
# roundtrip_yaml sets it, and annotate._use_file_indentation for a file's own offset).
_DASH_OFFSET = "  "


class _Unsupported(Exception):
    """A value whose ruamel output this writer does not reproduce exactly."""


def new_file_text(comment: str, document: Mapping[str, Any]) -> str | None:
    """``document`` (plain dicts, lists and scalars) as ruamel writes it under a ``# comment``
    line, or ``None`` when it holds a value this writer does not reproduce exactly."""
    lines = [f"# {comment}\n"]
    try:
        _write_mapping(document, "", "", lines, _DASH_OFFSET)
    except _Unsupported:
        return None
    return "".join(lines)


def list_items_text(items: Sequence[Any], dash_column: int = len(_DASH_OFFSET)) -> str | None:
    """The ``items`` of a top-level key's list, dashes at ``dash_column`` (and every list
    inside them as far past its key), as ruamel writes them with that offset; ``None`` when
    one holds a value this writer does not reproduce exactly."""
    lines: list[str] = []
    try:
        _write_sequence(items, "", lines, " " * dash_column)
    except _Unsupported:
        return None
    return "".join(lines)


# A file is ~300 lines, most of them "key: scalar" lines whose text repeats within the file
# and across files (field names, rule ids, sentence ids, actor names, small offsets). The
# writers below therefore append whole lines rendered by the cached functions further down,
# which take the text before the key ("prefix": the indentation, or a list's dash) as it is:
# its length is the key's column, so a line is a pure function of (prefix, key, value).
# Only exact built-in types reach the caches (a cache matches 1 with True, "a" with a str
# subclass); the rest goes through _scalar.


def _write_mapping(mapping: Mapping[str, Any], first_prefix: str, pad: str,
                   out: list[str], dash_offset: str) -> None:
    """Keys after ``pad``, the first one after ``first_prefix`` (a list's dash), of the same
    length; lists with their dashes ``dash_offset`` past their key."""
    if not mapping:
        raise _Unsupported("empty mapping")
    prefix = first_prefix
    for key, value in mapping.items():
        kind = type(value)
        if kind is str:
            out.append(_text_line(prefix, key, value))
        elif kind is int:
            out.append(_int_line(prefix, key, value))
        elif kind is dict:
            out.append(_key_line(prefix, key))
            inner = pad + _MAPPING_PAD
            _write_mapping(value, inner, inner, out, dash_offset)
        elif kind is list:
            if value:
                out.append(_key_line(prefix, key))
                _write_sequence(value, pad, out, dash_offset)
            else:
                out.append(_key(prefix, key) + " []\n")
        else:
            head = _key(prefix, key)
            out.append(head + _scalar(value, len(head), len(pad) + _MAPPING_INDENT) + "\n")
        prefix = pad


def _write_sequence(items: Sequence[Any], pad: str, out: list[str], dash_offset: str) -> None:
    """The items of the list of a key written after ``pad``."""
    dash = pad + dash_offset + "-"
    first_prefix = dash + " "
    item_pad = " " * len(first_prefix)  # an item's other keys, under its first one
    for item in items:
        kind = type(item)
        if kind is str:
            out.append(_item_line(dash, item))
        elif kind is dict:
            _write_mapping(item, first_prefix, item_pad, out, dash_offset)
        elif kind is list:
            raise _Unsupported("list in a list")
        else:
            out.append(dash + _scalar(item, len(dash), len(item_pad)) + "\n")


@lru_cache(maxsize=1024)  # a new file has ~40 keys, each at one or two columns
def _key(prefix: str, key: Any) -> str:
    """``prefix`` then ``key:``, for a key ruamel writes plain."""
    if not _plain_key(key):
        raise _Unsupported(f"key {key!r}")
    return f"{prefix}{key}:"


@lru_cache(maxsize=1024)
def _key_line(prefix: str, key: Any) -> str:
    """The line of a key whose value is a block (a mapping or a list) on the next lines."""
    return _key(prefix, key) + "\n"


@lru_cache(maxsize=16384)  # field names, rule ids, sentence ids, names and dates recur
def _text_line(prefix: str, key: Any, value: str) -> str:
    head = _key(prefix, key)
    return f"{head}{_text(value, len(head), len(prefix) + _MAPPING_INDENT)}\n"


@lru_cache(maxsize=16384)  # offsets, precisions and fatalities recur
def _int_line(prefix: str, key: Any, value: int) -> str:
    return f"{_key(prefix, key)} {value}\n"


@lru_cache(maxsize=4096)  # rule ids, coders and field names in lists
def _item_line(dash: str, item: str) -> str:
    # Folded text goes on under the item's first character, after "- ".
    return f"{dash}{_text(item, len(dash), len(dash) + 1)}\n"


# Keys this writer knows ruamel writes plain (a new file's keys are all like this).
_PLAIN_KEY = re.compile(r"[a-z][a-z0-9_]{0,40}")
_DECIMAL = re.compile(r"-?[0-9]+\.[0-9]+")
# Characters ruamel writes as they are in every style (printable, Basic Multilingual Plane,
# no line or paragraph separator, no byte-order mark); double quotes and backslashes need
# escapes inside double quotes.
_UNESCAPED = re.compile(r"[\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]*")
# Plain text ruamel's emitter would quote: a leading indicator, "- " or "? " or ": " first,
# ": " or " #" inside, a final ":", a document marker.
_NOT_PLAIN_IN_BLOCK = re.compile(
    r"[#,\[\]{}&*!|>'\"%@`]|[-?:](?: |$)|.*(?:: | #|:$)|---|\.\.\.")
# Plain text ruamel's YAML 1.2 resolver reads as something else than a string (then ruamel
# quotes it): booleans, null, numbers, timestamps, "<<" and "=" (ruamel.yaml.resolver).
_RUAMEL_IMPLICIT = re.compile(r"""
    true|True|TRUE|false|False|FALSE|~|null|Null|NULL|<<|=
    |[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
    |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
    |[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?
    |[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)
    |[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?[0-9_]+|[-+]?0x[0-9a-fA-F_]+
    |[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
    |[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]
     :[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?
    """, re.VERBOSE)


def _plain_key(key: Any) -> bool:
    return (type(key) is str and _PLAIN_KEY.fullmatch(key) is not None
            and _RUAMEL_IMPLICIT.fullmatch(key) is None)


def _scalar(value: Any, column: int, indent: int) -> str:
    """`` value`` as ruamel writes it after ``column`` characters of its line, long text
    folded onto lines indented by ``indent``. Subclasses (ruamel's own scalar types among
    them) may be written otherwise: only the built-in types are written here."""
    kind = type(value)
    if kind is str:
        return _text(value, column, indent)
    if kind is bool:
        return " true" if value else " false"
    if kind is int:
        return f" {value}"
    if kind is float:
        shown = repr(value)
        if not _DECIMAL.fullmatch(shown):
            raise _Unsupported(f"float {shown}")
        return f" {shown}"
    raise _Unsupported(f"value {value!r}")


def _text(value: str, column: int, indent: int) -> str:
    style = _style(value)
    if style == "":
        return _plain(value, column, indent)
    if style == "'":
        return _single_quoted(value, column, indent)
    if style == '"':
        return _double_quoted(value, column, indent)
    raise _Unsupported(f"value {value!r}")


# The style of a value does not depend on where it is written: decided once for a date or a
# sentence id written at two columns (an event's field, then its trace).
@lru_cache(maxsize=8192)
def _style(value: str) -> str | None:
    """:func:`quoting_style` of ``value``, or ``None`` when this writer cannot write it
    exactly that way (escapes needed, plain text ruamel would quote)."""
    if _PLAIN_TOKEN.fullmatch(value):
        return ""
    if _ISO_DAY.fullmatch(value):
        return "'"
    return _checked_style(value)


# Shortcuts of _checked_style (tests/test_annotation_writer.py holds them to it), for the ids
# a file is full of, most of them new in their file. One word of ASCII letters, digits and
# "_.#-" is plain: either a letter first and too long to be a YAML word (sentence ids
# "syn000012#s5", event ids "s-1bee3216", rule ids, field names), or digits and lower-case
# letters, a digit first, that no YAML version reads as a number (suggestion keys
# "85391aca1f9aab90", "0bb1e0f51ebf0078"; not "0b101", "0o17", "0x1f" nor "1e5"). A day
# (_ISO_DAY) gets single quotes.
_PLAIN_TOKEN = re.compile(
    r"[A-Za-z][A-Za-z0-9_.#-]{5,79}"
    r"|(?=[0-9a-z]{1,80}\Z)(?!0b[01]*\Z|0o[0-7]*\Z|0x[0-9a-f]*\Z|[0-9]+e[0-9]+\Z)"
    r"[0-9][0-9a-z]*[a-z][0-9a-z]*")


def _checked_style(value: str) -> str | None:
    """:func:`_style` by all the checks."""
    if not value or not _UNESCAPED.fullmatch(value):
        return None
    style = quoting_style(value)
    if style == '"':  # then a double quote or a backslash would need an escape
        return None if '"' in value or "\\" in value else style
    if style == "" and (_NOT_PLAIN_IN_BLOCK.match(value) or _RUAMEL_IMPLICIT.fullmatch(value)):
        return None
    return style


# The three writers below replay ruamel's Emitter.write_plain, write_single_quoted and
# write_double_quoted on text with no line break and nothing to escape (what _style lets
# through). Each returns the space before the scalar, then the scalar.

_WORDS_AND_SPACES = re.compile(r" +|[^ ]+")
_WORDS_SPACES_QUOTES = re.compile(r" +|'|[^ ']+")


def _plain(text: str, column: int, indent: int) -> str:
    column += 1
    if column + len(text) <= _WIDTH:  # fits: nothing can fold
        return " " + text
    out = [" "]
    for run in _WORDS_AND_SPACES.findall(text):
        if run[0] == " ":
            if len(run) == 1 and column >= _WIDTH:  # fold at a single space
                out.append("\n" + " " * indent)
                column = indent
                continue
        elif len(run) + column > _WIDTH and column > indent:  # a long word starts a line
            out.append("\n" + " " * indent)
            column = indent
        out.append(run)
        column += len(run)
    return "".join(out)


def _single_quoted(text: str, column: int, indent: int) -> str:
    column += 2
    quotes = text.count("'")
    if column + len(text) + quotes <= _WIDTH:  # fits: nothing can fold
        return " '" + (text.replace("'", "''") if quotes else text) + "'"
    out = [" '"]
    for found in _WORDS_SPACES_QUOTES.finditer(text):
        run = found.group()
        if run == "'":
            out.append("''")
            column += 2
            continue
        if (run == " " and column > _WIDTH and found.start() != 0
                and found.end() != len(text)):  # fold at a single inner space
            out.append("\n" + " " * indent)
            column = indent
            continue
        out.append(run)
        column += len(run)
    out.append("'")
    return "".join(out)


def _double_quoted(text: str, column: int, indent: int) -> str:
    column += 2
    if column + len(text) <= _WIDTH:  # fits: nothing can fold
        return ' "' + text + '"'
    out = [' "']
    start = 0
    last = len(text) - 1
    # ruamel folds at the first inner space where column + (space - start) > _WIDTH: the
    # search jumps there (a quote has ~40 spaces, the ones before the width change nothing).
    space = text.find(" ", max(1, start + _WIDTH - column + 1))
    while 0 < space < last:
        # Fold here. The reader turns the line break into one space, so a space next to
        # another one (or the break itself) is kept with a backslash.
        escaped = text[space + 1] == " " or text[space - 1] == " " or start == space
        out.append(text[start:space])
        if escaped:
            out.append("\\\n" + " " * indent + "\\")
            column = indent + 1
            start = space
        else:
            out.append("\n" + " " * indent)
            column = indent
            start = space + 1
        space = text.find(" ", max(space + 1, start + _WIDTH - column + 1))
    out.append(text[start:])
    out.append('"')
    return "".join(out)
