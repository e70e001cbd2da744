"""The JSON Schemas are generated from the models, committed, and agree with them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from sahelevents.schemas import SCHEMAS, build_schema, drifted
from sahelevents.workspace import Workspace


def _event_types(ws: Workspace) -> dict[str, list[str]]:
    return {t.name: [s.name for s in t.sub_event_types] for t in ws.codebook.event_types.values()}


def test_committed_schemas_match_the_models(ws: Workspace) -> None:
    assert drifted(ws.project.schema_dir, event_types=_event_types(ws)) == [], (
        "schema/ drifted from sahelevents/models.py: run `sahelevents schema --write`")


@pytest.mark.parametrize("name", list(SCHEMAS))
def test_schemas_are_valid_draft_2020_12_with_id_and_version(name: str, ws: Workspace) -> None:
    schema = build_schema(name, event_types=_event_types(ws))
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$id"].endswith(f"/{name}.schema.json")
    assert schema["x-sahelevents-schema-version"]


def _json_ready(data: Any) -> Any:
    # Dates in actors.yaml are YAML timestamps for PyYAML; JSON Schema sees them as strings.
    return json.loads(json.dumps(data, default=str))


@pytest.mark.parametrize(("schema_name", "relative"), [
    ("codebook", "codebook/codebook.yaml"), ("actors", "codebook/actors.yaml"),
    ("places", "codebook/places.yaml"), ("sources", "seeds/sources.yaml"),
])
def test_data_files_validate_against_their_schema(schema_name: str, relative: str, root: Path,
                                                  ws: Workspace) -> None:
    schema = build_schema(schema_name, event_types=_event_types(ws))
    data = _json_ready(yaml.safe_load((root / relative).read_text(encoding="utf-8")))
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(data), key=str)
    assert not errors, [e.message for e in errors[:5]]


def test_schema_and_models_reject_the_same_mistakes(ws: Workspace) -> None:
    from sahelevents.models import AnnotationFile

    schema = build_schema("annotation", event_types=_event_types(ws))
    validator = jsonschema.Draft202012Validator(schema)
    good = {"source": "doc1", "source_sha256": "0" * 64, "codebook_version": "1.0.0",
            "coders": ["ab"], "status": "draft",
            "events": [{"id": "e1", "decision": "accepted", "event_date": "2023-09-07",
                        "event_type": "Battles", "sub_event_type": "Armed clash",
                        "fatalities": 3, "evidence": [{"sentence": "doc1#s2", "quote": "x"}]}]}
    mutations = [
        ("unknown field", lambda d: d["events"][0].update(fatalites=3)),
        ("negative fatalities", lambda d: d["events"][0].update(fatalities=-1)),
        ("bad decision", lambda d: d["events"][0].update(decision="maybe")),
        ("bad sentence id", lambda d: d["events"][0]["evidence"][0].update(sentence="s2")),
        ("missing coders", lambda d: d.pop("coders")),
        ("bad date form", lambda d: d["events"][0].update(event_date="7 Sept 2023")),
        ("precision 4", lambda d: d["events"][0].update(time_precision=4)),
    ]
    assert not list(validator.iter_errors(good))
    AnnotationFile.model_validate(good)
    for label, mutate in mutations:
        bad = json.loads(json.dumps(good))
        mutate(bad)
        assert list(validator.iter_errors(bad)), label
        with pytest.raises(ValueError):
            AnnotationFile.model_validate(bad)


def test_rule_files_validate_against_the_rules_schema(root: Path, ws: Workspace) -> None:
    schema = build_schema("rules", event_types=_event_types(ws))
    validator = jsonschema.Draft202012Validator(schema)
    files = sorted((root / "codebook" / "rules").glob("*.yaml"))
    assert files
    for path in files:
        data = _json_ready(yaml.safe_load(path.read_text(encoding="utf-8")))
        errors = [e.message for e in validator.iter_errors(data)]
        assert not errors, (path.name, errors[:3])
