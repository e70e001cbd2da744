"""Safe, located YAML input and canonical YAML output.

Hand-edited YAML is hostile input. ``load_yaml`` never trusts it:

* the byte size is checked before anything is read or parsed;
* bytes are decoded as strict UTF-8; BOM and NUL bytes are reported;
* tabs in indentation get their own message instead of a parser riddle;
* the document is *composed* (not constructed) with libyaml when available, and our own
  converter walks the node tree: duplicate keys are errors, explicit tags are refused,
  aliases are expanded against a node budget (an alias bomb is rejected, not expanded);
* plain scalars follow a small, predictable schema (YAML 1.2 core, minus surprises):
  ``true``/``false``/``null``, decimal integers without leading zeros and decimal floats are
  typed; everything else - ``NO``, ``yes``, ``on``, ``12:30``, ``0012``, ``2023-09-07`` - stays
  the string that was written. Values YAML 1.1 tools would retype get a warning (Y004);
* every value's line and column is kept, keyed by its path (``("events", 2, "actor1")``).

Round-trip editing (comments and key order preserved) goes through ruamel.yaml, see
:func:`roundtrip_yaml`.
"""

from __future__ import annotations

import codecs
import gc
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sahelevents.issues import Issue, format_yaml_path, issue

_BaseLoader: Any
try:  # libyaml is ~10x faster; PyYAML's pure-Python composer is the fallback
    _BaseLoader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _BaseLoader = yaml.SafeLoader

_STR_TAG = "tag:yaml.org,2002:str"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"
_MERGE_TAG = "tag:yaml.org,2002:merge"


class _Loader(_BaseLoader):  # type: ignore[misc]
    """A composer that leaves typing plain scalars to :class:`_Converter`.

    PyYAML's resolver tries a dozen YAML 1.1 regular expressions on every plain scalar (a
    third of the time of loading a file); we type scalars ourselves, so each node only needs
    its kind's default tag - and ``<<`` its merge tag, so that merge keys can be refused.
    """

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode:
            return _MERGE_TAG if value == "<<" and implicit[0] else _STR_TAG
        return _SEQ_TAG if kind is yaml.SequenceNode else _MAP_TAG


#: Default limits; the CLI can raise them.
MAX_BYTES = 5 * 1024 * 1024
MAX_NODES = 200_000

YamlPath = tuple[str | int, ...]

_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_FLOAT = re.compile(
    r"[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|[-+]?[0-9]+[eE][-+]?[0-9]+")
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})
# What a YAML 1.1 loader (PyYAML's default, many editors) would silently retype.
_YAML11_BOOL = re.compile(r"(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)")
_YAML11_SEXAGESIMAL = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?")
_YAML11_OCTAL = re.compile(r"[-+]?0[0-9_]+")
_STANDARD_TAGS = frozenset(
    "tag:yaml.org,2002:" + name for name in ("str", "int", "float", "bool", "null", "map", "seq")
)
# Tags the resolver gives plain scalars implicitly; we ignore them and type values ourselves.
_IMPLICIT_TAGS = _STANDARD_TAGS | {"tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:value"}


