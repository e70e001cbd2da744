"""The event id ledger: ids follow their annotated events, are never reused, never collide."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from sahelevents.issues import DataError
from sahelevents.release.diff import compress_ids
from sahelevents.release.ids import EventGroup, Ledger


def group(prefix: str, *refs: str, day: str = "2023-01-01") -> EventGroup:
    return EventGroup(prefix, tuple(sorted(refs)), day)


def table(ledger: Ledger) -> list[tuple[str, str, str, str]]:
    return [tuple(row) for row in ledger.frame.iter_rows()]  # type: ignore[misc]


def test_first_release_numbers_by_date_then_ref_per_prefix() -> None:
    ids, ledger = Ledger().assign([
        group("MLI", "b#e1", day="2023-02-01"), group("BFO", "a#e1"),
        group("MLI", "a#e2", day="2023-01-05"), group("MLI", "a#e1", day="2023-01-05")],
        "0.1.0")
    assert ids == ["MLI3", "BFO1", "MLI2", "MLI1"]
    assert table(ledger) == [("BFO1", "a#e1", "active", "0.1.0"),
                             ("MLI1", "a#e1", "active", "0.1.0"),
                             ("MLI2", "a#e2", "active", "0.1.0"),
                             ("MLI3", "b#e1", "active", "0.1.0")]


def test_ids_survive_reordering_and_removed_ids_are_never_reused() -> None:
    _, first = Ledger().assign([group("MLI", "a#e1"), group("MLI", "a#e2")], "0.1.0")
    # a#e1 disappears; a#e2 stays; a new event arrives earlier in time than a#e2.
    ids, second = first.assign([group("MLI", "c#e1", day="2020-01-01"), group("MLI", "a#e2")],
                               "0.2.0")
    assert ids == ["MLI3", "MLI2"]
    assert ("MLI1", "a#e1", "retired", "0.2.0") in table(second)
    assert ("MLI2", "a#e2", "active", "0.1.0") in table(second)  # status since 0.1.0
    # Even the same ref coming back gets a new number: MLI1 stays retired.
    ids, third = second.assign([group("MLI", "a#e1"), group("MLI", "a#e2"),
                                group("MLI", "c#e1")], "0.3.0")
    assert ids == ["MLI4", "MLI2", "MLI3"]
    assert ("MLI1", "a#e1", "retired", "0.2.0") in table(third)


def test_linking_keeps_the_lowest_id_and_retires_the_other() -> None:
    _, first = Ledger().assign([group("MLI", "a#e1"), group("MLI", "b#e1")], "0.1.0")
    ids, second = first.assign([group("MLI", "a#e1", "b#e1")], "0.2.0")
    assert ids == ["MLI1"]
    assert table(second) == [("MLI1", "a#e1", "active", "0.1.0"),
                             ("MLI1", "b#e1", "active", "0.2.0"),
                             ("MLI2", "b#e1", "retired", "0.2.0")]


def test_a_split_event_keeps_its_id_on_the_part_with_its_first_ref() -> None:
    _, first = Ledger().assign([group("MLI", "a#e1", "b#e1")], "0.1.0")
    ids, _ = first.assign([group("MLI", "b#e1"), group("MLI", "a#e1")], "0.2.0")
    assert ids == ["MLI2", "MLI1"]


def test_a_country_change_gives_a_new_prefix() -> None:
    _, first = Ledger().assign([group("MLI", "a#e1")], "0.1.0")
    ids, second = first.assign([group("BFO", "a#e1")], "0.2.0")
    assert ids == ["BFO1"]
    assert ("MLI1", "a#e1", "retired", "0.2.0") in table(second)


def test_the_ledger_round_trips_and_rejects_damage(tmp_path: Path) -> None:
    _, ledger = Ledger().assign([group("MLI", "a#e1"), group("NIG", "b#e7")], "0.1.0")
    path = tmp_path / "event-ids.csv"
    ledger.write(path)
    assert path.read_text(encoding="utf-8") == (
        "event_id,ref,status,release\nMLI1,a#e1,active,0.1.0\nNIG1,b#e7,active,0.1.0\n")
    assert table(Ledger.read(path)) == table(ledger)
    for damaged, message in [
            ("MLI1,a#e1,active,0.1.0\nMLI0,b#e7,active,0.1.0", "row 3: event_id 'MLI0'"),
            ("MLI1,a#E1,active,0.1.0", "row 2: ref 'a#E1'"),
            ("MLI1,a#e1,gone,0.1.0", "row 2: status 'gone'"),
            ("MLI1,a#e1,active,1.0", "row 2: release '1.0'"),
            ("MLI1,a#e1,active,0.1.0\nMLI1,a#e1,retired,0.2.0", "row 3: the pair MLI1/a#e1")]:
        path.write_text(f"event_id,ref,status,release\n{damaged}\n", encoding="utf-8")
        with pytest.raises(DataError, match=message):
            Ledger.read(path)
    path.write_text("id,ref\n", encoding="utf-8")
    with pytest.raises(DataError, match="expected the columns"):
        Ledger.read(path)


def test_ten_thousand_numbers_sort_numerically() -> None:
    groups = [group("MLI", f"d{i:05d}#e1") for i in range(10_000)]
    ids, ledger = Ledger().assign(groups, "0.1.0")
    assert ids[:3] == ["MLI1", "MLI2", "MLI3"] and ids[-1] == "MLI10000"
    assert ledger.frame["event_id"].to_list()[8:11] == ["MLI9", "MLI10", "MLI11"]
    assert isinstance(ledger.frame, pl.DataFrame)
    assert compress_ids(["MLI3", "MLI1", "MLI2", "BFO4", "MLI7", "MLI8"]) == [
        "BFO4", "MLI1-MLI3", "MLI7-MLI8"]
