"""Portal solves, checks and adjustments use the station's published earlier weeks (services/history.py)."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from scheduler import Assignment
from scheduler import rules as R
from web.extensions import db
from web.models import Roster, SolveJob
from web.services.adjusting import Change, ChangeRefused, preview, save_change
from web.services.history import LookbackError, parse_lookback, station_history
from web.services.solving import publish_roster, roster_assignments, start_solve, store_roster
from web.services.stations import import_station_folder, station_to_engine

from .test_solving import wait_for

WEEK = dt.date(2026, 11, 30)  # the week solved: Monday
LAST_WEEK = WEEK - dt.timedelta(days=7)
LAST_SUNDAY = WEEK - dt.timedelta(days=1)
MONDAY, TUESDAY = WEEK, WEEK + dt.timedelta(days=1)

PEOPLE = """person_id,name,role,home_grid,skills,max_shifts_per_week,phone
P1,张伟,police,,,,
P2,王芳,police,,,,
"""
SHIFTS = """shift_id,name,start,end,night
day,白班,08:00,16:00,false
night,夜班,22:00,06:00,true
"""


def write_station(folder, demand: str, availability: str = "") -> None:
    folder.mkdir()
    files = {"station.toml": 'name = "历史派出所"\n', "people.csv": PEOPLE, "shifts.csv": SHIFTS,
             "grids.csv": "grid_id,name,level,community\nG1,火车站广场,1,五里墩社区\n",
             "demand.csv": "grid_id,day,shift_id,role,min,max,skill\n" + demand,
             "availability.csv": "person_id,date,shift_id,status\n" + availability}
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")


@pytest.fixture
def monday_day(app, tmp_path):
    """Monday's day shift needs one officer and only P1 can take it (P2 is away that day)."""
    write_station(tmp_path / "monday", f"G1,{MONDAY},day,police,1,1,\n", f"P2,{MONDAY},,unavailable\n")
    with app.app_context():
        return import_station_folder(tmp_path / "monday").id


@pytest.fixture
def two_nights(app, tmp_path):
    """Monday's and Tuesday's nights need one officer each; both officers are free."""
    write_station(tmp_path / "nights", f"G1,{MONDAY},night,police,1,1,\nG1,{TUESDAY},night,police,1,1,\n")
    with app.app_context():
        return import_station_folder(tmp_path / "nights").id


def earlier_roster(station_id: int, week: dt.date, lines: list[tuple[dt.date, str, str]], publish: bool = True) -> int:
    """A roster of an earlier week (in the caller's app context), published unless asked not to."""
    roster = store_roster(station_id, week, [Assignment(day, shift, "G1", person) for day, shift, person in lines])
    db.session.commit()
    if publish:
        publish_roster(roster)
    return roster.id


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


def solved(app, station_id: int, lookback: int | None = None) -> tuple[SolveJob, set[tuple]]:
    """Solve the week (in the caller's app context) and wait: the job and its roster's (person, date, shift)."""
    job_id = start_solve(station_id, WEEK, lookback=lookback).id
    job = wait_for(app, job_id)
    assert job.status == "done", job.error
    db.session.expire_all()
    lines = {(a.person_id, a.date, a.shift_id) for a in roster_assignments(_roster_of(job_id))}
    return db.session.get(SolveJob, job_id), lines


def _roster_of(job_id: int) -> Roster:
    return db.session.scalar(sa.select(Roster).where(Roster.from_job == job_id))


# --- rest across the week boundary ---------------------------------------------------------------


def test_a_published_sunday_night_keeps_the_officer_off_mondays_day_shift(app, ctx, monday_day):
    earlier = earlier_roster(monday_day, LAST_WEEK, [(LAST_SUNDAY, "night", "P1")], publish=False)
    _, lines = solved(app, monday_day)
    assert lines == {("P1", MONDAY, "day")}  # a draft is not history: P1 is the one to take Monday

    publish_roster(db.session.get(Roster, earlier))
    job, lines = solved(app, monday_day)
    assert ("P1", MONDAY, "day") not in lines and lines == set()  # 2 h after the night: left uncovered
    assert job.lookback_weeks == 4


def test_the_roster_and_week_pages_say_what_history_was_used(app, client, auth, monday_day):
    with app.app_context():
        earlier_roster(monday_day, LAST_WEEK, [(LAST_SUNDAY, "night", "P1")])
        job_id = start_solve(monday_day, WEEK).id
    wait_for(app, job_id)
    auth.login("planner")
    client.get("/lang/en")
    week = client.get(f"/planner/stations/{monday_day}/week?week={WEEK}").get_data(as_text=True)
    assert "Balanced over the 4 previous weeks: 1 of them have a published roster." in week
    assert f"Rest rules continue from the week of {LAST_WEEK} (published version 1)." in week
    with app.app_context():
        roster_id = _roster_of(job_id).id
    page = client.get(f"/planner/rosters/{roster_id}").get_data(as_text=True)
    assert "blocked by the rest rule (夜班 on last week&#39;s Sun)" in page


# --- cumulative balance --------------------------------------------------------------------------


