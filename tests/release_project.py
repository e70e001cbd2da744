"""A small temporary dataset project for the release tests.

``make_project(root)`` copies the repository's codebook, schemas and seeds, registers three
short French articles written for these tests, and writes primary annotation files:

* ``gao_attaque``: an attack on the Gao camp (7 September 2023) with a rule suggestion the
  coder corrected, and a rejected suggestion;
* ``gao_suite``: another outlet's report of the same attack (linked by ``same_as``, lower
  fatality figure), and an abduction near Djibo (Burkina Faso) whose notes are hostile to
  CSV and spreadsheets (quotes, commas, a newline, a leading ``=``);
* ``kidal_marche``: a peaceful protest in Kidal (one-sided event).

A coder's double-coding copy sits in ``annotations/coders/bob/`` and must never be
compiled. Nothing here depends on the network (the gazetteer's curated places suffice).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from sahelevents.project import Project
from sahelevents.sources import Registry
from sahelevents.workspace import Workspace
from sahelevents.yamlio import dump_yaml

REPO = Path(__file__).resolve().parents[1]

ARTICLES: dict[str, tuple[str, dict[str, str]]] = {
    "gao_attaque": (
        "Attaque contre le camp militaire de Gao\n\n"
        "Le camp militaire de Gao a été attaqué le jeudi 7 septembre 2023 par des hommes "
        "armés du JNIM, selon l’armée malienne.\n\n"
        "Les combats ont fait 15 morts parmi les soldats, a indiqué un communiqué.\n\n"
        "« Nous avons repoussé l’assaut », a déclaré un officier.\n",
        {"outlet": "Le Sahélien", "published": "2023-09-08", "source_scale": "National",
         "country": "MLI", "title": "Attaque contre le camp militaire de Gao"}),
    "gao_suite": (
        "Gao : le bilan de l'attaque revu\n\n"
        "L'attaque du 7 septembre 2023 contre le camp de Gao a fait au moins 12 morts, "
        "selon des sources locales.\n\n"
        "Par ailleurs, des hommes armés ont enlevé trois civils près de Djibo le 9 septembre "
        "2023, rapporte un élu local.\n",
        {"outlet": "Radio Kayira", "published": "2023-09-10", "source_scale": "Subnational",
         "country": "MLI", "url": "https://example.org/gao-suite"}),
    "kidal_marche": (
        "Marche pacifique à Kidal\n\n"
        "Des centaines de femmes ont marché à Kidal le 2 octobre 2023 pour réclamer la paix.\n",
        {"published": "2023-10-03", "country": "MLI"}),
}

HOSTILE_NOTES = ('=HYPERLINK("http://x") On 9 September 2023, armed men abducted three '
                 'civilians near Djibo; the "élu local", l\'adjoint, said so,\nin two lines.')


def _event(**fields: Any) -> dict[str, Any]:
    return {key: value for key, value in fields.items() if value is not None}


def annotation(doc: str, sha: str, events: list[dict[str, Any]], *,
               coders: tuple[str, ...] = ("amina",),
               new_actors: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"source": doc, "source_sha256": sha, "codebook_version": "1.0.0",
            "coders": list(coders), "status": "reviewed", "new_actors": new_actors or [],
            "events": events}


WOMEN = [{"name": "Women (Mali)", "inter": 7, "country": "MLI",
          "note": "Identity label of victims and protesters, as in ACLED."}]


def gao_events(*, fatalities: int = 15, notes: str | None = None) -> list[dict[str, Any]]:
    doc = "gao_attaque"
    return [
        _event(id="e1", decision="accepted",
               origin={"rules": ["battle-camp"], "key": "0123456789ab", "confidence": 0.8},
               event_date="2023-09-07", time_precision=1, event_type="Battles",
               sub_event_type="Armed clash",
               actor1="JNIM: Group for Support of Islam and Muslims",
               actor2="Military Forces of Mali (2021-)", location="Gao", geo_precision=1,
               fatalities=fatalities,
               notes=notes or "On 7 September 2023, JNIM militants attacked the military "
                              "camp of Gao (Gao, Gao). 15 soldiers were killed.",
               evidence=[
                   {"sentence": f"{doc}#s2", "quote": "a été attaqué le jeudi 7 septembre "
                                                     "2023 par des hommes armés du JNIM",
                    "fields": ["event_date", "actor1", "location"]},
                   {"sentence": f"{doc}#s3", "quote": "15  morts",  # spacing may differ
                    "fields": ["fatalities"]},
               ],
               suggested={
                   "event_date": {"value": "2023-09-07", "sentence": f"{doc}#s2",
                                  "rule": "date"},
                   "event_type": {"value": "Battles", "rule": "battle-camp"},
                   "fatalities": {"value": 10, "rule": "fatalities"},
                   "location": {"value": "Gao", "rule": "place"},
               }),
        _event(id="e2", decision="rejected", reason="A statement, not an event.",
               origin="manual"),
    ]


def make_project(root: Path, *, extra_suite_events: list[dict[str, Any]] | None = None,
                 ) -> Workspace:
    for name in ("codebook", "seeds", "schema"):
        shutil.copytree(REPO / name, root / name,
                        ignore=shutil.ignore_patterns("rules", "CODEBOOK.md", "CHANGELOG.md"))
    incoming = root / "incoming"
    incoming.mkdir()
    registry = Registry.load(root / "seeds" / "sources.yaml")
    shas = {}
    for doc, (text, meta) in ARTICLES.items():
        path = incoming / f"{doc}.txt"
        path.write_text(text, encoding="utf-8")
        shas[doc] = registry.add(path, doc_id=doc, published_precision="day", **meta).sha256
    shutil.rmtree(incoming)
    annotations = root / "annotations"
    annotations.mkdir()
    write_annotation(root, annotation("gao_attaque", shas["gao_attaque"], gao_events()))
    suite = [
        _event(id="e1", decision="accepted", event_date="2023-09-07", time_precision=1,
               event_type="Battles", sub_event_type="Armed clash",
               actor1="JNIM: Group for Support of Islam and Muslims",
               actor2="Military Forces of Mali (2021-)", location="Gao", geo_precision=1,
               fatalities=12, same_as=["gao_attaque#e1"],
               notes="On 7 September 2023, JNIM attacked the Gao camp; at least 12 killed.",
               evidence=[{"sentence": "gao_suite#s2", "fields": ["fatalities"]}]),
        _event(id="e2", decision="accepted", event_date="2023-09-09", time_precision=1,
               event_type="Violence against civilians",
               sub_event_type="Abduction/forced disappearance",
               actor1="Unidentified Armed Group (Burkina Faso)",
               actor2="Civilians (Burkina Faso)", location="Djibo", geo_precision=2,
               fatalities=0, civilian_targeting=True, notes=HOSTILE_NOTES,
               tags=["-local source", "+3 civilians"],
               evidence=[{"sentence": "gao_suite#s3",
                          "quote": "des hommes armés ont enlevé trois civils près de Djibo"}]),
        *(extra_suite_events or []),
    ]
    write_annotation(root, annotation("gao_suite", shas["gao_suite"], suite))
    kidal = [_event(id="e1", decision="accepted", event_date="2023-10-02", time_precision=1,
                    event_type="Protests", sub_event_type="Peaceful protest",
                    actor1="Protesters (Mali)", assoc_actor_1=["Women (Mali)"],
                    location="Kidal", geo_precision=1, fatalities=0,
                    tags=["crowd size=hundreds"],
                    notes="On 2 October 2023, hundreds of women marched in Kidal for peace.",
                    evidence=[{"sentence": "kidal_marche#s2"}])]
    write_annotation(root, annotation("kidal_marche", shas["kidal_marche"], kidal,
                                      new_actors=WOMEN))
    copy = annotation("kidal_marche", shas["kidal_marche"],
                      [{**kidal[0], "notes": "Bob's reading of the march."}],
                      coders=("bob",), new_actors=WOMEN)
    write_annotation(root, copy, coder="bob")
    return Workspace(Project(root), use_geonames=False)


def write_annotation(root: Path, data: dict[str, Any], *, coder: str | None = None) -> Path:
    folder = root / "annotations" / ("coders/" + coder if coder else "")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{data['source']}.yaml"
    path.write_text(dump_yaml(data), encoding="utf-8")
    return path
