"""Place mentions: a locative cue, then a capitalised name the gazetteer knows.

The cue decides ACLED's geo precision:

* 1: "à X", "au village de X", "dans la localité de X", "le camp de X", "à l'entrée de X";
* 2: "près de X", "non loin de X", "dans la zone de X", "dans les environs de X",
  "à 20 km de X", "entre X et Y", "dans la commune de X", "dans le cercle de X";
* 3: "dans la région de X", "Région de X", "dans la province de X"; a gazetteer entry of
  kind *region* is precision 3 whatever its cue; "dans le nord du pays" (an area with no
  place: the coder picks the town) is precision 3 with no place.

Only names after a cue are taken: a bare "Bamako" is usually the government ("les efforts de
Bamako"), not a location. Names of countries give the country context but no place. Names
of the rules' ``abroad`` list are recorded as *foreign* so the assembler can drop events that
happened outside the codebook's countries.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from sahelevents.codebook import Codebook
from sahelevents.extract.numbers import fold_text
from sahelevents.gazetteer import Gazetteer, Place
from sahelevents.textnorm import fold

__all__ = ["PlaceMention", "country_cues", "find_places"]


@dataclass(frozen=True, slots=True)
class PlaceMention:
    """A place named after a cue; offsets (of the name) are into the sentence text."""

    start: int
    end: int
    text: str
    cue: str
    precision: int
    place: Place | None  # resolved in the codebook's countries
    country: str | None  # ISO3 of the place, or of a country named this way
    foreign: bool  # a place of the rules' abroad list


# Cues in folded form, matched case-insensitively on fold_text (same length as the text).
_BUILDINGS = (
    r"camp|base|poste|garnison|detachement|caserne|marche|foire|site\s+d'orpaillage|mosquee"
    r"|eglise|ecole|gouvernorat|prefecture|mairie|gendarmerie|commissariat|gare|aeroport"
    r"|hopital|universite|centre\s+de\s+sante|brigade")
_CUES: tuple[tuple[int, str], ...] = (
    (3, r"dans\s+la\s+(?:region|province|wilaya|prefecture)\s+d(?:e\s+|u\s+|')"),
    (3, r"(?:region|province|wilaya)\s+d(?:e\s+|u\s+|')"),
    (2, r"(?:pres|non\s+loin|aux\s+abords|aux\s+environs|aux\s+alentours|a\s+proximite"
        r"|en\s+peripherie)\s+d(?:e\s+(?:la\s+(?:ville|localite|commune)\s+d(?:e\s+|')|la\s+)?"
        r"|u\s+|')"),
    (2, r"dans\s+(?:la\s+zone|les\s+environs|les\s+alentours|la\s+peripherie|le\s+secteur"
        r"|la\s+commune(?:\s+rurale)?|le\s+cercle|le\s+departement|la\s+moughataa"
        r"|les\s+localites?)\s+d(?:e\s+|u\s+|es\s+|')"),
    (2, r"(?:a|au)\s+(?:une\s+|quelques\s+|une\s+(?:dizaine|vingtaine|trentaine|cinquantaine"
        r"|centaine)\s+de\s+|\d+\s*)?(?:km|kilometres?)\s+(?:au\s+(?:nord|sud|est|ouest)"
        r"(?:-(?:est|ouest))?\s+)?d(?:e\s+|u\s+|')"),
    (2, r"sur\s+(?:l'axe|la\s+route|le\s+troncon|la\s+voie)\s+(?:de\s+|d'|du\s+|reliant\s+)?"),
    (2, r"entre\s+"),
    (1, r"(?:au|du|dans\s+le|le)\s+(?:village|hameau|quartier)\s+d(?:e\s+|')"),
    (1, r"(?:dans\s+)?(?:la\s+)?(?:localite|ville|commune|cite)\s+d(?:e\s+|')"),
    (1, rf"(?:{_BUILDINGS})(?:\s+(?:militaire|avance|de\s+(?:la\s+)?(?:gendarmerie|police|garde"
        r"|l'armee|securite|controle|betail)))?\s+d(?:e\s+|u\s+|')"),
    (1, r"a\s+(?:l'entree|la\s+sortie|l'est|l'ouest|l'interieur)\s+d(?:e\s+|u\s+|')"),
    (1, r"au-dessus\s+d(?:e\s+|u\s+|')"),
    (1, r"(?:repris|libere|attaque|investi|occupe|bombarde|frappe|reprise\s+de|liberation\s+de"
        r"|prise\s+de)\s+"),
    (1, r"(?:a|au|en|vers|depuis)\s+"),
)
_CUE_RE = re.compile(
    r"(?<![\w'])(?:" + "|".join(f"(?P<p{i}>{pattern})" for i, (_, pattern) in enumerate(_CUES))
    + r")",
    re.IGNORECASE)
# The cue's precision by the name of its group (the only groups of _CUE_RE).
_CUE_PRECISION = {f"p{index}": precision for index, (precision, _) in enumerate(_CUES)}
# fold_text lower-cases ASCII, and the patterns are written in lower case: on ASCII text
# ignoring case changes no match, and costs a third of the search.
_CUE_RE_ASCII = re.compile(_CUE_RE.pattern)
# A capitalised name of up to four words, with French particles inside ("Tin-Zaouatène",
# "Fada N'Gourma", "Boni", "Ansongo", "Dioura", "Niono", "In-Delimane").
_CAPITALISED = r"[A-ZÀ-Ý][\w'’-]*"
_PARTICLE = r"(?:de|du|des|el|ag|sur|la|le|n'|d')"
_NAME_RE = re.compile(
    rf"(?P<name>{_CAPITALISED}(?:[ -](?:{_PARTICLE}[ -]?)?{_CAPITALISED}){{0,3}})")
# A part of a country with no place named: ACLED's precision 3, the coder picks the town.
_AREA_RE = re.compile(
    r"(?<![\w'])dans\s+(?:le|l')\s*(?:extreme[- ])?(?P<side>(?:nord|sud)(?:-(?:est|ouest))?|est"
    r"|ouest|centre)\s+(?:du\s+pays|(?:du|de\s+la|de\s+l')\s*(?P<country>[A-Za-z' -]{3,30}?))"
    r"(?=[\s,.;:)]|$)", re.IGNORECASE)
_AREA_RE_ASCII = re.compile(_AREA_RE.pattern)
# "des frappes sur des groupes en préparation d'une attaque contre le convoi à Kolondiéba":
# the place is where a *planned* attack was aimed, so the event happened near it (2, not 1).
_PLANNED_TARGET = re.compile(
    r"(?:en\s+preparation\s+d'une?\s+(?:attaque|offensive|embuscade)|s'appret\w*\s+a\s+"
    r"(?:attaquer|frapper)|prepar\w*\s+une?\s+(?:attaque|embuscade)|en\s+route\s+(?:vers|pour)"
    r"|se\s+dirige\w*\s+vers|en\s+direction\s+d)[^.;]{0,100}$")
_COORDINATED = re.compile(r"^\s*(?:,\s*|et\s+(?:de\s+|d')?|ou\s+(?:de\s+|d')?)", re.IGNORECASE)


@lru_cache(maxsize=4)  # one codebook per run: built once, not per document
def country_cues(codebook: Codebook) -> dict[str, str]:
    """Folded country names and adjectives -> ISO3 (from the codebook's french_names)."""
    cues: dict[str, str] = {}
    for country in codebook.data.countries:
        for name in (country.name, *country.french_names):
            cues.setdefault(fold(name), country.iso3)
    return cues


def _clean_name(raw: str) -> str:
    return raw.rstrip("'’-").strip()


@lru_cache(maxsize=16)
def _folded_set(names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(fold(name) for name in names)


def find_places(text: str, gazetteer: Gazetteer, codebook: Codebook,
                context: Sequence[str] = (), foreign: Iterable[str] = (), *,
                countries: Mapping[str, str] | None = None) -> list[PlaceMention]:
    """Place mentions of one sentence, in order; ``context`` ranks countries (ISO3).

    ``countries`` is :func:`country_cues` of the codebook, computed once by callers that
    read many sentences.
    """
    same_length = fold_text(text)
    foreign_keys = _folded_set(tuple(foreign))
    if countries is None:
        countries = country_cues(codebook)
    mentions: list[PlaceMention] = []
    ascii_text = same_length.isascii()
    for cue in (_CUE_RE_ASCII if ascii_text else _CUE_RE).finditer(same_length):
        position = cue.end()
        name_match = _NAME_RE.match(text, position)
        if name_match is None:
            continue  # most cues ("à", "en", "au") are followed by no capitalised name
        precision = _CUE_PRECISION[cue.lastgroup or ""]
        if precision == 1 and _PLANNED_TARGET.search(same_length, max(0, cue.start() - 140),
                                                     cue.start()):
            precision = 2
        first = True
        while name_match is not None:
            mention = _resolve(text, name_match, cue.group(), precision, gazetteer, context,
                               foreign_keys, countries)
            if mention is not None:
                mentions.append(mention)
            elif first:
                break
            first = False
            # "dans la zone de Faya et de Soussan", "entre Boni et Hombori": the same cue
            # governs a coordinated second name.
            follow = _COORDINATED.match(text, name_match.end())
            if follow is None or follow.end() == name_match.end():
                break
            name_match = _NAME_RE.match(text, follow.end())
    for area in (_AREA_RE_ASCII if ascii_text else _AREA_RE).finditer(same_length):
        named = area.group("country")
        iso3 = countries.get(fold(named)) if named else None
        if named and iso3 is None:
            continue  # "dans le nord du Nigeria"-like names the codebook lacks, or no country
        mentions.append(PlaceMention(area.start(), area.end(), text[area.start():area.end()],
                                     "dans le", 3, None, iso3, False))
    return _dedupe(mentions)


def _resolve(text: str, found: re.Match[str], cue: str, precision: int, gazetteer: Gazetteer,
             context: Sequence[str], foreign: frozenset[str], countries: Mapping[str, str]
             ) -> PlaceMention | None:
    name = _clean_name(found.group("name"))
    # Try the longest reading first ("Région de Bougouni" as one entry, "Fada N'Gourma"),
    # then shorter ones ("Ménaka Lundi" -> "Ménaka", the axis "Gao-Ansongo" -> "Gao").
    words = name.split(" ")
    readings = [" ".join(words[:size]) for size in range(len(words), 0, -1)]
    if "-" in words[0]:
        readings.append(words[0].split("-")[0])
    for reading in readings:
        candidate = reading.rstrip(",.;:")
        start = found.start("name")
        end = start + len(candidate)
        key = fold(candidate)
        if key in countries:
            return PlaceMention(start, end, candidate, cue.strip(), precision, None,
                                countries[key], False)
        if key in foreign:
            return PlaceMention(start, end, candidate, cue.strip(), precision, None, None, True)
        if _is_region_cue(cue):
            region = gazetteer.lookup(f"Région de {candidate}", context)
            if region:
                place = gazetteer.with_admin(region[0])
                return PlaceMention(start, end, candidate, cue.strip(), 3, place,
                                    place.country, False)
        places = gazetteer.lookup(candidate, context)
        if places:
            place = gazetteer.with_admin(places[0])
            level = 3 if place.kind == "region" else precision
            return PlaceMention(start, end, candidate, cue.strip(), level, place, place.country,
                                False)
    return None


@lru_cache(maxsize=1024)  # a few cues ("à", "au", "dans la région de") over and over
def _is_region_cue(cue: str) -> bool:
    key = fold(cue)
    return any(word in key for word in ("region", "province", "wilaya"))


def _dedupe(mentions: list[PlaceMention]) -> list[PlaceMention]:
    seen: set[tuple[int, int]] = set()
    out: list[PlaceMention] = []
    for mention in sorted(mentions, key=lambda m: (m.start, m.precision)):
        if (mention.start, mention.end) in seen:
            continue
        seen.add((mention.start, mention.end))
        out.append(mention)
    return out