def test_the_officer_with_more_nights_in_the_look_back_gets_fewer_this_week(app, ctx, two_nights):
    two_weeks_ago = WEEK - dt.timedelta(days=14)
    earlier_roster(two_nights, two_weeks_ago, [(two_weeks_ago + dt.timedelta(days=2), "night", "P1"),
                                               (two_weeks_ago + dt.timedelta(days=3), "night", "P1")])
    _, lines = solved(app, two_nights, lookback=4)
    assert lines == {("P2", MONDAY, "night"), ("P2", TUESDAY, "night")}
    _, lines = solved(app, two_nights, lookback=1)  # that week is outside a look-back of 1
    assert {person for person, _, _ in lines} == {"P1", "P2"}


def test_look_back_zero_balances_this_week_only(app, client, auth, two_nights):
    with app.app_context():
        two_weeks_ago = WEEK - dt.timedelta(days=14)
        earlier_roster(two_nights, two_weeks_ago, [(two_weeks_ago + dt.timedelta(days=2), "night", "P1")])
    auth.login("planner")
    response = client.post(f"/planner/stations/{two_nights}/solve", data={"week": WEEK.isoformat(), "lookback": "0"})
    assert response.status_code == 302
    with app.app_context():
        job_id = db.session.scalar(sa.select(SolveJob.id).order_by(SolveJob.id.desc()))
    wait_for(app, job_id)
    with app.app_context():
        job = db.session.get(SolveJob, job_id)
        assert job.lookback_weeks == 0
        used = station_history(two_nights, station_to_engine(job.station), WEEK, 0)
        assert used.history.counts == {} and used.counted_weeks == ()
        lines = {(a.person_id, a.date) for a in roster_assignments(_roster_of(job_id))}
    assert {person for person, _ in lines} == {"P1", "P2"}


# --- the look-back asked for ---------------------------------------------------------------------


@pytest.mark.parametrize("value", ["53", "-1", "four", "2.5", "４"])
def test_an_invalid_look_back_is_refused_with_a_clear_error(app, client, auth, two_nights, value):
    auth.login("planner")
    client.get("/lang/en")
    response = client.post(f"/planner/stations/{two_nights}/solve", data={"week": WEEK.isoformat(), "lookback": value},
                           follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "Look-back:" in text and "is not a whole number of weeks from 0 to 52" in text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SolveJob)) == 0


def test_the_services_refuse_a_look_back_outside_0_to_52(app, ctx, two_nights):
    assert parse_lookback("") == 4 and parse_lookback(" 12 ") == 12 and parse_lookback("0") == 0
    with pytest.raises(LookbackError, match="53"):
        start_solve(two_nights, WEEK, lookback=53)
    with pytest.raises(LookbackError):
        parse_lookback("-3")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SolveJob)) == 0


# --- manual adjustments --------------------------------------------------------------------------


def test_the_adjust_preview_catches_a_rest_break_across_the_boundary(app, ctx, monday_day):
    earlier = earlier_roster(monday_day, LAST_WEEK, [(LAST_SUNDAY, "night", "P1")], publish=False)
    draft = store_roster(monday_day, WEEK, [])
    db.session.commit()
    change = Change("add", None, Assignment(MONDAY, "day", "G1", "P1"))
    assert preview(draft, change).ok  # the previous week is only a draft: nothing to continue from

    publish_roster(db.session.get(Roster, earlier))
    result = preview(draft, change)
    assert [v.rule for v in result.new_violations] == [R.MIN_REST_BETWEEN_SHIFTS]
    assert str(LAST_SUNDAY) in result.new_violations[0].message
    with pytest.raises(ChangeRefused):
        save_change(draft, change)
    assert roster_assignments(db.session.get(Roster, draft.id)) == []


# --- re-planning after an absence ----------------------------------------------------------------


@pytest.fixture
def monday_day_both(app, tmp_path):
    """Monday's day shift needs one officer; both may take it."""
    write_station(tmp_path / "both", f"G1,{MONDAY},day,police,1,1,\n")
    with app.app_context():
        return import_station_folder(tmp_path / "both").id


@pytest.mark.parametrize("published", [False, True])
def test_a_replan_does_not_give_the_absent_officers_shift_to_last_sundays_night_worker(app, ctx, monday_day_both,
                                                                                     published):
    from web.services.replanning import Absence, proposal_roster, report_absence

    earlier_roster(monday_day_both, LAST_WEEK, [(LAST_SUNDAY, "night", "P1")], publish=published)
    base = store_roster(monday_day_both, WEEK, [Assignment(MONDAY, "day", "G1", "P2")])
    db.session.commit()
    publish_roster(base)
    absence = Absence("P2", dt.datetime.combine(MONDAY, dt.time()), dt.datetime.combine(TUESDAY, dt.time()))
    job_id = report_absence(base, absence, now=dt.datetime.combine(LAST_SUNDAY, dt.time(12))).id
    job = wait_for(app, job_id)
    assert job.status == "done", job.error
    db.session.expire_all()
    lines = {(a.person_id, a.date, a.shift_id) for a in roster_assignments(proposal_roster(db.session.get(SolveJob, job_id)))}
    assert lines == (set() if published else {("P1", MONDAY, "day")})
