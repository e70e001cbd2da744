"""The source registry: registered documents are immutable, hashed texts.

Annotations point into a document's exact text by sentence id and character offsets, so a
registered document never changes. The registry (``seeds/sources.yaml``) records each file's
sha256; ``check`` reports any file that no longer matches.

Newlines are decided once: registered texts are UTF-8 with LF line ends. ``add`` converts
CRLF and lone CR to LF *before* hashing and copying the text into the corpus folder, so the
stored file, its hash and every offset agree. Non-UTF-8 files and NUL bytes are refused.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import marshal
import os
import re
import sys
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import pydantic

import sahelevents
import sahelevents.models
from sahelevents.codebook import load_model_file
from sahelevents.issues import DataError, Issue, UserError, issue
from sahelevents.models import SourceDocument, SourceRegistry
from sahelevents.yamlio import atomic_write_bytes, atomic_write_text, dump_yaml

REGISTRY_MAX_BYTES = 1024 * 1024 * 1024
REGISTRY_HEADER = "# yaml-language-server: $schema=../schema/sources.schema.json\n"
_DOC_ID = re.compile(r"[^A-Za-z0-9_.-]+")


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def changed_since_registered(meta: SourceDocument, actual: str) -> str:
    """The words of an R001 message: the text of ``meta`` now hashes to ``actual``."""
    return (f"changed since it was registered (sha256 {actual[:12]}..., recorded "
            f"{meta.sha256[:12]}...)")


def read_text_strict(path: Path) -> str:
    """Read a registered text: strict UTF-8, no NUL, LF newlines only."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not UTF-8 text (invalid byte at offset {exc.start})") from None
    if "\x00" in text:
        raise DataError(f"{path}: contains a NUL byte; sources must be text")
    return text


#: Bump when the layout of a parsed-registry cache file changes.
_PARSED_FORMAT = 2


@cache
def _parser_digest() -> str:
    """What the parsed form of a registry depends on besides its bytes: the models, this
    module, pydantic and the Python that marshals it."""
    digest = hashlib.sha256(f"{_PARSED_FORMAT}\0{sahelevents.__version__}\0{pydantic.VERSION}"
                            f"\0{marshal.version}\0{sys.version_info[:2]}".encode())
    for module in (sahelevents.models, sys.modules[__name__]):
        digest.update(Path(str(module.__file__)).read_bytes())
    return digest.hexdigest()


class ParsedRegistryCache:
    """The validated content of one registry file, keyed by its bytes and the parser.

    One file per registry (``<cache_dir>/registry/<digest of its path>.marshal``): a
    checksum of the payload, then the payload marshalled (the format of Python's own
    bytecode cache): the key, then the registry packed (:func:`pack_registry`).
    Any mismatch or damage means a parse, never a stale or wrong registry; a cache that
    cannot be written costs time, never the command.
    """

    def __init__(self, cache_dir: Path, registry: Path) -> None:
        name = hashlib.sha256(str(registry.resolve()).encode()).hexdigest()[:24]
        self.file = cache_dir / "registry" / f"{name}.marshal"
        self.registry = registry

    def _key(self) -> str | None:
        try:
            content = self.registry.read_bytes()
        except OSError:
            return None
        return hashlib.sha256(_parser_digest().encode() + b"\0" + content).hexdigest()

    def load(self) -> SourceRegistry | None:
        key = self._key()
        try:
            blob = self.file.read_bytes()
        except OSError:
            return None
        checksum, payload = blob[:64], blob[64:]
        if key is None or checksum != hashlib.sha256(payload).hexdigest().encode():
            return None
        try:
            stream = io.BytesIO(payload)
            if marshal.load(stream) != key:
                return None
            return _constructed(marshal.load(stream))
        except (ValueError, EOFError, TypeError, KeyError):
            return None

    def store(self, packed: bytes) -> None:
        """Keep a registry packed by :func:`pack_registry`."""
        key = self._key()  # of the bytes now on disk: equal to what was parsed, or no match
        if key is None:
            return
        payload = marshal.dumps(key, 4) + packed
        with contextlib.suppress(OSError):  # a cache that cannot be written is only slower
            atomic_write_bytes(self.file, hashlib.sha256(payload).hexdigest().encode() + payload,
                               durable=False)


def pack_registry(data: SourceRegistry) -> bytes:
    """The validated content of a registry, marshalled (read back by :func:`_constructed`)."""
    return marshal.dumps(data.model_dump(exclude_unset=True), 4)


def _constructed(data: dict[str, Any]) -> SourceRegistry:
    """A registry from its validated dump, without validating it again."""
    values = dict(data)
    if "documents" in values:
        values["documents"] = [SourceDocument.model_construct(**d) for d in values["documents"]]
    return SourceRegistry.model_construct(**values)


@dataclass(frozen=True)
class Document:
    meta: SourceDocument
    path: Path
    text: str

    @property
    def id(self) -> str:
        return self.meta.id


