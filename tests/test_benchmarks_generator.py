"""The benchmark corpus generator writes projects that validate, and is deterministic.

Benchmarks themselves are never timed tests: this only checks what the generator writes
(a 20-document corpus, a few seconds).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from generated_corpus import benchmark_script

from sahelevents.project import CACHE_DIR, Project
from sahelevents.sources import Registry
from sahelevents.workspace import Workspace
from sahelevents.yamlio import load_yaml

DOCUMENTS = 20


def _files(folder: Path) -> dict[str, bytes]:
    """Every generated file except the run summary (it records the output path and time)
    and the caches that commands run on the corpus leave."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != "corpus.json"
            and CACHE_DIR not in p.relative_to(folder).parts}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bench") / "corpus"
    # verify="all": every page is also segmented by sahelevents.sentences.segment, and the
    # generator fails if a sentence boundary or a cited sentence differs from its layout.
    benchmark_script("generate").generate(out, DOCUMENTS, seed=7, jobs=1, verify="all")
    return out


def test_generated_project_validates_without_issues(corpus: Path) -> None:
    validate = pytest.importorskip("sahelevents.validate",
                                   reason="sahelevents.validate is not built yet")
    ws = Workspace(Project(corpus))
    report = validate.validate_paths(ws, None, cache=False)
    assert report.files_checked == DOCUMENTS
    assert [(i.file, i.line, i.code, i.message) for i in report.issues] == []
    assert Registry.load(ws.project.registry_file).check() == []


def test_corpus_has_the_announced_shape(corpus: Path) -> None:
    events = decisions = 0
    seen: set[str] = set()
    for path in sorted((corpus / "annotations").glob("*.yaml")):
        loaded = load_yaml(path.read_bytes(), path.name)
        assert loaded.issues == [], path.name  # no YAML 1.1 retyping warnings either
        assert loaded.data is not None
        for event in loaded.data["events"]:
            events += 1
            decisions += event["decision"] == "accepted"
            seen.add(event["decision"])
    # 3..7 incidents per article plus rejected background sentences
    assert 3 * DOCUMENTS <= events <= 9 * DOCUMENTS
    assert decisions >= 3 * DOCUMENTS * 0.8
    assert "rejected" in seen and "accepted" in seen


def test_same_seed_same_bytes_and_smaller_corpus_is_a_prefix(corpus: Path,
                                                              tmp_path: Path) -> None:
    generator = benchmark_script("generate")
    again = tmp_path / "again"
    generator.generate(again, DOCUMENTS, seed=7, jobs=1, verify="0")
    assert _files(again) == _files(corpus)
    larger = tmp_path / "larger"
    generator.generate(larger, DOCUMENTS + 5, seed=7, jobs=1, verify="0")
    for name, data in _files(corpus).items():
        if name.startswith(("seeds/syn", "annotations/")):
            assert _files(larger)[name] == data, name
    other = tmp_path / "other"
    generator.generate(other, DOCUMENTS, seed=8, jobs=1, verify="0")
    assert _files(other)["seeds/syn000000.txt"] != _files(corpus)["seeds/syn000000.txt"]


def test_fast_registry_writer_matches_dump_yaml(corpus: Path) -> None:
    generator = benchmark_script("generate")
    registry = Registry.load(corpus / "seeds" / "sources.yaml")
    entries = [d.model_dump(mode="json") for d in registry.data.documents]
    fast = load_yaml(generator.registry_yaml(entries).encode(), "fast")
    canonical = load_yaml(generator.registry_yaml(entries, canonical=True).encode(), "dump")
    assert fast.issues == [] and canonical.issues == []
    assert fast.data == canonical.data


@pytest.mark.parametrize(("value", "text"), [
    ("2024-03-12", '"2024-03-12"'), ("1.0.0", '"1.0.0"'), ("no", '"no"'), ("Mali", "Mali"),
    ("a: b", '"a: b"'), ("x #y", '"x #y"'), ("l'armée", "l'armée"), ("", '""'),
])
def test_yaml_scalar_quotes_what_a_loader_could_retype(value: str, text: str) -> None:
    assert benchmark_script("generate").yaml_scalar(value) == text
    assert load_yaml(f"k: {text}\n".encode(), "x").data == {"k": value}


@pytest.mark.parametrize(("number", "words"), [
    (1, "un"), (17, "dix-sept"), (21, "vingt-et-un"), (64, "soixante-quatre"),
    (71, "soixante-et-onze"), (80, "quatre-vingts"), (99, "quatre-vingt-dix-neuf"),
])
def test_french_number_words(number: int, words: str) -> None:
    assert benchmark_script("generate").french_number(number) == words
