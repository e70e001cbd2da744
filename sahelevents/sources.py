"""The source registry: registered documents are immutable, hashed texts.

Annotations point into a document's exact text by sentence id and character offsets, so a
registered document never changes. The registry (``seeds/sources.yaml``) records each file's
sha256; ``check`` reports any file that no longer matches.

Newlines are decided once: registered texts are UTF-8 with LF line ends. ``add`` converts
CRLF and lone CR to LF *before* hashing and copying the text into the corpus folder, so the
stored file, its hash and every offset agree. Non-UTF-8 files and NUL bytes are refused.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from sahelevents.codebook import load_model_file
from sahelevents.issues import DataError, Issue, UserError, issue
from sahelevents.models import SourceDocument, SourceRegistry
from sahelevents.yamlio import atomic_write_text, dump_yaml

REGISTRY_MAX_BYTES = 1024 * 1024 * 1024
REGISTRY_HEADER = "# yaml-language-server: $schema=../schema/sources.schema.json\n"
_DOC_ID = re.compile(r"[^A-Za-z0-9_.-]+")


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


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
    def load(cls, path: Path) -> Registry:
        if not path.exists():
            return cls(path, SourceRegistry())
        # An archive registry lists tens of thousands of documents: far over the size limit
        # meant for hand-edited annotation files.
        return cls(path, load_model_file(path, SourceRegistry, max_bytes=REGISTRY_MAX_BYTES))

    @cached_property
    def by_id(self) -> dict[str, SourceDocument]:
        return {d.id: d for d in self.data.documents}

    def file_of(self, meta: SourceDocument) -> Path:
        return (self.path.parent / meta.file).resolve()

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
                issues.append(issue("R001", f"{meta.id}: {meta.file} changed since it was "
                                    f"registered (sha256 {actual[:12]}..., recorded "
                                    f"{meta.sha256[:12]}...)", display, doc=meta.id))
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
