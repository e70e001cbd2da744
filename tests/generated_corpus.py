"""A small synthetic project from the benchmark generator, for the tests that compare a fast
path of ``suggest`` with its reference on more varied pages than the seeds."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from sahelevents.project import Project
from sahelevents.sentences import Sentence, segment
from sahelevents.sources import Document
from sahelevents.workspace import Workspace

ROOT = Path(__file__).resolve().parents[1]


def benchmark_script(stem: str) -> ModuleType:
    """``benchmarks/<stem>.py`` (not a package) as the module ``benchmarks_<stem>``, loaded
    once."""
    name = f"benchmarks_{stem}"
    if name not in sys.modules:
        folder = str(ROOT / "benchmarks")
        if folder not in sys.path:
            sys.path.insert(0, folder)  # run.py imports its sibling generate.py
        spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{stem}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up while the class is built
        spec.loader.exec_module(module)
    return sys.modules[name]


def generate_project(out: Path, documents: int = 40, *, seed: int = 11) -> Path:
    """A complete project (seeds, annotations, codebook, schema) of ``documents`` pages."""
    benchmark_script("generate").generate(out, documents, seed=seed, jobs=1, verify="0")
    return out


def seed_and_generated_documents(ws: Workspace, out: Path) -> list[Document]:
    """The registered documents of the seeds of ``ws`` and of a generated project of 40 pages
    at ``out``, with their texts."""
    generated = Workspace(Project(generate_project(out)))
    return [*ws.registry.documents(), *generated.registry.documents()]


def seed_and_generated_sentences(ws: Workspace, out: Path) -> list[Sentence]:
    """Sentences of the seeds of ``ws`` and of a generated project of 40 pages at ``out``."""
    return [sentence for document in seed_and_generated_documents(ws, out)
            for sentence in segment(document.meta.id, document.text)]
