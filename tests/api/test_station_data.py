"""Planners edit people, grids, shifts, demand and requests through the API (services/station_edit.py checks each change)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from web.extensions import db
from web.models import AuditLog, Grid, Person

from .conftest import add_station, error_of

NEW = {
    "people": {"person_id": "V9", "name": "周义警", "role": "volunteer", "home_grid": "G2", "skills": "first_aid",
               "phone": "13900000009"},
    "grids": {"grid_id": "G3", "name": "新区夜市", "level": 2, "community": "新区社区"},
    "shifts": {"shift_id": "evening", "name": "晚班", "start": "16:00", "end": "22:00", "night": False},
    "demand": {"grid_id": "G2", "day": "sat", "shift_id": "day", "role": "volunteer", "min": 1, "max": 2},
    "requests": {"person_id": "V1", "date": "2026-11-25", "shift_id": "night", "request": "off", "weight": 3},
}
CHANGE = {"people": ("name", "周二"), "grids": ("level", 3), "shifts": ("name", "中班"), "demand": ("min", 2),
          "requests": ("weight", 5)}
BAD = {"people": ("role", "chief"), "grids": ("level", 9), "shifts": ("start", "25:00"), "demand": ("grid_id", "G9"),
       "requests": ("request", "maybe")}


@pytest.mark.parametrize("table", NEW)
def test_create_read_update_delete(app, api, station, table):
    rows = f"/api/v1/stations/{station}/{table}"
    before = api.get(rows, as_="planner").get_json()["rows"]
    created = api.post(rows, as_="planner", json=NEW[table])
    assert created.status_code == 201, created.get_json()
    row = created.get_json()
    assert all(row[key] == value for key, value in NEW[table].items() if key != "skills")
    assert api.get(f"{rows}/{row['id']}", as_="planner").get_json() == row
    column, value = CHANGE[table]
    changed = api.put(f"{rows}/{row['id']}", as_="planner", json={column: value})
    assert changed.status_code == 200 and changed.get_json()[column] == value
    assert api.get(rows, as_="planner").get_json()["rows"] == before + [changed.get_json()]
    assert api.delete(f"{rows}/{row['id']}", as_="planner").status_code == 204
    assert api.get(rows, as_="planner").get_json()["rows"] == before
    with app.app_context():
        actions = list(db.session.scalars(sa.select(AuditLog.action).order_by(AuditLog.id)))
        assert actions == ["station.row.create", "station.row.update", "station.row.delete"]
        assert set(db.session.scalars(sa.select(AuditLog.username))) == {"planner"}


@pytest.mark.parametrize("table", NEW)
def test_bad_values_are_400_naming_the_field_and_nothing_is_stored(app, api, station, table):
    rows = f"/api/v1/stations/{station}/{table}"
    before = api.get(rows, as_="planner").get_json()["rows"]
    column, value = BAD[table]
    response = api.post(rows, as_="planner", json=NEW[table] | {column: value})
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "validation_error" and error["field"] == column
    assert {"field": column, "message": error["message"]} in error["errors"]
    if not before:  # the tiny station has no requests.csv: make the row to change
        before = [api.post(rows, as_="planner", json=NEW[table]).get_json()]
    first = before[0]["id"]
    response = api.put(f"{rows}/{first}", as_="planner", json={column: value})
    assert response.status_code == 400 and error_of(response)["field"] == column
    unknown = api.put(f"{rows}/{first}", as_="planner", json={"colour": "red"})
    assert unknown.status_code == 400 and error_of(unknown)["field"] == "colour"
    assert api.post(rows, as_="planner", json=["not", "an", "object"]).status_code == 400
    assert api.get(rows, as_="planner").get_json()["rows"] == before


def test_a_grid_still_in_use_cannot_be_deleted(app, api, station):
    with app.app_context():
        grid = db.session.scalar(sa.select(Grid).where(Grid.grid_id == "G1")).id
    response = api.delete(f"/api/v1/stations/{station}/grids/{grid}", as_="planner")
    assert response.status_code == 409
    assert error_of(response)["code"] == "still_used" and "demand.csv" in error_of(response)["message"]
    with app.app_context():
        assert db.session.get(Grid, grid) is not None


def test_unknown_station_or_row_is_404(app, api, station):
    with app.app_context():
        person = db.session.scalar(sa.select(Person.id))
    for method, url in (("GET", "/api/v1/stations/99/people"), ("POST", "/api/v1/stations/99/people"),
                        ("GET", f"/api/v1/stations/{station}/people/9999"),
                        ("PUT", f"/api/v1/stations/{station}/people/9999"),
                        ("DELETE", f"/api/v1/stations/{station}/grids/9999"),
                        ("GET", f"/api/v1/stations/{station}/grids/{person + 1000}")):
        response = api.open(method, url, as_="planner", json={"name": "x"})
        assert response.status_code == 404 and error_of(response)["code"] == "not_found", (method, url)


def test_a_row_of_another_station_is_not_reached_through_this_one(app, api, station):
    other = add_station(app)
    with app.app_context():
        foreign = db.session.scalar(sa.select(Person.id).where(Person.station_id == other))
    assert api.put(f"/api/v1/stations/{station}/people/{foreign}", as_="planner", json={"name": "x"}).status_code == 404
    assert api.get(f"/api/v1/stations/{other}/people/{foreign}", as_="planner").status_code == 200
