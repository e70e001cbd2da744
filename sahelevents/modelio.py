"""Validate loaded YAML against a pydantic model and turn errors into located issues."""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from sahelevents.issues import Issue
from sahelevents.yamlio import LoadedYaml, YamlPath

M = TypeVar("M", bound=BaseModel)


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside ``list[X]``, ``X | None``, ``Annotated[X, ...]``, ``dict``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _inner_model(typing.get_args(annotation)[0])
    if origin in (list, tuple, set, typing.Union, types.UnionType, dict):
        for arg in typing.get_args(annotation):
            found = _inner_model(arg)
            if found is not None:
                return found
    return None


def model_at(model: type[BaseModel], path: YamlPath) -> type[BaseModel] | None:
    """The model class that owns the mapping at ``path`` (ints index lists, skipped)."""
    current: type[BaseModel] | None = model
    for part in path:
        if current is None:
            return None
        if isinstance(part, int):
            continue
        info = current.model_fields.get(part)
        if info is None:
            return None
        current = _inner_model(info.annotation)
    return current


def did_you_mean(word: str, choices: list[str]) -> str | None:
    match = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return match[0] if match else None


def _describe(error: Any) -> tuple[str, str, bool]:
    """(issue code, message, point-at-key) for one pydantic error."""
    kind = error["type"]
    loc = tuple(error["loc"])
    field = str(loc[-1]) if loc else "document"
    got = error.get("input")
    if kind == "missing":
        return "S001", f"required field '{field}' is missing", True
    if kind == "literal_error" or kind == "enum":
        expected = error.get("ctx", {}).get("expected", "")
        return "S004", f"{field}: {got!r} is not allowed; expected {expected}", False
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than",
                "too_short", "too_long"):
        return "S004", f"{field}: {error['msg'].lower()} (got {got!r})", False
    if kind == "string_pattern_mismatch":
        return "S005", f"{field}: {got!r} is not in the required form", False
    if kind in ("date_from_datetime_parsing", "date_parsing", "date_type"):
        return "S005", f"{field}: {got!r} is not a date written YYYY-MM-DD", False
    if kind in ("int_parsing", "int_from_float", "int_type"):
        hint = ""
        if isinstance(got, str) and got.strip().lstrip("0").isdigit():
            hint = f"; write {int(got)} without quotes or leading zeros"
        return "S003", f"{field}: expected a whole number, got {got!r}{hint}", False
    if kind == "bool_parsing" or kind == "bool_type":
        return "S003", f"{field}: expected true or false, got {got!r}", False
    if kind in ("string_type", "float_type", "float_parsing", "list_type", "dict_type",
                "model_type", "model_attributes_type"):
        expected = {"string_type": "text", "float_type": "a number", "float_parsing": "a number",
                    "list_type": "a list", "dict_type": "a mapping", "model_type": "a mapping",
                    "model_attributes_type": "a mapping"}[kind]
        return "S003", f"{field}: expected {expected}, got {type(got).__name__} {got!r}", False
    return "S003", f"{field}: {error['msg']}", False


def validate_model(loaded: LoadedYaml, model: type[M], *, doc: str | None = None
                   ) -> tuple[M | None, list[Issue]]:
    """Validate ``loaded.data``; every error is located at its YAML node."""
    try:
        return model.model_validate(loaded.data), []
    except ValidationError as exc:
        return None, errors_to_issues(loaded, model, exc, doc=doc)


def errors_to_issues(loaded: LoadedYaml, model: type[BaseModel], exc: ValidationError, *,
                     doc: str | None = None) -> list[Issue]:
    issues: list[Issue] = []
    seen: set[tuple[Any, ...]] = set()
    for error in exc.errors(include_url=False):
        loc = tuple(p for p in error["loc"] if not _is_union_tag(p))
        if error["type"] == "extra_forbidden":
            owner = model_at(model, loc[:-1])
            name = str(loc[-1])
            known = sorted(owner.model_fields) if owner is not None else []
            guess = did_you_mean(name, known)
            hint = f"; did you mean '{guess}'?" if guess else (
                f"; allowed: {', '.join(known)}" if known else "")
            issues.append(loaded.issue_at("S002", f"unknown field '{name}'{hint}", loc,
                                          key=True, doc=doc))
            continue
        # A union (origin: manual | {...}) reports one error per branch; keep the first.
        if loc in seen:
            continue
        seen.add(loc)
        code, message, key = _describe(error)
        if code == "S001":
            issues.append(loaded.issue_at(code, message, loc[:-1], doc=doc))
        else:
            issues.append(loaded.issue_at(code, message, loc, key=key, doc=doc))
    return issues


def _is_union_tag(part: Any) -> bool:
    # pydantic inserts the union member's name into loc, e.g. 'literal['manual']' or 'RuleOrigin'
    return isinstance(part, str) and (part.startswith("literal[") or (part[:1].isupper()
                                      and part.isidentifier() and part.endswith("Origin")))
