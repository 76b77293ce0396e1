"""Planners through the API: stations, opening slots and who signed up, solve jobs, rosters, export, publish."""

from __future__ import annotations

import csv
import datetime as dt
import io
import time

import openpyxl
import sqlalchemy as sa

from web.extensions import db
from web.models import AuditLog, SolveJob
from web.services.solving import get_runner
from web.volunteer.models import OpenSlot

from .conftest import error_of
from .test_self_service import open_slot

WEEK = dt.date(2026, 11, 23)  # the tiny station's demand is dated in this week
TOMORROW = dt.date.today() + dt.timedelta(days=1)


def slot_body(station, **changes) -> dict:
    return {"station_id": station, "grid_id": "G1", "date": TOMORROW.isoformat(), "shift_id": "night", "capacity": 8,
            "signup_cutoff": f"{TOMORROW.isoformat()}T20:00", "note": "今晚10点夜巡，限8人"} | changes


def wait_for_job(api, app, job_id: int, timeout: float = 60.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = api.get(f"/api/v1/jobs/{job_id}", as_="planner").get_json()
        if not job["active"]:
            get_runner(app).join(job_id, 5)
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} still running after {timeout}s")


def test_stations_are_listed(api, station):
    stations = api.get("/api/v1/stations", as_="admin").get_json()
    assert stations == {"stations": [{"id": station, "name": "小站派出所"}]}


def test_planner_opens_a_slot(app, api, station):
    response = api.post("/api/v1/slots", as_="planner", json=slot_body(station))
    assert response.status_code == 201
    body = response.get_json()
    assert (body["grid_id"], body["shift_id"], body["capacity"], body["places_left"], body["date"]) == \
        ("G1", "night", 8, 8, TOMORROW.isoformat())
    assert body["signup_cutoff"] == f"{TOMORROW.isoformat()}T12:00:00Z"  # 20:00 in Beijing
    with app.app_context():
        slot = db.session.get(OpenSlot, body["id"])
        assert slot.note == "今晚10点夜巡，限8人"
        assert db.session.scalar(sa.select(AuditLog.username).where(AuditLog.action == "slot.open")) == "planner"
    with_offset = api.post("/api/v1/slots", as_="planner", json=slot_body(station,
                                                                          signup_cutoff="2030-01-01T20:00+00:00"))
    assert with_offset.get_json()["signup_cutoff"] == "2030-01-01T20:00:00Z"


def test_slot_validation_names_each_field(api, station):
    cases = [({"station_id": None}, "station_id"), ({"station_id": 999}, "station_id"),
             ({"grid_id": "G9"}, "grid_id"), ({"grid_id": ""}, "grid_id"), ({"shift_id": "noon"}, "shift_id"),
             ({"date": "tomorrow"}, "date"), ({"capacity": 0}, "capacity"), ({"capacity": "8"}, "capacity"),
             ({"capacity": 1001}, "capacity"), ({"signup_cutoff": "soon"}, "signup_cutoff"),
             ({"note": "x" * 201}, "note")]
    for changes, field in cases:
        response = api.post("/api/v1/slots", as_="planner", json=slot_body(station, **changes))
        assert response.status_code == 400, changes
        assert error_of(response) | {"message": ""} == {"code": "validation_error", "field": field, "message": ""}
    assert api.post("/api/v1/slots", as_="planner", json=[1]).status_code == 400


def test_planner_sees_who_signed_up_with_phones(app, api, station):
    slot_id = open_slot(app, station)
    api.post(f"/api/v1/slots/{slot_id}/signup", as_="V2")
    api.post(f"/api/v1/slots/{slot_id}/signup", as_="V1")
    body = api.get(f"/api/v1/slots/{slot_id}", as_="planner").get_json()
    assert [(s["person_id"], s["name"], s["phone"]) for s in body["signups"]] == \
        [("V2", "杨桂兰", "13800000006"), ("V1", "陈秀英", "13800000005")]
    assert body["places_left"] == 6
    assert api.get("/api/v1/slots/4242", as_="planner").status_code == 404


