"""Text folding shared by every lookup: case, accents, apostrophes and spaces.

French press spells the same name many ways (``Kolondiéba``/``Kolondieba``,
``N’Djamena``/``N'Djaména``); look-ups compare folded keys, never raw strings.
"""

from __future__ import annotations

import re
import unicodedata

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'"})
_DASHES = str.maketrans({"–": "-", "—": "-", "‑": "-", "‐": "-"})
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")


def fold(text: str) -> str:
    """Lower-case, strip accents, unify apostrophes/dashes and collapse spaces."""
    text = text.translate(_APOSTROPHES).translate(_DASHES)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped).strip().casefold()


def fold_with_map(text: str) -> tuple[str, list[int]]:
    """Fold ``text`` character by character and return the offsets back into it.

    ``mapping[i]`` is the offset in ``text`` of folded character ``i`` (one extra entry maps
    the end), so a match found in the folded string can be reported as a span of the original
    text. Spaces are not collapsed here, so the mapping stays simple and exact.
    """
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
