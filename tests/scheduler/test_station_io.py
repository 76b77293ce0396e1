"""Loading and saving station folders (shared/FORMAT.md).

Each bad-input test starts from one valid folder and breaks exactly one thing, then checks
that the issue names the right file, spreadsheet row (header = row 1) and column.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from pathlib import Path

import pytest

from scheduler.model import (
    Availability,
    DataIssue,
    DemandRow,
    Grid,
    Person,
    Pin,
    Rules,
    Shift,
    Station,
    StationDataError,
    Weights,
)
from scheduler.station_io import load_station, save_station

# A small valid station, one list of rows per file; data row i is spreadsheet row i + 2.
VALID = {
    "people": [
        {
            "person_id": "p1",
            "name": "张伟",
            "role": "police",
            "home_grid": "g1",
            "skills": "driver; first_aid;",
            "max_shifts_per_week": "",
            "phone": "13800000001",
        },
        {
            "person_id": "p2",
            "name": "李娜",
            "role": "auxiliary",
            "home_grid": "",
            "skills": "",
            "max_shifts_per_week": "4",
            "phone": "",
        },
        {
            "person_id": "v1",
            "name": "王芳",
            "role": "volunteer",
            "home_grid": "g2",
            "skills": "uyghur",
            "max_shifts_per_week": "",
            "phone": "",
        },
    ],
    "grids": [
        {"grid_id": "g1", "name": "三堡街夜市", "level": "1", "community": "三堡社区"},
        {"grid_id": "g2", "name": "解放路", "level": "2", "community": ""},
    ],
    "shifts": [
        {"shift_id": "day", "name": "白班", "start": "08:00", "end": "16:00", "night": ""},
        {"shift_id": "night", "name": "夜班", "start": "22:00", "end": "06:00", "night": ""},
    ],
    "demand": [
        {"grid_id": "g1", "day": "mon", "shift_id": "day", "role": "police", "min": "1", "max": "2", "skill": ""},
        {"grid_id": "g1", "day": "mon", "shift_id": "night", "role": "auxiliary", "min": "1", "max": "", "skill": ""},
        {"grid_id": "g2", "day": "2026-11-25", "shift_id": "day", "role": "", "min": "1", "max": "", "skill": "driver"},
    ],
    "availability": [
        {"person_id": "v1", "date": "2026-11-23", "shift_id": "", "status": "available"},
        {"person_id": "p1", "date": "2026-11-24", "shift_id": "night", "status": "unavailable"},
    ],
    "pins": [
        {"person_id": "p1", "date": "2026-11-23", "shift_id": "day", "grid_id": "g1"},
    ],
}


def write_csv(path: Path, rows: list[dict[str, str]], encoding: str = "utf-8") -> None:
    """Header from the first row's keys; every row must have the same keys."""
    columns = list(rows[0]) if rows else []
    lines = [",".join(columns)] + [",".join(row[c] for c in columns) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding=encoding)


def make_station(folder: Path, toml: str | None = None, **files: list[dict[str, str]] | None) -> Path:
    """Write VALID with some files replaced (a list of rows) or left out (None)."""
    folder.mkdir(parents=True, exist_ok=True)
    for stem, rows in {**VALID, **files}.items():
        if rows is not None:
            write_csv(folder / f"{stem}.csv", rows)
    if toml is not None:
        (folder / "station.toml").write_text(toml, encoding="utf-8")
    return folder


def changed(stem: str, index: int, **cells: str) -> list[dict[str, str]]:
    """VALID[stem] with cells of data row `index` (spreadsheet row index + 2) changed."""
    rows = copy.deepcopy(VALID[stem])
    rows[index].update(cells)
    return rows


def without_column(stem: str, column: str) -> list[dict[str, str]]:
    return [{k: v for k, v in row.items() if k != column} for row in VALID[stem]]


def issues_of(folder: Path) -> list[DataIssue]:
    with pytest.raises(StationDataError) as caught:
        load_station(folder)
    assert caught.value.issues, "StationDataError without issues"
    return caught.value.issues


def where(issues: list[DataIssue]) -> list[tuple[str, int | None, str | None]]:
    return [(i.file, i.row, i.column) for i in issues]


# --------------------------------------------------------------------------- valid input


