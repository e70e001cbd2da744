"""Text folding shared by every lookup: case, accents, apostrophes and spaces.

French press spells the same name many ways (``Kolondiéba``/``Kolondieba``,
``N’Djamena``/``N'Djaména``); look-ups compare folded keys, never raw strings.
"""

from __future__ import annotations

import re
import unicodedata
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


def fold_with_map(text: str) -> tuple[str, list[int]]:
    """Fold ``text`` character by character and return the offsets back into it.

    ``mapping[i]`` is the offset in ``text`` of folded character ``i`` (one extra entry maps
    the end), so a match found in the folded string can be reported as a span of the original
    text. Spaces are not collapsed here, so the mapping stays simple and exact.
    """
    # Fast path: when every character folds to exactly one character (nearly all French
    # text), the folded string is the translated text and the mapping is the identity.
    quick = text.translate(_ONE_TO_ONE)
    if quick.isascii():
        lowered = quick.lower()
        return lowered, list(range(len(text) + 1))
    folded: list[str] = []
    mapping: list[int] = []
    for index, char in enumerate(text):
        piece = char.translate(_APOSTROPHES).translate(_DASHES)
        if piece in ("\u00a0", "\u202f", "\u2009", "\t", "\n", "\r"):
            piece = " "
        decomposed = unicodedata.normalize("NFKD", piece)
        base = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
        for out in base:
            folded.append(out)
            mapping.append(index)
    mapping.append(len(text))
    return "".join(folded), mapping
