"""Solve jobs: run in the background, progress on the row, one at a time per week, stop, restart."""

from __future__ import annotations

import datetime as dt
import socket
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from scheduler import check_roster
from web.extensions import db
from web.models import AuditLog, Roster, SolveJob, User
from web.services.solving import (
    INTERRUPTED,
    JobConflict,
    get_runner,
    roster_assignments,
    start_solve,
    stop_job,
)
from web.services.stations import import_station_folder, station_to_engine

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
WEEK = dt.date(2026, 11, 23)


def wait_for(app, job_id: int, timeout: float = 60.0) -> SolveJob:
    deadline = time.monotonic() + timeout
    with app.app_context():
        while time.monotonic() < deadline:
            db.session.expire_all()
            job = db.session.get(SolveJob, job_id)
            if not job.active:
                get_runner(app).join(job_id, 5)
                return job
            time.sleep(0.05)
    raise AssertionError(f"job {job_id} still running after {timeout}s")


@pytest.fixture
def tiny(app):
    with app.app_context():
        return import_station_folder(FIXTURES / "tiny").id


def _planner():
    return db.session.scalar(sa.select(User).where(User.username == "planner"))


def test_job_runs_in_background_and_stores_a_draft_roster(app, tiny):
    with app.app_context():
        job = start_solve(tiny, WEEK, _planner())
        job_id = job.id
        assert job.status in ("queued", "running", "done")
    job = wait_for(app, job_id)
    with app.app_context():
        job = db.session.get(SolveJob, job_id)
        assert job.status == "done", job.error
        assert job.objective == 293 and job.gap == 0.0 and job.elapsed is not None
        roster = db.session.scalar(sa.select(Roster).where(Roster.from_job == job_id))
        assert roster.status == "draft" and roster.version == 1
        report = check_roster(station_to_engine(roster.station), WEEK, roster_assignments(roster))
        assert not report.violations
        assert report.objective == roster.objective == 293
        assert roster.terms == report.terms
        actions = [a.action for a in db.session.scalars(sa.select(AuditLog).order_by(AuditLog.id))]
        assert actions == ["solve.start", "solve.finish"]


def test_second_job_for_the_same_week_is_refused(app, tiny):
    with app.app_context():
        # A queued job of another (live) worker: held in the database, not by this process.
        db.session.add(SolveJob(station_id=tiny, week_start=WEEK, backend="cpsat", status="running",
                                worker="another-host:1"))
        db.session.commit()
        with pytest.raises(JobConflict):
            start_solve(tiny, WEEK, _planner())
        # The database refuses it too (two processes checking at the same moment).
        db.session.add(SolveJob(station_id=tiny, week_start=WEEK, backend="cpsat", status="queued"))
        with pytest.raises(sa.exc.IntegrityError):
            db.session.commit()
        db.session.rollback()
        # Another week is fine, and a finished job does not block.
        job = start_solve(tiny, WEEK + dt.timedelta(days=7), _planner())
        job_id = job.id
    wait_for(app, job_id)


def test_stop_keeps_the_best_roster(app):
    with app.app_context():
        station = import_station_folder(FIXTURES / "demo-station").id
        job_id = start_solve(station, WEEK, _planner()).id
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # stop once a first roster is known
            db.session.expire_all()
            job = db.session.get(SolveJob, job_id)
            if job.objective is not None or not job.active:
                break
            time.sleep(0.05)
        stop_job(job_id, _planner())
    job = wait_for(app, job_id)
    assert job.status == "stopped"
    with app.app_context():
        job = db.session.get(SolveJob, job_id)
        roster = db.session.scalar(sa.select(Roster).where(Roster.from_job == job_id))
        assert roster is not None and roster.assignments
        assert "solve.stop" in {a.action for a in db.session.scalars(sa.select(AuditLog))}


def test_restart_marks_running_jobs_failed(make_app, tiny):
    app = make_app()
    with app.app_context():
        dead = f"{socket.gethostname()}:999999999"
        db.session.add_all([
            SolveJob(station_id=tiny, week_start=WEEK, backend="cpsat", status="running", worker=dead),
            SolveJob(station_id=tiny, week_start=WEEK + dt.timedelta(days=7), backend="cpsat", status="queued"),
            SolveJob(station_id=tiny, week_start=WEEK + dt.timedelta(days=14), backend="cpsat", status="running",
                     worker="worker-machine:42"),  # another machine's job: left to it
        ])
        db.session.commit()
    restarted = make_app()
    with restarted.app_context():
        jobs = db.session.scalars(sa.select(SolveJob).order_by(SolveJob.id)).all()
        assert [j.status for j in jobs] == ["failed", "failed", "running"]
        assert jobs[0].error == INTERRUPTED and jobs[0].finished_at is not None


def test_planner_generates_from_the_week_page_and_polls(client, auth, app, tiny):
    auth.login("planner")
    page = client.get(f"/planner/stations/{tiny}/week?week=2026-11-25")
    assert page.status_code == 200 and "生成排班" in page.get_data(as_text=True)
    response = client.post(f"/planner/stations/{tiny}/solve", data={"week": "2026-11-23"})
    assert response.status_code == 302
    with app.app_context():
        job_id = db.session.scalar(sa.select(SolveJob.id))
    # A reload while it runs finds the job; a second generate is refused with a clear message.
    page = client.get(f"/planner/stations/{tiny}/week?week=2026-11-23").get_data(as_text=True)
    assert f"/planner/jobs/{job_id}" in page
    wait_for(app, job_id)
    status = client.get(f"/planner/jobs/{job_id}").get_json()
    assert status["status"] == "done" and status["objective"] == 293 and status["roster_url"]
    assert {"bound", "gap", "elapsed"} <= set(status)
    page = client.get(f"/planner/stations/{tiny}/week?week=2026-11-23").get_data(as_text=True)
    assert status["roster_url"] in page


def test_generate_refused_while_running(client, auth, app, tiny):
    with app.app_context():
        db.session.add(SolveJob(station_id=tiny, week_start=WEEK, backend="cpsat", status="running",
                                worker="another-host:1"))
        db.session.commit()
    auth.login("planner")
    response = client.post(f"/planner/stations/{tiny}/solve", data={"week": "2026-11-23"}, follow_redirects=True)
    assert "正在生成" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SolveJob)) == 1


def test_stop_asked_through_the_database_reaches_the_solve(app):
    """What a worker machine relies on: a stop written on the job row, not told to the runner."""
    with app.app_context():
        station = import_station_folder(FIXTURES / "demo-station").id
        job_id = start_solve(station, WEEK, _planner()).id
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            db.session.expire_all()
            if db.session.get(SolveJob, job_id).objective is not None:
                break
            time.sleep(0.05)
        db.session.execute(sa.update(SolveJob).where(SolveJob.id == job_id).values(stop_requested=True))
        db.session.commit()
    job = wait_for(app, job_id)
    assert job.status == "stopped"
    with app.app_context():
        assert db.session.scalar(sa.select(Roster).where(Roster.from_job == job_id)) is not None