def test_loads_every_field(tmp_path):
    st = load_station(make_station(tmp_path / "五里墩派出所"))

    assert st.name == "五里墩派出所"  # no station.toml: the folder name
    assert st.rules == Rules() and st.weights == Weights()
    p1, p2, v1 = st.people
    assert p1 == Person("p1", "张伟", "police", "g1", frozenset({"driver", "first_aid"}), None, "13800000001")
    assert (p2.home_grid, p2.skills, p2.max_shifts_per_week, p2.phone) == (None, frozenset(), 4, None)
    assert [p.row for p in st.people] == [2, 3, 4]
    assert st.grids[0] == Grid("g1", "三堡街夜市", 1, "三堡社区") and st.grids[1].community is None
    day, night = st.shifts
    assert (day.start, day.end, day.night) == (480, 960, False)
    assert (night.start, night.end, night.night) == (1320, 360, True)  # night defaults from the hours
    d1, d2, d3 = st.demand
    assert d1 == DemandRow("g1", "mon", "day", "police", 1, 2)
    assert d2.max == 1  # max defaults to min
    assert d3 == DemandRow("g2", dt.date(2026, 11, 25), "day", None, 1, 1, "driver")
    assert d3.row == 4
    assert st.availability == (
        Availability("v1", dt.date(2026, 11, 23), None, "available"),
        Availability("p1", dt.date(2026, 11, 24), "night", "unavailable"),
    )
    assert st.pins == (Pin("p1", dt.date(2026, 11, 23), "day", "g1"),)


def test_optional_files_may_be_absent(tmp_path):
    st = load_station(make_station(tmp_path, availability=None, pins=None))
    assert st.availability == () and st.pins == ()


def test_leading_bom_and_crlf_are_accepted(tmp_path):
    folder = make_station(tmp_path)
    text = (folder / "people.csv").read_text(encoding="utf-8").replace("\n", "\r\n")
    (folder / "people.csv").write_text(text, encoding="utf-8-sig", newline="")
    assert (folder / "people.csv").read_bytes().startswith(b"\xef\xbb\xbfperson_id")
    st = load_station(folder)
    assert st.people[0].person_id == "p1" and st.people[0].name == "张伟"


def test_whitespace_around_cells_and_headers_is_stripped(tmp_path):
    rows = [{f" {k} ": f"  {v} " for k, v in row.items()} for row in VALID["grids"]]
    st = load_station(make_station(tmp_path, grids=rows))
    assert st.grids[0] == Grid("g1", "三堡街夜市", 1, "三堡社区")


def test_blank_rows_are_skipped_without_shifting_row_numbers(tmp_path):
    folder = make_station(tmp_path)
    # Row 3 is an empty line, row 4 a row whose cells were cleared in Excel, row 5 is broken.
    (folder / "grids.csv").write_text("grid_id,name,level\ng1,a,1\n\n, ,\ng2,b,high\n", encoding="utf-8")
    assert where(issues_of(folder)) == [("grids.csv", 5, "level")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("true", True), ("TRUE", True), ("Yes", True), ("1", True), ("false", False), ("No", False), ("0", False)],
)
def test_night_flag_words(tmp_path, text, expected):
    # Write the flag opposite to the default (day shift: False, night shift: True) so it must be read.
    index = 0 if expected else 1
    st = load_station(make_station(tmp_path, shifts=changed("shifts", index, night=text)))
    assert st.shifts[index].night is expected


def test_weekday_is_case_insensitive_and_times_take_excel_forms(tmp_path):
    demand = changed("demand", 0, day="MON")
    shifts = changed("shifts", 0, start="8:00", end="24:00")
    st = load_station(make_station(tmp_path, demand=demand, shifts=shifts))
    assert st.demand[0].day == "mon"
    assert (st.shifts[0].start, st.shifts[0].end) == (480, 1440)


def test_toml_partial_tables_override_only_the_keys_given(tmp_path):
    toml = """
[rules]
min_rest_hours = 10.5
[rules.max_shifts_per_week]
police = 6
[weights]
uncovered = { "2" = 700 }
not_preferred = 3
"""
    st = load_station(make_station(tmp_path / "站", toml=toml))
    assert st.name == "站"  # no name key: the folder name
    assert st.rules == Rules(min_rest_hours=10.5, max_shifts_per_week={"police": 6, "auxiliary": 5, "volunteer": 2})
    assert st.weights == Weights(uncovered={1: 1000, 2: 700, 3: 300, 4: 100}, not_preferred=3)


# --------------------------------------------------------------------------- files and headers


