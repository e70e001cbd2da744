"""The hostile-input YAML loader: every problem is an issue with a line, never an exception."""

from __future__ import annotations

import codecs
import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sahelevents.yamlio import atomic_write_text, dump_yaml, load_yaml


def codes(raw: bytes) -> list[tuple[int, str]]:
    return [(i.line, i.code) for i in load_yaml(raw, "f.yaml").issues]


def test_plain_scalars_follow_a_small_predictable_schema() -> None:
    loaded = load_yaml(b"a: NO\nb: yes\nc: 12:30\nd: 0012\ne: 2023-09-07\nf: 12\ng: 1.5\n"
                       b"h: true\ni: ~\nj: 1.0.0\nk: '0012'\n", "f.yaml")
    assert loaded.data == {"a": "NO", "b": "yes", "c": "12:30", "d": "0012", "e": "2023-09-07",
                           "f": 12, "g": 1.5, "h": True, "i": None, "j": "1.0.0", "k": "0012"}
    warned = {(i.line, i.code) for i in loaded.issues}
    assert warned == {(1, "Y004"), (2, "Y004"), (3, "Y004"), (4, "Y004")}


def test_duplicate_keys_are_errors_at_the_second_key() -> None:
    assert codes(b"a: 1\nb: 2\na: 3\n") == [(3, "Y002")]


def test_tabs_in_indentation() -> None:
    assert codes(b"a:\n\tb: 1\n") == [(2, "Y003")]


def test_syntax_error_has_a_line() -> None:
    assert codes(b"a: [1, 2\nb: 3\n")[0][1] == "Y001"


def test_alias_bomb_is_rejected_unexpanded() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 12):
        prev = f"*a{level - 1}"
        lines.append(f"a{level}: &a{level} [{', '.join([prev] * 9)}]")
    loaded = load_yaml("\n".join(lines).encode(), "bomb.yaml")
    assert loaded.data is None
    assert [i.code for i in loaded.issues] == ["Y005"]


def test_encoding_problems() -> None:
    assert codes(b"a: \xff\n") == [(1, "Y007")]
    assert codes(b"a: b\nc: \x00\n") == [(2, "Y009")]
    bom = load_yaml(codecs.BOM_UTF8 + b"a: 1\n", "f.yaml")
    assert bom.data == {"a": 1} and [i.code for i in bom.issues] == ["Y008"]


def test_size_limit_is_checked_before_parsing() -> None:
    raw = b"".join(b"k%d: 1\n" % i for i in range(10))
    assert codes(raw) == []
    assert [i.code for i in load_yaml(raw, "f", max_bytes=20).issues] == ["Y006"]


def test_explicit_tags_are_refused() -> None:
    assert codes(b"a: !!python/object:os.system x\n") == [(1, "Y010")]


def test_positions_are_recorded_by_path() -> None:
    loaded = load_yaml(b"events:\n  - id: e1\n    actor1: X\n", "f.yaml")
    assert loaded.locate(("events", 0, "actor1")) == (3, 13)
    assert loaded.locate(("events", 0, "actor1"), key=True) == (3, 5)
    assert loaded.locate(("events", 0, "missing")) == (2, 5)


_scalar = st.one_of(st.text(max_size=20), st.integers(-10**6, 10**6), st.booleans(),
                    st.none(), st.sampled_from(["NO", "yes", "on", "12:30", "0012",
                                                "2023-09-07", "1.0.0", "# not a comment"]))
_data = st.recursive(_scalar, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(min_size=1, max_size=8), inner,
                                                 max_size=4)), max_leaves=20)


@given(st.dictionaries(st.text(min_size=1, max_size=10), _data, min_size=1, max_size=5))
def test_dump_then_load_round_trips(data: dict[str, object]) -> None:
    text = dump_yaml(data)
    loaded = load_yaml(text.encode("utf-8"), "rt.yaml")
    assert loaded.data == data, text


@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_raise(raw: bytes) -> None:
    load_yaml(raw, "fuzz.yaml")


@pytest.mark.parametrize("raw", [b"", b"# only a comment\n", b"---\n"])
def test_empty_documents(raw: bytes) -> None:
    assert [i.code for i in load_yaml(raw, "f").issues] in (["Y012"], [])


def test_node_budget_grows_with_honest_file_size() -> None:
    # 250,001 plain items: over the fixed budget, but a file this size cannot be a bomb
    raw = b"items:\n" + b"- a\n" * 250_001
    loaded = load_yaml(raw, "big.yaml")
    assert loaded.issues == [] and len(loaded.data["items"]) == 250_001


@pytest.mark.parametrize(("raw", "expected"), [
    (b"a:\n  b: [1, {c: !!binary x}]\n", ("Y010", 2, 14, "a.b[1].c")),
    (b"a:\n  - x: 1\n    x: 2\n", ("Y002", 3, 5, "a[0].x")),
    (b"a:\n  - yes\n", ("Y004", 2, 5, "a[0]")),
    (b"a:\n  ? [1]\n  : 2\n", ("Y001", 2, 5, "a")),  # a complex key: at its mapping
    (b"a:\n  <<: {b: 1}\n", ("Y010", 2, 3, "a")),  # a merge key: at its mapping
    (b"x: &A [1]\ny:\n  z: *A\n  w: !!set {}\n", ("Y010", 4, 6, "y.w")),
])
def test_problems_found_while_converting_name_their_path(raw: bytes,
                                                         expected: tuple[str, int, int, str]
                                                         ) -> None:
    assert [(i.code, i.line, i.column, i.yaml_path)
            for i in load_yaml(raw, "f.yaml").issues] == [expected]


@pytest.mark.parametrize("durable", [True, False])
def test_a_failed_write_leaves_the_old_file_and_no_temporary_one(tmp_path: Path,
                                                                 durable: bool) -> None:
    target = tmp_path / "a.yaml"
    atomic_write_text(target, "old: 1\n", durable=durable)
    with pytest.raises(UnicodeEncodeError):  # a lone surrogate cannot be written as UTF-8
        atomic_write_text(target, "new: \ud800\n", durable=durable)
    assert target.read_text(encoding="utf-8") == "old: 1\n"
    assert [p.name for p in tmp_path.iterdir()] == ["a.yaml"]
    atomic_write_text(target, "new: 2\n", durable=durable)
    assert target.read_text(encoding="utf-8") == "new: 2\n"
    assert [p.name for p in tmp_path.iterdir()] == ["a.yaml"]


def test_a_write_that_fails_after_the_temporary_file_leaves_no_trace(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "a.yaml"
    atomic_write_text(target, "old: 1\n")

    def refuse(source: object, destination: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError, match="disk full"):
        atomic_write_text(target, "new: 2\n")
    assert target.read_text(encoding="utf-8") == "old: 1\n"
    assert [p.name for p in tmp_path.iterdir()] == ["a.yaml"]


def test_written_bytes_are_the_utf8_text_as_given_in_new_folders(tmp_path: Path) -> None:
    target = tmp_path / "new" / "folder" / "b.yaml"
    text = "é: «\u202f»\r\nfin\n" + "x" * 300_000  # line ends as given; a large write
    atomic_write_text(target, text, durable=False)
    assert target.read_bytes() == text.encode("utf-8")
