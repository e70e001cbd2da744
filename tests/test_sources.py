"""The source registry: hashes match, a changed byte is reported, bad files are refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sahelevents.codebook import load_model_file
from sahelevents.issues import DataError
from sahelevents.models import SourceRegistry
from sahelevents.sources import Registry, sha256_bytes
from sahelevents.workspace import Workspace


def test_registered_hashes_match(ws: Workspace) -> None:
    assert len(ws.registry.data.documents) >= 5
    assert ws.registry.check() == []


def test_every_seed_states_how_its_date_was_inferred(ws: Workspace) -> None:
    for meta in ws.registry.data.documents:
        if meta.id[:3].isdigit() and int(meta.id[:3]) < 5:
            assert meta.published and meta.published_note and meta.title


@pytest.fixture()
def registry_copy(tmp_path: Path, root: Path) -> Registry:
    seeds = tmp_path / "seeds"
    shutil.copytree(root / "seeds", seeds)
    return Registry.load(seeds / "sources.yaml")


def test_changing_one_byte_is_reported(registry_copy: Registry) -> None:
    meta = registry_copy.data.documents[2]
    path = registry_copy.file_of(meta)
    data = bytearray(path.read_bytes())
    data[100] = ord("X") if data[100] != ord("X") else ord("Y")
    path.write_bytes(bytes(data))
    problems = registry_copy.check()
    assert [(p.code, p.doc) for p in problems] == [("R001", meta.id)]


def test_add_normalises_newlines_and_refuses_bad_files(registry_copy: Registry,
                                                       tmp_path: Path) -> None:
    crlf = tmp_path / "article.txt"
    crlf.write_bytes("Titre\r\nLes FAMa ont frappé.\rFin.\r\n".encode())
    meta = registry_copy.add(crlf, published="2025-01-02")
    stored = registry_copy.file_of(meta).read_bytes()
    assert stored == "Titre\nLes FAMa ont frappé.\nFin.\n".encode()
    assert meta.sha256 == sha256_bytes(stored)
    assert Registry.load(registry_copy.path).by_id["article"].sha256 == meta.sha256
    with pytest.raises(DataError, match="already registered"):
        registry_copy.add(crlf)
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("Kolondiéba".encode("latin-1"))
    with pytest.raises(DataError, match="not UTF-8"):
        registry_copy.add(latin1)
    nul = tmp_path / "nul.txt"
    nul.write_bytes(b"abc\x00def")
    with pytest.raises(DataError, match="NUL"):
        registry_copy.add(nul)


def test_a_parsed_registry_is_kept_for_the_same_bytes_only(registry_copy: Registry,
                                                          tmp_path: Path) -> None:
    from sahelevents.sources import ParsedRegistryCache

    path, cache = registry_copy.path, tmp_path / "cache"
    parsed = load_model_file(path, SourceRegistry)
    # Both the registry a parse gives (rebuilt from its packed form) and the one the next
    # command reads from the cache, no YAML parsed, are the validated one.
    first = Registry.load(path, cache_dir=cache).data
    stored = ParsedRegistryCache(cache, path)
    assert stored.file.is_file()
    again = stored.load()
    assert again is not None
    for loaded in (first, again):
        assert loaded == parsed
        assert loaded.model_dump(exclude_unset=True) == parsed.model_dump(exclude_unset=True)
        assert [d.model_fields_set for d in loaded.documents] == [
            d.model_fields_set for d in parsed.documents]
    # The registry changes: the cached form no longer answers, the new bytes are parsed.
    text = path.read_text(encoding="utf-8")
    assert parsed.documents[0].outlet is None
    path.write_text(text.replace("  outlet: null\n", "  outlet: edited\n", 1), encoding="utf-8")
    assert stored.load() is None
    assert Registry.load(path, cache_dir=cache).data.documents[0].outlet == "edited"
    # A damaged cache file is ignored, never read as a registry.
    blob = bytearray(stored.file.read_bytes())
    blob[-5] ^= 0xFF
    stored.file.write_bytes(bytes(blob))
    assert stored.load() is None
    assert Registry.load(path, cache_dir=cache).data.documents[0].outlet == "edited"


def test_an_invalid_registry_is_never_cached(registry_copy: Registry, tmp_path: Path) -> None:
    from sahelevents.sources import ParsedRegistryCache

    path, cache = registry_copy.path, tmp_path / "cache"
    path.write_text(path.read_text(encoding="utf-8").replace("sha256:", "sha_256:", 1),
                    encoding="utf-8")
    for _ in range(2):  # the second load reports the same errors: nothing was cached
        with pytest.raises(DataError, match="sha_256"):
            Registry.load(path, cache_dir=cache)
    assert not ParsedRegistryCache(cache, path).file.exists()
