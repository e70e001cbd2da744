"""segment's fast paths give what the plain per-line algorithm gives.

segment folds the page once, finds sentence boundaries in one pass over the whole text and
skips the furniture search on lines without its words. The reference below is the plain
algorithm it replaced (each line stripped, folded with textnorm.fold, classified and split
on its own), written with the module's own patterns so both follow any change to the rules.
"""

from __future__ import annotations

import re
from unittest.mock import patch

from hypothesis import example, given, settings
from hypothesis import strategies as st

from sahelevents import sentences as S
from sahelevents.textnorm import fold

# The per-block boundary: whitespace of the block itself instead of "no line break".
_BLOCK_BOUNDARY = re.compile(S._BOUNDARY.pattern.replace(r"[^\S\n]+", r"\s+"))
assert _BLOCK_BOUNDARY.pattern != S._BOUNDARY.pattern


def _reference_blocks(text: str) -> list[tuple[int, int]]:
    out = []
    for match in re.finditer(r"[^\n]+", text):
        raw = match.group()
        stripped = raw.strip()
        if stripped:
            start = match.start() + (len(raw) - len(raw.lstrip()))
            out.append((start, start + len(stripped)))
    return out


def _reference_split(block: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for found in _BLOCK_BOUNDARY.finditer(block):
        end = found.end("end")
        if found["end"] == "." and S._ABBREVIATION_BEFORE.search(block, max(0, end - 12), end):
            continue
        spans.append((start, end))
        start = found.end("space")
    spans.append((start, len(block)))
    merged: list[tuple[int, int]] = []
    for span in spans:
        piece = block[span[0]:span[1]]
        if merged and not S._ALNUM.search(piece):
            merged[-1] = (merged[-1][0], span[1])
        elif piece.strip():
            merged.append(span)
    return merged


def _reference_classify(line: str) -> str | None:
    key = fold(line)
    if S._FURNITURE_AT_START.match(key) or S._FURNITURE_ANYWHERE.search(key):
        return "furniture"
    if S._DATELINE.search(key):
        return "dateline"
    if (line.startswith("Par ") and len(line) < 60) or (
            S._BYLINE.match(line) and sum(w.isupper() for w in line.split()) >= 1
            and len(line.split()) <= 4 and any(w.isupper() and len(w) > 2 for w in line.split())):
        return "byline"
    return None


def _reference_kinds(lines: list[str]) -> list[tuple[str, int]]:
    """_block_kinds as it was: keys folded line by line, every line searched for furniture."""
    assert [S.classify_block(line) for line in lines] == [_reference_classify(line)
                                                          for line in lines]
    with patch.object(S, "_ANYWHERE_WORDS", None):
        return S._block_kinds(lines, [fold(line) for line in lines])


def _reference_segment(doc_id: str, text: str) -> list[tuple[object, ...]]:
    blocks = _reference_blocks(text)
    kinds = _reference_kinds([text[a:b] for a, b in blocks])
    out: list[tuple[object, ...]] = []
    for paragraph, ((b_start, b_end), (kind, story)) in enumerate(zip(blocks, kinds,
                                                                      strict=True), start=1):
        for s_start, s_end in _reference_split(text[b_start:b_end]):
            start, end = b_start + s_start, b_start + s_end
            index = len(out) + 1
            out.append((f"{doc_id}#s{index}", doc_id, index, start, end, text[start:end], kind,
                        paragraph, story))
    return out


def _as_tuples(text: str) -> list[tuple[object, ...]]:
    return [(s.id, s.doc, s.index, s.start, s.end, s.text, s.kind, s.paragraph, s.story)
            for s in S.segment("d", text)]


_pieces = st.sampled_from([
    "Les", "FAMa", "ont", "mené", "des", "frappes", "à", "Kolondiéba", "M.", "Mme.", "Pr.",
    "A.", "n°.", "J.-C.", "Diop", "É.", "etc.", "le", "7", "2024", "«", "»", "“", "”", "’",
    "(", ")", "[", "]", ".", "..", "…", "!", "?", "?!", "—", "-", "#", "@", "œ", "Œuvre",
    "ﬁn", "¨", "e\u0301", "İ", "K", "`", "©", "\x00", "\u2028", "\x85", "\x1c", "Ꭰ", "ꭰ",
    "Ǣ", "Æ",
    " ", "  ", "\t", "\r", "\u00a0", "\u202f", "\u2009", "\n", "\n\n", "\n \n",
    "cookies", "Cookie", "COOKIES", "consentement", "Expérience de navigation",
    "expérience  de navigation", "Votre adresse e-mail ne sera pas publiée",
    "Publié le 3 mai 2024", "28 décembre 2024, 2:31 am", "Lire aussi :", "À lire aussi",
    "Par Aboubacar TRAORE", "Esso ASSALIH", "Partagez", "Accueil", "12", "Source :",
])
_texts = st.lists(_pieces, max_size=60).map(" ".join) | st.lists(_pieces, max_size=60).map(
    "".join)


@settings(max_examples=400, deadline=None)
@given(_texts)
@example("M. Diop.\n  A. Ba. Il. Le 3. Nous\n. »\nPr. X. Y")
@example("\u00a0M. Diop. Le\n\tA. B. C")
@example("cookie\u00a0\nlire aussi : x\nLes  Cookies sont là. ¨x")
def test_segment_matches_the_per_line_algorithm(text: str) -> None:
    assert _as_tuples(text) == _reference_segment("d", text)


@settings(max_examples=200, deadline=None)
@given(_texts | st.text(max_size=200))
def test_page_keys_are_the_folded_lines(text: str) -> None:
    blocks = S._blocks(text)
    assert blocks == _reference_blocks(text)
    assert S._block_keys(text, blocks) == [fold(text[a:b]) for a, b in blocks]


@given(st.text(max_size=300))
def test_any_text_matches_the_per_line_algorithm(text: str) -> None:
    assert _as_tuples(text) == _reference_segment("d", text)


def test_literal_start_is_only_what_every_match_starts_with() -> None:
    assert S._literal_start(r"cookies?\b") == "cookie"
    assert S._literal_start(r"votre adresse (e-mail|email) ne") == "votre adresse "
    assert S._literal_start(r"abc|def") == ""
    assert S._literal_start(r"a\(|b") == ""
    assert S._literal_start(r"(a|b)c") == ""
    assert S._literal_start(r"x{2}y") == ""
    assert S._literal_start(r"ab+c") == "a"
    assert S._ANYWHERE_WORDS is not None  # the prefilter is in use for the current patterns