@dataclass
class LoadedYaml:
    """The result of :func:`load_yaml`: data (or None), the node tree and the issues found.

    Positions are looked up in the composed node tree when an issue needs one, rather than
    recorded for every value while loading: most values of most files never need one.
    """

    file: str
    data: Any = None
    text: str | None = None
    #: The bytes that were parsed (for keys that must match exactly what was read).
    raw: bytes | None = None
    root: yaml.Node | None = None
    issues: list[Issue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.data is not None and not any(i.severity == "error" for i in self.issues)

    def position(self, path: YamlPath, *, key: bool = False) -> tuple[int, int] | None:
        """Line/column of the value at ``path`` (of its key with ``key``), if it exists.

        Like the data, a duplicated key resolves to its first occurrence; a path through an
        alias resolves into the anchored node."""
        node = self.root
        key_node: yaml.Node | None = None
        for step in path:
            if node is None:
                return None
            node, key_node = _child(node, step)
        if node is None:
            return None
        mark = (key_node if key and key_node is not None else node).start_mark
        return mark.line + 1, mark.column + 1

    def locate(self, path: YamlPath, *, key: bool = False) -> tuple[int, int]:
        """Line/column of ``path``, or of its nearest located ancestor."""
        probe = tuple(path)
        while probe:
            found = self.position(probe, key=key)
            if found is not None:
                return found
            probe = probe[:-1]
        return self.position(()) or (1, 1)

    def issue_at(self, code: str, message: str, path: YamlPath, *, key: bool = False,
                 doc: str | None = None) -> Issue:
        line, column = self.locate(path, key=key)
        return issue(code, message, self.file, line=line, column=column,
                     yaml_path=format_yaml_path(path), doc=doc)


def _child(node: yaml.Node, step: str | int) -> tuple[yaml.Node | None, yaml.Node | None]:
    """The value node under ``node`` at ``step`` and, in a mapping, its key node."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and str(key_node.value) == str(step):
                return value_node, key_node
        return None, None
    if isinstance(node, yaml.SequenceNode) and isinstance(step, int) and not isinstance(
            step, bool) and 0 <= step < len(node.value):
        return node.value[step], None
    return None, None


@contextmanager
def collection_paused() -> Iterator[None]:
    """Pause the cycle collector while a parser builds a tree.

    A tree is allocated in one go and holds no reference cycles the collector could free;
    left running, the collector walks every object of the process again and again while
    the tree grows (a third of the time of loading a registry of 10,000 documents).

    Afterwards what was built is moved to the collector's oldest generation (``freeze`` then
    ``unfreeze`` do exactly that, documented, without walking anything): otherwise the
    first allocation after the pause walks the whole new tree once more, as young objects.
    Not inside :func:`frozen` (that would thaw what it froze).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if not _frozen:
                gc.freeze()
                gc.unfreeze()
            gc.enable()


# Whether objects are frozen by :func:`frozen`: ``gc.get_freeze_count`` walks every frozen
# object (milliseconds for a loaded codebook), far too slow to ask on every parse.
_frozen = 0


def freeze() -> None:
    """Hide every object alive now from the cycle collector (until :func:`thaw`).

    For long-lived values (codebook, gazetteer, registry) before worker processes fork:
    they are not walked again and again while short-lived values are collected, and a
    forked worker does not copy their memory pages by touching them.
    """
    global _frozen
    gc.freeze()
    _frozen += 1


def thaw() -> None:
    global _frozen
    _frozen -= 1
    if not _frozen:
        gc.unfreeze()


@contextmanager
def frozen() -> Iterator[None]:
    """:func:`freeze` for the time of a block."""
    freeze()
    try:
        yield
    finally:
        thaw()


class _Budget(Exception):
    pass


