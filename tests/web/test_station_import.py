"""Station uploads in the browser (zip folder, one CSV/Excel table) with preview and confirm; zip download."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from scheduler.station_io import load_station
from web.extensions import db
from web.models import AuditLog, Person, Station
from web.services.stations import import_station_folder, station_to_engine

from .test_auth import csrf_token

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
TINY = FIXTURES / "tiny"


def zip_of(folder: Path, inside: str = "", replace: dict[str, str] | None = None) -> bytes:
    """The station files of `folder` zipped at the root or under `inside/`, some files' text replaced."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.iterdir()):
            if path.suffix in {".csv", ".toml"}:
                archive.writestr(inside + path.name, (replace or {}).get(path.name, path.read_text(encoding="utf-8")))
    return buffer.getvalue()


def upload(client, url: str, data: bytes, filename: str, **fields):
    return client.post(url, data={"file": (io.BytesIO(data), filename), **fields}, content_type="multipart/form-data")


def token_of(page: str) -> str:
    return re.search(r'/planner/imports/([^/]+)/confirm', page)[1]


def uploads_waiting(app) -> list[Path]:
    folder = Path(app.instance_path) / "station-uploads"
    return list(folder.iterdir()) if folder.exists() else []


def stations() -> list[Station]:
    db.session.expire_all()
    return db.session.scalars(sa.select(Station).order_by(Station.id)).all()


@pytest.fixture
def planner(client, auth):
    auth.login("planner")
    return client


@pytest.fixture
def stored(app):
    """The tiny station in the database (id 1)."""
    with app.app_context():
        return import_station_folder(TINY).id


# --------------------------------------------------------------------------- zip


@pytest.mark.parametrize("inside", ["", "tiny/"])
def test_new_station_from_zip_preview_then_confirm(planner, app, inside):
    response = upload(planner, "/planner/stations/import", zip_of(TINY, inside), "tiny.zip")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "小站派出所" in page and "<td>13</td>" in page  # 13 demand rows
    assert "陈秀英" in page  # the first rows of people
    with app.app_context():
        assert stations() == []  # nothing written before the confirm
    assert len(uploads_waiting(app)) == 1
    response = planner.post(f"/planner/imports/{token_of(page)}/confirm")
    assert response.status_code == 302
    with app.app_context():
        (row,) = stations()
        assert station_to_engine(row) == load_station(TINY)
        assert db.session.scalar(sa.select(AuditLog.action)) == "station.import"
    assert uploads_waiting(app) == []
    # The same token cannot write twice.
    planner.post(f"/planner/imports/{token_of(page)}/confirm")
    with app.app_context():
        assert len(stations()) == 1


def test_zip_without_station_toml_takes_the_folder_name(planner, app):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in TINY.glob("*.csv"):
            archive.writestr(f"东站派出所/{path.name}", path.read_bytes())
        archive.writestr("__MACOSX/东站派出所/._people.csv", b"\x00\x05")
    page = upload(planner, "/planner/stations/import", buffer.getvalue(), "upload.zip").get_data(as_text=True)
    planner.post(f"/planner/imports/{token_of(page)}/confirm")
    with app.app_context():
        (row,) = stations()
        assert row.name == "东站派出所"
        assert station_to_engine(row).people == load_station(TINY).people


def test_stale_uploads_are_removed(planner, app):
    import os

    page = upload(planner, "/planner/stations/import", zip_of(TINY), "tiny.zip").get_data(as_text=True)
    (old,) = uploads_waiting(app)
    os.utime(old, (0, 0))
    upload(planner, "/planner/stations/import", zip_of(TINY), "tiny.zip")
    assert old not in uploads_waiting(app) and len(uploads_waiting(app)) == 1
    assert planner.post(f"/planner/imports/{token_of(page)}/confirm").status_code == 302
    with app.app_context():
        assert stations() == []


def test_zip_with_errors_lists_file_row_column_and_writes_nothing(planner, app, stored):
    people = (TINY / "people.csv").read_text(encoding="utf-8").replace("P2,王芳,police", "P2,王芳,cop")
    grids = (TINY / "grids.csv").read_text(encoding="utf-8").replace("G2,幸福里小区,4", "G2,幸福里小区,x")
    response = upload(planner, "/planner/stations/1/import?kind=zip",
                      zip_of(TINY, replace={"people.csv": people, "grids.csv": grids}), "tiny.zip")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(r"<h2>people.csv</h2>.*?<td>3</td><td>role</td><td>unknown role &#39;cop&#39;", page, re.S)
    assert re.search(r"<h2>grids.csv</h2>.*?<td>3</td><td>level</td><td>&#39;x&#39; is not a whole number", page, re.S)
    assert "/confirm" not in page
    assert uploads_waiting(app) == []
    with app.app_context():
        assert station_to_engine(stations()[0]) == load_station(TINY)


