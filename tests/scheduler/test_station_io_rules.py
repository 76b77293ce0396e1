"""Loading and saving the optional rules: station.toml [rules] keys, people.csv and demand.csv
columns and requests.csv (docs/horizon-and-rules.md). Bad values name file, row and column."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from scheduler.model import Request
from scheduler.station_io import load_station, save_station
from tests.scheduler.test_station_io import VALID, changed, issues_of, make_station, where

RULES_TOML = """
[rules]
min_consecutive_days = 2
min_consecutive_days_off = 2
max_weekends = 1
min_total_minutes = 480
max_total_minutes = 2400
forbidden_successions = [["night", "day"]]
max_shifts_per_type = { night = 2 }
[weights]
over_demand = 4
"""


def with_columns(stem: str, **by_column: list[str]) -> list[dict[str, str]]:
    """VALID[stem] with extra columns, one value per row ('' where the list is short)."""
    rows = copy.deepcopy(VALID[stem])
    for column, values in by_column.items():
        for i, row in enumerate(rows):
            row[column] = values[i] if i < len(values) else ""
    return rows


REQUESTS = [
    {"person_id": "p1", "date": "2026-11-24", "shift_id": "day", "request": "off", "weight": "3"},
    {"person_id": "p2", "date": "2026-11-25", "shift_id": "night", "request": "ON", "weight": ""},
]


def test_loads_every_optional_setting(tmp_path):
    people = with_columns("people", min_consecutive_days=["3"], max_consecutive_days=["", "4"],
                          min_consecutive_days_off=["", "", "1"], max_weekends=["0"], min_total_minutes=["", "960"],
                          max_total_minutes=["", "1920"], max_shifts_per_type=["night=1; day = 4", "", ""])
    demand = with_columns("demand", under_weight=["50"], over_weight=["", "7"])
    st = load_station(make_station(tmp_path / "s", RULES_TOML, people=people, demand=demand, requests=REQUESTS))
    r = st.rules
    assert (r.min_consecutive_days, r.min_consecutive_days_off, r.max_weekends) == (2, 2, 1)
    assert (r.min_total_minutes, r.max_total_minutes) == (480, 2400)
    assert r.forbidden_successions == (("night", "day"),) and r.max_shifts_per_type == {"night": 2}
    assert st.weights.over_demand == 4
    p1, p2, v1 = st.people
    assert (p1.min_consecutive_days, p1.max_weekends, p1.max_shifts_per_type) == (3, 0, (("day", 4), ("night", 1)))
    assert (p2.max_consecutive_days, p2.min_total_minutes, p2.max_total_minutes) == (4, 960, 1920)
    assert v1.min_consecutive_days_off == 1
    assert st.person_rule(p1, "min_consecutive_days") == 3 and st.person_rule(p2, "min_consecutive_days") == 2
    assert st.shift_type_caps(p1) == {"night": 1, "day": 4} and st.shift_type_caps(p2) == {"night": 2}
    assert [(d.under_weight, d.over_weight) for d in st.demand] == [(50, None), (None, 7), (None, None)]
    assert st.requests == (
        Request("p1", dt.date(2026, 11, 24), "day", "off", 3),
        Request("p2", dt.date(2026, 11, 25), "night", "on", 1),  # an empty weight is 1
    )


def test_round_trip_keeps_every_optional_setting(tmp_path):
    people = with_columns("people", min_consecutive_days=["3"], max_shifts_per_type=["night=1"])
    demand = with_columns("demand", over_weight=["", "7"])
    st = load_station(make_station(tmp_path / "a", RULES_TOML, people=people, demand=demand, requests=REQUESTS))
    save_station(st, tmp_path / "b")
    assert load_station(tmp_path / "b") == st


def test_save_leaves_unused_extension_columns_and_files_out(tmp_path):
    st = load_station(make_station(tmp_path / "a"))
    save_station(st, tmp_path / "b")
    header = (tmp_path / "b" / "people.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header == "person_id,name,role,home_grid,skills,max_shifts_per_week,phone"
    assert (tmp_path / "b" / "demand.csv").read_text(encoding="utf-8-sig").startswith(
        "grid_id,day,shift_id,role,min,max,skill\n")
    assert not (tmp_path / "b" / "requests.csv").exists()


@pytest.mark.parametrize(
    "column, value, words",
    [
        ("min_consecutive_days", "two", "not a whole number"),
        ("min_consecutive_days", "0", "at least 1"),
        ("max_weekends", "-1", "at least 0"),
        ("max_shifts_per_type", "night14", "SHIFT=NUMBER"),
        ("max_shifts_per_type", "dawn=2", "unknown shift 'dawn'"),
        ("max_shifts_per_type", "night=1;night=2", "given twice"),
        ("max_shifts_per_type", "night=-1", "must not be negative"),
    ],
)
def test_bad_person_rule_values(tmp_path, column, value, words):
    people = with_columns("people", **{column: ["", value]})
    issues = issues_of(make_station(tmp_path / "s", people=people))
    assert where(issues) == [("people.csv", 3, column)]
    assert words in issues[0].message


def test_min_total_above_max_total(tmp_path):
    people = with_columns("people", min_total_minutes=["900"], max_total_minutes=["600"])
    assert where(issues_of(make_station(tmp_path / "s", people=people))) == [("people.csv", 2, "min_total_minutes")]


@pytest.mark.parametrize("column, value", [("under_weight", "-5"), ("over_weight", "x")])
def test_bad_demand_weights(tmp_path, column, value):
    demand = with_columns("demand", **{column: ["", "", value]})
    assert where(issues_of(make_station(tmp_path / "s", demand=demand))) == [("demand.csv", 4, column)]


@pytest.mark.parametrize(
    "cells, column, words",
    [
        ({"person_id": "p9"}, "person_id", "unknown person"),
        ({"shift_id": "dawn"}, "shift_id", "unknown shift"),
        ({"request": "maybe"}, "request", "expected on or off"),
        ({"weight": "-2"}, "weight", "non-negative"),
        ({"weight": "1.5"}, "weight", "not a whole number"),
        ({"date": "24/11/2026"}, "date", "not a valid date"),
    ],
)
def test_bad_requests(tmp_path, cells, column, words):
    rows = copy.deepcopy(REQUESTS)
    rows[1].update(cells)
    issues = issues_of(make_station(tmp_path / "s", requests=rows))
    assert where(issues) == [("requests.csv", 3, column)]
    assert words in issues[0].message


def test_duplicate_request(tmp_path):
    rows = copy.deepcopy(REQUESTS) + [dict(REQUESTS[0])]
    assert where(issues_of(make_station(tmp_path / "s", requests=rows))) == [("requests.csv", 4, None)]


@pytest.mark.parametrize(
    "toml, key, words",
    [
        ("[rules]\nmin_consecutive_days = 0\n", "rules.min_consecutive_days", "at least 1"),
        ("[rules]\nmax_weekends = \"one\"\n", "rules.max_weekends", "whole number"),
        ("[rules]\nforbidden_successions = [\"night\", \"day\"]\n", "rules.forbidden_successions", "shift pairs"),
        ("[rules]\nforbidden_successions = [[\"night\", \"dawn\"]]\n", "rules.forbidden_successions", "unknown shift"),
        ("[rules]\nmax_shifts_per_type = { dawn = 1 }\n", "rules.max_shifts_per_type.dawn", "unknown shift"),
        ("[rules]\nmax_shifts_per_type = { night = true }\n", "rules.max_shifts_per_type.night", "whole number"),
        ("[rules]\nmin_total_minutes = 900\nmax_total_minutes = 600\n", "rules.min_total_minutes", "above"),
        ("[weights]\nover_demand = -1\n", "weights.over_demand", "non-negative"),
    ],
)
def test_bad_toml_settings(tmp_path, toml, key, words):
    issues = issues_of(make_station(tmp_path / "s", toml))
    assert where(issues) == [("station.toml", None, key)]
    assert words in issues[0].message


def test_a_request_unknown_only_because_its_person_row_is_broken_is_not_reported_twice(tmp_path):
    people = changed("people", 1, role="")
    rows = copy.deepcopy(REQUESTS)
    issues = issues_of(make_station(tmp_path / "s", people=people, requests=rows))
    assert where(issues) == [("people.csv", 3, "role")]