class _Converter:
    """Turns a composed node tree into plain Python values.

    ``max_nodes`` bounds the values produced, so that aliases (which share nodes) cannot
    expand a small document into a huge one. Paths are not tracked while converting (most
    documents need none): a problem names its node, and :func:`_node_paths` finds its path.
    """

    def __init__(self, result: LoadedYaml, max_nodes: int) -> None:
        self.result = result
        self.remaining = max_nodes
        #: (code, message, node) of problems found; located once the tree is converted.
        self.found: list[tuple[str, str, yaml.Node]] = []

    def convert(self, node: yaml.Node) -> Any:
        self.remaining -= 1
        if self.remaining < 0:
            raise _Budget
        kind = type(node)
        if kind is yaml.ScalarNode:
            return self._scalar(node)  # type: ignore[arg-type]  # type() is not narrowed
        if kind is yaml.MappingNode:
            return self._mapping(node)
        if node.tag != _SEQ_TAG:
            raise _TagError(node, node.tag or "")
        convert = self.convert
        return [convert(child) for child in node.value]

    def _mapping(self, node: yaml.Node) -> dict[str, Any]:
        if node.tag != _MAP_TAG:
            raise _TagError(node, node.tag or "")
        out: dict[str, Any] = {}
        convert = self.convert
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                # '<<' merge keys copy a mapping's content: refuse them like other aliases tricks
                raise _TagError(key_node, "<< (merge key)", owner=node)
            if type(key_node) is not yaml.ScalarNode:
                raise _ComplexKey(key_node, owner=node)
            key = key_node.value
            if key in out:
                first = next(k for k, _ in node.value if k.value == key).start_mark.line + 1
                self.found.append(("Y002", f"duplicate key '{key}' (first at line {first}); "
                                   "the first value would be lost", key_node))
                continue
            out[key] = convert(value_node)
        return out

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        value: str = node.value
        tag = node.tag or ""
        # quoted or block scalar: always text (libyaml marks plain scalars with "")
        if node.style:
            if tag != _STR_TAG:
                raise _TagError(node, tag)
            return value
        if tag not in _IMPLICIT_TAGS:
            raise _TagError(node, tag)
        if value in _NULLS:
            return None
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        first = value[0]
        # Only a value starting like a number can be one (saves two regexes per word).
        if first.isdigit() or first in "+-.":
            if _INT.fullmatch(value):
                return int(value)
            if _FLOAT.fullmatch(value):
                return float(value)
        if len(value) <= 5 or (first.isdigit() or first in "+-"):
            self._warn_yaml11(value, node)
        return value

    def _warn_yaml11(self, value: str, node: yaml.Node) -> None:
        reading = None
        if _YAML11_BOOL.fullmatch(value):
            reading = "a boolean"
        elif _YAML11_SEXAGESIMAL.fullmatch(value):
            reading = "a base-60 number"
        elif _YAML11_OCTAL.fullmatch(value):
            reading = "an octal number"
        if reading is not None:
            self.found.append(("Y004", f"unquoted {value!r} is kept as text here, but YAML 1.1 "
                               f"tools read it as {reading}; write '{value}' in quotes", node))


def _node_paths(root: yaml.Node) -> dict[int, YamlPath]:
    """id(node) -> the path of its first occurrence, for value and key nodes alike."""
    paths: dict[int, YamlPath] = {}
    todo: list[tuple[yaml.Node, YamlPath]] = [(root, ())]
    while todo:
        node, path = todo.pop()
        if id(node) in paths:
            continue  # an alias: located at its anchor, and walked once
        paths[id(node)] = path
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in reversed(node.value):
                if not isinstance(key_node, yaml.ScalarNode):
                    continue  # refused while converting: a tree that has one is not walked
                child = (*path, str(key_node.value))
                paths.setdefault(id(key_node), child)
                todo.append((value_node, child))
        elif isinstance(node, yaml.SequenceNode):
            todo.extend((child, (*path, i)) for i, child in reversed(list(enumerate(node.value))))
    return paths


class _TagError(Exception):
    """A refused tag at ``node``, reported at the path of ``owner`` (default: the node)."""

    def __init__(self, node: yaml.Node, tag: str, owner: yaml.Node | None = None) -> None:
        super().__init__(tag)
        self.node, self.tag, self.owner = node, tag, owner or node


class _ComplexKey(Exception):
    """A key that is a mapping or a list, reported at the path of its mapping."""

    def __init__(self, node: yaml.Node, owner: yaml.Node) -> None:
        super().__init__("complex key")
        self.node, self.owner = node, owner


def _expanded_size(node: yaml.Node, memo: dict[int, int], limit: int) -> int:
    """Nodes the document has once aliases are expanded, counted without expanding them:
    each distinct node is sized once (an alias bomb is sized in microseconds)."""
    known = memo.get(id(node))
    if known is not None:
        return known
    memo[id(node)] = limit + 1  # a node that contains itself expands without end
    size = 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            size += _expanded_size(key, memo, limit) + _expanded_size(value, memo, limit)
            if size > limit:
                break
    elif isinstance(node, yaml.SequenceNode):
        for child in node.value:
            size += _expanded_size(child, memo, limit)
            if size > limit:
                break
    memo[id(node)] = size
    return size


def _byte_position(raw: bytes, offset: int) -> tuple[int, int]:
    line = raw.count(b"\n", 0, offset) + 1
    column = offset - (raw.rfind(b"\n", 0, offset) + 1) + 1
    return line, column