def test_zip_that_is_no_station_folder(planner, app):
    response = upload(planner, "/planner/stations/import", b"not a zip", "x.zip")
    assert response.status_code == 400 and "zip" in response.get_data(as_text=True)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a/people.csv", "person_id,name,role\n")
        archive.writestr("b/people.csv", "person_id,name,role\n")
    response = upload(planner, "/planner/stations/import", buffer.getvalue(), "two.zip")
    assert response.status_code == 400
    assert uploads_waiting(app) == []


def test_zip_replaces_a_stored_station_after_confirm(planner, app, stored):
    people = (TINY / "people.csv").read_text(encoding="utf-8") + "V9,新义警,volunteer,,,,\n"
    page = upload(planner, "/planner/stations/1/import?kind=zip", zip_of(TINY, replace={"people.csv": people}),
                  "tiny.zip").get_data(as_text=True)
    assert "<td>8</td><td>7</td>" in page  # 8 people uploaded, 7 stored now
    with app.app_context():
        assert "V9" not in station_to_engine(stations()[0]).people_by_id
    planner.post(f"/planner/imports/{token_of(page)}/confirm")
    with app.app_context():
        (row,) = stations()
        assert "V9" in station_to_engine(row).people_by_id


def test_cancel_removes_the_waiting_upload(planner, app):
    page = upload(planner, "/planner/stations/import", zip_of(TINY), "tiny.zip").get_data(as_text=True)
    planner.post(f"/planner/imports/{token_of(page)}/discard")
    assert uploads_waiting(app) == []
    assert planner.post(f"/planner/imports/{token_of(page)}/confirm").status_code == 302
    with app.app_context():
        assert stations() == []


def test_another_session_cannot_confirm_the_upload(planner, app, auth):
    page = upload(planner, "/planner/stations/import", zip_of(TINY), "tiny.zip").get_data(as_text=True)
    other = app.test_client()
    other.post("/auth/login", data={"username": "admin", "password": "correct-horse"})
    other.post(f"/planner/imports/{token_of(page)}/confirm")
    with app.app_context():
        assert stations() == []


def test_too_large_upload_is_refused_with_a_message(make_app):
    app = make_app(STATION_UPLOAD_LIMIT=1024)
    client = app.test_client()
    client.post("/auth/login", data={"username": "planner", "password": "correct-horse"})
    response = upload(client, "/planner/stations/import", b"x" * 5000, "big.zip")
    assert response.status_code == 413
    assert "1024" not in response.get_data(as_text=True)  # the limit in MB, not bytes
    assert "MB" in response.get_data(as_text=True)
    assert uploads_waiting(app) == []


def test_upload_over_the_app_limit_gets_the_same_message(make_app):
    """Above MAX_CONTENT_LENGTH the CSRF check reads the body before the view: the planner still gets the message."""
    app = make_app(WTF_CSRF_ENABLED=True, MAX_CONTENT_LENGTH=2048, STATION_UPLOAD_LIMIT=1024)
    client = app.test_client()
    token = csrf_token(client.get("/auth/login").get_data(as_text=True))
    client.post("/auth/login", data={"username": "planner", "password": "correct-horse", "csrf_token": token})
    response = upload(client, "/planner/stations/import", b"x" * 5000, "big.zip", csrf_token=token)
    assert response.status_code == 413 and "MB" in response.get_data(as_text=True)
    assert uploads_waiting(app) == []


# --------------------------------------------------------------------------- one table


def test_single_csv_replaces_one_table(planner, app, stored):
    with app.app_context():
        grid_ids = [g.id for g in stations()[0].grids]
    people = "person_id,name,role,home_grid\nP1,张伟,police,\nP2,王芳,police,\nA1,李娜,auxiliary,\nA2,刘洋,auxiliary,\n" \
             "V1,陈秀英,volunteer,G1\nV2,杨桂兰,volunteer,G2\nV3,赵建国,volunteer,G2\nV4,孙丽,volunteer,G1\n"
    response = upload(planner, "/planner/stations/1/import?kind=table", people.encode("utf-8"), "people.csv",
                      table="people")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<td>8</td><td>7</td>" in page and "陈秀英" in page
    planner.post(f"/planner/imports/{token_of(page)}/confirm")
    with app.app_context():
        row = stations()[0]
        engine = station_to_engine(row)
        assert engine.person("V4").name == "孙丽" and engine.person("P1").phone is None  # replaced, not merged
        assert engine.demand == load_station(TINY).demand
        assert [g.id for g in row.grids] == grid_ids  # the other tables were not rewritten


