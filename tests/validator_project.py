"""A small temporary dataset project for validator tests, and the case-file format.

``build_project`` copies the repository's codebook and seeds into a folder and adds what some
cases need and the real project does not have:

* codebook renames (for C016): files declaring codebook 0.9.0 may use the old names;
* ``ghost_doc``: registered, but its text file is missing (P007);
* ``changed_doc``: seed 002 with an editor's note inserted at the top, so that every
  sentence id moved by one - annotations recording seed 002's sha256 are stale (P002, P005).

Case files (``tests/validator_cases/``) declare what the validator must report, in comments:

* ``# expect: C002 C003`` at the end of a line: those codes are reported at that line;
* ``# expect: 12:C002`` anywhere: that code at line 12;
* no ``expect`` at all: the file is valid, with no warning either;
* ``# path: annotations/coders/bob/x.yaml``: where the case is placed in the project
  (default: ``annotations/<source>.yaml`` from the ``source:`` line, else the case's name);
* ``# max-bytes: 300``: the size limit to validate with.

A folder of case files is one case: its files are validated together.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from sahelevents.models import SourceDocument
from sahelevents.sources import Registry
from sahelevents.yamlio import dump_yaml, load_yaml_file

REPO = Path(__file__).resolve().parents[1]
CASES_DIR = Path(__file__).resolve().parent / "validator_cases"
SEED = "002_6e87b541723d2159"
EDITOR_NOTE = "Note de la rédaction : cet article a été mis à jour.\n\n"

RENAMES = [
    {"since": "1.0.0", "kind": "event_type", "old": "Remote violence",
     "new": "Explosions/Remote violence"},
    {"since": "1.0.0", "kind": "sub_event_type", "old": "Armed clashes", "new": "Armed clash"},
    {"since": "1.0.0", "kind": "actor", "old": "JNIM: Jamaah Nusrat al Islam wal Muslimin",
     "new": "JNIM: Group for Support of Islam and Muslims"},
]


def build_project(root: Path) -> Path:
    """A project in ``root`` (see the module docstring); returns ``root``."""
    for name in ("codebook", "seeds"):
        shutil.copytree(REPO / name, root / name,
                        ignore=shutil.ignore_patterns("rules", "CODEBOOK.md", "CHANGELOG.md"))
    (root / "annotations").mkdir()
    codebook_file = root / "codebook" / "codebook.yaml"
    codebook = load_yaml_file(codebook_file).data
    assert isinstance(codebook, dict)
    codebook["renames"] = [*codebook.get("renames", []), *RENAMES]
    codebook_file.write_text(dump_yaml(codebook), encoding="utf-8")

    registry = Registry.load(root / "seeds" / "sources.yaml")
    seed = registry.by_id[SEED]
    changed = EDITOR_NOTE + (root / "seeds" / seed.file).read_text(encoding="utf-8")
    (root / "seeds" / "changed_doc.txt").write_text(changed, encoding="utf-8", newline="\n")
    registry.data.documents.append(seed.model_copy(update={
        "id": "changed_doc", "file": "changed_doc.txt",
        "sha256": hashlib.sha256(changed.encode("utf-8")).hexdigest()}))
    registry.data.documents.append(SourceDocument(
        id="ghost_doc", file="ghost_doc.txt", sha256="ab" * 32, published="2023-09-10",
        published_precision="day", country="MLI"))
    registry.save()
    return root


# -- Case files -----------------------------------------------------------------------------

_EXPECT = re.compile(r"#\s*expect:\s*([^#\n]*)")
_DIRECTIVE = re.compile(r"^#\s*(path|max-bytes):\s*(\S+)\s*$", re.MULTILINE)
_SOURCE = re.compile(r"^source:\s*['\"]?([A-Za-z0-9_.-]+)", re.MULTILINE)
_TOKEN = re.compile(r"^(?:(\d+):)?([A-Z]\d{3})$")


@dataclass(frozen=True)
class CaseFile:
    origin: Path
    target: str  # path inside the project
    raw: bytes
    expected: frozenset[tuple[str, int, str]]  # (target, line, code)
    max_bytes: int | None


def read_case_file(path: Path) -> CaseFile:
    raw = path.read_bytes()
    text = raw.decode("utf-8", errors="replace")
    directives = dict(_DIRECTIVE.findall(text))
    target = directives.get("path")
    if target is None:
        source = _SOURCE.search(text)
        target = f"annotations/{source.group(1) if source else path.stem}.yaml"
    expected: set[tuple[str, int, str]] = set()
    for number, line in enumerate(text.split("\n"), start=1):
        for marker in _EXPECT.findall(line):
            for token in marker.split():
                match = _TOKEN.match(token)
                if match is None:
                    raise ValueError(f"{path}:{number}: bad expect token {token!r}")
                expected.add((target, int(match.group(1) or number), match.group(2)))
    max_bytes = directives.get("max-bytes")
    return CaseFile(path, target, raw, frozenset(expected),
                    int(max_bytes) if max_bytes else None)


def cases() -> dict[str, list[CaseFile]]:
    """Case name -> its files (one for a file case, several for a folder case)."""
    found: dict[str, list[CaseFile]] = {}
    for entry in sorted(CASES_DIR.iterdir()):
        if entry.is_dir():
            found[entry.name] = [read_case_file(p) for p in sorted(entry.glob("*.yaml"))]
        elif entry.suffix == ".yaml":
            found[entry.stem] = [read_case_file(entry)]
    return found