def _decode(raw: bytes, result: LoadedYaml) -> str | None:
    if raw.startswith(codecs.BOM_UTF8):
        result.issues.append(issue("Y008", "file starts with a UTF-8 byte-order mark; save it "
                                   "as UTF-8 without BOM", result.file, line=1, column=1))
        raw = raw[len(codecs.BOM_UTF8):]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _byte_position(raw, exc.start)
        result.issues.append(issue("Y007", f"invalid UTF-8 byte 0x{raw[exc.start]:02x}; re-save "
                                   "the file as UTF-8", result.file, line=line, column=column))
        return None
    nul = text.find("\x00")
    if nul != -1:
        line = text.count("\n", 0, nul) + 1
        column = nul - (text.rfind("\n", 0, nul) + 1) + 1
        result.issues.append(issue("Y009", "NUL byte in file: it is binary or corrupted",
                                   result.file, line=line, column=column))
        return None
    return text


def _tab_issues(text: str, file: str) -> Iterator[Issue]:
    for number, line in enumerate(text.split("\n"), start=1):
        indent = len(line) - len(line.lstrip(" \t"))
        tab = line.find("\t", 0, indent)
        if tab != -1 and line.strip():
            yield issue("Y003", "tab character in indentation; indent with spaces", file,
                        line=number, column=tab + 1)


