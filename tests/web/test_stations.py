"""Station data in the database: import a folder, back to the engine's Station, export, bad data."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from scheduler.model import StationDataError
from scheduler.station_io import load_station
from web.extensions import db
from web.models import Availability, DemandRow, Grid, Person, Pin, ShiftType, Station, StationRequest
from web.services.stations import export_station_folder, import_station_folder, station_counts, station_to_engine

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "fixtures" / "demo-station"
TINY = ROOT / "fixtures" / "tiny"
TABLES = (Station, Person, Grid, ShiftType, DemandRow, Availability, Pin, StationRequest)


def row_counts() -> dict[str, int]:
    return {t.__tablename__: db.session.scalar(sa.select(sa.func.count()).select_from(t)) for t in TABLES}


def test_import_demo_station_row_counts_and_round_trip(app, tmp_path):
    with app.app_context():
        row = import_station_folder(DEMO)
        assert row.name == "五里墩派出所"
        assert station_counts(row) == {"people": 150, "grids": 8, "shifts": 3, "demand": 290,
                                       "availability": 435, "pins": 0, "requests": 0}
        row_id = row.id
    with app.app_context():  # a fresh session: everything comes from the database
        row = db.session.get(Station, row_id)
        assert station_to_engine(row) == load_station(DEMO)
        export_station_folder(row, tmp_path / "out")
    assert load_station(tmp_path / "out") == load_station(DEMO)


def test_round_trip_with_date_rows_skill_rows_and_pins(app, tmp_path):
    folder = tmp_path / "tiny"
    shutil.copytree(TINY, folder)
    (folder / "pins.csv").write_text("person_id,date,shift_id,grid_id\nP1,2026-11-27,night,G1\n", encoding="utf-8")
    expected = load_station(folder)
    assert expected.pins and any(d.skill for d in expected.demand)
    with app.app_context():
        row = import_station_folder(folder)
        assert station_counts(row)["pins"] == 1
        db.session.expire_all()
        assert station_to_engine(row) == expected


def test_broken_station_folder_writes_nothing(app, tmp_path):
    folder = tmp_path / "broken"
    shutil.copytree(DEMO, folder)
    grids = (folder / "grids.csv").read_text(encoding="utf-8-sig").replace("G01,汽车客运站,1,", "G01,汽车客运站,9,")
    (folder / "grids.csv").write_text(grids, encoding="utf-8")
    with app.app_context():
        before = row_counts()
        with pytest.raises(StationDataError) as error:
            import_station_folder(folder)
        assert row_counts() == before == dict.fromkeys(before, 0)
    assert any(i.file == "grids.csv" and i.row == 2 and i.column == "level" for i in error.value.issues)


def test_reimport_into_a_station_replaces_its_data_and_keeps_it_on_error(app, tmp_path):
    with app.app_context():
        row = import_station_folder(TINY)
        row = import_station_folder(TINY, into=row)  # the same again: replaced, not doubled
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Station)) == 1
        assert station_counts(row)["people"] == 7
        broken = tmp_path / "broken"
        shutil.copytree(TINY, broken)
        (broken / "people.csv").write_text("person_id,name,role\nP1,张伟,sheriff\n", encoding="utf-8")
        with pytest.raises(StationDataError):
            import_station_folder(broken, into=row)
        db.session.expire_all()
        assert station_to_engine(row) == load_station(TINY)


def test_deleting_a_station_deletes_its_rows(app):
    with app.app_context():
        row = import_station_folder(TINY)
        db.session.delete(row)
        db.session.commit()
        assert row_counts() == dict.fromkeys(row_counts(), 0)


def test_planner_sees_the_stations(client, auth, app):
    with app.app_context():
        import_station_folder(TINY)
    auth.login("planner")
    page = client.get("/planner/").get_data(as_text=True)
    assert "tiny" in page or "派出所" in page
    assert "<td>7</td>" in page  # people
