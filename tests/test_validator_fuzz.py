"""Hostile input never crashes the validator: whatever the bytes, the result is issues.

* Hypothesis builds annotation-shaped data with wrong keys, types and values;
* valid case files are mutated at random (bytes flipped, lines dropped, swapped, tabs and
  anchors inserted ...);
* a 50 MB file and an alias bomb are rejected with their code, without reading the one or
  expanding the other (memory is measured; timing belongs to the benchmarks).
"""

from __future__ import annotations

import random
import re
import shutil
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from validator_project import CASES_DIR, SEED, build_project

from sahelevents.issues import CATALOGUE, Report
from sahelevents.models import AnnotatedEvent, AnnotationFile
from sahelevents.project import Project
from sahelevents.validate import validate_paths
from sahelevents.workspace import Workspace

FUZZ_SETTINGS = settings(max_examples=90, deadline=None, derandomize=True,
                         suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def project_ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return Workspace(Project(build_project(tmp_path_factory.mktemp("fuzz"))))


def _validate_bytes(ws: Workspace, raw: bytes, name: str = f"{SEED}.yaml") -> Report:
    folder = ws.project.annotations_dir
    shutil.rmtree(folder)
    folder.mkdir()
    target = folder / name
    target.write_bytes(raw)
    report = validate_paths(ws, [target], cache=False)
    for found in report.issues:
        assert found.code in CATALOGUE
        assert found.line >= 0 and found.column >= 0
        assert found.message.strip()
    return report


# -- Generated data -------------------------------------------------------------------------

_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10, 10**6), st.floats(allow_nan=True),
    st.text(max_size=30),
    st.sampled_from(["2023-09-07", "2023-02-30", "0000-01-01", "NO", "yes", "12:30", "0012",
                     "Battles", "Armed clash", "Attack", "Gao", "Gao, Mali", "Gaoo", "FAMa",
                     "Military Forces of Mali (2021-)", "Civilians (Mali)", f"{SEED}#s5",
                     f"{SEED}#s999", f"{SEED}#e1", "other#e1", "accepted", "rejected",
                     "suggested", "manual", "1.0.0", "0.9.0", "99.0.0", SEED]))
_values = st.recursive(_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=12)
_event_keys = st.sampled_from([*AnnotatedEvent.model_fields, "fatalites", "country", "iso",
                               "latitude", "inter1", "quote"])
_header_keys = st.sampled_from([*AnnotationFile.model_fields, "coder", "region"])


@st.composite
def _events(draw: st.DrawFn) -> dict[str, Any]:
    event: dict[str, Any] = {"id": draw(st.sampled_from(["e1", "e2", "E 3", 3])),
                             "decision": draw(st.sampled_from(["accepted", "suggested",
                                                               "rejected", "maybe"]))}
    for key in draw(st.lists(_event_keys, max_size=10)):
        event[key] = draw(_values)
    return event


@st.composite
def _files(draw: st.DrawFn) -> Any:
    if draw(st.integers(0, 9)) == 0:
        return draw(_values)  # not even a mapping
    data: dict[str, Any] = {"source": draw(st.sampled_from([SEED, "changed_doc", "ghost_doc",
                                                            "unknown", 7])),
                            "source_sha256": draw(st.sampled_from(["0" * 64, "x"])),
                            "codebook_version": draw(st.sampled_from(["1.0.0", "0.9.0", "9.9.9",
                                                                      "v1"])),
                            "coders": ["ann"], "status": "coded"}
    for key in draw(st.lists(_header_keys, max_size=4)):
        data[key] = draw(_values)
    data["events"] = draw(st.lists(_events(), max_size=4))
    return data


@FUZZ_SETTINGS
@given(data=_files())
def test_generated_annotation_data_gives_issues_not_crashes(project_ws: Workspace,
                                                            data: Any) -> None:
    raw = yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode("utf-8")
    _validate_bytes(project_ws, raw)


# -- Mutated files --------------------------------------------------------------------------