def load_yaml(raw: bytes, file: str, *, max_bytes: int = MAX_BYTES,
              max_nodes: int = MAX_NODES) -> LoadedYaml:
    """Parse untrusted YAML bytes. Never raises on bad input: problems become issues."""
    result = LoadedYaml(file=file)
    if len(raw) > max_bytes:
        result.issues.append(issue("Y006", f"file is {len(raw):,} bytes, over the limit of "
                                   f"{max_bytes:,}; it was not parsed", file, line=1, column=1))
        return result
    text = _decode(raw, result)
    if text is None:
        return result
    result.text, result.raw = text, raw
    tabs = list(_tab_issues(text, file)) if "\t" in text else []
    if tabs:
        result.issues.extend(tabs[:50])
        return result
    try:
        with collection_paused():
            node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or "invalid YAML"
        context = f" ({exc.context})" if exc.context else ""
        result.issues.append(issue("Y001", f"{problem}{context}", file, line=line, column=column))
        return result
    except yaml.YAMLError as exc:
        result.issues.append(issue("Y001", str(exc).splitlines()[0], file, line=1, column=1))
        return result
    except RecursionError:
        result.issues.append(issue("Y005", "document nests too deeply", file, line=1, column=1))
        return result
    if node is None:
        result.issues.append(issue("Y012", "the file holds no YAML document", file, line=1,
                                   column=1))
        return result
    # Without aliases a document cannot hold more nodes than it has bytes, so a budget that
    # grows with the size admits any honest file and still stops an alias bomb early.
    budget = max(max_nodes, len(raw) // 2)
    converter = _Converter(result, budget)
    try:
        # Only a document with anchors can expand beyond its own size.
        if "&" in text and _expanded_size(node, {}, budget) > budget:
            raise _Budget
        with collection_paused():
            data = converter.convert(node)
    except _Budget:
        result.issues.append(issue("Y005", f"document expands to more than "
                                   f"{max(max_nodes, len(raw) // 2):,} nodes "
                                   "(anchors/aliases?); rejected without expanding it", file,
                                   line=1, column=1))
        return result
    except RecursionError:
        result.issues.append(issue("Y005", "document nests too deeply (recursive alias?)", file,
                                   line=1, column=1))
        return result
    except (_TagError, _ComplexKey) as exc:
        mark = exc.node.start_mark
        where = format_yaml_path(_node_paths(node).get(id(exc.owner), ()))
        message = (f"explicit tag {exc.tag!r} is not allowed; write the plain value"
                   if isinstance(exc, _TagError) else "mapping keys must be plain text")
        result.issues.append(issue("Y010" if isinstance(exc, _TagError) else "Y001", message,
                                   file, line=mark.line + 1, column=mark.column + 1,
                                   yaml_path=where))
        return result
    if converter.found:
        paths = _node_paths(node)
        for code, message, at in converter.found:
            mark = at.start_mark
            result.issues.append(issue(code, message, file, line=mark.line + 1,
                                       column=mark.column + 1,
                                       yaml_path=format_yaml_path(paths.get(id(at), ()))))
    result.data = data
    result.root = node
    return result


def load_yaml_file(path: Path, display: str | None = None, *, max_bytes: int = MAX_BYTES,
                   max_nodes: int = MAX_NODES) -> LoadedYaml:
    """Like :func:`load_yaml`, reading ``path`` only if its size is under the limit."""
    name = display or str(path)
    try:
        size = os.stat(path).st_size
        if size > max_bytes:
            result = LoadedYaml(file=name)
            result.issues.append(issue("Y006", f"file is {size:,} bytes, over the limit of "
                                       f"{max_bytes:,}; it was not parsed", name, line=1,
                                       column=1))
            return result
        raw = path.read_bytes()
    except OSError as exc:
        result = LoadedYaml(file=name)
        result.issues.append(issue("Y001", f"cannot read file: {exc.strerror}", name))
        return result
    return load_yaml(raw, name, max_bytes=max_bytes, max_nodes=max_nodes)


# -- Output ---------------------------------------------------------------------------------


class _CanonicalDumper(yaml.SafeDumper):
    """Block style, UTF-8 text, and strings quoted whenever YAML 1.1 would retype them."""


def plain_reads_as_text(value: str) -> bool:
    """True when ``value`` written plain would load back as the same string here and in
    YAML 1.1 tools (so it needs no quotes)."""
    return not (value in _NULLS or value in _TRUE or value in _FALSE or _INT.fullmatch(value)
                or _FLOAT.fullmatch(value) or _YAML11_BOOL.fullmatch(value)
                or _YAML11_SEXAGESIMAL.fullmatch(value) or _YAML11_OCTAL.fullmatch(value)
                or re.fullmatch(r"\d{4}-\d\d?-\d\d?.*", value))


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style: str | None = None
    printable = all(ch.isprintable() or ch == "\n" for ch in value)
    if not printable or any(ch in value for ch in "\x85\u2028\u2029\ufeff"):
        style = '"'  # escapes keep control and line-separator characters exact
    elif "\n" in value:
        style = "|" if value == value.strip(" ") and "\n " not in value else '"'
    elif not plain_reads_as_text(value):
        style = "'"
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_CanonicalDumper.add_representer(str, _represent_str)


def dump_yaml(data: Any, *, header: str = "") -> str:
    """Canonical YAML text: stable key order (as given), readable UTF-8, no aliases."""
    _CanonicalDumper.ignore_aliases = lambda self, data: True  # type: ignore[method-assign]
    body = yaml.dump(data, Dumper=_CanonicalDumper, allow_unicode=True, sort_keys=False,
                     default_flow_style=False, width=100, indent=2)
    return header + body


def roundtrip_yaml() -> Any:
    """A ruamel.yaml instance configured for comment- and order-preserving edits."""
    from ruamel.yaml import YAML

    rt = YAML(typ="rt")
    rt.preserve_quotes = True
    rt.width = 100
    rt.indent(mapping=2, sequence=4, offset=2)
    rt.allow_unicode = True
    return rt


_NEW_FILE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC


def atomic_write_text(path: Path, text: str, *, durable: bool = True) -> None:
    """Write ``text`` to ``path`` as UTF-8 so that a crash leaves either the old or the new
    file (see :func:`atomic_write_bytes`)."""
    atomic_write_bytes(path, text.encode("utf-8"), durable=durable)


def atomic_write_bytes(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Write ``data`` to ``path`` so that a crash leaves either the old or the new file.

    The bytes go to a temporary file renamed over ``path``: no reader, and no process killed
    midway, ever sees half a file. ``durable`` also fsyncs it before the rename, so that a
    power cut cannot either; a caller writing many new files (or a cache it can rebuild)
    passes ``False`` and syncs once when it is done, if at all.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    replaced = False
    try:
        # os.open and os.write, not open(): a text file object costs more than the write
        # itself when suggest writes 10,000 small files.
        try:
            fd = os.open(tmp, _NEW_FILE_FLAGS, 0o666)
        except FileNotFoundError:  # the folder is created when first written to
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(tmp, _NEW_FILE_FLAGS, 0o666)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        replaced = True
    finally:
        if not replaced:  # (no stat of the temporary file after each of 10,000 writes)
            tmp.unlink(missing_ok=True)
