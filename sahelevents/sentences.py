"""French sentence segmentation with stable ids, exact offsets and page-furniture kinds.

Segmentation is done per line-block (news pages put one paragraph per line) with pysbd's
French rules, then every sentence is located in the original text, so that
``text[start:end] == sentence.text`` always holds and the text itself is never altered.

Each sentence gets a *kind* so extraction can skip or treat apart what is not the article:

============  ==============================================================================
title         the headline (first line of the page that is a real line of text)
body          the article itself
heading       a short line without final punctuation inside the article (sub-heading)
dateline      "Publié lundi 27 mai 2024 à 06:58", "28 décembre 2024, 2:31 am"
byline        the author's name ("Esso ASSALIH", "Par Aboubacar TRAORE")
teaser        "Lire aussi" links and lists of other stories, with their own dates
furniture     cookie banners, comment forms, share/follow lines, navigation
============  ==============================================================================

``story`` numbers the stories of a page: 0 is the article, each teaser its own number, so
that no field is ever taken across a teaser boundary.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

from sahelevents.textnorm import fold

KINDS = ("title", "body", "heading", "dateline", "byline", "teaser", "furniture")


@dataclass(frozen=True, slots=True)
class Sentence:
    id: str
    doc: str
    index: int
    start: int
    end: int
    text: str
    kind: str
    paragraph: int
    story: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# Folded patterns (see textnorm.fold) of page furniture seen on West African news sites.
_FURNITURE = [re.compile(p) for p in (
    r"^(partagez|partager|share|tweet|imprimer|j'aime|suivez-nous|follow us)\b.{0,40}$",
    r"^(leave a comment|laisser un commentaire|laissez un commentaire|reply|repondre)\b",
    r"votre adresse (e-mail|email|de messagerie) ne sera pas publiee",
    r"^les champs obligatoires sont indiques",
    r"^(error: )?avertissement de copyright",
    r"^quitter la version mobile",
    r"^rechercher\b",
    r"^espace annonceur",
    r"^(telechargez|abonnez-vous|s'abonner|inscrivez-vous)\b",
    r"^l'espace des contributions est reserve",
    r"cookies?\b",
    r"(consentir|consentement|publicites personnalisees|experience de navigation)",
    r"^(redige par|source|par)\s*:?\s*$",
    r"^accueil\b",
    r"^ajoutez votre titre ici$",
    r"^pour plus de details, visitez",
    r"^-\.?$",
    r"^[0-9]+$",
)]
# Markers after which the rest of the page lists other stories.
_LIST_MARKERS = [re.compile(p) for p in (
    r"^les articles de l'auteur$",
    r"^articles qui pourraient vous plaire$",
    r"^les plus commentes$",
    r"^(a lire|lire) (aussi|egalement)$",
    r"^articles? (similaires|connexes|recommandes)$",
    r"^dans la meme rubrique$",
)]
_TEASER = re.compile(r"^(a lire|lire) (aussi|egalement|plus)\s*:?")
_DATELINE = re.compile(
    r"^(publie|mis a jour|modifie)( le)?\b.{0,60}\d{4}|"
    r"^\d{1,2}(er)? (janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|"
    r"novembre|decembre) \d{4}(,? \d{1,2}[:h]\d{2}( ?[ap]m)?)?$")
_BYLINE = re.compile(r"^(par )?[A-ZÀ-Ý][\w’'.-]+( [A-ZÀ-Ý][\w’'.-]+){0,3}$")


@lru_cache(maxsize=1)
def _segmenter() -> Any:
    import pysbd

    return pysbd.Segmenter(language="fr", clean=False)


def _blocks(text: str) -> Iterator[tuple[int, int]]:
    """Non-empty lines as (start, end) offsets, surrounding spaces excluded."""
    for match in re.finditer(r"[^\n]+", text):
        raw = match.group()
        stripped = raw.strip()
        if not stripped:
            continue
        start = match.start() + (len(raw) - len(raw.lstrip()))
        yield start, start + len(stripped)


def _split(block: str) -> list[tuple[int, int]]:
    """Sentence spans inside one block, located exactly (pysbd may drop or add spaces)."""
    spans: list[tuple[int, int]] = []
    cursor = 0
    for piece in _segmenter().segment(block):
        piece = piece.strip()
        if not piece:
            continue
        found = block.find(piece, cursor)
        if found == -1:  # pysbd normalised something: fall back to the rest of the block
            rest = block[cursor:]
            if rest.strip():
                lead = len(rest) - len(rest.lstrip())
                spans.append((cursor + lead, cursor + len(rest.rstrip())))
            return spans
        if spans and not any(ch.isalnum() for ch in piece):
            # a lone "." or "”" left by pysbd belongs to the sentence before it
            spans[-1] = (spans[-1][0], found + len(piece))
        else:
            spans.append((found, found + len(piece)))
        cursor = found + len(piece)
    tail = block[cursor:]
    if tail.strip():
        lead = len(tail) - len(tail.lstrip())
        spans.append((cursor + lead, cursor + len(tail.rstrip())))
    return spans


def _is_headline_like(line: str) -> bool:
    return len(line) <= 160 and not line.rstrip().endswith((".", "»", '"', "”", "…", ".."))


def classify_block(line: str) -> str | None:
    """The kind a whole line has on its own, or None for ordinary text."""
    key = fold(line)
    if any(p.search(key) for p in _FURNITURE):
        return "furniture"
    if _DATELINE.search(key):
        return "dateline"
    if (line.startswith("Par ") and len(line) < 60) or (
            _BYLINE.match(line) and sum(w.isupper() for w in line.split()) >= 1
            and len(line.split()) <= 4 and any(w.isupper() and len(w) > 2 for w in line.split())):
        return "byline"
    return None


def _block_kinds(lines: list[str]) -> list[tuple[str, int]]:
    """(kind, story) of every line-block of a page."""
    keys = [fold(line) for line in lines]
    own = [classify_block(line) for line in lines]
    is_teaser_title = [bool(_TEASER.match(k)) for k in keys]
    is_marker = [any(p.match(k) for p in _LIST_MARKERS) for k in keys]
    out: list[tuple[str, int]] = []
    story = stories = 0
    in_list = seen_title = False
    for i, line in enumerate(lines):
        kind = own[i]
        if is_marker[i]:
            in_list, kind, story = True, "furniture", 0
        elif is_teaser_title[i]:
            stories += 1
            story, kind = stories, "teaser"
        elif in_list:
            if kind is None:
                if _is_headline_like(line):
                    stories += 1
                    story = stories
                kind = "teaser"
        elif kind is None and i > 0 and is_teaser_title[i - 1] and (
                i + 1 == len(lines) or is_teaser_title[i + 1] or is_marker[i + 1]
                or own[i + 1] in ("furniture", "byline", "dateline")):
            kind = "teaser"  # summary under a "Lire aussi" title, inside a run of teasers
        else:
            story = 0
            if kind is None:
                if not seen_title:
                    kind = "title"
                elif _is_headline_like(line) and len(line) < 200:
                    kind = "heading"
                else:
                    kind = "body"
        if kind in ("title", "heading"):
            seen_title = True
        out.append((kind, story))
    return out


def segment(doc_id: str, text: str) -> list[Sentence]:
    """Split a registered document into sentences with kinds, paragraphs and stories."""
    blocks = list(_blocks(text))
    kinds = _block_kinds([text[a:b] for a, b in blocks])
    sentences: list[Sentence] = []
    for paragraph, ((b_start, b_end), (kind, story)) in enumerate(zip(blocks, kinds, strict=True),
                                                                  start=1):
        for s_start, s_end in _split(text[b_start:b_end]):
            start, end = b_start + s_start, b_start + s_end
            index = len(sentences) + 1
            sentences.append(Sentence(
                id=f"{doc_id}#s{index}", doc=doc_id, index=index, start=start, end=end,
                text=text[start:end], kind=kind, paragraph=paragraph, story=story))
    return sentences


def sentence_map(sentences: list[Sentence]) -> dict[str, Sentence]:
    return {s.id: s for s in sentences}