_VALID_FILES = sorted(CASES_DIR.glob("valid_*.yaml"))
_INSERTS = [b"\t", b"&a ", b"*a", b"<<: *a\n", b"!!python/object ", b"\x00", b"\xff", b"'",
            b'"', b"[", b"{", b": ", b"- ", b"\n  ", b"#", b"%YAML 1.1\n---\n", b"\xef\xbb\xbf"]


def _mutate(raw: bytes, rng: random.Random) -> bytes:
    data = bytearray(raw)
    for _ in range(rng.randint(1, 4)):
        kind = rng.randrange(6)
        at = rng.randrange(len(data) + 1)
        if kind == 0 and data:
            data[min(at, len(data) - 1)] = rng.randrange(256)
        elif kind == 1:
            del data[at:at + rng.randint(1, 20)]
        elif kind == 2:
            data[at:at] = rng.choice(_INSERTS)
        else:
            lines = bytes(data).split(b"\n")
            i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
            if kind == 3:
                del lines[i]
            elif kind == 4:
                lines.insert(i, lines[j])
            else:
                lines[i], lines[j] = lines[j], lines[i]
            data = bytearray(b"\n".join(lines))
    return bytes(data)


@FUZZ_SETTINGS
@given(seed=st.integers(0, 2**32 - 1), index=st.integers(0, len(_VALID_FILES) - 1))
def test_mutated_valid_files_give_issues_not_crashes(project_ws: Workspace, seed: int,
                                                     index: int) -> None:
    raw = _VALID_FILES[index].read_bytes()
    _validate_bytes(project_ws, _mutate(raw, random.Random(seed)))


def test_the_mutation_corpus_is_not_empty() -> None:
    assert len(_VALID_FILES) >= 5


# -- Size and expansion limits ----------------------------------------------------------------


def _resident_peak_kb() -> int | None:
    """Peak resident memory of this process since the last reset (Linux), or None."""
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii")
    except OSError:
        return None
    match = re.search(r"VmHWM:\s+(\d+) kB", status)
    return int(match.group(1)) if match else None


def _reset_resident_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5", encoding="ascii")
    except OSError:
        return False
    return _resident_peak_kb() is not None


def _peak_memory(ws: Workspace, path: Path) -> tuple[Report, int]:
    """The report and how many bytes validating ``path`` added to the memory peak.

    On Linux the process's resident peak is reset and read back (cheap); elsewhere
    tracemalloc measures Python allocations (slow on an alias bomb, but portable).
    """
    if _reset_resident_peak():
        before = _resident_peak_kb() or 0
        report = validate_paths(ws, [path], cache=False)
        return report, ((_resident_peak_kb() or 0) - before) * 1024
    tracemalloc.start()
    try:
        report = validate_paths(ws, [path], cache=False)
        return report, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_50_mb_file_is_rejected_unread(project_ws: Workspace, tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as handle:
        handle.write(b"source: x\nnotes: '")
        handle.write(b"x" * (50 * 1024 * 1024))
        handle.write(b"'\n")
    _ = project_ws.codebook, project_ws.registry  # loaded outside the measurement
    report, peak = _peak_memory(project_ws, big)
    assert [i.code for i in report.issues] == ["Y006"]
    assert peak < 25 * 1024 * 1024, f"peak {peak:,} bytes: the file was read"


def test_an_alias_bomb_is_rejected_unexpanded(project_ws: Workspace, tmp_path: Path) -> None:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("\n".join(lines) + "\n", encoding="utf-8")  # 10**10 leaves if expanded
    _ = project_ws.codebook, project_ws.registry
    report, peak = _peak_memory(project_ws, bomb)
    assert [i.code for i in report.issues] == ["Y005"]
    assert peak < 256 * 1024 * 1024, f"peak {peak:,} bytes"


def test_deep_nesting_is_an_issue(project_ws: Workspace) -> None:
    report = _validate_bytes(project_ws, b"a: " + b"[" * 5000 + b"]" * 5000 + b"\n")
    assert not report.valid
    assert {i.code for i in report.issues} <= {"Y001", "Y005"}