@pytest.mark.parametrize("stem", ["people", "grids", "shifts", "demand"])
def test_missing_required_file(tmp_path, stem):
    issues = issues_of(make_station(tmp_path, **{stem: None}))
    # Exactly one issue: the other files' references to it are not reported as unknown too.
    assert where(issues) == [(f"{stem}.csv", None, None)]
    assert "missing" in issues[0].message


def test_missing_folder(tmp_path):
    assert where(issues_of(tmp_path / "nowhere")) == [(str(tmp_path / "nowhere"), None, None)]


def test_missing_required_column_is_reported_once(tmp_path):
    issues = issues_of(make_station(tmp_path, people=without_column("people", "role")))
    assert where(issues) == [("people.csv", 1, "role")]


def test_missing_optional_column_is_fine(tmp_path):
    st = load_station(make_station(tmp_path, shifts=without_column("shifts", "night")))
    assert [s.night for s in st.shifts] == [False, True]


def test_unknown_column_is_an_error_with_a_hint(tmp_path):
    rows = [{("skils" if k == "skills" else k): v for k, v in row.items()} for row in VALID["people"]]
    issues = issues_of(make_station(tmp_path, people=rows))
    assert where(issues) == [("people.csv", 1, "skils")]
    assert "did you mean 'skills'" in issues[0].message


def test_repeated_column_is_an_error(tmp_path):
    folder = make_station(tmp_path)
    (folder / "grids.csv").write_text("grid_id,name,level,name\ng1,a,1,b\ng2,c,2,d\n", encoding="utf-8")
    assert where(issues_of(folder)) == [("grids.csv", 1, "name")]


def test_unnamed_column_only_matters_when_it_holds_values(tmp_path):
    folder = make_station(tmp_path)
    (folder / "grids.csv").write_text("grid_id,name,level,,\ng1,a,1,,\ng2,c,2,,x\n", encoding="utf-8")
    issues = issues_of(folder)
    assert where(issues) == [("grids.csv", 1, None)]
    assert "column E" in issues[0].message


@pytest.mark.parametrize(
    ("content", "row", "words"),
    [
        ("grid_id,name,level\ng1,a,1\ng2,b,2,extra\n", 3, "4 cells"),
        ('grid_id,name,level\ng1,a,1\ng2,"b,2\n', 3, "never closed"),
        ("", None, "empty"),
    ],
)
def test_file_that_is_not_csv(tmp_path, content, row, words):
    folder = make_station(tmp_path)
    (folder / "grids.csv").write_text(content, encoding="utf-8")
    issues = issues_of(folder)
    assert where(issues) == [("grids.csv", row, None)]
    assert words in issues[0].message


def test_non_utf8_file_names_the_file(tmp_path):
    folder = make_station(tmp_path)
    text = (folder / "people.csv").read_text(encoding="utf-8")
    (folder / "people.csv").write_bytes(text.encode("gbk"))  # what Excel's plain "CSV" gives in China
    issues = issues_of(folder)
    assert where(issues) == [("people.csv", None, None)]
    assert "UTF-8" in issues[0].message


# --------------------------------------------------------------------------- cells


@pytest.mark.parametrize(
    ("stem", "column"),
    [
        ("people", "name"),
        ("people", "role"),
        ("grids", "level"),
        ("demand", "grid_id"),
        ("availability", "status"),
        ("pins", "grid_id"),
    ],
)
def test_empty_required_cell(tmp_path, stem, column):
    issues = issues_of(
        make_station(tmp_path, **{stem: changed(stem, 1 if len(VALID[stem]) > 1 else 0, **{column: ""})})
    )
    row = 3 if len(VALID[stem]) > 1 else 2
    assert where(issues) == [(f"{stem}.csv", row, column)]
    assert issues[0].message == "required value is empty"


@pytest.mark.parametrize(("stem", "column"), [("people", "person_id"), ("grids", "grid_id"), ("shifts", "shift_id")])
def test_duplicate_id(tmp_path, stem, column):
    rows = VALID[stem] + [dict(VALID[stem][0], name="又一个")]  # a new last row repeating the first id
    issues = issues_of(make_station(tmp_path, **{stem: rows}))
    assert where(issues) == [(f"{stem}.csv", len(rows) + 1, column)]
    assert "first on row 2" in issues[0].message


def test_duplicate_of_a_broken_row(tmp_path):
    # Row 2 becomes no Person, so only the loader (not the model) can see that row 3 repeats its id.
    people = changed("people", 0, max_shifts_per_week="x")
    people[1]["person_id"] = "p1"
    issues = issues_of(make_station(tmp_path, people=people))
    assert where(issues) == [("people.csv", 2, "max_shifts_per_week"), ("people.csv", 3, "person_id")]


