"""Report an absence on a published roster: availability written, a re-plan job, a proposal to accept or discard."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from scheduler import Assignment, StopToken
from scheduler.model import Shift
from web.extensions import db
from web.models import AuditLog, Availability, Roster, SolveJob
from web.rosters.models import ReplanRequest
from web.services.replanning import Absence, AbsenceError, absence_cells, check_absence
from web.services.solving import JobRunner, publish_roster, run_job, store_roster
from web.services.stations import import_station_folder

WEEK = dt.date(2030, 1, 7)  # a Monday well ahead: nothing of it has started yet
WED, THU, FRI = (WEEK + dt.timedelta(days=n) for n in (2, 3, 4))

# One grid, one day shift, one police officer a day on Wednesday to Friday. P3 cannot work on Wednesday.
STATION = {
    "station.toml": 'name = "换班派出所"\n',
    "people.csv": "person_id,name,role\nP1,张伟,police\nP2,王芳,police\nP3,李强,police\n",
    "grids.csv": "grid_id,name,level\nG1,火车站广场,1\n",
    "shifts.csv": "shift_id,name,start,end,night\nday,白班,08:00,16:00,false\n",
    "demand.csv": "grid_id,day,shift_id,role,min,max,skill\n"
                  + "".join(f"G1,{d.isoformat()},day,police,1,1,\n" for d in (WED, THU, FRI)),
    "availability.csv": f"person_id,date,shift_id,status\nP3,{WED.isoformat()},,unavailable\n"
                        f"P1,{WED.isoformat()},day,preferred\n",
}
PUBLISHED = [Assignment(WED, "day", "G1", "P1"), Assignment(THU, "day", "G1", "P2"), Assignment(FRI, "day", "G1", "P1")]
WEDNESDAY = {"person_id": "P1", "starts": f"{WED.isoformat()}T00:00", "ends": f"{THU.isoformat()}T00:00",
             "reason": "病假"}


class SyncRunner(JobRunner):
    """Runs each job to its end inside `submit`, so a test sees the finished job right after the request."""

    worker_id = "test-sync"

    def submit(self, app, job_id: int) -> None:
        run_job(app, job_id, StopToken())

    def stop(self, job_id: int) -> bool:
        return False


class IdleRunner(JobRunner):
    """Leaves every job queued: the state a page reload finds while a re-plan runs."""

    worker_id = "test-idle"

    def submit(self, app, job_id: int) -> None:
        pass

    def stop(self, job_id: int) -> bool:
        return False


@pytest.fixture
def app(make_app):
    app = make_app(SOLVE_RUNNER=SyncRunner)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def published(app, tmp_path) -> int:
    """The id of version 1 of the week, published, holding PUBLISHED."""
    folder = tmp_path / "station"
    folder.mkdir()
    for name, text in STATION.items():
        (folder / name).write_text(text, encoding="utf-8")
    with app.app_context():
        station = import_station_folder(folder)
        roster = store_roster(station.id, WEEK, PUBLISHED)
        publish_roster(roster)
        return roster.id


def _availability(app) -> set[tuple]:
    with app.app_context():
        return {(a.person_id, a.date, a.shift_id, a.status) for a in db.session.scalars(sa.select(Availability))}


def _rosters(app) -> list[tuple]:
    with app.app_context():
        rows = db.session.scalars(sa.select(Roster).order_by(Roster.version))
        return [(r.version, r.status, sorted((a.date, a.person_id) for a in r.assignments)) for r in rows]


def _actions(app) -> list[str]:
    with app.app_context():
        return [a.action for a in db.session.scalars(sa.select(AuditLog).order_by(AuditLog.id))]


def _report(client, roster_id: int, **form):
    return client.post(f"/planner/rosters/{roster_id}/absence", data=WEDNESDAY | form)


def _job_id(response) -> int:
    return int(re.fullmatch(r"/planner/replans/(\d+)", response.headers["Location"])[1])


# --- which availability rows an absence means -----------------------------------------------------


DAY, NIGHT = Shift("day", "白班", 8 * 60, 16 * 60, False), Shift("night", "夜班", 22 * 60, 6 * 60, True)


def test_absence_covers_whole_days_and_the_shifts_it_overlaps():
    at = dt.datetime.combine
    # Wednesday noon to Thursday noon: both Wednesday shifts (a whole day), Thursday's day shift only.
    assert absence_cells((DAY, NIGHT), at(WED, dt.time(12)), at(THU, dt.time(12))) == [(WED, None), (THU, "day")]
    # From 05:00: Tuesday's night runs until Wednesday 06:00, so it is in the absence too.
    assert absence_cells((DAY, NIGHT), at(WED, dt.time(5)), at(WED, dt.time(9))) == [
        (WED - dt.timedelta(days=1), "night"), (WED, "day")]
    # Between two shifts: nothing.
    assert absence_cells((DAY, NIGHT), at(WED, dt.time(17)), at(WED, dt.time(21))) == []


@pytest.mark.parametrize(("absence", "field"), [
    (Absence("P9", dt.datetime(2030, 1, 9), dt.datetime(2030, 1, 10)), "person_id"),
    (Absence("P1", dt.datetime(2030, 1, 10), dt.datetime(2030, 1, 9)), "ends"),
    (Absence("P1", dt.datetime(2030, 1, 1), dt.datetime(2030, 1, 3)), "starts"),  # the week before
    (Absence("P1", dt.datetime(2030, 1, 9, 17), dt.datetime(2030, 1, 9, 20)), "starts"),  # between shifts
    (Absence("P1", dt.datetime(2030, 1, 7), dt.datetime(2030, 6, 1)), "ends"),  # too long
])
def test_unusable_absences_name_the_field(app, published, absence, field):
    with app.test_request_context():
        roster = db.session.get(Roster, published)
        with pytest.raises(AbsenceError) as error:
            check_absence(roster, absence, now=dt.datetime(2030, 1, 1))
        assert error.value.field == field


def test_an_absence_already_over_is_refused(app, published):
    with app.test_request_context():
        roster = db.session.get(Roster, published)
        with pytest.raises(AbsenceError) as error:
            check_absence(roster, Absence("P1", dt.datetime(2030, 1, 9), dt.datetime(2030, 1, 10)),
                          now=dt.datetime(2030, 1, 10, 8))
        assert error.value.field == "ends"


# --- the page and the job ------------------------------------------------------------------------


def test_form_offers_the_people_and_defaults_to_the_rest_of_the_week(client, auth, published):
    auth.login("planner")
    page = client.get(f"/planner/rosters/{published}").get_data(as_text=True)
    assert f"/planner/rosters/{published}/absence" in page  # the link on a published roster
    page = client.get(f"/planner/rosters/{published}/absence").get_data(as_text=True)
    assert 'value="P1"' in page and "张伟" in page and "李强" in page
    # The week has not started: from its first minute to its end.
    assert 'value="2030-01-07T00:00"' in page and 'value="2030-01-14T00:00"' in page


def test_absence_writes_availability_and_the_proposal_makes_exactly_one_swap(client, auth, app, published):
    auth.login("planner")
    response = _report(client, published)
    assert response.status_code == 302
    job_id = _job_id(response)
    # P1's preferred Wednesday shift gives way to a whole unavailable day; P3's own row is untouched.
    assert _availability(app) == {("P1", WED, None, "unavailable"), ("P3", WED, None, "unavailable")}
    with app.app_context():
        job = db.session.get(SolveJob, job_id)
        assert (job.kind, job.status) == ("replan", "done"), job.error
        request = db.session.scalar(sa.select(ReplanRequest).where(ReplanRequest.job_id == job_id))
        assert request.base_roster_id == published and request.reason == "病假"
        assert request.replaced == [{"date": WED.isoformat(), "shift_id": "day", "status": "preferred"}]
        # One swap: P2 takes P1's Wednesday; Thursday and Friday stay as they were.
        changes = sorted((c["kind"], c["person_id"], c["before"] and c["before"]["date"],
                          c["after"] and c["after"]["date"]) for c in request.changes)
        assert changes == [("added", "P2", None, WED.isoformat()), ("released", "P1", WED.isoformat(), None)]
    # Nothing changes on the published roster until the proposal is accepted.
    assert _rosters(app) == [
        (1, "published", [(WED, "P1"), (THU, "P2"), (FRI, "P1")]),
        (2, "draft", [(WED, "P2"), (THU, "P2"), (FRI, "P1")]),
    ]
    page = client.get(f"/planner/replans/{job_id}").get_data(as_text=True)
    assert "病假" in page and "张伟" in page and "王芳" in page
    assert page.count('class="changed"') == 2  # Wednesday's cell, in the old roster and in the proposal
    assert f"/planner/replans/{job_id}/accept" in page and f"/planner/replans/{job_id}/discard" in page
    assert _actions(app)[-3:] == ["absence.report", "replan.start", "replan.finish"]
    with app.app_context():
        station_id = db.session.get(SolveJob, job_id).station_id
    week = client.get(f"/planner/stations/{station_id}/week", query_string={"week": WEEK.isoformat()})
    week = week.get_data(as_text=True)
    assert f"重新排班 #{job_id}" in week and f'href="/planner/replans/{job_id}"' in week  # the proposal, not the draft


def test_the_report_returns_at_once_and_a_reload_finds_the_running_job(make_app, published):
    app = make_app(SOLVE_RUNNER=IdleRunner)
    client = app.test_client()
    client.post("/auth/login", data={"username": "planner", "password": "correct-horse"})
    before = _rosters(app)
    job_id = _job_id(_report(client, published))
    page = client.get(f"/planner/replans/{job_id}").get_data(as_text=True)
    assert f"/planner/jobs/{job_id}" in page and f"/planner/jobs/{job_id}/stop" in page
    assert client.get(f"/planner/jobs/{job_id}").get_json()["status"] == "queued"
    # No proposal yet: accepting is refused and the published roster is as it was.
    client.post(f"/planner/replans/{job_id}/accept")
    client.post(f"/planner/replans/{job_id}/discard")
    assert _rosters(app) == before
    with app.app_context():
        assert db.session.scalar(sa.select(ReplanRequest.outcome).where(ReplanRequest.job_id == job_id)) is None


def test_the_change_list_is_worded_in_the_planners_language(client, auth, app, published):
    auth.login("planner")
    job_id = _job_id(_report(client, published))
    with app.app_context():
        changes = db.session.scalar(sa.select(ReplanRequest.changes).where(ReplanRequest.job_id == job_id))
    chinese = client.get(f"/planner/replans/{job_id}").get_data(as_text=True)
    assert all(c["zh"] in chinese for c in changes)
    client.get("/lang/en")
    english = client.get(f"/planner/replans/{job_id}").get_data(as_text=True)
    assert all(c["en"] in english for c in changes)


def test_accept_publishes_the_next_version_with_an_audit_entry(client, auth, app, published):
    auth.login("planner")
    job_id = _job_id(_report(client, published))
    response = client.post(f"/planner/replans/{job_id}/accept")
    assert response.status_code == 302
    assert _rosters(app) == [
        (1, "published", [(WED, "P1"), (THU, "P2"), (FRI, "P1")]),
        (2, "published", [(WED, "P2"), (THU, "P2"), (FRI, "P1")]),
    ]
    with app.app_context():
        entries = db.session.scalars(sa.select(AuditLog).order_by(AuditLog.id)).all()
        assert [e.action for e in entries][-2:] == ["replan.accept", "roster.publish"]
        assert entries[-1].details["version"] == 2 and entries[-1].username == "planner"
        new = db.session.scalar(sa.select(Roster).where(Roster.version == 2))
        assert response.headers["Location"] == f"/planner/rosters/{new.id}"
    # Accepting twice, or discarding after, changes nothing.
    client.post(f"/planner/replans/{job_id}/accept")
    client.post(f"/planner/replans/{job_id}/discard")
    assert [r[:2] for r in _rosters(app)] == [(1, "published"), (2, "published")]
    assert ("P1", WED, None, "unavailable") in _availability(app)


def test_discard_leaves_everything_as_it_was(client, auth, app, published):
    before_availability, before_rosters = _availability(app), _rosters(app)
    auth.login("planner")
    job_id = _job_id(_report(client, published))
    response = client.post(f"/planner/replans/{job_id}/discard")
    assert response.headers["Location"] == f"/planner/rosters/{published}"
    assert _availability(app) == before_availability
    assert _rosters(app) == before_rosters
    assert _actions(app)[-1] == "replan.discard"
    assert client.post(f"/planner/replans/{job_id}/accept").status_code == 302  # refused with a message
    assert _rosters(app) == before_rosters


def test_accept_refused_once_a_newer_version_is_published(client, auth, app, published):
    auth.login("planner")
    job_id = _job_id(_report(client, published))
    with app.app_context():
        publish_roster(store_roster(db.session.get(Roster, published).station_id, WEEK, PUBLISHED))  # version 3
    client.post(f"/planner/replans/{job_id}/accept")
    assert [r[:2] for r in _rosters(app)] == [(1, "published"), (2, "draft"), (3, "published")]


def test_bad_absence_gets_a_clear_error_and_writes_nothing(client, auth, app, published):
    before = _availability(app)
    auth.login("planner")
    for form, field in [({"ends": f"{WED.isoformat()}T00:00"}, "ends"), ({"starts": "tomorrow"}, "starts"),
                        ({"person_id": ""}, "person_id"), ({"person_id": "P9"}, "person_id"),
                        ({"reason": "x" * 501}, "reason")]:
        response = _report(client, published, **form)
        page = response.get_data(as_text=True)
        assert response.status_code == 400 and f'data-field="{field}"' in page, form
        assert 'value="病假"' in page or "reason" in form  # what was typed is kept
    assert _availability(app) == before
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SolveJob)) == 0


def test_absence_on_a_draft_or_an_older_version_is_refused(client, auth, app, published):
    auth.login("planner")
    with app.app_context():
        station_id = db.session.get(Roster, published).station_id
        draft = store_roster(station_id, WEEK, PUBLISHED)
        db.session.commit()
        draft_id = draft.id
    assert _report(client, draft_id).status_code == 400
    with app.app_context():
        publish_roster(db.session.get(Roster, draft_id))
    assert _report(client, published).status_code == 400  # version 2 is the published one now
    assert _report(client, draft_id).status_code == 302


def test_second_report_while_a_job_runs_is_refused(client, auth, app, published):
    with app.app_context():
        station_id = db.session.get(Roster, published).station_id
        db.session.add(SolveJob(station_id=station_id, week_start=WEEK, backend="cpsat", status="running",
                                worker="another-host:1"))
        db.session.commit()
    before = _availability(app)
    auth.login("planner")
    assert _report(client, published).status_code == 409
    assert _availability(app) == before


@pytest.mark.parametrize("role", ["volunteer", "officer", None])
def test_only_planners_report_absences_and_decide(client, auth, app, published, role):
    if role:
        auth.login(role)
    for url in (f"/planner/rosters/{published}/absence", "/planner/replans/1/accept", "/planner/replans/1/discard"):
        response = client.post(url, data=WEDNESDAY)
        assert response.status_code == (403 if role else 302)
    assert client.get(f"/planner/rosters/{published}/absence").status_code == (403 if role else 302)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SolveJob)) == 0


def test_forms_need_the_csrf_token(make_app, published):
    app = make_app(SOLVE_RUNNER=SyncRunner, WTF_CSRF_ENABLED=True)
    client = app.test_client()

    def token(html: str) -> str:
        return re.search(r'name="csrf_token" value="([^"]+)"', html)[1]

    login = client.get("/auth/login").get_data(as_text=True)
    login_token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login)[1]
    client.post("/auth/login", data={"username": "planner", "password": "correct-horse", "csrf_token": login_token})
    assert _report(client, published).status_code == 400
    form = token(client.get(f"/planner/rosters/{published}/absence").get_data(as_text=True))
    response = _report(client, published, csrf_token=form)
    assert response.status_code == 302
    job_id = _job_id(response)
    assert client.post(f"/planner/replans/{job_id}/accept").status_code == 400
    assert client.post(f"/planner/replans/{job_id}/discard").status_code == 400
    page = client.get(f"/planner/replans/{job_id}").get_data(as_text=True)
    assert client.post(f"/planner/replans/{job_id}/accept", data={"csrf_token": token(page)}).status_code == 302
    assert [r[:2] for r in _rosters(app)] == [(1, "published"), (2, "published")]
