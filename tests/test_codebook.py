"""The codebook: ACLED's exact taxonomy, inter codes, countries, actors and places."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from sahelevents.render import render_codebook
from sahelevents.workspace import Workspace

# ACLED's 6 types and 25 sub-types, in hierarchy order (shared/reference/acled_ucdp.md 1.1).
ACLED_TAXONOMY = {
    "Battles": ["Government regains territory", "Non-state actor overtakes territory",
                "Armed clash"],
    "Protests": ["Excessive force against protesters", "Protest with intervention",
                 "Peaceful protest"],
    "Riots": ["Violent demonstration", "Mob violence"],
    "Explosions/Remote violence": ["Chemical weapon", "Air/drone strike", "Suicide bomb",
                                   "Shelling/artillery/missile attack",
                                   "Remote explosive/landmine/IED", "Grenade"],
    "Violence against civilians": ["Sexual violence", "Attack",
                                   "Abduction/forced disappearance"],
    "Strategic developments": ["Agreement", "Arrests", "Change to group/activity",
                               "Disrupted weapons use", "Headquarters or base established",
                               "Looting/property destruction", "Non-violent transfer of territory",
                               "Other"],
}


def test_taxonomy_is_acleds_exactly_in_hierarchy_order(ws: Workspace) -> None:
    cb = ws.codebook
    assert cb.version == "1.0.0"
    got = {t.name: [s.name for s in t.sub_event_types] for t in cb.event_types.values()}
    assert list(got) == list(ACLED_TAXONOMY)
    assert got == ACLED_TAXONOMY
    ranks = [cb.hierarchy_rank(s) for subs in ACLED_TAXONOMY.values() for s in subs]
    assert ranks == sorted(ranks) and len(set(ranks)) == 25


def test_disorder_types(ws: Workspace) -> None:
    cb = ws.codebook
    assert cb.disorder_type("Excessive force against protesters") == \
        "Political violence; Demonstrations"
    assert cb.disorder_type("Peaceful protest") == "Demonstrations"
    assert cb.disorder_type("Mob violence") == "Political violence"
    assert cb.disorder_type("Arrests") == "Strategic developments"


def test_inter_codes_and_interaction(ws: Workspace) -> None:
    cb = ws.codebook
    assert cb.inter_labels == {1: "State forces", 2: "Rebel group", 3: "Political militia",
                               4: "Identity militia", 5: "Rioters", 6: "Protesters",
                               7: "Civilians", 8: "External/Other forces"}
    assert cb.interaction(2, 1) == (12, "State forces-Rebel group")
    assert cb.interaction(8, 7) == (78, "Civilians-External/Other forces")
    assert cb.interaction(2, None) == (20, "Rebel group only")


def test_vague_quantities(ws: Workspace) -> None:
    table = ws.codebook.vague_quantities
    expected = {"une dizaine": 10, "une vingtaine": 20, "une centaine": 100,
                "des dizaines": 12, "plusieurs dizaines": 12, "des centaines": 100,
                "plusieurs": 3, "quelques": 3}
    assert {k: table[k] for k in expected} == expected


def test_countries_in_scope(ws: Workspace) -> None:
    countries = ws.codebook.countries
    core = {iso3 for iso3, c in countries.items() if c.scope == "core"}
    assert core == {"MLI", "BFA", "NER", "MRT", "TCD"}
    assert countries["MLI"].iso == 466 and countries["MLI"].event_id_prefix == "MLI"
    assert countries["BFA"].iso == 854 and countries["BFA"].event_id_prefix == "BFO"
    assert {"DZA", "GIN"} <= set(countries)


def test_at_least_40_actors_covering_the_core_countries(ws: Workspace) -> None:
    groups = ws.codebook.actors_data.actors
    assert len(groups) >= 40
    assert {"MLI", "BFA", "NER", "MRT", "TCD"} <= {g.country for g in groups}
    for group in groups:  # a group's periods never overlap
        periods = group.names
        for before, after in itertools.pairwise(periods):
            assert before.valid_to is not None and after.valid_from is not None
            assert before.valid_to < after.valid_from, group.id


@pytest.mark.parametrize(("alias", "day", "expected"), [
    ("FAMa", "2023-09-07", "Military Forces of Mali (2021-)"),
    ("FaMa", "2019-01-01", "Military Forces of Mali (2013-2020)"),
    ("armée malienne", "2021-01-10", "Military Forces of Mali (2020-2021)"),
    ("GSIM", "2023-09-07", "JNIM: Group for Support of Islam and Muslims"),
    ("JNIM", "2023-09-07", "JNIM: Group for Support of Islam and Muslims"),
    ("EIGS", "2023-01-01", "Islamic State (Sahel)"),
    ("Minusma", "2022-06-01",
     "MINUSMA: United Nations Multidimensional Integrated Stabilization Mission in Mali (2021-)"),
    ("casques bleus", "2022-06-01",
     "MINUSMA: United Nations Multidimensional Integrated Stabilization Mission in Mali (2021-)"),
    ("Wagner", "2023-01-01", "Wagner Group"),
    ("Barkhane", "2021-01-01", "Military Forces of France (2017-)"),
])
def test_seed_actor_names_resolve(ws: Workspace, alias: str, day: str, expected: str) -> None:
    entry = ws.codebook.resolve_actor(alias, dt.date.fromisoformat(day), "MLI")
    assert entry is not None and entry.name == expected


def test_generic_actors_follow_the_country_context(ws: Workspace) -> None:
    assert ws.codebook.resolve_actor("civils", None, "MLI").name == "Civilians (Mali)"
    assert ws.codebook.resolve_actor("civils", None, "BFA").name == "Civilians (Burkina Faso)"


@pytest.mark.parametrize(("name", "country", "admin1"), [
    ("Bamako", "MLI", "Bamako"), ("Kidal", "MLI", "Kidal"), ("Nouakchott", "MRT", None),
    ("Kolondiéba", "MLI", "Sikasso"), ("kolondieba", "MLI", "Sikasso"),
    ("Bougouni", "MLI", "Sikasso"), ("Gao", "MLI", "Gao"), ("GAO", "MLI", "Gao"),
])
def test_seed_places_resolve(ws: Workspace, name: str, country: str, admin1: str | None) -> None:
    place = ws.gazetteer.resolve(name, ["MLI"])
    assert place is not None and place.country == country
    assert place.latitude and place.longitude
    if admin1:
        assert place.admin1 == admin1
        assert place.admin2


def test_country_context_ranks_places(ws: Workspace) -> None:
    assert ws.gazetteer.resolve("Gao", ["MLI"]).country == "MLI"
    assert ws.gazetteer.resolve("Gao", ["BFA"]).country == "BFA"
    assert ws.gazetteer.resolve("Gao, Burkina Faso").country == "BFA"
    assert ws.gazetteer.is_ambiguous("Gao")


def test_admin_filled_for_a_geonames_point(ws: Workspace) -> None:
    places = [p for p in ws.gazetteer.lookup("Koutiala", ["MLI"]) if not p.curated]
    if places:  # GeoNames town: admin2 comes from the nearest curated place of its admin1
        filled = ws.gazetteer.with_admin(places[0])
        assert filled.admin1 == "Sikasso" and filled.admin2


def test_rendered_codebook_is_committed_and_current(ws: Workspace) -> None:
    committed = (ws.project.codebook_dir / "CODEBOOK.md").read_text(encoding="utf-8")
    assert committed == render_codebook(ws.codebook, ws.places), (
        "codebook/CODEBOOK.md drifted: run `sahelevents codebook render --write`")


def test_lazy_look_ups_give_what_the_full_index_gives(ws: Workspace) -> None:
    """Look-ups make GeoNames towns one by one; the result is the documented order over every
    place: curated first, then by population, then by id (here computed from scratch)."""
    from sahelevents.gazetteer import Gazetteer
    from sahelevents.textnorm import fold

    every = Gazetteer(ws.places, ws.codebook.data.countries).places
    assert sum(not p.curated for p in every) > 1000  # GeoNames towns are in
    expected: dict[str, list[str]] = {}
    for place in sorted(every, key=lambda p: (not p.curated, -p.population, p.id)):
        for key in dict.fromkeys(fold(n) for n in (place.name, *place.alternate_names)):
            if len(key) >= 2:
                expected.setdefault(key, []).append(place.id)
    lazy = Gazetteer(ws.places, ws.codebook.data.countries)
    for key, ids in expected.items():
        assert [p.id for p in lazy.lookup(key)] == ids, key
    assert {k: [p.id for p in v] for k, v in lazy.index.items()} == expected
    assert lazy.places == every