@pytest.mark.parametrize(
    ("stem", "index", "column", "value"),
    [("people", 0, "role", "polise"), ("people", 2, "role", "Volunteer"), ("demand", 1, "role", "boss")],
)
def test_unknown_role(tmp_path, stem, index, column, value):
    issues = issues_of(make_station(tmp_path, **{stem: changed(stem, index, **{column: value})}))
    assert where(issues) == [(f"{stem}.csv", index + 2, column)]
    assert "unknown role" in issues[0].message


@pytest.mark.parametrize(
    ("column", "value"),
    [("start", "25:00"), ("start", "8h"), ("start", "24:00"), ("end", "12:60"), ("end", "24:30"), ("end", "")],
)
def test_bad_time(tmp_path, column, value):
    issues = issues_of(make_station(tmp_path, shifts=changed("shifts", 1, **{column: value})))
    assert where(issues) == [("shifts.csv", 3, column)]
    if value == "24:00":
        assert "only as an end" in issues[0].message


@pytest.mark.parametrize(
    ("stem", "index", "column", "value"),
    [
        ("demand", 0, "min", "two"),
        ("demand", 0, "min", "1.5"),
        ("demand", 0, "max", "2x"),
        ("demand", 0, "min", "-1"),
        ("demand", 0, "max", "-2"),
        ("people", 1, "max_shifts_per_week", "many"),
        ("people", 1, "max_shifts_per_week", "-1"),
    ],
)
def test_bad_count(tmp_path, stem, index, column, value):
    issues = issues_of(make_station(tmp_path, **{stem: changed(stem, index, **{column: value})}))
    assert where(issues) == [(f"{stem}.csv", index + 2, column)]


def test_min_above_max(tmp_path):
    issues = issues_of(make_station(tmp_path, demand=changed("demand", 0, min="3", max="2")))
    assert where(issues) == [("demand.csv", 2, "max")]
    assert "above" in issues[0].message


@pytest.mark.parametrize(
    ("stem", "index", "column", "value"),
    [
        ("people", 0, "home_grid", "g9"),
        ("demand", 0, "grid_id", "g9"),
        ("demand", 1, "shift_id", "evening"),
        ("availability", 0, "person_id", "v9"),
        ("availability", 1, "shift_id", "evening"),
        ("pins", 0, "person_id", "p9"),
        ("pins", 0, "shift_id", "evening"),
        ("pins", 0, "grid_id", "g9"),
    ],
)
def test_unknown_reference(tmp_path, stem, index, column, value):
    issues = issues_of(make_station(tmp_path, **{stem: changed(stem, index, **{column: value})}))
    assert where(issues) == [(f"{stem}.csv", index + 2, column)]
    assert value in issues[0].message


@pytest.mark.parametrize(
    ("stem", "column", "value"),
    [
        ("availability", "date", "2026-02-30"),
        ("availability", "date", "2026/11/25"),
        ("availability", "date", "20261125"),
        ("pins", "date", "2026-11-5"),
        ("demand", "day", "2026-13-01"),
    ],
)
def test_bad_date(tmp_path, stem, column, value):
    issues = issues_of(make_station(tmp_path, **{stem: changed(stem, 0, **{column: value})}))
    assert where(issues) == [(f"{stem}.csv", 2, column)]
    assert "YYYY-MM-DD" in issues[0].message


@pytest.mark.parametrize("value", ["monday", "周一", "m"])
def test_bad_weekday(tmp_path, value):
    issues = issues_of(make_station(tmp_path, demand=changed("demand", 1, day=value)))
    assert where(issues) == [("demand.csv", 3, "day")]


def test_bad_status(tmp_path):
    issues = issues_of(make_station(tmp_path, availability=changed("availability", 1, status="busy")))
    assert where(issues) == [("availability.csv", 3, "status")]


def test_bad_night_flag(tmp_path):
    issues = issues_of(make_station(tmp_path, shifts=changed("shifts", 1, night="maybe")))
    assert where(issues) == [("shifts.csv", 3, "night")]


@pytest.mark.parametrize("value", ["high", "1.5", "5", "0"])
def test_bad_level(tmp_path, value):
    issues = issues_of(make_station(tmp_path, grids=changed("grids", 1, level=value)))
    assert where(issues) == [("grids.csv", 3, "level")]


