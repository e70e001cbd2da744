"""acled-import: ACLED exports in their three layouts, row checks, and release CSVs.

The rows below are written for these tests in the exact shape of real exports (quoting,
numeric or text inter codes, date forms, the 2019-2022 columns, monadic rows); their
content is invented.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from release_project import make_project

from sahelevents.cli import cli
from sahelevents.codebook import Codebook
from sahelevents.issues import DataError
from sahelevents.models import ACLED_COLUMNS
from sahelevents.release import publish
from sahelevents.release.acled import import_acled, parse_date
from sahelevents.release.tables import csv_projection, frame_records

REPO = Path(__file__).resolve().parents[1]
CODEBOOK = Codebook.load(REPO / "codebook" / "codebook.yaml", REPO / "codebook" / "actors.yaml")

CURRENT_HEADER = ",".join(ACLED_COLUMNS)
CURRENT_NUMERIC = CURRENT_HEADER + "\n" + "\n".join([
    'MLI9001,"01 March 2023",2023,1,"Political violence",Battles,"Armed clash",'
    '"JNIM: Group for Support of Islam and Muslims",,2,"Military Forces of Mali (2021-)",,1,'
    '12,,466,"Western Africa",Mali,Gao,Gao,Gao,Gao,16.2717,-0.0447,1,"Studio Tamani",'
    'Subnational,"On 1 March 2023, JNIM militants attacked a FAMa post in Gao (Gao, Gao).",2,,'
    '1678117764',
    'MLI9002,"28 February 2023",2023,1,Demonstrations,Protests,"Peaceful protest",'
    '"Protesters (Mali)",,6,,,0,60,,466,"Western Africa",Mali,Gao,Gao,Gao,Gao,16.2717,'
    '-0.0447,1,"Undisclosed Source","Local partner-Other","On 28 February 2023, residents '
    'demonstrated in Gao (Gao, Gao).",0,"crowd size=no report",1678117764',
])
CURRENT_TEXT = CURRENT_HEADER + "\n" + (
    'MLI9003,2023-03-02,2023,2,"Political violence","Violence against civilians",Attack,'
    '"Islamic State (Sahel)",,"Rebel group","Civilians (Mali)","Women (Mali)",Civilians,'
    '"Rebel group-Civilians","Civilian targeting",466,"Western Africa",Mali,Menaka,Menaka,'
    'Menaka,Menaka,15.9182,2.4022,1,Twitter,"New media","On 2 March 2023, militants whipped '
    'two women in Menaka (Menaka, Menaka).",0,,1678117764\n')

OLD_HEADER = ("data_id,iso,event_id_cnty,event_id_no_cnty,event_date,year,time_precision,"
              "event_type,sub_event_type,actor1,assoc_actor_1,inter1,actor2,assoc_actor_2,"
              "inter2,interaction,region,country,admin1,admin2,admin3,location,latitude,"
              "longitude,geo_precision,source,source_scale,notes,fatalities,timestamp,iso3")
OLD_LAYOUT = OLD_HEADER + "\n" + (
    "8012999,854,BFO9001,9001,16-Feb-21,2021,1,Violence against civilians,"
    "Abduction/forced disappearance,Unidentified Armed Group (Burkina Faso),,3,"
    "Civilians (Burkina Faso),,7,37,Western Africa,Burkina Faso,Sahel,Seno,Dori,Dori,14.04,"
    "-0.03,2,UNHCR,Other,\"On 16 February 2021, gunmen abducted a nurse near Dori (Dori, "
    "Seno).\",0,1622068035,BFA\n")

MONADIC_HEADER = ("data_id,iso,event_id_cnty,event_id_no_cnty,event_date,year,time_precision,"
                  "event_type,sub_event_type,actor1,assoc_actor_1,inter1,interaction,region,"
                  "country,admin1,admin2,admin3,location,latitude,longitude,geo_precision,"
                  "source,source_scale,notes,fatalities,timestamp,iso3")
_MONADIC_TAIL = (',"Western Africa",Mali,Mopti,Bandiagara,Bandiagara,Bandiagara,14.3493,'
                 '-3.6102,2,"Le Pays Dogon",Subnational,"On 31 December 2020, militants '
                 'burned a market near Bandiagara (Bandiagara, Mopti).",1,1622068036,MLI')
MONADIC = MONADIC_HEADER + "\n" + "\n".join([
    '8013276,466,MLI9010,9010,"31 December 2020",2020,1,"Violence against civilians",Attack,'
    '"Katiba Macina","JNIM: Group for Support of Islam and Muslims",2,27' + _MONADIC_TAIL,
    '8013276,466,MLI9010,9010,"31 December 2020",2020,1,"Violence against civilians",Attack,'
    '"Civilians (Mali)","Traders (Mali)",7,27' + _MONADIC_TAIL,
    '8013277,466,MLI9011,9011,"31 December 2020",2020,1,Protests,"Peaceful protest",'
    '"Protesters (Mali)",,6,60' + _MONADIC_TAIL.replace(",1,1622068036", ",0,1622068036"),
]) + "\n"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_dates_in_every_export_form() -> None:
    assert parse_date("01 March 2023") == "2023-03-01"
    assert parse_date("1 March 2023") == "2023-03-01"
    assert parse_date("2023-03-01") == "2023-03-01"
    assert parse_date("16-Feb-21") == "2021-02-16"
    assert parse_date("5-Oct-97") == "1997-10-05"
    assert parse_date("31 February 2023") is None
    assert parse_date("March 2023") is None


def test_current_layout_with_numeric_codes(tmp_path: Path) -> None:
    result = import_acled(_write(tmp_path, "mali.csv", CURRENT_NUMERIC), CODEBOOK)
    assert (result.layout, result.inter_form, result.rows) == ("current", "numeric", 2)
    assert result.problems == []
    battle, protest = result.records
    assert battle["event_date"] == "2023-03-01"
    assert (battle["inter1"], battle["inter2"], battle["interaction"]) == (
        "Rebel group", "State forces", "State forces-Rebel group")
    assert (protest["actor2"], protest["inter2"], protest["interaction"]) == (
        "", "", "Protesters only")
    assert (battle["latitude"], battle["longitude"], battle["fatalities"]) == (
        16.2717, -0.0447, 2)
    assert list(battle) == [*ACLED_COLUMNS, "source_ids", "sentence_ids", "evidence_quotes"]


def test_current_layout_with_text_codes(tmp_path: Path) -> None:
    result = import_acled(_write(tmp_path, "text.csv", CURRENT_TEXT), CODEBOOK)
    assert (result.inter_form, result.problems) == ("text", [])
    assert result.records[0]["civilian_targeting"] == "Civilian targeting"
    assert result.records[0]["assoc_actor_2"] == "Women (Mali)"


def test_2019_2022_layout(tmp_path: Path) -> None:
    result = import_acled(_write(tmp_path, "bf.csv", OLD_LAYOUT), CODEBOOK)
    assert result.layout == "2019-2022"
    assert result.problems == []
    record = result.records[0]
    assert record["event_date"] == "2021-02-16"
    assert record["disorder_type"] == "Political violence"  # derived from the sub-event type
    assert record["interaction"] == "Political militia-Civilians"
    assert (record["civilian_targeting"], record["tags"]) == ("", "")


def test_monadic_rows_are_merged_back_into_dyadic_events(tmp_path: Path) -> None:
    result = import_acled(_write(tmp_path, "monadic.csv", MONADIC), CODEBOOK)
    assert result.layout == "2019-2022, monadic"
    assert result.problems == []
    assert [r["event_id_cnty"] for r in result.records] == ["MLI9010", "MLI9011"]
    attack, protest = result.records
    assert (attack["actor1"], attack["actor2"], attack["assoc_actor_2"], attack["inter2"]) == (
        "Katiba Macina", "Civilians (Mali)", "Traders (Mali)", "Civilians")
    assert attack["interaction"] == "Rebel group-Civilians"
    assert (protest["actor2"], protest["interaction"]) == ("", "Protesters only")


def test_rows_that_do_not_conform_are_reported_with_row_and_column(tmp_path: Path) -> None:
    rows = CURRENT_NUMERIC.split("\n")
    good = rows[1]
    bad = [
        good.replace('"Armed clash"', '"Peaceful protest"'),      # row 2: sub-type of Protests
        good.replace(",12,,466,", ",17,,466,"),                     # row 3: interaction
        good.replace(",Battles,", ",Battle,"),                      # row 4: unknown type
        good.replace(",2023,1,", ",2023,4,"),                       # row 5: time precision
        good.replace(',2,,1678117764', ',-2,,1678117764'),          # row 6: fatalities
        good.replace(",466,", ",854,"),                             # row 7: iso of Mali
        good.replace(",Mali,Gao,", ",Kenya,Gao,"),                  # row 8: country
        good.replace('"01 March 2023",2023', '"01 March 2023",2022'),  # row 9: year
        good,                                                       # row 10: fine
    ]
    path = _write(tmp_path, "bad.csv", "\n".join([rows[0], *bad]) + "\n")
    result = import_acled(path, CODEBOOK)
    assert {(p.row, p.column) for p in result.problems} == {
        (2, "sub_event_type"), (3, "interaction"), (4, "event_type"), (5, "time_precision"),
        (6, "fatalities"), (7, "iso"), (8, "country"), (9, "year")}
    assert result.bad_rows == [2, 3, 4, 5, 6, 7, 8, 9]
    assert len(result.records) == 1


def test_pre_2019_exports_without_sub_event_types_are_reported(tmp_path: Path) -> None:
    header = OLD_HEADER.replace("sub_event_type,", "")
    row = OLD_LAYOUT.split("\n")[1].replace("Abduction/forced disappearance,", "").replace(
        "Violence against civilians", "Violence against civilians")
    result = import_acled(_write(tmp_path, "old.csv", f"{header}\n{row}\n"), CODEBOOK)
    assert result.layout == "pre-2019 (no sub_event_type)"
    assert [(p.row, p.column) for p in result.problems] == [(2, "sub_event_type")]


def test_a_file_that_is_not_an_export_is_a_clean_error(tmp_path: Path) -> None:
    path = _write(tmp_path, "other.csv", "a,b\n1,2\n")
    with pytest.raises(DataError, match="not an ACLED export"):
        import_acled(path, CODEBOOK)
    latin = tmp_path / "latin.csv"
    latin.write_bytes(CURRENT_TEXT.replace("Menaka", "Ménaka").encode("latin-1"))
    with pytest.raises(DataError, match="not UTF-8"):
        import_acled(latin, CODEBOOK)


def test_a_release_csv_reads_back_without_loss(tmp_path: Path) -> None:
    ws = make_project(tmp_path)
    outcome = publish.build(ws, validate=False)
    assert outcome.release is not None and outcome.path is not None
    expected = [csv_projection(r) for r in frame_records(outcome.release.events)]
    result = import_acled(outcome.path / "events.csv", ws.codebook)
    assert result.layout == "sahelevents release"
    assert result.problems == []
    assert result.records == expected

    output = tmp_path / "records.jsonl"
    cli_result = CliRunner().invoke(cli, [
        "--root", str(tmp_path), "acled-import", str(outcome.path / "events.csv"),
        "--output", str(output)])
    assert cli_result.exit_code == 0, cli_result.output
    assert "sahelevents release layout, 3 rows -> 3 events; 0 rows do not conform" in \
        cli_result.output
    written = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert written == expected


def test_cli_reports_problems_and_exits_1(tmp_path: Path) -> None:
    make_project(tmp_path)
    bad = CURRENT_NUMERIC.replace(",Battles,", ",Battle,")
    path = _write(tmp_path, "bad.csv", bad)
    result = CliRunner().invoke(cli, ["--root", str(tmp_path), "acled-import", str(path)])
    assert result.exit_code == 1
    assert "row 2, event_type: 'Battle' is not an event type of the codebook" in result.output
    as_json = CliRunner().invoke(cli, ["--root", str(tmp_path), "acled-import", str(path),
                                       "--format", "json"])
    report = json.loads(as_json.output)
    assert report["rows_not_conforming"] == 1
    assert report["problems"][0]["column"] == "event_type"
