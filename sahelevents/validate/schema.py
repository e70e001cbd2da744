"""Stage 2, schema: what the models alone cannot say about an annotation file.

Required fields, types, enumerations and unknown fields (with "did you mean") are checked by
the pydantic models when the file is loaded (:func:`sahelevents.annotations.load_annotation`).
This stage adds the rules that span several values: event ids unique within the file (S006)
and a reason for every rejection (S007). Both read the raw YAML, so they hold even for events
that failed their own validation.
"""

from __future__ import annotations

from collections.abc import Iterator

from sahelevents.annotations import LoadedAnnotation
from sahelevents.issues import Issue


def check_schema(annotation: LoadedAnnotation) -> Iterator[Issue]:
    loaded = annotation.loaded
    first_seen: dict[str, int] = {}
    for index, event in enumerate(annotation.raw_events):
        if not isinstance(event, dict):
            continue
        local_id = event.get("id")
        if isinstance(local_id, str):
            if local_id in first_seen:
                line = loaded.locate(("events", first_seen[local_id], "id"))[0]
                yield loaded.issue_at(
                    "S006", f"event id '{local_id}' is already used by the event at line "
                    f"{line}; give each event its own id", ("events", index, "id"))
            else:
                first_seen[local_id] = index
        if event.get("decision") == "rejected":
            reason = event.get("reason")
            if not (isinstance(reason, str) and reason.strip()):
                where: tuple[str | int, ...] = ("events", index)
                if "reason" in event:
                    where = (*where, "reason")
                yield loaded.issue_at(
                    "S007", "rejected without a reason: add `reason:` saying why this is not "
                    "an event to code (not political violence, no date or place, abroad ...)",
                    where)