class Registry:
    def __init__(self, path: Path, data: SourceRegistry) -> None:
        self.path = path
        self.data = data

    @classmethod
    def load(cls, path: Path, *, cache_dir: Path | None = None) -> Registry:
        """The registry at ``path``; with ``cache_dir``, its parsed form is kept there.

        Parsing and validating a registry of ten thousand documents takes a second, and
        every command needs it; the parsed form of the same bytes is read back in a tenth
        of that (see :class:`ParsedRegistryCache`).
        """
        if not path.exists():
            return cls(path, SourceRegistry())
        cache = ParsedRegistryCache(cache_dir, path) if cache_dir is not None else None
        if cache is not None:
            known = cache.load()
            if known is not None:
                return cls(path, known)
        # An archive registry lists tens of thousands of documents: far over the size limit
        # meant for hand-edited annotation files.
        packed = pack_registry(load_model_file(path, SourceRegistry,
                                               max_bytes=REGISTRY_MAX_BYTES))
        if cache is not None:
            cache.store(packed)
        # The registry is rebuilt from its packed form, not kept as parsed. The parsed
        # models hold the very strings the YAML parser made, one per value, spread among
        # the node tree's objects; those strings would keep most of the tree's freed memory
        # from ever being reused or returned (217,000 documents: 2.5 GB held by 0.3 GB of
        # live objects). Unpacked, the same values lie together: the tree's memory is given
        # back whole.
        return cls(path, _constructed(marshal.loads(packed)))

    @cached_property
    def by_id(self) -> dict[str, SourceDocument]:
        return {d.id: d for d in self.data.documents}

    @cached_property
    def _folder(self) -> str:
        return str(self.path.parent.resolve())

    def file_of(self, meta: SourceDocument) -> Path:
        # The registry's folder is resolved once; a text's own name is only normalised
        # (``Path.resolve`` stats every component of every path: a tenth of a millisecond a
        # document, ten thousand times in a run).
        return Path(os.path.normpath(os.path.join(self._folder, meta.file)))

    def document(self, doc_id: str) -> Document:
        meta = self.by_id.get(doc_id)
        if meta is None:
            raise UserError(f"unknown document '{doc_id}' (see {self.path.name})")
        path = self.file_of(meta)
        try:
            text = read_text_strict(path)
        except OSError as exc:
            raise DataError(f"{path}: cannot read registered document: {exc.strerror}") from None
        return Document(meta, path, text)

    def documents(self) -> list[Document]:
        return [self.document(d.id) for d in self.data.documents]

    def check(self) -> list[Issue]:
        """One issue per registered file that is missing, unreadable or changed."""
        issues: list[Issue] = []
        display = self.path.name
        for meta in self.data.documents:
            path = self.file_of(meta)
            try:
                raw = path.read_bytes()
            except OSError as exc:
                issues.append(issue("P007", f"{meta.id}: cannot read {meta.file}: "
                                    f"{exc.strerror}", display, doc=meta.id))
                continue
            actual = sha256_bytes(raw)
            if actual != meta.sha256:
                issues.append(issue("R001", f"{meta.id}: {meta.file} "
                                    f"{changed_since_registered(meta, actual)}", display,
                                    doc=meta.id))
        return issues

    def add(self, source: Path, *, doc_id: str | None = None, **fields: str | None
            ) -> SourceDocument:
        """Register ``source``: normalise newlines, copy into the corpus folder, hash."""
        try:
            raw = source.read_bytes()
        except OSError as exc:
            raise UserError(f"{source}: cannot read: {exc.strerror}") from None
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise DataError(f"{source}: not UTF-8 text (invalid byte at offset {exc.start}); "
                            "convert it to UTF-8 first") from None
        if "\x00" in text:
            raise DataError(f"{source}: contains a NUL byte; only text can be registered")
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        data = text.encode("utf-8")
        digest = sha256_bytes(data)
        new_id = doc_id or _DOC_ID.sub("-", source.stem).strip("-") or digest[:16]
        for known in self.data.documents:
            if known.id == new_id:
                raise DataError(f"{source}: id '{new_id}' is already registered")
            if known.sha256 == digest:
                raise DataError(f"{source}: same text already registered as '{known.id}'")
        target = self.path.parent / f"{new_id}.txt"
        if target.exists() and sha256_bytes(target.read_bytes()) != digest:
            raise DataError(f"{target}: a different file already has this name")
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            target.write_bytes(data)
        meta = SourceDocument.model_validate({
            "id": new_id, "file": target.name, "sha256": digest,
            **{k: v for k, v in fields.items() if v is not None}})
        self.data.documents.append(meta)
        self.__dict__.pop("by_id", None)
        self.save()
        return meta

    def save(self) -> None:
        payload = self.data.model_dump(mode="json", exclude_defaults=False)
        atomic_write_text(self.path, dump_yaml(payload, header=REGISTRY_HEADER))
