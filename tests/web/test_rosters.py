"""Stored rosters: review page, publish (frozen, versions), CSV/Excel downloads, audit log, access."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa

from scheduler import check_roster
from scheduler.export import read_roster_csv
from web.extensions import db
from web.models import AuditLog, Roster, SolveJob
from web.services.solving import store_roster
from web.services.stations import import_station_folder, station_to_engine

from .test_solving import FIXTURES, WEEK

# The tiny station's optimal roster (fixtures/tiny/README.md), with a volunteer named like a formula.
OPTIMAL = [
    ("2026-11-27", "day", "G1", "P2"), ("2026-11-27", "day", "G1", "A1"), ("2026-11-27", "day", "G2", "A2"),
    ("2026-11-27", "day", "G2", "V1"), ("2026-11-27", "day", "G2", "V2"), ("2026-11-27", "night", "G1", "P1"),
    ("2026-11-28", "day", "G1", "P2"), ("2026-11-28", "day", "G1", "A1"), ("2026-11-28", "night", "G1", "P1"),
    ("2026-11-28", "night", "G1", "A2"),
]


@pytest.fixture
def roster_id(app):
    from scheduler import Assignment

    with app.app_context():
        station = import_station_folder(FIXTURES / "tiny")
        for person in station.people:
            if person.person_id == "V1":
                person.name = "=HYPERLINK(\"http://evil\")"
        db.session.commit()
        assignments = [Assignment(dt.date.fromisoformat(d), s, g, p) for d, s, g, p in OPTIMAL]
        roster = store_roster(station.id, WEEK, assignments)
        db.session.commit()
        assert roster.objective == 293
        return roster.id


def test_roster_page_shows_matrix_coverage_and_people(client, auth, roster_id):
    auth.login("planner")
    page = client.get(f"/planner/rosters/{roster_id}").get_data(as_text=True)
    assert "role-police" in page and "role-volunteer" in page
    assert 'class="uncovered"' in page  # Saturday G2 day is short
    assert "293" in page
    assert "发布" in page  # Publish


def test_publish_freezes_and_new_versions_follow(client, auth, app, roster_id):
    auth.login("planner")
    client.post(f"/planner/rosters/{roster_id}/publish")
    with app.app_context():
        roster = db.session.get(Roster, roster_id)
        assert roster.status == "published" and roster.published_at is not None
        published_at = roster.published_at
    response = client.post(f"/planner/rosters/{roster_id}/publish", follow_redirects=True)
    assert "已发布" in response.get_data(as_text=True)
    response = client.post(f"/planner/rosters/{roster_id}/copy")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Roster, roster_id).published_at == published_at  # frozen
        versions = db.session.scalars(sa.select(Roster).order_by(Roster.version)).all()
        assert [(r.version, r.status) for r in versions] == [(1, "published"), (2, "draft")]
        assert len(versions[1].assignments) == len(OPTIMAL)
    client.post(f"/planner/rosters/{versions[1].id}/publish")
    with app.app_context():
        assert [r.status for r in db.session.scalars(sa.select(Roster).order_by(Roster.version))] == \
            ["published", "published"]
        actions = [(a.action, a.username) for a in db.session.scalars(sa.select(AuditLog).order_by(AuditLog.id))]
        assert actions == [("roster.publish", "planner"), ("roster.copy", "planner"), ("roster.publish", "planner")]


def test_csv_download_opens_and_passes_the_checker(client, auth, app, roster_id, tmp_path):
    auth.login("planner")
    response = client.get(f"/planner/rosters/{roster_id}/roster.csv")
    assert response.status_code == 200 and response.data.startswith("\ufeff".encode())
    frame = pd.read_csv(io.BytesIO(response.data), encoding="utf-8-sig", dtype=str)
    assert len(frame) == len(OPTIMAL)
    assert not frame["name"].str.startswith("=").any()  # formula injection guarded
    assert frame["name"].str.startswith("'=").any()
    path = tmp_path / "roster.csv"
    path.write_bytes(response.data)
    with app.app_context():
        station = station_to_engine(db.session.get(Roster, roster_id).station)
        report = check_roster(station, WEEK, read_roster_csv(path))
        assert not report.violations and report.objective == 293
        assert db.session.scalar(sa.select(AuditLog.action)) == "roster.export"
    xlsx = client.get(f"/planner/rosters/{roster_id}/roster.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    assert len(pd.read_excel(io.BytesIO(xlsx.data), sheet_name=None)) == 3
    book = openpyxl.load_workbook(io.BytesIO(xlsx.data))
    cells = [cell for sheet in book for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f" or str(c.value).startswith("=")]
    assert any(str(c.value).startswith("'=HYPERLINK") for c in cells)  # the name is there, as text


NEW_ROUTES = [("GET", "/planner/stations/1/week"), ("POST", "/planner/stations/1/solve"), ("GET", "/planner/jobs/1"),
              ("POST", "/planner/jobs/1/stop"), ("GET", "/planner/rosters/1"), ("POST", "/planner/rosters/1/publish"),
              ("POST", "/planner/rosters/1/copy"), ("GET", "/planner/rosters/1/roster.csv"),
              ("GET", "/planner/rosters/1/roster.xlsx")]


@pytest.mark.parametrize(("method", "url"), NEW_ROUTES)
def test_volunteers_officers_and_anonymous_are_refused(client, auth, app, roster_id, method, url):
    with app.app_context():
        db.session.add(SolveJob(station_id=1, week_start=WEEK, backend="cpsat", status="done"))
        db.session.commit()
    response = client.open(url, method=method)
    assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login")
    for role in ("volunteer", "officer"):
        auth.login(role)
        assert client.open(url, method=method).status_code == 403
        auth.logout()
    with app.app_context():
        assert db.session.get(Roster, roster_id).status == "draft"
        assert db.session.scalar(sa.select(SolveJob.stop_requested)) is False


def test_csrf_is_required_for_generate(make_app, auth):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    with app.app_context():
        station = import_station_folder(FIXTURES / "tiny").id
    client.post("/auth/login", data={"username": "planner", "password": "correct-horse"})
    response = client.post(f"/planner/stations/{station}/solve", data={"week": "2026-11-23"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SolveJob)) == 0