def test_many_issues_in_many_files_are_reported_at_once(tmp_path):
    people = changed("people", 0, role="boss")
    people[1]["name"] = ""
    people[2]["max_shifts_per_week"] = "x"
    demand = changed("demand", 0, min="", day="mon.")
    folder = make_station(tmp_path, toml="[rules]\nmax_consecutive_day = 5\n", people=people, demand=demand)
    assert where(issues_of(folder)) == [
        ("station.toml", None, "rules.max_consecutive_day"),
        ("people.csv", 2, "role"),
        ("people.csv", 3, "name"),
        ("people.csv", 4, "max_shifts_per_week"),
        ("demand.csv", 2, "day"),
        ("demand.csv", 2, "min"),
    ]


def test_broken_rows_do_not_cascade_into_unknown_references(tmp_path):
    grids = changed("grids", 0, level="high")  # g1 is named but becomes no Grid
    people = changed("people", 2, max_shifts_per_week="x")  # so does v1
    demand = changed("demand", 1, grid_id="g9")  # g9 really is unknown
    issues = issues_of(make_station(tmp_path, grids=grids, people=people, demand=demand))
    assert where(issues) == [
        ("people.csv", 4, "max_shifts_per_week"),
        ("grids.csv", 2, "level"),
        ("demand.csv", 3, "grid_id"),
    ]


def test_unreadable_id_column_does_not_cascade(tmp_path):
    issues = issues_of(make_station(tmp_path, people=without_column("people", "person_id")))
    assert where(issues) == [("people.csv", 1, "person_id")]


# --------------------------------------------------------------------------- station.toml


@pytest.mark.parametrize(
    ("toml", "column"),
    [
        ("[rules]\nmin_rest_hour = 8\n", "rules.min_rest_hour"),
        ('nmae = "x"\n', "nmae"),
        ("[rule]\nmin_rest_hours = 8\n", "rule"),
        ("[rules.max_shifts_per_week]\nsergeant = 3\n", "rules.max_shifts_per_week.sergeant"),
        ('[weights]\nuncovered = { "5" = 3 }\n', "weights.uncovered.5"),
        ("[weights]\nnight_sprad = 3\n", "weights.night_sprad"),
    ],
)
def test_unknown_toml_key(tmp_path, toml, column):
    issues = issues_of(make_station(tmp_path, toml=toml))
    assert where(issues) == [("station.toml", None, column)]
    assert "unknown key" in issues[0].message


@pytest.mark.parametrize(
    ("toml", "column"),
    [
        ('[rules]\nmin_rest_hours = "11"\n', "rules.min_rest_hours"),
        ("[rules]\nmax_consecutive_days = true\n", "rules.max_consecutive_days"),
        ("[rules]\nmax_consecutive_nights = 2.5\n", "rules.max_consecutive_nights"),
        ('[rules]\nescort_roles = "police"\n', "rules.escort_roles"),
        ('[rules.max_shifts_per_week]\npolice = "5"\n', "rules.max_shifts_per_week.police"),
        ('[weights]\nuncovered = { "1" = "high" }\n', "weights.uncovered.1"),
        ("[weights]\nuncovered = 5\n", "weights.uncovered"),
        ("[weights]\nnight_spread = 1.5\n", "weights.night_spread"),
        ("rules = 5\n", "rules"),
        ("name = 5\n", "name"),
    ],
)
def test_wrong_toml_value_type(tmp_path, toml, column):
    assert where(issues_of(make_station(tmp_path, toml=toml))) == [("station.toml", None, column)]


def test_toml_values_out_of_range(tmp_path):
    toml = '[rules]\nescort_roles = ["police", "boss"]\n[weights]\nnight_spread = -1\nuncovered = { "2" = -5 }\n'
    assert sorted(where(issues_of(make_station(tmp_path, toml=toml))), key=str) == [
        ("station.toml", None, "rules.escort_roles"),
        ("station.toml", None, "weights.night_spread"),
        ("station.toml", None, "weights.uncovered.2"),
    ]


def test_toml_syntax_error_names_the_line(tmp_path):
    issues = issues_of(make_station(tmp_path, toml='name = "站"\n[rules]\nmin_rest_hours = \n'))
    assert where(issues) == [("station.toml", 3, None)]
    assert "line 3" in str(issues[0])


# --------------------------------------------------------------------------- save_station


