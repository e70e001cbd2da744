"""Text folding shared by every lookup: case, accents, apostrophes and spaces.

French press spells the same name many ways (``Kolondiéba``/``Kolondieba``,
``N’Djamena``/``N'Djaména``); look-ups compare folded keys, never raw strings.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'"})
_DASHES = str.maketrans({"–": "-", "—": "-", "‑": "-", "‐": "-"})
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")


def _latin_table() -> dict[int, str]:
    """Accented Latin letters -> base letters, precomputed: folding is on every hot path."""
    table: dict[int, str] = {}
    for code in range(0x80, 0x250):
        char = chr(code)
        base = "".join(c for c in unicodedata.normalize("NFKD", char)
                       if not unicodedata.combining(c))
        if base != char:
            table[code] = base
    for source, target in (("’", "'"), ("‘", "'"), ("ʼ", "'"), ("`", "'"), ("´", "'"),
                           ("–", "-"), ("—", "-"), ("‑", "-"), ("‐", "-")):
        table[ord(source)] = target
    return table


_LATIN = _latin_table()
# For fold_with_map: characters that fold to exactly one character, spaces included.
_ONE_TO_ONE = {code: base for code, base in _LATIN.items() if len(base) == 1} | {
    ord(space): " " for space in ("\u00a0", "\u202f", "\u2009", "\t", "\n", "\r")}


_BEYOND_LATIN = re.compile(r"[^\x00-\u024f]")


@lru_cache(maxsize=4096)
def _strip_char(char: str) -> str:
    decomposed = unicodedata.normalize("NFKD", char.translate(_APOSTROPHES).translate(_DASHES))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold(text: str) -> str:
    """Lower-case, strip accents, unify apostrophes/dashes and collapse spaces."""
    folded = text.translate(_LATIN)
    if not folded.isascii():
        # rare characters (… ﬁ Greek, combining marks): decomposed one by one, cached
        folded = _BEYOND_LATIN.sub(lambda found: _strip_char(found.group()), folded)
    return _SPACES.sub(" ", folded).strip().casefold()


# The characters _ONE_TO_ONE changes: all of them but tab, line feed, carriage return and
# the backtick are beyond ASCII.
_ONE_TO_ONE_CHANGES = re.compile(
    r"[^\x00-\x7f]|["
    + "".join(re.escape(chr(code)) for code in sorted(_ONE_TO_ONE) if code < 0x80) + "]")


def _one_to_one(found: re.Match[str]) -> str:
    char = found.group()
    return _ONE_TO_ONE.get(ord(char), char)


def fold_one_to_one(text: str) -> str | None:
    """The folded string of :func:`fold_with_map` when every character of ``text`` folds to
    exactly one ASCII character (its mapping is then the identity), else None."""
    # Substitution of the few characters the table changes, not str.translate: translate
    # looks every character up in the table, and news text is nearly all ASCII.
    quick = _ONE_TO_ONE_CHANGES.sub(_one_to_one, text)
    return quick.lower() if quick.isascii() else None


def fold_with_map(text: str) -> tuple[str, Sequence[int]]:
    """Fold ``text`` character by character and return the offsets back into it.

    ``mapping[i]`` is the offset in ``text`` of folded character ``i`` (one extra entry maps
    the end), so a match found in the folded string can be reported as a span of the original
    text. Spaces are not collapsed here, so the mapping stays simple and exact.
    """
    # Fast path: when every character folds to exactly one character (nearly all French
    # text), the folded string is the translated text and the mapping is the identity, a
    # range (a list of as many ints as the text has characters costs as much as folding it).
    quick = fold_one_to_one(text)
    if quick is not None:
        return quick, range(len(text) + 1)
    # Otherwise each character folds on its own (a definition per character, see
    # _piece): the translation gives the folded string, and only text with a character
    # that folds to more or less than one gets a mapping built piece by piece.
    folded = text.translate(_PIECES)
    if len(folded) == len(text) and _UNEVEN.isdisjoint(text):
        return folded, range(len(text) + 1)
    mapping: list[int] = []
    for index, char in enumerate(text):
        mapping.extend([index] * len(_PIECES[ord(char)]))
    mapping.append(len(text))
    return folded, mapping


def _piece(char: str) -> str:
    """What ``char`` folds to in :func:`fold_with_map`, on its own."""
    piece = char.translate(_APOSTROPHES).translate(_DASHES)
    if piece in ("\u00a0", "\u202f", "\u2009", "\t", "\n", "\r"):
        piece = " "
    decomposed = unicodedata.normalize("NFKD", piece)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


class _Pieces(dict[int, str]):
    """Code point -> :func:`_piece`, filled as characters are met (str.translate asks the
    mapping for each character); characters whose piece is not one character long are
    recorded in ``_UNEVEN``."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        piece = _piece(char)
        if len(piece) != 1:
            _UNEVEN.add(char)
        self[code] = piece
        return piece


_UNEVEN: set[str] = set()
_PIECES = _Pieces()
