"""French sentence segmentation with stable ids, exact offsets and page-furniture kinds.

Segmentation is done per line-block (news pages put one paragraph per line) with a small,
documented French rule set (see ``_spans``), on offsets of the original text, so that
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
from dataclasses import asdict, dataclass, fields
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
_FURNITURE_PATTERNS = (
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
    r"consentir", r"consentement", r"publicites personnalisees", r"experience de navigation",
    r"^(redige par|source|par)\s*:?\s*$",
    r"^accueil\b",
    r"^ajoutez votre titre ici$",
    r"^pour plus de details, visitez",
    r"^-\.?$",
    r"^[0-9]+$",
)
# Every line of every page is tried: patterns anchored at the start are matched there as
# one alternation, the few that may occur anywhere are searched as another.
_FURNITURE_AT_START = re.compile("|".join(
    f"(?:{p[1:]})" for p in _FURNITURE_PATTERNS if p.startswith("^")))
_FURNITURE_ANYWHERE = re.compile("|".join(
    f"(?:{p})" for p in _FURNITURE_PATTERNS if not p.startswith("^")))


def _literal_start(pattern: str) -> str:
    """The text every match of ``pattern`` starts with, read off its source ("" if unsure):
    the plain characters before the first operator, less a last one that is quantified."""
    if "|" in pattern and ("\\" in pattern or "[" in pattern):
        return ""  # brackets cannot be counted simply: do not guess
    depth = 0
    for char in pattern:  # a "|" outside brackets makes the start of the source optional
        depth += (char == "(") - (char == ")")
        if char == "|" and depth == 0:
            return ""
    literal = re.match(r"[a-z0-9 ',-]*", pattern)
    prefix = literal.group() if literal else ""
    if pattern[len(prefix):len(prefix) + 1] in ("?", "*", "+", "{"):
        prefix = prefix[:-1]
    return prefix


# Searching every line for the patterns that may match anywhere was the most costly regex
# call of segment (sre tries the alternation at every "c", "e", "p" or "v"); each of those
# patterns starts with a word, so a line holding none of the words cannot match and is not
# searched. None when some pattern has no such word: every line is then searched.
_WORDS = tuple(_literal_start(p) for p in _FURNITURE_PATTERNS if not p.startswith("^"))
_ANYWHERE_WORDS: tuple[str, ...] | None = _WORDS if all(_WORDS) else None
# Markers after which the rest of the page lists other stories.
_LIST_MARKERS = re.compile("|".join(f"(?:{p})" for p in (
    r"^les articles de l'auteur$",
    r"^articles qui pourraient vous plaire$",
    r"^les plus commentes$",
    r"^(a lire|lire) (aussi|egalement)$",
    r"^articles? (similaires|connexes|recommandes)$",
    r"^dans la meme rubrique$",
)))
_TEASER = re.compile(r"^(a lire|lire) (aussi|egalement|plus)\s*:?")
_DATELINE = re.compile(
    r"^(publie|mis a jour|modifie)( le)?\b.{0,60}\d{4}|"
    r"^\d{1,2}(er)? (janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|"
    r"novembre|decembre) \d{4}(,? \d{1,2}[:h]\d{2}( ?[ap]m)?)?$")
_BYLINE = re.compile(r"^(par )?[A-ZÀ-Ý][\w’'.-]+( [A-ZÀ-Ý][\w’'.-]+){0,3}$")


# A block is a line of the page without its surrounding whitespace (what str.strip removes
# is what \s matches): one pass over the text finds them all.
_BLOCK = re.compile(r"\S(?:[^\n]*\S)?")


def _blocks(text: str) -> list[tuple[int, int]]:
    """Non-empty lines as (start, end) offsets, surrounding spaces excluded."""
    return [found.span() for found in _BLOCK.finditer(text)]


# --- Folded keys of all the lines of a page at once -----------------------------------------
# fold() works character by character, then collapses spaces and strips. Calling it on every
# line was a third of the cost of segment (str.translate looks each character up in a dict),
# so the page is folded once: a character is replaced by what it folds to when that is one
# character, so offsets stay those of the text and a line's key is a slice. A line whose
# slice is not already fold's result (an odd space, a character that folds to several or
# none, e.g. "…" or a combining accent) is folded on its own, as before.
_ASCII = re.compile(r"[\x00-\x7f]+")
_UNFOLDED = "\x00"  # not printable: a line holding it is folded on its own


@lru_cache(maxsize=4096)
def _piece(char: str) -> str:
    """What ``char`` folds to inside a line, when it is one character the final lower() leaves
    alone and that replacing would not change again; else ``_UNFOLDED``."""
    folded = fold(f"x{char}x")
    if len(folded) != 3 or folded[0] != "x" or folded[2] != "x":
        return _UNFOLDED
    piece = folded[1]
    if piece == char and char.lower() == char:
        return piece
    if piece.isascii() and fold(f"x{piece}x") == folded:
        return piece
    return _UNFOLDED


# ASCII characters fold() changes otherwise than lower() (the backtick), spaces left aside.
_ASCII_CHANGES = tuple((char, _piece(char)) for char in map(chr, range(128))
                       if not char.isspace() and _piece(char) != char.lower())


def _block_keys(text: str, blocks: list[tuple[int, int]]) -> list[str]:
    """``fold(text[start:end])`` of every block."""
    folded = text
    for char, piece in _ASCII_CHANGES:
        if char in folded:
            folded = folded.replace(char, piece)
    if not text.isascii():
        for char in set(_ASCII.sub("", text)):  # the characters beyond ASCII
            piece = _piece(char)
            if piece != char:
                folded = folded.replace(char, piece)
    folded = folded.lower()
    if len(folded) != len(text):  # cannot happen with the pieces above; stay exact anyway
        return [fold(text[start:end]) for start, end in blocks]
    keys: list[str] = []
    for start, end in blocks:
        key = folded[start:end]
        # fold's result when printable (no _UNFOLDED, no space but " "), spaces single and
        # none at the ends (a character may fold to one, "¨")
        if not key.isprintable() or "  " in key or key[0] == " " or key[-1] == " ":
            key = fold(text[start:end])
        keys.append(key)
    return keys


# --- Sentence boundaries ---------------------------------------------------------------------
# A sentence ends at . ! ? or … (optionally followed by closing quotes or brackets) when
# whitespace and a sentence opener follow: a capital letter, a digit or an opening quote.
# The whitespace never crosses a line break, so the whole text is searched in one pass and
# each boundary falls inside one block.
_BOUNDARY = re.compile(
    r"(?P<end>[.!?…]+[»\"”’)\]]*)(?P<space>[^\S\n]+)"
    r"(?=[«\"“(\[#@\d—–-]|[^\W\d_](?<=[A-ZÀ-ÖØ-Þ]))")
_ABBREVIATION_BEFORE = re.compile(
    r"(?:^|[\s(«\"'’])(?:M|MM|Mme|Mmes|Mlle|Mlles|Dr|Drs|Pr|Me|Mgr|St|Ste|Gén|Gal|Col|Cdt|Cne"
    r"|Lt|Lcl|Sgt|Adj|Cf|cf|etc|p|pp|n°|N°|No|no|art|av|bd|fig|vol|env|approx|min|max|km|ex"
    r"|tél|Tél|vs|J\.-C|[A-ZÀ-Þ])\.$")


_ALNUM = re.compile(r"[^\W_]")  # what str.isalnum accepts, as the re module defines \w


def _spans(text: str, blocks: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """Sentence spans (offsets of ``text``) of every block, by a documented rule set.

    We measured pysbd at ~30 ms per news page, far too slow for archive-scale validation;
    these rules give the same sentences on the seed corpus at a small fraction of the cost.
    A boundary is a terminator followed by whitespace and a sentence opener, except after a
    known abbreviation ("M.", "Pr.", "n°.") or an initial ("A. Diop"), looked for in the 12
    characters before the full stop, within the block.
    """
    out: list[list[tuple[int, int]]] = []
    # (start of the terminator, end of the sentence, start of the next one), in text order
    found = [(f.start(), f.end("end"), f.end("space")) for f in _BOUNDARY.finditer(text)]
    i, count = 0, len(found)
    for b_start, b_end in blocks:
        if i == count or found[i][0] >= b_end:
            out.append([(b_start, b_end)])  # no boundary: the block is one sentence
            continue
        pieces: list[tuple[int, int]] = []
        start = b_start
        while i < count and found[i][0] < b_end:
            at, end, next_start = found[i]
            i += 1
            if end - at == 1 and text[at] == ".":
                # At the start of the block, "^" (the block's start) is matched through the
                # whitespace just before it instead: the text is searched, not the block.
                low = end - 12 if end - 12 > b_start else max(0, b_start - 1)
                if _ABBREVIATION_BEFORE.search(text, low, end):
                    continue
            pieces.append((start, end))
            start = next_start
        pieces.append((start, b_end))
        merged: list[tuple[int, int]] = []
        for p_start, p_end in pieces:
            # a piece starting with a letter or digit has one: no search needed
            if merged and not (text[p_start].isalnum() or _ALNUM.search(text, p_start, p_end)):
                merged[-1] = (merged[-1][0], p_end)  # a lone "." or "”" joins the one before
            elif not text[p_start].isspace() or text[p_start:p_end].strip():
                merged.append((p_start, p_end))
        out.append(merged)
    return out


def _is_headline_like(line: str) -> bool:
    return len(line) <= 160 and not line.rstrip().endswith((".", "»", '"', "”", "…", ".."))


def classify_block(line: str, key: str | None = None) -> str | None:
    """The kind a whole line has on its own, or None for ordinary text.

    ``key`` is ``fold(line)`` when the caller has it already.
    """
    key = fold(line) if key is None else key
    return _classify(line, key, _ANYWHERE_WORDS)


def _classify(line: str, key: str, words: tuple[str, ...] | None) -> str | None:
    """classify_block, given the words of which a line must hold one to be searched for
    furniture (None: search every line)."""
    if _FURNITURE_AT_START.match(key):
        return "furniture"
    if words is None:
        if _FURNITURE_ANYWHERE.search(key):
            return "furniture"
    else:
        for word in words:
            if word in key:
                if _FURNITURE_ANYWHERE.search(key):
                    return "furniture"
                break
    if _DATELINE.match(key):  # every alternative is anchored at the start
        return "dateline"
    if (line.startswith("Par ") and len(line) < 60) or (
            _BYLINE.match(line) and sum(w.isupper() for w in line.split()) >= 1
            and len(line.split()) <= 4 and any(w.isupper() and len(w) > 2 for w in line.split())):
        return "byline"
    return None


def _block_kinds(lines: list[str], keys: list[str] | None = None) -> list[tuple[str, int]]:
    """(kind, story) of every line-block of a page; ``keys`` are their folded forms."""
    keys = [fold(line) for line in lines] if keys is None else keys
    words = _ANYWHERE_WORDS
    if words is not None:  # only the words found on the page are looked for in each line
        page = "\n".join(keys)
        words = tuple(word for word in words if word in page)
    own = [_classify(line, key, words) for line, key in zip(lines, keys, strict=True)]
    is_teaser_title = [bool(_TEASER.match(k)) for k in keys]
    is_marker = [bool(_LIST_MARKERS.match(k)) for k in keys]
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


# The generated __init__ of a frozen dataclass sets each field through object.__setattr__,
# about 2 µs a sentence and a tenth of segment's time; segment fills the slots through their
# descriptors instead: the same object (same class, every field set) for half the cost.
_SETTERS = tuple(getattr(Sentence, field.name).__set__ for field in fields(Sentence))
assert [field.name for field in fields(Sentence)] == [
    "id", "doc", "index", "start", "end", "text", "kind", "paragraph", "story"]


def segment(doc_id: str, text: str) -> list[Sentence]:
    """Split a registered document into sentences with kinds, paragraphs and stories."""
    blocks = _blocks(text)
    kinds = _block_kinds([text[a:b] for a, b in blocks], _block_keys(text, blocks))
    set_id, set_doc, set_index, set_start, set_end, set_text, set_kind, set_paragraph, \
        set_story = _SETTERS
    new = object.__new__
    sentences: list[Sentence] = []
    index = 0
    for paragraph, (spans, (kind, story)) in enumerate(
            zip(_spans(text, blocks), kinds, strict=True), start=1):
        for start, end in spans:
            index += 1
            sentence = new(Sentence)
            set_id(sentence, f"{doc_id}#s{index}")
            set_doc(sentence, doc_id)
            set_index(sentence, index)
            set_start(sentence, start)
            set_end(sentence, end)
            set_text(sentence, text[start:end])
            set_kind(sentence, kind)
            set_paragraph(sentence, paragraph)
            set_story(sentence, story)
            sentences.append(sentence)
    return sentences


def sentence_map(sentences: list[Sentence]) -> dict[str, Sentence]:
    return {s.id: s for s in sentences}