def sample_station() -> Station:
    return Station(
        name="五里墩派出所",
        people=(
            Person("p1", "张伟", "police", "g1", frozenset({"driver", "first_aid"}), None, "13800000001"),
            Person("p2", "李娜", "auxiliary", max_shifts_per_week=4),
            Person("v1", "王芳", "volunteer", "g2", frozenset({"uyghur"}), 1, "+86 139 0000 0000"),
            Person("v2", "=HYPERLINK(1)", "volunteer", phone="'=x"),  # formula-like text round-trips
        ),
        grids=(Grid("g1", "三堡街夜市", 1, "三堡社区"), Grid("g2", "解放路, 北段", 2)),
        shifts=(
            Shift("day", "白班", 8 * 60, 16 * 60, False),
            Shift("late", "晚班", 16 * 60, 24 * 60, True),  # night flag differs from the default
            Shift("night", "夜班", 22 * 60, 6 * 60, True),
        ),
        demand=(
            DemandRow("g1", "mon", "day", "police", 1, 2),
            DemandRow("g1", "sat", "night", "auxiliary", 1, 1),
            DemandRow("g2", dt.date(2026, 11, 25), "late", "volunteer", 0, 3),
            DemandRow("g2", dt.date(2026, 11, 25), "late", None, 1, 1, "driver"),
        ),
        availability=(
            Availability("v1", dt.date(2026, 11, 23), None, "preferred"),
            Availability("p1", dt.date(2026, 11, 24), "night", "unavailable"),
        ),
        pins=(Pin("p1", dt.date(2026, 11, 23), "day", "g1"),),
        rules=Rules(10.5, 5, 2, ("police",), {"police": 6, "auxiliary": 5, "volunteer": 3}),
        weights=Weights({1: 900, 2: 600, 3: 0, 4: 50}, 25, 0, 31, 2, 7),
    )


def test_round_trip(tmp_path):
    original = sample_station()
    save_station(original, tmp_path / "out")
    loaded = load_station(tmp_path / "out")
    assert loaded == original
    # Field by field too, so a failure shows which part differs.
    for name in ("people", "grids", "shifts", "demand", "availability", "pins", "rules", "weights"):
        assert getattr(loaded, name) == getattr(original, name), name


def test_saved_files_follow_the_format(tmp_path):
    save_station(sample_station(), tmp_path)
    raw = (tmp_path / "shifts.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfshift_id,name,start,end,night\r\n")  # BOM for Excel
    text = raw.decode("utf-8-sig")
    assert "late,晚班,16:00,24:00,true" in text and "night,夜班,22:00,06:00,true" in text
    assert "day,白班,08:00,16:00,false" in text
    people = (tmp_path / "people.csv").read_bytes().decode("utf-8-sig")
    assert people.startswith("person_id,name,role,home_grid,skills,max_shifts_per_week,phone\r\n")
    assert "p1,张伟,police,g1,driver;first_aid,,13800000001" in people
    assert "v2,'=HYPERLINK(1),volunteer" in people  # a spreadsheet must not run it
    demand = (tmp_path / "demand.csv").read_text(encoding="utf-8-sig")
    assert demand.splitlines()[0] == "grid_id,day,shift_id,role,min,max,skill"
    assert "g2,2026-11-25,late,,1,1,driver" in demand
    assert (tmp_path / "availability.csv").read_text(encoding="utf-8-sig").splitlines()[1:] == [
        "v1,2026-11-23,,preferred",
        "p1,2026-11-24,night,unavailable",
    ]
    toml = (tmp_path / "station.toml").read_text(encoding="utf-8")
    assert re.search(r'^uncovered = \{ "1" = 900, "2" = 600, "3" = 0, "4" = 50 \}$', toml, re.M)
    assert "[rules.max_shifts_per_week]\npolice = 6\n" in toml


def test_save_removes_stale_optional_files(tmp_path):
    folder = make_station(tmp_path)
    station = load_station(folder)
    bare = Station(station.name, station.people, station.grids, station.shifts, station.demand)
    save_station(bare, folder)
    assert not (folder / "availability.csv").exists() and not (folder / "pins.csv").exists()
    assert load_station(folder) == bare


def test_saved_name_with_quotes_survives(tmp_path):
    station = sample_station()
    odd = Station('站 "北" \\ 分\t所', station.people, station.grids, station.shifts, station.demand)
    save_station(odd, tmp_path)
    assert load_station(tmp_path).name == odd.name
