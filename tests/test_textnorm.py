"""Folding is on every hot path, so it is precomputed; it must equal the plain definition."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

from hypothesis import given
from hypothesis import strategies as st

from sahelevents import textnorm


def reference_fold(text: str) -> str:
    text = text.translate(textnorm._APOSTROPHES).translate(textnorm._DASHES)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return textnorm._SPACES.sub(" ", stripped).strip().casefold()


@given(st.text(max_size=60))
def test_fold_equals_its_definition(text: str) -> None:
    assert textnorm.fold(text) == reference_fold(text)


def test_fold_examples() -> None:
    assert textnorm.fold("  Kolondiéba ") == "kolondieba"
    assert textnorm.fold("N’Djaména") == textnorm.fold("N'Djamena") == "n'djamena"
    assert textnorm.fold("État islamique\u00a0au   Sahel") == "etat islamique au sahel"


@given(st.text(max_size=60))
def test_fold_with_map_points_back_into_the_text(text: str) -> None:
    folded, mapping = textnorm.fold_with_map(text)
    assert len(mapping) == len(folded) + 1
    assert all(0 <= m <= len(text) for m in mapping)
    assert list(mapping) == sorted(mapping)


def reference_fold_with_map(text: str) -> tuple[str, list[int]]:
    folded: list[str] = []
    mapping: list[int] = []
    for index, char in enumerate(text):
        piece = char.translate(textnorm._APOSTROPHES).translate(textnorm._DASHES)
        if piece in ("\u00a0", "\u202f", "\u2009", "\t", "\n", "\r"):
            piece = " "
        decomposed = unicodedata.normalize("NFKD", piece)
        base = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
        for out in base:
            folded.append(out)
            mapping.append(index)
    mapping.append(len(text))
    return "".join(folded), mapping


@given(st.text(max_size=60) | st.text(alphabet="Kolondiébaç’ «»\u00a0ÉÀŒæß-–", max_size=40))
def test_fold_with_map_fast_path_equals_its_definition(text: str) -> None:
    folded, mapping = textnorm.fold_with_map(text)
    assert (folded, list(mapping)) == reference_fold_with_map(text)


def _characters(low: int, high: int) -> Iterator[str]:
    for code in range(low, high):
        if not 0xD800 <= code < 0xE000:
            yield chr(code)


def test_fold_with_map_table_equals_its_definition_for_every_character() -> None:
    # Alone and between letters: the table is filled as characters are met.
    for char in _characters(0, 0x3400):
        for text in (char, f"a{char}b"):
            folded, mapping = textnorm.fold_with_map(text)
            assert (folded, list(mapping)) == reference_fold_with_map(text)