def test_generate_poll_read_export_and_publish_a_roster(app, api, station):
    response = api.post("/api/v1/rosters", as_="planner", json={"station_id": station, "week": "2026-11-25"})
    assert response.status_code == 202
    job = response.get_json()
    assert job["week"] == WEEK.isoformat() and job["status"] in ("queued", "running", "done")
    job = wait_for_job(api, app, job["id"])
    assert job["status"] == "done" and job["objective"] == 293 and job["gap"] == 0.0 and job["elapsed"] is not None
    roster = api.get(f"/api/v1/rosters/{job['roster_id']}", as_="planner").get_json()
    assert (roster["week"], roster["version"], roster["status"], roster["objective"]) == (WEEK.isoformat(), 1,
                                                                                         "draft", 293)
    assert roster["assignments"] and all(a["date"].startswith("2026-11-") for a in roster["assignments"])
    exported = api.get(f"/api/v1/rosters/{roster['id']}.csv", as_="planner")
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    lines = list(csv.DictReader(io.StringIO(exported.data.decode("utf-8-sig"))))
    assert {(r["date"], r["shift_id"], r["grid_id"], r["person_id"]) for r in lines} == \
        {(a["date"], a["shift_id"], a["grid_id"], a["person_id"]) for a in roster["assignments"]}
    workbook = api.get(f"/api/v1/rosters/{roster['id']}.xlsx", as_="planner")
    assert workbook.status_code == 200
    assert openpyxl.load_workbook(io.BytesIO(workbook.data)).sheetnames
    published = api.post(f"/api/v1/rosters/{roster['id']}/publish", as_="planner")
    assert published.status_code == 200 and published.get_json()["status"] == "published"
    again = api.post(f"/api/v1/rosters/{roster['id']}/publish", as_="planner")
    assert again.status_code == 409 and error_of(again)["code"] == "roster_published"
    with app.app_context():
        actions = list(db.session.scalars(sa.select(AuditLog.action).order_by(AuditLog.id)))
        assert actions == ["solve.start", "solve.finish", "roster.export", "roster.export", "roster.publish"]


def test_the_look_back_is_stored_with_the_job(app, api, station):
    from web.services.solving import get_runner

    response = api.post("/api/v1/rosters", as_="planner",
                        json={"station_id": station, "week": WEEK.isoformat(), "lookback_weeks": 0})
    assert response.status_code == 202
    job_id = response.get_json()["id"]
    with app.app_context():
        get_runner(app).join(job_id, timeout=60)
        assert db.session.get(SolveJob, job_id).lookback_weeks == 0


def test_a_second_solve_of_the_week_is_409_and_a_job_can_be_stopped(app, api, station):
    with app.app_context():
        # A job of another (live) worker: held in the database, not by this process.
        db.session.add(SolveJob(station_id=station, week_start=WEEK, backend="cpsat", status="running",
                                worker="another-host:1"))
        db.session.commit()
        job_id = db.session.scalar(sa.select(SolveJob.id))
    response = api.post("/api/v1/rosters", as_="planner", json={"station_id": station, "week": WEEK.isoformat()})
    assert response.status_code == 409
    assert error_of(response)["code"] == "solve_running" and error_of(response)["job_id"] == job_id
    stopped = api.delete(f"/api/v1/jobs/{job_id}", as_="planner")
    assert stopped.status_code == 202 and stopped.get_json()["id"] == job_id
    with app.app_context():
        assert db.session.get(SolveJob, job_id).stop_requested is True


def test_roster_request_validation_and_unknown_ids(api, station):
    for body, field in (({"week": WEEK.isoformat()}, "station_id"), ({"station_id": station}, "week"),
                        ({"station_id": station, "week": "2026-W48"}, "week"),
                        ({"station_id": station, "week": WEEK.isoformat(), "lookback_weeks": 53}, "lookback_weeks"),
                        ({"station_id": station, "week": WEEK.isoformat(), "lookback_weeks": "4"}, "lookback_weeks"),
                        ({"station_id": 777, "week": WEEK.isoformat()}, "station_id")):
        response = api.post("/api/v1/rosters", as_="planner", json=body)
        assert response.status_code == 400 and error_of(response)["field"] == field, body
    for method, url in (("GET", "/api/v1/jobs/5"), ("DELETE", "/api/v1/jobs/5"), ("GET", "/api/v1/rosters/5"),
                        ("GET", "/api/v1/rosters/5.csv"), ("GET", "/api/v1/rosters/5.xlsx"),
                        ("POST", "/api/v1/rosters/5/publish"), ("GET", f"/api/v1/rosters/{2**63}")):
        response = api.open(method, url, as_="planner")
        assert response.status_code == 404 and error_of(response)["code"] == "not_found", url
