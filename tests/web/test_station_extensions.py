"""The portal keeps every optional field a station folder may hold (docs/horizon-and-rules.md): nothing lost.

Per-person rule overrides, demand weights, requests.csv and the optional [rules] keys go through the
database on import, come back on export, and can be edited on the planner's pages and in the service.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import re
import zipfile

import pytest
import sqlalchemy as sa

from scheduler import model as m
from scheduler.station_io import load_station, save_station
from web.extensions import db
from web.models import Person, Station, StationRequest
from web.services.station_edit import (
    COLUMNS,
    EDITABLE,
    SPECS,
    create_row,
    delete_row,
    list_rows,
    settings_of,
    update_row,
    update_settings,
)
from web.services.stations import (
    _dataclass_from_json,
    _dataclass_to_json,
    export_station_folder,
    import_station_folder,
    rules_from_json,
    rules_to_json,
    station_counts,
    station_to_engine,
    weights_from_json,
    weights_to_json,
)

from .test_station_edit import _refused, _station  # the same checks of a refused change

DAY = dt.date(2026, 11, 23)
RULES = m.Rules(min_rest_hours=10.5, max_consecutive_days=5, max_consecutive_nights=2, escort_roles=("police",),
                max_shifts_per_week={"police": 6, "auxiliary": 5, "volunteer": 3}, min_consecutive_days=2,
                min_consecutive_days_off=2, max_weekends=3, min_total_minutes=600, max_total_minutes=9000,
                max_shifts_per_type={"night": 8}, forbidden_successions=(("night", "day"),))
WEIGHTS = m.Weights(uncovered={1: 900, 2: 500, 3: 200, 4: 50}, night_spread=15, weekend_spread=5,
                    volunteer_idle=25, not_preferred=2, away_from_home=3, over_demand=7)


def full_station() -> m.Station:
    """A small station that uses every optional field of every file."""
    people = (
        m.Person("P1", "张伟", "police", "G1", frozenset({"driver"}), 5, "13800000001", min_consecutive_days=2,
                 max_consecutive_days=4, min_consecutive_days_off=1, max_weekends=2, min_total_minutes=480,
                 max_total_minutes=7200, max_shifts_per_type=(("day", 10), ("night", 4))),
        m.Person("A1", "李娜", "auxiliary", max_weekends=1),
        m.Person("V1", "赵敏", "volunteer"),
    )
    return m.Station(
        "扩展派出所", people,
        (m.Grid("G1", "火车站广场", 1, "五里墩社区"), m.Grid("G2", "幸福里", 4)),
        (m.Shift("day", "白班", 480, 960, False), m.Shift("night", "夜班", 1320, 360, True)),
        (m.DemandRow("G1", "mon", "day", "police", 1, 2, under_weight=800, over_weight=3),
         m.DemandRow("G2", DAY, "night", "auxiliary", 1, 1, over_weight=0),
         m.DemandRow("G1", "tue", "day", None, 1, 1, "driver")),
        (m.Availability("V1", DAY, "day", "preferred"),),
        (m.Pin("P1", DAY, "day", "G1"),),
        RULES, WEIGHTS,
        (m.Request("P1", DAY, "night", "off", 5), m.Request("A1", DAY + dt.timedelta(days=1), "day", "on", 1)),
    )


@pytest.fixture
def folder(tmp_path):
    path = tmp_path / "full"
    save_station(full_station(), path)
    return path


@pytest.fixture
def station_id(app, folder):
    with app.app_context():
        return import_station_folder(folder).id




def _exported(tmp_path) -> m.Station:
    out = tmp_path / f"export{len(list(tmp_path.iterdir()))}"
    export_station_folder(_station(), out)
    return load_station(out)


# --------------------------------------------------------------------------- import and export


def test_the_folder_really_uses_every_optional_field(folder):
    """Guards the round trip below: an optional field left at its default would prove nothing."""
    assert (folder / "requests.csv").is_file()
    people_header = (folder / "people.csv").read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    assert {"max_shifts_per_type", "min_total_minutes", "max_weekends"} <= set(people_header)
    assert "over_weight" in (folder / "demand.csv").read_text(encoding="utf-8-sig")
    station = load_station(folder)
    for name in ("people", "demand", "requests"):
        assert getattr(station, name)
    for settings, default in ((station.rules, m.Rules()), (station.weights, m.Weights())):
        for f in dataclasses.fields(settings):
            assert getattr(settings, f.name) != getattr(default, f.name), f.name
    person = station.person("P1")
    for f in dataclasses.fields(m.Person):
        if f.compare:
            assert getattr(person, f.name) not in (None, (), frozenset()), f.name


def test_import_then_export_gives_back_an_equal_station(app, folder, tmp_path):
    with app.app_context():
        row = import_station_folder(folder)
        assert station_counts(row)["requests"] == 2
        row_id = row.id
    with app.app_context():  # a fresh session: everything comes from the database
        row = db.session.get(Station, row_id)
        assert station_to_engine(row) == load_station(folder)
        out = tmp_path / "out"
        export_station_folder(row, out)
    assert load_station(out) == load_station(folder)


def test_the_new_columns_are_stored_in_their_own_columns(app, station_id):
    with app.app_context():
        person = db.session.scalar(sa.select(Person).where(Person.person_id == "P1"))
        assert (person.max_weekends, person.min_total_minutes, person.max_shifts_per_type) == (2, 480, "day=10;night=4")
        demand = _station().demand[0]
        assert (demand.under_weight, demand.over_weight) == (800, 3)
        requests = db.session.scalars(sa.select(StationRequest).order_by(StationRequest.id)).all()
        assert [(r.person_id, r.date, r.shift_id, r.request, r.weight) for r in requests] == [
            ("P1", DAY, "night", "off", 5), ("A1", DAY + dt.timedelta(days=1), "day", "on", 1)]
        rules = json.loads(_station().rules_json)
        assert rules["forbidden_successions"] == [["night", "day"]] and rules["max_weekends"] == 3


def test_deleting_a_station_deletes_its_requests(app, station_id):
    with app.app_context():
        db.session.delete(_station())
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(StationRequest)) == 0


# --------------------------------------------------------------------------- settings as JSON


def test_rules_and_weights_json_keep_every_field():
    assert rules_from_json(rules_to_json(RULES)) == RULES
    assert weights_from_json(weights_to_json(WEIGHTS)) == WEIGHTS
    stored = json.loads(rules_to_json(RULES))
    assert set(stored) == {f.name for f in dataclasses.fields(m.Rules)}  # generic: a new rule key is kept too


@dataclasses.dataclass(frozen=True)
class FutureRules(m.Rules):
    """Rules with keys the engine may add one day: the JSON must keep them without new code."""

    max_nights_per_month: int | None = None
    quiet_pairs: tuple[tuple[str, str], ...] = ()
    level_caps: dict[int, int] = dataclasses.field(default_factory=dict)


def test_a_future_rule_key_is_kept_by_the_generic_json():
    future = FutureRules(max_nights_per_month=6, quiet_pairs=(("night", "day"),), level_caps={1: 3})
    assert _dataclass_from_json(FutureRules, _dataclass_to_json(future)) == future


def test_every_column_of_every_station_file_has_a_database_column():
    """A column the loader reads but the database lacks would be dropped on import: none may be."""
    for table, spec in SPECS.items():
        assert COLUMNS[table] == spec.columns, table


def test_rules_json_stored_before_the_new_keys_reads_with_defaults():
    old = ('{"min_rest_hours": 12, "max_consecutive_days": 5, "max_consecutive_nights": 2, '
           '"escort_roles": ["police"], "max_shifts_per_week": {"police": 4, "auxiliary": 5, "volunteer": 2}}')
    rules = rules_from_json(old)
    assert rules == m.Rules(min_rest_hours=12, max_consecutive_days=5, max_consecutive_nights=2,
                            escort_roles=("police",), max_shifts_per_week={"police": 4, "auxiliary": 5, "volunteer": 2})
    old_weights = '{"uncovered": {"1": 1000, "2": 600, "3": 300, "4": 100}, "night_spread": 9}'
    assert weights_from_json(old_weights) == m.Weights(night_spread=9)  # over_demand: its default
    assert rules_from_json("{}") == m.Rules()


# --------------------------------------------------------------------------- people: per-person overrides

INT_OVERRIDES = {"min_consecutive_days": 1, "max_consecutive_days": 1, "min_consecutive_days_off": 1,
                 "max_weekends": 0, "min_total_minutes": 0, "max_total_minutes": 0}  # the smallest value allowed


def _row_id(table: str, **match) -> int:
    return next(r["id"] for r in list_rows(_station(), table) if all(r[k] == v for k, v in match.items()))


@pytest.mark.parametrize("column", INT_OVERRIDES)
def test_person_override_valid_stored_and_exported(app, station_id, tmp_path, column):
    with app.app_context():
        value = INT_OVERRIDES[column] + 3
        row = update_row(_station(), "people", _row_id("people", person_id="V1"), {column: str(value)})
        assert row[column] == value
        assert getattr(db.session.scalar(sa.select(Person).where(Person.person_id == "V1")), column) == value
        assert getattr(_exported(tmp_path).person("V1"), column) == value
        update_row(_station(), "people", _row_id("people", person_id="V1"), {column: ""})  # back to the station's
        assert getattr(_exported(tmp_path).person("V1"), column) is None


@pytest.mark.parametrize("column", INT_OVERRIDES)
@pytest.mark.parametrize("bad", ["two", "1.5", "below"])
def test_person_override_invalid_names_the_field(app, station_id, column, bad):
    text = str(INT_OVERRIDES[column] - 1) if bad == "below" else bad
    with app.app_context():
        errors = _refused(update_row, "people", _row_id("people", person_id="V1"), {column: text})
        assert list(errors) == [column]


def test_person_minutes_out_of_order_names_the_field(app, station_id):
    with app.app_context():
        errors = _refused(update_row, "people", _row_id("people", person_id="V1"),
                          {"min_total_minutes": "600", "max_total_minutes": "300"})
        assert errors == {"min_total_minutes": ["is above max_total_minutes"]}


def test_person_shift_type_caps_valid_stored_and_exported(app, station_id, tmp_path):
    with app.app_context():
        created = create_row(_station(), "people", {"person_id": "V2", "name": "钱多", "role": "volunteer",
                                                    "max_shifts_per_type": "night=2; day=6"})
        assert created["max_shifts_per_type"] == "day=6;night=2"  # as save_station writes it
        row = update_row(_station(), "people", created["id"], {"max_shifts_per_type": {"night": 1}})  # the API's form
        assert row["max_shifts_per_type"] == "night=1"
        assert _exported(tmp_path).person("V2").max_shifts_per_type == (("night", 1),)


@pytest.mark.parametrize(("text", "message"), [("night", "is not SHIFT=NUMBER"), ("dusk=3", "unknown shift 'dusk'"),
                                               ("night=-1", "must not be negative"), ("night=1;night=2", "twice")])
def test_person_shift_type_caps_invalid_names_the_field(app, station_id, text, message):
    with app.app_context():
        errors = _refused(update_row, "people", _row_id("people", person_id="V1"), {"max_shifts_per_type": text})
        assert list(errors) == ["max_shifts_per_type"] and message in errors["max_shifts_per_type"][0]


# --------------------------------------------------------------------------- demand: weights


@pytest.mark.parametrize("column", ["under_weight", "over_weight"])
def test_demand_weights_valid_stored_and_exported(app, station_id, tmp_path, column):
    with app.app_context():
        row = create_row(_station(), "demand", {"grid_id": "G2", "day": "wed", "shift_id": "day", "role": "police",
                                                "min": "1", "max": "2", column: "40"})
        assert row[column] == 40
        exported = next(d for d in _exported(tmp_path).demand if d.day == "wed")
        assert getattr(exported, column) == 40
        update_row(_station(), "demand", row["id"], {column: ""})
        assert getattr(next(d for d in _exported(tmp_path).demand if d.day == "wed"), column) is None


@pytest.mark.parametrize("column", ["under_weight", "over_weight"])
@pytest.mark.parametrize("text", ["-1", "much"])
def test_demand_weights_invalid_name_the_field(app, station_id, column, text):
    with app.app_context():
        errors = _refused(update_row, "demand", _row_id("demand", day="mon"), {column: text})
        assert list(errors) == [column]


# --------------------------------------------------------------------------- requests.csv


def test_requests_create_update_delete(app, station_id, tmp_path):
    assert "requests" in EDITABLE
    with app.app_context():
        row = create_row(_station(), "requests", {"person_id": "V1", "date": "2026-11-25", "shift_id": "night",
                                                  "request": "on", "weight": ""})
        assert row | {"id": 0} == {"id": 0, "person_id": "V1", "date": "2026-11-25", "shift_id": "night",
                                   "request": "on", "weight": 1}  # an empty weight is 1, as in the file
        row = update_row(_station(), "requests", row["id"], {"request": "off", "weight": "9"})
        assert (row["request"], row["weight"]) == ("off", 9)
        exported = _exported(tmp_path).requests
        assert m.Request("V1", dt.date(2026, 11, 25), "night", "off", 9) in exported and len(exported) == 3
        delete_row(_station(), "requests", row["id"])
        assert len(_exported(tmp_path).requests) == 2
        assert station_counts(_station())["requests"] == 2


@pytest.mark.parametrize(("change", "field"), [
    ({"request": "maybe"}, "request"), ({"weight": "-2"}, "weight"), ({"weight": "lots"}, "weight"),
    ({"date": "25.11.2026"}, "date"), ({"person_id": "X9"}, "person_id"), ({"shift_id": "dusk"}, "shift_id"),
    ({"person_id": ""}, "person_id"), ({"person_id": "A1", "date": "2026-11-24", "shift_id": "day"}, None),
])
def test_requests_invalid_name_the_field(app, station_id, change, field):
    with app.app_context():
        errors = _refused(update_row, "requests", _row_id("requests", person_id="P1"), change)
        assert list(errors) == [field]  # None: a duplicate of another row as a whole


def test_a_person_with_requests_cannot_be_deleted(app, station_id):
    with app.app_context():
        create_row(_station(), "people", {"person_id": "R1", "name": "许愿", "role": "volunteer"})
        create_row(_station(), "requests", {"person_id": "R1", "date": "2026-11-25", "shift_id": "day",
                                            "request": "off", "weight": "2"})
        errors = _refused(delete_row, "people", _row_id("people", person_id="R1"))
        assert "requests.csv (person_id)" in errors["person_id"][0]


# --------------------------------------------------------------------------- settings: the optional rules


def test_settings_hold_every_rule_and_weight(app, station_id):
    with app.app_context():
        settings = settings_of(_station())
        assert settings["rules"]["max_shifts_per_type"] == {"night": 8}
        assert settings["rules"]["forbidden_successions"] == [["night", "day"]]
        assert settings["weights"]["over_demand"] == 7


@pytest.mark.parametrize(("rules", "expected"), [
    ({"max_weekends": 1, "min_total_minutes": None}, {"max_weekends": 1, "min_total_minutes": None}),
    ({"min_consecutive_days": 3, "min_consecutive_days_off": 3}, {"min_consecutive_days": 3,
                                                                  "min_consecutive_days_off": 3}),
    ({"max_total_minutes": 6000}, {"max_total_minutes": 6000}),
    ({"max_shifts_per_type": {"day": 9}}, {"max_shifts_per_type": {"day": 9}}),
    ({"max_shifts_per_type": "day=9;night=2"}, {"max_shifts_per_type": {"day": 9, "night": 2}}),
    ({"forbidden_successions": [["day", "night"]]}, {"forbidden_successions": (("day", "night"),)}),
    ({"forbidden_successions": "night>day; day>night"}, {"forbidden_successions": (("night", "day"),
                                                                                   ("day", "night"))}),
    ({"forbidden_successions": ""}, {"forbidden_successions": ()}),
])
def test_settings_optional_rules_valid_stored_and_exported(app, station_id, tmp_path, rules, expected):
    with app.app_context():
        update_settings(_station(), {"rules": rules, "weights": {"over_demand": 2}})
        for stored in (rules_from_json(_station().rules_json), _exported(tmp_path).rules):
            assert {key: getattr(stored, key) for key in expected} == expected
        assert _exported(tmp_path).weights.over_demand == 2


@pytest.mark.parametrize(("change", "field"), [
    ({"rules": {"max_weekends": "two"}}, "rules.max_weekends"),
    ({"rules": {"min_consecutive_days": 0}}, "rules.min_consecutive_days"),
    ({"rules": {"min_consecutive_days_off": True}}, "rules.min_consecutive_days_off"),
    ({"rules": {"min_total_minutes": 900, "max_total_minutes": 600}}, "rules.min_total_minutes"),
    ({"rules": {"max_total_minutes": -5, "min_total_minutes": None}}, "rules.max_total_minutes"),
    ({"rules": {"max_shifts_per_type": {"dusk": 2}}}, "rules.max_shifts_per_type.dusk"),
    ({"rules": {"max_shifts_per_type": {"day": "x"}}}, "rules.max_shifts_per_type.day"),
    ({"rules": {"max_shifts_per_type": "day:3"}}, "rules.max_shifts_per_type"),
    ({"rules": {"forbidden_successions": "night"}}, "rules.forbidden_successions"),
    ({"rules": {"forbidden_successions": [["night", "dusk"]]}}, "rules.forbidden_successions"),
    ({"rules": {"forbidden_successions": [["night"]]}}, "rules.forbidden_successions"),
    ({"weights": {"over_demand": -1}}, "weights.over_demand"),
])
def test_settings_optional_rules_invalid_name_the_field(app, station_id, change, field):
    with app.app_context():
        assert list(_refused(update_settings, change)) == [field]


# --------------------------------------------------------------------------- the browser pages


def test_people_page_shows_and_edits_the_overrides(client, auth, app, station_id):
    auth.login("planner")
    page = client.get("/planner/stations/1/data").get_data(as_text=True)
    assert "day=10;night=4" in page and 'name="max_weekends"' in page and 'name="max_shifts_per_type"' in page
    with app.app_context():
        row_id = _row_id("people", person_id="A1")
    form = {"person_id": "A1", "name": "李娜", "role": "auxiliary", "max_weekends": "-1",
            "max_shifts_per_type": "night=3"}
    response = client.post(f"/planner/stations/1/data/people/{row_id}", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "must be at least 0" in page and 'value="night=3"' in page
    assert client.post(f"/planner/stations/1/data/people/{row_id}", data=form | {"max_weekends": "2"}).status_code == 302
    with app.app_context():
        person = station_to_engine(_station()).person("A1")
        assert (person.max_weekends, person.max_shifts_per_type) == (2, (("night", 3),))


def test_demand_page_has_the_weights(client, auth, app, station_id):
    auth.login("planner")
    page = client.get("/planner/stations/1/data/templates").get_data(as_text=True)
    assert 'name="under_weight"' in page and 'name="over_weight"' in page and ">800<" in page
    form = {"grid_id": "G2", "day": "sun", "shift_id": "day", "role": "police", "min": "1", "max": "1",
            "under_weight": "x", "over_weight": "4"}
    response = client.post("/planner/stations/1/data/templates/add", data=form)
    assert response.status_code == 400 and "&#39;x&#39; is not a whole number" in response.get_data(as_text=True)
    assert client.post("/planner/stations/1/data/templates/add", data=form | {"under_weight": "70"}).status_code == 302
    with app.app_context():
        row = next(d for d in station_to_engine(_station()).demand if d.day == "sun")
        assert (row.under_weight, row.over_weight) == (70, 4)


def test_requests_section_lists_adds_edits_and_deletes(client, auth, app, station_id):
    auth.login("planner")
    page = client.get("/planner/stations/1/data/requests").get_data(as_text=True)
    assert "/planner/stations/1/data/requests" in client.get("/planner/stations/1/data").get_data(as_text=True)
    assert "2026-11-23" in page and '<option value="off">' in page
    form = {"person_id": "V1", "date": "2026-11-26", "shift_id": "day", "request": "maybe", "weight": "3"}
    response = client.post("/planner/stations/1/data/requests/add", data=form)
    assert response.status_code == 400 and "unknown request &#39;maybe&#39;" in response.get_data(as_text=True)
    assert client.post("/planner/stations/1/data/requests/add", data=form | {"request": "on"}).status_code == 302
    with app.app_context():
        row_id = _row_id("requests", person_id="V1")
    response = client.post(f"/planner/stations/1/data/requests/{row_id}", data=form | {"request": "off"})
    assert response.status_code == 302
    with app.app_context():
        assert m.Request("V1", dt.date(2026, 11, 26), "day", "off", 3) in station_to_engine(_station()).requests
    assert "csrf_token" in client.get(f"/planner/stations/1/data/requests/{row_id}/delete").get_data(as_text=True)
    assert client.post(f"/planner/stations/1/data/requests/{row_id}/delete").status_code == 302
    with app.app_context():
        assert len(station_to_engine(_station()).requests) == 2


def _settings_form(**changes) -> dict:
    form = {"name": "扩展派出所", "rules.min_rest_hours": "10.5", "rules.max_consecutive_days": "5",
            "rules.max_consecutive_nights": "2", "rules.escort_roles": ["police"],
            **{f"rules.max_shifts_per_week.{role}": "5" for role in ("police", "auxiliary", "volunteer")},
            "rules.min_consecutive_days": "2", "rules.min_consecutive_days_off": "", "rules.max_weekends": "3",
            "rules.min_total_minutes": "", "rules.max_total_minutes": "9000",
            "rules.max_shifts_per_type": "night=8", "rules.forbidden_successions": "night>day",
            **{f"weights.{key}": "1" for key in ("night_spread", "weekend_spread", "volunteer_idle", "not_preferred",
                                                 "away_from_home", "over_demand")},
            **{f"weights.uncovered.{level}": "100" for level in "1234"}}
    return form | changes


def test_settings_page_shows_and_saves_the_optional_rules(client, auth, app, station_id, tmp_path):
    auth.login("planner")
    page = client.get("/planner/stations/1/settings").get_data(as_text=True)
    assert 'name="rules.max_weekends" value="3"' in page
    assert 'value="night=8"' in page and 'value="night&gt;day"' in page
    assert client.post("/planner/stations/1/settings", data=_settings_form()).status_code == 302
    with app.app_context():
        rules = _exported(tmp_path).rules
        assert (rules.min_consecutive_days_off, rules.min_total_minutes, rules.max_total_minutes) == (None, None, 9000)
        assert rules.forbidden_successions == (("night", "day"),) and rules.max_shifts_per_type == {"night": 8}


@pytest.mark.parametrize(("field", "text", "message"), [
    ("rules.max_weekends", "many", "expected a whole number"),
    ("rules.max_shifts_per_type", "dusk=2", "unknown shift &#39;dusk&#39;"),
    ("rules.max_shifts_per_type", "night", "is not SHIFT=NUMBER"),
    ("rules.forbidden_successions", "night-day", "不是“班次&gt;班次”格式"),
    ("weights.over_demand", "-3", "weights must be non-negative integers"),
])
def test_settings_page_shows_each_error_next_to_its_field(client, auth, app, station_id, field, text, message):
    auth.login("planner")
    response = client.post("/planner/stations/1/settings", data=_settings_form(**{field: text}))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    # the message follows the field's input (not only the list at the top) and the typed text is kept
    after_field = page.split(f'id="{field}"', 1)[1]
    assert message in after_field.split("<label", 1)[0]
    assert 'role="alert"' not in page.split('id="name"', 1)[0].split("<form", 1)[1]
    with app.app_context():
        assert rules_from_json(_station().rules_json) == RULES  # nothing stored


# --------------------------------------------------------------------------- upload and download in the browser


def _upload(client, url: str, data: bytes, filename: str, **fields):
    return client.post(url, data={"file": (io.BytesIO(data), filename), **fields}, content_type="multipart/form-data")


def _confirm(client, page: str):
    return client.post(f"/planner/imports/{re.search(r'/planner/imports/([^/]+)/confirm', page)[1]}/confirm")


def test_zip_upload_and_download_keep_every_optional_field(client, auth, app, folder):
    auth.login("planner")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, path.name)
    page = _upload(client, "/planner/stations/import", buffer.getvalue(), "full.zip").get_data(as_text=True)
    assert "requests.csv" in page  # the preview counts the requests too
    assert _confirm(client, page).status_code == 302
    download = client.get("/planner/stations/1/station.zip")
    assert download.status_code == 200
    with zipfile.ZipFile(io.BytesIO(download.data)) as archive:
        assert "requests.csv" in archive.namelist()
        out = folder.parent / "downloaded"
        archive.extractall(out)
    assert load_station(out) == load_station(folder)


def test_a_requests_table_upload_replaces_the_requests(client, auth, app, station_id):
    auth.login("planner")
    csv_text = "person_id,date,shift_id,request,weight\nV1,2026-11-30,day,on,\n"
    page = _upload(client, "/planner/stations/1/import?kind=table", csv_text.encode(), "requests.csv",
                   table="requests").get_data(as_text=True)
    assert _confirm(client, page).status_code == 302
    with app.app_context():
        assert station_to_engine(_station()).requests == (m.Request("V1", dt.date(2026, 11, 30), "day", "on", 1),)
    bad = "person_id,date,shift_id,request,weight\nV1,2026-11-30,day,maybe,1\n"
    page = _upload(client, "/planner/stations/1/import?kind=table", bad.encode(), "requests.csv",
                   table="requests").get_data(as_text=True)
    assert "unknown request &#39;maybe&#39;" in page and "/confirm" not in page
