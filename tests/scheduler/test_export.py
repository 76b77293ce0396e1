"""Roster output (shared/FORMAT.md, "Roster output"): CSVs, the workbook, and reading roster.csv back."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pandas as pd
import pytest

from scheduler.export import (
    COVERAGE_COLUMNS,
    ROSTER_COLUMNS,
    SHEET_BY_GRID,
    SHEET_BY_PERSON,
    SHEET_COVERAGE,
    coverage_table,
    guard_cell,
    read_roster_csv,
    roster_table,
    write_coverage_csv,
    write_roster_csv,
    write_roster_xlsx,
)
from scheduler.model import Assignment, DemandRow, Grid, Person, Shift, Station, StationDataError

WEEK = dt.date(2026, 11, 23)  # a Monday
MON, TUE, WED = WEEK, WEEK + dt.timedelta(days=1), WEEK + dt.timedelta(days=2)
BOM = b"\xef\xbb\xbf"
HYPERLINK = '=HYPERLINK("http://x","y")'
MINUS = "-1+2 李"
AT = "@王"
DANGEROUS_NAMES = (HYPERLINK, MINUS, AT)
PHONES = ("13800000001", "13800000002", "13900000007")
MISSING_RGB = "FFC7CE"


def hm(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def make_station() -> Station:
    people = (
        Person("P01", "张三", "police", phone=PHONES[0]),
        Person("P06", AT, "police"),
        Person("P07", "赵六", "police", skills=frozenset({"@radio"}), phone=PHONES[2]),
        Person("P02", "李四", "auxiliary", skills=frozenset({"driver"}), phone=PHONES[1]),
        Person("-P05", MINUS, "auxiliary", skills=frozenset({"@radio"})),
        Person("P03", "王五", "volunteer", home_grid="G01"),
        Person("P04", HYPERLINK, "volunteer"),
    )
    grids = (Grid("G01", "三堡街夜市", 1), Grid("G02", "五里墩社区", 4))
    # Shift ids whose alphabetical order (evening, morning, night) differs from their start order.
    shifts = (
        Shift("night", "夜班", hm("22:00"), hm("06:00"), night=True),
        Shift("evening", "中班", hm("16:00"), hm("24:00"), night=False),
        Shift("morning", "早班", hm("08:00"), hm("16:00"), night=False),
    )
    demand = (
        DemandRow("G01", "mon", "night", "police", 1, 2),
        DemandRow("G01", "mon", "night", "auxiliary", 1, 1),
        DemandRow("G01", "mon", "night", None, 1, 1, skill="driver"),  # any role counts
        DemandRow("G01", "tue", "morning", "police", 1, 1),  # replaced on 2026-11-24 by the date rows
        DemandRow("G01", TUE, "morning", "police", 2, 2),
        DemandRow("G01", TUE, "morning", "volunteer", 1, 2),
        DemandRow("G02", "tue", "night", "police", 1, 1),
        DemandRow("G01", "wed", "morning", "police", 1, 1),
        DemandRow("G01", "wed", "evening", "auxiliary", 1, 1),
        DemandRow("G02", "wed", "evening", "police", 1, 1),
        DemandRow("G02", "wed", "evening", "auxiliary", 1, 1),
        DemandRow("G02", "wed", "evening", "police", 2, 2, skill="@radio"),  # only police count
        DemandRow("G01", dt.date(2026, 12, 1), "morning", "police", 5, 5),  # outside the horizon
    )
    return Station("五里墩派出所", people, grids, shifts, demand)


# The roster in the order roster.csv must list it: date, shift start, grid, role, person.
EXPECTED_ORDER = [
    Assignment(MON, "night", "G01", "P06"),  # police before auxiliary although P02 < P06
    Assignment(MON, "night", "G01", "P02"),
    Assignment(TUE, "morning", "G01", "P01"),
    Assignment(TUE, "morning", "G01", "P03"),
    Assignment(TUE, "morning", "G01", "P04"),
    Assignment(WED, "morning", "G01", "P01"),  # 08:00 before 16:00 although "evening" < "morning"
    Assignment(WED, "evening", "G01", "P02"),  # grid before role: G01's auxiliary before G02's police
    Assignment(WED, "evening", "G02", "P07"),
    Assignment(WED, "evening", "G02", "-P05"),
]

EXPECTED_COVERAGE = [
    # date, shift_id, grid_id, role, skill, required, assigned, missing
    ("2026-11-23", "night", "G01", "police", "", 1, 1, 0),
    ("2026-11-23", "night", "G01", "auxiliary", "", 1, 1, 0),
    ("2026-11-23", "night", "G01", "", "driver", 1, 1, 0),  # P02, an auxiliary, counts for any role
    ("2026-11-24", "morning", "G01", "police", "", 2, 1, 1),  # the date rows, not the tue row
    ("2026-11-24", "morning", "G01", "volunteer", "", 1, 2, 0),
    ("2026-11-24", "night", "G02", "police", "", 1, 0, 1),
    ("2026-11-25", "morning", "G01", "police", "", 1, 1, 0),
    ("2026-11-25", "evening", "G01", "auxiliary", "", 1, 1, 0),
    ("2026-11-25", "evening", "G02", "police", "", 1, 1, 0),
    ("2026-11-25", "evening", "G02", "police", "@radio", 2, 1, 1),  # -P05 has @radio but is no police
    ("2026-11-25", "evening", "G02", "auxiliary", "", 1, 1, 0),
]


@pytest.fixture
def station() -> Station:
    return make_station()


@pytest.fixture
def assignments() -> list[Assignment]:
    shuffled = EXPECTED_ORDER[::-1]
    return shuffled[4:] + shuffled[:4]


def key_of(a: Assignment) -> tuple:
    return (a.date.isoformat(), a.shift_id, a.grid_id, a.person_id)


def starts_like_formula(value) -> bool:
    return isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r")


# --- guard_cell --------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["=1+1", "+86 138", "-5", "@SUM(A1)", "\tx", "\rx", HYPERLINK])
def test_guard_cell_prefixes_formula_triggers(value):
    assert guard_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["张三", "a=b", " =1", "", "'quoted", 5, -3, 2.5, None])
def test_guard_cell_leaves_safe_text_and_numbers(value):
    assert guard_cell(value) == value


# --- roster ------------------------------------------------------------------------------------


def test_roster_table_columns_order_and_times(station, assignments):
    df = roster_table(station, assignments)
    assert list(df.columns) == list(ROSTER_COLUMNS)
    assert [key_of(a) for a in EXPECTED_ORDER] == list(
        df[["date", "shift_id", "grid_id", "person_id"]].itertuples(index=False, name=None)
    )
    assert df["weekday"].tolist() == ["mon", "mon", "tue", "tue", "tue", "wed", "wed", "wed", "wed"]
    first, evening = df.iloc[0], df.iloc[6]
    assert (first["start"], first["end"]) == ("22:00", "06:00")
    assert (evening["start"], evening["end"]) == ("16:00", "24:00")
    assert (first["name"], first["role"], first["grid_name"]) == (AT, "police", "三堡街夜市")
    assert df["role"].tolist()[:5] == ["police", "auxiliary", "police", "volunteer", "volunteer"]


def test_roster_table_empty_and_unknown_references(station):
    empty = roster_table(station, [])
    assert list(empty.columns) == list(ROSTER_COLUMNS) and len(empty) == 0
    with pytest.raises(ValueError, match="P99"):
        roster_table(station, [Assignment(MON, "night", "G01", "P99")])


def test_roster_csv_bom_guard_and_no_phone(tmp_path, station, assignments):
    path = tmp_path / "roster.csv"
    write_roster_csv(path, station, assignments)
    raw = path.read_bytes()
    assert raw.startswith(BOM) and not raw.startswith(BOM + BOM)
    text = raw.decode("utf-8-sig")
    assert "phone" not in text
    for phone in PHONES:
        assert phone not in text
    assert "张三" in text  # Chinese written as UTF-8, not escaped

    df = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(df.columns) == list(ROSTER_COLUMNS)
    names = dict(zip(df["person_id"], df["name"], strict=True))
    assert names["P04"] == "'" + HYPERLINK
    assert names["'-P05"] == "'" + MINUS  # a text id starting with "-" is guarded too
    assert names["P06"] == "'" + AT
    assert names["P01"] == "张三"
    assert not any(starts_like_formula(v) for v in df.to_numpy().ravel())

    expected = roster_table(station, assignments).map(guard_cell)
    pd.testing.assert_frame_equal(df, expected.astype(str), check_dtype=False)


def test_read_roster_csv_round_trip(tmp_path, station, assignments):
    path = tmp_path / "roster.csv"
    write_roster_csv(path, station, assignments)
    back = read_roster_csv(path)
    assert back == EXPECTED_ORDER
    assert sorted(back) == sorted(assignments)


# --- coverage ----------------------------------------------------------------------------------


def test_coverage_table_counts_and_order(station, assignments):
    df = coverage_table(station, WEEK, assignments)
    assert list(df.columns) == list(COVERAGE_COLUMNS)
    assert list(df.itertuples(index=False, name=None)) == EXPECTED_COVERAGE


def test_coverage_table_without_assignments_and_short_horizon(station):
    df = coverage_table(station, WEEK, [], days=2)
    assert df["date"].tolist() == ["2026-11-23"] * 3 + ["2026-11-24"] * 3
    assert df["assigned"].tolist() == [0] * 6
    assert df["missing"].tolist() == df["required"].tolist() == [1, 1, 1, 2, 1, 1]


def test_coverage_csv_numbers_and_guard(tmp_path, station, assignments):
    path = tmp_path / "coverage.csv"
    write_coverage_csv(path, station, WEEK, assignments)
    assert path.read_bytes().startswith(BOM)
    df = pd.read_csv(path, encoding="utf-8-sig", keep_default_na=False)
    assert list(df.columns) == list(COVERAGE_COLUMNS)
    for column in ("required", "assigned", "missing"):
        assert pd.api.types.is_integer_dtype(df[column]), column
    assert df["missing"].tolist() == [row[7] for row in EXPECTED_COVERAGE]
    assert df["skill"].tolist() == [("'" + row[4] if row[4].startswith("@") else row[4]) for row in EXPECTED_COVERAGE]
    assert df["role"].tolist() == [row[3] for row in EXPECTED_COVERAGE]
    assert "'@radio" in path.read_text(encoding="utf-8-sig")


# --- workbook ----------------------------------------------------------------------------------


@pytest.fixture
def workbook(tmp_path, station, assignments):
    path = tmp_path / "roster.xlsx"
    write_roster_xlsx(path, station, WEEK, assignments)
    return openpyxl.load_workbook(path)


def texts(ws) -> list[str]:
    return [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]


def is_missing_fill(cell) -> bool:
    return cell.fill.fill_type == "solid" and str(cell.fill.fgColor.rgb).endswith(MISSING_RGB)


def test_xlsx_sheets_layout(workbook):
    assert workbook.sheetnames == [SHEET_BY_GRID, SHEET_BY_PERSON, SHEET_COVERAGE]
    for ws, freeze in (
        (workbook[SHEET_BY_GRID], "D2"),
        (workbook[SHEET_BY_PERSON], "D2"),
        (workbook[SHEET_COVERAGE], "A2"),
    ):
        assert ws.freeze_panes == freeze, ws.title
        assert all(cell.font.b for cell in ws[1] if cell.value is not None), ws.title
        assert ws.column_dimensions["A"].width and ws.column_dimensions["A"].width > 8, ws.title
    grid = workbook[SHEET_BY_GRID]
    assert [c.value for c in grid[1][3:]] == [
        "2026-11-23\n周一",
        "2026-11-24\n周二",
        "2026-11-25\n周三",
        "2026-11-26\n周四",
        "2026-11-27\n周五",
        "2026-11-28\n周六",
        "2026-11-29\n周日",
    ]


def test_xlsx_by_grid_cells_and_uncovered_fill(workbook):
    ws = workbook[SHEET_BY_GRID]
    rows = {(r[1].value, r[2].value.split("\n")[0]): r for r in ws.iter_rows(min_row=2)}
    assert list(rows) == [("G01", "早班"), ("G01", "中班"), ("G01", "夜班"), ("G02", "中班"), ("G02", "夜班")]
    assert rows[("G01", "夜班")][0].value == "三堡街夜市"
    assert rows[("G01", "夜班")][2].value == "夜班\n22:00-06:00"

    mon_night = rows[("G01", "夜班")][3]
    assert mon_night.value == f"'{AT}(民警)\n李四(辅警)"
    assert mon_night.alignment.wrap_text
    assert not is_missing_fill(mon_night)

    tue_morning = rows[("G01", "早班")][4]
    assert tue_morning.value.split("\n")[:3] == ["张三(民警)", "王五(义警)", f"'{HYPERLINK}(义警)"]
    assert is_missing_fill(tue_morning)  # 2 police wanted by the date rows, 1 assigned

    assert is_missing_fill(rows[("G02", "夜班")][4])  # nobody on Tuesday night in G02
    assert rows[("G02", "夜班")][4].value.startswith("缺")
    wed_evening = rows[("G02", "中班")][5]
    assert wed_evening.value.split("\n")[:2] == ["赵六(民警)", f"'{MINUS}(辅警)"]
    assert is_missing_fill(wed_evening)  # the @radio skill row is short
    assert not is_missing_fill(rows[("G01", "中班")][5])
    assert not is_missing_fill(rows[("G01", "早班")][5])


def test_xlsx_by_person(workbook, station):
    ws = workbook[SHEET_BY_PERSON]
    body = {r[0].value: r for r in ws.iter_rows(min_row=2)}
    assert list(body) == ["P01", "P06", "P07", "'-P05", "P02", "P03", "P04"]
    assert len(body) == len(station.people)
    p01 = body["P01"]
    assert (p01[1].value, p01[2].value) == ("张三", "民警")
    assert [c.value for c in p01[3:]] == [None, "早班 三堡街夜市", "早班 三堡街夜市", None, None, None, None]
    assert body["P04"][1].value == "'" + HYPERLINK
    assert body["'-P05"][1].value == "'" + MINUS
    assert body["P06"][1].value == "'" + AT
    assert body["P02"][3].value == "夜班 三堡街夜市" and body["P02"][5].value == "中班 三堡街夜市"


def test_xlsx_coverage_sheet(workbook):
    ws = workbook[SHEET_COVERAGE]
    assert [c.value for c in ws[1]] == list(COVERAGE_COLUMNS)
    body = list(ws.iter_rows(min_row=2))
    got = [tuple("" if c.value is None else c.value for c in row) for row in body]
    expected = [
        row[:4] + (("'" + row[4]) if row[4].startswith("@") else row[4],) + row[5:] for row in EXPECTED_COVERAGE
    ]
    assert got == expected
    for row, exp in zip(body, EXPECTED_COVERAGE, strict=True):
        assert row[7].data_type == "n"
        assert all(is_missing_fill(c) for c in row) == (exp[7] > 0)
        assert any(is_missing_fill(c) for c in row) == (exp[7] > 0)


def test_xlsx_guard_no_formulas_no_phone(workbook):
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                assert not starts_like_formula(cell.value), (ws.title, cell.coordinate, cell.value)
        joined = "\n".join(texts(ws))
        assert "phone" not in joined.lower() and "电话" not in joined
        for phone in PHONES:
            assert phone not in joined, ws.title
    for title in (SHEET_BY_GRID, SHEET_BY_PERSON):
        joined = "\n".join(texts(workbook[title]))
        for name in DANGEROUS_NAMES:
            assert "'" + name in joined, (title, name)
            assert joined.count(name) == joined.count("'" + name), (title, name)
    assert "'@radio" in texts(workbook[SHEET_COVERAGE])


# --- reading roster.csv ------------------------------------------------------------------------


def test_read_roster_csv_tolerates_bom_guard_extra_columns_and_blank_rows(tmp_path):
    path = tmp_path / "edited.csv"
    path.write_bytes(
        BOM
        + "person_id,grid_id,shift_id,备注,date\r\n'-P05,G02,evening,加班,2026-11-25\r\n"
        "P01 , G01,morning,,2026-11-24\r\n,,,,\r\n".encode()
    )
    assert read_roster_csv(path) == [
        Assignment(WED, "evening", "G02", "-P05"),
        Assignment(TUE, "morning", "G01", "P01"),
    ]


def test_read_roster_csv_reports_every_bad_row(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text(
        "date,shift_id,grid_id,person_id,name\n"
        "2026-11-23,night,G01,P06,ok\n"
        "2026-13-01,night,G01,P02,bad month\n"
        ",morning,G01,P01,no date\n"
        "2026-11-24,morning,G01,,no person\n"
        "25.11.2026,morning,,P03\n",
        encoding="utf-8-sig",
    )
    with pytest.raises(StationDataError) as excinfo:
        read_roster_csv(path)
    issues = excinfo.value.issues
    assert [(i.file, i.row, i.column) for i in issues] == [
        ("roster.csv", 3, "date"),
        ("roster.csv", 4, "date"),
        ("roster.csv", 5, "person_id"),
        ("roster.csv", 6, "date"),
        ("roster.csv", 6, "grid_id"),
    ]
    assert "2026-13-01" in issues[0].message
    assert "roster.csv, row 3, column date" in str(excinfo.value)


def test_read_roster_csv_missing_column(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text("date,shift_id,person_id\n2026-11-23,night,P06\n", encoding="utf-8")
    with pytest.raises(StationDataError) as excinfo:
        read_roster_csv(path)
    assert [(i.row, i.column) for i in excinfo.value.issues] == [(1, "grid_id")]


def test_read_roster_csv_not_utf8(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes("date,shift_id,grid_id,person_id\n2026-11-23,night,G01,张三\n".encode("gbk"))
    with pytest.raises(StationDataError, match="UTF-8") as excinfo:
        read_roster_csv(path)
    assert excinfo.value.issues[0].file == "roster.csv"