def test_single_csv_with_cross_file_errors_writes_nothing(planner, app, stored):
    grids = "grid_id,name,level\nG1,火车站广场,1\n"  # G2 is used by demand rows and people's home grids
    response = upload(planner, "/planner/stations/1/import?kind=table", grids.encode(), "grids.csv", table="grids")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(r"<h2>people.csv</h2>.*?<td>7</td><td>home_grid</td><td>unknown grid &#39;G2&#39;", page, re.S)
    assert re.search(r"<h2>demand.csv</h2>.*?<td>6</td><td>grid_id</td><td>unknown grid &#39;G2&#39;", page, re.S)
    with app.app_context():
        assert station_to_engine(stations()[0]) == load_station(TINY)


def _shifts_xlsx() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["shift_id", "name", "start", "end", "night"])
    sheet.append(["day", "白班", dt.time(8, 0), dt.time(16, 0), False])  # Excel stores typed times as times
    sheet.append(["night", "夜班", "22:00", "06:00", True])
    sheet.append(["eve", "晚班", dt.time(16, 0), "24:00", None])
    workbook.create_sheet("notes").append(["ignored"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_single_xlsx_replaces_shifts(planner, app, stored):
    data = _shifts_xlsx()
    assert load_workbook(io.BytesIO(data)).worksheets[0]["B3"].value == "夜班"
    response = upload(planner, "/planner/stations/1/import?kind=table", data, "shifts.xlsx", table="shifts")
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert "<td>3</td><td>2</td>" in page
    planner.post(f"/planner/imports/{token_of(page)}/confirm")
    with app.app_context():
        shifts = station_to_engine(stations()[0]).shifts_by_id
        assert (shifts["day"].start, shifts["day"].end, shifts["day"].night) == (480, 960, False)
        assert (shifts["eve"].end, shifts["eve"].night) == (1440, False)


def test_xlsx_with_a_bad_cell_names_row_and_column(planner, app, stored):
    workbook = Workbook()
    workbook.active.append(["grid_id", "name", "level", "community"])
    workbook.active.append(["G1", "火车站广场", 1, None])
    workbook.active.append(["G2", "幸福里小区", 9, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    page = upload(planner, "/planner/stations/1/import?kind=table", buffer.getvalue(), "grids.xlsx",
                  table="grids").get_data(as_text=True)
    assert re.search(r"<td>3</td><td>level</td><td>level 9 is not one of", page)
    response = upload(planner, "/planner/stations/1/import?kind=table", b"junk", "grids.xlsx", table="grids")
    assert response.status_code == 400 and "Excel" in response.get_data(as_text=True)
    with app.app_context():
        assert station_to_engine(stations()[0]) == load_station(TINY)


# --------------------------------------------------------------------------- export


def test_export_zip_imports_back_equal(planner, app, stored, tmp_path):
    with app.app_context():
        row = stations()[0]
        row.people[0].name = "=SUM(A1)"  # a formula-like name survives the spreadsheet escaping
        db.session.commit()
        expected = station_to_engine(row)
    response = planner.get("/planner/stations/1/station.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    zipfile.ZipFile(io.BytesIO(response.data)).extractall(tmp_path / "out")
    assert load_station(tmp_path / "out") == expected
    page = upload(planner, "/planner/stations/import", response.data, "station-1.zip").get_data(as_text=True)
    planner.post(f"/planner/imports/{token_of(page)}/confirm")
    with app.app_context():
        first, second = stations()
        assert station_to_engine(second) == station_to_engine(first) == expected
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Person)) == 14


@pytest.mark.parametrize("role", ["volunteer", "officer"])
def test_other_roles_cannot_import_or_export(client, auth, app, stored, role):
    auth.login(role)
    assert client.get("/planner/stations/1/station.zip").status_code == 403
    assert upload(client, "/planner/stations/import", zip_of(TINY), "tiny.zip").status_code == 403
    with app.app_context():
        assert len(stations()) == 1
    assert uploads_waiting(app) == []
