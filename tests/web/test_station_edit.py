"""Editing station data row by row: the service (used by pages and the JSON API) and the planner pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from scheduler import station_io as io
from scheduler.station_io import load_station
from web.extensions import db
from web.models import AuditLog, Station
from web.services.station_edit import (
    WEIGHT_KEYS,
    StationEditError,
    create_row,
    delete_row,
    list_rows,
    settings_of,
    update_row,
    update_settings,
)
from web.services.stations import import_station_folder, station_to_engine

from .test_auth import csrf_token

TINY = Path(__file__).resolve().parents[2] / "fixtures" / "tiny"


@pytest.fixture
def station_id(app):
    with app.app_context():
        return import_station_folder(TINY).id


def _station() -> Station:
    db.session.expire_all()
    return db.session.get(Station, 1)


def _refused(call, *args) -> dict:
    """The errors of a refused change by field, after checking the stored station did not change."""
    before = station_to_engine(_station())
    with pytest.raises(StationEditError) as error:
        call(_station(), *args)
    assert station_to_engine(_station()) == before
    return error.value.by_field()


def _row_id(table: str, **match) -> int:
    return next(r["id"] for r in list_rows(_station(), table) if all(r[k] == v for k, v in match.items()))


# --------------------------------------------------------------------------- the service


def test_list_rows_uses_the_file_columns_and_ids(app, station_id):
    with app.app_context():
        people = list_rows(_station(), "people")
        assert people[0] == {"id": people[0]["id"], "person_id": "P1", "name": "张伟", "role": "police",
                             "home_grid": None, "skills": "driver", "max_shifts_per_week": None,
                             "phone": "13800000001"} | dict.fromkeys(io._PERSON_RULE_COLUMNS)  # overrides: none
        shifts = list_rows(_station(), "shifts")
        assert shifts[1] | {"id": 0} == {"id": 0, "shift_id": "night", "name": "夜班", "start": "22:00",
                                         "end": "06:00", "night": True}
        assert {r["day"] for r in list_rows(_station(), "demand")} == {"2026-11-27", "2026-11-28"}


def test_create_update_delete_each_table(app, station_id):
    with app.app_context():
        grid = create_row(_station(), "grids", {"grid_id": "G3", "name": "三堡街夜市", "level": "2"})
        assert grid["level"] == 2
        shift = create_row(_station(), "shifts", {"shift_id": "eve", "name": "晚班", "start": "16:00", "end": "24:00"})
        assert shift["night"] is False and shift["end"] == "24:00"  # night defaults from the hours, as in a file
        person = create_row(_station(), "people", {"person_id": "V4", "name": "孙丽", "role": "volunteer",
                                                   "home_grid": "G3", "skills": "uyghur;driver", "phone": "139"})
        assert person["skills"] == "driver;uyghur"
        weekly = create_row(_station(), "demand", {"grid_id": "G3", "day": "fri", "shift_id": "eve",
                                                   "role": "volunteer", "min": 2})
        assert weekly["max"] == 2  # max defaults to min
        dated = create_row(_station(), "demand", {"grid_id": "G3", "day": "2026-12-31", "shift_id": "eve",
                                                  "role": "volunteer", "min": 4, "max": 6})
        update_row(_station(), "demand", dated["id"], {"min": "5"})
        update_row(_station(), "people", person["id"], {"max_shifts_per_week": 3})
        engine = station_to_engine(_station())
        assert engine.person("V4").max_shifts_per_week == 3
        assert [(d.min, d.max) for d in engine.demand if d.grid_id == "G3"] == [(2, 2), (5, 6)]
        for table, row in (("demand", weekly), ("demand", dated), ("people", person), ("shifts", shift),
                           ("grids", grid)):
            delete_row(_station(), table, row["id"])
        assert station_to_engine(_station()) == load_station(TINY)
        actions = db.session.scalars(sa.select(AuditLog.action)).all()
        assert actions.count("station.row.create") == 5 and actions.count("station.row.delete") == 5
        assert actions.count("station.row.update") == 2


def test_renaming_an_unused_id(app, station_id):
    with app.app_context():
        row = create_row(_station(), "grids", {"grid_id": "G3", "name": "新网格", "level": 3})
        update_row(_station(), "grids", row["id"], {"grid_id": "G9", "name": "改名网格"})
        assert station_to_engine(_station()).grids_by_id["G9"].name == "改名网格"


def test_bad_enum_names_the_field(app, station_id):
    with app.app_context():
        errors = _refused(create_row, "people", {"person_id": "X1", "name": "某人", "role": "cop"})
        assert list(errors) == ["role"] and "cop" in errors["role"][0] and "police" in errors["role"][0]
        errors = _refused(update_row, "demand", _row_id("demand", skill="driver"), {"role": "sheriff"})
        assert "sheriff" in errors["role"][0]
        errors = _refused(create_row, "shifts", {"shift_id": "x", "name": "x", "start": "08:00", "end": "9",
                                                 "night": "maybe"})
        assert set(errors) == {"end", "night"}


def test_bad_number_names_the_field(app, station_id):
    with app.app_context():
        errors = _refused(create_row, "grids", {"grid_id": "G3", "name": "x", "level": "two"})
        assert errors == {"level": ["'two' is not a whole number"]}
        errors = _refused(create_row, "grids", {"grid_id": "G3", "name": "x", "level": 7})
        assert "level 7" in errors["level"][0]
        errors = _refused(update_row, "demand", _row_id("demand", skill="driver"), {"min": "-1"})
        assert "min" in errors
        errors = _refused(create_row, "people", {"person_id": "X1", "name": "", "role": "police"})
        assert errors == {"name": ["required value is empty"]}


def test_duplicate_id_is_refused(app, station_id):
    with app.app_context():
        errors = _refused(create_row, "people", {"person_id": "P1", "name": "另一个张伟", "role": "police"})
        assert "P1" in errors["person_id"][0]
        errors = _refused(update_row, "grids", _row_id("grids", grid_id="G2"), {"grid_id": "G1"})
        assert "G1" in errors["grid_id"][0]
        # The same requirement twice is a whole-row error.
        errors = _refused(create_row, "demand", {"grid_id": "G1", "day": "2026-11-27", "shift_id": "day",
                                                 "role": "police", "min": 1})
        assert None in errors


def test_referential_delete_and_rename_name_the_rows(app, station_id):
    with app.app_context():
        errors = _refused(delete_row, "grids", _row_id("grids", grid_id="G1"))
        message = errors["grid_id"][0]
        assert "demand.csv (grid_id) rows 2, 3, 4, 5, 8" in message and "people.csv (home_grid) rows 6" in message
        errors = _refused(update_row, "shifts", _row_id("shifts", shift_id="night"), {"shift_id": "nite"})
        assert "availability.csv (shift_id) rows 2" in errors["shift_id"][0]
        errors = _refused(delete_row, "people", _row_id("people", person_id="V3"))
        assert "availability.csv (person_id) rows 6" in errors["person_id"][0]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog)) == 0


def test_unknown_row_and_field(app, station_id):
    with app.app_context():
        with pytest.raises(LookupError):
            update_row(_station(), "people", 9999, {"name": "x"})
        with pytest.raises(LookupError):
            delete_row(_station(), "grids", 9999)
        errors = _refused(create_row, "grids", {"grid_id": "G3", "name": "x", "level": 1, "colour": "red"})
        assert "colour" in errors


def test_settings_update_and_errors(app, station_id):
    with app.app_context():
        settings = update_settings(_station(), {"name": "新站", "rules": {"min_rest_hours": 10.5,
                                                                          "max_shifts_per_week": {"volunteer": 3}},
                                               "weights": {"uncovered": {"4": 50}}})
        assert settings["rules"]["max_shifts_per_week"] == {"police": 5, "auxiliary": 5, "volunteer": 3}
        engine = station_to_engine(_station())
        assert engine.name == "新站" and engine.rules.min_rest_hours == 10.5 and engine.weights.uncovered[4] == 50
        errors = _refused(update_settings, {"rules": {"max_consecutive_days": 0, "min_rest_hours": "abc",
                                                      "escort_roles": ["police", "cop"]},
                                            "weights": {"night_spread": -1, "typo": 1}})
        assert set(errors) == {"rules.min_rest_hours", "weights.typo"}  # types first, like the TOML loader
        errors = _refused(update_settings, {"rules": {"max_consecutive_days": 0, "escort_roles": ["police", "cop"]},
                                            "weights": {"night_spread": -1}})
        assert set(errors) == {"rules.max_consecutive_days", "rules.escort_roles", "weights.night_spread"}
        assert settings_of(_station())["name"] == "新站"


# --------------------------------------------------------------------------- the pages


def test_station_page_lists_sections_with_phone(client, auth, station_id):
    auth.login("planner")
    assert "/planner/stations/1/data" in client.get("/planner/").get_data(as_text=True)
    page = client.get("/planner/stations/1/data").get_data(as_text=True)
    assert "13800000001" in page and "陈秀英" in page
    assert "火车站广场" in client.get("/planner/stations/1/data/grids").get_data(as_text=True)
    assert "2026-11-27" in client.get("/planner/stations/1/data/overrides").get_data(as_text=True)
    assert "2026-11-27" not in client.get("/planner/stations/1/data/templates").get_data(as_text=True)
    assert client.get("/planner/stations/1/data/nonsense").status_code == 404


def test_add_row_page_and_error_keeps_the_typed_values(client, auth, app, station_id):
    auth.login("planner")
    form = {"grid_id": "G1", "day": "tue", "shift_id": "day", "role": "cop", "min": "3", "max": "", "skill": ""}
    response = client.post("/planner/stations/1/data/templates/add", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "unknown role &#39;cop&#39;" in page
    assert '<option value="cop" selected>' in page and 'value="tue"' in page and 'value="3"' in page
    response = client.post("/planner/stations/1/data/templates/add", data=form | {"role": "police"})
    assert response.status_code == 302
    with app.app_context():
        assert any(d.day == "tue" and d.min == 3 for d in station_to_engine(_station()).demand)


def test_edit_and_delete_pages(client, auth, app, station_id):
    auth.login("planner")
    with app.app_context():
        grid_id, person_id = _row_id("grids", grid_id="G2"), _row_id("people", person_id="P2")
    assert 'value="幸福里小区"' in client.get(f"/planner/stations/1/data/grids/{grid_id}").get_data(as_text=True)
    response = client.post(f"/planner/stations/1/data/grids/{grid_id}",
                           data={"grid_id": "G2", "name": "幸福里", "level": "five", "community": ""})
    assert response.status_code == 400 and "five" in response.get_data(as_text=True)
    client.post(f"/planner/stations/1/data/grids/{grid_id}",
                data={"grid_id": "G2", "name": "幸福里", "level": "3", "community": ""})
    confirm = client.get(f"/planner/stations/1/data/grids/{grid_id}/delete").get_data(as_text=True)
    assert "csrf_token" in confirm and "people.csv (home_grid)" in confirm
    response = client.post(f"/planner/stations/1/data/grids/{grid_id}/delete")
    assert response.status_code == 400 and "demand.csv (grid_id) 第 " in response.get_data(as_text=True)
    assert client.post(f"/planner/stations/1/data/people/{person_id}/delete").status_code == 400  # availability
    with app.app_context():
        assert station_to_engine(_station()).grids_by_id["G2"].level == 3
        pin_free = create_row(_station(), "people", {"person_id": "Z9", "name": "临时", "role": "volunteer"})
    assert client.post(f"/planner/stations/1/data/people/{pin_free['id']}/delete").status_code == 302
    with app.app_context():
        assert "Z9" not in station_to_engine(_station()).people_by_id


def test_settings_page(client, auth, app, station_id):
    auth.login("planner")
    page = client.get("/planner/stations/1/settings").get_data(as_text=True)
    assert 'value="小站派出所"' in page and 'name="weights.uncovered.1" value="1000"' in page
    form = {"name": "小站", "rules.min_rest_hours": "12", "rules.max_consecutive_days": "x",
            "rules.max_consecutive_nights": "3", "rules.escort_roles": ["police"],
            "rules.max_shifts_per_week.police": "5", "rules.max_shifts_per_week.auxiliary": "5",
            "rules.max_shifts_per_week.volunteer": "2", "weights.night_spread": "20", "weights.weekend_spread": "10",
            "weights.volunteer_idle": "30", "weights.not_preferred": "1", "weights.away_from_home": "2",
            **{f"weights.{key}": "0" for key in WEIGHT_KEYS if key not in ("uncovered", "night_spread")},
            **{f"weights.uncovered.{level}": "100" for level in "1234"}}
    response = client.post("/planner/stations/1/settings", data=form)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "expected a whole number, got the text &#39;x&#39;" in page and 'value="小站"' in page
    assert client.post("/planner/stations/1/settings", data=form | {"rules.max_consecutive_days": "5"}).status_code == 302
    with app.app_context():
        engine = station_to_engine(_station())
        assert (engine.name, engine.rules.max_consecutive_days, engine.rules.escort_roles) == ("小站", 5, ("police",))


@pytest.mark.parametrize("role", ["volunteer", "officer"])
def test_other_roles_cannot_edit(client, auth, app, station_id, role):
    auth.login(role)
    assert client.get("/planner/stations/1/data").status_code == 403
    assert client.post("/planner/stations/1/data/grids/add", data={"grid_id": "G7", "name": "x", "level": "1"}
                       ).status_code == 403
    with app.app_context():
        assert "G7" not in station_to_engine(_station()).grids_by_id


def test_anonymous_is_sent_to_login(client, station_id):
    response = client.post("/planner/stations/1/data/grids/add", data={"grid_id": "G7", "name": "x", "level": "1"})
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_delete_needs_the_csrf_token(make_app, station_id):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    token = csrf_token(client.get("/auth/login").get_data(as_text=True))
    client.post("/auth/login", data={"username": "planner", "password": "correct-horse", "csrf_token": token})
    with app.app_context():
        row_id = create_row(_station(), "people", {"person_id": "Z9", "name": "临时", "role": "volunteer"})["id"]
    url = f"/planner/stations/1/data/people/{row_id}/delete"
    assert client.post(url).status_code == 400
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).get_data(as_text=True))[1]
    assert client.post(url, data={"csrf_token": token}).status_code == 302
    with app.app_context():
        assert "Z9" not in station_to_engine(_station()).people_by_id
